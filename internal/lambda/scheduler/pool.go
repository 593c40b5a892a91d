package scheduler

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/nimbus-dev/nimbus/internal/invoke"
	"github.com/nimbus-dev/nimbus/internal/lambda/environment"
)

// Throttle reasons, as Lambda reports them in TooManyRequestsException.
const (
	ReasonReserved = "ReservedFunctionConcurrentInvocationLimitExceeded"
	ReasonAccount  = "ConcurrentInvocationLimitExceeded"
)

// Pool holds the environments of one function.
type Pool struct {
	account *Account
	logger  *slog.Logger

	mu       sync.Mutex
	cfg      environment.Config
	gen      int
	reserved int // < 0: unset
	idle     []*member
	all      map[*member]struct{}
	busy     int
	closed   bool
	// waiters are invocations waiting briefly for a busy environment to
	// come free before they start a new one (see WarmWait).
	waiters  []chan *member
	warmWait time.Duration
}

// WarmWait is how long an invocation that finds no idle environment waits
// for a busy one to finish before starting a new environment. Under a burst
// of short invocations this reuses a few warm environments instead of
// starting one process per concurrent request, which on a small machine
// costs more CPU than the invocations themselves; a slow function still
// scales out after this short delay, as on Lambda.
const WarmWait = 3 * time.Millisecond

type member struct {
	env      *environment.Env
	gen      int
	lastUsed time.Time
}

// NewPool returns a pool starting environments from cfg. reserved < 0
// means no reserved concurrency.
func NewPool(account *Account, cfg environment.Config, reserved int, logger *slog.Logger) *Pool {
	return &Pool{account: account, cfg: cfg, reserved: reserved, logger: logger, all: map[*member]struct{}{}, warmWait: WarmWait}
}

// SetWarmWait changes how long invocations wait for a busy environment
// (WarmWait by default; 0 starts a new environment at once).
func (p *Pool) SetWarmWait(d time.Duration) {
	p.mu.Lock()
	p.warmWait = d
	p.mu.Unlock()
}

// Throttled is the Invoke API's error for a refused invocation.
func Throttled(reason string) *invoke.Error {
	return &invoke.Error{Type: "TooManyRequestsException", Message: "Rate Exceeded.", StatusCode: http.StatusTooManyRequests, Reason: reason}
}

// Invoke runs inv on a warm environment or a new one. A function failure is
// a Result with FunctionError set; an error means the invocation did not
// run (throttled, pool closed, init failure other than the function's).
// When ctx ends first, Invoke returns ctx's error at once and the
// invocation goes on, as on Lambda; its environment returns to the pool
// when it ends. A warm invocation runs on the caller's goroutine.
func (p *Pool) Invoke(ctx context.Context, inv *environment.Invocation) (*environment.Result, error) {
	m, cfg, gen, err := p.acquire()
	if err != nil {
		return nil, err
	}
	if m == nil {
		return detached(ctx, func() (*environment.Result, error) { return p.invokeNew(cfg, gen, inv, 0) })
	}
	m.env.Begin(inv)
	if res, err, ok := m.env.Wait(inv, ctx.Done()); ok {
		return p.settle(ctx, m, cfg, gen, inv, res, err, 0)
	}
	go func() {
		res, err, _ := m.env.Wait(inv, nil)
		_, _ = p.settle(context.Background(), m, cfg, gen, inv, res, err, 0)
	}()
	return nil, ctx.Err()
}

// detached runs f to its end, and returns its outcome or, if ctx ends
// first, ctx's error while f goes on.
func detached(ctx context.Context, f func() (*environment.Result, error)) (*environment.Result, error) {
	if ctx.Done() == nil {
		return f()
	}
	type outcome struct {
		res *environment.Result
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := f()
		done <- outcome{res, err}
	}()
	select {
	case o := <-done:
		return o.res, o.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// settle ends an invocation that ran on m, which goes back to the pool
// unless the invocation failed it. An invocation the runtime never took
// runs once more on a new environment (attempt 1).
func (p *Pool) settle(ctx context.Context, m *member, cfg environment.Config, gen int, inv *environment.Invocation, res *environment.Result, err error, attempt int) (*environment.Result, error) {
	if errors.Is(err, environment.ErrNotDelivered) && attempt == 0 {
		p.discard(m)
		return detached(ctx, func() (*environment.Result, error) { return p.invokeNew(cfg, gen, inv, 1) })
	}
	defer p.account.release()
	if err != nil {
		p.discard(m)
		p.release(nil)
		return nil, err
	}
	if res.Fatal {
		p.discard(m)
		m = nil
	}
	p.release(m)
	return res, nil
}

// invokeNew starts an environment from cfg and runs inv on it. The init
// phase goes on if the caller gives up, as the invocation does.
func (p *Pool) invokeNew(cfg environment.Config, gen int, inv *environment.Invocation, attempt int) (*environment.Result, error) {
	env, err := environment.Start(context.Background(), cfg, inv.RequestID)
	if err != nil {
		p.account.release()
		p.release(nil)
		var ie *environment.InitError
		if errors.As(err, &ie) {
			return ie.Result, nil
		}
		return nil, err
	}
	m := &member{env: env, gen: gen}
	if !p.track(m) {
		env.Stop()
		p.account.release()
		p.release(nil)
		return nil, errClosed
	}
	res, err := env.Invoke(inv)
	return p.settle(context.Background(), m, cfg, gen, inv, res, err, attempt)
}

var errClosed = &invoke.Error{Type: "ServiceException", Message: "The function is being shut down.", StatusCode: http.StatusInternalServerError}

// acquire reserves concurrency and takes a warm environment when one is
// idle or comes free within WarmWait; m is nil when a new environment must
// be started from cfg.
func (p *Pool) acquire() (m *member, cfg environment.Config, gen int, err error) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, cfg, 0, errClosed
	}
	if p.reserved >= 0 && p.busy >= p.reserved {
		p.mu.Unlock()
		return nil, cfg, 0, Throttled(ReasonReserved)
	}
	if !p.account.acquire() {
		p.mu.Unlock()
		return nil, cfg, 0, Throttled(ReasonAccount)
	}
	p.busy++
	for len(p.idle) > 0 {
		m = p.idle[len(p.idle)-1]
		p.idle = p.idle[:len(p.idle)-1]
		select {
		case <-m.env.Exited():
			p.forget(m)
			m = nil
			continue
		default:
		}
		cfg, gen = p.cfg, p.gen
		p.mu.Unlock()
		return m, cfg, gen, nil
	}
	if p.busy == 1 || p.warmWait <= 0 {
		// Nothing runs that could come free: start at once.
		cfg, gen = p.cfg, p.gen
		p.mu.Unlock()
		return nil, cfg, gen, nil
	}
	ch := make(chan *member, 1)
	p.waiters = append(p.waiters, ch)
	wait := p.warmWait
	p.mu.Unlock()

	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case m = <-ch:
	case <-timer.C:
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if m == nil {
		if i := slices.Index(p.waiters, ch); i >= 0 {
			p.waiters = slices.Delete(p.waiters, i, i+1)
		} else {
			// Handed an environment just as the wait ended.
			m = <-ch
		}
	}
	return m, p.cfg, p.gen, nil
}

// release ends an invocation; m, when not nil, goes back to the warm pool
// unless its generation is stale.
func (p *Pool) release(m *member) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.busy--
	if m == nil {
		return
	}
	if p.closed || m.gen != p.gen {
		p.forget(m)
		go m.env.Stop()
		return
	}
	m.lastUsed = time.Now()
	if len(p.waiters) > 0 {
		ch := p.waiters[0]
		p.waiters = slices.Delete(p.waiters, 0, 1)
		ch <- m
		return
	}
	p.idle = append(p.idle, m)
}

func (p *Pool) track(m *member) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.all[m] = struct{}{}
	return true
}

func (p *Pool) forget(m *member) { delete(p.all, m) }

func (p *Pool) discard(m *member) {
	m.env.Stop()
	p.mu.Lock()
	p.forget(m)
	p.mu.Unlock()
}

// Recycle replaces the configuration new environments start from: idle
// environments stop now, busy ones when their invocation ends, so no
// in-flight invocation fails.
func (p *Pool) Recycle(cfg environment.Config, reserved int) {
	p.mu.Lock()
	p.cfg = cfg
	p.reserved = reserved
	p.gen++
	idle := p.idle
	p.idle = nil
	for _, m := range idle {
		p.forget(m)
	}
	p.mu.Unlock()
	for _, m := range idle {
		go m.env.Stop()
	}
}

// SetReserved changes the reserved concurrency (< 0: unset).
func (p *Pool) SetReserved(reserved int) {
	p.mu.Lock()
	p.reserved = reserved
	p.mu.Unlock()
}

// Reap stops environments idle for longer than keepAlive.
func (p *Pool) Reap(keepAlive time.Duration) {
	cutoff := time.Now().Add(-keepAlive)
	p.mu.Lock()
	var stale []*member
	kept := p.idle[:0]
	for _, m := range p.idle {
		if m.lastUsed.Before(cutoff) {
			stale = append(stale, m)
			p.forget(m)
		} else {
			kept = append(kept, m)
		}
	}
	clear(p.idle[len(kept):])
	p.idle = kept
	p.mu.Unlock()
	for _, m := range stale {
		m.env.Stop()
	}
}

// PreWarm starts environments until n are idle. Init failures are logged.
func (p *Pool) PreWarm(ctx context.Context, n int) {
	for {
		p.mu.Lock()
		if p.closed || len(p.idle) >= n {
			p.mu.Unlock()
			return
		}
		cfg, gen := p.cfg, p.gen
		p.mu.Unlock()
		env, err := environment.Start(ctx, cfg, "")
		if err != nil {
			p.logger.Warn("pre-warm failed", "function", cfg.FunctionName, "error", err)
			return
		}
		m := &member{env: env, gen: gen, lastUsed: time.Now()}
		p.mu.Lock()
		if p.closed || gen != p.gen {
			p.mu.Unlock()
			env.Stop()
			return
		}
		p.all[m] = struct{}{}
		p.idle = append(p.idle, m)
		p.mu.Unlock()
	}
}

// Stats reports the pool's environments: idle and in use.
func (p *Pool) Stats() (idle, busy int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.idle), p.busy
}

// Close stops every environment, busy ones included (their invocations
// end with Runtime.ExitError), and refuses new invocations.
func (p *Pool) Close() {
	p.mu.Lock()
	p.closed = true
	all := make([]*member, 0, len(p.all))
	for m := range p.all {
		all = append(all, m)
	}
	p.all = map[*member]struct{}{}
	p.idle = nil
	p.mu.Unlock()
	for _, m := range all {
		m.env.Stop()
	}
}
