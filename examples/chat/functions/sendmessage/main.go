// Command sendmessage is the chat example's sendMessage function: it posts a message to everyone in the sender's room (sendMessage and $default routes).
// SAM and Nimbus build it into a bootstrap for provided.al2023.
package main

import "github.com/nimbus-dev/nimbus/examples/chat/internal/chat"

func main() {
	chat.Start("sendMessage", func(app *chat.App) any { return app.SendMessage })
}
