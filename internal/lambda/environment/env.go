// Package environment runs one Lambda execution environment: a local
// process (the runtime) and the Runtime API (2018-06-01) it talks to on its
// own loopback address. An environment handles one invocation at a time;
// the scheduler above it decides which environment runs what.
package environment

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Config describes how to start an environment.
type Config struct {
	FunctionName string
	Version      string
	// Command is the runtime's argv (a bootstrap, or node/python3 with our
	// bootstrap).
	Command []string
	// Dir is the working directory (the task root).
	Dir string
	// Env is the process environment, without AWS_LAMBDA_RUNTIME_API which
	// the environment adds.
	Env []string
	// Timeout is the function timeout; InitTimeout bounds the init phase.
	Timeout     time.Duration
	InitTimeout time.Duration
	MemoryMB    int
	// EnforceMemory kills an environment whose resident memory exceeds
	// MemoryMB, as Lambda does (Linux only). Without it, only a runaway
	// (RunawayFactor times MemoryMB) is killed.
	EnforceMemory bool
	// Logger receives every line the function writes, plus START, END and
	// REPORT lines.
	Logger *slog.Logger
}

// RunawayFactor bounds an environment's resident memory when EnforceMemory
// is off: past RunawayFactor times its memory size a function is killed
// with Runtime.OutOfMemory, so one that allocates without bound cannot take
// the machine down, while runtimes' local overhead (larger than on Lambda)
// never comes near it.
const RunawayFactor = 4

// memoryLimitMB is the resident memory past which an invocation is killed
// with Runtime.OutOfMemory; 0 when the memory size is unknown.
func (c *Config) memoryLimitMB() int {
	switch {
	case c.MemoryMB <= 0:
		return 0
	case c.EnforceMemory:
		return c.MemoryMB
	default:
		return RunawayFactor * c.MemoryMB
	}
}

// InitError is a failed init phase: the runtime reported an init error,
// exited, or timed out. Result is what the invocation that needed the
// environment returns.
type InitError struct {
	Result *Result
}

func (e *InitError) Error() string { return "init failed: " + string(e.Result.Payload) }

// Env is a running execution environment.
type Env struct {
	cfg    Config
	ln     net.Listener
	api    *apiServer
	cmd    *exec.Cmd
	out    *output
	logger *slog.Logger

	ready   chan struct{}
	initErr chan []byte
	exited  chan struct{}

	mu sync.Mutex
	// cond signals changes of waiters (and stopped) to connections
	// holding a request behind an unanswered next.
	cond *sync.Cond
	// pending is an invocation no runtime has taken yet; waiters are
	// connections whose next waits for one; current is the invocation
	// the runtime is running.
	pending      *Invocation
	waiters      []*apiConn
	stopped      bool
	current      *Invocation
	lastID       string
	initialized  bool
	exitStatus   string
	initDuration time.Duration
	reportedInit bool

	// peakMB caches the process's peak memory: reading /proc costs more
	// than a warm invocation, and the peak changes rarely.
	peakMB     int
	peakReadAt time.Time

	// timer is Wait's, kept from one invocation to the next.
	timer *time.Timer

	stopOnce sync.Once
}

// peakMemoryInterval is how stale the Max Memory Used of a REPORT line may
// be.
const peakMemoryInterval = time.Second

// peakMemoryMB is the process's peak resident memory, read from the OS at
// most once per peakMemoryInterval.
func (e *Env) peakMemoryMB(now time.Time) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.peakReadAt.IsZero() || now.Sub(e.peakReadAt) >= peakMemoryInterval {
		if peak := peakMemoryMB(e.Pid()); peak > e.peakMB {
			e.peakMB = peak
		}
		e.peakReadAt = now
	}
	return e.peakMB
}

// Start launches the runtime and waits for it to finish its init phase
// (its first call to /runtime/invocation/next). requestID names the
// invocation that needed the environment in init error messages; it may be
// empty for pre-warming.
func Start(ctx context.Context, cfg Config, requestID string) (*Env, error) {
	if cfg.InitTimeout <= 0 {
		cfg.InitTimeout = 10 * time.Second
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("runtime API listener: %w", err)
	}
	e := &Env{
		cfg:     cfg,
		ln:      ln,
		logger:  cfg.Logger,
		ready:   make(chan struct{}),
		initErr: make(chan []byte, 1),
		exited:  make(chan struct{}),
	}
	e.cond = sync.NewCond(&e.mu)
	e.api = &apiServer{ln: ln, handler: e.route, conns: map[*apiConn]struct{}{}, gone: e.connGone, await: e.awaitAnswer}
	go e.api.serve()

	r, w, err := os.Pipe()
	if err != nil {
		e.api.close()
		return nil, err
	}
	e.out = newOutput(r, cfg.Logger)
	cmd := exec.Command(cfg.Command[0], cfg.Command[1:]...)
	cmd.Dir = cfg.Dir
	cmd.Env = append(append([]string(nil), cfg.Env...), "AWS_LAMBDA_RUNTIME_API="+ln.Addr().String())
	if !hasEnv(cfg.Env, "AWS_LAMBDA_LOG_STREAM_NAME") {
		cmd.Env = append(cmd.Env, "AWS_LAMBDA_LOG_STREAM_NAME="+LogStreamName(time.Now(), cfg.Version))
	}
	cmd.Stdout = w
	cmd.Stderr = w
	setProcessGroup(cmd)
	start := time.Now()
	if err := cmd.Start(); err != nil {
		_ = w.Close()
		_ = r.Close()
		e.api.close()
		res := exitResult(requestID, "Runtime.InvalidEntrypoint", err.Error())
		e.out.note(string(res.Payload))
		return nil, &InitError{Result: res}
	}
	_ = w.Close()
	e.cmd = cmd
	go e.wait()

	timer := time.NewTimer(cfg.InitTimeout)
	defer timer.Stop()
	// The runaway guard watches init too: a module that allocates without
	// bound while loading is stopped before the init timeout.
	var tick <-chan time.Time
	limit := cfg.memoryLimitMB()
	if limit > 0 {
		t := time.NewTicker(25 * time.Millisecond)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case <-e.ready:
			e.mu.Lock()
			e.initDuration = time.Since(start)
			e.mu.Unlock()
			return e, nil
		case payload := <-e.initErr:
			e.Stop()
			e.out.sync()
			return nil, &InitError{Result: &Result{Payload: payload, FunctionError: "Unhandled", Fatal: true, Log: e.out.take()}}
		case <-e.exited:
			e.out.sync()
			res := exitResult(requestID, "Runtime.ExitError", e.status())
			e.out.note(fmt.Sprintf("INIT_REPORT Init Duration: %s\tPhase: init\tStatus: error\tError Type: Runtime.ExitError", ms(time.Since(start))))
			res.Log = e.out.take()
			e.Stop()
			return nil, &InitError{Result: res}
		case <-timer.C:
			e.Stop()
			e.out.sync()
			e.out.note(fmt.Sprintf("INIT_REPORT Init Duration: %s\tPhase: init\tStatus: timeout", ms(cfg.InitTimeout)))
			res := timeoutResult(requestID, cfg.InitTimeout)
			res.Log = e.out.take()
			return nil, &InitError{Result: res}
		case <-tick:
			if rss := residentMB(cmd.Process.Pid); rss > limit {
				e.Stop()
				<-e.exited
				e.out.sync()
				e.out.note(fmt.Sprintf("INIT_REPORT Init Duration: %s\tPhase: init\tStatus: error\tError Type: Runtime.OutOfMemory", ms(time.Since(start))))
				res := exitResult(requestID, "Runtime.OutOfMemory", "signal: killed")
				res.Log = e.out.take()
				return nil, &InitError{Result: res}
			}
		case <-ctx.Done():
			e.Stop()
			return nil, ctx.Err()
		}
	}
}

// LogStreamName is a new execution environment's CloudWatch log stream
// name as Lambda forms it: "2024/01/20/[$LATEST]" and 32 random hex
// digits. Every environment has its own.
func LogStreamName(now time.Time, version string) string {
	if version == "" {
		version = "$LATEST"
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	return now.UTC().Format("2006/01/02") + "/[" + version + "]" + hex.EncodeToString(b[:])
}

func hasEnv(env []string, name string) bool {
	for _, kv := range env {
		if strings.HasPrefix(kv, name+"=") {
			return true
		}
	}
	return false
}

func (e *Env) wait() {
	err := e.cmd.Wait()
	status := "exit status 0"
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			status = ee.ProcessState.String()
		} else {
			status = err.Error()
		}
	}
	e.mu.Lock()
	e.exitStatus = status
	e.mu.Unlock()
	close(e.exited)
}

func (e *Env) status() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.exitStatus
}

// Exited is closed when the runtime process has exited.
func (e *Env) Exited() <-chan struct{} { return e.exited }

// Addr is the environment's Runtime API address (AWS_LAMBDA_RUNTIME_API).
func (e *Env) Addr() string { return e.ln.Addr().String() }

// Pid is the runtime process id.
func (e *Env) Pid() int { return e.cmd.Process.Pid }

// Stop kills the runtime's process group, and the processes it started
// that left the group, and closes its Runtime API.
func (e *Env) Stop() {
	e.stopOnce.Do(func() {
		if e.cmd != nil && e.cmd.Process != nil {
			killGroup(e.cmd.Process.Pid)
			// While the listener is open no other environment can have
			// the same Runtime API address.
			killEscaped("AWS_LAMBDA_RUNTIME_API=" + e.Addr())
		}
		e.api.close()
		e.mu.Lock()
		e.stopped = true
		e.cond.Broadcast()
		e.mu.Unlock()
	})
}

// ErrNotDelivered means the runtime exited before it took the invocation:
// the function never saw the event, so the caller may run it elsewhere.
var ErrNotDelivered = errors.New("environment exited before the invocation was delivered")

// memoryCheckInterval is how often a running invocation's resident memory
// is compared with the environment's limit.
const memoryCheckInterval = 25 * time.Millisecond

// Invoke runs one invocation and returns its result. It returns when the
// runtime posted a response or an error, when the function timed out (the
// environment is then killed), or when the runtime exited.
func (e *Env) Invoke(inv *Invocation) (*Result, error) {
	e.Begin(inv)
	res, err, _ := e.Wait(inv, nil)
	return res, err
}

// Begin hands inv to the runtime; Wait collects its result.
func (e *Env) Begin(inv *Invocation) {
	inv.start = time.Now()
	inv.Deadline = inv.start.Add(e.cfg.Timeout)
	inv.done = make(chan *Result, 1)
	version := e.cfg.Version
	if version == "" {
		version = "$LATEST"
	}
	e.out.noteQuiet("START RequestId: " + inv.RequestID + " Version: " + version)
	e.offer(inv)
}

// Wait returns the result of the invocation begun last, as Invoke does.
// When cancel is closed first, Wait returns with ok false and the
// invocation goes on: a later Wait (one at a time) collects it.
func (e *Env) Wait(inv *Invocation, cancel <-chan struct{}) (res *Result, err error, ok bool) {
	// One timer serves the function timeout and the memory checks.
	limit := e.cfg.memoryLimitMB()
	next := func(now time.Time) time.Duration {
		d := inv.Deadline.Sub(now)
		if limit > 0 {
			d = min(d, memoryCheckInterval)
		}
		return d
	}
	if e.timer == nil {
		e.timer = time.NewTimer(next(time.Now()))
	} else {
		e.timer.Reset(next(time.Now()))
	}
	defer e.timer.Stop()
	for res == nil {
		select {
		case res = <-inv.done:
		case <-cancel:
			return nil, nil, false
		case now := <-e.timer.C:
			if !now.Before(inv.Deadline) {
				e.Stop()
				e.out.note(fmt.Sprintf("%s %s Task timed out after %.2f seconds", time.Now().UTC().Format("2006-01-02T15:04:05.000Z"), inv.RequestID, e.cfg.Timeout.Seconds()))
				res = timeoutResult(inv.RequestID, e.cfg.Timeout)
				break
			}
			if rss := residentMB(e.Pid()); rss > limit {
				e.Stop()
				<-e.exited
				res = exitResult(inv.RequestID, "Runtime.OutOfMemory", "signal: killed")
				e.out.note(fmt.Sprintf("RequestId: %s Error: Runtime exited with error: signal: killed\nRuntime.OutOfMemory", inv.RequestID))
				break
			}
			e.timer.Reset(next(time.Now()))
		case <-e.exited:
			select {
			case res = <-inv.done:
				res.Fatal = true
			default:
				if e.undelivered(inv) {
					return nil, ErrNotDelivered, true
				}
				res = exitResult(inv.RequestID, "Runtime.ExitError", e.status())
				e.out.note(fmt.Sprintf("RequestId: %s Error: Runtime exited with error: %s\nRuntime.ExitError", inv.RequestID, e.status()))
			}
		}
	}
	res.Duration = time.Since(inv.start)
	e.dropCurrent(inv)
	e.out.sync()
	res.MaxMemoryMB = e.peakMemoryMB(time.Now())
	e.mu.Lock()
	if !e.reportedInit {
		e.reportedInit = true
		res.InitDuration = e.initDuration
	}
	e.mu.Unlock()
	e.out.noteQuiet("END RequestId: " + inv.RequestID)
	e.out.note(report(inv.RequestID, res, e.cfg.MemoryMB))
	res.Log = e.out.take()
	return res, nil, true
}

// undelivered takes inv back if the runtime never took it.
func (e *Env) undelivered(inv *Invocation) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.pending == inv {
		e.pending = nil
		return true
	}
	return false
}

// dropCurrent forgets an invocation that ended without a response (timeout,
// crash), so a late response is refused as a repeated one.
func (e *Env) dropCurrent(inv *Invocation) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.current == inv {
		e.current = nil
		e.lastID = inv.RequestID
	}
	if e.pending == inv {
		e.pending = nil
	}
}

func report(requestID string, res *Result, memoryMB int) string {
	billed := res.Duration.Milliseconds()
	if res.Duration%time.Millisecond != 0 || billed == 0 {
		billed++
	}
	b := make([]byte, 0, 192)
	b = append(b, "REPORT RequestId: "...)
	b = append(b, requestID...)
	b = append(b, "\tDuration: "...)
	b = appendMS(b, res.Duration)
	b = append(b, "\tBilled Duration: "...)
	b = strconv.AppendInt(b, billed, 10)
	b = append(b, " ms\tMemory Size: "...)
	b = strconv.AppendInt(b, int64(memoryMB), 10)
	b = append(b, " MB\tMax Memory Used: "...)
	b = strconv.AppendInt(b, int64(res.MaxMemoryMB), 10)
	b = append(b, " MB"...)
	if res.InitDuration > 0 {
		b = append(b, "\tInit Duration: "...)
		b = appendMS(b, res.InitDuration)
	}
	return string(b)
}

// appendMS appends d in milliseconds with two decimals and " ms".
func appendMS(b []byte, d time.Duration) []byte {
	b = strconv.AppendFloat(b, float64(d)/float64(time.Millisecond), 'f', 2, 64)
	return append(b, " ms"...)
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 2, 64) + " ms"
}
