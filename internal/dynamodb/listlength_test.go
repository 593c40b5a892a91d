package dynamodb_test

import (
	"strings"
	"testing"

	ddb "github.com/nimbus-dev/nimbus/internal/dynamodb"
)

// TestListLengthMessages: the required lists of the transaction and batch
// operations are checked with coral's words, per operation.
func TestListLengthMessages(t *testing.T) {
	srv := startServer(t, ddb.Options{})
	repeat := func(item string, n int) string { return "[" + strings.TrimSuffix(strings.Repeat(item+",", n), ",") + "]" }
	get := `{"Get":{"TableName":"t","Key":{"pk":{"S":"a"}}}}`
	stmt := `{"Statement":"SELECT * FROM t"}`
	cases := []struct{ op, body, want string }{
		{"TransactGetItems", `{}`, "1 validation error detected: Value null at 'transactItems' failed to satisfy constraint: Member must not be null"},
		{"TransactGetItems", `{"TransactItems":[]}`, "1 validation error detected: Value '[]' at 'transactItems' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"TransactGetItems", `{"TransactItems":` + repeat(get, 101) + `}`, "at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100"},
		{"BatchExecuteStatement", `{"Statements":[]}`, "1 validation error detected: Value '[]' at 'statements' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"BatchExecuteStatement", `{"Statements":` + repeat(stmt, 26) + `}`, "1 validation error detected: Value at 'statements' failed to satisfy constraint: Member must have length less than or equal to 25"},
		{"ExecuteTransaction", `{"TransactStatements":` + repeat(stmt, 101) + `}`, "1 validation error detected: Value at 'transactStatements' failed to satisfy constraint: Member must have length less than or equal to 100"},
		{"ExecuteTransaction", `{"TransactStatements":[` + stmt + `],"ClientRequestToken":"` + strings.Repeat("x", 37) + `"}`, "at 'clientRequestToken' failed to satisfy constraint: Member must have length less than or equal to 36"},
	}
	for _, c := range cases {
		code, msg := rawCall(t, srv, c.op, c.body)
		if code != "ValidationException" || !strings.Contains(msg, c.want) {
			t.Errorf("%s %.60s: %s %q, want %q", c.op, c.body, code, msg, c.want)
		}
	}
}
