package gateway

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// A proxy response is read on every request. Most are plain: a numeric
// statusCode, string headers and a string body. scanResponse reads such an
// object in one pass over the bytes, with no intermediate map and no
// reflection (strings with escapes are decoded by encoding/json alone);
// anything else (duplicate members, null where a value is expected, a
// string statusCode, a list or object where a string is expected, ...)
// makes it report false, and the general decoder (decodeObject and
// friends) reads the payload, as it can read every payload.
// FuzzScanResponse checks that the two agree.

// scanned holds the members of a proxy response read by scanResponse.
type scanned struct {
	status    int
	hasStatus bool
	body      string
	base64    bool
	headers   []Header
	// multi holds multiValueHeaders (format 1.0), sorted by name.
	multi    []multiHeader
	cookies  []string
	hasOther bool
}

type multiHeader struct {
	name   string
	values []string
}

// scanResponse reads payload, a JSON object that json.Valid accepted.
// v2 selects the members of payload format 2.0 (cookies) rather than 1.0
// (multiValueHeaders).
func scanResponse(p []byte, v2 bool) (s scanned, ok bool) {
	var seen [6]bool // statusCode, body, isBase64Encoded, headers, multiValueHeaders, cookies
	i := skipSpace(p, 0)
	if i >= len(p) || p[i] != '{' {
		return s, false
	}
	i = skipSpace(p, i+1)
	if i < len(p) && p[i] == '}' {
		return s, skipSpace(p, i+1) == len(p)
	}
	for {
		key, next, simple := scanString(p, i)
		if !simple {
			return s, false
		}
		i = skipSpace(p, next)
		if i >= len(p) || p[i] != ':' {
			return s, false
		}
		i = skipSpace(p, i+1)
		member := -1
		switch key {
		case "statusCode":
			member = 0
		case "body":
			member = 1
		case "isBase64Encoded":
			member = 2
		case "headers":
			member = 3
		case "multiValueHeaders":
			if !v2 {
				member = 4
			}
		case "cookies":
			if v2 {
				member = 5
			}
		}
		if member >= 0 {
			if seen[member] {
				return s, false
			}
			seen[member] = true
		}
		switch member {
		case 0:
			end := scanNumberEnd(p, i)
			code, err := strconv.Atoi(string(p[i:end]))
			if err != nil || code < 100 || code > 599 {
				return s, false
			}
			s.status, s.hasStatus, i = code, true, end
		case 1:
			if s.body, i, ok = scanStringOrNull(p, i); !ok {
				return s, false
			}
		case 2:
			switch {
			case bytes.HasPrefix(p[i:], []byte("true")):
				s.base64, i = true, i+4
			case bytes.HasPrefix(p[i:], []byte("false")):
				i += 5
			case bytes.HasPrefix(p[i:], []byte("null")):
				i += 4
			default:
				return s, false
			}
		case 3:
			if i, ok = scanHeaders(p, i, &s); !ok {
				return s, false
			}
		case 4:
			if i, ok = scanMultiHeaders(p, i, &s); !ok {
				return s, false
			}
		case 5:
			if i, ok = scanCookies(p, i, &s); !ok {
				return s, false
			}
		default:
			s.hasOther = true
			i = skipValue(p, i)
		}
		i = skipSpace(p, i)
		if i >= len(p) {
			return s, false
		}
		if p[i] == '}' {
			return s, skipSpace(p, i+1) == len(p)
		}
		if p[i] != ',' {
			return s, false
		}
		i = skipSpace(p, i+1)
	}
}

// scanHeaders reads a headers object of names without escapes and string,
// number or boolean values, sorted by name; null values are left out, as
// the general decoder leaves them out.
func scanHeaders(p []byte, i int, s *scanned) (int, bool) {
	if bytes.HasPrefix(p[i:], []byte("null")) {
		return i + 4, true
	}
	headers := make([]Header, 0, 8)
	i, ok := scanNamedObject(p, i, func(name string, i int) (int, bool) {
		value, next, keep, simple := scanScalar(p, i)
		if keep {
			headers = append(headers, Header{Name: name, Value: value})
		}
		return next, simple
	})
	if ok {
		sortHeaders(headers)
		s.headers = headers
	}
	return i, ok
}

// scanMultiHeaders reads a multiValueHeaders object whose values are lists
// of strings, numbers or booleans (or null, left out), sorted by name.
func scanMultiHeaders(p []byte, i int, s *scanned) (int, bool) {
	i, ok := scanNamedObject(p, i, func(name string, i int) (int, bool) {
		if bytes.HasPrefix(p[i:], []byte("null")) {
			return i + 4, true
		}
		values, next, ok := scanScalarList(p, i)
		if ok {
			s.multi = append(s.multi, multiHeader{name: name, values: values})
		}
		return next, ok
	})
	for a := 1; a < len(s.multi); a++ {
		for b := a; b > 0 && s.multi[b].name < s.multi[b-1].name; b-- {
			s.multi[b], s.multi[b-1] = s.multi[b-1], s.multi[b]
		}
	}
	return i, ok
}

// scanNamedObject walks an object (or null) whose names have no escapes
// and appear once each (a repeated name is left to the general decoder,
// whose last value wins), handing each value's position to value, which
// returns where the value ends.
func scanNamedObject(p []byte, i int, value func(name string, i int) (int, bool)) (int, bool) {
	if bytes.HasPrefix(p[i:], []byte("null")) {
		return i + 4, true
	}
	if p[i] != '{' {
		return i, false
	}
	i = skipSpace(p, i+1)
	if p[i] == '}' {
		return i + 1, true
	}
	var names []string // every name, null-valued ones included
	for {
		name, next, simple := scanString(p, i)
		if !simple {
			return i, false
		}
		for _, n := range names {
			if n == name {
				return i, false
			}
		}
		names = append(names, name)
		i = skipSpace(p, next)
		if p[i] != ':' {
			return i, false
		}
		next, ok := value(name, skipSpace(p, i+1))
		if !ok {
			return i, false
		}
		i = skipSpace(p, next)
		if p[i] == '}' {
			return i + 1, true
		}
		if p[i] != ',' {
			return i, false
		}
		i = skipSpace(p, i+1)
	}
}

// scanCookies reads a cookies list of strings, numbers or booleans.
func scanCookies(p []byte, i int, s *scanned) (int, bool) {
	if bytes.HasPrefix(p[i:], []byte("null")) {
		return i + 4, true
	}
	values, i, ok := scanScalarList(p, i)
	if !ok {
		return i, false
	}
	if len(values) > 0 {
		s.cookies = values
	}
	return i, true
}

// scanScalarList reads a list of strings, numbers and booleans (not null).
func scanScalarList(p []byte, i int) ([]string, int, bool) {
	if p[i] != '[' {
		return nil, i, false
	}
	i = skipSpace(p, i+1)
	values := []string{}
	if p[i] == ']' {
		return values, i + 1, true
	}
	for {
		value, next, keep, simple := scanScalar(p, i)
		if !simple || !keep {
			return nil, i, false
		}
		values = append(values, value)
		i = skipSpace(p, next)
		if p[i] == ']' {
			return values, i + 1, true
		}
		if p[i] != ',' {
			return nil, i, false
		}
		i = skipSpace(p, i+1)
	}
}

// scanScalar reads a string without escapes, a number or a boolean as
// header text; keep is false for null. simple is false for anything else.
func scanScalar(p []byte, i int) (value string, next int, keep, simple bool) {
	switch c := p[i]; {
	case c == '"':
		value, next, simple = scanString(p, i)
		return value, next, true, simple
	case c == 'n':
		return "", i + 4, false, true
	case c == 't':
		return "true", i + 4, true, true
	case c == 'f':
		return "false", i + 5, true, true
	case c == '-' || (c >= '0' && c <= '9'):
		end := scanNumberEnd(p, i)
		return string(p[i:end]), end, true, true
	}
	return "", i, false, false
}

// scanStringOrNull reads a string without escapes, or null as "".
func scanStringOrNull(p []byte, i int) (string, int, bool) {
	if bytes.HasPrefix(p[i:], []byte("null")) {
		return "", i + 4, true
	}
	if p[i] != '"' {
		return "", i, false
	}
	s, next, simple := scanString(p, i)
	return s, next, simple
}

// scanString reads the JSON string at p[i]. One with escapes or invalid
// UTF-8 is decoded by encoding/json, which the general decoder uses too.
func scanString(p []byte, i int) (s string, next int, ok bool) {
	if i >= len(p) || p[i] != '"' {
		return "", i, false
	}
	plain := true
	j := i + 1
	for j < len(p) && p[j] != '"' {
		switch {
		case p[j] == '\\':
			plain = false
			j += 2
		case p[j] >= utf8.RuneSelf:
			plain = false
			j++
		default:
			j++
		}
	}
	if j >= len(p) {
		return "", i, false
	}
	raw := p[i+1 : j]
	if plain || (bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw)) {
		return string(raw), j + 1, true
	}
	if err := json.Unmarshal(p[i:j+1], &s); err != nil {
		return "", i, false
	}
	return s, j + 1, true
}

// scanNumberEnd is the end of the number at p[i].
func scanNumberEnd(p []byte, i int) int {
	for i < len(p) {
		switch c := p[i]; {
		case c >= '0' && c <= '9', c == '-', c == '+', c == '.', c == 'e', c == 'E':
			i++
		default:
			return i
		}
	}
	return i
}

// skipValue is the end of the (valid) JSON value at p[i].
func skipValue(p []byte, i int) int {
	depth := 0
	for i < len(p) {
		switch c := p[i]; c {
		case '"':
			i++
			for i < len(p) && p[i] != '"' {
				if p[i] == '\\' {
					i++
				}
				i++
			}
			i++
			if depth == 0 {
				return i
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return i
			}
			depth--
			if depth == 0 {
				return i + 1
			}
		case ',':
			if depth == 0 {
				return i
			}
		case ' ', '\t', '\r', '\n':
			if depth == 0 {
				return i
			}
		}
		i++
	}
	return i
}

func skipSpace(p []byte, i int) int {
	for i < len(p) && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n') {
		i++
	}
	return i
}

// sortHeaders orders headers by name, as the general decoder does.
func sortHeaders(h []Header) {
	for i := 1; i < len(h); i++ {
		for j := i; j > 0 && h[j].Name < h[j-1].Name; j-- {
			h[j], h[j-1] = h[j-1], h[j]
		}
	}
}
