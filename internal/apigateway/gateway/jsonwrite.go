package gateway

import (
	"slices"
	"strconv"
	"unicode/utf8"
)

// Proxy events are written on every request. AppendJSONString and
// AppendJSONStringMap write the same bytes as encoding/json (HTML
// characters, U+2028 and U+2029 escaped, invalid UTF-8 replaced, map keys
// sorted) without reflection, so an event encoder built on them produces
// exactly what json.Marshal would.

const hexDigits = "0123456789abcdef"

// AppendJSONString appends s as a JSON string, as encoding/json writes it.
func AppendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// AppendJSONStringMap appends m as a JSON object with sorted keys (null
// when m is nil), as encoding/json writes a map[string]string.
func AppendJSONStringMap(b []byte, m map[string]string) []byte {
	return appendJSONMap(b, m, AppendJSONString)
}

// AppendJSONStringList appends l as a JSON list (null when nil).
func AppendJSONStringList(b []byte, l []string) []byte {
	if l == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range l {
		if i > 0 {
			b = append(b, ',')
		}
		b = AppendJSONString(b, s)
	}
	return append(b, ']')
}

// AppendJSONInt appends n.
func AppendJSONInt(b []byte, n int64) []byte { return strconv.AppendInt(b, n, 10) }

// AppendJSONBool appends v.
func AppendJSONBool(b []byte, v bool) []byte { return strconv.AppendBool(b, v) }

// AppendJSONStringListMap appends m as a JSON object of lists with sorted
// keys (null when m is nil, a nil list as null), as encoding/json writes a
// map[string][]string.
func AppendJSONStringListMap(b []byte, m map[string][]string) []byte {
	return appendJSONMap(b, m, AppendJSONStringList)
}

// appendJSONMap appends m as a JSON object with sorted keys (null when m is
// nil), each value written by value.
func appendJSONMap[V any](b []byte, m map[string]V, value func([]byte, V) []byte) []byte {
	if m == nil {
		return append(b, "null"...)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = AppendJSONString(b, k)
		b = append(b, ':')
		b = value(b, m[k])
	}
	return append(b, '}')
}

// AppendJSONStringPtr appends *s, or null when s is nil.
func AppendJSONStringPtr(b []byte, s *string) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	return AppendJSONString(b, *s)
}
