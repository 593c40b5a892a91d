package scheduler

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nimbus-dev/nimbus/internal/lambda/environment"
)

// TestMain doubles as a tiny custom runtime: started with
// NIMBUS_TEST_RUNTIME=1 it serves invocations from the Runtime API,
// sleeping for the number of milliseconds in the payload and answering
// with its process id.
func TestMain(m *testing.M) {
	if os.Getenv("NIMBUS_TEST_RUNTIME") == "1" {
		runtimeLoop()
		return
	}
	os.Exit(m.Run())
}

func runtimeLoop() {
	api := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime/invocation/"
	for {
		resp, err := http.Get(api + "next")
		if err != nil {
			os.Exit(1)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		ms, _ := strconv.Atoi(string(bytes.TrimSpace(body)))
		time.Sleep(time.Duration(ms) * time.Millisecond)
		id := resp.Header.Get("Lambda-Runtime-Aws-Request-Id")
		r, err := http.Post(api+id+"/response", "application/json", bytes.NewReader([]byte(strconv.Itoa(os.Getpid()))))
		if err != nil {
			os.Exit(1)
		}
		r.Body.Close()
	}
}

func testPool(t *testing.T, reserved int) *Pool {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cfg := environment.Config{
		FunctionName: "fn",
		Command:      []string{exe},
		Dir:          t.TempDir(),
		Env:          []string{"NIMBUS_TEST_RUNTIME=1"},
		Timeout:      10 * time.Second,
		Logger:       slog.New(slog.DiscardHandler),
	}
	p := NewPool(NewAccount(1000), cfg, reserved, slog.New(slog.DiscardHandler))
	t.Cleanup(p.Close)
	return p
}

var seq atomic.Int64

func invokeSleeping(t *testing.T, p *Pool, ms int) string {
	t.Helper()
	id := fmt.Sprintf("req-%d-%d", ms, seq.Add(1))
	res, err := p.Invoke(context.Background(), &environment.Invocation{RequestID: id, Payload: []byte(strconv.Itoa(ms))})
	if err != nil {
		t.Error(err)
		return ""
	}
	if res.FunctionError != "" {
		t.Errorf("function error: %s", res.Payload)
	}
	return string(res.Payload)
}

// TestShortBurstsReuseWarmEnvironments: many short invocations at once are
// served by a few environments that hand over to each other, not by one
// process per request.
func TestShortBurstsReuseWarmEnvironments(t *testing.T) {
	p := testPool(t, -1)
	// A generous wait keeps the test independent of the machine's load.
	p.SetWarmWait(time.Second)
	invokeSleeping(t, p, 0)
	var mu sync.Mutex
	pids := map[string]bool{}
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for range 10 {
				pid := invokeSleeping(t, p, 0)
				mu.Lock()
				pids[pid] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(pids) > 2 {
		t.Errorf("160 short invocations from 16 callers used %d environments; want warm reuse", len(pids))
	}
}

// TestSlowInvocationsStillScaleOut: invocations that take long each get an
// environment, so they run in parallel as on Lambda.
func TestSlowInvocationsStillScaleOut(t *testing.T) {
	p := testPool(t, -1)
	var mu sync.Mutex
	pids := map[string]bool{}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			pid := invokeSleeping(t, p, 300)
			mu.Lock()
			pids[pid] = true
			mu.Unlock()
		})
	}
	wg.Wait()
	if len(pids) != 4 {
		t.Errorf("4 concurrent 300 ms invocations used %d environments, want 4", len(pids))
	}
}

// TestReservedConcurrencyThrottles: with reserved concurrency 1 a second
// concurrent invocation is refused at once rather than queued.
func TestReservedConcurrencyThrottles(t *testing.T) {
	p := testPool(t, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		invokeSleeping(t, p, 300)
	}()
	time.Sleep(100 * time.Millisecond)
	_, err := p.Invoke(context.Background(), &environment.Invocation{RequestID: "second", Payload: []byte("0")})
	if err == nil || err.Error() != Throttled(ReasonReserved).Error() {
		t.Errorf("second invocation: %v, want %v", err, Throttled(ReasonReserved))
	}
	<-done
}

// TestCallerGivingUp: a caller whose context ends gets its error at once,
// on a warm environment and during a cold start alike, while the
// invocation runs to its end (as on Lambda) and its environment comes back
// to the pool for the next one.
func TestCallerGivingUp(t *testing.T) {
	p := testPool(t, -1)
	for _, phase := range []string{"cold", "warm"} {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		started := time.Now()
		_, err := p.Invoke(ctx, &environment.Invocation{RequestID: "gave-up-" + phase, Payload: []byte("300")})
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("%s: %v, want the context's error", phase, err)
		}
		if waited := time.Since(started); waited > 250*time.Millisecond {
			t.Errorf("%s: the caller waited %s for a 300 ms invocation it gave up on after 50 ms", phase, waited)
		}
		deadline := time.Now().Add(10 * time.Second)
		for {
			idle, busy := p.Stats()
			if idle == 1 && busy == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: the environment did not come back (idle %d, busy %d)", phase, idle, busy)
			}
			time.Sleep(10 * time.Millisecond)
		}
		if n := p.account.InUse(); n != 0 {
			t.Fatalf("%s: %d invocations still counted against the account", phase, n)
		}
	}
	first := invokeSleeping(t, p, 0)
	if second := invokeSleeping(t, p, 0); first != second {
		t.Errorf("the next invocations ran in processes %s and %s; want the one environment reused", first, second)
	}
}
