package lambda

import (
	"regexp"
	"testing"
)

// TestNewTraceID pins the X-Ray header Lambda passes to functions.
func TestNewTraceID(t *testing.T) {
	re := regexp.MustCompile(`^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$`)
	a, b := newTraceID(), newTraceID()
	if !re.MatchString(a) || a == b {
		t.Errorf("trace ids %q, %q", a, b)
	}
}
