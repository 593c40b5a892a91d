package template

import (
	"strings"
	"time"

	"github.com/nimbus-dev/nimbus/internal/app"
)

// v2API converts AWS::ApiGatewayV2::Api (HTTP or WebSocket). Its routes,
// integrations and stage come from the other AWS::ApiGatewayV2 resources
// (v2Routes), an OpenAPI Body, or the quick-create Target.
func (l *loader) v2API(r *resource) {
	s := l.s
	proto := app.HTTP
	switch pt := s.propStr(r, "ProtocolType"); pt {
	case "WEBSOCKET":
		proto = app.WebSocket
	case "HTTP", "":
		if pt == "" && r.Props.Get("Body") == nil {
			s.fail(errAt(r.Node, r.ID, "add ProtocolType: HTTP or WEBSOCKET", "AWS::ApiGatewayV2::Api needs a ProtocolType"))
			return
		}
	default:
		s.fail(errAt(r.Props.Get("ProtocolType"), r.ID, suggest(pt, []string{"HTTP", "WEBSOCKET"}), "ProtocolType %q must be HTTP or WEBSOCKET", pt))
		return
	}
	a := l.newAPI(r, proto)
	a.Name = s.propStr(r, "Name")
	if a.Name == "" {
		a.Name = r.ID
	}
	a.RouteSelectionExpression = s.propStr(r, "RouteSelectionExpression")
	a.APIKeySelectionExpression = s.propStr(r, "ApiKeySelectionExpression")
	a.DisableExecuteAPIEndpoint = toBool(s.prop(r, "DisableExecuteApiEndpoint"))
	if proto == app.HTTP {
		if c := s.prop(r, "CorsConfiguration"); c != nil {
			a.Cors = httpCors(c)
		}
		if body, ok := s.prop(r, "Body").(map[string]any); ok {
			l.openAPI(a, body, r)
		}
		if target := s.propStr(r, "Target"); target != "" {
			key := s.propStr(r, "RouteKey")
			if key == "" {
				key = "$default"
			}
			l.addRoute(a, &app.Route{RouteKey: key, Source: r.location(), Integration: &app.Integration{
				Type: app.IntegrationAWSProxy, URI: target, HTTPMethod: "POST", PayloadFormatVersion: "2.0"}})
			a.Stage = defaultHTTPStage
		}
	}
}

// v2Routes converts AWS::ApiGatewayV2 Integration, IntegrationResponse,
// Route, RouteResponse and Stage resources onto their APIs.
func (l *loader) v2Routes() {
	s := l.s
	integrations := map[string]*app.Integration{}
	routes := map[string]*app.Route{}
	apiOf := func(r *resource) *app.API {
		a := l.apiByID[l.apiLogical(s.propStr(r, "ApiId"))]
		if a == nil {
			s.fail(errAt(r.Props.Get("ApiId"), r.ID, "", "ApiId does not name an AWS::ApiGatewayV2::Api of this template"))
		}
		return a
	}
	pass := func(typ string, fn func(r *resource)) {
		for _, id := range s.order {
			r := s.res[id]
			if r.enabled && r.Node != nil && r.Type == typ {
				fn(r)
			}
		}
	}
	pass("AWS::ApiGatewayV2::Integration", func(r *resource) {
		a := apiOf(r)
		if a == nil {
			return
		}
		in := &app.Integration{
			Type:                        strings.ToUpper(s.propStr(r, "IntegrationType")),
			URI:                         s.propStr(r, "IntegrationUri"),
			HTTPMethod:                  s.propStr(r, "IntegrationMethod"),
			PayloadFormatVersion:        s.propStr(r, "PayloadFormatVersion"),
			RequestTemplates:            stringMap(s.prop(r, "RequestTemplates")),
			RequestParameters:           stringMap(s.prop(r, "RequestParameters")),
			TemplateSelectionExpression: s.propStr(r, "TemplateSelectionExpression"),
			PassthroughBehavior:         s.propStr(r, "PassthroughBehavior"),
			ContentHandling:             s.propStr(r, "ContentHandlingStrategy"),
		}
		if in.PayloadFormatVersion == "" && a.Protocol == app.HTTP {
			in.PayloadFormatVersion = "1.0"
		}
		if ms, ok := toInt(s.prop(r, "TimeoutInMillis")); ok {
			in.Timeout = time.Duration(ms) * time.Millisecond
		}
		id, _ := s.ref(r)
		integrations[str(id)] = in
	})
	pass("AWS::ApiGatewayV2::IntegrationResponse", func(r *resource) {
		in := integrations[s.propStr(r, "IntegrationId")]
		if in == nil {
			s.fail(errAt(r.Props.Get("IntegrationId"), r.ID, "", "IntegrationId does not name an AWS::ApiGatewayV2::Integration of this template"))
			return
		}
		in.Responses = append(in.Responses, &app.IntegrationResponse{
			SelectionPattern:            s.propStr(r, "IntegrationResponseKey"),
			ResponseTemplates:           stringMap(s.prop(r, "ResponseTemplates")),
			ResponseParameters:          stringMap(s.prop(r, "ResponseParameters")),
			ContentHandling:             s.propStr(r, "ContentHandlingStrategy"),
			TemplateSelectionExpression: s.propStr(r, "TemplateSelectionExpression"),
		})
	})
	pass("AWS::ApiGatewayV2::Route", func(r *resource) {
		a := apiOf(r)
		if a == nil {
			return
		}
		rt := &app.Route{
			RouteKey:                         s.propStr(r, "RouteKey"),
			AuthorizationType:                s.propStr(r, "AuthorizationType"),
			APIKeyRequired:                   toBool(s.prop(r, "ApiKeyRequired")),
			RouteResponseSelectionExpression: s.propStr(r, "RouteResponseSelectionExpression"),
			Source:                           r.location(),
		}
		if rt.AuthorizationType == "" {
			rt.AuthorizationType = "NONE"
		}
		if rp, ok := s.prop(r, "RequestParameters").(map[string]any); ok {
			rt.RequestParameters = map[string]bool{}
			for k, v := range rp {
				m, _ := v.(map[string]any)
				rt.RequestParameters[k] = toBool(m["Required"])
			}
		}
		target := s.propStr(r, "Target")
		if target != "" {
			iid, ok := strings.CutPrefix(target, "integrations/")
			in := integrations[iid]
			if !ok || in == nil {
				s.fail(errAt(r.Props.Get("Target"), r.ID, `write it as !Join ["/", [integrations, !Ref MyIntegration]]`,
					"Target %q does not name an integration of this template", target))
				return
			}
			rt.Integration = in
		} else {
			s.warnf(r.Node, r.ID, "route %s has no Target; it answers with an error", rt.RouteKey)
		}
		id, _ := s.ref(r)
		routes[str(id)] = rt
		l.addRoute(a, rt)
	})
	pass("AWS::ApiGatewayV2::RouteResponse", func(r *resource) {
		rt := routes[s.propStr(r, "RouteId")]
		if rt == nil {
			s.fail(errAt(r.Props.Get("RouteId"), r.ID, "", "RouteId does not name an AWS::ApiGatewayV2::Route of this template"))
			return
		}
		rt.RouteResponses = append(rt.RouteResponses, &app.RouteResponse{
			RouteResponseKey: s.propStr(r, "RouteResponseKey"),
			ResponseModels:   stringMap(s.prop(r, "ResponseModels")),
		})
	})
	staged := map[string]bool{}
	pass("AWS::ApiGatewayV2::Stage", func(r *resource) {
		a := apiOf(r)
		if a == nil {
			return
		}
		stage := s.propStr(r, "StageName")
		if staged[a.LogicalID] {
			s.warnf(r.Node, r.ID, "API %s has several stages; serving stage %s only", a.LogicalID, a.Stage)
			return
		}
		staged[a.LogicalID] = true
		a.Stage = stage
		a.StageVariables = stringMap(s.prop(r, "StageVariables"))
	})
}
