package websocket

import (
	"bufio"
	"encoding/base64"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
)

// frameGuard watches the raw bytes a client sends for data frames larger
// than API Gateway's 32 KB frame quota. The WebSocket library only exposes
// whole messages, so the guard parses frame headers as the bytes pass and
// remembers which message first carried an oversized frame; the reader
// closes the connection with 1009 when it reaches that message, as API
// Gateway does.
type frameGuard struct {
	net.Conn
	// pre holds bytes the HTTP server had already buffered at hijack time.
	pre []byte

	hdr     [14]byte
	hdrN    int // header bytes collected
	hdrNeed int // header length once known (0 until 2 bytes are in)
	payload uint64
	opcode  byte
	fin     bool
	// messages counts complete data messages seen.
	messages int64
	// oversized is the 1-based index of the first message with an
	// oversized frame, or 0.
	oversized atomic.Int64
}

// Read implements net.Conn, feeding what passes to the frame parser. The
// WebSocket library reads under its own lock, so the parser state needs
// none.
func (g *frameGuard) Read(p []byte) (int, error) {
	var n int
	var err error
	if len(g.pre) > 0 {
		n = copy(p, g.pre)
		g.pre = g.pre[n:]
	} else {
		n, err = g.Conn.Read(p)
	}
	if n > 0 {
		g.feed(p[:n])
	}
	return n, err
}

func (g *frameGuard) feed(p []byte) {
	for len(p) > 0 {
		if g.payload > 0 {
			n := uint64(len(p))
			if n > g.payload {
				n = g.payload
			}
			g.payload -= n
			p = p[n:]
			if g.payload == 0 {
				g.frameDone()
			}
			continue
		}
		g.hdr[g.hdrN] = p[0]
		g.hdrN++
		p = p[1:]
		if g.hdrN == 2 {
			g.hdrNeed = 2
			switch g.hdr[1] & 0x7f {
			case 126:
				g.hdrNeed += 2
			case 127:
				g.hdrNeed += 8
			}
			if g.hdr[1]&0x80 != 0 {
				g.hdrNeed += 4
			}
		}
		if g.hdrN >= 2 && g.hdrN == g.hdrNeed {
			g.headerDone()
		}
	}
}

func (g *frameGuard) headerDone() {
	g.fin = g.hdr[0]&0x80 != 0
	g.opcode = g.hdr[0] & 0x0f
	var length uint64
	switch l := g.hdr[1] & 0x7f; l {
	case 126:
		length = uint64(g.hdr[2])<<8 | uint64(g.hdr[3])
	case 127:
		for i := 2; i < 10; i++ {
			length = length<<8 | uint64(g.hdr[i])
		}
	default:
		length = uint64(l)
	}
	g.hdrN, g.hdrNeed = 0, 0
	if g.opcode <= 2 && length > MaxFrameSize && g.oversized.Load() == 0 {
		g.oversized.Store(g.messages + 1)
	}
	g.payload = length
	if length == 0 {
		g.frameDone()
	}
}

func (g *frameGuard) frameDone() {
	if g.opcode <= 2 && g.fin {
		g.messages++
	}
}

// oversizedAt reports whether the n-th data message (1-based) or an
// earlier one carried a frame over the quota.
func (g *frameGuard) oversizedAt(n int64) bool {
	o := g.oversized.Load()
	return o != 0 && o <= n
}

// guardedWriter hands the WebSocket library a hijacked connection that
// passes through a frameGuard. beforeHijack runs just before the 101
// response is flushed to the client, so the connection can be registered
// before the client learns it is open.
type guardedWriter struct {
	http.ResponseWriter
	guard        *frameGuard
	beforeHijack func()
}

// Unwrap lets http.ResponseController reach the server's writer.
func (w *guardedWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Hijack implements http.Hijacker.
func (w *guardedWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if w.beforeHijack != nil {
		w.beforeHijack()
	}
	nc, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	g := &frameGuard{Conn: nc}
	if n := brw.Reader.Buffered(); n > 0 {
		g.pre = make([]byte, n)
		_, _ = brw.Reader.Read(g.pre)
	}
	w.guard = g
	// The server's 4 KB buffers are swapped for smaller ones: an idle
	// connection then costs less, and larger frames bypass the buffers.
	// Nothing is buffered for writing: the 101 response was flushed.
	return g, bufio.NewReadWriter(bufio.NewReaderSize(g, connBufferSize), bufio.NewWriterSize(nc, connBufferSize)), nil
}

// connBufferSize is the read and write buffer of each connection.
const connBufferSize = 2048

// decodeBase64 accepts standard or URL-safe base64, padded or not.
func decodeBase64(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	if strings.ContainsAny(s, "-_") {
		return base64.RawURLEncoding.DecodeString(s)
	}
	return base64.RawStdEncoding.DecodeString(s)
}
