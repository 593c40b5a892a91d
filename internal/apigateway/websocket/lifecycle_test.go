package websocket

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	"github.com/aws/smithy-go"
	"github.com/coder/websocket"
)

// dialCapturing dials and also returns the raw TCP connection under the
// WebSocket, so a test can drop it without a close frame.
func (e *env) dialCapturing(suffix string) (*websocket.Conn, net.Conn) {
	e.t.Helper()
	var raw net.Conn
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		raw = c
		return c, err
	}}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, e.wsURL(suffix), &websocket.DialOptions{HTTPClient: &http.Client{Transport: tr}})
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { _ = c.CloseNow() })
	return c, raw
}

func TestAbruptTCPLossFiresDisconnect(t *testing.T) {
	rec := newRecorder()
	inv := &funcInvoker{}
	inv.set("connect", rec.wrap(nil))
	inv.set("disconnect", rec.wrap(nil))
	e := newEnv(t, chatAPI(), inv, Options{})
	_, raw := e.dialCapturing("")
	id := rec.next(t, "$connect").ev.RequestContext.ConnectionID
	_ = raw.Close()
	got := rec.next(t, "$disconnect")
	rc := got.ev.RequestContext
	if rc.ConnectionID != id || rc.EventType != "DISCONNECT" || rc.DisconnectStatusCode != 1006 {
		t.Errorf("$disconnect %+v", rc)
	}
	if rc.DisconnectReason == nil || *rc.DisconnectReason != "" {
		t.Errorf("disconnectReason %v", rc.DisconnectReason)
	}
	// The event's fixed header set.
	if got.ev.Headers["Host"] != rc.DomainName || len(got.ev.Headers) != 4 || got.ev.Body != "" {
		t.Errorf("DISCONNECT headers %v body %q", got.ev.Headers, got.ev.Body)
	}
	if e.gw.Connections() != 0 {
		t.Errorf("%d connections left", e.gw.Connections())
	}
}

func TestCloseWithoutStatusReports1005(t *testing.T) {
	rec := newRecorder()
	inv := &funcInvoker{}
	inv.set("connect", rec.wrap(nil))
	inv.set("disconnect", rec.wrap(nil))
	e := newEnv(t, chatAPI(), inv, Options{})
	c := e.dial("", nil)
	_ = c.Close(websocket.StatusNoStatusRcvd, "") // an empty close frame
	rc := rec.next(t, "$disconnect").ev.RequestContext
	if rc.DisconnectStatusCode != 1005 || *rc.DisconnectReason != "" {
		t.Errorf("$disconnect %d %q", rc.DisconnectStatusCode, *rc.DisconnectReason)
	}
}

func TestHandshakeRefusedByConnect(t *testing.T) {
	inv := &funcInvoker{}
	inv.set("connect", func(_ context.Context, ev events.APIGatewayWebsocketProxyRequest, _ []byte) (any, error) {
		switch ev.QueryStringParameters["mode"] {
		case "deny":
			return map[string]any{"statusCode": 401, "body": "no token"}, nil
		case "crash":
			return nil, errors.New("connect handler crashed")
		case "string-status":
			return map[string]any{"statusCode": "403"}, nil
		}
		return map[string]any{"statusCode": 200}, nil
	})
	disconnects := newRecorder()
	inv.set("disconnect", disconnects.wrap(nil))
	e := newEnv(t, chatAPI(), inv, Options{})
	for _, tc := range []struct {
		mode   string
		status int
		body   string
	}{
		{"deny", 401, "no token"},
		{"crash", 502, `{"message": "Internal server error"}`},
		{"string-status", 403, ""},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, resp, err := websocket.Dial(ctx, e.wsURL("?mode="+tc.mode), nil)
		cancel()
		if err == nil {
			t.Fatalf("%s: handshake succeeded", tc.mode)
		}
		if resp == nil || resp.StatusCode != tc.status {
			t.Fatalf("%s: response %v, want %d", tc.mode, resp, tc.status)
		}
		if tc.body != "" {
			b, _ := io.ReadAll(resp.Body)
			if string(b) != tc.body {
				t.Errorf("%s: body %q", tc.mode, b)
			}
		}
	}
	if e.gw.Connections() != 0 {
		t.Errorf("refused handshakes left %d connections", e.gw.Connections())
	}
	select {
	case rec := <-disconnects.ch:
		t.Errorf("$disconnect fired for a refused handshake: %+v", rec.ev.RequestContext)
	case <-time.After(100 * time.Millisecond):
	}
}

func TestSubprotocolFromConnectResponse(t *testing.T) {
	inv := &funcInvoker{}
	// AWS's documented example: accept only clients offering "myprotocol".
	inv.set("connect", func(_ context.Context, ev events.APIGatewayWebsocketProxyRequest, _ []byte) (any, error) {
		for _, p := range strings.Split(ev.Headers["Sec-WebSocket-Protocol"], ",") {
			if strings.TrimSpace(p) == "myprotocol" {
				return map[string]any{"statusCode": 200, "headers": map[string]string{"Sec-WebSocket-Protocol": "myprotocol"}}, nil
			}
		}
		return map[string]any{"statusCode": 400}, nil
	})
	e := newEnv(t, chatAPI(), inv, Options{})
	c := e.dial("", &websocket.DialOptions{Subprotocols: []string{"chat1", "myprotocol"}})
	if c.Subprotocol() != "myprotocol" {
		t.Errorf("negotiated %q", c.Subprotocol())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, resp, err := websocket.Dial(ctx, e.wsURL(""), &websocket.DialOptions{Subprotocols: []string{"chat1"}})
	if err == nil || resp == nil || resp.StatusCode != 400 {
		t.Errorf("unsupported subprotocol: %v %v", resp, err)
	}
}

func TestIdleTimeoutAndMaxDuration(t *testing.T) {
	t.Parallel()
	rec := newRecorder()
	inv := &funcInvoker{}
	inv.set("connect", rec.wrap(nil))
	inv.set("disconnect", rec.wrap(nil))
	inv.set("default", rec.wrap(nil))

	idle := newEnv(t, chatAPI(), inv, Options{IdleTimeout: 300 * time.Millisecond})
	c := idle.dial("", nil)
	// Traffic keeps the connection open past the timeout.
	for range 4 {
		time.Sleep(100 * time.Millisecond)
		sendText(t, c, "keepalive")
	}
	start := time.Now()
	ce := readClose(t, c)
	if ce.Code != websocket.StatusGoingAway || ce.Reason != "Going away" {
		t.Errorf("idle close %v", ce)
	}
	if time.Since(start) < 150*time.Millisecond {
		t.Errorf("closed %v after the last message, before the idle timeout", time.Since(start))
	}
	rc := rec.next(t, "$disconnect").ev.RequestContext
	if rc.DisconnectStatusCode != 1001 || *rc.DisconnectReason != "Going away" {
		t.Errorf("idle $disconnect %d %q", rc.DisconnectStatusCode, *rc.DisconnectReason)
	}

	maxed := newEnv(t, chatAPI(), inv, Options{MaxConnectionDuration: 300 * time.Millisecond})
	m := maxed.dial("", nil)
	done := make(chan websocket.CloseError, 1)
	go func() { done <- readClose(t, m) }()
	for i := 0; i < 6; i++ {
		time.Sleep(30 * time.Millisecond)
		_ = m.Write(context.Background(), websocket.MessageText, []byte("busy"))
	}
	select {
	case ce := <-done:
		if ce.Code != websocket.StatusGoingAway {
			t.Errorf("max duration close %v", ce)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("connection outlived its maximum duration")
	}
}

func TestPingsKeepTheConnectionAlive(t *testing.T) {
	t.Parallel()
	api := chatAPI()
	api.Routes = nil
	e := newEnv(t, api, &funcInvoker{}, Options{IdleTimeout: 300 * time.Millisecond})
	c := e.dial("", nil)
	closed := make(chan websocket.CloseError, 1)
	go func() { closed <- readClose(t, c) }() // reads, so pongs are seen
	start := time.Now()
	for range 5 {
		time.Sleep(100 * time.Millisecond)
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := c.Ping(ctx)
		cancel()
		if err != nil {
			t.Fatalf("ping: %v", err)
		}
	}
	ce := <-closed
	if ce.Code != websocket.StatusGoingAway || time.Since(start) < 600*time.Millisecond {
		t.Errorf("closed with %v after %v despite pings", ce, time.Since(start))
	}
}

func TestQuotasCloseTheConnection(t *testing.T) {
	t.Parallel()
	rec := newRecorder()
	inv := &funcInvoker{}
	inv.set("connect", rec.wrap(nil))
	inv.set("disconnect", rec.wrap(nil))
	inv.set("default", rec.wrap(nil))
	e := newEnv(t, chatAPI(), inv, Options{})

	// A 40 KB message sent as one frame breaks the 32 KB frame quota.
	c := e.dial("", nil)
	sendText(t, c, strings.Repeat("a", 40*1024))
	if ce := readClose(t, c); ce.Code != websocket.StatusMessageTooBig {
		t.Errorf("oversized frame: close %v", ce)
	}
	if rc := rec.next(t, "$disconnect").ev.RequestContext; rc.DisconnectStatusCode != 1009 {
		t.Errorf("oversized frame: $disconnect %d", rc.DisconnectStatusCode)
	}

	// The same 40 KB in 32 KB frames is fine: the route gets it whole.
	c = e.dial("", nil)
	w, err := c.Writer(context.Background(), websocket.MessageText)
	if err != nil {
		t.Fatal(err)
	}
	payload := strings.Repeat("b", 40*1024)
	_, _ = w.Write([]byte(payload[:MaxFrameSize]))
	_, _ = w.Write([]byte(payload[MaxFrameSize:]))
	_ = w.Close()
	if got := rec.next(t, "$default").ev.Body; got != payload {
		t.Errorf("fragmented message arrived as %d bytes", len(got))
	}

	// Over 128 KB in small frames breaks the message quota.
	w, err = c.Writer(context.Background(), websocket.MessageText)
	if err != nil {
		t.Fatal(err)
	}
	chunk := bytes.Repeat([]byte("c"), 16*1024)
	for range 9 {
		if _, err := w.Write(chunk); err != nil {
			break
		}
	}
	_ = w.Close()
	if ce := readClose(t, c); ce.Code != websocket.StatusMessageTooBig {
		t.Errorf("oversized message: close %v", ce)
	}
	if rc := rec.next(t, "$disconnect").ev.RequestContext; rc.DisconnectStatusCode != 1009 {
		t.Errorf("oversized message: $disconnect %d", rc.DisconnectStatusCode)
	}

	// Binary frames are refused with 1003.
	c = e.dial("", nil)
	_ = c.Write(context.Background(), websocket.MessageBinary, []byte{1, 2, 3})
	if ce := readClose(t, c); ce.Code != websocket.StatusUnsupportedData {
		t.Errorf("binary frame: close %v", ce)
	}
	if rc := rec.next(t, "$disconnect").ev.RequestContext; rc.DisconnectStatusCode != 1003 {
		t.Errorf("binary frame: $disconnect %d", rc.DisconnectStatusCode)
	}
}

// TestSlowClientDoesNotStallOthers: a client that never reads fills its
// bounded queue (LimitExceededException), is disconnected when a write
// blocks past the write timeout, and other clients are served meanwhile.
func TestSlowClientDoesNotStallOthers(t *testing.T) {
	t.Parallel()
	rec := newRecorder()
	inv := &funcInvoker{}
	inv.set("connect", rec.wrap(nil))
	inv.set("disconnect", rec.wrap(nil))
	e := newEnv(t, chatAPI(), inv, Options{SendQueueBytes: 256 * 1024, WriteTimeout: 500 * time.Millisecond})
	slow, raw := e.dialCapturing("")
	_ = slow
	slowID := rec.next(t, "$connect").ev.RequestContext.ConnectionID
	fast := e.dial("", nil)
	fastID := rec.next(t, "$connect").ev.RequestContext.ConnectionID
	// Keep the slow client's socket from reading: its receive buffer fills.
	if tc, ok := raw.(*net.TCPConn); ok {
		_ = tc.SetReadBuffer(4096)
	}
	client := e.mgmt()
	ctx := context.Background()
	data := bytes.Repeat([]byte("z"), 64*1024)
	// Posting goes on past the first LimitExceededException: the queue can
	// fill before the writer first runs, while the socket's buffers still
	// have room. It stops once the blocked write has timed out (Gone).
	limited, gone := false, false
	for i := 0; i < 400 && !gone; i++ {
		_, err := client.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: aws.String(slowID), Data: data})
		var api smithy.APIError
		switch {
		case err == nil:
		case errors.As(err, &api) && api.ErrorCode() == "LimitExceededException":
			if !limited {
				t.Logf("post %d: limited", i)
			}
			limited = true
			time.Sleep(10 * time.Millisecond)
		case errors.As(err, &api) && api.ErrorCode() == "GoneException":
			t.Logf("post %d: gone", i)
			gone = true
		default:
			t.Fatalf("post %d: %v", i, err)
		}
		if _, err := client.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: aws.String(fastID), Data: []byte("tick")}); err != nil {
			t.Fatalf("fast client post: %v", err)
		}
		if got := readText(t, fast); got != "tick" {
			t.Fatalf("fast client got %q", got)
		}
	}
	if !limited || !gone {
		t.Fatalf("a client that never reads: limited %v, dropped %v", limited, gone)
	}
	rc := rec.next(t, "$disconnect").ev.RequestContext
	if rc.ConnectionID != slowID || rc.DisconnectStatusCode != 1006 {
		t.Errorf("slow client $disconnect %s %d", rc.ConnectionID, rc.DisconnectStatusCode)
	}
}

func TestShutdownClosesAndUpdateKeeps(t *testing.T) {
	rec := newRecorder()
	inv := &funcInvoker{}
	inv.set("connect", rec.wrap(nil))
	inv.set("disconnect", rec.wrap(nil))
	inv.set("default", rec.wrap(nil))
	inv.set("v2", rec.wrap(nil))
	e := newEnv(t, chatAPI(), inv, Options{})
	c := e.dial("", nil)
	waitFor(t, func() bool { return e.gw.Connections() == 1 })

	// Update in place: the connection stays and the new route applies.
	api := chatAPI()
	api.Routes[2].Integration = proxy("v2")
	if err := e.gw.Update(api); err != nil {
		t.Fatal(err)
	}
	sendText(t, c, "after update")
	if got := rec.next(t, "$default"); got.ev.Body != "after update" {
		t.Errorf("body %q", got.ev.Body)
	}
	other := chatAPI()
	other.Stage = "prod"
	if err := e.gw.Update(other); err == nil {
		t.Error("Update changed the stage")
	}

	closed := make(chan websocket.CloseError, 1)
	go func() { closed <- readClose(t, c) }()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	if err := e.gw.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if time.Since(start) > time.Second {
		t.Errorf("shutdown took %v with a responsive client", time.Since(start))
	}
	if ce := <-closed; ce.Code != websocket.StatusGoingAway {
		t.Errorf("shutdown close %v", ce)
	}
	if rc := rec.next(t, "$disconnect").ev.RequestContext; rc.DisconnectStatusCode != 1001 {
		t.Errorf("shutdown $disconnect %d", rc.DisconnectStatusCode)
	}
	dctx, dcancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer dcancel()
	if _, resp, err := websocket.Dial(dctx, e.wsURL(""), nil); err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("handshake after shutdown: %v %v", resp, err)
	}
}
