package chat

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// The environment variables the template sets to the tables' names.
const (
	EnvRoomsTable       = "ROOMS_TABLE"
	EnvConnectionsTable = "CONNECTIONS_TABLE"
	EnvMessagesTable    = "MESSAGES_TABLE"
)

// App holds what every handler needs. Zero optional fields get defaults.
type App struct {
	Store   Store
	Posters PosterFactory
	Logger  *slog.Logger

	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// NewRoomID makes room ids (random UUIDs when nil).
	NewRoomID func() string
	// HistoryLimit is how many entries a joiner gets (DefaultHistoryLimit
	// when zero).
	HistoryLimit int
	// MessageTTL is how long messages are kept (DefaultMessageTTL when
	// zero).
	MessageTTL time.Duration
	// BroadcastConcurrency bounds parallel PostToConnection calls (8 when
	// zero).
	BroadcastConcurrency int
}

// NewFromEnv builds the App a function runs: SDK clients from the default
// configuration (so AWS_ENDPOINT_URL, AWS_REGION and credentials come from
// the environment Lambda or Nimbus sets) and table names from
// ROOMS_TABLE, CONNECTIONS_TABLE and MESSAGES_TABLE.
func NewFromEnv(ctx context.Context, logger *slog.Logger) (*App, error) {
	tables := Tables{
		Rooms:       os.Getenv(EnvRoomsTable),
		Connections: os.Getenv(EnvConnectionsTable),
		Messages:    os.Getenv(EnvMessagesTable),
	}
	for name, v := range map[string]string{EnvRoomsTable: tables.Rooms, EnvConnectionsTable: tables.Connections, EnvMessagesTable: tables.Messages} {
		if v == "" {
			return nil, fmt.Errorf("environment variable %s is not set: the template sets it to the table's name (!Ref)", name)
		}
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	return &App{
		Store:   &DynamoStore{DB: dynamodb.NewFromConfig(cfg), Tables: tables},
		Posters: ManagementPosters(cfg),
		Logger:  logger,
	}, nil
}

func (a *App) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

func (a *App) log() *slog.Logger {
	if a.Logger != nil {
		return a.Logger
	}
	return slog.New(slog.DiscardHandler)
}

func (a *App) newRoomID() string {
	if a.NewRoomID != nil {
		return a.NewRoomID()
	}
	return newUUID()
}

// newUUID returns a random (version 4) UUID in lowercase hex.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func (a *App) historyLimit() int {
	if a.HistoryLimit > 0 {
		return a.HistoryLimit
	}
	return DefaultHistoryLimit
}

// newMessage stamps a chat entry with a time-ordered id and its expiry.
func (a *App) newMessage(roomID, kind, sender, text string) Message {
	t := a.now()
	ttl := a.MessageTTL
	if ttl <= 0 {
		ttl = DefaultMessageTTL
	}
	var suffix [4]byte
	_, _ = rand.Read(suffix[:])
	return Message{
		RoomID:    roomID,
		ID:        fmt.Sprintf("%019d-%s", t.UnixNano(), hex.EncodeToString(suffix[:])),
		Kind:      kind,
		Sender:    sender,
		Text:      text,
		SentAt:    timestamp(t),
		ExpiresAt: t.Add(ttl).Unix(),
	}
}

// memberNames lists the distinct names of a room's connections, sorted.
func memberNames(conns []Connection) []string {
	names := make([]string, 0, len(conns))
	for _, c := range conns {
		names = append(names, c.UserName)
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// broadcast posts data to every connection but skip. A connection the
// management API reports gone is deleted, the usual clean-up for clients
// that vanished without a $disconnect. It returns how many posts succeeded.
func (a *App) broadcast(ctx context.Context, poster Poster, conns []Connection, skip string, data []byte) int {
	limit := a.BroadcastConcurrency
	if limit <= 0 {
		limit = 8
	}
	sem := make(chan struct{}, limit)
	var (
		wg        sync.WaitGroup
		mu        sync.Mutex
		delivered int
	)
	for _, c := range conns {
		if c.ID == skip {
			continue
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			err := poster.Post(ctx, c.ID, data)
			switch {
			case err == nil:
				mu.Lock()
				delivered++
				mu.Unlock()
			case errors.Is(err, ErrGone):
				a.log().Info("removing gone connection", "connectionId", c.ID)
				if err := a.Store.DeleteConnection(ctx, c.ID); err != nil {
					a.log().Error("remove gone connection", "connectionId", c.ID, "err", err)
				}
			default:
				a.log().Error("post to connection", "connectionId", c.ID, "err", err)
			}
		})
	}
	wg.Wait()
	return delivered
}
