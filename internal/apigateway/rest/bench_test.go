package rest

import (
	"context"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/nimbus-dev/nimbus/internal/app"
	"github.com/nimbus-dev/nimbus/internal/invoke"
)

type fixedInvoker struct{ payload []byte }

func (f fixedInvoker) Invoke(context.Context, *invoke.Request) (*invoke.Response, error) {
	return &invoke.Response{StatusCode: 200, Payload: f.payload}, nil
}

// benchOverhead reports the gateway's own time per request (p50, p99)
// with a function that answers at once.
func benchOverhead(b *testing.B, api *app.API, method, target, body string) {
	g, err := New(api, fixedInvoker{[]byte(`{"statusCode":200,"headers":{"Content-Type":"application/json"},"body":"{\"ok\":true}"}`)}, Options{})
	if err != nil {
		b.Fatal(err)
	}
	durations := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		req := httptest.NewRequest(method, target, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("User-Agent", "bench")
		w := httptest.NewRecorder()
		t0 := time.Now()
		g.ServeHTTP(w, req)
		durations = append(durations, time.Since(t0))
		if w.Code != 200 {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
	b.StopTimer()
	sort.Slice(durations, func(i, j int) bool { return durations[i] < durations[j] })
	b.ReportMetric(float64(durations[len(durations)/2].Nanoseconds())/1e3, "p50-µs")
	b.ReportMetric(float64(durations[len(durations)*99/100].Nanoseconds())/1e3, "p99-µs")
}

func BenchmarkProxyOverhead(b *testing.B) {
	benchOverhead(b, proxyAPI(lambdaProxy("ANY", "/{proxy+}", "fn")), "POST", "/testStage/rooms/r1?x=1", `{"roomName":"lobby"}`)
}

func BenchmarkCustomIntegrationOverhead(b *testing.B) {
	api := proxyAPI(&app.Route{Method: "POST", Path: "/rooms/{id}", Integration: &app.Integration{Type: app.IntegrationAWS, FunctionName: "fn",
		RequestTemplates: map[string]string{"application/json": `{"id": "$input.params('id')", "body": $input.json('$')}`},
		Responses:        []*app.IntegrationResponse{{StatusCode: "200", ResponseTemplates: map[string]string{"application/json": `$input.json('$.body')`}}}}})
	benchOverhead(b, api, "POST", "/testStage/rooms/r1", `{"roomName":"lobby"}`)
}
