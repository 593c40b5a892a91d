// Package httpserve runs an http.Handler on a listener that is opened before
// serving starts, so callers can use port 0, learn the address, and shut the
// server down gracefully. One port may speak both plain HTTP and TLS: the
// first byte of each connection tells them apart, so `ws://` and `https://`
// clients reach the same API port.
package httpserve

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// Options configure a Server.
type Options struct {
	Logger *slog.Logger
	// TLS, when set, makes the port also accept TLS connections (detected by
	// their first byte) with this configuration.
	TLS *tls.Config
	// ReadHeaderTimeout bounds slow clients sending headers (slowloris).
	// Zero means 30 seconds.
	ReadHeaderTimeout time.Duration
	// BodyIdleTimeout bounds the wait for each part of a request body; a
	// body that stalls longer fails the read (see bodyDeadline). Zero
	// means 30 seconds.
	BodyIdleTimeout time.Duration
	// WriteIdleTimeout bounds the wait for the client to take each part of
	// a response; a response it stops reading fails its write (see
	// writeDeadline). Zero means 30 seconds.
	WriteIdleTimeout time.Duration
	// IdleTimeout closes idle keep-alive connections. Zero means 2 minutes.
	IdleTimeout time.Duration
	// WrapPlain wraps the listener of plain (not TLS) connections, and
	// ConnContext derives each connection's context; together they let a
	// handler see per-connection facts such as the header spelling a client
	// used (see apigateway/gateway.PreserveHeaderCase).
	WrapPlain   func(net.Listener) net.Listener
	ConnContext func(ctx context.Context, c net.Conn) context.Context
}

// Server serves one handler on one listener.
type Server struct {
	logger *slog.Logger
	ln     net.Listener
	http   *http.Server
	plain  *chanListener
	secure *chanListener
	tls    *tls.Config
	wrap   func(net.Listener) net.Listener

	wg       sync.WaitGroup
	closeMu  sync.Mutex
	closed   bool
	serveErr chan error
	// states holds each open connection's last state, so Shutdown can
	// stop waiting once no request is in progress (net/http otherwise
	// waits up to 5 s for connections that never sent one). A plain map:
	// every request updates it twice, and sync.Map allocates per update.
	statesMu sync.Mutex
	states   map[net.Conn]http.ConnState
}

// Listen opens addr ("127.0.0.1:0" for any free port) and prepares to serve
// h. Nothing is served until Start.
func Listen(addr string, h http.Handler, opts Options) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	return New(ln, h, opts), nil
}

// New wraps an already open listener.
func New(ln net.Listener, h http.Handler, opts Options) *Server {
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	rht := opts.ReadHeaderTimeout
	if rht == 0 {
		rht = 30 * time.Second
	}
	idle := opts.IdleTimeout
	if idle == 0 {
		idle = 2 * time.Minute
	}
	bodyIdle := opts.BodyIdleTimeout
	if bodyIdle == 0 {
		bodyIdle = 30 * time.Second
	}
	writeIdle := opts.WriteIdleTimeout
	if writeIdle == 0 {
		writeIdle = 30 * time.Second
	}
	wrap := opts.WrapPlain
	if wrap == nil {
		wrap = func(l net.Listener) net.Listener { return l }
	}
	s := &Server{
		logger: logger,
		ln:     ln,
		tls:    opts.TLS,
		wrap:   wrap,
		http: &http.Server{
			Handler:           bodyDeadline(writeDeadline(h, writeIdle), bodyIdle),
			ConnContext:       opts.ConnContext,
			ReadHeaderTimeout: rht,
			IdleTimeout:       idle,
			MaxHeaderBytes:    1 << 20,
			ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelDebug),
		},
		serveErr: make(chan error, 2),
		states:   map[net.Conn]http.ConnState{},
	}
	s.http.ConnState = s.trackState
	if s.tls != nil {
		s.plain = newChanListener(ln.Addr())
		s.secure = newChanListener(ln.Addr())
	}
	return s
}

// trackState records each connection's state. Hijacked connections
// (WebSockets) are their handler's to close.
func (s *Server) trackState(c net.Conn, state http.ConnState) {
	s.statesMu.Lock()
	defer s.statesMu.Unlock()
	switch state {
	case http.StateClosed, http.StateHijacked:
		delete(s.states, c)
	default:
		s.states[c] = state
	}
}

// busy reports whether a request is in progress on any connection.
func (s *Server) busy() bool {
	s.statesMu.Lock()
	defer s.statesMu.Unlock()
	for _, state := range s.states {
		if state == http.StateActive {
			return true
		}
	}
	return false
}

// Addr is the address the server listens on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Start serves in the background until Shutdown.
func (s *Server) Start() {
	if s.tls == nil {
		s.wg.Go(func() { s.report(s.http.Serve(s.wrap(s.ln))) })
		return
	}
	s.wg.Go(func() { s.report(s.http.Serve(s.wrap(s.plain))) })
	s.wg.Go(func() { s.report(s.http.Serve(tls.NewListener(s.secure, s.tls))) })
	s.wg.Go(s.acceptAndSniff)
}

func (s *Server) report(err error) {
	if err != nil && !errors.Is(err, http.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
		s.logger.Error("server stopped", "err", err)
		s.serveErr <- err
	}
}

// Inject hands an already accepted connection (for example one tunnelled
// through an HTTP CONNECT proxy) to the server as if it had been accepted on
// its port. Plain and TLS connections are told apart as for accepted ones.
func (s *Server) Inject(c net.Conn) {
	if s.tls == nil {
		c.Close()
		return
	}
	go s.dispatch(c)
}

func (s *Server) acceptAndSniff() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				time.Sleep(5 * time.Millisecond)
				continue
			}
			s.plain.Close()
			s.secure.Close()
			return
		}
		go s.dispatch(c)
	}
}

// dispatch peeks at the first byte: 0x16 starts a TLS handshake record.
func (s *Server) dispatch(c net.Conn) {
	pc := &peekedConn{Conn: c}
	_ = c.SetReadDeadline(time.Now().Add(s.http.ReadHeaderTimeout))
	b := make([]byte, 1)
	n, err := c.Read(b)
	_ = c.SetReadDeadline(time.Time{})
	if err != nil || n == 0 {
		c.Close()
		return
	}
	pc.first = b[:n]
	target := s.plain
	if b[0] == 0x16 {
		target = s.secure
	}
	if !target.push(pc) {
		c.Close()
	}
}

// Shutdown stops accepting, waits for in-flight requests to finish (or ctx
// to end), and closes idle connections.
func (s *Server) Shutdown(ctx context.Context) error {
	s.closeMu.Lock()
	if s.closed {
		s.closeMu.Unlock()
		return nil
	}
	s.closed = true
	s.closeMu.Unlock()
	shutdown := make(chan error, 1)
	go func() { shutdown <- s.http.Shutdown(ctx) }()
	var err error
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
wait:
	for {
		select {
		case err = <-shutdown:
			break wait
		case <-tick.C:
			if !s.busy() {
				// Every request is answered; what is left are idle or
				// never-used connections.
				_ = s.http.Close()
				err = <-shutdown
				if errors.Is(err, http.ErrServerClosed) {
					err = nil
				}
				break wait
			}
		}
	}
	s.ln.Close()
	if s.plain != nil {
		s.plain.Close()
		s.secure.Close()
	}
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		if err == nil {
			err = ctx.Err()
		}
	}
	return err
}

// Close stops the server at once, dropping connections.
func (s *Server) Close() error {
	s.closeMu.Lock()
	s.closed = true
	s.closeMu.Unlock()
	err := s.http.Close()
	s.ln.Close()
	if s.plain != nil {
		s.plain.Close()
		s.secure.Close()
	}
	s.wg.Wait()
	return err
}

// peekedConn replays the bytes read while sniffing. It keeps the TCP
// connection's CloseWrite: net/http half-closes a connection after refusing
// a request (431, 400) so the client reads the whole answer before the
// close; without it the client gets a reset instead.
type peekedConn struct {
	net.Conn
	first []byte
}

// CloseWrite half-closes the underlying connection.
func (c *peekedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

func (c *peekedConn) Read(p []byte) (int, error) {
	if len(c.first) > 0 {
		n := copy(p, c.first)
		c.first = c.first[n:]
		return n, nil
	}
	return c.Conn.Read(p)
}

// chanListener is a net.Listener fed by the sniffer.
type chanListener struct {
	addr   net.Addr
	conns  chan net.Conn
	done   chan struct{}
	closer sync.Once
}

func newChanListener(addr net.Addr) *chanListener {
	return &chanListener{addr: addr, conns: make(chan net.Conn), done: make(chan struct{})}
}

func (l *chanListener) push(c net.Conn) bool {
	select {
	case l.conns <- c:
		return true
	case <-l.done:
		return false
	}
}

func (l *chanListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *chanListener) Close() error {
	l.closer.Do(func() { close(l.done) })
	return nil
}

func (l *chanListener) Addr() net.Addr { return l.addr }
