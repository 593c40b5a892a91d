package chat

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-lambda-go/events"
)

// wsResponse is a WebSocket route's integration response; for $connect a
// status other than 2xx refuses the connection.
func wsResponse(status int, body string) events.APIGatewayProxyResponse {
	return events.APIGatewayProxyResponse{StatusCode: status, Body: body}
}

// posterFor builds the management endpoint the way code written for AWS
// does: "https://" + domainName + "/" + stage.
func (a *App) posterFor(rc events.APIGatewayWebsocketProxyRequestContext) Poster {
	return a.Posters("https://" + rc.DomainName + "/" + rc.Stage)
}

// Connect is the $connect function: the page connects with
// ?roomId=<id>&name=<name>; the connection is recorded against the room.
func (a *App) Connect(ctx context.Context, event events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
	q := event.QueryStringParameters
	roomID := q["roomId"]
	if err := CheckRoomID(roomID); err != nil {
		return wsResponse(400, err.Error()), nil
	}
	name, err := CleanUserName(q["name"])
	if err != nil {
		return wsResponse(400, err.Error()), nil
	}
	_, found, err := a.Store.GetRoom(ctx, roomID)
	if err != nil {
		return events.APIGatewayProxyResponse{}, fmt.Errorf("read room %s: %w", roomID, err)
	}
	if !found {
		return wsResponse(404, "Room not found: it may have closed when its last member left."), nil
	}
	rc := event.RequestContext
	err = a.Store.PutConnection(ctx, Connection{ID: rc.ConnectionID, RoomID: roomID, UserName: name, ConnectedAt: timestamp(a.now())})
	if err != nil {
		return events.APIGatewayProxyResponse{}, fmt.Errorf("record connection: %w", err)
	}
	a.log().Info("connected", "connectionId", rc.ConnectionID, "roomId", roomID, "name", name)
	return wsResponse(200, ""), nil
}

// JoinRoom is the joinRoom route's function, which the page calls once its
// socket is open (a connection cannot be posted to during $connect): it
// records a join notice, sends the caller the room's history and tells the
// others who joined.
func (a *App) JoinRoom(ctx context.Context, event events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
	rc := event.RequestContext
	poster := a.posterFor(rc)
	conn, found, err := a.Store.GetConnection(ctx, rc.ConnectionID)
	if err != nil {
		return events.APIGatewayProxyResponse{}, fmt.Errorf("read connection: %w", err)
	}
	if !found {
		return a.replyError(ctx, poster, rc.ConnectionID, invalid("roomId", "This connection has not joined a room; reconnect with ?roomId=<id>&name=<your name>."))
	}
	room, _, err := a.Store.GetRoom(ctx, conn.RoomID)
	if err != nil {
		return events.APIGatewayProxyResponse{}, fmt.Errorf("read room: %w", err)
	}
	notice := a.newMessage(conn.RoomID, KindJoin, conn.UserName, conn.UserName+" joined")
	if err := a.Store.PutMessage(ctx, notice); err != nil {
		return events.APIGatewayProxyResponse{}, fmt.Errorf("store join notice: %w", err)
	}
	conns, err := a.Store.RoomConnections(ctx, conn.RoomID)
	if err != nil {
		return events.APIGatewayProxyResponse{}, fmt.Errorf("list room members: %w", err)
	}
	msgs, err := a.Store.RecentMessages(ctx, conn.RoomID, a.historyLimit())
	if err != nil {
		return events.APIGatewayProxyResponse{}, fmt.Errorf("read history: %w", err)
	}
	members := memberNames(conns)
	history := History{Type: "history", RoomID: conn.RoomID, RoomName: room.Name, You: conn.UserName, Members: members, Messages: []Entry{}}
	now := a.now().Unix()
	for _, m := range msgs {
		// TTL deletion runs late, so skip entries that have expired.
		if m.ExpiresAt == 0 || m.ExpiresAt > now {
			history.Messages = append(history.Messages, EntryOf(m))
		}
	}
	frame, err := EncodeHistory(history)
	if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	if err := poster.Post(ctx, conn.ID, frame); err != nil {
		return events.APIGatewayProxyResponse{}, fmt.Errorf("send history: %w", err)
	}
	entry := EntryOf(notice)
	entry.Members = members
	frame, err = EncodeFrame(entry)
	if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	a.broadcast(ctx, poster, conns, conn.ID, frame)
	return wsResponse(200, ""), nil
}

// SendMessage is the sendMessage function: it stores the message and posts
// it to every connection in the sender's room (found through the GSI), the
// sender included. It also serves the $default route: it ignores the page's
// keep-alive pings and answers any other unrouted frame with an error.
func (a *App) SendMessage(ctx context.Context, event events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
	rc := event.RequestContext
	poster := a.posterFor(rc)
	if rc.RouteKey != RouteSendMessage {
		if IsPing(event.Body) {
			// A keep-alive: its arrival resets API Gateway's idle timeout.
			return wsResponse(200, ""), nil
		}
		return a.replyError(ctx, poster, rc.ConnectionID, invalid("action",
			"Unknown action; send %s, or {\"action\":\"joinRoom\"} to get the room's history.", sendMessageShape))
	}
	text, err := ParseSendMessage(event.Body)
	if err != nil {
		return a.replyError(ctx, poster, rc.ConnectionID, err)
	}
	conn, found, err := a.Store.GetConnection(ctx, rc.ConnectionID)
	if err != nil {
		return events.APIGatewayProxyResponse{}, fmt.Errorf("read connection: %w", err)
	}
	if !found {
		return a.replyError(ctx, poster, rc.ConnectionID, invalid("roomId", "This connection has not joined a room; reconnect with ?roomId=<id>&name=<your name>."))
	}
	msg := a.newMessage(conn.RoomID, KindMessage, conn.UserName, text)
	if err := a.Store.PutMessage(ctx, msg); err != nil {
		return events.APIGatewayProxyResponse{}, fmt.Errorf("store message: %w", err)
	}
	conns, err := a.Store.RoomConnections(ctx, conn.RoomID)
	if err != nil {
		return events.APIGatewayProxyResponse{}, fmt.Errorf("list room members: %w", err)
	}
	frame, err := EncodeFrame(EntryOf(msg))
	if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	a.broadcast(ctx, poster, conns, "", frame)
	return wsResponse(200, ""), nil
}

// Disconnect is the $disconnect function: it forgets the connection, then
// deletes the room (and its messages) if nobody is left, or tells the
// others who left.
func (a *App) Disconnect(ctx context.Context, event events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
	rc := event.RequestContext
	conn, found, err := a.Store.GetConnection(ctx, rc.ConnectionID)
	if err != nil {
		return events.APIGatewayProxyResponse{}, fmt.Errorf("read connection: %w", err)
	}
	if !found {
		return wsResponse(200, ""), nil
	}
	if err := a.Store.DeleteConnection(ctx, conn.ID); err != nil {
		return events.APIGatewayProxyResponse{}, fmt.Errorf("delete connection: %w", err)
	}
	conns, err := a.Store.RoomConnections(ctx, conn.RoomID)
	if err != nil {
		return events.APIGatewayProxyResponse{}, fmt.Errorf("list room members: %w", err)
	}
	if len(conns) == 0 {
		if err := a.Store.DeleteRoom(ctx, conn.RoomID); err != nil {
			return events.APIGatewayProxyResponse{}, fmt.Errorf("delete empty room: %w", err)
		}
		a.log().Info("room closed", "roomId", conn.RoomID)
		return wsResponse(200, ""), nil
	}
	notice := a.newMessage(conn.RoomID, KindLeave, conn.UserName, conn.UserName+" left")
	if err := a.Store.PutMessage(ctx, notice); err != nil {
		return events.APIGatewayProxyResponse{}, fmt.Errorf("store leave notice: %w", err)
	}
	entry := EntryOf(notice)
	entry.Members = memberNames(conns)
	frame, err := EncodeFrame(entry)
	if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	a.broadcast(ctx, a.posterFor(rc), conns, conn.ID, frame)
	return wsResponse(200, ""), nil
}

// replyError posts an ErrorNotice to the caller and answers 400.
func (a *App) replyError(ctx context.Context, poster Poster, connectionID string, err error) (events.APIGatewayProxyResponse, error) {
	notice := ErrorNotice{Type: "error", Message: err.Error()}
	if v, ok := errors.AsType[*ValidationError](err); ok {
		notice.Field = v.Field
	}
	frame, encErr := EncodeFrame(notice)
	if encErr != nil {
		return events.APIGatewayProxyResponse{}, encErr
	}
	if postErr := poster.Post(ctx, connectionID, frame); postErr != nil && !errors.Is(postErr, ErrGone) {
		a.log().Error("post error notice", "connectionId", connectionID, "err", postErr)
	}
	return wsResponse(400, err.Error()), nil
}
