package chat

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
)

// Start runs one of the app's handlers as a Lambda function; it is the
// whole main of every function in functions/. name labels its logs and
// handler picks the method to serve.
func Start(name string, handler func(*App) any) {
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil)).With("function", name)
	app, err := NewFromEnv(context.Background(), logger)
	if err != nil {
		logger.Error("cannot start", "err", err)
		os.Exit(1)
	}
	lambda.Start(handler(app))
}
