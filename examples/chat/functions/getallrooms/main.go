// Command getallrooms is the chat example's getAllRooms function: it lists every room (REST GET /rooms, non-proxy integration).
// SAM and Nimbus build it into a bootstrap for provided.al2023.
package main

import "github.com/nimbus-dev/nimbus/examples/chat/internal/chat"

func main() {
	chat.Start("getAllRooms", func(app *chat.App) any { return app.GetAllRooms })
}
