package storage

import (
	"errors"
	"strings"
	"testing"
)

func TestNoSpaceRefusesWrites(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var b Batch
	b.Set([]byte("a"), []byte("1"))
	if err := s.Apply(&b); err != nil {
		t.Fatal(err)
	}
	g := s.(*pebbleStore).space
	if g == nil || g.disabled {
		t.Skip("free space is not measurable here")
	}
	g.mu.Lock()
	g.reserve = 1 << 62 // more than any disk: as if the disk were full
	g.mu.Unlock()
	var b2 Batch
	b2.Set([]byte("b"), []byte("2"))
	err = s.Apply(&b2)
	if !errors.Is(err, ErrNoSpace) || !strings.Contains(err.Error(), dir) {
		t.Fatalf("Apply on a full disk = %v, want ErrNoSpace naming %s", err, dir)
	}
	if v, ok, err := s.Get([]byte("a")); err != nil || !ok || string(v) != "1" {
		t.Fatalf("reads must still work: %q %v %v", v, ok, err)
	}
	if _, ok, _ := s.Get([]byte("b")); ok {
		t.Fatal("a refused write was stored")
	}
	g.mu.Lock()
	g.reserve = 1 << 20
	g.mu.Unlock()
	if err := s.Apply(&b2); err != nil {
		t.Fatalf("writes resume once space is back: %v", err)
	}
}

func TestInMemoryHasNoSpaceGuard(t *testing.T) {
	s, err := Open("", Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.(*pebbleStore).space != nil {
		t.Fatal("in-memory store should not measure disk space")
	}
}
