package lambda

import "testing"

func TestSplitQualifier(t *testing.T) {
	cases := []struct {
		in, name, qualifier string
		ok                  bool
	}{
		{"hello", "hello", "", true},
		{"hello:$LATEST", "hello", "$LATEST", true},
		{"hello:prod", "hello", "prod", true},
		{"arn:aws:lambda:us-east-1:123456789012:function:hello", "hello", "", true},
		{"arn:aws:lambda:us-east-1:123456789012:function:hello:7", "hello", "7", true},
		{"123456789012:function:hello", "hello", "", true},
		{"", "", "", false},
		{"bad name", "", "", false},
		{"a:b:c:d", "", "", false},
	}
	for _, c := range cases {
		name, q, ok := splitQualifier(c.in)
		if ok != c.ok || (ok && (name != c.name || q != c.qualifier)) {
			t.Errorf("splitQualifier(%q) = %q %q %v", c.in, name, q, ok)
		}
	}
}

func FuzzSplitQualifier(f *testing.F) {
	for _, s := range []string{"hello", "hello:$LATEST", "arn:aws:lambda:us-east-1:123456789012:function:hello:7", "::", "a/b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		name, _, ok := splitQualifier(s)
		if ok && name == "" {
			t.Fatalf("%q: ok with an empty name", s)
		}
	})
}
