package dynamodb

import (
	"fmt"
	"net/http"
	"strings"
)

// Error type identifiers (the JSON "__type"), as DynamoDB sends them.
const (
	typeValidation          = "com.amazon.coral.validate#ValidationException"
	typeSerialization       = "com.amazon.coral.service#SerializationException"
	typeUnknownOperation    = "com.amazon.coral.service#UnknownOperationException"
	typeMissingAuthToken    = "com.amazon.coral.service#MissingAuthenticationTokenException"
	typeIncompleteSignature = "com.amazon.coral.service#IncompleteSignatureException"
	typeInternal            = "com.amazonaws.dynamodb.v20120810#InternalServerError"
	typeResourceNotFound    = "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException"
	typeResourceInUse       = "com.amazonaws.dynamodb.v20120810#ResourceInUseException"
	typeConditionalCheck    = "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException"
	typeTransactionCanceled = "com.amazonaws.dynamodb.v20120810#TransactionCanceledException"
	typeIdempotentMismatch  = "com.amazonaws.dynamodb.v20120810#IdempotentParameterMismatchException"
	typeLimitExceeded       = "com.amazonaws.dynamodb.v20120810#LimitExceededException"
)

// apiError is an error returned to the client in DynamoDB's JSON shape.
type apiError struct {
	Type    string
	Message string
	// Status is the HTTP status; zero means 400.
	Status int
	// Item is ConditionalCheckFailedException's item
	// (ReturnValuesOnConditionCheckFailure=ALL_OLD).
	Item map[string]any
	// Reasons are TransactionCanceledException's CancellationReasons.
	Reasons []cancellationReason
	// cause is the underlying failure of an internal error.
	cause error
}

func (e *apiError) Error() string { return e.Type + ": " + e.Message }

// Unwrap returns the cause of an internal error.
func (e *apiError) Unwrap() error { return e.cause }

// validationf is a ValidationException with a formatted message.
func validationf(format string, args ...any) *apiError {
	return &apiError{Type: typeValidation, Message: fmt.Sprintf(format, args...)}
}

// validation is a ValidationException with msg.
func validation(msg string) *apiError { return &apiError{Type: typeValidation, Message: msg} }

// constraintErrors words coral's constraint failures:
// "1 validation error detected: Value ... failed to satisfy constraint: ...".
func constraintErrors(msgs []string) *apiError {
	noun := "error"
	if len(msgs) > 1 {
		noun = "errors"
	}
	return validationf("%d validation %s detected: %s", len(msgs), noun, strings.Join(msgs, "; "))
}

// envelope puts a ValidationException's message inside coral's "1
// validation error detected: " envelope unless it already is in one.
func envelope(err error) error {
	e, ok := err.(*apiError)
	if !ok || e.Type != typeValidation || enveloped(e.Message) {
		return err
	}
	return &apiError{Type: e.Type, Message: "1 validation error detected: " + e.Message}
}

// enveloped reports whether msg starts "N validation error(s) detected: ".
func enveloped(msg string) bool {
	i := 0
	for i < len(msg) && msg[i] >= '0' && msg[i] <= '9' {
		i++
	}
	return i > 0 && (strings.HasPrefix(msg[i:], " validation error detected: ") || strings.HasPrefix(msg[i:], " validation errors detected: "))
}

// notFound is the ResourceNotFoundException of data operations.
func notFound() *apiError {
	return &apiError{Type: typeResourceNotFound, Message: "Requested resource not found"}
}

// notFoundTable is the ResourceNotFoundException of table operations.
func notFoundTable(name string) *apiError {
	return &apiError{Type: typeResourceNotFound, Message: "Requested resource not found: Table: " + name + " not found"}
}

func inUse(msg string) *apiError { return &apiError{Type: typeResourceInUse, Message: msg} }

// internal wraps an unexpected failure as a 500 InternalServerError.
func internal(err error) *apiError {
	return &apiError{Type: typeInternal, Message: "Internal server error: " + err.Error(), Status: http.StatusInternalServerError, cause: err}
}

// body is the JSON error body.
func (e *apiError) body() map[string]any {
	b := map[string]any{"__type": e.Type}
	if e.Message != "" {
		b["message"] = e.Message
	}
	if e.Type == typeSerialization && e.Message != "" {
		// Coral's serialization errors capitalise the key.
		delete(b, "message")
		b["Message"] = e.Message
	}
	if e.Type == typeTransactionCanceled {
		delete(b, "message")
		b["Message"] = e.Message
		b["CancellationReasons"] = e.Reasons
	}
	if e.Item != nil {
		b["Item"] = e.Item
	}
	return b
}
