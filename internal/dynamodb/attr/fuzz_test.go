package attr

import (
	"encoding/json"
	"testing"
)

func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"0", "-1.5e3", "1E-130", "9.9999999999999999999999999999999999999E+125", "abc", ".", "1e", "-0.000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseNumber(s)
		if err != nil {
			return
		}
		// Canonical text is a fixed point and encodes to a key.
		again, err := ParseNumber(n)
		if err != nil || again != n {
			t.Fatalf("ParseNumber(%q) = %q, reparsed %q, %v", s, n, again, err)
		}
		AppendKey(nil, Num(n))
		if NumberSize(n) < 1 {
			t.Fatalf("NumberSize(%q) < 1", n)
		}
	})
}

func FuzzUnmarshalItem(f *testing.F) {
	for _, s := range []string{`{"a":{"S":"x"}}`, `{"m":{"M":{"l":{"L":[{"N":"1"},{"BS":["AQ=="]}]}}}}`, `{"x":{}}`, `{"n":{"NS":["1","1.0"]}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var it Item
		if err := json.Unmarshal(b, &it); err != nil {
			return
		}
		out, err := json.Marshal(it)
		if err != nil {
			t.Fatal(err)
		}
		var back Item
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("re-reading %s: %v", out, err)
		}
		dec, err := DecodeItem(AppendItem(nil, it))
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range it {
			if !Equal(v, dec[k]) || !Equal(v, back[k]) {
				t.Fatalf("%s changed in a round trip", k)
			}
		}
		ItemSize(it)
	})
}

func FuzzDecodeItem(f *testing.F) {
	f.Add(AppendItem(nil, Item{"a": Str("x"), "l": {T: L, L: []*Value{Num("1")}}}))
	f.Add([]byte{1, 1, 'a', 99})
	f.Fuzz(func(t *testing.T, b []byte) {
		it, err := DecodeItem(b)
		if err != nil {
			return
		}
		again, err := DecodeItem(AppendItem(nil, it))
		if err != nil || len(again) != len(it) {
			t.Fatalf("re-decoding: %v", err)
		}
		for k, v := range it {
			if !Equal(v, again[k]) && v.T != N && v.T != NS {
				t.Fatalf("%s changed in a round trip", k)
			}
		}
	})
}

// FuzzParseString checks the attribute parser's string decoding against
// encoding/json on arbitrary JSON string literals.
func FuzzParseString(f *testing.F) {
	for _, s := range []string{`"a"`, `"\u00e9\n\"x\""`, `"\ud83d\ude00"`, `"\ud83d"`, `"bad \x"`, "\"\xff\""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, lit []byte) {
		var want string
		stdErr := json.Unmarshal(lit, &want)
		p := &jparser{b: lit}
		got, err := p.str()
		if err == nil {
			err = p.end()
		}
		if (stdErr == nil) != (err == nil) {
			t.Fatalf("%q: encoding/json err %v, parser err %v", lit, stdErr, err)
		}
		if err == nil && got != want {
			t.Fatalf("%q: got %q want %q", lit, got, want)
		}
	})
}

func FuzzSplitObject(f *testing.F) {
	for _, s := range []string{`{"TableName":"t","Item":{"a":{"S":"x"}},"n":[1,{"b":null}]}`, `{"Item":null}`, `{"Key":{"k":{"N":"1"}},"\u0001":true}`, `null`, `{"a":`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		items, rest, err := SplitObject(b, map[string]bool{"Item": true, "Key": true})
		if err != nil {
			return
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(rest, &m); err != nil {
			t.Fatalf("rest %q of %q is not JSON: %v", rest, b, err)
		}
		for name, it := range items {
			var want Item
			var whole map[string]json.RawMessage
			if json.Unmarshal(b, &whole) != nil {
				continue
			}
			if err := json.Unmarshal(whole[name], &want); err != nil || len(want) != len(it) {
				t.Fatalf("%s parsed differently: %v", name, err)
			}
		}
	})
}
