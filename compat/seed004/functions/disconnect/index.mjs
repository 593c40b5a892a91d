// disconnect: the WebSocket API's $disconnect route. Forgets the
// connection and deletes its room once nobody is left in it.
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
} from "@aws-sdk/lib-dynamodb";

const docClient = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export const handler = async (event) => {
  const connectionId = event.requestContext.connectionId;

  const connection = await docClient.send(
    new GetCommand({ TableName: "connections", Key: { connection_id: connectionId } })
  );
  if (!connection.Item) {
    return { statusCode: 200 };
  }
  const roomId = connection.Item.joined_room_id;

  await docClient.send(
    new DeleteCommand({ TableName: "connections", Key: { connection_id: connectionId } })
  );

  const remaining = await docClient.send(
    new QueryCommand({
      TableName: "connections",
      IndexName: "joined_room_id-index",
      KeyConditionExpression: "joined_room_id = :roomId",
      ExpressionAttributeValues: { ":roomId": roomId },
    })
  );
  if (remaining.Items.length === 0) {
    await docClient.send(new DeleteCommand({ TableName: "rooms", Key: { room_id: roomId } }));
  }

  return { statusCode: 200 };
};
