package lambda

import (
	"slices"
	"strings"

	"github.com/nimbus-dev/nimbus/internal/app"
)

// effectiveLogging is the LoggingConfig Lambda reports and runs a function
// with: Text to /aws/lambda/NAME unless set, and with the JSON format both
// log levels default to INFO.
func effectiveLogging(def *app.Function) loggingConfig {
	c := loggingConfig{LogFormat: "Text", LogGroup: "/aws/lambda/" + def.Name}
	if l := def.Logging; l != nil {
		if l.LogFormat != "" {
			c.LogFormat = l.LogFormat
		}
		if l.LogGroup != "" {
			c.LogGroup = l.LogGroup
		}
		c.ApplicationLogLevel, c.SystemLogLevel = l.ApplicationLogLevel, l.SystemLogLevel
	}
	if c.LogFormat == "JSON" {
		if c.ApplicationLogLevel == "" {
			c.ApplicationLogLevel = "INFO"
		}
		if c.SystemLogLevel == "" {
			c.SystemLogLevel = "INFO"
		}
	} else {
		c.ApplicationLogLevel, c.SystemLogLevel = "", ""
	}
	return c
}

// loggingEnv is what Lambda adds to the function's environment for its
// logging configuration: with the JSON format, AWS_LAMBDA_LOG_FORMAT=JSON
// and AWS_LAMBDA_LOG_LEVEL (the application log level), which Lambda's
// runtimes and logging libraries (Powertools) read; nothing with Text.
func loggingEnv(c loggingConfig) map[string]string {
	env := map[string]string{"AWS_LAMBDA_LOG_GROUP_NAME": c.LogGroup}
	if c.LogFormat == "JSON" {
		env["AWS_LAMBDA_LOG_FORMAT"] = "JSON"
		env["AWS_LAMBDA_LOG_LEVEL"] = c.ApplicationLogLevel
	}
	return env
}

// loggingInput is the LoggingConfig member of CreateFunction and
// UpdateFunctionConfiguration.
type loggingInput struct {
	LogFormat           *string `json:"LogFormat"`
	ApplicationLogLevel *string `json:"ApplicationLogLevel"`
	SystemLogLevel      *string `json:"SystemLogLevel"`
	LogGroup            *string `json:"LogGroup"`
}

// applyLogging validates in as Lambda does and applies it to def: members
// given replace the current ones; a switch to Text drops log levels the
// request does not repeat (they only apply to JSON).
func applyLogging(def *app.Function, in *loggingInput) error {
	if in == nil {
		return nil
	}
	enum := func(v *string, member string, allowed []string) error {
		if v == nil || slices.Contains(allowed, *v) {
			return nil
		}
		return apiError("ValidationException", "1 validation error detected: Value '"+*v+"' at 'loggingConfig."+member+
			"' failed to satisfy constraint: Member must satisfy enum value set: ["+strings.Join(allowed, ", ")+"]")
	}
	if err := enum(in.LogFormat, "logFormat", app.LogFormats); err != nil {
		return err
	}
	if err := enum(in.ApplicationLogLevel, "applicationLogLevel", app.ApplicationLogLevels); err != nil {
		return err
	}
	if err := enum(in.SystemLogLevel, "systemLogLevel", app.SystemLogLevels); err != nil {
		return err
	}
	if g := in.LogGroup; g != nil && !app.ValidLogGroup(*g) {
		constraint := "Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+"
		switch {
		case *g == "":
			constraint = "Member must have length greater than or equal to 1"
		case len(*g) > 512:
			constraint = "Member must have length less than or equal to 512"
		}
		return apiError("ValidationException", "1 validation error detected: Value '"+*g+"' at 'loggingConfig.logGroup' failed to satisfy constraint: "+constraint)
	}
	next := app.LoggingConfig{}
	if def.Logging != nil {
		next = *def.Logging
	}
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&next.LogFormat, in.LogFormat)
	set(&next.LogGroup, in.LogGroup)
	if next.LogFormat != "JSON" {
		next.ApplicationLogLevel, next.SystemLogLevel = "", ""
	}
	set(&next.ApplicationLogLevel, in.ApplicationLogLevel)
	set(&next.SystemLogLevel, in.SystemLogLevel)
	if next.LogFormat != "JSON" && (next.ApplicationLogLevel != "" || next.SystemLogLevel != "") {
		return apiError("InvalidParameterValueException", `LogLevel is not supported when LogFormat is set to "Text". Remove LogLevel from your request or change the LogFormat to "Json" and try again.`)
	}
	def.Logging = &next
	return nil
}
