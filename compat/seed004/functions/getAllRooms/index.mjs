// getAllRooms: GET / on the REST API (Lambda non-proxy integration). The
// page reads the room list as JSON.parse(res.body).rooms.
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";

export const handler = async () => {
  const client = new DynamoDBClient({});
  const docClient = DynamoDBDocumentClient.from(client);
  try {
    const result = await docClient.send(new ScanCommand({ TableName: "rooms" }));
    return {
      statusCode: 200,
      body: JSON.stringify({ rooms: result.Items }),
    };
  } catch (error) {
    return {
      statusCode: 500,
      body: JSON.stringify({ message: "Failed to fetch rooms", error: error.message }),
    };
  }
};
