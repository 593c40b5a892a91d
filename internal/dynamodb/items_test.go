package dynamodb_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	ddb "github.com/nimbus-dev/nimbus/internal/dynamodb"
)

func TestPutGetDeleteItem(t *testing.T) {
	c := startServer(t, ddb.Options{}).client()
	createTable(t, c, "items")
	item := map[string]types.AttributeValue{
		"pk": s("a"), "sk": s("1"), "g": s("x"), "num": n("1.50"), "things": &types.AttributeValueMemberL{Value: []types.AttributeValue{s("e")}},
		"m":   &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"k": &types.AttributeValueMemberBOOL{Value: true}}},
		"ss":  &types.AttributeValueMemberSS{Value: []string{"b", "a"}},
		"bin": &types.AttributeValueMemberB{Value: []byte{0, 1, 2}},
		"nul": &types.AttributeValueMemberNULL{Value: true},
		"e":   s(""),
	}
	out := must[*dynamodb.PutItemOutput](t)(c.PutItem(bg, &dynamodb.PutItemInput{TableName: aws.String("items"), Item: item,
		ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal}))
	if out.ConsumedCapacity == nil || *out.ConsumedCapacity.CapacityUnits < 1 {
		t.Errorf("ConsumedCapacity = %+v", out.ConsumedCapacity)
	}
	got := must[*dynamodb.GetItemOutput](t)(c.GetItem(bg, &dynamodb.GetItemInput{TableName: aws.String("items"),
		Key: map[string]types.AttributeValue{"pk": s("a"), "sk": s("1")}, ConsistentRead: aws.Bool(true)}))
	if v := got.Item["num"].(*types.AttributeValueMemberN).Value; v != "1.5" {
		t.Errorf("num = %s, want 1.5", v)
	}
	if len(got.Item) != len(item) {
		t.Errorf("item has %d attributes, want %d", len(got.Item), len(item))
	}
	// Projection with names.
	got = must[*dynamodb.GetItemOutput](t)(c.GetItem(bg, &dynamodb.GetItemInput{TableName: aws.String("items"),
		Key: map[string]types.AttributeValue{"pk": s("a"), "sk": s("1")}, ProjectionExpression: aws.String("#m.k, things[0]"),
		ExpressionAttributeNames: map[string]string{"#m": "m"}}))
	if len(got.Item) != 2 {
		t.Errorf("projected item = %v", got.Item)
	}
	// Conditional put fails; ALL_OLD comes back on the exception.
	_, err := c.PutItem(bg, &dynamodb.PutItemInput{TableName: aws.String("items"), Item: item,
		ConditionExpression: aws.String("attribute_not_exists(pk)"), ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld})
	apiErr(t, err, "ConditionalCheckFailedException", "The conditional request failed")
	var ccf *types.ConditionalCheckFailedException
	if !asErr(err, &ccf) || ccf.Item["pk"] == nil {
		t.Errorf("ConditionalCheckFailedException.Item missing: %v", err)
	}
	del := must[*dynamodb.DeleteItemOutput](t)(c.DeleteItem(bg, &dynamodb.DeleteItemInput{TableName: aws.String("items"),
		Key: map[string]types.AttributeValue{"pk": s("a"), "sk": s("1")}, ReturnValues: types.ReturnValueAllOld}))
	if del.Attributes["g"] == nil {
		t.Errorf("DeleteItem ALL_OLD = %v", del.Attributes)
	}
	got = must[*dynamodb.GetItemOutput](t)(c.GetItem(bg, &dynamodb.GetItemInput{TableName: aws.String("items"),
		Key: map[string]types.AttributeValue{"pk": s("a"), "sk": s("1")}}))
	if got.Item != nil {
		t.Errorf("item still there after delete: %v", got.Item)
	}
}

func TestItemErrors(t *testing.T) {
	c := startServer(t, ddb.Options{}).client()
	createTable(t, c, "errs")
	tn := aws.String("errs")
	key := map[string]types.AttributeValue{"pk": s("a"), "sk": s("1")}
	cases := []struct {
		name string
		call func() error
		code string
		msg  string
	}{
		{"missing table", func() error {
			_, err := c.GetItem(bg, &dynamodb.GetItemInput{TableName: aws.String("nope"), Key: key})
			return err
		}, "ResourceNotFoundException", "Requested resource not found"},
		{"bad key", func() error {
			_, err := c.GetItem(bg, &dynamodb.GetItemInput{TableName: tn, Key: map[string]types.AttributeValue{"pk": s("a")}})
			return err
		}, "ValidationException", "The provided key element does not match the schema"},
		{"key type", func() error {
			_, err := c.PutItem(bg, &dynamodb.PutItemInput{TableName: tn, Item: map[string]types.AttributeValue{"pk": n("1"), "sk": s("1")}})
			return err
		}, "ValidationException", "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N"},
		{"missing key", func() error {
			_, err := c.PutItem(bg, &dynamodb.PutItemInput{TableName: tn, Item: map[string]types.AttributeValue{"pk": s("1")}})
			return err
		}, "ValidationException", "One or more parameter values were invalid: Missing the key sk in the item"},
		{"empty key", func() error {
			_, err := c.PutItem(bg, &dynamodb.PutItemInput{TableName: tn, Item: map[string]types.AttributeValue{"pk": s(""), "sk": s("1")}})
			return err
		}, "ValidationException", "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk"},
		{"index key type", func() error {
			_, err := c.PutItem(bg, &dynamodb.PutItemInput{TableName: tn, Item: map[string]types.AttributeValue{"pk": s("1"), "sk": s("1"), "g": n("1")}})
			return err
		}, "ValidationException", "One or more parameter values were invalid: Type mismatch for Index Key g Expected: S Actual: N IndexName: gsi"},
		{"too large", func() error {
			_, err := c.PutItem(bg, &dynamodb.PutItemInput{TableName: tn, Item: map[string]types.AttributeValue{"pk": s("1"), "sk": s("1"), "big": s(strings.Repeat("x", 400*1024))}})
			return err
		}, "ValidationException", "Item size has exceeded the maximum allowed size"},
		{"syntax", func() error {
			_, err := c.PutItem(bg, &dynamodb.PutItemInput{TableName: tn, Item: key, ConditionExpression: aws.String("pk = = :v"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":v": s("x")}})
			return err
		}, "ValidationException", `1 validation error detected: Invalid ConditionExpression: Syntax error; token: "=", near: "= = :v"`},
		{"unused value", func() error {
			_, err := c.PutItem(bg, &dynamodb.PutItemInput{TableName: tn, Item: key, ConditionExpression: aws.String("pk = :v"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":v": s("x"), ":w": s("y")}})
			return err
		}, "ValidationException", "1 validation error detected: Value provided in ExpressionAttributeValues unused in expressions: keys: {:w}"},
		{"table name", func() error {
			_, err := c.GetItem(bg, &dynamodb.GetItemInput{TableName: aws.String("bad table!@#"), Key: key})
			return err
		}, "ValidationException", "1 validation error detected: Value 'bad table!@#' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"},
		{"return values", func() error {
			_, err := c.PutItem(bg, &dynamodb.PutItemInput{TableName: tn, Item: key, ReturnValues: types.ReturnValueAllNew})
			return err
		}, "ValidationException", "1 validation error detected: ReturnValues can only be ALL_OLD or NONE"},
		{"long hash key", func() error {
			_, err := c.GetItem(bg, &dynamodb.GetItemInput{TableName: tn, Key: map[string]types.AttributeValue{"pk": s(strings.Repeat("k", 2049)), "sk": s("1")}})
			return err
		}, "ValidationException", "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes"},
		{"number", func() error {
			_, err := c.PutItem(bg, &dynamodb.PutItemInput{TableName: tn, Item: map[string]types.AttributeValue{"pk": s("1"), "sk": s("1"), "n": n("1E+126")}})
			return err
		}, "ValidationException", "1 validation error detected: Number overflow. Attempting to store a number with magnitude larger than supported range"},
		{"empty set", func() error {
			_, err := c.PutItem(bg, &dynamodb.PutItemInput{TableName: tn, Item: map[string]types.AttributeValue{"pk": s("1"), "sk": s("1"), "ss": &types.AttributeValueMemberSS{Value: []string{}}}})
			return err
		}, "ValidationException", "1 validation error detected: One or more parameter values were invalid: An string set  may not be empty"},
	}
	for _, cs := range cases {
		t.Run(cs.name, func(t *testing.T) { apiErr(t, cs.call(), cs.code, cs.msg) })
	}
}

// TestBlindWrites covers the path that skips reading the old item (no
// indexes, no TTL, no condition, no ReturnValues).
func TestBlindWrites(t *testing.T) {
	c := startServer(t, ddb.Options{}).client()
	if err := createTable2(c, "blind"); err != nil {
		t.Fatal(err)
	}
	tn := aws.String("blind")
	k := map[string]types.AttributeValue{"pk": s("x")}
	must[*dynamodb.PutItemOutput](t)(c.PutItem(bg, &dynamodb.PutItemInput{TableName: tn, Item: map[string]types.AttributeValue{"pk": s("x"), "v": s("1")}}))
	must[*dynamodb.PutItemOutput](t)(c.PutItem(bg, &dynamodb.PutItemInput{TableName: tn, Item: map[string]types.AttributeValue{"pk": s("x"), "v": s("2")}}))
	got := must[*dynamodb.GetItemOutput](t)(c.GetItem(bg, &dynamodb.GetItemInput{TableName: tn, Key: k}))
	if got.Item["v"].(*types.AttributeValueMemberS).Value != "2" {
		t.Errorf("after overwrite: %v", got.Item)
	}
	must[*dynamodb.DeleteItemOutput](t)(c.DeleteItem(bg, &dynamodb.DeleteItemInput{TableName: tn, Key: k}))
	got = must[*dynamodb.GetItemOutput](t)(c.GetItem(bg, &dynamodb.GetItemInput{TableName: tn, Key: k}))
	if got.Item != nil {
		t.Errorf("blind delete left %v", got.Item)
	}
}

// TestUpdateItemSizeMetering: standalone UpdateItem meters what its clauses
// write (3 bytes, 19 per SET) rather than the key, so with a one-byte key the
// largest finished item is 409,581 bytes.
func TestUpdateItemSizeMetering(t *testing.T) {
	c := startServer(t, ddb.Options{}).client()
	if err := createTable2(c, "usize"); err != nil {
		t.Fatal(err)
	}
	update := func(pk string, itemBytes int) error {
		pad := itemBytes - len("pk") - len(pk) - len("b")
		_, err := c.UpdateItem(bg, &dynamodb.UpdateItemInput{TableName: aws.String("usize"), Key: map[string]types.AttributeValue{"pk": s(pk)},
			UpdateExpression: aws.String("SET b = :pad"), ExpressionAttributeValues: map[string]types.AttributeValue{":pad": s(strings.Repeat("x", pad))}})
		return err
	}
	if err := update("K", 409581); err != nil {
		t.Fatalf("409,581 bytes refused: %v", err)
	}
	apiErr(t, update("L", 409582), "ValidationException", "Item size to update has exceeded the maximum allowed size")
}
