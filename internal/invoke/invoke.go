// Package invoke is the seam between callers of Lambda functions (API
// Gateway, the CLI) and whatever runs them (local processes today, remote
// workers later). It holds only types, so callers and the runtime can be
// built and tested independently.
package invoke

import (
	"context"
	"fmt"
)

// Invocation types, as the Lambda Invoke API names them.
const (
	RequestResponse = "RequestResponse"
	Event           = "Event"
	DryRun          = "DryRun"
)

// Request is one invocation.
type Request struct {
	// FunctionName is a function name, a name with a ":qualifier", or an ARN.
	FunctionName string
	Qualifier    string
	Payload      []byte
	// InvocationType is RequestResponse (default), Event or DryRun.
	InvocationType string
	// LogType "Tail" asks for the last 4 KB of the log in Response.LogResult.
	LogType string
	// ClientContext is the base64-encoded JSON client context, passed to the
	// function in Lambda-Runtime-Client-Context.
	ClientContext string
	// CognitoIdentity is JSON passed in Lambda-Runtime-Cognito-Identity.
	CognitoIdentity string
	// TraceID is passed in Lambda-Runtime-Trace-Id (X-Amzn-Trace-Id format).
	TraceID string
	// PayloadIsJSON says Payload was produced by a JSON encoder (API
	// Gateway's proxy events), so it is valid UTF-8 JSON and the service
	// need not check it again.
	PayloadIsJSON bool
}

// Response is the result of an invocation that Lambda accepted. A function
// error is a Response with FunctionError set, not a Go error, as in the
// Invoke API.
type Response struct {
	// StatusCode is the Invoke API's: 200 (RequestResponse), 202 (Event),
	// 204 (DryRun).
	StatusCode int
	Payload    []byte
	// FunctionError is "Unhandled" when the function failed (its payload is
	// then Lambda's {"errorMessage","errorType","stackTrace"} object), or
	// empty.
	FunctionError string
	// LogResult is the base64 log tail when LogType was "Tail".
	LogResult       string
	ExecutedVersion string
	// RequestID is the invocation's request id.
	RequestID string
}

// Invoker runs Lambda functions.
type Invoker interface {
	Invoke(ctx context.Context, req *Request) (*Response, error)
}

// Error is a failure of the Invoke API itself (the function did not run or
// the service refused), with Lambda's error type and HTTP status.
type Error struct {
	// Type is Lambda's error type, such as "ResourceNotFoundException",
	// "TooManyRequestsException", "RequestTooLargeException",
	// "ServiceException".
	Type       string
	Message    string
	StatusCode int
	// Reason is set for some types (for TooManyRequestsException:
	// "ReservedFunctionConcurrentInvocationLimitExceeded", ...).
	Reason string
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Type, e.Message) }
