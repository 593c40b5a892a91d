package template

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/nimbus-dev/nimbus/internal/app"
	"github.com/nimbus-dev/nimbus/internal/template/node"
)

// The logical ids the Serverless Framework gives what it generates.
const (
	slsRestAPI = "ApiGatewayRestApi"
	slsHTTPAPI = "HttpApi"
	slsWSAPI   = "WebsocketsApi"
	slsRole    = "IamRoleLambdaExecution"
)

// slsCorsHeaders are the Framework's default CORS request headers.
var slsCorsHeaders = []string{"Content-Type", "X-Amz-Date", "Authorization", "X-Api-Key",
	"X-Amz-Security-Token", "X-Amz-User-Agent", "X-Amzn-Trace-Id"}

// slsLogicalName normalizes a function or layer key the way the Framework
// does for logical ids: first letter upper case, "-" → "Dash", "_" →
// "Underscore".
func slsLogicalName(key string) string {
	if key == "" {
		return key
	}
	key = strings.ToUpper(key[:1]) + key[1:]
	key = strings.ReplaceAll(key, "-", "Dash")
	return strings.ReplaceAll(key, "_", "Underscore")
}

// loadServerless loads a serverless.yml (Framework v3 syntax).
func loadServerless(file string, data []byte, opts Options) (*app.App, error) {
	raw, err := node.Parse(data, file)
	if err != nil {
		return nil, err
	}
	if raw.Kind != node.Map {
		return nil, &Error{Loc: locOf(raw, ""), Msg: "serverless.yml must be a mapping with service, provider and functions"}
	}
	dir := filepath.Dir(file)
	provider := raw.Get("provider")
	if name, _ := provider.Get("name").Str(); name != "" && name != "aws" {
		return nil, errAt(provider.Get("name"), "provider", "", "provider %q is not supported; Nimbus runs the aws provider", name)
	}
	vars := &slsVars{root: raw, opts: opts, dir: dir, account: opts.AccountID,
		busy: map[string]bool{}, cache: map[string]*node.Node{}}
	// The stage and region feed every other variable, so they are settled
	// first: --stage, else provider.stage (which may use ${opt:...}), else dev.
	vars.stage, vars.region = "dev", defaultRegion
	if opts.Stage != "" {
		vars.stage = opts.Stage
	} else if n := provider.Get("stage"); n != nil {
		v, err := vars.resolve(n, 0)
		if err != nil {
			return nil, err
		}
		if s, ok := v.Str(); ok && s != "" {
			vars.stage = s
		}
	}
	if opts.Region != "" {
		vars.region = opts.Region
	} else if n := provider.Get("region"); n != nil {
		v, err := vars.resolve(n, 0)
		if err != nil {
			return nil, err
		}
		if s, ok := v.Str(); ok && s != "" {
			vars.region = s
		}
	}
	opts.Region = vars.region
	root, err := vars.resolve(raw, 0)
	if err != nil {
		return nil, err
	}
	service, _ := root.Get("service").Str()
	if service == "" {
		service, _ = root.Get("service").Get("name").Str()
	}
	if service == "" {
		return nil, errAt(root, "", "add service: my-service", "serverless.yml has no service name")
	}
	s := newStack(opts, dir, file)
	s.name = service + "-" + vars.stage
	if opts.StackName != "" {
		s.name = opts.StackName
	}
	s.files = append(s.files, vars.files...)
	l := newLoader(s, file)
	sl := &slsLoader{l: l, root: root, service: service, stage: vars.stage, provider: root.Get("provider")}
	// The CloudFormation part (resources:) shares the stack with what the
	// Framework generates, so each can Ref the other.
	resources := root.Get("resources")
	cfn := &node.Node{Kind: node.Map, File: file, Line: root.Line, Column: root.Column}
	for _, key := range []string{"Resources", "Outputs", "Conditions", "Mappings", "Parameters"} {
		if n := resources.Get(key); n != nil {
			cfn.Pairs = append(cfn.Pairs, node.Pair{Key: key, Line: n.Line, Column: n.Column, Value: n})
		}
	}
	if cfn.Get("Resources") == nil {
		cfn.Pairs = append(cfn.Pairs, node.Pair{Key: "Resources", Value: &node.Node{Kind: node.Map, File: file}})
	}
	s.root = cfn
	sl.registerGenerated()
	if err := l.loadStack(cfn, opts.Params); err != nil {
		return nil, err
	}
	l.convert()
	sl.layers()
	sl.functions()
	l.finishAPIs()
	l.outputs(cfn.Get("Outputs"))
	l.sites(root.Get("custom").Get("nimbus"), "custom.nimbus")
	l.apiPorts(root.Get("custom").Get("nimbus"), "custom.nimbus")
	return l.finish()
}

// slsLoader converts the Framework's own sections.
type slsLoader struct {
	l        *loader
	root     *node.Node
	provider *node.Node
	service  string
	stage    string
	layerIDs map[string]string // layer key → layer name
}

// registerGenerated adds the resources the Framework generates, so
// resources: and environment values can Ref them.
func (sl *slsLoader) registerGenerated() {
	s := sl.l.s
	for _, p := range sl.root.Get("functions").Entries() {
		name := sl.functionName(p.Key, p.Value)
		s.generated(slsLogicalName(p.Key)+"LambdaFunction", "AWS::Lambda::Function", constRef(name), func(attr string) (any, error) {
			return s.lambdaARN(name), nil
		})
	}
	for _, p := range sl.root.Get("layers").Entries() {
		name, _ := p.Value.Get("name").Str()
		if name == "" {
			name = p.Key
		}
		arn := fmt.Sprintf("arn:aws:lambda:%s:%s:layer:%s:1", s.region, s.account, name)
		s.generated(slsLogicalName(p.Key)+"LambdaLayer", "AWS::Lambda::LayerVersion", constRef(arn), nil)
	}
	for _, id := range []string{slsRestAPI, slsHTTPAPI, slsWSAPI} {
		apiID := app.APIID(id)
		r := &resource{ID: id, Type: "AWS::ApiGatewayV2::Api", enabled: true}
		if id == slsRestAPI {
			r.Type = "AWS::ApiGateway::RestApi"
		}
		r.refFn = constRef(apiID)
		scheme := "https"
		if id == slsWSAPI {
			scheme = "wss"
		}
		rr := r
		r.attrFn = func(attr string) (any, error) {
			switch attr {
			case "RootResourceId":
				return s.rootResourceID(rr), nil
			case "ApiEndpoint":
				return fmt.Sprintf("%s://%s.execute-api.%s.amazonaws.com", scheme, apiID, s.region), nil
			}
			return apiID, nil
		}
		s.add(r)
		s.ids[apiID] = r
	}
	s.add(&resource{ID: slsRole, Type: "AWS::IAM::Role", enabled: true})
	s.generated("ServerlessDeploymentBucket", "AWS::S3::Bucket", constRef(strings.ToLower(s.name)+"-serverlessdeploymentbucket"), nil)
}

func (sl *slsLoader) functionName(key string, fn *node.Node) string {
	if name, ok := fn.Get("name").Str(); ok && name != "" {
		return name
	}
	return sl.service + "-" + sl.stage + "-" + key
}

// layers converts the layers: section.
func (sl *slsLoader) layers() {
	l, s := sl.l, sl.l.s
	sl.layerIDs = map[string]string{}
	for _, p := range sl.root.Get("layers").Entries() {
		name, _ := p.Value.Get("name").Str()
		if name == "" {
			name = p.Key
		}
		path, _ := p.Value.Get("path").Str()
		r := &resource{ID: slsLogicalName(p.Key) + "LambdaLayer", Node: p.Value, Props: p.Value}
		if path == "" {
			s.fail(errAt(p.Value, r.ID, "add path: the folder with the layer's content", "layer %s has no path", p.Key))
			continue
		}
		dir, err := l.codeDir(r, "path", "", "")
		if err != nil {
			s.fail(err)
			continue
		}
		ly := &app.Layer{LogicalID: r.ID, Name: name, ContentDir: dir, Source: r.location(),
			CompatibleRuntimes: stringList(p.Value.Get("compatibleRuntimes").Plain())}
		l.layerByID[r.ID] = ly
		l.app.Layers = append(l.app.Layers, ly)
	}
}

// fnProps gives a function's setting, else the provider's.
func (sl *slsLoader) setting(fn *node.Node, key string) *node.Node {
	if n := fn.Get(key); n != nil {
		return n
	}
	return sl.provider.Get(key)
}

// functions converts the functions: section and their events.
func (sl *slsLoader) functions() {
	l, s := sl.l, sl.l.s
	if fns := sl.root.Get("functions"); fns != nil && fns.Kind != node.Map && fns.Kind != node.Null {
		s.fail(errAt(fns, "functions", "", "functions must be a mapping of function names to their definitions"))
		return
	}
	for _, p := range sl.root.Get("functions").Entries() {
		fn := p.Value
		id := slsLogicalName(p.Key) + "LambdaFunction"
		if fn.Kind != node.Map {
			s.fail(errAt(fn, id, "", "function %s must be a mapping with a handler", p.Key))
			continue
		}
		r := &resource{ID: id, Type: "AWS::Lambda::Function", Node: fn, Props: fn, enabled: true}
		if fn.Get("image") != nil {
			s.fail(errAt(fn.Get("image"), id, "use handler and runtime", "container image functions are not supported"))
			continue
		}
		f := &app.Function{
			LogicalID:        id,
			Name:             sl.functionName(p.Key, fn),
			Handler:          scalarAt(fn, "handler"),
			Runtime:          "nodejs14.x",
			Timeout:          6 * time.Second,
			MemorySize:       1024,
			EphemeralStorage: 512,
			Architectures:    []string{"x86_64"},
			Environment:      map[string]string{},
			Source:           r.location(),
		}
		if v := sl.setting(fn, "runtime"); v != nil {
			f.Runtime, _ = v.Str()
		}
		if v, ok := toInt(evalOr(s, sl.setting(fn, "timeout"), id)); ok {
			f.Timeout = time.Duration(v) * time.Second
		}
		if v, ok := toInt(evalOr(s, sl.setting(fn, "memorySize"), id)); ok {
			f.MemorySize = v
		}
		if v, ok := toInt(evalOr(s, sl.setting(fn, "ephemeralStorageSize"), id)); ok {
			f.EphemeralStorage = v
		}
		if a := str(evalOr(s, sl.setting(fn, "architecture"), id)); a != "" {
			f.Architectures = []string{a}
		}
		if v, ok := toInt(evalOr(s, fn.Get("reservedConcurrency"), id)); ok {
			f.ReservedConcurrency = &v
		}
		for _, envNode := range []*node.Node{sl.provider.Get("environment"), fn.Get("environment")} {
			if env, ok := evalOr(s, envNode, id).(map[string]any); ok {
				for k, v := range env {
					f.Environment[k] = str(v)
				}
			}
		}
		if role := evalOr(s, sl.setting(fn, "role"), id); role != nil {
			f.Role = str(role)
		}
		f.Policies = sl.policies()
		if layers, ok := evalOr(s, sl.setting(fn, "layers"), id).([]any); ok {
			byName := map[string]bool{}
			for _, ly := range l.app.Layers {
				byName[ly.Name] = true
			}
			for _, v := range layers {
				arn := str(v)
				name := arn
				if parts := strings.Split(arn, ":"); len(parts) >= 7 && parts[5] == "layer" {
					name = parts[6]
				}
				if byName[name] {
					f.Layers = append(f.Layers, name)
				} else {
					s.warnf(fn.Get("layers"), id, "layer %s is not defined in serverless.yml and is not available locally", arn)
				}
			}
		}
		if f.Handler == "" {
			s.fail(errAt(fn, id, "add handler: file.export", "function %s has no handler", p.Key))
			continue
		}
		if err := checkRuntime(f.Runtime); err != nil {
			err.Loc = locOf(sl.setting(fn, "runtime"), id)
			s.fail(err)
			continue
		}
		f.CodeDir = l.app.Dir
		artifact := fn.Get("package").Get("artifact")
		if artifact == nil {
			artifact = sl.root.Get("package").Get("artifact")
		}
		if artifact != nil {
			art := &resource{ID: id, Node: fn, Props: &node.Node{Kind: node.Map, Pairs: []node.Pair{{Key: "artifact", Value: artifact}}}}
			dir, err := l.codeDir(art, "artifact", "", f.Runtime)
			if err != nil {
				s.fail(err)
				continue
			}
			f.CodeDir = dir
		}
		if hasPlugin(sl.root, "serverless-esbuild") || hasPlugin(sl.root, "serverless-plugin-typescript") {
			f.BuildMethod = "esbuild"
		}
		if err := l.checkHandler(&resource{ID: id, Node: fn, Props: &node.Node{Kind: node.Map,
			Pairs: []node.Pair{{Key: "Handler", Value: fn.Get("handler")}, {Key: "layers", Value: sl.setting(fn, "layers")}}}}, f); err != nil {
			s.fail(err)
			continue
		}
		l.fnByID[id] = f
		l.fnByName[f.Name] = f
		l.app.Functions = append(l.app.Functions, f)
		sl.events(p.Key, fn, f)
	}
}

// evalOr evaluates an optional node with CloudFormation intrinsics.
func evalOr(s *stack, n *node.Node, where string) any {
	if n == nil {
		return nil
	}
	v, err := s.eval(n, where)
	if err != nil {
		s.fail(err)
		return nil
	}
	if v == noValue {
		return nil
	}
	return v
}

func hasPlugin(root *node.Node, name string) bool {
	plugins := root.Get("plugins")
	if plugins != nil && plugins.Kind == node.Map {
		plugins = plugins.Get("modules")
	}
	for _, it := range plugins.List() {
		if it.Value == name {
			return true
		}
	}
	return false
}

// policies lists provider.iam role statements and managed policies for
// display.
func (sl *slsLoader) policies() []string {
	var out []string
	role := sl.provider.Get("iam").Get("role")
	for _, st := range role.Get("statements").List() {
		for _, a := range st.Get("Action").List() {
			out = append(out, a.Value)
		}
		if a, ok := st.Get("Action").Str(); ok {
			out = append(out, a)
		}
	}
	for _, mp := range role.Get("managedPolicies").List() {
		if v, ok := mp.Str(); ok {
			out = append(out, v)
		}
	}
	return out
}

// api returns (creating on first use) one of the Framework's APIs.
func (sl *slsLoader) api(id string, proto app.Protocol, at *node.Node) *app.API {
	l := sl.l
	if a := l.apiByID[id]; a != nil {
		return a
	}
	a := l.newAPI(l.s.res[id], proto)
	a.Source = locOf(at, id)
	switch proto {
	case app.REST:
		a.Name = sl.stage + "-" + sl.service
		if n, ok := sl.provider.Get("apiName").Str(); ok && n != "" {
			a.Name = n
		}
		a.Stage = sl.stage
		a.BinaryMediaTypes = stringList(sl.provider.Get("apiGateway").Get("binaryMediaTypes").Plain())
	case app.HTTP:
		a.Name = sl.stage + "-" + sl.service
		if n, ok := sl.provider.Get("httpApi").Get("name").Str(); ok && n != "" {
			a.Name = n
		}
		a.Stage = defaultHTTPStage
		a.Cors = slsHTTPCors(sl.provider.Get("httpApi").Get("cors").Plain())
	case app.WebSocket:
		a.Name = sl.stage + "-" + sl.service + "-websockets"
		if n, ok := sl.provider.Get("websocketsApiName").Str(); ok && n != "" {
			a.Name = n
		}
		a.Stage = sl.stage
		a.RouteSelectionExpression = "$request.body.action"
		if e, ok := sl.provider.Get("websocketsApiRouteSelectionExpression").Str(); ok && e != "" {
			a.RouteSelectionExpression = e
		}
	}
	return a
}

// events converts a function's http, httpApi and websocket events.
func (sl *slsLoader) events(key string, fn *node.Node, f *app.Function) {
	l, s := sl.l, sl.l.s
	for _, ev := range fn.Get("events").List() {
		if ev.Kind != node.Map || len(ev.Pairs) != 1 {
			s.fail(errAt(ev, f.LogicalID, "", "an event is a mapping with one key, such as http: GET /path"))
			continue
		}
		kind, spec := ev.Pairs[0].Key, ev.Pairs[0].Value
		switch kind {
		case "http":
			method, path := "", ""
			var cfg *node.Node
			if v, ok := spec.Str(); ok {
				method, path, _ = strings.Cut(strings.TrimSpace(v), " ")
			} else {
				cfg = spec
				method, path = scalarAt(spec, "method"), scalarAt(spec, "path")
			}
			method = strings.ToUpper(strings.TrimSpace(method))
			if method == "" {
				s.fail(errAt(spec, f.LogicalID, "write it as http: GET /path", "http event has no method"))
				continue
			}
			a := sl.api(slsRestAPI, app.REST, ev)
			rt := &app.Route{Method: method, Path: "/" + strings.Trim(strings.TrimSpace(path), "/"),
				AuthorizationType: "NONE", Source: locOf(ev, f.LogicalID)}
			in := l.lambdaProxy(f, "")
			switch strings.ToLower(scalarAt(cfg, "integration")) {
			case "", "lambda-proxy", "aws_proxy", "aws-proxy":
			case "lambda", "aws":
				in.Type = app.IntegrationAWS
				in.PassthroughBehavior = "WHEN_NO_MATCH"
				in.RequestTemplates = stringMap(cfg.Get("request").Get("template").Plain())
				if in.RequestTemplates == nil {
					in.RequestTemplates = map[string]string{"application/json": slsLambdaRequestTemplate}
				}
				in.Responses = slsIntegrationResponses(cfg.Get("response"))
			default:
				s.warnf(cfg.Get("integration"), f.LogicalID, "http integration %q is not emulated; using lambda-proxy", scalarAt(cfg, "integration"))
			}
			rt.Integration = in
			if params := cfg.Get("request").Get("parameters"); params != nil {
				rt.RequestParameters = map[string]bool{}
				for _, group := range params.Entries() {
					loc := map[string]string{"querystrings": "querystring", "headers": "header", "paths": "path"}[group.Key]
					for _, pp := range group.Value.Entries() {
						req := toBool(pp.Value.ScalarValue())
						if pp.Value.Kind == node.Map {
							req = toBool(pp.Value.Get("required").ScalarValue())
						}
						rt.RequestParameters["method.request."+loc+"."+pp.Key] = req
					}
				}
			}
			if c := cfg.Get("cors"); c != nil {
				a.Cors = mergeSlsCors(a.Cors, c.Plain(), method)
			}
			l.addRoute(a, rt)
		case "httpApi":
			method, path := "", ""
			if v, ok := spec.Str(); ok {
				method, path, _ = strings.Cut(strings.TrimSpace(v), " ")
			} else {
				method, path = scalarAt(spec, "method"), scalarAt(spec, "path")
			}
			a := sl.api(slsHTTPAPI, app.HTTP, ev)
			routeKey := "$default"
			if method != "*" || path != "" {
				method = strings.ToUpper(method)
				if method == "*" || method == "" {
					method = "ANY"
				}
				routeKey = method + " " + path
			}
			pfv := "2.0"
			if p, ok := sl.provider.Get("httpApi").Get("payload").Str(); ok && p != "" {
				pfv = p
			}
			if a.Cors != nil && len(a.Cors.AllowMethods) > 0 && a.Cors.AllowMethods[0] != "*" && routeKey != "$default" {
				a.Cors.AllowMethods = appendUnique(a.Cors.AllowMethods, method)
			}
			l.addRoute(a, &app.Route{RouteKey: routeKey, Source: locOf(ev, f.LogicalID), Integration: l.lambdaProxy(f, pfv)})
		case "websocket":
			route := ""
			rrse := ""
			if v, ok := spec.Str(); ok {
				route = v
			} else {
				route, rrse = scalarAt(spec, "route"), scalarAt(spec, "routeResponseSelectionExpression")
			}
			if route == "" {
				s.fail(errAt(spec, f.LogicalID, "write it as websocket: $connect", "websocket event has no route"))
				continue
			}
			a := sl.api(slsWSAPI, app.WebSocket, ev)
			rt := &app.Route{RouteKey: route, RouteResponseSelectionExpression: rrse, Source: locOf(ev, f.LogicalID),
				Integration: l.lambdaProxy(f, "")}
			if rrse != "" {
				rt.RouteResponses = []*app.RouteResponse{{RouteResponseKey: "$default"}}
			}
			l.addRoute(a, rt)
		default:
			s.warnf(ev, f.LogicalID, "event type %s is not emulated; the function runs only through its APIs and the Invoke API", kind)
		}
	}
}

// slsErrorCodes are the status codes the Framework maps from "[code]" in a
// lambda (non-proxy) integration's error message when statusCodes is unset.
var slsErrorCodes = []string{"400", "401", "403", "404", "422", "500", "502", "504"}

// slsLambdaRequestTemplate builds the event the Framework's lambda
// (non-proxy) integration sends by default: body, method, principalId,
// stage, cognitoPoolClaims, enhancedAuthContext, headers, query, path,
// identity, stageVariables and requestPath. (API Gateway's templates
// take no #macro, so each map is written out.)
const slsLambdaRequestTemplate = `{
  "body": $input.json('$'),
  "method": "$context.httpMethod",
  "principalId": "$context.authorizer.principalId",
  "stage": "$context.stage",
  "cognitoPoolClaims": {"sub": "$context.authorizer.claims.sub"},
  "enhancedAuthContext": {},
  #set($m = $input.params().header)
  "headers": {#foreach($k in $m.keySet())"$util.escapeJavaScript($k)": "$util.escapeJavaScript($m.get($k))"#if($foreach.hasNext), #end#end},
  #set($m = $input.params().querystring)
  "query": {#foreach($k in $m.keySet())"$util.escapeJavaScript($k)": "$util.escapeJavaScript($m.get($k))"#if($foreach.hasNext), #end#end},
  #set($m = $input.params().path)
  "path": {#foreach($k in $m.keySet())"$util.escapeJavaScript($k)": "$util.escapeJavaScript($m.get($k))"#if($foreach.hasNext), #end#end},
  #set($m = $context.identity)
  "identity": {#foreach($k in $m.keySet())"$util.escapeJavaScript($k)": "$util.escapeJavaScript($m.get($k))"#if($foreach.hasNext), #end#end},
  #set($m = $stageVariables)
  "stageVariables": {#foreach($k in $m.keySet())"$util.escapeJavaScript($k)": "$util.escapeJavaScript($m.get($k))"#if($foreach.hasNext), #end#end},
  "requestPath": "$context.resourcePath"
}`

// slsIntegrationResponses reads a lambda (non-proxy) http event's response
// settings: the default 200 response plus statusCodes with patterns.
func slsIntegrationResponses(resp *node.Node) []*app.IntegrationResponse {
	def := &app.IntegrationResponse{StatusCode: "200", ResponseTemplates: stringMap(resp.Get("template").Plain())}
	if def.ResponseTemplates == nil {
		if t, ok := resp.Get("template").Str(); ok {
			def.ResponseTemplates = map[string]string{"application/json": t}
		}
	}
	if hs := stringMap(resp.Get("headers").Plain()); hs != nil {
		def.ResponseParameters = map[string]string{}
		for k, v := range hs {
			def.ResponseParameters["method.response.header."+k] = v
		}
	}
	codes := resp.Get("statusCodes")
	if codes == nil {
		out := []*app.IntegrationResponse{def}
		for _, c := range slsErrorCodes {
			pattern := `.*\[` + c + `\].*`
			if c == "500" {
				pattern = `.*(Process\s?exited\s?before\s?completing\s?request|\[500\]).*`
			}
			out = append(out, &app.IntegrationResponse{StatusCode: c, SelectionPattern: pattern,
				ResponseParameters: def.ResponseParameters, ResponseTemplates: def.ResponseTemplates})
		}
		return out
	}
	var out []*app.IntegrationResponse
	for _, p := range codes.Pairs {
		ir := &app.IntegrationResponse{StatusCode: p.Key, SelectionPattern: scalarAt(p.Value, "pattern"),
			ResponseParameters: def.ResponseParameters, ResponseTemplates: def.ResponseTemplates}
		if t := stringMap(p.Value.Get("template").Plain()); t != nil {
			ir.ResponseTemplates = t
		} else if t, ok := p.Value.Get("template").Str(); ok {
			ir.ResponseTemplates = map[string]string{"application/json": t}
		}
		out = append(out, ir)
	}
	return out
}

// mergeSlsCors folds an http event's cors setting into the API's Cors.
func mergeSlsCors(c *app.Cors, v any, method string) *app.Cors {
	if b, ok := v.(bool); ok && !b {
		return c
	}
	if c == nil {
		c = &app.Cors{}
	}
	origins, headers := []string{"*"}, slsCorsHeaders
	if m, ok := v.(map[string]any); ok {
		if o := str(m["origin"]); o != "" {
			origins = []string{o}
		}
		if os := stringList(m["origins"]); len(os) > 0 {
			origins = os
		}
		if hs := stringList(m["headers"]); len(hs) > 0 {
			headers = hs
		}
		c.AllowCredentials = c.AllowCredentials || toBool(m["allowCredentials"])
		if ma, ok := toInt(m["maxAge"]); ok {
			c.MaxAge = ma
		}
	}
	for _, o := range origins {
		c.AllowOrigins = appendUnique(c.AllowOrigins, o)
	}
	for _, h := range headers {
		c.AllowHeaders = appendUnique(c.AllowHeaders, h)
	}
	c.AllowMethods = appendUnique(appendUnique(c.AllowMethods, "OPTIONS"), method)
	return c
}

// slsHTTPCors converts provider.httpApi.cors.
func slsHTTPCors(v any) *app.Cors {
	switch t := v.(type) {
	case bool:
		if !t {
			return nil
		}
		return &app.Cors{AllowOrigins: []string{"*"}, AllowHeaders: slsCorsHeaders, AllowMethods: []string{"OPTIONS"}}
	case map[string]any:
		c := &app.Cors{
			AllowOrigins:     stringList(t["allowedOrigins"]),
			AllowHeaders:     stringList(t["allowedHeaders"]),
			AllowMethods:     stringList(t["allowedMethods"]),
			ExposeHeaders:    stringList(t["exposedResponseHeaders"]),
			AllowCredentials: toBool(t["allowCredentials"]),
		}
		if len(c.AllowOrigins) == 0 {
			c.AllowOrigins = []string{"*"}
		}
		if len(c.AllowHeaders) == 0 {
			c.AllowHeaders = slsCorsHeaders
		}
		if len(c.AllowMethods) == 0 {
			c.AllowMethods = []string{"OPTIONS"}
		}
		if ma, ok := toInt(t["maxAge"]); ok {
			c.MaxAge = ma
		}
		return c
	}
	return nil
}

func appendUnique(list []string, s string) []string {
	for _, e := range list {
		if e == s {
			return list
		}
	}
	return append(list, s)
}
