package websocket

import (
	"bytes"
	"encoding/binary"
	"net"
	"testing"
)

// clientFrame encodes one masked client frame.
func clientFrame(fin bool, opcode byte, payload []byte) []byte {
	var b bytes.Buffer
	first := opcode
	if fin {
		first |= 0x80
	}
	b.WriteByte(first)
	switch n := len(payload); {
	case n < 126:
		b.WriteByte(0x80 | byte(n))
	case n <= 0xffff:
		b.WriteByte(0x80 | 126)
		_ = binary.Write(&b, binary.BigEndian, uint16(n))
	default:
		b.WriteByte(0x80 | 127)
		_ = binary.Write(&b, binary.BigEndian, uint64(n))
	}
	mask := [4]byte{1, 2, 3, 4}
	b.Write(mask[:])
	for i, c := range payload {
		b.WriteByte(c ^ mask[i%4])
	}
	return b.Bytes()
}

// feedChunks runs stream through a guard in chunks of size n.
func feedChunks(stream []byte, n int) *frameGuard {
	g := &frameGuard{}
	for len(stream) > 0 {
		k := min(n, len(stream))
		g.feed(stream[:k])
		stream = stream[k:]
	}
	return g
}

func TestFrameGuard(t *testing.T) {
	small := bytes.Repeat([]byte("s"), 100)
	edge := bytes.Repeat([]byte("e"), MaxFrameSize)
	over := bytes.Repeat([]byte("o"), MaxFrameSize+1)
	ping := clientFrame(true, 0x9, []byte("hi"))
	cases := []struct {
		name      string
		stream    [][]byte
		messages  int64
		oversized int64
	}{
		{"small messages", [][]byte{clientFrame(true, 1, small), clientFrame(true, 1, nil)}, 2, 0},
		{"exactly 32 KB", [][]byte{clientFrame(true, 1, edge)}, 1, 0},
		{"32 KB + 1 in the second message", [][]byte{clientFrame(true, 1, small), clientFrame(true, 1, over)}, 2, 2},
		{"fragments with a ping between", [][]byte{clientFrame(false, 1, edge), ping, clientFrame(true, 0, edge)}, 1, 0},
		{"oversized continuation", [][]byte{clientFrame(false, 1, small), clientFrame(true, 0, over), clientFrame(true, 1, small)}, 2, 1},
		{"big control frames do not count", [][]byte{clientFrame(true, 0x8, small)}, 0, 0},
		{"64-bit length", [][]byte{clientFrame(true, 2, bytes.Repeat([]byte("x"), 70000))}, 1, 1},
	}
	for _, tc := range cases {
		stream := bytes.Join(tc.stream, nil)
		for _, chunk := range []int{1, 3, 7, 4096, len(stream)} {
			g := feedChunks(stream, chunk)
			if g.messages != tc.messages || g.oversized.Load() != tc.oversized {
				t.Errorf("%s (chunks of %d): messages %d oversized %d, want %d %d", tc.name, chunk, g.messages, g.oversized.Load(), tc.messages, tc.oversized)
			}
		}
	}
}

func TestFrameGuardReadsPrebufferedBytesFirst(t *testing.T) {
	server, client := net.Pipe()
	defer server.Close()
	defer client.Close()
	g := &frameGuard{Conn: server, pre: clientFrame(true, 1, []byte("early"))}
	go func() { _, _ = client.Write(clientFrame(true, 1, []byte("later"))) }()
	buf := make([]byte, 64)
	var got []byte
	for len(got) < 2*(2+4+5) {
		n, err := g.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, buf[:n]...)
	}
	if g.messages != 2 {
		t.Errorf("messages %d", g.messages)
	}
	if !bytes.HasPrefix(got, clientFrame(true, 1, []byte("early"))) {
		t.Errorf("pre-buffered bytes not read first")
	}
}

func FuzzFrameGuard(f *testing.F) {
	f.Add(clientFrame(true, 1, []byte("hello")), uint8(3))
	f.Add(bytes.Join([][]byte{clientFrame(false, 1, []byte("a")), clientFrame(true, 0, bytes.Repeat([]byte("b"), 40000))}, nil), uint8(1))
	f.Add([]byte{0x81, 0xff, 0, 0, 0, 0, 0, 0, 0x80, 0}, uint8(2))
	f.Fuzz(func(t *testing.T, stream []byte, chunk uint8) {
		whole := feedChunks(stream, len(stream)+1)
		split := feedChunks(stream, int(chunk)+1)
		if whole.messages != split.messages || whole.oversized.Load() != split.oversized.Load() || whole.payload != split.payload || whole.hdrN != split.hdrN {
			t.Fatalf("chunking changed the parse: %+v vs %+v", whole.messages, split.messages)
		}
		if o := whole.oversized.Load(); o < 0 || o > whole.messages+1 {
			t.Fatalf("oversized index %d out of range (messages %d)", o, whole.messages)
		}
	})
}
