package template

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/nimbus-dev/nimbus/internal/app"
)

// writeTemplate writes a template and a handler file into a new folder.
func writeTemplate(t *testing.T, body string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "src"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "src", "app.js"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "template.yaml")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoggingConfig(t *testing.T) {
	const tpl = `Transform: AWS::Serverless-2016-10-31
Parameters:
  Level: {Type: String, Default: WARN}
Globals:
  Function:
    Runtime: nodejs20.x
    Handler: app.handler
    CodeUri: src/
    LoggingConfig:
      LogFormat: JSON
      ApplicationLogLevel: !Ref Level
Resources:
  FromGlobals:
    Type: AWS::Serverless::Function
  OwnWins:
    Type: AWS::Serverless::Function
    Properties:
      LoggingConfig:
        ApplicationLogLevel: DEBUG
        SystemLogLevel: WARN
        LogGroup: /custom/group
  Plain:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Code: src/
      LoggingConfig:
        LogFormat: Text
  NoConfig:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: nodejs20.x
      Handler: app.handler
      Code: src/
`
	path := writeTemplate(t, tpl)
	if err := os.WriteFile(filepath.Join(filepath.Dir(path), "src", "app.py"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	a := load(t, path, Options{})
	cases := []struct {
		fn   string
		want *app.LoggingConfig
	}{
		{"FromGlobals", &app.LoggingConfig{LogFormat: "JSON", ApplicationLogLevel: "WARN"}},
		{"OwnWins", &app.LoggingConfig{LogFormat: "JSON", ApplicationLogLevel: "DEBUG", SystemLogLevel: "WARN", LogGroup: "/custom/group"}},
		{"Plain", &app.LoggingConfig{LogFormat: "Text"}},
		{"NoConfig", nil},
	}
	for _, c := range cases {
		if got := fn(t, a, c.fn).Logging; !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: Logging = %+v, want %+v", c.fn, got, c.want)
		}
	}
}

func TestLoggingConfigErrors(t *testing.T) {
	head := "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: nodejs20.x\n      Handler: app.handler\n      Code: src/\n      LoggingConfig:\n"
	cases := []struct {
		name, config string
		want         []string
	}{
		{"format case", "        LogFormat: json\n",
			[]string{"template.yaml:9:20: Fn: LoggingConfig.LogFormat \"json\" is not one of [JSON Text]", `did you mean "JSON"?`}},
		{"application level", "        LogFormat: JSON\n        ApplicationLogLevel: WARNING\n",
			[]string{"template.yaml:10:30: Fn: LoggingConfig.ApplicationLogLevel \"WARNING\" is not one of [TRACE DEBUG INFO WARN ERROR FATAL]"}},
		{"system level", "        LogFormat: JSON\n        SystemLogLevel: ERROR\n",
			[]string{"template.yaml:10:25: Fn: LoggingConfig.SystemLogLevel \"ERROR\" is not one of [DEBUG INFO WARN]"}},
		{"levels with Text", "        LogFormat: Text\n        ApplicationLogLevel: INFO\n",
			[]string{"template.yaml:10:30: Fn: LogLevel is not supported when LogFormat is set to \"Text\"", "set LogFormat: JSON"}},
		{"levels without format", "        SystemLogLevel: INFO\n",
			[]string{"template.yaml:9:25: Fn: LogLevel is not supported when LogFormat is set to \"Text\""}},
		{"log group", "        LogGroup: 'my group'\n",
			[]string{"template.yaml:9:19: Fn: LoggingConfig.LogGroup \"my group\" must be 1 to 512 characters"}},
		{"unknown member", "        LogFromat: JSON\n",
			[]string{"template.yaml:9:20: Fn: LoggingConfig has no property \"LogFromat\"", `did you mean "LogFormat"?`}},
		{"not a map", "          - JSON\n",
			[]string{"template.yaml:9:11: Fn: LoggingConfig must be a map"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := writeTemplate(t, head+c.config)
			_, err := Load(path, Options{WorkDir: t.TempDir(), Env: func(string) (string, bool) { return "", false }})
			if err == nil {
				t.Fatal("Load succeeded")
			}
			msg := err.Error()
			at := 0
			for _, w := range c.want {
				i := strings.Index(msg[at:], w)
				if i < 0 {
					t.Fatalf("error %q lacks %q (in order)", msg, w)
				}
				at += i + len(w)
			}
		})
	}
}
