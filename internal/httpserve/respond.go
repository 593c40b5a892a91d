package httpserve

import (
	"bufio"
	"net"
	"net/http"
	"time"
)

// writeDeadline makes a stalled response fail: each write of the response
// must be taken by the client within idle, so a client that stops reading a
// large response cannot hold a connection and its handler forever. The
// deadline is cleared when a request starts, so a handler may take as long
// as it needs (a 15-minute invocation) before it writes; after the handler
// returns, net/http's final flush gets idle too. Hijacked connections
// (WebSockets, CONNECT tunnels) are left alone: their owners set their own.
func writeDeadline(h http.Handler, idle time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		_ = rc.SetWriteDeadline(time.Time{})
		sw := &stallWriter{ResponseWriter: w, rc: rc, idle: idle}
		h.ServeHTTP(sw, r)
		if !sw.hijacked {
			_ = rc.SetWriteDeadline(time.Now().Add(idle))
		}
	})
}

// stallWriter renews the write deadline before every write and flush.
type stallWriter struct {
	http.ResponseWriter
	rc       *http.ResponseController
	idle     time.Duration
	hijacked bool
}

func (w *stallWriter) Write(p []byte) (int, error) {
	_ = w.rc.SetWriteDeadline(time.Now().Add(w.idle))
	return w.ResponseWriter.Write(p)
}

// Flush implements http.Flusher.
func (w *stallWriter) Flush() {
	_ = w.rc.SetWriteDeadline(time.Now().Add(w.idle))
	_ = w.rc.Flush()
}

// Hijack implements http.Hijacker, for handlers that assert it.
func (w *stallWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	w.hijacked = true
	return w.rc.Hijack()
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *stallWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
