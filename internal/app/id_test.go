package app

import (
	"regexp"
	"testing"
)

func TestAPIIDStableAndWellFormed(t *testing.T) {
	shape := regexp.MustCompile(`^[a-z0-9]{10}$`)
	seen := map[string]string{}
	for _, logical := range []string{"ServerlessRestApi", "ServerlessHttpApi", "ChatWebSocket", "A", ""} {
		id := APIID(logical)
		if !shape.MatchString(id) {
			t.Errorf("APIID(%q) = %q, want 10 lowercase alphanumerics", logical, id)
		}
		if id != APIID(logical) {
			t.Errorf("APIID(%q) not stable", logical)
		}
		if other, dup := seen[id]; dup {
			t.Errorf("APIID(%q) == APIID(%q)", logical, other)
		}
		seen[id] = logical
	}
}
