// Command connect is the chat example's connect function: it records a WebSocket connection and the room it joins ($connect).
// SAM and Nimbus build it into a bootstrap for provided.al2023.
package main

import "github.com/nimbus-dev/nimbus/examples/chat/internal/chat"

func main() {
	chat.Start("connect", func(app *chat.App) any { return app.Connect })
}
