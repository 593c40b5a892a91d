package lambda

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/nimbus-dev/nimbus/internal/app"
	"github.com/nimbus-dev/nimbus/internal/invoke"
)

// shellBootstrap is the custom runtime of AWS's tutorial: a shell loop
// speaking the Runtime API with curl.
const shellBootstrap = `#!/bin/sh
set -eu
. "$LAMBDA_TASK_ROOT/$(echo "$_HANDLER" | cut -d. -f1).sh"
while true; do
  HEADERS="$(mktemp)"
  EVENT_DATA=$(curl -sS -LD "$HEADERS" "http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/next")
  REQUEST_ID=$(grep -Fi Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)
  if RESPONSE=$($(echo "$_HANDLER" | cut -d. -f2) "$EVENT_DATA"); then
    curl -sS "http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/$REQUEST_ID/response" -d "$RESPONSE" >/dev/null
  else
    curl -sS "http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/$REQUEST_ID/error" -H "Lambda-Runtime-Function-Error-Type: Shell.Failure" -d "$RESPONSE" >/dev/null
  fi
done
`

func TestShellCustomRuntime(t *testing.T) {
	requireTool(t, "curl", "apt-get install curl")
	dir := writeFiles(t, map[string]string{
		"bootstrap": shellBootstrap,
		"function.sh": `handler() {
  echo "handling $1" 1>&2
  case "$1" in *fail*) echo "it failed"; return 1;; esac
  echo "{\"got\":$1,\"fn\":\"$AWS_LAMBDA_FUNCTION_NAME\"}"
}
`,
	})
	h := newHarness(t, Options{})
	fn := &app.Function{Name: "shell", Runtime: "provided.al2", Handler: "function.handler", CodeDir: dir, Timeout: 3 * time.Second}
	if err := h.svc.Apply(context.Background(), []*app.Function{fn}, nil); err != nil {
		t.Fatal(err)
	}
	out := invokeJSON(t, h, "shell", `{"a":1}`)
	var got map[string]any
	if err := json.Unmarshal(out.Payload, &got); err != nil || got["fn"] != "shell" {
		t.Fatalf("got %s (%v)", out.Payload, err)
	}
	out = invokeJSON(t, h, "shell", `{"fail":true}`)
	if out.FunctionError == nil || !strings.Contains(string(out.Payload), `"errorType":"Shell.Failure"`) || !strings.Contains(string(out.Payload), "it failed") {
		t.Fatalf("error: %s", out.Payload)
	}
	if !strings.Contains(h.logs.String(), "handling {\\\"a\\\":1}") {
		t.Errorf("stderr not logged:\n%s", h.logs.String())
	}
}

func TestMissingBootstrapIsReported(t *testing.T) {
	h := newHarness(t, Options{})
	fn := &app.Function{Name: "empty", Runtime: "provided.al2023", Handler: "x", CodeDir: t.TempDir()}
	if err := h.svc.Apply(context.Background(), []*app.Function{fn}, nil); err != nil {
		t.Fatal(err)
	}
	_, err := h.svc.Invoke(context.Background(), &invoke.Request{FunctionName: "empty"})
	if err == nil || !strings.Contains(err.Error(), "no bootstrap") {
		t.Fatalf("got %v", err)
	}
}
