package dynamodb_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	ddb "github.com/nimbus-dev/nimbus/internal/dynamodb"
)

// TestLegacyParameterValidation covers how DynamoDB validates Expected
// entries and legacy comparison arguments, and the BETWEEN bound messages.
func TestLegacyParameterValidation(t *testing.T) {
	c := startServer(t, ddb.Options{}).client()
	createTable(t, c, "legacyv")
	tn := aws.String("legacyv")
	put := func(exp map[string]types.ExpectedAttributeValue) func() error {
		return func() error {
			_, err := c.PutItem(bg, &dynamodb.PutItemInput{TableName: tn, Item: key("p", "s"), Expected: exp})
			return err
		}
	}
	vs := func(v ...types.AttributeValue) []types.AttributeValue { return v }
	const invalid = "One or more parameter values were invalid: "
	// PutItem reports request errors inside the validation envelope.
	const one = "1 validation error detected: "
	cases := []struct {
		name string
		call func() error
		code string
		msg  string
	}{
		{"empty entry", put(map[string]types.ExpectedAttributeValue{"a": {}}), "ValidationException",
			one + invalid + "Value must be provided when Exists is null for Attribute: a"},
		{"exists true without value", put(map[string]types.ExpectedAttributeValue{"a": {Exists: aws.Bool(true)}}), "ValidationException",
			one + invalid + "Value must be provided when Exists is true for Attribute: a"},
		{"operator alone", put(map[string]types.ExpectedAttributeValue{"a": {ComparisonOperator: types.ComparisonOperatorLt}}), "ValidationException",
			one + invalid + "Value or AttributeValueList must be used with ComparisonOperator: LT for Attribute: a"},
		{"exists with operator", put(map[string]types.ExpectedAttributeValue{"a": {Exists: aws.Bool(true), ComparisonOperator: types.ComparisonOperatorLt}}), "ValidationException",
			one + invalid + "Exists and ComparisonOperator cannot be used together for Attribute: a"},
		{"value with list", put(map[string]types.ExpectedAttributeValue{"a": {Value: s("x"), AttributeValueList: vs(s("x")), ComparisonOperator: types.ComparisonOperatorLt}}), "ValidationException",
			one + invalid + "Value and AttributeValueList cannot be used together for Attribute: a"},
		{"list without operator", put(map[string]types.ExpectedAttributeValue{"a": {AttributeValueList: vs(s("x"))}}), "ValidationException",
			one + invalid + "AttributeValueList can only be used with a ComparisonOperator for Attribute: a"},
		{"value with NULL", put(map[string]types.ExpectedAttributeValue{"a": {Value: s("x"), ComparisonOperator: types.ComparisonOperatorNull}}), "ValidationException",
			one + invalid + "Invalid number of argument(s) for the NULL ComparisonOperator"},
		{"value with EQ", put(map[string]types.ExpectedAttributeValue{"a": {Value: s("x"), ComparisonOperator: types.ComparisonOperatorEq}}), "ConditionalCheckFailedException",
			"The conditional request failed"},
		{"mixed types", put(map[string]types.ExpectedAttributeValue{"a": {AttributeValueList: vs(s("b"), n("1")), ComparisonOperator: types.ComparisonOperatorIn}}), "ValidationException",
			one + invalid + "AttributeValues inside AttributeValueList must be of same type"},
		{"set in IN", put(map[string]types.ExpectedAttributeValue{"a": {AttributeValueList: vs(&types.AttributeValueMemberSS{Value: []string{"x"}}), ComparisonOperator: types.ComparisonOperatorIn}}), "ValidationException",
			one + invalid + "ComparisonOperator IN is not valid for SS AttributeValue type"},
		{"BETWEEN reversed", put(map[string]types.ExpectedAttributeValue{"a": {AttributeValueList: vs(s("b"), s("a")), ComparisonOperator: types.ComparisonOperatorBetween}}), "ValidationException",
			one + "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"},
		{"expression BETWEEN reversed", func() error {
			_, err := c.PutItem(bg, &dynamodb.PutItemInput{TableName: tn, Item: key("p", "s"), ConditionExpression: aws.String("a between :b and :a"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":a": s("a"), ":b": s("b")}})
			return err
		}, "ValidationException", one + "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {S:b}, upper bound operand: AttributeValue: {S:a}"},
		{"expression BETWEEN types", func() error {
			_, err := c.PutItem(bg, &dynamodb.PutItemInput{TableName: tn, Item: key("p", "s"), ConditionExpression: aws.String("a between :b and :a"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":a": s("a"), ":b": n("1")}})
			return err
		}, "ValidationException", one + "Invalid ConditionExpression: The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {N:1}, upper bound operand: AttributeValue: {S:a}"},
		{"key condition BETWEEN reversed", func() error {
			_, err := c.Query(bg, &dynamodb.QueryInput{TableName: tn, KeyConditionExpression: aws.String("pk = :a and sk between :b and :a"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":a": s("a"), ":b": s("b")}})
			return err
		}, "ValidationException", "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {S:b}, upper bound operand: AttributeValue: {S:a}"},
	}
	for _, cs := range cases {
		t.Run(cs.name, func(t *testing.T) { apiErr(t, cs.call(), cs.code, cs.msg) })
	}
}
