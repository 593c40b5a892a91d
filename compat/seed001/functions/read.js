// read: GET /users (Lambda integration, proxy off). Reads the whole table:
// a Scan answers at most 1 MB per call, so follow LastEvaluatedKey with
// ExclusiveStartKey until the last page.
const { DynamoDB } = require("@aws-sdk/client-dynamodb");
const { DynamoDBDocument } = require("@aws-sdk/lib-dynamodb");

const docClient = DynamoDBDocument.from(new DynamoDB({}));

async function dbRead(params) {
  const result = await docClient.scan(params);
  let data = result.Items;
  if (result.LastEvaluatedKey) {
    params.ExclusiveStartKey = result.LastEvaluatedKey;
    data = data.concat(await dbRead(params));
  }
  return data;
}

exports.handler = async function (event, context) {
  console.log(event);
  const params = { TableName: process.env.TABLE_NAME };
  const data = await dbRead(params);
  return { body: data };
};
