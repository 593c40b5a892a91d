package lambda

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/nimbus-dev/nimbus/internal/app"
)

func goFunction(t testing.TB, name string) *app.Function {
	return &app.Function{
		Name:        name,
		Runtime:     "provided.al2023",
		Handler:     "bootstrap",
		CodeDir:     goFunctionDir(t),
		Timeout:     3 * time.Second,
		MemorySize:  256,
		Environment: map[string]string{"GREETING": "hi"},
	}
}

func invokeJSON(t *testing.T, h *harness, name, payload string, opts ...func(*sdk.InvokeInput)) *sdk.InvokeOutput {
	t.Helper()
	in := &sdk.InvokeInput{FunctionName: aws.String(name), Payload: []byte(payload)}
	for _, o := range opts {
		o(in)
	}
	out, err := h.client.Invoke(context.Background(), in)
	if err != nil {
		t.Fatalf("invoke %s %s: %v", name, payload, err)
	}
	return out
}

func TestGoFunctionThroughInvokeAPI(t *testing.T) {
	h := newHarness(t, Options{Environment: map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:4566"}})
	slow := goFunction(t, "slow")
	slow.Timeout = time.Second
	if err := h.svc.Apply(context.Background(), []*app.Function{goFunction(t, "gofn"), slow}, nil); err != nil {
		t.Fatal(err)
	}

	t.Run("echo", func(t *testing.T) {
		out := invokeJSON(t, h, "gofn", `{"value":{"a":1}}`)
		if out.StatusCode != 200 || out.FunctionError != nil || string(out.Payload) != `{"echo":{"a":1}}` {
			t.Fatalf("got %d %v %s", out.StatusCode, out.FunctionError, out.Payload)
		}
		if aws.ToString(out.ExecutedVersion) != "$LATEST" {
			t.Errorf("executed version %q", aws.ToString(out.ExecutedVersion))
		}
	})

	t.Run("environment", func(t *testing.T) {
		for env, want := range map[string]string{
			"GREETING":                        "hi",
			"AWS_LAMBDA_FUNCTION_NAME":        "gofn",
			"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
			"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
			"AWS_REGION":                      "us-east-1",
			"AWS_DEFAULT_REGION":              "us-east-1",
			"TZ":                              ":UTC",
			"_HANDLER":                        "bootstrap",
			"LAMBDA_TASK_ROOT":                goFunctionDir(t),
			"AWS_ENDPOINT_URL":                "http://127.0.0.1:4566",
			"AWS_EXECUTION_ENV":               "",
			"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/gofn",
			"AWS_LAMBDA_INITIALIZATION_TYPE":  "on-demand",
			"AWS_XRAY_CONTEXT_MISSING":        "LOG_ERROR",
			"AWS_XRAY_DAEMON_ADDRESS":         "127.0.0.1:2000",
			"_AWS_XRAY_DAEMON_ADDRESS":        "127.0.0.1",
			"_AWS_XRAY_DAEMON_PORT":           "2000",
			"GOMAXPROCS":                      "1",
		} {
			out := invokeJSON(t, h, "gofn", `{"mode":"env","env":"`+env+`"}`)
			if got := string(out.Payload); got != `"`+want+`"` {
				t.Errorf("%s = %s, want %q", env, got, want)
			}
		}
		stream := invokeJSON(t, h, "gofn", `{"mode":"env","env":"AWS_LAMBDA_LOG_STREAM_NAME"}`)
		if !regexp.MustCompile(`^"\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}"$`).Match(stream.Payload) {
			t.Errorf("AWS_LAMBDA_LOG_STREAM_NAME = %s, want Lambda's YYYY/MM/DD/[$LATEST]<32 hex>", stream.Payload)
		}
		for _, env := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_LAMBDA_RUNTIME_API", "AWS_LAMBDA_LOG_STREAM_NAME"} {
			out := invokeJSON(t, h, "gofn", `{"mode":"env","env":"`+env+`"}`)
			if string(out.Payload) == `""` {
				t.Errorf("%s is empty", env)
			}
		}
	})

	t.Run("context", func(t *testing.T) {
		out := invokeJSON(t, h, "gofn", `{"mode":"context"}`)
		var got struct {
			RequestID   string `json:"requestId"`
			ARN         string `json:"arn"`
			Name        string `json:"name"`
			Memory      int    `json:"memory"`
			RemainingMS int64  `json:"remainingMs"`
		}
		if err := json.Unmarshal(out.Payload, &got); err != nil {
			t.Fatal(err)
		}
		if len(got.RequestID) != 36 || got.ARN != "arn:aws:lambda:us-east-1:000000000000:function:gofn" || got.Name != "gofn" || got.Memory != 256 {
			t.Errorf("context %+v", got)
		}
		if got.RemainingMS < 2000 || got.RemainingMS > 3000 {
			t.Errorf("remaining %d ms, want about 3000", got.RemainingMS)
		}
	})

	t.Run("function error", func(t *testing.T) {
		out := invokeJSON(t, h, "gofn", `{"mode":"error"}`)
		if aws.ToString(out.FunctionError) != "Unhandled" {
			t.Fatalf("function error %q", aws.ToString(out.FunctionError))
		}
		var e struct{ ErrorMessage, ErrorType string }
		_ = json.Unmarshal(out.Payload, &e)
		if e.ErrorMessage != "boom" || e.ErrorType != "errorString" {
			t.Errorf("payload %s", out.Payload)
		}
	})

	t.Run("log tail", func(t *testing.T) {
		out := invokeJSON(t, h, "gofn", `{"mode":"log"}`, func(in *sdk.InvokeInput) { in.LogType = types.LogTypeTail })
		logs, err := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"START RequestId: ", "hello from go", "END RequestId: ", "REPORT RequestId: ", "Billed Duration: ", "Memory Size: 256 MB", "Max Memory Used: "} {
			if !strings.Contains(string(logs), want) {
				t.Errorf("log tail lacks %q:\n%s", want, logs)
			}
		}
	})

	t.Run("oversize response", func(t *testing.T) {
		out := invokeJSON(t, h, "gofn", `{"mode":"big","size":6300000}`)
		if aws.ToString(out.FunctionError) != "Unhandled" || !strings.Contains(string(out.Payload), "Function.ResponseSizeTooLarge") {
			t.Fatalf("got %s", out.Payload)
		}
		if out := invokeJSON(t, h, "gofn", `{"value":2}`); string(out.Payload) != `{"echo":2}` {
			t.Fatalf("after oversize: %s", out.Payload)
		}
	})

	t.Run("timeout", func(t *testing.T) {
		start := time.Now()
		out := invokeJSON(t, h, "slow", `{"mode":"sleep","sleepMs":5000}`)
		if time.Since(start) > 2500*time.Millisecond {
			t.Errorf("timeout took %v", time.Since(start))
		}
		var e struct{ ErrorMessage, ErrorType string }
		_ = json.Unmarshal(out.Payload, &e)
		if aws.ToString(out.FunctionError) != "Unhandled" || e.ErrorType != "Sandbox.Timedout" || !strings.Contains(e.ErrorMessage, "Task timed out after 1.00 seconds") {
			t.Fatalf("got %s", out.Payload)
		}
		if !strings.Contains(h.logs.String(), "Task timed out after 1.00 seconds") {
			t.Error("log lacks the timeout line")
		}
		if out := invokeJSON(t, h, "slow", `{"value":3}`); string(out.Payload) != `{"echo":3}` {
			t.Fatalf("after timeout: %s", out.Payload)
		}
	})

	t.Run("crash mid-invoke", func(t *testing.T) {
		out := invokeJSON(t, h, "gofn", `{"mode":"crash"}`)
		var e struct{ ErrorMessage, ErrorType string }
		_ = json.Unmarshal(out.Payload, &e)
		if e.ErrorType != "Runtime.ExitError" || !strings.Contains(e.ErrorMessage, "Runtime exited with error: exit status 3") {
			t.Fatalf("got %s", out.Payload)
		}
		if out := invokeJSON(t, h, "gofn", `{"value":4}`); string(out.Payload) != `{"echo":4}` {
			t.Fatalf("after crash: %s", out.Payload)
		}
	})

	t.Run("dry run and event", func(t *testing.T) {
		out := invokeJSON(t, h, "gofn", `{}`, func(in *sdk.InvokeInput) { in.InvocationType = types.InvocationTypeDryRun })
		if out.StatusCode != 204 {
			t.Errorf("dry run status %d", out.StatusCode)
		}
		out = invokeJSON(t, h, "gofn", `{"mode":"log"}`, func(in *sdk.InvokeInput) { in.InvocationType = types.InvocationTypeEvent })
		if out.StatusCode != 202 {
			t.Errorf("event status %d", out.StatusCode)
		}
		waitFor(t, "the event to run", func() bool { return strings.Count(h.logs.String(), "hello from go") >= 2 })
	})

	t.Run("errors", func(t *testing.T) {
		_, err := h.client.Invoke(context.Background(), &sdk.InvokeInput{FunctionName: aws.String("missing")})
		var nf *types.ResourceNotFoundException
		if !errors.As(err, &nf) || !strings.Contains(nf.ErrorMessage(), "Function not found: arn:aws:lambda:us-east-1:000000000000:function:missing") {
			t.Errorf("missing function: %v", err)
		}
		_, err = h.client.Invoke(context.Background(), &sdk.InvokeInput{FunctionName: aws.String("gofn"), Payload: []byte(`"` + strings.Repeat("x", 6*1024*1024) + `"`)})
		var tl *types.RequestTooLargeException
		if !errors.As(err, &tl) {
			t.Errorf("oversize request: %v", err)
		}
		_, err = h.client.Invoke(context.Background(), &sdk.InvokeInput{FunctionName: aws.String("gofn"), Payload: []byte(`{not json`)})
		var bad *types.InvalidRequestContentException
		if !errors.As(err, &bad) {
			t.Errorf("bad json: %v", err)
		}
		_, err = h.client.Invoke(context.Background(), &sdk.InvokeInput{FunctionName: aws.String("gofn"), Qualifier: aws.String("prod")})
		if !errors.As(err, &nf) {
			t.Errorf("unknown qualifier: %v", err)
		}
		out, err := h.client.Invoke(context.Background(), &sdk.InvokeInput{FunctionName: aws.String("arn:aws:lambda:us-east-1:000000000000:function:gofn:$LATEST"), Payload: []byte(`{"mode":"context"}`)})
		if err != nil || !strings.Contains(string(out.Payload), `function:gofn:$LATEST"`) {
			t.Errorf("qualified ARN: %v %s", err, out.Payload)
		}
	})
}

func TestGoFunctionConcurrency(t *testing.T) {
	h := newHarness(t, Options{})
	fn := goFunction(t, "busy")
	if err := h.svc.Apply(context.Background(), []*app.Function{fn}, nil); err != nil {
		t.Fatal(err)
	}
	const n = 100
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := h.client.Invoke(context.Background(), &sdk.InvokeInput{FunctionName: aws.String("busy"), Payload: []byte(`{"value":` + itoa(i) + `}`)})
			if err != nil {
				errs <- err
				return
			}
			if string(out.Payload) != `{"echo":`+itoa(i)+`}` {
				errs <- errors.New("wrong payload " + string(out.Payload))
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	idle, busy := h.svc.functions["busy"].pool.Stats()
	if busy != 0 || idle < 1 || idle > n {
		t.Errorf("pool idle=%d busy=%d", idle, busy)
	}
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

func TestThrottling(t *testing.T) {
	h := newHarness(t, Options{AccountConcurrency: 3})
	one := 1
	fn := goFunction(t, "single")
	fn.ReservedConcurrency = &one
	zero := 0
	off := goFunction(t, "off")
	off.ReservedConcurrency = &zero
	if err := h.svc.Apply(context.Background(), []*app.Function{fn, off, goFunction(t, "other")}, nil); err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		close(started)
		invokeJSON(t, h, "single", `{"mode":"sleep","sleepMs":1500}`)
	}()
	<-started
	waitFor(t, "the first invocation to be in flight", func() bool {
		_, busy := h.svc.functions["single"].pool.Stats()
		return busy == 1
	})
	_, err := h.client.Invoke(context.Background(), &sdk.InvokeInput{FunctionName: aws.String("single")})
	var tm *types.TooManyRequestsException
	if !errors.As(err, &tm) || tm.Reason != types.ThrottleReasonReservedFunctionConcurrentInvocationLimitExceeded {
		t.Fatalf("second invocation: %v", err)
	}
	_, err = h.client.Invoke(context.Background(), &sdk.InvokeInput{FunctionName: aws.String("off")})
	if !errors.As(err, &tm) {
		t.Fatalf("reserved 0: %v", err)
	}
	// The account limit (3) counts in-flight invocations of every function.
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() { defer wg.Done(); invokeJSON(t, h, "other", `{"mode":"sleep","sleepMs":1000}`) }()
	}
	waitFor(t, "three invocations in flight", func() bool { return h.svc.account.InUse() == 3 })
	_, err = h.client.Invoke(context.Background(), &sdk.InvokeInput{FunctionName: aws.String("other")})
	if !errors.As(err, &tm) || tm.Reason != types.ThrottleReasonConcurrentInvocationLimitExceeded {
		t.Fatalf("account limit: %v", err)
	}
	wg.Wait()
	<-done
	if out := invokeJSON(t, h, "single", `{"value":1}`); string(out.Payload) != `{"echo":1}` {
		t.Fatalf("after throttling: %s", out.Payload)
	}
}
