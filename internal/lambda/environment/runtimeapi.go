package environment

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// Runtime API paths (version 2018-06-01).
const (
	apiPrefix      = "/2018-06-01/runtime"
	nextPath       = apiPrefix + "/invocation/next"
	invocationPath = apiPrefix + "/invocation/"
	initErrorPath  = apiPrefix + "/init/error"
)

// Runtime API error types, as Lambda names them.
const (
	errInvalidRequestID       = "InvalidRequestID"
	errInvalidStateTransition = "InvalidStateTransition"
	errRequestEntityTooLarge  = "RequestEntityTooLarge"
)

// route dispatches one request; false closes the connection.
func (e *Env) route(c *apiConn, req *apiRequest) bool {
	switch {
	case req.path == nextPath:
		if req.method != http.MethodGet {
			return c.methodNotAllowed(req, "GET, HEAD") == nil
		}
		e.handleNext(c, req)
		return true
	case req.path == initErrorPath:
		if req.method != http.MethodPost {
			return c.methodNotAllowed(req, "POST") == nil
		}
		return e.handleInitError(c, req)
	case strings.HasPrefix(req.path, invocationPath):
		id, action, ok := strings.Cut(req.path[len(invocationPath):], "/")
		if !ok || id == "" || (action != "response" && action != "error") {
			return c.notFound(req) == nil
		}
		if req.method != http.MethodPost {
			return c.methodNotAllowed(req, "POST") == nil
		}
		if action == "response" {
			return e.handleResponse(c, req, id)
		}
		return e.handleError(c, req, id)
	}
	return c.notFound(req) == nil
}

func writeAPIError(c *apiConn, req *apiRequest, status int, errorType, message string) error {
	body, _ := json.Marshal(map[string]string{"errorMessage": message, "errorType": errorType})
	return c.write(req, status, []header{{"Content-Type", "application/json"}}, append(body, '\n'))
}

var acceptedBody = []byte(`{"status":"OK"}` + "\n")

func writeAccepted(c *apiConn, req *apiRequest) error {
	return c.write(req, http.StatusAccepted, []header{{"Content-Type", "application/json"}}, acceptedBody)
}

// handleNext answers with the pending invocation, or registers the
// connection as waiting for the next one (Begin answers it). Its first
// call ends the init phase.
func (e *Env) handleNext(c *apiConn, req *apiRequest) {
	e.mu.Lock()
	if !e.initialized {
		e.initialized = true
		close(e.ready)
	}
	inv := e.pending
	if inv == nil {
		c.nextClose, c.nextKeepAlive10 = req.close, req.keepAlive10
		e.waiters = append(e.waiters, c)
		req.answerLater = true
		e.mu.Unlock()
		return
	}
	e.pending = nil
	e.current = inv
	c.wmu.Lock()
	e.mu.Unlock()
	err := c.writeNextLocked(req, inv)
	c.wmu.Unlock()
	if err != nil {
		e.undeliverable(inv)
	}
}

// offer hands inv to a runtime waiting in next, writing its answer from
// the calling goroutine, or leaves it pending for the next call.
func (e *Env) offer(inv *Invocation) {
	for {
		e.mu.Lock()
		if len(e.waiters) == 0 {
			e.pending = inv
			e.mu.Unlock()
			return
		}
		c := e.waiters[0]
		e.waiters = e.waiters[1:]
		e.current = inv
		opts := &apiRequest{close: c.nextClose, keepAlive10: c.nextKeepAlive10}
		// Taking the connection's write lock before letting go of mu
		// keeps this answer ahead of any other on the connection.
		c.wmu.Lock()
		e.cond.Broadcast()
		e.mu.Unlock()
		err := c.writeNextLocked(opts, inv)
		c.wmu.Unlock()
		if opts.close {
			// The request asked to close after its answer; its
			// goroutine, still reading, then ends.
			c.nc.Close()
		}
		if err == nil {
			return
		}
		// The connection broke: the runtime did not get the event.
		if !e.takeBack(inv) {
			return
		}
	}
}

// undeliverable puts inv back as pending after its next answer could not be
// written.
func (e *Env) undeliverable(inv *Invocation) {
	if e.takeBack(inv) {
		e.offer(inv)
	}
}

// takeBack makes inv no longer the current invocation, reporting whether it
// was (a runtime that never received it cannot have answered it).
func (e *Env) takeBack(inv *Invocation) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.current != inv {
		return false
	}
	e.current = nil
	return true
}

// awaitAnswer holds a request that arrives on a connection whose next is
// still unanswered until that answer is written (HTTP/1.1 answers in
// order), or the environment stops.
func (e *Env) awaitAnswer(c *apiConn) {
	e.mu.Lock()
	for e.isWaiting(c) && !e.stopped {
		e.cond.Wait()
	}
	e.mu.Unlock()
}

func (e *Env) isWaiting(c *apiConn) bool {
	for _, w := range e.waiters {
		if w == c {
			return true
		}
	}
	return false
}

// connGone forgets a waiting next whose connection ended.
func (e *Env) connGone(c *apiConn) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for i, w := range e.waiters {
		if w == c {
			e.waiters = append(e.waiters[:i], e.waiters[i+1:]...)
			e.cond.Broadcast()
			return
		}
	}
}

// writeNextLocked writes next's answer for inv; c.wmu is held. req is the
// next request when the connection's own goroutine answers.
func (c *apiConn) writeNextLocked(req *apiRequest, inv *Invocation) error {
	headers := make([]header, 0, 7)
	headers = append(headers,
		header{"Content-Type", "application/json"},
		header{"Lambda-Runtime-Aws-Request-Id", inv.RequestID},
		header{"Lambda-Runtime-Deadline-Ms", strconv.FormatInt(inv.Deadline.UnixMilli(), 10)},
		header{"Lambda-Runtime-Invoked-Function-Arn", inv.InvokedFunctionARN})
	if inv.TraceID != "" {
		headers = append(headers, header{"Lambda-Runtime-Trace-Id", inv.TraceID})
	}
	if inv.ClientContext != "" {
		headers = append(headers, header{"Lambda-Runtime-Client-Context", inv.ClientContext})
	}
	if inv.CognitoIdentity != "" {
		headers = append(headers, header{"Lambda-Runtime-Cognito-Identity", inv.CognitoIdentity})
	}
	return c.writeLocked(req, http.StatusOK, headers, inv.Payload)
}

// claim checks that id is the invocation in progress; it writes the
// Runtime API's error otherwise.
func (e *Env) claim(c *apiConn, req *apiRequest, id string) *Invocation {
	e.mu.Lock()
	if e.current != nil && e.current.RequestID == id {
		inv := e.current
		e.mu.Unlock()
		return inv
	}
	last := e.lastID
	e.mu.Unlock()
	if id == last {
		_ = writeAPIError(c, req, http.StatusForbidden, errInvalidStateTransition,
			"State transition from RuntimeResponseSent to InvocationResponse failed for runtime. Error: State transition is not allowed")
		return nil
	}
	_ = writeAPIError(c, req, http.StatusBadRequest, errInvalidRequestID, "Invalid request ID")
	return nil
}

// finish delivers res for inv unless another response already did.
func (e *Env) finish(inv *Invocation, res *Result) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.current != inv {
		return false
	}
	e.current = nil
	e.lastID = inv.RequestID
	inv.done <- res
	return true
}

func (e *Env) handleResponse(c *apiConn, req *apiRequest, id string) bool {
	inv := e.claim(c, req, id)
	if inv == nil {
		return true
	}
	body, n, tooLarge, err := c.readBody(req, MaxPayloadSize)
	if err != nil {
		req.close = true
		_ = writeAPIError(c, req, http.StatusBadRequest, "TruncatedHTTPRequest", err.Error())
		return false
	}
	if tooLarge {
		e.finish(inv, &Result{FunctionError: "Unhandled", Payload: errorPayload("Function.ResponseSizeTooLarge",
			"Response payload size ("+strconv.Itoa(n)+" bytes) exceeded maximum allowed payload size ("+strconv.Itoa(MaxPayloadSize)+" bytes).")})
		return writeAPIError(c, req, http.StatusRequestEntityTooLarge, errRequestEntityTooLarge,
			"Exceeded maximum allowed payload size ("+strconv.Itoa(MaxPayloadSize)+" bytes).") == nil
	}
	if body == nil {
		body = []byte{}
	}
	res := &Result{Payload: body}
	// Streaming runtimes report a failure after the body in trailers.
	if t := req.trailer("Lambda-Runtime-Function-Error-Type"); t != "" {
		res = &Result{FunctionError: "Unhandled", Payload: errorBody(t, []byte(req.trailer("Lambda-Runtime-Function-Error-Body")))}
	}
	if !e.finish(inv, res) {
		return writeAPIError(c, req, http.StatusForbidden, errInvalidStateTransition,
			"State transition from RuntimeResponseSent to InvocationResponse failed for runtime. Error: State transition is not allowed") == nil
	}
	return writeAccepted(c, req) == nil
}

func (e *Env) handleError(c *apiConn, req *apiRequest, id string) bool {
	inv := e.claim(c, req, id)
	if inv == nil {
		return true
	}
	body, _, tooLarge, err := c.readBody(req, MaxPayloadSize)
	if err != nil {
		req.close = true
		_ = writeAPIError(c, req, http.StatusBadRequest, "TruncatedHTTPRequest", err.Error())
		return false
	}
	if tooLarge {
		body = nil
	}
	res := &Result{FunctionError: "Unhandled", Payload: errorBody(req.errorType, body)}
	if !e.finish(inv, res) {
		return writeAPIError(c, req, http.StatusForbidden, errInvalidStateTransition,
			"State transition from RuntimeResponseSent to InvocationErrorResponse failed for runtime. Error: State transition is not allowed") == nil
	}
	return writeAccepted(c, req) == nil
}

func (e *Env) handleInitError(c *apiConn, req *apiRequest) bool {
	e.mu.Lock()
	initialized := e.initialized
	e.mu.Unlock()
	if initialized {
		return writeAPIError(c, req, http.StatusForbidden, errInvalidStateTransition,
			"State transition from Ready to InitError failed for runtime. Error: State transition is not allowed") == nil
	}
	body, _, tooLarge, err := c.readBody(req, MaxPayloadSize)
	if err != nil {
		req.close = true
		_ = writeAPIError(c, req, http.StatusBadRequest, "TruncatedHTTPRequest", err.Error())
		return false
	}
	if tooLarge {
		body = nil
	}
	select {
	case e.initErr <- errorBody(req.errorType, body):
	default:
	}
	return writeAccepted(c, req) == nil
}

// errorBody is the error payload the caller sees: the runtime's JSON error
// object as posted, or one built from the error type header when the body
// is missing or not JSON.
func errorBody(errorType string, body []byte) []byte {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && trimmed[0] == '{' && json.Valid(trimmed) {
		return trimmed
	}
	if errorType == "" {
		errorType = "Runtime.Unknown"
	}
	msg := string(trimmed)
	if msg == "" {
		msg = "Unknown application error occurred"
	}
	return errorPayload(errorType, msg)
}
