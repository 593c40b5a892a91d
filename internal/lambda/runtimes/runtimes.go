// Package runtimes turns a function's runtime identifier, handler and code
// into the command line and environment of its execution environment:
// `provided.*` and `go1.x` run the code's own bootstrap (built from Go
// sources when needed), `nodejs*` and `python3.*` run bootstraps of ours,
// embedded in the binary, on the machine's node and python3.
package runtimes

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/nimbus-dev/nimbus/internal/app"
	"github.com/nimbus-dev/nimbus/internal/lambda/build"
)

// Spec is how to start a function's environments.
type Spec struct {
	// Command is the runtime's argv.
	Command []string
	// TaskRoot is LAMBDA_TASK_ROOT and the working directory: the code
	// folder, or the build output for built code.
	TaskRoot string
	// Env holds the runtime's own variables (search paths,
	// AWS_EXECUTION_ENV, LAMBDA_RUNTIME_DIR).
	Env map[string]string
	// Fingerprint identifies the code the environments run; it changes
	// when the code does.
	Fingerprint string
}

// Runtimes prepares functions. It is safe for concurrent use.
type Runtimes struct {
	dataDir string
	logger  *slog.Logger
	goBuild *build.Go
	bundler *build.Bundler
	nodeSDK *build.NodeSDK
}

// Options configure New.
type Options struct {
	// DataDir holds builds and the unpacked bootstraps.
	DataDir string
	// NodeSDKDir is the shared cache of AWS SDK for JavaScript v3 packages
	// (default: the user cache folder).
	NodeSDKDir string
	Logger     *slog.Logger
}

// New returns a preparer.
func New(opts Options) *Runtimes {
	return &Runtimes{
		dataDir: opts.DataDir,
		logger:  opts.Logger,
		goBuild: build.NewGo(filepath.Join(opts.DataDir, "build"), opts.Logger),
		bundler: build.NewBundler(filepath.Join(opts.DataDir, "build"), opts.Logger),
		nodeSDK: build.NewNodeSDK(opts.NodeSDKDir, opts.Logger),
	}
}

// Family is a runtime's kind: "provided", "nodejs" or "python".
func Family(runtime string) string {
	switch {
	case runtime == "go1.x" || runtime == "provided" || strings.HasPrefix(runtime, "provided."):
		return "provided"
	case strings.HasPrefix(runtime, "nodejs"):
		return "nodejs"
	case strings.HasPrefix(runtime, "python3"):
		return "python"
	}
	return ""
}

// Supported reports whether Nimbus can run the runtime.
func Supported(runtime string) bool { return Family(runtime) != "" }

// Prepare builds what fn needs and returns how to run it. optDir is the
// merged layer folder ("" without layers).
func (r *Runtimes) Prepare(ctx context.Context, fn *app.Function, optDir string) (*Spec, error) {
	if fn.CodeDir == "" {
		return nil, fmt.Errorf("function %s has no code folder", fn.Name)
	}
	if _, err := os.Stat(fn.CodeDir); err != nil {
		return nil, fmt.Errorf("function %s: code folder: %w", fn.Name, err)
	}
	var spec *Spec
	var err error
	switch Family(fn.Runtime) {
	case "provided":
		spec, err = r.prepareProvided(ctx, fn, optDir)
	case "nodejs":
		spec, err = r.prepareNode(ctx, fn, optDir)
	case "python":
		spec, err = r.preparePython(fn, optDir)
	default:
		return nil, fmt.Errorf("function %s: runtime %q is not supported (supported: provided, provided.al2, provided.al2023, go1.x, nodejs18.x-nodejs24.x, python3.x)", fn.Name, fn.Runtime)
	}
	if err != nil {
		return nil, err
	}
	if spec.Env == nil {
		spec.Env = map[string]string{}
	}
	if v := ExecutionEnv(fn.Runtime); v != "" {
		spec.Env["AWS_EXECUTION_ENV"] = v
	}
	searchPaths(spec.Env, optDir)
	spec.Command = withOptMount(spec.Command, optDir)
	return spec, nil
}

// ExecutionEnv is AWS_EXECUTION_ENV for a runtime: "AWS_Lambda_" and the
// runtime identifier, except for the OS-only runtimes (provided,
// provided.al2, provided.al2023), for which Lambda leaves it unset.
func ExecutionEnv(runtime string) string {
	if runtime == "provided" || strings.HasPrefix(runtime, "provided.") {
		return ""
	}
	return "AWS_Lambda_" + runtime
}

// searchPaths puts the layer's bin and lib on PATH and LD_LIBRARY_PATH,
// as /opt/bin and /opt/lib are on Lambda.
func searchPaths(env map[string]string, optDir string) {
	path := os.Getenv("PATH")
	lib := os.Getenv("LD_LIBRARY_PATH")
	if optDir != "" {
		path = joinList(filepath.Join(optDir, "bin"), path)
		lib = joinList(filepath.Join(optDir, "lib"), lib)
	}
	env["PATH"] = path
	if lib != "" {
		env["LD_LIBRARY_PATH"] = lib
	}
}

func joinList(items ...string) string {
	var kept []string
	for _, s := range items {
		if s != "" {
			kept = append(kept, s)
		}
	}
	return strings.Join(kept, string(os.PathListSeparator))
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
