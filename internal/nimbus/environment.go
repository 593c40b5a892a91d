package nimbus

import "strings"

// functionEnvironment is what every function's environment gets on top of
// Lambda's own variables, so unmodified code reaches Nimbus: SDKs read
// AWS_ENDPOINT_URL; code that calls AWS host names over https (the
// management API built from requestContext.domainName) goes through the
// edge as an HTTP(S) proxy (Go, Python, curl) or straight to the edge port
// (Node, through our bootstrap), and trusts the local CA.
func (s *Server) functionEnvironment() map[string]string {
	edgeURL := s.URL()
	edgeAddr := strings.TrimPrefix(edgeURL, "http://")
	noProxy := "localhost,127.0.0.1,::1"
	return map[string]string{
		"AWS_ENDPOINT_URL":    edgeURL,
		"NIMBUS_EDGE_ADDR":    edgeAddr,
		"HTTPS_PROXY":         edgeURL,
		"https_proxy":         edgeURL,
		"HTTP_PROXY":          edgeURL,
		"http_proxy":          edgeURL,
		"NO_PROXY":            noProxy,
		"no_proxy":            noProxy,
		"NODE_EXTRA_CA_CERTS": s.ca.CertPath(),
		"SSL_CERT_FILE":       s.ca.BundlePath(),
		"AWS_CA_BUNDLE":       s.ca.BundlePath(),
		"REQUESTS_CA_BUNDLE":  s.ca.BundlePath(),
		"CURL_CA_BUNDLE":      s.ca.BundlePath(),
	}
}
