package httpapi

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

var (
	requestIDRe = regexp.MustCompile(`^[A-Za-z0-9_-]{15}=$`)
	clfRe       = regexp.MustCompile(`^\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} \+0000$`)
)

// TestGoldenEventV2 replays the request behind AWS's sample
// apigw-v2-request-no-authorizer.json and compares the 2.0 event field by
// field.
func TestGoldenEventV2(t *testing.T) {
	sample := awsTestdata(t, "apigw-v2-request-no-authorizer.json")
	var want events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(sample, &want); err != nil {
		t.Fatal(err)
	}
	inv := newInvoker()
	inv.returns("fn", `{"statusCode":200}`)
	base := serve(t, httpAPI(lambdaRoute("$default", "fn")), inv)

	c, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	raw := "GET / HTTP/1.1\r\nHost: " + want.Headers["host"] + "\r\nUser-Agent: curl/7.58.0\r\nAccept: */*\r\nContent-Length: 0\r\n" +
		"X-Amzn-Trace-Id: " + want.Headers["x-amzn-trace-id"] + "\r\n\r\n"
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || !requestIDRe.MatchString(resp.Header.Get("apigw-requestid")) {
		t.Fatalf("status %d, apigw-requestid %q", resp.StatusCode, resp.Header.Get("apigw-requestid"))
	}
	payload := inv.last("fn")
	var got events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(payload, &got); err != nil {
		t.Fatal(err)
	}
	rc := got.RequestContext
	if !requestIDRe.MatchString(rc.RequestID) || rc.RequestID != resp.Header.Get("apigw-requestid") {
		t.Errorf("requestId %q", rc.RequestID)
	}
	if !clfRe.MatchString(rc.Time) {
		t.Errorf("time %q", rc.Time)
	}
	want.RequestContext.RequestID = rc.RequestID
	want.RequestContext.Time = rc.Time
	want.RequestContext.TimeEpoch = rc.TimeEpoch
	// The sample came from 1.2.3.4 over TLS with a client certificate; this
	// request comes from 127.0.0.1 over plain HTTP without one.
	want.RequestContext.HTTP.SourceIP = "127.0.0.1"
	want.Headers["x-forwarded-for"] = "127.0.0.1"
	want.Headers["x-forwarded-port"] = got.Headers["x-forwarded-port"]
	want.Headers["x-forwarded-proto"] = "http"
	want.RequestContext.Authentication = events.APIGatewayV2HTTPRequestContextAuthentication{}
	compareFields(t, "", reflect.ValueOf(want), reflect.ValueOf(got))

	m := decode(t, payload)
	for _, absent := range []string{"body", "cookies", "queryStringParameters", "pathParameters", "stageVariables"} {
		if _, ok := m[absent]; ok {
			t.Errorf("%s present, AWS leaves it out", absent)
		}
	}
	if _, ok := m["requestContext"].(map[string]any)["authentication"]; ok {
		t.Error("requestContext.authentication present without mutual TLS")
	}
}

// TestGoldenEventV2Full checks a POST with query, cookies, path
// parameters and stage variables against testdata/http-v2-post.json.
func TestGoldenEventV2Full(t *testing.T) {
	inv := newInvoker()
	inv.returns("fn", `{"statusCode":200}`)
	api := httpAPI(lambdaRoute("POST /rooms/{roomId}/messages", "fn"))
	api.StageVariables = map[string]string{"env": "dev"}
	base := serve(t, api, inv)
	req, _ := http.NewRequest("POST", base+"/rooms/r%201/messages?a=1&a=2&b=x%20y", strings.NewReader(`{"text":"hi"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "test/1")
	req.Header["Cookie"] = []string{"s=1; t=2"}
	req.Header["X-Multi"] = []string{"a", "b"}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var got, want any
	_ = json.Unmarshal(inv.last("fn"), &got)
	b, err := os.ReadFile("testdata/http-v2-post.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	compareJSON(t, "$", want, got)
}

// TestEventV1 checks payload format 1.0 on an HTTP API against AWS's
// documented shape: version "1.0", null resourceId, lower-case headers.
func TestEventV1(t *testing.T) {
	inv := newInvoker()
	inv.returns("fn", `{"statusCode":201,"headers":{"X-A":"1"},"multiValueHeaders":{"X-B":["2","3"]},"body":"made"}`)
	rt := lambdaRoute("GET /my/{id}", "fn")
	rt.Integration.PayloadFormatVersion = "1.0"
	base := serve(t, httpAPI(rt), inv)
	r := doMulti(t, "GET", base+"/my/7?p=1&p=2&q=x", http.Header{"User-Agent": {"ua"}, "X-Multi": {"a", "b"}})
	if r.status != 201 || r.body != "made" || r.header.Get("X-A") != "1" || len(r.header.Values("X-B")) != 2 {
		t.Fatalf("%d %q %v", r.status, r.body, r.header)
	}
	var ev events.APIGatewayProxyRequest
	payload := inv.last("fn")
	_ = json.Unmarshal(payload, &ev)
	m := decode(t, payload)
	rc := m["requestContext"].(map[string]any)
	if m["version"] != "1.0" || rc["resourceId"] != nil || rc["stage"] != "$default" {
		t.Errorf("version %v resourceId %v stage %v", m["version"], rc["resourceId"], rc["stage"])
	}
	if ev.Resource != "/my/{id}" || ev.Path != "/my/7" || ev.PathParameters["id"] != "7" || ev.HTTPMethod != "GET" {
		t.Errorf("resource %q path %q params %v", ev.Resource, ev.Path, ev.PathParameters)
	}
	if ev.Headers["user-agent"] != "ua" || ev.MultiValueQueryStringParameters["p"][1] != "2" || m["body"] != nil || m["stageVariables"] != nil {
		t.Errorf("headers %v query %v body %v", ev.Headers, ev.MultiValueQueryStringParameters, m["body"])
	}
	// Repeated values: joined with commas in the single-value maps, listed
	// in the multi-value ones.
	for _, c := range []struct {
		got  any
		want any
	}{
		{ev.Headers["x-multi"], "a,b"},
		{strings.Join(ev.MultiValueHeaders["x-multi"], "|"), "a|b"},
		{ev.QueryStringParameters["p"], "1,2"},
		{ev.QueryStringParameters["q"], "x"},
		{strings.Join(ev.MultiValueQueryStringParameters["p"], "|"), "1|2"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
