// Package edge is Nimbus's front door: one port that routes each request to
// the emulated service AWS would have sent it to. DynamoDB is chosen by the
// X-Amz-Target header, Lambda by its versioned paths, APIs by their
// execute-api host names, the WebSocket management API by /@connections.
// The same port also accepts TLS (for code that calls AWS host names over
// https) and HTTP CONNECT (for clients that honour HTTPS_PROXY).
package edge

import (
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
)

// Router dispatches edge requests. It is safe for concurrent use and can be
// reconfigured while serving (APIs come and go on reload).
type Router struct {
	logger *slog.Logger

	mu          sync.RWMutex
	targets     map[string]http.Handler
	paths       []pathRoute
	apis        map[string]http.Handler
	connections http.Handler
	internal    *http.ServeMux

	// Inject receives CONNECT tunnels to names Nimbus serves itself, so they
	// are answered by the edge server (TLS included).
	inject func(net.Conn)
	proxy  *proxy
}

type pathRoute struct {
	prefix  string
	handler http.Handler
}

// NewRouter returns an empty router.
func NewRouter(logger *slog.Logger) *Router {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	r := &Router{
		logger:   logger,
		targets:  map[string]http.Handler{},
		apis:     map[string]http.Handler{},
		internal: http.NewServeMux(),
	}
	r.proxy = &proxy{router: r, logger: logger}
	return r
}

// HandleTarget routes requests whose X-Amz-Target starts with service+"."
// (for example "DynamoDB_20120810") to h.
func (r *Router) HandleTarget(service string, h http.Handler) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.targets[service] = h
}

// HandlePrefix routes requests whose path starts with prefix to h.
func (r *Router) HandlePrefix(prefix string, h http.Handler) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.paths = append(r.paths, pathRoute{prefix, h})
}

// HandleConnections serves the WebSocket management API reached without an
// API host name (SDK clients configured with AWS_ENDPOINT_URL send
// /@connections/{id}).
func (r *Router) HandleConnections(h http.Handler) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.connections = h
}

// HandleInternal registers a Nimbus endpoint under /_nimbus/.
func (r *Router) HandleInternal(pattern string, h http.Handler) {
	r.internal.Handle(pattern, h)
}

// SetAPI mounts (or, with a nil handler, removes) the API with this id for
// the host names {id}.execute-api.localhost and
// {id}.execute-api.{region}.amazonaws.com.
func (r *Router) SetAPI(id string, h http.Handler) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if h == nil {
		delete(r.apis, id)
		return
	}
	r.apis[id] = h
}

// SetInjector makes CONNECT tunnels to Nimbus's own names reach the edge
// server itself (httpserve.Server.Inject).
func (r *Router) SetInjector(inject func(net.Conn)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.inject = inject
}

var (
	executeAPIHost = regexp.MustCompile(`^([a-z0-9]{1,64})\.execute-api\.(?:localhost|[a-z0-9-]+\.amazonaws\.com(?:\.cn)?)$`)
	awsServiceHost = regexp.MustCompile(`^(?:dynamodb|lambda|execute-api|apigateway|streams\.dynamodb)\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?$`)
)

// apiIDFromHost returns the API id of an execute-api host name.
func apiIDFromHost(host string) (string, bool) {
	m := executeAPIHost.FindStringSubmatch(hostOnly(host))
	if m == nil {
		return "", false
	}
	return m[1], true
}

// servedLocally reports whether Nimbus answers this host itself rather than
// tunnelling it to the internet.
func servedLocally(host string) bool {
	h := hostOnly(host)
	if executeAPIHost.MatchString(h) || awsServiceHost.MatchString(h) {
		return true
	}
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

func hostOnly(hostport string) string {
	h := hostport
	if host, _, err := net.SplitHostPort(hostport); err == nil {
		h = host
	}
	return strings.ToLower(strings.TrimSuffix(strings.Trim(h, "[]"), "."))
}

// ServeHTTP routes one request.
func (r *Router) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method == http.MethodConnect {
		r.proxy.serveConnect(w, req)
		return
	}
	if req.URL.IsAbs() && !servedLocally(req.URL.Host) {
		r.proxy.forward(w, req)
		return
	}
	if id, ok := apiIDFromHost(req.Host); ok {
		r.mu.RLock()
		h := r.apis[id]
		r.mu.RUnlock()
		if h == nil {
			writeJSON(w, http.StatusNotFound, map[string]string{"message": "No API with id " + id + " is running in Nimbus"})
			return
		}
		h.ServeHTTP(w, req)
		return
	}
	if strings.HasPrefix(req.URL.Path, "/_nimbus/") {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		r.internal.ServeHTTP(w, req)
		return
	}
	if req.Method == http.MethodOptions && req.Header.Get("Access-Control-Request-Method") != "" {
		writePreflight(w, req)
		return
	}
	if target := req.Header.Get("X-Amz-Target"); target != "" {
		service, _, _ := strings.Cut(target, ".")
		r.mu.RLock()
		h := r.targets[service]
		r.mu.RUnlock()
		if h == nil {
			writeUnknownOperation(w, target)
			return
		}
		allowBrowserOrigin(w, req)
		h.ServeHTTP(w, req)
		return
	}
	if h := r.pathHandler(req.URL.Path); h != nil {
		allowBrowserOrigin(w, req)
		h.ServeHTTP(w, req)
		return
	}
	writeJSON(w, http.StatusNotFound, map[string]string{
		"message": "Nimbus has no service at " + req.Method + " " + req.URL.Path +
			"; DynamoDB is served by X-Amz-Target, Lambda under /2015-03-31/, the WebSocket management API under /@connections/, Nimbus itself under /_nimbus/",
	})
}

func (r *Router) pathHandler(path string) http.Handler {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if strings.HasPrefix(path, "/@connections/") && r.connections != nil {
		return r.connections
	}
	for _, p := range r.paths {
		if strings.HasPrefix(path, p.prefix) {
			return p.handler
		}
	}
	return nil
}

// writePreflight answers browser CORS preflights for the service APIs the
// way AWS's service endpoints do: any origin, the headers asked for.
func writePreflight(w http.ResponseWriter, req *http.Request) {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", originOrStar(req))
	h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS")
	if asked := req.Header.Get("Access-Control-Request-Headers"); asked != "" {
		h.Set("Access-Control-Allow-Headers", asked)
	}
	h.Set("Access-Control-Max-Age", "172800")
	w.WriteHeader(http.StatusOK)
}

func allowBrowserOrigin(w http.ResponseWriter, req *http.Request) {
	if req.Header.Get("Origin") == "" {
		return
	}
	w.Header().Set("Access-Control-Allow-Origin", originOrStar(req))
	w.Header().Set("Access-Control-Expose-Headers", "x-amzn-RequestId, x-amzn-ErrorType, x-amz-crc32, x-amz-function-error, x-amz-log-result, x-amz-executed-version")
}

func originOrStar(req *http.Request) string {
	if o := req.Header.Get("Origin"); o != "" {
		return o
	}
	return "*"
}

// writeUnknownOperation answers an X-Amz-Target for a service Nimbus does
// not emulate in AWS's JSON protocol error format.
func writeUnknownOperation(w http.ResponseWriter, target string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.Header().Set("x-amzn-ErrorType", "UnknownOperationException")
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(map[string]string{
		"__type":  "com.amazon.coral.service#UnknownOperationException",
		"message": "Nimbus does not emulate the service of X-Amz-Target " + target,
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
