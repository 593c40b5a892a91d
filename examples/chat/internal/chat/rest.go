package chat

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
)

// Response is what the REST functions return: {statusCode, headers, body}
// with a JSON string body, the proxy-response shape seed 004's functions
// return. The REST API uses non-proxy integrations, so API Gateway hands
// this object to the page as the response body and the page reads
// JSON.parse(res.body), as the seed's page does.
type Response struct {
	StatusCode int               `json:"statusCode"`
	Headers    map[string]string `json:"headers"`
	Body       string            `json:"body"`
}

// corsHeaders are the seed's CORS headers, returned inside the payload. The
// real response headers come from the template's integration responses.
func corsHeaders() map[string]string {
	return map[string]string{
		"Access-Control-Allow-Origin":  "*",
		"Access-Control-Allow-Methods": "OPTIONS,POST,GET",
		"Access-Control-Allow-Headers": "Content-Type",
	}
}

func respond(status int, v any) (Response, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return Response{}, err
	}
	return Response{StatusCode: status, Headers: corsHeaders(), Body: string(b)}, nil
}

// errorBody is the body of every REST error.
type errorBody struct {
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

func badRequest(err error) (Response, error) {
	if v, ok := errors.AsType[*ValidationError](err); ok {
		return respond(400, errorBody{Message: v.Message, Field: v.Field})
	}
	return respond(400, errorBody{Message: err.Error()})
}

// CreateRoomRequest is createRoom's event: the POST body, passed through by
// the mapping template $input.json('$').
type CreateRoomRequest struct {
	RoomName *string `json:"roomName"`
}

// CreatedRoom is createRoom's success body.
type CreatedRoom struct {
	Message string `json:"message"`
	RoomID  string `json:"roomId"`
	Room    Room   `json:"room"`
}

// CreateRoom is the createRoom function (REST POST /rooms).
func (a *App) CreateRoom(ctx context.Context, event json.RawMessage) (Response, error) {
	var req CreateRoomRequest
	dec := json.NewDecoder(bytes.NewReader(event))
	if err := dec.Decode(&req); err != nil {
		return badRequest(invalid("roomName", `The request body must be JSON like {"roomName":"Lobby"}.`))
	}
	if req.RoomName == nil {
		return badRequest(invalid("roomName", `Room name is required: send {"roomName":"Lobby"}.`))
	}
	name, err := CleanRoomName(*req.RoomName)
	if err != nil {
		return badRequest(err)
	}
	room := Room{Name: name, CreatedAt: timestamp(a.now())}
	// A fresh random id collides practically never; the condition on the
	// put makes sure a collision cannot overwrite a room.
	for attempt := 0; ; attempt++ {
		room.ID = a.newRoomID()
		err = a.Store.CreateRoom(ctx, room)
		if !errors.Is(err, ErrRoomExists) || attempt == 2 {
			break
		}
	}
	if err != nil {
		a.log().Error("create room", "err", err)
		return respond(500, errorBody{Message: "Failed to create room; please try again."})
	}
	a.log().Info("room created", "roomId", room.ID, "name", room.Name)
	return respond(200, CreatedRoom{Message: "Room created successfully", RoomID: room.ID, Room: room})
}

// RoomList is getAllRooms' success body.
type RoomList struct {
	Rooms []Room `json:"rooms"`
}

// GetAllRooms is the getAllRooms function (REST GET /rooms): a Scan of the
// rooms table, newest first.
func (a *App) GetAllRooms(ctx context.Context, _ json.RawMessage) (Response, error) {
	rooms, err := a.Store.ListRooms(ctx)
	if err != nil {
		a.log().Error("list rooms", "err", err)
		return respond(500, errorBody{Message: "Failed to fetch rooms; please try again."})
	}
	slices.SortFunc(rooms, func(x, y Room) int {
		if c := strings.Compare(y.CreatedAt, x.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(x.Name, y.Name)
	})
	return respond(200, RoomList{Rooms: rooms})
}
