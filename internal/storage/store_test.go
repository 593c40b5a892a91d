package storage

import (
	"bytes"
	"fmt"
	"testing"
)

func TestStoreOperations(t *testing.T) {
	for _, mem := range []bool{true, false} {
		t.Run(fmt.Sprintf("inMemory=%v", mem), func(t *testing.T) {
			s, err := Open(t.TempDir(), Options{InMemory: mem})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			var b Batch
			for i := range 10 {
				b.Set([]byte(fmt.Sprintf("k%02d", i)), []byte(fmt.Sprintf("v%d", i)))
			}
			b.Delete([]byte("k03"))
			if err := s.Apply(&b); err != nil {
				t.Fatal(err)
			}
			if _, ok, _ := s.Get([]byte("k03")); ok {
				t.Fatal("k03 should be deleted")
			}
			v, ok, err := s.Get([]byte("k04"))
			if err != nil || !ok || string(v) != "v4" {
				t.Fatalf("Get k04 = %q %v %v", v, ok, err)
			}
			snap := s.Snapshot()
			defer snap.Close()
			var d Batch
			d.DeleteRange([]byte("k05"), []byte("k08"))
			if err := s.Apply(&d); err != nil {
				t.Fatal(err)
			}
			cases := []struct {
				r    Reader
				o    IterOptions
				want string
			}{
				{s, IterOptions{}, "k00 k01 k02 k04 k08 k09"},
				{s, IterOptions{Lower: []byte("k01"), Upper: []byte("k08")}, "k01 k02 k04"},
				{s, IterOptions{Lower: []byte("k01"), Upper: []byte("k09"), Reverse: true}, "k08 k04 k02 k01"},
				{snap, IterOptions{Lower: []byte("k05"), Upper: []byte("k07")}, "k05 k06"},
			}
			for _, c := range cases {
				it, err := c.r.NewIter(c.o)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for it.Next() {
					got = append(got, string(it.Key()))
				}
				if err := it.Close(); err != nil {
					t.Fatal(err)
				}
				if g := fmt.Sprint(got); g != "["+c.want+"]" {
					t.Errorf("iter %+v = %s, want [%s]", c.o, g, c.want)
				}
			}
		})
	}
}

func TestReopenKeepsData(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var b Batch
	b.Set([]byte("a"), []byte("1"))
	if err := s.Apply(&b); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	v, ok, err := s.Get([]byte("a"))
	if err != nil || !ok || string(v) != "1" {
		t.Fatalf("after reopen Get = %q %v %v", v, ok, err)
	}
}

func TestPrefixEnd(t *testing.T) {
	cases := []struct{ in, want []byte }{
		{[]byte("ab"), []byte("ac")},
		{[]byte{1, 0xFF}, []byte{2}},
		{[]byte{0xFF, 0xFF}, nil},
	}
	for _, c := range cases {
		if got := PrefixEnd(c.in); !bytes.Equal(got, c.want) {
			t.Errorf("PrefixEnd(%x) = %x, want %x", c.in, got, c.want)
		}
	}
}
