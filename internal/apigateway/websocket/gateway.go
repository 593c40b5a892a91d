package websocket

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nimbus-dev/nimbus/internal/app"
	"github.com/nimbus-dev/nimbus/internal/invoke"
)

// Options configure a Gateway. Zero values mean AWS's behaviour.
type Options struct {
	Logger    *slog.Logger
	Region    string // "us-east-1" when empty
	AccountID string // "123456789012" when empty
	// IdleTimeout and MaxConnectionDuration override the API's values
	// (themselves defaulting to 10 minutes and 2 hours).
	IdleTimeout           time.Duration
	MaxConnectionDuration time.Duration
	// SendQueueBytes bounds the data queued for one client that reads
	// slower than it is sent to; past it PostToConnection answers
	// LimitExceededException. Zero means 1 MiB.
	SendQueueBytes int
	// WriteTimeout is how long one write to a client may block before the
	// client is considered gone and disconnected. Zero means 30 seconds.
	WriteTimeout time.Duration
}

// Gateway serves one WebSocket API stage: handshakes under /{stage}, and
// the @connections management API under /{stage}/@connections/{id}.
type Gateway struct {
	logger    *slog.Logger
	inv       invoke.Invoker
	reg       Registry
	region    string
	accountID string
	opts      Options
	apiID     string
	stage     string
	cfg       atomic.Pointer[config]
	mgmt      *management

	mu      sync.Mutex
	conns   map[*conn]struct{}
	closing bool
	// wg counts connection goroutines, message dispatches and $disconnect
	// invocations, so Shutdown can wait for them.
	wg sync.WaitGroup
}

// New returns a Gateway for api, a WEBSOCKET API. Routes call functions
// through inv; connections are registered in reg, shared by all WebSocket
// APIs of the app.
func New(api *app.API, inv invoke.Invoker, reg Registry, opts Options) (*Gateway, error) {
	if inv == nil || reg == nil {
		return nil, fmt.Errorf("websocket: New needs an Invoker and a Registry")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	if opts.AccountID == "" {
		opts.AccountID = "123456789012"
	}
	if opts.SendQueueBytes <= 0 {
		opts.SendQueueBytes = 1 << 20
	}
	if opts.WriteTimeout <= 0 {
		opts.WriteTimeout = 30 * time.Second
	}
	cfg, err := compile(api, opts.Region, opts)
	if err != nil {
		return nil, err
	}
	logger := opts.Logger.With("component", "websocket", "api", api.ID, "stage", api.Stage)
	g := &Gateway{
		logger:    logger,
		inv:       inv,
		reg:       reg,
		region:    opts.Region,
		accountID: opts.AccountID,
		opts:      opts,
		apiID:     api.ID,
		stage:     api.Stage,
		conns:     make(map[*conn]struct{}),
	}
	g.cfg.Store(cfg)
	g.mgmt = &management{reg: reg, apiID: api.ID, logger: logger}
	return g, nil
}

// Update replaces the API definition in place: open connections stay open
// and use the new routes from their next message (a reload that keeps the
// API). The API id and stage must not change; use a new Gateway for that.
func (g *Gateway) Update(api *app.API) error {
	old := g.cfg.Load()
	if api != nil && (api.ID != old.api.ID || api.Stage != old.api.Stage) {
		return fmt.Errorf("websocket: Update cannot change API %s/%s into %s/%s", old.api.ID, old.api.Stage, api.ID, api.Stage)
	}
	cfg, err := compile(api, g.region, g.opts)
	if err != nil {
		return err
	}
	g.cfg.Store(cfg)
	return nil
}

// API returns the API definition currently served.
func (g *Gateway) API() *app.API { return g.cfg.Load().api }

// DomainName is the host name events carry as requestContext.domainName
// ("{apiId}.execute-api.{region}.amazonaws.com").
func (g *Gateway) DomainName() string { return g.cfg.Load().domainName }

// ServeHTTP upgrades WebSocket handshakes at /{stage} (and any path under
// it) and serves POST|GET|DELETE /{stage}/@connections/{id}.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	cfg := g.cfg.Load()
	stage, rest, ok := splitStage(r.URL.Path)
	if !ok || stage != cfg.api.Stage {
		writeForbidden(w)
		return
	}
	if id, isMgmt := strings.CutPrefix(rest, "/@connections/"); isMgmt {
		g.mgmt.serve(w, r, id)
		return
	}
	if rest == "/@connections" {
		writeForbidden(w)
		return
	}
	g.serveHandshake(w, r, cfg)
}

// splitStage splits "/stage/rest" into "stage" and "/rest".
func splitStage(p string) (stage, rest string, ok bool) {
	if !strings.HasPrefix(p, "/") {
		return "", "", false
	}
	p = p[1:]
	if i := strings.IndexByte(p, '/'); i >= 0 {
		return p[:i], p[i:], p[:i] != ""
	}
	return p, "", p != ""
}

// writeForbidden is API Gateway's answer to a path no stage or route
// serves.
func writeForbidden(w http.ResponseWriter) {
	writeAPIError(w, errForbidden, "")
}

// track adds a live connection; false when the gateway is shutting down.
func (g *Gateway) track(c *conn) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closing {
		return false
	}
	g.conns[c] = struct{}{}
	g.wg.Add(1)
	return true
}

func (g *Gateway) untrack(c *conn) {
	g.mu.Lock()
	delete(g.conns, c)
	g.mu.Unlock()
}

// shutdownGrace is how long Shutdown lets clients answer the close
// handshake before dropping them.
const shutdownGrace = 2 * time.Second

// Shutdown stops accepting handshakes and closes every connection as AWS
// does when a stage goes away: close code 1001 "Going away", then
// $disconnect. Clients that do not complete the close handshake within a
// short grace period are dropped. It waits for the $disconnect invocations
// until ctx is done.
func (g *Gateway) Shutdown(ctx context.Context) error {
	g.mu.Lock()
	g.closing = true
	conns := make([]*conn, 0, len(g.conns))
	for c := range g.conns {
		conns = append(conns, c)
	}
	g.mu.Unlock()
	for _, c := range conns {
		c.serverClose(closeGoingAway, reasonGoingAway)
	}
	done := make(chan struct{})
	go func() {
		g.wg.Wait()
		close(done)
	}()
	grace := time.NewTimer(shutdownGrace)
	defer grace.Stop()
	select {
	case <-done:
		return nil
	case <-grace.C:
	case <-ctx.Done():
	}
	for _, c := range conns {
		c.abort()
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Connections returns the number of open connections.
func (g *Gateway) Connections() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.conns)
}
