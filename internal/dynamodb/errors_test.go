package dynamodb_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	ddb "github.com/nimbus-dev/nimbus/internal/dynamodb"
)

// TestMissingTableEverywhere checks every operation that names a table
// reports a missing one as AWS does.
func TestMissingTableEverywhere(t *testing.T) {
	c := startServer(t, ddb.Options{}).client()
	missing := aws.String("nothere")
	k := map[string]types.AttributeValue{"pk": s("x")}
	calls := map[string]struct {
		call func() error
		msg  string
	}{
		"DeleteTable": {func() error { _, err := c.DeleteTable(bg, &dynamodb.DeleteTableInput{TableName: missing}); return err },
			"Requested resource not found: Table: nothere not found"},
		"UpdateTable": {func() error {
			_, err := c.UpdateTable(bg, &dynamodb.UpdateTableInput{TableName: missing, BillingMode: types.BillingModePayPerRequest})
			return err
		}, "Requested resource not found: Table: nothere not found"},
		"PutItem": {func() error { _, err := c.PutItem(bg, &dynamodb.PutItemInput{TableName: missing, Item: k}); return err }, "Requested resource not found"},
		"DeleteItem": {func() error {
			_, err := c.DeleteItem(bg, &dynamodb.DeleteItemInput{TableName: missing, Key: k})
			return err
		}, "Requested resource not found"},
		"UpdateItem": {func() error {
			_, err := c.UpdateItem(bg, &dynamodb.UpdateItemInput{TableName: missing, Key: k})
			return err
		}, "Requested resource not found"},
		"Scan": {func() error { _, err := c.Scan(bg, &dynamodb.ScanInput{TableName: missing}); return err }, "Requested resource not found"},
		"Query": {func() error {
			_, err := c.Query(bg, &dynamodb.QueryInput{TableName: missing, KeyConditionExpression: aws.String("pk = :v"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":v": s("x")}})
			return err
		}, "Requested resource not found"},
		"BatchWriteItem": {func() error {
			_, err := c.BatchWriteItem(bg, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{"nothere": {{PutRequest: &types.PutRequest{Item: k}}}}})
			return err
		}, "Requested resource not found"},
		"BatchGetItem": {func() error {
			_, err := c.BatchGetItem(bg, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{"nothere": {Keys: []map[string]types.AttributeValue{k}}}})
			return err
		}, "Requested resource not found"},
		"TransactGetItems": {func() error {
			_, err := c.TransactGetItems(bg, &dynamodb.TransactGetItemsInput{TransactItems: []types.TransactGetItem{{Get: &types.Get{TableName: missing, Key: k}}}})
			return err
		}, "Requested resource not found"},
		"TransactWriteItems": {func() error {
			_, err := c.TransactWriteItems(bg, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{{Put: &types.Put{TableName: missing, Item: k}}}})
			return err
		}, "Requested resource not found"},
		"DescribeTimeToLive": {func() error {
			_, err := c.DescribeTimeToLive(bg, &dynamodb.DescribeTimeToLiveInput{TableName: missing})
			return err
		}, "Requested resource not found"},
		"ListTagsOfResource": {func() error {
			_, err := c.ListTagsOfResource(bg, &dynamodb.ListTagsOfResourceInput{ResourceArn: aws.String("arn:aws:dynamodb:us-east-1:000000000000:table/nothere")})
			return err
		}, "Requested resource not found: ResourcArn: arn:aws:dynamodb:us-east-1:000000000000:table/nothere not found"},
	}
	for name, cs := range calls {
		t.Run(name, func(t *testing.T) { apiErr(t, cs.call(), "ResourceNotFoundException", cs.msg) })
	}
}

func TestLegacyConditionsAndFilters(t *testing.T) {
	c := startServer(t, ddb.Options{}).client()
	createTable(t, c, "legacy")
	tn := aws.String("legacy")
	seed(t, c, "legacy", 6)
	// Expected with ConditionalOperator OR: one of two holds.
	must[*dynamodb.PutItemOutput](t)(c.PutItem(bg, &dynamodb.PutItemInput{TableName: tn, Item: key("p", "000"),
		Expected: map[string]types.ExpectedAttributeValue{
			"v":    {ComparisonOperator: types.ComparisonOperatorEq, AttributeValueList: []types.AttributeValue{n("99")}},
			"nope": {Exists: aws.Bool(false)},
		}, ConditionalOperator: types.ConditionalOperatorOr}))
	_, err := c.DeleteItem(bg, &dynamodb.DeleteItemInput{TableName: tn, Key: key("p", "001"),
		Expected: map[string]types.ExpectedAttributeValue{"v": {Value: n("7")}}})
	apiErr(t, err, "ConditionalCheckFailedException", "The conditional request failed")
	_, err = c.DeleteItem(bg, &dynamodb.DeleteItemInput{TableName: tn, Key: key("p", "001"), ConditionExpression: aws.String("attribute_exists(pk)"),
		Expected: map[string]types.ExpectedAttributeValue{"v": {Value: n("7")}}})
	apiErr(t, err, "ValidationException", "1 validation error detected: Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}")
	out := must[*dynamodb.ScanOutput](t)(c.Scan(bg, &dynamodb.ScanInput{TableName: tn,
		ScanFilter: map[string]types.Condition{
			"v": {ComparisonOperator: types.ComparisonOperatorBetween, AttributeValueList: []types.AttributeValue{n("2"), n("4")}},
			"g": {ComparisonOperator: types.ComparisonOperatorIn, AttributeValueList: []types.AttributeValue{s("g0")}},
		}, AttributesToGet: []string{"v"}}))
	if out.Count != 2 || len(out.Items[0]) != 1 {
		t.Errorf("ScanFilter: count %d items %v", out.Count, out.Items)
	}
	_, err = c.Scan(bg, &dynamodb.ScanInput{TableName: tn, ScanFilter: map[string]types.Condition{
		"v": {ComparisonOperator: types.ComparisonOperatorEq}}})
	apiErr(t, err, "ValidationException", "One or more parameter values were invalid: Invalid number of argument(s) for the EQ ComparisonOperator")
	// Disabling TTL that is not enabled.
	_, err = c.UpdateTimeToLive(bg, &dynamodb.UpdateTimeToLiveInput{TableName: tn,
		TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String("exp"), Enabled: aws.Bool(false)}})
	apiErr(t, err, "ValidationException", "TimeToLive is already disabled")
}
