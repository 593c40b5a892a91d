package gateway

import (
	"regexp"
	"testing"
)

func TestLambdaTraceHeader(t *testing.T) {
	parent := `;Parent=[0-9a-f]{16};Sampled=0`
	for in, want := range map[string]string{
		"Root=1-5759e988-bd862e3fe1be46a994272793":                                                            `^Root=1-5759e988-bd862e3fe1be46a994272793` + parent + `$`,
		"Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1":                          `^Root=1-5759e988-bd862e3fe1be46a994272793` + parent + `$`,
		"Self=1-67891234-12456789abcdef012345678;Root=1-5759e988-bd862e3fe1be46a994272793;Lineage=a87bd80c:1": `^Root=1-5759e988-bd862e3fe1be46a994272793` + parent + `;Lineage=a87bd80c:1$`,
		" root=1-5759e988-bd862e3fe1be46a994272793 ; sampled=1":                                               `^Root=1-5759e988-bd862e3fe1be46a994272793` + parent + `$`,
		"":         `^$`,
		"Root=abc": `^$`,
		"Root=1-5759e988-BD862E3FE1BE46A994272793":  `^$`,
		"Root=1-5759e988x-bd862e3fe1be46a99427279":  `^$`,
		"Parent=53995c3f42cd8ad8;Sampled=1":         `^$`,
		"Root=1-5759e988-bd862e3fe1be46a994272793;": `^Root=1-5759e988-bd862e3fe1be46a994272793` + parent + `$`,
	} {
		if got := LambdaTraceHeader(in); !regexp.MustCompile(want).MatchString(got) {
			t.Errorf("LambdaTraceHeader(%q) = %q, want %s", in, got, want)
		}
	}
	a := LambdaTraceHeader("Root=1-5759e988-bd862e3fe1be46a994272793")
	if b := LambdaTraceHeader("Root=1-5759e988-bd862e3fe1be46a994272793"); a == b {
		t.Errorf("two invocations share the Parent segment id: %q", a)
	}
}

func FuzzLambdaTraceHeader(f *testing.F) {
	f.Add("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")
	f.Add("Root=1-5759e988-bd862e3fe1be46a994272793;Lineage=a87bd80c:1")
	f.Add(";;==;Root=")
	valid := regexp.MustCompile(`^(Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0(;Lineage=[^;]*)?)?$`)
	f.Fuzz(func(t *testing.T, in string) {
		if got := LambdaTraceHeader(in); !valid.MatchString(got) {
			t.Errorf("LambdaTraceHeader(%q) = %q", in, got)
		}
	})
}
