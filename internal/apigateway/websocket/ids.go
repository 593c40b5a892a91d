package websocket

import "github.com/nimbus-dev/nimbus/internal/apigateway/gateway"

// newID returns an identifier in the shape API Gateway uses for connection,
// request and message ids: 11 random bytes in URL-safe base64, 16
// characters ending in "=" (for example "R1kmxc2VNjMCFIA=").
func newID() string { return gateway.NewExtendedRequestID() }

// validConnectionID reports whether id has the shape of an API Gateway
// connection id; the management API answers BadRequestException otherwise.
func validConnectionID(id string) bool {
	if len(id) != 16 || id[15] != '=' {
		return false
	}
	for i := 0; i < 15; i++ {
		c := id[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '+' || c == '/') {
			return false
		}
	}
	return true
}
