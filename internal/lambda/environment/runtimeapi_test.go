package environment

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// startIdle starts an environment whose process does nothing, so the test
// itself plays the runtime against the Runtime API.
func startIdle(t *testing.T, timeout time.Duration) (*Env, string, chan *http.Response) {
	t.Helper()
	type started struct {
		env *Env
		err error
	}
	addrs := make(chan string, 1)
	cfg := Config{
		FunctionName: "fn",
		Command:      []string{"/bin/sh", "-c", `echo "$AWS_LAMBDA_RUNTIME_API" > "$ADDR_FILE"; exec sleep 60`},
		Dir:          t.TempDir(),
		Timeout:      timeout,
		InitTimeout:  5 * time.Second,
		MemoryMB:     128,
		Logger:       slog.New(slog.DiscardHandler),
	}
	addrFile := cfg.Dir + "/addr"
	cfg.Env = []string{"ADDR_FILE=" + addrFile, "PATH=" + os.Getenv("PATH")}
	go func() {
		for {
			b, err := os.ReadFile(addrFile)
			if err == nil && bytes.HasSuffix(b, []byte("\n")) {
				addrs <- strings.TrimSpace(string(b))
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	res := make(chan started, 1)
	go func() {
		env, err := Start(context.Background(), cfg, "init-request")
		res <- started{env, err}
	}()
	addr := <-addrs
	// The first /next ends init; its invocation comes later.
	first := make(chan *http.Response, 1)
	go func() {
		resp, err := http.Get("http://" + addr + "/2018-06-01/runtime/invocation/next")
		if err != nil {
			first <- nil
			return
		}
		first <- resp
	}()
	s := <-res
	if s.err != nil {
		t.Fatal(s.err)
	}
	t.Cleanup(s.env.Stop)
	return s.env, addr, first
}

func post(t *testing.T, url, body string, header http.Header) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestRuntimeAPI(t *testing.T) {
	env, addr, pending := startIdle(t, 5*time.Second)
	base := "http://" + addr + "/2018-06-01/runtime/invocation/"
	results := make(chan *Result, 1)
	inv := &Invocation{RequestID: "req-1", Payload: []byte(`{"k":"v"}`), InvokedFunctionARN: "arn:aws:lambda:us-east-1:000000000000:function:fn", TraceID: "Root=1-abc", ClientContext: `{"custom":{}}`, CognitoIdentity: `{"cognitoIdentityId":"x"}`}
	go func() {
		res, err := env.Invoke(inv)
		if err != nil {
			t.Error(err)
		}
		results <- res
	}()
	resp := <-pending
	if resp == nil {
		t.Fatal("next failed")
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != `{"k":"v"}` {
		t.Errorf("event %s", body)
	}
	for h, want := range map[string]string{
		"Lambda-Runtime-Aws-Request-Id":       "req-1",
		"Lambda-Runtime-Invoked-Function-Arn": inv.InvokedFunctionARN,
		"Lambda-Runtime-Trace-Id":             "Root=1-abc",
		"Lambda-Runtime-Client-Context":       `{"custom":{}}`,
		"Lambda-Runtime-Cognito-Identity":     `{"cognitoIdentityId":"x"}`,
	} {
		if got := resp.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	deadline := resp.Header.Get("Lambda-Runtime-Deadline-Ms")
	var ms int64
	_ = json.Unmarshal([]byte(deadline), &ms)
	if remaining := time.Until(time.UnixMilli(ms)); remaining < 4*time.Second || remaining > 5*time.Second {
		t.Errorf("deadline %s is %v away", deadline, remaining)
	}

	if code, body := post(t, base+"other/response", "{}", nil); code != 400 || !strings.Contains(body, `"errorType":"InvalidRequestID"`) {
		t.Errorf("wrong id: %d %s", code, body)
	}
	if code, body := post(t, base+"req-1/response", strings.Repeat("x", MaxPayloadSize+1), nil); code != 413 || !strings.Contains(body, "RequestEntityTooLarge") {
		t.Errorf("oversize: %d %s", code, body)
	}
	res := <-results
	if res.FunctionError != "Unhandled" || !strings.Contains(string(res.Payload), "Function.ResponseSizeTooLarge") {
		t.Errorf("oversize result %s", res.Payload)
	}
	if code, body := post(t, base+"req-1/response", "{}", nil); code != 403 || !strings.Contains(body, "InvalidStateTransition") {
		t.Errorf("second response: %d %s", code, body)
	}

	// A second invocation ends with an error the runtime posts.
	go func() {
		res, _ := env.Invoke(&Invocation{RequestID: "req-2", Payload: []byte(`{}`)})
		results <- res
	}()
	resp, err := http.Get(base + "next")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	code, _ := post(t, base+"req-2/error", "not json", http.Header{"Lambda-Runtime-Function-Error-Type": {"Custom.Failure"}})
	if code != 202 {
		t.Errorf("error status %d", code)
	}
	res = <-results
	var e struct{ ErrorType, ErrorMessage string }
	_ = json.Unmarshal(res.Payload, &e)
	if res.FunctionError != "Unhandled" || e.ErrorType != "Custom.Failure" || e.ErrorMessage != "not json" {
		t.Errorf("error result %s", res.Payload)
	}
	if code, body := post(t, base+"../init/error", "{}", nil); code != 403 {
		t.Errorf("late init error: %d %s", code, body)
	}
}

func TestInitErrorAndExit(t *testing.T) {
	cfg := Config{
		FunctionName: "fn",
		Dir:          t.TempDir(),
		Timeout:      time.Second,
		InitTimeout:  time.Second,
		Logger:       slog.New(slog.DiscardHandler),
		Env:          []string{"PATH=" + os.Getenv("PATH")},
	}
	cases := []struct {
		name, script, wantType string
	}{
		{"init error", `curl -s -X POST -H 'Lambda-Runtime-Function-Error-Type: Runtime.Bad' -d '{"errorType":"Runtime.Bad","errorMessage":"bad init"}' "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/init/error"; exit 1`, "Runtime.Bad"},
		{"exit", `echo dying; exit 7`, "Runtime.ExitError"},
		{"init timeout", `exec sleep 30`, "Sandbox.Timedout"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg.Command = []string{"/bin/sh", "-c", c.script}
			_, err := Start(context.Background(), cfg, "req")
			var ie *InitError
			if !errors.As(err, &ie) {
				t.Fatalf("got %v", err)
			}
			var e struct{ ErrorType string }
			_ = json.Unmarshal(ie.Result.Payload, &e)
			if e.ErrorType != c.wantType || ie.Result.FunctionError != "Unhandled" {
				t.Errorf("result %s", ie.Result.Payload)
			}
		})
	}
}
