package rest

import (
	"context"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nimbus-dev/nimbus/internal/app"
	"github.com/nimbus-dev/nimbus/internal/invoke"
	"github.com/nimbus-dev/nimbus/internal/lambda"
)

// startLambda runs the Go test function (../gateway/testdata/gofn) in
// Nimbus's Lambda service, built from source as `nimbus up` would.
func startLambda(tb testing.TB) invoke.Invoker {
	tb.Helper()
	dir, err := filepath.Abs("../gateway/testdata/gofn")
	if err != nil {
		tb.Fatal(err)
	}
	svc, err := lambda.New(lambda.Options{DataDir: tb.TempDir(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = svc.Shutdown(ctx)
	})
	fn := &app.Function{Name: "gofn", Runtime: "provided.al2023", Handler: "bootstrap", CodeDir: dir, Timeout: 10 * time.Second, MemorySize: 128}
	if err := svc.Apply(context.Background(), []*app.Function{fn}, nil); err != nil {
		tb.Fatal(err)
	}
	return svc
}

// The seed cases through a real Go Lambda function: a proxy handler's
// statusCode 400 reaches the client as 400 (seed 002), the greedy path
// reaches the handler (seed 001), and a non-proxy handler's {statusCode,
// body} reaches the page as that JSON (seed 004).
func TestEndToEndGoLambda(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a Go function")
	}
	inv := startLambda(t)
	api := proxyAPI(
		lambdaProxy("ANY", "/{proxy+}", "gofn"),
		&app.Route{Method: "GET", Path: "/rooms", Integration: &app.Integration{Type: app.IntegrationAWS, FunctionName: "gofn",
			RequestTemplates: map[string]string{"application/json": `{"path": "/rooms", "httpMethod": "$context.httpMethod"}`}}},
	)
	_, base := serve(t, api, inv)

	r := do(t, "POST", base+"/testStage/bad", strings.NewReader(`{}`), map[string]string{"Content-Type": "application/json"})
	if r.status != 400 || r.body != `{"error":"param is required"}` {
		t.Fatalf("seed 002: %d %q", r.status, r.body)
	}
	r = do(t, "POST", base+"/testStage/welcome/to", strings.NewReader("{\r\n\"param\": \"aiueo\"\r\n}"), nil)
	var echo map[string]string
	if r.status != 200 || json.Unmarshal([]byte(r.body), &echo) != nil {
		t.Fatalf("proxy: %d %q", r.status, r.body)
	}
	if echo["method"] != "POST" || echo["path"] != "/welcome/to" || echo["proxy"] != "welcome/to" || echo["body"] != "{\r\n\"param\": \"aiueo\"\r\n}" {
		t.Errorf("event as the handler saw it: %v", echo)
	}
	r = do(t, "GET", base+"/testStage/rooms", nil, nil)
	var page struct {
		StatusCode int    `json:"statusCode"`
		Body       string `json:"body"`
	}
	if r.status != 200 || json.Unmarshal([]byte(r.body), &page) != nil || page.StatusCode != 200 {
		t.Fatalf("seed 004: %d %q", r.status, r.body)
	}
	var rooms struct {
		Rooms []struct {
			Name string `json:"name"`
		} `json:"rooms"`
	}
	if err := json.Unmarshal([]byte(page.Body), &rooms); err != nil || len(rooms.Rooms) != 1 || rooms.Rooms[0].Name != "lobby" {
		t.Errorf("JSON.parse(res.body): %v %v", rooms, err)
	}
}
