package websocket

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"time"
)

// newID returns an identifier in the shape API Gateway uses for connection,
// request and message ids: 11 random bytes in URL-safe base64, 16
// characters ending in "=" (for example "R1kmxc2VNjMCFIA=").
func newID() string {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[0:8], rand.Uint64())
	binary.LittleEndian.PutUint64(b[8:16], rand.Uint64())
	return base64.URLEncoding.EncodeToString(b[:11])
}

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

// newTraceID returns an X-Amzn-Trace-Id value ("Root=1-<time>-<96 bits>").
func newTraceID(now time.Time) string {
	return fmt.Sprintf("Root=1-%08x-%08x%016x", uint32(now.Unix()), rand.Uint32(), rand.Uint64())
}
