package chat

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestParseSendMessage(t *testing.T) {
	tests := []struct {
		body, want, err string
	}{
		{body: `{"action":"sendMessage","data":{"message":"hi there"}}`, want: "hi there"},
		{body: `{"action":"sendMessage","data":{"message":"  trimmed \n"}}`, want: "trimmed"},
		{body: `{"data":{"message":"\u3042"},"action":"sendMessage"}`, want: "あ"},
		{body: `not json`, err: "The frame is not valid JSON"},
		{body: ``, err: "The frame is not valid JSON"},
		{body: `{"action":"sendMessage"} {}`, err: "data after its JSON object"},
		{body: `{"action":"sendMessage"}`, err: "The frame has no data.message"},
		{body: `{"action":"sendMessage","data":{}}`, err: "The frame has no data.message"},
		{body: `{"action":"sendMessage","data":{"message":null}}`, err: "The frame has no data.message"},
		{body: `{"action":"sendMessage","data":{"message":42}}`, err: "The frame is not valid JSON"},
		{body: `{"action":"sendMessage","data":{"message":"   "}}`, err: "The message is empty."},
	}
	for _, tt := range tests {
		got, err := ParseSendMessage(tt.body)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseSendMessage(%q) error = %v, want %q", tt.body, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseSendMessage(%q) = %q, %v; want %q", tt.body, got, err, tt.want)
		}
	}
}

// TestFrameShapes pins the JSON the page reads: everything is wrapped as
// {"message": {...}} with a type, as seed 004's page expects.
func TestFrameShapes(t *testing.T) {
	entry := Entry{Type: KindMessage, ID: "1-a", RoomID: "r", Sender: "Alice", Message: "hi", SentAt: "2024-12-18T12:00:00.000Z"}
	tests := []struct {
		v    any
		want string
	}{
		{entry, `{"message":{"type":"message","id":"1-a","roomId":"r","sender":"Alice","message":"hi","sentAt":"2024-12-18T12:00:00.000Z"}}`},
		{Entry{Type: KindJoin, ID: "2-b", RoomID: "r", Sender: "Bob", Message: "Bob joined", SentAt: "t", Members: []string{"Alice", "Bob"}},
			`{"message":{"type":"join","id":"2-b","roomId":"r","sender":"Bob","message":"Bob joined","sentAt":"t","members":["Alice","Bob"]}}`},
		{History{Type: "history", RoomID: "r", RoomName: "Lobby", You: "Bob", Members: []string{"Bob"}, Messages: []Entry{entry}},
			`{"message":{"type":"history","roomId":"r","roomName":"Lobby","you":"Bob","members":["Bob"],"messages":[{"type":"message","id":"1-a","roomId":"r","sender":"Alice","message":"hi","sentAt":"2024-12-18T12:00:00.000Z"}]}}`},
		{ErrorNotice{Type: "error", Field: "message", Message: "The message is empty."},
			`{"message":{"type":"error","field":"message","message":"The message is empty."}}`},
	}
	for _, tt := range tests {
		b, err := EncodeFrame(tt.v)
		if err != nil || string(b) != tt.want {
			t.Errorf("EncodeFrame(%+v) =\n%s, %v\nwant\n%s", tt.v, b, err, tt.want)
		}
	}
}

func TestEncodeHistoryFitsAFrame(t *testing.T) {
	h := History{Type: "history", RoomID: "r", Messages: make([]Entry, 200)}
	for i := range h.Messages {
		h.Messages[i] = Entry{Type: KindMessage, ID: strings.Repeat("0", 18) + string(rune('a'+i%26)), Message: strings.Repeat("長", MaxMessageLength)}
	}
	last := h.Messages[len(h.Messages)-1]
	b, err := EncodeHistory(h)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > MaxFrameBytes {
		t.Fatalf("history frame is %d bytes, limit %d", len(b), MaxFrameBytes)
	}
	var got struct{ Message History }
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	n := len(got.Message.Messages)
	if n == 0 || n == 200 {
		t.Fatalf("kept %d entries; want some but not all", n)
	}
	if !reflect.DeepEqual(got.Message.Messages[n-1], last) {
		t.Errorf("the newest entry was dropped")
	}
	// Dropping one more entry than needed would be wasteful: adding back the
	// next older one must overflow.
	h.Messages = h.Messages[200-n-1:]
	if b, _ := EncodeFrame(h); len(b) <= MaxFrameBytes {
		t.Errorf("history kept %d entries but %d fit", n, n+1)
	}
}

func FuzzParseSendMessage(f *testing.F) {
	for _, seed := range []string{
		`{"action":"sendMessage","data":{"message":"hi"}}`,
		`{"action":"sendMessage","data":{"message":"\u0000"}}`,
		`{"data":{"message":"` + strings.Repeat("x", 1001) + `"}}`,
		`[]`, `{"data":null}`, `"str"`, ``,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		text, err := ParseSendMessage(body)
		if err != nil {
			if _, ok := err.(*ValidationError); !ok {
				t.Fatalf("error %T is not a ValidationError", err)
			}
			return
		}
		if cleaned, err := CleanMessage(text); err != nil || cleaned != text {
			t.Fatalf("accepted text %q is not clean: %q, %v", text, cleaned, err)
		}
		if b, err := EncodeFrame(Entry{Message: text}); err != nil || !json.Valid(b) {
			t.Fatalf("accepted text %q does not encode: %v", text, err)
		}
	})
}

func FuzzCleanRoomName(f *testing.F) {
	for _, seed := range []string{"Lobby", "  a  b ", "", "\x00", "雑談", strings.Repeat("x", 70)} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		name, err := CleanRoomName(in)
		if err != nil {
			return
		}
		again, err := CleanRoomName(name)
		if err != nil || again != name {
			t.Fatalf("CleanRoomName is not idempotent: %q -> %q -> %q, %v", in, name, again, err)
		}
	})
}
