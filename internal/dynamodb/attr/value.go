// Package attr is DynamoDB's data model: attribute values as they travel in
// the JSON wire format, numbers with DynamoDB's precision and range, item
// size as AWS computes it, and the order-preserving key encoding the engine
// stores items under.
package attr

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Type is a DynamoDB attribute value type descriptor ("S", "N", "M", ...).
type Type uint8

// The attribute value types.
const (
	S Type = iota + 1
	N
	B
	BOOL
	NULL
	M
	L
	SS
	NS
	BS
)

var typeNames = [...]string{"", "S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"}

// String is the type's wire name.
func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "?"
}

// ParseType reads a type descriptor as attribute_type() takes it.
func ParseType(s string) (Type, bool) {
	for i, n := range typeNames {
		if i > 0 && n == s {
			return Type(i), true
		}
	}
	return 0, false
}

// Value is one attribute value. Numbers (N and NS members) are kept in
// DynamoDB's canonical text form (see ParseNumber).
type Value struct {
	T    Type
	S    string // S, N
	B    []byte // B
	Bool bool   // BOOL
	M    map[string]*Value
	L    []*Value
	SS   []string // SS, NS
	BS   [][]byte
}

// Item is a set of named attributes (an item, a key, a map's contents).
type Item map[string]*Value

// Str returns an S value.
func Str(s string) *Value { return &Value{T: S, S: s} }

// Num returns an N value from canonical number text.
func Num(s string) *Value { return &Value{T: N, S: s} }

// Bin returns a B value.
func Bin(b []byte) *Value { return &Value{T: B, B: b} }

// Bool returns a BOOL value.
func Bool(b bool) *Value { return &Value{T: BOOL, Bool: b} }

// Null returns the NULL value.
func Null() *Value { return &Value{T: NULL} }

// IsScalarKeyType reports whether t can be a key attribute type.
func (t Type) IsScalarKeyType() bool { return t == S || t == N || t == B }

// IsSet reports whether t is SS, NS or BS.
func (t Type) IsSet() bool { return t == SS || t == NS || t == BS }

// Clone returns a deep copy.
func (v *Value) Clone() *Value {
	if v == nil {
		return nil
	}
	c := *v
	switch v.T {
	case M:
		c.M = make(map[string]*Value, len(v.M))
		for k, e := range v.M {
			c.M[k] = e.Clone()
		}
	case L:
		c.L = make([]*Value, len(v.L))
		for i, e := range v.L {
			c.L[i] = e.Clone()
		}
	case SS, NS:
		c.SS = append([]string(nil), v.SS...)
	case BS:
		c.BS = append([][]byte(nil), v.BS...)
	}
	return &c
}

// Clone returns a deep copy of the item.
func (it Item) Clone() Item {
	if it == nil {
		return nil
	}
	c := make(Item, len(it))
	for k, v := range it {
		c[k] = v.Clone()
	}
	return c
}

// Equal reports whether two values are the same type and value (sets
// compare as sets).
func Equal(a, b *Value) bool {
	if a == nil || b == nil {
		return a == b
	}
	if a.T != b.T {
		return false
	}
	switch a.T {
	case S:
		return a.S == b.S
	case N:
		return CompareNumbers(a.S, b.S) == 0
	case B:
		return bytes.Equal(a.B, b.B)
	case BOOL:
		return a.Bool == b.Bool
	case NULL:
		return true
	case M:
		if len(a.M) != len(b.M) {
			return false
		}
		for k, av := range a.M {
			if !Equal(av, b.M[k]) {
				return false
			}
		}
		return true
	case L:
		if len(a.L) != len(b.L) {
			return false
		}
		for i := range a.L {
			if !Equal(a.L[i], b.L[i]) {
				return false
			}
		}
		return true
	case SS, NS:
		if len(a.SS) != len(b.SS) {
			return false
		}
		for _, x := range a.SS {
			if !a.setHas(b, x) {
				return false
			}
		}
		return true
	case BS:
		if len(a.BS) != len(b.BS) {
			return false
		}
		for _, x := range a.BS {
			if !b.HasBinary(x) {
				return false
			}
		}
		return true
	}
	return false
}

func (v *Value) setHas(set *Value, x string) bool {
	if v.T == NS {
		return set.HasNumber(x)
	}
	return set.HasString(x)
}

// HasString reports whether an SS contains s.
func (v *Value) HasString(s string) bool {
	for _, x := range v.SS {
		if x == s {
			return true
		}
	}
	return false
}

// HasNumber reports whether an NS contains the number n.
func (v *Value) HasNumber(n string) bool {
	for _, x := range v.SS {
		if CompareNumbers(x, n) == 0 {
			return true
		}
	}
	return false
}

// HasBinary reports whether a BS contains b.
func (v *Value) HasBinary(b []byte) bool {
	for _, x := range v.BS {
		if bytes.Equal(x, b) {
			return true
		}
	}
	return false
}

// Error is a validation failure of an attribute value. DynamoDB checks
// values in one of two layers, depending on the operation, and their
// wording differs: Msg is the current layer's text, Old the older layer's
// where it differs.
type Error struct{ Msg, Old string }

func (e *Error) Error() string { return e.Msg }

// Older is the older validation layer's wording.
func (e *Error) Older() string {
	if e.Old != "" {
		return e.Old
	}
	return e.Msg
}

// UnmarshalJSON reads the wire form and validates it as DynamoDB does
// (exactly one type, numbers in range, sets non-empty without duplicates).
func (v *Value) UnmarshalJSON(data []byte) error {
	pv, err := ParseValue(data)
	if err != nil {
		return err
	}
	*v = *pv
	return nil
}

func b64All(bs [][]byte) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = base64.StdEncoding.EncodeToString(b)
	}
	return out
}

const msgInvalid = "One or more parameter values were invalid: "

// checkDuplicates reports a set whose members (compared by canon, the
// canonical form; raw is the form sent) repeat, worded as DynamoDB's two
// validation layers word it. The current layer names a string or binary
// set's members in byte order up to the first repeat, then the repeat, then
// the rest as sent, and names no members of a number set; the older layer
// echoes them as sent.
func checkDuplicates(t Type, raw, canon []string) error {
	seen := make(map[string]struct{}, len(canon))
	for i, c := range canon {
		if _, dup := seen[c]; !dup {
			seen[c] = struct{}{}
			continue
		}
		var e Error
		switch t {
		case NS:
			e.Msg = msgInvalid + "Input collection contains duplicates."
			e.Old = "Input collection contains duplicates"
		case BS:
			e.Msg = msgInvalid + "Input collection [" + quoted(raw, canon, i, ",") + "]of type BS contains duplicates."
			e.Old = msgInvalid + "Input collection [" + strings.Join(raw, ", ") + "]of type BS contains duplicates."
		default:
			e.Msg = msgInvalid + "Input collection [" + quoted(raw, canon, i, ", ") + "] contains duplicates."
			e.Old = msgInvalid + "Input collection [" + strings.Join(raw, ", ") + "] contains duplicates."
		}
		return &e
	}
	return nil
}

// quoted lists raw[:dup] ordered by canonical bytes, then raw[dup:] as sent,
// each in double quotes.
func quoted(raw, canon []string, dup int, sep string) string {
	idx := make([]int, dup)
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return canon[idx[a]] < canon[idx[b]] })
	for i := dup; i < len(raw); i++ {
		idx = append(idx, i)
	}
	parts := make([]string, len(idx))
	for i, j := range idx {
		parts[i] = `"` + raw[j] + `"`
	}
	return strings.Join(parts, sep)
}

// MarshalJSON writes the wire form.
func (v *Value) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	v.appendJSON(&buf)
	return buf.Bytes(), nil
}

// AppendJSON appends the wire form of v to buf.
func (v *Value) AppendJSON(buf *bytes.Buffer) { v.appendJSON(buf) }

func (v *Value) appendJSON(buf *bytes.Buffer) {
	switch v.T {
	case S:
		buf.WriteString(`{"S":`)
		writeJSONString(buf, v.S)
	case N:
		buf.WriteString(`{"N":"`)
		buf.WriteString(v.S)
		buf.WriteByte('"')
	case B:
		buf.WriteString(`{"B":"`)
		writeBase64(buf, v.B)
		buf.WriteByte('"')
	case BOOL:
		buf.WriteString(`{"BOOL":` + strconv.FormatBool(v.Bool))
	case NULL:
		buf.WriteString(`{"NULL":true`)
	case M:
		buf.WriteString(`{"M":`)
		Item(v.M).appendJSON(buf)
	case L:
		buf.WriteString(`{"L":[`)
		for i, e := range v.L {
			if i > 0 {
				buf.WriteByte(',')
			}
			e.appendJSON(buf)
		}
		buf.WriteByte(']')
	case SS, NS:
		buf.WriteString(`{"` + v.T.String() + `":[`)
		for i, s := range v.SS {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeJSONString(buf, s)
		}
		buf.WriteByte(']')
	case BS:
		buf.WriteString(`{"BS":[`)
		for i, b := range v.BS {
			if i > 0 {
				buf.WriteByte(',')
			}
			buf.WriteByte('"')
			writeBase64(buf, b)
			buf.WriteByte('"')
		}
		buf.WriteByte(']')
	default:
		buf.WriteString(`{"NULL":true`)
	}
	buf.WriteByte('}')
}

// MarshalJSON writes the item as a JSON object of attribute values, keys
// sorted for stable output.
func (it Item) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	it.appendJSON(&buf)
	return buf.Bytes(), nil
}

// AppendJSON appends the item's JSON to buf.
func (it Item) AppendJSON(buf *bytes.Buffer) { it.appendJSON(buf) }

func (it Item) appendJSON(buf *bytes.Buffer) {
	keys := make([]string, 0, len(it))
	for k := range it {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	buf.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		writeJSONString(buf, k)
		buf.WriteByte(':')
		it[k].appendJSON(buf)
	}
	buf.WriteByte('}')
}

func writeBase64(buf *bytes.Buffer, b []byte) {
	n := base64.StdEncoding.EncodedLen(len(b))
	buf.Grow(n)
	start := buf.Len()
	for range n {
		buf.WriteByte(0)
	}
	base64.StdEncoding.Encode(buf.Bytes()[start:], b)
}

const hexDigits = "0123456789abcdef"

func writeJSONString(buf *bytes.Buffer, s string) {
	buf.WriteByte('"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < 0x20 || c == '"' || c == '\\' || c == 0x7f {
			buf.WriteString(s[start:i])
			switch c {
			case '"':
				buf.WriteString(`\"`)
			case '\\':
				buf.WriteString(`\\`)
			case '\n':
				buf.WriteString(`\n`)
			case '\r':
				buf.WriteString(`\r`)
			case '\t':
				buf.WriteString(`\t`)
			default:
				buf.WriteString(`\u00`)
				buf.WriteByte(hexDigits[c>>4])
				buf.WriteByte(hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		if c < 0x80 {
			i++
			continue
		}
		// Escape U+2028/U+2029 like encoding/json; keep other UTF-8 as is.
		if c == 0xE2 && i+2 < len(s) && s[i+1] == 0x80 && (s[i+2] == 0xA8 || s[i+2] == 0xA9) {
			buf.WriteString(s[start:i])
			fmt.Fprintf(buf, `\u202%c`, "89"[s[i+2]-0xA8])
			i += 3
			start = i
			continue
		}
		i++
	}
	buf.WriteString(s[start:])
	buf.WriteByte('"')
}

// UnmarshalJSON reads an item, refusing null attribute values as DynamoDB
// refuses empty ones.
func (it *Item) UnmarshalJSON(b []byte) error {
	m, err := ParseItem(b)
	if err != nil {
		return err
	}
	*it = m
	return nil
}
