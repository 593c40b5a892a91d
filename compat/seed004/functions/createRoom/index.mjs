// createRoom: POST / on the REST API (Lambda non-proxy integration).
// With "Lambda proxy integration" off and no mapping template, API Gateway
// passes the request's JSON body through as the event, so the room name is
// event.roomName. The returned object is sent to the page as the response
// body, which reads JSON.parse(res.body).roomId.
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { randomUUID } from "crypto";

const corsHeaders = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Methods": "OPTIONS,POST,GET",
  "Access-Control-Allow-Headers": "Content-Type",
};

export const handler = async (event) => {
  const client = new DynamoDBClient({});
  const docClient = DynamoDBDocumentClient.from(client);

  const roomName = typeof event?.roomName === "string" ? event.roomName.trim() : "";
  if (roomName === "") {
    return {
      statusCode: 400,
      headers: corsHeaders,
      body: JSON.stringify({ message: "roomName is required" }),
    };
  }

  const roomId = randomUUID();
  try {
    await docClient.send(
      new PutCommand({
        TableName: "rooms",
        Item: { room_id: roomId, name: roomName },
        // Never overwrite a room that already has this id.
        ConditionExpression: "attribute_not_exists(room_id)",
      })
    );
    return {
      statusCode: 200,
      headers: corsHeaders,
      body: JSON.stringify({ message: "Room created successfully", roomId }),
    };
  } catch (error) {
    return {
      statusCode: 500,
      headers: corsHeaders,
      body: JSON.stringify({ message: "Failed to create room", error: error.message }),
    };
  }
};
