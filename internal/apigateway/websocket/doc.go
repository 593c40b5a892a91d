// Package websocket emulates API Gateway WebSocket APIs: the handshake and
// its $connect route, route selection over incoming messages, $default and
// custom routes with Lambda proxy, Lambda (non-proxy) and MOCK
// integrations, two-way route responses, $disconnect on every way a
// connection ends (client close, lost TCP connection, idle timeout, maximum
// duration, DeleteConnection, shutdown), AWS's frame and message quotas,
// and the @connections management API (PostToConnection, GetConnection,
// DeleteConnection) with AWS's REST-JSON errors.
//
// A Gateway serves one API's stage; every Gateway of an app shares one
// Registry, the seam through which the management API finds connections
// (in this process by default, on other nodes later).
//
// See docs/websocket.md for the behaviour in detail and the documented
// differences from AWS.
package websocket
