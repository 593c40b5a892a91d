package app

import (
	"strings"
	"testing"
)

func TestValidLogGroup(t *testing.T) {
	cases := map[string]bool{
		"/aws/lambda/fn":         true,
		"my-group_1.x#y":         true,
		strings.Repeat("a", 512): true,
		strings.Repeat("a", 513): false,
		"":                       false,
		"has space":              false,
		"colon:not":              false,
		"/aws/lambda/λ":          false,
	}
	for name, want := range cases {
		if got := ValidLogGroup(name); got != want {
			t.Errorf("ValidLogGroup(%.20q) = %v, want %v", name, got, want)
		}
	}
}
