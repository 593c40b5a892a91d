package rest

import (
	"bytes"
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/nimbus-dev/nimbus/internal/apigateway/gateway"
	"github.com/nimbus-dev/nimbus/internal/apigateway/vtl"
	"github.com/nimbus-dev/nimbus/internal/app"
	"github.com/nimbus-dev/nimbus/internal/invoke"
)

// serveLambdaCustom runs an AWS (Lambda custom) integration: the request
// template (or the body, passed through) is the function's event; the
// function's result, or its error object, goes through the integration
// response the error message selects.
func (g *Gateway) serveLambdaCustom(w http.ResponseWriter, r *http.Request, rc *requestInfo, rt *route, body []byte) {
	payload, gerr := g.requestPayload(r, rc, rt, body)
	if gerr != nil {
		g.writeError(w, r, rc, gerr)
		return
	}
	if len(bytes.TrimSpace(payload)) == 0 {
		payload = []byte("{}")
	}
	// An integration request header X-Amz-Invocation-Type: 'Event' makes
	// the call asynchronous (AWS's documented pattern); the integration
	// response then maps Lambda's empty 202 answer.
	invocationType := invoke.RequestResponse
	for k, v := range rt.integ.RequestParameters {
		if strings.EqualFold(k, "integration.request.header.X-Amz-Invocation-Type") && g.gatewayParamValue(v, r, rc) == invoke.Event {
			invocationType = invoke.Event
		}
	}
	resp, outcome, err := gateway.InvokeLambdaAs(r.Context(), g.inv, rt.integ.FunctionName, payload, g.timeout(rt.integ), invocationType, rc.traceID)
	if !g.checkOutcome(w, r, rc, rt, outcome, err, nil) {
		return
	}
	var ir *integrationResponse
	if outcome == gateway.FunctionFailed {
		var fe struct {
			ErrorMessage string `json:"errorMessage"`
		}
		_ = json.Unmarshal(resp.Payload, &fe)
		ir = rt.selectResponse(fe.ErrorMessage, true)
	} else {
		ir = rt.selectResponse("", false)
	}
	g.mapResponse(w, r, rc, rt, ir, resp.Payload, nil)
}

// serveMock answers from the integration alone: the request template's
// {"statusCode": N} selects the integration response.
func (g *Gateway) serveMock(w http.ResponseWriter, r *http.Request, rc *requestInfo, rt *route, body []byte) {
	payload, gerr := g.requestPayload(r, rc, rt, body)
	if gerr != nil {
		g.writeError(w, r, rc, gerr)
		return
	}
	status := 200
	var mock struct {
		StatusCode json.Number `json:"statusCode"`
	}
	if err := json.Unmarshal(payload, &mock); err == nil && mock.StatusCode != "" {
		if n, err := strconv.Atoi(string(mock.StatusCode)); err == nil {
			status = n
		}
	}
	ir := rt.selectResponse(strconv.Itoa(status), true)
	g.mapResponse(w, r, rc, rt, ir, nil, nil)
}

// requestPayload applies the request template chosen by the request's
// content type, or the integration's passthrough behaviour when none
// matches.
func (g *Gateway) requestPayload(r *http.Request, rc *requestInfo, rt *route, body []byte) ([]byte, *gatewayError) {
	ct := "application/json"
	if v := r.Header.Get("Content-Type"); v != "" {
		if mt, _, err := mime.ParseMediaType(v); err == nil {
			ct = mt
		} else {
			ct = strings.ToLower(strings.TrimSpace(strings.Split(v, ";")[0]))
		}
	}
	tpl := rt.requestTemplates[ct]
	if tpl == nil {
		switch strings.ToUpper(rt.integ.PassthroughBehavior) {
		case "NEVER":
			return nil, errUnsupportedMedia
		case "WHEN_NO_TEMPLATES":
			if len(rt.requestTemplates) > 0 {
				return nil, errUnsupportedMedia
			}
		}
		return body, nil
	}
	out, err := tpl.Execute(g.templateVars(r, rc, string(body), nil))
	if err != nil {
		var je *vtl.JSONError
		if errors.As(err, &je) {
			return nil, errBadBody(je.Msg)
		}
		g.log.Warn("Execution failed: request template", "error", err, "requestId", rc.requestID)
		return nil, errInternal
	}
	return []byte(out), nil
}

// templateVars are the variables of a mapping template run: $input over
// body and the method request's parameters, $context, $stageVariables.
// The headers are the method request's as a proxy event has them: the
// client's plus X-Forwarded-For, -Port, -Proto and X-Amzn-Trace-Id.
func (g *Gateway) templateVars(r *http.Request, rc *requestInfo, body string, ctx *vtl.Map) map[string]any {
	query, _ := parseQuery(r.URL.RawQuery)
	headers, _ := g.eventHeaders(r, rc)
	if ctx == nil {
		ctx = g.contextMap(r, rc)
	}
	sv := g.api.StageVariables
	if sv == nil {
		sv = map[string]string{}
	}
	return map[string]any{
		"input":          vtl.NewInput(body, rc.pathParams, query, headers),
		"context":        ctx,
		"stageVariables": sv,
	}
}

// contextMap is $context for mapping templates.
func (g *Gateway) contextMap(r *http.Request, rc *requestInfo) *vtl.Map {
	rctx := g.requestContext(r, rc)
	m := vtl.NewMap()
	m.Set("accountId", rctx.AccountID)
	m.Set("apiId", rctx.APIID)
	m.Set("domainName", rctx.DomainName)
	m.Set("domainPrefix", rctx.DomainPrefix)
	m.Set("authorizer", vtl.NewMap())
	m.Set("deploymentId", rctx.DeploymentID)
	m.Set("extendedRequestId", rctx.ExtendedRequestID)
	m.Set("httpMethod", rctx.HTTPMethod)
	// identity: the caller's address and user agent; an unauthenticated
	// request has no IAM, Cognito or API key identity (null, as AWS).
	identity := vtl.NewMap()
	for _, k := range []string{"accountId", "apiKey", "apiKeyId", "caller", "cognitoAuthenticationProvider",
		"cognitoAuthenticationType", "cognitoIdentityId", "cognitoIdentityPoolId", "principalOrgId"} {
		identity.Set(k, nil)
	}
	identity.Set("sourceIp", rctx.Identity.SourceIP)
	identity.Set("user", nil)
	identity.Set("userAgent", rctx.Identity.UserAgent)
	identity.Set("userArn", nil)
	m.Set("identity", identity)
	m.Set("path", rctx.Path)
	m.Set("protocol", rctx.Protocol)
	m.Set("requestId", rctx.RequestID)
	m.Set("requestTime", rctx.RequestTime)
	m.Set("requestTimeEpoch", rctx.RequestTimeEpoch)
	m.Set("resourceId", *rctx.ResourceID)
	m.Set("resourcePath", rctx.ResourcePath)
	m.Set("stage", rctx.Stage)
	return m
}

// mapResponse sends an integration response: status from the selected
// integration response, headers from its response parameters, body from
// the response template chosen by the Accept header (or the integration's
// body unchanged), then $context.responseOverride.
func (g *Gateway) mapResponse(w http.ResponseWriter, r *http.Request, rc *requestInfo, rt *route, ir *integrationResponse, integBody []byte, integHeaders http.Header) {
	if ir == nil {
		g.log.Warn("Execution failed due to configuration error: No match for output mapping and no default output mapping configured", "requestId", rc.requestID)
		g.writeError(w, r, rc, errInternal)
		return
	}
	status := ir.status
	h := w.Header()
	out := integBody
	contentType := "application/json"
	ctx := g.contextMap(r, rc)
	if ct := ir.chooseTemplate(r.Header.Get("Accept")); ct != "" {
		contentType = ct
		text, err := ir.templates[ct].Execute(g.templateVars(r, rc, string(integBody), ctx))
		if err != nil {
			g.log.Warn("Execution failed: response template", "error", err, "requestId", rc.requestID)
			g.writeError(w, r, rc, errInternal)
			return
		}
		out = []byte(text)
	}
	for k, v := range ir.spec.ResponseParameters {
		name, ok := strings.CutPrefix(k, "method.response.header.")
		if !ok {
			continue
		}
		if val, ok := g.responseParamValue(v, r, rc, integBody, integHeaders); ok {
			h.Set(name, val)
		}
	}
	if ro, ok := ctx.Get("responseOverride"); ok {
		if m, ok := ro.(*vtl.Map); ok {
			if s, ok := m.Get("status"); ok {
				if n, err := strconv.Atoi(strings.TrimSpace(vtlString(s))); err == nil && n >= 100 && n <= 599 {
					status = n
				}
			}
			if hv, ok := m.Get("header"); ok {
				if hm, ok := hv.(*vtl.Map); ok {
					for _, name := range hm.Keys() {
						v, _ := hm.Get(name)
						h.Set(name, vtlString(v))
					}
				}
			}
		}
	}
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", contentType)
	}
	setStandardHeaders(h, rc)
	h.Set("Content-Length", strconv.Itoa(len(out)))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(out)
	}
}

func vtlString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	}
	return vtl.ToJSON(v)
}

// chooseTemplate picks the response template for the client's Accept
// header, else application/json, else the first; "" when there are none.
func (ir *integrationResponse) chooseTemplate(accept string) string {
	if len(ir.templates) == 0 {
		return ""
	}
	for _, a := range strings.Split(accept, ",") {
		mt, _, _ := strings.Cut(strings.TrimSpace(a), ";")
		if _, ok := ir.templates[strings.ToLower(mt)]; ok {
			return strings.ToLower(mt)
		}
	}
	if _, ok := ir.templates["application/json"]; ok {
		return "application/json"
	}
	return ir.templateTypes[0]
}

// responseParamValue evaluates a response parameter mapping value: a
// 'literal', integration.response.header.X, integration.response.body,
// integration.response.body.JSONPATH, method.request.*, context.X or
// stageVariables.X.
func (g *Gateway) responseParamValue(v string, r *http.Request, rc *requestInfo, body []byte, integHeaders http.Header) (string, bool) {
	switch {
	case len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'':
		return v[1 : len(v)-1], true
	case strings.HasPrefix(v, "integration.response.header."):
		if integHeaders == nil {
			return "", false
		}
		val := integHeaders.Get(strings.TrimPrefix(v, "integration.response.header."))
		return val, val != ""
	case v == "integration.response.body":
		return string(body), true
	case strings.HasPrefix(v, "integration.response.body."):
		in := vtl.NewInput(string(body), nil, nil, nil)
		t, err := vtl.Parse("$input.path('$" + strings.TrimPrefix(v, "integration.response.body") + "')")
		if err != nil {
			return "", false
		}
		out, err := t.Execute(map[string]any{"input": in})
		return out, err == nil && out != ""
	case strings.HasPrefix(v, "context."):
		c, ok := g.contextMap(r, rc).Get(strings.TrimPrefix(v, "context."))
		if !ok {
			return "", false
		}
		return vtlString(c), true
	case strings.HasPrefix(v, "method.request."), strings.HasPrefix(v, "stageVariables."):
		val := g.gatewayParamValue(v, r, rc)
		return val, val != ""
	}
	return "", false
}

// integrationTarget applies an HTTP integration's request parameters:
// integration.request.path.NAME values (by default the method's path
// variable of the same name) and ${stageVariables.NAME} go into the URI;
// integration.request.header.NAME and .querystring.NAME are returned to be
// sent.
func (g *Gateway) integrationTarget(integ *app.Integration, r *http.Request, rc *requestInfo) (string, http.Header, url.Values) {
	pathVars := make(map[string]string, len(rc.pathParams))
	for k, v := range rc.pathParams {
		pathVars[k] = v
	}
	headers := http.Header{}
	query := url.Values{}
	for k, v := range integ.RequestParameters {
		val := g.gatewayParamValue(v, r, rc)
		switch {
		case strings.HasPrefix(k, "integration.request.path."):
			// The request's own path parameters are still encoded; other
			// values are encoded here.
			if !strings.HasPrefix(v, "method.request.path.") {
				val = gateway.EscapePathSegments(val)
			}
			pathVars[strings.TrimPrefix(k, "integration.request.path.")] = val
		case strings.HasPrefix(k, "integration.request.header."):
			headers.Set(strings.TrimPrefix(k, "integration.request.header."), val)
		case strings.HasPrefix(k, "integration.request.querystring."):
			query.Add(strings.TrimPrefix(k, "integration.request.querystring."), val)
		}
	}
	uri := integ.URI
	for k, v := range g.api.StageVariables {
		uri = strings.ReplaceAll(uri, "${stageVariables."+k+"}", v)
	}
	for k, v := range pathVars {
		uri = strings.ReplaceAll(uri, "{"+k+"+}", v)
		uri = strings.ReplaceAll(uri, "{"+k+"}", v)
	}
	return uri, headers, query
}
