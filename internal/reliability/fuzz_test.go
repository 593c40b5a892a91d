package reliability

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nimbus-dev/nimbus/internal/apigateway/httpapi"
	"github.com/nimbus-dev/nimbus/internal/apigateway/rest"
	"github.com/nimbus-dev/nimbus/internal/apigateway/websocket"
	"github.com/nimbus-dev/nimbus/internal/app"
	"github.com/nimbus-dev/nimbus/internal/dynamodb"
	"github.com/nimbus-dev/nimbus/internal/dynamodb/attr"
	"github.com/nimbus-dev/nimbus/internal/dynamodb/expr"
	"github.com/nimbus-dev/nimbus/internal/invoke"
	"github.com/nimbus-dev/nimbus/internal/lambda"
	"github.com/nimbus-dev/nimbus/internal/storage"
)

// corpusRequests returns the requests of one folder of testdata/bad
// (macros expanded), as fuzz seeds.
func corpusRequests(f *testing.F, api string) []*badCase {
	files, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "bad", api, "*.http"))
	var out []*badCase
	for _, p := range files {
		c, err := loadBadCase(p)
		if err != nil {
			f.Fatalf("%s: %v", p, err)
		}
		if len(c.raw) < 64<<10 { // oversized seeds only slow the fuzzer down
			out = append(out, c)
		}
	}
	return out
}

// splitRaw parses a corpus request into its first line, headers and body.
func splitRaw(raw []byte) (line string, header http.Header, body []byte) {
	head, body, _ := bytes.Cut(raw, []byte("\n\n"))
	lines := strings.Split(strings.TrimRight(string(head), "\n"), "\n")
	header = http.Header{}
	for _, l := range lines[1:] {
		if k, v, ok := strings.Cut(l, ":"); ok {
			header.Add(strings.TrimSpace(k), strings.TrimSpace(v))
		}
	}
	return lines[0], header, body
}

// checkAWSError fails unless a response is a client error in AWS's JSON
// format or a success, never a server error.
func checkAWSError(t *testing.T, rec *httptest.ResponseRecorder, what string) {
	t.Helper()
	if rec.Code >= 500 {
		t.Fatalf("%s: server error %d: %s", what, rec.Code, tail(rec.Body.String(), 300))
	}
	if rec.Code >= 400 && errorType(rec.Result(), rec.Body.Bytes()) == "" && rec.Body.Len() > 0 && json.Valid(rec.Body.Bytes()) {
		t.Fatalf("%s: %d error without an AWS error type: %s", what, rec.Code, tail(rec.Body.String(), 300))
	}
}

// FuzzParseKeyCondition: Query's key condition parser (the other
// expression parsers are fuzzed in internal/dynamodb/expr).
func FuzzParseKeyCondition(f *testing.F) {
	for _, s := range []string{"pk = :v", "pk = :v AND sk BETWEEN :n AND :n", "#a = :v AND begins_with(sk, :v)",
		"pk = :v AND sk >= :n", "(pk = :v)", "pk = :v OR sk = :n", "sk < :n AND pk = :v", "pk IN (:v)", ""} {
		f.Add(s)
	}
	item := attr.Item{"pk": attr.Str("x"), "sk": attr.Num("1")}
	f.Fuzz(func(t *testing.T, src string) {
		ctx := expr.NewContext(map[string]string{"#a": "pk"}, map[string]*attr.Value{":v": attr.Str("x"), ":n": attr.Num("1")})
		c, err := expr.ParseKeyCondition(src, ctx)
		if err == nil {
			expr.Eval(c, item)
		}
	})
}

// FuzzDynamoDBRequest sends arbitrary operations and bodies to the
// DynamoDB service (over an in-memory store with one table): every answer
// is a success or an AWS client error, never a 5xx or a panic.
func FuzzDynamoDBRequest(f *testing.F) {
	for _, c := range corpusRequests(f, "dynamodb") {
		_, h, body := splitRaw(c.raw)
		op := strings.TrimPrefix(h.Get("X-Amz-Target"), "DynamoDB_20120810.")
		f.Add(op, body)
	}
	for _, s := range [][2]string{
		{"PutItem", `{"TableName":"bad_input","Item":{"pk":{"S":"a"},"sk":{"S":"b"},"l":{"L":[{"N":"1"},{"M":{"x":{"SS":["a"]}}}]}}}`},
		{"UpdateItem", `{"TableName":"bad_input","Key":{"pk":{"S":"a"},"sk":{"S":"b"}},"UpdateExpression":"SET l[5] = :v ADD n :one","ExpressionAttributeValues":{":v":{"BOOL":true},":one":{"N":"1"}},"ReturnValues":"ALL_NEW"}`},
		{"Query", `{"TableName":"bad_input","KeyConditionExpression":"pk = :p AND begins_with(sk, :s)","FilterExpression":"size(l) > :n","ExpressionAttributeValues":{":p":{"S":"a"},":s":{"S":"b"},":n":{"N":"0"}},"Limit":3,"ScanIndexForward":false}`},
		{"Scan", `{"TableName":"bad_input","Segment":0,"TotalSegments":2,"ExclusiveStartKey":{"pk":{"S":"a"},"sk":{"S":"b"}}}`},
		{"TransactWriteItems", `{"TransactItems":[{"Put":{"TableName":"bad_input","Item":{"pk":{"S":"t"},"sk":{"S":"1"}},"ConditionExpression":"attribute_not_exists(pk)"}},{"Update":{"TableName":"bad_input","Key":{"pk":{"S":"t"},"sk":{"S":"2"}},"UpdateExpression":"REMOVE x"}}],"ClientRequestToken":"tok"}`},
		{"BatchGetItem", `{"RequestItems":{"bad_input":{"Keys":[{"pk":{"S":"a"},"sk":{"S":"b"}}],"ProjectionExpression":"pk, l[0]"}}}`},
		{"CreateTable", `{"TableName":"other","AttributeDefinitions":[{"AttributeName":"k","AttributeType":"N"}],"KeySchema":[{"AttributeName":"k","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"}`},
		{"UpdateTimeToLive", `{"TableName":"bad_input","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"ttl"}}`},
	} {
		f.Add(s[0], []byte(s[1]))
	}
	store, err := storage.Open("", storage.Options{InMemory: true})
	if err != nil {
		f.Fatal(err)
	}
	svc, err := dynamodb.New(store, dynamodb.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { svc.Close(); store.Close() })
	create := `{"TableName":"bad_input","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"S"},{"AttributeName":"g","AttributeType":"N"}],` +
		`"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],"BillingMode":"PAY_PER_REQUEST",` +
		`"GlobalSecondaryIndexes":[{"IndexName":"byG","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}]}`
	ddbCall(svc, "CreateTable", []byte(create))
	f.Fuzz(func(t *testing.T, op string, body []byte) {
		if op == "DeleteTable" {
			op = "DescribeTable" // keep the table the other inputs use
		}
		rec := ddbCall(svc, op, body)
		checkAWSError(t, rec, op)
		if rec.Code == 200 && !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%s: 200 with a body that is not JSON: %q", op, tail(rec.Body.String(), 200))
		}
	})
}

// sigV4 is an Authorization header shaped like an SDK's; DynamoDB refuses
// requests without one, and Nimbus does not check its values.
const sigV4 = "AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=0"

func ddbCall(h http.Handler, op string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest("POST", "/", bytes.NewReader(body))
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810."+op)
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Date", "20260101T000000Z")
	req.Header.Set("Authorization", sigV4)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// FuzzLambdaRequest sends arbitrary methods, paths, headers and bodies to
// the Lambda API. Invocations are forced to DryRun so nothing a fuzzed zip
// holds ever runs.
func FuzzLambdaRequest(f *testing.F) {
	for _, c := range corpusRequests(f, "lambda") {
		line, h, body := splitRaw(c.raw)
		method, target, _ := strings.Cut(line, " ")
		target, _, _ = strings.Cut(target, " ")
		f.Add(method, target, h.Get("X-Amz-Client-Context"), body)
	}
	f.Add("GET", "/2015-03-31/functions/?MaxItems=1&Marker=x", "", []byte{})
	f.Add("PUT", "/2015-03-31/functions/fn/configuration", "", []byte(`{"Timeout":3,"MemorySize":256,"Environment":{"Variables":{"A":"b"}}}`))
	f.Add("PUT", "/2017-10-31/functions/fn/concurrency", "", []byte(`{"ReservedConcurrentExecutions":2}`))
	f.Add("POST", "/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:fn:$LATEST/invocations", "e30=", []byte(`{}`))
	dir := f.TempDir()
	svc, err := lambda.New(lambda.Options{DataDir: filepath.Join(dir, "data"), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		svc.Shutdown(ctx)
	})
	code := filepath.Join(dir, "code")
	os.MkdirAll(code, 0o755)
	os.WriteFile(filepath.Join(code, "bootstrap"), []byte("#!/bin/sh\nexit 0\n"), 0o755)
	if err := svc.Apply(context.Background(), []*app.Function{{Name: "fn", Runtime: "provided.al2023", Handler: "x", CodeDir: code, Timeout: 3 * time.Second, MemorySize: 128}}, nil); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, method, target, clientContext string, body []byte) {
		req, err := http.NewRequest(method, "http://edge"+target, bytes.NewReader(body))
		if err != nil || !strings.HasPrefix(req.URL.Path, "/") {
			return
		}
		req.Header.Set("X-Amz-Invocation-Type", "DryRun")
		if clientContext != "" {
			req.Header.Set("X-Amz-Client-Context", clientContext)
		}
		rec := httptest.NewRecorder()
		svc.ServeHTTP(rec, req)
		checkAWSError(t, rec, method+" "+target)
	})
}

// FuzzConnectionsRequest sends arbitrary requests to the WebSocket
// management API (no connection is open: every id is gone or malformed).
func FuzzConnectionsRequest(f *testing.F) {
	for _, c := range corpusRequests(f, "connections") {
		line, _, body := splitRaw(c.raw)
		method, target, _ := strings.Cut(line, " ")
		target, _, _ = strings.Cut(target, " ")
		f.Add(method, target, body)
	}
	h := websocket.ConnectionsHandler(websocket.NewLocalRegistry(), websocket.ConnectionsOptions{Logger: slog.New(slog.DiscardHandler)})
	f.Fuzz(func(t *testing.T, method, target string, body []byte) {
		req, err := http.NewRequest(method, "http://edge"+target, bytes.NewReader(body))
		if err != nil || !strings.HasPrefix(req.URL.Path, "/") {
			return
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		checkAWSError(t, rec, method+" "+target)
	})
}

// echoInvoker stands in for Lambda behind a fuzzed gateway: it checks the
// event the gateway built is JSON and answers a fixed proxy response.
type echoInvoker struct{ t *testing.T }

func (e echoInvoker) Invoke(_ context.Context, req *invoke.Request) (*invoke.Response, error) {
	if !json.Valid(req.Payload) {
		e.t.Fatalf("the gateway built an event that is not JSON: %q", tail(string(req.Payload), 300))
	}
	return &invoke.Response{StatusCode: 200, Payload: []byte(`{"statusCode":200,"headers":{"x":"y"},"body":"ok"}`)}, nil
}

// rawRequests seeds the gateway fuzzers with whole HTTP requests.
var rawRequests = []string{
	"GET /Prod/rest/a/b?x=1&x=2&y= HTTP/1.1\r\nHost: h\r\nCookie: a=b; c=d\r\nX-Multi: 1\r\nX-Multi: 2\r\n\r\n",
	"POST /Prod/items/%E2%9C%93/sub HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}",
	"PUT /items/42 HTTP/1.1\r\nHost: h\r\nContent-Type: image/png\r\nContent-Length: 4\r\n\r\n\x89PNG",
	"OPTIONS /Prod/rest/x HTTP/1.1\r\nHost: h\r\nOrigin: https://a.example\r\nAccess-Control-Request-Method: PUT\r\n\r\n",
	"GET /Prod/%ff%fe?%zz=1 HTTP/1.1\r\nHost: h\r\n\r\n",
}

func fuzzGateway(f *testing.F, build func(invoke.Invoker) (http.Handler, error)) {
	for _, r := range rawRequests {
		f.Add([]byte(r))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
		if err != nil {
			return
		}
		req.RemoteAddr = "127.0.0.1:1234"
		h, err := build(echoInvoker{t})
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s: %d %s", req.Method, req.RequestURI, rec.Code, tail(rec.Body.String(), 200))
		}
	})
}

// FuzzRESTRequest: arbitrary HTTP requests against a REST API with
// literal, parameter and greedy resources.
func FuzzRESTRequest(f *testing.F) {
	route := func(method, path string) *app.Route {
		return &app.Route{Method: method, Path: path, Integration: &app.Integration{Type: app.IntegrationAWSProxy, FunctionName: "fn"}}
	}
	api := &app.API{LogicalID: "Api", ID: "abcdefghij", Name: "api", Protocol: app.REST, Stage: "Prod",
		Routes: []*app.Route{route("ANY", "/rest/{proxy+}"), route("POST", "/items/{id}/sub"), route("GET", "/")}}
	fuzzGateway(f, func(inv invoke.Invoker) (http.Handler, error) { return rest.New(api, inv, rest.Options{}) })
}

// FuzzHTTPAPIRequest: arbitrary HTTP requests against an HTTP API with
// payload format 2.0 and 1.0 routes.
func FuzzHTTPAPIRequest(f *testing.F) {
	route := func(key, format string) *app.Route {
		return &app.Route{RouteKey: key, Integration: &app.Integration{Type: app.IntegrationAWSProxy, FunctionName: "fn", PayloadFormatVersion: format}}
	}
	api := &app.API{LogicalID: "HttpApi", ID: "abcdefghij", Protocol: app.HTTP, Stage: "$default",
		Routes: []*app.Route{route("ANY /items/{id}", "2.0"), route("GET /v1/{proxy+}", "1.0"), route("$default", "2.0")}}
	fuzzGateway(f, func(inv invoke.Invoker) (http.Handler, error) { return httpapi.New(api, inv, httpapi.Options{}) })
}
