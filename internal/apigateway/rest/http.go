package rest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/nimbus-dev/nimbus/internal/apigateway/gateway"
)

// hopHeaders are not forwarded to an HTTP integration.
var hopHeaders = []string{"Connection", "Keep-Alive", "Proxy-Connection", "Te", "Trailer", "Transfer-Encoding", "Upgrade", "Host", "Content-Length"}

// serveHTTPProxy passes the request to an HTTP endpoint and its answer
// back unchanged (HTTP_PROXY).
func (g *Gateway) serveHTTPProxy(w http.ResponseWriter, r *http.Request, rc *requestInfo, rt *route, body []byte) {
	resp, respBody, ok := g.callHTTP(w, r, rc, rt, body, true)
	if !ok {
		return
	}
	h := w.Header()
	gateway.SetRESTResponseHeaders(h, headerList(resp.Header))
	setStandardHeaders(h, rc)
	h.Set("Content-Length", strconv.Itoa(len(respBody)))
	w.WriteHeader(resp.StatusCode)
	if r.Method != http.MethodHead {
		_, _ = w.Write(respBody)
	}
}

// headerList flattens an http.Header, names sorted, values in order.
func headerList(h http.Header) []gateway.Header {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	var out []gateway.Header
	for _, k := range names {
		for _, v := range h[k] {
			out = append(out, gateway.Header{Name: k, Value: v})
		}
	}
	return out
}

// serveHTTPCustom calls an HTTP endpoint with the request template's
// output and maps its answer through the integration response its status
// code selects (HTTP).
func (g *Gateway) serveHTTPCustom(w http.ResponseWriter, r *http.Request, rc *requestInfo, rt *route, body []byte) {
	payload, gerr := g.requestPayload(r, rc, rt, body)
	if gerr != nil {
		g.writeError(w, r, rc, gerr)
		return
	}
	resp, respBody, ok := g.callHTTP(w, r, rc, rt, payload, false)
	if !ok {
		return
	}
	ir := rt.selectResponse(strconv.Itoa(resp.StatusCode), true)
	g.mapResponse(w, r, rc, rt, ir, respBody, resp.Header)
}

func (g *Gateway) callHTTP(w http.ResponseWriter, r *http.Request, rc *requestInfo, rt *route, body []byte, proxy bool) (*http.Response, []byte, bool) {
	target, extraHeaders, extraQuery := g.integrationTarget(rt.integ, r, rc)
	rawQuery := extraQuery.Encode()
	if proxy && r.URL.RawQuery != "" {
		if rawQuery != "" {
			rawQuery += "&"
		}
		rawQuery += r.URL.RawQuery
	}
	if rawQuery != "" {
		if strings.Contains(target, "?") {
			target += "&" + rawQuery
		} else {
			target += "?" + rawQuery
		}
	}
	method := strings.ToUpper(rt.integ.HTTPMethod)
	if method == "" || method == "ANY" {
		method = r.Method
	}
	ctx, cancel := context.WithTimeout(r.Context(), g.timeout(rt.integ))
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(body))
	if err != nil {
		g.log.Warn("Execution failed due to configuration error: Invalid endpoint address", "uri", target, "requestId", rc.requestID)
		g.writeError(w, r, rc, errInternal)
		return nil, nil, false
	}
	if proxy {
		req.Header = r.Header.Clone()
		for _, k := range hopHeaders {
			req.Header.Del(k)
		}
		xff, port, proto, trace := gateway.ForwardedHeaders(r, rc.traceID)
		req.Header.Set("X-Forwarded-For", xff)
		req.Header.Set("X-Forwarded-Port", port)
		req.Header.Set("X-Forwarded-Proto", proto)
		req.Header.Set("X-Amzn-Trace-Id", trace)
	} else if len(body) > 0 {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range extraHeaders {
		req.Header[k] = v
	}
	resp, err := g.client.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
			g.writeError(w, r, rc, errTimeout)
		} else if r.Context().Err() == nil {
			g.log.Warn("Execution failed due to configuration error", "uri", target, "error", err, "requestId", rc.requestID)
			g.writeError(w, r, rc, errInternal)
		}
		return nil, nil, false
	}
	defer resp.Body.Close()
	respBody, err := io.ReadAll(io.LimitReader(resp.Body, gateway.MaxPayload+1))
	if err != nil {
		g.writeError(w, r, rc, errBadGateway)
		return nil, nil, false
	}
	return resp, respBody, true
}
