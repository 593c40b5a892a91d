package gateway

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
)

// Go's HTTP server canonicalises header names ("content-type" becomes
// "Content-Type"), but a REST API passes the client's spelling to Lambda,
// and handlers index event.headers by it. PreserveHeaderCase and
// ConnContext let a server recover that spelling on plain HTTP/1.x
// listeners: the listener watches the bytes each connection reads and
// records the header names of every request; HeaderNames hands them to the
// handler. Without them (TLS, HTTP/2, or a server not set up this way)
// HeaderNames falls back to the canonical names.

// PreserveHeaderCase wraps a plain-TCP listener so that HeaderNames can
// report the header names clients sent. Serve with
// http.Server{ConnContext: ConnContext}.
func PreserveHeaderCase(ln net.Listener) net.Listener { return caseListener{ln} }

type caseListener struct{ net.Listener }

func (l caseListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &caseConn{Conn: c}, nil
}

type connKey struct{}

// ConnContext stores the connection in the request context; use it as
// http.Server.ConnContext together with PreserveHeaderCase.
func ConnContext(ctx context.Context, c net.Conn) context.Context {
	if cc, ok := c.(*caseConn); ok {
		return context.WithValue(ctx, connKey{}, cc)
	}
	return ctx
}

// Names maps canonical header names to the client's spelling.
type Names map[string]string

// Name returns the client's spelling of a canonical header name.
func (n Names) Name(canonical string) string {
	if raw, ok := n[canonical]; ok {
		return raw
	}
	return canonical
}

// HeaderNames returns the header names r was sent with: lower case for
// HTTP/2, the recorded spelling on a PreserveHeaderCase connection, and
// nil (every name canonical) otherwise.
func HeaderNames(r *http.Request) Names {
	if r.ProtoMajor == 2 {
		// HTTP/2 sends every header name in lower case.
		names := make(Names, len(r.Header)+1)
		for k := range r.Header {
			names[k] = strings.ToLower(k)
		}
		names["Host"] = "host"
		return names
	}
	cc, ok := r.Context().Value(connKey{}).(*caseConn)
	if !ok {
		return nil
	}
	return cc.take(r.Method, r.RequestURI)
}

// maxHeaderBlock bounds what the watcher buffers for one request's header
// section; past it, it stops watching the connection.
const maxHeaderBlock = 1 << 20

// caseConn parses HTTP/1.x framing from the bytes the server reads, to
// find each request's header block.
type caseConn struct {
	net.Conn
	mu      sync.Mutex
	pending []headerBlock
	// Parser state.
	state    int
	buf      []byte
	bodyLeft int64
	chunked  bool
}

// headerBlock is one request's header section as read; its names are
// parsed only if a handler asks for them (HTTP APIs never do).
type headerBlock struct {
	requestLine string
	block       string
}

// names maps the block's canonical header names to their spelling.
func (b headerBlock) names() Names {
	names := Names{}
	for _, l := range strings.Split(b.block, "\r\n")[1:] {
		name, _, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		name = strings.TrimSpace(name)
		canonical := textproto.CanonicalMIMEHeaderKey(name)
		if _, seen := names[canonical]; !seen {
			names[canonical] = name
		}
	}
	return names
}

const (
	stHeaders = iota
	stBody
	stChunkSize
	stChunkData
	stChunkCRLF
	stTrailers
	stOff
)

// CloseWrite half-closes the underlying connection, which net/http does
// after refusing a request (431, 400) so the client reads the whole answer
// instead of a reset.
func (c *caseConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

func (c *caseConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.mu.Lock()
		c.feed(p[:n])
		c.mu.Unlock()
	}
	return n, err
}

func (c *caseConn) take(method, uri string) Names {
	c.mu.Lock()
	defer c.mu.Unlock()
	want := method + " " + uri + " "
	for i, b := range c.pending {
		if strings.HasPrefix(b.requestLine, want) {
			c.pending = c.pending[i+1:]
			return b.names()
		}
	}
	return nil
}

func (c *caseConn) feed(data []byte) {
	for len(data) > 0 && c.state != stOff {
		switch c.state {
		case stHeaders, stTrailers:
			c.buf = append(c.buf, data...)
			data = nil
			end, sep := bytes.Index(c.buf, []byte("\r\n\r\n")), 4
			if c.state == stTrailers && bytes.HasPrefix(c.buf, []byte("\r\n")) {
				end, sep = 0, 2
			}
			if end < 0 {
				if len(c.buf) > maxHeaderBlock {
					c.state = stOff
				}
				return
			}
			block := c.buf[:end]
			data = append([]byte(nil), c.buf[end+sep:]...)
			c.buf = c.buf[:0]
			if c.state == stTrailers {
				c.state = stHeaders
				continue
			}
			c.parseBlock(block)
		case stBody:
			k := int64(len(data))
			if k > c.bodyLeft {
				k = c.bodyLeft
			}
			c.bodyLeft -= k
			data = data[k:]
			if c.bodyLeft == 0 {
				c.state = stHeaders
			}
		case stChunkSize:
			c.buf = append(c.buf, data...)
			data = nil
			i := bytes.Index(c.buf, []byte("\r\n"))
			if i < 0 {
				if len(c.buf) > 1024 {
					c.state = stOff
				}
				return
			}
			line := string(c.buf[:i])
			data = append([]byte(nil), c.buf[i+2:]...)
			c.buf = c.buf[:0]
			line, _, _ = strings.Cut(line, ";")
			size, err := strconv.ParseInt(strings.TrimSpace(line), 16, 64)
			if err != nil || size < 0 {
				c.state = stOff
				return
			}
			if size == 0 {
				c.state = stTrailers
			} else {
				c.bodyLeft = size
				c.state = stChunkData
			}
		case stChunkData:
			k := int64(len(data))
			if k > c.bodyLeft {
				k = c.bodyLeft
			}
			c.bodyLeft -= k
			data = data[k:]
			if c.bodyLeft == 0 {
				c.state = stChunkCRLF
				c.bodyLeft = 2
			}
		case stChunkCRLF:
			k := int64(len(data))
			if k > c.bodyLeft {
				k = c.bodyLeft
			}
			c.bodyLeft -= k
			data = data[k:]
			if c.bodyLeft == 0 {
				c.state = stChunkSize
			}
		}
	}
}

// parseBlock records one request's header block and sets up body framing.
func (c *caseConn) parseBlock(block []byte) {
	for bytes.HasPrefix(block, []byte("\r\n")) {
		block = block[2:]
	}
	if len(block) == 0 {
		return
	}
	reqLine, rest, _ := bytes.Cut(block, []byte("\r\n"))
	if bytes.HasPrefix(reqLine, []byte("PRI ")) {
		c.state = stOff
		return
	}
	var length int64
	chunked, upgrade := false, false
	for len(rest) > 0 {
		var l []byte
		l, rest, _ = bytes.Cut(rest, []byte("\r\n"))
		name, value, ok := bytes.Cut(l, []byte(":"))
		if !ok {
			continue
		}
		name = bytes.TrimSpace(name)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			length, _ = strconv.ParseInt(string(bytes.TrimSpace(value)), 10, 64)
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			chunked = bytes.Contains(bytes.ToLower(value), []byte("chunked"))
		case bytes.EqualFold(name, []byte("Upgrade")):
			upgrade = true
		}
	}
	c.pending = append(c.pending, headerBlock{requestLine: string(reqLine), block: string(block)})
	if len(c.pending) > 64 {
		c.pending = c.pending[len(c.pending)-64:]
	}
	switch {
	case upgrade || bytes.HasPrefix(reqLine, []byte("CONNECT ")):
		c.state = stOff
	case chunked:
		c.state = stChunkSize
	case length > 0:
		c.state = stBody
		c.bodyLeft = length
	default:
		c.state = stHeaders
	}
}
