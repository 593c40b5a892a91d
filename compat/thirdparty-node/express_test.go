// Package thirdpartynode runs ordinary Node.js apps built on popular
// third-party libraries, unchanged, on Nimbus: an Express app wrapped by
// serverless-http (serverless.yml, HTTP API and REST API) and by
// @vendia/serverless-express (SAM, REST API and HTTP API), and AWS's
// "simple websockets chat app" shape, and checks what a client of the
// deployed APIs sees: status, headers, cookies and body bytes.
package thirdpartynode

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/nimbus-dev/nimbus/compat/internal/compattest"
)

// expressDeps are express/package.json's dependencies, plus the version of
// @vendia/serverless-express's one dependency that works: its ^4.12.5
// range resolves to @codegenie/serverless-express 4.16+, whose requests
// have no socket, so Express's final handler (any 404) throws "ee.on is
// not a function", on Lambda too (CodeGenieApp/serverless-express#698).
var expressDeps = []string{
	"express@4.21.2",
	"serverless-http@4.0.0",
	"@vendia/serverless-express@4.12.6",
	"@codegenie/serverless-express@4.15.0",
}

// pixel is app.js's PIXEL.
var pixel = compattest.Pixel

// startExpress copies express/ to a temporary folder with the cached npm
// install as its node_modules (what `npm ci` leaves before a deploy) and
// runs the named template of it.
func startExpress(t *testing.T, template string) *compattest.App {
	t.Helper()
	compattest.RequireNode(t)
	modules := compattest.NPMPackages(t, expressDeps...)
	dir := t.TempDir()
	compattest.CopyDir(t, "express", dir, "node_modules")
	if err := os.Symlink(modules, filepath.Join(dir, "node_modules")); err != nil {
		t.Fatal(err)
	}
	return compattest.Start(t, filepath.Join(dir, template))
}

// expressAPI is one API serving the Express app and what its wrapper and
// API type make of the app's answers.
type expressAPI struct {
	name string
	base string
	rest bool
	// multi is how a client sees res.set("X-Multi", ["one", "two"]): REST
	// APIs send multiValueHeaders as repeated headers; for payload 2.0 the
	// wrapper joins them (serverless-http with ", ", serverless-express ",").
	multi []string
	// binaryAccept maps an Accept header to whether /pixel.png arrives as
	// bytes (else as the base64 text the function returned).
	binaryAccept map[string]bool
}

const browserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"

func TestServerlessHTTP(t *testing.T) {
	a := startExpress(t, "serverless.yml")
	httpAPI, restAPI := a.API(t, "HttpApi"), a.API(t, "ApiGatewayRestApi")
	if httpAPI.Protocol != "HTTP" || restAPI.Protocol != "REST" || restAPI.Stage != "dev" {
		t.Fatalf("APIs %+v", a.APIs)
	}
	for _, api := range []expressAPI{
		{name: "httpApi 2.0", base: httpAPI.URL, multi: []string{"one, two"},
			binaryAccept: map[string]bool{"": true, "*/*": true, browserAccept: true}},
		// binaryMediaTypes [image/png]: only a first Accept of image/png
		// gets the bytes.
		{name: "http 1.0", base: restAPI.URL, rest: true, multi: []string{"one", "two"},
			binaryAccept: map[string]bool{"image/png": true, "": false, "*/*": false, browserAccept: false}},
	} {
		t.Run(api.name, func(t *testing.T) { checkExpress(t, api) })
	}
}

func TestVendiaServerlessExpress(t *testing.T) {
	a := startExpress(t, "template.yaml")
	restAPI, httpAPI := a.API(t, "ServerlessRestApi"), a.API(t, "ServerlessHttpApi")
	if restAPI.Stage != "Prod" || httpAPI.Protocol != "HTTP" {
		t.Fatalf("APIs %+v", a.APIs)
	}
	for _, api := range []expressAPI{
		// BinaryMediaTypes */*: every Accept gets the bytes.
		{name: "Api 1.0", base: restAPI.URL, rest: true, multi: []string{"one", "two"},
			binaryAccept: map[string]bool{"": true, "*/*": true, browserAccept: true}},
		{name: "HttpApi 2.0", base: httpAPI.URL, multi: []string{"one,two"},
			binaryAccept: map[string]bool{"": true, "*/*": true, browserAccept: true}},
	} {
		t.Run(api.name, func(t *testing.T) { checkExpress(t, api) })
	}
}

// checkExpress drives every route of app.js through api.
func checkExpress(t *testing.T, api expressAPI) {
	base := strings.TrimSuffix(api.base, "/")
	jsonType := "application/json; charset=utf-8"
	gatewayHeader := "apigw-requestid"
	if api.rest {
		gatewayHeader = "x-amzn-RequestId"
	}
	expect := func(what string, res compattest.Response, status int, contentType string) {
		t.Helper()
		if res.Status != status || res.Header.Get("Content-Type") != contentType ||
			res.Header.Get("X-Powered-By") != "Express" || res.Header.Get(gatewayHeader) == "" {
			t.Errorf("%s: %d %v %q, want %d %s", what, res.Status, res.Header, res.Body, status, contentType)
		}
	}

	// Path parameters and a query string with a repeated key.
	res := compattest.Do(t, http.MethodGet, base+"/users/7?tag=a&tag=b&q=x%20y", nil, "")
	expect("GET /users/7", res, 200, jsonType)
	var user struct {
		ID    string         `json:"id"`
		Query map[string]any `json:"query"`
		Path  string         `json:"path"`
	}
	if err := json.Unmarshal(res.Body, &user); err != nil || user.ID != "7" || user.Path != "/users/7" ||
		!equalJSON(user.Query, `{"tag":["a","b"],"q":"x y"}`) {
		t.Errorf("GET /users/7: %s (%v)", res.Body, err)
	}
	if !strings.HasPrefix(res.Header.Get("ETag"), `W/"`) {
		t.Errorf("GET /users/7: ETag %q", res.Header.Get("ETag"))
	}

	// A JSON body parsed by express.json().
	in := `{"name":"Zoë","tags":["a","b"],"n":1.5}`
	res = compattest.Do(t, http.MethodPost, base+"/echo", http.Header{"Content-Type": {"application/json"}}, in)
	expect("POST /echo", res, 201, jsonType)
	var echo struct {
		Body        json.RawMessage `json:"body"`
		ContentType string          `json:"contentType"`
	}
	if err := json.Unmarshal(res.Body, &echo); err != nil || string(echo.Body) != in || echo.ContentType != "application/json" {
		t.Errorf("POST /echo: %s (%v)", res.Body, err)
	}

	// An HTML form and a binary upload arrive as the client sent them
	// (base64 in the event where API Gateway encodes them, decoded by the
	// wrapper).
	res = compattest.Do(t, http.MethodPost, base+"/form", http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, "a=1&b=x+y&b=%C3%A9")
	expect("POST /form", res, 200, jsonType)
	if string(res.Body) != `{"a":"1","b":["x y","é"]}` {
		t.Errorf("POST /form: %s", res.Body)
	}
	res = compattest.Do(t, http.MethodPost, base+"/upload", http.Header{"Content-Type": {"image/png"}}, string(pixel))
	expect("POST /upload", res, 200, jsonType)
	sum := sha256.Sum256(pixel)
	if want := `{"bytes":` + strconv.Itoa(len(pixel)) + `,"sha256":"` + hex.EncodeToString(sum[:]) + `"}`; string(res.Body) != want {
		t.Errorf("POST /upload: %s, want %s", res.Body, want)
	}

	// res.cookie twice: two Set-Cookie headers, which a cookie jar keeps and
	// sends back.
	res = compattest.Do(t, http.MethodGet, base+"/login", nil, "")
	expect("GET /login", res, 200, jsonType)
	cookies := res.Header.Values("Set-Cookie")
	if len(cookies) != 2 || cookies[0] != "session=abc123; Path=/; HttpOnly" ||
		!strings.HasPrefix(cookies[1], "theme=dark%20mode; Max-Age=3600; Path=/; Expires=") || !strings.HasSuffix(cookies[1], " GMT") {
		t.Errorf("GET /login: Set-Cookie %q", cookies)
	}
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	for _, path := range []string{"/login", "/whoami"} {
		resp, err := browser.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		var who struct {
			Cookie *string `json:"cookie"`
		}
		err = json.NewDecoder(resp.Body).Decode(&who)
		resp.Body.Close()
		if path == "/whoami" && (err != nil || who.Cookie == nil || *who.Cookie != "session=abc123; theme=dark%20mode") {
			t.Errorf("GET /whoami with the jar's cookies: %v %v", who.Cookie, err)
		}
	}
	res = compattest.Do(t, http.MethodGet, base+"/whoami", http.Header{"Cookie": {"a=1; b=2"}}, "")
	if string(res.Body) != `{"cookie":"a=1; b=2"}` {
		t.Errorf("GET /whoami: %s", res.Body)
	}

	// The app's own headers, one of them with two values.
	res = compattest.Do(t, http.MethodGet, base+"/headers", http.Header{"X-Trace": {"t-1"}, "User-Agent": {"thirdparty-test/1"}}, "")
	expect("GET /headers", res, 200, jsonType)
	if string(res.Body) != `{"trace":"t-1","userAgent":"thirdparty-test/1"}` || res.Header.Get("X-Custom") != "nimbus" ||
		res.Header.Get("Cache-Control") != "no-store" || !slices.Equal(res.Header.Values("X-Multi"), api.multi) {
		t.Errorf("GET /headers: %v %s (X-Multi want %q)", res.Header, res.Body, api.multi)
	}

	// Express's own 404 page, for a path and for the root.
	for _, path := range []string{"/nope", "/"} {
		res = compattest.Do(t, http.MethodGet, base+path, nil, "")
		expect("GET "+path, res, 404, "text/html; charset=utf-8")
		want := "<pre>Cannot GET " + path + "</pre>"
		if !bytes.Contains(res.Body, []byte(want)) || res.Header.Get("Content-Security-Policy") != "default-src 'none'" ||
			res.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: %v %s", path, res.Header, res.Body)
		}
	}
	res = compattest.Do(t, http.MethodDelete, base+"/users/7", nil, "")
	if res.Status != 404 || !bytes.Contains(res.Body, []byte("Cannot DELETE /users/7")) {
		t.Errorf("DELETE /users/7: %d %s", res.Status, res.Body)
	}

	// A status Express does not use by itself.
	res = compattest.Do(t, http.MethodGet, base+"/teapot", nil, "")
	expect("GET /teapot", res, 418, "text/plain; charset=utf-8")
	if string(res.Body) != "short and stout" {
		t.Errorf("GET /teapot: %q", res.Body)
	}

	// Redirects, not followed.
	for path, want := range map[string]struct {
		status   int
		location string
		body     string
	}{
		"/old":   {302, "/users/42", "Found. Redirecting to /users/42"},
		"/moved": {301, "https://example.com/new", "Moved Permanently. Redirecting to https://example.com/new"},
	} {
		res := compattest.DoNoRedirect(t, http.MethodGet, base+path, nil, "")
		if res.Status != want.status || res.Header.Get("Location") != want.location || string(res.Body) != want.body {
			t.Errorf("GET %s: %d %v %q", path, res.Status, res.Header, res.Body)
		}
	}

	// The PNG: bytes, or the base64 text when the API does not convert it.
	compattest.CheckBinaryResponse(t, base+"/pixel.png", pixel, api.binaryAccept, func(what string, res compattest.Response) {
		expect(what, res, 200, "image/png")
	})
}

func equalJSON(v any, want string) bool {
	got, _ := json.Marshal(v)
	var a, b any
	_ = json.Unmarshal(got, &a)
	_ = json.Unmarshal([]byte(want), &b)
	ga, _ := json.Marshal(a)
	gb, _ := json.Marshal(b)
	return string(ga) == string(gb)
}
