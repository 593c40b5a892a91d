package httpapi

import (
	"encoding/base64"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/nimbus-dev/nimbus/internal/apigateway/gateway"
)

// EventV2 is the payload format 2.0 event. It mirrors
// events.APIGatewayV2HTTPRequest, leaving out what API Gateway leaves out
// (authentication without mutual TLS, authorizer without one).
type EventV2 struct {
	Version               string            `json:"version"`
	RouteKey              string            `json:"routeKey"`
	RawPath               string            `json:"rawPath"`
	RawQueryString        string            `json:"rawQueryString"`
	Cookies               []string          `json:"cookies,omitempty"`
	Headers               map[string]string `json:"headers"`
	QueryStringParameters map[string]string `json:"queryStringParameters,omitempty"`
	PathParameters        map[string]string `json:"pathParameters,omitempty"`
	RequestContext        RequestContextV2  `json:"requestContext"`
	Body                  string            `json:"body,omitempty"`
	IsBase64Encoded       bool              `json:"isBase64Encoded"`
	StageVariables        map[string]string `json:"stageVariables,omitempty"`
}

// RequestContextV2 is the requestContext of an EventV2.
type RequestContextV2 struct {
	AccountID    string        `json:"accountId"`
	APIID        string        `json:"apiId"`
	DomainName   string        `json:"domainName"`
	DomainPrefix string        `json:"domainPrefix"`
	HTTP         HTTPContextV2 `json:"http"`
	RequestID    string        `json:"requestId"`
	RouteKey     string        `json:"routeKey"`
	Stage        string        `json:"stage"`
	Time         string        `json:"time"`
	TimeEpoch    int64         `json:"timeEpoch"`
}

// HTTPContextV2 is requestContext.http.
type HTTPContextV2 struct {
	Method    string `json:"method"`
	Path      string `json:"path"`
	Protocol  string `json:"protocol"`
	SourceIP  string `json:"sourceIp"`
	UserAgent string `json:"userAgent"`
}

func (g *Gateway) stage() string {
	if g.api.Stage == "" {
		return DefaultStage
	}
	return g.api.Stage
}

// eventV2 builds a payload format 2.0 event: header names lower-cased and
// repeated values joined with commas, cookies split out of the Cookie
// header, query values decoded and joined with commas.
func (g *Gateway) eventV2(r *http.Request, rc *requestInfo, rt *route, body []byte) *EventV2 {
	headers := make(map[string]string, len(r.Header)+5)
	var cookies []string
	for k, v := range r.Header {
		if k == "Cookie" {
			for _, line := range v {
				for _, c := range strings.Split(line, ";") {
					if c = strings.TrimSpace(c); c != "" {
						cookies = append(cookies, c)
					}
				}
			}
			continue
		}
		headers[strings.ToLower(k)] = strings.Join(v, ",")
	}
	if r.Host != "" {
		headers["host"] = r.Host
	}
	xff, port, proto, trace := gateway.ForwardedHeaders(r, rc.traceID)
	headers["x-forwarded-for"] = xff
	headers["x-forwarded-port"] = port
	headers["x-forwarded-proto"] = proto
	headers["x-amzn-trace-id"] = trace
	ev := &EventV2{
		Version:               "2.0",
		RouteKey:              rt.routeKey,
		RawPath:               rc.rawPath,
		RawQueryString:        r.URL.RawQuery,
		Cookies:               cookies,
		Headers:               headers,
		QueryStringParameters: joinedQuery(r.URL.RawQuery),
		PathParameters:        rc.params,
		RequestContext: RequestContextV2{
			AccountID:    g.opts.AccountID,
			APIID:        g.api.ID,
			DomainName:   g.domainName,
			DomainPrefix: g.api.ID,
			HTTP: HTTPContextV2{
				Method:    r.Method,
				Path:      rc.rawPath,
				Protocol:  gateway.Protocol(r),
				SourceIP:  gateway.SourceIP(r),
				UserAgent: r.Header.Get("User-Agent"),
			},
			RequestID: rc.requestID,
			RouteKey:  rt.routeKey,
			Stage:     g.stage(),
			Time:      gateway.CLFTime(rc.start),
			TimeEpoch: rc.start.UnixMilli(),
		},
		StageVariables: g.stageVars,
	}
	if len(body) > 0 {
		if isText(r.Header.Get("Content-Type"), body) {
			ev.Body = string(body)
		} else {
			ev.Body = base64.StdEncoding.EncodeToString(body)
			ev.IsBase64Encoded = true
		}
	}
	return ev
}

// eventV1 builds a payload format 1.0 event for an HTTP API. Unlike a
// REST API's, its headers and queryStringParameters join repeated values
// with commas (AWS's documented 1.0 example: "header2": "value1,value2");
// the multi-value maps list them.
func (g *Gateway) eventV1(r *http.Request, rc *requestInfo, rt *route, body []byte) *gateway.EventV1 {
	single := make(map[string]string, len(r.Header)+5)
	multi := make(map[string][]string, len(r.Header)+5)
	for k, v := range r.Header {
		name := strings.ToLower(k)
		single[name] = strings.Join(v, ",")
		multi[name] = v
	}
	if r.Host != "" {
		single["host"] = r.Host
		multi["host"] = []string{r.Host}
	}
	xff, port, proto, trace := gateway.ForwardedHeaders(r, rc.traceID)
	for _, kv := range [][2]string{{"x-forwarded-for", xff}, {"x-forwarded-port", port}, {"x-forwarded-proto", proto}, {"x-amzn-trace-id", trace}} {
		single[kv[0]] = kv[1]
		multi[kv[0]] = []string{kv[1]}
	}
	_, multiQuery := splitQuery(r.URL.RawQuery)
	query := joinedQuery(r.URL.RawQuery)
	path := rc.rawPath
	resource := path
	if rt != g.defaultRoute {
		_, resource, _ = strings.Cut(rt.routeKey, " ")
	}
	ev := &gateway.EventV1{
		Version:                         "1.0",
		Resource:                        resource,
		Path:                            path,
		HTTPMethod:                      r.Method,
		Headers:                         single,
		MultiValueHeaders:               multi,
		QueryStringParameters:           query,
		MultiValueQueryStringParameters: multiQuery,
		PathParameters:                  rc.params,
		StageVariables:                  g.stageVars,
		RequestContext: gateway.RequestContextV1{
			ResourcePath:      resource,
			HTTPMethod:        r.Method,
			ExtendedRequestID: rc.requestID,
			RequestTime:       gateway.CLFTime(rc.start),
			Path:              path,
			AccountID:         g.opts.AccountID,
			Protocol:          gateway.Protocol(r),
			Stage:             g.stage(),
			DomainPrefix:      g.api.ID,
			RequestTimeEpoch:  rc.start.UnixMilli(),
			RequestID:         rc.requestID,
			Identity:          gateway.IdentityV1{SourceIP: gateway.SourceIP(r), UserAgent: r.Header.Get("User-Agent")},
			DomainName:        g.domainName,
			APIID:             g.api.ID,
		},
	}
	if len(body) > 0 {
		var s string
		if isText(r.Header.Get("Content-Type"), body) {
			s = string(body)
		} else {
			s = base64.StdEncoding.EncodeToString(body)
			ev.IsBase64Encoded = true
		}
		ev.Body = &s
	}
	return ev
}

// joinedQuery decodes a query string, joining repeated values with commas
// (payload format 2.0); nil when empty.
func joinedQuery(raw string) map[string]string {
	_, multi := splitQuery(raw)
	if multi == nil {
		return nil
	}
	out := make(map[string]string, len(multi))
	for k, v := range multi {
		out[k] = strings.Join(v, ",")
	}
	return out
}

// splitQuery decodes a query string into the last value of each
// parameter and all of them; both nil when empty.
func splitQuery(raw string) (map[string]string, map[string][]string) {
	if raw == "" {
		return nil, nil
	}
	single := map[string]string{}
	multi := map[string][]string{}
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		if dk, err := url.QueryUnescape(k); err == nil {
			k = dk
		}
		if dv, err := url.QueryUnescape(v); err == nil {
			v = dv
		}
		single[k] = v
		multi[k] = append(multi[k], v)
	}
	if len(single) == 0 {
		return nil, nil
	}
	return single, multi
}

// isText reports whether an HTTP API passes a body as text rather than
// base64: JSON, XML, JavaScript and text/* types, or a body without a
// content type that is valid UTF-8. Form posts are base64, as in AWS.
func isText(contentType string, body []byte) bool {
	if contentType == "" {
		return utf8.Valid(body)
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	typ, sub, _ := strings.Cut(mt, "/")
	switch {
	case typ == "text":
		return true
	case sub == "json" || strings.HasSuffix(sub, "+json"),
		sub == "xml" || strings.HasSuffix(sub, "+xml"),
		sub == "javascript" || sub == "x-javascript" || sub == "ecmascript":
		return true
	}
	return false
}
