package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"math/rand/v2"

	"github.com/coder/websocket"
)

const (
	groupWS       = "WebSocket API (Node handlers, postToConnection)"
	groupWSMemory = "Memory under the WebSocket scenario"
	groupWSMany   = "WebSocket, many open connections (Nimbus)"
)

// wsConn is one client connection with a reader that sorts what arrives.
type wsConn struct {
	c       *websocket.Conn
	replies chan wsMsg
	// bSeq and bAt record the last broadcast message received and when.
	bSeq atomic.Int64
	bAt  atomic.Int64
}

type wsMsg struct {
	ConnectionID string `json:"connectionId"`
	Action       string `json:"action"`
	Seq          *int   `json:"seq"`
	B            *int   `json:"b"`
}

func dialWS(ctx context.Context, url string) (*wsConn, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		return nil, err
	}
	c.SetReadLimit(1 << 20)
	w := &wsConn{c: c, replies: make(chan wsMsg, 16)}
	w.bSeq.Store(-1)
	go w.read()
	return w, nil
}

func (w *wsConn) read() {
	for {
		_, b, err := w.c.Read(context.Background())
		if err != nil {
			close(w.replies)
			return
		}
		var m wsMsg
		if json.Unmarshal(b, &m) != nil {
			continue
		}
		if m.B != nil {
			w.bAt.Store(time.Now().UnixNano())
			w.bSeq.Store(int64(*m.B))
			continue
		}
		select {
		case w.replies <- m:
		default:
		}
	}
}

func (w *wsConn) send(ctx context.Context, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return w.c.Write(ctx, websocket.MessageText, b)
}

// await waits for the next reply (not a broadcast).
func (w *wsConn) await(timeout time.Duration) (wsMsg, error) {
	select {
	case m, ok := <-w.replies:
		if !ok {
			return m, errors.New("connection closed")
		}
		return m, nil
	case <-time.After(timeout):
		return wsMsg{}, fmt.Errorf("no reply in %v", timeout)
	}
}

// openConns dials n connections from 32 workers and returns them with the
// time it took.
func openConns(ctx context.Context, url string, n int) ([]*wsConn, time.Duration, error) {
	conns := make([]*wsConn, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	var firstErr error
	var mu sync.Mutex
	start := time.Now()
	for range min(32, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				c, err := dialWS(ctx, url)
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("connection %d: %w", i, err)
					}
					mu.Unlock()
					return
				}
				conns[i] = c
			}
		}()
	}
	wg.Wait()
	took := time.Since(start)
	var ok []*wsConn
	for _, c := range conns {
		if c != nil {
			ok = append(ok, c)
		}
	}
	return ok, took, firstErr
}

func closeAll(conns []*wsConn) {
	for _, c := range conns {
		c.c.CloseNow()
	}
}

// ScenarioWebSocket measures connect rate, round trip through a route and
// broadcast to WSConns connections on Nimbus and serverless-offline, with
// the memory each uses; then Nimbus with WSMany connections.
func (h *Harness) ScenarioWebSocket(ctx context.Context) {
	h.logf("scenario 5+6: WebSocket, memory")
	slsApp := filepath.Join(h.root, "bench", "apps", "sls")
	if s, err := h.StartNimbus(ctx, NimbusOptions{Label: "sls app websocket", Template: slsApp, InMemory: true}, 3*time.Minute); err != nil {
		h.res.Fail(Figure{Scenario: "websocket", Group: groupWS, Metric: "connect rate", System: Nimbus, Unit: "conn/s", Better: Higher}, err)
	} else {
		stop := h.StartProfile(s, "websocket")
		apis, err := NimbusAPIs(s.URL)
		if err != nil || apis["WEBSOCKET"] == "" {
			h.res.Fail(Figure{Scenario: "websocket", Group: groupWS, Metric: "connect rate", System: Nimbus, Unit: "conn/s", Better: Higher}, fmt.Errorf("no WebSocket API in /_nimbus/apis: %v", err))
		} else {
			conns := h.wsScenario(ctx, s, apis["WEBSOCKET"])
			stop()
			stop = h.StartProfile(s, "websocket-many")
			h.wsMany(ctx, s, apis["WEBSOCKET"], conns)
		}
		stop()
		s.Stop()
	}
	if s, err := h.StartOffline(ctx, 2*time.Minute); err != nil {
		h.res.Fail(Figure{Scenario: "websocket", Group: groupWS, Metric: "connect rate", System: "serverless-offline", Unit: "conn/s", Better: Higher}, err)
	} else {
		closeAll(h.wsScenario(ctx, s, s.WSURL))
		s.Stop()
	}
}

// wsScenario runs the comparable WebSocket figures on one server and
// returns the connections it left open.
func (h *Harness) wsScenario(ctx context.Context, s *Server, url string) []*wsConn {
	sys := s.System
	fig := func(metric, unit string, better Better) Figure {
		return Figure{Scenario: "websocket", Group: groupWS, Metric: metric, System: sys, Unit: unit, Better: better}
	}
	n := h.cfg.WSConns
	before, _, _ := TreeRSS(s.Pid())
	h.res.Add(Figure{Scenario: "websocket", Group: groupWSMemory, Metric: "RSS before connections", System: sys, Unit: "MB", Better: Lower, Samples: []float64{before}})

	// Warm the $connect function up to the dialers' concurrency.
	warm, _, err := openConns(ctx, url, 32)
	closeAll(warm)
	if err != nil {
		h.res.Fail(fig("connect rate", "conn/s", Higher), err)
		h.logf("  %s websocket: %v", sys, err)
		return nil
	}
	time.Sleep(200 * time.Millisecond)

	var conns []*wsConn
	rate := fig(fmt.Sprintf("connect rate (%d connections, 32 dialers)", n), "conn/s", Higher)
	for rep := range h.cfg.Reps {
		cs, took, err := openConns(ctx, url, n)
		if err != nil {
			closeAll(cs)
			h.res.Fail(rate, err)
			h.logf("  %s websocket connect: %v", sys, err)
			return nil
		}
		rate.Samples = append(rate.Samples, float64(n)/took.Seconds())
		if rep == h.cfg.Reps-1 {
			conns = cs
		} else {
			closeAll(cs)
			time.Sleep(200 * time.Millisecond)
		}
	}
	h.res.Add(rate)
	tree, self, _ := TreeRSS(s.Pid())
	h.res.Add(Figure{Scenario: "websocket", Group: groupWSMemory, Metric: fmt.Sprintf("RSS with %d connections, with child processes", n), System: sys, Unit: "MB", Better: Lower, Samples: []float64{tree}})
	h.res.Add(Figure{Scenario: "websocket", Group: groupWSMemory, Metric: fmt.Sprintf("RSS with %d connections, server process", n), System: sys, Unit: "MB", Better: Lower, Samples: []float64{self}})

	// Connection ids, from the whoami route.
	ids := make([]string, len(conns))
	if _, err := RunPhase(ctx, 32, 5*time.Minute, len(conns), func() func(context.Context, *rand.Rand) (int, error) {
		var next atomic.Int64
		return func(ctx context.Context, _ *rand.Rand) (int, error) {
			i := int(next.Add(1)) - 1
			if err := conns[i].send(ctx, map[string]string{"action": "whoami"}); err != nil {
				return 0, err
			}
			m, err := conns[i].await(30 * time.Second)
			if err != nil {
				return 0, fmt.Errorf("whoami: %w", err)
			}
			ids[i] = m.ConnectionID
			return 1, nil
		}
	}()); err != nil {
		h.res.Fail(fig("broadcast to all, p99", "ms", Lower), err)
		h.logf("  %s whoami: %v", sys, err)
		return conns
	}

	// Round trip through the echo route (postToConnection back).
	p50, p99 := fig("round trip via route, p50", "ms", Lower), fig("round trip via route, p99", "ms", Lower)
	echo := func(count int) ([]time.Duration, error) {
		var lat []time.Duration
		for i := range count {
			t := time.Now()
			if err := conns[0].send(ctx, map[string]any{"action": "echo", "seq": i}); err != nil {
				return nil, err
			}
			m, err := conns[0].await(30 * time.Second)
			if err != nil {
				return nil, fmt.Errorf("echo: %w", err)
			}
			if m.Seq == nil || *m.Seq != i {
				return nil, fmt.Errorf("echo %d answered %+v", i, m)
			}
			lat = append(lat, time.Since(t))
		}
		return lat, nil
	}
	if _, err := echo(10); err != nil {
		h.res.Fail(p50, err)
	} else {
		for range h.cfg.Reps {
			lat, err := echo(h.cfg.WSRoundTrips)
			if err != nil {
				h.res.Fail(p50, err)
				break
			}
			p50.Samples = append(p50.Samples, ms(Percentile(lat, 0.5)))
			p99.Samples = append(p99.Samples, ms(Percentile(lat, 0.99)))
		}
		if len(p50.Samples) == h.cfg.Reps {
			h.res.Add(p50)
			h.res.Add(p99)
		}
	}

	// Broadcast: one message to every connection through postToConnection.
	bp50 := fig(fmt.Sprintf("broadcast to %d, p50 delivery", len(conns)), "ms", Lower)
	bp99 := fig(fmt.Sprintf("broadcast to %d, p99 delivery", len(conns)), "ms", Lower)
	ball := fig(fmt.Sprintf("broadcast to %d, all delivered", len(conns)), "ms", Lower)
	broadcast := func(seq int) ([]time.Duration, error) {
		t0 := time.Now()
		if err := conns[0].send(ctx, map[string]any{"action": "broadcast", "ids": ids, "message": map[string]int{"b": seq}}); err != nil {
			return nil, err
		}
		deadline := time.Now().Add(60 * time.Second)
		for time.Now().Before(deadline) {
			got := 0
			for _, c := range conns {
				if c.bSeq.Load() == int64(seq) {
					got++
				}
			}
			if got == len(conns) {
				lat := make([]time.Duration, len(conns))
				for i, c := range conns {
					lat[i] = time.Duration(c.bAt.Load() - t0.UnixNano())
				}
				return lat, nil
			}
			time.Sleep(time.Millisecond)
		}
		return nil, fmt.Errorf("broadcast %d not delivered to every connection in 60s", seq)
	}
	if _, err := broadcast(0); err != nil {
		h.res.Fail(bp99, err)
		h.logf("  %s broadcast: %v", sys, err)
	} else {
		for rep := range h.cfg.Reps {
			time.Sleep(100 * time.Millisecond)
			lat, err := broadcast(rep + 1)
			if err != nil {
				h.res.Fail(bp99, err)
				break
			}
			bp50.Samples = append(bp50.Samples, ms(Percentile(lat, 0.5)))
			bp99.Samples = append(bp99.Samples, ms(Percentile(lat, 0.99)))
			ball.Samples = append(ball.Samples, ms(Percentile(lat, 1)))
		}
		if len(bp99.Samples) == h.cfg.Reps {
			h.res.Add(bp50)
			h.res.Add(bp99)
			h.res.Add(ball)
		}
	}
	tree, self, _ = TreeRSS(s.Pid())
	h.res.Add(Figure{Scenario: "websocket", Group: groupWSMemory, Metric: "RSS after broadcasts, with child processes", System: sys, Unit: "MB", Better: Lower, Samples: []float64{tree}})
	h.res.Add(Figure{Scenario: "websocket", Group: groupWSMemory, Metric: "RSS after broadcasts, server process", System: sys, Unit: "MB", Better: Lower, Samples: []float64{self}})
	h.logf("  %-18s ws connect %s/s, round trip p50 %.2f ms, broadcast p99 %.1f ms, RSS %.0f MB (server %.0f MB)", sys,
		FormatValue(Summarize(rate.Samples).Median), Summarize(p50.Samples).Median, Summarize(bp99.Samples).Median, tree, self)
	return conns
}

// wsMany opens connections up to WSMany on Nimbus and records its RSS.
func (h *Harness) wsMany(ctx context.Context, s *Server, url string, open []*wsConn) {
	defer func() { closeAll(open) }()
	want := h.cfg.WSMany - len(open)
	f := Figure{Scenario: "websocket", Group: groupWSMany, Metric: fmt.Sprintf("RSS with %d open connections, with child processes", h.cfg.WSMany), System: Nimbus, Unit: "MB", Better: Lower}
	if want > 0 {
		more, took, err := openConns(ctx, url, want)
		open = append(open, more...)
		if err != nil {
			h.res.Fail(f, fmt.Errorf("%d of %d connections open: %w", len(open), h.cfg.WSMany, err))
			h.logf("  nimbus %d connections: %v", h.cfg.WSMany, err)
			return
		}
		h.res.Add(Figure{Scenario: "websocket", Group: groupWSMany, Metric: "connect rate while opening them", System: Nimbus, Unit: "conn/s", Better: Higher, Samples: []float64{float64(want) / took.Seconds()}})
	}
	time.Sleep(h.cfg.Settle)
	tree, self, err := TreeRSS(s.Pid())
	if err != nil {
		h.res.Fail(f, err)
		return
	}
	f.Samples = []float64{tree}
	h.res.Add(f)
	h.res.Add(Figure{Scenario: "websocket", Group: groupWSMany, Metric: fmt.Sprintf("RSS with %d open connections, server process", h.cfg.WSMany), System: Nimbus, Unit: "MB", Better: Lower, Samples: []float64{self}})
	h.logf("  nimbus %d connections: RSS %.0f MB (server %.0f MB)", len(open), tree, self)
}
