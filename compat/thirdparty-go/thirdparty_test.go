// Package thirdpartygo runs an ordinary Go web app (chi + net/http) served
// through the real aws-lambda-go-api-proxy adapters on Nimbus: httpadapter
// and the chi adapter on a REST API (payload 1.0, {proxy+}) and
// httpadapter.NewV2 on an HTTP API (payload 2.0), all built by Nimbus from
// the Go sources of app/ (its own module, as a user's project is), and
// checks what a client of the deployed API sees.
package thirdpartygo

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/nimbus-dev/nimbus/compat/internal/compattest"
)

// echo mirrors app/web.Echo.
type echo struct {
	Method      string              `json:"method"`
	Path        string              `json:"path"`
	EscapedPath string              `json:"escapedPath"`
	Param       string              `json:"param"`
	Query       map[string][]string `json:"query"`
	Cookies     map[string]string   `json:"cookies"`
	Multi       []string            `json:"multi"`
	ContentType string              `json:"contentType"`
	Host        string              `json:"host"`
	BodyText    string              `json:"bodyText"`
	BodySHA256  string              `json:"bodySha256"`
	BodyLength  int                 `json:"bodyLength"`
}

// png is app/web.PNG.
var png = []byte{
	0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
	0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
	0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xff, 0xff, 0x3f,
	0x00, 0x05, 0xfe, 0x02, 0xfe, 0xa7, 0x35, 0x81, 0x84, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e,
	0x44, 0xae, 0x42, 0x60, 0x82,
}

// deployment is one way the app is served.
type deployment struct {
	name string
	base string
	// rest is payload 1.0 (REST API): multiValueHeaders keep repeated
	// response headers apart; the v2 adapter joins them with commas.
	rest bool
}

func TestAPIProxyAdapters(t *testing.T) {
	compattest.RequireTool(t, "go", "install Go from go.dev/dl (Nimbus builds Go functions with it)")
	app := compattest.Start(t, "template.yaml")
	rest, httpAPI := app.API(t, "RestApi"), app.API(t, "HttpApi")
	if rest.Protocol != "REST" || rest.Stage != "prod" || httpAPI.Protocol != "HTTP" {
		t.Fatalf("APIs: %+v %+v", rest, httpAPI)
	}
	for _, d := range []deployment{
		{name: "REST httpadapter", base: rest.URL, rest: true},
		{name: "REST chiadapter", base: rest.URL + "/chi", rest: true},
		{name: "HTTP API httpadapter.NewV2", base: httpAPI.URL},
	} {
		t.Run(d.name, func(t *testing.T) { checkDeployment(t, d) })
	}
}

func checkDeployment(t *testing.T, d deployment) {
	// Path and query: encoded characters, repeated keys, '+', empty values.
	// The REST event keeps the path encoded and the HTTP API event has it
	// decoded (docs/apigateway.md); either way the app sees the decoded path.
	res := compattest.Do(t, http.MethodGet, d.base+"/echo/a%20b/c%2Fd?q=a%20b&q=c%26d&x=%E6%97%A5&plus=1+2&empty=",
		http.Header{"X-Multi": {"one", "two"}, "Cookie": {"a=1; b=2"}}, "")
	e := decodeEcho(t, res)
	wantQuery := map[string][]string{"q": {"a b", "c&d"}, "x": {"日"}, "plus": {"1 2"}, "empty": {""}}
	if e.Method != "GET" || e.Path != "/echo/a b/c/d" || !equalQuery(e.Query, wantQuery) {
		t.Errorf("GET echo: %+v", e)
	}
	if e.Cookies["a"] != "1" || e.Cookies["b"] != "2" || !slices.Equal(e.Multi, []string{"one", "two"}) {
		t.Errorf("GET echo cookies %v, X-Multi %v", e.Cookies, e.Multi)
	}
	if !strings.HasSuffix(e.Host, ".execute-api.us-east-1.amazonaws.com") {
		t.Errorf("Host the app sees = %q, want the API's domain name", e.Host)
	}

	// A JSON body with non-ASCII text reaches the app byte for byte.
	body := `{"name":"日本 \"q\"","n":[1,2]}`
	e = decodeEcho(t, compattest.Do(t, http.MethodPost, d.base+"/echo", http.Header{"Content-Type": {"application/json"}}, body))
	if e.Method != "POST" || e.BodyText != body || e.ContentType != "application/json" {
		t.Errorf("POST JSON echo: %+v", e)
	}

	// A binary upload (a binary media type on the REST API, any type on
	// an HTTP API) arrives base64-encoded in the event and decoded in the app.
	blob := make([]byte, 256<<10)
	_, _ = rand.Read(blob)
	sum := sha256.Sum256(blob)
	e = decodeEcho(t, compattest.Do(t, http.MethodPut, d.base+"/echo/upload", http.Header{"Content-Type": {"application/octet-stream"}}, string(blob)))
	if e.BodyLength != len(blob) || e.BodySHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("binary upload: app got %d bytes, sha256 %s", e.BodyLength, e.BodySHA256)
	}

	// JSON in, 201 with a Location header out; a bad body is the app's 400.
	res = compattest.Do(t, http.MethodPost, d.base+"/json", http.Header{"Content-Type": {"application/json"}}, `{"name":"zed"}`)
	if res.Status != 201 || res.Header.Get("Location") != "/items/zed" || res.Header.Get("Content-Type") != "application/json" ||
		strings.TrimSpace(string(res.Body)) != `{"hello":"zed"}` {
		t.Errorf("POST /json: %d %v %s", res.Status, res.Header, res.Body)
	}
	res = compattest.Do(t, http.MethodPost, d.base+"/json", nil, `nope`)
	if res.Status != 400 || res.Header.Get("Content-Type") != "application/problem+json" || string(res.Body) != `{"title":"name is required"}` {
		t.Errorf("POST /json bad body: %d %v %s", res.Status, res.Header, res.Body)
	}

	// Several Set-Cookie headers stay separate (multiValueHeaders on a REST
	// API, the cookies list of a 2.0 response on an HTTP API).
	res = compattest.Do(t, http.MethodGet, d.base+"/cookies", nil, "")
	wantCookies := []string{"session=abc123; Path=/; HttpOnly", "theme=dark; Max-Age=3600", "lang=en; Path=/; Secure"}
	if res.Status != 200 || !slices.Equal(res.Header.Values("Set-Cookie"), wantCookies) || string(res.Body) != "cookies set" ||
		res.Header.Get("Cache-Control") != "no-store" || res.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Errorf("GET /cookies: %d %v %q", res.Status, res.Header, res.Body)
	}
	wantMulti := []string{"one,two"}
	if d.rest {
		wantMulti = []string{"one", "two"}
	}
	if got := res.Header.Values("X-Multi"); !slices.Equal(got, wantMulti) {
		t.Errorf("X-Multi = %q, want %q", got, wantMulti)
	}

	// A binary response: the adapter base64-encodes bytes that are not
	// UTF-8. An HTTP API always decodes them; a REST API only when the
	// first media range of the client's Accept is a binary media type, so
	// `Accept: */*` (curl's default) gets the base64 text, as on AWS.
	res = compattest.Do(t, http.MethodGet, d.base+"/image.png", http.Header{"Accept": {"image/png"}}, "")
	if res.Status != 200 || !bytes.Equal(res.Body, png) || res.Header.Get("Content-Type") != "image/png" {
		t.Errorf("GET /image.png (Accept image/png): %d %v %q", res.Status, res.Header, res.Body)
	}
	want := png
	if d.rest {
		want = []byte(base64.StdEncoding.EncodeToString(png))
	}
	res = compattest.Do(t, http.MethodGet, d.base+"/image.png", http.Header{"Accept": {"*/*"}}, "")
	if res.Status != 200 || !bytes.Equal(res.Body, want) || res.Header.Get("Content-Type") != "image/png" {
		t.Errorf("GET /image.png (Accept */*): %d %v %q", res.Status, res.Header, res.Body)
	}

	// Status codes and the app's own headers, redirects not followed.
	for _, c := range []struct {
		code int
		body string
	}{{204, ""}, {404, "Not Found\n"}, {418, "I'm a teapot\n"}, {503, "Service Unavailable\n"}} {
		res = compattest.Do(t, http.MethodGet, d.base+"/status/"+itoa(c.code), nil, "")
		if res.Status != c.code || string(res.Body) != c.body || res.Header.Get("X-Status") != itoa(c.code) {
			t.Errorf("GET /status/%d: %d %v %q", c.code, res.Status, res.Header, res.Body)
		}
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Get(d.base + "/status/302")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 302 || resp.Header.Get("Location") != "/echo/redirected" {
		t.Errorf("GET /status/302: %d %v", resp.StatusCode, resp.Header)
	}

	// chi's URL parameters and its own 404 for unknown routes.
	res = compattest.Do(t, http.MethodGet, d.base+"/items/x%20y", nil, "")
	if res.Status != 200 || strings.TrimSpace(string(res.Body)) != `{"id":"x y"}` {
		t.Errorf("GET /items/x%%20y: %d %s", res.Status, res.Body)
	}
	res = compattest.Do(t, http.MethodGet, d.base+"/no/such/route", nil, "")
	if res.Status != 404 || string(res.Body) != "404 page not found\n" {
		t.Errorf("GET unknown route: %d %q", res.Status, res.Body)
	}
}

func decodeEcho(t *testing.T, res compattest.Response) echo {
	t.Helper()
	var e echo
	if res.Status != 200 || res.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("echo answered %d %v %s", res.Status, res.Header, res.Body)
	}
	if err := json.Unmarshal(res.Body, &e); err != nil {
		t.Fatalf("echo answered %s: %v", res.Body, err)
	}
	return e
}

func equalQuery(a, b map[string][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
