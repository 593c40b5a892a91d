// Command gofn is the benchmark's Go Lambda handler (bench/): it echoes its
// event through the Invoke API, or answers HTTP API requests with a small
// JSON body when BENCH_MODE=http.
package main

import (
	"context"
	"encoding/json"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	if os.Getenv("BENCH_MODE") == "http" {
		lambda.Start(func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
			return events.APIGatewayV2HTTPResponse{
				StatusCode: 200,
				Headers:    map[string]string{"content-type": "application/json"},
				Body:       `{"ok":true}`,
			}, nil
		})
	}
	lambda.Start(func(_ context.Context, event json.RawMessage) (json.RawMessage, error) {
		return event, nil
	})
}
