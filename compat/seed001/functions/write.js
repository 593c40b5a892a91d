// write: POST /users (Lambda integration, proxy off, mapping template
// $input.json('$')): the request's JSON is the event. Callback style.
const { DynamoDB } = require("@aws-sdk/client-dynamodb");
const { DynamoDBDocument } = require("@aws-sdk/lib-dynamodb");

const docClient = DynamoDBDocument.from(new DynamoDB({}));

exports.handler = function (event, context, callback) {
  console.log(event);
  const params = {
    TableName: process.env.TABLE_NAME,
    Item: {
      id: event.id,
      name: event.name,
      email: event.email,
    },
  };
  docClient.put(params, function (err) {
    if (err) {
      callback(err, null);
    } else {
      callback(null, params.Item);
    }
  });
};
