package gateway

import (
	"net"
	"net/http"
	"strings"
	"time"
)

// CLFTime formats t as API Gateway's requestTime ("15/May/2020:06:01:09 +0000").
func CLFTime(t time.Time) string {
	return t.UTC().Format("02/Jan/2006:15:04:05 -0700")
}

// SourceIP is the address of the TCP peer, as $context.identity.sourceIp.
func SourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// Protocol is the request protocol as API Gateway reports it ("HTTP/1.1").
func Protocol(r *http.Request) string {
	if r.Proto == "" {
		return "HTTP/1.1"
	}
	return r.Proto
}

// ForwardedHeaders are the headers API Gateway adds to what the client
// sent before passing a request on: X-Forwarded-For (the client address
// appended), X-Forwarded-Port, X-Forwarded-Proto and X-Amzn-Trace-Id (kept
// when the client sent one).
func ForwardedHeaders(r *http.Request, traceID string) (forwardedFor, port, proto, trace string) {
	ip := SourceIP(r)
	forwardedFor = ip
	if prev := r.Header.Values("X-Forwarded-For"); len(prev) > 0 {
		forwardedFor = strings.Join(prev, ", ") + ", " + ip
	}
	proto = "http"
	if r.TLS != nil {
		proto = "https"
	}
	port = ""
	if _, p, err := net.SplitHostPort(r.Host); err == nil {
		port = p
	} else if proto == "https" {
		port = "443"
	} else {
		port = "80"
	}
	trace = r.Header.Get("X-Amzn-Trace-Id")
	if trace == "" {
		trace = traceID
	}
	return forwardedFor, port, proto, trace
}
