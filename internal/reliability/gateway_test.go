package reliability

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// apps are the URLs of the test app's APIs in a running Nimbus.
type apps struct {
	edge, rest, http, ws string
}

func appURLs(t testing.TB, edge string) apps {
	return apps{edge: edge, rest: apiURL(t, edge, "REST"), http: apiURL(t, edge, "HTTP"), ws: apiURL(t, edge, "WEBSOCKET")}
}

// hostOf is the host:port of a URL.
func hostOf(t testing.TB, raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

// serving counts the goroutines that serve a client connection: HTTP
// connections (not the Runtime API's), the TLS sniffer, WebSocket readers
// and writers.
func serving() int {
	buf := make([]byte, 8<<20)
	buf = buf[:runtime.Stack(buf, true)]
	n := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "lambda/environment") {
			continue
		}
		if strings.Contains(g, "net/http.(*conn).serve") || strings.Contains(g, "httpserve.(*Server).dispatch") ||
			strings.Contains(g, "apigateway/websocket.(*conn)") {
			n++
		}
	}
	return n
}

// goroutineSummary counts goroutines by where they were created, to point
// at a leak.
func goroutineSummary() string {
	buf := make([]byte, 8<<20)
	buf = buf[:runtime.Stack(buf, true)]
	counts := map[string]int{}
	for _, g := range strings.Split(string(buf), "\n\n") {
		key := "?"
		if i := strings.LastIndex(g, "created by "); i >= 0 {
			key, _, _ = strings.Cut(g[i+len("created by "):], "\n")
		}
		counts[key]++
	}
	var lines []string
	for k, n := range counts {
		lines = append(lines, fmt.Sprintf("%5d %s", n, k))
	}
	sort.Sort(sort.Reverse(sort.StringSlice(lines)))
	return strings.Join(lines, "\n")
}

// resources is a snapshot of what a leak would grow. Function
// environments are counted apart: under concurrency the warm pool grows (as
// Lambda's does) and each environment holds a few goroutines and
// descriptors until it is reaped.
type resources struct{ goroutines, serving, fds, envs int }

// Per function environment: the process waiter, output reader, Runtime API
// server, its connection and background read; the listener, output pipe,
// connection and process handle.
const envGoroutines, envFDs = 6, 5

// environments counts live function environments (one output reader each).
func environments() int {
	buf := make([]byte, 8<<20)
	buf = buf[:runtime.Stack(buf, true)]
	return strings.Count(string(buf), "created by github.com/nimbus-dev/nimbus/internal/lambda/environment.newOutput")
}

func snapshot() resources {
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
	settle(2*time.Second, 0, serving)
	return resources{runtime.NumGoroutine(), serving(), openFDs(), environments()}
}

// checkNoLeak waits for goroutines, connection goroutines and descriptors
// to come back to what they were before (plus what new function
// environments hold).
func checkNoLeak(t *testing.T, before resources, what string) resources {
	t.Helper()
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
	newEnvs := max(0, environments()-before.envs)
	gLimit, fdLimit := before.goroutines+10+envGoroutines*newEnvs, before.fds+10+envFDs*newEnvs
	after := resources{
		serving:    settle(10*time.Second, before.serving, serving),
		goroutines: settle(10*time.Second, gLimit, runtime.NumGoroutine),
		fds:        settle(10*time.Second, fdLimit, openFDs),
		envs:       environments(),
	}
	if after.serving > before.serving || after.goroutines > gLimit || after.fds > fdLimit {
		t.Errorf("%s leaked: goroutines %d -> %d, connection goroutines %d -> %d, file descriptors %d -> %d (function environments %d -> %d)\n%s",
			what, before.goroutines, after.goroutines, before.serving, after.serving, before.fds, after.fds, before.envs, after.envs, goroutineSummary())
	}
	return after
}

// warm calls every API, with n concurrent slow calls to the function
// behind them, so that n warm environments exist and a leak check is not
// fooled by a new one.
func warm(t *testing.T, a apps, n int) {
	t.Helper()
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			u := a.rest + "/rest/warm?sleep=300"
			if i%2 == 1 {
				u = a.http + "/http/warm?sleep=300"
			}
			get(t, u)
		})
	}
	wg.Wait()
	for _, u := range []string{a.rest + "/rest/warm", a.http + "/http/warm", a.edge + "/_nimbus/health"} {
		get(t, u)
	}
}

func get(t *testing.T, u string) {
	resp, err := http.Get(u)
	if err != nil {
		t.Error(err)
		return
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("GET %s: %d", u, resp.StatusCode)
	}
}

// TestClientsVanish: clients that hang up in the middle of a request body,
// while their function runs, in the middle of a WebSocket handshake or
// frame. Nothing leaks and every API keeps answering.
func TestClientsVanish(t *testing.T) {
	requireTool(t, "python3", "apt-get install python3")
	srv := startApp(t, "testdata/app")
	a := appURLs(t, srv.URL())
	warm(t, a, 1)
	before := snapshot()

	send := func(addr, raw string, wait time.Duration) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(c, raw)
		if wait > 0 {
			time.Sleep(wait)
		}
		c.Close()
	}
	edge, rest, httpAPI, ws := hostOf(t, a.edge), hostOf(t, a.rest), hostOf(t, a.http), hostOf(t, a.ws)
	restPath := strings.TrimPrefix(a.rest, "http://"+rest)
	wsPath := strings.TrimPrefix(a.ws, "ws://"+ws)
	handshake := "GET " + wsPath + " HTTP/1.1\r\nHost: " + ws + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
	const rounds = 100
	cases := 0
	for i := range rounds {
		// Half a request body, then gone.
		send(edge, "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: DynamoDB_20120810.PutItem\r\nX-Amz-Date: 20260101T000000Z\r\nAuthorization: "+sigV4+"\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: 1000\r\n\r\n{\"TableName\":", 0)
		send(edge, "POST /2015-03-31/functions/faults/invocations HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n{\"how\":", 0)
		send(rest, "POST "+restPath+"/rest/x HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\nabc", 0)
		send(httpAPI, "POST /http/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc", 0)
		// Half the headers.
		send(edge, "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Tar", 0)
		// A whole request, gone while the function runs (which goes on;
		// waiting for it keeps one warm environment).
		if i%10 == 0 {
			send(rest, "GET "+restPath+"/rest/slow?sleep=100 HTTP/1.1\r\nHost: x\r\n\r\n", 20*time.Millisecond)
			time.Sleep(150 * time.Millisecond)
			send(httpAPI, "GET /http/slow?sleep=100 HTTP/1.1\r\nHost: x\r\n\r\n", 20*time.Millisecond)
			time.Sleep(150 * time.Millisecond)
		}
		// Half a handshake; a handshake then half a frame (masked, 1000
		// bytes announced, 10 sent); a TLS hello cut short.
		send(ws, handshake[:len(handshake)/2], 0)
		send(ws, handshake+"\x81\xfe\x03\xe8\x01\x02\x03\x04abcdefghij", 5*time.Millisecond)
		send(edge, "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 0)
		cases += 9
	}
	warm(t, a, 1)
	after := checkNoLeak(t, before, "clients hanging up")
	t.Logf("%d vanishing clients: goroutines %d -> %d, connection goroutines %d -> %d, fds %d -> %d",
		cases, before.goroutines, after.goroutines, before.serving, after.serving, before.fds, after.fds)
}

// TestConnectDisconnectCycles opens and closes 10,000 WebSocket
// connections and 10,000 HTTP connections (edge and API ports) and checks
// that goroutines and file descriptors come back to where they were.
func TestConnectDisconnectCycles(t *testing.T) {
	requireTool(t, "python3", "apt-get install python3")
	srv := startApp(t, "testdata/app")
	a := appURLs(t, srv.URL())
	warm(t, a, 8)
	cycles := 10_000
	before := snapshot()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	var wsDone, httpDone, failures atomic.Int64
	var wg sync.WaitGroup
	started := time.Now()
	const workers = 8
	for w := range workers {
		wg.Go(func() {
			for i := w; i < cycles; i += workers {
				conn, _, err := websocket.Dial(ctx, a.ws, nil)
				if err != nil {
					if failures.Add(1) < 5 {
						t.Errorf("websocket dial %d: %v", i, err)
					}
					continue
				}
				if i%3 == 0 {
					conn.CloseNow() // TCP gone without a close frame
				} else {
					conn.Close(websocket.StatusNormalClosure, "bye")
				}
				wsDone.Add(1)
			}
		})
		wg.Go(func() {
			client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 30 * time.Second}
			targets := []string{a.edge + "/_nimbus/health", a.http + "/http/cycle", a.rest + "/rest/cycle"}
			for i := w; i < cycles; i += workers {
				target := targets[0]
				if i%10 == 0 {
					target = targets[1+i%2]
				}
				resp, err := client.Get(target)
				if err != nil {
					if failures.Add(1) < 5 {
						t.Errorf("GET %s: %v", target, err)
					}
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					if failures.Add(1) < 5 {
						t.Errorf("GET %s: %d", target, resp.StatusCode)
					}
				}
				httpDone.Add(1)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(started)
	after := checkNoLeak(t, before, "connect/disconnect cycles")
	t.Logf("%d WebSocket and %d HTTP connections opened and closed in %s (%d failures): goroutines %d -> %d, connection goroutines %d -> %d, fds %d -> %d",
		wsDone.Load(), httpDone.Load(), elapsed.Round(time.Millisecond), failures.Load(), before.goroutines, after.goroutines, before.serving, after.serving, before.fds, after.fds)
}

// TestSlowClients: slowloris clients trickling headers or a body hold no
// one else up; normal requests keep their usual latency.
func TestSlowClients(t *testing.T) {
	requireTool(t, "python3", "apt-get install python3")
	srv := startApp(t, "testdata/app")
	a := appURLs(t, srv.URL())
	warm(t, a, 1)
	before := snapshot()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	const slow = 200
	var opened atomic.Int64
	for i := range slow {
		addr := []string{hostOf(t, a.edge), hostOf(t, a.rest), hostOf(t, a.http), hostOf(t, a.ws)}[i%4]
		wg.Go(func() {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				return
			}
			defer c.Close()
			opened.Add(1)
			start := "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: "
			if i%2 == 1 {
				start = "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\nX-Amz-Date: 20260101T000000Z\r\nAuthorization: " + sigV4 + "\r\nContent-Length: 100000\r\n\r\n{"
			}
			if _, err := io.WriteString(c, start); err != nil {
				return
			}
			tick := time.NewTicker(200 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
					if _, err := c.Write([]byte("a")); err != nil {
						return
					}
				}
			}
		})
	}
	time.Sleep(500 * time.Millisecond)
	var worst time.Duration
	for range 20 {
		for _, u := range []string{a.edge + "/_nimbus/health", a.rest + "/rest/ok", a.http + "/http/ok"} {
			t0 := time.Now()
			resp, err := http.Get(u)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			worst = max(worst, time.Since(t0))
		}
	}
	if worst > 2*time.Second {
		t.Errorf("with %d slow clients a normal request took %s", slow, worst)
	}
	cancel()
	wg.Wait()
	checkNoLeak(t, before, "slow clients")
	t.Logf("%d slowloris connections held open; slowest normal request %s", opened.Load(), worst.Round(time.Millisecond))
}

// TestSlowlorisTimesOut (long): a client that trickles its headers is
// disconnected once the header read deadline (30 s) passes; one that sends
// its headers and then stalls its body, once the body has made no progress
// for 30 s.
func TestSlowlorisTimesOut(t *testing.T) {
	if !longRuns() {
		t.Skip("waits for the 30 s read deadlines; NIMBUS_LONG=1 runs it")
	}
	srv := startApp(t, "")
	t.Run("headers", func(t *testing.T) {
		slowloris(t, srv.Addr().String(), "GET /_nimbus/health HTTP/1.1\r\nHost: x\r\nX-Slow: ", "a")
	})
	t.Run("body", func(t *testing.T) {
		c, err := net.Dial("tcp", srv.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\nX-Amz-Date: 20260101T000000Z\r\nAuthorization: "+sigV4+"\r\nContent-Length: 100\r\n\r\n{")
		started := time.Now()
		c.SetReadDeadline(time.Now().Add(45 * time.Second))
		b, err := io.ReadAll(c)
		if err != nil {
			t.Fatalf("a stalled body still holds its connection after %s: %v", time.Since(started), err)
		}
		t.Logf("stalled body: connection closed after %s (%q)", time.Since(started).Round(time.Millisecond), tail(string(b), 80))
	})
}

// slowloris sends start, then one more byte a second, and expects the
// server to hang up between 25 and 45 s later.
func slowloris(t *testing.T, addr, start, drip string) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, start)
	started := time.Now()
	closed := make(chan time.Duration, 1)
	go func() {
		buf := make([]byte, 1)
		for {
			if _, err := c.Read(buf); err != nil {
				closed <- time.Since(started)
				return
			}
		}
	}()
	for {
		select {
		case d := <-closed:
			if d < 25*time.Second {
				t.Fatalf("closed after %s, before the header deadline", d)
			}
			t.Logf("slowloris connection closed after %s", d.Round(time.Millisecond))
			return
		case <-time.After(time.Second):
			if time.Since(started) > 45*time.Second {
				t.Fatal("a client trickling its request is still connected after 45 s")
			}
			c.Write([]byte(drip))
		}
	}
}

// TestWebSocketBackPressure: a client that never reads gets posts until
// its bounded queue is full, then PostToConnection answers 429
// LimitExceededException; other connections are not slowed.
func TestWebSocketBackPressure(t *testing.T) {
	requireTool(t, "python3", "apt-get install python3")
	srv := startApp(t, "testdata/app")
	a := appURLs(t, srv.URL())
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	whoami := func(conn *websocket.Conn) string {
		if err := conn.Write(ctx, websocket.MessageText, []byte(`{"action":"whoami"}`)); err != nil {
			t.Fatal(err)
		}
		var me struct{ Me string }
		readJSON(ctx, t, conn, &me)
		return me.Me
	}
	deaf, _, err := websocket.Dial(ctx, a.ws, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer deaf.CloseNow()
	deafID := whoami(deaf)
	live, _, err := websocket.Dial(ctx, a.ws, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer live.CloseNow()
	liveID := whoami(live)

	post := func(id string, data []byte) int {
		resp, err := http.Post(a.edge+"/@connections/"+url.PathEscape(id), "application/octet-stream", strings.NewReader(string(data)))
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode == 429 && resp.Header.Get("X-Amzn-Errortype") != "LimitExceededException" {
			t.Errorf("429 with error type %q", resp.Header.Get("X-Amzn-Errortype"))
		}
		return resp.StatusCode
	}
	chunk := []byte(strings.Repeat("x", 32*1024))
	accepted := 0
	for accepted < 2000 {
		status := post(deafID, chunk)
		if status == 429 {
			break
		}
		if status != 200 {
			t.Fatalf("post %d to a client that does not read: %d", accepted, status)
		}
		accepted++
	}
	if accepted == 2000 {
		t.Fatalf("2000 posts of 32 KB (62 MB) accepted for a client that reads nothing: no back-pressure")
	}
	// The live connection is not slowed by the deaf one.
	var worst time.Duration
	for i := range 20 {
		t0 := time.Now()
		if status := post(liveID, fmt.Appendf(nil, `{"n":%d}`, i)); status != 200 {
			t.Fatalf("post to a reading client: %d", status)
		}
		var got struct{ N int }
		readJSON(ctx, t, live, &got)
		worst = max(worst, time.Since(t0))
	}
	if worst > time.Second {
		t.Errorf("posts to a reading client took up to %s while another did not read", worst)
	}
	t.Logf("a client that reads nothing took %d posts of 32 KB (%.1f MB incl. socket buffers) before 429; slowest post+delivery to a reading client %s",
		accepted, float64(accepted*len(chunk))/(1<<20), worst.Round(time.Microsecond))

	if !longRuns() {
		return
	}
	// After the write deadline (30 s) the deaf client is dropped.
	deadline := time.Now().Add(60 * time.Second)
	for post(deafID, []byte("x")) != 410 {
		if time.Now().After(deadline) {
			t.Fatal("a client that has not read for 60 s is still connected")
		}
		time.Sleep(time.Second)
	}
}
