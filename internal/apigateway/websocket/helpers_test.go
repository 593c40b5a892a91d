package websocket

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	"github.com/coder/websocket"

	"github.com/nimbus-dev/nimbus/internal/apigateway/gateway"
	"github.com/nimbus-dev/nimbus/internal/app"
	"github.com/nimbus-dev/nimbus/internal/invoke"
)

// handlerFunc is a Go stand-in for a Lambda function: it gets the event as
// a real function would and returns its result or an error (a function
// error).
type handlerFunc func(ctx context.Context, ev events.APIGatewayWebsocketProxyRequest, raw []byte) (any, error)

// funcInvoker runs handlerFuncs by function name, as internal/lambda would
// run real functions.
type funcInvoker struct {
	mu  sync.Mutex
	fns map[string]handlerFunc
}

func (f *funcInvoker) set(name string, fn handlerFunc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fns == nil {
		f.fns = map[string]handlerFunc{}
	}
	f.fns[name] = fn
}

func (f *funcInvoker) Invoke(ctx context.Context, req *invoke.Request) (*invoke.Response, error) {
	f.mu.Lock()
	fn := f.fns[req.FunctionName]
	f.mu.Unlock()
	if fn == nil {
		return nil, &invoke.Error{Type: "ResourceNotFoundException", Message: "Function not found: " + req.FunctionName, StatusCode: 404}
	}
	// Non-proxy integrations send mapped payloads: handlers read raw.
	var ev events.APIGatewayWebsocketProxyRequest
	_ = json.Unmarshal(req.Payload, &ev)
	out, err := fn(ctx, ev, req.Payload)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if err != nil {
		payload, _ := json.Marshal(map[string]any{"errorMessage": err.Error(), "errorType": "errorString"})
		return &invoke.Response{StatusCode: 200, Payload: payload, FunctionError: "Unhandled"}, nil
	}
	payload, err := json.Marshal(out)
	if err != nil {
		return nil, err
	}
	return &invoke.Response{StatusCode: 200, Payload: payload}, nil
}

// recorded is one invocation seen by a recording handler.
type recorded struct {
	ev  events.APIGatewayWebsocketProxyRequest
	raw []byte
}

// recorder collects the events of the functions it wraps.
type recorder struct {
	ch chan recorded
}

func newRecorder() *recorder { return &recorder{ch: make(chan recorded, 1024)} }

// wrap records each event, then runs next (or answers 200).
func (r *recorder) wrap(next handlerFunc) handlerFunc {
	return func(ctx context.Context, ev events.APIGatewayWebsocketProxyRequest, raw []byte) (any, error) {
		r.ch <- recorded{ev: ev, raw: raw}
		if next == nil {
			return map[string]any{"statusCode": 200}, nil
		}
		return next(ctx, ev, raw)
	}
}

// next waits for the next recorded event with the given route key,
// skipping others.
func (r *recorder) next(t testing.TB, routeKey string) recorded {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case rec := <-r.ch:
			if rec.ev.RequestContext.RouteKey == routeKey {
				return rec
			}
		case <-timeout:
			t.Fatalf("no %s event within 10s", routeKey)
		}
	}
}

func proxy(fn string) *app.Integration {
	return &app.Integration{Type: app.IntegrationAWSProxy, FunctionName: fn}
}

// chatAPI is the seed-003 shape: $connect, $disconnect, $default and a
// send-message route selected by $request.body.action, stage production.
func chatAPI() *app.API {
	return &app.API{
		LogicalID:                "ChatWebSocketApi",
		ID:                       app.APIID("ChatWebSocketApi"),
		Name:                     "chat",
		Protocol:                 app.WebSocket,
		Stage:                    "production",
		RouteSelectionExpression: "$request.body.action",
		Routes: []*app.Route{
			{RouteKey: "$connect", Integration: proxy("connect")},
			{RouteKey: "$disconnect", Integration: proxy("disconnect")},
			{RouteKey: "$default", Integration: proxy("default")},
			{RouteKey: "send-message", Integration: proxy("send")},
		},
	}
}

// env is a Gateway served on a real listener, with the edge-style
// /@connections handler mounted beside it as the lead mounts it.
type env struct {
	t   testing.TB
	gw  *Gateway
	reg Registry
	url string // http://127.0.0.1:port
	srv *http.Server
}

func newEnv(t testing.TB, api *app.API, inv invoke.Invoker, opts Options) *env {
	t.Helper()
	return newEnvListener(t, api, inv, opts, false)
}

// newEnvListener is newEnv; preserveCase serves through
// gateway.PreserveHeaderCase so events carry the clients' header spelling.
func newEnvListener(t testing.TB, api *app.API, inv invoke.Invoker, opts Options, preserveCase bool) *env {
	t.Helper()
	reg := NewLocalRegistry()
	gw, err := New(api, inv, reg, opts)
	if err != nil {
		t.Fatal(err)
	}
	edge := ConnectionsHandler(reg, ConnectionsOptions{})
	mux := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/@connections/") {
			edge.ServeHTTP(w, r)
			return
		}
		gw.ServeHTTP(w, r)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	if preserveCase {
		ln = gateway.PreserveHeaderCase(ln)
		srv.ConnContext = gateway.ConnContext
	}
	go func() { _ = srv.Serve(ln) }()
	e := &env{t: t, gw: gw, reg: reg, url: "http://" + ln.Addr().String(), srv: srv}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		if err := gw.Shutdown(ctx); err != nil {
			t.Errorf("gateway shutdown: %v", err)
		}
	})
	return e
}

// wsURL is the ws:// URL of the stage plus suffix ("?roomId=1").
func (e *env) wsURL(suffix string) string {
	return "ws" + strings.TrimPrefix(e.url, "http") + "/" + e.gw.API().Stage + suffix
}

func (e *env) dial(suffix string, opts *websocket.DialOptions) *websocket.Conn {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, e.wsURL(suffix), opts)
	if err != nil {
		e.t.Fatalf("dial %s: %v", suffix, err)
	}
	c.SetReadLimit(1 << 20)
	e.t.Cleanup(func() { _ = c.CloseNow() })
	return c
}

// mgmt is a management API client with the endpoint a handler builds from
// its event: "https://" + domainName + "/" + stage, here plain HTTP to the
// test listener.
func mgmtClient(endpoint string) *apigatewaymanagementapi.Client {
	return apigatewaymanagementapi.New(apigatewaymanagementapi.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDNIMBUS", "secret", ""),
		Retryer:      aws.NopRetryer{},
	})
}

func (e *env) mgmt() *apigatewaymanagementapi.Client {
	return mgmtClient(e.url + "/" + e.gw.API().Stage)
}

// readText reads one message within 5 seconds.
func readText(t testing.TB, c *websocket.Conn) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	typ, data, err := c.Read(ctx)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if typ != websocket.MessageText {
		t.Fatalf("got a %v message, want text", typ)
	}
	return string(data)
}

// readClose reads until the server closes and returns the close status.
func readClose(t testing.TB, c *websocket.Conn) websocket.CloseError {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		_, _, err := c.Read(ctx)
		if err == nil {
			continue
		}
		var ce websocket.CloseError
		if !errors.As(err, &ce) {
			t.Fatalf("read ended with %v, want a close frame", err)
		}
		return ce
	}
}

func sendText(t testing.TB, c *websocket.Conn, s string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Write(ctx, websocket.MessageText, []byte(s)); err != nil {
		t.Fatalf("write: %v", err)
	}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprint(err))
	}
	return string(b)
}
