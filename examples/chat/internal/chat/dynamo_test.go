package chat

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/nimbus-dev/nimbus/internal/app"
	"github.com/nimbus-dev/nimbus/internal/nimbus"
	"github.com/nimbus-dev/nimbus/internal/template"
)

// dynamoStore starts Nimbus with no template (the DynamoDB API alone),
// creates the tables exactly as ../../template.yaml declares them, and
// returns a DynamoStore over them.
func dynamoStore(t *testing.T) *DynamoStore {
	t.Helper()
	ctx := context.Background()
	model, err := template.Load("../../template.yaml", template.Options{StackName: "chat", WorkDir: t.TempDir()})
	if err != nil {
		t.Fatalf("load the example's template: %v", err)
	}
	srv, err := nimbus.New(ctx, nimbus.Config{Port: 0, InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	db := dynamodb.NewFromConfig(aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
	}, func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(srv.URL()) })

	names := map[string]string{}
	for _, tbl := range model.Tables {
		if _, err := db.CreateTable(ctx, createTableInput(tbl)); err != nil {
			t.Fatalf("create %s: %v", tbl.LogicalID, err)
		}
		names[tbl.LogicalID] = tbl.TableName
	}
	tables := Tables{Rooms: names["RoomsTable"], Connections: names["ConnectionsTable"], Messages: names["MessagesTable"]}
	if tables.Rooms == "" || tables.Connections == "" || tables.Messages == "" {
		t.Fatalf("the template's tables are %v", names)
	}
	return &DynamoStore{DB: db, Tables: tables}
}

func keySchema(ks []app.KeySchemaElement) []types.KeySchemaElement {
	var out []types.KeySchemaElement
	for _, k := range ks {
		out = append(out, types.KeySchemaElement{AttributeName: aws.String(k.AttributeName), KeyType: types.KeyType(k.KeyType)})
	}
	return out
}

func createTableInput(tbl *app.Table) *dynamodb.CreateTableInput {
	in := &dynamodb.CreateTableInput{
		TableName:   aws.String(tbl.TableName),
		KeySchema:   keySchema(tbl.KeySchema),
		BillingMode: types.BillingModePayPerRequest,
	}
	for _, a := range tbl.AttributeDefinitions {
		in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{
			AttributeName: aws.String(a.AttributeName), AttributeType: types.ScalarAttributeType(a.AttributeType),
		})
	}
	for _, g := range tbl.GlobalSecondaryIndexes {
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, types.GlobalSecondaryIndex{
			IndexName:  aws.String(g.IndexName),
			KeySchema:  keySchema(g.KeySchema),
			Projection: &types.Projection{ProjectionType: types.ProjectionType(g.Projection.ProjectionType)},
		})
	}
	return in
}

// TestDynamoStore runs the store against Nimbus's DynamoDB with the
// template's own table definitions: the condition on createRoom, the GSI
// query, history order and limit, and deleting a room with more messages
// than one BatchWriteItem takes.
func TestDynamoStore(t *testing.T) {
	ctx := context.Background()
	s := dynamoStore(t)

	room := Room{ID: newUUID(), Name: "Lobby", CreatedAt: "2024-12-18T21:00:00.000Z"}
	other := Room{ID: newUUID(), Name: "Other", CreatedAt: "2024-12-18T21:00:01.000Z"}
	for _, r := range []Room{room, other} {
		if err := s.CreateRoom(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CreateRoom(ctx, Room{ID: room.ID, Name: "Impostor"}); !errors.Is(err, ErrRoomExists) {
		t.Errorf("CreateRoom with a taken id = %v, want ErrRoomExists", err)
	}
	if got, ok, err := s.GetRoom(ctx, room.ID); err != nil || !ok || got != room {
		t.Errorf("GetRoom = %+v, %v, %v", got, ok, err)
	}
	if _, ok, err := s.GetRoom(ctx, newUUID()); err != nil || ok {
		t.Errorf("GetRoom(unknown) = %v, %v", ok, err)
	}
	rooms, err := s.ListRooms(ctx)
	if err != nil || len(rooms) != 2 {
		t.Fatalf("ListRooms = %v, %v", rooms, err)
	}

	for i, c := range []Connection{
		{ID: "c1", RoomID: room.ID, UserName: "Alice"},
		{ID: "c2", RoomID: room.ID, UserName: "Bob"},
		{ID: "c3", RoomID: other.ID, UserName: "Carol"},
	} {
		c.ConnectedAt = fmt.Sprintf("2024-12-18T21:00:0%d.000Z", i)
		if err := s.PutConnection(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	conns, err := s.RoomConnections(ctx, room.ID)
	if err != nil {
		t.Fatal(err)
	}
	if names := memberNames(conns); !slices.Equal(names, []string{"Alice", "Bob"}) {
		t.Errorf("RoomConnections(lobby) = %v", names)
	}
	if c, ok, err := s.GetConnection(ctx, "c3"); err != nil || !ok || c.UserName != "Carol" || c.RoomID != other.ID {
		t.Errorf("GetConnection = %+v, %v, %v", c, ok, err)
	}
	if err := s.DeleteConnection(ctx, "c2"); err != nil {
		t.Fatal(err)
	}
	if conns, _ := s.RoomConnections(ctx, room.ID); len(conns) != 1 || conns[0].ID != "c1" {
		t.Errorf("after deleting c2: %+v", conns)
	}

	clock := time.Date(2024, 12, 18, 21, 0, 0, 0, time.UTC)
	a := &App{Now: func() time.Time { clock = clock.Add(time.Millisecond); return clock }}
	for i := range 60 {
		if err := s.PutMessage(ctx, a.newMessage(room.ID, KindMessage, "Alice", fmt.Sprintf("m%02d", i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.PutMessage(ctx, a.newMessage(other.ID, KindMessage, "Carol", "elsewhere")); err != nil {
		t.Fatal(err)
	}
	recent, err := s.RecentMessages(ctx, room.ID, 5)
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, m := range recent {
		texts = append(texts, m.Text)
	}
	if !slices.Equal(texts, []string{"m55", "m56", "m57", "m58", "m59"}) {
		t.Errorf("RecentMessages = %v, want the 5 latest, oldest first", texts)
	}

	if err := s.DeleteRoom(ctx, room.ID); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.GetRoom(ctx, room.ID); ok {
		t.Errorf("the room survived DeleteRoom")
	}
	if left, err := s.RecentMessages(ctx, room.ID, 100); err != nil || len(left) != 0 {
		t.Errorf("%d messages survived DeleteRoom (%v)", len(left), err)
	}
	if kept, _ := s.RecentMessages(ctx, other.ID, 100); len(kept) != 1 {
		t.Errorf("DeleteRoom removed another room's messages: %d left", len(kept))
	}
}
