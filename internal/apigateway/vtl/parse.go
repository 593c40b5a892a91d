package vtl

import (
	"fmt"
	"strconv"
	"strings"
)

// maxDepth bounds nesting (blocks, expressions, string interpolation) so a
// hostile template cannot exhaust the stack.
const maxDepth = 200

// Template is a parsed template, safe for concurrent use.
type Template struct {
	body []node
}

// ParseError is a syntax error with its position in the template.
type ParseError struct {
	Line, Column int
	Msg          string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("template line %d, column %d: %s", e.Line, e.Column, e.Msg)
}

// Parse parses a template.
func Parse(src string) (*Template, error) {
	p := &parser{src: src}
	body, term, err := p.parseBody(0)
	if err != nil {
		return nil, err
	}
	if term != "" {
		return nil, p.errorf(p.pos, "#%s without a matching #if or #foreach", term)
	}
	return &Template{body: body}, nil
}

type parser struct {
	src string
	pos int
}

func (p *parser) errorf(pos int, format string, args ...any) *ParseError {
	line, col := 1, 1
	for i := 0; i < pos && i < len(p.src); i++ {
		if p.src[i] == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return &ParseError{Line: line, Column: col, Msg: fmt.Sprintf(format, args...)}
}

// parseBody parses text and directives until the end of input or a block
// terminator (#else, #elseif, #end), which it returns without consuming
// the branch condition of an #elseif.
func (p *parser) parseBody(depth int) ([]node, string, error) {
	if depth > maxDepth {
		return nil, "", p.errorf(p.pos, "nesting deeper than %d", maxDepth)
	}
	var nodes []node
	var text strings.Builder
	flush := func() {
		if text.Len() > 0 {
			nodes = append(nodes, &textNode{text: text.String()})
			text.Reset()
		}
	}
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch c {
		case '\\':
			n := 0
			for p.pos+n < len(p.src) && p.src[p.pos+n] == '\\' {
				n++
			}
			next := p.pos + n
			if next >= len(p.src) || (p.src[next] != '$' && p.src[next] != '#') {
				text.WriteString(p.src[p.pos:next])
				p.pos = next
				continue
			}
			text.WriteString(strings.Repeat(`\`, n/2))
			p.pos = next
			if n%2 == 0 {
				continue
			}
			if p.src[next] == '$' {
				start := p.pos
				ref, err := p.parseRef()
				if err != nil {
					return nil, "", err
				}
				if ref == nil {
					text.WriteString(`\$`)
					p.pos = start + 1
					continue
				}
				flush()
				nodes = append(nodes, &escapedRefNode{ref: ref})
				continue
			}
			// An escaped directive renders as written, without the backslash.
			text.WriteByte('#')
			p.pos++
		case '$':
			start := p.pos
			ref, err := p.parseRef()
			if err != nil {
				return nil, "", err
			}
			if ref == nil {
				text.WriteByte('$')
				p.pos = start + 1
				continue
			}
			flush()
			nodes = append(nodes, ref)
		case '#':
			handled, n, term, err := p.parseHash(depth, &text)
			if err != nil {
				return nil, "", err
			}
			if term != "" {
				flush()
				return nodes, term, nil
			}
			if n != nil {
				flush()
				nodes = append(nodes, n)
			}
			if !handled {
				text.WriteByte('#')
				p.pos++
			}
		default:
			j := p.pos
			for j < len(p.src) && p.src[j] != '$' && p.src[j] != '#' && p.src[j] != '\\' {
				j++
			}
			text.WriteString(p.src[p.pos:j])
			p.pos = j
		}
	}
	flush()
	return nodes, "", nil
}

// escapedRefNode is \$ref: it renders "$ref" when the reference is defined
// and "\$ref" when it is not, as Velocity does.
type escapedRefNode struct{ ref *refNode }

func (*escapedRefNode) isNode() {}

// parseHash handles a '#' in text. It reports whether it consumed input,
// the node it produced (if any) and a block terminator it met.
func (p *parser) parseHash(depth int, text *strings.Builder) (bool, node, string, error) {
	start := p.pos
	rest := p.src[p.pos:]
	switch {
	case strings.HasPrefix(rest, "##"):
		end := strings.IndexByte(rest, '\n')
		if end < 0 {
			p.pos = len(p.src)
		} else {
			p.pos += end + 1
		}
		return true, nil, "", nil
	case strings.HasPrefix(rest, "#*"):
		end := strings.Index(rest[2:], "*#")
		if end < 0 {
			return false, nil, "", p.errorf(start, "unterminated #* comment")
		}
		p.pos += 2 + end + 2
		return true, nil, "", nil
	case strings.HasPrefix(rest, "#[["):
		end := strings.Index(rest[3:], "]]#")
		if end < 0 {
			return false, nil, "", p.errorf(start, "unterminated #[[ block")
		}
		text.WriteString(rest[3 : 3+end])
		p.pos += 3 + end + 3
		return true, nil, "", nil
	}
	name, after, ok := directiveName(p.src, p.pos)
	if !ok {
		return false, nil, "", nil
	}
	switch name {
	case "set":
		p.pos = after
		// Velocity 1.7 eats the spaces and tabs right before #set.
		trimmed := strings.TrimRight(text.String(), " \t")
		text.Reset()
		text.WriteString(trimmed)
		n, err := p.parseSet(start)
		return true, n, "", err
	case "if":
		p.pos = after
		n, err := p.parseIf(depth, start)
		return true, n, "", err
	case "foreach":
		p.pos = after
		n, err := p.parseForeach(depth, start)
		return true, n, "", err
	case "elseif":
		p.pos = after
		return true, nil, "elseif", nil
	case "else", "end":
		p.pos = after
		p.gobbleLineEnd()
		return true, nil, name, nil
	case "break":
		p.pos = after
		return true, &breakNode{}, "", nil
	case "stop":
		p.pos = after
		return true, &stopNode{}, "", nil
	case "macro", "define", "include", "parse", "evaluate":
		return false, nil, "", p.errorf(start, "#%s is not supported in API Gateway mapping templates", name)
	}
	return false, nil, "", nil
}

// directiveName reads "#name" or "#{name}" at i.
func directiveName(src string, i int) (string, int, bool) {
	j := i + 1
	braced := j < len(src) && src[j] == '{'
	if braced {
		j++
	}
	k := j
	for k < len(src) && isLetter(src[k]) {
		k++
	}
	if k == j {
		return "", 0, false
	}
	name := src[j:k]
	if braced {
		if k >= len(src) || src[k] != '}' {
			return "", 0, false
		}
		k++
	}
	return name, k, true
}

// gobbleLineEnd consumes spaces, tabs and one newline when they end the
// line (Velocity 1.7's rule after directives); otherwise nothing.
func (p *parser) gobbleLineEnd() {
	j := p.pos
	for j < len(p.src) && (p.src[j] == ' ' || p.src[j] == '\t') {
		j++
	}
	switch {
	case strings.HasPrefix(p.src[j:], "\r\n"):
		p.pos = j + 2
	case j < len(p.src) && (p.src[j] == '\n' || p.src[j] == '\r'):
		p.pos = j + 1
	}
}

func (p *parser) openParen(start int, name string) error {
	for p.pos < len(p.src) && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t') {
		p.pos++
	}
	if p.pos >= len(p.src) || p.src[p.pos] != '(' {
		return p.errorf(start, "#%s needs a parenthesised argument", name)
	}
	p.pos++
	return nil
}

func (p *parser) closeParen(start int, name string) error {
	p.skipSpace()
	if p.pos >= len(p.src) || p.src[p.pos] != ')' {
		return p.errorf(start, "#%s: expected ')'", name)
	}
	p.pos++
	p.gobbleLineEnd()
	return nil
}

func (p *parser) parseSet(start int) (node, error) {
	if err := p.openParen(start, "set"); err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos >= len(p.src) || p.src[p.pos] != '$' {
		return nil, p.errorf(start, "#set needs a reference on the left")
	}
	ref, err := p.parseRef()
	if err != nil {
		return nil, err
	}
	if ref == nil {
		return nil, p.errorf(start, "#set needs a reference on the left")
	}
	p.skipSpace()
	if p.pos >= len(p.src) || p.src[p.pos] != '=' {
		return nil, p.errorf(start, "#set: expected '='")
	}
	p.pos++
	value, err := p.parseExpr(0)
	if err != nil {
		return nil, err
	}
	if err := p.closeParen(start, "set"); err != nil {
		return nil, err
	}
	return &setNode{target: ref, value: value}, nil
}

func (p *parser) parseIf(depth, start int) (node, error) {
	n := &ifNode{}
	name := "if"
	for {
		if err := p.openParen(start, name); err != nil {
			return nil, err
		}
		cond, err := p.parseExpr(0)
		if err != nil {
			return nil, err
		}
		if err := p.closeParen(start, name); err != nil {
			return nil, err
		}
		body, term, err := p.parseBody(depth + 1)
		if err != nil {
			return nil, err
		}
		n.branches = append(n.branches, ifBranch{cond: cond, body: body})
		switch term {
		case "elseif":
			name = "elseif"
			start = p.pos
			continue
		case "else":
			body, term, err := p.parseBody(depth + 1)
			if err != nil {
				return nil, err
			}
			if term != "end" {
				return nil, p.errorf(start, "#else without #end")
			}
			n.elseBody = body
			return n, nil
		case "end":
			return n, nil
		default:
			return nil, p.errorf(start, "#if without #end")
		}
	}
}

func (p *parser) parseForeach(depth, start int) (node, error) {
	if err := p.openParen(start, "foreach"); err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos >= len(p.src) || p.src[p.pos] != '$' {
		return nil, p.errorf(start, "#foreach needs a loop variable")
	}
	ref, err := p.parseRef()
	if err != nil {
		return nil, err
	}
	if ref == nil || len(ref.chain) > 0 {
		return nil, p.errorf(start, "#foreach needs a plain loop variable")
	}
	p.skipSpace()
	if !strings.HasPrefix(p.src[p.pos:], "in") || (p.pos+2 < len(p.src) && isIdentChar(p.src[p.pos+2])) {
		return nil, p.errorf(start, "#foreach: expected 'in'")
	}
	p.pos += 2
	iter, err := p.parseExpr(0)
	if err != nil {
		return nil, err
	}
	if err := p.closeParen(start, "foreach"); err != nil {
		return nil, err
	}
	body, term, err := p.parseBody(depth + 1)
	if err != nil {
		return nil, err
	}
	if term != "end" {
		return nil, p.errorf(start, "#foreach without #end")
	}
	return &foreachNode{varName: ref.name, iter: iter, body: body}, nil
}

// parseRef parses a reference at p.pos ('$'). It returns nil, leaving
// p.pos unspecified, when the text there is not a reference.
func (p *parser) parseRef() (*refNode, error) {
	return p.parseRefDepth(0)
}

func (p *parser) parseRefDepth(depth int) (*refNode, error) {
	if depth > maxDepth {
		return nil, p.errorf(p.pos, "nesting deeper than %d", maxDepth)
	}
	start := p.pos
	i := p.pos + 1
	// "$!ref" (quiet) renders like "$ref": API Gateway prints nothing
	// for a null reference either way.
	if i < len(p.src) && p.src[i] == '!' {
		i++
	}
	braced := false
	if i < len(p.src) && p.src[i] == '{' {
		braced = true
		i++
	}
	if i >= len(p.src) || !isIdentStart(p.src[i]) {
		return nil, nil
	}
	j := i
	for j < len(p.src) && isIdentChar(p.src[j]) {
		j++
	}
	ref := &refNode{name: p.src[i:j]}
	p.pos = j
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if c == '.' && p.pos+1 < len(p.src) && isIdentStart(p.src[p.pos+1]) {
			k := p.pos + 1
			for k < len(p.src) && isIdentChar(p.src[k]) {
				k++
			}
			name := p.src[p.pos+1 : k]
			p.pos = k
			if p.pos < len(p.src) && p.src[p.pos] == '(' {
				p.pos++
				args, err := p.parseArgs(depth, ')')
				if err != nil {
					return nil, err
				}
				ref.chain = append(ref.chain, accessor{kind: accessMethod, name: name, args: args})
			} else {
				ref.chain = append(ref.chain, accessor{kind: accessProp, name: name})
			}
			continue
		}
		if c == '[' {
			save := p.pos
			p.pos++
			idx, err := p.parseExprDepth(depth + 1)
			if err != nil {
				return nil, err
			}
			p.skipSpace()
			if p.pos >= len(p.src) || p.src[p.pos] != ']' {
				p.pos = save
				return nil, p.errorf(save, "expected ']'")
			}
			p.pos++
			ref.chain = append(ref.chain, accessor{kind: accessIndex, index: idx})
			continue
		}
		break
	}
	if braced {
		if p.pos >= len(p.src) || p.src[p.pos] != '}' {
			return nil, nil
		}
		p.pos++
	}
	ref.raw = p.src[start:p.pos]
	return ref, nil
}

func (p *parser) parseArgs(depth int, closer byte) ([]expr, error) {
	var args []expr
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == closer {
		p.pos++
		return nil, nil
	}
	for {
		e, err := p.parseExprDepth(depth + 1)
		if err != nil {
			return nil, err
		}
		args = append(args, e)
		p.skipSpace()
		if p.pos >= len(p.src) {
			return nil, p.errorf(p.pos, "expected '%c'", closer)
		}
		if p.src[p.pos] == ',' {
			p.pos++
			continue
		}
		if p.src[p.pos] == closer {
			p.pos++
			return args, nil
		}
		return nil, p.errorf(p.pos, "expected ',' or '%c'", closer)
	}
}

func (p *parser) skipSpace() {
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

// Expression grammar, lowest precedence first.
var binaryLevels = [][]string{
	{"||", "or"},
	{"&&", "and"},
	{"==", "!=", "eq", "ne"},
	{"<=", ">=", "<", ">", "le", "ge", "lt", "gt"},
	{"+", "-"},
	{"*", "/", "%"},
}

var wordOps = map[string]string{
	"or": "||", "and": "&&", "eq": "==", "ne": "!=",
	"le": "<=", "ge": ">=", "lt": "<", "gt": ">",
}

func (p *parser) parseExpr(level int) (expr, error) {
	return p.parseLevel(level, 0)
}

func (p *parser) parseExprDepth(depth int) (expr, error) {
	return p.parseLevel(0, depth)
}

func (p *parser) parseLevel(level, depth int) (expr, error) {
	if depth > maxDepth {
		return nil, p.errorf(p.pos, "expression nested deeper than %d", maxDepth)
	}
	if level >= len(binaryLevels) {
		return p.parseUnary(depth)
	}
	left, err := p.parseLevel(level+1, depth+1)
	if err != nil {
		return nil, err
	}
	for {
		op, ok := p.matchOp(binaryLevels[level])
		if !ok {
			return left, nil
		}
		right, err := p.parseLevel(level+1, depth+1)
		if err != nil {
			return nil, err
		}
		left = &binaryExpr{op: op, left: left, right: right}
	}
}

func (p *parser) matchOp(ops []string) (string, bool) {
	p.skipSpace()
	rest := p.src[p.pos:]
	for _, op := range ops {
		if !strings.HasPrefix(rest, op) {
			continue
		}
		if isLetter(op[0]) {
			if len(rest) > len(op) && isIdentChar(rest[len(op)]) {
				continue
			}
			p.pos += len(op)
			return wordOps[op], true
		}
		// "<" must not take the first character of "<=", nor "=" of "==".
		if (op == "<" || op == ">") && len(rest) > 1 && rest[1] == '=' {
			continue
		}
		p.pos += len(op)
		return op, true
	}
	return "", false
}

func (p *parser) parseUnary(depth int) (expr, error) {
	if depth > maxDepth {
		return nil, p.errorf(p.pos, "expression nested deeper than %d", maxDepth)
	}
	p.skipSpace()
	rest := p.src[p.pos:]
	if strings.HasPrefix(rest, "!") && !strings.HasPrefix(rest, "!=") {
		p.pos++
		operand, err := p.parseUnary(depth + 1)
		if err != nil {
			return nil, err
		}
		return &unaryExpr{op: "!", operand: operand}, nil
	}
	if strings.HasPrefix(rest, "not") && (len(rest) == 3 || !isIdentChar(rest[3])) {
		p.pos += 3
		operand, err := p.parseUnary(depth + 1)
		if err != nil {
			return nil, err
		}
		return &unaryExpr{op: "!", operand: operand}, nil
	}
	if strings.HasPrefix(rest, "-") && (len(rest) == 1 || !isDigit(rest[1])) {
		p.pos++
		operand, err := p.parseUnary(depth + 1)
		if err != nil {
			return nil, err
		}
		return &unaryExpr{op: "-", operand: operand}, nil
	}
	return p.parsePrimary(depth)
}

func (p *parser) parsePrimary(depth int) (expr, error) {
	p.skipSpace()
	if p.pos >= len(p.src) {
		return nil, p.errorf(p.pos, "unexpected end of template in expression")
	}
	start := p.pos
	c := p.src[p.pos]
	switch {
	case c == '$':
		ref, err := p.parseRefDepth(depth + 1)
		if err != nil {
			return nil, err
		}
		if ref == nil {
			return nil, p.errorf(start, "expected a reference after '$'")
		}
		return &refExpr{ref: ref}, nil
	case c == '\'' || c == '"':
		return p.parseString(depth, c)
	case isDigit(c) || (c == '-' && p.pos+1 < len(p.src) && isDigit(p.src[p.pos+1])):
		return p.parseNumber()
	case c == '(':
		p.pos++
		e, err := p.parseExprDepth(depth + 1)
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.pos >= len(p.src) || p.src[p.pos] != ')' {
			return nil, p.errorf(start, "expected ')'")
		}
		p.pos++
		return e, nil
	case c == '[':
		p.pos++
		p.skipSpace()
		if p.pos < len(p.src) && p.src[p.pos] == ']' {
			p.pos++
			return &listExpr{}, nil
		}
		first, err := p.parseExprDepth(depth + 1)
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if strings.HasPrefix(p.src[p.pos:], "..") {
			p.pos += 2
			to, err := p.parseExprDepth(depth + 1)
			if err != nil {
				return nil, err
			}
			p.skipSpace()
			if p.pos >= len(p.src) || p.src[p.pos] != ']' {
				return nil, p.errorf(start, "expected ']' after range")
			}
			p.pos++
			return &rangeExpr{from: first, to: to}, nil
		}
		items := []expr{first}
		for {
			p.skipSpace()
			if p.pos >= len(p.src) {
				return nil, p.errorf(start, "unterminated list")
			}
			if p.src[p.pos] == ']' {
				p.pos++
				return &listExpr{items: items}, nil
			}
			if p.src[p.pos] != ',' {
				return nil, p.errorf(p.pos, "expected ',' or ']' in list")
			}
			p.pos++
			e, err := p.parseExprDepth(depth + 1)
			if err != nil {
				return nil, err
			}
			items = append(items, e)
		}
	case c == '{':
		p.pos++
		m := &mapExpr{}
		p.skipSpace()
		if p.pos < len(p.src) && p.src[p.pos] == '}' {
			p.pos++
			return m, nil
		}
		for {
			k, err := p.parseExprDepth(depth + 1)
			if err != nil {
				return nil, err
			}
			p.skipSpace()
			if p.pos >= len(p.src) || p.src[p.pos] != ':' {
				return nil, p.errorf(p.pos, "expected ':' in map")
			}
			p.pos++
			v, err := p.parseExprDepth(depth + 1)
			if err != nil {
				return nil, err
			}
			m.keys = append(m.keys, k)
			m.values = append(m.values, v)
			p.skipSpace()
			if p.pos >= len(p.src) {
				return nil, p.errorf(start, "unterminated map")
			}
			if p.src[p.pos] == '}' {
				p.pos++
				return m, nil
			}
			if p.src[p.pos] != ',' {
				return nil, p.errorf(p.pos, "expected ',' or '}' in map")
			}
			p.pos++
		}
	case isLetter(c):
		j := p.pos
		for j < len(p.src) && isIdentChar(p.src[j]) {
			j++
		}
		switch word := p.src[p.pos:j]; word {
		case "true":
			p.pos = j
			return &literalExpr{value: true}, nil
		case "false":
			p.pos = j
			return &literalExpr{value: false}, nil
		case "null":
			p.pos = j
			return &literalExpr{value: nil}, nil
		}
	}
	return nil, p.errorf(start, "unexpected %q in expression", string(c))
}

func (p *parser) parseNumber() (expr, error) {
	start := p.pos
	if p.src[p.pos] == '-' {
		p.pos++
	}
	for p.pos < len(p.src) && isDigit(p.src[p.pos]) {
		p.pos++
	}
	isFloat := false
	if p.pos+1 < len(p.src) && p.src[p.pos] == '.' && isDigit(p.src[p.pos+1]) {
		isFloat = true
		p.pos++
		for p.pos < len(p.src) && isDigit(p.src[p.pos]) {
			p.pos++
		}
	}
	text := p.src[start:p.pos]
	if isFloat {
		f, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return nil, p.errorf(start, "bad number %q", text)
		}
		return &literalExpr{value: f}, nil
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return nil, p.errorf(start, "number %q out of range", text)
	}
	return &literalExpr{value: n}, nil
}

// parseString reads a string literal. Velocity 1.7 keeps backslashes as
// written and reads a doubled quote as one quote; double-quoted strings
// interpolate references.
func (p *parser) parseString(depth int, quote byte) (expr, error) {
	start := p.pos
	p.pos++
	var b strings.Builder
	for {
		if p.pos >= len(p.src) {
			return nil, p.errorf(start, "unterminated string")
		}
		c := p.src[p.pos]
		if c == '\\' && p.pos+1 < len(p.src) {
			b.WriteString(p.src[p.pos : p.pos+2])
			p.pos += 2
			continue
		}
		if c == quote {
			if p.pos+1 < len(p.src) && p.src[p.pos+1] == quote {
				b.WriteByte(quote)
				p.pos += 2
				continue
			}
			p.pos++
			break
		}
		b.WriteByte(c)
		p.pos++
	}
	s := b.String()
	if quote == '\'' || (!strings.ContainsAny(s, "$#")) {
		return &literalExpr{value: s}, nil
	}
	sub := &parser{src: s}
	parts, term, err := sub.parseBody(depth + 1)
	if err != nil {
		return nil, p.errorf(start, "in string: %s", err.(*ParseError).Msg)
	}
	if term != "" {
		return nil, p.errorf(start, "in string: stray #%s", term)
	}
	return &interpExpr{parts: parts}, nil
}

func isLetter(c byte) bool     { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }
func isDigit(c byte) bool      { return c >= '0' && c <= '9' }
func isIdentStart(c byte) bool { return isLetter(c) || c == '_' }
func isIdentChar(c byte) bool  { return isLetter(c) || isDigit(c) || c == '_' || c == '-' }
