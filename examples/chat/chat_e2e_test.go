package chat_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// seedResponse is the body every REST call answers with: the function's
// own {statusCode, headers, body}, passed through by the non-proxy
// integration (seed 004's page reads JSON.parse(res.body)).
type seedResponse struct {
	StatusCode int               `json:"statusCode"`
	Headers    map[string]string `json:"headers"`
	Body       string            `json:"body"`
}

// restCall sends a request to the REST API from another origin, as the page
// does, and decodes the seed envelope and its body.
func restCall(t *testing.T, method, url, body string, inner any) (*http.Response, seedResponse) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Origin", "http://127.0.0.1:9")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var env seedResponse
	if err := json.Unmarshal(raw, &env); err != nil {
		t.Fatalf("%s %s: HTTP %d body %s is not JSON: %v", method, url, resp.StatusCode, raw, err)
	}
	if err := json.Unmarshal([]byte(env.Body), inner); err != nil {
		t.Fatalf("%s %s: HTTP %d body %s: the body field is not JSON: %v", method, url, resp.StatusCode, raw, err)
	}
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "*" {
		t.Errorf("%s %s: Access-Control-Allow-Origin = %q, want * (integration response parameter)", method, url, got)
	}
	return resp, env
}

type createdRoom struct {
	Message string `json:"message"`
	RoomID  string `json:"roomId"`
	Room    struct {
		ID   string `json:"room_id"`
		Name string `json:"name"`
	} `json:"room"`
}

type roomList struct {
	Rooms []struct {
		ID   string `json:"room_id"`
		Name string `json:"name"`
	} `json:"rooms"`
}

type errorBody struct {
	Message string `json:"message"`
	Field   string `json:"field"`
}

func (s *stack) createRoom(t *testing.T, name string) string {
	t.Helper()
	var created createdRoom
	resp, env := restCall(t, http.MethodPost, s.restURL+"/rooms", fmt.Sprintf(`{"roomName":%q}`, name), &created)
	if resp.StatusCode != 200 || env.StatusCode != 200 || created.RoomID == "" || created.Room.Name != strings.TrimSpace(name) {
		t.Fatalf("create room %q: HTTP %d, envelope %+v, body %+v", name, resp.StatusCode, env, created)
	}
	if env.Headers["Access-Control-Allow-Origin"] != "*" {
		t.Errorf("the payload lost the seed's headers: %+v", env.Headers)
	}
	return created.RoomID
}

func (s *stack) roomNames(t *testing.T) map[string]string {
	t.Helper()
	var list roomList
	resp, env := restCall(t, http.MethodGet, s.restURL+"/rooms", "", &list)
	if resp.StatusCode != 200 || env.StatusCode != 200 {
		t.Fatalf("list rooms: HTTP %d, envelope %+v", resp.StatusCode, env)
	}
	names := map[string]string{}
	for _, r := range list.Rooms {
		names[r.ID] = r.Name
	}
	return names
}

// frame is one server frame's message object.
type frame map[string]any

func (f frame) str(key string) string { s, _ := f[key].(string); return s }

// client is a WebSocket chat member, reading in the background.
type client struct {
	t      *testing.T
	name   string
	conn   *websocket.Conn
	frames chan frame
}

func (s *stack) dial(ctx context.Context, roomID, name string) (*client, error) {
	u := s.wsURL + "?" + url.Values{"roomId": {roomID}, "name": {name}}.Encode()
	conn, _, err := websocket.Dial(ctx, u, nil)
	if err != nil {
		return nil, err
	}
	c := &client{name: name, conn: conn, frames: make(chan frame, 64)}
	go func() {
		defer close(c.frames)
		for {
			_, data, err := conn.Read(context.Background())
			if err != nil {
				return
			}
			var env struct {
				Message frame `json:"message"`
			}
			if json.Unmarshal(data, &env) == nil && env.Message != nil {
				c.frames <- env.Message
			}
		}
	}()
	return c, nil
}

// join connects name to a room and returns the history frame.
func (s *stack) join(t *testing.T, ctx context.Context, roomID, name string) (*client, frame) {
	t.Helper()
	c, err := s.dial(ctx, roomID, name)
	if err != nil {
		t.Fatalf("%s cannot connect to room %s: %v", name, roomID, err)
	}
	c.t = t
	t.Cleanup(func() { c.conn.CloseNow() })
	c.send(`{"action":"joinRoom"}`)
	h := c.next("history")
	if h.str("you") != name {
		t.Errorf("%s's history says you=%q", name, h.str("you"))
	}
	return c, h
}

func (c *client) send(body string) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.conn.Write(ctx, websocket.MessageText, []byte(body)); err != nil {
		c.t.Fatalf("%s send: %v", c.name, err)
	}
}

func (c *client) say(text string) {
	c.t.Helper()
	b, _ := json.Marshal(map[string]any{"action": "sendMessage", "data": map[string]string{"message": text}})
	c.send(string(b))
}

// next waits for the next frame and checks its type.
func (c *client) next(wantType string) frame {
	c.t.Helper()
	select {
	case f, ok := <-c.frames:
		if !ok {
			c.t.Fatalf("%s: connection closed while waiting for a %s frame", c.name, wantType)
		}
		if f.str("type") != wantType {
			c.t.Fatalf("%s: got %v, want a %s frame", c.name, f, wantType)
		}
		return f
	case <-time.After(20 * time.Second):
		c.t.Fatalf("%s: no %s frame within 20s", c.name, wantType)
	}
	return nil
}

func (c *client) close() {
	c.conn.Close(websocket.StatusNormalClosure, "bye")
}

func texts(entries any) []string {
	var out []string
	list, _ := entries.([]any)
	for _, e := range list {
		m, _ := e.(map[string]any)
		out = append(out, fmt.Sprintf("%v %v: %v", m["type"], m["sender"], m["message"]))
	}
	return out
}

// TestChatEndToEnd drives the whole chat through real clients: REST to
// create and list rooms, WebSocket clients that join, talk, leave.
func TestChatEndToEnd(t *testing.T) {
	s := startStack(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	// CORS preflight for the page's POST from another origin.
	pre, _ := http.NewRequest(http.MethodOptions, s.restURL+"/rooms", nil)
	pre.Header.Set("Origin", "http://127.0.0.1:9")
	pre.Header.Set("Access-Control-Request-Method", "POST")
	pre.Header.Set("Access-Control-Request-Headers", "content-type")
	if resp, err := http.DefaultClient.Do(pre); err != nil {
		t.Fatal(err)
	} else {
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "*" ||
			!strings.Contains(resp.Header.Get("Access-Control-Allow-Methods"), "POST") {
			t.Errorf("preflight: HTTP %d, headers %v", resp.StatusCode, resp.Header)
		}
	}

	lobby := s.createRoom(t, "  Lobby ")
	other := s.createRoom(t, "Other")

	// Bad input: the payload says 400 and so does HTTP
	// ($context.responseOverride.status in the integration response).
	var bad errorBody
	resp, env := restCall(t, http.MethodPost, s.restURL+"/rooms", `{"roomName":"   "}`, &bad)
	if resp.StatusCode != 400 || env.StatusCode != 400 || bad.Message != "Room name is required." || bad.Field != "roomName" {
		t.Errorf("empty room name: HTTP %d, envelope %d, body %+v", resp.StatusCode, env.StatusCode, bad)
	}
	if names := s.roomNames(t); names[lobby] != "Lobby" || names[other] != "Other" {
		t.Fatalf("rooms = %v", names)
	}

	alice, h := s.join(t, ctx, lobby, "Alice")
	if h.str("roomName") != "Lobby" || !slices.Equal(texts(h["messages"]), []string{"join Alice: Alice joined"}) {
		t.Errorf("alice's history = %v", h)
	}
	bob, _ := s.join(t, ctx, lobby, "Bob")
	if j := alice.next("join"); j.str("sender") != "Bob" || fmt.Sprint(j["members"]) != "[Alice Bob]" {
		t.Errorf("alice saw %v", j)
	}
	carol, _ := s.join(t, ctx, other, "Carol")

	alice.say("hello from Alice")
	bob.say("こんにちは、Bob です")
	for _, c := range []*client{alice, bob} {
		first, second := c.next("message"), c.next("message")
		got := []string{first.str("sender") + ": " + first.str("message"), second.str("sender") + ": " + second.str("message")}
		slices.Sort(got)
		if !slices.Equal(got, []string{"Alice: hello from Alice", "Bob: こんにちは、Bob です"}) {
			t.Errorf("%s saw %v", c.name, got)
		}
		if first.str("roomId") != lobby || first.str("id") == "" || first.str("sentAt") == "" {
			t.Errorf("%s: frame lacks room, id or time: %v", c.name, first)
		}
	}

	// Carol's room is isolated: the next frame she gets is her own message.
	carol.say("anyone in Other?")
	if m := carol.next("message"); m.str("sender") != "Carol" || m.str("roomId") != other {
		t.Errorf("carol saw %v", m)
	}

	// Errors go back to the sender only.
	alice.send(`{"action":"sendMessage","data":{"message":"   "}}`)
	if e := alice.next("error"); e.str("message") != "The message is empty." {
		t.Errorf("empty message error = %v", e)
	}
	alice.send(`{"action":"dance"}`)
	if e := alice.next("error"); !strings.Contains(e.str("message"), "Unknown action") {
		t.Errorf("unknown action error = %v", e)
	}
	alice.send(`{"action":"ping"}`) // keep-alive: no answer (alice's next frame is Dave's join)

	// A late joiner gets the history, and nothing from the other room.
	_, h = s.join(t, ctx, lobby, "Dave")
	want := []string{"join Alice: Alice joined", "join Bob: Bob joined", "message Alice: hello from Alice", "message Bob: こんにちは、Bob です", "join Dave: Dave joined"}
	got := texts(h["messages"])
	slices.Sort(got[2:4]) // the two messages were sent concurrently
	slices.Sort(want[2:4])
	if !slices.Equal(got, want) {
		t.Errorf("dave's history =\n%q\nwant\n%q", got, want)
	}
	if fmt.Sprint(h["members"]) != "[Alice Bob Dave]" {
		t.Errorf("members = %v", h["members"])
	}
	alice.next("join")
	bob.next("join")

	// An unknown room refuses the connection.
	if c, err := s.dial(ctx, "00000000-0000-4000-8000-000000000000", "Eve"); err == nil {
		c.conn.CloseNow()
		t.Errorf("connecting to an unknown room succeeded")
	}

	// Leaving: the others are told; the last one out closes the room.
	dave := s.connectionsOf(t, ctx, "Dave")
	if len(dave) != 1 {
		t.Fatalf("Dave has %d connections in the table", len(dave))
	}
	bob.close()
	if l := alice.next("leave"); l.str("sender") != "Bob" || fmt.Sprint(l["members"]) != "[Alice Dave]" {
		t.Errorf("alice saw %v", l)
	}
	if n, err := s.dropConnections(ctx, "Dave"); err != nil || n != 1 {
		t.Fatalf("drop Dave: %d, %v", n, err)
	}
	if l := alice.next("leave"); l.str("sender") != "Dave" {
		t.Errorf("alice saw %v", l)
	}
	alice.close()
	s.waitRoomGone(t, lobby)
	if names := s.roomNames(t); names[other] != "Other" {
		t.Errorf("the other room closed too: %v", names)
	}
	carol.close()
	s.waitRoomGone(t, other)
}

func (s *stack) connectionsOf(t *testing.T, ctx context.Context, name string) []string {
	t.Helper()
	ids, err := s.connectionIDs(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// waitRoomGone polls the room list until roomID is gone ($disconnect runs
// after the socket closes, asynchronously).
func (s *stack) waitRoomGone(t *testing.T, roomID string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		names := s.roomNames(t)
		if _, ok := names[roomID]; !ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("room %s (%s) still listed 20s after its last member left", roomID, names[roomID])
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestChatRejectsUnsupportedMediaType checks the REST API's
// passthroughBehavior: a body that is not JSON never reaches the function.
func TestChatRejectsUnsupportedMediaType(t *testing.T) {
	s := startStack(t)
	resp, err := http.Post(s.restURL+"/rooms", "text/plain", bytes.NewBufferString("Lobby"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusUnsupportedMediaType {
		body, _ := io.ReadAll(resp.Body)
		t.Errorf("text/plain POST: HTTP %d %s, want 415 (passthroughBehavior when_no_templates)", resp.StatusCode, body)
	}
}
