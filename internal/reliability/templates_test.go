package reliability

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nimbus-dev/nimbus/internal/template"
)

// TestBadTemplates loads every broken template of testdata/bad/templates
// (one folder each, with want.txt: substrings the error must contain, one
// a line, the first naming file:line). Each must fail with that error,
// never panic, and quickly.
func TestBadTemplates(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join(repoRoot(t), "testdata", "bad", "templates", "*"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no bad templates: %v", err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join(dir, "want.txt"))
			if err != nil {
				t.Fatal(err)
			}
			started := time.Now()
			err = loadRecovering(dir, t.TempDir())
			if err == nil {
				t.Fatal("loaded without an error")
			}
			msg := err.Error()
			for _, w := range strings.Split(strings.TrimSpace(string(want)), "\n") {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not contain %q", tail(msg, 600), w)
				}
			}
			if d := time.Since(started); d > 5*time.Second {
				t.Errorf("took %s", d)
			}
			t.Logf("%s", tail(msg, 200))
		})
	}
}

// loadRecovering loads a template, turning a panic into an error that
// says so.
func loadRecovering(dir, work string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("PANIC: %v", r)
		}
	}()
	_, err = template.Load(dir, template.Options{WorkDir: work, Env: func(string) (string, bool) { return "", false }})
	return err
}
