package chat

import "time"

// Room is an item of the rooms table (partition key room_id).
type Room struct {
	ID        string `dynamodbav:"room_id" json:"room_id"`
	Name      string `dynamodbav:"name" json:"name"`
	CreatedAt string `dynamodbav:"created_at" json:"created_at"`
}

// Connection is an item of the connections table (partition key
// connection_id; the GSI joined_room_id-index finds a room's members).
type Connection struct {
	ID          string `dynamodbav:"connection_id"`
	RoomID      string `dynamodbav:"joined_room_id"`
	UserName    string `dynamodbav:"user_name"`
	ConnectedAt string `dynamodbav:"connected_at"`
}

// Kinds of chat entries: what someone said, and the notices the room shows
// when someone joins or leaves.
const (
	KindMessage = "message"
	KindJoin    = "join"
	KindLeave   = "leave"
)

// Message is an item of the messages table (partition key room_id, sort key
// message_id): one chat entry, kept so late joiners get the history.
type Message struct {
	RoomID string `dynamodbav:"room_id"`
	// ID sorts by time: zero-padded Unix nanoseconds, a dash and a random
	// suffix, so a Query in key order is the conversation in order.
	ID     string `dynamodbav:"message_id"`
	Kind   string `dynamodbav:"kind"`
	Sender string `dynamodbav:"sender"`
	Text   string `dynamodbav:"text"`
	SentAt string `dynamodbav:"sent_at"`
	// ExpiresAt is the table's TTL attribute (Unix seconds).
	ExpiresAt int64 `dynamodbav:"expires_at,omitempty"`
}

// Limits the handlers enforce on what users type.
const (
	MaxRoomNameLength = 60
	MaxUserNameLength = 30
	MaxMessageLength  = 1000
)

// Defaults for App fields left zero.
const (
	DefaultHistoryLimit = 50
	DefaultMessageTTL   = 7 * 24 * time.Hour
	// MaxFrameBytes keeps a frame under PostToConnection's 128 KB payload
	// limit, with room to spare.
	MaxFrameBytes = 120 * 1024
)

// timestamp formats t the way every stored and sent time is written.
func timestamp(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}
