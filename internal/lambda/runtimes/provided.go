package runtimes

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/nimbus-dev/nimbus/internal/app"
	"github.com/nimbus-dev/nimbus/internal/lambda/build"
)

// prepareProvided runs the code's bootstrap (provided.*), or the handler
// binary (go1.x), from the code folder or a layer; Go sources without a
// binary are built first.
func (r *Runtimes) prepareProvided(ctx context.Context, fn *app.Function, optDir string) (*Spec, error) {
	taskRoot := fn.CodeDir
	fp := ""
	if needsGoBuild(fn) {
		out, err := r.goBuild.Build(ctx, fn.Name, fn.CodeDir)
		if err != nil {
			return nil, err
		}
		taskRoot = out
		fp = out
		return &Spec{Command: []string{filepath.Join(out, "bootstrap")}, TaskRoot: taskRoot, Fingerprint: fp}, nil
	}
	fp, err := build.Fingerprint([]string{fn.CodeDir}, fn.Runtime, fn.Handler, optDir)
	if err != nil {
		return nil, err
	}
	var candidates []string
	if fn.Runtime == "go1.x" && fn.Handler != "" {
		candidates = append(candidates, filepath.Join(taskRoot, fn.Handler))
	}
	candidates = append(candidates, filepath.Join(taskRoot, "bootstrap"))
	if optDir != "" {
		candidates = append(candidates, filepath.Join(optDir, "bootstrap"))
	}
	for _, c := range candidates {
		if exists(c) {
			return &Spec{Command: []string{c}, TaskRoot: taskRoot, Fingerprint: fp}, nil
		}
	}
	return nil, fmt.Errorf("function %s: no bootstrap in %s (nor in its layers); a %s function ships an executable named bootstrap, or Go sources to build", fn.Name, fn.CodeDir, fn.Runtime)
}

// needsGoBuild reports Go sources shipped instead of a binary.
func needsGoBuild(fn *app.Function) bool {
	if fn.BuildMethod == "go1.x" && build.IsGoSource(fn.CodeDir) {
		return true
	}
	if exists(filepath.Join(fn.CodeDir, "bootstrap")) || (fn.Runtime == "go1.x" && fn.Handler != "" && exists(filepath.Join(fn.CodeDir, fn.Handler))) {
		return false
	}
	return build.IsGoSource(fn.CodeDir)
}
