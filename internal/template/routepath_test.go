package template

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckRoutePath(t *testing.T) {
	for path, ok := range map[string]bool{
		"/": true, "/rooms": true, "/rooms/{id}": true, "/rest/{proxy+}": true, "/a/b/": true, "/{a}/{b}": true,
		"rooms": false, "": false, "/a//b": false, "/rooms/{id": false, "/rooms/id}": false, "/x{id}": false,
		"/{proxy+}/more": false, "/{}": false, "/{+}": false, "/a+b": false,
	} {
		if err := checkRoutePath(path); (err == nil) != ok {
			t.Errorf("checkRoutePath(%q) = %v, want ok=%v", path, err, ok)
		}
	}
}

// TestMalformedSectionsAreErrors: a Resources or functions section of the
// wrong kind, and an event path API Gateway would refuse, are errors at
// their line, not a template that loads with nothing in it.
func TestMalformedSectionsAreErrors(t *testing.T) {
	for _, c := range []struct{ file, body, want string }{
		{"template.yaml", "Resources:\n  - Type: AWS::DynamoDB::Table\n", "template.yaml:2:3: Resources: Resources must be a mapping"},
		{"serverless.yml", "service: s\nprovider:\n  name: aws\n  runtime: nodejs20.x\nfunctions:\n  - hello\n", "serverless.yml:6:3: functions: functions must be a mapping"},
		{"template.yaml", "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      InlineCode: x\n      Handler: index.handler\n      Runtime: nodejs20.x\n      Events:\n        Get:\n          Type: Api\n          Properties:\n            Path: rooms/{id\n            Method: get\n",
			"template.yaml:13:19: Fn.Events.Get: Path \"rooms/{id\" must start with /"},
		{"template.yaml", "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      InlineCode: x\n      Handler: index.handler\n      Runtime: nodejs20.x\n      Events:\n        Get:\n          Type: HttpApi\n          Properties:\n            Path: /rooms/{id\n            Method: get\n",
			"template.yaml:13:19: Fn.Events.Get: Path \"/rooms/{id\": segment \"{id\" opens a {"},
	} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, c.file), []byte(c.body), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Load(dir, Options{WorkDir: t.TempDir(), Env: func(string) (string, bool) { return "", false }})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.file, err, c.want)
		}
	}
}
