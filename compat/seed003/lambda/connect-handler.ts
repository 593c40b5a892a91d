import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { APIGatewayProxyWebsocketHandlerV2 } from 'aws-lambda';

const docClient = DynamoDBDocumentClient.from(new DynamoDBClient());

// $connect: remember the connection so that send-message can reach it.
export const handler: APIGatewayProxyWebsocketHandlerV2 = async (event) => {
  await docClient.send(
    new PutCommand({
      TableName: process.env.TABLE_NAME as string,
      Item: { connectionId: event.requestContext.connectionId },
    }),
  );
  return { statusCode: 200 };
};
