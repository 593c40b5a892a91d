package attr

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// SyntaxError is malformed JSON, or JSON of the wrong shape for an
// attribute value (reported to clients as a SerializationException).
type SyntaxError struct{ Msg string }

func (e *SyntaxError) Error() string { return e.Msg }

// The JSON decoder below reads attribute values straight from the request
// bytes. encoding/json would re-scan every nested value once per level
// through UnmarshalJSON; this reads each byte once.

type jparser struct {
	b   []byte
	pos int
	// nest counts the maps and lists open around the value being read.
	nest int
}

// errTooDeep is DynamoDB's refusal of a value nested past MaxNesting.
var errTooDeep = &Error{Msg: "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit"}

func (p *jparser) ws() {
	for p.pos < len(p.b) {
		switch p.b[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *jparser) syntax() error {
	return &SyntaxError{"Unexpected character in JSON at offset " + strconv.Itoa(p.pos)}
}

func (p *jparser) peek() byte {
	p.ws()
	if p.pos < len(p.b) {
		return p.b[p.pos]
	}
	return 0
}

func (p *jparser) expect(c byte) error {
	if p.peek() != c {
		return p.syntax()
	}
	p.pos++
	return nil
}

// literal consumes true, false or null.
func (p *jparser) literal() (string, bool) {
	p.ws()
	for _, lit := range []string{"true", "false", "null"} {
		if len(p.b)-p.pos >= len(lit) && string(p.b[p.pos:p.pos+len(lit)]) == lit {
			p.pos += len(lit)
			return lit, true
		}
	}
	return "", false
}

func (p *jparser) str() (string, error) {
	if p.peek() != '"' {
		return "", p.typeError("String")
	}
	p.pos++
	start := p.pos
	for p.pos < len(p.b) {
		c := p.b[p.pos]
		if c == '"' {
			s := p.b[start:p.pos]
			p.pos++
			if utf8.Valid(s) {
				return string(s), nil
			}
			return string([]rune(string(s))), nil
		}
		if c == '\\' {
			return p.slowStr(start)
		}
		if c < 0x20 {
			return "", p.syntax()
		}
		p.pos++
	}
	return "", p.syntax()
}

// slowStr decodes a string with escapes, from start (after the quote).
func (p *jparser) slowStr(start int) (string, error) {
	out := make([]byte, 0, p.pos-start+16)
	out = append(out, p.b[start:p.pos]...)
	for p.pos < len(p.b) {
		c := p.b[p.pos]
		switch {
		case c == '"':
			p.pos++
			if !utf8.Valid(out) {
				return string([]rune(string(out))), nil
			}
			return string(out), nil
		case c < 0x20:
			return "", p.syntax()
		case c != '\\':
			out = append(out, c)
			p.pos++
			continue
		}
		if p.pos+1 >= len(p.b) {
			return "", p.syntax()
		}
		e := p.b[p.pos+1]
		p.pos += 2
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				return "", p.syntax()
			}
			if utf16.IsSurrogate(r) {
				r2 := rune(-1)
				if p.pos+1 < len(p.b) && p.b[p.pos] == '\\' && p.b[p.pos+1] == 'u' {
					save := p.pos
					p.pos += 2
					var ok2 bool
					if r2, ok2 = p.hex4(); !ok2 {
						return "", p.syntax()
					}
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						out = utf8.AppendRune(out, dec)
						continue
					}
					p.pos = save
				}
				r = utf8.RuneError
			}
			out = utf8.AppendRune(out, r)
		default:
			return "", p.syntax()
		}
	}
	return "", p.syntax()
}

func (p *jparser) hex4() (rune, bool) {
	if p.pos+4 > len(p.b) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(p.b[p.pos:p.pos+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	p.pos += 4
	return rune(n), true
}

// typeError reports a JSON value of the wrong kind where want is expected.
func (p *jparser) typeError(want string) error {
	switch p.peek() {
	case '{':
		return &SyntaxError{"Start of structure or map found where not expected"}
	case '[':
		return &SyntaxError{"Start of list found where not expected"}
	case '"':
		return &SyntaxError{"STRING_VALUE can not be converted to " + want}
	case 't', 'f':
		return &SyntaxError{"TRUE_VALUE can not be converted to " + want}
	case 'n':
		return &SyntaxError{"NULL_VALUE can not be converted to " + want}
	}
	return &SyntaxError{"NUMBER_VALUE can not be converted to " + want}
}

// skip consumes any JSON value.
func (p *jparser) skip() error {
	switch p.peek() {
	case '"':
		_, err := p.str()
		return err
	case '{':
		p.pos++
		if p.peek() == '}' {
			p.pos++
			return nil
		}
		for {
			if _, err := p.str(); err != nil {
				return err
			}
			if err := p.expect(':'); err != nil {
				return err
			}
			if err := p.skip(); err != nil {
				return err
			}
			if p.peek() == ',' {
				p.pos++
				continue
			}
			return p.expect('}')
		}
	case '[':
		p.pos++
		if p.peek() == ']' {
			p.pos++
			return nil
		}
		for {
			if err := p.skip(); err != nil {
				return err
			}
			if p.peek() == ',' {
				p.pos++
				continue
			}
			return p.expect(']')
		}
	}
	if _, ok := p.literal(); ok {
		return nil
	}
	return p.number()
}

// number consumes a JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func (p *jparser) number() error {
	digits := func() int {
		n := 0
		for p.pos < len(p.b) && p.b[p.pos] >= '0' && p.b[p.pos] <= '9' {
			p.pos++
			n++
		}
		return n
	}
	if p.pos < len(p.b) && p.b[p.pos] == '-' {
		p.pos++
	}
	switch {
	case p.pos < len(p.b) && p.b[p.pos] == '0':
		p.pos++
	case digits() == 0:
		return p.syntax()
	}
	if p.pos < len(p.b) && p.b[p.pos] == '.' {
		p.pos++
		if digits() == 0 {
			return p.syntax()
		}
	}
	if p.pos < len(p.b) && (p.b[p.pos] == 'e' || p.b[p.pos] == 'E') {
		p.pos++
		if p.pos < len(p.b) && (p.b[p.pos] == '+' || p.b[p.pos] == '-') {
			p.pos++
		}
		if digits() == 0 {
			return p.syntax()
		}
	}
	return nil
}

// object iterates the members of a JSON object (null is an absent one).
func (p *jparser) object(fn func(key string) error) (present bool, err error) {
	if lit, ok := p.literal(); ok {
		if lit == "null" {
			return false, nil
		}
		p.pos -= len(lit)
		return false, p.typeError("Map")
	}
	if p.peek() != '{' {
		return false, p.typeError("Map")
	}
	p.pos++
	if p.peek() == '}' {
		p.pos++
		return true, nil
	}
	for {
		k, err := p.str()
		if err != nil {
			return true, err
		}
		if err := p.expect(':'); err != nil {
			return true, err
		}
		if err := fn(k); err != nil {
			return true, err
		}
		if p.peek() == ',' {
			p.pos++
			continue
		}
		return true, p.expect('}')
	}
}

// array iterates the elements of a JSON array (null is an absent one).
func (p *jparser) array(fn func() error) (present bool, err error) {
	if lit, ok := p.literal(); ok {
		if lit == "null" {
			return false, nil
		}
		p.pos -= len(lit)
		return false, p.typeError("List")
	}
	if p.peek() != '[' {
		return false, p.typeError("List")
	}
	p.pos++
	if p.peek() == ']' {
		p.pos++
		return true, nil
	}
	for {
		if err := fn(); err != nil {
			return true, err
		}
		if p.peek() == ',' {
			p.pos++
			continue
		}
		return true, p.expect(']')
	}
}

func (p *jparser) strings() ([]string, bool, error) {
	out := []string{}
	present, err := p.array(func() error {
		s, err := p.str()
		out = append(out, s)
		return err
	})
	return out, present, err
}

func (p *jparser) binary() ([]byte, error) {
	s, err := p.str()
	if err != nil {
		return nil, err
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, &SyntaxError{"Base64 encoded length is expected a multiple of 4 bytes but found: " + strconv.Itoa(len(s))}
	}
	return b, nil
}

func (p *jparser) boolean() (value, present bool, err error) {
	lit, ok := p.literal()
	if !ok {
		return false, false, p.typeError("Boolean")
	}
	return lit == "true", lit != "null", nil
}

var errEmptyValue = &Error{Msg: "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"}

// value reads one attribute value and validates it as DynamoDB does.
func (p *jparser) value() (*Value, error) {
	v := &Value{}
	n := 0
	var numbers []string
	var bins [][]byte
	var verr error
	present, err := p.object(func(key string) error {
		var present bool
		var err error
		switch key {
		case "S":
			var s string
			if p.peek() == 'n' {
				p.literal()
			} else if s, err = p.str(); err == nil {
				present = true
				v.T, v.S = S, s
			}
		case "N":
			var s string
			if p.peek() == 'n' {
				p.literal()
			} else if s, err = p.str(); err == nil {
				present = true
				v.T = N
				if canon, nerr := ParseNumber(s); nerr != nil {
					if verr == nil {
						verr = nerr
					}
				} else {
					v.S = canon
				}
			}
		case "B":
			if p.peek() == 'n' {
				p.literal()
			} else {
				var b []byte
				if b, err = p.binary(); err == nil {
					present = true
					v.T, v.B = B, b
				}
			}
		case "BOOL":
			var b bool
			b, present, err = p.boolean()
			if present {
				v.T, v.Bool = BOOL, b
			}
		case "NULL":
			var b bool
			b, present, err = p.boolean()
			if present {
				v.T = NULL
				if !b && verr == nil {
					verr = &Error{Msg: msgInvalid + "Null attribute value types must have the value of true"}
				}
			}
		case "M":
			if p.peek() != 'n' {
				if p.nest++; p.nest > MaxNesting {
					return errTooDeep
				}
				defer func() { p.nest-- }()
			}
			m := map[string]*Value{}
			present, err = p.object(func(k string) error {
				e, err := p.value()
				if err != nil {
					return err
				}
				m[k] = e
				return nil
			})
			if present {
				v.T, v.M = M, m
			}
		case "L":
			if p.peek() != 'n' {
				if p.nest++; p.nest > MaxNesting {
					return errTooDeep
				}
				defer func() { p.nest-- }()
			}
			l := []*Value{}
			present, err = p.array(func() error {
				e, err := p.value()
				l = append(l, e)
				return err
			})
			if present {
				v.T, v.L = L, l
			}
		case "SS", "NS":
			var ss []string
			ss, present, err = p.strings()
			if present {
				if key == "SS" {
					v.T, v.SS = SS, ss
				} else {
					v.T, numbers = NS, ss
				}
			}
		case "BS":
			bins = [][]byte{}
			present, err = p.array(func() error {
				b, err := p.binary()
				bins = append(bins, b)
				return err
			})
			if present {
				v.T, v.BS = BS, bins
			}
		default:
			return p.skip()
		}
		if present {
			n++
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if !present {
		return nil, errEmptyValue
	}
	switch {
	case n == 0:
		return nil, errEmptyValue
	case n > 1:
		return nil, &Error{Msg: "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"}
	case verr != nil:
		return nil, verr
	}
	switch v.T {
	case SS:
		if len(v.SS) == 0 {
			return nil, &Error{Msg: "One or more parameter values were invalid: An string set  may not be empty"}
		}
		if err := checkDuplicates(SS, v.SS, v.SS); err != nil {
			return nil, err
		}
	case NS:
		if len(numbers) == 0 {
			return nil, &Error{Msg: "One or more parameter values were invalid: An number set  may not be empty"}
		}
		out := make([]string, len(numbers))
		for i, s := range numbers {
			canon, err := ParseNumber(s)
			if err != nil {
				return nil, err
			}
			out[i] = canon
		}
		if err := checkDuplicates(NS, numbers, out); err != nil {
			return nil, err
		}
		v.SS = out
	case BS:
		if len(v.BS) == 0 {
			return nil, &Error{Msg: "One or more parameter values were invalid: Binary sets should not be empty"}
		}
		enc := make([]string, len(v.BS))
		for i, b := range v.BS {
			enc[i] = string(b)
		}
		if err := checkDuplicates(BS, b64All(v.BS), enc); err != nil {
			return nil, err
		}
	}
	return v, nil
}

func (p *jparser) end() error {
	p.ws()
	if p.pos != len(p.b) {
		return p.syntax()
	}
	return nil
}

// ParseValue reads one attribute value from JSON.
func ParseValue(b []byte) (*Value, error) {
	p := &jparser{b: b}
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	return v, p.end()
}

// ParseItem reads an item (a JSON object of attribute values); JSON null
// gives a nil item.
func ParseItem(b []byte) (Item, error) {
	p := &jparser{b: b}
	it := Item{}
	present, err := p.object(func(k string) error {
		v, err := p.value()
		if err != nil {
			return err
		}
		it[k] = v
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !present {
		it = nil
	}
	return it, p.end()
}

// SplitObject reads a top-level JSON object in one pass: members named in
// items are parsed as Items on the way; every other member is copied into
// rest, a JSON object holding just those members.
func SplitObject(b []byte, items map[string]bool) (parsed map[string]Item, rest []byte, err error) {
	p := &jparser{b: b}
	rest = append(make([]byte, 0, 256), '{')
	present, err := p.object(func(key string) error {
		if items[key] {
			if p.peek() == 'n' {
				p.literal()
				return nil
			}
			it := Item{}
			if _, err := p.object(func(k string) error {
				v, err := p.value()
				if err != nil {
					return err
				}
				it[k] = v
				return nil
			}); err != nil {
				return err
			}
			if parsed == nil {
				parsed = map[string]Item{}
			}
			parsed[key] = it
			return nil
		}
		start := p.pos
		if err := p.skip(); err != nil {
			return err
		}
		if len(rest) > 1 {
			rest = append(rest, ',')
		}
		quoted, _ := json.Marshal(key)
		rest = append(rest, quoted...)
		rest = append(rest, ':')
		rest = append(rest, b[start:p.pos]...)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	if !present {
		return nil, []byte("{}"), p.end()
	}
	return parsed, append(rest, '}'), p.end()
}
