// Drives a Nimbus DynamoDB endpoint with the AWS SDK for JavaScript v3
// (client-dynamodb and the DynamoDBDocumentClient of lib-dynamodb), the
// way the seed applications use it.
// Usage: node jssdk_suite.cjs ENDPOINT_URL
const { DynamoDBClient, CreateTableCommand, DescribeTableCommand, TransactWriteItemsCommand } = require('@aws-sdk/client-dynamodb');
const { DynamoDBDocumentClient, PutCommand, GetCommand, QueryCommand, ScanCommand, UpdateCommand, DeleteCommand, BatchWriteCommand } = require('@aws-sdk/lib-dynamodb');

const client = new DynamoDBClient({
  endpoint: process.argv[2], region: 'us-east-1', maxAttempts: 1,
  credentials: { accessKeyId: 'AKID', secretAccessKey: 'SECRET' },
});
const doc = DynamoDBDocumentClient.from(client);
const results = [];

async function scenario(name, fn) {
  try { await fn(); results.push([name, null]); } catch (e) { results.push([name, e && e.stack || String(e)]); }
}
function assert(cond, msg) { if (!cond) throw new Error(msg); }
async function expectError(name, message, fn) {
  try { await fn(); } catch (e) {
    assert(e.name === name, `error ${e.name} (${e.message}) != ${name}`);
    if (message !== undefined) assert(e.message === message, `message ${JSON.stringify(e.message)} != ${JSON.stringify(message)}`);
    assert(e.$metadata.httpStatusCode === 400, `status ${e.$metadata.httpStatusCode}`);
    return e;
  }
  throw new Error(`expected ${name}`);
}

(async () => {
  await scenario('create table with GSI', async () => {
    await client.send(new CreateTableCommand({
      TableName: 'connections', BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'connection_id', AttributeType: 'S' }, { AttributeName: 'joined_room_id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'connection_id', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [{ IndexName: 'joined_room_id-index', KeySchema: [{ AttributeName: 'joined_room_id', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } }],
    }));
    const d = await client.send(new DescribeTableCommand({ TableName: 'connections' }));
    assert(d.Table.TableStatus === 'ACTIVE', 'not active');
  });

  await scenario('document client put/get with native types', async () => {
    await doc.send(new PutCommand({ TableName: 'connections', Item: { connection_id: 'c1', joined_room_id: 'r1', n: 1.5, tags: new Set(['a']), nested: { l: [1, 'x', null, true] } } }));
    const got = await doc.send(new GetCommand({ TableName: 'connections', Key: { connection_id: 'c1' } }));
    assert(got.Item.n === 1.5 && got.Item.tags.has('a') && got.Item.nested.l[1] === 'x', JSON.stringify(got.Item));
  });

  await scenario('conditional put failure', async () => {
    const e = await expectError('ConditionalCheckFailedException', 'The conditional request failed', () =>
      doc.send(new PutCommand({ TableName: 'connections', Item: { connection_id: 'c1' }, ConditionExpression: 'attribute_not_exists(connection_id)', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' })));
    assert(e.Item && e.Item.connection_id, 'no Item on the exception');
  });

  await scenario('query the GSI and paginate a scan', async () => {
    const puts = [];
    for (let i = 0; i < 30; i++) puts.push({ PutRequest: { Item: { connection_id: `m${i}`, joined_room_id: 'r2' } } });
    for (let i = 0; i < puts.length; i += 25) await doc.send(new BatchWriteCommand({ RequestItems: { connections: puts.slice(i, i + 25) } }));
    const q = await doc.send(new QueryCommand({ TableName: 'connections', IndexName: 'joined_room_id-index', KeyConditionExpression: 'joined_room_id = :r', ExpressionAttributeValues: { ':r': 'r2' } }));
    assert(q.Count === 30, `query count ${q.Count}`);
    let n = 0, ExclusiveStartKey;
    do {
      const page = await doc.send(new ScanCommand({ TableName: 'connections', Limit: 7, ExclusiveStartKey }));
      n += page.Items.length;
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    assert(n === 31, `scanned ${n}`);
  });

  await scenario('update with return values and delete', async () => {
    const u = await doc.send(new UpdateCommand({ TableName: 'connections', Key: { connection_id: 'c1' }, UpdateExpression: 'SET hits = if_not_exists(hits, :z) + :one', ExpressionAttributeValues: { ':z': 0, ':one': 1 }, ReturnValues: 'ALL_NEW' }));
    assert(u.Attributes.hits === 1, JSON.stringify(u.Attributes));
    await doc.send(new DeleteCommand({ TableName: 'connections', Key: { connection_id: 'c1' } }));
    const got = await doc.send(new GetCommand({ TableName: 'connections', Key: { connection_id: 'c1' } }));
    assert(got.Item === undefined, 'still there');
  });

  await scenario('transaction cancellation reasons', async () => {
    const e = await expectError('TransactionCanceledException', 'Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]', () =>
      client.send(new TransactWriteItemsCommand({ TransactItems: [
        { Put: { TableName: 'connections', Item: { connection_id: { S: 't1' } } } },
        { ConditionCheck: { TableName: 'connections', Key: { connection_id: { S: 'm1' } }, ConditionExpression: 'attribute_not_exists(connection_id)' } },
      ] })));
    assert(e.CancellationReasons.map(r => r.Code).join() === 'None,ConditionalCheckFailed', JSON.stringify(e.CancellationReasons));
  });

  await scenario('validation and missing table errors', async () => {
    await expectError('ResourceNotFoundException', 'Requested resource not found', () => doc.send(new GetCommand({ TableName: 'nope', Key: { connection_id: 'x' } })));
    await expectError('ValidationException', 'One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: connection_id',
      () => doc.send(new PutCommand({ TableName: 'connections', Item: { connection_id: '' } })));
  });

  let failed = 0;
  for (const [name, err] of results) {
    console.log((err ? 'FAIL ' : 'PASS ') + name + (err ? ': ' + err : ''));
    if (err) failed++;
  }
  console.log(`${results.length - failed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
})();
