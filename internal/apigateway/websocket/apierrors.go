package websocket

import (
	"encoding/json"
	"net/http"
)

// apiError is one of the management API's REST-JSON errors: the type goes
// in x-amzn-ErrorType, the message (when AWS sends one) in the JSON body.
type apiError struct {
	typ    string
	status int
	// message is the default body message; empty means an empty body, as
	// API Gateway answers GoneException.
	message string
}

// The management API's errors, in one table.
var (
	errGone            = apiError{"GoneException", http.StatusGone, ""}
	errForbidden       = apiError{"ForbiddenException", http.StatusForbidden, "Forbidden"}
	errBadRequest      = apiError{"BadRequestException", http.StatusBadRequest, "Bad request"}
	errPayloadTooLarge = apiError{"PayloadTooLargeException", http.StatusRequestEntityTooLarge, "Request too long"}
	errLimitExceeded   = apiError{"LimitExceededException", http.StatusTooManyRequests, "Too Many Requests"}
	errInternal        = apiError{"InternalServerErrorException", http.StatusInternalServerError, "Internal server error"}
)

// writeAPIError writes e; message overrides its default message.
func writeAPIError(w http.ResponseWriter, e apiError, message string) {
	if message == "" {
		message = e.message
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("x-amzn-ErrorType", e.typ)
	if message == "" {
		h.Set("Content-Length", "0")
		w.WriteHeader(e.status)
		return
	}
	body, _ := json.Marshal(struct {
		Message string `json:"message"`
	}{message})
	w.WriteHeader(e.status)
	_, _ = w.Write(body)
}
