package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nimbus-dev/nimbus/internal/apigateway/gateway"
	"github.com/nimbus-dev/nimbus/internal/app"
	"github.com/nimbus-dev/nimbus/internal/httpserve"
	"github.com/nimbus-dev/nimbus/internal/invoke"
	"github.com/nimbus-dev/nimbus/internal/lambda"
)

// startLambda runs the Go test function (../gateway/testdata/gofn) in
// Nimbus's Lambda service, built from source as `nimbus up` would.
func startLambda(tb testing.TB) invoke.Invoker {
	tb.Helper()
	dir, err := filepath.Abs("../gateway/testdata/gofn")
	if err != nil {
		tb.Fatal(err)
	}
	svc, err := lambda.New(lambda.Options{DataDir: tb.TempDir(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = svc.Shutdown(ctx)
	})
	fn := &app.Function{Name: "gofn", Runtime: "provided.al2023", Handler: "bootstrap", CodeDir: dir, Timeout: 10 * time.Second, MemorySize: 128}
	if err := svc.Apply(context.Background(), []*app.Function{fn}, nil); err != nil {
		tb.Fatal(err)
	}
	return svc
}

func TestEndToEndGoLambda(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a Go function")
	}
	inv := startLambda(t)
	base := serve(t, httpAPI(lambdaRoute("GET /hello", "gofn"), lambdaRoute("GET /inferred", "gofn"), lambdaRoute("$default", "gofn")), inv)
	r := do(t, "GET", base+"/hello", nil, nil)
	if r.status != 200 || r.body != "hello" || r.header.Get("Content-Type") != "text/plain" {
		t.Fatalf("/hello: %d %q %v", r.status, r.body, r.header)
	}
	r = do(t, "GET", base+"/inferred", nil, nil)
	var got map[string]string
	if r.status != 200 || json.Unmarshal([]byte(r.body), &got) != nil || got["method"] != "GET" || r.header.Get("Content-Type") != "application/json" {
		t.Fatalf("/inferred: %d %q %v", r.status, r.body, r.header)
	}
	r = do(t, "DELETE", base+"/elsewhere", nil, nil)
	if r.status != 404 || r.body != "no route in function" {
		t.Fatalf("$default: %d %q", r.status, r.body)
	}
}

// BenchmarkHTTPAPIGoLambda measures HTTP API → Go Lambda → 200 over a real
// listener set up as Nimbus sets up an API port, with keep-alive
// connections (target > 8,000 req/s on 2 cores). It drives the load with
// wrk when wrk is installed (apt-get install wrk) and with a Go client loop
// otherwise. With wrk it also reports the CPU time per request of this
// process (the gateway and Lambda service: cpu-µs/req) and of the function
// processes (fn-cpu-µs/req), which vary less with the machine's load than
// the request rate does.
func BenchmarkHTTPAPIGoLambda(b *testing.B) {
	inv := startLambda(b)
	g, err := New(httpAPI(lambdaRoute("GET /hello", "gofn")), inv, Options{})
	if err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := httpserve.New(ln, g, httpserve.Options{WrapPlain: gateway.PreserveHeaderCase, ConnContext: gateway.ConnContext})
	srv.Start()
	defer srv.Close()
	base := "http://" + ln.Addr().String()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, MaxConnsPerHost: 64}}
	get := func() error {
		resp, err := client.Get(base + "/hello")
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return fmt.Errorf("status %d", resp.StatusCode)
		}
		return nil
	}
	// Warm the environments the run will use.
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() { defer wg.Done(); _ = get() }()
	}
	wg.Wait()
	if wrk, err := exec.LookPath("wrk"); err == nil {
		b.ResetTimer()
		cpu0 := cpuTime()
		fn0, fnOK := childrenCPU()
		rps, n, err := runWrk(wrk, base+"/hello", time.Duration(b.N)*time.Millisecond)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(rps, "req/s")
		if n > 0 {
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(n), "cpu-µs/req")
			if fn1, ok := childrenCPU(); ok && fnOK {
				b.ReportMetric(float64((fn1-fn0).Microseconds())/float64(n), "fn-cpu-µs/req")
			}
		}
		return
	}
	b.SetParallelism(8)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := get(); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
}

// runWrk runs wrk with 2 threads and 32 keep-alive connections for at
// least a second and returns its Requests/sec and request count, failing
// on non-2xx answers.
func runWrk(wrk, url string, d time.Duration) (rps float64, requests int, err error) {
	secs := max(1, int(d.Seconds()))
	out, err := exec.Command(wrk, "-t2", "-c32", "-d"+strconv.Itoa(secs)+"s", url).CombinedOutput()
	if err != nil {
		return 0, 0, fmt.Errorf("wrk: %v\n%s", err, out)
	}
	if strings.Contains(string(out), "Non-2xx") {
		return 0, 0, fmt.Errorf("wrk saw errors:\n%s", out)
	}
	m := regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`).FindSubmatch(out)
	if m == nil {
		return 0, 0, fmt.Errorf("no Requests/sec in wrk output:\n%s", out)
	}
	if c := regexp.MustCompile(`(\d+) requests in`).FindSubmatch(out); c != nil {
		requests, _ = strconv.Atoi(string(c[1]))
	}
	rps, err = strconv.ParseFloat(string(m[1]), 64)
	return rps, requests, err
}

// fixedInvoker answers every invocation at once with the same payload, so
// a benchmark measures the gateway alone.
type fixedInvoker struct{ payload []byte }

func (f fixedInvoker) Invoke(context.Context, *invoke.Request) (*invoke.Response, error) {
	return &invoke.Response{StatusCode: 200, Payload: f.payload}, nil
}

// BenchmarkGatewayOverhead measures what the gateway adds to one request
// (routing, the 2.0 event, the response mapping), with a function that
// answers instantly; it reports p50 and p99 (target p50 < 200 µs).
func BenchmarkGatewayOverhead(b *testing.B) {
	g, err := New(httpAPI(lambdaRoute("GET /items/{id}", "fn")), fixedInvoker{[]byte(`{"statusCode":200,"headers":{"content-type":"application/json"},"body":"{\"ok\":true}"}`)}, Options{})
	if err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/items/42?x=1", nil)
	req.Header.Set("User-Agent", "bench")
	req.Header.Set("Accept", "*/*")
	durations := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		w := httptest.NewRecorder()
		t0 := time.Now()
		g.ServeHTTP(w, req)
		durations = append(durations, time.Since(t0))
		if w.Code != 200 {
			b.Fatalf("status %d", w.Code)
		}
	}
	b.StopTimer()
	sort.Slice(durations, func(i, j int) bool { return durations[i] < durations[j] })
	b.ReportMetric(float64(durations[len(durations)/2].Nanoseconds())/1e3, "p50-µs")
	b.ReportMetric(float64(durations[len(durations)*99/100].Nanoseconds())/1e3, "p99-µs")
}

// BenchmarkLambdaInvokeBaseline invokes the Go test function directly,
// without a gateway: the ceiling BenchmarkHTTPAPIGoLambda is measured
// against.
func BenchmarkLambdaInvokeBaseline(b *testing.B) {
	inv := startLambda(b)
	p := []byte(`{"version":"2.0","rawPath":"/hello"}`)
	for range 8 {
		_, _ = inv.Invoke(context.Background(), &invoke.Request{FunctionName: "gofn", Payload: p})
	}
	b.SetParallelism(8)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := inv.Invoke(context.Background(), &invoke.Request{FunctionName: "gofn", Payload: p}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
}
