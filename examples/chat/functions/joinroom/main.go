// Command joinroom is the chat example's joinRoom function: it sends a new member the room's history and announces them (joinRoom route).
// SAM and Nimbus build it into a bootstrap for provided.al2023.
package main

import "github.com/nimbus-dev/nimbus/examples/chat/internal/chat"

func main() {
	chat.Start("joinRoom", func(app *chat.App) any { return app.JoinRoom })
}
