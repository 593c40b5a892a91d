import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import { APIGatewayProxyWebsocketHandlerV2 } from 'aws-lambda';
import * as AWS from 'aws-sdk';

const docClient = DynamoDBDocumentClient.from(new DynamoDBClient());
const tableName = process.env.TABLE_NAME as string;

// send-message: broadcast the frame's "message" to every other connection.
export const handler: APIGatewayProxyWebsocketHandlerV2 = async (event) => {
  const { connectionId: sender, domainName, stage } = event.requestContext;
  const { message } = JSON.parse(event.body ?? '{}') as { message?: string };
  if (typeof message !== 'string') {
    return { statusCode: 400, body: 'message is required' };
  }

  const recipients: string[] = [];
  for await (const page of paginateScan({ client: docClient }, { TableName: tableName })) {
    for (const item of page.Items ?? []) {
      if (item.connectionId !== sender) recipients.push(item.connectionId as string);
    }
  }

  const management = new AWS.ApiGatewayManagementApi({
    apiVersion: '2018-11-29',
    endpoint: `${domainName}/${stage}`,
  });
  await Promise.all(
    recipients.map(async (connectionId) => {
      try {
        await management.postToConnection({ ConnectionId: connectionId, Data: message }).promise();
      } catch (err) {
        // Gone without a $disconnect: drop it from the table.
        if ((err as AWS.AWSError).statusCode !== 410) throw err;
        await docClient.send(new DeleteCommand({ TableName: tableName, Key: { connectionId } }));
      }
    }),
  );
  return { statusCode: 200 };
};
