package httpserve

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nimbus-dev/nimbus/internal/tlsca"
)

// TestRefusedRequestReadsCleanly: when net/http refuses a request itself
// (headers over the limit), the client on a sniffed (plain+TLS) port reads
// the whole 431 and then a clean end, not a connection reset.
func TestRefusedRequestReadsCleanly(t *testing.T) {
	ca, err := tlsca.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	srv, err := Listen("127.0.0.1:0", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}), Options{TLS: ca.ServerConfig()})
	if err != nil {
		t.Fatal(err)
	}
	srv.Start()
	defer srv.Close()
	c, err := net.Dial("tcp", srv.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	go io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\nX-Filler: "+strings.Repeat("a", 1100000)+"\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	if resp.StatusCode != 431 || err != nil {
		t.Fatalf("got %d %q, read error %v", resp.StatusCode, body, err)
	}
}
