// Package selection parses and evaluates API Gateway WebSocket selection
// expressions: route selection ("$request.body.action"), route response and
// template selection ("${integration.response.statuscode}", "\$default").
//
// The language follows API Gateway's rules: a variable starts with "$";
// braces mark its boundaries ("${request.body.version}-beta"); several
// variables and literal text may be mixed and are evaluated once, never
// recursively; "\$" is a literal dollar sign. A request.body variable is a
// JSONPath into the message: dotted names, bracketed quoted names and array
// indexes; a path that does not resolve evaluates to "".
package selection

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Expression is a parsed selection expression, safe for concurrent use.
type Expression struct {
	source string
	parts  []part
	// usesBody is true when some variable reads the message body.
	usesBody bool
}

// part is literal text or one variable.
type part struct {
	literal string
	v       *variable
}

// variable kinds.
const (
	varBody       = iota // request.body + path
	varHeader            // request.header.NAME
	varStatusCode        // integration.response.statuscode
)

type variable struct {
	kind   int
	path   []step // varBody
	header string // varHeader
}

// step is one JSONPath step: a member name or an array index.
type step struct {
	name  string
	index int
	isIdx bool
}

// Input is what an expression is evaluated against.
type Input struct {
	// Body is the raw message.
	Body []byte
	// Headers holds request headers for request.header variables.
	Headers map[string]string
	// StatusCode is the integration response status for
	// integration.response.statuscode.
	StatusCode string
}

// Parse parses a selection expression. It fails on an unknown variable or
// an unterminated "${", as API Gateway refuses such expressions when the
// API is created.
func Parse(s string) (*Expression, error) {
	e := &Expression{source: s}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			e.parts = append(e.parts, part{literal: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && s[i+1] == '$':
			lit.WriteByte('$')
			i += 2
		case c == '$' && i+1 < len(s) && s[i+1] == '{':
			end, err := closingBrace(s, i+2)
			if err != nil {
				return nil, err
			}
			v, err := parseVariable(s[i+2 : end])
			if err != nil {
				return nil, err
			}
			flush()
			e.parts = append(e.parts, part{v: v})
			i = end + 1
		case c == '$':
			end := unbracedEnd(s, i+1)
			if end == i+1 {
				return nil, fmt.Errorf("selection expression %q: '$' at offset %d starts no variable (write \\$ for a literal dollar sign)", s, i)
			}
			v, err := parseVariable(s[i+1 : end])
			if err != nil {
				return nil, err
			}
			flush()
			e.parts = append(e.parts, part{v: v})
			i = end
		default:
			lit.WriteByte(c)
			i++
		}
	}
	flush()
	for _, p := range e.parts {
		if p.v != nil && p.v.kind == varBody {
			e.usesBody = true
		}
	}
	return e, nil
}

// MustParse is Parse for expressions known to be valid (tests, constants).
func MustParse(s string) *Expression {
	e, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return e
}

// String returns the expression as written.
func (e *Expression) String() string { return e.source }

// UsesBody reports whether evaluation reads the message body.
func (e *Expression) UsesBody() bool { return e.usesBody }

// closingBrace finds the "}" closing a "${" whose content starts at from,
// skipping quoted bracket members such as ['a}'].
func closingBrace(s string, from int) (int, error) {
	var quote byte
	for i := from; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '}':
			return i, nil
		}
	}
	return 0, fmt.Errorf("selection expression %q: unterminated \"${\"", s)
}

// unbracedEnd returns where an unbraced variable starting at from ends:
// identifier characters, dots, dashes and bracket groups.
func unbracedEnd(s string, from int) int {
	i := from
	for i < len(s) {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '.', c == '-':
			i++
		case c == '[':
			end := bracketEnd(s, i)
			if end < 0 {
				return i
			}
			i = end + 1
		default:
			return i
		}
	}
	return i
}

// bracketEnd returns the index of the "]" closing the "[" at i, or -1.
func bracketEnd(s string, i int) int {
	var quote byte
	for j := i + 1; j < len(s); j++ {
		c := s[j]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == ']':
			return j
		}
	}
	return -1
}

func parseVariable(name string) (*variable, error) {
	switch {
	case name == "request.body" || strings.HasPrefix(name, "request.body.") || strings.HasPrefix(name, "request.body["):
		path, err := parsePath(name[len("request.body"):])
		if err != nil {
			return nil, fmt.Errorf("selection variable %q: %w", name, err)
		}
		return &variable{kind: varBody, path: path}, nil
	case strings.HasPrefix(name, "request.header.") && len(name) > len("request.header."):
		return &variable{kind: varHeader, header: name[len("request.header."):]}, nil
	case strings.EqualFold(name, "integration.response.statuscode"):
		return &variable{kind: varStatusCode}, nil
	}
	return nil, fmt.Errorf("selection variable %q is not supported (use request.body..., request.header.NAME or integration.response.statuscode)", name)
}

// parsePath parses the JSONPath that follows "request.body".
func parsePath(p string) ([]step, error) {
	var steps []step
	for i := 0; i < len(p); {
		switch p[i] {
		case '.':
			j := i + 1
			for j < len(p) && p[j] != '.' && p[j] != '[' {
				j++
			}
			if j == i+1 {
				return nil, fmt.Errorf("empty member name at offset %d", i)
			}
			steps = append(steps, step{name: p[i+1 : j]})
			i = j
		case '[':
			end := bracketEnd(p, i)
			if end < 0 {
				return nil, fmt.Errorf("unterminated '[' at offset %d", i)
			}
			inner := strings.TrimSpace(p[i+1 : end])
			switch {
			case len(inner) >= 2 && (inner[0] == '\'' || inner[0] == '"') && inner[len(inner)-1] == inner[0]:
				steps = append(steps, step{name: inner[1 : len(inner)-1]})
			default:
				n, err := strconv.Atoi(inner)
				if err != nil || n < 0 {
					return nil, fmt.Errorf("bracket %q is neither a quoted name nor an array index", inner)
				}
				steps = append(steps, step{index: n, isIdx: true})
			}
			i = end + 1
		default:
			return nil, fmt.Errorf("unexpected %q at offset %d", p[i], i)
		}
	}
	return steps, nil
}

// Evaluate computes the key. ok is false when the expression reads the
// message body and the body is not JSON: API Gateway then cannot evaluate
// the expression and falls back to the $default route.
func (e *Expression) Evaluate(in Input) (key string, ok bool) {
	var doc any
	if e.usesBody {
		d := json.NewDecoder(bytes.NewReader(in.Body))
		d.UseNumber()
		if err := d.Decode(&doc); err != nil {
			return "", false
		}
		if d.More() {
			return "", false
		}
	}
	if len(e.parts) == 1 && e.parts[0].v == nil {
		return e.parts[0].literal, true
	}
	var b strings.Builder
	for _, p := range e.parts {
		if p.v == nil {
			b.WriteString(p.literal)
			continue
		}
		switch p.v.kind {
		case varBody:
			if v, found := lookup(doc, p.v.path); found {
				writeValue(&b, v, true)
			}
		case varHeader:
			for k, v := range in.Headers {
				if strings.EqualFold(k, p.v.header) {
					b.WriteString(v)
					break
				}
			}
		case varStatusCode:
			b.WriteString(in.StatusCode)
		}
	}
	return b.String(), true
}

func lookup(doc any, path []step) (any, bool) {
	cur := doc
	for _, s := range path {
		switch v := cur.(type) {
		case map[string]any:
			if s.isIdx {
				return nil, false
			}
			next, ok := v[s.name]
			if !ok {
				return nil, false
			}
			cur = next
		case []any:
			if !s.isIdx || s.index >= len(v) {
				return nil, false
			}
			cur = v[s.index]
		default:
			return nil, false
		}
	}
	return cur, true
}

// writeValue stringifies a JSON value as API Gateway does for selection
// keys: strings unquoted, numbers and booleans as written, null as
// nothing, arrays as "[a, b]" and objects as compact JSON.
func writeValue(b *strings.Builder, v any, top bool) {
	switch x := v.(type) {
	case nil:
		if !top {
			b.WriteString("null")
		}
	case string:
		b.WriteString(x)
	case json.Number:
		b.WriteString(x.String())
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case []any:
		b.WriteByte('[')
		for i, item := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			writeValue(b, item, false)
		}
		b.WriteByte(']')
	case map[string]any:
		out, _ := json.Marshal(x)
		b.Write(out)
	}
}
