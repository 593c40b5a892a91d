package websocket

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/nimbus-dev/nimbus/internal/apigateway/vtl"
	"github.com/nimbus-dev/nimbus/internal/apigateway/websocket/selection"
	"github.com/nimbus-dev/nimbus/internal/app"
)

// errNoTemplate is the integration request's refusal when the passthrough
// behaviour forbids sending a message no template matches.
var errNoTemplate = fmt.Errorf("%w: no request template matches and passthrough is not allowed", errIntegrationFailed)

// integrationResponse is one compiled integration response of a non-proxy
// integration.
type integrationResponse struct {
	// key is the IntegrationResponseKey: "$default" or "/regex/".
	key       string
	pattern   *regexp.Regexp // nil for $default
	templates map[string]*vtl.Template
	selector  *selection.Expression
	toText    bool // ContentHandling CONVERT_TO_TEXT
}

// compileNonProxy prepares a route's request templates and integration
// responses.
func compileNonProxy(rt *route, in *app.Integration) error {
	rt.requestTemplates = map[string]*vtl.Template{}
	for key, src := range in.RequestTemplates {
		t, err := vtl.Parse(src)
		if err != nil {
			return fmt.Errorf("request template %q: %w", key, err)
		}
		rt.requestTemplates[key] = t
	}
	for _, spec := range in.Responses {
		if spec == nil {
			continue
		}
		ir := &integrationResponse{
			key:       spec.SelectionPattern,
			templates: map[string]*vtl.Template{},
			toText:    spec.ContentHandling == "CONVERT_TO_TEXT",
		}
		if ir.key == "" {
			ir.key = routeDefault
		}
		if ir.key != routeDefault {
			expr := strings.TrimSuffix(strings.TrimPrefix(ir.key, "/"), "/")
			re, err := regexp.Compile("^(?:" + expr + ")$")
			if err != nil {
				return fmt.Errorf("integration response key %q: %w", ir.key, err)
			}
			ir.pattern = re
		}
		for key, src := range spec.ResponseTemplates {
			t, err := vtl.Parse(src)
			if err != nil {
				return fmt.Errorf("integration response %q template %q: %w", ir.key, key, err)
			}
			ir.templates[key] = t
		}
		if spec.TemplateSelectionExpression != "" {
			s, err := selection.Parse(spec.TemplateSelectionExpression)
			if err != nil {
				return fmt.Errorf("integration response %q TemplateSelectionExpression: %w", ir.key, err)
			}
			ir.selector = s
		}
		rt.responses = append(rt.responses, ir)
	}
	return nil
}

// integrateNonProxy runs an AWS (Lambda custom) or MOCK integration: the
// request template the template selection expression picks (or the message
// itself, as the passthrough behaviour allows) is the function's event or
// the mock's {"statusCode": N}; the integration response whose key matches
// maps the result, and its response template (if any) shapes what a
// two-way route sends back.
func (g *Gateway) integrateNonProxy(ctx context.Context, req *request) (*integrationResult, error) {
	rt, ev := req.route, req.event
	vars := templateVars(ev)
	payload, err := requestPayload(rt, ev, vars)
	if err != nil {
		return nil, err
	}
	status, failed, errMessage := http.StatusOK, false, ""
	var output []byte
	switch rt.integ.Type {
	case app.IntegrationMock:
		var mock struct {
			StatusCode json.Number `json:"statusCode"`
		}
		if json.Unmarshal(payload, &mock) == nil && mock.StatusCode != "" {
			if n, err := strconv.Atoi(mock.StatusCode.String()); err == nil {
				status = n
			}
		}
	default:
		var fnErr *functionError
		if len(strings.TrimSpace(string(payload))) == 0 {
			payload = []byte("{}")
		}
		out, err := g.invoke(ctx, rt.integ, payload, rt.timeout)
		switch {
		case err == nil:
			output = out
		case errors.As(err, &fnErr):
			failed = true
			var fe struct {
				ErrorMessage string `json:"errorMessage"`
			}
			_ = json.Unmarshal(fnErr.payload, &fe)
			errMessage = fe.ErrorMessage
		default:
			return nil, err
		}
	}
	ir := selectIntegrationResponse(rt.responses, strconv.Itoa(status), errMessage, failed)
	if failed && (ir == nil || ir.pattern == nil) {
		return nil, fmt.Errorf("%w: function error %q matched no integration response", errIntegrationFailed, errMessage)
	}
	res := &integrationResult{statusCode: status, headers: http.Header{}, body: output, present: output != nil}
	if ir == nil {
		return res, nil
	}
	if t := ir.template(output); t != nil {
		vars["input"] = vtl.NewInput(string(output), nil, nil, nil)
		text, err := t.Execute(vars)
		if err != nil {
			return nil, fmt.Errorf("%w: response template: %v", errIntegrationFailed, err)
		}
		res.body, res.present = []byte(text), true
	}
	if ir.toText && res.present {
		res.body = []byte(base64.StdEncoding.EncodeToString(res.body))
	}
	return res, nil
}

// requestPayload applies the request template that the template selection
// expression picks, or the integration's passthrough behaviour.
func requestPayload(rt *route, ev *events.APIGatewayWebsocketProxyRequest, vars map[string]any) ([]byte, error) {
	key := routeDefault
	if rt.templateSelector != nil {
		if k, ok := rt.templateSelector.Evaluate(selection.Input{Body: []byte(ev.Body), Headers: ev.Headers}); ok {
			key = k
		}
	}
	t := rt.requestTemplates[key]
	if t == nil {
		t = rt.requestTemplates[routeDefault]
	}
	if t == nil {
		switch strings.ToUpper(rt.integ.PassthroughBehavior) {
		case "NEVER":
			return nil, errNoTemplate
		case "WHEN_NO_TEMPLATES":
			if len(rt.requestTemplates) > 0 {
				return nil, errNoTemplate
			}
		}
		return []byte(ev.Body), nil
	}
	out, err := t.Execute(vars)
	if err != nil {
		return nil, fmt.Errorf("%w: request template: %v", errIntegrationFailed, err)
	}
	return []byte(out), nil
}

// selectIntegrationResponse picks the response whose key matches: the
// function's error message for a failed Lambda, else the status code;
// $default when none does.
func selectIntegrationResponse(responses []*integrationResponse, status, errMessage string, failed bool) *integrationResponse {
	subject := status
	if failed {
		subject = errMessage
	}
	var def *integrationResponse
	for _, ir := range responses {
		if ir.pattern == nil {
			def = ir
			continue
		}
		if ir.pattern.MatchString(subject) {
			return ir
		}
	}
	return def
}

// template picks the response template: by the response's template
// selection expression over the integration output, else $default, else
// the only one.
func (ir *integrationResponse) template(output []byte) *vtl.Template {
	if len(ir.templates) == 0 {
		return nil
	}
	if ir.selector != nil {
		if k, ok := ir.selector.Evaluate(selection.Input{Body: output}); ok {
			if t := ir.templates[k]; t != nil {
				return t
			}
		}
	}
	if t := ir.templates[routeDefault]; t != nil {
		return t
	}
	if len(ir.templates) == 1 {
		for _, t := range ir.templates {
			return t
		}
	}
	return nil
}

// templateVars are a mapping template's variables: $input over the message
// (and, on $connect, the query string and headers), $context with the
// WebSocket request context, $stageVariables.
func templateVars(ev *events.APIGatewayWebsocketProxyRequest) map[string]any {
	rc := ev.RequestContext
	c := vtl.NewMap()
	c.Set("apiId", rc.APIID)
	c.Set("connectedAt", rc.ConnectedAt)
	c.Set("connectionId", rc.ConnectionID)
	c.Set("domainName", rc.DomainName)
	c.Set("eventType", rc.EventType)
	c.Set("extendedRequestId", rc.ExtendedRequestID)
	c.Set("messageDirection", rc.MessageDirection)
	if id, ok := rc.MessageID.(string); ok {
		c.Set("messageId", id)
	}
	c.Set("requestId", rc.RequestID)
	c.Set("requestTime", rc.RequestTime)
	c.Set("requestTimeEpoch", rc.RequestTimeEpoch)
	c.Set("routeKey", rc.RouteKey)
	c.Set("stage", rc.Stage)
	identity := vtl.NewMap()
	identity.Set("sourceIp", rc.Identity.SourceIP)
	identity.Set("userAgent", rc.Identity.UserAgent)
	c.Set("identity", identity)
	if rc.EventType == eventDisconnect {
		c.Set("disconnectStatusCode", rc.DisconnectStatusCode)
		if rc.DisconnectReason != nil {
			c.Set("disconnectReason", *rc.DisconnectReason)
		}
	}
	sv := ev.StageVariables
	if sv == nil {
		sv = map[string]string{}
	}
	return map[string]any{
		"input":          vtl.NewInput(ev.Body, nil, ev.QueryStringParameters, ev.Headers),
		"context":        c,
		"stageVariables": sv,
	}
}
