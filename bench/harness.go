package main

import (
	"context"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Config bounds every scenario: repetitions, durations and sizes.
type Config struct {
	Quick bool
	// Reps is how many times each measured figure is repeated.
	Reps int
	// StartReps is how many times each system is started in scenario 1.
	StartReps int
	// Settle is how long a started system idles before its RSS is read.
	Settle time.Duration

	// DynamoDB: data set sizes, the time allowed to load each, and the
	// length of each timed phase.
	Datasets   []int
	LoadBudget time.Duration
	Phase      time.Duration

	// Lambda: length of each warm latency and throughput repetition, and
	// the number of cold starts per runtime.
	LambdaPhase time.Duration
	Throughput  int
	ColdReps    int

	// HTTP: wrk duration and connections.
	WrkDuration time.Duration
	WrkConns    int

	// WebSocket: connections for connect rate, broadcast and RSS; round
	// trips per repetition; the large connection count for Nimbus's RSS.
	WSConns      int
	WSRoundTrips int
	WSMany       int
}

// FullConfig is the complete run (about 20 minutes on 2 cores).
func FullConfig() Config {
	return Config{
		Reps: 3, StartReps: 5, Settle: time.Second,
		Datasets: []int{10_000, 100_000}, LoadBudget: 60 * time.Second, Phase: 1500 * time.Millisecond,
		LambdaPhase: 2 * time.Second, Throughput: 4, ColdReps: 5,
		WrkDuration: 5 * time.Second, WrkConns: 32,
		WSConns: 1000, WSRoundTrips: 300, WSMany: 10_000,
	}
}

// QuickConfig runs every scenario briefly (about 2 minutes), for smoke tests.
func QuickConfig() Config {
	return Config{
		Quick: true, Reps: 2, StartReps: 2, Settle: 300 * time.Millisecond,
		Datasets: []int{2_000}, LoadBudget: 10 * time.Second, Phase: 250 * time.Millisecond,
		LambdaPhase: 300 * time.Millisecond, Throughput: 4, ColdReps: 2,
		WrkDuration: 2 * time.Second, WrkConns: 16,
		WSConns: 200, WSRoundTrips: 50, WSMany: 1000,
	}
}

// Harness runs the scenarios and collects results.
type Harness struct {
	cfg     Config
	root    string // repository root
	work    string // scratch folder for this run
	peers   string // bench/.peers (npm peers, git-ignored)
	nimbus  string // nimbus binary (or the profiling build)
	profile string // folder for profiles, "" when not profiling
	res     *Results
	// peerErr holds why a peer cannot run (install failed), by name.
	peerErr map[string]error
	logf    func(format string, args ...any)
}

func newHarness(cfg Config, root, work string, res *Results) *Harness {
	return &Harness{
		cfg: cfg, root: root, work: work, res: res,
		peers:   filepath.Join(root, "bench", ".peers"),
		peerErr: map[string]error{},
		logf:    log.Printf,
	}
}

// Server is a started system: its process and where it listens.
type Server struct {
	*Proc
	System string
	URL    string // edge or service URL
	// Ports of serverless-offline's HTTP, WebSocket and Lambda servers.
	HTTPURL, WSURL, LambdaURL string
	// ReadyIn is the time from process start to the first good probe.
	ReadyIn time.Duration
	pprof   string
}

// logSeq numbers log files so every start keeps its own.
var logSeq atomic.Int64

// NimbusOptions says which app a Nimbus start serves.
type NimbusOptions struct {
	Label    string
	Template string // "" for no template
	Data     string // data folder; "" means a fresh one
	InMemory bool
	Dir      string // working folder
}

// StartNimbus starts `nimbus up` and waits for /_nimbus/health.
func (h *Harness) StartNimbus(ctx context.Context, o NimbusOptions, timeout time.Duration) (*Server, error) {
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	if o.Data == "" {
		o.Data, err = os.MkdirTemp(h.work, "data-")
		if err != nil {
			return nil, err
		}
	}
	args := []string{"up"}
	if o.Template != "" {
		args = append(args, o.Template)
	}
	args = append(args, "--port", strconv.Itoa(port), "--data", o.Data)
	if o.InMemory {
		args = append(args, "--in-memory")
	}
	if o.Dir == "" {
		o.Dir, err = os.MkdirTemp(h.work, "cwd-")
		if err != nil {
			return nil, err
		}
	}
	var env []string
	var pprofAddr string
	if h.profile != "" {
		pp, err := FreePort()
		if err != nil {
			return nil, err
		}
		pprofAddr = "127.0.0.1:" + strconv.Itoa(pp)
		env = append(env, "NIMBUS_BENCH_PPROF="+pprofAddr)
	}
	p, err := Start(Spec{Name: "nimbus " + o.Label, Path: h.nimbus, Args: args, Dir: o.Dir, Env: env,
		Log: filepath.Join(h.work, "logs", fmt.Sprintf("nimbus-%s-%d.log", slug(o.Label), logSeq.Add(1)))})
	if err != nil {
		return nil, err
	}
	edge := "http://127.0.0.1:" + strconv.Itoa(port)
	ready, err := p.WaitReady(timeout, HTTPStatus("GET", edge+"/_nimbus/health", 200, nil, ""))
	if err != nil {
		p.Stop(5 * time.Second)
		return nil, err
	}
	return &Server{Proc: p, System: Nimbus, URL: edge, ReadyIn: ready, pprof: pprofAddr}, nil
}

// StartDynalite starts dynalite in memory.
func (h *Harness) StartDynalite(ctx context.Context, timeout time.Duration) (*Server, error) {
	if err := h.peerErr["dynalite"]; err != nil {
		return nil, err
	}
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	p, err := Start(Spec{Name: "dynalite", Path: "node",
		Args: []string{filepath.Join(h.peers, "node_modules", "dynalite", "cli.js"), "--port", strconv.Itoa(port), "--host", "127.0.0.1"},
		Dir:  h.work, Log: filepath.Join(h.work, "logs", "dynalite.log")})
	if err != nil {
		return nil, err
	}
	u := "http://127.0.0.1:" + strconv.Itoa(port)
	ready, err := p.WaitReady(timeout, dynamoProbe(u))
	if err != nil {
		p.Stop(5 * time.Second)
		return nil, err
	}
	return &Server{Proc: p, System: "dynalite", URL: u, ReadyIn: ready}, nil
}

// StartMoto starts moto_server (DynamoDB and the rest of moto).
func (h *Harness) StartMoto(ctx context.Context, timeout time.Duration) (*Server, error) {
	if err := h.peerErr["moto_server"]; err != nil {
		return nil, err
	}
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	p, err := Start(Spec{Name: "moto_server", Path: "python3",
		Args: []string{"-m", "moto.server", "-H", "127.0.0.1", "-p", strconv.Itoa(port)},
		Dir:  h.work, Log: filepath.Join(h.work, "logs", "moto.log")})
	if err != nil {
		return nil, err
	}
	u := "http://127.0.0.1:" + strconv.Itoa(port)
	ready, err := p.WaitReady(timeout, dynamoProbe(u))
	if err != nil {
		p.Stop(5 * time.Second)
		return nil, err
	}
	return &Server{Proc: p, System: "moto_server", URL: u, ReadyIn: ready}, nil
}

// dynamoProbe succeeds when a ListTables request gets an HTTP answer
// (dynalite refuses the unsigned probe with 400: it is serving all the same).
func dynamoProbe(u string) func() bool {
	return HTTPStatus("POST", u+"/", 0, map[string]string{
		"X-Amz-Target": "DynamoDB_20120810.ListTables",
		"Content-Type": "application/x-amz-json-1.0",
	}, "{}")
}

// StartOffline starts serverless-offline (Serverless Framework v3) on the
// benchmark's serverless.yml, and waits for its HTTP server.
func (h *Harness) StartOffline(ctx context.Context, timeout time.Duration) (*Server, error) {
	if err := h.peerErr["serverless-offline"]; err != nil {
		return nil, err
	}
	var ports [3]int
	for i := range ports {
		p, err := FreePort()
		if err != nil {
			return nil, err
		}
		ports[i] = p
	}
	httpP, wsP, lambdaP := strconv.Itoa(ports[0]), strconv.Itoa(ports[1]), strconv.Itoa(ports[2])
	p, err := Start(Spec{Name: "serverless-offline", Path: "node",
		Args: []string{filepath.Join(h.peers, "node_modules", "serverless", "bin", "serverless.js"), "offline", "start",
			"--host", "127.0.0.1", "--httpPort", httpP, "--websocketPort", wsP, "--lambdaPort", lambdaP, "--noPrependStageInUrl"},
		Dir: filepath.Join(h.peers, "sls"),
		Env: []string{"SLS_TELEMETRY_DISABLED=1", "SLS_NOTIFICATIONS_MODE=off", "SLS_DEPRECATION_DISABLE=*",
			"AWS_ACCESS_KEY_ID=bench", "AWS_SECRET_ACCESS_KEY=bench", "AWS_REGION=us-east-1",
			"BENCH_WS_MGMT_ENDPOINT=http://127.0.0.1:" + wsP},
		Log: filepath.Join(h.work, "logs", "serverless-offline.log")})
	if err != nil {
		return nil, err
	}
	httpURL := "http://127.0.0.1:" + httpP
	ready, err := p.WaitReady(timeout, HTTPStatus("GET", httpURL+"/__bench_ready", 0, nil, ""))
	if err != nil {
		p.Stop(5 * time.Second)
		return nil, err
	}
	return &Server{Proc: p, System: "serverless-offline", URL: httpURL, HTTPURL: httpURL,
		WSURL: "ws://127.0.0.1:" + wsP, LambdaURL: "http://127.0.0.1:" + lambdaP, ReadyIn: ready}, nil
}

// StartLambdaLocal starts lambda-local's watch server on fast.echo.
func (h *Harness) StartLambdaLocal(ctx context.Context, timeout time.Duration) (*Server, error) {
	if err := h.peerErr["lambda-local"]; err != nil {
		return nil, err
	}
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	p, err := Start(Spec{Name: "lambda-local", Path: "node",
		Args: []string{filepath.Join(h.peers, "node_modules", "lambda-local", "build", "cli.js"),
			"-l", "fast.js", "-h", "echo", "-t", "10", "--watch", strconv.Itoa(port)},
		Dir: filepath.Join(h.peers, "sls"),
		Env: []string{"AWS_ACCESS_KEY_ID=bench", "AWS_SECRET_ACCESS_KEY=bench"},
		Log: filepath.Join(h.work, "logs", "lambda-local.log")})
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	ready, err := p.WaitReady(timeout, func() bool {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return false
		}
		c.Close()
		return true
	})
	if err != nil {
		p.Stop(5 * time.Second)
		return nil, err
	}
	return &Server{Proc: p, System: "lambda-local", URL: "http://" + addr, LambdaURL: "http://" + addr, ReadyIn: ready}, nil
}

// Built reports whether the server's log says it built a Go function.
func (s *Server) Built() bool {
	b, err := os.ReadFile(s.log.Name())
	return err == nil && strings.Contains(string(b), "building Go function")
}

// Stop stops the server.
func (s *Server) Stop() {
	if s == nil {
		return
	}
	s.Proc.Stop(10 * time.Second)
}

// NimbusAPIs reads /_nimbus/apis and returns each API's URL by protocol.
func NimbusAPIs(edge string) (map[string]string, error) {
	resp, err := http.Get(edge + "/_nimbus/apis")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var apis []struct {
		Protocol string `json:"protocol"`
		URL      string `json:"url"`
	}
	if err := decodeJSON(resp.Body, &apis); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, a := range apis {
		out[a.Protocol] = a.URL
	}
	return out, nil
}

// StartProfile begins a CPU profile of a Nimbus server for a scenario;
// the returned function stops it and saves a heap profile beside it.
func (h *Harness) StartProfile(s *Server, scenario string) func() {
	if h.profile == "" || s == nil || s.pprof == "" {
		return func() {}
	}
	base := filepath.Join(h.profile, slug(scenario))
	cpu := base + "-cpu.pprof"
	resp, err := http.Get("http://" + s.pprof + "/cpu/start?file=" + url.QueryEscape(cpu))
	if err != nil || resp.StatusCode != 200 {
		h.logf("profile %s: cannot start the CPU profile: %v", scenario, err)
		if resp != nil {
			resp.Body.Close()
		}
		return func() {}
	}
	resp.Body.Close()
	return func() {
		if resp, err := http.Get("http://" + s.pprof + "/cpu/stop"); err == nil {
			resp.Body.Close()
			h.res.Profiles = append(h.res.Profiles, rel(h.root, cpu))
		}
		heap := base + "-heap.pprof"
		if err := download("http://"+s.pprof+"/debug/pprof/heap", heap); err == nil {
			h.res.Profiles = append(h.res.Profiles, rel(h.root, heap))
		}
	}
}

func download(u, path string) error {
	resp, err := http.Get(u)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("%s: %s", u, resp.Status)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = f.ReadFrom(resp.Body)
	return err
}

func rel(root, path string) string {
	if r, err := filepath.Rel(root, path); err == nil {
		return r
	}
	return path
}

// slug makes a label usable in a file name.
func slug(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			if b.Len() > 0 && !strings.HasSuffix(b.String(), "-") {
				b.WriteByte('-')
			}
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}
