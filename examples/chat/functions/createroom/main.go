// Command createroom is the chat example's createRoom function: it creates a room (REST POST /rooms, non-proxy integration).
// SAM and Nimbus build it into a bootstrap for provided.al2023.
package main

import "github.com/nimbus-dev/nimbus/examples/chat/internal/chat"

func main() {
	chat.Start("createRoom", func(app *chat.App) any { return app.CreateRoom })
}
