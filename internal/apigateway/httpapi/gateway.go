// Package httpapi serves an API Gateway HTTP API (v2): routes by route key
// ("GET /items/{id}", "ANY /{proxy+}", "$default"), Lambda proxy
// integrations with payload format 2.0 or 1.0, HTTP_PROXY integrations,
// CorsConfiguration answered by the gateway, and the HTTP API's own error
// responses.
package httpapi

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/nimbus-dev/nimbus/internal/apigateway/gateway"
	"github.com/nimbus-dev/nimbus/internal/app"
	"github.com/nimbus-dev/nimbus/internal/invoke"
)

// DefaultTimeout is an HTTP API's integration timeout (30 seconds).
const DefaultTimeout = 30 * time.Second

// DefaultStage is the stage served without a path segment.
const DefaultStage = "$default"

// Options configure a Gateway.
type Options struct {
	// Logger receives one line per failed integration; nil discards.
	Logger *slog.Logger
	// Region and AccountID appear in events.
	Region    string
	AccountID string
	// HTTPClient makes HTTP_PROXY calls; nil means a client with the
	// integration timeout.
	HTTPClient *http.Client
}

// Gateway serves one HTTP API: "/{stage}/..." or, for the $default stage,
// "/...".
type Gateway struct {
	api          *app.API
	inv          invoke.Invoker
	opts         Options
	log          *slog.Logger
	router       *gateway.Router[*route]
	defaultRoute *route
	cors         *gateway.CORS
	domainName   string
	stageVars    map[string]string
	client       *http.Client
}

type route struct {
	routeKey string
	integ    *app.Integration
	// v1 is true for payload format 1.0.
	v1 bool
}

// New prepares a Gateway for api.
func New(api *app.API, inv invoke.Invoker, opts Options) (*Gateway, error) {
	if api == nil {
		return nil, fmt.Errorf("httpapi: nil API")
	}
	if api.Protocol != "" && api.Protocol != app.HTTP {
		return nil, fmt.Errorf("httpapi: API %s is %s, not HTTP", api.LogicalID, api.Protocol)
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
		api:        api,
		inv:        inv,
		opts:       opts,
		log:        log.With("component", "apigateway.http", "api", api.LogicalID),
		router:     gateway.NewRouter[*route](),
		cors:       gateway.NewCORS(api.Cors),
		domainName: api.ID + ".execute-api." + opts.Region + ".amazonaws.com",
		client:     opts.HTTPClient,
	}
	if len(api.StageVariables) > 0 {
		g.stageVars = api.StageVariables
	}
	if g.client == nil {
		g.client = &http.Client{Timeout: DefaultTimeout, CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}}
	}
	for _, r := range api.Routes {
		if r.Integration == nil {
			return nil, fmt.Errorf("httpapi: route %q has no integration", r.RouteKey)
		}
		rt := &route{routeKey: r.RouteKey, integ: r.Integration, v1: r.Integration.PayloadFormatVersion == "1.0"}
		key := r.RouteKey
		if key == "" && r.Path != "" {
			method := r.Method
			if method == "" {
				method = "ANY"
			}
			key = strings.ToUpper(method) + " " + r.Path
			rt.routeKey = key
		}
		if key == "$default" {
			if g.defaultRoute != nil {
				return nil, fmt.Errorf("httpapi: duplicate $default route")
			}
			g.defaultRoute = rt
			continue
		}
		method, path, ok := strings.Cut(key, " ")
		if !ok {
			return nil, fmt.Errorf("httpapi: route key %q is not \"METHOD /path\" or $default", key)
		}
		if err := g.router.Add(method, path, rt); err != nil {
			return nil, fmt.Errorf("httpapi: %w", err)
		}
	}
	return g, nil
}

// requestInfo is what one request carries through the gateway.
type requestInfo struct {
	requestID string
	start     time.Time
	// rawPath is the request's path, stage included, decoded as HTTP APIs
	// decode it (decodeRequestPath).
	rawPath string
	params  map[string]string
	traceID string
}

// ServeHTTP answers one request.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	rc := &requestInfo{requestID: gateway.NewExtendedRequestID(), start: now}
	setRawHeader(w.Header(), "apigw-requestid", rc.requestID)
	path, ok := decodeRequestPath(r.URL.EscapedPath())
	if !ok {
		g.writeError(w, r, errBadRequest)
		return
	}
	rc.rawPath = path
	routePath := rc.rawPath
	if g.api.Stage != "" && g.api.Stage != DefaultStage {
		p := strings.TrimPrefix(rc.rawPath, "/")
		stage, rest, _ := strings.Cut(p, "/")
		if stage != g.api.Stage {
			g.writeError(w, r, errNotFound)
			return
		}
		routePath = "/" + rest
	}
	if g.cors != nil && gateway.IsPreflight(r) {
		g.cors.Preflight(w, r)
		return
	}
	body, tooLarge, err := gateway.ReadBody(r)
	if tooLarge {
		g.writeError(w, r, errTooLarge)
		return
	}
	if err != nil {
		g.writeError(w, r, errBadRequest)
		return
	}
	m, found, _ := g.router.FindDecoded(r.Method, routePath, true)
	rt := m.Value
	if !found {
		if g.defaultRoute == nil {
			g.writeError(w, r, errNotFound)
			return
		}
		rt = g.defaultRoute
	}
	rc.params = m.Params
	rc.traceID = gateway.NewTraceID(now.Unix())
	switch rt.integ.Type {
	case app.IntegrationAWSProxy, "":
		g.serveLambda(w, r, rc, rt, body)
	case app.IntegrationHTTPProxy:
		g.serveHTTPProxy(w, r, rc, rt, body)
	default:
		g.log.Warn("unsupported integration type", "type", rt.integ.Type, "route", rt.routeKey)
		g.writeError(w, r, errInternal)
	}
}

func (g *Gateway) timeout(integ *app.Integration) time.Duration {
	if integ.Timeout > 0 && integ.Timeout < DefaultTimeout {
		return integ.Timeout
	}
	return DefaultTimeout
}

// decodeRequestPath decodes a request path as HTTP APIs do before routing
// and before handing it to the integration as rawPath (live captures): the
// path is percent-decoded, cut at a '?' that decoding produced, and decoded
// once more ("%252F" arrives as "/"). A path that does not decode is a 400.
func decodeRequestPath(escaped string) (string, bool) {
	once, err := url.PathUnescape(escaped)
	if err != nil {
		return "", false
	}
	if i := strings.IndexByte(once, '?'); i >= 0 {
		once = once[:i]
	}
	twice, err := url.PathUnescape(once)
	if err != nil {
		return "", false
	}
	if twice == "" {
		twice = "/"
	}
	return twice, true
}

// setRawHeader sets a header under API Gateway's exact spelling.
func setRawHeader(h http.Header, name, value string) {
	h.Del(name)
	h[name] = []string{value}
}
