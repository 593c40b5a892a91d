package rest

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

// TestUnreadableBody: a body that cannot be read (malformed chunked
// encoding) is a 400, not an empty 200.
func TestUnreadableBody(t *testing.T) {
	inv := newInvoker()
	inv.returns("fn", `{"statusCode":200,"body":"ran"}`)
	_, base := serve(t, proxyAPI(lambdaProxy("POST", "/upload", "fn")), inv)
	c, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "POST /testStage/upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 400 || string(body) != `{"message":"Bad Request"}` || resp.Header.Get("x-amzn-ErrorType") != "BadRequestException" {
		t.Fatalf("got %d %q %v", resp.StatusCode, body, resp.Header)
	}
}
