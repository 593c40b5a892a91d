package expr

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/nimbus-dev/nimbus/internal/dynamodb/attr"
)

func item(t testing.TB, js string) attr.Item {
	t.Helper()
	var it attr.Item
	if err := json.Unmarshal([]byte(js), &it); err != nil {
		t.Fatal(err)
	}
	return it
}

func values(t testing.TB, js string) map[string]*attr.Value {
	t.Helper()
	var m map[string]*attr.Value
	if err := json.Unmarshal([]byte(js), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

const sample = `{"id":{"S":"a1"},"n":{"N":"5"},"s":{"S":"hello"},"b":{"B":"AQI="},"t":{"BOOL":true},
"m":{"M":{"x":{"N":"1"},"deep":{"M":{"y":{"S":"z"}}}}},"l":{"L":[{"S":"p"},{"N":"2"},{"M":{"q":{"S":"r"}}}]},
"ss":{"SS":["a","b"]},"ns":{"NS":["1","2"]},"nul":{"NULL":true},"dotted.name":{"S":"dn"}}`

func TestConditions(t *testing.T) {
	it := item(t, sample)
	vals := values(t, `{":five":{"N":"5"},":four":{"N":"4.0"},":hello":{"S":"hello"},":he":{"S":"he"},":a":{"S":"a"},
		":two":{"N":"2"},":S":{"S":"S"},":M":{"S":"M"},":b1":{"B":"AQ=="},":z":{"S":"z"},":r":{"S":"r"},":x":{"S":"x"},":list":{"M":{"q":{"S":"r"}}}}`)
	names := map[string]string{"#d": "dotted.name", "#n": "n", "#m": "m"}
	cases := []struct {
		src  string
		want bool
	}{
		{"n = :five", true},
		{"#n = :five", true},
		{"n <> :five", false},
		{"nothere <> :five", true},
		{"nothere = :five", false},
		{"n > :four AND n >= :five AND n <= :five AND n < :five", false},
		{"n > :four AND n >= :five AND n <= :five", true},
		{"s > :he", true},
		{"s < :five", false},
		{"n BETWEEN :four AND :five", true},
		{"n IN (:four, :five)", true},
		{"s IN (:four, :he)", false},
		{"attribute_exists(m.deep.y)", true},
		{"attribute_exists(m.deep.nope)", false},
		{"attribute_not_exists(nope) AND attribute_exists(#d)", true},
		{"attribute_exists(l[2].q) AND NOT attribute_exists(l[3])", true},
		{"attribute_type(m, :M) AND attribute_type(s, :S)", true},
		{"attribute_type(n, :S)", false},
		{"begins_with(s, :he)", true},
		{"begins_with(b, :b1)", true},
		{"begins_with(n, :he)", false},
		{"contains(s, :he)", true},
		{"contains(ss, :a)", true},
		{"contains(ns, :two)", true},
		{"contains(l, :two)", true},
		{"contains(l, :list)", true},
		{"contains(ss, :z)", false},
		{"size(s) = :five", true},
		{"size(l) > :two", true},
		{"size(#m) = :two", true},
		{"size(nope) = :two", false},
		{"m.deep.y = :z AND l[2].q = :r", true},
		{"NOT (n = :five) OR s = :hello", true},
		{"n = :four OR (s = :x AND n = :five)", false},
		{"(n = :five AND s = :hello) or t = :x", true},
	}
	for _, c := range cases {
		ctx := NewContext(names, vals)
		cond, err := ParseCondition(c.src, ctx)
		if err != nil {
			t.Errorf("%s: %v", c.src, err)
			continue
		}
		if got := Eval(cond, it); got != c.want {
			t.Errorf("%s = %v, want %v", c.src, got, c.want)
		}
	}
}

func TestConditionErrors(t *testing.T) {
	vals := values(t, `{":v":{"S":"x"},":n":{"N":"1"},":n5":{"N":"5"}}`)
	cases := []struct{ src, err string }{
		{"", "The expression can not be empty;"},
		{"  ", "The expression can not be empty;"},
		{"a = ", `Syntax error; token: "<EOF>", near: "= "`},
		{"a == :v", `Syntax error; token: "=", near: "== :v"`},
		{"!!! INVALID !!!", `Syntax error; token: "!", near: "!!"`},
		{"a = :v AND", `Syntax error; token: "<EOF>", near: "AND"`},
		{"a = :missing", "An expression attribute value used in expression is not defined; attribute value: :missing"},
		{"#missing = :v", "An expression attribute name used in the document path is not defined; attribute name: #missing"},
		{"status = :v", "Attribute name is a reserved keyword; reserved keyword: status"},
		{"((attribute_not_exists(pk)))", "The expression has redundant parentheses;"},
		{"(a = :v) AND ((b = :v))", "The expression has redundant parentheses;"},
		{"(a = :v AND (b = :v))", ""},
		{"attribute_type(a, :n)", "Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N"},
		{"contains(a, a)", "The first operand must be distinct from the remaining operands for this operator or function; operator: contains, first operand: [a]"},
		{"a = a", "The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [a]"},
		{"foo(a)", "Invalid function name; function: foo"},
		{"attribute_exists(a, b)", "Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 2"},
		{"attribute_exists(:v)", "Operator or function requires a document path; operator or function: attribute_exists"},
		{"begins_with(a, :n)", "Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"},
		{"a BETWEEN :n5 AND :n", "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:5}, upper bound operand: AttributeValue: {N:1}"},
		{"a = :v extra", `Syntax error; token: "extra", near: ":v extra"`},
		{"a[x] = :v", `Syntax error; token: "x", near: "[x]"`},
		{"if_not_exists(a, :v) = :v", "The function is not allowed in a condition expression; function: if_not_exists"},
		{":v = list_append(a, b)", "The function is not allowed in a condition expression; function: list_append"},
		{"a < :n" + strings.Repeat(" OR a < :n", 149), ""},
		{"a < :n" + strings.Repeat(" OR (a < :n", 150) + strings.Repeat(")", 150), "The expression contains too many operators; operator count: 301"},
		{strings.Repeat("NOT ", 300) + "a < :n", "The expression contains too many operators; operator count: 301"},
	}
	for _, c := range cases {
		_, err := ParseCondition(c.src, NewContext(nil, vals))
		if c.err == "" {
			if err != nil {
				t.Errorf("%q: %v", c.src, err)
			}
			continue
		}
		if err == nil || err.Error() != c.err {
			t.Errorf("%q: err = %v, want %q", c.src, err, c.err)
		}
	}
}

func TestUnused(t *testing.T) {
	ctx := NewContext(map[string]string{"#a": "a", "#u": "u"}, values(t, `{":v":{"S":"x"},":w":{"S":"y"}}`))
	if _, err := ParseCondition("#a = :v", ctx); err != nil {
		t.Fatal(err)
	}
	if err := ctx.Unused(); err == nil || err.Error() != "Value provided in ExpressionAttributeNames unused in expressions: keys: {#u}" {
		t.Errorf("Unused = %v", err)
	}
	ctx.usedNames["#u"] = true
	if err := ctx.Unused(); err == nil || err.Error() != "Value provided in ExpressionAttributeValues unused in expressions: keys: {:w}" {
		t.Errorf("Unused = %v", err)
	}
}

func TestProjection(t *testing.T) {
	it := item(t, sample)
	cases := []struct{ src, want string }{
		{"id, n", `{"id":{"S":"a1"},"n":{"N":"5"}}`},
		{"m.deep.y, l[2].q, l[0], nope", `{"l":{"L":[{"S":"p"},{"M":{"q":{"S":"r"}}}]},"m":{"M":{"deep":{"M":{"y":{"S":"z"}}}}}}`},
		{"#d", `{"dotted.name":{"S":"dn"}}`},
	}
	for _, c := range cases {
		paths, err := ParseProjection(c.src, NewContext(map[string]string{"#d": "dotted.name"}, nil))
		if err != nil {
			t.Errorf("%s: %v", c.src, err)
			continue
		}
		got, _ := json.Marshal(Project(it, paths))
		if string(got) != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.src, got, c.want)
		}
	}
	if _, err := ParseProjection("a, a.b", nil); err == nil || err.Error() != "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]" {
		t.Errorf("overlap err = %v", err)
	}
}

func TestUpdate(t *testing.T) {
	vals := values(t, `{":one":{"N":"1"},":v":{"S":"v"},":l":{"L":[{"S":"new"}]},":ss":{"SS":["b","c"]},":ns":{"NS":["1"]},":dflt":{"N":"10"}}`)
	cases := []struct{ src, want, err string }{
		{"SET n = n + :one, s = :v", `"n":{"N":"6"}`, ""},
		{"SET n = :one - n", `"n":{"N":"-4"}`, ""},
		{"SET c = if_not_exists(c, :dflt) + :one", `"c":{"N":"11"}`, ""},
		{"SET n = if_not_exists(n, :dflt)", `"n":{"N":"5"}`, ""},
		{"SET l = list_append(l, :l)", `"l":{"L":[{"S":"p"},{"N":"2"},{"M":{"q":{"S":"r"}}},{"S":"new"}]}`, ""},
		{"SET l = list_append(:l, l)", `"l":{"L":[{"S":"new"},{"S":"p"},{"N":"2"},{"M":{"q":{"S":"r"}}}]}`, ""},
		{"SET l[1] = :v, l[9] = :v", `"l":{"L":[{"S":"p"},{"S":"v"},{"M":{"q":{"S":"r"}}},{"S":"v"}]}`, ""},
		{"REMOVE l[0], l[2]", `"l":{"L":[{"N":"2"}]}`, ""},
		{"SET m.deep.y = :v REMOVE m.x", `"m":{"M":{"deep":{"M":{"y":{"S":"v"}}}}}`, ""},
		{"ADD n :one, ss :ss, newn :one", `"n":{"N":"6"}`, ""},
		{"ADD ss :ss", `"ss":{"SS":["a","b","c"]}`, ""},
		{"DELETE ss :ss", `"ss":{"SS":["a"]}`, ""},
		{"DELETE ns :ns", `"ns":{"NS":["2"]}`, ""},
		{"SET nope.x = :v", "", "The document path provided in the update expression is invalid for update"},
		{"SET n = s + :one", "", "An operand in the update expression has an incorrect data type"},
		{"SET n = nothere + :one", "", "The provided expression refers to an attribute that does not exist in the item"},
		{"ADD s :one", "", "An operand in the update expression has an incorrect data type"},
	}
	for _, c := range cases {
		u, err := ParseUpdate(c.src, NewContext(nil, vals))
		if err != nil {
			t.Errorf("%s: parse: %v", c.src, err)
			continue
		}
		it := item(t, sample)
		err = u.Apply(it)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("%s: err = %v, want %q", c.src, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.src, err)
			continue
		}
		got, _ := json.Marshal(it)
		if !contains(string(got), c.want) {
			t.Errorf("%s:\n got %s\nwant to contain %s", c.src, got, c.want)
		}
	}
}

func contains(s, sub string) bool {
	return len(sub) == 0 || (len(s) >= len(sub) && (s[:len(sub)] == sub || contains(s[1:], sub)))
}

// manyArith is an update expression with n additions.
func manyArith(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = "a" + strconv.Itoa(i) + " = :n + :n"
	}
	return "SET " + strings.Join(parts, ", ")
}

func TestUpdateErrors(t *testing.T) {
	vals := values(t, `{":v":{"S":"x"},":n":{"N":"1"},":l":{"L":[]}}`)
	cases := []struct{ src, err string }{
		{"", "The expression can not be empty;"},
		{"INVALID SYNTAX HERE", `Syntax error; token: "INVALID", near: "INVALID SYNTAX"`},
		{"ADD hits : incr", `Syntax error; token: ":", near: "hits : incr"`},
		{"SET a = :v SET b = :v", `The "SET" section can only be used once in an update expression;`},
		{"SET a = :v, a = :n", "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]"},
		{"SET a[0] = :v REMOVE a.b", "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, [0]], path two: [a, b]"},
		{"ADD a :v", "Incorrect operand type for operator or function; operator: ADD, operand type: STRING, typeSet: ALLOWED_FOR_ADD_OPERAND"},
		{"DELETE a :n", "Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER, typeSet: ALLOWED_FOR_DELETE_OPERAND"},
		{"SET a = :nope", "An expression attribute value used in expression is not defined; attribute value: :nope"},
		{"SET a = size(b)", "The function is not allowed in an update expression; function: size"},
		{"SET a = contains(b, :v)", "The function is not allowed in an update expression; function: contains"},
		{"SET a = list_append(list_append(a, :l), :l)", "The function is not allowed to be used this way in an expression; function: list_append"},
		{"SET a = if_not_exists(if_not_exists(a, :l), :l)", "Operator or function requires a document path; operator or function: if_not_exists"},
		{"SET a = list_append(if_not_exists(a, :l), :l)", ""},
		{"SET a = if_not_exists(a, :n) + :n", ""},
		{"SET a = b + :v", "Incorrect operand type for operator or function; operator or function: +, operand type: S"},
		{"SET a = :l - b", "Incorrect operand type for operator or function; operator or function: -, operand type: L"},
		{"SET a = list_append(a, :v)", "Incorrect operand type for operator or function; operator or function: list_append, operand type: S"},
		{manyArith(301), "The expression contains too many operators; operator count: 301"},
		{manyArith(300), ""},
	}
	for _, c := range cases {
		_, err := ParseUpdate(c.src, NewContext(nil, vals))
		if c.err == "" {
			if err != nil {
				t.Errorf("%q: %v", c.src, err)
			}
			continue
		}
		if err == nil || err.Error() != c.err {
			t.Errorf("%q: err = %v, want %q", c.src, err, c.err)
		}
	}
}

func TestStatementSize(t *testing.T) {
	vals := values(t, `{":v":{"S":"xyz"},":n":{"N":"1"},":l":{"L":[]},":s":{"SS":["a","bb"]}}`)
	old, err := attr.ParseItem([]byte(`{"pk":{"S":"k"},"s":{"SS":["a"]}}`))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		src  string
		want int
	}{
		{"SET a = :v", 3 + 19 + 1 + 3},
		{"SET a.bc = :v", 3 + 19 + (1 + 4 + 2) + 3},
		{"SET a[10] = :v", 3 + 19 + (1 + 4 + 2) + 3},
		{"SET a = m.z", 3 + 19 + 1 + (1 + 14 + 1 + 14 + 1)},
		{"SET a = a + :n", 3 + 19 + 1 + 34 + (1 + 14 + 1) + 2},
		{"SET a = a - :n", 3 + 19 + 1 + 37 + (1 + 14 + 1) + 2},
		{"SET a = if_not_exists(a, :n)", 3 + 19 + 1 + 39 + (1 + 14 + 1) + 2},
		{"SET a = list_append(a, :l)", 3 + 19 + 1 + 37 + (1 + 14 + 1) + 3},
		{"REMOVE ab", 3 + 1 + 2},
		{"DELETE s :s", 3 + 1 + 1},
		{"ADD s :s", 3 + 19 + 1 + 2}, // only "bb" is new
		{"ADD t :s", 3 + 19 + 1 + 3}, // both members are new
	}
	for _, c := range cases {
		u, err := ParseUpdate(c.src, NewContext(nil, vals))
		if err != nil {
			t.Fatalf("%s: %v", c.src, err)
		}
		if got := u.StatementSize(old); got != c.want {
			t.Errorf("%s: StatementSize = %d, want %d", c.src, got, c.want)
		}
	}
}
