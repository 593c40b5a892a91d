package lambda

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/nimbus-dev/nimbus/internal/invoke"
)

// errorStatus is the HTTP status of every Lambda error type Nimbus returns.
var errorStatus = map[string]int{
	"InvalidParameterValueException": http.StatusBadRequest,
	"InvalidRequestContentException": http.StatusBadRequest,
	"ValidationException":            http.StatusBadRequest,
	"InvalidZipFileException":        http.StatusBadGateway,
	"InvalidRuntimeException":        http.StatusBadGateway,
	"ResourceNotFoundException":      http.StatusNotFound,
	"UnknownOperationException":      http.StatusNotFound,
	"ResourceConflictException":      http.StatusConflict,
	"RequestTooLargeException":       http.StatusRequestEntityTooLarge,
	"TooManyRequestsException":       http.StatusTooManyRequests,
	"ServiceException":               http.StatusInternalServerError,
}

// capitalMessage lists the error types whose body names the message
// "Message"; the others say "message". Lambda's error shapes differ in
// this (ResourceNotFoundException has "Message", TooManyRequestsException
// "message"), and some clients read only the member their model names.
var capitalMessage = map[string]bool{
	"ResourceNotFoundException": true,
	"InvalidRuntimeException":   true,
	"InvalidZipFileException":   true,
	"ServiceException":          true,
	"ResourceInUseException":    true,
}

// apiError returns a Lambda API error of the given type.
func apiError(errorType, message string) *invoke.Error {
	status, ok := errorStatus[errorType]
	if !ok {
		status = http.StatusInternalServerError
	}
	return &invoke.Error{Type: errorType, Message: message, StatusCode: status}
}

// writeError writes err in the Lambda REST-JSON error format: the type in
// X-Amzn-ErrorType and {"Type","Message"} or {"Type","message"} (as the
// error's shape spells it) in the body.
func writeError(w http.ResponseWriter, err error) {
	var ie *invoke.Error
	if !errors.As(err, &ie) {
		ie = apiError("ServiceException", err.Error())
	}
	status := ie.StatusCode
	if status == 0 {
		status = http.StatusInternalServerError
	}
	kind := "User"
	if status >= 500 {
		kind = "Service"
	}
	messageKey := "message"
	if capitalMessage[ie.Type] {
		messageKey = "Message"
	}
	body := map[string]string{"Type": kind, messageKey: ie.Message}
	if ie.Reason != "" {
		body["Reason"] = ie.Reason
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Amzn-ErrorType", ie.Type)
	if ie.Type == "TooManyRequestsException" {
		h.Set("Retry-After", strconv.Itoa(1))
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
