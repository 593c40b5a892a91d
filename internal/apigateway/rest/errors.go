package rest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/nimbus-dev/nimbus/internal/app"
)

// gatewayError is one of API Gateway's own responses for REST APIs.
type gatewayError struct {
	// responseType is the GatewayResponse type that customises it
	// ("MISSING_AUTHENTICATION_TOKEN"); empty when it cannot be customised.
	responseType string
	status       int
	// message is $context.error.message.
	message string
	// body is the default body, byte for byte as API Gateway sends it.
	body string
	// errorType is the x-amzn-ErrorType header.
	errorType   string
	contentType string
}

// API Gateway's REST error responses. The bodies differ in spacing
// because API Gateway's do.
var (
	errForbidden = &gatewayError{status: 403, message: "Forbidden",
		body: `{"message":"Forbidden"}`, errorType: "ForbiddenException"}
	errMissingToken = &gatewayError{responseType: "MISSING_AUTHENTICATION_TOKEN", status: 403, message: "Missing Authentication Token",
		body: `{"message":"Missing Authentication Token"}`, errorType: "MissingAuthenticationTokenException"}
	// errBadRequest answers a body that cannot be read (malformed chunked
	// encoding, a client that stalls); AWS's exact text is unpublished.
	errBadRequest = &gatewayError{status: 400, message: "Bad Request",
		body: `{"message":"Bad Request"}`, errorType: "BadRequestException"}
	errTooLarge = &gatewayError{status: 413, message: "HTTP content length exceeded 10485760 bytes.",
		body: "HTTP content length exceeded 10485760 bytes.", contentType: "text/plain"}
	errUnsupportedMedia = &gatewayError{responseType: "UNSUPPORTED_MEDIA_TYPE", status: 415, message: "Unsupported Media Type",
		body: `{"message": "Unsupported Media Type"}`, errorType: "UnsupportedMediaTypeException"}
	errInternal = &gatewayError{responseType: "API_CONFIGURATION_ERROR", status: 500, message: "Internal server error",
		body: `{"message": "Internal server error"}`, errorType: "InternalServerErrorException"}
	errBadGateway = &gatewayError{responseType: "DEFAULT_5XX", status: 502, message: "Internal server error",
		body: `{"message": "Internal server error"}`, errorType: "InternalServerErrorException"}
	errTimeout = &gatewayError{responseType: "INTEGRATION_TIMEOUT", status: 504, message: "Endpoint request timed out",
		body: `{"message": "Endpoint request timed out"}`}
)

// errBadBody is the 400 a request template's $input.json gives for a body
// that is not JSON.
func errBadBody(detail string) *gatewayError {
	msg := "Could not parse request body into json: " + detail
	return &gatewayError{responseType: "BAD_REQUEST_BODY", status: 400, message: msg,
		body: `{"message": ` + jsonString(msg) + `}`, errorType: "BadRequestException"}
}

// jsonString quotes s as a JSON string without HTML escaping.
func jsonString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

// writeError sends a gateway error, customised by the API's
// GatewayResponses: the specific type, else DEFAULT_4XX or DEFAULT_5XX.
func (g *Gateway) writeError(w http.ResponseWriter, r *http.Request, rc *requestInfo, e *gatewayError) {
	h := w.Header()
	status, body, contentType := e.status, e.body, e.contentType
	if contentType == "" {
		contentType = "application/json"
	}
	if gr := g.gatewayResponse(e); gr != nil {
		if gr.StatusCode != "" {
			if n, err := strconv.Atoi(gr.StatusCode); err == nil && n >= 100 && n <= 599 {
				status = n
			}
		}
		for k, v := range gr.ResponseParameters {
			name, ok := strings.CutPrefix(k, "gatewayresponse.header.")
			if !ok {
				continue
			}
			h.Set(name, g.gatewayParamValue(v, r, rc))
		}
		for ct, tpl := range gr.ResponseTemplates {
			contentType = ct
			body = substituteErrorTemplate(tpl, e, rc, g)
			break
		}
	}
	setRawHeader(h, "x-amzn-RequestId", rc.requestID)
	setRawHeader(h, "x-amz-apigw-id", rc.extendedID)
	if e.errorType != "" {
		setRawHeader(h, "x-amzn-ErrorType", e.errorType)
	}
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write([]byte(body))
	}
}

// setRawHeader sets a header under API Gateway's exact spelling (HTTP/1.1
// clients see "x-amzn-RequestId", not Go's canonical form).
func setRawHeader(h http.Header, name, value string) {
	h.Del(name)
	h[name] = []string{value}
}

func (g *Gateway) gatewayResponse(e *gatewayError) *app.GatewayResponse {
	if e.responseType == "" {
		return nil
	}
	if gr := g.responses[e.responseType]; gr != nil {
		return gr
	}
	if e.status >= 500 {
		return g.responses["DEFAULT_5XX"]
	}
	return g.responses["DEFAULT_4XX"]
}

// gatewayParamValue evaluates a gateway response parameter mapping value:
// a quoted literal, method.request.{header,querystring,path}.NAME or
// stageVariables.NAME.
func (g *Gateway) gatewayParamValue(v string, r *http.Request, rc *requestInfo) string {
	switch {
	case len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'':
		return v[1 : len(v)-1]
	case strings.HasPrefix(v, "method.request.header."):
		return r.Header.Get(strings.TrimPrefix(v, "method.request.header."))
	case strings.HasPrefix(v, "method.request.querystring."):
		return r.URL.Query().Get(strings.TrimPrefix(v, "method.request.querystring."))
	case strings.HasPrefix(v, "method.request.path."):
		return rc.pathParams[strings.TrimPrefix(v, "method.request.path.")]
	case strings.HasPrefix(v, "stageVariables."):
		return g.api.StageVariables[strings.TrimPrefix(v, "stageVariables.")]
	}
	return ""
}

var errorTemplateVar = regexp.MustCompile(`\$(?:context\.[A-Za-z.]+|stageVariables\.[A-Za-z0-9_]+)`)

// substituteErrorTemplate fills a gateway response template. API Gateway
// substitutes variables in these without running Velocity.
func substituteErrorTemplate(tpl string, e *gatewayError, rc *requestInfo, g *Gateway) string {
	return errorTemplateVar.ReplaceAllStringFunc(tpl, func(ref string) string {
		switch ref {
		case "$context.error.message":
			return e.message
		case "$context.error.messageString":
			return jsonString(e.message)
		case "$context.error.responseType":
			rt := e.responseType
			if rt == "" {
				rt = "DEFAULT_4XX"
				if e.status >= 500 {
					rt = "DEFAULT_5XX"
				}
			}
			return rt
		case "$context.requestId":
			return rc.requestID
		case "$context.extendedRequestId":
			return rc.extendedID
		case "$context.stage":
			return g.api.Stage
		case "$context.apiId":
			return g.api.ID
		case "$context.resourcePath":
			return rc.resourcePath
		case "$context.httpMethod":
			return rc.method
		}
		if name, ok := strings.CutPrefix(ref, "$stageVariables."); ok {
			return g.api.StageVariables[name]
		}
		return ref
	})
}
