package rest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nimbus-dev/nimbus/internal/app"
	"github.com/nimbus-dev/nimbus/internal/invoke"
)

func checkGatewayHeaders(t *testing.T, r result, errorType string) {
	t.Helper()
	if !uuidRe.MatchString(r.header.Get("x-amzn-RequestId")) {
		t.Errorf("x-amzn-RequestId = %q", r.header.Get("x-amzn-RequestId"))
	}
	if !extendedRe.MatchString(r.header.Get("x-amz-apigw-id")) {
		t.Errorf("x-amz-apigw-id = %q", r.header.Get("x-amz-apigw-id"))
	}
	if got := r.header.Get("x-amzn-ErrorType"); got != errorType {
		t.Errorf("x-amzn-ErrorType = %q, want %q", got, errorType)
	}
}

func TestGatewayErrors(t *testing.T) {
	inv := newInvoker()
	inv.returns("malformed", `{"statusCode":200,"body":{"not":"a string"}}`)
	inv.returns("cookies", `{"statusCode":200,"body":"x","cookies":["a=b"]}`)
	inv.returns("nostatus", `{"body":"x"}`)
	inv.returns("string", `"hello"`)
	inv.fails("crash", "Error", "boom")
	inv.fns["slow"] = func(ctx context.Context, _ []byte) (*invoke.Response, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	inv.fns["throttled"] = func(context.Context, []byte) (*invoke.Response, error) {
		return nil, &invoke.Error{Type: "TooManyRequestsException", Message: "Rate Exceeded.", StatusCode: 429}
	}
	slow := lambdaProxy("GET", "/slow", "slow")
	slow.Integration.Timeout = 50 * time.Millisecond
	api := proxyAPI(
		lambdaProxy("GET", "/malformed", "malformed"),
		lambdaProxy("GET", "/cookies", "cookies"),
		lambdaProxy("GET", "/nostatus", "nostatus"),
		lambdaProxy("GET", "/string", "string"),
		lambdaProxy("GET", "/crash", "crash"),
		lambdaProxy("GET", "/missing-fn", "nope"),
		lambdaProxy("GET", "/throttled", "throttled"),
		lambdaProxy("POST", "/upload", "malformed"),
		slow,
	)
	_, base := serve(t, api, inv)
	cases := []struct {
		name, method, path string
		body               io.Reader
		status             int
		wantBody           string
		errorType          string
	}{
		{"unknown route", "GET", "/testStage/nothing", nil, 403, `{"message":"Missing Authentication Token"}`, "MissingAuthenticationTokenException"},
		{"unknown method", "DELETE", "/testStage/crash", nil, 403, `{"message":"Missing Authentication Token"}`, "MissingAuthenticationTokenException"},
		{"root without method", "GET", "/testStage/", nil, 403, `{"message":"Missing Authentication Token"}`, "MissingAuthenticationTokenException"},
		{"wrong stage", "GET", "/prod/crash", nil, 403, `{"message":"Forbidden"}`, "ForbiddenException"},
		{"body not a string", "GET", "/testStage/malformed", nil, 502, `{"message": "Internal server error"}`, "InternalServerErrorException"},
		{"unknown key", "GET", "/testStage/cookies", nil, 502, `{"message": "Internal server error"}`, "InternalServerErrorException"},
		{"no statusCode", "GET", "/testStage/nostatus", nil, 502, `{"message": "Internal server error"}`, "InternalServerErrorException"},
		{"not an object", "GET", "/testStage/string", nil, 502, `{"message": "Internal server error"}`, "InternalServerErrorException"},
		{"function error", "GET", "/testStage/crash", nil, 502, `{"message": "Internal server error"}`, "InternalServerErrorException"},
		{"function not found", "GET", "/testStage/missing-fn", nil, 500, `{"message": "Internal server error"}`, "InternalServerErrorException"},
		{"throttled", "GET", "/testStage/throttled", nil, 500, `{"message": "Internal server error"}`, "InternalServerErrorException"},
		{"timeout", "GET", "/testStage/slow", nil, 504, `{"message": "Endpoint request timed out"}`, ""},
		{"over 10 MB", "POST", "/testStage/upload", bytes.NewReader(make([]byte, 10<<20+1)), 413, `HTTP content length exceeded 10485760 bytes.`, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := do(t, c.method, base+c.path, c.body, nil)
			if r.status != c.status || r.body != c.wantBody {
				t.Fatalf("got %d %q, want %d %q", r.status, r.body, c.status, c.wantBody)
			}
			checkGatewayHeaders(t, r, c.errorType)
		})
	}
}

// Seed 002: a proxy handler's statusCode reaches the client, with its
// headers and body; multiValueHeaders win over headers.
func TestProxyResponseMapping(t *testing.T) {
	inv := newInvoker()
	inv.returns("bad", `{"statusCode":400,"headers":{"X-One":"1","Set-Cookie":"ignored"},"multiValueHeaders":{"Set-Cookie":["a=1","b=2"]},"body":"{\"error\":\"missing param\"}"}`)
	inv.returns("plain", `{"statusCode":"201","body":"hello from lambda! 山田 太郎さん","headers":{"Content-Type":"text/plain; charset=utf-8"}}`)
	_, base := serve(t, proxyAPI(lambdaProxy("POST", "/hello", "bad"), lambdaProxy("GET", "/hello", "plain")), inv)

	r := do(t, "POST", base+"/testStage/hello", strings.NewReader(`{"param": "田中 次郎"}`), nil)
	if r.status != 400 || r.body != `{"error":"missing param"}` {
		t.Fatalf("got %d %q", r.status, r.body)
	}
	if got := r.header.Values("Set-Cookie"); len(got) != 2 || got[0] != "a=1" || got[1] != "b=2" {
		t.Errorf("Set-Cookie = %v", got)
	}
	if r.header.Get("X-One") != "1" || r.header.Get("Content-Type") != "application/json" {
		t.Errorf("headers %v", r.header)
	}
	checkGatewayHeaders(t, r, "")
	var ev map[string]any
	_ = json.Unmarshal(inv.last("bad"), &ev)
	if ev["body"] != `{"param": "田中 次郎"}` {
		t.Errorf("event body %q: the client's text must arrive unchanged", ev["body"])
	}

	r = do(t, "GET", base+"/testStage/hello", nil, nil)
	if r.status != 201 || r.body != "hello from lambda! 山田 太郎さん" || r.header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Fatalf("got %d %q %v", r.status, r.body, r.header)
	}
}

func TestPathParametersAndPriority(t *testing.T) {
	inv := newInvoker()
	inv.returns("fn", `{"statusCode":200,"body":""}`)
	api := proxyAPI(
		lambdaProxy("GET", "/rooms", "fn"),
		lambdaProxy("GET", "/rooms/{roomId}", "fn"),
		lambdaProxy("GET", "/rooms/special", "fn"),
		lambdaProxy("ANY", "/{proxy+}", "fn"),
		lambdaProxy("GET", "/", "fn"),
	)
	_, base := serve(t, api, inv)
	cases := []struct {
		path, resource string
		params         map[string]string
	}{
		{"/testStage/", "/", nil},
		{"/testStage/rooms", "/rooms", nil},
		{"/testStage/rooms/", "/rooms", nil},
		{"/testStage/rooms/r1", "/rooms/{roomId}", map[string]string{"roomId": "r1"}},
		// As AWS hands them over (live captures): parameters and path keep
		// the request's percent-encoding.
		{"/testStage/rooms/a%20b", "/rooms/{roomId}", map[string]string{"roomId": "a%20b"}},
		{"/testStage/capture/space%20value", "/{proxy+}", map[string]string{"proxy": "capture/space%20value"}},
		{"/testStage/a%2Fb/%CE%BB", "/{proxy+}", map[string]string{"proxy": "a%2Fb/%CE%BB"}},
		{"/testStage/rooms/special", "/rooms/special", nil},
		{"/testStage/rooms/r1/members", "/{proxy+}", map[string]string{"proxy": "rooms/r1/members"}},
		{"/testStage/welcome", "/{proxy+}", map[string]string{"proxy": "welcome"}},
	}
	for _, c := range cases {
		r := do(t, "GET", base+c.path, nil, nil)
		if r.status != 200 {
			t.Fatalf("%s: %d %s", c.path, r.status, r.body)
		}
		var ev struct {
			Resource       string            `json:"resource"`
			Path           string            `json:"path"`
			PathParameters map[string]string `json:"pathParameters"`
			HTTPMethod     string            `json:"httpMethod"`
			RequestContext struct {
				Path string `json:"path"`
			} `json:"requestContext"`
		}
		_ = json.Unmarshal(inv.last("fn"), &ev)
		if ev.Resource != c.resource || len(ev.PathParameters) != len(c.params) || ev.HTTPMethod != "GET" {
			t.Errorf("%s: resource %q params %v", c.path, ev.Resource, ev.PathParameters)
		}
		if want := strings.TrimPrefix(c.path, "/testStage"); ev.Path != want && !(want == "/rooms/" && ev.Path == "/rooms") {
			t.Errorf("%s: path %q, want %q", c.path, ev.Path, want)
		}
		if !strings.HasPrefix(ev.RequestContext.Path, "/testStage/") || !strings.HasSuffix(ev.RequestContext.Path, ev.Path) {
			t.Errorf("%s: requestContext.path %q for path %q", c.path, ev.RequestContext.Path, ev.Path)
		}
		for k, v := range c.params {
			if ev.PathParameters[k] != v {
				t.Errorf("%s: param %s = %q, want %q", c.path, k, ev.PathParameters[k], v)
			}
		}
	}
}

func TestMultiValueQueryAndHeaders(t *testing.T) {
	inv := newInvoker()
	inv.returns("fn", `{"statusCode":200,"body":""}`)
	_, base := serve(t, proxyAPI(lambdaProxy("GET", "/q", "fn")), inv)
	req, _ := http.NewRequest("GET", base+"/testStage/q?name=me&multivalueName=you&multivalueName=me&enc=a%2Bb%26c", nil)
	req.Header["X-Multi"] = []string{"one", "two"}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var ev struct {
		Headers  map[string]string   `json:"headers"`
		MVH      map[string][]string `json:"multiValueHeaders"`
		Query    map[string]string   `json:"queryStringParameters"`
		MultiQ   map[string][]string `json:"multiValueQueryStringParameters"`
		RCPath   string
		Identity map[string]any
	}
	_ = json.Unmarshal(inv.last("fn"), &ev)
	if ev.Query["multivalueName"] != "me" || ev.Query["name"] != "me" || ev.Query["enc"] != "a+b&c" {
		t.Errorf("queryStringParameters %v", ev.Query)
	}
	if got := ev.MultiQ["multivalueName"]; len(got) != 2 || got[0] != "you" || got[1] != "me" {
		t.Errorf("multiValueQueryStringParameters %v", ev.MultiQ)
	}
	if ev.Headers["X-Multi"] != "two" || len(ev.MVH["X-Multi"]) != 2 {
		t.Errorf("headers %v / %v", ev.Headers["X-Multi"], ev.MVH["X-Multi"])
	}
}

func TestBinaryMediaTypes(t *testing.T) {
	png := []byte{0x89, 'P', 'N', 'G', 0, 1, 2, 0xff}
	inv := newInvoker()
	inv.returns("img", `{"statusCode":200,"headers":{"Content-Type":"image/png"},"body":"`+base64.StdEncoding.EncodeToString(png)+`","isBase64Encoded":true}`)
	api := proxyAPI(lambdaProxy("POST", "/img", "img"))
	api.BinaryMediaTypes = []string{"image~1png"}
	_, base := serve(t, api, inv)
	r := do(t, "POST", base+"/testStage/img", bytes.NewReader(png), map[string]string{"Content-Type": "image/png", "Accept": "image/png"})
	if r.status != 200 || r.body != string(png) {
		t.Fatalf("got %d %q", r.status, r.body)
	}
	var ev map[string]any
	_ = json.Unmarshal(inv.last("img"), &ev)
	if ev["isBase64Encoded"] != true || ev["body"] != base64.StdEncoding.EncodeToString(png) {
		t.Errorf("event body %v base64 %v", ev["body"], ev["isBase64Encoded"])
	}
	// A text request stays text; without a binary Accept the base64 text
	// is sent as it is.
	r = do(t, "POST", base+"/testStage/img", strings.NewReader("hi"), map[string]string{"Content-Type": "text/plain", "Accept": "text/plain"})
	_ = json.Unmarshal(inv.last("img"), &ev)
	if ev["isBase64Encoded"] != false || ev["body"] != "hi" {
		t.Errorf("text event body %v base64 %v", ev["body"], ev["isBase64Encoded"])
	}
	if r.body != base64.StdEncoding.EncodeToString(png) {
		t.Errorf("Accept text/plain: body %q, want the base64 text", r.body)
	}
}

// A base64 proxy response is decoded only when the first media range of
// the request's Accept matches binaryMediaTypes; the response's
// Content-Type does not count (AWS: "API Gateway uses the first Accept
// header from clients to determine if a response should return binary
// media"), so curl's */* and browsers' lists get the base64 text unless
// */* is a binary media type.
func TestBinaryResponseFirstAccept(t *testing.T) {
	png := []byte{0x89, 'P', 'N', 'G', 0, 1, 2, 0xff}
	b64 := base64.StdEncoding.EncodeToString(png)
	browser := "text/html,application/xhtml+xml,application/xml;q=0.9,image/png;q=0.8,*/*;q=0.7"
	tests := []struct {
		binaryTypes []string
		accept      string
		want        string
	}{
		{[]string{"image/png"}, "image/png", string(png)},
		{[]string{"image/png"}, "image/png;q=0.8", string(png)},
		{[]string{"image/png"}, "image/png, text/html", string(png)},
		{[]string{"image/*"}, "image/png", string(png)},
		{[]string{"image/png"}, "*/*", b64},
		{[]string{"image/png"}, "image/*", b64},
		{[]string{"image/png"}, "", b64},
		{[]string{"image/png"}, browser, b64},
		{[]string{"image/png"}, "application/json", b64},
		{[]string{"*~1*"}, browser, string(png)},
		{[]string{"*~1*"}, "*/*", string(png)},
		{[]string{"*~1*"}, "", string(png)},
		{nil, "image/png", b64},
	}
	for _, tt := range tests {
		inv := newInvoker()
		inv.returns("img", `{"statusCode":200,"headers":{"Content-Type":"image/png"},"body":"`+b64+`","isBase64Encoded":true}`)
		api := proxyAPI(lambdaProxy("GET", "/img", "img"))
		api.BinaryMediaTypes = tt.binaryTypes
		_, base := serve(t, api, inv)
		h := map[string]string{}
		if tt.accept != "" {
			h["Accept"] = tt.accept
		}
		r := do(t, "GET", base+"/testStage/img", nil, h)
		if r.status != 200 || r.body != tt.want {
			t.Errorf("binaryMediaTypes %q, Accept %q: %d %q, want %q", tt.binaryTypes, tt.accept, r.status, r.body, tt.want)
		}
		if got := r.header.Get("Content-Length"); got != strconv.Itoa(len(tt.want)) {
			t.Errorf("binaryMediaTypes %q, Accept %q: Content-Length %s, want %d", tt.binaryTypes, tt.accept, got, len(tt.want))
		}
	}
}

// SAM's Cors property adds an OPTIONS MOCK method per path.
func TestSAMCorsPreflight(t *testing.T) {
	inv := newInvoker()
	inv.returns("fn", `{"statusCode":200,"body":"{}"}`)
	api := proxyAPI(lambdaProxy("POST", "/rooms", "fn"), lambdaProxy("GET", "/rooms", "fn"), lambdaProxy("ANY", "/{proxy+}", "fn"))
	api.Cors = &app.Cors{AllowOrigins: []string{"*"}, AllowHeaders: []string{"Content-Type", "X-Amz-Date"}, MaxAge: 600}
	_, base := serve(t, api, inv)
	r := do(t, "OPTIONS", base+"/testStage/rooms", nil, map[string]string{"Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST"})
	if r.status != 200 || r.body != "" {
		t.Fatalf("preflight %d %q", r.status, r.body)
	}
	for k, want := range map[string]string{
		"Access-Control-Allow-Origin":  "*",
		"Access-Control-Allow-Methods": "GET,OPTIONS,POST",
		"Access-Control-Allow-Headers": "Content-Type,X-Amz-Date",
		"Access-Control-Max-Age":       "600",
		"Content-Type":                 "application/json",
	} {
		if got := r.header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	r = do(t, "OPTIONS", base+"/testStage/anything/else", nil, nil)
	if r.status != 200 || r.header.Get("Access-Control-Allow-Methods") != allMethods {
		t.Errorf("proxy preflight %d %v", r.status, r.header)
	}
}

// Seed 001: a non-proxy Lambda integration with the mapping template
// $input.json('$') gets the client's JSON as its event; seed 004: a
// non-proxy function returning {statusCode, body} reaches the page as that
// JSON, so JSON.parse(res.body) works.
func TestSeedNonProxy(t *testing.T) {
	inv := newInvoker()
	inv.returns("post", `null`)
	inv.returns("getAllRooms", `{"statusCode":200,"body":"{\"rooms\":[{\"room_id\":\"r1\",\"name\":\"lobby\"}]}"}`)
	api := proxyAPI(
		&app.Route{Method: "POST", Path: "/users", Integration: &app.Integration{Type: app.IntegrationAWS, FunctionName: "post",
			RequestTemplates: map[string]string{"application/json": "$input.json('$')"}}},
		&app.Route{Method: "GET", Path: "/", Integration: &app.Integration{Type: app.IntegrationAWS, FunctionName: "getAllRooms"}},
	)
	_, base := serve(t, api, inv)
	r := do(t, "POST", base+"/testStage/users", strings.NewReader(`{"id": 1, "name": "kim", "email": "kim@example.com"}`), map[string]string{"Content-Type": "application/json"})
	if r.status != 200 || r.body != "null" {
		t.Fatalf("got %d %q", r.status, r.body)
	}
	if got := string(inv.last("post")); got != `{"id":1,"name":"kim","email":"kim@example.com"}` {
		t.Errorf("event %s", got)
	}
	r = do(t, "GET", base+"/testStage/", nil, nil)
	if r.status != 200 || r.header.Get("Content-Type") != "application/json" {
		t.Fatalf("got %d %v", r.status, r.header)
	}
	if got := string(inv.last("getAllRooms")); got != "{}" {
		t.Errorf("a bodiless GET passes {} through, got %s", got)
	}
	var page struct {
		StatusCode int    `json:"statusCode"`
		Body       string `json:"body"`
	}
	if err := json.Unmarshal([]byte(r.body), &page); err != nil {
		t.Fatal(err)
	}
	var rooms struct {
		Rooms []map[string]string `json:"rooms"`
	}
	if err := json.Unmarshal([]byte(page.Body), &rooms); err != nil || rooms.Rooms[0]["name"] != "lobby" {
		t.Errorf("JSON.parse(res.body) = %v, %v", rooms, err)
	}
}

func TestNonProxyIntegrationResponses(t *testing.T) {
	inv := newInvoker()
	inv.fails("create", "Error", "[BadRequest] roomName is required")
	inv.fails("crash", "TypeError", "x is undefined")
	inv.returns("ok", `{"id":"r1","name":"lobby"}`)
	responses := []*app.IntegrationResponse{
		{StatusCode: "200", ResponseTemplates: map[string]string{"application/json": `{"roomId": "$input.path('$.id')", "stage": "$context.stage"}`},
			ResponseParameters: map[string]string{"method.response.header.X-Room": "integration.response.body.id", "method.response.header.Access-Control-Allow-Origin": "'*'"}},
		{SelectionPattern: `\[BadRequest\].*`, StatusCode: "400", ResponseTemplates: map[string]string{"application/json": `{"message": "$util.escapeJavaScript($input.path('$.errorMessage'))"}`}},
	}
	mk := func(fn string) *app.Route {
		return &app.Route{Method: "POST", Path: "/" + fn, Integration: &app.Integration{Type: app.IntegrationAWS, FunctionName: fn, Responses: responses}}
	}
	_, base := serve(t, proxyAPI(mk("create"), mk("crash"), mk("ok")), inv)
	r := do(t, "POST", base+"/testStage/create", strings.NewReader(`{}`), nil)
	if r.status != 400 || r.body != `{"message": "[BadRequest] roomName is required"}` {
		t.Errorf("create: %d %q", r.status, r.body)
	}
	// An error no pattern selects goes to the default response, as in AWS.
	r = do(t, "POST", base+"/testStage/crash", strings.NewReader(`{}`), nil)
	if r.status != 200 || r.body != `{"roomId": "", "stage": "testStage"}` {
		t.Errorf("crash: %d %q", r.status, r.body)
	}
	r = do(t, "POST", base+"/testStage/ok", strings.NewReader(`{}`), nil)
	if r.status != 200 || r.body != `{"roomId": "r1", "stage": "testStage"}` || r.header.Get("X-Room") != "r1" || r.header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("ok: %d %q %v", r.status, r.body, r.header)
	}
}

func TestRequestTemplatesAndPassthrough(t *testing.T) {
	inv := newInvoker()
	inv.returns("fn", `{"ok":true}`)
	tpl := map[string]string{"application/json": `{"name": "$input.params('name')", "id": "$input.params('id')", "ua": "$input.params('User-Agent')", "body": $input.json('$.mykey'), "sv": "$stageVariables.env"}`}
	mk := func(path, behavior string, templates map[string]string) *app.Route {
		return &app.Route{Method: "POST", Path: path, Integration: &app.Integration{Type: app.IntegrationAWS, FunctionName: "fn",
			RequestTemplates: templates, PassthroughBehavior: behavior}}
	}
	api := proxyAPI(mk("/t/{id}", "", tpl), mk("/never", "NEVER", tpl), mk("/notpl", "WHEN_NO_TEMPLATES", tpl), mk("/open", "WHEN_NO_TEMPLATES", nil))
	api.StageVariables = map[string]string{"env": "dev"}
	_, base := serve(t, api, inv)

	r := do(t, "POST", base+"/testStage/t/42?name=me", strings.NewReader(`{"mykey": {"a": [1, 2]}}`), map[string]string{"Content-Type": "application/json; charset=utf-8", "User-Agent": "ua/1"})
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if got := string(inv.last("fn")); got != `{"name": "me", "id": "42", "ua": "ua/1", "body": {"a":[1,2]}, "sv": "dev"}` {
		t.Errorf("event %s", got)
	}
	r = do(t, "POST", base+"/testStage/t/42", strings.NewReader(`not json`), map[string]string{"Content-Type": "application/json"})
	if r.status != 400 || !strings.HasPrefix(r.body, `{"message": "Could not parse request body into json: `) {
		t.Errorf("bad json: %d %q", r.status, r.body)
	}
	// No template for text/plain: WHEN_NO_MATCH passes the body through.
	_ = do(t, "POST", base+"/testStage/t/42", strings.NewReader(`raw text`), map[string]string{"Content-Type": "text/plain"})
	if got := string(inv.last("fn")); got != "raw text" {
		t.Errorf("passthrough %q", got)
	}
	for _, path := range []string{"/testStage/never", "/testStage/notpl"} {
		r = do(t, "POST", base+path, strings.NewReader(`x`), map[string]string{"Content-Type": "text/plain"})
		if r.status != 415 || r.body != `{"message": "Unsupported Media Type"}` {
			t.Errorf("%s: %d %q", path, r.status, r.body)
		}
	}
	r = do(t, "POST", base+"/testStage/open", strings.NewReader(`{"a":1}`), map[string]string{"Content-Type": "text/plain"})
	if r.status != 200 || string(inv.last("fn")) != `{"a":1}` {
		t.Errorf("open: %d %q", r.status, inv.last("fn"))
	}
}

func TestMockIntegration(t *testing.T) {
	api := proxyAPI(&app.Route{Method: "GET", Path: "/mock", Integration: &app.Integration{Type: app.IntegrationMock,
		RequestTemplates: map[string]string{"application/json": `#if($input.params('fail') == "1"){"statusCode": 500}#{else}{"statusCode": 200}#end`},
		Responses: []*app.IntegrationResponse{
			{StatusCode: "200", ResponseTemplates: map[string]string{"application/json": `{"mock": true, "requestId": "$context.requestId"}`}},
			{SelectionPattern: "5\\d{2}", StatusCode: "503", ResponseTemplates: map[string]string{"application/json": `#set($context.responseOverride.header.Retry-After = "5"){"mock": "down"}`}},
		}}})
	_, base := serve(t, api, nil)
	r := do(t, "GET", base+"/testStage/mock", nil, nil)
	if r.status != 200 || !strings.HasPrefix(r.body, `{"mock": true, "requestId": "`) {
		t.Errorf("%d %q", r.status, r.body)
	}
	var body struct{ RequestID string }
	_ = json.Unmarshal([]byte(r.body), &body)
	if body.RequestID != r.header.Get("x-amzn-RequestId") {
		t.Errorf("$context.requestId %q != header %q", body.RequestID, r.header.Get("x-amzn-RequestId"))
	}
	r = do(t, "GET", base+"/testStage/mock?fail=1", nil, nil)
	if r.status != 503 || r.body != `{"mock": "down"}` || r.header.Get("Retry-After") != "5" {
		t.Errorf("%d %q %v", r.status, r.body, r.header)
	}
}

func TestHTTPProxyIntegration(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Backend", r.Method+" "+r.URL.RequestURI())
		w.Header().Set("X-Forwarded-For-Seen", r.Header.Get("X-Forwarded-For"))
		w.WriteHeader(418)
		b, _ := io.ReadAll(r.Body)
		_, _ = w.Write(append([]byte("echo:"), b...))
	}))
	defer backend.Close()
	api := proxyAPI(
		&app.Route{Method: "ANY", Path: "/p/{proxy+}", Integration: &app.Integration{Type: app.IntegrationHTTPProxy,
			HTTPMethod: "ANY", URI: backend.URL + "/base/{proxy}"}},
		&app.Route{Method: "GET", Path: "/items/{itemId}", Integration: &app.Integration{Type: app.IntegrationHTTPProxy,
			HTTPMethod: "GET", URI: backend.URL + "/${stageVariables.version}/things/{id}",
			RequestParameters: map[string]string{"integration.request.path.id": "method.request.path.itemId",
				"integration.request.querystring.src": "'gateway'"}}},
	)
	api.StageVariables = map[string]string{"version": "v2"}
	_, base := serve(t, api, nil)
	r := do(t, "PUT", base+"/testStage/p/a/b?x=1", strings.NewReader("data"), nil)
	if r.status != 418 || r.body != "echo:data" || r.header.Get("X-Backend") != "PUT /base/a/b?x=1" || r.header.Get("X-Forwarded-For-Seen") != "127.0.0.1" {
		t.Errorf("%d %q %v", r.status, r.body, r.header)
	}
	r = do(t, "GET", base+"/testStage/items/a%20b?y=2", nil, nil)
	if r.header.Get("X-Backend") != "GET /v2/things/a%20b?src=gateway&y=2" {
		t.Errorf("mapped request: %v", r.header.Get("X-Backend"))
	}
	if r.header.Get("x-amzn-RequestId") == "" {
		t.Error("no x-amzn-RequestId")
	}
}

func TestGatewayResponsesCustomised(t *testing.T) {
	api := proxyAPI(lambdaProxy("GET", "/x", "fn"))
	api.GatewayResponses = map[string]*app.GatewayResponse{
		"DEFAULT_4XX": {ResponseParameters: map[string]string{"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"},
			ResponseTemplates: map[string]string{"application/json": `{"error": $context.error.messageString, "type": "$context.error.responseType"}`}},
	}
	_, base := serve(t, api, newInvoker())
	r := do(t, "GET", base+"/testStage/nope", nil, nil)
	if r.status != 403 || r.body != `{"error": "Missing Authentication Token", "type": "MISSING_AUTHENTICATION_TOKEN"}` || r.header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("%d %q %v", r.status, r.body, r.header)
	}
}

func TestNewRejectsBadTemplates(t *testing.T) {
	api := proxyAPI(&app.Route{Method: "GET", Path: "/x", Integration: &app.Integration{Type: app.IntegrationAWS, FunctionName: "f",
		RequestTemplates: map[string]string{"application/json": "#if(true)"}}})
	if _, err := New(api, nil, Options{}); err == nil {
		t.Error("New accepted an unterminated #if")
	}
	api = proxyAPI(lambdaProxy("GET", "/a/{proxy+}/b", "f"))
	if _, err := New(api, nil, Options{}); err == nil {
		t.Error("New accepted a greedy variable before the end")
	}
	api = proxyAPI(lambdaProxy("GET", "/a", "f"))
	api.Stage = ""
	if _, err := New(api, nil, Options{}); err == nil {
		t.Error("New accepted a REST API without a stage")
	}
}

// TestRemappedResponseHeaders: a REST API passes the integration's
// Authorization, Date, Server, WWW-Authenticate, ... on as
// x-amzn-Remapped-<name> and drops Via, Upgrade, ..., for Lambda proxy
// and HTTP_PROXY integrations alike.
func TestRemappedResponseHeaders(t *testing.T) {
	const date = "Tue, 01 Oct 2024 00:00:00 GMT"
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="x"`)
		w.Header().Set("Date", date)
		w.Header().Set("Server", "nginx")
		w.Header().Set("Via", "1.1 proxy")
		w.Header().Set("X-Kept", "yes")
		w.WriteHeader(401)
	}))
	defer backend.Close()
	inv := newInvoker()
	inv.returns("fn", `{"statusCode":401,"headers":{"WWW-Authenticate":"Bearer realm=\"x\"","Date":"`+date+`","Server":"nginx","Via":"1.1 proxy","X-Kept":"yes"},"body":""}`)
	api := proxyAPI(lambdaProxy("GET", "/lambda", "fn"),
		&app.Route{Method: "GET", Path: "/http", Integration: &app.Integration{Type: app.IntegrationHTTPProxy, HTTPMethod: "GET", URI: backend.URL}})
	_, base := serve(t, api, inv)
	for _, path := range []string{"/lambda", "/http"} {
		r := do(t, "GET", base+"/testStage"+path, nil, nil)
		for name, want := range map[string]string{
			"x-amzn-Remapped-WWW-Authenticate": `Bearer realm="x"`,
			"x-amzn-Remapped-Date":             date,
			"x-amzn-Remapped-Server":           "nginx",
			"WWW-Authenticate":                 "",
			"Server":                           "",
			"Via":                              "",
			"X-Kept":                           "yes",
		} {
			if got := r.header.Get(name); got != want {
				t.Errorf("%s: %s = %q, want %q", path, name, got, want)
			}
		}
		if got := r.header.Get("Date"); got == "" || got == date {
			t.Errorf("%s: Date = %q, want the gateway's own", path, got)
		}
	}
}

// TestContextVariables renders every $context variable of a mapping
// template and checks each against what API Gateway documents (and
// against the same request's response headers where they must agree).
func TestContextVariables(t *testing.T) {
	inv := newInvoker()
	inv.returns("fn", `{}`)
	names := []string{"accountId", "apiId", "deploymentId", "domainName", "domainPrefix", "extendedRequestId", "httpMethod",
		"identity.sourceIp", "identity.userAgent", "identity.apiKey", "identity.accountId", "identity.caller", "identity.user",
		"identity.userArn", "identity.cognitoIdentityId", "path", "protocol", "requestId", "requestTime", "requestTimeEpoch",
		"resourceId", "resourcePath", "stage", "authorizer.principalId"}
	var tpl strings.Builder
	tpl.WriteString("{")
	for i, n := range names {
		if i > 0 {
			tpl.WriteString(",")
		}
		tpl.WriteString(`"` + n + `":"$context.` + n + `"`)
	}
	tpl.WriteString("}")
	api := proxyAPI(&app.Route{Method: "POST", Path: "/items/{id}", Integration: &app.Integration{Type: app.IntegrationAWS, FunctionName: "fn",
		RequestTemplates: map[string]string{"application/json": tpl.String()}}})
	_, base := serve(t, api, inv)
	r := do(t, "POST", base+"/testStage/items/7", strings.NewReader(`{}`), map[string]string{"User-Agent": "agent/1"})
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	var got map[string]string
	if err := json.Unmarshal(inv.last("fn"), &got); err != nil {
		t.Fatalf("%v: %s", err, inv.last("fn"))
	}
	epoch := regexp.MustCompile(`^1\d{12}$`)
	cases := map[string]func(string) bool{
		"accountId":                  eq("12345678912"),
		"apiId":                      eq("gy415nuibc"),
		"deploymentId":               regexp.MustCompile(`^[0-9a-z]{6}$`).MatchString,
		"domainName":                 eq("gy415nuibc.execute-api.us-east-2.amazonaws.com"),
		"domainPrefix":               eq("gy415nuibc"),
		"extendedRequestId":          eq(r.header.Get("x-amz-apigw-id")),
		"httpMethod":                 eq("POST"),
		"identity.sourceIp":          eq("127.0.0.1"),
		"identity.userAgent":         eq("agent/1"),
		"identity.apiKey":            eq(""),
		"identity.accountId":         eq(""),
		"identity.caller":            eq(""),
		"identity.user":              eq(""),
		"identity.userArn":           eq(""),
		"identity.cognitoIdentityId": eq(""),
		"path":                       eq("/testStage/items/7"),
		"protocol":                   eq("HTTP/1.1"),
		"requestId":                  eq(r.header.Get("x-amzn-RequestId")),
		"requestTime":                clfRe.MatchString,
		"requestTimeEpoch":           epoch.MatchString,
		"resourceId":                 regexp.MustCompile(`^[0-9a-z]{6}$`).MatchString,
		"resourcePath":               eq("/items/{id}"),
		"stage":                      eq("testStage"),
		"authorizer.principalId":     eq(""),
	}
	for _, n := range names {
		if check := cases[n]; check == nil || !check(got[n]) {
			t.Errorf("$context.%s = %q", n, got[n])
		}
	}
}

func eq(want string) func(string) bool { return func(s string) bool { return s == want } }

// TestParseQuery pins how a REST API reads query strings: the last value
// wins in queryStringParameters, all are listed in the multi-value map,
// '+' and %XX decode, ';' splits like '&', a name without '=' has "".
func TestParseQuery(t *testing.T) {
	cases := []struct {
		raw    string
		single map[string]string
		multi  map[string][]string
	}{
		{"", nil, nil},
		{"&", nil, nil},
		{"a=1&a=2&b", map[string]string{"a": "2", "b": ""}, map[string][]string{"a": {"1", "2"}, "b": {""}}},
		{"sort=-+createdAt&q=%E2%9C%93&e=a%26b%3Dc", map[string]string{"sort": "- createdAt", "q": "✓", "e": "a&b=c"},
			map[string][]string{"sort": {"- createdAt"}, "q": {"✓"}, "e": {"a&b=c"}}},
		{"a=1;b=2", map[string]string{"a": "1", "b": "2"}, map[string][]string{"a": {"1"}, "b": {"2"}}},
		{"x=%zz", map[string]string{"x": "%zz"}, map[string][]string{"x": {"%zz"}}},
	}
	for _, c := range cases {
		single, multi := parseQuery(c.raw)
		if fmt.Sprint(single) != fmt.Sprint(c.single) || fmt.Sprint(multi) != fmt.Sprint(c.multi) {
			t.Errorf("parseQuery(%q) = %v, %v; want %v, %v", c.raw, single, multi, c.single, c.multi)
		}
		if (single == nil) != (c.single == nil) {
			t.Errorf("parseQuery(%q): nil-ness differs (AWS sends null for no parameters)", c.raw)
		}
	}
}

// TestTemplateSeesForwardedHeaders: a mapping template reads the same
// method request headers a proxy event carries, the gateway's
// X-Forwarded-* and X-Amzn-Trace-Id included.
func TestTemplateSeesForwardedHeaders(t *testing.T) {
	inv := newInvoker()
	inv.returns("fn", `{}`)
	api := proxyAPI(&app.Route{Method: "GET", Path: "/ip", Integration: &app.Integration{Type: app.IntegrationAWS, FunctionName: "fn",
		RequestTemplates: map[string]string{"application/json": `{"xff":"$input.params('X-Forwarded-For')","proto":"$input.params('x-forwarded-proto')","trace":"$input.params().header.get('X-Amzn-Trace-Id')","ua":"$input.params('User-Agent')"}`}}})
	_, base := serve(t, api, inv)
	r := do(t, "GET", base+"/testStage/ip", nil, map[string]string{"User-Agent": "ua/2", "X-Forwarded-For": "10.0.0.1"})
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	var got map[string]string
	_ = json.Unmarshal(inv.last("fn"), &got)
	if got["xff"] != "10.0.0.1, 127.0.0.1" || got["proto"] != "http" || got["trace"] != r.header.Get("X-Amzn-Trace-Id") || got["ua"] != "ua/2" {
		t.Errorf("template saw %v (trace header %q)", got, r.header.Get("X-Amzn-Trace-Id"))
	}
}

// TestAsyncLambdaCustomIntegration: an AWS integration whose request
// parameters set X-Amz-Invocation-Type to 'Event' invokes the function
// asynchronously and answers through its integration response at once.
func TestAsyncLambdaCustomIntegration(t *testing.T) {
	inv := newInvoker()
	inv.returns("fn", `{"done":true}`)
	mk := func(path, invocationType string) *app.Route {
		integ := &app.Integration{Type: app.IntegrationAWS, FunctionName: "fn",
			Responses: []*app.IntegrationResponse{{StatusCode: "202", ResponseTemplates: map[string]string{"application/json": `{"queued": "$context.requestId"}`}}}}
		if invocationType != "" {
			integ.RequestParameters = map[string]string{"integration.request.header.X-Amz-Invocation-Type": invocationType}
		}
		return &app.Route{Method: "POST", Path: path, Integration: integ}
	}
	_, base := serve(t, proxyAPI(mk("/async", "'Event'"), mk("/sync", "'RequestResponse'"), mk("/plain", "")), inv)
	cases := []struct{ path, wantType string }{
		{"/async", "Event"},
		{"/sync", "RequestResponse"},
		{"/plain", "RequestResponse"},
	}
	for _, c := range cases {
		r := do(t, "POST", base+"/testStage"+c.path, strings.NewReader(`{"a":1}`), nil)
		if r.status != 202 || r.body != `{"queued": "`+r.header.Get("x-amzn-RequestId")+`"}` {
			t.Errorf("%s: %d %q", c.path, r.status, r.body)
		}
		inv.mu.Lock()
		types := inv.types["fn"]
		got := types[len(types)-1]
		inv.mu.Unlock()
		if got != c.wantType {
			t.Errorf("%s: invocation type %q, want %q", c.path, got, c.wantType)
		}
	}
}
