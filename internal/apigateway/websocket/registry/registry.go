// Package registry is the seam between WebSocket gateways and the
// @connections management API: it knows which connections exist, where they
// live, and delivers messages and disconnects to them. The local registry
// keeps everything in this process; a networked one (NATS) can later let
// several gateway nodes share connections without either side changing.
package registry

import (
	"context"
	"errors"
	"time"
)

// Errors a Registry or an Endpoint returns; the management API maps them to
// AWS's exceptions.
var (
	// ErrGone means the connection does not exist (never did, or closed):
	// GoneException, 410.
	ErrGone = errors.New("connection gone")
	// ErrLimitExceeded means the connection's outgoing buffer is full
	// because the client does not read fast enough: LimitExceededException,
	// 429.
	ErrLimitExceeded = errors.New("connection buffer full")
	// ErrDuplicate means a connection with that id is already registered.
	ErrDuplicate = errors.New("connection id already registered")
)

// Info describes one connection, as GetConnection reports it.
type Info struct {
	ConnectionID string
	APIID        string
	Stage        string
	ConnectedAt  time.Time
	LastActiveAt time.Time
	SourceIP     string
	UserAgent    string
}

// Message is one message to deliver to a client.
type Message struct {
	Data []byte
	// Binary sends a binary frame instead of a text frame.
	Binary bool
}

// Target names the connection an operation is for. APIID scopes the lookup
// to one API (a request on that API's endpoint); empty means any API (the
// edge's /@connections/{id}).
type Target struct {
	APIID        string
	ConnectionID string
}

// Endpoint is a connection held by this process. Its methods must not block
// on the client.
type Endpoint interface {
	// Info describes the connection now.
	Info() Info
	// Send queues msg for the client; ErrLimitExceeded when the queue is
	// full, ErrGone when the connection is closing.
	Send(msg Message) error
	// Disconnect closes the connection as DeleteConnection does (and fires
	// $disconnect); ErrGone when it is already closing.
	Disconnect() error
}

// Registry finds connections by id and acts on them wherever they live.
// One Registry serves every WebSocket API of an app.
type Registry interface {
	// Register makes ep reachable under ep.Info().ConnectionID.
	Register(ep Endpoint) error
	// Unregister removes ep; a different endpoint registered under the same
	// id is left alone.
	Unregister(ep Endpoint)
	// Post delivers msg to the target connection.
	Post(ctx context.Context, t Target, msg Message) error
	// Get describes the target connection.
	Get(ctx context.Context, t Target) (Info, error)
	// Delete disconnects the target connection.
	Delete(ctx context.Context, t Target) error
}
