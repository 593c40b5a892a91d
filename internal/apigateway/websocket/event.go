package websocket

import (
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/nimbus-dev/nimbus/internal/apigateway/gateway"
)

// Event types and route keys as API Gateway names them.
const (
	eventConnect    = "CONNECT"
	eventMessage    = "MESSAGE"
	eventDisconnect = "DISCONNECT"

	routeConnect    = "$connect"
	routeDisconnect = "$disconnect"
	routeDefault    = "$default"
)

// wireHeaderNames restores the usual spelling of headers that Go's
// canonicalisation changes, when the server could not record the client's
// own spelling (see gateway.HeaderNames), so handlers indexing
// event.headers by their usual names ("Sec-WebSocket-Key") find them.
var wireHeaderNames = map[string]string{
	"Sec-Websocket-Key":        "Sec-WebSocket-Key",
	"Sec-Websocket-Version":    "Sec-WebSocket-Version",
	"Sec-Websocket-Extensions": "Sec-WebSocket-Extensions",
	"Sec-Websocket-Protocol":   "Sec-WebSocket-Protocol",
}

// droppedHeaders are hop-by-hop handshake headers API Gateway does not pass
// to the $connect integration.
var droppedHeaders = map[string]bool{
	"Connection": true,
	"Upgrade":    true,
}

// clientInfo is what a connection remembers of its handshake.
type clientInfo struct {
	sourceIP    string
	userAgent   string
	connectedAt time.Time
}

// baseContext fills the requestContext fields every event type carries.
func (g *Gateway) baseContext(cfg *config, c clientInfo, connectionID, routeKey, eventType, requestID string, now time.Time) events.APIGatewayWebsocketProxyRequestContext {
	return events.APIGatewayWebsocketProxyRequestContext{
		RouteKey:          routeKey,
		EventType:         eventType,
		ExtendedRequestID: requestID,
		RequestTime:       gateway.CLFTime(now),
		MessageDirection:  "IN",
		Stage:             cfg.api.Stage,
		ConnectedAt:       c.connectedAt.UnixMilli(),
		RequestTimeEpoch:  now.UnixMilli(),
		Identity: events.APIGatewayRequestIdentity{
			SourceIP:  c.sourceIP,
			UserAgent: c.userAgent,
		},
		RequestID:    requestID,
		DomainName:   cfg.domainName,
		ConnectionID: connectionID,
		APIID:        cfg.api.ID,
	}
}

// connectEvent builds the $connect event from the handshake request:
// headers (with API Gateway's X-Amzn-Trace-Id and X-Forwarded-*), and the
// query string when there is one.
func (g *Gateway) connectEvent(cfg *config, r *http.Request, c clientInfo, connectionID, requestID string, now time.Time) *events.APIGatewayWebsocketProxyRequest {
	ev := &events.APIGatewayWebsocketProxyRequest{
		Headers:           map[string]string{},
		MultiValueHeaders: map[string][]string{},
		StageVariables:    cfg.stageVariables(),
		RequestContext:    g.baseContext(cfg, c, connectionID, routeConnect, eventConnect, requestID, now),
	}
	set := func(name string, values []string) {
		if len(values) == 0 {
			return
		}
		ev.Headers[name] = values[len(values)-1]
		ev.MultiValueHeaders[name] = append([]string(nil), values...)
	}
	names := gateway.HeaderNames(r)
	spelling := func(canonical string) string {
		if names != nil {
			return names.Name(canonical)
		}
		if wire, ok := wireHeaderNames[canonical]; ok {
			return wire
		}
		return canonical
	}
	if r.Host != "" {
		set(spelling("Host"), []string{r.Host})
	}
	for name, values := range r.Header {
		switch name {
		case "Host", "X-Forwarded-For", "X-Forwarded-Port", "X-Forwarded-Proto", "X-Amzn-Trace-Id":
			continue
		}
		if droppedHeaders[name] {
			continue
		}
		set(spelling(name), values)
	}
	xff, port, proto, trace := gateway.ForwardedHeaders(r, gateway.NewTraceID(now.Unix()))
	set("X-Forwarded-For", []string{xff})
	set("X-Forwarded-Port", []string{port})
	set("X-Forwarded-Proto", []string{proto})
	set("X-Amzn-Trace-Id", []string{trace})

	if q := r.URL.Query(); len(q) > 0 {
		ev.QueryStringParameters = make(map[string]string, len(q))
		ev.MultiValueQueryStringParameters = make(map[string][]string, len(q))
		for k, vs := range q {
			ev.QueryStringParameters[k] = vs[len(vs)-1]
			ev.MultiValueQueryStringParameters[k] = vs
		}
	}
	return ev
}

// messageEvent builds the event for one incoming message.
func (g *Gateway) messageEvent(cfg *config, c clientInfo, connectionID, routeKey, requestID, body string, base64Body bool, now time.Time) *events.APIGatewayWebsocketProxyRequest {
	rc := g.baseContext(cfg, c, connectionID, routeKey, eventMessage, requestID, now)
	rc.MessageID = newID()
	return &events.APIGatewayWebsocketProxyRequest{
		StageVariables:  cfg.stageVariables(),
		RequestContext:  rc,
		Body:            body,
		IsBase64Encoded: base64Body,
	}
}

// disconnectEvent builds the $disconnect event. Its headers are the fixed
// set API Gateway sends once the client is gone.
func (g *Gateway) disconnectEvent(cfg *config, c clientInfo, connectionID, requestID string, code int, reason string, now time.Time) *events.APIGatewayWebsocketProxyRequest {
	rc := g.baseContext(cfg, c, connectionID, routeDisconnect, eventDisconnect, requestID, now)
	rc.DisconnectStatusCode = int64(code)
	rc.DisconnectReason = &reason
	return &events.APIGatewayWebsocketProxyRequest{
		Headers: map[string]string{
			"Host":            cfg.domainName,
			"x-api-key":       "",
			"X-Forwarded-For": "",
			"x-restapi":       "",
		},
		MultiValueHeaders: map[string][]string{
			"Host":            {cfg.domainName},
			"x-api-key":       {""},
			"X-Forwarded-For": {""},
			"x-restapi":       {""},
		},
		StageVariables: cfg.stageVariables(),
		RequestContext: rc,
	}
}
