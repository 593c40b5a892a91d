// Lambda handlers wrapping the Express app with serverless-http, as its
// README shows. `binary` lists the response types serverless-http sends
// base64-encoded (isBase64Encoded: true).
"use strict";

const serverless = require("serverless-http");
const { app } = require("./app");

module.exports.handler = serverless(app, { binary: ["image/*"] });
