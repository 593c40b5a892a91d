package environment

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
)

// Runtime API paths (version 2018-06-01).
const apiPrefix = "/2018-06-01/runtime"

// Runtime API error types, as Lambda names them.
const (
	errInvalidRequestID       = "InvalidRequestID"
	errInvalidStateTransition = "InvalidStateTransition"
	errRequestEntityTooLarge  = "RequestEntityTooLarge"
)

func (e *Env) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+apiPrefix+"/invocation/next", e.handleNext)
	mux.HandleFunc("POST "+apiPrefix+"/invocation/{id}/response", e.handleResponse)
	mux.HandleFunc("POST "+apiPrefix+"/invocation/{id}/error", e.handleError)
	mux.HandleFunc("POST "+apiPrefix+"/init/error", e.handleInitError)
	return mux
}

func writeAPIError(w http.ResponseWriter, status int, errorType, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"errorMessage": message, "errorType": errorType})
}

func writeAccepted(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, `{"status":"OK"}`+"\n")
}

// handleNext blocks until an invocation is queued. Its first call ends the
// init phase.
func (e *Env) handleNext(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	if !e.initialized {
		e.initialized = true
		close(e.ready)
	}
	e.mu.Unlock()
	var inv *Invocation
	select {
	case inv = <-e.queue:
	case <-r.Context().Done():
		return
	}
	e.mu.Lock()
	e.current = inv
	e.mu.Unlock()
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Lambda-Runtime-Aws-Request-Id", inv.RequestID)
	h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(inv.Deadline.UnixMilli(), 10))
	h.Set("Lambda-Runtime-Invoked-Function-Arn", inv.InvokedFunctionARN)
	if inv.TraceID != "" {
		h.Set("Lambda-Runtime-Trace-Id", inv.TraceID)
	}
	if inv.ClientContext != "" {
		h.Set("Lambda-Runtime-Client-Context", inv.ClientContext)
	}
	if inv.CognitoIdentity != "" {
		h.Set("Lambda-Runtime-Cognito-Identity", inv.CognitoIdentity)
	}
	h.Set("Content-Length", strconv.Itoa(len(inv.Payload)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(inv.Payload)
}

// claim checks that id is the invocation in progress; it writes the
// Runtime API's error otherwise.
func (e *Env) claim(w http.ResponseWriter, id string) *Invocation {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.current != nil && e.current.RequestID == id {
		return e.current
	}
	if id == e.lastID {
		writeAPIError(w, http.StatusForbidden, errInvalidStateTransition,
			"State transition from RuntimeResponseSent to InvocationResponse failed for runtime. Error: State transition is not allowed")
		return nil
	}
	writeAPIError(w, http.StatusBadRequest, errInvalidRequestID, "Invalid request ID")
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

// readPayload reads a posted payload; ok is false when it is too large.
func readPayload(r *http.Request) (body []byte, ok bool, err error) {
	body, err = io.ReadAll(io.LimitReader(r.Body, MaxPayloadSize+1))
	if err != nil {
		return nil, false, err
	}
	return body, len(body) <= MaxPayloadSize, nil
}

func (e *Env) handleResponse(w http.ResponseWriter, r *http.Request) {
	inv := e.claim(w, r.PathValue("id"))
	if inv == nil {
		return
	}
	body, ok, err := readPayload(r)
	if err != nil {
		writeAPIError(w, http.StatusBadRequest, "TruncatedHTTPRequest", err.Error())
		return
	}
	if !ok {
		n := len(body)
		if r.ContentLength > 0 {
			n = int(r.ContentLength)
		}
		e.finish(inv, &Result{FunctionError: "Unhandled", Payload: errorPayload("Function.ResponseSizeTooLarge",
			"Response payload size ("+strconv.Itoa(n)+" bytes) exceeded maximum allowed payload size ("+strconv.Itoa(MaxPayloadSize)+" bytes).")})
		writeAPIError(w, http.StatusRequestEntityTooLarge, errRequestEntityTooLarge,
			"Exceeded maximum allowed payload size ("+strconv.Itoa(MaxPayloadSize)+" bytes).")
		return
	}
	res := &Result{Payload: body}
	// Streaming runtimes report a failure after the body in trailers.
	if t := r.Trailer.Get("Lambda-Runtime-Function-Error-Type"); t != "" {
		res = &Result{FunctionError: "Unhandled", Payload: errorBody(t, []byte(r.Trailer.Get("Lambda-Runtime-Function-Error-Body")))}
	}
	if !e.finish(inv, res) {
		writeAPIError(w, http.StatusForbidden, errInvalidStateTransition,
			"State transition from RuntimeResponseSent to InvocationResponse failed for runtime. Error: State transition is not allowed")
		return
	}
	writeAccepted(w)
}

func (e *Env) handleError(w http.ResponseWriter, r *http.Request) {
	inv := e.claim(w, r.PathValue("id"))
	if inv == nil {
		return
	}
	body, _, err := readPayload(r)
	if err != nil {
		writeAPIError(w, http.StatusBadRequest, "TruncatedHTTPRequest", err.Error())
		return
	}
	res := &Result{FunctionError: "Unhandled", Payload: errorBody(r.Header.Get("Lambda-Runtime-Function-Error-Type"), body)}
	if !e.finish(inv, res) {
		writeAPIError(w, http.StatusForbidden, errInvalidStateTransition,
			"State transition from RuntimeResponseSent to InvocationErrorResponse failed for runtime. Error: State transition is not allowed")
		return
	}
	writeAccepted(w)
}

func (e *Env) handleInitError(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	initialized := e.initialized
	e.mu.Unlock()
	if initialized {
		writeAPIError(w, http.StatusForbidden, errInvalidStateTransition,
			"State transition from Ready to InitError failed for runtime. Error: State transition is not allowed")
		return
	}
	body, _, err := readPayload(r)
	if err != nil {
		writeAPIError(w, http.StatusBadRequest, "TruncatedHTTPRequest", err.Error())
		return
	}
	select {
	case e.initErr <- errorBody(r.Header.Get("Lambda-Runtime-Function-Error-Type"), body):
	default:
	}
	writeAccepted(w)
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
