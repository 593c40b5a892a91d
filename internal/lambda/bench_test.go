package lambda

import (
	"context"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nimbus-dev/nimbus/internal/app"
	"github.com/nimbus-dev/nimbus/internal/invoke"
)

// postInvoke is one Invoke API call with a keep-alive client.
func postInvoke(b *testing.B, client *http.Client, url, payload string) {
	resp, err := client.Post(url, "application/json", strings.NewReader(payload))
	if err != nil {
		b.Fatal(err)
	}
	var buf [512]byte
	for {
		if _, err := resp.Body.Read(buf[:]); err != nil {
			break
		}
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("X-Amz-Function-Error") != "" {
		b.Fatalf("status %d", resp.StatusCode)
	}
}

// BenchmarkWarmInvokeGo measures a warm invocation of a Go provided
// function through the Invoke API (HTTP on loopback), reporting p50/p99
// and the CPU time of this process (service and client) per invocation.
func BenchmarkWarmInvokeGo(b *testing.B) {
	h := newHarness(b, Options{})
	if err := h.svc.Apply(context.Background(), []*app.Function{goFunction(b, "bench")}, nil); err != nil {
		b.Fatal(err)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	url := h.url + "/2015-03-31/functions/bench/invocations"
	postInvoke(b, client, url, `{"value":1}`)
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	cpu0 := cpuTime()
	for b.Loop() {
		start := time.Now()
		postInvoke(b, client, url, `{"value":1}`)
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(len(lat)), "cpu-µs/op")
	reportPercentiles(b, lat)
}

func reportPercentiles(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}

// BenchmarkInvokeThroughput measures invocations per second through the
// Invoke API at concurrency 2 and 32 (environments scale to the load).
func BenchmarkInvokeThroughput(b *testing.B) {
	for _, conc := range []int{2, 32} {
		b.Run("concurrency="+itoa(conc), func(b *testing.B) {
			h := newHarness(b, Options{})
			if err := h.svc.Apply(context.Background(), []*app.Function{goFunction(b, "tput")}, nil); err != nil {
				b.Fatal(err)
			}
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conc * 2}}
			url := h.url + "/2015-03-31/functions/tput/invocations"
			var wg sync.WaitGroup
			for range conc {
				wg.Add(1)
				go func() { defer wg.Done(); postInvoke(b, client, url, `{}`) }()
			}
			wg.Wait()
			b.ResetTimer()
			start, cpu0 := time.Now(), cpuTime()
			next := make(chan struct{}, conc)
			go func() {
				for i := 0; i < b.N; i++ {
					next <- struct{}{}
				}
				close(next)
			}()
			for range conc {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range next {
						postInvoke(b, client, url, `{}`)
					}
				}()
			}
			wg.Wait()
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "invokes/s")
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
		})
	}
}

// BenchmarkColdStart measures starting a new environment and running its
// first invocation (in-process Invoke, environments recycled each time).
func BenchmarkColdStart(b *testing.B) {
	cases := map[string]func(b *testing.B) *app.Function{
		"go": func(b *testing.B) *app.Function { return goFunction(b, "cold") },
		"node": func(b *testing.B) *app.Function {
			requireTool(b, "node", nodeInstall)
			dir := writeFiles(b, map[string]string{"index.mjs": "export const handler = async (e) => e;"})
			return nodeFunction("cold", dir, "index.handler")
		},
		"node-cjs": func(b *testing.B) *app.Function {
			requireTool(b, "node", nodeInstall)
			dir := writeFiles(b, map[string]string{"index.js": "exports.handler = async (e) => e;"})
			return nodeFunction("cold", dir, "index.handler")
		},
	}
	for _, name := range []string{"go", "node", "node-cjs"} {
		b.Run(name, func(b *testing.B) {
			h := newHarness(b, Options{})
			fn := cases[name](b)
			if err := h.svc.Apply(context.Background(), []*app.Function{fn}, nil); err != nil {
				b.Fatal(err)
			}
			f := h.svc.functions["cold"]
			req := &invoke.Request{FunctionName: "cold", Payload: []byte(`{}`)}
			lat := make([]time.Duration, 0, b.N)
			for b.Loop() {
				b.StopTimer()
				f.pool.Recycle(h.svc.envConfig(f), -1)
				b.StartTimer()
				start := time.Now()
				resp, err := h.svc.Invoke(context.Background(), req)
				if err != nil || resp.FunctionError != "" {
					b.Fatalf("%v %s", err, resp.Payload)
				}
				lat = append(lat, time.Since(start))
			}
			reportPercentiles(b, lat)
		})
	}
}
