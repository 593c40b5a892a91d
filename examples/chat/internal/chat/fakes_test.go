package chat

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// memStore is an in-memory Store with the semantics the handlers rely on.
type memStore struct {
	mu       sync.Mutex
	rooms    map[string]Room
	conns    map[string]Connection
	messages map[string][]Message // by room, in id order
}

func newMemStore() *memStore {
	return &memStore{rooms: map[string]Room{}, conns: map[string]Connection{}, messages: map[string][]Message{}}
}

func (s *memStore) CreateRoom(_ context.Context, r Room) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.rooms[r.ID]; ok {
		return ErrRoomExists
	}
	s.rooms[r.ID] = r
	return nil
}

func (s *memStore) ListRooms(context.Context) ([]Room, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rooms := []Room{}
	for _, r := range s.rooms {
		rooms = append(rooms, r)
	}
	return rooms, nil
}

func (s *memStore) GetRoom(_ context.Context, id string) (Room, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.rooms[id]
	return r, ok, nil
}

func (s *memStore) DeleteRoom(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.rooms, id)
	delete(s.messages, id)
	return nil
}

func (s *memStore) PutConnection(_ context.Context, c Connection) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.conns[c.ID] = c
	return nil
}

func (s *memStore) GetConnection(_ context.Context, id string) (Connection, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.conns[id]
	return c, ok, nil
}

func (s *memStore) DeleteConnection(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.conns, id)
	return nil
}

func (s *memStore) RoomConnections(_ context.Context, roomID string) ([]Connection, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Connection
	for _, c := range s.conns {
		if c.RoomID == roomID {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b Connection) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

func (s *memStore) PutMessage(_ context.Context, m Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	msgs := append(s.messages[m.RoomID], m)
	slices.SortFunc(msgs, func(a, b Message) int { return strings.Compare(a.ID, b.ID) })
	s.messages[m.RoomID] = msgs
	return nil
}

func (s *memStore) RecentMessages(_ context.Context, roomID string, limit int) ([]Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	msgs := s.messages[roomID]
	if len(msgs) > limit {
		msgs = msgs[len(msgs)-limit:]
	}
	return slices.Clone(msgs), nil
}

// recorder is a Poster that keeps what each connection was sent; posts to
// connections in gone fail with ErrGone.
type recorder struct {
	mu        sync.Mutex
	endpoints []string
	sent      map[string][][]byte
	gone      map[string]bool
}

func newRecorder() *recorder {
	return &recorder{sent: map[string][][]byte{}, gone: map[string]bool{}}
}

func (r *recorder) factory(endpoint string) Poster {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.endpoints = append(r.endpoints, endpoint)
	return r
}

func (r *recorder) Post(_ context.Context, id string, data []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.gone[id] {
		return ErrGone
	}
	r.sent[id] = append(r.sent[id], slices.Clone(data))
	return nil
}

// frames decodes and clears what id was sent.
func (r *recorder) frames(t *testing.T, id string) []map[string]any {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []map[string]any
	for _, b := range r.sent[id] {
		var env struct {
			Message map[string]any `json:"message"`
		}
		if err := json.Unmarshal(b, &env); err != nil {
			t.Fatalf("frame to %s is not JSON: %s", id, b)
		}
		out = append(out, env.Message)
	}
	delete(r.sent, id)
	return out
}

// testApp is an App over memStore and recorder with a clock that ticks one
// millisecond per reading.
func testApp() (*App, *memStore, *recorder) {
	store, rec := newMemStore(), newRecorder()
	clock := time.Date(2024, 12, 18, 21, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	app := &App{
		Store:   store,
		Posters: rec.factory,
		Now: func() time.Time {
			mu.Lock()
			defer mu.Unlock()
			clock = clock.Add(time.Millisecond)
			return clock
		},
	}
	return app, store, rec
}

// wsEvent is a WebSocket proxy event for a route, as API Gateway sends it.
func wsEvent(route, connID, body string, query map[string]string) events.APIGatewayWebsocketProxyRequest {
	eventType := "MESSAGE"
	switch route {
	case "$connect":
		eventType = "CONNECT"
	case "$disconnect":
		eventType = "DISCONNECT"
	}
	return events.APIGatewayWebsocketProxyRequest{
		QueryStringParameters: query,
		Body:                  body,
		RequestContext: events.APIGatewayWebsocketProxyRequestContext{
			RouteKey:     route,
			EventType:    eventType,
			ConnectionID: connID,
			DomainName:   "abcde12345.execute-api.us-east-1.amazonaws.com",
			Stage:        "production",
			APIID:        "abcde12345",
		},
	}
}
