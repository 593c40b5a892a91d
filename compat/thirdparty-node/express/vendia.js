// The Express app through @vendia/serverless-express, as its README shows.
// By default it base64-encodes image/* responses (isBase64Encoded: true).
"use strict";

const serverlessExpress = require("@vendia/serverless-express");
const { app } = require("./app");

exports.handler = serverlessExpress({ app });
