package thirdpartynode2

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"strconv"
	"strings"
	"testing"

	"github.com/nimbus-dev/nimbus/compat/internal/compattest"
)

// honoDeps are hono/package.json's dependencies.
var honoDeps = []string{"hono@4.13.19"}

// pixel is hono/app.js's PIXEL.
var pixel = compattest.Pixel

// honoAPI is one API serving the Hono app.
type honoAPI struct {
	name, base string
	rest       bool
	// stage is the event's requestContext.stage.
	stage string
	// domainName is the event's requestContext.domainName.
	domainName string
	// pngAsBytes maps an Accept header to whether /pixel.png arrives as
	// bytes (else as the base64 text the function returned).
	pngAsBytes map[string]bool
}

func TestHono(t *testing.T) {
	a := startApp(t, "hono", honoDeps...)
	httpAPI, restAPI := a.API(t, "ServerlessHttpApi"), a.API(t, "RestApi")
	if httpAPI.Protocol != "HTTP" || restAPI.Protocol != "REST" || restAPI.Stage != "prod" {
		t.Fatalf("APIs %+v", a.APIs)
	}
	for _, api := range []honoAPI{
		{name: "HttpApi 2.0", base: httpAPI.URL, stage: "$default",
			domainName: httpAPI.APIID + ".execute-api.us-east-1.amazonaws.com",
			pngAsBytes: map[string]bool{"": true, "*/*": true, "text/html": true}},
		// BinaryMediaTypes [image/png]: only a first Accept of image/png
		// gets the bytes, as on AWS.
		{name: "RestApi 1.0", base: restAPI.URL, rest: true, stage: "prod",
			domainName: restAPI.APIID + ".execute-api.us-east-1.amazonaws.com",
			pngAsBytes: map[string]bool{"image/png": true, "image/png,*/*": true, "": false, "*/*": false}},
	} {
		t.Run(api.name, func(t *testing.T) { checkHono(t, api) })
	}
}

// checkHono drives every route of hono/app.js through api.
func checkHono(t *testing.T, api honoAPI) {
	base := strings.TrimSuffix(api.base, "/")
	gatewayHeader := "Apigw-Requestid"
	if api.rest {
		gatewayHeader = "X-Amzn-Requestid"
	}
	expect := func(what string, res compattest.Response, status int, contentType string) {
		t.Helper()
		if res.Status != status || res.Header.Get("Content-Type") != contentType || res.Header.Get(gatewayHeader) == "" {
			t.Errorf("%s: %d %v %q, want %d %s", what, res.Status, res.Header, res.Body, status, contentType)
		}
	}

	// Path parameters and a query string with a repeated key; Hono builds
	// the request URL from requestContext.domainName.
	res := compattest.Do(t, http.MethodGet, base+"/users/7?tag=a&tag=b&q=x%20y", nil, "")
	expect("GET /users/7", res, 200, "application/json")
	var user struct {
		ID    string              `json:"id"`
		Path  string              `json:"path"`
		URL   string              `json:"url"`
		Query map[string][]string `json:"query"`
	}
	if err := json.Unmarshal(res.Body, &user); err != nil || user.ID != "7" || user.Path != "/users/7" ||
		!strings.HasPrefix(user.URL, "https://"+api.domainName+"/users/7?") ||
		strings.Join(user.Query["tag"], ",") != "a,b" || strings.Join(user.Query["q"], ",") != "x y" {
		t.Errorf("GET /users/7: %s (%v)", res.Body, err)
	}

	// JSON, form and binary bodies.
	in := `{"name":"Zoë","tags":["a","b"],"n":1.5}`
	res = compattest.Do(t, http.MethodPost, base+"/echo", http.Header{"Content-Type": {"application/json"}}, in)
	expect("POST /echo", res, 201, "application/json")
	if want := `{"body":` + in + `,"contentType":"application/json"}`; string(res.Body) != want {
		t.Errorf("POST /echo: %s, want %s", res.Body, want)
	}
	res = compattest.Do(t, http.MethodPost, base+"/form", http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, "a=1&b=x+y&b=%C3%A9")
	expect("POST /form", res, 200, "application/json")
	if string(res.Body) != `{"a":"1","b":["x y","é"]}` {
		t.Errorf("POST /form: %s", res.Body)
	}
	res = compattest.Do(t, http.MethodPost, base+"/upload", http.Header{"Content-Type": {"image/png"}}, string(pixel))
	expect("POST /upload", res, 200, "application/json")
	sum := sha256.Sum256(pixel)
	if want := `{"bytes":` + strconv.Itoa(len(pixel)) + `,"sha256":"` + hex.EncodeToString(sum[:]) + `"}`; string(res.Body) != want {
		t.Errorf("POST /upload: %s, want %s", res.Body, want)
	}

	// setCookie twice: two Set-Cookie headers (cookies in a 2.0 answer,
	// multiValueHeaders in a 1.0 one), kept and sent back by a cookie jar.
	res = compattest.Do(t, http.MethodGet, base+"/login", nil, "")
	expect("GET /login", res, 200, "application/json")
	if got := res.Header.Values("Set-Cookie"); len(got) != 2 || got[0] != "session=abc123; Path=/; HttpOnly" ||
		got[1] != "theme=dark%20mode; Max-Age=3600; Path=/; SameSite=Lax" {
		t.Errorf("GET /login: Set-Cookie %q", got)
	}
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	for _, path := range []string{"/login", "/whoami"} {
		resp, err := browser.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		var body bytes.Buffer
		_, _ = body.ReadFrom(resp.Body)
		resp.Body.Close()
		if want := `{"cookies":{"session":"abc123","theme":"dark mode"},"header":"session=abc123; theme=dark%20mode"}`; path == "/whoami" && body.String() != want {
			t.Errorf("GET /whoami with the jar's cookies: %s, want %s", body.String(), want)
		}
	}
	res = compattest.Do(t, http.MethodGet, base+"/whoami", http.Header{"Cookie": {"a=1; b=2"}}, "")
	if string(res.Body) != `{"cookies":{"a":"1","b":"2"},"header":"a=1; b=2"}` {
		t.Errorf("GET /whoami: %s", res.Body)
	}

	// The app's headers, and the client's as Hono reads them.
	res = compattest.Do(t, http.MethodGet, base+"/headers", http.Header{"X-Trace": {"t-1"}, "User-Agent": {"thirdparty-test/1"}}, "")
	expect("GET /headers", res, 200, "application/json")
	if string(res.Body) != `{"trace":"t-1","userAgent":"thirdparty-test/1"}` || res.Header.Get("X-Custom") != "hono" ||
		res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("GET /headers: %v %s", res.Header, res.Body)
	}

	// Hono's 404, for a path, the root and an unrouted method; a 204.
	for _, r := range []struct{ method, path string }{{"GET", "/nope"}, {"GET", "/"}, {"PUT", "/users/7"}} {
		res = compattest.Do(t, r.method, base+r.path, nil, "")
		expect(r.method+" "+r.path, res, 404, "text/plain; charset=UTF-8")
		if string(res.Body) != "404 Not Found" {
			t.Errorf("%s %s: %q", r.method, r.path, res.Body)
		}
	}
	res = compattest.Do(t, http.MethodDelete, base+"/users/7", nil, "")
	if res.Status != 204 || len(res.Body) != 0 {
		t.Errorf("DELETE /users/7: %d %v %q", res.Status, res.Header, res.Body)
	}

	// c.redirect, not followed.
	for path, want := range map[string]struct {
		status   int
		location string
	}{"/old": {302, "/users/42"}, "/moved": {301, "https://example.com/new"}} {
		res := compattest.DoNoRedirect(t, http.MethodGet, base+path, nil, "")
		if res.Status != want.status || res.Header.Get("Location") != want.location || len(res.Body) != 0 {
			t.Errorf("GET %s: %d %v %q", path, res.Status, res.Header, res.Body)
		}
	}

	// The PNG Hono base64-encodes: bytes, or the base64 text when the API
	// does not convert it.
	compattest.CheckBinaryResponse(t, base+"/pixel.png", pixel, api.pngAsBytes, func(what string, res compattest.Response) {
		expect(what, res, 200, "image/png")
	})

	// What the function saw: the event and the Lambda context.
	res = compattest.Do(t, http.MethodGet, base+"/lambda", nil, "")
	expect("GET /lambda", res, 200, "application/json")
	var seen struct {
		Version            *string `json:"version"`
		Stage              string  `json:"stage"`
		DomainName         string  `json:"domainName"`
		FunctionName       string  `json:"functionName"`
		MemoryLimitInMB    string  `json:"memoryLimitInMB"`
		InvokedFunctionArn string  `json:"invokedFunctionArn"`
		AwsRequestID       string  `json:"awsRequestId"`
		Remaining          bool    `json:"remaining"`
	}
	if err := json.Unmarshal(res.Body, &seen); err != nil {
		t.Fatalf("GET /lambda: %s (%v)", res.Body, err)
	}
	if (seen.Version != nil) == api.rest || seen.Stage != api.stage || seen.DomainName != api.domainName ||
		!strings.Contains(seen.FunctionName, "HonoFunction") || seen.MemoryLimitInMB != "256" ||
		seen.InvokedFunctionArn != "arn:aws:lambda:us-east-1:000000000000:function:"+seen.FunctionName ||
		len(seen.AwsRequestID) != 36 || !seen.Remaining {
		t.Errorf("GET /lambda: %s", res.Body)
	}
}
