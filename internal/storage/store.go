// Package storage is the ordered key-value seam under Nimbus's services.
//
// A Store holds byte keys in lexicographic order. Writes are grouped in a
// Batch that is applied atomically and durably (acknowledged only once it
// is on stable storage), reads see a consistent point in time, and
// iteration walks a key range forwards or backwards. The embedded default
// is Pebble (see docs/storage.md); a networked backend only has to
// implement these interfaces.
package storage

import (
	"errors"
	"log/slog"
)

// ErrClosed is returned by operations on a closed Store.
var ErrClosed = errors.New("storage: closed")

// Options configure Open.
type Options struct {
	// InMemory keeps everything in memory (tests, --in-memory); dir is ignored.
	InMemory bool
	// Logger receives the store's own messages; nil discards them.
	Logger *slog.Logger
	// CacheBytes is the block cache size; zero means a small default (8 MB).
	CacheBytes int64
	// NoSync acknowledges writes before they reach stable storage. Only for
	// benchmarks that want to measure everything but the disk.
	NoSync bool
}

// Reader reads a consistent view of the store.
type Reader interface {
	// Get returns a copy of the value stored at key, or ok=false.
	Get(key []byte) (value []byte, ok bool, err error)
	// NewIter iterates over keys in [opts.Lower, opts.Upper).
	NewIter(opts IterOptions) (Iterator, error)
}

// Store is an ordered key-value store with atomic, durable batches.
type Store interface {
	Reader
	// Apply commits every operation of b atomically; when it returns nil the
	// batch survives a crash (kill -9, power loss on a synced disk).
	// Concurrent Apply calls are group-committed.
	Apply(b *Batch) error
	// Snapshot returns a point-in-time Reader; Close it when done.
	Snapshot() Snapshot
	// Close flushes and releases the store.
	Close() error
}

// Snapshot is a point-in-time view that must be closed.
type Snapshot interface {
	Reader
	Close() error
}

// IterOptions bound an iteration. Lower is inclusive, Upper exclusive; a nil
// bound is open.
type IterOptions struct {
	Lower, Upper []byte
	// Reverse walks from the largest key down.
	Reverse bool
}

// Iterator walks keys in order. Call Next before the first Key; Key and
// Value are valid until the following Next and must be copied to be kept.
type Iterator interface {
	Next() bool
	Key() []byte
	Value() []byte
	Err() error
	Close() error
}

// OpKind is the kind of a batch operation.
type OpKind uint8

// Batch operation kinds.
const (
	OpSet OpKind = iota
	OpDelete
	OpDeleteRange
)

// Op is one operation of a Batch. For OpDeleteRange, Key is the inclusive
// start and Value the exclusive end.
type Op struct {
	Kind  OpKind
	Key   []byte
	Value []byte
}

// Batch is a list of writes applied atomically by Store.Apply. The zero
// value is ready to use; the Batch keeps the slices it is given.
type Batch struct {
	Ops []Op
}

// Set stores value at key.
func (b *Batch) Set(key, value []byte) {
	b.Ops = append(b.Ops, Op{Kind: OpSet, Key: key, Value: value})
}

// Delete removes key.
func (b *Batch) Delete(key []byte) { b.Ops = append(b.Ops, Op{Kind: OpDelete, Key: key}) }

// DeleteRange removes every key in [start, end).
func (b *Batch) DeleteRange(start, end []byte) {
	b.Ops = append(b.Ops, Op{Kind: OpDeleteRange, Key: start, Value: end})
}

// Len is the number of operations.
func (b *Batch) Len() int { return len(b.Ops) }

// PrefixEnd returns the smallest key greater than every key that starts
// with prefix, or nil when there is none (prefix is all 0xFF).
func PrefixEnd(prefix []byte) []byte {
	end := append([]byte(nil), prefix...)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] != 0xFF {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}
