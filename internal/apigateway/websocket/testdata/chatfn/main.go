// Command chatfn is seed 003's WebSocket chat as Go Lambda handlers
// (aws-lambda-go + aws-sdk-go-v2), one binary for the four functions: the
// function's Handler (_HANDLER) picks connect, disconnect, default, send or
// echo.
// The connections "table" is a folder (STORE_DIR) with one file per
// connection id, so the test needs no database.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi/types"
)

type response = events.APIGatewayProxyResponse

var (
	store = os.Getenv("STORE_DIR")
	// cfg is loaded once per execution environment, as Go handlers do.
	cfg, cfgErr = config.LoadDefaultConfig(context.Background())
)

// callbackAPI builds the management client as seed 003 does, from the
// event's domainName and stage; with AWS_ENDPOINT_URL set (as Nimbus sets
// it) the SDK sends the same calls to that endpoint instead.
func callbackAPI(_ context.Context, rc events.APIGatewayWebsocketProxyRequestContext) (*apigatewaymanagementapi.Client, error) {
	if cfgErr != nil {
		return nil, cfgErr
	}
	return apigatewaymanagementapi.NewFromConfig(cfg, func(o *apigatewaymanagementapi.Options) {
		if os.Getenv("AWS_ENDPOINT_URL") == "" {
			o.BaseEndpoint = aws.String("https://" + rc.DomainName + "/" + rc.Stage)
		}
	}), nil
}

func connect(_ context.Context, ev events.APIGatewayWebsocketProxyRequest) (response, error) {
	err := os.WriteFile(filepath.Join(store, ev.RequestContext.ConnectionID), nil, 0o644)
	return response{StatusCode: 200}, err
}

func disconnect(_ context.Context, ev events.APIGatewayWebsocketProxyRequest) (response, error) {
	err := os.Remove(filepath.Join(store, ev.RequestContext.ConnectionID))
	return response{StatusCode: 200}, err
}

func defaultRoute(ctx context.Context, ev events.APIGatewayWebsocketProxyRequest) (response, error) {
	api, err := callbackAPI(ctx, ev.RequestContext)
	if err != nil {
		return response{}, err
	}
	id := aws.String(ev.RequestContext.ConnectionID)
	info, err := api.GetConnection(ctx, &apigatewaymanagementapi.GetConnectionInput{ConnectionId: id})
	if err != nil {
		return response{}, err
	}
	out, _ := json.Marshal(map[string]any{
		"connectedAt":  info.ConnectedAt,
		"sourceIp":     aws.ToString(info.Identity.SourceIp),
		"connectionId": ev.RequestContext.ConnectionID,
	})
	_, err = api.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{
		ConnectionId: id,
		Data:         []byte("Use the send-message route to send a message. Your info: " + string(out)),
	})
	return response{StatusCode: 200}, err
}

func send(ctx context.Context, ev events.APIGatewayWebsocketProxyRequest) (response, error) {
	entries, err := os.ReadDir(store)
	if err != nil {
		return response{}, err
	}
	var body struct {
		Message string `json:"message"`
	}
	if err := json.Unmarshal([]byte(ev.Body), &body); err != nil {
		return response{}, err
	}
	api, err := callbackAPI(ctx, ev.RequestContext)
	if err != nil {
		return response{}, err
	}
	for _, e := range entries {
		if e.Name() == ev.RequestContext.ConnectionID {
			continue
		}
		_, err := api.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{
			ConnectionId: aws.String(e.Name()),
			Data:         []byte(body.Message),
		})
		var gone *types.GoneException
		if errors.As(err, &gone) {
			_ = os.Remove(filepath.Join(store, e.Name()))
			continue
		}
		if err != nil {
			return response{}, err
		}
	}
	return response{StatusCode: 200}, nil
}

// echo posts the message back to its sender (the round-trip benchmark).
func echo(ctx context.Context, ev events.APIGatewayWebsocketProxyRequest) (response, error) {
	api, err := callbackAPI(ctx, ev.RequestContext)
	if err != nil {
		return response{}, err
	}
	_, err = api.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{
		ConnectionId: aws.String(ev.RequestContext.ConnectionID),
		Data:         []byte(ev.Body),
	})
	return response{StatusCode: 200}, err
}

func main() {
	handlers := map[string]func(context.Context, events.APIGatewayWebsocketProxyRequest) (response, error){
		"connect":    connect,
		"disconnect": disconnect,
		"default":    defaultRoute,
		"send":       send,
		"echo":       echo,
	}
	h, ok := handlers[os.Getenv("_HANDLER")]
	if !ok {
		fmt.Fprintln(os.Stderr, "unknown handler", os.Getenv("_HANDLER"))
		os.Exit(1)
	}
	lambda.Start(h)
}
