package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Proc is a server the harness started: its own process group, so stopping
// it also stops the function processes it started.
type Proc struct {
	Name    string
	cmd     *exec.Cmd
	log     *os.File
	done    chan struct{}
	waitErr error
	Started time.Time
}

// Spec says how to start a server.
type Spec struct {
	Name string
	Path string
	Args []string
	Dir  string
	Env  []string
	// Log is the file that gets the server's stdout and stderr.
	Log string
}

// Start runs spec in its own process group.
func Start(spec Spec) (*Proc, error) {
	if err := os.MkdirAll(filepath.Dir(spec.Log), 0o755); err != nil {
		return nil, err
	}
	lf, err := os.Create(spec.Log)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(spec.Path, spec.Args...)
	cmd.Dir = spec.Dir
	cmd.Env = append(os.Environ(), spec.Env...)
	cmd.Stdout, cmd.Stderr = lf, lf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	p := &Proc{Name: spec.Name, cmd: cmd, log: lf, done: make(chan struct{})}
	p.Started = time.Now()
	if err := cmd.Start(); err != nil {
		lf.Close()
		return nil, err
	}
	live.Store(p, struct{}{})
	go func() {
		p.waitErr = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// live holds every started server not yet stopped, so an interrupted run
// leaves nothing behind.
var live sync.Map

// StopAll stops every server still running.
func StopAll() {
	live.Range(func(k, _ any) bool {
		k.(*Proc).Stop(2 * time.Second)
		return true
	})
}

// Pid is the server's process id.
func (p *Proc) Pid() int { return p.cmd.Process.Pid }

// Exited reports whether the server has exited, and how.
func (p *Proc) Exited() (bool, error) {
	select {
	case <-p.done:
		return true, p.waitErr
	default:
		return false, nil
	}
}

// Stop sends SIGTERM to the process group, then SIGKILL after grace.
func (p *Proc) Stop(grace time.Duration) {
	if p == nil {
		return
	}
	pgid := p.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(grace):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-p.done
	}
	// Children that left the group's leader behind.
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	p.log.Close()
	live.Delete(p)
}

// LogTail returns the last n bytes of the server's log, for error reports.
func (p *Proc) LogTail(n int) string {
	b, err := os.ReadFile(p.log.Name())
	if err != nil {
		return ""
	}
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return strings.TrimSpace(string(b))
}

// WaitReady polls probe until it succeeds, the process exits or the timeout
// passes; it returns the time from the process start to the first success.
func (p *Proc) WaitReady(timeout time.Duration, probe func() bool) (time.Duration, error) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if probe() {
			return time.Since(p.Started), nil
		}
		if exited, err := p.Exited(); exited {
			return 0, fmt.Errorf("%s exited before it was ready (%v): %s", p.Name, err, p.LogTail(400))
		}
		time.Sleep(time.Millisecond)
	}
	return 0, fmt.Errorf("%s not ready after %v: %s", p.Name, timeout, p.LogTail(400))
}

// probeClient has no keep-alive so each probe sees the server as a new
// client would.
var probeClient = &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}

// HTTPStatus returns a probe that succeeds when url answers with status
// want (any status when want is 0).
func HTTPStatus(method, url string, want int, header map[string]string, body string) func() bool {
	return func() bool {
		req, err := http.NewRequest(method, url, strings.NewReader(body))
		if err != nil {
			return false
		}
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := probeClient.Do(req)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return want == 0 || resp.StatusCode == want
	}
}

// FreePort returns a loopback port nobody listens on now.
func FreePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// TreeRSS returns the resident memory in MB of pid and all its descendants,
// and of pid alone.
func TreeRSS(pid int) (tree, self float64, err error) {
	children := map[int][]int{}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0, 0, err
	}
	for _, e := range entries {
		id, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if pp, ok := ppid(id); ok {
			children[pp] = append(children[pp], id)
		}
	}
	self, err = rssMB(pid)
	if err != nil {
		return 0, 0, err
	}
	tree = self
	stack := append([]int(nil), children[pid]...)
	for len(stack) > 0 {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if r, err := rssMB(id); err == nil {
			tree += r
		}
		stack = append(stack, children[id]...)
	}
	return tree, self, nil
}

func ppid(pid int) (int, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	// The command name is in parentheses and may hold spaces.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 2 {
		return 0, false
	}
	pp, err := strconv.Atoi(f[1])
	return pp, err == nil
}

func rssMB(pid int) (float64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			if err != nil {
				return 0, err
			}
			return float64(kb) / 1024, nil
		}
	}
	return 0, errors.New("no VmRSS")
}

// RunQuiet runs a command with a timeout and returns its combined output.
func RunQuiet(ctx context.Context, timeout time.Duration, dir string, env []string, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	return strings.TrimSpace(string(out)), err
}
