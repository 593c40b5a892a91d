package websocket

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi/types"
	"github.com/aws/smithy-go"
	"github.com/coder/websocket"

	"github.com/nimbus-dev/nimbus/internal/app"
)

// roomTable stands in for seed 004's connections table with its
// joined_room_id index.
type roomTable struct {
	mu   sync.Mutex
	room map[string]string // connectionId -> roomId
}

func (r *roomTable) members(room string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var ids []string
	for id, rm := range r.room {
		if rm == room {
			ids = append(ids, id)
		}
	}
	return ids
}

// roomChat serves seed 004's flow: $connect stores ?roomId=, the
// sendMessage route posts to every connection of the sender's room through
// the management API at "https://" + domainName + "/" + stage (here the
// test listener), $disconnect deletes the connection and reports its id.
func roomChat(t *testing.T) (*env, *roomTable, chan string) {
	table := &roomTable{room: map[string]string{}}
	inv := &funcInvoker{}
	var e *env
	inv.set("connect", func(_ context.Context, ev events.APIGatewayWebsocketProxyRequest, _ []byte) (any, error) {
		table.mu.Lock()
		table.room[ev.RequestContext.ConnectionID] = ev.QueryStringParameters["roomId"]
		table.mu.Unlock()
		return map[string]any{"statusCode": 200}, nil
	})
	disconnected := make(chan string, 8)
	inv.set("disconnect", func(_ context.Context, ev events.APIGatewayWebsocketProxyRequest, _ []byte) (any, error) {
		table.mu.Lock()
		delete(table.room, ev.RequestContext.ConnectionID)
		table.mu.Unlock()
		disconnected <- ev.RequestContext.ConnectionID
		return map[string]any{"statusCode": 200}, nil
	})
	inv.set("send", func(ctx context.Context, ev events.APIGatewayWebsocketProxyRequest, _ []byte) (any, error) {
		var body struct {
			Data struct {
				Message string `json:"message"`
			} `json:"data"`
		}
		if err := json.Unmarshal([]byte(ev.Body), &body); err != nil {
			return nil, err
		}
		table.mu.Lock()
		room := table.room[ev.RequestContext.ConnectionID]
		table.mu.Unlock()
		client := e.mgmt()
		out := mustJSON(map[string]any{"message": map[string]any{"type": "message", "message": body.Data.Message}})
		for _, id := range table.members(room) {
			if _, err := client.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: aws.String(id), Data: []byte(out)}); err != nil {
				return nil, err
			}
		}
		return map[string]any{"statusCode": 200}, nil
	})
	e = newEnv(t, chatAPI(), inv, Options{})
	return e, table, disconnected
}

func TestBroadcastToRoom(t *testing.T) {
	t.Parallel()
	e, table, disconnected := roomChat(t)
	a1, a2, a3 := e.dial("?roomId=A", nil), e.dial("?roomId=A", nil), e.dial("?roomId=A", nil)
	b1 := e.dial("?roomId=B", nil)
	waitFor(t, func() bool { return len(table.members("A")) == 3 && len(table.members("B")) == 1 })

	sendText(t, a2, `{"action":"send-message","data":{"message":"hello room"}}`)
	want := `{"message":{"message":"hello room","type":"message"}}`
	for i, c := range []*websocket.Conn{a1, a2, a3} {
		if got := readText(t, c); got != want {
			t.Errorf("member %d got %s", i, got)
		}
	}
	// Room B hears nothing (a read that times out closes b1, which then
	// disconnects too).
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, data, err := b1.Read(ctx); err == nil {
		t.Errorf("room B received %s", data)
	}

	_ = a3.Close(websocket.StatusNormalClosure, "bye")
	for range 2 {
		select {
		case <-disconnected:
		case <-time.After(5 * time.Second):
			t.Fatal("$disconnect not fired")
		}
	}
	if a, b := len(table.members("A")), len(table.members("B")); a != 2 || b != 0 {
		t.Errorf("rooms A and B have %d and %d members after two disconnects: %v", a, b, table.room)
	}
}

func TestManagementAPIThroughTheSDK(t *testing.T) {
	rec := newRecorder()
	inv := &funcInvoker{}
	inv.set("connect", rec.wrap(nil))
	inv.set("disconnect", rec.wrap(nil))
	e := newEnv(t, chatAPI(), inv, Options{})
	c := e.dial("", &websocket.DialOptions{HTTPHeader: http.Header{"User-Agent": {"sdk-test-agent"}}})
	id := rec.next(t, "$connect").ev.RequestContext.ConnectionID
	ctx := context.Background()

	for name, client := range map[string]*apigatewaymanagementapi.Client{
		"stage endpoint": e.mgmt(),
		"edge endpoint":  mgmtClient(e.url),
	} {
		out, err := client.GetConnection(ctx, &apigatewaymanagementapi.GetConnectionInput{ConnectionId: aws.String(id)})
		if err != nil {
			t.Fatalf("%s GetConnection: %v", name, err)
		}
		if out.ConnectedAt == nil || time.Since(*out.ConnectedAt) > time.Minute || out.LastActiveAt == nil || out.LastActiveAt.Before(*out.ConnectedAt) {
			t.Errorf("%s: connectedAt %v lastActiveAt %v", name, out.ConnectedAt, out.LastActiveAt)
		}
		if out.Identity == nil || aws.ToString(out.Identity.SourceIp) != "127.0.0.1" || aws.ToString(out.Identity.UserAgent) != "sdk-test-agent" {
			t.Errorf("%s: identity %+v", name, out.Identity)
		}
		if _, err := client.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: aws.String(id), Data: []byte("via " + name)}); err != nil {
			t.Fatalf("%s PostToConnection: %v", name, err)
		}
		if got := readText(t, c); got != "via "+name {
			t.Errorf("%s: client got %q", name, got)
		}
	}

	// Binary data arrives as a binary frame.
	bin := []byte{0xff, 0x00, 0xfe}
	if _, err := e.mgmt().PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: aws.String(id), Data: bin}); err != nil {
		t.Fatal(err)
	}
	rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	typ, data, err := c.Read(rctx)
	cancel()
	if err != nil || typ != websocket.MessageBinary || string(data) != string(bin) {
		t.Errorf("binary post: %v %v %v", typ, data, err)
	}

	// 128 KB exactly is delivered (in 32 KB frames); one byte more is 413.
	big := []byte(strings.Repeat("x", MaxMessageSize))
	if _, err := e.mgmt().PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: aws.String(id), Data: big}); err != nil {
		t.Fatalf("128 KB post: %v", err)
	}
	if got := readText(t, c); len(got) != MaxMessageSize {
		t.Errorf("128 KB post arrived as %d bytes", len(got))
	}
	_, err = e.mgmt().PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: aws.String(id), Data: append(big, 'y')})
	var tooLarge *types.PayloadTooLargeException
	if !errors.As(err, &tooLarge) {
		t.Errorf("128 KB + 1 post: %v, want PayloadTooLargeException", err)
	}

	// DeleteConnection closes with 1000 and fires $disconnect.
	if _, err := e.mgmt().DeleteConnection(ctx, &apigatewaymanagementapi.DeleteConnectionInput{ConnectionId: aws.String(id)}); err != nil {
		t.Fatalf("DeleteConnection: %v", err)
	}
	if ce := readClose(t, c); ce.Code != websocket.StatusNormalClosure {
		t.Errorf("client saw close %v", ce)
	}
	rc := rec.next(t, "$disconnect").ev.RequestContext
	if rc.EventType != "DISCONNECT" || rc.DisconnectStatusCode != 1000 || rc.DisconnectReason == nil || *rc.DisconnectReason != reasonDeleted {
		t.Errorf("$disconnect context %+v", rc)
	}

	// Afterwards every operation is GoneException (410).
	_, err = e.mgmt().PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: aws.String(id), Data: []byte("late")})
	assertGone(t, "PostToConnection", err)
	_, err = e.mgmt().GetConnection(ctx, &apigatewaymanagementapi.GetConnectionInput{ConnectionId: aws.String(id)})
	assertGone(t, "GetConnection", err)
	_, err = e.mgmt().DeleteConnection(ctx, &apigatewaymanagementapi.DeleteConnectionInput{ConnectionId: aws.String(id)})
	assertGone(t, "DeleteConnection", err)
}

func assertGone(t *testing.T, op string, err error) {
	t.Helper()
	var gone *types.GoneException
	if !errors.As(err, &gone) {
		t.Errorf("%s: %v, want GoneException", op, err)
	}
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) && re.HTTPStatusCode() != http.StatusGone {
		t.Errorf("%s: status %d, want 410", op, re.HTTPStatusCode())
	}
}

func TestGoneAfterClientCloseAndBadIDs(t *testing.T) {
	rec := newRecorder()
	inv := &funcInvoker{}
	inv.set("connect", rec.wrap(nil))
	inv.set("disconnect", rec.wrap(nil))
	e := newEnv(t, chatAPI(), inv, Options{})
	c := e.dial("", nil)
	id := rec.next(t, "$connect").ev.RequestContext.ConnectionID
	_ = c.Close(4000, "client done")
	rc := rec.next(t, "$disconnect").ev.RequestContext
	if rc.DisconnectStatusCode != 4000 || rc.DisconnectReason == nil || *rc.DisconnectReason != "client done" {
		t.Errorf("$disconnect status %d reason %v", rc.DisconnectStatusCode, rc.DisconnectReason)
	}
	ctx := context.Background()
	_, err := e.mgmt().PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: aws.String(id), Data: []byte("x")})
	assertGone(t, "PostToConnection after close", err)

	// A well-formed id that never existed is gone too; a malformed one is a
	// BadRequestException.
	_, err = e.mgmt().PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: aws.String("H111mc0HywMCEEf="), Data: []byte("x")})
	assertGone(t, "PostToConnection unknown id", err)
	_, err = e.mgmt().PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: aws.String("not-a-connection"), Data: []byte("x")})
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "BadRequestException" || !strings.Contains(api.ErrorMessage(), "Invalid connectionId: not-a-connection") {
		t.Errorf("malformed id: %v", err)
	}

	// A connection of another API is not reachable through this API's
	// endpoint, but is through the edge's.
	other := newEnv(t, chatAPI2(), inv, Options{})
	oc := other.dial("", nil)
	oid := rec.next(t, "$connect").ev.RequestContext.ConnectionID
	_, err = e.mgmt().PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: aws.String(oid), Data: []byte("x")})
	if err == nil {
		t.Errorf("posted to another API's connection through this API")
	}
	_ = oc
}

func chatAPI2() *app.API {
	api := chatAPI()
	api.LogicalID = "OtherSocket"
	api.ID = "otherapi01"
	return api
}

func TestForbiddenPaths(t *testing.T) {
	e := newEnv(t, chatAPI(), &funcInvoker{}, Options{})
	for _, path := range []string{"/", "/prod", "/prod/@connections/H111mc0HywMCEEf=", "/production/@connections"} {
		resp, err := http.Post(e.url+path, "application/json", strings.NewReader("x"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden || resp.Header.Get("x-amzn-ErrorType") != "ForbiddenException" {
			t.Errorf("POST %s: %d %q", path, resp.StatusCode, resp.Header.Get("x-amzn-ErrorType"))
		}
	}
	for _, tc := range []struct {
		headers http.Header
		status  int
	}{
		{http.Header{}, http.StatusUpgradeRequired},
		{http.Header{"Connection": {"Upgrade"}, "Upgrade": {"websocket"}, "Sec-Websocket-Version": {"8"}, "Sec-Websocket-Key": {"x"}}, http.StatusUpgradeRequired},
		{http.Header{"Connection": {"Upgrade"}, "Upgrade": {"websocket"}, "Sec-Websocket-Version": {"13"}}, http.StatusBadRequest},
	} {
		req, _ := http.NewRequest(http.MethodGet, e.url+"/production", nil)
		req.Header = tc.headers
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("GET of the stage with %v: %d, want %d", tc.headers, resp.StatusCode, tc.status)
		}
	}
}

func waitFor(t testing.TB, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
