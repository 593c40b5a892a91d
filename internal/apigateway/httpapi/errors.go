package httpapi

import (
	"net/http"
	"strconv"
)

// httpError is one of an HTTP API's own responses. HTTP APIs send
// compact JSON bodies and name the request in apigw-requestid.
type httpError struct {
	status int
	body   string
}

var (
	errNotFound = &httpError{404, `{"message":"Not Found"}`}
	// errBadRequest answers a body that cannot be read (malformed chunked
	// encoding, a client that stalls); AWS's exact text is unpublished.
	errBadRequest = &httpError{400, `{"message":"Bad Request"}`}
	errTooLarge   = &httpError{413, `{"message":"Request Entity Too Large"}`}
	errInternal   = &httpError{500, `{"message":"Internal Server Error"}`}
	errTimeout    = &httpError{503, `{"message":"Service Unavailable"}`}
	errBadGateway = &httpError{502, `{"message":"Bad Gateway"}`}
)

func (g *Gateway) writeError(w http.ResponseWriter, r *http.Request, e *httpError) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(e.body)))
	if g.cors != nil {
		g.cors.Decorate(h, r.Header.Get("Origin"))
	}
	w.WriteHeader(e.status)
	if r.Method != http.MethodHead {
		_, _ = w.Write([]byte(e.body))
	}
}
