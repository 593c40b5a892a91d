package rest

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/nimbus-dev/nimbus/internal/apigateway/gateway"
	"github.com/nimbus-dev/nimbus/internal/app"
	"github.com/nimbus-dev/nimbus/internal/invoke"
)

// funcInvoker runs Go funcs as Lambda functions, recording each payload.
type funcInvoker struct {
	mu       sync.Mutex
	fns      map[string]func(ctx context.Context, payload []byte) (*invoke.Response, error)
	payloads map[string][][]byte
	// types are the invocation types asked for, per function.
	types map[string][]string
}

func newInvoker() *funcInvoker {
	return &funcInvoker{fns: map[string]func(context.Context, []byte) (*invoke.Response, error){}, payloads: map[string][][]byte{}}
}

func (f *funcInvoker) Invoke(ctx context.Context, req *invoke.Request) (*invoke.Response, error) {
	f.mu.Lock()
	fn := f.fns[req.FunctionName]
	f.payloads[req.FunctionName] = append(f.payloads[req.FunctionName], req.Payload)
	if f.types == nil {
		f.types = map[string][]string{}
	}
	f.types[req.FunctionName] = append(f.types[req.FunctionName], req.InvocationType)
	f.mu.Unlock()
	if fn == nil {
		return nil, &invoke.Error{Type: "ResourceNotFoundException", Message: "Function not found: " + req.FunctionName, StatusCode: 404}
	}
	if req.InvocationType == invoke.Event {
		go func() { _, _ = fn(context.WithoutCancel(ctx), req.Payload) }()
		return &invoke.Response{StatusCode: 202}, nil
	}
	return fn(ctx, req.Payload)
}

// returns makes a function that answers payload.
func (f *funcInvoker) returns(name, payload string) {
	f.fns[name] = func(context.Context, []byte) (*invoke.Response, error) {
		return &invoke.Response{StatusCode: 200, Payload: []byte(payload)}, nil
	}
}

// fails makes a function that fails with Lambda's error object.
func (f *funcInvoker) fails(name, errType, msg string) {
	f.fns[name] = func(context.Context, []byte) (*invoke.Response, error) {
		p, _ := json.Marshal(map[string]any{"errorMessage": msg, "errorType": errType, "stackTrace": []string{}})
		return &invoke.Response{StatusCode: 200, Payload: p, FunctionError: "Unhandled"}, nil
	}
}

func (f *funcInvoker) last(name string) []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.payloads[name]
	if len(p) == 0 {
		return nil
	}
	return p[len(p)-1]
}

// serve starts the gateway on a real listener that preserves header case.
func serve(t *testing.T, api *app.API, inv invoke.Invoker) (*Gateway, string) {
	t.Helper()
	g, err := New(api, inv, Options{Region: "us-east-2", AccountID: "12345678912"})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(g)
	srv.Listener = gateway.PreserveHeaderCase(ln)
	srv.Config.ConnContext = gateway.ConnContext
	srv.Start()
	t.Cleanup(srv.Close)
	return g, srv.URL
}

func proxyAPI(routes ...*app.Route) *app.API {
	return &app.API{LogicalID: "Api", ID: "gy415nuibc", Name: "api", Protocol: app.REST, Stage: "testStage", Routes: routes}
}

func lambdaProxy(method, path, fn string) *app.Route {
	return &app.Route{Method: method, Path: path, Integration: &app.Integration{Type: app.IntegrationAWSProxy, FunctionName: fn}}
}

type result struct {
	status int
	header http.Header
	body   string
}

func do(t *testing.T, method, url string, body io.Reader, headers map[string]string) result {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header[k] = []string{v}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return result{resp.StatusCode, resp.Header, string(b)}
}
