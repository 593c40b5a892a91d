package httpapi

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/nimbus-dev/nimbus/internal/invoke"
)

// traceInvoker answers every invocation and records the trace header
// Lambda would hand the function.
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
	return &invoke.Response{StatusCode: 200, Payload: []byte(`"ok"`)}, nil
}

// TestLambdaTraceContinuesEventHeader: the function's trace continues the
// one API Gateway forwards in the event's x-amzn-trace-id header (the
// client's, or the one API Gateway added).
func TestLambdaTraceContinuesEventHeader(t *testing.T) {
	inv := &traceInvoker{}
	base := serve(t, httpAPI(lambdaRoute("GET /items", "fn")), inv)
	for i, sent := range []string{"", "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"} {
		h := map[string]string{}
		if sent != "" {
			h["X-Amzn-Trace-Id"] = sent
		}
		if res := do(t, "GET", base+"/items", nil, h); res.status != 200 {
			t.Fatalf("request %d: %d %s", i, res.status, res.body)
		}
		var event struct {
			Headers map[string]string `json:"headers"`
		}
		_ = json.Unmarshal(inv.events[i], &event)
		root, _, _ := strings.Cut(event.Headers["x-amzn-trace-id"], ";")
		trace := inv.traces[i]
		if !strings.HasPrefix(root, "Root=1-") || (sent != "" && root != "Root=1-5759e988-bd862e3fe1be46a994272793") ||
			!strings.HasPrefix(trace, root+";Parent=") || !strings.HasSuffix(trace, ";Sampled=0") {
			t.Errorf("request %d: the event's header is %q, the function's trace %q", i, event.Headers["x-amzn-trace-id"], trace)
		}
	}
}
