package chat

import "context"

// Store is what the handlers need from the three tables. DynamoStore is the
// real one; tests use an in-memory one.
type Store interface {
	// CreateRoom adds a room; it fails if the id is taken.
	CreateRoom(ctx context.Context, r Room) error
	ListRooms(ctx context.Context) ([]Room, error)
	// GetRoom reports found=false for an unknown id.
	GetRoom(ctx context.Context, id string) (r Room, found bool, err error)
	// DeleteRoom removes a room and its messages.
	DeleteRoom(ctx context.Context, id string) error

	PutConnection(ctx context.Context, c Connection) error
	GetConnection(ctx context.Context, id string) (c Connection, found bool, err error)
	DeleteConnection(ctx context.Context, id string) error
	// RoomConnections lists the connections that joined a room.
	RoomConnections(ctx context.Context, roomID string) ([]Connection, error)

	PutMessage(ctx context.Context, m Message) error
	// RecentMessages returns up to limit of a room's latest messages,
	// oldest first.
	RecentMessages(ctx context.Context, roomID string, limit int) ([]Message, error)
}
