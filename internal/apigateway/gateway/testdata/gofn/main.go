// Command gofn is the Go Lambda function the API Gateway end-to-end tests
// and benchmarks call: an aws-lambda-go handler for REST (payload 1.0) and
// HTTP API (payload 2.0) proxy events whose answer the path chooses.
package main

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func handle(_ context.Context, raw json.RawMessage) (any, error) {
	var probe struct {
		Version string `json:"version"`
	}
	_ = json.Unmarshal(raw, &probe)
	if probe.Version == "2.0" {
		var ev events.APIGatewayV2HTTPRequest
		if err := json.Unmarshal(raw, &ev); err != nil {
			return nil, err
		}
		switch ev.RawPath {
		case "/hello":
			return events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: "hello",
				Headers: map[string]string{"content-type": "text/plain"}}, nil
		case "/inferred":
			return map[string]string{"method": ev.RequestContext.HTTP.Method, "id": ev.PathParameters["id"]}, nil
		}
		return events.APIGatewayV2HTTPResponse{StatusCode: 404, Body: "no route in function"}, nil
	}
	var ev events.APIGatewayProxyRequest
	if err := json.Unmarshal(raw, &ev); err != nil {
		return nil, err
	}
	switch ev.Path {
	case "/bad":
		// Seed 002: a handler's statusCode must reach the client.
		return events.APIGatewayProxyResponse{StatusCode: 400, Body: `{"error":"param is required"}`}, nil
	case "/rooms":
		// Seed 004, non-proxy: the whole {statusCode, body} object is the
		// integration's result.
		return map[string]any{"statusCode": 200, "body": `{"rooms":[{"room_id":"r1","name":"lobby"}]}`}, nil
	}
	out, _ := json.Marshal(map[string]string{"method": ev.HTTPMethod, "path": ev.Path, "body": ev.Body, "proxy": ev.PathParameters["proxy"]})
	return events.APIGatewayProxyResponse{StatusCode: 200, Body: string(out)}, nil
}

func main() { lambda.Start(handle) }
