// Package watch reports changes under a set of files and folders, debounced,
// so `nimbus up` can rebuild a function or reload the app once per burst of
// editor writes rather than once per file event.
package watch

import (
	"context"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
)

// skipDirs are never watched: caches, dependencies and VCS data change
// without the app changing.
var skipDirs = map[string]bool{".nimbus": true, "node_modules": true, ".git": true, ".aws-sam": true}

// Watcher watches paths recursively.
type Watcher struct {
	fs       *fsnotify.Watcher
	logger   *slog.Logger
	debounce time.Duration

	mu    sync.Mutex
	roots map[string]bool
}

// New watches every given file and folder (folders recursively; new
// subfolders are added as they appear).
func New(paths []string, debounce time.Duration, logger *slog.Logger) (*Watcher, error) {
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	w := &Watcher{fs: fw, logger: logger, debounce: debounce, roots: map[string]bool{}}
	w.Add(paths)
	return w, nil
}

// Add watches more files and folders (already watched ones are skipped).
func (w *Watcher) Add(paths []string) {
	for _, p := range paths {
		if err := w.add(p); err != nil {
			w.logger.Warn("cannot watch", "path", p, "err", err)
		}
	}
}

func (w *Watcher) add(path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	st, err := os.Stat(abs)
	if err != nil {
		return err
	}
	w.mu.Lock()
	known := w.roots[abs]
	w.roots[abs] = true
	w.mu.Unlock()
	if known {
		return nil
	}
	if !st.IsDir() {
		// Watch the folder so editors that replace files (write to a
		// temporary name, rename over) are seen.
		return w.fs.Add(filepath.Dir(abs))
	}
	return filepath.WalkDir(abs, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			if p != abs && skipDirs[d.Name()] {
				return filepath.SkipDir
			}
			return w.fs.Add(p)
		}
		return nil
	})
}

// Run calls onChange with the sorted set of changed paths after each burst
// of changes, until ctx ends.
func (w *Watcher) Run(ctx context.Context, onChange func(paths []string)) {
	defer w.fs.Close()
	pending := map[string]bool{}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-w.fs.Events:
			if !ok {
				return
			}
			if !w.relevant(ev.Name) {
				continue
			}
			if ev.Has(fsnotify.Create) {
				if st, err := os.Stat(ev.Name); err == nil && st.IsDir() && !skipDirs[filepath.Base(ev.Name)] {
					_ = w.add(ev.Name)
				}
			}
			pending[ev.Name] = true
			timer.Reset(w.debounce)
		case err, ok := <-w.fs.Errors:
			if !ok {
				return
			}
			w.logger.Warn("file watcher", "err", err)
		case <-timer.C:
			paths := make([]string, 0, len(pending))
			for p := range pending {
				paths = append(paths, p)
			}
			clear(pending)
			sort.Strings(paths)
			onChange(paths)
		}
	}
}

// relevant filters out editor droppings and paths outside the watched roots
// (a watched file's siblings).
func (w *Watcher) relevant(path string) bool {
	base := filepath.Base(path)
	if strings.HasPrefix(base, ".#") || strings.HasSuffix(base, "~") || strings.HasSuffix(base, ".swp") || strings.HasSuffix(base, ".swx") || base == "4913" {
		return false
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for root := range w.roots {
		if path == root || strings.HasPrefix(path, root+string(filepath.Separator)) {
			for _, part := range strings.Split(strings.TrimPrefix(path, root), string(filepath.Separator)) {
				if skipDirs[part] {
					return false
				}
			}
			return true
		}
	}
	return false
}
