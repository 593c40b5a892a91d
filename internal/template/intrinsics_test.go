package template

import (
	"strings"
	"testing"

	"github.com/nimbus-dev/nimbus/internal/template/node"
)

// evalStack is a stack with one parameter, one mapping, conditions and a
// table, for evaluating single expressions.
func evalStack(t *testing.T) *stack {
	t.Helper()
	root, err := node.Parse([]byte(`
Parameters:
  Env: {Type: String, Default: prod}
  Ports: {Type: CommaDelimitedList, Default: "80,443"}
Mappings:
  Sizes:
    prod: {Memory: 1024}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Not [!Condition IsProd]
  Both: !And [!Condition IsProd, !Equals [a, a]]
  Either: !Or [!Condition IsDev, !Equals [a, b]]
  Loop: !Not [!Condition Loop]
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties: {TableName: items}
`), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := newStack(Options{Region: "eu-west-1", AccountID: "111122223333"}, ".", "t.yaml")
	s.name = "demo"
	l := newLoader(s, "t.yaml")
	if err := l.loadStack(root, nil); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestIntrinsics(t *testing.T) {
	s := evalStack(t)
	cases := []struct{ expr, want string }{
		{`!Ref Env`, "prod"},
		{`!Ref Table`, "items"},
		{`!Ref AWS::StackName`, "demo"},
		{`!GetAtt Table.Arn`, "arn:aws:dynamodb:eu-west-1:111122223333:table/items"},
		{`{"Fn::GetAtt": ["Table", "StreamArn"]}`, "arn:aws:dynamodb:eu-west-1:111122223333:table/items/stream/1970-01-01T00:00:00.000"},
		{`!Sub "${AWS::Region}-${Env}-${Table}-${Table.Arn}-${!Raw}"`, "eu-west-1-prod-items-arn:aws:dynamodb:eu-west-1:111122223333:table/items-${Raw}"},
		{`!Sub ["${A}/${B}", {A: !Ref Env, B: 2}]`, "prod/2"},
		{`!Sub "${Ports}"`, "80,443"},
		{`!Join ["-", [a, !Ref Env, 3]]`, "a-prod-3"},
		{`!Join ["", !Split [",", "x,y"]]`, "xy"},
		{`!Select [1, !Ref Ports]`, "443"},
		{`!Select ["0", [a, b]]`, "a"},
		{`!If [IsProd, big, small]`, "big"},
		{`!If [IsDev, big, small]`, "small"},
		{`!If [Both, yes, no]`, "yes"},
		{`!If [Either, yes, no]`, "no"},
		{`!FindInMap [Sizes, !Ref Env, Memory]`, "1024"},
		{`!FindInMap [Sizes, dev, Memory, {DefaultValue: 128}]`, "128"},
		{`!Base64 abc`, "YWJj"},
		{`!Select [2, !GetAZs ""]`, "eu-west-1c"},
		{`!Length [a, b, c]`, "3"},
		{`!ToJsonString {a: [1, x]}`, `{"a":[1,"x"]}`},
		{`!Join [",", [a, !Ref AWS::NoValue, b]]`, "a,b"},
		{`!Join [",", [a, !If [IsDev, x, !Ref AWS::NoValue]]]`, "a"},
		{`!Ref AWS::URLSuffix`, "amazonaws.com"},
		{`!Sub "${AWS::Partition}:${AWS::AccountId}"`, "aws:111122223333"},
	}
	for _, c := range cases {
		n, err := node.Parse([]byte(c.expr), "e.yaml")
		if err != nil {
			t.Fatalf("%s: %v", c.expr, err)
		}
		v, err := s.eval(n, "test")
		if err != nil {
			t.Errorf("%s: %v", c.expr, err)
			continue
		}
		if got := str(v); got != c.want {
			t.Errorf("%s = %q, want %q", c.expr, got, c.want)
		}
	}
}

func TestIntrinsicErrors(t *testing.T) {
	s := evalStack(t)
	cases := []struct{ expr, want string }{
		{`!Select [5, [a]]`, "index 5 out of range"},
		{`!Select [x, [a]]`, "needs an index and a list"},
		{`!Join [",", a]`, "needs a list of values"},
		{`!Split ["", a]`, "non-empty delimiter"},
		{`!If [Nope, a, b]`, `unknown condition "Nope"`},
		{`!If [Loop, a, b]`, "depends on itself"},
		{`!FindInMap [Sizes, dev, Memory]`, `mapping Sizes has no key "dev"`},
		{`!GetAtt Table.Nope`, `has no attribute "Nope"`},
		{`!Sub "${Nope}"`, "unknown variable ${Nope}"},
		{`!Ref [a]`, "Ref takes the name"},
		{`{"Fn::Bogus": 1}`, "unknown intrinsic function Fn::Bogus"},
		{`!Length x`, "needs a list"},
		{`!Cidr [a, 1, 2]`, "not supported"},
	}
	for _, c := range cases {
		n, err := node.Parse([]byte(c.expr), "e.yaml")
		if err != nil {
			t.Fatalf("%s: %v", c.expr, err)
		}
		_, err = s.eval(n, "test")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.expr, err, c.want)
		}
	}
}

func TestDerivedNameFitsLimit(t *testing.T) {
	s := &stack{name: strings.Repeat("s", 100)}
	n := s.derivedName(strings.Repeat("L", 100), 64)
	if len(n) != 64 || !strings.HasSuffix(n, "-"+hashID(s.name+"/"+strings.Repeat("L", 100), 12, false)) {
		t.Errorf("derived name %q (%d chars)", n, len(n))
	}
	s.name = "app"
	if got := s.derivedName("Fn", 64); got != "app-Fn-"+hashID("app/Fn", 12, false) {
		t.Errorf("short name = %q", got)
	}
}

func TestServerlessVariables(t *testing.T) {
	root, err := node.Parse([]byte(`
custom:
  stage: ${opt:stage, 'dev'}
  table: ${self:service}-${self:custom.stage}
  byStage:
    dev: {size: 1}
  size: ${self:custom.byStage.${self:custom.stage}.size}
  number: ${env:UNSET, 42}
  chain: ${env:UNSET, env:ALSO_UNSET, "last"}
  cfn: !Sub "${AWS::Region}-${Thing}"
  whole: ${self:custom.byStage}
service: svc
`), "serverless.yml")
	if err != nil {
		t.Fatal(err)
	}
	v := &slsVars{root: root, opts: Options{Env: func(string) (string, bool) { return "", false }}, stage: "dev", region: "us-east-1",
		busy: map[string]bool{}, cache: map[string]*node.Node{}}
	out, err := v.resolve(root, 0)
	if err != nil {
		t.Fatal(err)
	}
	c := out.Get("custom")
	for key, want := range map[string]string{"stage": "dev", "table": "svc-dev", "size": "1", "number": "42", "chain": "last"} {
		if got := c.Get(key).Value; got != want {
			t.Errorf("custom.%s = %q, want %q", key, got, want)
		}
	}
	if got := c.Get("cfn").Get("Fn::Sub").Value; got != "${AWS::Region}-${Thing}" {
		t.Errorf("CloudFormation variables changed: %q", got)
	}
	if w := c.Get("whole"); w.Kind != node.Map || w.Get("dev").Get("size").Value != "1" {
		t.Errorf("whole-value variable = %+v", w)
	}
}
