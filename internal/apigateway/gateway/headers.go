package gateway

import (
	"net/http"
	"net/textproto"
	"sort"
)

func canonicalKey(name string) string { return textproto.CanonicalMIMEHeaderKey(name) }

func sortStrings(s []string) { sort.Strings(s) }

// hopByHop are headers a gateway never copies from an integration's
// response: the server computes them for its own connection.
var hopByHop = map[string]bool{
	"Connection": true, "Keep-Alive": true, "Transfer-Encoding": true, "Content-Length": true,
	"Upgrade": true, "Proxy-Connection": true, "Te": true, "Trailer": true,
}

// SetResponseHeaders copies an integration's headers into h, skipping the
// hop-by-hop ones.
func SetResponseHeaders(h http.Header, headers []Header) {
	for _, hd := range headers {
		k := canonicalKey(hd.Name)
		if hopByHop[k] || k == "" {
			continue
		}
		h[k] = append(h[k], hd.Value)
	}
}

// restRemapped are the integration response headers a REST API does not
// pass on under their own name but as "x-amzn-Remapped-<name>" (API
// Gateway's important notes for REST APIs): API Gateway answers with its
// own Date, Connection, ... and keeps the integration's for the client.
var restRemapped = map[string]bool{
	"Authorization": true, "Connection": true, "Content-Md5": true, "Date": true,
	"Max-Forwards": true, "Server": true, "User-Agent": true, "Www-Authenticate": true,
}

// restDropped are the integration response headers a REST API drops.
var restDropped = map[string]bool{
	"Expect": true, "Host": true, "Proxy-Authenticate": true, "Te": true, "Trailer": true,
	"Transfer-Encoding": true, "Upgrade": true, "Via": true,
	// Computed by the server for its own connection.
	"Content-Length": true, "Keep-Alive": true, "Proxy-Connection": true,
}

// RemappedPrefix is what a REST API puts before a remapped header's name.
const RemappedPrefix = "x-amzn-Remapped-"

// SetRESTResponseHeaders copies an integration's headers into h as a REST
// API passes them on: the remapped ones as x-amzn-Remapped-<name> (the
// name as the integration spelled it), the dropped ones not at all.
func SetRESTResponseHeaders(h http.Header, headers []Header) {
	for _, hd := range headers {
		k := canonicalKey(hd.Name)
		switch {
		case k == "" || restDropped[k]:
		case restRemapped[k]:
			name := RemappedPrefix + hd.Name
			h[name] = append(h[name], hd.Value)
		default:
			h[k] = append(h[k], hd.Value)
		}
	}
}
