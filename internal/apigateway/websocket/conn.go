package websocket

import (
	"context"
	"errors"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/nimbus-dev/nimbus/internal/apigateway/websocket/registry"
)

// Close codes API Gateway uses, and the reasons it gives when it closes.
const (
	closeNormal          = 1000
	closeGoingAway       = 1001
	closeUnsupportedData = 1003
	closeAbnormal        = 1006
	closeMessageTooBig   = 1009

	// reasonGoingAway accompanies idle timeouts, the maximum duration and
	// stage shutdown.
	reasonGoingAway = "Going away"
	// reasonDeleted is what a DeleteConnection close reports.
	reasonDeleted = "Connection Closed Normally"
)

// maxInflight bounds the messages of one connection being handled at once;
// past it the reader waits, so a flood from one client cannot pile up
// unbounded invocations.
const maxInflight = 16

// closeCause is how a connection ended, as $disconnect reports it.
type closeCause struct {
	code   int
	reason string
}

// conn is one open WebSocket connection; it is the registry Endpoint for
// its id.
type conn struct {
	gw     *Gateway
	id     string
	client clientInfo
	idle   time.Duration
	// untracked is set when the gateway was shutting down at handshake
	// time, so the connection is closed at once and not counted.
	untracked bool

	// ws and guard are set by start once the handshake completes; the
	// connection is registered (and may be sent to) just before.
	ws    *websocket.Conn
	guard *frameGuard

	lastActive atomic.Int64 // unix nanoseconds
	cause      atomic.Pointer[closeCause]

	qmu     sync.Mutex
	queue   []registry.Message
	queued  int
	writing bool
	qdone   bool

	idleTimer *time.Timer
	maxTimer  *time.Timer
	inflight  chan struct{}
	readErr   error
}

func newConn(g *Gateway, id string, client clientInfo, cfg *config) *conn {
	c := &conn{
		gw:       g,
		id:       id,
		client:   client,
		idle:     cfg.idle,
		inflight: make(chan struct{}, maxInflight),
	}
	c.lastActive.Store(client.connectedAt.UnixNano())
	return c
}

// start attaches the upgraded connection: messages queued since
// registration start flowing, and a close requested meanwhile happens now.
func (c *conn) start(ws *websocket.Conn, guard *frameGuard) {
	ws.SetReadLimit(MaxMessageSize)
	c.qmu.Lock()
	c.ws, c.guard = ws, guard
	if len(c.queue) > 0 && !c.writing {
		c.writing = true
		go c.writeLoop()
	}
	c.qmu.Unlock()
	if cause := c.cause.Load(); cause != nil {
		go func() { _ = ws.Close(websocket.StatusCode(cause.code), cause.reason) }()
	}
}

// startTimers arms the idle timeout and the maximum duration.
func (c *conn) startTimers(maxAge time.Duration) {
	c.idleTimer = time.AfterFunc(math.MaxInt64, c.checkIdle)
	c.maxTimer = time.AfterFunc(math.MaxInt64, func() { c.serverClose(closeGoingAway, reasonGoingAway) })
	c.idleTimer.Reset(c.idle)
	c.maxTimer.Reset(maxAge)
}

func (c *conn) stopTimers() {
	if c.idleTimer != nil {
		c.idleTimer.Stop()
		c.maxTimer.Stop()
	}
}

// checkIdle closes the connection when nothing moved either way for the
// idle timeout, or re-arms for the time left.
func (c *conn) checkIdle() {
	since := time.Since(time.Unix(0, c.lastActive.Load()))
	if since < c.idle {
		c.idleTimer.Reset(c.idle - since)
		return
	}
	c.serverClose(closeGoingAway, reasonGoingAway)
}

func (c *conn) touch() { c.lastActive.Store(time.Now().UnixNano()) }

// Info implements registry.Endpoint.
func (c *conn) Info() registry.Info {
	return registry.Info{
		ConnectionID: c.id,
		APIID:        c.gw.apiID,
		Stage:        c.gw.stage,
		ConnectedAt:  c.client.connectedAt,
		LastActiveAt: time.Unix(0, c.lastActive.Load()),
		SourceIP:     c.client.sourceIP,
		UserAgent:    c.client.userAgent,
	}
}

// Send implements registry.Endpoint: it queues msg and returns at once; a
// writer goroutine runs only while the queue is not empty.
func (c *conn) Send(msg registry.Message) error {
	if c.cause.Load() != nil {
		return registry.ErrGone
	}
	c.qmu.Lock()
	if c.qdone {
		c.qmu.Unlock()
		return registry.ErrGone
	}
	if c.queued > 0 && c.queued+len(msg.Data) > c.gw.opts.SendQueueBytes {
		c.qmu.Unlock()
		return registry.ErrLimitExceeded
	}
	c.queue = append(c.queue, msg)
	c.queued += len(msg.Data)
	if !c.writing && c.ws != nil {
		c.writing = true
		go c.writeLoop()
	}
	c.qmu.Unlock()
	c.touch()
	return nil
}

// Disconnect implements registry.Endpoint (DeleteConnection).
func (c *conn) Disconnect() error {
	if !c.serverClose(closeNormal, reasonDeleted) {
		return registry.ErrGone
	}
	return nil
}

func (c *conn) writeLoop() {
	for {
		c.qmu.Lock()
		if len(c.queue) == 0 || c.qdone {
			c.writing = false
			c.qmu.Unlock()
			return
		}
		msg := c.queue[0]
		c.queue[0] = registry.Message{}
		c.queue = c.queue[1:]
		if len(c.queue) == 0 {
			c.queue = nil
		}
		c.queued -= len(msg.Data)
		c.qmu.Unlock()
		if err := c.write(msg); err != nil {
			// The client does not take data (or is gone): drop it as a lost
			// connection; the reader then reports the disconnect.
			c.qmu.Lock()
			c.qdone, c.queue, c.queued, c.writing = true, nil, 0, false
			c.qmu.Unlock()
			if c.cause.CompareAndSwap(nil, &closeCause{code: closeAbnormal}) {
				c.gw.reg.Unregister(c)
			}
			_ = c.ws.CloseNow()
			return
		}
	}
}

// write sends one message, in frames of at most 32 KB as API Gateway does.
// The write timeout is a deadline on the socket rather than a context, so
// a write costs no timer allocation.
func (c *conn) write(msg registry.Message) error {
	nc := c.guard.Conn
	_ = nc.SetWriteDeadline(time.Now().Add(c.gw.opts.WriteTimeout))
	defer func() { _ = nc.SetWriteDeadline(time.Time{}) }()
	ctx := context.Background()
	typ := websocket.MessageText
	if msg.Binary {
		typ = websocket.MessageBinary
	}
	if len(msg.Data) <= MaxFrameSize {
		return c.ws.Write(ctx, typ, msg.Data)
	}
	w, err := c.ws.Writer(ctx, typ)
	if err != nil {
		return err
	}
	for data := msg.Data; len(data) > 0; {
		n := min(len(data), MaxFrameSize)
		if _, err := w.Write(data[:n]); err != nil {
			return err
		}
		data = data[n:]
	}
	return w.Close()
}

// serverClose starts a close initiated by the gateway (timeouts,
// DeleteConnection, quotas, shutdown). It returns false when the connection
// was already closing. The reader sees the close complete and fires
// $disconnect.
func (c *conn) serverClose(code int, reason string) bool {
	if !c.cause.CompareAndSwap(nil, &closeCause{code: code, reason: reason}) {
		return false
	}
	c.gw.reg.Unregister(c)
	c.qmu.Lock()
	ws := c.ws
	c.qmu.Unlock()
	if ws != nil {
		go func() { _ = ws.Close(websocket.StatusCode(code), reason) }()
	}
	return true
}

// abort drops the connection without a close handshake.
func (c *conn) abort() {
	c.cause.CompareAndSwap(nil, &closeCause{code: closeAbnormal})
	c.qmu.Lock()
	ws := c.ws
	c.qmu.Unlock()
	if ws != nil {
		_ = ws.CloseNow()
	}
}

// run reads messages until the connection ends, then fires $disconnect.
func (c *conn) run() {
	defer c.finish()
	var n int64
	for {
		typ, data, err := c.ws.Read(context.Background())
		if err != nil {
			c.readErr = err
			return
		}
		n++
		c.touch()
		switch {
		case c.cause.Load() != nil:
			// Closing: messages in flight are dropped.
		case c.guard != nil && c.guard.oversizedAt(n):
			c.serverClose(closeMessageTooBig, "")
		case typ == websocket.MessageBinary:
			// API Gateway does not accept binary frames from clients.
			c.serverClose(closeUnsupportedData, "")
		default:
			c.dispatch(data)
		}
	}
}

// dispatch handles one message on its own goroutine: API Gateway invokes
// integrations per message without waiting for earlier ones.
func (c *conn) dispatch(data []byte) {
	c.inflight <- struct{}{}
	c.gw.wg.Add(1)
	go func() {
		defer func() {
			<-c.inflight
			c.gw.wg.Done()
		}()
		c.gw.handleMessage(c, data)
	}()
}

// finish runs once the connection is closed: it leaves the registry and the
// gateway and fires $disconnect with how the connection ended.
func (c *conn) finish() {
	c.stopTimers()
	c.cause.CompareAndSwap(nil, causeOf(c.readErr))
	c.gw.reg.Unregister(c)
	c.qmu.Lock()
	c.qdone, c.queue, c.queued = true, nil, 0
	c.qmu.Unlock()
	_ = c.ws.CloseNow()
	cause := c.cause.Load()
	if c.untracked {
		c.gw.fireDisconnect(c, *cause)
		return
	}
	c.gw.untrack(c)
	c.gw.fireDisconnect(c, *cause)
	c.gw.wg.Done()
}

// causeOf maps the error that ended reading to the $disconnect status: the
// client's close code and reason, 1009 for an oversized message, or 1006
// when the TCP connection went away without a close frame.
func causeOf(err error) *closeCause {
	var ce websocket.CloseError
	if errors.As(err, &ce) {
		return &closeCause{code: int(ce.Code), reason: ce.Reason}
	}
	if errors.Is(err, websocket.ErrMessageTooBig) {
		return &closeCause{code: closeMessageTooBig}
	}
	return &closeCause{code: closeAbnormal}
}
