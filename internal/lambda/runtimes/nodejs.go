package runtimes

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/nimbus-dev/nimbus/internal/app"
	"github.com/nimbus-dev/nimbus/internal/lambda/build"
)

var (
	jsExtensions = []string{".js", ".mjs", ".cjs"}
	tsExtensions = []string{".ts", ".mts", ".cts", ".tsx"}
)

// handlerModule splits a Node.js or Python handler ("src/app.handler")
// into its module path ("src/app") and the exported name.
func handlerModule(handler string) (module, export string, ok bool) {
	slash := strings.LastIndex(handler, "/")
	dot := strings.Index(handler[slash+1:], ".")
	if dot < 0 {
		return "", "", false
	}
	dot += slash + 1
	return handler[:dot], handler[dot+1:], true
}

// prepareNode runs our embedded bootstrap on the machine's node (a missing
// handler module is the bootstrap's Runtime.ImportModuleError, as on
// Lambda). TypeScript
// handlers (or BuildMethod esbuild) are bundled first; @aws-sdk/* packages
// the code imports but does not ship are installed into the shared cache.
func (r *Runtimes) prepareNode(ctx context.Context, fn *app.Function, optDir string) (*Spec, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("function %s (%s) needs Node.js: install Node.js 20 or newer from nodejs.org (node not found on PATH)", fn.Name, fn.Runtime)
	}
	module, _, ok := handlerModule(fn.Handler)
	if !ok {
		return nil, fmt.Errorf("function %s: bad handler %q (want file.export)", fn.Name, fn.Handler)
	}
	taskRoot := fn.CodeDir
	hasJS := findWithExt(fn.CodeDir, module, jsExtensions) != ""
	tsEntry := findWithExt(fn.CodeDir, module, tsExtensions)
	if fn.BuildMethod == "esbuild" || (!hasJS && tsEntry != "") {
		opts := build.BundleOptionsFrom(fn.BuildProperties)
		if len(opts.EntryPoints) == 0 {
			entry := tsEntry
			if entry == "" {
				entry = findWithExt(fn.CodeDir, module, jsExtensions)
			}
			if entry == "" {
				return nil, fmt.Errorf("function %s: no %s.ts or %s.js to bundle in %s", fn.Name, module, module, fn.CodeDir)
			}
			rel, _ := filepath.Rel(fn.CodeDir, entry)
			opts.EntryPoints = []string{rel}
		}
		opts.NodeVersion = nodeVersion(fn.Runtime)
		out, err := r.bundler.Bundle(ctx, fn.Name, fn.CodeDir, opts)
		if err != nil {
			return nil, err
		}
		taskRoot = out
	}
	var layerModules []string
	if optDir != "" {
		layerModules = []string{
			filepath.Join(optDir, "nodejs", "node"+nodeVersion(fn.Runtime), "node_modules"),
			filepath.Join(optDir, "nodejs", "node_modules"),
		}
	}
	pkgs := build.ScanImports(taskRoot)
	if len(pkgs) > 0 {
		search := append(ancestorModules(fn.CodeDir), layerModules...)
		if missing := r.nodeSDK.Missing(pkgs, search); len(missing) > 0 {
			if err := r.nodeSDK.Ensure(ctx, fn.Name, missing); err != nil {
				return nil, err
			}
		}
	}
	dir, err := runtimeDir(r.dataDir, "node")
	if err != nil {
		return nil, err
	}
	fp, err := build.Fingerprint([]string{fn.CodeDir}, fn.Runtime, fn.Handler, taskRoot, optDir, dir)
	if err != nil {
		return nil, err
	}
	nodePath := append(layerModules, r.nodeSDK.NodeModules())
	env := map[string]string{
		"NODE_PATH":          joinList(nodePath...),
		"LAMBDA_RUNTIME_DIR": dir,
	}
	if len(pkgs) > 0 || optDir != "" {
		env["NIMBUS_NODE_ESM_HOOKS"] = "1"
	}
	return &Spec{
		Command:     []string{node, filepath.Join(dir, "bootstrap.mjs")},
		TaskRoot:    taskRoot,
		Env:         env,
		Fingerprint: fp,
	}, nil
}

// nodeVersion is the major version of a nodejsNN.x runtime ("20").
func nodeVersion(runtime string) string {
	return strings.TrimSuffix(strings.TrimPrefix(runtime, "nodejs"), ".x")
}

func findWithExt(dir, module string, exts []string) string {
	for _, ext := range exts {
		p := filepath.Join(dir, filepath.FromSlash(module)+ext)
		if exists(p) {
			return p
		}
	}
	return ""
}

// ancestorModules lists the node_modules folders Node would search from
// dir upward.
func ancestorModules(dir string) []string {
	var out []string
	for d := dir; ; {
		out = append(out, filepath.Join(d, "node_modules"))
		parent := filepath.Dir(d)
		if parent == d {
			return out
		}
		d = parent
	}
}
