// Package chat is the logic behind the chat example's Lambda functions: the
// data model of seed 004 (rooms; connections with the GSI
// joined_room_id-index; plus a messages table for history), input
// validation, the JSON frames exchanged with the browser, and one handler
// method per function. Each function's main package only builds an App from
// its environment and hands one method to lambda.Start, so the handlers can
// be tested here without a server.
package chat
