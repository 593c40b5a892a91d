package lambda

import (
	"net/http"
	"strings"
)

// ServeHTTP serves the Lambda REST-JSON API (the edge routes the
// /2015-03-31/, /2017-03-31/, /2018-10-31/, /2019-09-25/ and /2021-10-31/
// prefixes here). Operations Nimbus does not emulate answer
// UnknownOperationException.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Amzn-RequestId", newRequestID())
	path := strings.TrimSuffix(r.URL.EscapedPath(), "/")
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	for i, p := range parts {
		if u, err := unescapePath(p); err == nil {
			parts[i] = u
		}
	}
	if len(parts) < 2 {
		s.unknownOperation(w, r)
		return
	}
	version, resource, rest := parts[0], parts[1], parts[2:]
	switch {
	case resource == "functions" && version == "2015-03-31":
		s.routeFunctions(w, r, rest)
	case resource == "functions" && version == "2017-10-31" && len(rest) == 2 && rest[1] == "concurrency" && r.Method == http.MethodPut:
		s.putFunctionConcurrency(w, r, rest[0])
	case resource == "functions" && version == "2017-10-31" && len(rest) == 2 && rest[1] == "concurrency" && r.Method == http.MethodDelete:
		s.deleteFunctionConcurrency(w, r, rest[0])
	case resource == "functions" && version == "2019-09-30" && len(rest) == 2 && rest[1] == "concurrency" && r.Method == http.MethodGet:
		s.getFunctionConcurrency(w, r, rest[0])
	case resource == "account-settings" && version == "2016-08-19" && r.Method == http.MethodGet:
		s.getAccountSettings(w, r)
	default:
		s.unknownOperation(w, r)
	}
}

func (s *Service) routeFunctions(w http.ResponseWriter, r *http.Request, rest []string) {
	switch {
	case len(rest) == 0 && r.Method == http.MethodGet:
		s.listFunctions(w, r)
	case len(rest) == 0 && r.Method == http.MethodPost:
		s.createFunction(w, r)
	case len(rest) == 1 && r.Method == http.MethodGet:
		s.getFunction(w, r, rest[0])
	case len(rest) == 1 && r.Method == http.MethodDelete:
		s.deleteFunction(w, r, rest[0])
	case len(rest) == 2 && rest[1] == "invocations" && r.Method == http.MethodPost:
		s.invokeHandler(w, r, rest[0])
	case len(rest) == 2 && rest[1] == "configuration" && r.Method == http.MethodGet:
		s.getFunctionConfiguration(w, r, rest[0])
	case len(rest) == 2 && rest[1] == "configuration" && r.Method == http.MethodPut:
		s.updateFunctionConfiguration(w, r, rest[0])
	case len(rest) == 2 && rest[1] == "code" && r.Method == http.MethodPut:
		s.updateFunctionCode(w, r, rest[0])
	case len(rest) == 2 && rest[1] == "code.zip" && r.Method == http.MethodGet:
		s.downloadCode(w, r, rest[0])
	default:
		s.unknownOperation(w, r)
	}
}

func (s *Service) unknownOperation(w http.ResponseWriter, r *http.Request) {
	writeError(w, apiError("UnknownOperationException", "Unknown operation: "+r.Method+" "+r.URL.Path+" (not emulated by Nimbus)"))
}
