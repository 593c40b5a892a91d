// Package seed001 runs seed 001's REST API + Lambda + DynamoDB notes,
// written the way the article writes them (a $input.json('$') mapping
// template, CORS, a {proxy+} resource branching on event.httpMethod, a
// scan paginated with LastEvaluatedKey, a callback-style put), on Nimbus.
package seed001

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/nimbus-dev/nimbus/compat/internal/compattest"
)

type user struct {
	ID    int    `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

var jsonHeader = http.Header{"Content-Type": {"application/json"}, "Origin": {"http://localhost:8080"}}

func TestSeed001RestLambdaDynamoDB(t *testing.T) {
	compattest.RequireNode(t)
	// The article's stack is in Seoul, and read.js names that region.
	app := compattest.StartIn(t, ".", "ap-northeast-2")
	api := app.API(t, "Api")
	if api.Protocol != "REST" || api.Stage != "v1" {
		t.Fatalf("API = %+v", api)
	}
	users := api.URL + "/users"
	ctx := context.Background()

	// POST: the mapping template $input.json('$') hands the function the
	// request's JSON as the event.
	for _, u := range []user{{1, "kim", "kim@example.com"}, {2, "이영희", "lee@example.com"}, {3, "park", "park@example.com"}} {
		body, _ := json.Marshal(u)
		res := compattest.Do(t, http.MethodPost, users, jsonHeader, string(body))
		var saved user
		if res.Status != 200 || json.Unmarshal(res.Body, &saved) != nil || saved != u {
			t.Fatalf("POST %s: %d %s", body, res.Status, res.Body)
		}
		if res.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("POST: no CORS header: %v", res.Header)
		}
	}

	// A DynamoDB ValidationException from the callback's err is matched by
	// the integration response's selection pattern: 400 with the message.
	res := compattest.Do(t, http.MethodPost, users, jsonHeader, `{"id":"abc","name":"bad"}`)
	var failure struct {
		Message string `json:"message"`
	}
	if res.Status != 400 || json.Unmarshal(res.Body, &failure) != nil ||
		!strings.HasPrefix(failure.Message, "One or more parameter values were invalid: Type mismatch for key") {
		t.Errorf("POST with a string id: %d %s", res.Status, res.Body)
	}
	res = compattest.Do(t, http.MethodPost, users, jsonHeader, `{"name":"no id"}`)
	if res.Status != 400 || json.Unmarshal(res.Body, &failure) != nil ||
		failure.Message != "One or more parameter values were invalid: Missing the key id in the item" {
		t.Errorf("POST without an id: %d %s", res.Status, res.Body)
	}
	// An error no pattern matches takes the default response: 200 with the
	// function's error object as the body, as API Gateway does.
	big, _ := json.Marshal(user{ID: 9, Name: strings.Repeat("x", 410*1024)})
	res = compattest.Do(t, http.MethodPost, users, jsonHeader, string(big))
	var fnErr struct {
		ErrorType    string   `json:"errorType"`
		ErrorMessage string   `json:"errorMessage"`
		Trace        []string `json:"trace"`
	}
	if res.Status != 200 || json.Unmarshal(res.Body, &fnErr) != nil || fnErr.ErrorType != "ValidationException" ||
		fnErr.ErrorMessage != "Item size has exceeded the maximum allowed size" || len(fnErr.Trace) == 0 {
		t.Errorf("POST of a 410 KB item: %d %.300s", res.Status, res.Body)
	}

	// Enough rows, written with the SDK, that one Scan page (1 MB) cannot
	// hold them: 400 items of about 4 KB.
	db := app.DynamoDB()
	pad := strings.Repeat("가", 1300) // 3,900 bytes of UTF-8
	const bulk = 400
	for start := 0; start < bulk; start += 25 {
		var reqs []types.WriteRequest
		for i := start; i < start+25; i++ {
			reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: map[string]types.AttributeValue{
				"id":    &types.AttributeValueMemberN{Value: fmt.Sprint(1000 + i)},
				"name":  &types.AttributeValueMemberS{Value: fmt.Sprintf("bulk-%d", i)},
				"email": &types.AttributeValueMemberS{Value: fmt.Sprintf("bulk-%d@example.com", i)},
				"bio":   &types.AttributeValueMemberS{Value: pad},
			}}})
		}
		out, err := db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{"ausg": reqs}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.UnprocessedItems) != 0 {
			t.Fatalf("unprocessed items: %v", out.UnprocessedItems)
		}
	}
	first, err := db.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("ausg")})
	if err != nil {
		t.Fatal(err)
	}
	if first.LastEvaluatedKey == nil || int(first.Count) >= bulk {
		t.Fatalf("one Scan page held %d items (LastEvaluatedKey %v): the table is too small to need pages", first.Count, first.LastEvaluatedKey)
	}

	// GET: the function follows LastEvaluatedKey to the end; the
	// non-proxy integration sends its {body: [...]} as is.
	res = compattest.Do(t, http.MethodGet, users, http.Header{"Origin": {"http://localhost:8080"}}, "")
	var listed struct {
		Body []map[string]any `json:"body"`
	}
	if res.Status != 200 || json.Unmarshal(res.Body, &listed) != nil {
		t.Fatalf("GET /users: %d %.300s", res.Status, res.Body)
	}
	if res.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("GET: no CORS header: %v", res.Header)
	}
	checkAll(t, "GET /users", listed.Body, bulk+3)

	// The same function invoked with the SDK.
	inv, err := app.Lambda().Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("ausg-read"), Payload: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	listed.Body = nil
	if inv.FunctionError != nil || json.Unmarshal(inv.Payload, &listed) != nil {
		t.Fatalf("invoke ausg-read: %v %.300s", aws.ToString(inv.FunctionError), inv.Payload)
	}
	checkAll(t, "invoke ausg-read", listed.Body, bulk+3)

	// The browser's preflight for POST /users.
	pre := compattest.Do(t, http.MethodOptions, users, http.Header{
		"Origin": {"http://localhost:8080"}, "Access-Control-Request-Method": {"POST"}, "Access-Control-Request-Headers": {"content-type"},
	}, "")
	if pre.Status != 200 || pre.Header.Get("Access-Control-Allow-Origin") != "*" || !strings.Contains(pre.Header.Get("Access-Control-Allow-Methods"), "POST") {
		t.Errorf("preflight: %d %v", pre.Status, pre.Header)
	}

	// The greedy path: every method under /welcome reaches one function,
	// which branches on event.httpMethod.
	for _, c := range []struct{ method, path, want string }{
		{http.MethodGet, "/welcome/a", `{"method":"get","path":"/welcome/a","proxy":"a"}`},
		{http.MethodGet, "/welcome/a/b/c", `{"method":"get","path":"/welcome/a/b/c","proxy":"a/b/c"}`},
		{http.MethodPost, "/welcome/hello", `{"method":"post","path":"/welcome/hello","received":"{\"x\":1}"}`},
		{http.MethodDelete, "/welcome/hello", `{"method":"post","path":"/welcome/hello","received":"{\"x\":1}"}`},
	} {
		res := compattest.Do(t, c.method, api.URL+c.path, jsonHeader, map[bool]string{true: "", false: `{"x":1}`}[c.method == http.MethodGet])
		if res.Status != 200 || string(res.Body) != c.want || res.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("%s %s: %d %s %v, want %s", c.method, c.path, res.Status, res.Body, res.Header, c.want)
		}
	}
	// /welcome itself has no method: API Gateway's 403 Missing
	// Authentication Token.
	if res := compattest.Do(t, http.MethodGet, api.URL+"/welcome", nil, ""); res.Status != 403 || !strings.Contains(string(res.Body), "Missing Authentication Token") {
		t.Errorf("GET /welcome: %d %s", res.Status, res.Body)
	}
}

// checkAll checks that items holds every id written, once.
func checkAll(t *testing.T, what string, items []map[string]any, want int) {
	t.Helper()
	seen := map[float64]bool{}
	for _, it := range items {
		id, _ := it["id"].(float64)
		if seen[id] {
			t.Fatalf("%s: id %v twice", what, id)
		}
		seen[id] = true
	}
	if len(items) != want || !seen[1] || !seen[2] || !seen[3] || !seen[1000] || !seen[1399] {
		t.Fatalf("%s: %d items, want %d with ids 1-3 and 1000-1399", what, len(items), want)
	}
}
