package environment

import (
	"encoding/json"
	"fmt"
	"time"
)

// MaxPayloadSize is the largest response or error a runtime may post
// through the Runtime API (6 MB plus the 100 bytes Lambda allows for framing).
const MaxPayloadSize = 6*1024*1024 + 100

// Invocation is one event handed to an environment's runtime.
type Invocation struct {
	RequestID          string
	Payload            []byte
	InvokedFunctionARN string
	TraceID            string
	ClientContext      string
	CognitoIdentity    string
	// Deadline is set by the environment when the invocation starts.
	Deadline time.Time

	start time.Time
	done  chan *Result
}

// Result is the outcome of an invocation in an environment.
type Result struct {
	Payload []byte
	// FunctionError is "Unhandled" when the function failed; Payload is then
	// Lambda's error object.
	FunctionError string
	// Fatal means the environment is gone (timeout, crash, init failure)
	// and must not be reused.
	Fatal bool
	// Log is the function's output during the invocation (without the
	// START/END/REPORT lines).
	Log      []byte
	Duration time.Duration
	// InitDuration is set on the first invocation of an environment.
	InitDuration time.Duration
	// MaxMemoryMB is the environment's peak resident memory, 0 when unknown.
	MaxMemoryMB int
}

// errorPayload renders Lambda's error object.
func errorPayload(errorType, message string) []byte {
	b, _ := json.Marshal(struct {
		ErrorType    string `json:"errorType"`
		ErrorMessage string `json:"errorMessage"`
	}{errorType, message})
	return b
}

// timeoutResult is what the caller gets when the function ran out of time.
func timeoutResult(requestID string, timeout time.Duration) *Result {
	return &Result{
		FunctionError: "Unhandled",
		Fatal:         true,
		Payload: errorPayload("Sandbox.Timedout",
			fmt.Sprintf("RequestId: %s Error: Task timed out after %.2f seconds", requestID, timeout.Seconds())),
	}
}

// exitResult is what the caller gets when the runtime process died.
func exitResult(requestID, errorType, exitStatus string) *Result {
	return &Result{
		FunctionError: "Unhandled",
		Fatal:         true,
		Payload: errorPayload(errorType,
			fmt.Sprintf("RequestId: %s Error: Runtime exited with error: %s", requestID, exitStatus)),
	}
}
