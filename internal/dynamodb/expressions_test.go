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
	pad := func(n int) string { return strings.Repeat(" ", n) }
	spaces := pad(4096 - len("SETa = :v"))
	cases := []struct {
		name string
		call func() error
		msg  string // "" means the call succeeds
	}{
		{"update expression of 4096 bytes", update("SET"+spaces+"a = :v", "", v), ""},
		{"update expression of 4097 bytes", update("SET "+spaces+"a = :v", "", v),
			"Invalid UpdateExpression: Expression size has exceeded the maximum allowed size; expression size: 4097"},
		{"condition of 4097 bytes", update("SET a = :v", "a"+pad(4097-len("a= :v"))+"= :v", v),
			"Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; expression size: 4097"},
		{"too long beats a syntax error", update("SET a = :v", strings.Repeat("(", 5000), v),
			"Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; expression size: 5000"},
		{"projection of 4097 bytes", func() error {
			_, err := c.GetItem(bg, &dynamodb.GetItemInput{TableName: tn, Key: k, ProjectionExpression: aws.String(strings.Repeat("x", 4097))})
			return err
		}, "Invalid ProjectionExpression: Expression size has exceeded the maximum allowed size; expression size: 4097"},
		{"300 operators", update("SET z = :v", "NOT attribute_exists(q)"+strings.Repeat(" or (a<:v", 149)+strings.Repeat(")", 149), v), ""},
		{"301 operators", update("SET z = :v", "attribute_not_exists(a)"+strings.Repeat(" or (a<:v", 150)+strings.Repeat(")", 150), v),
			"Invalid ConditionExpression: The expression contains too many operators; operator count: 301"},
		{"size in an update", update("SET a = size(b)", "", nil),
			"Invalid UpdateExpression: The function is not allowed in an update expression; function: size"},
		{"condition function in an update", update("SET a = contains(b, :v)", "", v),
			"Invalid UpdateExpression: The function is not allowed in an update expression; function: contains"},
		{"update function in a condition", update("SET a = :v", "if_not_exists(a, :v) = :v", v),
			"Invalid ConditionExpression: The function is not allowed in a condition expression; function: if_not_exists"},
		{"nested list_append", update("SET a = list_append(list_append(a, :l), :l)", "", map[string]types.AttributeValue{":l": &types.AttributeValueMemberL{}}),
			"Invalid UpdateExpression: The function is not allowed to be used this way in an expression; function: list_append"},
		{"ADD a string", update("ADD a :s", "", map[string]types.AttributeValue{":s": s("x")}),
			"Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: STRING, typeSet: ALLOWED_FOR_ADD_OPERAND"},
		{"DELETE a number", update("DELETE a :v", "", v),
			"Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER, typeSet: ALLOWED_FOR_DELETE_OPERAND"},
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
