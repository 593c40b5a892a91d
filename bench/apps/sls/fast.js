// Handlers without dependencies for the Nimbus benchmark (bench/), run
// unchanged by Nimbus, serverless-offline and lambda-local, so cold starts
// compare the same module load.
"use strict";

// echo answers the Invoke API with the event it was given.
exports.echo = async (event) => event;

// http answers an HTTP API (payload 2.0) request with a small JSON body.
exports.http = async () => ({
  statusCode: 200,
  headers: { "content-type": "application/json" },
  body: '{"ok":true}',
});

// connect accepts every WebSocket connection ($connect).
exports.connect = async () => ({ statusCode: 200 });
