package runtimes

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/nimbus-dev/nimbus/internal/app"
	"github.com/nimbus-dev/nimbus/internal/lambda/build"
)

// preparePython runs our embedded bootstrap on the machine's python3;
// layers' python and python/lib/pythonX.Y/site-packages folders come after
// the task root on the module search path, as on Lambda.
func (r *Runtimes) preparePython(fn *app.Function, optDir string) (*Spec, error) {
	python, err := exec.LookPath("python3")
	if err != nil {
		return nil, fmt.Errorf("function %s (%s) needs Python 3: install python3 (not found on PATH)", fn.Name, fn.Runtime)
	}
	if i := strings.LastIndex(fn.Handler, "."); i <= 0 || i == len(fn.Handler)-1 {
		return nil, fmt.Errorf("function %s: bad handler %q (want module.function)", fn.Name, fn.Handler)
	}
	dir, err := runtimeDir(r.dataDir, "python")
	if err != nil {
		return nil, err
	}
	fp, err := build.Fingerprint([]string{fn.CodeDir}, fn.Runtime, fn.Handler, optDir, dir)
	if err != nil {
		return nil, err
	}
	paths := []string{fn.CodeDir}
	if optDir != "" {
		version := strings.TrimPrefix(fn.Runtime, "python")
		paths = append(paths,
			filepath.Join(optDir, "python"),
			filepath.Join(optDir, "python", "lib", "python"+version, "site-packages"))
	}
	return &Spec{
		Command:  []string{python, "-u", filepath.Join(dir, "bootstrap.py")},
		TaskRoot: fn.CodeDir,
		Env: map[string]string{
			"PYTHONPATH":         joinList(paths...),
			"PYTHONUNBUFFERED":   "1",
			"LAMBDA_RUNTIME_DIR": dir,
		},
		Fingerprint: fp,
	}, nil
}
