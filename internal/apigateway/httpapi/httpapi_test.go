package httpapi

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/nimbus-dev/nimbus/internal/app"
	"github.com/nimbus-dev/nimbus/internal/invoke"
)

// TestResponseV2 covers the 2.0 response format and API Gateway's
// inference for functions that return something else.
func TestResponseV2(t *testing.T) {
	cases := []struct {
		name, payload string
		status        int
		body          string
		contentType   string
		header        [2]string
	}{
		{"bare string", `"Hello from Lambda!"`, 200, "Hello from Lambda!", "application/json", [2]string{}},
		{"object without statusCode", `{ "message": "Hello from Lambda!" }`, 200, `{ "message": "Hello from Lambda!" }`, "application/json", [2]string{}},
		{"array", `[1,2]`, 200, `[1,2]`, "application/json", [2]string{}},
		{"number", `42`, 200, `42`, "application/json", [2]string{}},
		{"full", `{"statusCode":400,"headers":{"content-type":"text/plain","x-a":"1,2"},"body":"bad"}`, 400, "bad", "text/plain", [2]string{"X-A", "1,2"}},
		{"statusCode only", `{"statusCode":204}`, 204, "", "text/plain; charset=utf-8", [2]string{}},
		{"no content type", `{"statusCode":200,"body":"{\"a\":1}"}`, 200, `{"a":1}`, "text/plain; charset=utf-8", [2]string{}},
		{"base64", `{"statusCode":200,"isBase64Encoded":true,"body":"` + base64.StdEncoding.EncodeToString([]byte{0, 1, 2}) + `","headers":{"content-type":"application/octet-stream"}}`, 200, "\x00\x01\x02", "application/octet-stream", [2]string{}},
	}
	inv := newInvoker()
	var routes []*app.Route
	for i, c := range cases {
		name := "f" + string(rune('a'+i))
		inv.returns(name, c.payload)
		routes = append(routes, lambdaRoute("GET /"+name, name))
	}
	base := serve(t, httpAPI(routes...), inv)
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := do(t, "GET", base+"/f"+string(rune('a'+i)), nil, nil)
			if r.status != c.status || r.body != c.body || r.header.Get("Content-Type") != c.contentType {
				t.Fatalf("got %d %q %q", r.status, r.body, r.header.Get("Content-Type"))
			}
			if c.header[0] != "" && r.header.Get(c.header[0]) != c.header[1] {
				t.Errorf("%s = %q", c.header[0], r.header.Get(c.header[0]))
			}
			if !requestIDRe.MatchString(r.header.Get("apigw-requestid")) {
				t.Errorf("apigw-requestid %q", r.header.Get("apigw-requestid"))
			}
		})
	}
}

func TestCookies(t *testing.T) {
	inv := newInvoker()
	inv.returns("fn", `{"statusCode":200,"cookies":["a=1; Path=/","b=2; HttpOnly"],"body":"ok"}`)
	base := serve(t, httpAPI(lambdaRoute("GET /c", "fn")), inv)
	r := do(t, "GET", base+"/c", nil, nil)
	if got := r.header.Values("Set-Cookie"); len(got) != 2 || got[0] != "a=1; Path=/" || got[1] != "b=2; HttpOnly" {
		t.Errorf("Set-Cookie %v", got)
	}
}

func TestErrors(t *testing.T) {
	inv := newInvoker()
	inv.returns("notjson", `not json at all`)
	inv.returns("badbody", `{"statusCode":200,"body":{"x":1}}`)
	inv.fns["crash"] = func(context.Context, []byte) (*invoke.Response, error) {
		return &invoke.Response{StatusCode: 200, FunctionError: "Unhandled", Payload: []byte(`{"errorMessage":"boom","errorType":"Error"}`)}, nil
	}
	inv.fns["slow"] = func(ctx context.Context, _ []byte) (*invoke.Response, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	slow := lambdaRoute("GET /slow", "slow")
	slow.Integration.Timeout = 50 * time.Millisecond
	base := serve(t, httpAPI(lambdaRoute("GET /notjson", "notjson"), lambdaRoute("GET /badbody", "badbody"),
		lambdaRoute("GET /crash", "crash"), lambdaRoute("GET /gone", "gone"), lambdaRoute("POST /up", "crash"), slow), inv)
	cases := []struct {
		method, path string
		body         io.Reader
		status       int
		want         string
	}{
		{"GET", "/nothing", nil, 404, `{"message":"Not Found"}`},
		{"DELETE", "/crash", nil, 404, `{"message":"Not Found"}`},
		{"GET", "/notjson", nil, 500, `{"message":"Internal Server Error"}`},
		{"GET", "/badbody", nil, 500, `{"message":"Internal Server Error"}`},
		{"GET", "/crash", nil, 500, `{"message":"Internal Server Error"}`},
		{"GET", "/gone", nil, 500, `{"message":"Internal Server Error"}`},
		{"GET", "/slow", nil, 503, `{"message":"Service Unavailable"}`},
		{"POST", "/up", bytes.NewReader(make([]byte, 10<<20+1)), 413, `{"message":"Request Entity Too Large"}`},
	}
	for _, c := range cases {
		r := do(t, c.method, base+c.path, c.body, nil)
		if r.status != c.status || r.body != c.want || r.header.Get("Content-Type") != "application/json" {
			t.Errorf("%s %s: got %d %q", c.method, c.path, r.status, r.body)
		}
		if r.header.Get("apigw-requestid") == "" {
			t.Errorf("%s %s: no apigw-requestid", c.method, c.path)
		}
	}
}

func TestRoutes(t *testing.T) {
	inv := newInvoker()
	for _, fn := range []string{"get", "any", "proxy", "def"} {
		inv.returns(fn, `"`+fn+`"`)
	}
	base := serve(t, httpAPI(lambdaRoute("GET /items/{id}", "get"), lambdaRoute("ANY /items", "any"),
		lambdaRoute("ANY /files/{proxy+}", "proxy"), lambdaRoute("$default", "def")), inv)
	for path, want := range map[string][2]string{
		"GET /items/1":         {"get", "GET /items/{id}"},
		"POST /items":          {"any", "ANY /items"},
		"GET /files/a/b":       {"proxy", "ANY /files/{proxy+}"},
		"POST /items/1":        {"def", "$default"},
		"GET /":                {"def", "$default"},
		"PATCH /anything/else": {"def", "$default"},
	} {
		method, p, _ := strings.Cut(path, " ")
		r := do(t, method, base+p, nil, nil)
		if r.status != 200 || r.body != want[0] {
			t.Errorf("%s: %d %q, want %q", path, r.status, r.body, want[0])
			continue
		}
		var ev EventV2
		_ = json.Unmarshal(inv.last(want[0]), &ev)
		if ev.RouteKey != want[1] || ev.RequestContext.RouteKey != want[1] {
			t.Errorf("%s: routeKey %q", path, ev.RouteKey)
		}
	}
}

func TestNamedStage(t *testing.T) {
	inv := newInvoker()
	inv.returns("fn", `"ok"`)
	api := httpAPI(lambdaRoute("GET /hello", "fn"))
	api.Stage = "dev"
	base := serve(t, api, inv)
	if r := do(t, "GET", base+"/hello", nil, nil); r.status != 404 {
		t.Errorf("without stage: %d", r.status)
	}
	r := do(t, "GET", base+"/dev/hello", nil, nil)
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	var ev EventV2
	_ = json.Unmarshal(inv.last("fn"), &ev)
	if ev.RawPath != "/dev/hello" || ev.RequestContext.Stage != "dev" || ev.RequestContext.HTTP.Path != "/dev/hello" {
		t.Errorf("rawPath %q stage %q", ev.RawPath, ev.RequestContext.Stage)
	}
}

func TestBinaryBodies(t *testing.T) {
	inv := newInvoker()
	inv.returns("fn", `"ok"`)
	base := serve(t, httpAPI(lambdaRoute("POST /u", "fn")), inv)
	for _, c := range []struct {
		ct     string
		body   string
		base64 bool
	}{
		{"application/json", `{"a":1}`, false},
		{"text/plain; charset=utf-8", "héllo", false},
		{"application/x-www-form-urlencoded", "a=1&b=2", true},
		{"image/png", "\x89PNG", true},
	} {
		do(t, "POST", base+"/u", strings.NewReader(c.body), map[string]string{"Content-Type": c.ct})
		var ev EventV2
		_ = json.Unmarshal(inv.last("fn"), &ev)
		want := c.body
		if c.base64 {
			want = base64.StdEncoding.EncodeToString([]byte(c.body))
		}
		if ev.IsBase64Encoded != c.base64 || ev.Body != want {
			t.Errorf("%s: base64 %v body %q", c.ct, ev.IsBase64Encoded, ev.Body)
		}
	}
}

// CorsConfiguration: the gateway answers preflight itself and sets the
// CORS headers on responses, replacing the function's.
func TestCORS(t *testing.T) {
	inv := newInvoker()
	inv.returns("fn", `{"statusCode":200,"headers":{"Access-Control-Allow-Origin":"https://evil.example"},"body":"{}"}`)
	api := httpAPI(lambdaRoute("POST /rooms", "fn"))
	api.Cors = &app.Cors{AllowOrigins: []string{"http://localhost:3000", "https://*.example.com"}, AllowMethods: []string{"GET", "POST"},
		AllowHeaders: []string{"content-type"}, ExposeHeaders: []string{"x-total"}, MaxAge: 300, AllowCredentials: true}
	base := serve(t, api, inv)

	r := do(t, "OPTIONS", base+"/rooms", nil, map[string]string{"Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"})
	if r.status != 204 {
		t.Fatalf("preflight %d", r.status)
	}
	for k, v := range map[string]string{"Access-Control-Allow-Origin": "http://localhost:3000", "Access-Control-Allow-Methods": "GET,POST",
		"Access-Control-Allow-Headers": "content-type", "Access-Control-Max-Age": "300", "Access-Control-Allow-Credentials": "true"} {
		if got := r.header.Get(k); got != v {
			t.Errorf("preflight %s = %q, want %q", k, got, v)
		}
	}
	if inv.last("fn") != nil {
		t.Error("preflight reached the function")
	}
	r = do(t, "OPTIONS", base+"/rooms", nil, map[string]string{"Origin": "https://other.site", "Access-Control-Request-Method": "POST"})
	if r.status != 204 || r.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("disallowed origin: %d %v", r.status, r.header)
	}
	r = do(t, "POST", base+"/rooms", strings.NewReader("{}"), map[string]string{"Origin": "https://app.example.com"})
	if r.header.Get("Access-Control-Allow-Origin") != "https://app.example.com" || r.header.Get("Access-Control-Expose-Headers") != "x-total" {
		t.Errorf("response CORS headers %v", r.header)
	}
	r = do(t, "GET", base+"/missing", nil, map[string]string{"Origin": "http://localhost:3000"})
	if r.status != 404 || r.header.Get("Access-Control-Allow-Origin") != "http://localhost:3000" {
		t.Errorf("404 CORS %d %v", r.status, r.header)
	}
}

func TestHTTPProxy(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Seen", r.Method+" "+r.URL.RequestURI())
		w.WriteHeader(201)
		_, _ = io.Copy(w, r.Body)
	}))
	defer backend.Close()
	api := httpAPI(&app.Route{RouteKey: "ANY /api/{proxy+}", Integration: &app.Integration{Type: app.IntegrationHTTPProxy, HTTPMethod: "ANY", URI: backend.URL + "/{proxy}"}})
	base := serve(t, api, nil)
	r := do(t, "POST", base+"/api/x/y?q=1", strings.NewReader("body"), nil)
	if r.status != 201 || r.body != "body" || r.header.Get("X-Seen") != "POST /x/y?q=1" {
		t.Errorf("%d %q %v", r.status, r.body, r.header)
	}
}

func TestNewErrors(t *testing.T) {
	for _, api := range []*app.API{
		httpAPI(lambdaRoute("GETX", "f")),
		httpAPI(lambdaRoute("$default", "f"), lambdaRoute("$default", "g")),
		httpAPI(lambdaRoute("GET /a", "f"), lambdaRoute("GET /a", "g")),
		{ID: "x", Protocol: app.REST},
	} {
		if _, err := New(api, nil, Options{}); err == nil {
			t.Errorf("New accepted %+v", api.Routes)
		}
	}
}
