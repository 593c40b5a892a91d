package websocket

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	"github.com/coder/websocket"
)

// raiseFDLimit lifts the open-file soft limit to the hard limit (and the
// hard limit too when allowed), for benchmarks holding thousands of
// sockets.
func raiseFDLimit(tb testing.TB, want uint64) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		tb.Fatal(err)
	}
	if lim.Max < want {
		lim.Max = want // allowed for root only
	}
	lim.Cur = min(want, lim.Max)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		lim.Max = 0
		_ = syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim)
		lim.Cur = lim.Max
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
	}
	_ = syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim)
	if lim.Cur < want {
		tb.Skipf("open-file limit %d is below the %d this benchmark needs (raise it with ulimit -n)", lim.Cur, want)
	}
}

// rssBytes reads this process's resident set size.
func rssBytes(tb testing.TB) uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		tb.Skip("resident memory is read from /proc (Linux only)")
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseUint(f[1], 10, 64)
			return kb * 1024
		}
	}
	tb.Fatal("no VmRSS in /proc/self/status")
	return 0
}

const (
	helperURLEnv = "NIMBUS_WS_HELPER_URL"
	helperNEnv   = "NIMBUS_WS_HELPER_N"
)

// TestHelperWSClients is not a test: it is the client process of
// BenchmarkOpenConnections, run by re-executing the test binary, so the
// server's memory is measured without the clients'.
func TestHelperWSClients(t *testing.T) {
	url := os.Getenv(helperURLEnv)
	if url == "" {
		t.Skip("client process of BenchmarkOpenConnections")
	}
	n, _ := strconv.Atoi(os.Getenv(helperNEnv))
	raiseFDLimit(t, uint64(n)+256)
	conns := make([]*websocket.Conn, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 64)
	var failed error
	var mu sync.Mutex
	for i := range conns {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			c, _, err := websocket.Dial(ctx, url, nil)
			if err != nil {
				mu.Lock()
				failed = err
				mu.Unlock()
				return
			}
			conns[i] = c
		}()
	}
	wg.Wait()
	if failed != nil {
		fmt.Println("error", failed)
		os.Exit(1)
	}
	fmt.Println("ready")
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n') // until the parent closes stdin
	os.Exit(0)
}

// BenchmarkOpenConnections holds 10,000 open connections (each through
// $connect) and reports the server's resident memory. Target: < 500 MB.
func BenchmarkOpenConnections(b *testing.B) {
	const n = 10000
	raiseFDLimit(b, n+1024)
	inv := &funcInvoker{}
	ok := func(context.Context, events.APIGatewayWebsocketProxyRequest, []byte) (any, error) {
		return map[string]any{"statusCode": 200}, nil
	}
	inv.set("connect", ok)
	inv.set("disconnect", ok)
	e := newEnv(b, chatAPI(), inv, Options{})
	runtime.GC()
	base := rssBytes(b)
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperWSClients$", "-test.count=1")
		cmd.Env = append(os.Environ(), helperURLEnv+"="+e.wsURL(""), helperNEnv+"="+strconv.Itoa(n))
		stdin, _ := cmd.StdinPipe()
		stdout, _ := cmd.StdoutPipe()
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		if strings.TrimSpace(line) != "ready" {
			_ = cmd.Process.Kill()
			b.Fatalf("client process: %q", line)
		}
		waitFor(b, func() bool { return e.gw.Connections() == n })
		elapsed := time.Since(start)
		runtime.GC()
		rss := rssBytes(b)
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(rss)/(1<<20), "MB-rss")
		b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "MB-heap")
		b.ReportMetric(float64(ms.StackInuse)/(1<<20), "MB-stacks")
		b.ReportMetric(float64(rss-base)/n/1024, "KB/conn")
		b.ReportMetric(n/elapsed.Seconds(), "handshakes/s")
		_ = stdin.Close()
		_ = cmd.Wait()
		waitFor(b, func() bool { return e.gw.Connections() == 0 })
	}
}

// percentile returns the p-th percentile of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted)-1) * p)
	return sorted[i]
}

// BenchmarkBroadcast1000 sends one message to 1,000 connections of a room
// through PostToConnection from a route handler (8 SDK calls in flight, as
// a handler bounding its fan-out below the SDK client's 10 idle
// connections would). It reports the latency of each
// delivery from its PostToConnection call to the client's receipt
// ("post-p99-ms"), and from the broadcast's first call ("p99-ms", when the
// last member has it). Target: all delivered, p99 < 100 ms.
func BenchmarkBroadcast1000(b *testing.B) {
	const n = 1000
	raiseFDLimit(b, 2*n+1024)
	ids := make(chan string, n+1)
	var start atomic.Int64 // unix nanoseconds of the first post
	posted := make([]atomic.Int64, n)
	index := map[string]int{}
	inv := &funcInvoker{}
	inv.set("connect", func(_ context.Context, ev events.APIGatewayWebsocketProxyRequest, _ []byte) (any, error) {
		ids <- ev.RequestContext.ConnectionID
		return map[string]any{"statusCode": 200}, nil
	})
	var e *env
	var room []string
	inv.set("send", func(ctx context.Context, ev events.APIGatewayWebsocketProxyRequest, _ []byte) (any, error) {
		client := e.mgmt()
		start.Store(time.Now().UnixNano())
		work := make(chan string)
		errs := make(chan error, 1)
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for id := range work {
					posted[index[id]].Store(time.Now().UnixNano())
					if _, err := client.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: aws.String(id), Data: []byte("broadcast")}); err != nil {
						select {
						case errs <- err:
						default:
						}
					}
				}
			}()
		}
		for _, id := range room {
			work <- id
		}
		close(work)
		wg.Wait()
		select {
		case err := <-errs:
			return nil, err
		default:
		}
		return map[string]any{"statusCode": 200}, nil
	})
	e = newEnv(b, chatAPI(), inv, Options{})

	// Each member reads continuously and reports when each message lands.
	type arrival struct{ sinceStart, sincePost time.Duration }
	arrivals := make(chan arrival, n)
	for i := range n {
		c := e.dial("", nil)
		id := <-ids
		room = append(room, id)
		index[id] = i
		go func() {
			for {
				_, data, err := c.Read(context.Background())
				if err != nil {
					return
				}
				if string(data) == "broadcast" {
					now := time.Now().UnixNano()
					arrivals <- arrival{time.Duration(now - start.Load()), time.Duration(now - posted[i].Load())}
				}
			}
		}()
	}
	sender := e.dial("", nil)
	<-ids

	fromStart := make([]time.Duration, 0, n*b.N)
	fromPost := make([]time.Duration, 0, n*b.N)
	b.ResetTimer()
	for range b.N {
		if err := sender.Write(context.Background(), websocket.MessageText, []byte(`{"action":"send-message"}`)); err != nil {
			b.Fatal(err)
		}
		timeout := time.After(30 * time.Second)
		for got := 0; got < n; got++ {
			select {
			case a := <-arrivals:
				fromStart = append(fromStart, a.sinceStart)
				fromPost = append(fromPost, a.sincePost)
			case <-timeout:
				b.Fatalf("only %d of %d delivered", got, n)
			}
		}
	}
	b.StopTimer()
	slices.Sort(fromStart)
	slices.Sort(fromPost)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(percentile(fromPost, 0.50)), "post-p50-ms")
	b.ReportMetric(ms(percentile(fromPost, 0.99)), "post-p99-ms")
	b.ReportMetric(ms(percentile(fromStart, 0.50)), "p50-ms")
	b.ReportMetric(ms(percentile(fromStart, 0.99)), "p99-ms")
	b.ReportMetric(ms(fromStart[len(fromStart)-1]), "max-ms")
	b.ReportMetric(float64(len(fromStart))/float64(b.N), "delivered/op")
}

// BenchmarkPostToConnection measures the server side of one
// PostToConnection: a raw keep-alive HTTP POST (no SDK) delivered to a
// client that reads continuously.
func BenchmarkPostToConnection(b *testing.B) {
	ids := make(chan string, 1)
	inv := &funcInvoker{}
	inv.set("connect", func(_ context.Context, ev events.APIGatewayWebsocketProxyRequest, _ []byte) (any, error) {
		ids <- ev.RequestContext.ConnectionID
		return map[string]any{"statusCode": 200}, nil
	})
	e := newEnv(b, chatAPI(), inv, Options{})
	c := e.dial("", nil)
	id := <-ids
	var got atomic.Int64
	go func() {
		for {
			if _, _, err := c.Read(context.Background()); err != nil {
				return
			}
			got.Add(1)
		}
	}()
	url := e.url + "/production/@connections/" + id
	client := &http.Client{}
	body := []byte(`{"type":"message","message":"hello"}`)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		resp, err := client.Post(url, "application/json", bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
	waitFor(b, func() bool { return got.Load() == int64(b.N) })
}

// roundTrips measures client → route → handler → PostToConnection →
// client, b.N times, and reports percentiles.
func roundTrips(b *testing.B, c *websocket.Conn) {
	lat := make([]time.Duration, 0, b.N)
	ctx := context.Background()
	msg := []byte(`{"action":"echo","n":1}`)
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		if err := c.Write(ctx, websocket.MessageText, msg); err != nil {
			b.Fatal(err)
		}
		if _, _, err := c.Read(ctx); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(percentile(lat, 0.50).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(percentile(lat, 0.99).Microseconds())/1000, "p99-ms")
}

// BenchmarkRoundTrip uses an in-process Go handler that posts back through
// the management API over HTTP with the SDK.
func BenchmarkRoundTrip(b *testing.B) {
	inv := &funcInvoker{}
	var e *env
	var client *apigatewaymanagementapi.Client
	inv.set("default", func(ctx context.Context, ev events.APIGatewayWebsocketProxyRequest, _ []byte) (any, error) {
		_, err := client.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: aws.String(ev.RequestContext.ConnectionID), Data: []byte(ev.Body)})
		return map[string]any{"statusCode": 200}, err
	})
	api := chatAPI()
	api.Routes = api.Routes[2:3]
	e = newEnv(b, api, inv, Options{})
	client = e.mgmt()
	roundTrips(b, e.dial("", nil))
}

// BenchmarkRoundTripGoLambda runs the handler as a real Go Lambda
// (testdata/chatfn "echo") in the Lambda service. Target: p50 < 2 ms.
func BenchmarkRoundTripGoLambda(b *testing.B) {
	e, _ := seed003(b, map[string]string{"$default": "echo"})
	c := e.dial("", nil)
	// Warm the execution environment first.
	if err := c.Write(context.Background(), websocket.MessageText, []byte("warm")); err != nil {
		b.Fatal(err)
	}
	if _, _, err := c.Read(context.Background()); err != nil {
		b.Fatal(err)
	}
	roundTrips(b, c)
}
