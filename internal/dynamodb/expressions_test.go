package dynamodb_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	ddb "github.com/nimbus-dev/nimbus/internal/dynamodb"
)

// TestExpressionLimitsAndContexts covers DynamoDB's expression limits (4 KB
// strings, 300 operators) and the functions each kind of expression allows.
func TestExpressionLimitsAndContexts(t *testing.T) {
	c := startServer(t, ddb.Options{}).client()
	if err := createTable2(c, "exprs"); err != nil {
		t.Fatal(err)
	}
	tn := aws.String("exprs")
	k := map[string]types.AttributeValue{"pk": s("k")}
	v := map[string]types.AttributeValue{":v": n("1")}
	update := func(ue, ce string, vals map[string]types.AttributeValue) func() error {
		return func() error {
			in := &dynamodb.UpdateItemInput{TableName: tn, Key: k, UpdateExpression: aws.String(ue), ExpressionAttributeValues: vals}
			if ce != "" {
				in.ConditionExpression = aws.String(ce)
			}
			_, err := c.UpdateItem(bg, in)
			return err
		}
	}
	// UpdateItem reports request errors inside the validation envelope.
	const one = "1 validation error detected: "
	pad := func(n int) string { return strings.Repeat(" ", n) }
	spaces := pad(4096 - len("SETa = :v"))
	cases := []struct {
		name string
		call func() error
		msg  string // "" means the call succeeds
	}{
		{"update expression of 4096 bytes", update("SET"+spaces+"a = :v", "", v), ""},
		{"update expression of 4097 bytes", update("SET "+spaces+"a = :v", "", v),
			one + "Invalid UpdateExpression: Expression size has exceeded the maximum allowed size;"},
		{"condition of 4097 bytes", update("SET a = :v", "a"+pad(4097-len("a= :v"))+"= :v", v),
			one + "Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; expression size: 4097"},
		{"too long beats a syntax error", update("SET a = :v", strings.Repeat("(", 5000), v),
			one + "Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; expression size: 5000"},
		{"projection of 4097 bytes", func() error {
			_, err := c.GetItem(bg, &dynamodb.GetItemInput{TableName: tn, Key: k, ProjectionExpression: aws.String(strings.Repeat("x", 4097))})
			return err
		}, "Invalid ProjectionExpression: Expression size has exceeded the maximum allowed size; expression size: 4097"},
		{"300 operators", update("SET z = :v", "NOT attribute_exists(q)"+strings.Repeat(" or (a<:v", 149)+strings.Repeat(")", 149), v), ""},
		{"301 operators", update("SET z = :v", "attribute_not_exists(a)"+strings.Repeat(" or (a<:v", 150)+strings.Repeat(")", 150), v),
			one + "Invalid ConditionExpression: The expression contains too many operators; operator count: 301"},
		{"size in an update", update("SET a = size(b)", "", nil),
			one + "Invalid UpdateExpression: The function is not allowed in an update expression; function: size"},
		{"condition function in an update", update("SET a = contains(b, :v)", "", v),
			one + "Invalid UpdateExpression: The function is not allowed in an update expression; function: contains"},
		{"update function in a condition", update("SET a = :v", "if_not_exists(a, :v) = :v", v),
			one + "Invalid ConditionExpression: The function is not allowed in a condition expression; function: if_not_exists"},
		{"nested list_append", update("SET a = list_append(list_append(a, :l), :l)", "", map[string]types.AttributeValue{":l": &types.AttributeValueMemberL{}}),
			one + "Invalid UpdateExpression: The function is not allowed to be used this way in an expression; function: list_append"},
		{"ADD a string", update("ADD a :s", "", map[string]types.AttributeValue{":s": s("x")}),
			one + "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: STRING, typeSet: ALLOWED_FOR_ADD_OPERAND"},
		{"DELETE a number", update("DELETE a :v", "", v),
			one + "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER, typeSet: ALLOWED_FOR_DELETE_OPERAND"},
	}
	for _, cs := range cases {
		t.Run(cs.name, func(t *testing.T) {
			err := cs.call()
			if cs.msg == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			apiErr(t, err, "ValidationException", cs.msg)
		})
	}
}

// TestKeyAttributesInExpressions covers DynamoDB's rules for key attributes
// in expressions: a Query filter may not name the keys it queries by, and no
// expression may reach into a key attribute with "." or "[]".
func TestKeyAttributesInExpressions(t *testing.T) {
	c := startServer(t, ddb.Options{}).client()
	createTable(t, c, "keyrules")
	tn := aws.String("keyrules")
	vals := map[string]types.AttributeValue{":p": s("p"), ":v": s("v")}
	query := func(in dynamodb.QueryInput) func() error {
		return func() error {
			in.TableName = tn
			_, err := c.Query(bg, &in)
			return err
		}
	}
	eq := func(v string) types.Condition {
		return types.Condition{ComparisonOperator: types.ComparisonOperatorEq, AttributeValueList: []types.AttributeValue{s(v)}}
	}
	const nested = "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: "
	cases := []struct {
		name string
		call func() error
		msg  string
	}{
		{"filter on the sort key", query(dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), FilterExpression: aws.String("sk = :v"), ExpressionAttributeValues: vals}),
			"Filter Expression can only contain non-primary key attributes: Primary key attribute: sk"},
		{"filter on a nested partition key", query(dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), FilterExpression: aws.String("attribute_exists(pk.b) AND x = :v"), ExpressionAttributeValues: vals}),
			"Filter Expression can only contain non-primary key attributes: Primary key attribute: pk"},
		{"filter on the GSI sort key", query(dynamodb.QueryInput{IndexName: aws.String("gsi"), KeyConditionExpression: aws.String("g = :p"), FilterExpression: aws.String("sk = :v"), ExpressionAttributeValues: vals}),
			"Filter Expression can only contain non-primary key attributes: Primary key attribute: sk"},
		{"filter on the table key of a GSI query", query(dynamodb.QueryInput{IndexName: aws.String("gsi"), KeyConditionExpression: aws.String("g = :p"), FilterExpression: aws.String("pk = :v"), ExpressionAttributeValues: vals}), ""},
		{"filter on an LSI key of a table query", query(dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), FilterExpression: aws.String("l = :v"), ExpressionAttributeValues: vals}), ""},
		{"QueryFilter on the sort key", query(dynamodb.QueryInput{KeyConditions: map[string]types.Condition{"pk": eq("p")}, QueryFilter: map[string]types.Condition{"sk": eq("v")}}),
			"QueryFilter can only contain non-primary key attributes: Primary key attribute: sk"},
		{"KeyConditions with a FilterExpression", query(dynamodb.QueryInput{KeyConditions: map[string]types.Condition{"pk": eq("p")}, FilterExpression: aws.String("x = :v"), ExpressionAttributeValues: map[string]types.AttributeValue{":v": s("v")}}), ""},
		{"KeyConditions with a KeyConditionExpression", query(dynamodb.QueryInput{KeyConditions: map[string]types.Condition{"pk": eq("p")}, KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: map[string]types.AttributeValue{":p": s("p")}}),
			"Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {KeyConditions} Expression parameters: {KeyConditionExpression}"},
		{"AttributesToGet and QueryFilter with expressions", query(dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), ProjectionExpression: aws.String("x"), AttributesToGet: []string{"x"}, QueryFilter: map[string]types.Condition{"x": eq("v")}, ExpressionAttributeValues: map[string]types.AttributeValue{":p": s("p")}}),
			"Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet, QueryFilter} Expression parameters: {ProjectionExpression, KeyConditionExpression}"},
		{"filter into an LSI key", query(dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), FilterExpression: aws.String("l[1] = :v"), ExpressionAttributeValues: vals}),
			nested + "IndexKey: l"},
		{"projection into the partition key", func() error {
			_, err := c.GetItem(bg, &dynamodb.GetItemInput{TableName: tn, Key: key("p", "s"), ProjectionExpression: aws.String("pk[0]")})
			return err
		}, nested + "Key: pk"},
		{"scan filter into a GSI key", func() error {
			_, err := c.Scan(bg, &dynamodb.ScanInput{TableName: tn, FilterExpression: aws.String("g.x = :v"), ExpressionAttributeValues: map[string]types.AttributeValue{":v": s("v")}})
			return err
		}, nested + "IndexKey: g"},
		{"update into the sort key", func() error {
			_, err := c.UpdateItem(bg, &dynamodb.UpdateItemInput{TableName: tn, Key: key("p", "s"), UpdateExpression: aws.String("SET sk.x = :v"), ExpressionAttributeValues: map[string]types.AttributeValue{":v": s("v")}})
			return err
		}, nested + "Key: sk"},
		{"condition into the partition key", func() error {
			_, err := c.PutItem(bg, &dynamodb.PutItemInput{TableName: tn, Item: key("p", "s"), ConditionExpression: aws.String("attribute_not_exists(pk.x)")})
			return err
		}, nested + "Key: pk"},
	}
	for _, cs := range cases {
		t.Run(cs.name, func(t *testing.T) {
			err := cs.call()
			if cs.msg == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			apiErr(t, err, "ValidationException", cs.msg)
		})
	}
}
