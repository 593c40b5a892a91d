import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { APIGatewayProxyWebsocketHandlerV2 } from 'aws-lambda';

const docClient = DynamoDBDocumentClient.from(new DynamoDBClient());

// $disconnect: forget the connection.
export const handler: APIGatewayProxyWebsocketHandlerV2 = async (event) => {
  await docClient.send(
    new DeleteCommand({
      TableName: process.env.TABLE_NAME as string,
      Key: { connectionId: event.requestContext.connectionId },
    }),
  );
  return { statusCode: 200 };
};
