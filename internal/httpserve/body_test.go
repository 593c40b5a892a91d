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

// TestStalledBodyFails: a client that sends its headers and then stops
// sending the announced body is cut off after BodyIdleTimeout; one that
// keeps sending (slowly) is served; a handler that runs long after reading
// its body keeps its context.
func TestStalledBodyFails(t *testing.T) {
	readErr := make(chan error, 10)
	srv, err := Listen("127.0.0.1:0", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		readErr <- err
		if err != nil {
			return
		}
		if r.URL.Path == "/long" {
			time.Sleep(500 * time.Millisecond)
			if r.Context().Err() != nil {
				io.WriteString(w, "context canceled")
				return
			}
		}
		io.WriteString(w, "got "+string(b))
	}), Options{BodyIdleTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	srv.Start()
	defer srv.Close()
	addr := srv.Addr().String()

	// Stalled: the read fails and the connection closes.
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "POST /stall HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc")
	select {
	case err := <-readErr:
		if err == nil || !strings.Contains(err.Error(), "timeout") {
			t.Fatalf("stalled body read: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a stalled body is still being waited for after 5 s")
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadAll(c); err != nil {
		t.Fatalf("the connection of a stalled body is not closed: %v", err)
	}

	// Slow but steady: each part within the idle time.
	c2, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	io.WriteString(c2, "POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n")
	for _, b := range "hello" {
		time.Sleep(100 * time.Millisecond)
		io.WriteString(c2, string(b))
	}
	resp, err := http.ReadResponse(bufio.NewReader(c2), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if string(body) != "got hello" {
		t.Errorf("slow body: %q", body)
	}

	// Long handler after the body: no deadline left behind.
	resp, err = http.Post("http://"+addr+"/long", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "got x" {
		t.Errorf("long handler: %q", body)
	}
}
