package runtimes

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nimbus-dev/nimbus/internal/lambda/environment"
)

// startRuntime runs the embedded bootstrap of family ("node" or "python")
// on one handler file in a real execution environment with extra
// environment variables.
func startRuntime(t *testing.T, family, file, code string, extra ...string) *environment.Env {
	t.Helper()
	tool, script, install := "node", "bootstrap.mjs", "install Node.js 20 or newer (apt-get install nodejs)"
	if family == "python" {
		tool, script, install = "python3", "bootstrap.py", "install Python 3 (apt-get install python3)"
	}
	bin, err := exec.LookPath(tool)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required under CI: %v", tool, err)
		}
		t.Skipf("needs %s: %s", tool, install)
	}
	taskRoot := t.TempDir()
	if err := os.WriteFile(filepath.Join(taskRoot, file), []byte(code), 0o644); err != nil {
		t.Fatal(err)
	}
	dir, err := runtimeDir(t.TempDir(), family)
	if err != nil {
		t.Fatal(err)
	}
	env := append([]string{"_HANDLER=" + strings.TrimSuffix(file, filepath.Ext(file)) + ".handler", "LAMBDA_TASK_ROOT=" + taskRoot,
		"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "PYTHONPATH=" + taskRoot}, extra...)
	e, err := environment.Start(context.Background(), environment.Config{
		FunctionName: "fn",
		Command:      []string{bin, filepath.Join(dir, script)},
		Dir:          taskRoot,
		Env:          env,
		Timeout:      10 * time.Second,
		InitTimeout:  10 * time.Second,
		MemoryMB:     128,
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
	}, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Stop)
	return e
}

// jsonRecords are the log lines of an invocation that are JSON objects.
func jsonRecords(t *testing.T, log []byte) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(string(log), "\n") {
		var rec map[string]any
		if strings.HasPrefix(line, "{") && json.Unmarshal([]byte(line), &rec) == nil {
			out = append(out, rec)
		}
	}
	return out
}

// check compares a record's members with want ("*" = present, any value).
func check(t *testing.T, what string, rec map[string]any, want map[string]any) {
	t.Helper()
	if rec == nil {
		t.Errorf("%s: no record", what)
		return
	}
	for k, w := range want {
		got, ok := rec[k]
		if !ok {
			t.Errorf("%s: no %q in %v", what, k, rec)
			continue
		}
		if w == "*" {
			continue
		}
		if gb, _ := json.Marshal(got); string(gb) != mustJSON(w) {
			t.Errorf("%s: %s = %s, want %s", what, k, gb, mustJSON(w))
		}
	}
}

func mustJSON(v any) string { b, _ := json.Marshal(v); return string(b) }

// find returns the first record whose message has prefix.
func find(recs []map[string]any, prefix string) map[string]any {
	for _, r := range recs {
		if m, ok := r["message"].(string); ok && strings.HasPrefix(m, prefix) {
			return r
		}
		if r["message"] != nil && prefix == "" {
			return r
		}
	}
	return nil
}

const reqID = "33333333-3333-4333-8333-333333333333"

func TestNodeJSONLogs(t *testing.T) {
	env := startRuntime(t, "node", "index.js", `
exports.handler = async (event) => {
  console.debug('debug hidden');
  console.log('log hidden');
  console.info('info hidden');
  console.warn('warned %d', 2, {a: 1});
  console.error('failed:', new TypeError('bad input'));
  console.error({ nested: { ok: true } });
  console.fatal(new RangeError('out of range'));
  if (event.fail) throw new Error('boom');
  return 'ok';
};`, "AWS_LAMBDA_LOG_FORMAT=JSON", "AWS_LAMBDA_LOG_LEVEL=WARN")
	res, err := env.Invoke(&environment.Invocation{RequestID: reqID, Payload: []byte(`{"fail":true}`)})
	if err != nil {
		t.Fatal(err)
	}
	log := string(res.Log)
	if strings.Contains(log, "hidden") {
		t.Errorf("records below WARN were written:\n%s", log)
	}
	recs := jsonRecords(t, res.Log)
	check(t, "warn", find(recs, "warned"), map[string]any{"timestamp": "*", "level": "WARN", "requestId": reqID, "message": "warned 2 { a: 1 }"})
	check(t, "error with an Error", find(recs, "failed:"), map[string]any{"level": "ERROR", "errorType": "TypeError", "errorMessage": "bad input", "stackTrace": "*"})
	var object, fatal, invokeErr map[string]any
	for _, r := range recs {
		switch m := r["message"].(type) {
		case map[string]any:
			if m["nested"] != nil {
				object = r
			} else if m["errorType"] != nil {
				fatal = r
			}
		case string:
			if m == "Invoke Error" {
				invokeErr = r
			}
		}
	}
	check(t, "object message", object, map[string]any{"level": "ERROR", "message": map[string]any{"nested": map[string]any{"ok": true}}})
	check(t, "console.fatal(Error)", fatal, map[string]any{"level": "FATAL"})
	if fatal != nil {
		m := fatal["message"].(map[string]any)
		if m["errorType"] != "RangeError" || m["errorMessage"] != "out of range" || m["stackTrace"] == nil {
			t.Errorf("Error message: %v", m)
		}
	}
	check(t, "invoke error", invokeErr, map[string]any{"level": "ERROR", "requestId": reqID, "errorType": "Error", "errorMessage": "boom", "stackTrace": "*"})
	if ts, _ := find(recs, "warned")["timestamp"].(string); !strings.HasSuffix(ts, "Z") || len(ts) != len("2024-01-02T03:04:05.678Z") {
		t.Errorf("timestamp %q", ts)
	}
}

func TestPythonJSONLogs(t *testing.T) {
	env := startRuntime(t, "python", "app.py", `
import logging
log = logging.getLogger("orders")

def handler(event, context):
    log.debug("debug hidden")
    log.info("info %s", "shown")
    log.warning("warned %d", 2, extra={"orderId": "o-1"})
    try:
        raise KeyError("missing")
    except KeyError:
        log.exception("lookup failed")
    print("plain print")
    if event.get("fail"):
        raise ValueError("boom")
    return "ok"
`, "AWS_LAMBDA_LOG_FORMAT=JSON", "AWS_LAMBDA_LOG_LEVEL=INFO")
	res, err := env.Invoke(&environment.Invocation{RequestID: reqID, Payload: []byte(`{"fail":true}`)})
	if err != nil {
		t.Fatal(err)
	}
	log := string(res.Log)
	if strings.Contains(log, "debug hidden") {
		t.Errorf("a DEBUG record was written at INFO:\n%s", log)
	}
	if !strings.Contains(log, "\nplain print\n") && !strings.HasPrefix(log, "plain print\n") {
		t.Errorf("print output is not left as is:\n%s", log)
	}
	recs := jsonRecords(t, res.Log)
	check(t, "info", find(recs, "info shown"), map[string]any{"level": "INFO", "logger": "orders", "requestId": reqID})
	check(t, "warning", find(recs, "warned 2"), map[string]any{"level": "WARNING", "orderId": "o-1", "requestId": reqID})
	check(t, "exception", find(recs, "lookup failed"), map[string]any{"level": "ERROR", "errorType": "KeyError", "errorMessage": "'missing'", "stackTrace": "*", "location": "*"})
	if ts, _ := find(recs, "info shown")["timestamp"].(string); len(ts) != len("2024-01-02T03:04:05Z") || !strings.HasSuffix(ts, "Z") {
		t.Errorf("timestamp %q", ts)
	}
	if rec := find(recs, "warned 2"); rec != nil && rec["stackTrace"] != nil {
		t.Errorf("a record without exception has error members: %v", rec)
	}
	var invokeErr map[string]any
	for _, r := range recs {
		if r["log_level"] == "ERROR" {
			invokeErr = r
		}
	}
	check(t, "invoke error", invokeErr, map[string]any{"timestamp": "*", "errorType": "ValueError", "errorMessage": "boom", "requestId": reqID, "stackTrace": "*"})
}

// TestPythonRuntimeAPICallsBypassHTTPClientPatches: a handler module that
// replaces http.client.HTTPConnection's methods (as tracers do) does not
// see the runtime's own Runtime API calls. Unlike the X-Ray test below it
// needs nothing beyond python3.
func TestPythonRuntimeAPICallsBypassHTTPClientPatches(t *testing.T) {
	env := startRuntime(t, "python", "app.py", `
import http.client

def spying(name):
    original = getattr(http.client.HTTPConnection, name)
    def spy(self, *args, **kwargs):
        print("PATCHED %s %s" % (name, args[:2]), flush=True)
        return original(self, *args, **kwargs)
    setattr(http.client.HTTPConnection, name, spy)

for name in ("request", "putrequest", "putheader", "endheaders", "send", "getresponse", "connect"):
    spying(name)

def handler(event, context):
    return {"ok": event["n"]}
`, "AWS_LAMBDA_FUNCTION_NAME=fn")
	for i, id := range []string{"33333333-3333-4333-8333-333333333333", "44444444-4444-4444-8444-444444444444"} {
		n := string(rune('1' + i))
		res, err := env.Invoke(&environment.Invocation{RequestID: id, Payload: []byte(`{"n":` + n + `}`)})
		if err != nil {
			t.Fatal(err)
		}
		if string(res.Payload) != `{"ok": `+n+`}` || res.FunctionError != "" {
			t.Fatalf("invocation %d: %s %s", i, res.FunctionError, res.Payload)
		}
		if strings.Contains(string(res.Log), "PATCHED") {
			t.Errorf("invocation %d: the runtime's own calls went through the handler's patches:\n%s", i, res.Log)
		}
	}
}

// TestPythonRuntimeAPICallsBypassXRayPatch: the X-Ray SDK patches
// http.client.HTTPConnection when the function's module loads and asks for
// it (patch_all(double_patch=True), patch(["httplib"]), Powertools'
// Tracer(patch_modules=["httplib"]); plain patch_all leaves it alone). The runtime's own Runtime API calls must not go
// through it, as on Lambda, whose runtime client does not use http.client:
// each /invocation/next would be recorded as a subsegment of the previous
// invocation's trace (and sent to the daemon when sampled). The handler
// reports every subsegment the patch records.
func TestPythonRuntimeAPICallsBypassXRayPatch(t *testing.T) {
	if err := exec.Command("python3", "-c", "import aws_xray_sdk").Run(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("aws_xray_sdk is required under CI: %v", err)
		}
		t.Skip("needs the X-Ray SDK for Python: pip install aws-xray-sdk")
	}
	env := startRuntime(t, "python", "app.py", `
from aws_xray_sdk.core import patch_all, xray_recorder
patch_all(double_patch=True)

record_subsegment = xray_recorder.record_subsegment
def reporting(wrapped, instance, args, kwargs, name, namespace, meta_processor):
    print("XRAY subsegment %s %s" % (name, getattr(instance, "_xray_prop", None) and instance._xray_prop.url), flush=True)
    return record_subsegment(wrapped, instance, args, kwargs, name, namespace, meta_processor)
xray_recorder.record_subsegment = reporting

def handler(event, context):
    return {"ok": event["n"]}
`, "AWS_XRAY_CONTEXT_MISSING=LOG_ERROR", "AWS_LAMBDA_FUNCTION_NAME=fn")
	for i, id := range []string{"11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"} {
		n := string(rune('1' + i))
		res, err := env.Invoke(&environment.Invocation{RequestID: id, Payload: []byte(`{"n":` + n + `}`)})
		if err != nil {
			t.Fatal(err)
		}
		if string(res.Payload) != `{"ok": `+n+`}` || res.FunctionError != "" {
			t.Fatalf("invocation %d: %s %s", i, res.FunctionError, res.Payload)
		}
		if strings.Contains(string(res.Log), "XRAY") {
			t.Errorf("invocation %d: the runtime's own calls went through the X-Ray patch:\n%s", i, res.Log)
		}
	}
}
