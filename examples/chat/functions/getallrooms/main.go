// Command getallrooms is the chat example's getAllRooms function: it lists every room (REST GET /rooms, non-proxy integration).
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
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil)).With("function", "getAllRooms")
	app, err := chat.NewFromEnv(context.Background(), logger)
	if err != nil {
		logger.Error("cannot start", "err", err)
		os.Exit(1)
	}
	lambda.Start(app.GetAllRooms)
}
