// Command sendmessage is the chat example's sendMessage function: it posts a message to everyone in the sender's room (sendMessage and $default routes).
// SAM and Nimbus build it into a bootstrap for provided.al2023.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/nimbus-dev/nimbus/examples/chat/internal/chat"
)

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil)).With("function", "sendMessage")
	app, err := chat.NewFromEnv(context.Background(), logger)
	if err != nil {
		logger.Error("cannot start", "err", err)
		os.Exit(1)
	}
	lambda.Start(app.SendMessage)
}
