package lambda

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// envBootstrap answers every invocation with the logging variables Lambda
// sets, as "FORMAT|LEVEL|GROUP".
var envBootstrap = strings.Replace(echoBootstrap, `\"$REPLY\"`, `\"${AWS_LAMBDA_LOG_FORMAT-unset}|${AWS_LAMBDA_LOG_LEVEL-unset}|$AWS_LAMBDA_LOG_GROUP_NAME\"`, 1)

func TestLoggingConfigThroughAPI(t *testing.T) {
	requireTool(t, "curl", "apt-get install curl")
	h := newHarness(t, Options{})
	ctx := context.Background()
	create := func(name string, lc *types.LoggingConfig) (*sdk.CreateFunctionOutput, error) {
		return h.client.CreateFunction(ctx, &sdk.CreateFunctionInput{
			FunctionName:  aws.String(name),
			Runtime:       types.RuntimeProvidedal2023,
			Role:          aws.String("arn:aws:iam::000000000000:role/lambda"),
			Handler:       aws.String("bootstrap"),
			Code:          &types.FunctionCode{ZipFile: zipOf(t, map[string]string{"bootstrap": envBootstrap})},
			LoggingConfig: lc,
		})
	}
	same := func(what string, got *types.LoggingConfig, want types.LoggingConfig) {
		t.Helper()
		if got == nil || got.LogFormat != want.LogFormat || got.ApplicationLogLevel != want.ApplicationLogLevel ||
			got.SystemLogLevel != want.SystemLogLevel || aws.ToString(got.LogGroup) != aws.ToString(want.LogGroup) {
			t.Errorf("%s: LoggingConfig = %+v, want %+v", what, got, want)
		}
	}
	reply := func(name string) string {
		t.Helper()
		return string(invokeJSON(t, h, name, `{}`).Payload)
	}

	out, err := create("plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	same("default", out.LoggingConfig, types.LoggingConfig{LogFormat: types.LogFormatText, LogGroup: aws.String("/aws/lambda/plain")})
	if got := reply("plain"); got != `"unset|unset|/aws/lambda/plain"` {
		t.Errorf("Text environment: %s", got)
	}

	out, err = create("structured", &types.LoggingConfig{LogFormat: types.LogFormatJson})
	if err != nil {
		t.Fatal(err)
	}
	jsonDefaults := types.LoggingConfig{LogFormat: types.LogFormatJson, ApplicationLogLevel: types.ApplicationLogLevelInfo,
		SystemLogLevel: types.SystemLogLevelInfo, LogGroup: aws.String("/aws/lambda/structured")}
	same("CreateFunction JSON", out.LoggingConfig, jsonDefaults)
	got, err := h.client.GetFunction(ctx, &sdk.GetFunctionInput{FunctionName: aws.String("structured")})
	if err != nil {
		t.Fatal(err)
	}
	same("GetFunction JSON", got.Configuration.LoggingConfig, jsonDefaults)
	if r := reply("structured"); r != `"JSON|INFO|/aws/lambda/structured"` {
		t.Errorf("JSON environment: %s", r)
	}

	upd, err := h.client.UpdateFunctionConfiguration(ctx, &sdk.UpdateFunctionConfigurationInput{
		FunctionName:  aws.String("structured"),
		LoggingConfig: &types.LoggingConfig{ApplicationLogLevel: types.ApplicationLogLevelDebug, LogGroup: aws.String("/custom/group")},
	})
	if err != nil {
		t.Fatal(err)
	}
	updated := types.LoggingConfig{LogFormat: types.LogFormatJson, ApplicationLogLevel: types.ApplicationLogLevelDebug,
		SystemLogLevel: types.SystemLogLevelInfo, LogGroup: aws.String("/custom/group")}
	same("UpdateFunctionConfiguration", upd.LoggingConfig, updated)
	cfg, err := h.client.GetFunctionConfiguration(ctx, &sdk.GetFunctionConfigurationInput{FunctionName: aws.String("structured")})
	if err != nil {
		t.Fatal(err)
	}
	same("GetFunctionConfiguration", cfg.LoggingConfig, updated)
	if r := reply("structured"); r != `"JSON|DEBUG|/custom/group"` {
		t.Errorf("updated environment: %s", r)
	}
	// Back to Text: the levels go (they only apply to JSON).
	upd, err = h.client.UpdateFunctionConfiguration(ctx, &sdk.UpdateFunctionConfigurationInput{
		FunctionName: aws.String("structured"), LoggingConfig: &types.LoggingConfig{LogFormat: types.LogFormatText},
	})
	if err != nil {
		t.Fatal(err)
	}
	same("back to Text", upd.LoggingConfig, types.LoggingConfig{LogFormat: types.LogFormatText, LogGroup: aws.String("/custom/group")})
	if r := reply("structured"); r != `"unset|unset|/custom/group"` {
		t.Errorf("Text again environment: %s", r)
	}

	refused := []struct {
		name string
		lc   types.LoggingConfig
		code string
		msg  string
	}{
		{"levels with Text", types.LoggingConfig{LogFormat: types.LogFormatText, ApplicationLogLevel: types.ApplicationLogLevelWarn},
			"InvalidParameterValueException", `LogLevel is not supported when LogFormat is set to "Text". Remove LogLevel from your request or change the LogFormat to "Json" and try again.`},
		{"level without format", types.LoggingConfig{SystemLogLevel: types.SystemLogLevelWarn},
			"InvalidParameterValueException", `LogLevel is not supported when LogFormat is set to "Text".`},
		{"format enum", types.LoggingConfig{LogFormat: "json"},
			"ValidationException", "1 validation error detected: Value 'json' at 'loggingConfig.logFormat' failed to satisfy constraint: Member must satisfy enum value set: [JSON, Text]"},
		{"application enum", types.LoggingConfig{LogFormat: types.LogFormatJson, ApplicationLogLevel: "VERBOSE"},
			"ValidationException", "Value 'VERBOSE' at 'loggingConfig.applicationLogLevel' failed to satisfy constraint: Member must satisfy enum value set: [TRACE, DEBUG, INFO, WARN, ERROR, FATAL]"},
		{"system enum", types.LoggingConfig{LogFormat: types.LogFormatJson, SystemLogLevel: "ERROR"},
			"ValidationException", "Value 'ERROR' at 'loggingConfig.systemLogLevel' failed to satisfy constraint: Member must satisfy enum value set: [DEBUG, INFO, WARN]"},
		{"log group", types.LoggingConfig{LogGroup: aws.String("my group")},
			"ValidationException", `Value 'my group' at 'loggingConfig.logGroup' failed to satisfy constraint: Member must satisfy regular expression pattern: [\.\-_/#A-Za-z0-9]+`},
	}
	for _, c := range refused {
		for _, op := range []string{"create", "update"} {
			var err error
			if op == "create" {
				_, err = create("refused", &c.lc)
			} else {
				_, err = h.client.UpdateFunctionConfiguration(ctx, &sdk.UpdateFunctionConfigurationInput{FunctionName: aws.String("plain"), LoggingConfig: &c.lc})
			}
			var apiErr interface {
				ErrorCode() string
				ErrorMessage() string
			}
			if !errors.As(err, &apiErr) || apiErr.ErrorCode() != c.code || !strings.Contains(apiErr.ErrorMessage(), c.msg) {
				t.Errorf("%s (%s): err = %v, want %s %q", c.name, op, err, c.code, c.msg)
			}
		}
	}
}
