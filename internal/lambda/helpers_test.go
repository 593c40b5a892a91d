package lambda

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sdk "github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/nimbus-dev/nimbus/internal/lambda/build"
)

// logBuffer collects a service's log lines for assertions.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// waitFor polls cond for up to 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

type harness struct {
	svc    *Service
	client *sdk.Client
	url    string
	logs   *logBuffer
}

// newHarness starts a Service behind a real listener on 127.0.0.1:0 and
// an SDK client pointed at it.
func newHarness(t testing.TB, opts Options) *harness {
	t.Helper()
	logs := &logBuffer{}
	opts.Logger = slog.New(slog.NewTextHandler(logs, nil))
	if opts.DataDir == "" {
		opts.DataDir = t.TempDir()
	}
	svc, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(svc)
	t.Cleanup(func() {
		srv.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := svc.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	client := sdk.New(sdk.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(srv.URL),
		Credentials:      credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		RetryMaxAttempts: 1,
	})
	return &harness{svc: svc, client: client, url: srv.URL, logs: logs}
}

var (
	goFnOnce sync.Once
	goFnDir  string
	goFnErr  error
)

// goFunctionDir builds testdata/gofn once per test run (through the same
// builder functions use) and returns a code folder holding its bootstrap.
func goFunctionDir(t testing.TB) string {
	t.Helper()
	goFnOnce.Do(func() {
		src, _ := filepath.Abs("testdata/gofn")
		cache, err := os.MkdirTemp("", "nimbus-gofn-")
		if err != nil {
			goFnErr = err
			return
		}
		goFnDir, goFnErr = build.NewGo(cache, slog.New(slog.DiscardHandler)).Build(context.Background(), "gofn", src)
	})
	if goFnErr != nil {
		t.Fatal(goFnErr)
	}
	return goFnDir
}

// writeFiles writes name→content files under a new temporary folder;
// names ending in "bootstrap" or ".sh" are executable.
func writeFiles(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		mode := os.FileMode(0o644)
		if strings.HasSuffix(name, "bootstrap") || strings.HasSuffix(name, ".sh") {
			mode = 0o755
		}
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// requireTool skips (or fails under CI) when a tool is missing.
func requireTool(t testing.TB, tool, install string) string {
	t.Helper()
	p, err := exec.LookPath(tool)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required under CI: %s", tool, install)
		}
		t.Skipf("%s not found: %s", tool, install)
	}
	return p
}
