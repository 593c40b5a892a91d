package template

import (
	"archive/zip"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeZip(t *testing.T, path string, files map[string]string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for name, body := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// fnYAML is a valid function for templates that test something else.
const fnYAML = `
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: nodejs20.x
`

func TestLoadErrors(t *testing.T) {
	cases := []struct {
		name     string
		file     string // file name; template.yaml when empty
		template string
		files    map[string]string
		opts     Options
		// want are substrings of the error, in order: position, resource,
		// message and hint.
		want []string
	}{
		{
			name:     "unknown intrinsic tag",
			template: "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Refx Foo\n",
			want:     []string{"template.yaml:5:18: T: unknown intrinsic function tag !Refx", `did you mean "!Ref"?`},
		},
		{
			name:     "unknown intrinsic function in JSON",
			file:     "template.json",
			template: "{\"Resources\": {\n \"T\": {\"Type\": \"AWS::SNS::Topic\", \"Properties\": {\n  \"TopicName\": {\"Fn::GetAt\": [\"X\", \"Arn\"]}}}}}",
			want:     []string{"template.json:3:", "T: unknown intrinsic function Fn::GetAt", `did you mean "Fn::GetAtt"?`},
		},
		{
			name: "dangling Ref",
			template: "Resources:\n  RoomsTable:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      KeySchema: [{AttributeName: id, KeyType: HASH}]\n      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]\n" + fnYAML +
				"      Environment:\n        Variables:\n          TABLE: !Ref RoomTable\n",
			files: map[string]string{"src/app.js": ""},
			want:  []string{"template.yaml:16:18: Fn: Ref to unknown parameter or resource \"RoomTable\"", `did you mean "RoomsTable"?`},
		},
		{
			name:     "dangling Fn::Sub variable",
			template: "Resources:\n" + fnYAML + "      Environment:\n        Variables:\n          URL: !Sub 'https://${ChatApi}.example.com/${AWS::Regoin}'\n",
			files:    map[string]string{"src/app.js": ""},
			want:     []string{"template.yaml:11:16: Fn: Fn::Sub: unknown variable ${ChatApi}", "Fn::Sub: unknown variable ${AWS::Regoin}", `did you mean "AWS::Region"?`},
		},
		{
			name:     "dangling GetAtt",
			template: "Resources:\n" + fnYAML + "Outputs:\n  A:\n    Value: !GetAtt Fun.Arn\n",
			files:    map[string]string{"src/app.js": ""},
			want:     []string{"template.yaml:11:12: Outputs: Fn::GetAtt of unknown resource \"Fun\"", `did you mean "Fn"?`},
		},
		{
			name:     "unknown GetAtt attribute",
			template: "Resources:\n" + fnYAML + "Outputs:\n  A:\n    Value: !GetAtt Fn.Arm\n",
			files:    map[string]string{"src/app.js": ""},
			want:     []string{"template.yaml:11:12: Outputs.A: Fn::GetAtt: Fn (AWS::Serverless::Function) has no attribute \"Arm\"", `did you mean "Arn"?`},
		},
		{
			name:     "missing handler file",
			template: "Resources:\n" + fnYAML,
			files:    map[string]string{"src/apps.js": ""},
			want:     []string{"template.yaml:7:16: Fn: handler \"app.handler\": no file app.js", `did you mean "apps.js"?`},
		},
		{
			name:     "missing python module",
			template: "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Code: src\n      Handler: pkg.mod.handler\n      Runtime: python3.12\n",
			files:    map[string]string{"src/pkg/other.py": ""},
			want:     []string{"template.yaml:6:16: Fn: handler \"pkg.mod.handler\": no file pkg/mod.py"},
		},
		{
			name:     "missing bootstrap",
			template: "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: bin/\n      Handler: bootstrap\n      Runtime: provided.al2023\n",
			files:    map[string]string{"bin/README": ""},
			want:     []string{"template.yaml:6:16: Fn: no executable bootstrap", "BuildMethod: go1.x"},
		},
		{
			name:     "missing code folder",
			template: "Resources:\n" + strings.Replace(fnYAML, "src/", "scr/", 1),
			files:    map[string]string{"src/app.js": ""},
			want:     []string{"template.yaml:6:16: Fn: CodeUri scr/ does not exist", `did you mean "src"?`},
		},
		{
			name:     "code in S3",
			template: "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Code: {S3Bucket: b, S3Key: k.zip}\n      Handler: app.handler\n      Runtime: nodejs20.x\n",
			want:     []string{"template.yaml:5:13: Fn: Code is in S3 (S3Bucket=b, S3Key=k.zip)"},
		},
		{
			name:     "unsupported runtime",
			template: "Resources:\n" + strings.Replace(fnYAML, "nodejs20.x", "java21", 1),
			files:    map[string]string{"src/app.js": ""},
			want:     []string{"template.yaml:8:16: Fn: unsupported runtime \"java21\""},
		},
		{
			name:     "misspelt runtime",
			template: "Resources:\n" + strings.Replace(fnYAML, "nodejs20.x", "nodejs20", 1),
			files:    map[string]string{"src/app.js": ""},
			want:     []string{"template.yaml:8:16: Fn: unsupported runtime \"nodejs20\"", `did you mean "nodejs20.x"?`},
		},
		{
			name:     "parameter not in AllowedValues",
			template: "Parameters:\n  Stage:\n    Type: String\n    AllowedValues: [dev, prod]\n    Default: dev\nResources:\n" + fnYAML,
			files:    map[string]string{"src/app.js": ""},
			opts:     Options{Params: map[string]string{"Stage": "prd"}},
			want:     []string{"template.yaml:3:5: Parameters.Stage: parameter Stage: --param value \"prd\" is not one of AllowedValues [dev, prod]", `did you mean "prod"?`},
		},
		{
			name:     "parameter default against AllowedPattern",
			template: "Parameters:\n  Name:\n    Type: String\n    Default: Bad-Name\n    AllowedPattern: '[a-z]+'\n    ConstraintDescription: lower case letters\nResources:\n" + fnYAML,
			files:    map[string]string{"src/app.js": ""},
			want:     []string{"template.yaml:3:5: Parameters.Name: parameter Name: Default value \"Bad-Name\" does not match AllowedPattern \"[a-z]+\": lower case letters"},
		},
		{
			name:     "parameter without value",
			template: "Parameters:\n  Key:\n    Type: String\nResources:\n" + fnYAML,
			files:    map[string]string{"src/app.js": ""},
			want:     []string{"Parameters.Key: parameter Key has no Default and no value was given", "pass --param Key=VALUE"},
		},
		{
			name:     "unknown --param",
			template: "Parameters:\n  Stage:\n    Type: String\n    Default: dev\nResources:\n" + fnYAML,
			files:    map[string]string{"src/app.js": ""},
			opts:     Options{Params: map[string]string{"Stag": "x"}},
			want:     []string{"--param Stag: the template has no parameter \"Stag\"", `did you mean "Stage"?`},
		},
		{
			name:     "number parameter",
			template: "Parameters:\n  N:\n    Type: Number\n    Default: 5\n    MaxValue: 10\nResources:\n" + fnYAML,
			files:    map[string]string{"src/app.js": ""},
			opts:     Options{Params: map[string]string{"N": "11"}},
			want:     []string{"parameter N: --param value \"11\" is greater than MaxValue 10"},
		},
		{
			name:     "ImportValue",
			template: "Resources:\n" + fnYAML + "      Environment:\n        Variables:\n          X: !ImportValue shared-table\n",
			files:    map[string]string{"src/app.js": ""},
			want:     []string{"template.yaml:11:14: Fn: Fn::ImportValue: exports of other stacks are not available locally", "--param"},
		},
		{
			name:     "table key not defined",
			template: "Resources:\n  T:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      KeySchema: [{AttributeName: pk, KeyType: HASH}]\n      AttributeDefinitions: [{AttributeName: pK, AttributeType: S}]\n",
			want:     []string{"template.yaml:5:18: T: table key attribute \"pk\" is not in AttributeDefinitions", `did you mean "pK"?`},
		},
		{
			name:     "YAML syntax",
			template: "Resources:\n  Fn:\n    Type: [\n",
			want:     []string{"template.yaml:3:1: did not find expected node content"},
		},
		{
			name:     "JSON syntax",
			file:     "template.json",
			template: "{\n \"Resources\": {\n  \"A\": {\"Type\": \"X\",}\n }\n}",
			want:     []string{"template.json:3:"},
		},
		{
			name:     "no Resources",
			template: "Description: nothing\n",
			want:     []string{"template.yaml:1:1: the template has no Resources section"},
		},
		{
			name:     "bad Globals section",
			template: "Globals:\n  Functions:\n    Timeout: 3\nResources:\n" + fnYAML,
			files:    map[string]string{"src/app.js": ""},
			want:     []string{"template.yaml:3:5: Globals: Globals section \"Functions\" is not one SAM supports", `did you mean "Function"?`},
		},
		{
			name:     "route target names nothing",
			template: "Resources:\n  Api:\n    Type: AWS::ApiGatewayV2::Api\n    Properties: {ProtocolType: WEBSOCKET, RouteSelectionExpression: $request.body.action}\n  R:\n    Type: AWS::ApiGatewayV2::Route\n    Properties:\n      ApiId: !Ref Api\n      RouteKey: $connect\n      Target: integrations/abc\n",
			want:     []string{"template.yaml:10:15: R: Target \"integrations/abc\" does not name an integration"},
		},
		{
			name:     "DependsOn unknown resource",
			template: "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    DependsOn: [Tpoic]\n  Topic:\n    Type: AWS::SNS::Topic\n",
			want:     []string{"template.yaml:4:17: T: DependsOn names unknown resource \"Tpoic\"", `did you mean "Topic"?`},
		},
		{
			name: "Api event on a plain RestApi",
			template: "Resources:\n  Rest:\n    Type: AWS::ApiGateway::RestApi\n    Properties: {Name: r}\n" + fnYAML +
				"      Events:\n        Get:\n          Type: Api\n          Properties: {RestApiId: !Ref Rest, Path: /, Method: get}\n",
			files: map[string]string{"src/app.js": ""},
			want:  []string{"template.yaml:15:23: Fn.Events.Get: RestApiId must be a valid reference to an 'AWS::Serverless::Api' resource in same template"},
		},
		{
			name:     "Nimbus metadata port for an unknown API",
			template: "Metadata:\n  Nimbus:\n    APIs:\n      ChatApi: {Port: 3001}\nResources:\n  ChatWebSocket:\n    Type: AWS::ApiGatewayV2::Api\n    Properties: {ProtocolType: WEBSOCKET, RouteSelectionExpression: $request.body.action}\n",
			want:     []string{"template.yaml:4:7: Metadata.Nimbus: APIs: \"ChatApi\" is not an API of this template"},
		},
		{
			name:     "duplicate table name",
			template: "Resources:\n  A:\n    Type: AWS::DynamoDB::Table\n    Properties: {TableName: t, KeySchema: [{AttributeName: id, KeyType: HASH}], AttributeDefinitions: [{AttributeName: id, AttributeType: S}]}\n  B:\n    Type: AWS::DynamoDB::Table\n    Properties: {TableName: t, KeySchema: [{AttributeName: id, KeyType: HASH}], AttributeDefinitions: [{AttributeName: id, AttributeType: S}]}\n",
			want:     []string{"template.yaml:5:3: B: table name \"t\" is also used by A"},
		},
		{
			name:     "DefinitionUri is a device",
			template: "Resources:\n  Api:\n    Type: AWS::Serverless::Api\n    Properties: {StageName: v1, DefinitionUri: /dev/zero}\n",
			want:     []string{"template.yaml:4:", "Api: DefinitionUri /dev/zero: /dev/zero is not a regular file"},
		},
		{
			name:     "serverless.ts",
			file:     "serverless.ts",
			template: "export default {}",
			want:     []string{"serverless.ts is not supported; write the configuration as serverless.yml"},
		},
		{
			name:     "serverless unresolved variable",
			file:     "serverless.yml",
			template: "service: s\nprovider:\n  name: aws\n  runtime: nodejs20.x\n  environment:\n    X: ${env:NIMBUS_UNSET_VARIABLE}\nfunctions:\n  a:\n    handler: h.a\n",
			files:    map[string]string{"h.js": ""},
			want:     []string{"serverless.yml:6:8: variable ${env:NIMBUS_UNSET_VARIABLE} resolves to nothing", "set NIMBUS_UNSET_VARIABLE in the environment"},
		},
		{
			name:     "serverless self reference loop",
			file:     "serverless.yml",
			template: "service: s\ncustom:\n  a: ${self:custom.b}\n  b: ${self:custom.a}\nprovider:\n  name: aws\nfunctions:\n  a:\n    handler: h.a\n    environment:\n      A: ${self:custom.a}\n",
			files:    map[string]string{"h.js": ""},
			want:     []string{"refers to itself"},
		},
		{
			name:     "serverless unknown source",
			file:     "serverless.yml",
			template: "service: s\nprovider:\n  name: aws\n  stage: ${opts:stage, 'dev'}\nfunctions: {}\n",
			want:     []string{"serverless.yml:4:10: unknown variable source in ${opts:stage}", `did you mean "opt:"?`},
		},
		{
			name:     "serverless missing handler",
			file:     "serverless.yml",
			template: "service: s\nprovider:\n  name: aws\n  runtime: python3.12\nfunctions:\n  a:\n    handler: handler.main\n",
			files:    map[string]string{"handlers.py": ""},
			want:     []string{"serverless.yml:7:14: ALambdaFunction: handler \"handler.main\": no file handler.py", `did you mean "handlers.py"?`},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			file := c.file
			if file == "" {
				file = "template.yaml"
			}
			write(t, filepath.Join(dir, file), c.template)
			for name, body := range c.files {
				write(t, filepath.Join(dir, name), body)
			}
			c.opts.WorkDir = t.TempDir()
			c.opts.Env = func(string) (string, bool) { return "", false }
			_, err := Load(dir, c.opts)
			if err == nil {
				t.Fatalf("Load succeeded, want an error with %q", c.want)
			}
			msg := strings.ReplaceAll(err.Error(), dir+string(filepath.Separator), "")
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q\n does not contain %q", msg, w)
				}
			}
		})
	}
}

func TestErrorsAreTyped(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "template.yaml"), "Resources:\n  A:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Ref Nope\n")
	_, err := Load(dir, Options{})
	var te *Error
	if !errors.As(err, &te) || te.Loc.Line != 5 || te.Loc.Resource != "A" || te.Loc.File != filepath.Join(dir, "template.yaml") {
		t.Errorf("err = %#v, want a *template.Error at line 5 of resource A", err)
	}
}

func TestNoTemplateIsErrNoTemplate(t *testing.T) {
	_, err := Load(t.TempDir(), Options{})
	if !errors.Is(err, ErrNoTemplate) {
		t.Errorf("err = %v, want ErrNoTemplate", err)
	}
}

func TestUnknownResourceTypeWarns(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "template.yaml"), "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n  B:\n    Type: Custom::Thing\n    Properties: {ServiceToken: x}\n  R:\n    Type: AWS::IAM::Role\n    Properties: {AssumeRolePolicyDocument: {}}\nOutputs:\n  Url:\n    Value: !Ref Q\n  Arn:\n    Value: !GetAtt Q.Arn\n")
	a := load(t, dir, Options{})
	joined := strings.Join(a.Warnings, "\n")
	for _, w := range []string{"template.yaml:2: Q: resource type AWS::SQS::Queue is not emulated", "template.yaml:4: B: resource type Custom::Thing is not emulated"} {
		if !strings.Contains(joined, strings.ReplaceAll(w, "template.yaml", filepath.Join(dir, "template.yaml"))) {
			t.Errorf("warnings %q lack %q", a.Warnings, w)
		}
	}
	if strings.Contains(joined, "IAM") {
		t.Errorf("IAM resources must be accepted silently: %q", a.Warnings)
	}
	if !strings.HasPrefix(a.Outputs["Url"], "https://sqs.us-east-1.amazonaws.com/123456789012/") || !strings.HasPrefix(a.Outputs["Arn"], "arn:aws:sqs:us-east-1:123456789012:") {
		t.Errorf("outputs = %v", a.Outputs)
	}
}

func TestSeveralErrorsReportedTogether(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "template.yaml"), "Resources:\n  A:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Ref Nope\n      DisplayName: !GetAtt Nada.Arn\n")
	_, err := Load(dir, Options{})
	if err == nil || !strings.Contains(err.Error(), "Nope") || !strings.Contains(err.Error(), "Nada") {
		t.Errorf("err = %v, want both dangling references", err)
	}
}
