// connect: the WebSocket API's $connect route. The page opens
// wss://.../production?roomId=...; the connection is recorded with the
// room it joined. A non-2xx answer refuses the connection.
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";

export const handler = async (event) => {
  const client = new DynamoDBClient({});
  const docClient = DynamoDBDocumentClient.from(client);

  const roomId = event.queryStringParameters?.roomId;
  const connectionId = event.requestContext.connectionId;
  if (!roomId) {
    return { statusCode: 400, body: "roomId is required" };
  }

  await docClient.send(
    new PutCommand({
      TableName: "connections",
      Item: { connection_id: connectionId, joined_room_id: roomId },
    })
  );
  return { statusCode: 200 };
};
