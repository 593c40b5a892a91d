package lambda

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/nimbus-dev/nimbus/internal/app"
	nimbusddb "github.com/nimbus-dev/nimbus/internal/dynamodb"
	"github.com/nimbus-dev/nimbus/internal/storage"
)

// TestHandlersUseDynamoDBThroughTheirSDKs runs unbundled Node handlers
// (CommonJS and ES module, importing @aws-sdk/* that Nimbus installs into
// its shared cache) and a boto3 handler against Nimbus's DynamoDB, reached
// through AWS_ENDPOINT_URL as the function environment sets it.
func TestHandlersUseDynamoDBThroughTheirSDKs(t *testing.T) {
	requireTool(t, "node", nodeInstall)
	requireTool(t, "npm", nodeInstall)
	requireTool(t, "python3", "install Python 3 with boto3 (apt-get install python3 python3-boto3)")
	store, err := storage.Open("", storage.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	ddb, err := nimbusddb.New(store, nimbusddb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(ddb)
	t.Cleanup(func() { srv.Close(); _ = ddb.Close(); _ = store.Close() })

	client := dynamodb.New(dynamodb.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: credentials.NewStaticCredentialsProvider("a", "b", "")})
	_, err = client.CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName:            aws.String("rooms"),
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: ddbtypes.KeyTypeHash}},
		BillingMode:          ddbtypes.BillingModePayPerRequest,
	})
	if err != nil {
		t.Fatal(err)
	}

	dir := writeFiles(t, map[string]string{
		"cjs.js": `
const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');
const { DynamoDBDocumentClient, PutCommand, GetCommand } = require('@aws-sdk/lib-dynamodb');
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
exports.handler = async (event) => {
  await doc.send(new PutCommand({ TableName: process.env.TABLE, Item: { id: event.id, via: 'cjs' } }));
  const r = await doc.send(new GetCommand({ TableName: process.env.TABLE, Key: { id: event.id } }));
  return r.Item;
};
`,
		"esm.mjs": `
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { PutCommand, DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
export const handler = async (event) => {
  const docClient = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  await docClient.send(new PutCommand({ TableName: "rooms", Item: { id: event.id, via: "esm" }, ConditionExpression: "attribute_not_exists(id)" }));
  const r = await docClient.send(new GetCommand({ TableName: "rooms", Key: { id: event.id } }));
  return r.Item;
};
`,
		"app.py": `
import os
import boto3

table = boto3.resource("dynamodb").Table(os.environ["TABLE"])

def handler(event, context):
    table.put_item(Item={"id": event["id"], "via": "python"})
    return table.get_item(Key={"id": event["id"]})["Item"]
`,
	})
	h := newHarness(t, Options{Environment: map[string]string{"AWS_ENDPOINT_URL": srv.URL}})
	env := map[string]string{"TABLE": "rooms"}
	fns := []*app.Function{
		{Name: "cjs", Runtime: "nodejs20.x", Handler: "cjs.handler", CodeDir: dir, Timeout: 10 * time.Second, Environment: env},
		{Name: "esm", Runtime: "nodejs20.x", Handler: "esm.handler", CodeDir: dir, Timeout: 10 * time.Second, Environment: env},
		{Name: "py", Runtime: "python3.11", Handler: "app.handler", CodeDir: dir, Timeout: 10 * time.Second, Environment: env},
	}
	if err := h.svc.Apply(context.Background(), fns, nil); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"cjs", "esm", "py"} {
		out := invokeJSON(t, h, name, `{"id":"room-`+name+`"}`)
		var item map[string]string
		if err := json.Unmarshal(out.Payload, &item); err != nil || item["via"] != name && !(name == "py" && item["via"] == "python") {
			t.Errorf("%s: %s", name, out.Payload)
		}
		got, err := client.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String("rooms"), Key: map[string]ddbtypes.AttributeValue{"id": &ddbtypes.AttributeValueMemberS{Value: "room-" + name}}})
		if err != nil || got.Item == nil {
			t.Errorf("%s: item not stored: %v", name, err)
		}
	}
}
