package registry

import (
	"context"
	"hash/maphash"
	"sync"
)

// localShards spreads connections over several locks so a broadcast from
// many handlers does not serialise on one mutex.
const localShards = 32

// Local is the in-process Registry.
type Local struct {
	seed   maphash.Seed
	shards [localShards]localShard
}

type localShard struct {
	mu    sync.RWMutex
	conns map[string]Endpoint
}

// NewLocal returns an empty in-process registry.
func NewLocal() *Local {
	l := &Local{seed: maphash.MakeSeed()}
	for i := range l.shards {
		l.shards[i].conns = make(map[string]Endpoint)
	}
	return l
}

func (l *Local) shard(id string) *localShard {
	return &l.shards[maphash.String(l.seed, id)%localShards]
}

// Register implements Registry.
func (l *Local) Register(ep Endpoint) error {
	id := ep.Info().ConnectionID
	s := l.shard(id)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.conns[id]; dup {
		return ErrDuplicate
	}
	s.conns[id] = ep
	return nil
}

// Unregister implements Registry.
func (l *Local) Unregister(ep Endpoint) {
	id := ep.Info().ConnectionID
	s := l.shard(id)
	s.mu.Lock()
	if s.conns[id] == ep {
		delete(s.conns, id)
	}
	s.mu.Unlock()
}

func (l *Local) find(t Target) (Endpoint, error) {
	s := l.shard(t.ConnectionID)
	s.mu.RLock()
	ep, ok := s.conns[t.ConnectionID]
	s.mu.RUnlock()
	if !ok {
		return nil, ErrGone
	}
	if t.APIID != "" && ep.Info().APIID != t.APIID {
		return nil, ErrGone
	}
	return ep, nil
}

// Post implements Registry.
func (l *Local) Post(_ context.Context, t Target, msg Message) error {
	ep, err := l.find(t)
	if err != nil {
		return err
	}
	return ep.Send(msg)
}

// Get implements Registry.
func (l *Local) Get(_ context.Context, t Target) (Info, error) {
	ep, err := l.find(t)
	if err != nil {
		return Info{}, err
	}
	return ep.Info(), nil
}

// Delete implements Registry.
func (l *Local) Delete(_ context.Context, t Target) error {
	ep, err := l.find(t)
	if err != nil {
		return err
	}
	return ep.Disconnect()
}

// Len returns the number of registered connections.
func (l *Local) Len() int {
	n := 0
	for i := range l.shards {
		s := &l.shards[i]
		s.mu.RLock()
		n += len(s.conns)
		s.mu.RUnlock()
	}
	return n
}
