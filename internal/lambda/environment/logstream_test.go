package environment

import (
	"regexp"
	"testing"
	"time"
)

// TestLogStreamName pins Lambda's log stream name form; every call (every
// execution environment) gets its own.
func TestLogStreamName(t *testing.T) {
	now := time.Date(2024, 1, 20, 23, 59, 0, 0, time.FixedZone("x", -5*3600))
	cases := []struct{ version, want string }{
		{"", `^2024/01/21/\[\$LATEST\][0-9a-f]{32}$`},
		{"$LATEST", `^2024/01/21/\[\$LATEST\][0-9a-f]{32}$`},
		{"3", `^2024/01/21/\[3\][0-9a-f]{32}$`},
	}
	for _, c := range cases {
		a, b := LogStreamName(now, c.version), LogStreamName(now, c.version)
		if !regexp.MustCompile(c.want).MatchString(a) || a == b {
			t.Errorf("LogStreamName(%q) = %q, %q", c.version, a, b)
		}
	}
}
