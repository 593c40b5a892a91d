// Command clifn is the Go function the AWS CLI test uploads as a
// provided.al2023 `bootstrap` in a zip (`aws lambda create-function`).
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

func main() {
	lambda.Start(func(ctx context.Context, in map[string]any) (map[string]any, error) {
		lc, _ := lambdacontext.FromContext(ctx)
		fmt.Println("go function got", in)
		return map[string]any{
			"in":       in,
			"greeting": os.Getenv("GREETING"),
			"memory":   lambdacontext.MemoryLimitInMB,
			"function": lambdacontext.FunctionName,
			"request":  lc.AwsRequestID,
		}, nil
	})
}
