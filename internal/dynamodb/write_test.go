package dynamodb_test

import (
	"bytes"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	ddb "github.com/nimbus-dev/nimbus/internal/dynamodb"
)

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": s(pk), "sk": s(sk)}
}

func TestUpdateItem(t *testing.T) {
	c := startServer(t, ddb.Options{}).client()
	createTable(t, c, "upd")
	tn := aws.String("upd")
	out := must[*dynamodb.UpdateItemOutput](t)(c.UpdateItem(bg, &dynamodb.UpdateItemInput{TableName: tn, Key: key("a", "1"),
		UpdateExpression:          aws.String("SET #c = if_not_exists(#c, :zero) + :one, tags = list_append(if_not_exists(tags, :empty), :t) ADD seen :set"),
		ExpressionAttributeNames:  map[string]string{"#c": "count"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":zero": n("0"), ":one": n("1"), ":empty": &types.AttributeValueMemberL{}, ":t": &types.AttributeValueMemberL{Value: []types.AttributeValue{s("x")}}, ":set": &types.AttributeValueMemberSS{Value: []string{"u1"}}},
		ReturnValues:              types.ReturnValueAllNew}))
	if out.Attributes["count"].(*types.AttributeValueMemberN).Value != "1" || len(out.Attributes["tags"].(*types.AttributeValueMemberL).Value) != 1 {
		t.Errorf("ALL_NEW = %v", out.Attributes)
	}
	out = must[*dynamodb.UpdateItemOutput](t)(c.UpdateItem(bg, &dynamodb.UpdateItemInput{TableName: tn, Key: key("a", "1"),
		UpdateExpression: aws.String("SET #c = #c + :one REMOVE tags[0] DELETE seen :set"), ConditionExpression: aws.String("#c = :one"),
		ExpressionAttributeNames:  map[string]string{"#c": "count"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": n("1"), ":set": &types.AttributeValueMemberSS{Value: []string{"u1"}}},
		ReturnValues:              types.ReturnValueUpdatedOld}))
	if out.Attributes["count"].(*types.AttributeValueMemberN).Value != "1" || out.Attributes["seen"] == nil {
		t.Errorf("UPDATED_OLD = %v", out.Attributes)
	}
	got := must[*dynamodb.GetItemOutput](t)(c.GetItem(bg, &dynamodb.GetItemInput{TableName: tn, Key: key("a", "1")}))
	if got.Item["count"].(*types.AttributeValueMemberN).Value != "2" || got.Item["seen"] != nil || len(got.Item["tags"].(*types.AttributeValueMemberL).Value) != 0 {
		t.Errorf("after update: %v", got.Item)
	}
	_, err := c.UpdateItem(bg, &dynamodb.UpdateItemInput{TableName: tn, Key: key("a", "1"), UpdateExpression: aws.String("SET pk = :v"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":v": s("z")}})
	apiErr(t, err, "ValidationException", "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key")
	_, err = c.UpdateItem(bg, &dynamodb.UpdateItemInput{TableName: tn, Key: key("a", "1"), UpdateExpression: aws.String("SET x = :v")})
	apiErr(t, err, "ValidationException", "1 validation error detected: Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :v")
	_, err = c.UpdateItem(bg, &dynamodb.UpdateItemInput{TableName: tn, Key: key("a", "1"), UpdateExpression: aws.String("SET x = pk + :v"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":v": n("1")}})
	apiErr(t, err, "ValidationException", "An operand in the update expression has an incorrect data type")
	_, err = c.UpdateItem(bg, &dynamodb.UpdateItemInput{TableName: tn, Key: key("a", "1"), UpdateExpression: aws.String("SET n = :a + :b"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":a": n("9.9e125"), ":b": n("9.9e125")}})
	apiErr(t, err, "ValidationException", "Number overflow. Attempting to store a number with magnitude larger than supported range")
	// Errors that depend on the item are not prefixed.
	_, err = c.UpdateItem(bg, &dynamodb.UpdateItemInput{TableName: tn, Key: key("a", "1"), UpdateExpression: aws.String("SET nothere.x = :v"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":v": n("1")}})
	apiErr(t, err, "ValidationException", "The document path provided in the update expression is invalid for update")
	_, err = c.UpdateItem(bg, &dynamodb.UpdateItemInput{TableName: tn, Key: key("a", "1"), UpdateExpression: aws.String("SET x = nothere + :v"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":v": n("1")}})
	apiErr(t, err, "ValidationException", "The provided expression refers to an attribute that does not exist in the item")
	// Legacy AttributeUpdates and Expected.
	must[*dynamodb.UpdateItemOutput](t)(c.UpdateItem(bg, &dynamodb.UpdateItemInput{TableName: tn, Key: key("a", "1"),
		AttributeUpdates: map[string]types.AttributeValueUpdate{"count": {Action: types.AttributeActionAdd, Value: n("5")}, "g": {Action: types.AttributeActionPut, Value: s("gg")}},
		Expected:         map[string]types.ExpectedAttributeValue{"count": {Value: n("2")}}}))
	got = must[*dynamodb.GetItemOutput](t)(c.GetItem(bg, &dynamodb.GetItemInput{TableName: tn, Key: key("a", "1"), AttributesToGet: []string{"count", "g"}}))
	if len(got.Item) != 2 || got.Item["count"].(*types.AttributeValueMemberN).Value != "7" {
		t.Errorf("legacy update: %v", got.Item)
	}
	// The GSI follows updates.
	q := must[*dynamodb.QueryOutput](t)(c.Query(bg, &dynamodb.QueryInput{TableName: tn, IndexName: aws.String("gsi"), KeyConditionExpression: aws.String("g = :g"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":g": s("gg")}}))
	if q.Count != 1 {
		t.Errorf("GSI after update: %d", q.Count)
	}
}

func TestBatchOperations(t *testing.T) {
	c := startServer(t, ddb.Options{}).client()
	createTable(t, c, "bat")
	var reqs []types.WriteRequest
	for i := range 25 {
		reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: map[string]types.AttributeValue{"pk": s("b"), "sk": s(fmt.Sprint(i))}}})
	}
	bw := must[*dynamodb.BatchWriteItemOutput](t)(c.BatchWriteItem(bg, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{"bat": reqs},
		ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal}))
	if len(bw.UnprocessedItems) != 0 || len(bw.ConsumedCapacity) != 1 || *bw.ConsumedCapacity[0].CapacityUnits != 25 {
		t.Errorf("BatchWrite = %+v", bw)
	}
	_, err := c.BatchWriteItem(bg, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{"bat": append(reqs, reqs[0])}})
	apiErr(t, err, "ValidationException", "")
	var keys []map[string]types.AttributeValue
	for i := range 30 {
		keys = append(keys, key("b", fmt.Sprint(i)))
	}
	bg2 := must[*dynamodb.BatchGetItemOutput](t)(c.BatchGetItem(bg, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{"bat": {Keys: keys, ProjectionExpression: aws.String("sk")}}}))
	if len(bg2.Responses["bat"]) != 25 || len(bg2.Responses["bat"][0]) != 1 {
		t.Errorf("BatchGet = %d items", len(bg2.Responses["bat"]))
	}
	_, err = c.BatchGetItem(bg, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{"bat": {Keys: []map[string]types.AttributeValue{key("b", "1"), key("b", "1")}}}})
	apiErr(t, err, "ValidationException", "Provided list of item keys contains duplicates")
	del := []types.WriteRequest{{DeleteRequest: &types.DeleteRequest{Key: key("b", "1")}}}
	must[*dynamodb.BatchWriteItemOutput](t)(c.BatchWriteItem(bg, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{"bat": del}}))
	d := must[*dynamodb.DescribeTableOutput](t)(c.DescribeTable(bg, &dynamodb.DescribeTableInput{TableName: aws.String("bat")}))
	if *d.Table.ItemCount != 24 {
		t.Errorf("ItemCount = %d", *d.Table.ItemCount)
	}
}

func TestTransactions(t *testing.T) {
	c := startServer(t, ddb.Options{}).client()
	createTable(t, c, "txn")
	tn := aws.String("txn")
	must[*dynamodb.PutItemOutput](t)(c.PutItem(bg, &dynamodb.PutItemInput{TableName: tn, Item: map[string]types.AttributeValue{"pk": s("t"), "sk": s("exists"), "v": n("1")}}))
	ok := &dynamodb.TransactWriteItemsInput{ClientRequestToken: aws.String("tok-1"), TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: tn, Item: map[string]types.AttributeValue{"pk": s("t"), "sk": s("new")}, ConditionExpression: aws.String("attribute_not_exists(pk)")}},
		{Update: &types.Update{TableName: tn, Key: key("t", "exists"), UpdateExpression: aws.String("SET v = v + :one"), ExpressionAttributeValues: map[string]types.AttributeValue{":one": n("1")}}},
		{ConditionCheck: &types.ConditionCheck{TableName: tn, Key: key("t", "nothere"), ConditionExpression: aws.String("attribute_not_exists(pk)")}},
	}}
	must[*dynamodb.TransactWriteItemsOutput](t)(c.TransactWriteItems(bg, ok))
	// Same token, same request: not applied twice.
	must[*dynamodb.TransactWriteItemsOutput](t)(c.TransactWriteItems(bg, ok))
	got := must[*dynamodb.TransactGetItemsOutput](t)(c.TransactGetItems(bg, &dynamodb.TransactGetItemsInput{TransactItems: []types.TransactGetItem{
		{Get: &types.Get{TableName: tn, Key: key("t", "exists")}}, {Get: &types.Get{TableName: tn, Key: key("t", "new")}}, {Get: &types.Get{TableName: tn, Key: key("t", "none")}},
	}}))
	if got.Responses[0].Item["v"].(*types.AttributeValueMemberN).Value != "2" || got.Responses[1].Item == nil || got.Responses[2].Item != nil {
		t.Errorf("TransactGet = %+v", got.Responses)
	}
	ok.TransactItems = ok.TransactItems[:1]
	_, err := c.TransactWriteItems(bg, ok)
	apiErr(t, err, "IdempotentParameterMismatchException", "")
	_, err = c.TransactWriteItems(bg, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Delete: &types.Delete{TableName: tn, Key: key("t", "exists")}},
		{Put: &types.Put{TableName: tn, Item: map[string]types.AttributeValue{"pk": s("t"), "sk": s("new")}, ConditionExpression: aws.String("attribute_not_exists(pk)"),
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld}},
	}})
	apiErr(t, err, "TransactionCanceledException", "Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]")
	var tce *types.TransactionCanceledException
	if !asErr(err, &tce) || len(tce.CancellationReasons) != 2 || *tce.CancellationReasons[1].Code != "ConditionalCheckFailed" || tce.CancellationReasons[1].Item == nil {
		t.Errorf("CancellationReasons = %+v", tce)
	}
	// Nothing of the cancelled transaction was applied.
	g := must[*dynamodb.GetItemOutput](t)(c.GetItem(bg, &dynamodb.GetItemInput{TableName: tn, Key: key("t", "exists")}))
	if g.Item == nil {
		t.Error("cancelled transaction deleted an item")
	}
	_, err = c.TransactWriteItems(bg, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Delete: &types.Delete{TableName: tn, Key: key("t", "exists")}}, {Delete: &types.Delete{TableName: tn, Key: key("t", "exists")}},
	}})
	apiErr(t, err, "ValidationException", "Transaction request cannot include multiple operations on one item")
	var many []types.TransactWriteItem
	for i := range 101 {
		many = append(many, types.TransactWriteItem{Delete: &types.Delete{TableName: tn, Key: key("t", fmt.Sprint(i))}})
	}
	_, err = c.TransactWriteItems(bg, &dynamodb.TransactWriteItemsInput{TransactItems: many})
	apiErr(t, err, "ValidationException", "")
	must[*dynamodb.TransactWriteItemsOutput](t)(c.TransactWriteItems(bg, &dynamodb.TransactWriteItemsInput{TransactItems: many[:100]}))
}

func TestConcurrentCounters(t *testing.T) {
	c := startServer(t, ddb.Options{}).client()
	createTable(t, c, "ctr")
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				if _, err := c.UpdateItem(bg, &dynamodb.UpdateItemInput{TableName: aws.String("ctr"), Key: key("c", "c"),
					UpdateExpression: aws.String("ADD v :one"), ExpressionAttributeValues: map[string]types.AttributeValue{":one": n("1")}}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	g := must[*dynamodb.GetItemOutput](t)(c.GetItem(bg, &dynamodb.GetItemInput{TableName: aws.String("ctr"), Key: key("c", "c")}))
	if v := g.Item["v"].(*types.AttributeValueMemberN).Value; v != "160" {
		t.Errorf("counter = %s, want 160", v)
	}
}

func TestTTLSweeper(t *testing.T) {
	srv := startServer(t, ddb.Options{TTLInterval: 20 * time.Millisecond})
	c := srv.client()
	createTable(t, c, "ttl")
	past := strconv.FormatInt(time.Now().Add(-time.Minute).Unix(), 10)
	future := strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10)
	must[*dynamodb.PutItemOutput](t)(c.PutItem(bg, &dynamodb.PutItemInput{TableName: aws.String("ttl"), Item: map[string]types.AttributeValue{"pk": s("x"), "sk": s("old"), "exp": n(past)}}))
	must[*dynamodb.UpdateTimeToLiveOutput](t)(c.UpdateTimeToLive(bg, &dynamodb.UpdateTimeToLiveInput{TableName: aws.String("ttl"),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String("exp"), Enabled: aws.Bool(true)}}))
	must[*dynamodb.PutItemOutput](t)(c.PutItem(bg, &dynamodb.PutItemInput{TableName: aws.String("ttl"), Item: map[string]types.AttributeValue{"pk": s("x"), "sk": s("new"), "exp": n(past)}}))
	must[*dynamodb.PutItemOutput](t)(c.PutItem(bg, &dynamodb.PutItemInput{TableName: aws.String("ttl"), Item: map[string]types.AttributeValue{"pk": s("x"), "sk": s("keep"), "exp": n(future)}}))
	deadline := time.Now().Add(5 * time.Second)
	for {
		out := must[*dynamodb.ScanOutput](t)(c.Scan(bg, &dynamodb.ScanInput{TableName: aws.String("ttl")}))
		if out.Count == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("expired items not swept: %d left", out.Count)
		}
		time.Sleep(20 * time.Millisecond)
	}
	_, err := c.UpdateTimeToLive(bg, &dynamodb.UpdateTimeToLiveInput{TableName: aws.String("ttl"),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String("exp"), Enabled: aws.Bool(true)}})
	apiErr(t, err, "ValidationException", "TimeToLive is already enabled")
}

func TestWireProtocol(t *testing.T) {
	srv := startServer(t, ddb.Options{})
	post := func(target, body string) (*http.Response, string) {
		req, _ := http.NewRequest("POST", srv.url+"/", strings.NewReader(body))
		req.Header.Set("X-Amz-Target", target)
		signLikeAnSDK(req)
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(b)
	}
	resp, body := post("DynamoDB_20120810.ListTables", "{}")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/x-amz-json-1.0" || len(resp.Header.Get("x-amzn-RequestId")) != 52 {
		t.Errorf("headers %v", resp.Header)
	}
	if crc := resp.Header.Get("x-amz-crc32"); crc != strconv.FormatUint(uint64(crc32.ChecksumIEEE([]byte(body))), 10) {
		t.Errorf("crc32 %s for %s", crc, body)
	}
	if body != `{"TableNames":[]}` {
		t.Errorf("body %s", body)
	}
	cases := []struct{ target, body, want string }{
		{"DynamoDB_20120810.Nope", "{}", `{"__type":"com.amazon.coral.service#UnknownOperationException"}`},
		{"DynamoDB_20120810.ListTables", "{not json", `{"__type":"com.amazon.coral.service#SerializationException"}`},
		{"DynamoDB_20120810.GetItem", `{"TableName":"abc","Key":{"k":{}}}`, `{"__type":"com.amazon.coral.validate#ValidationException","message":"Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"}`},
		{"DynamoDB_20120810.DescribeTable", `{"TableName":"abc"}`, `{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found: Table: abc not found"}`},
		{"DynamoDB_20120810.PutItem", `{"Item":{}}`, `{"__type":"com.amazon.coral.validate#ValidationException","message":"1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null"}`},
	}
	for _, cs := range cases {
		resp, body := post(cs.target, cs.body)
		if resp.StatusCode != 400 || body != cs.want {
			t.Errorf("%s %s: %d %s\nwant %s", cs.target, cs.body, resp.StatusCode, body, cs.want)
		}
	}
}

func TestClientRequestTokenWindow(t *testing.T) {
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	c := startServer(t, ddb.Options{Now: clock}).client()
	createTable(t, c, "tok")
	tx := func(val string) error {
		_, err := c.TransactWriteItems(bg, &dynamodb.TransactWriteItemsInput{ClientRequestToken: aws.String("same-token"), TransactItems: []types.TransactWriteItem{
			{Put: &types.Put{TableName: aws.String("tok"), Item: map[string]types.AttributeValue{"pk": s("k"), "sk": s("k"), "v": s(val)}}}}})
		return err
	}
	if err := tx("a"); err != nil {
		t.Fatal(err)
	}
	apiErr(t, tx("b"), "IdempotentParameterMismatchException", "")
	mu.Lock()
	now = now.Add(11 * time.Minute)
	mu.Unlock()
	if err := tx("b"); err != nil {
		t.Fatalf("token reuse after 10 minutes: %v", err)
	}
	g := must[*dynamodb.GetItemOutput](t)(c.GetItem(bg, &dynamodb.GetItemInput{TableName: aws.String("tok"), Key: key("k", "k")}))
	if g.Item["v"].(*types.AttributeValueMemberS).Value != "b" {
		t.Errorf("item = %v", g.Item)
	}
}

// TestIndexBackfillUnderWrites adds a GSI while writers run: afterwards the
// index holds exactly the items that carry its key.
func TestIndexBackfillUnderWrites(t *testing.T) {
	c := startServer(t, ddb.Options{}).client()
	if err := createTable2(c, "backfill"); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				item := map[string]types.AttributeValue{"pk": s(fmt.Sprintf("w%d-%d", w, i%50)), "g": s(fmt.Sprint("g", i%3))}
				if i%4 == 0 {
					delete(item, "g") // sparse: some items leave the index
				}
				if _, err := c.PutItem(bg, &dynamodb.PutItemInput{TableName: aws.String("backfill"), Item: item}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	time.Sleep(50 * time.Millisecond)
	must[*dynamodb.UpdateTableOutput](t)(c.UpdateTable(bg, &dynamodb.UpdateTableInput{TableName: aws.String("backfill"),
		AttributeDefinitions: []types.AttributeDefinition{ad("g", "S")},
		GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{Create: &types.CreateGlobalSecondaryIndexAction{
			IndexName: aws.String("byG"), KeySchema: []types.KeySchemaElement{ks("g", "HASH")},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeKeysOnly}}}}}))
	time.Sleep(50 * time.Millisecond)
	close(stop)
	wg.Wait()
	withG := 0
	p := dynamodb.NewScanPaginator(c, &dynamodb.ScanInput{TableName: aws.String("backfill")})
	for p.HasMorePages() {
		for _, it := range must[*dynamodb.ScanOutput](t)(p.NextPage(bg)).Items {
			if it["g"] != nil {
				withG++
			}
		}
	}
	idx := 0
	ip := dynamodb.NewScanPaginator(c, &dynamodb.ScanInput{TableName: aws.String("backfill"), IndexName: aws.String("byG")})
	for ip.HasMorePages() {
		idx += len(must[*dynamodb.ScanOutput](t)(ip.NextPage(bg)).Items)
	}
	if idx != withG || withG == 0 {
		t.Errorf("index has %d entries, table has %d items with the key", idx, withG)
	}
}

// TestNestingLimit: 31 levels of maps and lists are stored, 32 refused, on
// every write path.
func TestNestingLimit(t *testing.T) {
	c := startServer(t, ddb.Options{}).client()
	if err := createTable2(c, "nest"); err != nil {
		t.Fatal(err)
	}
	wrap := func(levels int) types.AttributeValue {
		var v types.AttributeValue = s("leaf")
		for i := range levels {
			if i%2 == 0 {
				v = &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"a": v}}
			} else {
				v = &types.AttributeValueMemberL{Value: []types.AttributeValue{v}}
			}
		}
		return v
	}
	const msg = "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit"
	if _, err := c.PutItem(bg, &dynamodb.PutItemInput{TableName: aws.String("nest"),
		Item: map[string]types.AttributeValue{"pk": s("ok"), "deep": wrap(31)}}); err != nil {
		t.Fatalf("31 levels: %v", err)
	}
	_, err := c.PutItem(bg, &dynamodb.PutItemInput{TableName: aws.String("nest"),
		Item: map[string]types.AttributeValue{"pk": s("deep"), "deep": wrap(32)}})
	apiErr(t, err, "ValidationException", "1 validation error detected: "+msg)
	_, err = c.UpdateItem(bg, &dynamodb.UpdateItemInput{TableName: aws.String("nest"),
		Key:                       map[string]types.AttributeValue{"pk": s("ok")},
		UpdateExpression:          aws.String("SET deeper = :v"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":v": wrap(32)}})
	apiErr(t, err, "ValidationException", "1 validation error detected: "+msg)
	_, err = c.BatchWriteItem(bg, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{
		"nest": {{PutRequest: &types.PutRequest{Item: map[string]types.AttributeValue{"pk": s("b"), "deep": wrap(32)}}}},
	}})
	apiErr(t, err, "ValidationException", msg)
	_, err = c.TransactWriteItems(bg, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String("nest"), Item: map[string]types.AttributeValue{"pk": s("t"), "deep": wrap(32)}}},
	}})
	if err == nil {
		t.Error("TransactWriteItems stored 32 levels")
	}
}

// TestBodyMustBeUTF8: a body with bytes that are not UTF-8 is refused, not
// stored with replacement characters.
func TestBodyMustBeUTF8(t *testing.T) {
	srv := startServer(t, ddb.Options{})
	if err := createTable2(srv.client(), "utf"); err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"TableName":"utf","Item":{"pk":{"S":"k"},"v":{"S":"` + "\xff\xfe\xc3\x28" + `"}}}`)
	req, _ := http.NewRequest("POST", srv.url, bytes.NewReader(body))
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810.PutItem")
	signLikeAnSDK(req)
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 400 || !strings.Contains(string(out), "SerializationException") {
		t.Errorf("got %d %s, want 400 SerializationException", resp.StatusCode, out)
	}
}

// TestUpdateMissingItem: an update that only removes attributes or set
// elements does not create a missing item; any other update does.
func TestUpdateMissingItem(t *testing.T) {
	c := startServer(t, ddb.Options{}).client()
	createTable(t, c, "upmiss")
	tn := aws.String("upmiss")
	cases := []struct {
		name    string
		in      dynamodb.UpdateItemInput
		created bool
	}{
		{"REMOVE", dynamodb.UpdateItemInput{UpdateExpression: aws.String("REMOVE a")}, false},
		{"DELETE from a set", dynamodb.UpdateItemInput{UpdateExpression: aws.String("DELETE s :v"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":v": &types.AttributeValueMemberSS{Value: []string{"x"}}}}, false},
		{"legacy DELETE", dynamodb.UpdateItemInput{AttributeUpdates: map[string]types.AttributeValueUpdate{"a": {Action: types.AttributeActionDelete}}}, false},
		{"REMOVE and SET", dynamodb.UpdateItemInput{UpdateExpression: aws.String("REMOVE a SET b = :v"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":v": s("x")}}, true},
		{"empty AttributeUpdates", dynamodb.UpdateItemInput{AttributeUpdates: map[string]types.AttributeValueUpdate{}}, true},
		{"no update at all", dynamodb.UpdateItemInput{}, true},
	}
	for i, cs := range cases {
		t.Run(cs.name, func(t *testing.T) {
			in := cs.in
			in.TableName, in.Key, in.ReturnValues = tn, key("p", fmt.Sprint(i)), types.ReturnValueAllNew
			out := must[*dynamodb.UpdateItemOutput](t)(c.UpdateItem(bg, &in))
			got := must[*dynamodb.GetItemOutput](t)(c.GetItem(bg, &dynamodb.GetItemInput{TableName: tn, Key: in.Key}))
			if (got.Item != nil) != cs.created || (out.Attributes != nil) != cs.created {
				t.Errorf("item %v, ALL_NEW %v; want created=%v", got.Item, out.Attributes, cs.created)
			}
		})
	}
	// AttributeUpdates words its type errors as its own.
	must[*dynamodb.PutItemOutput](t)(c.PutItem(bg, &dynamodb.PutItemInput{TableName: tn,
		Item: map[string]types.AttributeValue{"pk": s("t"), "sk": s("t"), "n": n("1"), "ss": &types.AttributeValueMemberSS{Value: []string{"a"}}}}))
	for _, u := range []map[string]types.AttributeValueUpdate{
		{"n": {Action: types.AttributeActionAdd, Value: &types.AttributeValueMemberSS{Value: []string{"x"}}}},
		{"ss": {Action: types.AttributeActionDelete, Value: &types.AttributeValueMemberNS{Value: []string{"1"}}}},
		{"n": {Action: types.AttributeActionAdd, Value: &types.AttributeValueMemberL{}}},
	} {
		_, err := c.UpdateItem(bg, &dynamodb.UpdateItemInput{TableName: tn, Key: key("t", "t"), AttributeUpdates: u})
		apiErr(t, err, "ValidationException", "Type mismatch for attribute to update")
	}
}

// TestUpdateItemStatementSize covers how standalone UpdateItem meters its
// statement: the attributes it writes plus 3 bytes and 19 per SET (2 for a
// one-letter REMOVE), so at a short key the ceiling sits under 400 KB, and
// the finished item is still capped at 409,600 bytes.
func TestUpdateItemStatementSize(t *testing.T) {
	c := startServer(t, ddb.Options{}).client()
	if err := createTable2(c, "usz"); err != nil {
		t.Fatal(err)
	}
	tn := aws.String("usz")
	const max = 409600
	const wording = "Item size to update has exceeded the maximum allowed size"
	// update sets b to padding so that the finished item (key + extra +
	// untouched + b) measures total bytes.
	update := func(pk, expr string, total int, extra, seed map[string]types.AttributeValue, names map[string]string) error {
		itemBytes := len("pk") + len(pk) + len("b")
		for k, v := range extra {
			itemBytes += len(k) + len(v.(*types.AttributeValueMemberS).Value)
		}
		for k, v := range seed {
			itemBytes += len(k) + len(v.(*types.AttributeValueMemberS).Value)
		}
		if seed != nil {
			it := map[string]types.AttributeValue{"pk": s(pk)}
			for k, v := range seed {
				it[k] = v
			}
			must[*dynamodb.PutItemOutput](t)(c.PutItem(bg, &dynamodb.PutItemInput{TableName: tn, Item: it}))
		}
		vals := map[string]types.AttributeValue{":pad": s(strings.Repeat("x", total-itemBytes))}
		for k, v := range extra {
			vals[":"+k] = v
		}
		_, err := c.UpdateItem(bg, &dynamodb.UpdateItemInput{TableName: tn, Key: map[string]types.AttributeValue{"pk": s(pk)},
			UpdateExpression: aws.String(expr), ExpressionAttributeValues: vals, ExpressionAttributeNames: names})
		return err
	}
	cases := []struct {
		name    string
		expr    string
		ceiling int
		extra   map[string]types.AttributeValue
		seed    map[string]types.AttributeValue
		names   map[string]string
		key     string
	}{
		{"one SET at a one-byte key", "SET b = :pad", max - 19, nil, nil, nil, "K"},
		{"a second SET costs 19", "SET b = :pad, c = :c", max - 38, map[string]types.AttributeValue{"c": s("y")}, nil, nil, "K"},
		{"the size of a second value does not move the ceiling", "SET b = :pad, c = :c", max - 38, map[string]types.AttributeValue{"c": s(strings.Repeat("y", 500))}, nil, nil, "K"},
		{"a REMOVE costs 2", "SET b = :pad REMOVE r", max - 21, nil, map[string]types.AttributeValue{"r": s("z")}, nil, "K"},
		{"an untouched attribute buys back its bytes", "SET b = :pad", max - 8, nil, map[string]types.AttributeValue{"u": s(strings.Repeat("y", 10))}, nil, "K"},
		{"an alias costs nothing", "SET #twelvechars = :pad", max - 19, nil, nil, map[string]string{"#twelvechars": "b"}, "K"},
		{"a long key caps the item at 409,600", "SET b = :pad", max, nil, nil, nil, strings.Repeat("k", 100)},
	}
	for i, cs := range cases {
		t.Run(cs.name, func(t *testing.T) {
			key := cs.key
			if len(key) == 1 {
				key = string(rune('A' + 2*i))
			}
			seed := cs.seed
			if cs.seed != nil && cs.seed["r"] != nil {
				// The REMOVE target is seeded but removed, so it is not in
				// the finished item.
				seed = nil
				must[*dynamodb.PutItemOutput](t)(c.PutItem(bg, &dynamodb.PutItemInput{TableName: tn, Item: map[string]types.AttributeValue{"pk": s(key), "r": s("z")}}))
			}
			if err := update(key, cs.expr, cs.ceiling, cs.extra, seed, cs.names); err != nil {
				t.Fatalf("at the ceiling: %v", err)
			}
			over := key + "2"
			if len(cs.key) > 1 {
				over = strings.Repeat("j", len(key))
			}
			if cs.seed != nil && cs.seed["r"] != nil {
				must[*dynamodb.PutItemOutput](t)(c.PutItem(bg, &dynamodb.PutItemInput{TableName: tn, Item: map[string]types.AttributeValue{"pk": s(over), "r": s("z")}}))
			}
			// one byte over, at a key of the same length
			err := update(over[:len(key)], cs.expr, cs.ceiling+1, cs.extra, seed, cs.names)
			apiErr(t, err, "ValidationException", wording)
		})
	}
	// The statement is metered before the condition.
	_, err := c.UpdateItem(bg, &dynamodb.UpdateItemInput{TableName: tn, Key: map[string]types.AttributeValue{"pk": s("Z")},
		UpdateExpression: aws.String("SET b = :pad"), ConditionExpression: aws.String("attribute_exists(pk)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pad": s(strings.Repeat("x", max))}})
	apiErr(t, err, "ValidationException", wording)
}
