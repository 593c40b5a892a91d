package websocket

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/coder/websocket"

	"github.com/nimbus-dev/nimbus/internal/app"
)

var (
	connectionIDShape = regexp.MustCompile(`^[A-Za-z0-9_-]{15}=$`)
	requestTimeShape  = regexp.MustCompile(`^\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} \+0000$`)
)

func TestConnectEventCarriesQueryHeadersAndContext(t *testing.T) {
	rec := newRecorder()
	inv := &funcInvoker{}
	inv.set("connect", rec.wrap(nil))
	e := newEnv(t, chatAPI(), inv, Options{Region: "ap-northeast-1"})

	c := e.dial("?roomId=r1&tag=a&tag=b", &websocket.DialOptions{HTTPHeader: http.Header{"User-Agent": {"nimbus-test/1.0"}, "X-Custom": {"v"}}})
	got := rec.next(t, "$connect")
	ev, rc := got.ev, got.ev.RequestContext

	if rc.EventType != "CONNECT" || rc.MessageDirection != "IN" {
		t.Errorf("eventType %q direction %q", rc.EventType, rc.MessageDirection)
	}
	if !connectionIDShape.MatchString(rc.ConnectionID) {
		t.Errorf("connectionId %q does not look like API Gateway's", rc.ConnectionID)
	}
	if !connectionIDShape.MatchString(rc.RequestID) || rc.ExtendedRequestID != rc.RequestID {
		t.Errorf("requestId %q extendedRequestId %q", rc.RequestID, rc.ExtendedRequestID)
	}
	api := e.gw.API()
	if rc.APIID != api.ID || rc.Stage != "production" || rc.DomainName != api.ID+".execute-api.ap-northeast-1.amazonaws.com" {
		t.Errorf("apiId %q stage %q domainName %q", rc.APIID, rc.Stage, rc.DomainName)
	}
	if rc.Identity.SourceIP != "127.0.0.1" || rc.Identity.UserAgent != "nimbus-test/1.0" {
		t.Errorf("identity %+v", rc.Identity)
	}
	if !requestTimeShape.MatchString(rc.RequestTime) || rc.RequestTimeEpoch == 0 || rc.ConnectedAt == 0 {
		t.Errorf("requestTime %q epoch %d connectedAt %d", rc.RequestTime, rc.RequestTimeEpoch, rc.ConnectedAt)
	}
	if ev.QueryStringParameters["roomId"] != "r1" || ev.QueryStringParameters["tag"] != "b" {
		t.Errorf("queryStringParameters %v", ev.QueryStringParameters)
	}
	if got := ev.MultiValueQueryStringParameters["tag"]; len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Errorf("multiValueQueryStringParameters %v", ev.MultiValueQueryStringParameters)
	}
	for _, h := range []string{"Host", "Sec-WebSocket-Key", "Sec-WebSocket-Version", "X-Amzn-Trace-Id", "X-Forwarded-For", "X-Forwarded-Port", "X-Forwarded-Proto", "X-Custom", "User-Agent"} {
		if ev.Headers[h] == "" || len(ev.MultiValueHeaders[h]) == 0 {
			t.Errorf("header %s missing: %v", h, ev.Headers)
		}
	}
	if _, ok := ev.Headers["Upgrade"]; ok {
		t.Errorf("hop-by-hop Upgrade header passed on")
	}
	if ev.Headers["X-Forwarded-For"] != "127.0.0.1" || ev.Headers["X-Forwarded-Proto"] != "http" {
		t.Errorf("X-Forwarded-* %q %q", ev.Headers["X-Forwarded-For"], ev.Headers["X-Forwarded-Proto"])
	}
	var raw map[string]any
	if err := json.Unmarshal(got.raw, &raw); err != nil {
		t.Fatal(err)
	}
	if _, ok := raw["body"]; ok {
		t.Errorf("CONNECT event has a body")
	}
	if raw["isBase64Encoded"] != false {
		t.Errorf("isBase64Encoded = %v", raw["isBase64Encoded"])
	}
	rcRaw := raw["requestContext"].(map[string]any)
	for _, k := range []string{"messageId", "disconnectStatusCode", "disconnectReason"} {
		if _, ok := rcRaw[k]; ok {
			t.Errorf("CONNECT requestContext has %s", k)
		}
	}
	_ = c.Close(websocket.StatusNormalClosure, "")
}

func TestConnectHeaderSpelling(t *testing.T) {
	for _, preserve := range []bool{false, true} {
		rec := newRecorder()
		inv := &funcInvoker{}
		inv.set("connect", rec.wrap(nil))
		e := newEnvListener(t, chatAPI(), inv, Options{}, preserve)
		h := http.Header{}
		h["x-lower-case"] = []string{"v"}
		e.dial("", &websocket.DialOptions{HTTPHeader: h})
		ev := rec.next(t, "$connect").ev
		// Without the client's spelling, the usual one; with it, what Go's
		// client (which canonicalises) really sent.
		key, want := "Sec-WebSocket-Key", "X-Lower-Case"
		if preserve {
			key, want = "Sec-Websocket-Key", "x-lower-case"
		}
		if ev.Headers[key] == "" {
			t.Errorf("preserve=%v: %s missing in %v", preserve, key, ev.Headers)
		}
		if ev.Headers[want] != "v" {
			t.Errorf("preserve=%v: header %s missing in %v", preserve, want, ev.Headers)
		}
	}
}

func TestConnectWithoutQueryOmitsQueryFields(t *testing.T) {
	rec := newRecorder()
	inv := &funcInvoker{}
	inv.set("connect", rec.wrap(nil))
	e := newEnv(t, chatAPI(), inv, Options{})
	e.dial("", nil)
	got := rec.next(t, "$connect")
	var raw map[string]any
	_ = json.Unmarshal(got.raw, &raw)
	for _, k := range []string{"queryStringParameters", "multiValueQueryStringParameters"} {
		if _, ok := raw[k]; ok {
			t.Errorf("%s present without a query string", k)
		}
	}
}

func TestRouteSelection(t *testing.T) {
	rec := newRecorder()
	inv := &funcInvoker{}
	for _, fn := range []string{"connect", "disconnect", "default", "send", "join"} {
		inv.set(fn, rec.wrap(nil))
	}
	api := chatAPI()
	api.Routes = append(api.Routes, &app.Route{RouteKey: "room/join", Integration: proxy("join")})
	api.RouteSelectionExpression = "${request.body.meta.scope}/${request.body.meta.action}"
	e := newEnv(t, api, inv, Options{})
	c := e.dial("", nil)
	rec.next(t, "$connect")

	cases := []struct{ msg, route string }{
		{`{"meta":{"scope":"room","action":"join"},"data":1}`, "room/join"},
		{`{"meta":{"scope":"room","action":"leave"}}`, "$default"},
		{`not json at all`, "$default"},
		{`{"meta":{"scope":"$connect"}}`, "$default"},
	}
	for _, tc := range cases {
		sendText(t, c, tc.msg)
		got := rec.next(t, tc.route)
		rc := got.ev.RequestContext
		if rc.EventType != "MESSAGE" || got.ev.Body != tc.msg || got.ev.IsBase64Encoded {
			t.Errorf("%s: eventType %q body %q base64 %v", tc.msg, rc.EventType, got.ev.Body, got.ev.IsBase64Encoded)
		}
		if id, _ := rc.MessageID.(string); !connectionIDShape.MatchString(id) {
			t.Errorf("messageId %v", rc.MessageID)
		}
		if len(got.ev.Headers) != 0 || got.ev.QueryStringParameters != nil {
			t.Errorf("MESSAGE event carries headers or query: %v", got.ev.Headers)
		}
	}
}

func TestUnmatchedMessageGetsForbiddenFrame(t *testing.T) {
	inv := &funcInvoker{}
	inv.set("send", func(context.Context, events.APIGatewayWebsocketProxyRequest, []byte) (any, error) {
		return map[string]any{"statusCode": 200}, nil
	})
	api := chatAPI()
	api.Routes = api.Routes[3:] // only send-message: no $connect, $disconnect, $default
	e := newEnv(t, api, inv, Options{})
	c := e.dial("", nil)
	sendText(t, c, `{"action":"nope"}`)
	got := readText(t, c)
	re := regexp.MustCompile(`^\{"message": "Forbidden", "connectionId":"([A-Za-z0-9_-]{15}=)", "requestId":"[A-Za-z0-9_-]{15}="\}$`)
	if !re.MatchString(got) {
		t.Fatalf("frame %s is not API Gateway's Forbidden frame", got)
	}
}

func TestIntegrationFailureAndTimeoutFrames(t *testing.T) {
	t.Parallel()
	inv := &funcInvoker{}
	inv.set("default", func(context.Context, events.APIGatewayWebsocketProxyRequest, []byte) (any, error) {
		return nil, errors.New("boom")
	})
	inv.set("send", func(ctx context.Context, _ events.APIGatewayWebsocketProxyRequest, _ []byte) (any, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	})
	api := chatAPI()
	api.Routes[3].Integration.Timeout = 100 * time.Millisecond
	api.Routes = api.Routes[2:]
	e := newEnv(t, api, inv, Options{})
	c := e.dial("", nil)
	sendText(t, c, "hello")
	if got := readText(t, c); !strings.HasPrefix(got, `{"message": "Internal server error", "connectionId":"`) {
		t.Errorf("function error frame = %s", got)
	}
	sendText(t, c, `{"action":"send-message"}`)
	if got := readText(t, c); !strings.HasPrefix(got, `{"message": "Endpoint request timed out", "connectionId":"`) {
		t.Errorf("timeout frame = %s", got)
	}
}

func TestTwoWayRouteSendsTheResultBody(t *testing.T) {
	inv := &funcInvoker{}
	inv.set("default", func(_ context.Context, ev events.APIGatewayWebsocketProxyRequest, _ []byte) (any, error) {
		return map[string]any{"statusCode": 200, "body": "echo:" + ev.Body}, nil
	})
	inv.set("send", func(context.Context, events.APIGatewayWebsocketProxyRequest, []byte) (any, error) {
		return map[string]any{"statusCode": 200, "body": "not sent: one-way route"}, nil
	})
	api := chatAPI()
	api.Routes = api.Routes[2:]
	api.Routes[0].RouteResponses = []*app.RouteResponse{{RouteResponseKey: "$default"}}
	e := newEnv(t, api, inv, Options{})
	c := e.dial("", nil)
	sendText(t, c, `{"action":"send-message"}`)
	sendText(t, c, "ping")
	if got := readText(t, c); got != "echo:ping" {
		t.Errorf("route response = %q", got)
	}
}

func TestParseProxyResult(t *testing.T) {
	cases := []struct {
		payload string
		status  int
		body    string
		present bool
	}{
		{`{"statusCode":200,"body":"hi"}`, 200, "hi", true},
		{`{"statusCode":"401"}`, 401, "", false},
		{`{"body":"aGk=","isBase64Encoded":true}`, 200, "hi", true},
		{`null`, 200, "", false},
		{`"just a string"`, 200, "", false},
		{``, 200, "", false},
		{`{"statusCode":[1]}`, 200, "", false},
	}
	for _, c := range cases {
		r := parseProxyResult([]byte(c.payload))
		if r.statusCode != c.status || string(r.body) != c.body || r.present != c.present {
			t.Errorf("%s: %d %q %v", c.payload, r.statusCode, r.body, r.present)
		}
	}
}

func FuzzParseProxyResult(f *testing.F) {
	for _, s := range []string{`{"statusCode":200,"body":"x","headers":{"a":"b"},"multiValueHeaders":{"c":["d"]}}`, `{"statusCode":"abc"}`, `{"body":"@@","isBase64Encoded":true}`, `[]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		r := parseProxyResult(payload)
		if r == nil || r.headers == nil {
			t.Fatal("nil result")
		}
		if !r.present && len(r.body) != 0 {
			t.Fatal("body without present")
		}
	})
}
