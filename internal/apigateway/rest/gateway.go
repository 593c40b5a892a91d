// Package rest serves an API Gateway REST API (v1): resources and methods
// with path variables and greedy {proxy+} paths, one deployed stage with
// its variables, Lambda proxy (AWS_PROXY) and custom (AWS) integrations
// with Velocity mapping templates, MOCK and HTTP_PROXY integrations, SAM's
// Cors property, binary media types and API Gateway's own error responses.
package rest

import (
	"fmt"
	"hash/fnv"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/nimbus-dev/nimbus/internal/apigateway/gateway"
	"github.com/nimbus-dev/nimbus/internal/app"
	"github.com/nimbus-dev/nimbus/internal/invoke"
)

// DefaultTimeout is API Gateway's integration timeout (29 seconds).
const DefaultTimeout = 29 * time.Second

// Options configure a Gateway.
type Options struct {
	// Logger receives one line per failed integration; nil discards.
	Logger *slog.Logger
	// Region and AccountID appear in events ("us-east-1", "123456789012").
	Region    string
	AccountID string
	// HTTPClient makes HTTP_PROXY and HTTP integration calls; nil means a
	// client with API Gateway's 29 s timeout.
	HTTPClient *http.Client
}

// Gateway serves one REST API at "/{stage}/...".
type Gateway struct {
	api          *app.API
	inv          invoke.Invoker
	opts         Options
	log          *slog.Logger
	router       *gateway.Router[*route]
	responses    map[string]*app.GatewayResponse
	binaryTypes  []string
	domainName   string
	deploymentID string
	client       *http.Client
}

// New prepares a Gateway for api: it builds the resource tree, adds SAM's
// CORS OPTIONS methods when api.Cors is set and parses every mapping
// template, so a bad template fails here rather than at request time.
func New(api *app.API, inv invoke.Invoker, opts Options) (*Gateway, error) {
	if api == nil {
		return nil, fmt.Errorf("rest: nil API")
	}
	if api.Protocol != "" && api.Protocol != app.REST {
		return nil, fmt.Errorf("rest: API %s is %s, not REST", api.LogicalID, api.Protocol)
	}
	if api.Stage == "" {
		return nil, fmt.Errorf("rest: API %s has no stage", api.LogicalID)
	}
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	if opts.AccountID == "" {
		opts.AccountID = "123456789012"
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	g := &Gateway{
		api:          api,
		inv:          inv,
		opts:         opts,
		log:          log.With("component", "apigateway.rest", "api", api.LogicalID),
		router:       gateway.NewRouter[*route](),
		responses:    api.GatewayResponses,
		domainName:   api.ID + ".execute-api." + opts.Region + ".amazonaws.com",
		deploymentID: shortID("deployment:" + api.ID),
		client:       opts.HTTPClient,
	}
	if g.client == nil {
		g.client = &http.Client{Timeout: DefaultTimeout, CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}}
	}
	for _, t := range api.BinaryMediaTypes {
		g.binaryTypes = append(g.binaryTypes, strings.ReplaceAll(t, "~1", "/"))
	}
	paths := map[string][]string{}
	for _, r := range api.Routes {
		rt, err := newRoute(r)
		if err != nil {
			return nil, fmt.Errorf("rest: %s %s: %w", r.Method, r.Path, err)
		}
		if err := g.router.Add(rt.method, r.Path, rt); err != nil {
			return nil, fmt.Errorf("rest: %w", err)
		}
		paths[r.Path] = append(paths[r.Path], rt.method)
	}
	if api.Cors != nil {
		for path, methods := range paths {
			if contains(methods, http.MethodOptions) {
				continue
			}
			if err := g.router.Add(http.MethodOptions, path, corsRoute(path, methods, api.Cors)); err != nil {
				return nil, fmt.Errorf("rest: %w", err)
			}
		}
	}
	return g, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// shortID derives a stable 6-character id like API Gateway's resource ids.
func shortID(seed string) string {
	h := fnv.New64a()
	h.Write([]byte(seed))
	n := h.Sum64()
	const alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
	b := make([]byte, 6)
	for i := range b {
		b[i] = alphabet[n%36]
		n /= 36
	}
	return string(b)
}

// requestInfo is what one request carries through the gateway.
type requestInfo struct {
	requestID    string
	extendedID   string
	traceID      string
	start        time.Time
	method       string
	resourcePath string
	// path is the decoded request path after the stage ("/hello/world").
	path       string
	pathParams map[string]string
}

// ServeHTTP answers a request for "/{stage}/{path}".
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	rc := &requestInfo{
		requestID:  gateway.NewRequestID(),
		extendedID: gateway.NewExtendedRequestID(),
		traceID:    gateway.NewTraceID(now.Unix()),
		start:      now,
		method:     r.Method,
	}
	if v := r.Header.Get("X-Amzn-Trace-Id"); v != "" {
		rc.traceID = v
	}
	escaped := r.URL.EscapedPath()
	stage, rest := splitStage(escaped)
	if stage != g.api.Stage {
		g.writeError(w, r, rc, errForbidden)
		return
	}
	rc.path = rest
	m, found, _ := g.router.Find(r.Method, rest, false)
	if !found {
		g.writeError(w, r, rc, errMissingToken)
		return
	}
	rc.resourcePath = m.Resource
	rc.pathParams = m.Params
	body, tooLarge, err := gateway.ReadBody(r)
	if tooLarge {
		g.writeError(w, r, rc, errTooLarge)
		return
	}
	if err != nil {
		g.writeError(w, r, rc, errBadRequest)
		return
	}
	rt := m.Value
	switch rt.integ.Type {
	case app.IntegrationAWSProxy:
		g.serveLambdaProxy(w, r, rc, rt, body)
	case app.IntegrationAWS:
		g.serveLambdaCustom(w, r, rc, rt, body)
	case app.IntegrationMock:
		g.serveMock(w, r, rc, rt, body)
	case app.IntegrationHTTPProxy:
		g.serveHTTPProxy(w, r, rc, rt, body)
	case app.IntegrationHTTP:
		g.serveHTTPCustom(w, r, rc, rt, body)
	default:
		g.log.Warn("unsupported integration type", "type", rt.integ.Type, "resource", m.Resource, "method", r.Method)
		g.writeError(w, r, rc, errInternal)
	}
}

// splitStage splits "/prod/a/b" into "prod" and "/a/b".
func splitStage(escaped string) (stage, rest string) {
	p := strings.TrimPrefix(escaped, "/")
	stage, rest, _ = strings.Cut(p, "/")
	return stage, "/" + rest
}

func (g *Gateway) timeout(integ *app.Integration) time.Duration {
	if integ.Timeout > 0 && integ.Timeout < DefaultTimeout {
		return integ.Timeout
	}
	return DefaultTimeout
}

// setStandardHeaders adds the headers API Gateway puts on every
// integration response.
func setStandardHeaders(h http.Header, rc *requestInfo) {
	setRawHeader(h, "x-amzn-RequestId", rc.requestID)
	setRawHeader(h, "x-amz-apigw-id", rc.extendedID)
	setRawHeader(h, "X-Amzn-Trace-Id", rc.traceID)
}
