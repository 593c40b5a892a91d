package websocket

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/nimbus-dev/nimbus/internal/apigateway/gateway"
	"github.com/nimbus-dev/nimbus/internal/app"
)

// Integration failures, as the client sees them.
var (
	// errIntegrationTimeout: the integration outlived its timeout
	// ("Endpoint request timed out").
	errIntegrationTimeout = errors.New("endpoint request timed out")
	// errIntegrationFailed: the function failed, could not run, or answered
	// something unusable ("Internal server error").
	errIntegrationFailed = errors.New("integration failed")
)

// integrationResult is what a route's integration answered.
type integrationResult struct {
	statusCode int
	headers    http.Header
	body       []byte
	// present is false when the integration answered no body at all.
	present bool
}

// request is one integration call: the route and its event (the proxy
// event, which also supplies non-proxy templates with $input and
// $context).
type request struct {
	route *route
	event *events.APIGatewayWebsocketProxyRequest
}

// functionError is a function that ran and failed; non-proxy integrations
// map its error message through their integration responses.
type functionError struct {
	function string
	kind     string
	payload  []byte
}

func (e *functionError) Error() string {
	return fmt.Sprintf("%s returned %s error: %s", e.function, e.kind, truncate(e.payload, 512))
}

func (e *functionError) Unwrap() error { return errIntegrationFailed }

// integrate runs the route's integration.
func (g *Gateway) integrate(ctx context.Context, req *request) (*integrationResult, error) {
	in := req.route.integ
	if in == nil {
		return nil, fmt.Errorf("%w: route %q has no integration", errIntegrationFailed, req.route.key)
	}
	switch in.Type {
	case app.IntegrationAWSProxy:
		payload, err := json.Marshal(req.event)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", errIntegrationFailed, err)
		}
		out, err := g.invoke(ctx, in, payload, req.route.timeout)
		if err != nil {
			return nil, err
		}
		return parseProxyResult(out), nil
	case app.IntegrationAWS, app.IntegrationMock:
		return g.integrateNonProxy(ctx, req)
	default:
		return nil, fmt.Errorf("%w: integration type %q is not supported for WebSocket routes", errIntegrationFailed, in.Type)
	}
}

// invoke calls the integration's function synchronously within timeout.
func (g *Gateway) invoke(ctx context.Context, in *app.Integration, payload []byte, timeout time.Duration) ([]byte, error) {
	if in.FunctionName == "" {
		return nil, fmt.Errorf("%w: integration %q names no function", errIntegrationFailed, in.URI)
	}
	resp, outcome, err := gateway.InvokeLambda(ctx, g.inv, in.FunctionName, payload, timeout)
	switch outcome {
	case gateway.Succeeded:
		return resp.Payload, nil
	case gateway.TimedOut:
		return nil, errIntegrationTimeout
	case gateway.FunctionFailed:
		return nil, &functionError{function: in.FunctionName, kind: resp.FunctionError, payload: resp.Payload}
	}
	return nil, fmt.Errorf("%w: invoke %s: %v", errIntegrationFailed, in.FunctionName, err)
}

// parseProxyResult reads a Lambda proxy result ({statusCode, headers,
// multiValueHeaders, body, isBase64Encoded}). A result that is not such an
// object counts as 200 with no body; statusCode may be a number or a
// numeric string.
func parseProxyResult(payload []byte) *integrationResult {
	res := &integrationResult{statusCode: http.StatusOK, headers: http.Header{}}
	var raw struct {
		StatusCode        json.RawMessage     `json:"statusCode"`
		Headers           map[string]string   `json:"headers"`
		MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
		Body              *string             `json:"body"`
		IsBase64Encoded   bool                `json:"isBase64Encoded"`
	}
	trimmed := bytes.TrimSpace(payload)
	if len(trimmed) == 0 || trimmed[0] != '{' || json.Unmarshal(trimmed, &raw) != nil {
		return res
	}
	if len(raw.StatusCode) > 0 {
		s := strings.Trim(string(raw.StatusCode), `"`)
		if n, err := strconv.Atoi(s); err == nil {
			res.statusCode = n
		}
	}
	for k, vs := range raw.MultiValueHeaders {
		for _, v := range vs {
			res.headers.Add(k, v)
		}
	}
	for k, v := range raw.Headers {
		res.headers.Set(k, v)
	}
	if raw.Body != nil {
		res.present = true
		res.body = []byte(*raw.Body)
		if raw.IsBase64Encoded {
			if dec, err := decodeBase64(*raw.Body); err == nil {
				res.body = dec
			}
		}
	}
	return res
}

func truncate(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	return string(b[:n]) + "..."
}
