package dynamodb_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/nimbus-dev/nimbus/internal/app"
	ddb "github.com/nimbus-dev/nimbus/internal/dynamodb"
	"github.com/nimbus-dev/nimbus/internal/storage"
)

func TestTableLifecycle(t *testing.T) {
	c := startServer(t, ddb.Options{Region: "eu-west-1", AccountID: "123456789012"}).client()
	createTable(t, c, "life")
	apiErr(t, func() error { createTable2(c, "life"); return createTable2(c, "life") }(), "ResourceInUseException", "Table already exists: life")
	for i := range 3 {
		must[*dynamodb.PutItemOutput](t)(c.PutItem(bg, &dynamodb.PutItemInput{TableName: aws.String("life"),
			Item: map[string]types.AttributeValue{"pk": s("p"), "sk": s(fmt.Sprint(i)), "g": s("g")}}))
	}
	d := must[*dynamodb.DescribeTableOutput](t)(c.DescribeTable(bg, &dynamodb.DescribeTableInput{TableName: aws.String("life")})).Table
	if d.TableStatus != types.TableStatusActive || *d.ItemCount != 3 || *d.TableSizeBytes == 0 {
		t.Errorf("status %s count %d size %d", d.TableStatus, *d.ItemCount, *d.TableSizeBytes)
	}
	if *d.TableArn != "arn:aws:dynamodb:eu-west-1:123456789012:table/life" || len(*d.TableId) != 36 || d.CreationDateTime == nil {
		t.Errorf("arn %s id %s", *d.TableArn, *d.TableId)
	}
	if d.BillingModeSummary == nil || d.BillingModeSummary.BillingMode != types.BillingModePayPerRequest {
		t.Errorf("BillingModeSummary = %+v", d.BillingModeSummary)
	}
	if len(d.GlobalSecondaryIndexes) != 1 || d.GlobalSecondaryIndexes[0].IndexStatus != types.IndexStatusActive ||
		*d.GlobalSecondaryIndexes[0].ItemCount != 3 || !strings.HasSuffix(*d.GlobalSecondaryIndexes[0].IndexArn, "/index/gsi") {
		t.Errorf("GSI = %+v", d.GlobalSecondaryIndexes)
	}
	if len(d.LocalSecondaryIndexes) != 1 || *d.LocalSecondaryIndexes[0].ItemCount != 0 {
		t.Errorf("LSI = %+v", d.LocalSecondaryIndexes)
	}
	// The SDK waiter works against an immediately active table.
	w := dynamodb.NewTableExistsWaiter(c)
	if err := w.Wait(bg, &dynamodb.DescribeTableInput{TableName: aws.String("life")}, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	// UpdateTable: add a GSI (backfilled), delete one; one per call.
	create := types.GlobalSecondaryIndexUpdate{Create: &types.CreateGlobalSecondaryIndexAction{IndexName: aws.String("bysk"),
		KeySchema: []types.KeySchemaElement{ks("sk", "HASH")}, Projection: &types.Projection{ProjectionType: types.ProjectionTypeKeysOnly}}}
	del := types.GlobalSecondaryIndexUpdate{Delete: &types.DeleteGlobalSecondaryIndexAction{IndexName: aws.String("gsi")}}
	_, err := c.UpdateTable(bg, &dynamodb.UpdateTableInput{TableName: aws.String("life"), AttributeDefinitions: []types.AttributeDefinition{ad("sk", "S")},
		GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{create, del}})
	apiErr(t, err, "LimitExceededException", "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table")
	up := must[*dynamodb.UpdateTableOutput](t)(c.UpdateTable(bg, &dynamodb.UpdateTableInput{TableName: aws.String("life"),
		AttributeDefinitions: []types.AttributeDefinition{ad("sk", "S")}, GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{create}}))
	if up.TableDescription.TableStatus != types.TableStatusUpdating || len(up.TableDescription.GlobalSecondaryIndexes) != 2 ||
		up.TableDescription.GlobalSecondaryIndexes[1].IndexStatus != types.IndexStatusCreating {
		t.Fatalf("UpdateTable response = %s %+v", up.TableDescription.TableStatus, up.TableDescription.GlobalSecondaryIndexes)
	}
	up = must[*dynamodb.UpdateTableOutput](t)(c.UpdateTable(bg, &dynamodb.UpdateTableInput{TableName: aws.String("life"),
		GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{del}}))
	if gs := up.TableDescription.GlobalSecondaryIndexes; len(gs) != 2 || *gs[1].IndexName != "gsi" || gs[1].IndexStatus != types.IndexStatusDeleting {
		t.Fatalf("UpdateTable response = %+v", gs)
	}
	d = must[*dynamodb.DescribeTableOutput](t)(c.DescribeTable(bg, &dynamodb.DescribeTableInput{TableName: aws.String("life")})).Table
	if d.TableStatus != types.TableStatusActive || len(d.GlobalSecondaryIndexes) != 1 || d.GlobalSecondaryIndexes[0].IndexStatus != types.IndexStatusActive {
		t.Fatalf("after the updates: %s %+v", d.TableStatus, d.GlobalSecondaryIndexes)
	}
	q := must[*dynamodb.QueryOutput](t)(c.Query(bg, &dynamodb.QueryInput{TableName: aws.String("life"), IndexName: aws.String("bysk"),
		KeyConditionExpression: aws.String("sk = :v"), ExpressionAttributeValues: map[string]types.AttributeValue{":v": s("2")}}))
	if q.Count != 1 || len(q.Items[0]) != 2 {
		t.Errorf("backfilled index query = %+v", q.Items)
	}
	_, err = c.Query(bg, &dynamodb.QueryInput{TableName: aws.String("life"), IndexName: aws.String("gsi"),
		KeyConditionExpression: aws.String("g = :v"), ExpressionAttributeValues: map[string]types.AttributeValue{":v": s("g")}})
	apiErr(t, err, "ValidationException", "The table does not have the specified index: gsi")

	lt := must[*dynamodb.ListTablesOutput](t)(c.ListTables(bg, &dynamodb.ListTablesInput{}))
	if len(lt.TableNames) != 1 || lt.TableNames[0] != "life" {
		t.Errorf("ListTables = %v", lt.TableNames)
	}
	must[*dynamodb.DeleteTableOutput](t)(c.DeleteTable(bg, &dynamodb.DeleteTableInput{TableName: aws.String("life")}))
	_, err = c.DescribeTable(bg, &dynamodb.DescribeTableInput{TableName: aws.String("life")})
	apiErr(t, err, "ResourceNotFoundException", "Requested resource not found: Table: life not found")
}

func createTable2(c *dynamodb.Client, name string) error {
	_, err := c.CreateTable(bg, &dynamodb.CreateTableInput{TableName: aws.String(name), BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{ad("pk", "S")}, KeySchema: []types.KeySchemaElement{ks("pk", "HASH")}})
	return err
}

func TestListTablesPagination(t *testing.T) {
	c := startServer(t, ddb.Options{}).client()
	for i := range 5 {
		if err := createTable2(c, fmt.Sprintf("t%02d", i)); err != nil {
			t.Fatal(err)
		}
	}
	p := dynamodb.NewListTablesPaginator(c, &dynamodb.ListTablesInput{Limit: aws.Int32(2)})
	var names []string
	pages := 0
	for p.HasMorePages() {
		out := must[*dynamodb.ListTablesOutput](t)(p.NextPage(bg))
		names = append(names, out.TableNames...)
		pages++
	}
	if fmt.Sprint(names) != "[t00 t01 t02 t03 t04]" || pages != 3 {
		t.Errorf("names %v in %d pages", names, pages)
	}
}

func TestCreateTableErrors(t *testing.T) {
	c := startServer(t, ddb.Options{}).client()
	base := func() *dynamodb.CreateTableInput {
		return &dynamodb.CreateTableInput{TableName: aws.String("tbl"), BillingMode: types.BillingModePayPerRequest,
			AttributeDefinitions: []types.AttributeDefinition{ad("pk", "S")}, KeySchema: []types.KeySchemaElement{ks("pk", "HASH")}}
	}
	cases := []struct {
		name string
		mod  func(*dynamodb.CreateTableInput)
		msg  string
	}{
		{"short name", func(in *dynamodb.CreateTableInput) { in.TableName = aws.String("ab") },
			"1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3"},
		{"undefined key", func(in *dynamodb.CreateTableInput) { in.KeySchema = []types.KeySchemaElement{ks("zz", "HASH")} },
			"One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [zz], AttributeDefinitions: [pk]"},
		{"undefined range key", func(in *dynamodb.CreateTableInput) {
			in.AttributeDefinitions = append(in.AttributeDefinitions, ad("x", "S"))
			in.KeySchema = []types.KeySchemaElement{ks("pk", "HASH"), ks("zz", "RANGE")}
		}, "Invalid KeySchema: Some index key attribute have no definition"},
		{"more keys than definitions", func(in *dynamodb.CreateTableInput) {
			in.KeySchema = []types.KeySchemaElement{ks("pk", "HASH"), ks("pk", "RANGE")}
		},
			"Invalid KeySchema: Some index key attribute have no definition"},
		{"hash and range of one name", func(in *dynamodb.CreateTableInput) {
			in.AttributeDefinitions = append(in.AttributeDefinitions, ad("x", "S"))
			in.KeySchema = []types.KeySchemaElement{ks("pk", "HASH"), ks("pk", "RANGE")}
		}, "Both the Hash Key and the Range Key element in the KeySchema have the same name"},
		{"GSI member errors before LSI ones", func(in *dynamodb.CreateTableInput) {
			in.AttributeDefinitions = append(in.AttributeDefinitions, ad("sk", "S"))
			in.KeySchema = append(in.KeySchema, ks("sk", "RANGE"))
			in.LocalSecondaryIndexes = []types.LocalSecondaryIndex{{IndexName: aws.String("aa"), KeySchema: []types.KeySchemaElement{ks("pk", "HASH"), ks("lr", "RANGE")},
				Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll}}}
			in.GlobalSecondaryIndexes = []types.GlobalSecondaryIndex{{IndexName: aws.String("zz"), KeySchema: []types.KeySchemaElement{ks("gh", "HASH")},
				Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll}}}
		}, "2 validation errors detected: Value 'zz' at 'globalSecondaryIndexes.1.member.indexName' failed to satisfy constraint: Member must have length greater than or equal to 3; " +
			"Value 'aa' at 'localSecondaryIndexes.1.member.indexName' failed to satisfy constraint: Member must have length greater than or equal to 3"},
		{"throughput with on-demand", func(in *dynamodb.CreateTableInput) {
			in.ProvisionedThroughput = &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(1), WriteCapacityUnits: aws.Int64(1)}
		}, "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"},
		{"capacity out of bounds", func(in *dynamodb.CreateTableInput) {
			in.BillingMode = ""
			in.ProvisionedThroughput = &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(1000000000000), WriteCapacityUnits: aws.Int64(1000000000001)}
		}, "Given value 1000000000001 for WriteCapacityUnits is out of bounds"},
		{"capacity below 1", func(in *dynamodb.CreateTableInput) {
			in.BillingMode = ""
			in.ProvisionedThroughput = &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(0), WriteCapacityUnits: aws.Int64(5)}
		}, "1 validation error detected: Value '0' at 'provisionedThroughput.readCapacityUnits' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"empty GSI list", func(in *dynamodb.CreateTableInput) { in.GlobalSecondaryIndexes = []types.GlobalSecondaryIndex{} },
			"One or more parameter values were invalid: List of GlobalSecondaryIndexes is empty"},
		{"GSI without projection type", func(in *dynamodb.CreateTableInput) {
			in.AttributeDefinitions = append(in.AttributeDefinitions, ad("x", "S"))
			in.GlobalSecondaryIndexes = []types.GlobalSecondaryIndex{{IndexName: aws.String("gsi"), KeySchema: []types.KeySchemaElement{ks("x", "HASH")}, Projection: &types.Projection{}}}
		}, "One or more parameter values were invalid: Unknown ProjectionType: null"},
		{"GSI index name", func(in *dynamodb.CreateTableInput) {
			in.AttributeDefinitions = append(in.AttributeDefinitions, ad("x", "S"))
			in.GlobalSecondaryIndexes = []types.GlobalSecondaryIndex{{IndexName: aws.String("g;"), KeySchema: []types.KeySchemaElement{ks("x", "HASH")}, Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll}}}
		}, "1 validation error detected: Value 'g;' at 'globalSecondaryIndexes.1.member.indexName' failed to satisfy constraint: Member must have length greater than or equal to 3"},
		{"GSI key undefined", func(in *dynamodb.CreateTableInput) {
			in.AttributeDefinitions = append(in.AttributeDefinitions, ad("x", "S"))
			in.GlobalSecondaryIndexes = []types.GlobalSecondaryIndex{{IndexName: aws.String("gsi"), KeySchema: []types.KeySchemaElement{ks("c", "HASH"), ks("d", "RANGE")}, Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll}}}
		}, "One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [c, d], AttributeDefinitions: [pk, x]"},
		{"provisioned GSI without throughput", func(in *dynamodb.CreateTableInput) {
			in.BillingMode = types.BillingModeProvisioned
			in.ProvisionedThroughput = &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(1), WriteCapacityUnits: aws.Int64(1)}
			in.AttributeDefinitions = append(in.AttributeDefinitions, ad("x", "S"))
			in.GlobalSecondaryIndexes = []types.GlobalSecondaryIndex{{IndexName: aws.String("gsi"), KeySchema: []types.KeySchemaElement{ks("x", "HASH")}, Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll}}}
		}, "One or more parameter values were invalid: ProvisionedThroughput is not specified for index: gsi"},
		{"key name too long", func(in *dynamodb.CreateTableInput) {
			long := strings.Repeat("k", 256)
			in.AttributeDefinitions = []types.AttributeDefinition{ad(long, "S")}
			in.KeySchema = []types.KeySchemaElement{ks(long, "HASH")}
		}, "2 validation errors detected: Value '" + strings.Repeat("k", 256) + "' at 'attributeDefinitions.1.member.attributeName' failed to satisfy constraint: Member must have length less than or equal to 255; Value '" + strings.Repeat("k", 256) + "' at 'keySchema.1.member.attributeName' failed to satisfy constraint: Member must have length less than or equal to 255"},
		{"table class", func(in *dynamodb.CreateTableInput) { in.TableClass = "COLD" },
			"Invalid table-class parameter provided. Please try again with a valid table-class value: [STANDARD, STANDARD_INFREQUENT_ACCESS]."},
		{"bad key type", func(in *dynamodb.CreateTableInput) { in.KeySchema[0].KeyType = "INVALID" },
			"1 validation error detected: Value 'INVALID' at 'keySchema.1.member.keyType' failed to satisfy constraint: Member must satisfy enum value set: [HASH, RANGE]"},
		{"bad attr type", func(in *dynamodb.CreateTableInput) { in.AttributeDefinitions[0].AttributeType = "INVALID" },
			"1 validation error detected: Value 'INVALID' at 'attributeDefinitions.1.member.attributeType' failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]"},
		{"provisioned without throughput", func(in *dynamodb.CreateTableInput) { in.BillingMode = types.BillingModeProvisioned },
			"One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED"},
		{"lsi without range", func(in *dynamodb.CreateTableInput) {
			in.AttributeDefinitions = append(in.AttributeDefinitions, ad("x", "S"))
			in.LocalSecondaryIndexes = []types.LocalSecondaryIndex{{IndexName: aws.String("lsi"), KeySchema: []types.KeySchemaElement{ks("pk", "HASH"), ks("x", "RANGE")},
				Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll}}}
		}, "One or more parameter values were invalid: Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex"},
		{"unused definition", func(in *dynamodb.CreateTableInput) {
			in.AttributeDefinitions = append(in.AttributeDefinitions, ad("x", "S"))
		}, "One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions"},
		{"unused definition with an index", func(in *dynamodb.CreateTableInput) {
			in.AttributeDefinitions = append(in.AttributeDefinitions, ad("x", "S"), ad("y", "S"))
			in.GlobalSecondaryIndexes = []types.GlobalSecondaryIndex{{IndexName: aws.String("gsi"), KeySchema: []types.KeySchemaElement{ks("x", "HASH")}, Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll}}}
		}, "One or more parameter values were invalid: Some AttributeDefinitions are not used. AttributeDefinitions: [pk, x, y], keys used: [pk, x]"},
	}
	for _, cs := range cases {
		t.Run(cs.name, func(t *testing.T) {
			in := base()
			cs.mod(in)
			_, err := c.CreateTable(bg, in)
			apiErr(t, err, "ValidationException", cs.msg)
		})
	}
}

func TestEnsureTable(t *testing.T) {
	store, err := storage.Open("", storage.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	srv := startServerOn(t, store, ddb.Options{})
	c := srv.client()
	tbl := &app.Table{TableName: "rooms",
		AttributeDefinitions: []app.AttributeDefinition{{AttributeName: "id", AttributeType: "S"}, {AttributeName: "room", AttributeType: "S"}},
		KeySchema:            []app.KeySchemaElement{{AttributeName: "id", KeyType: "HASH"}},
		GlobalSecondaryIndexes: []app.SecondaryIndex{{IndexName: "byRoom", KeySchema: []app.KeySchemaElement{{AttributeName: "room", KeyType: "HASH"}},
			Projection: app.Projection{ProjectionType: "ALL"}}},
		TimeToLiveAttribute: "expires",
	}
	if err := srv.svc.EnsureTable(bg, tbl); err != nil {
		t.Fatal(err)
	}
	must[*dynamodb.PutItemOutput](t)(c.PutItem(bg, &dynamodb.PutItemInput{TableName: aws.String("rooms"),
		Item: map[string]types.AttributeValue{"id": s("1"), "room": s("r")}}))
	// Same schema again, GSI removed: data stays, index goes.
	tbl.GlobalSecondaryIndexes = nil
	tbl.AttributeDefinitions = tbl.AttributeDefinitions[:1]
	if err := srv.svc.EnsureTable(bg, tbl); err != nil {
		t.Fatal(err)
	}
	d := must[*dynamodb.DescribeTableOutput](t)(c.DescribeTable(bg, &dynamodb.DescribeTableInput{TableName: aws.String("rooms")})).Table
	if *d.ItemCount != 1 || len(d.GlobalSecondaryIndexes) != 0 {
		t.Errorf("after ensure: count %d gsis %d", *d.ItemCount, len(d.GlobalSecondaryIndexes))
	}
	ttl := must[*dynamodb.DescribeTimeToLiveOutput](t)(c.DescribeTimeToLive(bg, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String("rooms")}))
	if ttl.TimeToLiveDescription.TimeToLiveStatus != types.TimeToLiveStatusEnabled || *ttl.TimeToLiveDescription.AttributeName != "expires" {
		t.Errorf("TTL = %+v", ttl.TimeToLiveDescription)
	}
	// A changed key schema is refused.
	tbl.KeySchema = []app.KeySchemaElement{{AttributeName: "room", KeyType: "HASH"}}
	tbl.AttributeDefinitions = []app.AttributeDefinition{{AttributeName: "room", AttributeType: "S"}}
	if err := srv.svc.EnsureTable(bg, tbl); err == nil || !strings.Contains(err.Error(), "key schema changed") {
		t.Errorf("changed key schema: err = %v", err)
	}
}

func TestMiscOperations(t *testing.T) {
	c := startServer(t, ddb.Options{}).client()
	if err := createTable2(c, "misc"); err != nil {
		t.Fatal(err)
	}
	arn := aws.String("arn:aws:dynamodb:us-east-1:000000000000:table/misc")
	must[*dynamodb.TagResourceOutput](t)(c.TagResource(bg, &dynamodb.TagResourceInput{ResourceArn: arn,
		Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("b"), Value: aws.String("2")}}}))
	must[*dynamodb.UntagResourceOutput](t)(c.UntagResource(bg, &dynamodb.UntagResourceInput{ResourceArn: arn, TagKeys: []string{"a"}}))
	tags := must[*dynamodb.ListTagsOfResourceOutput](t)(c.ListTagsOfResource(bg, &dynamodb.ListTagsOfResourceInput{ResourceArn: arn}))
	if len(tags.Tags) != 1 || *tags.Tags[0].Key != "b" {
		t.Errorf("tags = %+v", tags.Tags)
	}
	lim := must[*dynamodb.DescribeLimitsOutput](t)(c.DescribeLimits(bg, &dynamodb.DescribeLimitsInput{}))
	if *lim.TableMaxReadCapacityUnits == 0 {
		t.Error("DescribeLimits empty")
	}
	ep := must[*dynamodb.DescribeEndpointsOutput](t)(c.DescribeEndpoints(bg, &dynamodb.DescribeEndpointsInput{}))
	if len(ep.Endpoints) != 1 {
		t.Error("DescribeEndpoints empty")
	}
	cb := must[*dynamodb.DescribeContinuousBackupsOutput](t)(c.DescribeContinuousBackups(bg, &dynamodb.DescribeContinuousBackupsInput{TableName: aws.String("misc")}))
	if cb.ContinuousBackupsDescription.ContinuousBackupsStatus != types.ContinuousBackupsStatusEnabled {
		t.Error("DescribeContinuousBackups")
	}
}

// TestUpdateTableRules covers UpdateTable's validation: what must be
// present, what may not be combined, and stream and index rules.
func TestUpdateTableRules(t *testing.T) {
	c := startServer(t, ddb.Options{}).client()
	createTable(t, c, "upd")
	tn := aws.String("upd")
	pt := &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(2), WriteCapacityUnits: aws.Int64(2)}
	stream := func(on bool, view types.StreamViewType) *types.StreamSpecification {
		return &types.StreamSpecification{StreamEnabled: aws.Bool(on), StreamViewType: view}
	}
	gsi := func(name string) types.GlobalSecondaryIndexUpdate {
		return types.GlobalSecondaryIndexUpdate{Create: &types.CreateGlobalSecondaryIndexAction{IndexName: aws.String(name),
			KeySchema: []types.KeySchemaElement{ks("x", "HASH")}, Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll}}}
	}
	const invalid = "One or more parameter values were invalid: "
	cases := []struct {
		name string
		in   dynamodb.UpdateTableInput
		code string
		msg  string
	}{
		{"nothing to update", dynamodb.UpdateTableInput{}, "ValidationException",
			"At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, ReplicaTransitRoleArn, MultiRegionConsistency, DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or TableClass is required"},
		{"deletion protection with throughput", dynamodb.UpdateTableInput{DeletionProtectionEnabled: aws.Bool(true), BillingMode: types.BillingModePayPerRequest}, "ValidationException",
			invalid + "DeletionProtection modification must be the only operation in the request"},
		{"table class with stream", dynamodb.UpdateTableInput{TableClass: types.TableClassStandard, StreamSpecification: stream(true, types.StreamViewTypeKeysOnly)}, "ValidationException",
			invalid + "TableClass modification must be the only operation in the request"},
		{"stream with throughput", dynamodb.UpdateTableInput{BillingMode: types.BillingModeProvisioned, ProvisionedThroughput: pt, StreamSpecification: stream(true, types.StreamViewTypeKeysOnly)}, "ValidationException",
			invalid + "You cannot modify stream status while updating table IOPS"},
		{"index with stream", dynamodb.UpdateTableInput{AttributeDefinitions: []types.AttributeDefinition{ad("x", "S")}, GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{gsi("gsi2")}, StreamSpecification: stream(true, types.StreamViewTypeKeysOnly)}, "ValidationException",
			invalid + "You cannot create or delete index while changing stream status"},
		{"enable a stream without a view", dynamodb.UpdateTableInput{StreamSpecification: stream(true, "")}, "ValidationException",
			invalid + "If stream is being enabled then UpdateViewType is required"},
		{"disable a stream with a view", dynamodb.UpdateTableInput{StreamSpecification: stream(false, types.StreamViewTypeKeysOnly)}, "ValidationException",
			invalid + "If stream is being disabled, then UpdateViewType must not be specified"},
		{"disable a missing stream", dynamodb.UpdateTableInput{StreamSpecification: stream(false, "")}, "ValidationException",
			"Table has no stream to disable: TableName: upd"},
		{"empty index update", dynamodb.UpdateTableInput{GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{}}}, "ValidationException",
			invalid + "One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete must not be null"},
		{"two actions in one update", dynamodb.UpdateTableInput{GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{Create: gsi("gsi2").Create, Delete: &types.DeleteGlobalSecondaryIndexAction{IndexName: aws.String("gsi")}}}}, "ValidationException",
			invalid + "Only one global secondary index action is allowed per GlobalSecondaryIndexUpdate object"},
		{"one index twice", dynamodb.UpdateTableInput{GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{
			{Delete: &types.DeleteGlobalSecondaryIndexAction{IndexName: aws.String("gsi")}}, {Delete: &types.DeleteGlobalSecondaryIndexAction{IndexName: aws.String("gsi")}}}}, "ValidationException",
			invalid + "Only one global secondary index update per index is allowed simultaneously. Index: gsi"},
		{"existing index", dynamodb.UpdateTableInput{AttributeDefinitions: []types.AttributeDefinition{ad("x", "S")}, GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{gsi("gsi")}}, "ValidationException",
			"Attempting to create an index which already exists"},
		{"index without definitions", dynamodb.UpdateTableInput{GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{gsi("gsi2")}}, "ValidationException",
			invalid + "AttributeDefinitions is not specified for index: gsi2"},
		{"delete an LSI", dynamodb.UpdateTableInput{GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{Delete: &types.DeleteGlobalSecondaryIndexAction{IndexName: aws.String("lsi")}}}}, "ValidationException",
			"Cannot delete an index that is not a GlobalSecondaryIndex: lsi"},
		{"delete a missing index", dynamodb.UpdateTableInput{GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{Delete: &types.DeleteGlobalSecondaryIndexAction{IndexName: aws.String("nope")}}}}, "ResourceNotFoundException",
			"Requested resource not found: Index: nope not found"},
		{"capacity out of bounds", dynamodb.UpdateTableInput{BillingMode: types.BillingModeProvisioned, ProvisionedThroughput: &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(1000000000001), WriteCapacityUnits: aws.Int64(1)}}, "ValidationException",
			"Given value 1000000000001 for ReadCapacityUnits is out of bounds"},
	}
	for _, cs := range cases {
		t.Run(cs.name, func(t *testing.T) {
			in := cs.in
			in.TableName = tn
			_, err := c.UpdateTable(bg, &in)
			apiErr(t, err, cs.code, cs.msg)
		})
	}
	// A stream is enabled once, and stays named after it is disabled.
	must[*dynamodb.UpdateTableOutput](t)(c.UpdateTable(bg, &dynamodb.UpdateTableInput{TableName: tn, StreamSpecification: stream(true, types.StreamViewTypeNewImage)}))
	_, err := c.UpdateTable(bg, &dynamodb.UpdateTableInput{TableName: tn, StreamSpecification: stream(true, types.StreamViewTypeKeysOnly)})
	apiErr(t, err, "ValidationException", "Table already has an enabled stream: TableName: upd")
	must[*dynamodb.UpdateTableOutput](t)(c.UpdateTable(bg, &dynamodb.UpdateTableInput{TableName: tn, StreamSpecification: stream(false, "")}))
	d := must[*dynamodb.DescribeTableOutput](t)(c.DescribeTable(bg, &dynamodb.DescribeTableInput{TableName: tn})).Table
	if d.StreamSpecification != nil || d.LatestStreamArn == nil || !strings.HasPrefix(*d.LatestStreamArn, *d.TableArn+"/stream/") {
		t.Errorf("after disabling the stream: %+v %v", d.StreamSpecification, d.LatestStreamArn)
	}
}
