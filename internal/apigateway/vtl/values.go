package vtl

import (
	"math"
	"sort"
	"strconv"
	"strings"
)

// Map is an insertion-ordered string-keyed map, the template's view of a
// Java LinkedHashMap (JSON objects, $input.params(), $context).
type Map struct {
	keys []string
	m    map[string]any
}

// NewMap returns an empty Map.
func NewMap() *Map { return &Map{m: map[string]any{}} }

// Get returns the value for key and whether it is present.
func (m *Map) Get(key string) (any, bool) {
	v, ok := m.m[key]
	return v, ok
}

// Set stores value under key, keeping the key's first position. Go values
// are converted as Execute converts them.
func (m *Map) Set(key string, value any) {
	if _, ok := m.m[key]; !ok {
		m.keys = append(m.keys, key)
	}
	m.m[key] = fromGo(value)
}

// Delete removes key.
func (m *Map) Delete(key string) {
	if _, ok := m.m[key]; !ok {
		return
	}
	delete(m.m, key)
	for i, k := range m.keys {
		if k == key {
			m.keys = append(m.keys[:i:i], m.keys[i+1:]...)
			break
		}
	}
}

// Keys returns the keys in insertion order.
func (m *Map) Keys() []string { return append([]string(nil), m.keys...) }

// Len is the number of entries.
func (m *Map) Len() int { return len(m.keys) }

// List is a mutable list, the template's view of a Java ArrayList.
type List struct {
	Items []any
}

// fromGo converts a Go value into the engine's value space: nil, string,
// bool, int64, float64, *Map, *List, *Input or another Object.
func fromGo(v any) any {
	switch x := v.(type) {
	case nil, string, bool, int64, float64, *Map, *List, *Input, Object:
		return x
	case int:
		return int64(x)
	case int32:
		return int64(x)
	case uint32:
		return int64(x)
	case float32:
		return float64(x)
	case []any:
		l := &List{Items: make([]any, len(x))}
		for i, e := range x {
			l.Items[i] = fromGo(e)
		}
		return l
	case []string:
		l := &List{Items: make([]any, len(x))}
		for i, e := range x {
			l.Items[i] = e
		}
		return l
	case map[string]any:
		m := NewMap()
		for _, k := range sortedKeys(x) {
			m.Set(k, x[k])
		}
		return m
	case map[string]string:
		m := NewMap()
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			m.Set(k, x[k])
		}
		return m
	}
	return nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Object is a value with its own properties and methods, for variables
// that are neither data nor one of this package's types.
type Object interface {
	// Property returns the value of $obj.name; ok false when undefined.
	Property(name string) (value any, ok bool)
	// Call runs $obj.name(args...); ok false when there is no such method.
	Call(name string, args []any) (value any, ok bool, err error)
}

// toString renders a value as Java's String.valueOf would.
func toString(v any) string {
	var b strings.Builder
	writeJava(&b, v, 0)
	return b.String()
}

func writeJava(b *strings.Builder, v any, depth int) {
	if depth > maxDepth {
		b.WriteString("...")
		return
	}
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case string:
		b.WriteString(x)
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case float64:
		b.WriteString(javaDouble(x))
	case *Map:
		b.WriteByte('{')
		for i, k := range x.keys {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(k)
			b.WriteByte('=')
			writeJava(b, x.m[k], depth+1)
		}
		b.WriteByte('}')
	case *List:
		b.WriteByte('[')
		for i, e := range x.Items {
			if i > 0 {
				b.WriteString(", ")
			}
			writeJava(b, e, depth+1)
		}
		b.WriteByte(']')
	case *Input:
		b.WriteString("$input")
	default:
		b.WriteString("")
	}
}

// javaDouble formats f as Java's Double.toString does.
func javaDouble(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	abs := math.Abs(f)
	if abs >= 1e-3 && abs < 1e7 {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	s := strconv.FormatFloat(f, 'E', -1, 64)
	mant, exp, _ := strings.Cut(s, "E")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	exp = strings.TrimPrefix(exp, "+")
	if strings.HasPrefix(exp, "-") {
		exp = "-" + strings.TrimLeft(exp[1:], "0")
	} else {
		exp = strings.TrimLeft(exp, "0")
	}
	return mant + "E" + exp
}

// truthy is Velocity 1.7's #if test: false and null are false, everything
// else (including "") is true.
func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	}
	return true
}

func isNumber(v any) bool {
	switch v.(type) {
	case int64, float64:
		return true
	}
	return false
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case float64:
		return x
	}
	return 0
}

// equal is Velocity's ==: numbers compare by value, same-kind values by
// equality, anything else by string form.
func equal(a, b any) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if isNumber(a) && isNumber(b) {
		if ai, ok := a.(int64); ok {
			if bi, ok := b.(int64); ok {
				return ai == bi
			}
		}
		return toFloat(a) == toFloat(b)
	}
	switch x := a.(type) {
	case string:
		if y, ok := b.(string); ok {
			return x == y
		}
	case bool:
		if y, ok := b.(bool); ok {
			return x == y
		}
	case *Map:
		if y, ok := b.(*Map); ok {
			return mapsEqual(x, y)
		}
	case *List:
		if y, ok := b.(*List); ok {
			return listsEqual(x, y)
		}
	}
	return toString(a) == toString(b)
}

func mapsEqual(a, b *Map) bool {
	if len(a.keys) != len(b.keys) {
		return false
	}
	for k, v := range a.m {
		w, ok := b.m[k]
		if !ok || !equal(v, w) {
			return false
		}
	}
	return true
}

func listsEqual(a, b *List) bool {
	if len(a.Items) != len(b.Items) {
		return false
	}
	for i := range a.Items {
		if !equal(a.Items[i], b.Items[i]) {
			return false
		}
	}
	return true
}

// toInt reads an integer argument (Java's int parameters).
func toInt(v any) (int, bool) {
	switch x := v.(type) {
	case int64:
		if x > math.MaxInt32 || x < math.MinInt32 {
			return 0, false
		}
		return int(x), true
	case float64:
		if x != math.Trunc(x) || math.Abs(x) > math.MaxInt32 {
			return 0, false
		}
		return int(x), true
	case string:
		n, err := strconv.Atoi(strings.TrimSpace(x))
		return n, err == nil
	}
	return 0, false
}
