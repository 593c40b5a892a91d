package lambda

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/nimbus-dev/nimbus/internal/invoke"
	"github.com/nimbus-dev/nimbus/internal/lambda/environment"
)

// Invoke payload limits, as Lambda's quotas.
const (
	maxSyncPayload  = 6 * 1024 * 1024
	maxAsyncPayload = 256 * 1024
	maxLogTail      = 4 * 1024
)

// Invoke runs a function (invoke.Invoker). RequestResponse waits for the
// result, Event queues the invocation (retried twice on function error)
// and DryRun only checks that the function exists.
func (s *Service) Invoke(ctx context.Context, req *invoke.Request) (*invoke.Response, error) {
	fn, err := s.resolve(req.FunctionName, req.Qualifier)
	if err != nil {
		return nil, err
	}
	payload := req.Payload
	if len(bytes.TrimSpace(payload)) == 0 {
		payload = []byte("{}")
	}
	switch req.InvocationType {
	case "", invoke.RequestResponse:
		if len(payload) > maxSyncPayload {
			return nil, apiError("RequestTooLargeException", fmt.Sprintf("Request must be smaller than %d bytes for the InvokeFunction operation", maxSyncPayload))
		}
	case invoke.Event:
		if len(payload) > maxAsyncPayload {
			return nil, apiError("RequestTooLargeException", fmt.Sprintf("Request must be smaller than %d bytes for the InvokeAsync operation", maxAsyncPayload))
		}
	case invoke.DryRun:
		return &invoke.Response{StatusCode: http.StatusNoContent, RequestID: newRequestID()}, nil
	default:
		return nil, apiError("InvalidParameterValueException", "1 validation error detected: Value '"+req.InvocationType+"' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]")
	}
	if !req.PayloadIsJSON {
		if !json.Valid(payload) {
			return nil, apiError("InvalidRequestContentException", "Could not parse request body into json: Could not parse payload into json: Unexpected character: was expecting a JSON value")
		}
		// JSON is UTF-8 (encoding/json lets invalid bytes through);
		// Lambda's parser refuses them before the function runs.
		if i := invalidUTF8(payload); i >= 0 {
			return nil, apiError("InvalidRequestContentException", fmt.Sprintf("Could not parse request body into json: Could not parse payload into json: Invalid UTF-8 start byte 0x%02x", payload[i]))
		}
	}
	s.mu.RLock()
	prepErr := fn.prepErr
	s.mu.RUnlock()
	if prepErr != nil {
		return nil, apiError("ResourceConflictException", "The operation cannot be performed at this time. The function is currently in the following state: Failed. "+prepErr.Error())
	}
	clientContext := ""
	if req.ClientContext != "" {
		decoded, err := base64.StdEncoding.DecodeString(req.ClientContext)
		if err != nil || !json.Valid(decoded) {
			return nil, apiError("InvalidRequestContentException", "Client context must be a valid Base64-encoded JSON object.")
		}
		clientContext = string(decoded)
	}
	inv := &environment.Invocation{
		RequestID:          newRequestID(),
		Payload:            payload,
		InvokedFunctionARN: invokedARN(fn.arn, req),
		TraceID:            req.TraceID,
		ClientContext:      clientContext,
		CognitoIdentity:    req.CognitoIdentity,
	}
	if inv.TraceID == "" {
		inv.TraceID = newTraceID()
	}
	if req.InvocationType == invoke.Event {
		ev := &queuedEvent{Function: fn.name, RequestID: inv.RequestID, Payload: inv.Payload, InvokedARN: inv.InvokedFunctionARN,
			TraceID: inv.TraceID, ClientContext: inv.ClientContext, CognitoIdentity: inv.CognitoIdentity, Queued: time.Now()}
		if err := s.events.save(ev); err != nil {
			return nil, apiError("ServiceException", "queue the event: "+err.Error())
		}
		s.process(ev)
		return &invoke.Response{StatusCode: http.StatusAccepted, RequestID: inv.RequestID}, nil
	}
	res, err := s.run(ctx, fn, inv)
	if err != nil {
		return nil, err
	}
	resp := &invoke.Response{
		StatusCode:      http.StatusOK,
		Payload:         res.Payload,
		FunctionError:   res.FunctionError,
		ExecutedVersion: "$LATEST",
		RequestID:       inv.RequestID,
	}
	if req.LogType == "Tail" {
		tail := res.Log
		if len(tail) > maxLogTail {
			tail = tail[len(tail)-maxLogTail:]
		}
		resp.LogResult = base64.StdEncoding.EncodeToString(tail)
	}
	return resp, nil
}

// run places inv on the function's pool. The invocation goes on when the
// caller gives up (as on Lambda); the caller gets ctx's error.
func (s *Service) run(ctx context.Context, fn *function, inv *environment.Invocation) (*environment.Result, error) {
	res, err := fn.pool.Invoke(ctx, inv)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil && err == ctxErr {
			return nil, err
		}
		var ie *invoke.Error
		if !errors.As(err, &ie) {
			return nil, apiError("ServiceException", err.Error())
		}
	}
	return res, err
}

// process runs a stored Event invocation in the background: a function
// error is retried twice (after AsyncRetryDelays), a throttled one until
// MaxEventAge. The event leaves the store when it ends; on shutdown it
// stays there for the next start (ResumeEvents).
func (s *Service) process(ev *queuedEvent) {
	s.async.Add(1)
	go func() {
		defer s.async.Done()
		backoff := 100 * time.Millisecond
		logger := s.logger.With("function", ev.Function, "requestId", ev.RequestID)
		for {
			if time.Since(ev.Queued) > s.opts.MaxEventAge {
				logger.Warn("event dropped: maximum event age exceeded")
				s.events.remove(ev.RequestID)
				return
			}
			fn, err := s.resolve(ev.Function, "")
			if err != nil {
				logger.Warn("event dropped: function no longer exists")
				s.events.remove(ev.RequestID)
				return
			}
			res, err := s.run(s.asyncCtx, fn, ev.invocation())
			if err != nil && s.asyncCtx.Err() != nil {
				return // shutting down: the event stays stored
			}
			var wait time.Duration
			var ie *invoke.Error
			switch {
			case err != nil && errors.As(err, &ie) && ie.StatusCode == http.StatusTooManyRequests:
				wait, backoff = backoff, min(backoff*2, time.Minute)
			case err != nil:
				logger.Warn("event dropped", "error", err)
				s.events.remove(ev.RequestID)
				return
			case res.FunctionError != "" && ev.Retries < len(s.opts.AsyncRetryDelays):
				wait = s.opts.AsyncRetryDelays[ev.Retries]
				ev.Retries++
				if err := s.events.save(ev); err != nil {
					logger.Warn("event retry not recorded", "error", err)
				}
				logger.Info("event failed; retrying", "retry", ev.Retries, "in", wait)
			default:
				if res.FunctionError != "" {
					logger.Warn("event failed after retries", "error", string(res.Payload))
				}
				s.events.remove(ev.RequestID)
				return
			}
			select {
			case <-time.After(wait):
			case <-s.asyncCtx.Done():
				return
			}
		}
	}()
}

// ResumeEvents runs the Event invocations a previous run accepted and did
// not finish. Call it once the app's functions are in place (after Apply,
// or at once without a template); later calls do nothing.
func (s *Service) ResumeEvents() {
	s.resume.Do(func() {
		evs, err := s.events.load()
		if err != nil {
			s.logger.Warn("queued events not resumed", "error", err)
			return
		}
		if len(evs) > 0 {
			s.logger.Info("resuming queued events", "count", len(evs))
		}
		for _, ev := range evs {
			s.process(ev)
		}
	})
}

// invokedARN is the ARN the caller used, qualified as it asked.
func invokedARN(base string, req *invoke.Request) string {
	if req.Qualifier != "" {
		return base + ":" + req.Qualifier
	}
	if _, q, ok := splitQualifier(req.FunctionName); ok && q != "" {
		return base + ":" + q
	}
	return base
}

// newTraceID returns an X-Ray trace header as Lambda passes it:
// "Root=1-<8 hex digits of the time>-<24 hex>;Parent=<16 hex>;Sampled=0".
func newTraceID() string {
	var random [20]byte
	_, _ = rand.Read(random[:])
	b := make([]byte, 0, 72)
	b = append(b, "Root=1-"...)
	ts := strconv.FormatInt(time.Now().Unix(), 16)
	for range 8 - len(ts) {
		b = append(b, '0')
	}
	b = append(b, ts...)
	b = append(b, '-')
	b = hex.AppendEncode(b, random[:12])
	b = append(b, ";Parent="...)
	b = hex.AppendEncode(b, random[12:])
	b = append(b, ";Sampled=0"...)
	return string(b)
}

// invalidUTF8 is the offset of the first byte of b that does not start a
// valid UTF-8 sequence, or -1.
func invalidUTF8(b []byte) int {
	if utf8.Valid(b) {
		return -1
	}
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return -1
}
