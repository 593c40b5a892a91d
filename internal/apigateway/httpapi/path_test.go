package httpapi

import (
	"encoding/json"
	"net/http"
	"testing"
)

// TestRequestPathDecoding: HTTP APIs hand the integration a decoded path,
// as live AWS captures show it for each of these requests (decoded,
// cut at a decoded '?', decoded twice, or refused with 400).
func TestRequestPathDecoding(t *testing.T) {
	inv := newInvoker()
	inv.returns("fn", `{"statusCode":200}`)
	base := serve(t, httpAPI(lambdaRoute("ANY /{proxy+}", "fn")), inv)
	cases := []struct {
		sent, rawPath string // rawPath "" means 400
	}{
		{"/capture/plain", "/capture/plain"},
		{"/capture/space%20value", "/capture/space value"},
		{"/capture/question%3Fvalue", "/capture/question"},
		{"/capture/percent%25done", ""},
		{"/capture/hash%23value", "/capture/hash#value"},
		{"/capture/slash%2Fvalue", "/capture/slash/value"},
		{"/capture/unicode-%CE%BB-%E4%B8%96%E7%95%8C", "/capture/unicode-λ-世界"},
		{"/capture/literal%252Fvalue", "/capture/literal/value"},
		{"/capture/literal%253Fvalue", "/capture/literal?value"},
		{"/capture/literal%2525value", "/capture/literal%value"},
	}
	for _, c := range cases {
		t.Run(c.sent, func(t *testing.T) {
			resp, err := http.Get(base + c.sent + "?marker=x")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if c.rawPath == "" {
				if resp.StatusCode != http.StatusBadRequest {
					t.Fatalf("status %d, want 400", resp.StatusCode)
				}
				return
			}
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			var ev struct {
				RawPath        string            `json:"rawPath"`
				RawQueryString string            `json:"rawQueryString"`
				PathParameters map[string]string `json:"pathParameters"`
				RequestContext struct {
					HTTP struct {
						Path string `json:"path"`
					} `json:"http"`
				} `json:"requestContext"`
			}
			if err := json.Unmarshal(inv.last("fn"), &ev); err != nil {
				t.Fatal(err)
			}
			if ev.RawPath != c.rawPath || ev.RequestContext.HTTP.Path != c.rawPath || ev.RawQueryString != "marker=x" {
				t.Errorf("rawPath %q, http.path %q, query %q; want %q", ev.RawPath, ev.RequestContext.HTTP.Path, ev.RawQueryString, c.rawPath)
			}
			if want := c.rawPath[1:]; ev.PathParameters["proxy"] != want {
				t.Errorf("proxy %q, want %q", ev.PathParameters["proxy"], want)
			}
		})
	}
}
