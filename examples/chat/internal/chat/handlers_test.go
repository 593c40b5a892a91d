package chat

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// decodeBody checks a REST Response's envelope and decodes its JSON body.
func decodeBody(t *testing.T, r Response, wantStatus int, v any) {
	t.Helper()
	if r.StatusCode != wantStatus {
		t.Fatalf("statusCode = %d, want %d (body %s)", r.StatusCode, wantStatus, r.Body)
	}
	if r.Headers["Access-Control-Allow-Origin"] != "*" {
		t.Errorf("headers = %v, want the seed's CORS headers", r.Headers)
	}
	if err := json.Unmarshal([]byte(r.Body), v); err != nil {
		t.Fatalf("body %q: %v", r.Body, err)
	}
}

func TestCreateRoom(t *testing.T) {
	ctx := context.Background()
	app, store, _ := testApp()
	resp, err := app.CreateRoom(ctx, json.RawMessage(`{"roomName":"  Lobby  "}`))
	if err != nil {
		t.Fatal(err)
	}
	var created CreatedRoom
	decodeBody(t, resp, 200, &created)
	if created.Message != "Room created successfully" || CheckRoomID(created.RoomID) != nil || created.Room.Name != "Lobby" {
		t.Errorf("created = %+v", created)
	}
	if r, ok, _ := store.GetRoom(ctx, created.RoomID); !ok || r.Name != "Lobby" || r.CreatedAt != "2024-12-18T21:00:00.001Z" {
		t.Errorf("stored room = %+v, %v", r, ok)
	}

	// The whole Response marshals as the seed's {statusCode, headers, body}.
	b, _ := json.Marshal(resp)
	var shape map[string]json.RawMessage
	_ = json.Unmarshal(b, &shape)
	if len(shape) != 3 || shape["statusCode"] == nil || shape["headers"] == nil || shape["body"] == nil {
		t.Errorf("response shape = %s", b)
	}
}

func TestCreateRoomRejectsBadInput(t *testing.T) {
	tests := []struct {
		event, message string
	}{
		{`{}`, `Room name is required: send {"roomName":"Lobby"}.`},
		{`{"roomName":null}`, `Room name is required: send {"roomName":"Lobby"}.`},
		{`{"roomName":"   "}`, `Room name is required.`},
		{`{"roomName":42}`, `The request body must be JSON like {"roomName":"Lobby"}.`},
		{`"Lobby"`, `The request body must be JSON like {"roomName":"Lobby"}.`},
		{`{"roomName":"` + strings.Repeat("r", 61) + `"}`, `Room name is too long: 61 characters, at most 60 are allowed.`},
	}
	for _, tt := range tests {
		app, store, _ := testApp()
		resp, err := app.CreateRoom(context.Background(), json.RawMessage(tt.event))
		if err != nil {
			t.Fatal(err)
		}
		var body errorBody
		decodeBody(t, resp, 400, &body)
		if body.Message != tt.message || body.Field != "roomName" {
			t.Errorf("CreateRoom(%s) body = %+v, want message %q", tt.event, body, tt.message)
		}
		if len(store.rooms) != 0 {
			t.Errorf("CreateRoom(%s) stored a room", tt.event)
		}
	}
}

func TestCreateRoomRetriesATakenID(t *testing.T) {
	app, store, _ := testApp()
	taken := newUUID()
	store.rooms[taken] = Room{ID: taken, Name: "first"}
	ids := []string{taken, newUUID()}
	app.NewRoomID = func() string { id := ids[0]; ids = ids[1:]; return id }
	resp, _ := app.CreateRoom(context.Background(), json.RawMessage(`{"roomName":"second"}`))
	var created CreatedRoom
	decodeBody(t, resp, 200, &created)
	if created.RoomID == taken || store.rooms[taken].Name != "first" {
		t.Errorf("a taken id was reused: %+v", created)
	}
}

func TestGetAllRooms(t *testing.T) {
	ctx := context.Background()
	app, _, _ := testApp()
	resp, _ := app.GetAllRooms(ctx, json.RawMessage(`{}`))
	if resp.Body != `{"rooms":[]}` {
		t.Errorf("empty list body = %s", resp.Body)
	}
	for _, name := range []string{"first", "second", "third"} {
		app.CreateRoom(ctx, json.RawMessage(`{"roomName":"`+name+`"}`))
	}
	resp, _ = app.GetAllRooms(ctx, json.RawMessage(`{}`))
	var list RoomList
	decodeBody(t, resp, 200, &list)
	var names []string
	for _, r := range list.Rooms {
		names = append(names, r.Name)
	}
	if strings.Join(names, ",") != "third,second,first" {
		t.Errorf("rooms = %v, want newest first", names)
	}
	// The page reads room_id and name, as the seed's page does.
	if !strings.Contains(resp.Body, `"room_id":"`) || !strings.Contains(resp.Body, `"name":"third"`) {
		t.Errorf("body = %s", resp.Body)
	}
}

// chat is a scripted room: create rooms, connect people, look at frames.
type chat struct {
	t     *testing.T
	app   *App
	store *memStore
	rec   *recorder
}

func newChat(t *testing.T) *chat {
	app, store, rec := testApp()
	return &chat{t: t, app: app, store: store, rec: rec}
}

func (c *chat) room(name string) string {
	resp, err := c.app.CreateRoom(context.Background(), json.RawMessage(fmt.Sprintf(`{"roomName":%q}`, name)))
	if err != nil || resp.StatusCode != 200 {
		c.t.Fatalf("create room: %+v %v", resp, err)
	}
	var created CreatedRoom
	_ = json.Unmarshal([]byte(resp.Body), &created)
	return created.RoomID
}

// join connects connID to room as name and sends joinRoom.
func (c *chat) join(connID, roomID, name string) {
	c.t.Helper()
	resp, err := c.app.Connect(context.Background(), wsEvent("$connect", connID, "", map[string]string{"roomId": roomID, "name": name}))
	if err != nil || resp.StatusCode != 200 {
		c.t.Fatalf("connect %s: %+v %v", connID, resp, err)
	}
	resp, err = c.app.JoinRoom(context.Background(), wsEvent(RouteJoinRoom, connID, `{"action":"joinRoom"}`, nil))
	if err != nil || resp.StatusCode != 200 {
		c.t.Fatalf("joinRoom %s: %+v %v", connID, resp, err)
	}
}

func (c *chat) say(connID, text string) {
	c.t.Helper()
	body, _ := json.Marshal(map[string]any{"action": "sendMessage", "data": map[string]string{"message": text}})
	resp, err := c.app.SendMessage(context.Background(), wsEvent(RouteSendMessage, connID, string(body), nil))
	if err != nil || resp.StatusCode != 200 {
		c.t.Fatalf("sendMessage %s: %+v %v", connID, resp, err)
	}
}

func (c *chat) leave(connID string) {
	c.t.Helper()
	resp, err := c.app.Disconnect(context.Background(), wsEvent("$disconnect", connID, "", nil))
	if err != nil || resp.StatusCode != 200 {
		c.t.Fatalf("disconnect %s: %+v %v", connID, resp, err)
	}
}

// summary renders frames as "type sender: text" lines.
func summary(frames []map[string]any) string {
	var lines []string
	for _, f := range frames {
		lines = append(lines, fmt.Sprintf("%v %v: %v", f["type"], f["sender"], f["message"]))
	}
	return strings.Join(lines, "\n")
}

func TestConnectRejectsBadQueries(t *testing.T) {
	c := newChat(t)
	room := c.room("Lobby")
	tests := []struct {
		query  map[string]string
		status int
		body   string
	}{
		{nil, 400, "roomId is required"},
		{map[string]string{"roomId": "lobby", "name": "Al"}, 400, `roomId "lobby" is not a room id`},
		{map[string]string{"roomId": room}, 400, "Your name is required."},
		{map[string]string{"roomId": room, "name": strings.Repeat("n", 31)}, 400, "Your name is too long"},
		{map[string]string{"roomId": newUUID(), "name": "Al"}, 404, "Room not found"},
	}
	for _, tt := range tests {
		resp, err := c.app.Connect(context.Background(), wsEvent("$connect", "conn-x", "", tt.query))
		if err != nil || resp.StatusCode != tt.status || !strings.Contains(resp.Body, tt.body) {
			t.Errorf("Connect(%v) = %d %q, %v; want %d %q", tt.query, resp.StatusCode, resp.Body, err, tt.status, tt.body)
		}
	}
	if len(c.store.conns) != 0 {
		t.Errorf("rejected connections were stored: %v", c.store.conns)
	}
}

func TestChatInARoom(t *testing.T) {
	c := newChat(t)
	lobby, other := c.room("Lobby"), c.room("Other")

	c.join("alice", lobby, "Alice")
	got := c.rec.frames(t, "alice")
	if len(got) != 1 || got[0]["type"] != "history" || got[0]["roomName"] != "Lobby" || got[0]["you"] != "Alice" {
		t.Fatalf("alice's join frames = %v", got)
	}
	if msgs := got[0]["messages"].([]any); len(msgs) != 1 || msgs[0].(map[string]any)["message"] != "Alice joined" || fmt.Sprint(got[0]["members"]) != "[Alice]" {
		t.Errorf("history = %v", got[0])
	}

	c.join("bob", lobby, "Bob")
	c.join("carol", other, "Carol")
	if got := c.rec.frames(t, "alice"); summary(got) != "join Bob: Bob joined" || fmt.Sprint(got[0]["members"]) != "[Alice Bob]" {
		t.Errorf("alice saw %v", got)
	}
	c.rec.frames(t, "bob")
	c.rec.frames(t, "carol")

	c.say("alice", "hello Bob")
	c.say("bob", "hi Alice")
	want := "message Alice: hello Bob\nmessage Bob: hi Alice"
	for _, id := range []string{"alice", "bob"} {
		if got := summary(c.rec.frames(t, id)); got != want {
			t.Errorf("%s saw\n%s\nwant\n%s", id, got, want)
		}
	}
	if got := c.rec.frames(t, "carol"); len(got) != 0 {
		t.Errorf("carol in another room saw %v", got)
	}

	// A late joiner gets the history, oldest first, including the notices.
	c.join("dave", lobby, "Dave")
	hist := c.rec.frames(t, "dave")
	if len(hist) != 1 || hist[0]["type"] != "history" {
		t.Fatalf("dave's frames = %v", hist)
	}
	var entries []map[string]any
	for _, e := range hist[0]["messages"].([]any) {
		entries = append(entries, e.(map[string]any))
	}
	wantHistory := "join Alice: Alice joined\njoin Bob: Bob joined\nmessage Alice: hello Bob\nmessage Bob: hi Alice\njoin Dave: Dave joined"
	if got := summary(entries); got != wantHistory {
		t.Errorf("dave's history\n%s\nwant\n%s", got, wantHistory)
	}
	if fmt.Sprint(hist[0]["members"]) != "[Alice Bob Dave]" {
		t.Errorf("members = %v", hist[0]["members"])
	}
	for _, e := range entries {
		if e["roomId"] != lobby || e["id"] == "" || e["sentAt"] == "" {
			t.Errorf("entry lacks room, id or time: %v", e)
		}
	}

	// Leaving tells the others; the last one out closes the room.
	c.rec.frames(t, "alice")
	c.rec.frames(t, "bob")
	c.leave("dave")
	if got := c.rec.frames(t, "alice"); summary(got) != "leave Dave: Dave left" || fmt.Sprint(got[0]["members"]) != "[Alice Bob]" {
		t.Errorf("alice saw %v", got)
	}
	c.leave("alice")
	c.leave("bob")
	if _, ok := c.store.rooms[lobby]; ok {
		t.Errorf("the lobby survived its last member")
	}
	if len(c.store.messages[lobby]) != 0 {
		t.Errorf("the lobby's messages survived it")
	}
	if _, ok := c.store.rooms[other]; !ok {
		t.Errorf("the other room was deleted")
	}
	for _, ep := range c.rec.endpoints {
		if ep != "https://abcde12345.execute-api.us-east-1.amazonaws.com/production" {
			t.Errorf("management endpoint %q is not https://{domainName}/{stage}", ep)
		}
	}
}

func TestSendMessageErrorsGoToTheSenderOnly(t *testing.T) {
	c := newChat(t)
	room := c.room("Lobby")
	c.join("alice", room, "Alice")
	c.join("bob", room, "Bob")
	c.rec.frames(t, "alice")
	c.rec.frames(t, "bob")

	tests := []struct {
		route, body, field, message string
	}{
		{RouteSendMessage, `{"action":"sendMessage","data":{"message":""}}`, "message", "The message is empty."},
		{RouteSendMessage, `{"action":"sendMessage","data":{"message":"` + strings.Repeat("x", 1001) + `"}}`, "message", "The message is too long"},
		{RouteSendMessage, `{"action":"sendMessage"}`, "message", "The frame has no data.message"},
		{"$default", `{"action":"shout"}`, "action", "Unknown action"},
	}
	for _, tt := range tests {
		resp, err := c.app.SendMessage(context.Background(), wsEvent(tt.route, "alice", tt.body, nil))
		if err != nil || resp.StatusCode != 400 {
			t.Errorf("%s %s = %+v, %v", tt.route, tt.body, resp, err)
		}
		got := c.rec.frames(t, "alice")
		if len(got) != 1 || got[0]["type"] != "error" || got[0]["field"] != tt.field || !strings.Contains(got[0]["message"].(string), tt.message) {
			t.Errorf("%s %s: alice got %v, want error %q", tt.route, tt.body, got, tt.message)
		}
		if got := c.rec.frames(t, "bob"); len(got) != 0 {
			t.Errorf("bob saw alice's error: %v", got)
		}
	}
	if n := len(c.store.messages[room]); n != 2 {
		t.Errorf("%d entries stored, want the 2 join notices only", n)
	}

	// Keep-alive pings reach $default and are answered with nothing.
	resp, err := c.app.SendMessage(context.Background(), wsEvent("$default", "alice", `{"action":"ping"}`, nil))
	if err != nil || resp.StatusCode != 200 {
		t.Errorf("ping = %+v, %v", resp, err)
	}
	if got := c.rec.frames(t, "alice"); len(got) != 0 {
		t.Errorf("a ping was answered with %v", got)
	}

	// A connection unknown to the table (never connected) gets an error.
	resp, _ = c.app.SendMessage(context.Background(), wsEvent(RouteSendMessage, "stranger", `{"action":"sendMessage","data":{"message":"hi"}}`, nil))
	if got := c.rec.frames(t, "stranger"); resp.StatusCode != 400 || len(got) != 1 || !strings.Contains(got[0]["message"].(string), "has not joined a room") {
		t.Errorf("stranger got %d %v", resp.StatusCode, got)
	}
}

func TestGoneConnectionsAreRemoved(t *testing.T) {
	c := newChat(t)
	room := c.room("Lobby")
	c.join("alice", room, "Alice")
	c.join("ghost", room, "Ghost")
	c.rec.gone["ghost"] = true
	c.say("alice", "anyone?")
	if _, ok := c.store.conns["ghost"]; ok {
		t.Errorf("a gone connection was kept")
	}
	if got := summary(c.rec.frames(t, "alice")); !strings.HasSuffix(got, "message Alice: anyone?") {
		t.Errorf("alice saw %q", got)
	}
}

func TestDisconnectOfUnknownConnection(t *testing.T) {
	app, _, _ := testApp()
	resp, err := app.Disconnect(context.Background(), wsEvent("$disconnect", "never-seen", "", nil))
	if err != nil || resp.StatusCode != 200 {
		t.Errorf("Disconnect = %+v, %v", resp, err)
	}
}

func TestHistoryIsLimitedAndSkipsExpired(t *testing.T) {
	c := newChat(t)
	c.app.HistoryLimit = 3
	room := c.room("Lobby")
	c.join("alice", room, "Alice")
	expired := c.app.newMessage(room, KindMessage, "Old", "expired")
	expired.ExpiresAt = 1
	c.store.PutMessage(context.Background(), expired)
	for i := range 5 {
		c.say("alice", fmt.Sprintf("m%d", i))
	}
	c.join("bob", room, "Bob")
	hist := c.rec.frames(t, "bob")[0]["messages"].([]any)
	var texts []string
	for _, e := range hist {
		texts = append(texts, e.(map[string]any)["message"].(string))
	}
	if strings.Join(texts, ",") != "m3,m4,Bob joined" {
		t.Errorf("history = %v, want the 3 latest", texts)
	}
}
