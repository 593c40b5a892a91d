package nimbus

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"

	"github.com/nimbus-dev/nimbus/internal/apigateway/gateway"
	"github.com/nimbus-dev/nimbus/internal/apigateway/httpapi"
	"github.com/nimbus-dev/nimbus/internal/apigateway/rest"
	"github.com/nimbus-dev/nimbus/internal/apigateway/websocket"
	"github.com/nimbus-dev/nimbus/internal/app"
	"github.com/nimbus-dev/nimbus/internal/httpserve"
)

// mountedAPI is one API of the app, served on its own port and, through
// the edge, under its execute-api host names.
type mountedAPI struct {
	api    *app.API
	port   int
	url    string
	server *httpserve.Server
	// current is the gateway serving the API now; a reload swaps it
	// without closing the port.
	current atomic.Pointer[http.Handler]
	// ws is set for WebSocket APIs, which are updated in place so open
	// connections survive a reload.
	ws *websocket.Gateway
}

func (m *mountedAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	(*m.current.Load()).ServeHTTP(w, r)
}

func (m *mountedAPI) set(h http.Handler) { m.current.Store(&h) }

// newGateway builds the gateway for an API's protocol.
func (s *Server) newGateway(api *app.API) (http.Handler, *websocket.Gateway, error) {
	logger := s.logger.With("component", "apigateway", "api", api.LogicalID)
	switch api.Protocol {
	case app.REST:
		g, err := rest.New(api, s.svc.lambda, rest.Options{Logger: logger, Region: s.cfg.Region, AccountID: s.cfg.AccountID})
		return g, nil, err
	case app.HTTP:
		g, err := httpapi.New(api, s.svc.lambda, httpapi.Options{Logger: logger, Region: s.cfg.Region, AccountID: s.cfg.AccountID})
		return g, nil, err
	case app.WebSocket:
		g, err := websocket.New(api, s.svc.lambda, s.svc.websocket, websocket.Options{Logger: logger, Region: s.cfg.Region, AccountID: s.cfg.AccountID})
		return g, g, err
	default:
		return nil, nil, fmt.Errorf("API %s has unknown protocol %q", api.LogicalID, api.Protocol)
	}
}

// mountAPI opens the API's port and routes the edge's host names to it.
func (s *Server) mountAPI(api *app.API) (*mountedAPI, error) {
	h, ws, err := s.newGateway(api)
	if err != nil {
		return nil, err
	}
	ln, err := s.ports.listen(api.Port)
	if err != nil {
		if ws != nil {
			_ = ws.Shutdown(context.Background())
		}
		return nil, fmt.Errorf("API %s: %w", api.LogicalID, err)
	}
	m := &mountedAPI{api: api, port: portOf(ln.Addr()), ws: ws}
	m.set(h)
	m.url = apiURL(s.cfg.Host, m.port, api)
	m.server = httpserve.New(ln, m, httpserve.Options{
		Logger: s.logger.With("component", "apigateway", "api", api.LogicalID),
		TLS:    s.ca.ServerConfig(),
		// REST events carry header names as the client spelled them.
		WrapPlain:   gateway.PreserveHeaderCase,
		ConnContext: gateway.ConnContext,
	})
	m.server.Start()
	s.router.SetAPI(api.ID, m)
	return m, nil
}

// updateAPI moves a mounted API to a new definition with the same logical
// id. WebSocket APIs keep their connections; others get a new gateway.
// A changed port or stage remounts the API.
func (s *Server) updateAPI(ctx context.Context, m *mountedAPI, api *app.API) (*mountedAPI, error) {
	samePort := api.Port == 0 || api.Port == m.port
	if samePort && api.Protocol == m.api.Protocol && api.Stage == m.api.Stage && api.ID == m.api.ID {
		if m.ws != nil {
			if err := m.ws.Update(api); err != nil {
				return m, err
			}
		} else {
			h, _, err := s.newGateway(api)
			if err != nil {
				return m, err
			}
			m.set(h)
		}
		m.api = api
		m.url = apiURL(s.cfg.Host, m.port, api)
		return m, nil
	}
	s.unmountAPI(ctx, m)
	return s.mountAPI(api)
}

// unmountAPI closes the API's port and connections.
func (s *Server) unmountAPI(ctx context.Context, m *mountedAPI) {
	s.router.SetAPI(m.api.ID, nil)
	if m.ws != nil {
		if err := m.ws.Shutdown(ctx); err != nil {
			s.logger.Warn("closing WebSocket API", "api", m.api.LogicalID, "err", err)
		}
	}
	if err := m.server.Shutdown(ctx); err != nil {
		s.logger.Warn("closing API port", "api", m.api.LogicalID, "err", err)
	}
	delete(s.ports.used, m.port)

}
