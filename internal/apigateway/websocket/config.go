package websocket

import (
	"fmt"
	"maps"
	"time"

	"github.com/nimbus-dev/nimbus/internal/apigateway/vtl"
	"github.com/nimbus-dev/nimbus/internal/apigateway/websocket/selection"
	"github.com/nimbus-dev/nimbus/internal/app"
)

// AWS's WebSocket quotas and defaults.
const (
	// MaxMessageSize is the message payload quota (128 KB), for client
	// messages and @connections posts alike.
	MaxMessageSize = 128 * 1024
	// MaxFrameSize is the frame quota (32 KB); larger messages travel as
	// several frames.
	MaxFrameSize = 32 * 1024
	// DefaultIdleTimeout closes a connection with no traffic either way.
	DefaultIdleTimeout = 10 * time.Minute
	// DefaultMaxConnectionDuration closes every connection after 2 hours.
	DefaultMaxConnectionDuration = 2 * time.Hour
	// DefaultIntegrationTimeout is API Gateway's 29 seconds.
	DefaultIntegrationTimeout = 29 * time.Second
	// defaultRouteSelection is what CDK's WebSocketApi uses when the
	// template gives no expression.
	defaultRouteSelection = "$request.body.action"
)

// config is one compiled version of the API; a Gateway swaps it atomically
// on Update so live connections pick up new routes on their next message.
type config struct {
	api        *app.API
	domainName string
	selector   *selection.Expression
	routes     map[string]*route
	idle       time.Duration
	maxAge     time.Duration
}

// route is one compiled route.
type route struct {
	key   string
	integ *app.Integration
	// twoWay routes (with a route response) send the integration's result
	// back to the client.
	twoWay bool
	// responseSelector is the route response selection expression.
	responseSelector *selection.Expression
	// templateSelector picks a request template (non-proxy integrations).
	templateSelector *selection.Expression
	// requestTemplates and responses belong to non-proxy integrations.
	requestTemplates map[string]*vtl.Template
	responses        []*integrationResponse
	timeout          time.Duration
}

func compile(api *app.API, region string, opts Options) (*config, error) {
	if api == nil {
		return nil, fmt.Errorf("websocket: nil API")
	}
	if api.Protocol != app.WebSocket {
		return nil, fmt.Errorf("websocket: API %s is %s, not WEBSOCKET", api.LogicalID, api.Protocol)
	}
	if api.ID == "" || api.Stage == "" {
		return nil, fmt.Errorf("websocket: API %s needs an id and a stage", api.LogicalID)
	}
	expr := api.RouteSelectionExpression
	if expr == "" {
		expr = defaultRouteSelection
	}
	sel, err := selection.Parse(expr)
	if err != nil {
		return nil, fmt.Errorf("websocket: API %s RouteSelectionExpression: %w", api.LogicalID, err)
	}
	cfg := &config{
		api:        api,
		domainName: fmt.Sprintf("%s.execute-api.%s.amazonaws.com", api.ID, region),
		selector:   sel,
		routes:     make(map[string]*route, len(api.Routes)),
		idle:       firstPositive(opts.IdleTimeout, api.IdleTimeout, DefaultIdleTimeout),
		maxAge:     firstPositive(opts.MaxConnectionDuration, api.MaxConnectionDuration, DefaultMaxConnectionDuration),
	}
	for _, r := range api.Routes {
		if r == nil || r.RouteKey == "" {
			continue
		}
		if _, dup := cfg.routes[r.RouteKey]; dup {
			return nil, fmt.Errorf("websocket: API %s has two routes %q", api.LogicalID, r.RouteKey)
		}
		rt := &route{key: r.RouteKey, integ: r.Integration, timeout: DefaultIntegrationTimeout}
		for _, rr := range r.RouteResponses {
			if rr != nil && rr.RouteResponseKey != "" {
				rt.twoWay = true
			}
		}
		if r.RouteResponseSelectionExpression != "" {
			if rt.responseSelector, err = selection.Parse(r.RouteResponseSelectionExpression); err != nil {
				return nil, fmt.Errorf("websocket: route %q RouteResponseSelectionExpression: %w", r.RouteKey, err)
			}
		}
		if in := r.Integration; in != nil {
			if in.Timeout > 0 {
				rt.timeout = in.Timeout
			}
			if in.TemplateSelectionExpression != "" {
				if rt.templateSelector, err = selection.Parse(in.TemplateSelectionExpression); err != nil {
					return nil, fmt.Errorf("websocket: route %q TemplateSelectionExpression: %w", r.RouteKey, err)
				}
			}
			if in.Type == app.IntegrationAWS || in.Type == app.IntegrationMock {
				if err := compileNonProxy(rt, in); err != nil {
					return nil, fmt.Errorf("websocket: route %q: %w", r.RouteKey, err)
				}
			}
		}
		cfg.routes[r.RouteKey] = rt
	}
	return cfg, nil
}

// match returns the route for a message whose selection key is key (ok is
// false when the expression could not be evaluated), or nil.
func (c *config) match(key string, ok bool) *route {
	if ok && key != routeConnect && key != routeDisconnect {
		if r := c.routes[key]; r != nil {
			return r
		}
	}
	return c.routes[routeDefault]
}

// stageVariables returns a copy of the stage variables, or nil.
func (c *config) stageVariables() map[string]string {
	if len(c.api.StageVariables) == 0 {
		return nil
	}
	return maps.Clone(c.api.StageVariables)
}

func firstPositive(ds ...time.Duration) time.Duration {
	for _, d := range ds {
		if d > 0 {
			return d
		}
	}
	return 0
}
