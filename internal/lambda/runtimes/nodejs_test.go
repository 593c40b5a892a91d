package runtimes

import (
	"context"
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

// startNode runs the embedded Node.js bootstrap on handler code (an
// index.js exporting handler) in a real execution environment.
func startNode(t *testing.T, code string) *environment.Env {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("node is required under CI: %v", err)
		}
		t.Skip("needs node: install Node.js 20 or newer (apt-get install nodejs)")
	}
	taskRoot := t.TempDir()
	if err := os.WriteFile(filepath.Join(taskRoot, "index.js"), []byte(code), 0o644); err != nil {
		t.Fatal(err)
	}
	dir, err := runtimeDir(t.TempDir(), "node")
	if err != nil {
		t.Fatal(err)
	}
	env, err := environment.Start(context.Background(), environment.Config{
		FunctionName: "fn",
		Command:      []string{node, filepath.Join(dir, "bootstrap.mjs")},
		Dir:          taskRoot,
		Env:          []string{"_HANDLER=index.handler", "LAMBDA_TASK_ROOT=" + taskRoot, "PATH=" + os.Getenv("PATH")},
		Timeout:      10 * time.Second,
		InitTimeout:  10 * time.Second,
		MemoryMB:     128,
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
	}, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(env.Stop)
	return env
}

// TestNodeRuntimeAPICallsBypassPatchedHTTP: tracing libraries (the X-Ray
// SDK that Powertools' Tracer loads, OpenTelemetry) patch http.request when
// the function's module loads. The runtime's own Runtime API calls must not
// go through the patch: the X-Ray SDK logged "Missing AWS Lambda trace data"
// for every /invocation/next, and would trace them as subsegments.
func TestNodeRuntimeAPICallsBypassPatchedHTTP(t *testing.T) {
	env := startNode(t, `
const http = require('node:http');
const request = http.request;
http.request = function patched(...args) {
  console.log('PATCHED http.request ' + JSON.stringify(args[0]?.path ?? args[0]));
  return request.apply(this, args);
};
exports.handler = async (event) => ({ ok: event.n });
`)
	for i, id := range []string{"11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"} {
		res, err := env.Invoke(&environment.Invocation{RequestID: id, Payload: []byte(`{"n":` + string(rune('1'+i)) + `}`)})
		if err != nil {
			t.Fatal(err)
		}
		if want := `{"ok":` + string(rune('1'+i)) + `}`; string(res.Payload) != want || res.FunctionError != "" {
			t.Fatalf("invocation %d: %s %s, want %s", i, res.FunctionError, res.Payload, want)
		}
		if strings.Contains(string(res.Log), "PATCHED") {
			t.Errorf("invocation %d: the runtime's own calls went through the function's patched http.request:\n%s", i, res.Log)
		}
	}
}
