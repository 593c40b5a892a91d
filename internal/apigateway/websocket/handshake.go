package websocket

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/coder/websocket"

	"github.com/nimbus-dev/nimbus/internal/apigateway/gateway"
)

// serveHandshake runs the $connect route and, when it allows, upgrades the
// request. Until the integration answers, the handshake waits; a non-2xx
// status refuses it with that status, as API Gateway does.
func (g *Gateway) serveHandshake(w http.ResponseWriter, r *http.Request, cfg *config) {
	if !isUpgrade(r) {
		w.Header().Set("Upgrade", "websocket")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUpgradeRequired)
		_, _ = w.Write([]byte(`{"message":"Upgrade Required"}`))
		return
	}
	// A handshake the upgrade would refuse never reaches $connect.
	if r.Header.Get("Sec-WebSocket-Version") != "13" {
		w.Header().Set("Sec-WebSocket-Version", "13")
		http.Error(w, "unsupported Sec-WebSocket-Version (13 is required)", http.StatusUpgradeRequired)
		return
	}
	if r.Header.Get("Sec-WebSocket-Key") == "" {
		http.Error(w, "missing Sec-WebSocket-Key", http.StatusBadRequest)
		return
	}
	g.mu.Lock()
	closing := g.closing
	g.mu.Unlock()
	if closing {
		writeForbidden(w)
		return
	}
	now := time.Now()
	client := clientInfo{sourceIP: gateway.SourceIP(r), userAgent: r.UserAgent(), connectedAt: now}
	id := newID()

	var subprotocols []string
	if rt := cfg.routes[routeConnect]; rt != nil {
		requestID := newID()
		ev := g.connectEvent(cfg, r, client, id, requestID, now)
		res, err := g.integrate(context.WithoutCancel(r.Context()), &request{route: rt, event: ev})
		if err != nil {
			g.logger.Warn("$connect integration failed", "connectionId", id, "requestId", requestID, "error", err)
			status, msg := http.StatusBadGateway, "Internal server error"
			if errors.Is(err, errIntegrationTimeout) {
				status, msg = http.StatusGatewayTimeout, "Endpoint request timed out"
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_, _ = w.Write([]byte(`{"message": "` + msg + `"}`))
			return
		}
		if res.statusCode < 200 || res.statusCode > 299 {
			g.logger.Info("$connect refused the connection", "connectionId", id, "status", res.statusCode)
			if ct := res.headers.Get("Content-Type"); ct != "" {
				w.Header().Set("Content-Type", ct)
			}
			w.WriteHeader(res.statusCode)
			_, _ = w.Write(res.body)
			return
		}
		for _, p := range strings.Split(res.headers.Get("Sec-WebSocket-Protocol"), ",") {
			if p = strings.TrimSpace(p); p != "" {
				subprotocols = append(subprotocols, p)
			}
		}
	}

	c := newConn(g, id, client, cfg)
	registered, tracked := false, false
	gw := &guardedWriter{ResponseWriter: w, beforeHijack: func() {
		if !g.track(c) {
			// The stage went away while $connect ran.
			c.untracked = true
			c.cause.Store(&closeCause{code: closeGoingAway, reason: reasonGoingAway})
			return
		}
		tracked = true
		if err := g.reg.Register(c); err != nil {
			g.logger.Error("registering connection failed", "connectionId", id, "error", err)
			c.cause.Store(&closeCause{code: int(websocket.StatusInternalError)})
			return
		}
		registered = true
	}}
	ws, err := websocket.Accept(gw, r, &websocket.AcceptOptions{
		Subprotocols:       subprotocols,
		InsecureSkipVerify: true, // API Gateway accepts any Origin
		CompressionMode:    websocket.CompressionDisabled,
		// A ping from the client is traffic: it keeps the connection from
		// idling out.
		OnPingReceived: func(context.Context, []byte) bool {
			c.touch()
			return true
		},
	})
	if err != nil {
		g.logger.Debug("handshake failed", "connectionId", id, "error", err)
		if registered {
			g.reg.Unregister(c)
		}
		if tracked {
			g.untrack(c)
			g.wg.Done()
		}
		return
	}
	g.logger.Debug("connected", "connectionId", id, "sourceIp", client.sourceIP)
	c.start(ws, gw.guard)
	c.startTimers(cfg.maxAge)
	// The reader gets a fresh, shallow goroutine; the HTTP server's
	// goroutine (with the stack the handshake grew) ends here.
	go c.run()
}

// isUpgrade reports whether r asks for a WebSocket upgrade.
func isUpgrade(r *http.Request) bool {
	return r.Method == http.MethodGet &&
		headerHasToken(r.Header, "Connection", "upgrade") &&
		headerHasToken(r.Header, "Upgrade", "websocket")
}

func headerHasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}
