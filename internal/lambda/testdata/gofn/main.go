// Command gofn is the Go test function: an aws-lambda-go handler whose
// behaviour the event chooses.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type event struct {
	Mode    string `json:"mode"`
	SleepMS int    `json:"sleepMs"`
	Size    int    `json:"size"`
	Env     string `json:"env"`
	Value   any    `json:"value"`
}

func handle(ctx context.Context, ev event) (any, error) {
	lc, _ := lambdacontext.FromContext(ctx)
	switch ev.Mode {
	case "error":
		return nil, errors.New("boom")
	case "sleep":
		time.Sleep(time.Duration(ev.SleepMS) * time.Millisecond)
		return "slept", nil
	case "crash":
		fmt.Println("about to crash")
		os.Exit(3)
	case "big":
		return strings.Repeat("x", ev.Size), nil
	case "env":
		return os.Getenv(ev.Env), nil
	case "context":
		deadline, _ := ctx.Deadline()
		return map[string]any{
			"requestId":   lc.AwsRequestID,
			"arn":         lc.InvokedFunctionArn,
			"name":        lambdacontext.FunctionName,
			"memory":      lambdacontext.MemoryLimitInMB,
			"remainingMs": time.Until(deadline).Milliseconds(),
		}, nil
	case "log":
		fmt.Println("hello from go")
	}
	return map[string]any{"echo": ev.Value}, nil
}

func main() {
	if os.Getenv("GOFN_INIT_CRASH") != "" {
		fmt.Println("init crash")
		os.Exit(2)
	}
	lambda.Start(handle)
}
