package dynamodb_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	ddb "github.com/nimbus-dev/nimbus/internal/dynamodb"
)

func seed(t *testing.T, c *dynamodb.Client, table string, count int) {
	t.Helper()
	for i := range count {
		must[*dynamodb.PutItemOutput](t)(c.PutItem(bg, &dynamodb.PutItemInput{TableName: aws.String(table),
			Item: map[string]types.AttributeValue{"pk": s("p"), "sk": s(fmt.Sprintf("%03d", i)), "g": s(fmt.Sprint("g", i%2)),
				"l": n(fmt.Sprint(-i)), "v": n(fmt.Sprint(i))}}))
	}
}

func TestQuery(t *testing.T) {
	c := startServer(t, ddb.Options{}).client()
	createTable(t, c, "qry")
	seed(t, c, "qry", 10)
	vals := func(kv ...string) map[string]types.AttributeValue {
		m := map[string]types.AttributeValue{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = s(kv[i+1])
		}
		return m
	}
	sks := func(items []map[string]types.AttributeValue) string {
		var out []string
		for _, it := range items {
			out = append(out, it["sk"].(*types.AttributeValueMemberS).Value)
		}
		return strings.Join(out, ",")
	}
	cases := []struct {
		name string
		in   dynamodb.QueryInput
		want string
	}{
		{"all", dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: vals(":p", "p")}, "000,001,002,003,004,005,006,007,008,009"},
		{"between", dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p AND sk BETWEEN :a AND :b"), ExpressionAttributeValues: vals(":p", "p", ":a", "002", ":b", "004")}, "002,003,004"},
		{"lt", dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p AND sk < :a"), ExpressionAttributeValues: vals(":p", "p", ":a", "002")}, "000,001"},
		{"le", dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p AND sk <= :a"), ExpressionAttributeValues: vals(":p", "p", ":a", "002")}, "000,001,002"},
		{"gt", dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p AND sk > :a"), ExpressionAttributeValues: vals(":p", "p", ":a", "007")}, "008,009"},
		{"ge", dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p AND sk >= :a"), ExpressionAttributeValues: vals(":p", "p", ":a", "008")}, "008,009"},
		{"reversed operand", dynamodb.QueryInput{KeyConditionExpression: aws.String("(pk = :p) AND :a <= sk"), ExpressionAttributeValues: vals(":p", "p", ":a", "008")}, "008,009"},
		{"eq", dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p AND sk = :a"), ExpressionAttributeValues: vals(":p", "p", ":a", "005")}, "005"},
		{"begins_with", dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p AND begins_with(sk, :a)"), ExpressionAttributeValues: vals(":p", "p", ":a", "00")}, "000,001,002,003,004,005,006,007,008,009"},
		{"reverse limit", dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: vals(":p", "p"), ScanIndexForward: aws.Bool(false), Limit: aws.Int32(3)}, "009,008,007"},
		{"filter", dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), FilterExpression: aws.String("g = :g"), ExpressionAttributeValues: vals(":p", "p", ":g", "g1")}, "001,003,005,007,009"},
		{"gsi", dynamodb.QueryInput{IndexName: aws.String("gsi"), KeyConditionExpression: aws.String("g = :g AND sk > :s"), ExpressionAttributeValues: vals(":g", "g0", ":s", "004")}, "006,008"},
		{"lsi numeric order", dynamodb.QueryInput{IndexName: aws.String("lsi"), KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: vals(":p", "p"), Limit: aws.Int32(3)}, "009,008,007"},
		{"legacy", dynamodb.QueryInput{KeyConditions: map[string]types.Condition{"pk": {ComparisonOperator: types.ComparisonOperatorEq, AttributeValueList: []types.AttributeValue{s("p")}},
			"sk": {ComparisonOperator: types.ComparisonOperatorBeginsWith, AttributeValueList: []types.AttributeValue{s("00")}}},
			QueryFilter: map[string]types.Condition{"v": {ComparisonOperator: types.ComparisonOperatorGe, AttributeValueList: []types.AttributeValue{n("8")}}}}, "008,009"},
	}
	for _, cs := range cases {
		t.Run(cs.name, func(t *testing.T) {
			in := cs.in
			in.TableName = aws.String("qry")
			out := must[*dynamodb.QueryOutput](t)(c.Query(bg, &in))
			if got := sks(out.Items); got != cs.want {
				t.Errorf("got %s want %s", got, cs.want)
			}
		})
	}
	// Pagination with a limit walks every item once.
	p := dynamodb.NewQueryPaginator(c, &dynamodb.QueryInput{TableName: aws.String("qry"), KeyConditionExpression: aws.String("pk = :p"),
		ExpressionAttributeValues: vals(":p", "p"), Limit: aws.Int32(4)})
	var all []map[string]types.AttributeValue
	for p.HasMorePages() {
		all = append(all, must[*dynamodb.QueryOutput](t)(p.NextPage(bg)).Items...)
	}
	if len(all) != 10 {
		t.Errorf("paginated %d items", len(all))
	}
	cnt := must[*dynamodb.QueryOutput](t)(c.Query(bg, &dynamodb.QueryInput{TableName: aws.String("qry"), KeyConditionExpression: aws.String("pk = :p"),
		ExpressionAttributeValues: vals(":p", "p"), Select: types.SelectCount}))
	if cnt.Count != 10 || cnt.Items != nil {
		t.Errorf("COUNT = %d items %v", cnt.Count, cnt.Items)
	}
	errCases := []struct {
		in  dynamodb.QueryInput
		msg string
	}{
		{dynamodb.QueryInput{KeyConditionExpression: aws.String("sk = :v"), ExpressionAttributeValues: vals(":v", "x")}, "Query condition missed key schema element: pk"},
		{dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :v OR sk = :v"), ExpressionAttributeValues: vals(":v", "x")}, "Invalid operator used in KeyConditionExpression: OR"},
		{dynamodb.QueryInput{KeyConditionExpression: aws.String("pk < :v"), ExpressionAttributeValues: vals(":v", "x")}, "Query key condition not supported"},
		{dynamodb.QueryInput{KeyConditionExpression: aws.String("")}, "Invalid KeyConditionExpression: The expression can not be empty;"},
		{dynamodb.QueryInput{IndexName: aws.String("gsi"), ConsistentRead: aws.Bool(true), KeyConditionExpression: aws.String("g = :v"), ExpressionAttributeValues: vals(":v", "x")}, "Consistent reads are not supported on global secondary indexes"},
		{dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :v"), ExpressionAttributeValues: vals(":v", "x"), Limit: aws.Int32(0)}, "1 validation error detected: Value at 'Limit' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), FilterExpression: aws.String("#missing = :p"), ExpressionAttributeValues: vals(":p", "x")}, "Invalid FilterExpression: An expression attribute name used in the document path is not defined; attribute name: #missing"},
		{dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p AND sk.foo = :p"), ExpressionAttributeValues: vals(":p", "x")}, "KeyConditionExpressions cannot have conditions on nested attributes"},
		{dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: vals(":p", "p"),
			ExclusiveStartKey: map[string]types.AttributeValue{"pk": s("other"), "sk": s("001")}}, "The provided starting key is outside query boundaries based on provided conditions"},
		{dynamodb.QueryInput{}, "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request."},
	}
	for i, ec := range errCases {
		t.Run(fmt.Sprint("error", i), func(t *testing.T) {
			in := ec.in
			in.TableName = aws.String("qry")
			_, err := c.Query(bg, &in)
			apiErr(t, err, "ValidationException", ec.msg)
		})
	}
}

func TestScan(t *testing.T) {
	c := startServer(t, ddb.Options{}).client()
	createTable(t, c, "scn")
	seed(t, c, "scn", 25)
	total := 0
	for seg := range 3 {
		p := dynamodb.NewScanPaginator(c, &dynamodb.ScanInput{TableName: aws.String("scn"), Segment: aws.Int32(int32(seg)), TotalSegments: aws.Int32(3), Limit: aws.Int32(4)})
		for p.HasMorePages() {
			total += len(must[*dynamodb.ScanOutput](t)(p.NextPage(bg)).Items)
		}
	}
	if total != 25 {
		t.Errorf("parallel scan saw %d items", total)
	}
	out := must[*dynamodb.ScanOutput](t)(c.Scan(bg, &dynamodb.ScanInput{TableName: aws.String("scn"), FilterExpression: aws.String("v >= :n"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":n": n("20")}, ProjectionExpression: aws.String("v")}))
	if out.Count != 5 || out.ScannedCount != 25 || len(out.Items[0]) != 1 {
		t.Errorf("filtered scan count %d scanned %d items %v", out.Count, out.ScannedCount, out.Items)
	}
	_, err := c.Scan(bg, &dynamodb.ScanInput{TableName: aws.String("scn"), Segment: aws.Int32(3), TotalSegments: aws.Int32(3)})
	apiErr(t, err, "ValidationException", "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 3 is not less than TotalSegments: 3")
}

func TestPageLimit(t *testing.T) {
	c := startServer(t, ddb.Options{}).client()
	createTable(t, c, "big")
	pad := strings.Repeat("x", 100*1024)
	for i := range 15 {
		must[*dynamodb.PutItemOutput](t)(c.PutItem(bg, &dynamodb.PutItemInput{TableName: aws.String("big"),
			Item: map[string]types.AttributeValue{"pk": s("p"), "sk": s(fmt.Sprintf("%03d", i)), "pad": s(pad)}}))
	}
	out := must[*dynamodb.ScanOutput](t)(c.Scan(bg, &dynamodb.ScanInput{TableName: aws.String("big")}))
	if len(out.Items) != 11 || out.LastEvaluatedKey == nil {
		t.Errorf("1 MB page returned %d items, LastEvaluatedKey %v", len(out.Items), out.LastEvaluatedKey)
	}
}
