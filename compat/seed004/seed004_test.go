// Package seed004 runs seed 004's chat, written the way the article writes
// it (Node.js ES modules, the AWS SDK for JavaScript v3, REST non-proxy
// integrations, a WebSocket API), on Nimbus, and checks what the article's
// page and its readers would see.
package seed004

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/nimbus-dev/nimbus/compat/internal/compattest"
)

// envelope is what a non-proxy integration sends the page: the function's
// own return value, which the page reads as JSON.parse(res.body).
type envelope struct {
	StatusCode int               `json:"statusCode"`
	Headers    map[string]string `json:"headers"`
	Body       string            `json:"body"`
}

type room struct {
	RoomID string `json:"room_id"`
	Name   string `json:"name"`
}

// page is the article's Next.js page, reduced to its fetch calls.
type page struct {
	t       *testing.T
	restURL string
}

// call sends what the page's fetch sends from another origin, checks the
// CORS header a browser needs, and decodes the envelope and its body.
func (p page) call(method, body string, inner any) envelope {
	p.t.Helper()
	h := http.Header{"Origin": {"http://localhost:3000"}}
	if body != "" {
		h.Set("Content-Type", "application/json")
	}
	res := compattest.Do(p.t, method, p.restURL, h, body)
	if res.Status != http.StatusOK {
		p.t.Fatalf("%s %s: HTTP %d %s", method, p.restURL, res.Status, res.Body)
	}
	if got := res.Header.Get("Access-Control-Allow-Origin"); got != "*" {
		p.t.Errorf("%s: Access-Control-Allow-Origin = %q, want * (the method response header)", method, got)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/json" {
		p.t.Errorf("%s: Content-Type = %q, want application/json", method, ct)
	}
	var env envelope
	if err := json.Unmarshal(res.Body, &env); err != nil {
		p.t.Fatalf("%s: body %s is not the function's JSON: %v", method, res.Body, err)
	}
	if err := json.Unmarshal([]byte(env.Body), inner); err != nil {
		p.t.Fatalf("%s: JSON.parse(res.body) fails on %q: %v", method, env.Body, err)
	}
	return env
}

func (p page) rooms() map[string]string {
	p.t.Helper()
	var list struct {
		Rooms []room `json:"rooms"`
	}
	env := p.call(http.MethodGet, "", &list)
	if env.StatusCode != 200 {
		p.t.Fatalf("getAllRooms answered %+v", env)
	}
	names := map[string]string{}
	for _, r := range list.Rooms {
		names[r.RoomID] = r.Name
	}
	return names
}

func (p page) createRoom(name string) string {
	p.t.Helper()
	var created struct {
		Message string `json:"message"`
		RoomID  string `json:"roomId"`
	}
	body, _ := json.Marshal(map[string]string{"roomName": name})
	env := p.call(http.MethodPost, string(body), &created)
	if env.StatusCode != 200 || created.Message != "Room created successfully" || len(created.RoomID) != 36 {
		p.t.Fatalf("createRoom(%q) = %+v, body %+v", name, env, created)
	}
	if env.Headers["Access-Control-Allow-Origin"] != "*" {
		p.t.Errorf("the function's own headers stay inside the payload: %+v", env.Headers)
	}
	return created.RoomID
}

// chatFrame is what sendMessage posts: {"message":{"type","message"}}.
type chatFrame struct {
	Message struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	} `json:"message"`
}

func expectChat(t *testing.T, who string, ws *compattest.WS, want string) {
	t.Helper()
	raw, err := ws.Next(15 * time.Second)
	if err != nil {
		t.Fatalf("%s: %v (want %q)", who, err, want)
	}
	var f chatFrame
	if err := json.Unmarshal([]byte(raw), &f); err != nil {
		t.Fatalf("%s got %q, not the page's ReceiveMessage JSON: %v", who, raw, err)
	}
	if f.Message.Type != "message" || f.Message.Message != want {
		t.Fatalf("%s got %q, want message %q", who, raw, want)
	}
}

func send(ctx context.Context, t *testing.T, ws *compattest.WS, text string) {
	t.Helper()
	frame, _ := json.Marshal(map[string]any{"action": "sendMessage", "data": map[string]string{"message": text}})
	if err := ws.Send(ctx, string(frame)); err != nil {
		t.Fatal(err)
	}
}

func TestSeed004Chat(t *testing.T) {
	compattest.RequireNode(t)
	app := compattest.Start(t, ".")
	rest := app.API(t, "ChatRestApi")
	wsAPI := app.API(t, "ChatWebSocketApi")
	if rest.Protocol != "REST" || rest.Stage != "production" || rest.Name != "chat-rest-api" {
		t.Fatalf("REST API = %+v", rest)
	}
	if wsAPI.Protocol != "WEBSOCKET" || wsAPI.Stage != "production" || !strings.HasPrefix(wsAPI.URL, "ws://") {
		t.Fatalf("WebSocket API = %+v", wsAPI)
	}
	p := page{t: t, restURL: rest.URL}

	// The rooms page before anything exists.
	if got := p.rooms(); len(got) != 0 {
		t.Fatalf("rooms before any was created: %v", got)
	}

	// The browser's preflight for the create-room page's POST.
	pre := compattest.Do(t, http.MethodOptions, rest.URL, http.Header{
		"Origin":                         {"http://localhost:3000"},
		"Access-Control-Request-Method":  {"POST"},
		"Access-Control-Request-Headers": {"content-type"},
	}, "")
	if pre.Status != http.StatusOK || pre.Header.Get("Access-Control-Allow-Origin") != "*" ||
		!strings.Contains(pre.Header.Get("Access-Control-Allow-Methods"), "POST") ||
		!strings.Contains(pre.Header.Get("Access-Control-Allow-Headers"), "Content-Type") {
		t.Fatalf("preflight: %d %v", pre.Status, pre.Header)
	}

	lobby := p.createRoom("lobby")
	other := p.createRoom("雑談")
	if got := p.rooms(); got[lobby] != "lobby" || got[other] != "雑談" || len(got) != 2 {
		t.Fatalf("rooms = %v", got)
	}

	// A bad request: a non-proxy integration keeps HTTP 200 and hands the
	// function's statusCode to the page inside the payload.
	var failed struct {
		Message string `json:"message"`
	}
	if env := p.call(http.MethodPost, `{"roomName":"  "}`, &failed); env.StatusCode != 400 || failed.Message != "roomName is required" {
		t.Fatalf("empty room name: %+v %+v", env, failed)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	// $connect without ?roomId= is refused by the function: API Gateway
	// rejects the handshake with the status code the function returned
	// (wscat prints "Unexpected server response: 400").
	if ws, resp, err := compattest.DialWS(ctx, t, wsAPI.URL); err == nil {
		ws.Close()
		t.Fatal("a connection without roomId was accepted")
	} else if resp == nil || resp.StatusCode != 400 {
		t.Fatalf("connect without roomId: %v (response %v)", err, resp)
	}

	dial := func(roomID string) *compattest.WS {
		t.Helper()
		ws, _, err := compattest.DialWS(ctx, t, wsAPI.URL+"?roomId="+roomID)
		if err != nil {
			t.Fatalf("connect to room %s: %v", roomID, err)
		}
		return ws
	}
	alice, bob, carol := dial(lobby), dial(lobby), dial(other)

	// The GSI the functions query holds both lobby members.
	db := app.DynamoDB()
	q, err := db.Query(ctx, &dynamodb.QueryInput{
		TableName:                 aws.String("connections"),
		IndexName:                 aws.String("joined_room_id-index"),
		KeyConditionExpression:    aws.String("joined_room_id = :r"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":r": &types.AttributeValueMemberS{Value: lobby}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if q.Count != 2 {
		t.Fatalf("connections in the lobby: %d (%v)", q.Count, q.Items)
	}

	// Alice speaks: both lobby members (the sender too, as in the article)
	// receive it; carol, in another room, does not. Carol then speaks in
	// her room: the first frame she gets is her own message, which shows
	// nothing from the lobby reached her in between.
	send(ctx, t, alice, "こんにちは, lobby")
	expectChat(t, "alice", alice, "こんにちは, lobby")
	expectChat(t, "bob", bob, "こんにちは, lobby")
	send(ctx, t, bob, "hi alice")
	expectChat(t, "alice", alice, "hi alice")
	expectChat(t, "bob", bob, "hi alice")
	send(ctx, t, carol, "anyone?")
	expectChat(t, "carol", carol, "anyone?")

	// The article's page sends the route key "onMessage", which no route
	// matches and there is no $default: API Gateway answers the sender
	// with its Forbidden frame and nobody else hears anything.
	if err := carol.Send(ctx, `{"action":"onMessage","data":{"message":"lost"}}`); err != nil {
		t.Fatal(err)
	}
	raw, err := carol.Next(15 * time.Second)
	var forbidden struct {
		Message      string `json:"message"`
		ConnectionID string `json:"connectionId"`
		RequestID    string `json:"requestId"`
	}
	if err != nil || json.Unmarshal([]byte(raw), &forbidden) != nil || forbidden.Message != "Forbidden" ||
		forbidden.ConnectionID == "" || forbidden.RequestID == "" {
		t.Fatalf("unmatched route key: %q, %v", raw, err)
	}
	send(ctx, t, alice, "still here")
	expectChat(t, "alice", alice, "still here")
	expectChat(t, "bob", bob, "still here")

	// Carol leaves: $disconnect forgets her and deletes the empty room.
	carol.Close()
	compattest.Eventually(t, 15*time.Second, "the empty room to be deleted", func() bool {
		_, ok := p.rooms()[other]
		return !ok
	})
	if got := p.rooms(); got[lobby] != "lobby" {
		t.Fatalf("the lobby, still in use, is gone: %v", got)
	}

	// Bob leaves; alice is alone and still served.
	bob.Close()
	compattest.Eventually(t, 15*time.Second, "bob's connection to be deleted", func() bool {
		out, err := db.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("connections")})
		return err == nil && out.Count == 1
	})
	send(ctx, t, alice, "bye")
	expectChat(t, "alice", alice, "bye")
	alice.Close()
	compattest.Eventually(t, 15*time.Second, "the lobby to be deleted", func() bool {
		return !slices.Contains(keys(p.rooms()), lobby)
	})
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
