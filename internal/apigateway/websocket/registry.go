package websocket

import "github.com/nimbus-dev/nimbus/internal/apigateway/websocket/registry"

// Registry is the connection registry and delivery seam (see package
// registry): local in this process by default, shared across gateway nodes
// later. One Registry serves every WebSocket API of an app.
type Registry = registry.Registry

// NewLocalRegistry returns the in-process Registry.
func NewLocalRegistry() Registry { return registry.NewLocal() }
