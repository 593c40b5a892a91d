// Package gateway holds what API Gateway's REST and HTTP APIs share: path
// matching with {param} and greedy {proxy+} segments, request ids, CORS,
// request metadata (client address, trace id, times) and the gateway's own
// error responses.
package gateway

import (
	"fmt"
	"net/url"
	"strings"
)

// Router matches request paths against resource paths such as
// "/rooms/{roomId}" or "/files/{proxy+}". At each segment a literal beats a
// {param}, which beats a greedy {name+}; when a more specific branch does
// not lead to a match, the next one is tried.
type Router[T any] struct {
	root *routeNode[T]
}

type routeNode[T any] struct {
	literal    map[string]*routeNode[T]
	param      *routeNode[T]
	paramName  string
	greedy     *routeNode[T]
	greedyName string
	// resource is the path this node stands for, set when routes end here.
	resource string
	methods  map[string]T
}

// Match is a matched route.
type Match[T any] struct {
	Value T
	// Resource is the resource path as declared ("/items/{id}").
	Resource string
	// Method is the declared method that matched ("GET" or "ANY").
	Method string
	// Params are the path parameters as the path passed to Find or
	// FindDecoded spells them; nil when there are none.
	Params map[string]string
}

// NewRouter returns an empty router.
func NewRouter[T any]() *Router[T] {
	return &Router[T]{root: &routeNode[T]{}}
}

// Add registers value for method ("GET", "ANY", ...) on a resource path.
func (r *Router[T]) Add(method, path string, value T) error {
	segs, err := splitResource(path)
	if err != nil {
		return err
	}
	n := r.root
	for i, s := range segs {
		switch {
		case strings.HasPrefix(s, "{") && strings.HasSuffix(s, "+}"):
			if i != len(segs)-1 {
				return fmt.Errorf("resource %q: a greedy path variable must be last", path)
			}
			name := s[1 : len(s)-2]
			if n.greedy == nil {
				n.greedy = &routeNode[T]{}
				n.greedyName = name
			} else if n.greedyName != name {
				return fmt.Errorf("resource %q: conflicting variable names {%s+} and {%s+}", path, n.greedyName, name)
			}
			n = n.greedy
		case strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}"):
			name := s[1 : len(s)-1]
			if name == "" {
				return fmt.Errorf("resource %q: empty path variable", path)
			}
			if n.param == nil {
				n.param = &routeNode[T]{}
				n.paramName = name
			} else if n.paramName != name {
				return fmt.Errorf("resource %q: conflicting variable names {%s} and {%s}", path, n.paramName, name)
			}
			n = n.param
		default:
			if n.literal == nil {
				n.literal = map[string]*routeNode[T]{}
			}
			child := n.literal[s]
			if child == nil {
				child = &routeNode[T]{}
				n.literal[s] = child
			}
			n = child
		}
	}
	if n.methods == nil {
		n.methods = map[string]T{}
	}
	method = strings.ToUpper(method)
	if _, dup := n.methods[method]; dup {
		return fmt.Errorf("duplicate route %s %s", method, path)
	}
	n.methods[method] = value
	n.resource = "/" + strings.Join(segs, "/")
	return nil
}

func splitResource(path string) ([]string, error) {
	if !strings.HasPrefix(path, "/") {
		return nil, fmt.Errorf("resource path %q must start with /", path)
	}
	trimmed := strings.Trim(path, "/")
	if trimmed == "" {
		return nil, nil
	}
	segs := strings.Split(trimmed, "/")
	for _, s := range segs {
		if s == "" {
			return nil, fmt.Errorf("resource path %q has an empty segment", path)
		}
	}
	return segs, nil
}

// Find matches a request path as sent (percent-encoded), as REST APIs do:
// literal segments match after decoding, and path parameters keep their
// encoding ("a%20b"), as API Gateway hands them to the integration.
// fallThrough says whether a resource that matches the path but not the
// method lets a less specific resource answer (HTTP APIs) or ends the search
// (REST APIs, where the most specific resource alone decides).
// resourceFound reports whether any resource matched the path.
func (r *Router[T]) Find(method, escapedPath string, fallThrough bool) (m Match[T], found, resourceFound bool) {
	raw, decoded, ok := splitRequest(escapedPath)
	if !ok {
		return m, false, false
	}
	return r.find(method, decoded, raw, fallThrough)
}

// FindDecoded matches a path that is already decoded, as HTTP APIs decode
// it before routing: segments are matched and returned as they are.
func (r *Router[T]) FindDecoded(method, path string, fallThrough bool) (m Match[T], found, resourceFound bool) {
	segs := splitDecoded(path)
	return r.find(method, segs, segs, fallThrough)
}

// find walks the tree matching segs; parameters take their values from the
// same positions of vals.
func (r *Router[T]) find(method string, segs, vals []string, fallThrough bool) (m Match[T], found, resourceFound bool) {
	method = strings.ToUpper(method)
	r.root.walk(segs, vals, 0, nil, func(n *routeNode[T], params map[string]string) bool {
		resourceFound = true
		declared := method
		v, ok := n.methods[method]
		if !ok {
			declared = "ANY"
			v, ok = n.methods["ANY"]
		}
		if ok {
			m = Match[T]{Value: v, Resource: n.resource, Method: declared, Params: copyParams(params)}
			found = true
			return true
		}
		return !fallThrough
	})
	return m, found, resourceFound
}

func copyParams(p map[string]string) map[string]string {
	if len(p) == 0 {
		return nil
	}
	out := make(map[string]string, len(p))
	for k, v := range p {
		out[k] = v
	}
	return out
}

// splitRequest splits an escaped request path into its segments as sent
// and decoded. A trailing slash is ignored; an undecodable segment fails the
// match.
func splitRequest(escapedPath string) (raw, decoded []string, ok bool) {
	raw = splitDecoded(escapedPath)
	decoded = make([]string, len(raw))
	for i, s := range raw {
		d, err := url.PathUnescape(s)
		if err != nil {
			return nil, nil, false
		}
		decoded[i] = d
	}
	return raw, decoded, true
}

// splitDecoded splits a path into segments; a trailing slash is ignored.
func splitDecoded(path string) []string {
	trimmed := strings.TrimPrefix(path, "/")
	trimmed = strings.TrimSuffix(trimmed, "/")
	if trimmed == "" {
		return nil
	}
	return strings.Split(trimmed, "/")
}

// walk visits, most specific first, every node whose resource matches
// segs[i:], with parameter values from vals; visit returns true to stop.
func (n *routeNode[T]) walk(segs, vals []string, i int, params map[string]string, visit func(*routeNode[T], map[string]string) bool) bool {
	if i == len(segs) {
		if n.methods != nil {
			return visit(n, params)
		}
		return false
	}
	if child := n.literal[segs[i]]; child != nil {
		if child.walk(segs, vals, i+1, params, visit) {
			return true
		}
	}
	if n.param != nil && segs[i] != "" {
		p := withParam(params, n.paramName, vals[i])
		if n.param.walk(segs, vals, i+1, p, visit) {
			return true
		}
	}
	if n.greedy != nil && n.greedy.methods != nil {
		p := withParam(params, n.greedyName, strings.Join(vals[i:], "/"))
		if visit(n.greedy, p) {
			return true
		}
	}
	return false
}

func withParam(params map[string]string, k, v string) map[string]string {
	out := make(map[string]string, len(params)+1)
	for a, b := range params {
		out[a] = b
	}
	out[k] = v
	return out
}

// EscapePathSegments percent-encodes each segment of a slash-separated
// value, for putting a decoded path parameter into an integration's URL.
func EscapePathSegments(v string) string {
	segs := strings.Split(v, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}
