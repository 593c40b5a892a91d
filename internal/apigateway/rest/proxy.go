package rest

import (
	"encoding/base64"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/nimbus-dev/nimbus/internal/apigateway/gateway"
)

// serveLambdaProxy runs an AWS_PROXY integration: the request becomes a
// payload format 1.0 event and the function's answer the response.
func (g *Gateway) serveLambdaProxy(w http.ResponseWriter, r *http.Request, rc *requestInfo, rt *route, body []byte) {
	payload := g.proxyEvent(r, rc, body).AppendJSON(make([]byte, 0, 2048+len(body)*4/3))
	resp, outcome, err := gateway.InvokeLambdaEvent(r.Context(), g.inv, rt.integ.FunctionName, payload, g.timeout(rt.integ), rc.traceID)
	if !g.checkOutcome(w, r, rc, rt, outcome, err, errBadGateway) {
		return
	}
	out, err := gateway.ParseResponseV1(resp.Payload, true)
	if err != nil {
		g.log.Warn("Execution failed due to configuration error: Malformed Lambda proxy response",
			"function", rt.integ.FunctionName, "error", err, "requestId", rc.requestID)
		g.writeError(w, r, rc, errBadGateway)
		return
	}
	h := w.Header()
	gateway.SetRESTResponseHeaders(h, out.Headers)
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/json")
	}
	data := []byte(out.Body)
	if out.IsBase64Encoded && g.binaryResponse(r) {
		data, err = base64.StdEncoding.DecodeString(out.Body)
		if err != nil {
			g.log.Warn("Execution failed due to configuration error: Unable to base64-decode the response body",
				"function", rt.integ.FunctionName, "requestId", rc.requestID)
			g.writeError(w, r, rc, errInternal)
			return
		}
	}
	setStandardHeaders(h, rc)
	h.Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(out.StatusCode)
	if r.Method != http.MethodHead {
		_, _ = w.Write(data)
	}
}

// checkOutcome writes the gateway error for a failed integration call and
// reports whether the call succeeded. onFunctionError is the error for a
// function that failed (proxy integrations answer 502).
func (g *Gateway) checkOutcome(w http.ResponseWriter, r *http.Request, rc *requestInfo, rt *route, outcome gateway.Outcome, err error, onFunctionError *gatewayError) bool {
	switch outcome {
	case gateway.Succeeded:
		return true
	case gateway.FunctionFailed:
		if onFunctionError == nil {
			return true
		}
		g.log.Warn("Lambda execution failed", "function", rt.integ.FunctionName, "requestId", rc.requestID)
		g.writeError(w, r, rc, onFunctionError)
	case gateway.TimedOut:
		g.log.Warn("Execution failed due to a timeout error", "function", rt.integ.FunctionName, "requestId", rc.requestID)
		g.writeError(w, r, rc, errTimeout)
	case gateway.ServiceFailed:
		g.log.Warn("Execution failed due to configuration error: Lambda invocation failed", "function", rt.integ.FunctionName, "error", err, "requestId", rc.requestID)
		g.writeError(w, r, rc, errInternal)
	case gateway.Canceled:
	}
	return false
}

// proxyEvent builds the AWS_PROXY event for a request.
func (g *Gateway) proxyEvent(r *http.Request, rc *requestInfo, body []byte) *gateway.EventV1 {
	headers, multi := g.eventHeaders(r, rc)
	query, multiQuery := parseQuery(r.URL.RawQuery)
	ev := &gateway.EventV1{
		Resource:                        rc.resourcePath,
		Path:                            rc.path,
		HTTPMethod:                      r.Method,
		Headers:                         headers,
		MultiValueHeaders:               multi,
		QueryStringParameters:           query,
		MultiValueQueryStringParameters: multiQuery,
		PathParameters:                  rc.pathParams,
		StageVariables:                  nonEmpty(g.api.StageVariables),
		RequestContext:                  g.requestContext(r, rc),
	}
	if len(body) > 0 {
		var s string
		if g.binaryRequest(r.Header.Get("Content-Type")) {
			s = base64.StdEncoding.EncodeToString(body)
			ev.IsBase64Encoded = true
		} else {
			s = string(body)
		}
		ev.Body = &s
	}
	return ev
}

func (g *Gateway) requestContext(r *http.Request, rc *requestInfo) gateway.RequestContextV1 {
	resourceID := shortID("resource:" + rc.resourcePath)
	return gateway.RequestContextV1{
		ResourceID:        &resourceID,
		ResourcePath:      rc.resourcePath,
		HTTPMethod:        r.Method,
		ExtendedRequestID: rc.extendedID,
		RequestTime:       gateway.CLFTime(rc.start),
		Path:              "/" + g.api.Stage + rc.path,
		AccountID:         g.opts.AccountID,
		Protocol:          gateway.Protocol(r),
		Stage:             g.api.Stage,
		DomainPrefix:      g.api.ID,
		RequestTimeEpoch:  rc.start.UnixMilli(),
		RequestID:         rc.requestID,
		Identity: gateway.IdentityV1{
			SourceIP:  gateway.SourceIP(r),
			UserAgent: r.Header.Get("User-Agent"),
		},
		DomainName:   g.domainName,
		DeploymentID: g.deploymentID,
		APIID:        g.api.ID,
	}
}

func nonEmpty(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return m
}

// eventHeaders are the request headers as a REST API passes them on: the
// client's headers (Host included) plus X-Forwarded-For, X-Forwarded-Port,
// X-Forwarded-Proto and X-Amzn-Trace-Id; headers holds the last value of
// each, multiValueHeaders all of them.
func (g *Gateway) eventHeaders(r *http.Request, rc *requestInfo) (map[string]string, map[string][]string) {
	single := make(map[string]string, len(r.Header)+5)
	multi := make(map[string][]string, len(r.Header)+5)
	names := gateway.HeaderNames(r)
	for canonical, values := range r.Header {
		name := names.Name(canonical)
		single[name] = values[len(values)-1]
		multi[name] = values
	}
	if r.Host != "" {
		name := names.Name("Host")
		single[name] = r.Host
		multi[name] = []string{r.Host}
	}
	xff, port, proto, trace := gateway.ForwardedHeaders(r, rc.traceID)
	rc.traceID = trace
	for _, kv := range [][2]string{{"X-Forwarded-For", xff}, {"X-Forwarded-Port", port}, {"X-Forwarded-Proto", proto}, {"X-Amzn-Trace-Id", trace}} {
		name := names.Name(kv[0])
		delete(single, name)
		delete(multi, name)
		single[kv[0]] = kv[1]
		multi[kv[0]] = []string{kv[1]}
	}
	return single, multi
}

// parseQuery decodes a raw query string into API Gateway's two views: the
// last value of each parameter, and all of them. Both are nil when the
// query is empty. A ';' separates parameters like '&' (REST APIs split
// query strings at semicolons, as AWS's important notes say).
func parseQuery(raw string) (map[string]string, map[string][]string) {
	if raw == "" {
		return nil, nil
	}
	single := map[string]string{}
	multi := map[string][]string{}
	for _, part := range strings.FieldsFunc(raw, func(r rune) bool { return r == '&' || r == ';' }) {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		dk, err := url.QueryUnescape(k)
		if err != nil {
			dk = k
		}
		dv, err := url.QueryUnescape(v)
		if err != nil {
			dv = v
		}
		single[dk] = dv
		multi[dk] = append(multi[dk], dv)
	}
	if len(single) == 0 {
		return nil, nil
	}
	return single, multi
}

// binaryRequest reports whether a request body of this content type is
// binary under the API's binaryMediaTypes.
func (g *Gateway) binaryRequest(contentType string) bool {
	return mediaTypeMatches(g.binaryTypes, contentType)
}

// binaryResponse reports whether a base64 response body (isBase64Encoded)
// is decoded: API Gateway looks only at the first media range of the
// request's Accept header, which must match one of binaryMediaTypes. The
// response's Content-Type plays no part, so `Accept: */*` (curl) or a
// browser's list gets the base64 text unless binaryMediaTypes has */*. A
// request without Accept counts as */*.
func (g *Gateway) binaryResponse(r *http.Request) bool {
	if len(g.binaryTypes) == 0 {
		return false
	}
	first, _, _ := strings.Cut(r.Header.Get("Accept"), ",")
	if first = strings.TrimSpace(first); first == "" {
		first = "*/*" // no Accept: anything is acceptable
	}
	return mediaTypeMatches(g.binaryTypes, first)
}

// mediaTypeMatches matches a content type against patterns such as
// "image/png", "image/*" or "*/*".
func mediaTypeMatches(patterns []string, contentType string) bool {
	if contentType == "" || len(patterns) == 0 {
		return false
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(strings.Split(contentType, ";")[0]))
	}
	typ, sub, _ := strings.Cut(mt, "/")
	for _, p := range patterns {
		pt, ps, _ := strings.Cut(strings.ToLower(strings.TrimSpace(p)), "/")
		if (pt == "*" || pt == typ) && (ps == "*" || ps == sub) {
			return true
		}
	}
	return false
}
