package rest

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/nimbus-dev/nimbus/internal/invoke"
)

// traceInvoker answers every invocation with a proxy response and records
// the trace header Lambda would hand the function.
type traceInvoker struct {
	mu     sync.Mutex
	traces []string
	events [][]byte
}

func (f *traceInvoker) Invoke(_ context.Context, req *invoke.Request) (*invoke.Response, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.traces = append(f.traces, req.TraceID)
	f.events = append(f.events, req.Payload)
	return &invoke.Response{StatusCode: 200, Payload: []byte(`{"statusCode":200,"body":"ok"}`)}, nil
}

// TestProxyTraceReachesFunction: the function's trace (_X_AMZN_TRACE_ID)
// continues the request's, whose Root the client sees in the response's
// X-Amzn-Trace-Id and the function in its event's header, as X-Ray shows
// API Gateway and Lambda in one trace.
func TestProxyTraceReachesFunction(t *testing.T) {
	inv := &traceInvoker{}
	_, base := serve(t, proxyAPI(lambdaProxy("GET", "/items", "fn")), inv)
	clientRoot := "Root=1-5759e988-bd862e3fe1be46a994272793"
	for i, sent := range []string{"", clientRoot + ";Sampled=1"} {
		h := map[string]string{}
		if sent != "" {
			h["X-Amzn-Trace-Id"] = sent
		}
		res := do(t, "GET", base+"/testStage/items", nil, h)
		root := res.header.Get("X-Amzn-Trace-Id")
		if res.status != 200 || !strings.HasPrefix(root, "Root=1-") || (sent != "" && root != sent) {
			t.Fatalf("request %d: %d %v", i, res.status, res.header)
		}
		root, _, _ = strings.Cut(root, ";")
		var event struct {
			Headers map[string]string `json:"headers"`
		}
		_ = json.Unmarshal(inv.events[i], &event)
		trace := inv.traces[i]
		if !strings.HasPrefix(trace, root+";Parent=") || !strings.HasSuffix(trace, ";Sampled=0") ||
			!strings.HasPrefix(event.Headers["X-Amzn-Trace-Id"], root) {
			t.Errorf("request %d: client saw %q, the event's header is %q, the function's trace %q", i, root, event.Headers["X-Amzn-Trace-Id"], trace)
		}
	}
}
