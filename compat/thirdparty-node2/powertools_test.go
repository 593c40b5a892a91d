package thirdpartynode2

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/nimbus-dev/nimbus/compat/internal/compattest"
)

// powertoolsDeps are powertools/package.json's dependencies.
var powertoolsDeps = []string{
	"@aws-lambda-powertools/logger@2.36.0",
	"@aws-lambda-powertools/metrics@2.36.0",
	"@aws-lambda-powertools/tracer@2.36.0",
	"@middy/core@6.4.5",
	"@middy/http-cors@6.4.5",
	"@middy/http-error-handler@6.4.5",
	"@middy/http-json-body-parser@6.4.5",
}

// orderEvent is a REST proxy event for POST /orders, as a test console
// sends it.
const orderEvent = `{"resource":"/orders","path":"/orders","httpMethod":"POST",` +
	`"headers":{"Content-Type":"application/json","Origin":"https://shop.example.com"},` +
	`"requestContext":{"resourcePath":"/orders","httpMethod":"POST","stage":"Prod"},` +
	`"body":"{\"item\":\"pen\",\"quantity\":3}","isBase64Encoded":false}`

// placed is app.js's answer to a placed order.
type placed struct {
	Order   map[string]any    `json:"order"`
	Env     map[string]string `json:"env"`
	Context struct {
		FunctionName, FunctionVersion, InvokedFunctionArn, MemoryLimitInMB string
		AwsRequestID                                                       string `json:"awsRequestId"`
		LogGroupName, LogStreamName                                        string
		RemainingTimeInMillis                                              int
		CallbackWaitsForEmptyEventLoop                                     bool
	} `json:"context"`
	Tracer struct {
		Enabled bool   `json:"enabled"`
		TraceID string `json:"traceId"`
	} `json:"tracer"`
}

func TestPowertoolsMiddy(t *testing.T) {
	a := startApp(t, "powertools", powertoolsDeps...)
	ctx := context.Background()

	// The first invocation is the cold start: the metrics middleware
	// flushes a ColdStart metric first, and the logger says so.
	invoke := func() (*placed, []string) {
		t.Helper()
		out, err := a.Lambda().Invoke(ctx, &lambda.InvokeInput{
			FunctionName: aws.String("orders-api"),
			LogType:      types.LogTypeTail,
			Payload:      []byte(orderEvent),
		})
		if err != nil {
			t.Fatal(err)
		}
		var res struct {
			StatusCode int               `json:"statusCode"`
			Headers    map[string]string `json:"headers"`
			Body       string            `json:"body"`
		}
		if err := json.Unmarshal(out.Payload, &res); err != nil || res.StatusCode != 201 ||
			res.Headers["Access-Control-Allow-Origin"] != "https://shop.example.com" {
			t.Fatalf("invoke: %s (%v)", out.Payload, err)
		}
		var p placed
		if err := json.Unmarshal([]byte(res.Body), &p); err != nil {
			t.Fatalf("invoke: %s (%v)", res.Body, err)
		}
		logs, _ := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
		return &p, strings.Split(strings.TrimSpace(string(logs)), "\n")
	}
	cold, logs := invoke()
	checkEnvironment(t, cold)
	id := cold.Context.AwsRequestID
	arn := cold.Context.InvokedFunctionArn
	traceID := cold.Tracer.TraceID
	records := jsonRecords(t, logs)
	if len(records) != 3 {
		t.Fatalf("cold invocation logs: %q", logs)
	}
	for _, l := range logs {
		if strings.Contains(l, "\tERROR\t") || strings.Contains(l, "\tWARN\t") {
			t.Errorf("cold invocation: %q", l)
		}
	}
	wantLog := map[string]any{
		"level": "INFO", "message": "order placed", "service": "orders", "cold_start": true,
		"function_arn": arn, "function_memory_size": "512", "function_name": "orders-api",
		"function_request_id": id, "sampling_rate": float64(0), "xray_trace_id": traceID,
		"item": "pen", "quantity": float64(3),
	}
	checkRecord(t, "ColdStart metric", records[0], map[string]any{
		"service": "orders", "function_name": "orders-api", "ColdStart": float64(1),
		"_aws": map[string]any{"CloudWatchMetrics": []any{map[string]any{
			"Namespace": "nimbus-compat", "Dimensions": []any{[]any{"service", "function_name"}},
			"Metrics": []any{map[string]any{"Name": "ColdStart", "Unit": "Count"}},
		}}},
	}, "_aws.Timestamp")
	checkRecord(t, "logger.info", records[1], wantLog, "timestamp")
	checkRecord(t, "ordersPlaced metric", records[2], map[string]any{
		"service": "orders", "item": "pen", "ordersPlaced": float64(3),
		"_aws": map[string]any{"CloudWatchMetrics": []any{map[string]any{
			"Namespace": "nimbus-compat", "Dimensions": []any{[]any{"service", "item"}},
			"Metrics": []any{map[string]any{"Name": "ordersPlaced", "Unit": "Count"}},
		}}},
	}, "_aws.Timestamp")
	report := logs[len(logs)-1]
	if !strings.HasPrefix(logs[0], "START RequestId: "+id+" Version: $LATEST") ||
		!strings.HasPrefix(report, "REPORT RequestId: "+id) || !strings.Contains(report, "\tMemory Size: 512 MB\t") ||
		!strings.Contains(report, "\tInit Duration: ") {
		t.Errorf("cold invocation logs: %q", logs)
	}

	// A warm invocation: no cold start, a new request and trace id, the
	// same log stream.
	warm, logs := invoke()
	records = jsonRecords(t, logs)
	if len(records) != 2 || records[0]["cold_start"] != false || records[0]["function_request_id"] != warm.Context.AwsRequestID ||
		warm.Context.AwsRequestID == id || warm.Tracer.TraceID == traceID || records[0]["xray_trace_id"] != warm.Tracer.TraceID ||
		warm.Context.LogStreamName != cold.Context.LogStreamName || strings.Contains(logs[len(logs)-1], "Init Duration") {
		t.Errorf("warm invocation: %+v %q", warm, logs)
	}

	// Through the REST API: middy parses the JSON body, answers a bad order
	// and a malformed body with its error handler, and adds the CORS
	// headers for the allowed origin.
	base := strings.TrimSuffix(a.API(t, "ServerlessRestApi").URL, "/")
	h := http.Header{"Content-Type": {"application/json"}, "Origin": {"https://shop.example.com"}}
	for _, c := range []struct {
		body, contentType string
		status            int
		want              string
	}{
		{`{"item":"book","quantity":2}`, "application/json", 201, ""},
		{`{"item":"book"}`, "text/plain", 422, "item (a string) and quantity (a positive integer) are required"},
		{`{"item":`, "text/plain", 415, "Invalid or malformed JSON was provided"},
	} {
		res := compattest.Do(t, http.MethodPost, base+"/orders", h, c.body)
		if res.Status != c.status || res.Header.Get("Content-Type") != c.contentType ||
			res.Header.Get("Access-Control-Allow-Origin") != "https://shop.example.com" ||
			res.Header.Get("Access-Control-Allow-Credentials") != "true" || (c.want != "" && string(res.Body) != c.want) {
			t.Errorf("POST /orders %s: %d %v %s", c.body, res.Status, res.Header, res.Body)
		}
		if c.status == 201 {
			var p placed
			if err := json.Unmarshal(res.Body, &p); err != nil || p.Order["item"] != "book" {
				t.Errorf("POST /orders: %s (%v)", res.Body, err)
			}
			// API Gateway's trace header reaches the function.
			if root := res.Header.Get("X-Amzn-Trace-Id"); !strings.HasPrefix(p.Env["_X_AMZN_TRACE_ID"], root+";") || "Root="+p.Tracer.TraceID != root {
				t.Errorf("POST /orders: trace %q, function saw %q (%q)", root, p.Env["_X_AMZN_TRACE_ID"], p.Tracer.TraceID)
			}
		}
	}
}

// checkEnvironment compares what the function saw with what Lambda gives
// it: the runtime environment variables and the Node.js context object.
func checkEnvironment(t *testing.T, p *placed) {
	t.Helper()
	env := p.Env
	for k, want := range map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME":        "orders-api",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/orders-api",
		"AWS_LAMBDA_INITIALIZATION_TYPE":  "on-demand",
		"AWS_EXECUTION_ENV":               "AWS_Lambda_nodejs20.x",
		"AWS_REGION":                      "us-east-1",
		"AWS_DEFAULT_REGION":              "us-east-1",
		"_HANDLER":                        "app.handler",
		"TZ":                              ":UTC",
		"LANG":                            "en_US.UTF-8",
		"AWS_XRAY_CONTEXT_MISSING":        "LOG_ERROR",
		"AWS_XRAY_DAEMON_ADDRESS":         "127.0.0.1:2000",
	} {
		if env[k] != want {
			t.Errorf("%s = %q, want %q", k, env[k], want)
		}
	}
	for k, pattern := range map[string]string{
		"AWS_LAMBDA_LOG_STREAM_NAME": `^\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}$`,
		"_X_AMZN_TRACE_ID":           `^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=[01]$`,
		"AWS_LAMBDA_RUNTIME_API":     `^127\.0\.0\.1:\d+$`,
		"LAMBDA_TASK_ROOT":           `^/`,
		"LAMBDA_RUNTIME_DIR":         `^/`,
	} {
		if !regexp.MustCompile(pattern).MatchString(env[k]) {
			t.Errorf("%s = %q, want %s", k, env[k], pattern)
		}
	}
	c := p.Context
	if c.FunctionName != "orders-api" || c.FunctionVersion != "$LATEST" ||
		c.InvokedFunctionArn != "arn:aws:lambda:us-east-1:000000000000:function:orders-api" ||
		c.MemoryLimitInMB != "512" || len(c.AwsRequestID) != 36 || c.LogGroupName != env["AWS_LAMBDA_LOG_GROUP_NAME"] ||
		c.LogStreamName != env["AWS_LAMBDA_LOG_STREAM_NAME"] || c.RemainingTimeInMillis <= 0 || c.RemainingTimeInMillis > 10000 ||
		!c.CallbackWaitsForEmptyEventLoop {
		t.Errorf("context %+v", c)
	}
	if !p.Tracer.Enabled || !strings.HasPrefix(env["_X_AMZN_TRACE_ID"], "Root="+p.Tracer.TraceID+";") {
		t.Errorf("tracer %+v, _X_AMZN_TRACE_ID %q", p.Tracer, env["_X_AMZN_TRACE_ID"])
	}
}

// jsonRecords are the log lines that are JSON objects (Powertools' logs
// and EMF blobs), in order.
func jsonRecords(t *testing.T, lines []string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range lines {
		if !strings.HasPrefix(l, "{") {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		out = append(out, m)
	}
	return out
}

// checkRecord compares a JSON log record with want, ignoring the volatile
// fields named (dotted paths), which must be present.
func checkRecord(t *testing.T, what string, got, want map[string]any, volatile ...string) {
	t.Helper()
	for _, path := range volatile {
		m := got
		keys := strings.Split(path, ".")
		for _, k := range keys[:len(keys)-1] {
			m, _ = m[k].(map[string]any)
		}
		if _, ok := m[keys[len(keys)-1]]; !ok {
			t.Errorf("%s: no %s in %v", what, path, got)
			return
		}
		delete(m, keys[len(keys)-1])
	}
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if string(g) != string(w) {
		t.Errorf("%s:\n got %s\nwant %s", what, g, w)
	}
}
