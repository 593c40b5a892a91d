package gateway

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/nimbus-dev/nimbus/internal/invoke"
)

// MaxPayload is API Gateway's request payload limit (10 MB).
const MaxPayload = 10 << 20

// ReadBody reads a request body up to MaxPayload; tooLarge reports a body
// over the limit.
func ReadBody(r *http.Request) (body []byte, tooLarge bool, err error) {
	if r.ContentLength > MaxPayload {
		return nil, true, nil
	}
	if r.Body == nil || r.Body == http.NoBody {
		return nil, false, nil
	}
	body, err = io.ReadAll(io.LimitReader(r.Body, MaxPayload+1))
	if err != nil {
		return nil, false, err
	}
	if len(body) > MaxPayload {
		return nil, true, nil
	}
	return body, false, nil
}

// Outcome classifies what happened to an integration call.
type Outcome int

// The outcomes of an integration call.
const (
	// Succeeded: the function ran and returned a payload.
	Succeeded Outcome = iota
	// FunctionFailed: the function ran and failed; the payload is Lambda's
	// error object.
	FunctionFailed
	// TimedOut: the integration timeout passed first.
	TimedOut
	// ServiceFailed: Lambda refused or could not run the function.
	ServiceFailed
	// Canceled: the client went away.
	Canceled
)

// InvokeLambda calls a function synchronously within the integration
// timeout.
func InvokeLambda(ctx context.Context, inv invoke.Invoker, function string, payload []byte, timeout time.Duration) (*invoke.Response, Outcome, error) {
	return InvokeLambdaAs(ctx, inv, function, payload, timeout, invoke.RequestResponse, "")
}

// InvokeLambdaEvent is InvokeLambda for a proxy integration's event, which
// encoding/json produced: Lambda need not check again that it is JSON.
// trace is the request's X-Amzn-Trace-Id (see LambdaTraceHeader).
func InvokeLambdaEvent(ctx context.Context, inv invoke.Invoker, function string, event []byte, timeout time.Duration, trace string) (*invoke.Response, Outcome, error) {
	return invokeLambda(ctx, inv, timeout, &invoke.Request{FunctionName: function, Payload: event, InvocationType: invoke.RequestResponse, PayloadIsJSON: true, TraceID: LambdaTraceHeader(trace)})
}

// InvokeLambdaAs calls a function with the given invocation type
// (RequestResponse, or Event when an integration sets the
// X-Amz-Invocation-Type header to 'Event') within the integration timeout.
// trace is the request's X-Amzn-Trace-Id (see LambdaTraceHeader).
func InvokeLambdaAs(ctx context.Context, inv invoke.Invoker, function string, payload []byte, timeout time.Duration, invocationType, trace string) (*invoke.Response, Outcome, error) {
	return invokeLambda(ctx, inv, timeout, &invoke.Request{FunctionName: function, Payload: payload, InvocationType: invocationType, TraceID: LambdaTraceHeader(trace)})
}

func invokeLambda(ctx context.Context, inv invoke.Invoker, timeout time.Duration, req *invoke.Request) (*invoke.Response, Outcome, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	resp, err := inv.Invoke(ctx, req)
	switch {
	case err == nil && resp == nil:
		return nil, ServiceFailed, errors.New("invoke: no response")
	case err == nil && resp.FunctionError != "":
		return resp, FunctionFailed, nil
	case err == nil:
		return resp, Succeeded, nil
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded):
		return nil, TimedOut, err
	case errors.Is(err, context.Canceled):
		return nil, Canceled, err
	}
	return nil, ServiceFailed, err
}
