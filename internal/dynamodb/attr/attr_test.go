package attr

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
)

func TestParseNumber(t *testing.T) {
	nn := msgNotNumber + ": "
	cases := []struct{ in, want, err, old string }{
		{"0", "0", "", ""},
		{"-0", "0", "", ""},
		{"00042", "42", "", ""},
		{"1.0", "1", "", ""},
		{"3.1400", "3.14", "", ""},
		{"1.5E2", "150", "", ""},
		{"0042.1200", "42.12", "", ""},
		{"+.5", "0.5", "", ""},
		{"5.", "5", "", ""},
		{"1.e5", "100000", "", ""},
		{"1E125", "1" + strings.Repeat("0", 125), "", ""},
		{"1E-130", "0." + strings.Repeat("0", 129) + "1", "", ""},
		{"12345678901234567890123456789012345678", "12345678901234567890123456789012345678", "", ""},
		{"-9.9999999999999999999999999999999999999E+125", "-99999999999999999999999999999999999999" + strings.Repeat("0", 88), "", ""},
		{"123456789012345678901234567890123456789", "", msgPrecision, msgPrecision},
		{"1E+126", "", msgOverflow, msgOverflow},
		{"-1E+126", "", msgOverflow, msgOverflow},
		{"1E-131", "", msgUnderflow, msgUnderflow},
		// An exponent past an int: the current layer range-checks it, the
		// older one wraps (or does not parse it at all).
		{"1e2147483647", "", msgOverflow, msgUnderflow},
		{"1e99999999999", "", msgOverflow, nn + "1e99999999999"},
		{"1e-99999999999", "", msgUnderflow, nn + "1e-99999999999"},
		{"0e125", "0", "", ""},
		{"0e-130", "0", "", ""},
		{"0e126", "", msgOverflow, msgOverflow},
		{"0e-131", "", msgUnderflow, msgUnderflow},
		{"1e2147483648", "", msgOverflow, nn + "1e2147483648"},
		{"1e9223372036854775808", "", nn + "1e9223372036854775808", nn + "1e9223372036854775808"},
		{"abc", "", nn + "abc", nn + "abc"},
		{"", "", nn, msgNotNumber},
		{"NaN", "", nn + "NaN", nn + "NaN"},
		{"Infinity", "", nn + "Infinity", nn + "Infinity"},
		{"1 ", "", nn + "1 ", nn + "1 "},
		{" 1", "", nn + " 1", nn + " 1"},
		{"e2", "", nn + "e2", nn + "e2"},
		{".", "", nn + ".", nn + "."},
		{"1e+", "", nn + "1e+", nn + "1e+"},
		{"+-5", "", nn + "+-5", nn + "+-5"},
		{"0x10", "", nn + "0x10", nn + "0x10"},
		{"1_000", "", nn + "1_000", nn + "1_000"},
	}
	for _, c := range cases {
		got, err := ParseNumber(c.in)
		if c.err != "" {
			e, ok := err.(*Error)
			if !ok || e.Msg != c.err || e.Older() != c.old {
				t.Errorf("ParseNumber(%q) err = %#v, want %q / older %q", c.in, err, c.err, c.old)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("ParseNumber(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

func TestAddNumbers(t *testing.T) {
	cases := []struct {
		a, b string
		sub  bool
		want string
		err  bool
	}{
		{"1", "2", false, "3", false},
		{"1.5", "2.5", true, "-1", false},
		{"0.1", "0.2", false, "0.3", false},
		{"9.9E125", "9.9E125", false, "", true},
	}
	for _, c := range cases {
		a, _ := ParseNumber(c.a)
		b, _ := ParseNumber(c.b)
		got, err := AddNumbers(a, b, c.sub)
		if (err != nil) != c.err || got != c.want {
			t.Errorf("AddNumbers(%s,%s,%v) = %q,%v", c.a, c.b, c.sub, got, err)
		}
	}
}

func TestNumberKeyOrder(t *testing.T) {
	lits := []string{"-9.9999999999999999999999999999999999999E+125", "-1E10", "-123.45", "-123.4", "-1", "-0.5", "-1E-130",
		"0", "1E-130", "0.001", "0.5", "1", "1.2", "1.23", "10", "99", "100", "123456", "1E125"}
	var vals []string
	for _, l := range lits {
		n, err := ParseNumber(l)
		if err != nil {
			t.Fatal(l, err)
		}
		vals = append(vals, n)
	}
	shuffled := append([]string(nil), vals...)
	rand.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	sort.Slice(shuffled, func(i, j int) bool {
		return bytes.Compare(AppendKey(nil, Num(shuffled[i])), AppendKey(nil, Num(shuffled[j]))) < 0
	})
	for i := range vals {
		if shuffled[i] != vals[i] {
			t.Fatalf("order by encoding = %v\nwant %v", shuffled, vals)
		}
	}
	for i := 1; i < len(vals); i++ {
		if CompareNumbers(vals[i-1], vals[i]) >= 0 {
			t.Errorf("CompareNumbers(%s, %s) >= 0", vals[i-1], vals[i])
		}
	}
}

func TestKeyEncodingComposes(t *testing.T) {
	// A hash key that prefixes another must still sort as a whole value.
	pairs := [][2]*Value{
		{Str("a"), Str("z")},
		{Str("a\x00"), Str("a")},
		{Str("ab"), Str("a")},
		{Bin([]byte{0}), Bin([]byte{0xFF})},
	}
	keys := make([][]byte, len(pairs))
	for i, p := range pairs {
		keys[i] = AppendKey(AppendKey(nil, p[0]), p[1])
	}
	if bytes.Compare(keys[0], keys[1]) >= 0 || bytes.Compare(keys[1], keys[2]) >= 0 {
		t.Errorf("composite keys out of order: %x", keys)
	}
	if bytes.Compare(AppendKey(nil, Str("")), AppendKey(nil, Str("\x00"))) >= 0 {
		t.Error("empty string must sort before NUL")
	}
}

func TestNumberSize(t *testing.T) {
	cases := []struct {
		lit  string
		want int
	}{
		{"1", 2}, {"1E125", 2}, {"123456", 4}, {"3.14159", 5}, {"-1", 3}, {"0.001", 2},
		{"1200", 2}, {"10.1", 3}, {"12345678901234567890123456789012345678", 20},
		{"0", 1}, {"12", 2}, {"123", 3}, {"1234", 3}, {"0042", 2}, {"100", 2}, {"1010", 3}, {"0.0000001", 2},
		{"1E-100", 2}, {"1.5", 3}, {"15", 2}, {"1.2", 3}, {"1.200", 3}, {"1.234", 4}, {"100.5", 4},
		{"0.15", 2}, {"-42", 3}, {"-0", 1},
	}
	for _, c := range cases {
		n, _ := ParseNumber(c.lit)
		if got := NumberSize(n); got != c.want {
			t.Errorf("NumberSize(%s) = %d, want %d", c.lit, got, c.want)
		}
	}
}

func TestItemSize(t *testing.T) {
	it := Item{
		"pk":   Str("abc"),                                  // 2+3
		"n":    Num("42"),                                   // 1+2
		"b":    Bool(true),                                  // 1+1
		"list": {T: L, L: []*Value{Str("x"), Null()}},       // 4 + 3+ (1+1)+(1+1)
		"map":  {T: M, M: map[string]*Value{"k": Str("v")}}, // 3 + 3 + 1+1+1
		"ss":   {T: SS, SS: []string{"ab", "c"}},            // 2 + 3
	}
	if got, want := ItemSize(it), 5+3+2+11+9+5; got != want {
		t.Errorf("ItemSize = %d, want %d", got, want)
	}
}

func TestJSONRoundTripAndCodec(t *testing.T) {
	in := `{"b":{"B":"AAE="},"bool":{"BOOL":false},"bs":{"BS":["AQ==","Ag=="]},"l":{"L":[{"S":"x\n\"y\""},{"NULL":true}]},"m":{"M":{"n":{"N":"1.5"}}},"ns":{"NS":["1","2.5"]},"s":{"S":"héllo\u2028"},"ss":{"SS":["a","b"]}}`
	var it Item
	if err := json.Unmarshal([]byte(in), &it); err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(it)
	if string(out) != in {
		t.Errorf("round trip:\n got %s\nwant %s", out, in)
	}
	dec, err := DecodeItem(AppendItem(nil, it))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range it {
		if !Equal(v, dec[k]) {
			t.Errorf("codec changed %s: %v -> %v", k, v, dec[k])
		}
	}
	if _, err := DecodeItem([]byte{5, 1}); err == nil {
		t.Error("DecodeItem of garbage should fail")
	}
}

func TestUnmarshalValidation(t *testing.T) {
	cases := []struct{ in, err string }{
		{`{}`, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"},
		{`{"S":"a","N":"1"}`, "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"},
		{`{"SS":[]}`, "One or more parameter values were invalid: An string set  may not be empty"},
		{`{"NS":[]}`, "One or more parameter values were invalid: An number set  may not be empty"},
		{`{"SS":["b","a","b"]}`, `One or more parameter values were invalid: Input collection ["a", "b", "b"] contains duplicates.`},
		{`{"SS":["c","a","c","b"]}`, `One or more parameter values were invalid: Input collection ["a", "c", "c", "b"] contains duplicates.`},
		{`{"BS":["/w==","AA==","AA=="]}`, `One or more parameter values were invalid: Input collection ["AA==","/w==","AA=="]of type BS contains duplicates.`},
		{`{"NS":["1","1.0"]}`, "One or more parameter values were invalid: Input collection contains duplicates."},
		{`{"N":"x"}`, msgNotNumber + ": x"},
		{`{"SS":[""]}`, ""},
		{`{"NULL":false}`, "One or more parameter values were invalid: Null attribute value types must have the value of true"},
		{`{"NULL":true}`, ""},
		{strings.Repeat(`{"M":{"n":`, 31) + `{"S":"x"}` + strings.Repeat(`}}`, 31), ""},
		{strings.Repeat(`{"L":[`, 32) + `{"S":"x"}` + strings.Repeat(`]}`, 32), "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit"},
	}
	for _, c := range cases {
		var v Value
		err := json.Unmarshal([]byte(c.in), &v)
		if c.err == "" {
			if err != nil {
				t.Errorf("%s: unexpected %v", c.in, err)
			}
			continue
		}
		if err == nil || err.Error() != c.err {
			t.Errorf("%s: err = %v, want %q", c.in, err, c.err)
		}
	}
	// The older validation layer echoes a repeated set's members as sent.
	older := []struct{ in, err string }{
		{`{"SS":["b","a","b"]}`, "One or more parameter values were invalid: Input collection [b, a, b] contains duplicates."},
		{`{"BS":["/w==","AA==","AA=="]}`, "One or more parameter values were invalid: Input collection [/w==, AA==, AA==]of type BS contains duplicates."},
		{`{"NS":["2","1","2"]}`, "Input collection contains duplicates"},
		{`{"N":""}`, msgNotNumber},
	}
	for _, c := range older {
		var v Value
		err := json.Unmarshal([]byte(c.in), &v)
		if e, ok := err.(*Error); !ok || e.Older() != c.err {
			t.Errorf("%s: older err = %v, want %q", c.in, err, c.err)
		}
	}
}
