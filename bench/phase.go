package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"
)

// PhaseResult is what one timed phase of a closed-loop load measured.
type PhaseResult struct {
	Calls    int
	Units    int // items or operations done (a batch counts its items)
	Errors   int
	Elapsed  time.Duration
	P50, P99 time.Duration
	FirstErr error
}

// PerSecond is the throughput in units per second.
func (r PhaseResult) PerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Units) / r.Elapsed.Seconds()
}

// RunPhase runs op from conc workers, each calling it back to back, for
// dur (or until maxCalls calls when maxCalls > 0), and records every
// call's latency. More than 1% failed calls fail the phase.
func RunPhase(ctx context.Context, conc int, dur time.Duration, maxCalls int, op func(context.Context, *rand.Rand) (int, error)) (PhaseResult, error) {
	type worker struct {
		lat    []time.Duration
		units  int
		errors int
		first  error
	}
	workers := make([]worker, conc)
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(dur)
	var mu sync.Mutex
	calls := 0
	take := func() bool {
		if maxCalls <= 0 {
			return true
		}
		mu.Lock()
		defer mu.Unlock()
		if calls >= maxCalls {
			return false
		}
		calls++
		return true
	}
	for i := range workers {
		wg.Add(1)
		go func(w *worker, seed uint64) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
			for time.Now().Before(deadline) && ctx.Err() == nil && take() {
				t := time.Now()
				n, err := op(ctx, r)
				w.lat = append(w.lat, time.Since(t))
				if err != nil {
					w.errors++
					if w.first == nil {
						w.first = err
					}
					continue
				}
				w.units += n
			}
		}(&workers[i], uint64(i+1))
	}
	wg.Wait()
	res := PhaseResult{Elapsed: time.Since(start)}
	var all []time.Duration
	for _, w := range workers {
		all = append(all, w.lat...)
		res.Units += w.units
		res.Errors += w.errors
		if res.FirstErr == nil {
			res.FirstErr = w.first
		}
	}
	res.Calls = len(all)
	res.P50 = Percentile(all, 0.50)
	res.P99 = Percentile(all, 0.99)
	if res.Calls == 0 {
		return res, fmt.Errorf("no call completed in %v", dur)
	}
	if res.Errors*100 > res.Calls {
		return res, fmt.Errorf("%d of %d calls failed: %v", res.Errors, res.Calls, res.FirstErr)
	}
	return res, nil
}
