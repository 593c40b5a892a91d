package registry

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
)

type fakeEndpoint struct {
	info         Info
	mu           sync.Mutex
	sent         []Message
	disconnected bool
	sendErr      error
}

func (f *fakeEndpoint) Info() Info { return f.info }

func (f *fakeEndpoint) Send(m Message) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.sendErr != nil {
		return f.sendErr
	}
	f.sent = append(f.sent, m)
	return nil
}

func (f *fakeEndpoint) Disconnect() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.disconnected = true
	return nil
}

func TestLocalRegistry(t *testing.T) {
	ctx := context.Background()
	l := NewLocal()
	a := &fakeEndpoint{info: Info{ConnectionID: "AAAAAAAAAAAAAAA=", APIID: "api1"}}
	if err := l.Register(a); err != nil {
		t.Fatal(err)
	}
	if err := l.Register(&fakeEndpoint{info: a.info}); !errors.Is(err, ErrDuplicate) {
		t.Errorf("duplicate register: %v", err)
	}

	cases := []struct {
		target Target
		want   error
	}{
		{Target{APIID: "api1", ConnectionID: "AAAAAAAAAAAAAAA="}, nil},
		{Target{ConnectionID: "AAAAAAAAAAAAAAA="}, nil},
		{Target{APIID: "api2", ConnectionID: "AAAAAAAAAAAAAAA="}, ErrGone},
		{Target{APIID: "api1", ConnectionID: "BBBBBBBBBBBBBBB="}, ErrGone},
	}
	for _, tc := range cases {
		if err := l.Post(ctx, tc.target, Message{Data: []byte("x")}); !errors.Is(err, tc.want) {
			t.Errorf("Post %+v: %v, want %v", tc.target, err, tc.want)
		}
		if _, err := l.Get(ctx, tc.target); !errors.Is(err, tc.want) {
			t.Errorf("Get %+v: %v, want %v", tc.target, err, tc.want)
		}
	}
	if len(a.sent) != 2 {
		t.Errorf("endpoint got %d messages, want 2", len(a.sent))
	}
	a.sendErr = ErrLimitExceeded
	if err := l.Post(ctx, Target{ConnectionID: a.info.ConnectionID}, Message{}); !errors.Is(err, ErrLimitExceeded) {
		t.Errorf("endpoint error not passed on: %v", err)
	}
	if err := l.Delete(ctx, Target{ConnectionID: a.info.ConnectionID}); err != nil || !a.disconnected {
		t.Errorf("Delete: %v, disconnected %v", err, a.disconnected)
	}

	// Unregistering a stale endpoint leaves the current one in place.
	l.Unregister(&fakeEndpoint{info: a.info})
	if l.Len() != 1 {
		t.Errorf("stale unregister removed the live endpoint")
	}
	l.Unregister(a)
	if l.Len() != 0 {
		t.Errorf("Len = %d after unregister", l.Len())
	}
}

func TestLocalRegistryConcurrent(t *testing.T) {
	l := NewLocal()
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				ep := &fakeEndpoint{info: Info{ConnectionID: fmt.Sprintf("w%d-%d", w, i)}}
				if err := l.Register(ep); err != nil {
					t.Error(err)
					return
				}
				_ = l.Post(context.Background(), Target{ConnectionID: ep.info.ConnectionID}, Message{})
				l.Unregister(ep)
			}
		}()
	}
	wg.Wait()
	if l.Len() != 0 {
		t.Errorf("Len = %d", l.Len())
	}
}
