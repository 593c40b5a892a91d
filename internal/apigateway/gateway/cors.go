package gateway

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/nimbus-dev/nimbus/internal/app"
)

// CORS applies an HTTP API CorsConfiguration as API Gateway does: it
// answers preflight requests itself and sets the CORS headers on every
// other response to a request that has an Origin, replacing any the
// integration returned.
type CORS struct {
	cfg app.Cors
}

// NewCORS returns nil when cfg is nil.
func NewCORS(cfg *app.Cors) *CORS {
	if cfg == nil {
		return nil
	}
	return &CORS{cfg: *cfg}
}

// IsPreflight reports whether r is a CORS preflight request.
func IsPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions && r.Header.Get("Origin") != "" &&
		r.Header.Get("Access-Control-Request-Method") != ""
}

// allowedOrigin returns the Access-Control-Allow-Origin value for origin,
// or "" when the origin is not allowed.
func (c *CORS) allowedOrigin(origin string) string {
	for _, o := range c.cfg.AllowOrigins {
		if o == "*" {
			if c.cfg.AllowCredentials {
				return origin
			}
			return "*"
		}
		if originMatches(o, origin) {
			return origin
		}
	}
	return ""
}

// originMatches compares an allowed origin, which may hold one '*'
// wildcard ("https://*.example.com"), with a request origin.
func originMatches(pattern, origin string) bool {
	pattern, origin = strings.ToLower(pattern), strings.ToLower(origin)
	before, after, wild := strings.Cut(pattern, "*")
	if !wild {
		return pattern == origin
	}
	return len(origin) > len(before)+len(after) && strings.HasPrefix(origin, before) && strings.HasSuffix(origin, after)
}

// Preflight writes the gateway's answer to a preflight request: 204 with
// the allowed origin, methods, headers and max age, or 204 without CORS
// headers when the origin or method is not allowed.
func (c *CORS) Preflight(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	origin := c.allowedOrigin(r.Header.Get("Origin"))
	method := r.Header.Get("Access-Control-Request-Method")
	if origin != "" && c.methodAllowed(method) {
		h.Set("Access-Control-Allow-Origin", origin)
		if len(c.cfg.AllowMethods) > 0 {
			h.Set("Access-Control-Allow-Methods", strings.Join(c.cfg.AllowMethods, ","))
		}
		if len(c.cfg.AllowHeaders) > 0 {
			h.Set("Access-Control-Allow-Headers", strings.Join(c.cfg.AllowHeaders, ","))
		}
		if len(c.cfg.ExposeHeaders) > 0 {
			h.Set("Access-Control-Expose-Headers", strings.Join(c.cfg.ExposeHeaders, ","))
		}
		if c.cfg.MaxAge > 0 {
			h.Set("Access-Control-Max-Age", strconv.Itoa(c.cfg.MaxAge))
		}
		if c.cfg.AllowCredentials {
			h.Set("Access-Control-Allow-Credentials", "true")
		}
		if origin != "*" {
			h.Add("Vary", "Origin")
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

func (c *CORS) methodAllowed(method string) bool {
	for _, m := range c.cfg.AllowMethods {
		if m == "*" || strings.EqualFold(m, method) {
			return true
		}
	}
	return false
}

// Decorate sets the CORS headers of a non-preflight response to a request
// from origin, dropping those the integration set.
func (c *CORS) Decorate(h http.Header, origin string) {
	for _, k := range []string{"Access-Control-Allow-Origin", "Access-Control-Allow-Credentials", "Access-Control-Expose-Headers", "Access-Control-Allow-Methods", "Access-Control-Allow-Headers", "Access-Control-Max-Age"} {
		h.Del(k)
	}
	if origin == "" {
		return
	}
	allowed := c.allowedOrigin(origin)
	if allowed == "" {
		return
	}
	h.Set("Access-Control-Allow-Origin", allowed)
	if len(c.cfg.ExposeHeaders) > 0 {
		h.Set("Access-Control-Expose-Headers", strings.Join(c.cfg.ExposeHeaders, ","))
	}
	if c.cfg.AllowCredentials {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	if allowed != "*" {
		h.Add("Vary", "Origin")
	}
}
