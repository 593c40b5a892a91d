package storage

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"
)

// Open opens (creating if needed) the embedded Pebble store in dir, or an
// in-memory one when opts.InMemory is set.
func Open(dir string, opts Options) (Store, error) {
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cacheBytes := opts.CacheBytes
	if cacheBytes <= 0 {
		cacheBytes = 8 << 20
	}
	cache := pebble.NewCache(cacheBytes)
	defer cache.Unref()
	po := &pebble.Options{
		Cache:        cache,
		Logger:       pebbleLogger{logger},
		MemTableSize: 16 << 20,
		// Keep file handles and background work modest: a developer tool
		// shares the machine with everything else.
		MaxOpenFiles:       256,
		FormatMajorVersion: pebble.FormatNewest,
	}
	if opts.InMemory {
		po.FS = vfs.NewMem()
		// Nothing survives the process anyway: skip the write-ahead log.
		po.DisableWAL = true
		dir = ""
	} else if dir == "" {
		return nil, errors.New("storage: a data directory is required unless InMemory is set")
	}
	db, err := pebble.Open(dir, po)
	if err != nil {
		return nil, fmt.Errorf("storage: open %s: %w", dir, err)
	}
	wo := pebble.Sync
	if opts.NoSync || opts.InMemory {
		wo = pebble.NoSync
	}
	s := &pebbleStore{db: db, wo: wo}
	if !opts.InMemory {
		s.space = newSpaceGuard(dir, po.MemTableSize)
	}
	return s, nil
}

type pebbleStore struct {
	db    *pebble.DB
	wo    *pebble.WriteOptions
	space *spaceGuard // nil in memory
}

func (s *pebbleStore) Get(key []byte) ([]byte, bool, error) { return get(s.db.Get, key) }

func get(fn func([]byte) ([]byte, io.Closer, error), key []byte) ([]byte, bool, error) {
	v, closer, err := fn(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	out := append([]byte(nil), v...)
	closer.Close()
	return out, true, nil
}

func (s *pebbleStore) NewIter(o IterOptions) (Iterator, error) {
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: o.Lower, UpperBound: o.Upper})
	if err != nil {
		return nil, err
	}
	return &pebbleIter{it: it, reverse: o.Reverse}, nil
}

func (s *pebbleStore) Apply(b *Batch) error {
	if len(b.Ops) == 0 {
		return nil
	}
	if s.space != nil {
		var n uint64
		for _, op := range b.Ops {
			n += uint64(len(op.Key) + len(op.Value) + 16)
		}
		if err := s.space.admit(n); err != nil {
			return err
		}
	}
	pb := s.db.NewBatch()
	defer pb.Close()
	for _, op := range b.Ops {
		var err error
		switch op.Kind {
		case OpSet:
			err = pb.Set(op.Key, op.Value, nil)
		case OpDelete:
			err = pb.Delete(op.Key, nil)
		case OpDeleteRange:
			err = pb.DeleteRange(op.Key, op.Value, nil)
		}
		if err != nil {
			return err
		}
	}
	return pb.Commit(s.wo)
}

func (s *pebbleStore) Snapshot() Snapshot { return &pebbleSnapshot{s: s.db.NewSnapshot()} }

// Close flushes the memtable (so the next open replays no log) and closes
// the store. On a nearly full disk it skips the flush, which could not
// complete: the log already holds every write.
func (s *pebbleStore) Close() error {
	if s.space == nil || s.space.admit(0) == nil {
		if err := s.db.Flush(); err != nil {
			s.db.Close()
			return err
		}
	}
	return s.db.Close()
}

type pebbleSnapshot struct{ s *pebble.Snapshot }

func (p *pebbleSnapshot) Get(key []byte) ([]byte, bool, error) { return get(p.s.Get, key) }

func (p *pebbleSnapshot) NewIter(o IterOptions) (Iterator, error) {
	it, err := p.s.NewIter(&pebble.IterOptions{LowerBound: o.Lower, UpperBound: o.Upper})
	if err != nil {
		return nil, err
	}
	return &pebbleIter{it: it, reverse: o.Reverse}, nil
}

func (p *pebbleSnapshot) Close() error { return p.s.Close() }

type pebbleIter struct {
	it      *pebble.Iterator
	reverse bool
	started bool
}

func (p *pebbleIter) Next() bool {
	if !p.started {
		p.started = true
		if p.reverse {
			return p.it.Last()
		}
		return p.it.First()
	}
	if p.reverse {
		return p.it.Prev()
	}
	return p.it.Next()
}

func (p *pebbleIter) Key() []byte   { return p.it.Key() }
func (p *pebbleIter) Value() []byte { return p.it.Value() }
func (p *pebbleIter) Err() error    { return p.it.Error() }
func (p *pebbleIter) Close() error  { return p.it.Close() }

// pebbleLogger routes Pebble's messages to slog: routine ones (WAL replay,
// compactions) at debug level so the server stays quiet.
type pebbleLogger struct{ l *slog.Logger }

func (p pebbleLogger) Infof(format string, args ...any) {
	p.l.Debug(strings.TrimSpace(fmt.Sprintf(format, args...)))
}

func (p pebbleLogger) Errorf(format string, args ...any) {
	p.l.Error(strings.TrimSpace(fmt.Sprintf(format, args...)))
}

// Fatalf ends the process: Pebble calls it when it cannot go on (such as a
// failed log write) and may hold its locks while doing so, so neither
// returning nor panicking would leave a usable store. Every acknowledged
// write is already durable; restarting recovers the log.
func (p pebbleLogger) Fatalf(format string, args ...any) {
	msg := strings.TrimSpace(fmt.Sprintf(format, args...))
	p.l.Error("storage failed; stopping so that no write is acknowledged that cannot be kept (restart to recover)", "err", msg)
	fmt.Fprintln(os.Stderr, "nimbus: storage failed:", msg)
	os.Exit(70)
}
