package template

import (
	"encoding/json"
	"testing"

	"github.com/nimbus-dev/nimbus/internal/apigateway/vtl"
)

// TestServerlessLambdaRequestTemplate renders the default lambda
// (non-proxy) request template with API Gateway's template engine and
// checks the event has the Framework's shape.
func TestServerlessLambdaRequestTemplate(t *testing.T) {
	tmpl, err := vtl.Parse(slsLambdaRequestTemplate)
	if err != nil {
		t.Fatal(err)
	}
	ctx := vtl.NewMap()
	ctx.Set("httpMethod", "POST")
	ctx.Set("stage", "dev")
	ctx.Set("resourcePath", "/rooms/{id}")
	ctx.Set("identity", map[string]any{"sourceIp": "127.0.0.1", "userAgent": `curl "x"`})
	out, err := tmpl.Execute(map[string]any{
		"input":          vtl.NewInput(`{"roomName":"a"}`, map[string]string{"id": "7"}, map[string]string{"q": "1"}, map[string]string{"Content-Type": "application/json"}),
		"context":        ctx,
		"stageVariables": map[string]string{},
	})
	if err != nil {
		t.Fatal(err)
	}
	var ev struct {
		Body           map[string]any    `json:"body"`
		Method         string            `json:"method"`
		Stage          string            `json:"stage"`
		Headers        map[string]string `json:"headers"`
		Query          map[string]string `json:"query"`
		Path           map[string]string `json:"path"`
		Identity       map[string]string `json:"identity"`
		StageVariables map[string]string `json:"stageVariables"`
		RequestPath    string            `json:"requestPath"`
	}
	if err := json.Unmarshal([]byte(out), &ev); err != nil {
		t.Fatalf("template output is not JSON: %v\n%s", err, out)
	}
	if ev.Body["roomName"] != "a" || ev.Method != "POST" || ev.Stage != "dev" || ev.Headers["Content-Type"] != "application/json" ||
		ev.Query["q"] != "1" || ev.Path["id"] != "7" || ev.Identity["userAgent"] != `curl "x"` || ev.RequestPath != "/rooms/{id}" ||
		ev.StageVariables == nil {
		t.Errorf("event = %+v\n%s", ev, out)
	}
}
