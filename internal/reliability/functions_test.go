package reliability

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/coder/websocket"

	"github.com/nimbus-dev/nimbus/internal/nimbus"
)

// requireTool skips (or, under CI, fails) when a program is missing.
func requireTool(t *testing.T, name, install string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		skipOrFail(t, fmt.Sprintf("needs %s: %s", name, install))
	}
}

// startApp runs a whole Nimbus in this process on free ports with
// in-memory tables, serving the template at dir.
func startApp(t testing.TB, dir string) *nimbus.Server {
	t.Helper()
	srv, err := nimbus.New(context.Background(), nimbus.Config{Template: dir, DataDir: t.TempDir(), InMemory: true, Port: 0})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return srv
}

func lambdaClient(url string) *lambda.Client {
	return lambda.New(lambda.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(url),
		Credentials:      credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		RetryMaxAttempts: 1,
		HTTPClient:       awshttp.NewBuildableClient().WithTimeout(60 * time.Second),
	})
}

// lambdaError is Lambda's error payload.
type lambdaError struct {
	ErrorType    string `json:"errorType"`
	ErrorMessage string `json:"errorMessage"`
}

func invokeFn(t *testing.T, c *lambda.Client, fn, event string) (*lambda.InvokeOutput, lambdaError) {
	t.Helper()
	out, err := c.Invoke(bg, &lambda.InvokeInput{FunctionName: aws.String(fn), Payload: []byte(event), LogType: types.LogTypeTail})
	if err != nil {
		t.Fatalf("invoke %s %s: %v", fn, event, err)
	}
	var le lambdaError
	if out.FunctionError != nil {
		_ = json.Unmarshal(out.Payload, &le)
	}
	return out, le
}

// TestFunctionFaults injects every kind of function failure and checks that
// each is contained: the caller gets Lambda's error, the server keeps
// serving, and the next invocation of the same function works.
func TestFunctionFaults(t *testing.T) {
	requireTool(t, "python3", "apt-get install python3")
	srv := startApp(t, "testdata/app")
	c := lambdaClient(srv.URL())

	type fault struct {
		name, fn, event string
		wantType, inMsg string
		nextWorks       bool
		longOnly        bool
	}
	faults := []fault{
		{"runtime exits during init", "init-exit", `{}`, "Runtime.ExitError", "Runtime exited with error: exit status 3", false, false},
		{"module raises during init", "init-raise", `{}`, "RuntimeError", "the module refuses to load", false, false},
		{"init never finishes (10 s)", "init-hang", `{}`, "Sandbox.Timedout", "Task timed out after 10.00 seconds", false, true},
		{"handler raises", "faults", `{"how":"raise"}`, "ValueError", "handled failure", true, false},
		{"process exits mid-invocation", "faults", `{"how":"exit"}`, "Runtime.ExitError", "Runtime exited with error: exit status 7", true, false},
		{"process segfaults", "faults", `{"how":"segv"}`, "Runtime.ExitError", "Runtime exited with error: signal: segmentation fault", true, false},
		{"hangs past its timeout", "faults", `{"how":"hang"}`, "Sandbox.Timedout", "Task timed out after 1.00 seconds", true, false},
		{"allocates without bound", "hog", `{"how":"alloc"}`, "Runtime.OutOfMemory", "Runtime exited with error: signal: killed", true, false},
		{"returns 7 MB", "faults", `{"how":"big"}`, "Function.ResponseSizeTooLarge", "exceeded maximum allowed payload size", true, false},
	}
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			if f.longOnly && !longRuns() {
				t.Skip("takes Lambda's 10 s init timeout; NIMBUS_LONG=1 runs it")
			}
			started := time.Now()
			out, le := invokeFn(t, c, f.fn, f.event)
			if aws.ToString(out.FunctionError) != "Unhandled" || le.ErrorType != f.wantType || !strings.Contains(le.ErrorMessage, f.inMsg) {
				t.Fatalf("got FunctionError=%q %s; want Unhandled %s containing %q", aws.ToString(out.FunctionError), out.Payload, f.wantType, f.inMsg)
			}
			t.Logf("%s in %s: %s", f.wantType, time.Since(started).Round(time.Millisecond), le.ErrorMessage)
			if f.nextWorks {
				if out, _ := invokeFn(t, c, f.fn, `{"how":"ok"}`); out.FunctionError != nil {
					t.Fatalf("next invocation after the fault: %s", out.Payload)
				}
			} else if out, le2 := invokeFn(t, c, f.fn, `{}`); le2.ErrorType != f.wantType {
				t.Fatalf("a function that cannot start must keep failing the same way, got %s", out.Payload)
			}
		})
	}

	t.Run("megabytes of stdout", func(t *testing.T) {
		out, _ := invokeFn(t, c, "faults", `{"how":"loud"}`)
		if out.FunctionError != nil || !strings.Contains(string(out.Payload), `"printed"`) {
			t.Fatalf("loud function: %s", out.Payload)
		}
		tail, _ := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
		if len(tail) == 0 || len(tail) > 4096 {
			t.Errorf("log tail is %d bytes, want 1..4096", len(tail))
		}
		if out, _ := invokeFn(t, c, "faults", `{"how":"ok"}`); out.FunctionError != nil {
			t.Fatalf("after 9 MB of output: %s", out.Payload)
		}
	})

	t.Run("children die with the environment", func(t *testing.T) {
		out, _ := invokeFn(t, c, "faults", `{"how":"spawn"}`)
		var pids struct{ Child, Daemon int }
		if err := json.Unmarshal(out.Payload, &pids); err != nil || pids.Child == 0 {
			t.Fatalf("spawn: %s", out.Payload)
		}
		defer syscall.Kill(pids.Daemon, syscall.SIGKILL)
		defer syscall.Kill(pids.Child, syscall.SIGKILL)
		if !alive(pids.Child) || !alive(pids.Daemon) {
			t.Fatalf("children not running after the handler returned: %+v alive %v %v", pids, alive(pids.Child), alive(pids.Daemon))
		}
		// Crash the (warm, same) environment: it is replaced, and whatever
		// it started goes with it.
		if _, le := invokeFn(t, c, "faults", `{"how":"exit"}`); le.ErrorType != "Runtime.ExitError" {
			t.Fatalf("crash: %+v", le)
		}
		gone := func(pid int) bool {
			deadline := time.Now().Add(5 * time.Second)
			for alive(pid) && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			return !alive(pid)
		}
		if !gone(pids.Child) {
			t.Errorf("child %d outlived its environment", pids.Child)
		}
		if !gone(pids.Daemon) {
			t.Errorf("daemon %d (own session, setsid) outlived its environment", pids.Daemon)
		}
	})

	if resp, err := http.Get(srv.URL() + "/_nimbus/health"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("server unhealthy after the faults: %v", err)
	}
}

// alive reports whether pid is a running (not zombie) process.
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return syscall.Kill(pid, 0) == nil
	}
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) {
		return s[i+2] != 'Z'
	}
	return true
}

// TestExitDuringBroadcast: a WebSocket handler that posts to several
// connections and dies half way. The posts made before the crash arrive,
// no connection is dropped, and the next broadcast reaches everyone.
func TestExitDuringBroadcast(t *testing.T) {
	requireTool(t, "python3", "apt-get install python3")
	srv := startApp(t, "testdata/app")
	wsURL := apiURL(t, srv.URL(), "WEBSOCKET")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	const n = 6
	conns := make([]*websocket.Conn, n)
	ids := make([]string, n)
	for i := range conns {
		conn, _, err := websocket.Dial(ctx, wsURL, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.CloseNow()
		conns[i] = conn
		if err := conn.Write(ctx, websocket.MessageText, []byte(`{"action":"whoami"}`)); err != nil {
			t.Fatal(err)
		}
		var me struct{ Me string }
		readJSON(ctx, t, conn, &me)
		ids[i] = me.Me
	}
	broadcast := func(exitAfter int) {
		targets, _ := json.Marshal(ids[1:])
		msg := fmt.Sprintf(`{"action":"broadcast","targets":%s,"exitAfter":%d}`, targets, exitAfter)
		if err := conns[0].Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
			t.Fatal(err)
		}
	}
	broadcast(3) // posts to ids[1..3], then the process exits
	var got struct{ N int }
	for i := 1; i <= 3; i++ {
		readJSON(ctx, t, conns[i], &got)
	}
	// The sender is told the integration failed, as API Gateway does.
	_, msg, err := conns[0].Read(ctx)
	if err != nil || !strings.Contains(string(msg), "Internal server error") {
		t.Fatalf("sender after the crash: %s %v", msg, err)
	}
	broadcast(-1)
	var wg sync.WaitGroup
	for i := 1; i < n; i++ {
		wg.Go(func() {
			var got struct{ From string }
			readJSON(ctx, t, conns[i], &got)
			if got.From != ids[0] {
				t.Errorf("connection %d got %+v", i, got)
			}
		})
	}
	wg.Wait()
}

func readJSON(ctx context.Context, t *testing.T, conn *websocket.Conn, v any) {
	t.Helper()
	_, msg, err := conn.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(msg, v); err != nil {
		t.Fatalf("%s: %v", msg, err)
	}
}

// apiURL is the base URL of the app's first API of a protocol.
func apiURL(t testing.TB, edge, protocol string) string {
	t.Helper()
	resp, err := http.Get(edge + "/_nimbus/apis")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var apis []struct{ Protocol, URL string }
	if err := json.NewDecoder(resp.Body).Decode(&apis); err != nil {
		t.Fatal(err)
	}
	for _, a := range apis {
		if a.Protocol == protocol {
			return a.URL
		}
	}
	t.Fatalf("no %s API in %+v", protocol, apis)
	return ""
}
