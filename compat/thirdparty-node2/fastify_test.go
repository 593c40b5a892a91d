package thirdpartynode2

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/nimbus-dev/nimbus/compat/internal/compattest"
)

// fastifyDeps are fastify/package.json's dependencies.
var fastifyDeps = []string{"@fastify/aws-lambda@6.4.1", "fastify@5.12.8"}

func TestFastify(t *testing.T) {
	a := startApp(t, "fastify", fastifyDeps...)
	api := a.API(t, "Api")
	if api.Protocol != "REST" || api.Stage != "dev" {
		t.Fatalf("APIs %+v", a.APIs)
	}
	base := strings.TrimSuffix(api.URL, "/")
	jsonType := "application/json; charset=utf-8"
	for _, c := range []struct {
		method, path, contentType, body string
		status                          int
		want                            string
	}{
		{"GET", "/", "", "", 200, `{"hello":"fastify"}`},
		// Fastify's schema coerces the path parameter and the repeated key.
		{"GET", "/items/5?tag=a&tag=b", "", "", 200, `{"id":5,"tag":["a","b"],"url":"/items/5?tag=a&tag=b"}`},
		{"GET", "/items/x", "", "", 400, `{"statusCode":400,"code":"FST_ERR_VALIDATION","error":"Bad Request","message":"params/id must be integer"}`},
		{"POST", "/items", "application/json", `{"name":"pen","price":1.5}`, 201, `{"created":{"name":"pen","price":1.5}}`},
		{"POST", "/items", "application/json", `{}`, 400, `{"statusCode":400,"code":"FST_ERR_VALIDATION","error":"Bad Request","message":"body must have required property 'name'"}`},
		{"POST", "/items", "application/json", `{"name":`, 400, `{"statusCode":400,"code":"FST_ERR_CTP_INVALID_JSON_BODY","error":"Bad Request","message":"Body is not valid JSON but content-type is set to 'application/json'"}`},
		// A binary upload arrives base64-encoded in the event and as bytes
		// in the app.
		{"POST", "/upload", "image/png", string(pixel), 200, `{"bytes":70,"first":"89504e47"}`},
		{"GET", "/boom", "", "", 500, `{"statusCode":500,"error":"Internal Server Error","message":"kaput"}`},
		{"GET", "/nope", "", "", 404, `{"message":"Route GET:/nope not found","error":"Not Found","statusCode":404}`},
	} {
		h := http.Header{}
		if c.contentType != "" {
			h.Set("Content-Type", c.contentType)
		}
		res := compattest.Do(t, c.method, base+c.path, h, c.body)
		if res.Status != c.status || string(res.Body) != c.want || res.Header.Get("Content-Type") != jsonType ||
			res.Header.Get("X-Amzn-Requestid") == "" {
			t.Errorf("%s %s: %d %v %s, want %d %s", c.method, c.path, res.Status, res.Header, res.Body, c.status, c.want)
		}
	}

	// Location and two Set-Cookie headers from the app; light-my-request's
	// own Date and Connection are remapped by the REST API, as on AWS.
	res := compattest.Do(t, http.MethodPost, base+"/items", http.Header{"Content-Type": {"application/json"}}, `{"name":"cup"}`)
	if res.Header.Get("Location") != "/items/9" || res.Header.Get("X-Amzn-Remapped-Connection") != "keep-alive" ||
		res.Header.Get("X-Amzn-Remapped-Date") == "" {
		t.Errorf("POST /items: %v", res.Header)
	}
	res = compattest.Do(t, http.MethodGet, base+"/session", http.Header{"Cookie": {"x=1; y=2"}}, "")
	if got := res.Header.Values("Set-Cookie"); len(got) != 2 || got[0] != "a=1; Path=/" || got[1] != "b=2; Path=/; HttpOnly" ||
		string(res.Body) != `{"cookie":"x=1; y=2"}` {
		t.Errorf("GET /session: %v %s", res.Header, res.Body)
	}

	// What the function saw through the adapter's request decoration.
	res = compattest.Do(t, http.MethodGet, base+"/lambda", nil, "")
	var seen struct {
		Stage, Path, Resource, FunctionName, AwsRequestID string
	}
	if err := json.Unmarshal(res.Body, &seen); err != nil || seen.Stage != "dev" || seen.Path != "/lambda" ||
		seen.Resource != "/{proxy+}" || !strings.Contains(seen.FunctionName, "FastifyFunction") || len(seen.AwsRequestID) != 36 {
		t.Errorf("GET /lambda: %s (%v)", res.Body, err)
	}
}
