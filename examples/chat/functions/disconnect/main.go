// Command disconnect is the chat example's disconnect function: it forgets a connection and closes the room when it empties ($disconnect).
// SAM and Nimbus build it into a bootstrap for provided.al2023.
package main

import "github.com/nimbus-dev/nimbus/examples/chat/internal/chat"

func main() {
	chat.Start("disconnect", func(app *chat.App) any { return app.Disconnect })
}
