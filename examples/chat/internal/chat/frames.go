package chat

import (
	"bytes"
	"encoding/json"
)

// The WebSocket route keys the API routes on ($request.body.action).
const (
	RouteJoinRoom    = "joinRoom"
	RouteSendMessage = "sendMessage"
)

// ActionPing is the action of the keep-alive frame the page sends every few
// minutes, so that API Gateway's 10-minute idle timeout does not close a
// quiet connection. No route has it, so it reaches $default.
const ActionPing = "ping"

// IsPing reports whether body is a keep-alive frame: {"action":"ping"}.
func IsPing(body string) bool {
	var f struct {
		Action string `json:"action"`
	}
	return json.Unmarshal([]byte(body), &f) == nil && f.Action == ActionPing
}

// sendMessageFrame is what the page sends to say something:
// {"action":"sendMessage","data":{"message":"..."}} (seed 004's shape).
type sendMessageFrame struct {
	Action string `json:"action"`
	Data   *struct {
		Message *string `json:"message"`
	} `json:"data"`
}

const sendMessageShape = `{"action":"sendMessage","data":{"message":"…"}}`

// ParseSendMessage reads a sendMessage frame and returns the cleaned text.
func ParseSendMessage(body string) (string, error) {
	var f sendMessageFrame
	dec := json.NewDecoder(bytes.NewReader([]byte(body)))
	if err := dec.Decode(&f); err != nil {
		return "", invalid("message", "The frame is not valid JSON; send %s.", sendMessageShape)
	}
	if dec.More() {
		return "", invalid("message", "The frame has data after its JSON object; send %s.", sendMessageShape)
	}
	if f.Data == nil || f.Data.Message == nil {
		return "", invalid("message", "The frame has no data.message; send %s.", sendMessageShape)
	}
	return CleanMessage(*f.Data.Message)
}

// Envelope wraps every frame sent to the page as {"message": {...}}, the
// shape seed 004's page reads (receiveMessage.message.type).
type Envelope struct {
	Message any `json:"message"`
}

// Entry is one chat entry as the page receives it, live or in a history.
type Entry struct {
	// Type is KindMessage, KindJoin or KindLeave.
	Type   string `json:"type"`
	ID     string `json:"id"`
	RoomID string `json:"roomId"`
	Sender string `json:"sender"`
	// Message is the text (seed 004 calls it message.message).
	Message string `json:"message"`
	SentAt  string `json:"sentAt"`
	// Members are the names of the people in the room after a join or leave.
	Members []string `json:"members,omitempty"`
}

// History is sent to a connection that joins: the room and its latest
// entries, oldest first.
type History struct {
	Type     string   `json:"type"` // "history"
	RoomID   string   `json:"roomId"`
	RoomName string   `json:"roomName"`
	You      string   `json:"you"`
	Members  []string `json:"members"`
	Messages []Entry  `json:"messages"`
}

// ErrorNotice tells one connection what was wrong with what it sent.
type ErrorNotice struct {
	Type    string `json:"type"` // "error"
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// EntryOf turns a stored message into what the page receives.
func EntryOf(m Message) Entry {
	return Entry{Type: m.Kind, ID: m.ID, RoomID: m.RoomID, Sender: m.Sender, Message: m.Text, SentAt: m.SentAt}
}

// EncodeFrame marshals v inside an Envelope.
func EncodeFrame(v any) ([]byte, error) {
	return json.Marshal(Envelope{Message: v})
}

// EncodeHistory marshals h, dropping its oldest entries until the frame fits
// in MaxFrameBytes.
func EncodeHistory(h History) ([]byte, error) {
	for {
		b, err := EncodeFrame(h)
		if err != nil || len(b) <= MaxFrameBytes || len(h.Messages) == 0 {
			return b, err
		}
		// Drop enough entries at once to converge fast on long histories.
		drop := max(1, len(h.Messages)*(len(b)-MaxFrameBytes)/len(b))
		h.Messages = h.Messages[drop:]
	}
}
