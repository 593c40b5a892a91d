package chat

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// ConnectionsIndex is the GSI on connections.joined_room_id (seed 004).
const ConnectionsIndex = "joined_room_id-index"

// ErrRoomExists is returned by CreateRoom when the id is already taken.
var ErrRoomExists = errors.New("a room with this id already exists")

// DynamoAPI is the part of the DynamoDB client DynamoStore uses.
type DynamoAPI interface {
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	DeleteItem(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	Scan(context.Context, *dynamodb.ScanInput, ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
	BatchWriteItem(context.Context, *dynamodb.BatchWriteItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
}

// Tables names the three tables (from the functions' environment).
type Tables struct {
	Rooms       string
	Connections string
	Messages    string
}

// DynamoStore keeps the chat in DynamoDB.
type DynamoStore struct {
	DB     DynamoAPI
	Tables Tables
}

func (s *DynamoStore) put(ctx context.Context, table string, v any, condition string) error {
	item, err := attributevalue.MarshalMap(v)
	if err != nil {
		return err
	}
	in := &dynamodb.PutItemInput{TableName: aws.String(table), Item: item}
	if condition != "" {
		in.ConditionExpression = aws.String(condition)
	}
	_, err = s.DB.PutItem(ctx, in)
	return err
}

func (s *DynamoStore) get(ctx context.Context, table, keyName, key string, v any) (bool, error) {
	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(table),
		Key:            map[string]types.AttributeValue{keyName: &types.AttributeValueMemberS{Value: key}},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil || out.Item == nil {
		return false, err
	}
	return true, attributevalue.UnmarshalMap(out.Item, v)
}

func (s *DynamoStore) delete(ctx context.Context, table, keyName, key string) error {
	_, err := s.DB.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: aws.String(table),
		Key:       map[string]types.AttributeValue{keyName: &types.AttributeValueMemberS{Value: key}},
	})
	return err
}

// CreateRoom puts the room unless its id exists (a ConditionExpression, as
// in the seed).
func (s *DynamoStore) CreateRoom(ctx context.Context, r Room) error {
	err := s.put(ctx, s.Tables.Rooms, r, "attribute_not_exists(room_id)")
	if _, ok := errors.AsType[*types.ConditionalCheckFailedException](err); ok {
		return ErrRoomExists
	}
	return err
}

// ListRooms scans the rooms table, following LastEvaluatedKey.
func (s *DynamoStore) ListRooms(ctx context.Context) ([]Room, error) {
	rooms := []Room{}
	p := dynamodb.NewScanPaginator(s.DB, &dynamodb.ScanInput{TableName: aws.String(s.Tables.Rooms)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		var batch []Room
		if err := attributevalue.UnmarshalListOfMaps(page.Items, &batch); err != nil {
			return nil, err
		}
		rooms = append(rooms, batch...)
	}
	return rooms, nil
}

// GetRoom reads one room.
func (s *DynamoStore) GetRoom(ctx context.Context, id string) (Room, bool, error) {
	var r Room
	found, err := s.get(ctx, s.Tables.Rooms, "room_id", id, &r)
	return r, found, err
}

// DeleteRoom deletes the room, then its messages in batches of 25.
func (s *DynamoStore) DeleteRoom(ctx context.Context, id string) error {
	if err := s.delete(ctx, s.Tables.Rooms, "room_id", id); err != nil {
		return err
	}
	p := dynamodb.NewQueryPaginator(s.DB, &dynamodb.QueryInput{
		TableName:                 aws.String(s.Tables.Messages),
		KeyConditionExpression:    aws.String("room_id = :r"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":r": &types.AttributeValueMemberS{Value: id}},
		ProjectionExpression:      aws.String("room_id, message_id"),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for batch := range slices.Chunk(page.Items, 25) {
			if err := s.deleteBatch(ctx, batch); err != nil {
				return err
			}
		}
	}
	return nil
}

// deleteBatch deletes up to 25 message keys, retrying UnprocessedItems with
// a short backoff as the DynamoDB documentation asks.
func (s *DynamoStore) deleteBatch(ctx context.Context, keys []map[string]types.AttributeValue) error {
	reqs := make([]types.WriteRequest, len(keys))
	for i, k := range keys {
		reqs[i] = types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: k}}
	}
	pending := map[string][]types.WriteRequest{s.Tables.Messages: reqs}
	for attempt := 0; len(pending) > 0; attempt++ {
		if attempt == 8 {
			return fmt.Errorf("delete messages: %d requests still unprocessed", len(pending[s.Tables.Messages]))
		}
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Duration(25<<attempt) * time.Millisecond):
			}
		}
		out, err := s.DB.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: pending})
		if err != nil {
			return err
		}
		pending = out.UnprocessedItems
	}
	return nil
}

// PutConnection records a connection and the room it joined.
func (s *DynamoStore) PutConnection(ctx context.Context, c Connection) error {
	return s.put(ctx, s.Tables.Connections, c, "")
}

// GetConnection reads one connection.
func (s *DynamoStore) GetConnection(ctx context.Context, id string) (Connection, bool, error) {
	var c Connection
	found, err := s.get(ctx, s.Tables.Connections, "connection_id", id, &c)
	return c, found, err
}

// DeleteConnection forgets a connection.
func (s *DynamoStore) DeleteConnection(ctx context.Context, id string) error {
	return s.delete(ctx, s.Tables.Connections, "connection_id", id)
}

// RoomConnections queries the joined_room_id-index GSI.
func (s *DynamoStore) RoomConnections(ctx context.Context, roomID string) ([]Connection, error) {
	var conns []Connection
	p := dynamodb.NewQueryPaginator(s.DB, &dynamodb.QueryInput{
		TableName:                 aws.String(s.Tables.Connections),
		IndexName:                 aws.String(ConnectionsIndex),
		KeyConditionExpression:    aws.String("joined_room_id = :r"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":r": &types.AttributeValueMemberS{Value: roomID}},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		var batch []Connection
		if err := attributevalue.UnmarshalListOfMaps(page.Items, &batch); err != nil {
			return nil, err
		}
		conns = append(conns, batch...)
	}
	return conns, nil
}

// PutMessage stores one chat entry.
func (s *DynamoStore) PutMessage(ctx context.Context, m Message) error {
	return s.put(ctx, s.Tables.Messages, m, "")
}

// RecentMessages queries the room's messages newest first and returns them
// oldest first.
func (s *DynamoStore) RecentMessages(ctx context.Context, roomID string, limit int) ([]Message, error) {
	out, err := s.DB.Query(ctx, &dynamodb.QueryInput{
		TableName:                 aws.String(s.Tables.Messages),
		KeyConditionExpression:    aws.String("room_id = :r"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":r": &types.AttributeValueMemberS{Value: roomID}},
		ScanIndexForward:          aws.Bool(false),
		Limit:                     aws.Int32(int32(limit)),
		ConsistentRead:            aws.Bool(true),
	})
	if err != nil {
		return nil, err
	}
	var msgs []Message
	if err := attributevalue.UnmarshalListOfMaps(out.Items, &msgs); err != nil {
		return nil, err
	}
	slices.Reverse(msgs)
	return msgs, nil
}
