// Package thirdpartynode2 runs more Node.js apps built on popular
// third-party Lambda libraries, unchanged, on Nimbus: Hono through
// hono/aws-lambda (HTTP API and REST API), Fastify through
// @fastify/aws-lambda (REST API), and a middy handler instrumented with
// AWS Lambda Powertools (logger, metrics, tracer), and checks what a client
// of the deployed APIs sees and what the functions see and log.
package thirdpartynode2

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/nimbus-dev/nimbus/compat/internal/compattest"
)

// startApp copies the app folder to a temporary folder with the cached
// npm install of deps (the exact versions of its package.json) as its
// node_modules, as `npm ci` leaves it before a deploy, and runs its
// template.yaml.
func startApp(t *testing.T, app string, deps ...string) *compattest.App {
	t.Helper()
	compattest.RequireNode(t)
	modules := compattest.NPMPackages(t, deps...)
	checkPinned(t, app, deps)
	dir := t.TempDir()
	compattest.CopyDir(t, app, dir, "node_modules")
	if err := os.Symlink(modules, filepath.Join(dir, "node_modules")); err != nil {
		t.Fatal(err)
	}
	return compattest.Start(t, filepath.Join(dir, "template.yaml"))
}

// checkPinned fails when the app's package.json names other versions than
// the test installs.
func checkPinned(t *testing.T, app string, deps []string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(app, "package.json"))
	if err != nil {
		t.Fatal(err)
	}
	var pkg struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	if err := json.Unmarshal(b, &pkg); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, d := range deps {
		i := len(d) - 1
		for d[i] != '@' {
			i--
		}
		want[d[:i]] = d[i+1:]
	}
	if len(want) != len(pkg.Dependencies) {
		t.Fatalf("%s/package.json dependencies %v, the test installs %v", app, pkg.Dependencies, deps)
	}
	for name, version := range pkg.Dependencies {
		if want[name] != version {
			t.Fatalf("%s/package.json pins %s@%s, the test installs %v", app, name, version, deps)
		}
	}
}
