package rest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime/debug"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// awsTestdata finds the aws-lambda-go module's sample events.
func awsTestdata(t *testing.T, name string) []byte {
	t.Helper()
	version := "v1.55.1"
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "github.com/aws/aws-lambda-go" {
				version = d.Version
			}
		}
	}
	modcache := os.Getenv("GOMODCACHE")
	if modcache == "" {
		if out, err := exec.Command("go", "env", "GOMODCACHE").Output(); err == nil {
			modcache = strings.TrimSpace(string(out))
		}
	}
	b, err := os.ReadFile(filepath.Join(modcache, "github.com/aws/aws-lambda-go@"+version, "events/testdata", name))
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("AWS sample event not in the module cache: %v", err)
		}
		t.Skipf("AWS sample event not in the module cache (run `go mod download github.com/aws/aws-lambda-go`): %v", err)
	}
	return b
}

var (
	uuidRe     = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	extendedRe = regexp.MustCompile(`^[A-Za-z0-9_-]{15}=$`)
	clfRe      = regexp.MustCompile(`^\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} \+0000$`)
)

// TestGoldenProxyEvent sends the request behind AWS's documented sample
// event (apigw-request.json) and compares the event the function gets,
// field by field. Fields that depend on the moment or on CloudFront are
// checked for form and then aligned.
func TestGoldenProxyEvent(t *testing.T) {
	var want events.APIGatewayProxyRequest
	if err := json.Unmarshal(awsTestdata(t, "apigw-request.json"), &want); err != nil {
		t.Fatal(err)
	}
	inv := newInvoker()
	inv.returns("fn", `{"statusCode":200,"body":"ok"}`)
	api := proxyAPI(lambdaProxy("ANY", "/{proxy+}", "fn"))
	api.StageVariables = map[string]string{"stageVariableName": "stageVariableValue"}
	_, base := serve(t, api, inv)

	req, _ := http.NewRequest("POST", base+"/testStage/hello/world?name=me", strings.NewReader(want.Body))
	req.Host = want.Headers["Host"]
	for k, v := range want.Headers {
		if k != "Host" {
			req.Header[k] = []string{v}
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	raw := inv.last("fn")
	var got events.APIGatewayProxyRequest
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	var rawMap map[string]any
	_ = json.Unmarshal(raw, &rawMap)
	if v, ok := rawMap["isBase64Encoded"]; !ok || v != false {
		t.Errorf("isBase64Encoded = %v (present %v), want false", v, ok)
	}

	rc := got.RequestContext
	if !uuidRe.MatchString(rc.RequestID) {
		t.Errorf("requestId %q is not a UUID", rc.RequestID)
	}
	if !extendedRe.MatchString(rc.ExtendedRequestID) {
		t.Errorf("extendedRequestId %q has the wrong form", rc.ExtendedRequestID)
	}
	if !clfRe.MatchString(rc.RequestTime) {
		t.Errorf("requestTime %q is not CLF", rc.RequestTime)
	}
	if len(rc.ResourceID) != 6 {
		t.Errorf("resourceId %q", rc.ResourceID)
	}
	// Values of the moment.
	want.RequestContext.RequestID = rc.RequestID
	want.RequestContext.ExtendedRequestID = rc.ExtendedRequestID
	want.RequestContext.RequestTime = rc.RequestTime
	want.RequestContext.RequestTimeEpoch = rc.RequestTimeEpoch
	want.RequestContext.ResourceID = rc.ResourceID
	// The sample was taken with IAM, Cognito and an authorizer; this
	// request has none of them, so identity is the caller's address and
	// user agent, and there is no authorizer.
	want.RequestContext.Identity = events.APIGatewayRequestIdentity{SourceIP: "127.0.0.1", UserAgent: want.Headers["User-Agent"]}
	want.RequestContext.Authorizer = nil
	// The sample's domainPrefix is not its apiId's (it was edited); API
	// Gateway's is the first label of domainName.
	want.RequestContext.DomainPrefix = "gy415nuibc"
	// On the execute-api endpoint $context.path starts with the stage (the
	// sample was taken through a custom domain).
	want.RequestContext.Path = "/testStage/hello/world"
	// Nimbus appends the caller (127.0.0.1) to X-Forwarded-For and reports
	// its own port and scheme; the sample's came through CloudFront on 443.
	xff := want.Headers["X-Forwarded-For"] + ", 127.0.0.1"
	for _, m := range []map[string]string{want.Headers} {
		m["X-Forwarded-For"] = xff
		m["X-Forwarded-Port"] = got.Headers["X-Forwarded-Port"]
		m["X-Forwarded-Proto"] = "http"
	}
	want.MultiValueHeaders["X-Forwarded-For"] = []string{xff}
	want.MultiValueHeaders["X-Forwarded-Port"] = []string{got.Headers["X-Forwarded-Port"]}
	want.MultiValueHeaders["X-Forwarded-Proto"] = []string{"http"}
	// Headers the sample's path (through CloudFront) did not carry.
	for _, k := range []string{"Content-Length", "X-Amzn-Trace-Id"} {
		if got.Headers[k] == "" {
			t.Errorf("header %s missing", k)
		}
		delete(got.Headers, k)
		delete(got.MultiValueHeaders, k)
	}

	compareFields(t, "", reflect.ValueOf(want), reflect.ValueOf(got))
}

// compareFields reports every differing leaf between two values.
func compareFields(t *testing.T, path string, want, got reflect.Value) {
	t.Helper()
	switch want.Kind() {
	case reflect.Struct:
		for i := 0; i < want.NumField(); i++ {
			compareFields(t, path+"."+want.Type().Field(i).Name, want.Field(i), got.Field(i))
		}
	case reflect.Map:
		keys := map[string]bool{}
		for _, k := range want.MapKeys() {
			keys[k.String()] = true
		}
		for _, k := range got.MapKeys() {
			keys[k.String()] = true
		}
		var sorted []string
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			kv := reflect.ValueOf(k)
			w, g := want.MapIndex(kv), got.MapIndex(kv)
			switch {
			case !w.IsValid():
				t.Errorf("%s[%q]: unexpected %v", path, k, g)
			case !g.IsValid():
				t.Errorf("%s[%q]: missing, want %v", path, k, w)
			default:
				compareFields(t, fmt.Sprintf("%s[%q]", path, k), w, g)
			}
		}
	default:
		if !reflect.DeepEqual(want.Interface(), got.Interface()) {
			t.Errorf("%s: got %#v, want %#v", path, got.Interface(), want.Interface())
		}
	}
}

// TestGoldenProxyEventNulls checks a bodiless GET against
// testdata/rest-proxy-get.json: AWS's nulls for absent query strings, path
// parameters, stage variables and body, and the null identity fields.
// "<any>" in the fixture stands for a value of the moment.
func TestGoldenProxyEventNulls(t *testing.T) {
	inv := newInvoker()
	inv.returns("fn", `{"statusCode":200,"body":""}`)
	_, base := serve(t, proxyAPI(lambdaProxy("GET", "/items", "fn")), inv)
	r := do(t, "GET", base+"/testStage/items", nil, map[string]string{"User-Agent": "curl/8.5.0", "Accept": "*/*"})
	if r.status != 200 {
		t.Fatalf("status %d %s", r.status, r.body)
	}
	var got, want any
	_ = json.Unmarshal(inv.last("fn"), &got)
	fixture, err := os.ReadFile("testdata/rest-proxy-get.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(fixture, &want); err != nil {
		t.Fatal(err)
	}
	compareJSON(t, "$", want, got)
}

func compareJSON(t *testing.T, path string, want, got any) {
	t.Helper()
	if want == "<any>" {
		if got == nil {
			t.Errorf("%s: missing", path)
		}
		return
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			t.Errorf("%s: got %#v, want an object", path, got)
			return
		}
		for k := range w {
			if _, ok := g[k]; !ok {
				t.Errorf("%s.%s: missing", path, k)
			}
		}
		for k, gv := range g {
			wv, ok := w[k]
			if !ok {
				t.Errorf("%s.%s: unexpected %#v", path, k, gv)
				continue
			}
			compareJSON(t, path+"."+k, wv, gv)
		}
	default:
		if !reflect.DeepEqual(want, got) {
			t.Errorf("%s: got %#v, want %#v", path, got, want)
		}
	}
}
