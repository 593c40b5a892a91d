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

// startScript starts an environment running the shell script, playing the
// runtime's first /next itself so the init phase ends at once. The script
// sees $GO_FILE, created when the test calls goAhead, and $DIR.
func startScript(t *testing.T, script string, memoryMB int) (env *Env, goAhead func()) {
	t.Helper()
	dir := t.TempDir()
	addrFile, goFile := filepath.Join(dir, "addr"), filepath.Join(dir, "go")
	cfg := Config{
		FunctionName: "script",
		Command:      []string{"/bin/sh", "-c", `echo "$AWS_LAMBDA_RUNTIME_API" > "$ADDR_FILE"` + "\n" + script},
		Dir:          dir,
		Env:          []string{"ADDR_FILE=" + addrFile, "GO_FILE=" + goFile, "DIR=" + dir, "PATH=" + os.Getenv("PATH")},
		Timeout:      20 * time.Second,
		InitTimeout:  5 * time.Second,
		MemoryMB:     memoryMB,
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
	t.Cleanup(env.Stop)
	return env, func() {
		if err := os.WriteFile(goFile, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
