package watch

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestWatcherDebouncesAndFilters(t *testing.T) {
	dir := t.TempDir()
	tmpl := filepath.Join(dir, "template.yaml")
	os.WriteFile(tmpl, []byte("a"), 0o644)
	code := filepath.Join(dir, "src")
	os.MkdirAll(filepath.Join(code, "node_modules"), 0o755)
	w, err := New([]string{tmpl, code}, 50*time.Millisecond, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	changes := make(chan []string, 10)
	go w.Run(ctx, func(p []string) { changes <- p })

	os.WriteFile(filepath.Join(dir, "unrelated.txt"), []byte("x"), 0o644)
	os.WriteFile(filepath.Join(code, "node_modules", "dep.js"), []byte("x"), 0o644)
	os.WriteFile(tmpl, []byte("b"), 0o644)
	os.WriteFile(filepath.Join(code, "app.js"), []byte("1"), 0o644)
	os.WriteFile(filepath.Join(code, "app.js"), []byte("2"), 0o644)

	select {
	case got := <-changes:
		want := []string{filepath.Join(code, "app.js"), tmpl}
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("changes = %v, want %v", got, want)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no change reported")
	}

	// A folder created later is watched too.
	sub := filepath.Join(code, "lib")
	os.MkdirAll(sub, 0o755)
	time.Sleep(100 * time.Millisecond)
	<-drain(changes, 200*time.Millisecond)
	os.WriteFile(filepath.Join(sub, "x.js"), []byte("1"), 0o644)
	select {
	case got := <-changes:
		if !slices.Contains(got, filepath.Join(sub, "x.js")) {
			t.Errorf("changes = %v, want the new file", got)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("change in new folder not reported")
	}
}

// drain empties ch for d and then signals.
func drain(ch chan []string, d time.Duration) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		deadline := time.After(d)
		for {
			select {
			case <-ch:
			case <-deadline:
				close(done)
				return
			}
		}
	}()
	return done
}
