package storage

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

// ErrNoSpace is returned by Apply when the data folder's file system is
// nearly full. Pebble cannot continue after it fails to write its log, so
// writes are refused while a reserve is still free instead.
var ErrNoSpace = errors.New("no space left")

// spaceGuard refuses writes once free space falls under a reserve. It asks
// the file system at most every checkInterval while space is plentiful, on
// every write when it is short, and counts the bytes of writes in between
// so that concurrent writers cannot overrun the reserve together.
type spaceGuard struct {
	dir     string
	reserve uint64

	mu       sync.Mutex
	checked  time.Time
	free     uint64
	disabled bool
}

const checkInterval = 100 * time.Millisecond

// newSpaceGuard keeps a reserve of twice the memtable size (Pebble's
// flushes need about that much), at most an eighth of the file system and
// at least 1 MB.
func newSpaceGuard(dir string, memtable uint64) *spaceGuard {
	g := &spaceGuard{dir: dir}
	_, total, ok := diskSpace(dir)
	if !ok {
		g.disabled = true
		return g
	}
	g.reserve = min(2*memtable, total/8)
	g.reserve = max(g.reserve, 1<<20)
	return g
}

// admit accounts for a write of n bytes, or refuses it.
func (g *spaceGuard) admit(n uint64) error {
	if g.disabled {
		return nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if time.Since(g.checked) > checkInterval || g.free < 4*g.reserve {
		free, _, ok := diskSpace(g.dir)
		if ok {
			g.free, g.checked = free, time.Now()
		}
	}
	if g.free < g.reserve+n {
		return fmt.Errorf("%w in the data folder %s (%d MB free, %d MB kept in reserve)", ErrNoSpace, g.dir, g.free>>20, g.reserve>>20)
	}
	g.free -= n
	return nil
}
