package build

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"
)

// Go builds Go function sources into a static `bootstrap` binary, as
// `sam build` does for BuildMethod go1.x: CGO_ENABLED=0, -tags
// lambda.norpc, for the host's GOOS/GOARCH so it runs here.
type Go struct {
	cacheDir string
	logger   *slog.Logger
	locks    keyedMutex
}

// NewGo returns a builder caching binaries under cacheDir.
func NewGo(cacheDir string, logger *slog.Logger) *Go {
	return &Go{cacheDir: cacheDir, logger: logger}
}

// IsGoSource reports whether dir holds Go sources to build: Go files
// other than tests (a folder that only holds a test of the function, next
// to a custom runtime's bootstrap, is not a Go program).
func IsGoSource(dir string) bool {
	m, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	for _, f := range m {
		if !strings.HasSuffix(f, "_test.go") {
			return true
		}
	}
	return false
}

// moduleRoot is the folder of the go.mod governing dir (dir when none).
func moduleRoot(dir string) string {
	for d := dir; ; {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return dir
		}
		d = parent
	}
}

// Build compiles the main package in dir and returns the folder holding
// its `bootstrap`. name labels the progress lines.
func (g *Go) Build(ctx context.Context, name, dir string) (string, error) {
	sources, err := GoInputs(dir)
	if err != nil {
		return "", err
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("building Go function %s needs the Go toolchain (install Go from go.dev/dl): %w", name, err)
	}
	toolInfo, _ := os.Stat(goTool)
	toolStamp := ""
	if toolInfo != nil {
		toolStamp = toolInfo.ModTime().String()
	}
	key, err := sources.Fingerprint("go", dir, runtime.GOOS, runtime.GOARCH, goTool, toolStamp)
	if err != nil {
		return "", err
	}
	out := filepath.Join(g.cacheDir, "go", key)
	unlock := g.locks.lock(key)
	defer unlock()
	if _, err := os.Stat(filepath.Join(out, "bootstrap")); err == nil {
		return out, nil
	}
	g.logger.Info("building Go function", "function", name, "dir", dir)
	start := time.Now()
	tmp, err := os.MkdirTemp(filepath.Dir(out), key+".tmp")
	if err != nil {
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return "", err
		}
		if tmp, err = os.MkdirTemp(filepath.Dir(out), key+".tmp"); err != nil {
			return "", err
		}
	}
	cmd := exec.CommandContext(ctx, goTool, "build", "-trimpath", "-tags", "lambda.norpc", "-ldflags=-s -w",
		"-o", filepath.Join(tmp, "bootstrap"), ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+runtime.GOOS, "GOARCH="+runtime.GOARCH)
	var stderr bytes.Buffer
	cmd.Stdout = &stderr
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		_ = os.RemoveAll(tmp)
		return "", fmt.Errorf("go build of function %s in %s failed: %v\n%s", name, dir, err, strings.TrimSpace(stderr.String()))
	}
	if err := publish(tmp, out); err != nil {
		return "", err
	}
	g.logger.Info("built Go function", "function", name, "duration", time.Since(start).Round(time.Millisecond))
	return out, nil
}

// keyedMutex serialises work on the same key.
type keyedMutex struct {
	mu    sync.Mutex
	locks map[string]*sync.Mutex
}

func (k *keyedMutex) lock(key string) func() {
	k.mu.Lock()
	if k.locks == nil {
		k.locks = map[string]*sync.Mutex{}
	}
	m, ok := k.locks[key]
	if !ok {
		m = &sync.Mutex{}
		k.locks[key] = m
	}
	k.mu.Unlock()
	m.Lock()
	return m.Unlock
}
