package httpapi

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/nimbus-dev/nimbus/internal/apigateway/gateway"
)

// defaultContentType is the Content-Type of a Lambda response that sets
// none (what HTTP APIs answer, e.g. to a function returning only
// {"statusCode": 200, "body": "..."}).
const defaultContentType = "text/plain; charset=utf-8"

// serveLambda runs a Lambda proxy integration with the route's payload
// format.
func (g *Gateway) serveLambda(w http.ResponseWriter, r *http.Request, rc *requestInfo, rt *route, body []byte) {
	var payload []byte
	if rt.v1 {
		payload = g.eventV1(r, rc, rt, body).AppendJSON(make([]byte, 0, 2048+len(body)*4/3))
	} else {
		payload = g.eventV2(r, rc, rt, body).appendJSON(make([]byte, 0, 1024+len(body)*4/3))
	}
	trace := r.Header.Get("X-Amzn-Trace-Id")
	if trace == "" {
		trace = rc.traceID
	}
	resp, outcome, err := gateway.InvokeLambdaEvent(r.Context(), g.inv, rt.integ.FunctionName, payload, g.timeout(rt.integ), trace)
	switch outcome {
	case gateway.FunctionFailed:
		g.log.Warn("Lambda execution failed", "function", rt.integ.FunctionName, "requestId", rc.requestID)
		g.writeError(w, r, errInternal)
		return
	case gateway.TimedOut:
		g.log.Warn("integration timed out", "function", rt.integ.FunctionName, "requestId", rc.requestID)
		g.writeError(w, r, errTimeout)
		return
	case gateway.ServiceFailed:
		g.log.Warn("Lambda invocation failed", "function", rt.integ.FunctionName, "error", err, "requestId", rc.requestID)
		g.writeError(w, r, errInternal)
		return
	case gateway.Canceled:
		return
	}
	var out *gateway.ProxyResponse
	if rt.v1 {
		out, err = gateway.ParseResponseV1(resp.Payload, false)
	} else {
		out, err = gateway.ParseResponseV2(resp.Payload)
	}
	if err != nil {
		g.log.Warn("malformed Lambda proxy response", "function", rt.integ.FunctionName, "error", err, "requestId", rc.requestID)
		g.writeError(w, r, errInternal)
		return
	}
	data := []byte(out.Body)
	if out.IsBase64Encoded {
		if data, err = base64.StdEncoding.DecodeString(out.Body); err != nil {
			g.writeError(w, r, errInternal)
			return
		}
	}
	h := w.Header()
	gateway.SetResponseHeaders(h, out.Headers)
	for _, c := range out.Cookies {
		h.Add("Set-Cookie", c)
	}
	if h.Get("Content-Type") == "" {
		// HTTP APIs label a response without a Content-Type as text (an
		// inferred 2.0 response already says application/json).
		h.Set("Content-Type", defaultContentType)
	}
	if g.cors != nil {
		g.cors.Decorate(h, r.Header.Get("Origin"))
	}
	h.Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(out.StatusCode)
	if r.Method != http.MethodHead {
		_, _ = w.Write(data)
	}
}

// serveHTTPProxy passes the request to an HTTP endpoint (HTTP_PROXY).
func (g *Gateway) serveHTTPProxy(w http.ResponseWriter, r *http.Request, rc *requestInfo, rt *route, body []byte) {
	target := rt.integ.URI
	for k, v := range rc.params {
		// Parameters are decoded (decodeRequestPath): encode them again
		// for the URL.
		v = gateway.EscapePathSegments(v)
		target = strings.ReplaceAll(target, "{"+k+"}", v)
		target = strings.ReplaceAll(target, "{"+k+"+}", v)
	}
	if r.URL.RawQuery != "" {
		sep := "?"
		if strings.Contains(target, "?") {
			sep = "&"
		}
		target += sep + r.URL.RawQuery
	}
	method := strings.ToUpper(rt.integ.HTTPMethod)
	if method == "" || method == "ANY" {
		method = r.Method
	}
	ctx, cancel := context.WithTimeout(r.Context(), g.timeout(rt.integ))
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(body))
	if err != nil {
		g.writeError(w, r, errInternal)
		return
	}
	req.Header = r.Header.Clone()
	for _, k := range []string{"Connection", "Keep-Alive", "Proxy-Connection", "Te", "Trailer", "Transfer-Encoding", "Upgrade", "Host", "Content-Length"} {
		req.Header.Del(k)
	}
	xff, port, proto, trace := gateway.ForwardedHeaders(r, rc.traceID)
	req.Header.Set("X-Forwarded-For", xff)
	req.Header.Set("X-Forwarded-Port", port)
	req.Header.Set("X-Forwarded-Proto", proto)
	req.Header.Set("X-Amzn-Trace-Id", trace)
	resp, err := g.client.Do(req)
	if err != nil {
		switch {
		case errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded):
			g.writeError(w, r, errTimeout)
		case r.Context().Err() == nil:
			g.log.Warn("HTTP integration failed", "uri", target, "error", err, "requestId", rc.requestID)
			g.writeError(w, r, errInternal)
		}
		return
	}
	defer resp.Body.Close()
	respBody, err := io.ReadAll(io.LimitReader(resp.Body, gateway.MaxPayload+1))
	if err != nil {
		g.writeError(w, r, errBadGateway)
		return
	}
	h := w.Header()
	for k, v := range resp.Header {
		switch k {
		case "Connection", "Transfer-Encoding", "Content-Length", "Keep-Alive":
			continue
		}
		h[k] = v
	}
	if g.cors != nil {
		g.cors.Decorate(h, r.Header.Get("Origin"))
	}
	h.Set("Content-Length", strconv.Itoa(len(respBody)))
	w.WriteHeader(resp.StatusCode)
	if r.Method != http.MethodHead {
		_, _ = w.Write(respBody)
	}
}
