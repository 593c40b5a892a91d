package compattest

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// NPMPackages installs the exact npm package specs (e.g. "aws-sdk@2.1693.0")
// once into a folder of the user cache named after them, and returns its
// node_modules. Later runs, and other tests asking for the same specs,
// reuse it. The install goes to a temporary folder renamed into place, so a
// run that dies half way leaves nothing behind.
func NPMPackages(t testing.TB, specs ...string) string {
	t.Helper()
	npm := RequireTool(t, "npm", "install Node.js and npm (apt-get install nodejs npm)")
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	name := strings.NewReplacer("/", "+", "@", "-").Replace(strings.Join(specs, ","))
	dir := filepath.Join(base, "nimbus", "compat", name)
	modules := filepath.Join(dir, "node_modules")
	if complete(dir) {
		return modules
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		t.Fatal(err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), name+".tmp")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	if err := os.WriteFile(filepath.Join(tmp, "package.json"), []byte(`{"name":"nimbus-compat-deps","private":true}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	t.Logf("npm install %s (first run; cached in %s)", strings.Join(specs, " "), dir)
	cmd := exec.CommandContext(ctx, npm, append([]string{"install", "--no-audit", "--no-fund", "--loglevel=error", "--prefix", tmp}, specs...)...)
	cmd.Dir = tmp
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("npm install %s: %v\n%s", strings.Join(specs, " "), err, out.String())
	}
	if err := os.WriteFile(filepath.Join(tmp, ".complete"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, dir); err != nil && !complete(dir) {
		t.Fatalf("caching the npm install: %v", err)
	}
	return modules
}

func complete(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, ".complete"))
	return err == nil
}

// CopyDir copies the regular files and folders under src into dst,
// skipping the named folders (node_modules, build output).
func CopyDir(t testing.TB, src, dst string, skip ...string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			for _, s := range skip {
				if rel == s {
					return filepath.SkipDir
				}
			}
			return os.MkdirAll(target, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, info.Mode().Perm())
	})
	if err != nil {
		t.Fatalf("copying %s: %v", src, err)
	}
}
