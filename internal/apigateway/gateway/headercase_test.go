package gateway

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
	"testing"
)

// TestPreserveHeaderCase sends keep-alive requests (one with a chunked
// body, one with a fixed-length body, one pipelined behind it) and checks
// each handler sees its own request's header spelling.
func TestPreserveHeaderCase(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{ConnContext: ConnContext, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		names := HeaderNames(r)
		var out []string
		for k := range r.Header {
			out = append(out, names.Name(k))
		}
		sort.Strings(out)
		_, _ = io.WriteString(w, strings.Join(out, ","))
	})}
	go func() { _ = srv.Serve(PreserveHeaderCase(ln)) }()
	defer srv.Close()

	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	reqs := "POST /one HTTP/1.1\r\nHost: x\r\ncontent-type: text/plain\r\nTransfer-Encoding: chunked\r\nx-lower: 1\r\n\r\n" +
		"5\r\nhello\r\n0\r\n\r\n" +
		"PUT /two HTTP/1.1\r\nHost: x\r\nCONTENT-LENGTH: 3\r\nheaderName: v\r\n\r\nabc" +
		"GET /three HTTP/1.1\r\nHost: x\r\ncache-control: no-cache\r\n\r\n"
	if _, err := io.WriteString(c, reqs); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	for _, want := range []string{"content-type,x-lower", "CONTENT-LENGTH,headerName", "cache-control"} {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != want {
			t.Errorf("got %q, want %q", b, want)
		}
	}
}

// FuzzHeaderWatcher feeds arbitrary bytes, split at an arbitrary point, to
// the connection watcher: it must not panic and must not hold more than
// its bounds.
func FuzzHeaderWatcher(f *testing.F) {
	f.Add([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), uint16(5))
	f.Add([]byte("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-T: 1\r\n\r\nGET /b HTTP/1.1\r\n\r\n"), uint16(40))
	f.Add([]byte("PUT / HTTP/1.1\r\nContent-Length: 2\r\n\r\nabGET / HTTP/1.1\r\nfoo: bar\r\n\r\n"), uint16(0))
	f.Fuzz(func(t *testing.T, data []byte, split uint16) {
		c := &caseConn{}
		k := int(split) % (len(data) + 1)
		c.feed(data[:k])
		c.feed(data[k:])
		if len(c.pending) > 64 || len(c.buf) > maxHeaderBlock+len(data) {
			t.Fatalf("watcher holds %d blocks, %d bytes", len(c.pending), len(c.buf))
		}
		for _, b := range c.pending {
			_ = c.take(strings.SplitN(b.requestLine, " ", 2)[0], "/")
		}
	})
}

// TestRefusedRequestThroughWatcher: a request net/http refuses itself
// (headers over the limit) is answered with a 431 the client reads whole,
// then a clean end: the watcher keeps the connection's CloseWrite.
func TestRefusedRequestThroughWatcher(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{ConnContext: ConnContext, MaxHeaderBytes: 1 << 16, Handler: http.NotFoundHandler()}
	go func() { _ = srv.Serve(PreserveHeaderCase(ln)) }()
	defer srv.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	go io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\nX-Filler: "+strings.Repeat("a", 200000)+"\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	if resp.StatusCode != 431 || err != nil {
		t.Fatalf("got %d %q, read error %v", resp.StatusCode, body, err)
	}
}
