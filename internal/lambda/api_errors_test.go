package lambda

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/nimbus-dev/nimbus/internal/invoke"
)

// TestErrorBodies pins each error's wire form: status, X-Amzn-ErrorType
// and the body with the message member spelled as the error's shape in
// Lambda's API model spells it.
func TestErrorBodies(t *testing.T) {
	cases := []struct {
		err    *invoke.Error
		status int
		body   string
	}{
		{apiError("ResourceNotFoundException", "Function not found: arn:aws:lambda:us-east-1:000000000000:function:x"), 404,
			`{"Message":"Function not found: arn:aws:lambda:us-east-1:000000000000:function:x","Type":"User"}`},
		{apiError("ResourceConflictException", "Function already exist: x"), 409, `{"Type":"User","message":"Function already exist: x"}`},
		{apiError("InvalidParameterValueException", "bad"), 400, `{"Type":"User","message":"bad"}`},
		{apiError("InvalidRequestContentException", "bad"), 400, `{"Type":"User","message":"bad"}`},
		{apiError("RequestTooLargeException", "big"), 413, `{"Type":"User","message":"big"}`},
		{apiError("ValidationException", "1 validation error detected"), 400, `{"Type":"User","message":"1 validation error detected"}`},
		{&invoke.Error{Type: "TooManyRequestsException", Message: "Rate Exceeded.", StatusCode: 429, Reason: "ReservedFunctionConcurrentInvocationLimitExceeded"}, 429,
			`{"Reason":"ReservedFunctionConcurrentInvocationLimitExceeded","Type":"User","message":"Rate Exceeded."}`},
		{apiError("ServiceException", "boom"), 500, `{"Message":"boom","Type":"Service"}`},
		{apiError("InvalidZipFileException", "zip"), 502, `{"Message":"zip","Type":"Service"}`},
	}
	for _, c := range cases {
		t.Run(c.err.Type, func(t *testing.T) {
			rec := httptest.NewRecorder()
			writeError(rec, c.err)
			if rec.Code != c.status {
				t.Errorf("status %d, want %d", rec.Code, c.status)
			}
			if got := rec.Header().Get("X-Amzn-ErrorType"); got != c.err.Type {
				t.Errorf("X-Amzn-ErrorType %q", got)
			}
			if got := strings.TrimSpace(rec.Body.String()); got != c.body {
				t.Errorf("body %s\nwant %s", got, c.body)
			}
		})
	}
}
