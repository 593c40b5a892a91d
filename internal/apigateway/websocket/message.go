package websocket

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"time"
	"unicode/utf8"

	"github.com/nimbus-dev/nimbus/internal/apigateway/websocket/registry"
	"github.com/nimbus-dev/nimbus/internal/apigateway/websocket/selection"
)

// Client-facing messages of API Gateway's error frames.
const (
	frameForbidden     = "Forbidden"
	frameInternalError = "Internal server error"
	frameTimedOut      = "Endpoint request timed out"
)

// contentHandlingBinary converts a base64 text message into binary before
// the integration sees it.
const contentHandlingBinary = "CONVERT_TO_BINARY"

// handleMessage routes one client message: it evaluates the route
// selection expression, invokes the matching route (or $default), and
// sends the route response of two-way routes. A message no route takes
// gets API Gateway's "Forbidden" frame; a failed integration gets
// "Internal server error".
func (g *Gateway) handleMessage(c *conn, data []byte) {
	cfg := g.cfg.Load()
	now := time.Now()
	requestID := newID()
	key, ok := cfg.selector.Evaluate(selection.Input{Body: data})
	rt := cfg.match(key, ok)
	if rt == nil {
		g.logger.Debug("no route for message", "connectionId", c.id, "routeKey", key)
		c.sendErrorFrame(frameForbidden, requestID)
		return
	}
	body, isBase64 := string(data), false
	if rt.integ != nil && rt.integ.ContentHandling == contentHandlingBinary {
		raw, err := decodeBase64(body)
		if err != nil {
			g.logger.Warn("CONVERT_TO_BINARY on a message that is not base64", "connectionId", c.id, "route", rt.key)
			c.sendErrorFrame(frameInternalError, requestID)
			return
		}
		body, isBase64 = base64.StdEncoding.EncodeToString(raw), true
	}
	ev := g.messageEvent(cfg, c.client, c.id, rt.key, requestID, body, isBase64, now)
	res, err := g.integrate(context.Background(), &request{route: rt, event: ev})
	if err != nil {
		g.logger.Warn("route integration failed", "connectionId", c.id, "route", rt.key, "requestId", requestID, "error", err)
		msg := frameInternalError
		if errors.Is(err, errIntegrationTimeout) {
			msg = frameTimedOut
		}
		c.sendErrorFrame(msg, requestID)
		return
	}
	if rt.twoWay && res.present {
		_ = c.Send(registry.Message{Data: res.body, Binary: !utf8.Valid(res.body)})
	}
}

// sendErrorFrame sends API Gateway's error frame, spaced as API Gateway
// spaces it: {"message": "Forbidden", "connectionId":"…", "requestId":"…"}.
func (c *conn) sendErrorFrame(message, requestID string) {
	m, _ := json.Marshal(message)
	id, _ := json.Marshal(c.id)
	rid, _ := json.Marshal(requestID)
	frame := make([]byte, 0, 96)
	frame = append(frame, `{"message": `...)
	frame = append(frame, m...)
	frame = append(frame, `, "connectionId":`...)
	frame = append(frame, id...)
	frame = append(frame, `, "requestId":`...)
	frame = append(frame, rid...)
	frame = append(frame, '}')
	_ = c.Send(registry.Message{Data: frame})
}

// fireDisconnect invokes the $disconnect route, best effort as in AWS.
func (g *Gateway) fireDisconnect(c *conn, cause closeCause) {
	cfg := g.cfg.Load()
	g.logger.Debug("disconnected", "connectionId", c.id, "code", cause.code, "reason", cause.reason)
	rt := cfg.routes[routeDisconnect]
	if rt == nil {
		return
	}
	requestID := newID()
	ev := g.disconnectEvent(cfg, c.client, c.id, requestID, cause.code, cause.reason, time.Now())
	if _, err := g.integrate(context.Background(), &request{route: rt, event: ev}); err != nil {
		g.logger.Warn("$disconnect integration failed", "connectionId", c.id, "requestId", requestID, "error", err)
	}
}
