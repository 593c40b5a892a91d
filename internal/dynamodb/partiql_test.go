package dynamodb_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	ddb "github.com/nimbus-dev/nimbus/internal/dynamodb"
)

// TestPartiQL covers ExecuteStatement, BatchExecuteStatement and
// ExecuteTransaction through the SDK.
func TestPartiQL(t *testing.T) {
	srv := startServer(t, ddb.Options{})
	c := srv.client()
	createTable(t, c, "pqt")
	exec := func(stmt string, params ...types.AttributeValue) (*dynamodb.ExecuteStatementOutput, error) {
		return c.ExecuteStatement(bg, &dynamodb.ExecuteStatementInput{Statement: aws.String(stmt), Parameters: params})
	}
	get := func(pk, sk string) map[string]types.AttributeValue {
		out := must[*dynamodb.GetItemOutput](t)(c.GetItem(bg, &dynamodb.GetItemInput{TableName: aws.String("pqt"), Key: key(pk, sk)}))
		return out.Item
	}

	// INSERT, then INSERT of the same key.
	must[*dynamodb.ExecuteStatementOutput](t)(exec(`INSERT INTO "pqt" VALUE {'pk': 'a', 'sk': '1', 'n': 5, 'lst': [1, 'x'], 'm': {'k': true}, 'ss': <<'p', 'q'>>}`))
	if it := get("a", "1"); it["n"].(*types.AttributeValueMemberN).Value != "5" || len(it["ss"].(*types.AttributeValueMemberSS).Value) != 2 {
		t.Fatalf("inserted %v", it)
	}
	_, err := exec(`INSERT INTO "pqt" VALUE {'pk': 'a', 'sk': '1'}`)
	apiErr(t, err, "DuplicateItemException", "Duplicate primary key exists in table")

	// SELECT by key with parameters, with a projection, and by scan.
	out := must[*dynamodb.ExecuteStatementOutput](t)(exec(`SELECT m.k, n FROM "pqt" WHERE pk = ? AND sk = ?`, s("a"), s("1")))
	if len(out.Items) != 1 || out.Items[0]["k"] == nil || out.Items[0]["n"] == nil || len(out.Items[0]) != 2 {
		t.Errorf("projection: %v", out.Items)
	}
	for i := 2; i <= 4; i++ {
		must[*dynamodb.ExecuteStatementOutput](t)(exec(`INSERT INTO "pqt" VALUE {'pk': 'a', 'sk': ?, 'n': ?}`, s(string(rune('0'+i))), n(string(rune('0'+i)))))
	}
	out = must[*dynamodb.ExecuteStatementOutput](t)(exec(`SELECT sk FROM "pqt" WHERE pk = 'a' AND n > 2 ORDER BY sk DESC`))
	if len(out.Items) != 3 || out.Items[0]["sk"].(*types.AttributeValueMemberS).Value != "4" {
		t.Errorf("ORDER BY DESC: %v", out.Items)
	}
	// Pagination with Limit and NextToken.
	var seen int
	in := &dynamodb.ExecuteStatementInput{Statement: aws.String(`SELECT * FROM "pqt" WHERE pk IN ['a', 'b']`), Limit: aws.Int32(3)}
	for {
		page := must[*dynamodb.ExecuteStatementOutput](t)(c.ExecuteStatement(bg, in))
		seen += len(page.Items)
		if page.NextToken == nil {
			break
		}
		in.NextToken = page.NextToken
	}
	if seen != 4 {
		t.Errorf("paginated SELECT saw %d items, want 4", seen)
	}

	// UPDATE with RETURNING, a condition in the WHERE, and a missing item.
	out = must[*dynamodb.ExecuteStatementOutput](t)(exec(`UPDATE "pqt" SET n = n + 1 SET ss = set_add(ss, <<'r'>>) REMOVE lst WHERE pk = 'a' AND sk = '1' RETURNING MODIFIED NEW *`))
	if len(out.Items) != 1 || out.Items[0]["n"].(*types.AttributeValueMemberN).Value != "6" || out.Items[0]["lst"] != nil {
		t.Errorf("UPDATE RETURNING: %v", out.Items)
	}
	_, err = exec(`UPDATE "pqt" SET n = 9 WHERE pk = 'a' AND sk = '1' AND n = 100`)
	apiErr(t, err, "ConditionalCheckFailedException", "The conditional request failed")
	_, err = exec(`FROM "pqt" WHERE pk = 'zz' AND sk = '1' SET n = 9`)
	apiErr(t, err, "ConditionalCheckFailedException", "The conditional request failed")
	if get("zz", "1") != nil {
		t.Error("UPDATE created a missing item")
	}
	// DELETE: a missing item is a no-op, RETURNING ALL OLD returns it.
	must[*dynamodb.ExecuteStatementOutput](t)(exec(`DELETE FROM "pqt" WHERE pk = 'zz' AND sk = '1' AND n = 1`))
	out = must[*dynamodb.ExecuteStatementOutput](t)(exec(`DELETE FROM "pqt" WHERE pk = 'a' AND sk = '4' RETURNING ALL OLD *`))
	if len(out.Items) != 1 || get("a", "4") != nil {
		t.Errorf("DELETE RETURNING: %v", out.Items)
	}

	const notWellFormed = "Statement wasn't well formed, can't be processed: "
	errs := []struct{ stmt, code, msg string }{
		{`DELETE FROM "pqt" WHERE pk = 'a'`, "ValidationException", "Where clause does not contain a mandatory equality on all key attributes"},
		{`DELETE FROM "pqt" WHERE pk = 'a' AND sk = '1' RETURNING ALL NEW *`, "ValidationException", "Invalid returning clause: RETURNING ALL NEW *. Only RETURNING ALL OLD * is allowed in DELETE statements."},
		{`SELECT * FROM "pqt" WHERE pk = 'a' foo`, "ValidationException", notWellFormed + "Unexpected token after expression"},
		{`SELECT * FROM "pqt" t WHERE pk = 'a'`, "ValidationException", "Aliasing is not supported"},
		{`SELECT * FROM "pqt" WHERE pk = 'a' # c`, "ValidationException", notWellFormed},
		{`SELECT * FROM "pqt" WHERE n = 1e126`, "ValidationException", "Number overflow. Attempting to store a number with magnitude larger than supported range under root"},
		{`INSERT INTO "pqt" VALUE {'pk': 'q', 'sk': '1', 'm': {'x': 1e126}}`, "ValidationException", "Number overflow. Attempting to store a number with magnitude larger than supported range under root.x"},
		{`SELECT * FROM "pqt" WHERE pk = 'a' AND EXISTS(n)`, "ValidationException", "Unrecognized function: exists at 1:40:6"},
		{`UPDATE "pqt" SET t = set_add(ss, <<'x'>>) WHERE pk = 'a' AND sk = '1'`, "ValidationException", "The first argument to SET_ADD must equal the assignment value at 1:22:7"},
		{`SELECT * FROM "absent"`, "ResourceNotFoundException", "Requested resource not found"},
		{`SELECT * FROM "pqt"."nope"`, "ValidationException", "The table does not have the specified index"},
		{`SELECT * FROM "pqt" WHERE pk = ?`, "ValidationException", "Number of parameters in request and statement don't match."},
	}
	for _, e := range errs {
		_, err := exec(e.stmt)
		apiErr(t, err, e.code, e.msg)
	}

	// Condition functions, IS and index-qualified reads.
	for cond, want := range map[string]int{
		"attribute_exists(ss) = true": 1, "attribute_exists(ss) = false": 0, "ss IS SET": 1, "n IS NUMBER": 1,
		"n IS STRING": 0, "n IS NOT STRING": 1, "nothing IS MISSING": 1, "n IS NOT MISSING": 1, "size(ss) = 3": 1,
		"NOT begins_with(pk, 'x')": 1, "ss = <<'q', 'p', 'r'>>": 1,
	} {
		out := must[*dynamodb.ExecuteStatementOutput](t)(exec(`SELECT * FROM "pqt" WHERE pk = 'a' AND sk = '1' AND ` + cond))
		if len(out.Items) != want {
			t.Errorf("%s: %d items, want %d", cond, len(out.Items), want)
		}
	}
	must[*dynamodb.ExecuteStatementOutput](t)(exec(`UPDATE "pqt" SET g = 'gv', l = 7 WHERE pk = 'a' AND sk = '3'`))
	out = must[*dynamodb.ExecuteStatementOutput](t)(exec(`SELECT * FROM "pqt"."gsi" WHERE g = 'gv'`))
	if len(out.Items) != 1 {
		t.Errorf("GSI read: %v", out.Items)
	}
	out = must[*dynamodb.ExecuteStatementOutput](t)(exec(`SELECT n FROM "pqt"."lsi" WHERE pk = 'a' AND l = 7`))
	if len(out.Items) != 1 || out.Items[0]["n"] == nil {
		t.Errorf("LSI read of an unprojected attribute: %v", out.Items)
	}

	// BatchExecuteStatement reports each statement's error apart.
	batch := must[*dynamodb.BatchExecuteStatementOutput](t)(c.BatchExecuteStatement(bg, &dynamodb.BatchExecuteStatementInput{Statements: []types.BatchStatementRequest{
		{Statement: aws.String(`SELECT * FROM "pqt" WHERE pk = 'a' AND sk = '2'`)},
		{Statement: aws.String(`SELECT * FROM "pqt" WHERE pk = 'a'`)},
		{Statement: aws.String(`SELECT * FROM "absent" WHERE pk = 'a'`)},
		{Statement: aws.String(`UPDATE "pqt" SET v = 1 WHERE pk = 'a' AND sk = '2' RETURNING ALL NEW *`)},
	}}))
	r := batch.Responses
	if len(r) != 4 || r[0].Item == nil || r[1].Error == nil || r[1].Error.Code != types.BatchStatementErrorCodeEnumValidationError ||
		r[2].Error == nil || r[2].Error.Code != types.BatchStatementErrorCodeEnumResourceNotFound || r[3].Item["v"] == nil {
		t.Errorf("batch responses: %+v", r)
	}

	// ExecuteTransaction: writes all or nothing, reads from one snapshot.
	_, err = c.ExecuteTransaction(bg, &dynamodb.ExecuteTransactionInput{TransactStatements: []types.ParameterizedStatement{
		{Statement: aws.String(`INSERT INTO "pqt" VALUE {'pk': 't', 'sk': '1'}`)},
		{Statement: aws.String(`INSERT INTO "pqt" VALUE {'pk': 'a', 'sk': '2'}`)},
	}})
	var tce *types.TransactionCanceledException
	if !asErr(err, &tce) || len(tce.CancellationReasons) != 2 || *tce.CancellationReasons[1].Code != "DuplicateItem" || get("t", "1") != nil {
		t.Fatalf("transaction with a duplicate INSERT: %v", err)
	}
	tx := must[*dynamodb.ExecuteTransactionOutput](t)(c.ExecuteTransaction(bg, &dynamodb.ExecuteTransactionInput{TransactStatements: []types.ParameterizedStatement{
		{Statement: aws.String(`INSERT INTO "pqt" VALUE {'pk': 't', 'sk': '1'}`)},
		{Statement: aws.String(`UPDATE "pqt" SET w = 1 WHERE pk = 'a' AND sk = '2'`)},
	}}))
	if len(tx.Responses) != 0 || get("t", "1") == nil {
		t.Errorf("write transaction: %+v", tx.Responses)
	}
	tx = must[*dynamodb.ExecuteTransactionOutput](t)(c.ExecuteTransaction(bg, &dynamodb.ExecuteTransactionInput{TransactStatements: []types.ParameterizedStatement{
		{Statement: aws.String(`SELECT * FROM "pqt" WHERE pk = 't' AND sk = '1'`)},
		{Statement: aws.String(`SELECT * FROM "pqt" WHERE pk = 'none' AND sk = '1'`)},
	}}))
	if len(tx.Responses) != 2 || tx.Responses[0].Item == nil || tx.Responses[1].Item != nil {
		t.Errorf("read transaction: %+v", tx.Responses)
	}
	_, err = c.ExecuteTransaction(bg, &dynamodb.ExecuteTransactionInput{TransactStatements: []types.ParameterizedStatement{
		{Statement: aws.String(`UPDATE "pqt" SET w = 2 WHERE pk = 'a' AND sk = '2' RETURNING ALL NEW *`)},
	}})
	apiErr(t, err, "ValidationException", "Validation failed in TransactStatements[0]: RETURNING clause is not supported in ExecuteTransaction.")
}
