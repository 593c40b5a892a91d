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
