package websocket

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/coder/websocket"

	"github.com/nimbus-dev/nimbus/internal/app"
)

func mockIntegration(requestTemplate string, responses ...*app.IntegrationResponse) *app.Integration {
	return &app.Integration{
		Type:                        app.IntegrationMock,
		TemplateSelectionExpression: `\$default`,
		RequestTemplates:            map[string]string{"$default": requestTemplate},
		Responses:                   responses,
	}
}

func TestMockConnectDecidesTheHandshake(t *testing.T) {
	api := chatAPI()
	api.Routes = []*app.Route{{
		RouteKey: "$connect",
		Integration: mockIntegration(`#if($input.params('token') == "open-sesame"){"statusCode": 200}#else{"statusCode": 403}#end`,
			&app.IntegrationResponse{SelectionPattern: "$default"}),
	}}
	e := newEnv(t, api, &funcInvoker{}, Options{})
	e.dial("?token=open-sesame", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, resp, err := websocket.Dial(ctx, e.wsURL("?token=wrong"), nil); err == nil || resp == nil || resp.StatusCode != 403 {
		t.Errorf("wrong token: %v %v", resp, err)
	}
}

func TestMockTwoWayRouteRendersResponseTemplate(t *testing.T) {
	api := chatAPI()
	api.Routes = []*app.Route{{
		RouteKey: "$default",
		Integration: mockIntegration(`{"statusCode": 200}`, &app.IntegrationResponse{
			SelectionPattern:            "$default",
			TemplateSelectionExpression: `\$default`,
			ResponseTemplates:           map[string]string{"$default": `{"route": "$context.routeKey", "connection": "$context.connectionId", "stage": "$stageVariables.env"}`},
		}),
		RouteResponses: []*app.RouteResponse{{RouteResponseKey: "$default"}},
	}}
	api.StageVariables = map[string]string{"env": "local"}
	e := newEnv(t, api, &funcInvoker{}, Options{})
	c := e.dial("", nil)
	sendText(t, c, "anything")
	var got map[string]string
	if err := json.Unmarshal([]byte(readText(t, c)), &got); err != nil {
		t.Fatal(err)
	}
	if got["route"] != "$default" || !connectionIDShape.MatchString(got["connection"]) || got["stage"] != "local" {
		t.Errorf("rendered %v", got)
	}
}

func TestLambdaCustomIntegration(t *testing.T) {
	inv := &funcInvoker{}
	payloads := make(chan string, 4)
	inv.set("join", func(_ context.Context, _ events.APIGatewayWebsocketProxyRequest, raw []byte) (any, error) {
		payloads <- string(raw)
		var in struct {
			Room string `json:"room"`
		}
		_ = json.Unmarshal(raw, &in)
		if in.Room == "locked" {
			return nil, errors.New("room locked: not allowed")
		}
		if in.Room == "crash" {
			return nil, errors.New("unexpected")
		}
		return map[string]any{"joined": in.Room}, nil
	})
	api := chatAPI()
	api.Routes = []*app.Route{{
		RouteKey: "join",
		Integration: &app.Integration{
			Type:                        app.IntegrationAWS,
			FunctionName:                "join",
			TemplateSelectionExpression: "${request.body.version}",
			RequestTemplates: map[string]string{
				"v1":       `{"room": $input.json('$.data.room'), "connection": "$context.connectionId"}`,
				"$default": `{"room": "default-room"}`,
			},
			Responses: []*app.IntegrationResponse{
				{SelectionPattern: "$default", ResponseTemplates: map[string]string{"$default": `{"ok": $input.json('$.joined')}`}},
				{SelectionPattern: "/.*not allowed.*/", ResponseTemplates: map[string]string{"$default": `{"error": "forbidden room"}`}},
			},
		},
		RouteResponses: []*app.RouteResponse{{RouteResponseKey: "$default"}},
	}, {
		RouteKey: "strict",
		Integration: &app.Integration{
			Type:                "AWS",
			FunctionName:        "join",
			PassthroughBehavior: "NEVER",
			RequestTemplates:    map[string]string{"application/json": `{}`},
		},
	}}
	e := newEnv(t, api, inv, Options{})
	c := e.dial("", nil)

	sendText(t, c, `{"action":"join","version":"v1","data":{"room":"r42"}}`)
	if got := <-payloads; !strings.HasPrefix(got, `{"room": "r42", "connection": "`) {
		t.Errorf("mapped payload %s", got)
	}
	if got := readText(t, c); got != `{"ok": "r42"}` {
		t.Errorf("route response %s", got)
	}
	sendText(t, c, `{"action":"join"}`)
	if got := <-payloads; got != `{"room": "default-room"}` {
		t.Errorf("$default template payload %s", got)
	}
	readText(t, c)
	sendText(t, c, `{"action":"join","version":"v1","data":{"room":"locked"}}`)
	<-payloads
	if got := readText(t, c); got != `{"error": "forbidden room"}` {
		t.Errorf("error mapping %s", got)
	}
	sendText(t, c, `{"action":"join","version":"v1","data":{"room":"crash"}}`)
	<-payloads
	if got := readText(t, c); !strings.HasPrefix(got, `{"message": "Internal server error"`) {
		t.Errorf("unmapped function error %s", got)
	}
	sendText(t, c, `{"action":"strict"}`)
	if got := readText(t, c); !strings.HasPrefix(got, `{"message": "Internal server error"`) {
		t.Errorf("passthrough NEVER %s", got)
	}
	select {
	case p := <-payloads:
		t.Errorf("NEVER passthrough invoked the function with %s", p)
	default:
	}
}
