package lambda

import (
	"io"
	"net/http"

	"github.com/nimbus-dev/nimbus/internal/invoke"
)

// invokeHandler is Invoke: POST /2015-03-31/functions/{name}/invocations.
func (s *Service) invokeHandler(w http.ResponseWriter, r *http.Request, name string) {
	payload, err := io.ReadAll(io.LimitReader(r.Body, maxSyncPayload+1))
	if err != nil {
		writeError(w, apiError("InvalidRequestContentException", "Could not read request body: "+err.Error()))
		return
	}
	req := &invoke.Request{
		FunctionName:   name,
		Qualifier:      r.URL.Query().Get("Qualifier"),
		Payload:        payload,
		InvocationType: r.Header.Get("X-Amz-Invocation-Type"),
		LogType:        r.Header.Get("X-Amz-Log-Type"),
		ClientContext:  r.Header.Get("X-Amz-Client-Context"),
		TraceID:        r.Header.Get("X-Amzn-Trace-Id"),
	}
	resp, err := s.Invoke(r.Context(), req)
	if err != nil {
		writeError(w, err)
		return
	}
	h := w.Header()
	h.Set("X-Amzn-RequestId", resp.RequestID)
	if resp.ExecutedVersion != "" {
		h.Set("X-Amz-Executed-Version", resp.ExecutedVersion)
	}
	if resp.FunctionError != "" {
		h.Set("X-Amz-Function-Error", resp.FunctionError)
	}
	if resp.LogResult != "" {
		h.Set("X-Amz-Log-Result", resp.LogResult)
	}
	if resp.StatusCode == http.StatusOK {
		h.Set("Content-Type", "application/json")
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(resp.Payload)
}
