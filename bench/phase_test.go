package main

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestRunPhaseCountsUnits(t *testing.T) {
	var calls atomic.Int64
	res, err := RunPhase(context.Background(), 4, time.Second, 100, func(context.Context, *rand.Rand) (int, error) {
		calls.Add(1)
		return 25, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Calls != 100 || calls.Load() != 100 || res.Units != 2500 {
		t.Errorf("calls %d (op saw %d), units %d; want 100, 100, 2500", res.Calls, calls.Load(), res.Units)
	}
	if res.PerSecond() <= 0 {
		t.Errorf("PerSecond = %v", res.PerSecond())
	}
}

func TestRunPhaseFailsOnErrors(t *testing.T) {
	boom := errors.New("boom")
	_, err := RunPhase(context.Background(), 2, time.Second, 50, func(_ context.Context, r *rand.Rand) (int, error) {
		if r.IntN(2) == 0 {
			return 0, boom
		}
		return 1, nil
	})
	if err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("err = %v, want the op's error reported", err)
	}
}

func TestRunPhaseStopsAtDeadline(t *testing.T) {
	start := time.Now()
	res, err := RunPhase(context.Background(), 2, 50*time.Millisecond, 0, func(context.Context, *rand.Rand) (int, error) {
		time.Sleep(time.Millisecond)
		return 1, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el > time.Second {
		t.Errorf("phase ran %v past a 50ms bound", el)
	}
	if res.P50 < time.Millisecond || res.P99 < res.P50 {
		t.Errorf("p50 %v p99 %v", res.P50, res.P99)
	}
}
