package httpapi

import "github.com/nimbus-dev/nimbus/internal/apigateway/gateway"

// appendJSON appends ev as json.Marshal writes it (field order, omitempty,
// escaping), without reflection: the event is encoded on every request.
// FuzzEventV2JSON checks the two agree.
func (ev *EventV2) appendJSON(b []byte) []byte {
	b = append(b, `{"version":`...)
	b = gateway.AppendJSONString(b, ev.Version)
	b = append(b, `,"routeKey":`...)
	b = gateway.AppendJSONString(b, ev.RouteKey)
	b = append(b, `,"rawPath":`...)
	b = gateway.AppendJSONString(b, ev.RawPath)
	b = append(b, `,"rawQueryString":`...)
	b = gateway.AppendJSONString(b, ev.RawQueryString)
	if len(ev.Cookies) > 0 {
		b = append(b, `,"cookies":`...)
		b = gateway.AppendJSONStringList(b, ev.Cookies)
	}
	b = append(b, `,"headers":`...)
	b = gateway.AppendJSONStringMap(b, ev.Headers)
	if len(ev.QueryStringParameters) > 0 {
		b = append(b, `,"queryStringParameters":`...)
		b = gateway.AppendJSONStringMap(b, ev.QueryStringParameters)
	}
	if len(ev.PathParameters) > 0 {
		b = append(b, `,"pathParameters":`...)
		b = gateway.AppendJSONStringMap(b, ev.PathParameters)
	}
	rc := &ev.RequestContext
	b = append(b, `,"requestContext":{"accountId":`...)
	b = gateway.AppendJSONString(b, rc.AccountID)
	b = append(b, `,"apiId":`...)
	b = gateway.AppendJSONString(b, rc.APIID)
	b = append(b, `,"domainName":`...)
	b = gateway.AppendJSONString(b, rc.DomainName)
	b = append(b, `,"domainPrefix":`...)
	b = gateway.AppendJSONString(b, rc.DomainPrefix)
	b = append(b, `,"http":{"method":`...)
	b = gateway.AppendJSONString(b, rc.HTTP.Method)
	b = append(b, `,"path":`...)
	b = gateway.AppendJSONString(b, rc.HTTP.Path)
	b = append(b, `,"protocol":`...)
	b = gateway.AppendJSONString(b, rc.HTTP.Protocol)
	b = append(b, `,"sourceIp":`...)
	b = gateway.AppendJSONString(b, rc.HTTP.SourceIP)
	b = append(b, `,"userAgent":`...)
	b = gateway.AppendJSONString(b, rc.HTTP.UserAgent)
	b = append(b, `},"requestId":`...)
	b = gateway.AppendJSONString(b, rc.RequestID)
	b = append(b, `,"routeKey":`...)
	b = gateway.AppendJSONString(b, rc.RouteKey)
	b = append(b, `,"stage":`...)
	b = gateway.AppendJSONString(b, rc.Stage)
	b = append(b, `,"time":`...)
	b = gateway.AppendJSONString(b, rc.Time)
	b = append(b, `,"timeEpoch":`...)
	b = gateway.AppendJSONInt(b, rc.TimeEpoch)
	b = append(b, '}')
	if ev.Body != "" {
		b = append(b, `,"body":`...)
		b = gateway.AppendJSONString(b, ev.Body)
	}
	b = append(b, `,"isBase64Encoded":`...)
	b = gateway.AppendJSONBool(b, ev.IsBase64Encoded)
	if len(ev.StageVariables) > 0 {
		b = append(b, `,"stageVariables":`...)
		b = gateway.AppendJSONStringMap(b, ev.StageVariables)
	}
	return append(b, '}')
}
