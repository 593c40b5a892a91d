import { APIGatewayProxyWebsocketHandlerV2 } from 'aws-lambda';
import * as AWS from 'aws-sdk';

// $default: any frame no route matches. Tells the client how to chat and
// what API Gateway knows about its connection (GetConnection).
export const handler: APIGatewayProxyWebsocketHandlerV2 = async (event) => {
  const { connectionId, domainName, stage } = event.requestContext;
  const management = new AWS.ApiGatewayManagementApi({
    apiVersion: '2018-11-29',
    endpoint: `${domainName}/${stage}`,
  });

  let connection: AWS.ApiGatewayManagementApi.GetConnectionResponse = {};
  try {
    connection = await management.getConnection({ ConnectionId: connectionId }).promise();
  } catch (err) {
    console.log('GetConnection failed', err);
  }

  const info = JSON.stringify({ ...connection, connectionId });
  await management
    .postToConnection({
      ConnectionId: connectionId,
      Data: `No route for that. Send {"action": "send-message", "message": "..."}. Your connection: ${info}`,
    })
    .promise();

  return { statusCode: 200 };
};
