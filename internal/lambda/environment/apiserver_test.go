package environment

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// dialAPI opens a raw connection to an environment's Runtime API.
func dialAPI(t *testing.T, addr string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	return c, bufio.NewReader(c)
}

func readResponse(t *testing.T, br *bufio.Reader) (*http.Response, string) {
	t.Helper()
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(body)
}

// invokeAsync starts an invocation and returns where its result arrives.
func invokeAsync(env *Env, id, payload string) chan *Result {
	results := make(chan *Result, 1)
	go func() {
		res, _ := env.Invoke(&Invocation{RequestID: id, Payload: []byte(payload)})
		results <- res
	}()
	return results
}

// TestRuntimeAPIProtocol covers the HTTP a runtime client may speak beyond
// what Go's client sends: HTTP/1.0, pipelined requests, chunked bodies
// with trailers, unknown paths and methods, malformed requests.
func TestRuntimeAPIProtocol(t *testing.T) {
	env, addr, first := startIdle(t, 5*time.Second)
	base := "/2018-06-01/runtime/invocation/"

	// The pending first next (Go's client) gets the first invocation.
	results := invokeAsync(env, "req-1", `{"n":1}`)
	resp := <-first
	resp.Body.Close()
	if code, _ := post(t, "http://"+addr+base+"req-1/response", `"one"`, nil); code != 202 {
		t.Fatalf("response: %d", code)
	}
	if res := <-results; string(res.Payload) != `"one"` {
		t.Fatalf("result %s", res.Payload)
	}

	// Two pipelined nexts on one connection are answered in order.
	c, br := dialAPI(t, addr)
	if _, err := io.WriteString(c, "GET "+base+"next HTTP/1.1\r\nHost: x\r\n\r\nGET "+base+"next HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	results = invokeAsync(env, "req-2", `{"n":2}`)
	resp, body := readResponse(t, br)
	if resp.StatusCode != 200 || body != `{"n":2}` || resp.Header.Get("Lambda-Runtime-Aws-Request-Id") != "req-2" {
		t.Fatalf("first pipelined next: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	// A chunked response with the streaming error trailers, on another
	// connection (the first still has the second next pending).
	c2, br2 := dialAPI(t, addr)
	if _, err := io.WriteString(c2, "POST "+base+"req-2/response HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTrailer: Lambda-Runtime-Function-Error-Type\r\n\r\n"+
		"5\r\npart1\r\n0\r\nLambda-Runtime-Function-Error-Type: Runtime.StreamError\r\nLambda-Runtime-Function-Error-Body: broke\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	res := <-results
	if res.FunctionError != "Unhandled" || !strings.Contains(string(res.Payload), `"errorType":"Runtime.StreamError"`) || !strings.Contains(string(res.Payload), "broke") {
		t.Fatalf("streamed error: %s %s", res.FunctionError, res.Payload)
	}
	if resp, body = readResponse(t, br2); resp.StatusCode != 202 {
		t.Fatalf("answer to the chunked response: %d %q", resp.StatusCode, body)
	}
	// The second pipelined next waited behind the first.
	results = invokeAsync(env, "req-3", `{"n":3}`)
	resp, body = readResponse(t, br)
	if resp.StatusCode != 200 || body != `{"n":3}` {
		t.Fatalf("second pipelined next: %d %q", resp.StatusCode, body)
	}
	// A chunked body arriving in pieces, without trailers.
	if _, err := io.WriteString(c, "POST "+base+"req-3/response HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n\"ab"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)
	if _, err := io.WriteString(c, "\r\n1;ext=1\r\n\"\r\n0\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	if res := <-results; res.FunctionError != "" || string(res.Payload) != `"ab"` {
		t.Fatalf("chunked result: %s %s", res.FunctionError, res.Payload)
	}
	if resp, _ = readResponse(t, br); resp.StatusCode != 202 {
		t.Fatalf("chunked response: %d", resp.StatusCode)
	}

	// A next whose connection closes before an invocation comes is
	// forgotten: the invocation goes to the next one.
	gone, _ := dialAPI(t, addr)
	_, _ = io.WriteString(gone, "GET "+base+"next HTTP/1.1\r\nHost: x\r\n\r\n")
	time.Sleep(20 * time.Millisecond)
	gone.Close()
	time.Sleep(20 * time.Millisecond)
	// HTTP/1.0: the answer closes the connection.
	c10, br10 := dialAPI(t, addr)
	_, _ = io.WriteString(c10, "GET "+base+"next HTTP/1.0\r\n\r\n")
	results = invokeAsync(env, "req-4", `{"n":4}`)
	resp, body = readResponse(t, br10)
	if resp.StatusCode != 200 || body != `{"n":4}` || !resp.Close {
		t.Fatalf("HTTP/1.0 next: %d %q close=%v", resp.StatusCode, body, resp.Close)
	}
	if _, err := br10.ReadByte(); err != io.EOF {
		t.Errorf("HTTP/1.0 connection still open after the answer: %v", err)
	}
	if code, _ := post(t, "http://"+addr+base+"req-4/response", `4`, nil); code != 202 {
		t.Fatalf("response 4: %d", code)
	}
	<-results

	// Unknown paths and methods, and malformed requests.
	for _, tc := range []struct {
		request string
		status  int
	}{
		{"GET /2018-06-01/runtime/unknown HTTP/1.1\r\nHost: x\r\n\r\n", 404},
		{"GET http://" + addr + base + "nobody/response HTTP/1.1\r\nHost: x\r\n\r\n", 405},
		{"POST " + base + "next HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", 405},
		{"GET " + base + "req-4/response HTTP/1.1\r\nHost: x\r\n\r\n", 405},
		{"GET " + base + "req-4/other HTTP/1.1\r\nHost: x\r\n\r\n", 404},
		{"BROKEN\r\n\r\n", 400},
		{"GET " + base + "next HTTP/9.9\r\n\r\n", 400},
		{"POST " + base + "x/response HTTP/1.1\r\nContent-Length: nope\r\n\r\n", 400},
		{"POST " + base + "x/response HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501},
	} {
		c, br := dialAPI(t, addr)
		_, _ = io.WriteString(c, tc.request)
		if resp, body := readResponse(t, br); resp.StatusCode != tc.status {
			t.Errorf("%q: %d %q, want %d", tc.request, resp.StatusCode, body, tc.status)
		}
	}
}

// TestRuntimeAPIWithCurl: curl, the client of shell and PHP custom
// runtimes, sends bodies over 1 KB with Expect: 100-continue and waits a
// second for the 100 unless the server sends it.
func TestRuntimeAPIWithCurl(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("curl is required under CI")
		}
		t.Skip("curl not installed (apt-get install curl)")
	}
	env, addr, first := startIdle(t, 5*time.Second)
	results := invokeAsync(env, "req-curl", `{}`)
	(<-first).Body.Close()
	big := strings.Repeat("x", 100<<10)
	file := t.TempDir() + "/body"
	if err := os.WriteFile(file, []byte(`"`+big+`"`), 0o644); err != nil {
		t.Fatal(err)
	}
	started := time.Now()
	out, err := exec.CommandContext(context.Background(), "curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}",
		"--data-binary", "@"+file, "http://"+addr+"/2018-06-01/runtime/invocation/req-curl/response").CombinedOutput()
	if err != nil || string(out) != "202" {
		t.Fatalf("curl: %v %s", err, out)
	}
	if took := time.Since(started); took > 900*time.Millisecond {
		t.Errorf("curl took %s: the 100 Continue was not sent", took)
	}
	if res := <-results; len(res.Payload) != len(big)+2 {
		t.Errorf("payload of %d bytes, want %d", len(res.Payload), len(big)+2)
	}
}

// discardConn is a net.Conn whose writes go nowhere, for the fuzz target.
type discardConn struct{ net.Conn }

func (discardConn) Write(p []byte) (int, error) { return len(p), nil }

// FuzzRuntimeAPIRequest feeds arbitrary bytes to the request parser and
// body reader: they must return, never panic, and never read a body past
// the limit.
func FuzzRuntimeAPIRequest(f *testing.F) {
	f.Add([]byte("GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n"))
	f.Add([]byte("POST /2018-06-01/runtime/invocation/a/response HTTP/1.1\r\nContent-Length: 3\r\n\r\n\"x\""))
	f.Add([]byte("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n2\r\nab\r\n0\r\nLambda-Runtime-Function-Error-Type: T\r\n\r\n"))
	f.Add([]byte("GET /%2e%2e/a?b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c := &apiConn{nc: discardConn{}, br: bufio.NewReaderSize(bytes.NewReader(data), 16)}
		req := &apiRequest{}
		for range 4 {
			if err := c.readRequest(req); err != nil {
				return
			}
			body, _, tooLarge, err := c.readBody(req, 64)
			if err != nil {
				return
			}
			if len(body) > 64 || (tooLarge && body != nil) {
				t.Fatalf("body of %d bytes past the limit (tooLarge %v)", len(body), tooLarge)
			}
		}
	})
}
