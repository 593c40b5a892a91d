package expr

import (
	"testing"

	"github.com/nimbus-dev/nimbus/internal/dynamodb/attr"
)

func fuzzContext() *Context {
	return NewContext(map[string]string{"#a": "a", "#b": "b"}, map[string]*attr.Value{
		":v": attr.Str("x"), ":n": attr.Num("1"), ":l": {T: attr.L, L: []*attr.Value{attr.Num("2")}},
	})
}

var fuzzItem = attr.Item{"a": attr.Num("3"), "b": {T: attr.M, M: map[string]*attr.Value{"c": {T: attr.L, L: []*attr.Value{attr.Str("x")}}}}}

func FuzzParseCondition(f *testing.F) {
	for _, s := range []string{"a = :v", "#a BETWEEN :n AND :n", "attribute_exists(b.c[0]) AND NOT contains(#b, :v)",
		"size(a) > :n OR a IN (:n, :v)", "((a = :v))", "begins_with(#a, :v)", "a <> :n", "!", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		c, err := ParseCondition(src, fuzzContext())
		if err == nil {
			Eval(c, fuzzItem)
		}
	})
}

func FuzzParseUpdate(f *testing.F) {
	for _, s := range []string{"SET a = a + :n, b.c[3] = :v", "REMOVE b.c[0] ADD a :n", "SET #a = list_append(:l, if_not_exists(x, :l))",
		"DELETE a :v", "SET a = :n SET b = :n", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		u, err := ParseUpdate(src, fuzzContext())
		if err == nil {
			_ = u.Apply(fuzzItem.Clone())
		}
	})
}

func FuzzParseProjection(f *testing.F) {
	for _, s := range []string{"a, b.c[0]", "#a", "a.b.c, d[1][2]", "a,", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		paths, err := ParseProjection(src, fuzzContext())
		if err == nil {
			Project(fuzzItem, paths)
		}
	})
}
