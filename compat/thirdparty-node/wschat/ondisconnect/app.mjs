// $disconnect: forget the connection.
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({ region: process.env.AWS_REGION }));

export const handler = async (event) => {
  try {
    await ddb.send(
      new DeleteCommand({
        TableName: process.env.TABLE_NAME,
        Key: { connectionId: event.requestContext.connectionId },
      })
    );
  } catch (err) {
    return { statusCode: 500, body: "Failed to disconnect: " + JSON.stringify(err) };
  }
  return { statusCode: 200, body: "Disconnected." };
};
