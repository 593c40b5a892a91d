// WebSocket route handlers for the Nimbus benchmark (bench/), run unchanged
// by Nimbus and serverless-offline from serverless.yml.
"use strict";

const {
  ApiGatewayManagementApiClient,
  PostToConnectionCommand,
} = require("@aws-sdk/client-apigatewaymanagementapi");

// management clients are kept across warm invocations, one per endpoint.
const clients = new Map();

// management returns the @connections client for the event's API: the
// endpoint code written for AWS builds (https://{domainName}/{stage}) unless
// WS_MGMT_ENDPOINT names one (serverless-offline serves it on its WebSocket
// port without a stage).
function management(event) {
  const { domainName, stage } = event.requestContext;
  const endpoint = process.env.WS_MGMT_ENDPOINT || `https://${domainName}/${stage}`;
  let client = clients.get(endpoint);
  if (!client) {
    client = new ApiGatewayManagementApiClient({ endpoint });
    clients.set(endpoint, client);
  }
  return client;
}

function post(event, connectionId, data) {
  return management(event).send(
    new PostToConnectionCommand({ ConnectionId: connectionId, Data: data }),
  );
}

// echo route: sends the message back to its sender through the management API.
exports.wsEcho = async (event) => {
  await post(event, event.requestContext.connectionId, event.body);
  return { statusCode: 200 };
};

// whoami route: tells the sender its connection id.
exports.whoami = async (event) => {
  const id = event.requestContext.connectionId;
  await post(event, id, JSON.stringify({ connectionId: id }));
  return { statusCode: 200 };
};

// broadcast route: posts body.message to every connection in body.ids.
exports.broadcast = async (event) => {
  const { ids, message } = JSON.parse(event.body);
  const data = JSON.stringify(message);
  const results = await Promise.allSettled(ids.map((id) => post(event, id, data)));
  const failed = results.filter((r) => r.status === "rejected").length;
  if (failed > 0) {
    console.log(`broadcast: ${failed} of ${ids.length} posts failed`);
  }
  return { statusCode: 200 };
};
