package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/nimbus-dev/nimbus/internal/app"
	"github.com/nimbus-dev/nimbus/internal/invoke"
)

// funcInvoker runs Go funcs as Lambda functions, recording each payload.
type funcInvoker struct {
	mu       sync.Mutex
	fns      map[string]func(ctx context.Context, payload []byte) (*invoke.Response, error)
	payloads map[string][]byte
}

func newInvoker() *funcInvoker {
	return &funcInvoker{fns: map[string]func(context.Context, []byte) (*invoke.Response, error){}, payloads: map[string][]byte{}}
}

func (f *funcInvoker) Invoke(ctx context.Context, req *invoke.Request) (*invoke.Response, error) {
	f.mu.Lock()
	fn := f.fns[req.FunctionName]
	f.payloads[req.FunctionName] = req.Payload
	f.mu.Unlock()
	if fn == nil {
		return nil, &invoke.Error{Type: "ResourceNotFoundException", Message: "Function not found", StatusCode: 404}
	}
	return fn(ctx, req.Payload)
}

func (f *funcInvoker) returns(name, payload string) {
	f.fns[name] = func(context.Context, []byte) (*invoke.Response, error) {
		return &invoke.Response{StatusCode: 200, Payload: []byte(payload)}, nil
	}
}

func (f *funcInvoker) last(name string) []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.payloads[name]
}

func httpAPI(routes ...*app.Route) *app.API {
	return &app.API{LogicalID: "HttpApi", ID: "aaaaaaaaaa", Protocol: app.HTTP, Stage: "$default", Routes: routes}
}

func lambdaRoute(key, fn string) *app.Route {
	return &app.Route{RouteKey: key, Integration: &app.Integration{Type: app.IntegrationAWSProxy, FunctionName: fn, PayloadFormatVersion: "2.0"}}
}

func serve(t *testing.T, api *app.API, inv invoke.Invoker) string {
	t.Helper()
	g, err := New(api, inv, Options{Region: "us-west-2", AccountID: "123456789012"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	return srv.URL
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
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return result{resp.StatusCode, resp.Header, string(b)}
}

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

func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return m
}

// doMulti sends a bodiless request with headers that may repeat.
func doMulti(t *testing.T, method, url string, headers http.Header) result {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return result{resp.StatusCode, resp.Header, string(b)}
}
