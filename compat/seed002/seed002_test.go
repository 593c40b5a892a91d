// Package seed002 runs seed 002's custom-runtime function, written the way
// the article writes it (a bootstrap looping on the Runtime API from a
// layer, a hello function reading an environment variable, deployed with
// serverless.yml behind an http event), on Nimbus, and checks what the
// article's curl calls would show.
package seed002

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/nimbus-dev/nimbus/compat/internal/compattest"
)

// proxyResult is the function's answer to a direct invocation.
type proxyResult struct {
	StatusCode int    `json:"statusCode"`
	Body       string `json:"body"`
}

func TestSeed002CustomRuntime(t *testing.T) {
	compattest.RequireTool(t, "sh", "install a POSIX shell")
	compattest.RequireTool(t, "curl", "apt-get install curl")
	app := compattest.Start(t, "serverless.yml")
	ctx := context.Background()

	// The article's local check, sent as it sends it:
	//   curl -d '{}' http://localhost:9001/2015-03-31/functions/hello/invocations
	res := compattest.Do(t, http.MethodPost, app.Edge+"/2015-03-31/functions/hello/invocations",
		http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, `{}`)
	var direct proxyResult
	if res.Status != 200 || json.Unmarshal(res.Body, &direct) != nil ||
		direct.StatusCode != 200 || direct.Body != "hello from lambda! 山田 太郎さん" {
		t.Fatalf("curl invoke: %d %s", res.Status, res.Body)
	}

	// The same through the AWS SDK, with the event shape the article had
	// to write by hand locally: the client's JSON as an escaped string.
	out, err := app.Lambda().Invoke(ctx, &lambda.InvokeInput{
		FunctionName: aws.String("hello"),
		Payload:      []byte(`{"body": "{\r\n\"param\": \"aiueo\"\r\n}"}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	var sdk proxyResult
	if out.FunctionError != nil || json.Unmarshal(out.Payload, &sdk) != nil || sdk.Body != "hello from lambda! aiueoさん" {
		t.Fatalf("SDK invoke: error %v, payload %s", aws.ToString(out.FunctionError), out.Payload)
	}

	// Through API Gateway, as the deployed article calls it:
	//   curl -d '{"param": "田中 次郎"}' https://.../dev/hello
	rest := app.API(t, "ApiGatewayRestApi")
	if rest.Stage != "dev" {
		t.Fatalf("REST API stage = %q, want dev (the Framework's default stage)", rest.Stage)
	}
	for _, c := range []struct {
		body, want string
		status     int
	}{
		{`{}`, "hello from lambda! 山田 太郎さん", 200},
		{`{"param": "田中 次郎"}`, "hello from lambda! 田中 次郎さん", 200},
		{"{\r\n\"param\": \"aiueo\"\r\n}", "hello from lambda! aiueoさん", 200},
		// The article's complaint: locally a statusCode of 400 came back as
		// 200. Through the proxy integration it is the HTTP status.
		{`{"param": ""}`, "param must not be empty", 400},
	} {
		res := compattest.Do(t, http.MethodPost, rest.URL+"/hello", http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, c.body)
		if res.Status != c.status || string(res.Body) != c.want {
			t.Errorf("POST /hello %s: %d %q, want %d %q", c.body, res.Status, res.Body, c.status, c.want)
		}
	}

	// What the function is handed through API Gateway: the client's bytes,
	// unchanged, as the string event.body (the article's "Lambda" shape),
	// in a proxy event.
	sent := "{\r\n\"param\": \"aiueo\"\r\n}"
	res = compattest.Do(t, http.MethodPost, rest.URL+"/inspect/a/b?x=1", http.Header{"Content-Type": {"application/json"}}, sent)
	if res.Status != 200 {
		t.Fatalf("inspect: %d %s", res.Status, res.Body)
	}
	var event struct {
		Resource              string            `json:"resource"`
		Path                  string            `json:"path"`
		HTTPMethod            string            `json:"httpMethod"`
		Body                  *string           `json:"body"`
		IsBase64Encoded       bool              `json:"isBase64Encoded"`
		PathParameters        map[string]string `json:"pathParameters"`
		QueryStringParameters map[string]string `json:"queryStringParameters"`
		Headers               map[string]string `json:"headers"`
		RequestContext        struct {
			Stage        string `json:"stage"`
			ResourcePath string `json:"resourcePath"`
			HTTPMethod   string `json:"httpMethod"`
			Path         string `json:"path"`
		} `json:"requestContext"`
	}
	if err := json.Unmarshal(res.Body, &event); err != nil {
		t.Fatalf("inspect answered %s: %v", res.Body, err)
	}
	if event.Body == nil || *event.Body != sent {
		t.Errorf("event.body = %v, want the sent text %q", event.Body, sent)
	}
	if event.Resource != "/inspect/{proxy+}" || event.Path != "/inspect/a/b" || event.HTTPMethod != "POST" ||
		event.IsBase64Encoded || event.PathParameters["proxy"] != "a/b" || event.QueryStringParameters["x"] != "1" {
		t.Errorf("proxy event = %+v", event)
	}
	if event.RequestContext.Stage != "dev" || event.RequestContext.ResourcePath != "/inspect/{proxy+}" ||
		event.RequestContext.HTTPMethod != "POST" || event.RequestContext.Path != "/dev/inspect/a/b" {
		t.Errorf("requestContext = %+v", event.RequestContext)
	}
	if ct := headerValue(event.Headers, "content-type"); ct != "application/json" {
		t.Errorf("event headers = %v", event.Headers)
	}
}

func headerValue(h map[string]string, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}
