package httpserve

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestStalledResponseFails: a client that stops reading a large response
// frees its handler after WriteIdleTimeout; a handler that works longer than
// that before writing is still answered, on a kept-alive connection too; a
// hijacked connection gets no deadline.
func TestStalledResponseFails(t *testing.T) {
	const idle = 200 * time.Millisecond
	done := make(chan error, 10)
	srv, err := Listen("127.0.0.1:0", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/large":
			chunk := []byte(strings.Repeat("x", 64<<10))
			var err error
			for i := 0; i < 1024 && err == nil; i++ { // 64 MB: more than any socket buffer
				_, err = w.Write(chunk)
			}
			done <- err
		case "/slow":
			time.Sleep(3 * idle)
			io.WriteString(w, "slow answer")
		case "/hijack":
			c, brw, err := w.(http.Hijacker).Hijack()
			if err != nil {
				done <- err
				return
			}
			defer c.Close()
			time.Sleep(3 * idle)
			brw.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 8\r\nConnection: close\r\n\r\nhijacked")
			done <- brw.Flush()
		}
	}), Options{WriteIdleTimeout: idle})
	if err != nil {
		t.Fatal(err)
	}
	srv.Start()
	defer srv.Close()
	addr := srv.Addr().String()

	// A client that never reads: the handler's write fails.
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET /large HTTP/1.1\r\nHost: x\r\n\r\n")
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "timeout") {
			t.Fatalf("write to a client that does not read: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the handler is still writing to a client that does not read after 10 s")
	}

	// A slow handler, twice on one kept-alive connection.
	k, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	br := bufio.NewReader(k)
	for i := range 2 {
		io.WriteString(k, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("slow handler, request %d: %v", i+1, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != "slow answer" {
			t.Fatalf("slow handler, request %d: %q", i+1, b)
		}
	}

	// A hijacked connection writes when it likes.
	resp, err := http.Get("http://" + addr + "/hijack")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err := <-done; err != nil || string(b) != "hijacked" {
		t.Fatalf("hijacked connection: %q, %v", b, err)
	}
}
