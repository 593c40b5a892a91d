// read: GET /users (Lambda integration, proxy off). Reads the whole table:
// a Scan answers at most 1 MB per call, so follow LastEvaluatedKey with
// ExclusiveStartKey until the last page. The client names its region and
// DynamoDB's plain-HTTP regional endpoint, as the article configures it.
const { DynamoDB } = require("@aws-sdk/client-dynamodb");
const { DynamoDBDocument } = require("@aws-sdk/lib-dynamodb");

const docClient = DynamoDBDocument.from(
  new DynamoDB({
    region: "ap-northeast-2",
    endpoint: "http://dynamodb.ap-northeast-2.amazonaws.com",
  })
);

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
