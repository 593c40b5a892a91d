package environment

import (
	"encoding/json"
	"testing"
)

func TestErrorBody(t *testing.T) {
	cases := []struct{ header, body, want string }{
		{"X", `{"errorType":"A","errorMessage":"m"}`, `{"errorType":"A","errorMessage":"m"}`},
		{"Custom", "plain", `{"errorType":"Custom","errorMessage":"plain"}`},
		{"", "", `{"errorType":"Runtime.Unknown","errorMessage":"Unknown application error occurred"}`},
		{"T", `{"broken`, `{"errorType":"T","errorMessage":"{\"broken"}`},
	}
	for _, c := range cases {
		if got := string(errorBody(c.header, []byte(c.body))); got != c.want {
			t.Errorf("errorBody(%q, %q) = %s, want %s", c.header, c.body, got, c.want)
		}
	}
}

func FuzzErrorBody(f *testing.F) {
	f.Add("Runtime.Error", []byte(`{"errorType":"x"}`))
	f.Add("", []byte("not json"))
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		if out := errorBody(header, body); !json.Valid(out) {
			t.Fatalf("invalid JSON %q", out)
		}
	})
}
