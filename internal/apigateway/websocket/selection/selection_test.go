package selection

import (
	"testing"
)

// The examples of API Gateway's route selection documentation, evaluated
// against its sample message.
const docMessage = `{"service":"chat","action":"join","data":{"room":"room1234"}}`

func TestEvaluate(t *testing.T) {
	cases := []struct {
		expr, body string
		want       string
		wantOK     bool
	}{
		{"$request.body.action", docMessage, "join", true},
		{"${request.body.action}", docMessage, "join", true},
		{"${request.body.service}/${request.body.action}", docMessage, "chat/join", true},
		{"${request.body.action}-${request.body.invalidPath}", docMessage, "join-", true},
		{"action", docMessage, "action", true},
		{`\$default`, docMessage, "$default", true},
		{"$request.body.data.room", docMessage, "room1234", true},
		{"$request.body['data']['room']", docMessage, "room1234", true},
		{`${request.body["data"].room}`, docMessage, "room1234", true},
		{"$request.body.items[1]", `{"items":["a","b"]}`, "b", true},
		{"$request.body.items", `{"items":["a",2,true]}`, "[a, 2, true]", true},
		{"$request.body.items[5]", `{"items":["a"]}`, "", true},
		{"$request.body.n", `{"n":1.50}`, "1.50", true},
		{"$request.body.b", `{"b":false}`, "false", true},
		{"$request.body.z", `{"z":null}`, "", true},
		{"$request.body.o", `{"o":{"k":1}}`, `{"k":1}`, true},
		{"$request.body.action", `"just a string"`, "", true},
		{"$request.body.action", `not json`, "", false},
		{"$request.body.action", ``, "", false},
		{"$request.body.action", `{"action":"a"} {"x":1}`, "", false},
		{"$request.body.send-message", `{"send-message":"yes"}`, "yes", true},
		{"static", `not json`, "static", true},
		{"$request.body.action", `{"action":"send-message","message":"hello"}`, "send-message", true},
	}
	for _, c := range cases {
		e, err := Parse(c.expr)
		if err != nil {
			t.Fatalf("Parse(%q): %v", c.expr, err)
		}
		got, ok := e.Evaluate(Input{Body: []byte(c.body)})
		if got != c.want || ok != c.wantOK {
			t.Errorf("%q on %s = %q, %v; want %q, %v", c.expr, c.body, got, ok, c.want, c.wantOK)
		}
	}
}

func TestEvaluateStatusCodeAndHeader(t *testing.T) {
	e := MustParse("${integration.response.statuscode}")
	if got, _ := e.Evaluate(Input{StatusCode: "200"}); got != "200" {
		t.Errorf("status code = %q", got)
	}
	h := MustParse("$request.header.x-api-key")
	if got, _ := h.Evaluate(Input{Headers: map[string]string{"X-Api-Key": "k1"}}); got != "k1" {
		t.Errorf("header = %q", got)
	}
}

func TestParseErrors(t *testing.T) {
	for _, s := range []string{
		"${request.body.action",
		"$default",
		"$context.requestId",
		"$",
		"$request.body..a",
		"$request.body[x]",
		"${request.body['a'}",
		"${request.body[-1]}",
	} {
		if _, err := Parse(s); err == nil {
			t.Errorf("Parse(%q) succeeded, want error", s)
		}
	}
}

func TestUsesBody(t *testing.T) {
	if !MustParse("$request.body.action").UsesBody() {
		t.Error("request.body variable should use the body")
	}
	if MustParse(`\$default`).UsesBody() {
		t.Error("literal should not use the body")
	}
}

func FuzzSelection(f *testing.F) {
	seeds := [][2]string{
		{"$request.body.action", docMessage},
		{"${request.body.service}/${request.body.action}", docMessage},
		{`\$default`, "x"},
		{"$request.body['a}b'][0].c", `{"a}b":[{"c":1}]}`},
		{"${request.body[\"q\"]}-x", `{"q":[1,[2,3]]}`},
		{"$request.header.h$request.body", `[]`},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, expr, body string) {
		e, err := Parse(expr)
		if err != nil {
			return
		}
		if e.String() != expr {
			t.Fatalf("String() = %q, want %q", e.String(), expr)
		}
		k1, ok1 := e.Evaluate(Input{Body: []byte(body)})
		k2, ok2 := e.Evaluate(Input{Body: []byte(body)})
		if k1 != k2 || ok1 != ok2 {
			t.Fatalf("evaluation not deterministic: %q/%v vs %q/%v", k1, ok1, k2, ok2)
		}
		if !e.UsesBody() && !ok1 {
			t.Fatalf("expression without body variables failed to evaluate")
		}
	})
}
