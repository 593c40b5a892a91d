package lambda

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nimbus-dev/nimbus/internal/app"
	"github.com/nimbus-dev/nimbus/internal/lambda/build"
	"github.com/nimbus-dev/nimbus/internal/lambda/environment"
	"github.com/nimbus-dev/nimbus/internal/lambda/runtimes"
	"github.com/nimbus-dev/nimbus/internal/lambda/scheduler"
)

// The X-Ray daemon address functions are told (AWS_XRAY_DAEMON_ADDRESS).
const (
	xrayDaemonHost = "127.0.0.1"
	xrayDaemonPort = "2000"
)

// Lambda's defaults for unset function settings.
const (
	defaultTimeout  = 3 * time.Second
	defaultMemoryMB = 128
	maxTimeout      = 900 * time.Second
)

// function is one function as the service runs it.
type function struct {
	// name never changes; def is replaced (under Service.mu) on updates.
	name string
	def  *app.Function
	// fromAPI marks functions created through CreateFunction (persisted).
	fromAPI bool
	arn     string
	pool    *scheduler.Pool
	spec    *runtimes.Spec
	// prepErr is why the function cannot run (build failure, missing
	// bootstrap); invocations report it.
	prepErr error
	// identity changes when anything that shapes an environment does.
	identity     string
	codeSha256   string
	codeSize     int64
	lastModified time.Time
	revisionID   string
	description  string
}

// layerSource is a layer as the last Apply declared it.
type layerSource struct {
	def *app.Layer
}

func (s *Service) functionARN(name string) string {
	return "arn:aws:lambda:" + s.opts.Region + ":" + s.opts.AccountID + ":function:" + name
}

// Apply sets or replaces the functions and layers of the loaded template.
// It builds what needs building (Go sources, TypeScript, layers, the
// JavaScript SDK), keeps the warm environments of unchanged functions and
// recycles those of changed ones without failing in-flight invocations. A
// function that fails to build stays registered and its invocations report
// the build error; Apply returns only errors of the set itself.
func (s *Service) Apply(ctx context.Context, functions []*app.Function, layers []*app.Layer) error {
	s.applyMu.Lock()
	defer s.applyMu.Unlock()
	seen := map[string]bool{}
	for _, f := range functions {
		if f == nil || f.Name == "" {
			return fmt.Errorf("lambda: a function has no name")
		}
		if seen[f.Name] {
			return fmt.Errorf("lambda: function %s is declared twice", f.Name)
		}
		seen[f.Name] = true
	}
	layerMap := map[string]*layerSource{}
	for _, l := range layers {
		if l != nil {
			layerMap[l.Name] = &layerSource{def: l}
		}
	}
	s.mu.Lock()
	s.layers = layerMap
	s.mu.Unlock()

	prepared := make([]*function, len(functions))
	var wg sync.WaitGroup
	sem := make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))
	for i, f := range functions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			prepared[i] = s.prepare(ctx, cloneFunction(f), false)
		}()
	}
	wg.Wait()

	s.mu.Lock()
	old := s.template
	s.template = map[string]*function{}
	var stale []*function
	for _, fn := range prepared {
		name := fn.def.Name
		if cur, ok := s.functions[name]; ok {
			s.adopt(cur, fn)
			fn = cur
		} else {
			s.start(fn)
		}
		s.functions[name] = fn
		s.template[name] = fn
	}
	for name, fn := range old {
		if _, still := s.template[name]; !still {
			delete(s.functions, name)
			stale = append(stale, fn)
		}
	}
	s.mu.Unlock()
	for _, fn := range stale {
		fn.pool.Close()
	}
	return nil
}

// adopt moves a newly prepared definition into the running function cur,
// recycling its environments when anything that shapes them changed.
// Called with s.mu held.
func (s *Service) adopt(cur, next *function) {
	reserved := reservedOf(next.def)
	if cur.identity == next.identity && cur.prepErr == nil && next.prepErr == nil {
		cur.def = next.def
		cur.fromAPI = next.fromAPI
		cur.pool.SetReserved(reserved)
		return
	}
	cur.def, cur.spec, cur.prepErr, cur.identity = next.def, next.spec, next.prepErr, next.identity
	cur.fromAPI = next.fromAPI
	cur.codeSha256, cur.codeSize, cur.lastModified, cur.revisionID = next.codeSha256, next.codeSize, next.lastModified, next.revisionID
	cur.description = next.description
	cur.pool.Recycle(s.envConfig(cur), reserved)
	s.logger.Info("function updated", "function", cur.def.Name)
	if s.opts.PreWarm > 0 && cur.prepErr == nil {
		go cur.pool.PreWarm(context.Background(), s.opts.PreWarm)
	}
}

// start creates the pool of a new function. Called with s.mu held.
func (s *Service) start(fn *function) {
	fn.pool = scheduler.NewPool(s.account, s.envConfig(fn), reservedOf(fn.def), s.logger)
	if s.opts.PreWarm > 0 && fn.prepErr == nil {
		go fn.pool.PreWarm(context.Background(), s.opts.PreWarm)
	}
}

func reservedOf(f *app.Function) int {
	if f.ReservedConcurrency == nil {
		return -1
	}
	return *f.ReservedConcurrency
}

func cloneFunction(f *app.Function) *app.Function {
	c := *f
	c.Environment = maps.Clone(f.Environment)
	c.Layers = slices.Clone(f.Layers)
	if f.Logging != nil {
		l := *f.Logging
		c.Logging = &l
	}
	if c.Timeout <= 0 {
		c.Timeout = defaultTimeout
	}
	c.Timeout = min(c.Timeout, maxTimeout)
	if c.MemorySize <= 0 {
		c.MemorySize = defaultMemoryMB
	}
	return &c
}

// prepare merges the function's layers and builds its runtime spec.
func (s *Service) prepare(ctx context.Context, def *app.Function, fromAPI bool) *function {
	fn := &function{name: def.Name, def: def, fromAPI: fromAPI, arn: s.functionARN(def.Name), lastModified: time.Now().UTC()}
	optDir, err := s.mergeLayers(def)
	if err == nil {
		fn.spec, err = s.runtimes.Prepare(ctx, def, optDir)
	}
	if err != nil {
		fn.prepErr = err
		s.logger.Error("function cannot run", "function", def.Name, "error", err)
	}
	fn.identity = identity(def, fn.spec)
	fn.revisionID = newRequestID()
	if fn.codeSha256 == "" {
		sum := sha256.Sum256([]byte(fn.identity))
		fn.codeSha256 = encodeSha(sum[:])
	}
	return fn
}

// mergeLayers returns the merged /opt folder of def's layers ("" without).
func (s *Service) mergeLayers(def *app.Function) (string, error) {
	if len(def.Layers) == 0 {
		return "", nil
	}
	s.mu.RLock()
	var dirs []string
	var missing []string
	for _, name := range def.Layers {
		if l, ok := s.layers[name]; ok {
			dirs = append(dirs, l.def.ContentDir)
		} else {
			missing = append(missing, name)
		}
	}
	s.mu.RUnlock()
	if len(missing) > 0 {
		return "", fmt.Errorf("function %s: unknown layers %v", def.Name, missing)
	}
	return build.MergeLayers(s.dataDir+"/layers", dirs)
}

// identity hashes everything that shapes a function's environments.
func identity(def *app.Function, spec *runtimes.Spec) string {
	b, _ := json.Marshal(struct {
		Def  *app.Function
		Spec *runtimes.Spec
	}{def, spec})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// envConfig is how the function's environments start.
func (s *Service) envConfig(fn *function) environment.Config {
	def := fn.def
	cfg := environment.Config{
		FunctionName:  def.Name,
		Version:       "$LATEST",
		Timeout:       def.Timeout,
		InitTimeout:   s.opts.InitTimeout,
		MemoryMB:      def.MemorySize,
		EnforceMemory: s.opts.EnforceMemory,
		Logger:        s.opts.Logger.With("component", "lambda", "function", def.Name),
	}
	if fn.spec == nil {
		return cfg
	}
	cfg.Command = fn.spec.Command
	cfg.Dir = fn.spec.TaskRoot
	env := map[string]string{}
	for _, k := range []string{"HOME", "USER", "LOGNAME", "TMPDIR", "SYSTEMROOT"} {
		if v, ok := os.LookupEnv(k); ok {
			env[k] = v
		}
	}
	env["LANG"] = "en_US.UTF-8"
	env["TZ"] = ":UTC"
	maps.Copy(env, fn.spec.Env)
	maps.Copy(env, s.opts.Environment)
	maps.Copy(env, def.Environment)
	if _, set := env["GOMAXPROCS"]; !set && (strings.HasPrefix(def.Runtime, "provided") || def.Runtime == "go1.x") {
		env["GOMAXPROCS"] = strconv.Itoa(vCPUs(def.MemorySize))
	}
	maps.Copy(env, map[string]string{
		"_HANDLER":                        def.Handler,
		"LAMBDA_TASK_ROOT":                fn.spec.TaskRoot,
		"AWS_LAMBDA_FUNCTION_NAME":        def.Name,
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": strconv.Itoa(def.MemorySize),
		"AWS_LAMBDA_INITIALIZATION_TYPE":  "on-demand",
		"AWS_REGION":                      s.opts.Region,
		"AWS_DEFAULT_REGION":              s.opts.Region,
		"AWS_ACCESS_KEY_ID":               "ASIANIMBUSLOCALKEYID",
		"AWS_SECRET_ACCESS_KEY":           "nimbus-local-secret-access-key",
		"AWS_SESSION_TOKEN":               "nimbus-local-session-token",
		// Lambda's X-Ray settings, with the daemon on loopback: Nimbus
		// passes Sampled=0 trace headers, so SDKs send nothing to it.
		"AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
		"AWS_XRAY_DAEMON_ADDRESS":  xrayDaemonHost + ":" + xrayDaemonPort,
		"_AWS_XRAY_DAEMON_ADDRESS": xrayDaemonHost,
		"_AWS_XRAY_DAEMON_PORT":    xrayDaemonPort,
	})
	maps.Copy(env, loggingEnv(effectiveLogging(def)))
	keys := slices.Sorted(maps.Keys(env))
	for _, k := range keys {
		cfg.Env = append(cfg.Env, k+"="+env[k])
	}
	return cfg
}

// vCPUs is the CPU share Lambda gives a function of memoryMB: one vCPU per
// 1,769 MB, at least one, at most six. Go functions get it as GOMAXPROCS,
// so a 128 MB function schedules like the fraction of a core it has on
// Lambda instead of spinning threads on every core of the machine, which on
// a laptop costs more CPU than its invocations.
func vCPUs(memoryMB int) int {
	return min(6, max(1, (memoryMB+1768)/1769))
}

// CodeChanged rebuilds the named function (when it has sources) and
// recycles its environments; in-flight invocations finish on the old ones.
func (s *Service) CodeChanged(name string) {
	s.applyMu.Lock()
	defer s.applyMu.Unlock()
	s.mu.RLock()
	cur, ok := s.functions[name]
	var def *app.Function
	var fromAPI bool
	if ok {
		def, fromAPI = cur.def, cur.fromAPI
	}
	s.mu.RUnlock()
	if !ok {
		return
	}
	next := s.prepare(context.Background(), cloneFunction(def), fromAPI)
	s.mu.Lock()
	if s.functions[name] == cur {
		if cur.identity == next.identity && cur.prepErr == nil && next.prepErr == nil {
			// Code outside the fingerprint (a bootstrap's own files) may have
			// changed: recycle anyway.
			cur.pool.Recycle(s.envConfig(cur), reservedOf(cur.def))
		} else {
			s.adopt(cur, next)
		}
	}
	s.mu.Unlock()
}

func randomHex(n int) string {
	b := make([]byte, n/2)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// newRequestID returns a UUID v4, the form of Lambda's request ids.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
