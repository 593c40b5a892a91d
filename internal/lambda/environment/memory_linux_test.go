package environment

import (
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
