package environment

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"
)

// TestRunawayMemoryKilled: with EnforceMemory off, a runtime that allocates
// far past its memory size is still killed (Runtime.OutOfMemory) instead
// of taking the machine's memory.
func TestRunawayMemoryKilled(t *testing.T) {
	// The shell holds 200 MB in a variable once told to go; the limit is
	// RunawayFactor x 16 MB.
	env, goAhead := startScript(t, `while [ ! -f "$GO_FILE" ]; do sleep 0.01; done
hog=$(head -c 200000000 /dev/zero | tr '\0' x)
sleep 60`, 16)
	goAhead()
	started := time.Now()
	res, err := env.Invoke(&Invocation{RequestID: "req-hog", Payload: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Fatal || res.FunctionError != "Unhandled" || !strings.Contains(string(res.Payload), `"errorType":"Runtime.OutOfMemory"`) {
		t.Fatalf("result after %s: fatal=%v %s %s", time.Since(started), res.Fatal, res.FunctionError, res.Payload)
	}
}

// TestRunawayMemoryAtInitKilled: the guard also watches the init phase, so
// a module that allocates without bound while loading is stopped with
// Runtime.OutOfMemory long before the init timeout.
func TestRunawayMemoryAtInitKilled(t *testing.T) {
	cfg := Config{
		FunctionName: "hog",
		Command:      []string{"/bin/sh", "-c", `hog=$(head -c 200000000 /dev/zero | tr '\0' x); sleep 60`},
		Dir:          t.TempDir(),
		Env:          []string{"PATH=" + os.Getenv("PATH")},
		Timeout:      20 * time.Second,
		InitTimeout:  20 * time.Second,
		MemoryMB:     16,
		Logger:       slog.New(slog.DiscardHandler),
	}
	started := time.Now()
	env, err := Start(context.Background(), cfg, "req-init-hog")
	var ie *InitError
	if !errors.As(err, &ie) {
		if env != nil {
			env.Stop()
		}
		t.Fatalf("Start: %v", err)
	}
	if !strings.Contains(string(ie.Result.Payload), `"errorType":"Runtime.OutOfMemory"`) || !strings.Contains(string(ie.Result.Log), "Error Type: Runtime.OutOfMemory") {
		t.Fatalf("after %s: %s\n%s", time.Since(started), ie.Result.Payload, ie.Result.Log)
	}
}
