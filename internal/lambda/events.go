package lambda

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/nimbus-dev/nimbus/internal/lambda/environment"
)

// eventStore keeps accepted Event invocations on disk until they end, so a
// crash or a restart does not lose them (Lambda keeps an event up to its
// maximum age, 6 hours): one JSON file per event, written and synced before
// the caller gets its 202, removed when the event succeeds, fails for good
// or expires. An event in flight at a crash runs again after the restart,
// as Lambda's asynchronous invocation is at-least-once too.
type eventStore struct {
	dir string
}

// queuedEvent is one stored Event invocation.
type queuedEvent struct {
	Function        string    `json:"function"`
	RequestID       string    `json:"requestId"`
	Payload         []byte    `json:"payload"`
	InvokedARN      string    `json:"invokedFunctionArn"`
	TraceID         string    `json:"traceId,omitempty"`
	ClientContext   string    `json:"clientContext,omitempty"`
	CognitoIdentity string    `json:"cognitoIdentity,omitempty"`
	Queued          time.Time `json:"queued"`
	Retries         int       `json:"retries"`
}

// invocation is a fresh attempt at the event.
func (e *queuedEvent) invocation() *environment.Invocation {
	return &environment.Invocation{
		RequestID:          e.RequestID,
		Payload:            e.Payload,
		InvokedFunctionARN: e.InvokedARN,
		TraceID:            e.TraceID,
		ClientContext:      e.ClientContext,
		CognitoIdentity:    e.CognitoIdentity,
	}
}

func (st *eventStore) path(requestID string) string {
	return filepath.Join(st.dir, requestID+".json")
}

// save writes e durably: to a temporary file, synced, then renamed.
func (st *eventStore) save(e *queuedEvent) error {
	if err := os.MkdirAll(st.dir, 0o755); err != nil {
		return err
	}
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	tmp := st.path(e.RequestID) + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, st.path(e.RequestID))
	}
	if err != nil {
		_ = os.Remove(tmp)
	}
	return err
}

func (st *eventStore) remove(requestID string) { _ = os.Remove(st.path(requestID)) }

// load returns the stored events, oldest first; unreadable files (a write
// cut short by a crash never got renamed) are removed.
func (st *eventStore) load() ([]*queuedEvent, error) {
	entries, err := os.ReadDir(st.dir)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []*queuedEvent
	for _, de := range entries {
		name := de.Name()
		p := filepath.Join(st.dir, name)
		if !strings.HasSuffix(name, ".json") {
			_ = os.Remove(p)
			continue
		}
		b, err := os.ReadFile(p)
		var e queuedEvent
		if err != nil || json.Unmarshal(b, &e) != nil || e.RequestID+".json" != name {
			_ = os.Remove(p)
			continue
		}
		out = append(out, &e)
	}
	slices.SortFunc(out, func(a, b *queuedEvent) int { return a.Queued.Compare(b.Queued) })
	return out, nil
}
