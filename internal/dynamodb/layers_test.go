package dynamodb_test

import (
	"strings"
	"testing"

	ddb "github.com/nimbus-dev/nimbus/internal/dynamodb"
)

// TestValidationLayers covers how DynamoDB words request errors by
// operation: PutItem, UpdateItem and DeleteItem put every request check in
// the "1 validation error detected: " envelope; GetItem, BatchGetItem and
// Query word bad values the current way, bare; BatchWriteItem,
// TransactWriteItems, TransactGetItems and Scan the older way, with an
// expression value's failure wrapped in "ExpressionAttributeValues contains
// invalid value".
func TestValidationLayers(t *testing.T) {
	srv := startServer(t, ddb.Options{})
	if err := createTable2(srv.client(), "vlx"); err != nil {
		t.Fatal(err)
	}
	const (
		one      = "1 validation error detected: "
		invalid  = "One or more parameter values were invalid: "
		nn       = "The parameter cannot be converted to a numeric value"
		overflow = "Number overflow. Attempting to store a number with magnitude larger than supported range"
		dupSS    = invalid + `Input collection ["a", "b", "b"] contains duplicates.`
		dupSSOld = invalid + "Input collection [b, a, b] contains duplicates."
		nest     = "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit"
	)
	deep := strings.Repeat(`{"M":{"n":`, 32) + `{"S":"x"}` + strings.Repeat(`}}`, 32)
	const VE = "ValidationException"
	runRaw(t, srv, []rawCase{
		// Numbers and duplicate set members, layer by layer.
		{"put abc", "PutItem", `{"TableName":"vlx","Item":{"pk":{"S":"a"},"n":{"N":"abc"}}}`, VE, one + nn + ": abc"},
		{"put empty number", "PutItem", `{"TableName":"vlx","Item":{"pk":{"S":"a"},"n":{"N":""}}}`, VE, one + nn + ": "},
		{"put huge exponent", "PutItem", `{"TableName":"vlx","Item":{"pk":{"S":"a"},"n":{"N":"1e2147483647"}}}`, VE, one + overflow},
		{"put condition value", "PutItem", `{"TableName":"vlx","Item":{"pk":{"S":"a"}},"ConditionExpression":"n = :v","ExpressionAttributeValues":{":v":{"N":"x"}}}`, VE, one + nn + ": x"},
		{"put duplicate", "PutItem", `{"TableName":"vlx","Item":{"pk":{"S":"a"},"s":{"SS":["b","a","b"]}}}`, VE, one + dupSS},
		{"put duplicate BS", "PutItem", `{"TableName":"vlx","Item":{"pk":{"S":"a"},"s":{"BS":["/w==","AA==","AA=="]}}}`, VE, one + invalid + `Input collection ["AA==","/w==","AA=="]of type BS contains duplicates.`},
		{"put duplicate NS", "PutItem", `{"TableName":"vlx","Item":{"pk":{"S":"a"},"s":{"NS":["2","1","2"]}}}`, VE, one + invalid + "Input collection contains duplicates."},
		{"delete key number", "DeleteItem", `{"TableName":"vlx","Key":{"pk":{"N":"abc"}}}`, VE, one + nn + ": abc"},
		{"update value", "UpdateItem", `{"TableName":"vlx","Key":{"pk":{"S":"a"}},"UpdateExpression":"SET n = :v","ExpressionAttributeValues":{":v":{"N":""}}}`, VE, one + nn + ": "},
		{"get bare", "GetItem", `{"TableName":"vlx","Key":{"pk":{"N":"abc"}}}`, VE, nn + ": abc"},
		{"get duplicate", "GetItem", `{"TableName":"vlx","Key":{"pk":{"SS":["b","a","b"]}}}`, VE, dupSS},
		{"query filter value", "Query", `{"TableName":"vlx","KeyConditionExpression":"pk = :p","FilterExpression":"n = :v","ExpressionAttributeValues":{":p":{"S":"a"},":v":{"N":"1e2147483647"}}}`, VE, overflow},
		{"batch write older", "BatchWriteItem", `{"RequestItems":{"vlx":[{"PutRequest":{"Item":{"pk":{"S":"a"},"n":{"N":""}}}}]}}`, VE, nn},
		{"batch write older wraps", "BatchWriteItem", `{"RequestItems":{"vlx":[{"PutRequest":{"Item":{"pk":{"S":"a"},"n":{"N":"1e2147483647"}}}}]}}`, VE,
			"Number underflow. Attempting to store a number with magnitude smaller than supported range"},
		{"batch write duplicate", "BatchWriteItem", `{"RequestItems":{"vlx":[{"PutRequest":{"Item":{"pk":{"S":"a"},"s":{"SS":["b","a","b"]}}}}]}}`, VE, dupSSOld},
		{"batch write NS duplicate", "BatchWriteItem", `{"RequestItems":{"vlx":[{"PutRequest":{"Item":{"pk":{"S":"a"},"s":{"NS":["2","1","2"]}}}}]}}`, VE, "Input collection contains duplicates"},
		{"scan value wrapped", "Scan", `{"TableName":"vlx","FilterExpression":"n = :v","ExpressionAttributeValues":{":v":{"N":"abc"}}}`, VE,
			"ExpressionAttributeValues contains invalid value: " + nn + ": abc for key :v"},
		{"transact update value wrapped", "TransactWriteItems", `{"TransactItems":[{"Update":{"TableName":"vlx","Key":{"pk":{"S":"a"}},"UpdateExpression":"SET n = :v","ExpressionAttributeValues":{":v":{"SS":["b","a","b"]}}}}]}`, VE,
			"ExpressionAttributeValues contains invalid value: " + dupSSOld + " for key :v"},
		{"transact get key", "TransactGetItems", `{"TransactItems":[{"Get":{"TableName":"vlx","Key":{"pk":{"N":""}}}}]}`, VE, nn},
		// NULL must be true; nesting past 32 levels.
		{"null false", "PutItem", `{"TableName":"vlx","Item":{"pk":{"S":"a"},"x":{"NULL":false}}}`, VE, one + invalid + "Null attribute value types must have the value of true"},
		{"too deep item", "PutItem", `{"TableName":"vlx","Item":{"pk":{"S":"a"},"d":` + deep + `}}`, VE, one + nest},
		{"too deep value", "UpdateItem", `{"TableName":"vlx","Key":{"pk":{"S":"a"}},"UpdateExpression":"SET d = :v","ExpressionAttributeValues":{":v":` + deep + `}}`, VE, one + nest},
		{"too deep scan value", "Scan", `{"TableName":"vlx","FilterExpression":"d = :v","ExpressionAttributeValues":{":v":` + deep + `}}`, VE,
			"ExpressionAttributeValues contains invalid value: " + nest + " for key :v"},
		{"empty attribute name", "PutItem", `{"TableName":"vlx","Item":{"pk":{"S":"a"},"":{"S":"x"}}}`, VE, one + "Empty attribute name"},
		{"empty attribute name in a transaction", "TransactWriteItems", `{"TransactItems":[{"Put":{"TableName":"vlx","Item":{"pk":{"S":"a"},"":{"S":"x"}}}}]}`, VE, "Empty attribute name"},
		// Request checks of the single-item writes are enveloped...
		{"values without expression", "PutItem", `{"TableName":"vlx","Item":{"pk":{"S":"a"}},"ExpressionAttributeValues":{":v":{"S":"x"}}}`, VE, one + "ExpressionAttributeValues can only be specified when using expressions"},
		{"names without expression", "DeleteItem", `{"TableName":"vlx","Key":{"pk":{"S":"a"}},"Expected":{"a":{"Exists":false}},"ExpressionAttributeNames":{"#a":"a"}}`, VE, one + "ExpressionAttributeNames can only be specified when using expressions"},
		{"empty condition", "PutItem", `{"TableName":"vlx","Item":{"pk":{"S":"a"}},"ConditionExpression":""}`, VE, one + "Invalid ConditionExpression: The expression can not be empty;"},
		{"put return values", "PutItem", `{"TableName":"vlx","Item":{"pk":{"S":"a"}},"ReturnValues":"ALL_NEW"}`, VE, one + "ReturnValues can only be ALL_OLD or NONE"},
		{"delete return values", "DeleteItem", `{"TableName":"vlx","Key":{"pk":{"S":"a"}},"ReturnValues":"UPDATED_NEW"}`, VE, one + "ReturnValues can only be ALL_OLD or NONE"},
		{"expected", "DeleteItem", `{"TableName":"vlx","Key":{"pk":{"S":"a"}},"Expected":{"a":{"Exists":false,"Value":{"S":"x"}}}}`, VE, one + invalid + "Value cannot be used when Exists is false for Attribute: a"},
		{"undefined condition value", "UpdateItem", `{"TableName":"vlx","Key":{"pk":{"S":"a"}},"UpdateExpression":"SET b = :w","ConditionExpression":"a = :v","ExpressionAttributeValues":{":w":{"S":"x"}}}`, VE,
			one + "Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :v"},
		{"conditional operator enum", "PutItem", `{"TableName":"vlx","Item":{"pk":{"S":"a"}},"Expected":{"a":{"Exists":false},"b":{"Exists":false}},"ConditionalOperator":"XOR"}`, VE,
			one + "Failed to satisfy constraint: Member must satisfy enum value set: [ALL, OR]"},
		// ...but not the checks against the table.
		{"key update", "UpdateItem", `{"TableName":"vlx","Key":{"pk":{"S":"a"}},"UpdateExpression":"SET pk = :v","ExpressionAttributeValues":{":v":{"S":"x"}}}`, VE, invalid + "Cannot update attribute pk. This attribute is part of the key"},
		{"missing table", "DeleteItem", `{"TableName":"nope","Key":{"pk":{"S":"a"}}}`, "ResourceNotFoundException", "Requested resource not found"},
		// The validation framework's newer forms, where us-east-1 uses them.
		{"put empty table name", "PutItem", `{"TableName":"","Item":{"pk":{"S":"a"}},"ReturnValues":"INVALID"}`, VE,
			"1 validation error detected: Value at 'TableName' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"update return values", "UpdateItem", `{"TableName":"vlx","Key":{"pk":{"S":"a"}},"ReturnValues":"INVALID","ReturnConsumedCapacity":"INVALID"}`, VE,
			"1 validation error detected: Failed to satisfy constraint: Member must satisfy enum value set: [ALL_OLD, UPDATED_OLD, ALL_NEW, UPDATE_NEW, NONE]"},
		// UpdateItem without a Key reports its member errors together.
		{"update without key", "UpdateItem", `{"TableName":"","UpdateExpression":"SET a = :a","ExpressionAttributeValues":{":a":{"S":"x"}},"ReturnConsumedCapacity":"INVALID","ReturnValues":"INVALID"}`, VE,
			"4 validation errors detected: Value 'INVALID' at 'returnConsumedCapacity' failed to satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]; " +
				"Value '' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
				"Value 'INVALID' at 'returnValues' failed to satisfy constraint: Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]; " +
				"Value null at 'key' failed to satisfy constraint: Member must not be null"},
		{"update without key XOR", "UpdateItem", `{"TableName":"vlx","AttributeUpdates":{"x":{"Action":"PUT","Value":{"S":"1"}}},"Expected":{"a":{"Exists":false},"b":{"Exists":false}},"ConditionalOperator":"XOR"}`, VE,
			"2 validation errors detected: Value 'XOR' at 'conditionalOperator' failed to satisfy constraint: Member must satisfy enum value set: [OR, AND]; Value null at 'key' failed to satisfy constraint: Member must not be null"},
	})
}

// TestRequestCheckOrder covers which of several problems DynamoDB reports.
func TestRequestCheckOrder(t *testing.T) {
	srv := startServer(t, ddb.Options{})
	if err := createTable2(srv.client(), "ord"); err != nil {
		t.Fatal(err)
	}
	const (
		VE   = "ValidationException"
		rcc  = "Value 'BOGUS' at 'returnConsumedCapacity' failed to satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]"
		ricm = "Value 'BOGUS2' at 'returnItemCollectionMetrics' failed to satisfy constraint: Member must satisfy enum value set: [SIZE, NONE]"
	)
	deep := strings.Repeat(`{"M":{"n":`, 32) + `{"S":"x"}` + strings.Repeat(`}}`, 32)
	runRaw(t, srv, []rawCase{
		{"query XOR alone", "Query", `{"TableName":"absent","KeyConditions":{"pk":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]}},"QueryFilter":{"b":{"ComparisonOperator":"NULL"},"c":{"ComparisonOperator":"NULL"}},"ConditionalOperator":"XOR","Select":"BOGUS"}`, VE,
			"Failed to satisfy constraint: Member must satisfy enum value set: [ALL, OR]"},
		{"batch write enums first", "BatchWriteItem", `{"RequestItems":{"bad!name":[{"PutRequest":{"Item":{"pk":{"S":"a"}}}}]},"ReturnConsumedCapacity":"BOGUS","ReturnItemCollectionMetrics":"BOGUS2"}`, VE,
			"2 validation errors detected: " + rcc + "; " + ricm},
		{"batch get name with enum", "BatchGetItem", `{"RequestItems":{"bad!name":{"Keys":[{"pk":{"S":"a"}}]}},"ReturnConsumedCapacity":"BOGUS"}`, VE,
			`2 validation errors detected: Value '{"bad!name":{"Keys":[{"pk":{"S":"a"}}]}}' at 'requestItems' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 255, Member must have length greater than or equal to 3, Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+]; ` + rcc},
		{"transaction syntax before missing table", "TransactWriteItems", `{"TransactItems":[{"Put":{"TableName":"absent","Item":{"pk":{"S":"a"}}}},{"ConditionCheck":{"TableName":"ord","Key":{"pk":{"S":"c"}},"ConditionExpression":"attribute_not_exists("}}]}`, VE,
			`Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "("`},
		{"transaction unused value before missing table", "TransactWriteItems", `{"TransactItems":[{"Put":{"TableName":"absent","Item":{"pk":{"S":"a"}}}},{"ConditionCheck":{"TableName":"ord","Key":{"pk":{"S":"c"}},"ConditionExpression":"attribute_not_exists(pk)","ExpressionAttributeValues":{":v":{"S":"x"}}}}]}`, VE,
			"Value provided in ExpressionAttributeValues unused in expressions: keys: {:v}"},
		{"transaction syntax before later deep item", "TransactWriteItems", `{"TransactItems":[{"ConditionCheck":{"TableName":"ord","Key":{"pk":{"S":"c"}},"ConditionExpression":"attribute_not_exists("}},{"Put":{"TableName":"ord","Item":{"pk":{"S":"d"},"d":` + deep + `}}}]}`, VE,
			`Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "("`},
		{"transaction deep item before later syntax", "TransactWriteItems", `{"TransactItems":[{"Put":{"TableName":"ord","Item":{"pk":{"S":"d"},"d":` + deep + `}}},{"ConditionCheck":{"TableName":"ord","Key":{"pk":{"S":"c"}},"ConditionExpression":"attribute_not_exists("}}]}`, VE,
			"Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit"},
		{"transaction update size", "TransactWriteItems", `{"TransactItems":[{"Update":{"TableName":"ord","Key":{"pk":{"S":"a"}},"UpdateExpression":"SET a = :v` + strings.Repeat(" ", 4100) + `","ExpressionAttributeValues":{":v":{"S":"x"}}}}]}`, VE,
			"Invalid UpdateExpression: Expression size has exceeded the maximum allowed size;"},
		{"scan segment", "Scan", `{"TableName":"ord","Segment":-1,"TotalSegments":2}`, VE,
			"1 validation error detected: Value '-1' at 'segment' failed to satisfy constraint: Member must have value greater than or equal to 0"},
		{"scan specific attributes", "Scan", `{"TableName":"ord","Select":"SPECIFIC_ATTRIBUTES"}`, VE,
			"Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES"},
		{"query specific attributes", "Query", `{"TableName":"ord","KeyConditionExpression":"pk = :v","ExpressionAttributeValues":{":v":{"S":"v"}},"Select":"SPECIFIC_ATTRIBUTES"}`, VE,
			"1 validation error detected: Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES"},
		{"query count with projection", "Query", `{"TableName":"ord","KeyConditionExpression":"pk = :v","ExpressionAttributeValues":{":v":{"S":"v"}},"Select":"COUNT","ProjectionExpression":"a"}`, VE,
			"1 validation error detected: Cannot specify the ProjectionExpression when choosing to get only the Count"},
		{"query projected without index", "Query", `{"TableName":"ord","KeyConditionExpression":"pk = :v","ExpressionAttributeValues":{":v":{"S":"v"}},"Select":"ALL_PROJECTED_ATTRIBUTES","ProjectionExpression":"a"}`, VE,
			"1 validation error detected: Cannot specify the ProjectionExpression when choosing to get ALL_PROJECTED_ATTRIBUTES"},
		{"query starting key", "Query", `{"TableName":"ord","KeyConditionExpression":"pk = :v","ExpressionAttributeValues":{":v":{"S":"v"}},"ExclusiveStartKey":{"bad":{"S":"p"}}}`, VE,
			"The provided starting key is invalid"},
		{"scan starting key", "Scan", `{"TableName":"ord","ExclusiveStartKey":{"bad":{"S":"p"}}}`, VE,
			"The provided starting key is invalid: The provided key element does not match the schema"},
		{"key condition parentheses", "Query", `{"TableName":"ord","KeyConditionExpression":"((pk = :v))","ExpressionAttributeValues":{":v":{"S":"v"}}}`, VE,
			"Invalid KeyConditionExpression: The expression has redundant parentheses;"},
		{"key condition parentheses allowed", "Query", `{"TableName":"ord","KeyConditionExpression":"(pk = :v)","ExpressionAttributeValues":{":v":{"S":"v"}}}`, "", ""},
		{"begins_with number", "Scan", `{"TableName":"ord","FilterExpression":"begins_with(a, :n)","ExpressionAttributeValues":{":n":{"N":"1"}}}`, VE,
			"Invalid FilterExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"},
	})
}

// TestBatchTransactionAndKeyConditionMessages covers batch member
// constraints, TransactGetItems cancellations and key condition shapes.
func TestBatchTransactionAndKeyConditionMessages(t *testing.T) {
	srv := startServer(t, ddb.Options{})
	c := srv.client()
	if err := createTable2(c, "bkc"); err != nil {
		t.Fatal(err)
	}
	createTable(t, c, "bkc2")
	const VE = "ValidationException"
	op := func(o, typ string) string {
		return "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: " + o + ", operand type: " + typ
	}
	q := func(kce, vals string) string {
		return `{"TableName":"bkc2","KeyConditionExpression":"` + kce + `","ExpressionAttributeValues":{":p":{"S":"q"},` + vals + `}}`
	}
	runRaw(t, srv, []rawCase{
		{"batch get empty", "BatchGetItem", `{"RequestItems":{}}`, VE, "1 validation error detected: Value at 'RequestItems' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"batch get empty keys", "BatchGetItem", `{"RequestItems":{"bkc":{"Keys":[]}}}`, VE, "1 validation error detected: Value at 'RequestItems.bkc.member.Keys' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"batch write empty", "BatchWriteItem", `{"RequestItems":{}}`, VE, "The requestItems parameter is required for BatchWriteItem"},
		{"batch write bad name", "BatchWriteItem", `{"RequestItems":{"bad!name":[{"PutRequest":{"Item":{"pk":{"S":"x"}}}}]}}`, VE,
			"1 validation error detected: Value '{bad!name=[WriteRequest(putRequest=PutRequest(item={pk=AttributeValue(s=x)}), deleteRequest=null)]}' at 'requestItems' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 255, Member must have length greater than or equal to 3, Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+]"},
		{"transact get key schema", "TransactGetItems", `{"TransactItems":[{"Get":{"TableName":"bkc","Key":{"pk":{"S":"a"}}}},{"Get":{"TableName":"bkc","Key":{"pk":{"N":"1"}}}}]}`, "TransactionCanceledException",
			"Transaction cancelled, please refer cancellation reasons for specific reasons [None, ValidationError]"},
		{"transact get empty key value", "TransactGetItems", `{"TransactItems":[{"Get":{"TableName":"bkc","Key":{"pk":{"S":""}}}}]}`, VE,
			"One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk"},
		{"begins_with boolean", "Query", q("pk = :p AND begins_with(sk, :v)", `":v":{"BOOL":true}`), VE, op("begins_with", "BOOL")},
		{"ordering boolean", "Query", q("pk = :p AND sk < :v", `":v":{"BOOL":true}`), VE, op("<", "BOOL")},
		{"ordering boolean value first", "Query", q("pk = :p AND :v >= sk", `":v":{"BOOL":true}`), VE, op(">=", "BOOL")},
		{"between boolean", "Query", q("pk = :p AND sk BETWEEN :a AND :b", `":a":{"BOOL":false},":b":{"BOOL":true}`), VE, op("BETWEEN", "BOOL")},
		{"equality boolean", "Query", q("pk = :p AND sk = :v", `":v":{"BOOL":true}`), VE, "One or more parameter values were invalid: Condition parameter type does not match schema type"},
		{"two sort key conditions", "Query", q("pk = :p AND sk > :a AND sk < :b", `":a":{"S":"1"},":b":{"S":"5"}`), VE,
			"Invalid KeyConditionExpression: KeyConditionExpressions must only contain one condition per key"},
		{"too many conditions", "Query", q("pk = :p AND sk > :a AND extra = :b", `":a":{"S":"1"},":b":{"S":"5"}`), VE,
			"The number of query conditions (3) exceeds the number of key attributes defined in the schema (2)"},
	})
}

// TestKeyConditionCheckOrder: a key condition's clauses are checked in the
// order written, and operand types before the table is looked up.
func TestKeyConditionCheckOrder(t *testing.T) {
	srv := startServer(t, ddb.Options{})
	createTable(t, srv.client(), "kco")
	const (
		VE      = "ValidationException"
		operand = "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"
		undef   = "Invalid KeyConditionExpression: An expression attribute value used in expression is not defined; attribute value: :missing"
	)
	q := func(table, kce, vals string) string {
		return `{"TableName":"` + table + `","KeyConditionExpression":"` + kce + `","ExpressionAttributeValues":{` + vals + `}}`
	}
	runRaw(t, srv, []rawCase{
		{"undefined first", "Query", q("kco", "pk = :missing AND begins_with(sk, :n)", `":n":{"N":"1"}`), VE, undef},
		{"operand first", "Query", q("kco", "begins_with(sk, :n) AND pk = :missing", `":n":{"N":"1"}`), VE, operand},
		{"operand before a missing table", "Query", q("absent", "pk = :p AND begins_with(sk, :n)", `":p":{"S":"q"},":n":{"N":"1"}`), VE, operand},
		{"ordering operand before a missing table", "Query", q("absent", "pk = :p AND sk < :n", `":p":{"S":"q"},":n":{"BOOL":true}`), VE,
			"Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: <, operand type: BOOL"},
		{"missing table", "Query", q("absent", "pk = :p AND begins_with(sk, :s)", `":p":{"S":"q"},":s":{"S":"a"}`), "ResourceNotFoundException", "Requested resource not found"},
		{"start key in another partition", "Query", `{"TableName":"kco","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"a"}},"ExclusiveStartKey":{"pk":{"S":"b"},"sk":{"S":"a"}}}`, VE,
			"The provided starting key is outside query boundaries based on provided conditions"},
		{"start key outside the sort key condition", "Query", `{"TableName":"kco","KeyConditionExpression":"pk = :p AND sk > :p","ExpressionAttributeValues":{":p":{"S":"b"}},"ExclusiveStartKey":{"pk":{"S":"b"},"sk":{"S":"a"}}}`, VE,
			"The provided starting key does not match the range key predicate"},
		{"start key in another partition with a sort key condition", "Query", `{"TableName":"kco","KeyConditionExpression":"pk = :p AND sk > :s","ExpressionAttributeValues":{":p":{"S":"b"},":s":{"S":"a"}},"ExclusiveStartKey":{"pk":{"S":"c"},"sk":{"S":"b"}}}`, VE,
			"The query can return at most one row and cannot be restarted"},
		{"start key inside", "Query", `{"TableName":"kco","KeyConditionExpression":"pk = :p AND sk > :s","ExpressionAttributeValues":{":p":{"S":"b"},":s":{"S":"a"}},"ExclusiveStartKey":{"pk":{"S":"b"},"sk":{"S":"b"}}}`, "", ""},
	})
}

// TestTagRules covers TagResource and UntagResource validation.
func TestTagRules(t *testing.T) {
	srv := startServer(t, ddb.Options{})
	if err := createTable2(srv.client(), "tagged"); err != nil {
		t.Fatal(err)
	}
	const (
		VE  = "ValidationException"
		arn = "arn:aws:dynamodb:us-east-1:000000000000:table/tagged"
	)
	many := make([]string, 51)
	for i := range many {
		many[i] = `{"Key":"k` + strings.Repeat("x", i) + `","Value":"v"}`
	}
	runRaw(t, srv, []rawCase{
		{"no tags", "TagResource", `{"ResourceArn":"` + arn + `","Tags":[]}`, VE, "Atleast one Tag needs to be provided as Input."},
		{"no tags on a missing table", "TagResource", `{"ResourceArn":"arn:aws:dynamodb:us-east-1:000000000000:table/absent","Tags":[]}`, VE, "Atleast one Tag needs to be provided as Input."},
		{"reserved prefix", "TagResource", `{"ResourceArn":"` + arn + `","Tags":[{"Key":"aws:x","Value":"v"}]}`, VE, "Tag Key cannot be prefixed with aws:, Key: aws:x"},
		{"duplicate keys", "TagResource", `{"ResourceArn":"` + arn + `","Tags":[{"Key":"a","Value":"1"},{"Key":"a","Value":"2"}]}`, VE, "Duplicate Tag Keys provided as input: Duplicate Tag Key found a"},
		{"too many", "TagResource", `{"ResourceArn":"` + arn + `","Tags":[` + strings.Join(many, ",") + `]}`, VE, "Number of Tags exceed the current limit for the provided ResourceArn"},
		{"empty key", "TagResource", `{"ResourceArn":"` + arn + `","Tags":[{"Key":"","Value":"v"}]}`, VE,
			"1 validation error detected: Value '' at 'tags.1.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"index arn", "ListTagsOfResource", `{"ResourceArn":"` + arn + `/index/gsi"}`, VE,
			"One or more parameter values were invalid: Invalid resource arn provided, only table or stream is accepted. Provided resource arn: " + arn + "/index/gsi"},
		{"no keys to remove", "UntagResource", `{"ResourceArn":"` + arn + `","TagKeys":[]}`, VE, "Atleast one Tag Key needs to be provided as Input."},
		{"missing table", "TagResource", `{"ResourceArn":"arn:aws:dynamodb:us-east-1:000000000000:table/absent","Tags":[{"Key":"a","Value":"b"}]}`, "ResourceNotFoundException",
			"Requested resource not found: ResourcArn: arn:aws:dynamodb:us-east-1:000000000000:table/absent not found"},
		{"tag", "TagResource", `{"ResourceArn":"` + arn + `","Tags":[{"Key":"a","Value":"1"}]}`, "", ""},
		{"reserved prefix at creation", "CreateTable", `{"TableName":"tagged2","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"Tags":[{"Key":"aws:x","Value":"v"}]}`, VE,
			"Tag Key cannot be prefixed with aws:, Key: aws:x"},
		{"duplicate attribute definitions", "CreateTable", `{"TableName":"tagged3","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"pk","AttributeType":"N"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}]}`, VE,
			"Attribute Name is duplicated: pk"},
	})
}

// TestTableNameMembers: members with a three-character minimum report the
// pattern and the length constraint together.
func TestTableNameMembers(t *testing.T) {
	srv := startServer(t, ddb.Options{})
	const VE = "ValidationException"
	runRaw(t, srv, []rawCase{
		{"empty start name", "ListTables", `{"ExclusiveStartTableName":""}`, VE,
			"2 validation errors detected: Value '' at 'exclusiveStartTableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; " +
				"Value '' at 'exclusiveStartTableName' failed to satisfy constraint: Member must have length greater than or equal to 3"},
		{"short start name and high limit", "ListTables", `{"ExclusiveStartTableName":"a;","Limit":500}`, VE,
			"3 validation errors detected: Value 'a;' at 'exclusiveStartTableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; " +
				"Value 'a;' at 'exclusiveStartTableName' failed to satisfy constraint: Member must have length greater than or equal to 3; " +
				"Value '500' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100"},
		{"create with a short bad name", "CreateTable", `{"TableName":"x!","AttributeDefinitions":[],"KeySchema":[]}`, VE,
			"2 validation errors detected: Value 'x!' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; " +
				"Value 'x!' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3"},
		{"data plane bad name", "GetItem", `{"TableName":"x!","Key":{"pk":{"S":"a"}}}`, VE,
			"1 validation error detected: Value 'x!' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"},
	})
}
