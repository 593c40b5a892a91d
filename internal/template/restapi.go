package template

import (
	"sort"
	"strings"
	"time"

	"github.com/nimbus-dev/nimbus/internal/app"
)

// restAPI converts AWS::ApiGateway::RestApi; its methods, resources and
// stage come from the other AWS::ApiGateway resources (restMethods) or its
// OpenAPI Body.
func (l *loader) restAPI(r *resource) {
	s := l.s
	a := l.newAPI(r, app.REST)
	a.Name = s.propStr(r, "Name")
	a.BinaryMediaTypes = stringList(s.prop(r, "BinaryMediaTypes"))
	a.DisableExecuteAPIEndpoint = toBool(s.prop(r, "DisableExecuteApiEndpoint"))
	if n := r.Props.Get("BodyS3Location"); n != nil {
		s.fail(errAt(n, r.ID, "inline the OpenAPI document as Body", "BodyS3Location is in S3; Nimbus reads API definitions from the template"))
	}
	if r.Props.Get("Body") != nil {
		if body, ok := s.prop(r, "Body").(map[string]any); ok {
			l.openAPI(a, body, r)
		}
	}
	if a.Name == "" {
		a.Name = r.ID
	}
}

// restResource is an AWS::ApiGateway::Resource in the tree.
type restResource struct {
	api    string
	parent string
	part   string
}

// restMethods flattens AWS::ApiGateway::Resource trees into paths and turns
// each AWS::ApiGateway::Method into a route; it also applies stages,
// deployments and gateway responses.
func (l *loader) restMethods() {
	s := l.s
	tree := map[string]restResource{}
	roots := map[string]string{}
	for id, a := range l.apiByID {
		if a.Protocol == app.REST {
			roots[s.rootResourceID(s.res[id])] = id
		}
	}
	for _, id := range s.order {
		r := s.res[id]
		if !r.enabled || r.Type != "AWS::ApiGateway::Resource" {
			continue
		}
		phys, _ := s.ref(r)
		tree[str(phys)] = restResource{
			api:    l.apiLogical(s.propStr(r, "RestApiId")),
			parent: s.propStr(r, "ParentId"),
			part:   s.propStr(r, "PathPart"),
		}
	}
	var pathOf func(id string, depth int) (string, bool)
	pathOf = func(id string, depth int) (string, bool) {
		if _, ok := roots[id]; ok {
			return "", true
		}
		rr, ok := tree[id]
		if !ok || depth > 100 {
			return "", false
		}
		parent, ok := pathOf(rr.parent, depth+1)
		return parent + "/" + rr.part, ok
	}
	stageSet := map[string]bool{}
	for _, id := range s.order {
		r := s.res[id]
		if !r.enabled || r.Node == nil {
			continue
		}
		switch r.Type {
		case "AWS::ApiGateway::Method":
			apiID := l.apiLogical(s.propStr(r, "RestApiId"))
			a := l.apiByID[apiID]
			if a == nil || a.Protocol != app.REST {
				s.fail(errAt(r.Props.Get("RestApiId"), id, "", "RestApiId does not name a REST API of this template"))
				continue
			}
			resID := s.propStr(r, "ResourceId")
			path, ok := pathOf(resID, 0)
			if !ok {
				s.fail(errAt(r.Props.Get("ResourceId"), id, "", "ResourceId does not name an AWS::ApiGateway::Resource or the API's root"))
				continue
			}
			if path == "" {
				path = "/"
			}
			rt := &app.Route{
				Method:            strings.ToUpper(s.propStr(r, "HttpMethod")),
				Path:              path,
				AuthorizationType: s.propStr(r, "AuthorizationType"),
				APIKeyRequired:    toBool(s.prop(r, "ApiKeyRequired")),
				Source:            r.location(),
			}
			if rt.AuthorizationType == "" {
				rt.AuthorizationType = "NONE"
			}
			if rp, ok := s.prop(r, "RequestParameters").(map[string]any); ok {
				rt.RequestParameters = map[string]bool{}
				for k, v := range rp {
					rt.RequestParameters[k] = toBool(v)
				}
			}
			if mrs, ok := s.prop(r, "MethodResponses").([]any); ok {
				for _, e := range mrs {
					m, _ := e.(map[string]any)
					mr := &app.MethodResponse{StatusCode: str(m["StatusCode"]), ResponseModels: stringMap(m["ResponseModels"])}
					if rp, ok := m["ResponseParameters"].(map[string]any); ok {
						mr.ResponseParameters = map[string]bool{}
						for k, v := range rp {
							mr.ResponseParameters[k] = toBool(v)
						}
					}
					rt.MethodResponses = append(rt.MethodResponses, mr)
				}
			}
			if in, ok := s.prop(r, "Integration").(map[string]any); ok {
				rt.Integration = restIntegration(in)
			} else {
				s.warnf(r.Node, id, "method %s %s has no Integration; API Gateway answers it with an error", rt.Method, rt.Path)
			}
			l.addRoute(a, rt)
		case "AWS::ApiGateway::Stage", "AWS::ApiGateway::Deployment":
			a := l.apiByID[l.apiLogical(s.propStr(r, "RestApiId"))]
			if a == nil {
				continue
			}
			stage := s.propStr(r, "StageName")
			vars := s.prop(r, "Variables")
			if r.Type == "AWS::ApiGateway::Deployment" {
				sd, _ := s.prop(r, "StageDescription").(map[string]any)
				vars = sd["Variables"]
			}
			if stage == "" {
				continue
			}
			if stageSet[a.LogicalID] {
				if a.Stage != stage {
					s.warnf(r.Node, id, "API %s has several stages; serving stage %s only", a.LogicalID, a.Stage)
				}
				continue
			}
			stageSet[a.LogicalID] = true
			a.Stage = stage
			a.StageVariables = stringMap(vars)
		case "AWS::ApiGateway::GatewayResponse":
			a := l.apiByID[l.apiLogical(s.propStr(r, "RestApiId"))]
			if a == nil {
				continue
			}
			if a.GatewayResponses == nil {
				a.GatewayResponses = map[string]*app.GatewayResponse{}
			}
			a.GatewayResponses[s.propStr(r, "ResponseType")] = &app.GatewayResponse{
				StatusCode:         s.propStr(r, "StatusCode"),
				ResponseParameters: stringMap(s.prop(r, "ResponseParameters")),
				ResponseTemplates:  stringMap(s.prop(r, "ResponseTemplates")),
			}
		}
	}
}

// restIntegration converts a REST method's Integration property.
func restIntegration(m map[string]any) *app.Integration {
	in := &app.Integration{
		Type:                strings.ToUpper(str(m["Type"])),
		URI:                 str(m["Uri"]),
		HTTPMethod:          str(m["IntegrationHttpMethod"]),
		RequestTemplates:    stringMap(m["RequestTemplates"]),
		RequestParameters:   stringMap(m["RequestParameters"]),
		PassthroughBehavior: strings.ToUpper(str(m["PassthroughBehavior"])),
		ContentHandling:     str(m["ContentHandling"]),
	}
	if ms, ok := toInt(m["TimeoutInMillis"]); ok {
		in.Timeout = time.Duration(ms) * time.Millisecond
	}
	if irs, ok := m["IntegrationResponses"].([]any); ok {
		for _, e := range irs {
			ir, _ := e.(map[string]any)
			in.Responses = append(in.Responses, &app.IntegrationResponse{
				SelectionPattern:   str(ir["SelectionPattern"]),
				StatusCode:         str(ir["StatusCode"]),
				ResponseTemplates:  stringMap(ir["ResponseTemplates"]),
				ResponseParameters: stringMap(ir["ResponseParameters"]),
				ContentHandling:    str(ir["ContentHandling"]),
			})
		}
	}
	return in
}

// openAPIMethods maps OpenAPI operation keys to HTTP methods.
var openAPIMethods = map[string]string{
	"get": "GET", "put": "PUT", "post": "POST", "delete": "DELETE", "options": "OPTIONS",
	"head": "HEAD", "patch": "PATCH", "x-amazon-apigateway-any-method": "ANY",
}

// openAPI adds the routes of an OpenAPI (or Swagger) document with API
// Gateway extensions to a REST or HTTP API.
func (l *loader) openAPI(a *app.API, doc map[string]any, r *resource) {
	s := l.s
	if t := stringList(doc["x-amazon-apigateway-binary-media-types"]); len(t) > 0 {
		a.BinaryMediaTypes = append(a.BinaryMediaTypes, t...)
	}
	if c, ok := doc["x-amazon-apigateway-cors"]; ok && a.Cors == nil {
		a.Cors = httpCors(c)
	}
	if gr, ok := doc["x-amazon-apigateway-gateway-responses"].(map[string]any); ok {
		if a.GatewayResponses == nil {
			a.GatewayResponses = map[string]*app.GatewayResponse{}
		}
		for typ, v := range gr {
			g, _ := v.(map[string]any)
			a.GatewayResponses[typ] = &app.GatewayResponse{
				StatusCode:         str(g["statusCode"]),
				ResponseParameters: stringMap(g["responseParameters"]),
				ResponseTemplates:  stringMap(g["responseTemplates"]),
			}
		}
	}
	if a.Name == "" {
		if info, ok := doc["info"].(map[string]any); ok {
			a.Name = str(info["title"])
		}
	}
	paths, _ := doc["paths"].(map[string]any)
	for _, path := range sortedKeys(paths) {
		ops, _ := paths[path].(map[string]any)
		for _, key := range sortedKeys(ops) {
			method, ok := openAPIMethods[strings.ToLower(key)]
			if !ok {
				continue
			}
			op, _ := ops[key].(map[string]any)
			ix, ok := op["x-amazon-apigateway-integration"].(map[string]any)
			if !ok {
				s.warnf(r.Node, r.ID, "OpenAPI %s %s has no x-amazon-apigateway-integration; skipped", method, path)
				continue
			}
			in := openAPIIntegration(ix)
			rt := &app.Route{Source: r.location(), Integration: in}
			if a.Protocol == app.REST {
				rt.Method, rt.Path, rt.AuthorizationType = method, path, "NONE"
				rt.RequestParameters = openAPIParameters(op["parameters"], paths[path])
				rt.MethodResponses = openAPIMethodResponses(op["responses"])
			} else {
				rt.RouteKey = method + " " + path
				if path == "/$default" {
					rt.RouteKey = "$default"
				}
				if in.PayloadFormatVersion == "" && in.Type == app.IntegrationAWSProxy {
					in.PayloadFormatVersion = "1.0"
				}
			}
			l.addRoute(a, rt)
		}
	}
}

func openAPIIntegration(m map[string]any) *app.Integration {
	in := &app.Integration{
		Type:                 strings.ToUpper(str(m["type"])),
		URI:                  str(m["uri"]),
		HTTPMethod:           strings.ToUpper(str(m["httpMethod"])),
		PayloadFormatVersion: str(m["payloadFormatVersion"]),
		RequestTemplates:     stringMap(m["requestTemplates"]),
		RequestParameters:    stringMap(m["requestParameters"]),
		PassthroughBehavior:  strings.ToUpper(str(m["passthroughBehavior"])),
		ContentHandling:      str(m["contentHandling"]),
	}
	if ms, ok := toInt(m["timeoutInMillis"]); ok {
		in.Timeout = time.Duration(ms) * time.Millisecond
	}
	resp, _ := m["responses"].(map[string]any)
	keys := sortedKeys(resp)
	// The default response is tried last, as API Gateway does.
	sort.SliceStable(keys, func(i, j int) bool { return keys[i] != "default" && keys[j] == "default" })
	for _, k := range keys {
		ir, _ := resp[k].(map[string]any)
		pattern := k
		if k == "default" {
			pattern = ""
		}
		in.Responses = append(in.Responses, &app.IntegrationResponse{
			SelectionPattern:   pattern,
			StatusCode:         str(ir["statusCode"]),
			ResponseTemplates:  stringMap(ir["responseTemplates"]),
			ResponseParameters: stringMap(ir["responseParameters"]),
			ContentHandling:    str(ir["contentHandling"]),
		})
	}
	return in
}

// openAPIParameters turns OpenAPI parameters into REST method request
// parameters ("method.request.querystring.x": required).
func openAPIParameters(v any, pathItem any) map[string]bool {
	var list []any
	if pi, ok := pathItem.(map[string]any); ok {
		l, _ := pi["parameters"].([]any)
		list = append(list, l...)
	}
	l, _ := v.([]any)
	list = append(list, l...)
	if len(list) == 0 {
		return nil
	}
	in := map[string]string{"query": "querystring", "header": "header", "path": "path"}
	out := map[string]bool{}
	for _, e := range list {
		p, _ := e.(map[string]any)
		loc, ok := in[str(p["in"])]
		if !ok {
			continue
		}
		out["method.request."+loc+"."+str(p["name"])] = toBool(p["required"])
	}
	return out
}

func openAPIMethodResponses(v any) []*app.MethodResponse {
	m, _ := v.(map[string]any)
	var out []*app.MethodResponse
	for _, code := range sortedKeys(m) {
		resp, _ := m[code].(map[string]any)
		mr := &app.MethodResponse{StatusCode: code}
		if hs, ok := resp["headers"].(map[string]any); ok {
			mr.ResponseParameters = map[string]bool{}
			for h := range hs {
				mr.ResponseParameters["method.response.header."+h] = false
			}
		}
		out = append(out, mr)
	}
	return out
}

// finishAPIs resolves each Lambda integration's function, fills in missing
// stages and orders the APIs as the template does.
func (l *loader) finishAPIs() {
	s := l.s
	for _, a := range l.app.APIs {
		if a.Stage == "" {
			switch a.Protocol {
			case app.HTTP:
				a.Stage = defaultHTTPStage
			default:
				a.Stage = "prod"
				s.warnf(nil, a.LogicalID, "API has no stage (AWS::ApiGateway::Stage, Deployment StageName or AWS::ApiGatewayV2::Stage); serving it at stage %q", a.Stage)
			}
		}
		for _, rt := range a.Routes {
			in := rt.Integration
			if in == nil || in.FunctionName != "" || (in.Type != app.IntegrationAWSProxy && in.Type != app.IntegrationAWS) {
				continue
			}
			name := functionFromURI(in.URI)
			name = substituteStageVariables(name, a.StageVariables)
			if name == "" {
				if strings.Contains(in.URI, ":lambda:path/") || strings.HasPrefix(in.URI, "arn:aws:lambda:") {
					s.warnf(nil, a.LogicalID, "route %s: cannot tell the Lambda function from integration URI %s", routeName(rt), in.URI)
				}
				continue
			}
			in.FunctionName = name
			if _, ok := l.fnByName[name]; !ok {
				s.warnf(nil, a.LogicalID, "route %s calls function %s, which is not in the template", routeName(rt), name)
			}
		}
	}
	sort.SliceStable(l.app.APIs, func(i, j int) bool {
		return l.app.APIs[i].Source.Line < l.app.APIs[j].Source.Line
	})
}

// functionFromURI returns the function name in a Lambda integration URI
// (arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}/invocations)
// or in a plain function ARN, without any alias or version qualifier.
func functionFromURI(uri string) string {
	if i := strings.Index(uri, ":lambda:path/"); i >= 0 {
		rest := uri[i+len(":lambda:path/"):]
		j := strings.Index(rest, "/functions/")
		if j < 0 {
			return ""
		}
		rest = rest[j+len("/functions/"):]
		if k := strings.LastIndex(rest, "/invocations"); k >= 0 {
			rest = rest[:k]
		}
		uri = rest
	}
	if strings.HasPrefix(uri, "arn:") {
		parts := strings.Split(uri, ":")
		if len(parts) >= 7 && parts[2] == "lambda" && parts[5] == "function" {
			return parts[6]
		}
		return ""
	}
	if uri == "" || strings.ContainsAny(uri, "/ ") && !strings.Contains(uri, "${stageVariables.") {
		return ""
	}
	return uri
}

// substituteStageVariables replaces ${stageVariables.name} in a function
// name with the stage's value.
func substituteStageVariables(s string, vars map[string]string) string {
	for {
		i := strings.Index(s, "${stageVariables.")
		if i < 0 {
			return s
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return s
		}
		name := s[i+len("${stageVariables.") : i+j]
		s = s[:i] + vars[name] + s[i+j+1:]
	}
}
