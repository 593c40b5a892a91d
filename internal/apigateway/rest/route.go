package rest

import (
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/nimbus-dev/nimbus/internal/apigateway/vtl"
	"github.com/nimbus-dev/nimbus/internal/app"
)

// route is one method on one resource, with its templates parsed.
type route struct {
	method     string
	resourceID string
	integ      *app.Integration
	// requestTemplates by content type.
	requestTemplates map[string]*vtl.Template
	responses        []*integrationResponse
	// defaultResponse is the response with no selection pattern, if any.
	defaultResponse *integrationResponse
}

// integrationResponse is an app.IntegrationResponse ready to use.
type integrationResponse struct {
	spec      *app.IntegrationResponse
	status    int
	pattern   *regexp.Regexp
	templates map[string]*vtl.Template
	// templateTypes are the template content types in a stable order.
	templateTypes []string
}

func newRoute(r *app.Route) (*route, error) {
	if r.Integration == nil {
		return nil, fmt.Errorf("no integration")
	}
	method := strings.ToUpper(r.Method)
	if method == "" || method == "X-AMAZON-APIGATEWAY-ANY-METHOD" {
		method = "ANY"
	}
	rt := &route{
		method:     method,
		resourceID: shortID("resource:" + r.Path),
		integ:      r.Integration,
	}
	var err error
	if rt.requestTemplates, err = parseTemplates(r.Integration.RequestTemplates); err != nil {
		return nil, fmt.Errorf("request template %w", err)
	}
	specs := r.Integration.Responses
	if len(specs) == 0 && r.Integration.Type != app.IntegrationAWSProxy && r.Integration.Type != app.IntegrationHTTPProxy {
		// The console's and SAM's default: a 200 passing the body through.
		specs = []*app.IntegrationResponse{{StatusCode: "200"}}
	}
	for _, spec := range specs {
		ir := &integrationResponse{spec: spec, status: 200}
		if spec.StatusCode != "" {
			n, err := strconv.Atoi(spec.StatusCode)
			if err != nil || n < 100 || n > 599 {
				return nil, fmt.Errorf("integration response status %q is not a status code", spec.StatusCode)
			}
			ir.status = n
		}
		if spec.SelectionPattern != "" && spec.SelectionPattern != "default" {
			// Java's String.matches: the pattern must match the whole text.
			re, err := regexp.Compile(`^(?s:` + spec.SelectionPattern + `)$`)
			if err != nil {
				return nil, fmt.Errorf("selection pattern %q: %w", spec.SelectionPattern, err)
			}
			ir.pattern = re
		}
		if ir.templates, err = parseTemplates(spec.ResponseTemplates); err != nil {
			return nil, fmt.Errorf("response template %w", err)
		}
		for ct := range ir.templates {
			ir.templateTypes = append(ir.templateTypes, ct)
		}
		sort.Strings(ir.templateTypes)
		rt.responses = append(rt.responses, ir)
		if ir.pattern == nil && rt.defaultResponse == nil {
			rt.defaultResponse = ir
		}
	}
	return rt, nil
}

func parseTemplates(src map[string]string) (map[string]*vtl.Template, error) {
	if len(src) == 0 {
		return nil, nil
	}
	out := make(map[string]*vtl.Template, len(src))
	for ct, text := range src {
		t, err := vtl.Parse(text)
		if err != nil {
			return nil, fmt.Errorf("for %s: %w", ct, err)
		}
		out[strings.ToLower(ct)] = t
	}
	return out, nil
}

// selectResponse picks the integration response whose selection pattern
// matches key (a Lambda error message or an HTTP status), else the default.
func (rt *route) selectResponse(key string, useKey bool) *integrationResponse {
	if useKey {
		for _, ir := range rt.responses {
			if ir.pattern != nil && ir.pattern.MatchString(key) {
				return ir
			}
		}
	}
	return rt.defaultResponse
}

// allMethods is what SAM lists for ANY in a CORS preflight answer.
const allMethods = "DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT"

// corsRoute is the OPTIONS method SAM adds to each path when a REST API
// has a Cors property: a MOCK integration answering 200 with the CORS
// headers and an empty body.
func corsRoute(path string, methods []string, cors *app.Cors) *route {
	allow := allowMethods(methods, cors)
	params := map[string]string{
		"method.response.header.Access-Control-Allow-Methods": quote(allow),
	}
	if len(cors.AllowOrigins) > 0 {
		params["method.response.header.Access-Control-Allow-Origin"] = quote(strings.Join(cors.AllowOrigins, ","))
	}
	if len(cors.AllowHeaders) > 0 {
		params["method.response.header.Access-Control-Allow-Headers"] = quote(strings.Join(cors.AllowHeaders, ","))
	}
	if cors.MaxAge > 0 {
		params["method.response.header.Access-Control-Max-Age"] = quote(strconv.Itoa(cors.MaxAge))
	}
	if cors.AllowCredentials {
		params["method.response.header.Access-Control-Allow-Credentials"] = quote("true")
	}
	spec := &app.IntegrationResponse{StatusCode: "200", ResponseParameters: params,
		ResponseTemplates: map[string]string{"application/json": ""}}
	t, _ := vtl.Parse("")
	mock, _ := vtl.Parse(`{"statusCode" : 200}`)
	ir := &integrationResponse{spec: spec, status: 200, templates: map[string]*vtl.Template{"application/json": t},
		templateTypes: []string{"application/json"}}
	return &route{
		method:     http.MethodOptions,
		resourceID: shortID("resource:" + path),
		integ: &app.Integration{Type: app.IntegrationMock,
			RequestTemplates: map[string]string{"application/json": `{"statusCode" : 200}`}},
		requestTemplates: map[string]*vtl.Template{"application/json": mock},
		responses:        []*integrationResponse{ir},
		defaultResponse:  ir,
	}
}

func allowMethods(methods []string, cors *app.Cors) string {
	if len(cors.AllowMethods) > 0 {
		return strings.Join(cors.AllowMethods, ",")
	}
	set := map[string]bool{http.MethodOptions: true}
	for _, m := range methods {
		if m == "ANY" {
			return allMethods
		}
		set[m] = true
	}
	list := make([]string, 0, len(set))
	for m := range set {
		list = append(list, m)
	}
	sort.Strings(list)
	return strings.Join(list, ",")
}

func quote(s string) string { return "'" + s + "'" }
