package lambda

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/nimbus-dev/nimbus/internal/app"
)

// TestEventsSurviveRestart: an Event invocation accepted by one run and
// not finished (here: waiting for its retry) is stored, runs after the next
// start once its function is in place, and leaves the store when it ends.
func TestEventsSurviveRestart(t *testing.T) {
	requireTool(t, "curl", "apt-get install curl")
	code := writeFiles(t, map[string]string{
		"bootstrap": shellBootstrap,
		"function.sh": `handler() {
  if [ -f "$MARK_DIR/fail" ]; then echo "failing on purpose"; return 1; fi
  echo "$1" >> "$MARK_DIR/ran"
  echo '{}'
}
`,
	})
	marks := t.TempDir()
	if err := os.WriteFile(filepath.Join(marks, "fail"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	fn := &app.Function{Name: "ev", Runtime: "provided.al2", Handler: "function.handler", CodeDir: code,
		Timeout: 3 * time.Second, Environment: map[string]string{"MARK_DIR": marks}}
	data := t.TempDir()
	events := filepath.Join(data, "events")
	stored := func() []string {
		entries, _ := os.ReadDir(events)
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		return names
	}

	// First run: the event fails and waits an hour for its retry.
	first := newHarness(t, Options{DataDir: data, AsyncRetryDelays: []time.Duration{time.Hour, time.Hour}})
	if err := first.svc.Apply(context.Background(), []*app.Function{fn}, nil); err != nil {
		t.Fatal(err)
	}
	out := invokeJSON(t, first, "ev", `{"n":1}`, func(in *sdk.InvokeInput) { in.InvocationType = types.InvocationTypeEvent })
	if out.StatusCode != 202 {
		t.Fatalf("event status %d", out.StatusCode)
	}
	waitFor(t, "the first attempt to fail", func() bool { return strings.Contains(first.logs.String(), "event failed; retrying") })
	if names := stored(); len(names) != 1 || !strings.HasSuffix(names[0], ".json") {
		t.Fatalf("stored events after the failed attempt: %v", names)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := first.svc.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if names := stored(); len(names) != 1 {
		t.Fatalf("stored events after shutdown: %v", names)
	}

	// Next run: the function works now; the event runs once resumed.
	if err := os.Remove(filepath.Join(marks, "fail")); err != nil {
		t.Fatal(err)
	}
	second := newHarness(t, Options{DataDir: data})
	if err := second.svc.Apply(context.Background(), []*app.Function{fn}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(marks, "ran")); err == nil {
		t.Fatal("the event ran before ResumeEvents")
	}
	second.svc.ResumeEvents()
	second.svc.ResumeEvents() // a second call does nothing
	waitFor(t, "the resumed event to run and leave the store", func() bool {
		b, _ := os.ReadFile(filepath.Join(marks, "ran"))
		return strings.TrimSpace(string(b)) == `{"n":1}` && len(stored()) == 0
	})
}
