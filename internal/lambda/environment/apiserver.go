package environment

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The Runtime API is served by a small HTTP/1.1 server of its own instead
// of net/http. Every invocation is two requests on it (next, then
// response), and net/http's general machinery (a goroutine per request
// that watches the connection, read deadlines, header maps, a ServeMux)
// cost more than the rest of a warm invocation. This server reads each
// connection on one goroutine, answers from one reused buffer, and lets the
// invoking goroutine write a pending next's answer itself. It speaks what
// runtime clients send: HTTP/1.0 and 1.1, keep-alive, Content-Length and
// chunked bodies with trailers, Expect: 100-continue (curl). Deadlines are
// not needed: the environment's timeouts kill the process and close its
// connections.

// maxHeaderBytes bounds a request's header section, as net/http's default
// (aws-lambda-go sends X-Ray error causes of up to 1 MB as a header).
const maxHeaderBytes = 1<<20 + 4096

// maxDiscard is how much of a request body the server reads past to keep
// a connection after answering without needing the body (as net/http).
const maxDiscard = 256 << 10

// maxDrain is how much of an oversized body the server reads and drops so
// the client reads the answer instead of a reset connection.
const maxDrain = 64 << 20

// errMalformed is a request the server cannot parse; the connection gets a
// 400 and is closed.
var errMalformed = errors.New("malformed HTTP request")

// apiServer accepts Runtime API connections.
type apiServer struct {
	ln      net.Listener
	handler func(*apiConn, *apiRequest) bool

	mu     sync.Mutex
	conns  map[*apiConn]struct{}
	closed bool
	// gone is called when a connection ends, so a next waiting on it is
	// forgotten; await holds a connection's goroutine while its next is
	// unanswered.
	gone  func(*apiConn)
	await func(*apiConn)
}

func (s *apiServer) serve() {
	for {
		nc, err := s.ln.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				time.Sleep(5 * time.Millisecond)
				continue
			}
			return
		}
		c := &apiConn{nc: nc, br: bufio.NewReaderSize(nc, 4096)}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			nc.Close()
			return
		}
		s.conns[c] = struct{}{}
		s.mu.Unlock()
		go s.serveConn(c)
	}
}

func (s *apiServer) serveConn(c *apiConn) {
	defer func() {
		c.nc.Close()
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
		s.gone(c)
	}()
	req := &apiRequest{}
	for {
		if err := c.readRequest(req); err != nil {
			var he *httpError
			if errors.As(err, &he) {
				_ = c.writePlain(he.status)
			} else if errors.Is(err, errMalformed) {
				_ = c.writePlain(http.StatusBadRequest)
			}
			return
		}
		// A request behind a next still waiting for its invocation
		// (pipelining) is answered after it, as HTTP/1.1 requires.
		s.await(c)
		if !s.handler(c, req) {
			return
		}
		if req.answerLater {
			// Keep reading: a closed connection ends the wait; the
			// answer closes the connection if the request asked to.
			continue
		}
		if req.close || !c.finishBody(req) {
			return
		}
	}
}

// close stops accepting and closes every connection.
func (s *apiServer) close() {
	s.mu.Lock()
	s.closed = true
	conns := make([]*apiConn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	_ = s.ln.Close()
	for _, c := range conns {
		c.nc.Close()
	}
}

// httpError is a request refused before it reached a handler.
type httpError struct{ status int }

func (e *httpError) Error() string { return http.StatusText(e.status) }

// apiRequest is one parsed request; the connection reuses it.
type apiRequest struct {
	method string
	// path is the cleaned path, without the query.
	path          string
	contentLength int64 // -1: unknown (chunked or none)
	chunked       bool
	expect100     bool
	sent100       bool
	// close: the connection ends after the answer.
	close bool
	// keepAlive10: an HTTP/1.0 client asked to keep the connection.
	keepAlive10 bool
	errorType   string
	// bodyDone: the body has been read to its end.
	bodyDone bool
	trailers map[string]string
	// answerLater: the handler left the answer to another goroutine.
	answerLater bool
}

// trailer returns a trailer field the Runtime API reads.
func (r *apiRequest) trailer(name string) string { return r.trailers[name] }

// apiConn is one Runtime API connection. Its goroutine reads requests;
// answers are written under wmu, by that goroutine or, for a waiting next,
// by the goroutine that starts the invocation.
type apiConn struct {
	nc net.Conn
	br *bufio.Reader

	wmu  sync.Mutex
	wbuf []byte

	line []byte
	// nextClose and nextKeepAlive10 are the connection options of the next
	// request waiting for an invocation (guarded by the Env's mu).
	nextClose, nextKeepAlive10 bool
}

// readLine returns the next line without its CRLF; the slice is valid until
// the next read. total counts the header bytes read so far.
func (c *apiConn) readLine(total *int) ([]byte, error) {
	line, err := c.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		c.line = append(c.line[:0], line...)
		for errors.Is(err, bufio.ErrBufferFull) {
			if *total+len(c.line) > maxHeaderBytes {
				return nil, &httpError{http.StatusRequestHeaderFieldsTooLarge}
			}
			line, err = c.br.ReadSlice('\n')
			c.line = append(c.line, line...)
		}
		line = c.line
	}
	*total += len(line)
	if err != nil {
		if len(line) > 0 && errors.Is(err, io.EOF) {
			return nil, io.ErrUnexpectedEOF
		}
		return nil, err
	}
	if *total > maxHeaderBytes {
		return nil, &httpError{http.StatusRequestHeaderFieldsTooLarge}
	}
	line = line[:len(line)-1]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, nil
}

// readRequest reads a request line and headers into req.
func (c *apiConn) readRequest(req *apiRequest) error {
	*req = apiRequest{contentLength: -1, trailers: req.trailers}
	clear(req.trailers)
	total := 0
	var line []byte
	var err error
	// Tolerate empty lines before a request, as net/http does.
	for {
		if line, err = c.readLine(&total); err != nil {
			return err
		}
		if len(line) > 0 {
			break
		}
	}
	method, rest, ok1 := bytes.Cut(line, []byte(" "))
	target, proto, ok2 := bytes.Cut(rest, []byte(" "))
	// The absolute form ("http://host:port/path") is the path's too.
	for _, scheme := range []string{"http://", "https://"} {
		if len(target) > len(scheme) && bytes.EqualFold(target[:len(scheme)], []byte(scheme)) {
			if i := bytes.IndexByte(target[len(scheme):], '/'); i >= 0 {
				target = target[len(scheme)+i:]
			} else {
				target = []byte("/")
			}
		}
	}
	if !ok1 || !ok2 || len(method) == 0 || len(target) == 0 || target[0] != '/' {
		return errMalformed
	}
	http10 := false
	switch string(proto) {
	case "HTTP/1.1":
	case "HTTP/1.0":
		http10 = true
	default:
		return errMalformed
	}
	req.method = string(method)
	if i := bytes.IndexByte(target, '?'); i >= 0 {
		target = target[:i]
	}
	p := string(target)
	if strings.Contains(p, "%") {
		if u, err := pathUnescape(p); err == nil {
			p = u
		}
	}
	req.path = path.Clean(p)
	var closeOpt, keepOpt bool
	for {
		if line, err = c.readLine(&total); err != nil {
			return err
		}
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok || len(name) == 0 || name[0] == ' ' || name[0] == '\t' || bytes.IndexByte(name, ' ') >= 0 {
			return errMalformed
		}
		value = bytes.TrimSpace(value)
		switch {
		case equalFold(name, "Content-Length"):
			n, err := strconv.ParseInt(string(value), 10, 64)
			if err != nil || n < 0 || (req.contentLength >= 0 && n != req.contentLength) {
				return errMalformed
			}
			req.contentLength = n
		case equalFold(name, "Transfer-Encoding"):
			if !bytes.EqualFold(value, []byte("chunked")) {
				return &httpError{http.StatusNotImplemented}
			}
			req.chunked = true
		case equalFold(name, "Connection"):
			for _, opt := range bytes.Split(value, []byte(",")) {
				opt = bytes.TrimSpace(opt)
				switch {
				case bytes.EqualFold(opt, []byte("close")):
					closeOpt = true
				case bytes.EqualFold(opt, []byte("keep-alive")):
					keepOpt = true
				}
			}
		case equalFold(name, "Expect"):
			req.expect100 = bytes.EqualFold(value, []byte("100-continue")) && !http10
		case equalFold(name, "Lambda-Runtime-Function-Error-Type"):
			req.errorType = string(value)
		}
	}
	req.close = closeOpt || (http10 && !keepOpt)
	req.keepAlive10 = http10 && !req.close
	if req.chunked {
		req.contentLength = -1
	}
	req.bodyDone = !req.chunked && req.contentLength <= 0
	return nil
}

func equalFold(b []byte, s string) bool {
	return len(b) == len(s) && bytes.EqualFold(b, []byte(s))
}

// pathUnescape decodes %XX escapes in a path.
func pathUnescape(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", errMalformed
		}
		v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
		if err != nil {
			return "", errMalformed
		}
		b.WriteByte(byte(v))
		i += 2
	}
	return b.String(), nil
}

// continue100 answers Expect: 100-continue before the body is read.
func (c *apiConn) continue100(req *apiRequest) error {
	if !req.expect100 || req.sent100 {
		return nil
	}
	req.sent100 = true
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_, err := io.WriteString(c.nc, "HTTP/1.1 100 Continue\r\n\r\n")
	return err
}

// readBody reads the request body, up to limit bytes; tooLarge reports a
// longer one, whose length is then n when the client declared it (else
// limit+1). What is past the limit is read and dropped (up to maxDrain) so
// that the client, still sending, reads the answer.
func (c *apiConn) readBody(req *apiRequest, limit int) (body []byte, n int, tooLarge bool, err error) {
	if req.bodyDone {
		return nil, 0, false, nil
	}
	if err := c.continue100(req); err != nil {
		return nil, 0, false, err
	}
	if !req.chunked {
		if req.contentLength > int64(limit) {
			n := int(req.contentLength)
			if req.contentLength > maxDrain {
				req.close = true
				return nil, n, true, nil
			}
			if _, err := c.br.Discard(n); err != nil {
				req.close = true
				return nil, 0, false, unexpectedEOF(err)
			}
			req.bodyDone = true
			return nil, n, true, nil
		}
		body = make([]byte, req.contentLength)
		if _, err := io.ReadFull(c.br, body); err != nil {
			req.close = true
			return nil, 0, false, unexpectedEOF(err)
		}
		req.bodyDone = true
		return body, len(body), false, nil
	}
	read := int64(0)
	for {
		size, err := c.chunkSize()
		if err != nil {
			req.close = true
			return nil, 0, false, err
		}
		if size == 0 {
			break
		}
		read += size
		switch {
		case read > maxDrain:
			req.close = true
			return nil, limit + 1, true, nil
		case read > int64(limit):
			body = nil
			_, err = c.br.Discard(int(size))
		default:
			start := len(body)
			body = append(body, make([]byte, size)...)
			_, err = io.ReadFull(c.br, body[start:])
		}
		if err != nil {
			req.close = true
			return nil, 0, false, unexpectedEOF(err)
		}
		if err := c.chunkEnd(); err != nil {
			req.close = true
			return nil, 0, false, err
		}
	}
	if err := c.readTrailers(req); err != nil {
		req.close = true
		return nil, 0, false, err
	}
	req.bodyDone = true
	if read > int64(limit) {
		return nil, limit + 1, true, nil
	}
	return body, len(body), false, nil
}

func unexpectedEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// chunkSize reads a chunk's size line.
func (c *apiConn) chunkSize() (int64, error) {
	total := 0
	line, err := c.readLine(&total)
	if err != nil {
		return 0, unexpectedEOF(err)
	}
	if i := bytes.IndexByte(line, ';'); i >= 0 {
		line = line[:i]
	}
	size, err := strconv.ParseInt(string(bytes.TrimSpace(line)), 16, 64)
	if err != nil || size < 0 {
		return 0, errors.New("invalid chunk length")
	}
	return size, nil
}

// chunkEnd reads the CRLF after a chunk's data.
func (c *apiConn) chunkEnd() error {
	total := 0
	line, err := c.readLine(&total)
	if err != nil {
		return unexpectedEOF(err)
	}
	if len(line) != 0 {
		return errors.New("malformed chunked encoding")
	}
	return nil
}

// readTrailers reads the trailer section after the last chunk, keeping the
// fields the Runtime API reads.
func (c *apiConn) readTrailers(req *apiRequest) error {
	total := 0
	for {
		line, err := c.readLine(&total)
		if err != nil {
			return unexpectedEOF(err)
		}
		if len(line) == 0 {
			return nil
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return errors.New("malformed trailer")
		}
		for _, keep := range []string{"Lambda-Runtime-Function-Error-Type", "Lambda-Runtime-Function-Error-Body"} {
			if equalFold(name, keep) {
				if req.trailers == nil {
					req.trailers = map[string]string{}
				}
				req.trailers[keep] = string(bytes.TrimSpace(value))
			}
		}
	}
}

// finishBody reads past what is left of a body the handler did not read,
// so the connection can carry the next request; false means close it.
func (c *apiConn) finishBody(req *apiRequest) bool {
	if req.bodyDone {
		return true
	}
	if req.expect100 && !req.sent100 {
		// The client has not sent the body and will not: the
		// connection's state is unknown.
		return false
	}
	if req.chunked {
		_, _, tooLarge, err := c.readBody(req, maxDiscard)
		return err == nil && !tooLarge
	}
	if req.contentLength > maxDiscard {
		return false
	}
	_, err := c.br.Discard(int(req.contentLength))
	return err == nil
}

// header is one response header.
type header struct{ name, value string }

// write sends a response. body may be large (an event of up to 6 MB): it
// is then written without copying.
func (c *apiConn) write(req *apiRequest, status int, headers []header, body []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.writeLocked(req, status, headers, body)
}

// writeLocked is write with wmu held.
func (c *apiConn) writeLocked(req *apiRequest, status int, headers []header, body []byte) error {
	b := c.wbuf[:0]
	b = append(b, "HTTP/1.1 "...)
	b = strconv.AppendInt(b, int64(status), 10)
	b = append(b, ' ')
	b = append(b, http.StatusText(status)...)
	b = append(b, "\r\n"...)
	for _, h := range headers {
		b = appendHeader(b, h.name, h.value)
	}
	b = append(b, "Date: "...)
	b = append(b, httpDate()...)
	b = append(b, "\r\nContent-Length: "...)
	b = strconv.AppendInt(b, int64(len(body)), 10)
	b = append(b, "\r\n"...)
	switch {
	case req != nil && req.close:
		b = append(b, "Connection: close\r\n"...)
	case req != nil && req.keepAlive10:
		b = append(b, "Connection: keep-alive\r\n"...)
	}
	b = append(b, "\r\n"...)
	var err error
	if len(body) <= 64<<10 {
		b = append(b, body...)
		_, err = c.nc.Write(b)
	} else {
		bufs := net.Buffers{b, body}
		_, err = bufs.WriteTo(c.nc)
	}
	if cap(b) <= 64<<10+4096 {
		c.wbuf = b[:0]
	}
	return err
}

// writePlain answers a request it refuses with a status and its text, and
// closes the connection, as net/http does.
func (c *apiConn) writePlain(status int) error {
	body := strconv.Itoa(status) + " " + http.StatusText(status)
	return c.write(&apiRequest{close: true}, status, []header{{"Content-Type", "text/plain; charset=utf-8"}}, []byte(body))
}

// appendHeader writes one header line; line breaks in a value become
// spaces and surrounding blanks are trimmed, as net/http writes headers.
func appendHeader(b []byte, name, value string) []byte {
	if strings.ContainsAny(value, "\r\n") {
		value = strings.NewReplacer("\r", " ", "\n", " ").Replace(value)
	}
	value = strings.Trim(value, " \t")
	b = append(b, name...)
	b = append(b, ": "...)
	b = append(b, value...)
	return append(b, "\r\n"...)
}

// dateCache holds the Date header of the current second.
var dateCache atomic.Pointer[cachedDate]

type cachedDate struct {
	sec  int64
	text string
}

// httpDate is the current time as an HTTP Date header value.
func httpDate() string {
	now := time.Now()
	if d := dateCache.Load(); d != nil && d.sec == now.Unix() {
		return d.text
	}
	d := &cachedDate{sec: now.Unix(), text: now.UTC().Format(http.TimeFormat)}
	dateCache.Store(d)
	return d.text
}

// notFound and methodNotAllowed answer as net/http's ServeMux does.
func (c *apiConn) notFound(req *apiRequest) error {
	return c.write(req, http.StatusNotFound, []header{{"Content-Type", "text/plain; charset=utf-8"}, {"X-Content-Type-Options", "nosniff"}}, []byte("404 page not found\n"))
}

func (c *apiConn) methodNotAllowed(req *apiRequest, allow string) error {
	return c.write(req, http.StatusMethodNotAllowed, []header{{"Allow", allow}, {"Content-Type", "text/plain; charset=utf-8"}, {"X-Content-Type-Options", "nosniff"}}, []byte("Method Not Allowed\n"))
}
