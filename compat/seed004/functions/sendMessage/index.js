// sendMessage: the WebSocket route "sendMessage". Finds the sender's room,
// queries the GSI joined_room_id-index for everyone in it and posts the
// message to each through the management API at
// https://{domainName}/{stage}, as code written for the cloud does.
// (An ES module through package.json "type": "module".)
import {
  ApiGatewayManagementApiClient,
  PostToConnectionCommand,
} from "@aws-sdk/client-apigatewaymanagementapi";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
} from "@aws-sdk/lib-dynamodb";

const docClient = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export const handler = async (event) => {
  const { connectionId, domainName, stage } = event.requestContext;

  const sender = await docClient.send(
    new GetCommand({ TableName: "connections", Key: { connection_id: connectionId } })
  );
  if (!sender.Item) {
    return { statusCode: 410, body: "unknown connection" };
  }
  const roomId = sender.Item.joined_room_id;

  const members = await docClient.send(
    new QueryCommand({
      TableName: "connections",
      IndexName: "joined_room_id-index",
      KeyConditionExpression: "joined_room_id = :roomId",
      ExpressionAttributeValues: { ":roomId": roomId },
    })
  );

  const body = JSON.parse(event.body);
  const message = { type: "message", message: body.data.message };

  const apigClient = new ApiGatewayManagementApiClient({
    endpoint: "https://" + domainName + "/" + stage,
  });

  await Promise.all(
    members.Items.map(async ({ connection_id }) => {
      try {
        await apigClient.send(
          new PostToConnectionCommand({
            ConnectionId: connection_id,
            Data: JSON.stringify({ message }),
          })
        );
      } catch (error) {
        // A member that left without $disconnect: forget it.
        if (error.name !== "GoneException") throw error;
        await docClient.send(
          new DeleteCommand({ TableName: "connections", Key: { connection_id } })
        );
      }
    })
  );

  return { statusCode: 200 };
};
