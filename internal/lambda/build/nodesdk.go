package build

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// NodeSDK installs the AWS SDK for JavaScript v3 packages that handlers
// import without bundling them into one shared cache folder (Lambda's
// Node.js runtimes include the whole SDK; installing all of it would be
// slow, so only the imported packages are installed, on first need).
type NodeSDK struct {
	dir    string
	logger *slog.Logger
	mu     sync.Mutex
}

// NewNodeSDK returns the installer for the cache at dir ("" means
// <user cache>/nimbus/node-sdk).
func NewNodeSDK(dir string, logger *slog.Logger) *NodeSDK {
	if dir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			base = os.TempDir()
		}
		dir = filepath.Join(base, "nimbus", "node-sdk")
	}
	return &NodeSDK{dir: dir, logger: logger}
}

// NodeModules is the cache's node_modules folder (on NODE_PATH).
func (n *NodeSDK) NodeModules() string { return filepath.Join(n.dir, "node_modules") }

var sdkImport = regexp.MustCompile(`(?:\brequire\s*\(\s*|\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["'](@aws-sdk/[a-z0-9-]+)`)

// ScanImports lists the @aws-sdk/* packages that the JavaScript and
// TypeScript files under root import or require (node_modules excluded).
func ScanImports(root string) []string {
	found := map[string]bool{}
	_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			if path != root && skipDir(d.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		switch filepath.Ext(path) {
		case ".js", ".mjs", ".cjs", ".ts", ".mts", ".cts":
		default:
			return nil
		}
		info, err := d.Info()
		if err != nil || info.Size() > 20<<20 {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil || !bytes.Contains(b, []byte("@aws-sdk/")) {
			return nil
		}
		for _, m := range sdkImport.FindAllSubmatch(b, -1) {
			found[string(m[1])] = true
		}
		return nil
	})
	var out []string
	for p := range found {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// Missing filters pkgs down to those no folder in searchDirs (node_modules
// folders) nor the cache holds.
func (n *NodeSDK) Missing(pkgs []string, searchDirs []string) []string {
	var missing []string
	for _, p := range pkgs {
		found := false
		for _, d := range append(slices.Clone(searchDirs), n.NodeModules()) {
			if _, err := os.Stat(filepath.Join(d, p, "package.json")); err == nil {
				found = true
				break
			}
		}
		if !found {
			missing = append(missing, p)
		}
	}
	return missing
}

// Ensure installs the missing packages with npm into the cache, logging
// progress while npm runs.
func (n *NodeSDK) Ensure(ctx context.Context, function string, pkgs []string) error {
	if len(pkgs) == 0 {
		return nil
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if err := os.MkdirAll(n.dir, 0o755); err != nil {
		return err
	}
	unlock, err := lockFile(filepath.Join(n.dir, ".lock"))
	if err != nil {
		return err
	}
	defer unlock()
	pkgs = n.Missing(pkgs, nil)
	if len(pkgs) == 0 {
		return nil
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return fmt.Errorf("function %s imports %s, which Lambda provides; installing it needs npm (install Node.js from nodejs.org): %w", function, strings.Join(pkgs, ", "), err)
	}
	manifest := filepath.Join(n.dir, "package.json")
	if _, err := os.Stat(manifest); err != nil {
		if err := os.WriteFile(manifest, []byte(`{"name":"nimbus-node-sdk","private":true,"description":"AWS SDK for JavaScript v3 packages installed by Nimbus for handlers that do not bundle them"}`+"\n"), 0o644); err != nil {
			return err
		}
	}
	n.logger.Info("installing the AWS SDK for JavaScript v3 (first use; cached for every project)", "function", function, "packages", pkgs, "cache", n.dir)
	start := time.Now()
	args := append([]string{"install", "--no-audit", "--no-fund", "--loglevel=error", "--prefix", n.dir}, pkgs...)
	cmd := exec.CommandContext(ctx, npm, args...)
	cmd.Dir = n.dir
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	tick := time.NewTicker(3 * time.Second)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			if err != nil {
				return fmt.Errorf("npm install %s failed: %v\n%s", strings.Join(pkgs, " "), err, strings.TrimSpace(out.String()))
			}
			n.logger.Info("installed the AWS SDK for JavaScript v3 packages", "packages", pkgs, "duration", time.Since(start).Round(time.Millisecond))
			return nil
		case <-tick.C:
			n.logger.Info("still installing the AWS SDK for JavaScript v3", "packages", pkgs, "elapsed", time.Since(start).Round(time.Second))
		}
	}
}
