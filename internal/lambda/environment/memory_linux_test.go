package environment

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRunawayMemoryKilled: with EnforceMemory off, a runtime that allocates
// far past its memory size is still killed (Runtime.OutOfMemory) instead
// of taking the machine's memory.
func TestRunawayMemoryKilled(t *testing.T) {
	dir := t.TempDir()
	addrFile, goFile := filepath.Join(dir, "addr"), filepath.Join(dir, "go")
	// The shell holds 200 MB in a variable once told to go; the limit is
	// RunawayFactor x 16 MB.
	script := `echo "$AWS_LAMBDA_RUNTIME_API" > "$ADDR_FILE"
while [ ! -f "$GO_FILE" ]; do sleep 0.01; done
hog=$(head -c 200000000 /dev/zero | tr '\0' x)
sleep 60`
	cfg := Config{
		FunctionName: "hog",
		Command:      []string{"/bin/sh", "-c", script},
		Dir:          dir,
		Env:          []string{"ADDR_FILE=" + addrFile, "GO_FILE=" + goFile, "PATH=" + os.Getenv("PATH")},
		Timeout:      20 * time.Second,
		InitTimeout:  5 * time.Second,
		MemoryMB:     16,
		Logger:       slog.New(slog.DiscardHandler),
	}
	go func() {
		for {
			b, err := os.ReadFile(addrFile)
			if err == nil && bytes.HasSuffix(b, []byte("\n")) {
				resp, err := http.Get("http://" + strings.TrimSpace(string(b)) + "/2018-06-01/runtime/invocation/next")
				if err == nil {
					resp.Body.Close()
				}
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	env, err := Start(context.Background(), cfg, "")
	if err != nil {
		t.Fatal(err)
	}
	defer env.Stop()
	if err := os.WriteFile(goFile, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	started := time.Now()
	res, err := env.Invoke(&Invocation{RequestID: "req-hog", Payload: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Fatal || res.FunctionError != "Unhandled" || !strings.Contains(string(res.Payload), `"errorType":"Runtime.OutOfMemory"`) {
		t.Fatalf("result after %s: fatal=%v %s %s", time.Since(started), res.Fatal, res.FunctionError, res.Payload)
	}
}
