package httpserve

import (
	"io"
	"net/http"
	"time"
)

// bodyDeadline makes a stalled request body fail: each read of the body
// must make progress within idle, so a client that sends its headers and
// then trickles (or stops sending) its body cannot hold a connection and a
// handler forever (slowloris on the body; the headers are bounded by
// ReadHeaderTimeout). The deadline is lifted once the body is read, so
// long-running handlers (a 15-minute invocation) keep their connection and
// context.
func bodyDeadline(h http.Handler, idle time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody && (r.ContentLength != 0 || len(r.TransferEncoding) > 0) {
			r.Body = &idleBody{ReadCloser: r.Body, rc: http.NewResponseController(w), idle: idle}
		}
		h.ServeHTTP(w, r)
	})
}

type idleBody struct {
	io.ReadCloser
	rc   *http.ResponseController
	idle time.Duration
	done bool
}

func (b *idleBody) Read(p []byte) (int, error) {
	if b.done {
		return b.ReadCloser.Read(p)
	}
	_ = b.rc.SetReadDeadline(time.Now().Add(b.idle))
	n, err := b.ReadCloser.Read(p)
	if err != nil {
		b.done = true
		// Read whole: lift the deadline. After an error it stays, so the
		// server's own draining of the rest gives up too.
		if err == io.EOF {
			_ = b.rc.SetReadDeadline(time.Time{})
		}
	}
	return n, err
}
