package template

import (
	"slices"

	"github.com/nimbus-dev/nimbus/internal/app"
)

// loggingConfig reads a function's LoggingConfig (SAM functions get
// Globals.Function's merged in) and checks it as CloudFormation and Lambda
// would: enum values, the log group name, and log levels only with the
// JSON format. It returns nil when the property is absent.
func (l *loader) loggingConfig(r *resource) (*app.LoggingConfig, *Error) {
	n := r.Props.Get("LoggingConfig")
	if n == nil {
		return nil, nil
	}
	v := l.s.prop(r, "LoggingConfig")
	if v == nil {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errAt(n, r.ID, "", "LoggingConfig must be a map with LogFormat, ApplicationLogLevel, SystemLogLevel, LogGroup")
	}
	known := []string{"LogFormat", "ApplicationLogLevel", "SystemLogLevel", "LogGroup"}
	for _, k := range sortedKeys(m) {
		if !slices.Contains(known, k) {
			return nil, errAt(n.Get(k), r.ID, suggest(k, known), "LoggingConfig has no property %q", k)
		}
	}
	lc := &app.LoggingConfig{
		LogFormat:           str(m["LogFormat"]),
		ApplicationLogLevel: str(m["ApplicationLogLevel"]),
		SystemLogLevel:      str(m["SystemLogLevel"]),
		LogGroup:            str(m["LogGroup"]),
	}
	enum := func(key, val string, allowed []string) *Error {
		if _, set := m[key]; !set || slices.Contains(allowed, val) {
			return nil
		}
		return errAt(n.Get(key), r.ID, suggest(val, allowed),
			"LoggingConfig.%s %q is not one of %v", key, val, allowed)
	}
	if err := enum("LogFormat", lc.LogFormat, app.LogFormats); err != nil {
		return nil, err
	}
	if err := enum("ApplicationLogLevel", lc.ApplicationLogLevel, app.ApplicationLogLevels); err != nil {
		return nil, err
	}
	if err := enum("SystemLogLevel", lc.SystemLogLevel, app.SystemLogLevels); err != nil {
		return nil, err
	}
	if _, set := m["LogGroup"]; set && !app.ValidLogGroup(lc.LogGroup) {
		return nil, errAt(n.Get("LogGroup"), r.ID, "", "LoggingConfig.LogGroup %q must be 1 to 512 characters of letters, digits and . - _ / #", lc.LogGroup)
	}
	if (lc.ApplicationLogLevel != "" || lc.SystemLogLevel != "") && lc.LogFormat != "JSON" {
		at := n.Get("ApplicationLogLevel")
		if lc.ApplicationLogLevel == "" {
			at = n.Get("SystemLogLevel")
		}
		return nil, errAt(at, r.ID, "set LogFormat: JSON, or remove the log levels",
			`LogLevel is not supported when LogFormat is set to "Text"`)
	}
	return lc, nil
}
