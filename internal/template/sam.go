package template

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nimbus-dev/nimbus/internal/app"
	"github.com/nimbus-dev/nimbus/internal/template/node"
)

// The implicit APIs SAM creates for Api and HttpApi events without an
// explicit RestApiId / ApiId, and their stages.
const (
	implicitRestAPI   = "ServerlessRestApi"
	implicitHTTPAPI   = "ServerlessHttpApi"
	implicitRestStage = "Prod"
	defaultHTTPStage  = "$default"
)

// globalsFor maps a SAM resource type to its Globals section.
var globalsFor = map[string]string{
	"AWS::Serverless::Function":     "Function",
	"AWS::Serverless::Api":          "Api",
	"AWS::Serverless::HttpApi":      "HttpApi",
	"AWS::Serverless::SimpleTable":  "SimpleTable",
	"AWS::Serverless::LayerVersion": "LayerVersion",
}

// applyGlobals merges SAM's Globals into each resource's Properties the way
// SAM does: maps merge (the resource wins), lists concatenate (globals
// first), and anything else set on the resource overrides the global.
func (l *loader) applyGlobals(globals *node.Node) {
	if globals == nil {
		return
	}
	for _, p := range globals.Pairs {
		known := false
		for _, g := range globalsFor {
			if g == p.Key {
				known = true
			}
		}
		if !known {
			l.s.fail(errAt(p.Value, "Globals", suggest(p.Key, []string{"Function", "Api", "HttpApi", "SimpleTable", "LayerVersion"}),
				"Globals section %q is not one SAM supports", p.Key))
		}
	}
	for _, id := range l.s.order {
		r := l.s.res[id]
		g := globals.Get(globalsFor[r.Type])
		if g == nil || r.Node == nil {
			continue
		}
		r.Props = mergeNodes(g, r.Props)
	}
}

// mergeNodes merges a global value under a resource's own value.
func mergeNodes(global, own *node.Node) *node.Node {
	if own == nil || own.Kind == node.Null {
		return global
	}
	if global == nil {
		return own
	}
	_, gi := intrinsicKey(global)
	_, oi := intrinsicKey(own)
	switch {
	case global.Kind == node.Map && own.Kind == node.Map && !gi && !oi:
		out := &node.Node{Kind: node.Map, File: own.File, Line: own.Line, Column: own.Column}
		for _, p := range global.Pairs {
			if o := own.Pair(p.Key); o != nil {
				m := mergeNodes(p.Value, o.Value)
				out.Pairs = append(out.Pairs, node.Pair{Key: p.Key, Line: o.Line, Column: o.Column, Value: m})
				continue
			}
			out.Pairs = append(out.Pairs, p)
		}
		for _, p := range own.Pairs {
			if global.Get(p.Key) == nil {
				out.Pairs = append(out.Pairs, p)
			}
		}
		return out
	case global.Kind == node.Seq && own.Kind == node.Seq:
		out := &node.Node{Kind: node.Seq, File: own.File, Line: own.Line, Column: own.Column}
		out.Items = append(append(out.Items, global.Items...), own.Items...)
		return out
	}
	return own
}

// registerSAMGenerated adds the resources SAM generates that templates may
// Ref: implicit APIs and their stages, function roles and aliases, and the
// stages of explicit APIs.
func (l *loader) registerSAMGenerated() {
	s := l.s
	globals := s.root.Get("Globals")
	var needRest, needHTTP bool
	for _, id := range append([]string{}, s.order...) {
		r := s.res[id]
		if r.Node == nil {
			continue
		}
		switch r.Type {
		case "AWS::Serverless::Function":
			for _, ev := range r.Props.Get("Events").Entries() {
				typ, _ := ev.Value.Get("Type").Str()
				props := ev.Value.Get("Properties")
				switch {
				case typ == "Api" && props.Get("RestApiId") == nil:
					needRest = true
				case typ == "HttpApi" && props.Get("ApiId") == nil:
					needHTTP = true
				}
			}
			if r.Props.Get("Role") == nil {
				s.add(&resource{ID: id + "Role", Type: "AWS::IAM::Role", enabled: true})
			}
			if alias, ok := r.Props.Get("AutoPublishAlias").Str(); ok && alias != "" {
				fn := r
				s.generated(id+"Alias"+alias, "AWS::Lambda::Alias", func() (any, error) {
					name, err := s.ref(fn)
					return s.lambdaARN(str(name)) + ":" + alias, err
				}, nil)
			}
		case "AWS::Serverless::Api":
			if stage, ok := r.Props.Get("StageName").Str(); ok {
				s.generated(id+stage+"Stage", "AWS::ApiGateway::Stage", constRef(stage), nil)
			}
		case "AWS::Serverless::HttpApi":
			stage, ok := r.Props.Get("StageName").Str()
			if !ok || stage == defaultHTTPStage {
				s.generated(id+"ApiGatewayDefaultStage", "AWS::ApiGatewayV2::Stage", constRef(defaultHTTPStage), nil)
			} else {
				s.generated(id+stage+"Stage", "AWS::ApiGatewayV2::Stage", constRef(stage), nil)
			}
		}
	}
	if needRest {
		s.add(&resource{ID: implicitRestAPI, Type: "AWS::Serverless::Api", enabled: true,
			Props: mergeNodes(globals.Get("Api"), nil)})
		s.generated(implicitRestAPI+implicitRestStage+"Stage", "AWS::ApiGateway::Stage", constRef(implicitRestStage), nil)
	}
	if needHTTP {
		s.add(&resource{ID: implicitHTTPAPI, Type: "AWS::Serverless::HttpApi", enabled: true,
			Props: mergeNodes(globals.Get("HttpApi"), nil)})
		s.generated(implicitHTTPAPI+"ApiGatewayDefaultStage", "AWS::ApiGatewayV2::Stage", constRef(defaultHTTPStage), nil)
	}
}

func constRef(v string) func() (any, error) {
	return func() (any, error) { return v, nil }
}

// newAPI creates an API in the model and indexes it.
func (l *loader) newAPI(r *resource, proto app.Protocol) *app.API {
	a := &app.API{LogicalID: r.ID, ID: app.APIID(r.ID), Protocol: proto, Source: r.location()}
	l.s.ids[a.ID] = r
	l.apiByID[r.ID] = a
	l.app.APIs = append(l.app.APIs, a)
	return a
}

// samAPI converts AWS::Serverless::Api (and the implicit ServerlessRestApi).
func (l *loader) samAPI(r *resource) {
	s := l.s
	a := l.newAPI(r, app.REST)
	a.Name = s.propStr(r, "Name")
	if a.Name == "" {
		a.Name = s.name
	}
	a.Stage = s.propStr(r, "StageName")
	if r.ID == implicitRestAPI {
		a.Stage = implicitRestStage
	} else if a.Stage == "" {
		s.fail(errAt(r.Node, r.ID, "add StageName, e.g. Prod", "AWS::Serverless::Api needs a StageName"))
	}
	a.StageVariables = stringMap(s.prop(r, "Variables"))
	a.BinaryMediaTypes = stringList(s.prop(r, "BinaryMediaTypes"))
	a.DisableExecuteAPIEndpoint = toBool(s.prop(r, "DisableExecuteApiEndpoint"))
	if v := s.prop(r, "Cors"); v != nil {
		a.Cors = samRestCors(v)
	}
	if gr, ok := s.prop(r, "GatewayResponses").(map[string]any); ok {
		a.GatewayResponses = samGatewayResponses(gr)
	}
	if r.Props.Get("Auth") != nil {
		s.warnf(r.Props.Get("Auth"), r.ID, "Auth (authorizers) is not emulated; requests are not authorized")
	}
	if body := l.definition(r, "DefinitionBody", "DefinitionUri"); body != nil {
		l.defined[r.ID] = true
		l.openAPI(a, body, r)
	}
}

// samHTTPAPI converts AWS::Serverless::HttpApi (and the implicit
// ServerlessHttpApi).
func (l *loader) samHTTPAPI(r *resource) {
	s := l.s
	a := l.newAPI(r, app.HTTP)
	a.Name = s.propStr(r, "Name")
	if a.Name == "" {
		a.Name = s.name
	}
	a.Stage = s.propStr(r, "StageName")
	if a.Stage == "" || r.ID == implicitHTTPAPI {
		a.Stage = defaultHTTPStage
	}
	a.StageVariables = stringMap(s.prop(r, "StageVariables"))
	a.DisableExecuteAPIEndpoint = toBool(s.prop(r, "DisableExecuteApiEndpoint"))
	if v := s.prop(r, "CorsConfiguration"); v != nil {
		a.Cors = httpCors(v)
	}
	if r.Props.Get("Auth") != nil {
		s.warnf(r.Props.Get("Auth"), r.ID, "Auth (authorizers) is not emulated; requests are not authorized")
	}
	if body := l.definition(r, "DefinitionBody", "DefinitionUri"); body != nil {
		l.defined[r.ID] = true
		l.openAPI(a, body, r)
	}
}

// definition returns an API's OpenAPI document, inline or from a local
// file, evaluated.
func (l *loader) definition(r *resource, bodyProp, uriProp string) map[string]any {
	s := l.s
	if r.Props.Get(bodyProp) != nil {
		m, ok := s.prop(r, bodyProp).(map[string]any)
		if !ok {
			s.fail(errAt(r.Props.Get(bodyProp), r.ID, "", "%s must be an OpenAPI document", bodyProp))
		}
		return m
	}
	n := r.Props.Get(uriProp)
	if n == nil {
		return nil
	}
	uri, ok := s.prop(r, uriProp).(string)
	if !ok || strings.HasPrefix(uri, "s3://") {
		s.fail(errAt(n, r.ID, "point it at a local OpenAPI file, or use "+bodyProp, "%s must be a local file", uriProp))
		return nil
	}
	path := l.resolvePath(uri)
	data, err := readFile(path)
	if err != nil {
		s.fail(errAt(n, r.ID, "", "%s %s: %v", uriProp, uri, err))
		return nil
	}
	s.files = append(s.files, path)
	doc, err := node.Parse(data, path)
	if err != nil {
		s.fail(err)
		return nil
	}
	s.validate(doc, r.ID)
	v, err := s.eval(doc, r.ID)
	if err != nil {
		s.fail(err)
		return nil
	}
	m, _ := v.(map[string]any)
	return m
}

// samEvents converts a SAM function's Api and HttpApi events into routes.
func (l *loader) samEvents(r *resource) {
	s := l.s
	f := l.fnByID[r.ID]
	if f == nil {
		return
	}
	if n := r.Props.Get("FunctionUrlConfig"); n != nil {
		s.warnf(n, r.ID, "FunctionUrlConfig (function URLs) is not emulated; call the function through its APIs or the Invoke API")
	}
	for _, ev := range r.Props.Get("Events").Entries() {
		where := r.ID + ".Events." + ev.Key
		typ, _ := ev.Value.Get("Type").Str()
		pn := ev.Value.Get("Properties")
		pv, err := s.eval(pn, r.ID)
		if err != nil {
			s.fail(err)
			continue
		}
		props, _ := pv.(map[string]any)
		switch typ {
		case "Api":
			apiLogical := implicitRestAPI
			if id, ok := props["RestApiId"]; ok {
				apiLogical = l.apiLogical(str(id))
			}
			a := l.apiByID[apiLogical]
			if a == nil || s.res[apiLogical].Type != "AWS::Serverless::Api" {
				s.fail(errAt(pn, where, "", "RestApiId must be a valid reference to an 'AWS::Serverless::Api' resource in same template"))
				continue
			}
			l.placeImplicit(a, ev.Value)
			if l.defined[a.LogicalID] {
				l.definedWarning(ev.Value, where, a)
				continue
			}
			method := strings.ToUpper(str(props["Method"]))
			if method == "X-AMAZON-APIGATEWAY-ANY-METHOD" {
				method = "ANY"
			}
			path := str(props["Path"])
			if path == "" || method == "" {
				s.fail(errAt(pn, where, "", "an Api event needs Path and Method"))
				continue
			}
			if err := checkRoutePath(path); err != nil {
				s.fail(errAt(pathNode(pn), where, "", "%v", err))
				continue
			}
			rt := &app.Route{Method: method, Path: path, AuthorizationType: "NONE", Source: locOf(ev.Value, r.ID),
				Integration: l.lambdaProxy(f, "")}
			rt.RequestParameters = samRequestParameters(props["RequestParameters"])
			l.addRoute(a, rt)
		case "HttpApi":
			apiLogical := implicitHTTPAPI
			if id, ok := props["ApiId"]; ok {
				apiLogical = l.apiLogical(str(id))
			}
			a := l.apiByID[apiLogical]
			if a == nil || s.res[apiLogical].Type != "AWS::Serverless::HttpApi" {
				s.fail(errAt(pn, where, "", "ApiId must be a valid reference to an 'AWS::Serverless::HttpApi' resource in same template"))
				continue
			}
			l.placeImplicit(a, ev.Value)
			if l.defined[a.LogicalID] {
				l.definedWarning(ev.Value, where, a)
				continue
			}
			method := strings.ToUpper(str(props["Method"]))
			path := str(props["Path"])
			key := "$default"
			if path != "" || method != "" {
				if method == "" || method == "X-AMAZON-APIGATEWAY-ANY-METHOD" {
					method = "ANY"
				}
				if path == "" {
					path = "/"
				}
				if err := checkRoutePath(path); err != nil {
					s.fail(errAt(pathNode(pn), where, "", "%v", err))
					continue
				}
				key = method + " " + path
			}
			pfv := str(props["PayloadFormatVersion"])
			if pfv == "" {
				pfv = "2.0"
			}
			in := l.lambdaProxy(f, pfv)
			if ms, ok := toInt(props["TimeoutInMillis"]); ok {
				in.Timeout = time.Duration(ms) * time.Millisecond
			}
			l.addRoute(a, &app.Route{RouteKey: key, Source: locOf(ev.Value, r.ID), Integration: in})
		default:
			s.warnf(ev.Value, where, "event type %s is not emulated; the function runs only through its APIs and the Invoke API", typ)
		}
	}
}

// definedWarning reports an event on an API whose routes come from an
// OpenAPI definition: SAM adds no route for it (only the invoke
// permission), so API Gateway does not serve it either.
func (l *loader) definedWarning(ev *node.Node, where string, a *app.API) {
	l.s.warnf(ev, where, "API %s takes its routes from its OpenAPI definition, where SAM adds no route for this event; add the path to the definition", a.LogicalID)
}

// placeImplicit gives an implicit API the position of the first event
// that creates it, so APIs keep template order.
func (l *loader) placeImplicit(a *app.API, ev *node.Node) {
	if a.Source.Line == 0 && ev != nil {
		a.Source = app.Location{File: ev.File, Line: ev.Line, Column: ev.Column, Resource: a.LogicalID}
	}
}

// apiLogical maps an API id (from Ref) back to its logical id.
func (l *loader) apiLogical(id string) string {
	if r, ok := l.s.ids[id]; ok {
		return r.ID
	}
	return id
}

// lambdaProxy is the AWS_PROXY integration SAM writes for an event.
func (l *loader) lambdaProxy(f *app.Function, pfv string) *app.Integration {
	return &app.Integration{
		Type:                 app.IntegrationAWSProxy,
		FunctionName:         f.Name,
		URI:                  l.invocationURI(l.s.lambdaARN(f.Name)),
		HTTPMethod:           "POST",
		PayloadFormatVersion: pfv,
	}
}

func (l *loader) invocationURI(fnARN string) string {
	return fmt.Sprintf("arn:aws:apigateway:%s:lambda:path/2015-03-31/functions/%s/invocations", l.s.region, fnARN)
}

// addRoute adds a route unless the same method and path (or route key)
// already exists, in which case the first definition wins.
func (l *loader) addRoute(a *app.API, rt *app.Route) {
	for _, old := range a.Routes {
		if old.Method == rt.Method && old.Path == rt.Path && old.RouteKey == rt.RouteKey {
			l.s.warnf(nil, a.LogicalID, "route %s defined twice; the first definition is used", routeName(rt))
			return
		}
	}
	a.Routes = append(a.Routes, rt)
}

func routeName(rt *app.Route) string {
	if rt.RouteKey != "" {
		return rt.RouteKey
	}
	return rt.Method + " " + rt.Path
}

// samRequestParameters reads an Api event's RequestParameters: a list of
// names or of {name: {Required, Caching}}.
func samRequestParameters(v any) map[string]bool {
	list, ok := v.([]any)
	if !ok || len(list) == 0 {
		return nil
	}
	out := map[string]bool{}
	for _, e := range list {
		switch t := e.(type) {
		case string:
			out[t] = false
		case map[string]any:
			for k, o := range t {
				m, _ := o.(map[string]any)
				out[k] = toBool(m["Required"])
			}
		}
	}
	return out
}

// unquote strips the single quotes SAM requires around Cors values
// ("'*'" is the string *).
func unquote(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && s[0] == '\'' && s[len(s)-1] == '\'' {
		return s[1 : len(s)-1]
	}
	return s
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(unquote(s), ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// samRestCors converts a SAM Api Cors property: a quoted origin string, or
// {AllowOrigin, AllowMethods, AllowHeaders, MaxAge, AllowCredentials}.
func samRestCors(v any) *app.Cors {
	switch t := v.(type) {
	case string:
		return &app.Cors{AllowOrigins: []string{unquote(t)}}
	case map[string]any:
		c := &app.Cors{AllowCredentials: toBool(t["AllowCredentials"])}
		if o := str(t["AllowOrigin"]); o != "" {
			c.AllowOrigins = []string{unquote(o)}
		}
		c.AllowMethods = splitList(str(t["AllowMethods"]))
		c.AllowHeaders = splitList(str(t["AllowHeaders"]))
		if ma, err := strconv.Atoi(unquote(str(t["MaxAge"]))); err == nil {
			c.MaxAge = ma
		}
		return c
	}
	return nil
}

// httpCors converts an HTTP API CorsConfiguration (true, or the object
// API Gateway takes) and OpenAPI's x-amazon-apigateway-cors.
func httpCors(v any) *app.Cors {
	switch t := v.(type) {
	case bool:
		if !t {
			return nil
		}
		return &app.Cors{AllowOrigins: []string{"*"}, AllowMethods: []string{"*"}, AllowHeaders: []string{"*"}}
	case string:
		if toBool(t) {
			return httpCors(true)
		}
		return &app.Cors{AllowOrigins: []string{unquote(t)}}
	case map[string]any:
		get := func(k string) any {
			if x, ok := t[k]; ok {
				return x
			}
			return t[strings.ToLower(k[:1])+k[1:]]
		}
		c := &app.Cors{
			AllowOrigins:     stringList(get("AllowOrigins")),
			AllowMethods:     stringList(get("AllowMethods")),
			AllowHeaders:     stringList(get("AllowHeaders")),
			ExposeHeaders:    stringList(get("ExposeHeaders")),
			AllowCredentials: toBool(get("AllowCredentials")),
		}
		if ma, ok := toInt(get("MaxAge")); ok {
			c.MaxAge = ma
		}
		return c
	}
	return nil
}

// samGatewayResponses converts SAM's GatewayResponses, whose header values
// are quoted like Cors values.
func samGatewayResponses(m map[string]any) map[string]*app.GatewayResponse {
	out := map[string]*app.GatewayResponse{}
	for typ, v := range m {
		g, _ := v.(map[string]any)
		gr := &app.GatewayResponse{StatusCode: str(g["StatusCode"]), ResponseTemplates: stringMap(g["ResponseTemplates"])}
		if rp, ok := g["ResponseParameters"].(map[string]any); ok {
			gr.ResponseParameters = map[string]string{}
			for _, kind := range []string{"Headers", "Paths", "QueryStrings"} {
				loc := map[string]string{"Headers": "header", "Paths": "path", "QueryStrings": "querystring"}[kind]
				for k, hv := range stringMap(rp[kind]) {
					gr.ResponseParameters["gatewayresponse."+loc+"."+k] = hv
				}
			}
		}
		out[typ] = gr
	}
	return out
}

func stringMap(v any) map[string]string {
	m, ok := v.(map[string]any)
	if !ok || len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, e := range m {
		out[k] = str(e)
	}
	return out
}

func stringList(v any) []string {
	switch t := v.(type) {
	case []any:
		out := make([]string, 0, len(t))
		for _, e := range t {
			out = append(out, str(e))
		}
		return out
	case string:
		if t == "" {
			return nil
		}
		return []string{t}
	}
	return nil
}

// pathNode is an event's Path property, for error positions (the
// Properties node when Path is missing).
func pathNode(props *node.Node) *node.Node {
	if p := props.Get("Path"); p != nil {
		return p
	}
	return props
}
