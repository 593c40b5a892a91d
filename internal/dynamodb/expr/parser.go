package expr

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/nimbus-dev/nimbus/internal/dynamodb/attr"
)

// parser is a recursive-descent parser over one expression. Syntax errors
// stop it at once; semantic errors (undefined placeholders, misused
// functions) are kept and reported only when the syntax is valid, as
// DynamoDB does.
type parser struct {
	src    string
	toks   []token
	pos    int
	ctx    *Context
	update bool
	semErr error
	paren  map[Cond]bool
	// ops counts operators and functions; DynamoDB allows 300 per
	// expression.
	ops int
	// inListAppend is set while the operands of a list_append are parsed
	// (list_append may not nest).
	inListAppend bool
}

// maxOperators is the most operators and functions one expression may hold.
const maxOperators = 300

// countOp records one operator or function of the expression.
func (p *parser) countOp() {
	p.ops++
	if p.ops > maxOperators {
		p.sem("The expression contains too many operators; operator count: %d", p.ops)
	}
}

type syntaxErr struct{ err error }

func newParser(src string, ctx *Context) (*parser, error) {
	if strings.TrimSpace(src) == "" {
		return nil, &Error{"The expression can not be empty;"}
	}
	if ctx == nil {
		ctx = NewContext(nil, nil)
	}
	return &parser{src: src, toks: lex(src), ctx: ctx, paren: map[Cond]bool{}}, nil
}

// run calls fn and converts a syntax panic into an error.
func (p *parser) run(fn func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			se, ok := r.(syntaxErr)
			if !ok {
				panic(r)
			}
			err = se.err
		}
	}()
	fn()
	if p.peek().kind != tEOF {
		p.fail()
	}
	return p.semErr
}

func (p *parser) peek() token { return p.toks[p.pos] }
func (p *parser) peekAt(n int) token {
	if p.pos+n < len(p.toks) {
		return p.toks[p.pos+n]
	}
	return p.toks[len(p.toks)-1]
}
func (p *parser) next() token {
	t := p.toks[p.pos]
	if t.kind != tEOF {
		p.pos++
	}
	return t
}

func (p *parser) fail() { panic(syntaxErr{syntaxError(p.src, p.toks, p.pos)}) }

func (p *parser) sem(format string, args ...any) {
	if p.semErr == nil {
		p.semErr = &Error{fmt.Sprintf(format, args...)}
	}
}

func (p *parser) isPunct(s string) bool { t := p.peek(); return t.kind == tPunct && t.text == s }

func (p *parser) isKeyword(kw string) bool {
	t := p.peek()
	return t.kind == tIdent && strings.EqualFold(t.text, kw)
}

func (p *parser) expect(s string) {
	if !p.isPunct(s) {
		p.fail()
	}
	p.next()
}

// ParseCondition parses a condition, filter or key condition expression.
func ParseCondition(src string, ctx *Context) (Cond, error) {
	p, err := newParser(src, ctx)
	if err != nil {
		return nil, err
	}
	var c Cond
	if err := p.run(func() { c = p.parseOr() }); err != nil {
		return nil, err
	}
	return c, nil
}

// ParseKeyCondition parses a key condition expression.
func ParseKeyCondition(src string, ctx *Context) (Cond, error) {
	p, err := newParser(src, ctx)
	if err != nil {
		return nil, err
	}
	var c Cond
	if err := p.run(func() { c = p.parseOr() }); err != nil {
		return nil, err
	}
	return c, nil
}

// ParseProjection parses a projection expression into its paths.
func ParseProjection(src string, ctx *Context) ([]Path, error) {
	p, err := newParser(src, ctx)
	if err != nil {
		return nil, err
	}
	var paths []Path
	err = p.run(func() {
		paths = append(paths, p.parsePath())
		for p.isPunct(",") {
			p.next()
			paths = append(paths, p.parsePath())
		}
	})
	if err != nil {
		return nil, err
	}
	if err := checkOverlap(paths); err != nil {
		return nil, err
	}
	return paths, nil
}

func (p *parser) parseOr() Cond {
	l := p.parseAnd()
	for p.isKeyword("OR") {
		p.next()
		r := p.parseAnd()
		p.countOp()
		l = &Or{l, r}
	}
	return l
}

func (p *parser) parseAnd() Cond {
	l := p.parseNot()
	for p.isKeyword("AND") {
		p.next()
		r := p.parseNot()
		p.countOp()
		l = &And{l, r}
	}
	return l
}

func (p *parser) parseNot() Cond {
	if p.isKeyword("NOT") {
		p.next()
		x := p.parseNot()
		p.countOp()
		return &Not{x}
	}
	return p.parsePrimary()
}

var condFuncs = map[string]int{
	"attribute_exists": 1, "attribute_not_exists": 1, "attribute_type": 2, "begins_with": 2, "contains": 2,
}

var comparators = map[string]bool{"=": true, "<>": true, "<": true, "<=": true, ">": true, ">=": true}

func (p *parser) parsePrimary() Cond {
	if p.isPunct("(") {
		p.next()
		c := p.parseOr()
		p.expect(")")
		if p.paren[c] {
			p.sem("The expression has redundant parentheses;")
		}
		p.paren[c] = true
		return c
	}
	t := p.peek()
	if t.kind == tIdent && p.peekAt(1).kind == tPunct && p.peekAt(1).text == "(" {
		if _, ok := condFuncs[t.text]; ok {
			return p.parseCondFunc()
		}
		if t.text != "size" && !isUpdateFunc(t.text) {
			p.next()
			p.sem("Invalid function name; function: %s", t.text)
			p.parseArgs()
			return &Func{Name: t.text}
		}
	}
	x := p.parseOperand()
	switch {
	case p.peek().kind == tPunct && comparators[p.peek().text]:
		op := p.next().text
		r := p.parseOperand()
		p.checkDistinct(op, x, r)
		p.countOp()
		return &Compare{Op: op, L: x, R: r}
	case p.isKeyword("BETWEEN"):
		p.next()
		lo := p.parseOperand()
		if !p.isKeyword("AND") {
			p.fail()
		}
		p.next()
		hi := p.parseOperand()
		p.checkBetween(lo, hi)
		p.countOp()
		return &Between{X: x, Lo: lo, Hi: hi}
	case p.isKeyword("IN"):
		p.next()
		p.expect("(")
		list := []Operand{p.parseOperand()}
		for p.isPunct(",") {
			p.next()
			list = append(list, p.parseOperand())
		}
		p.expect(")")
		if len(list) > 100 {
			p.sem("Too many operands for the IN operator; number of operands: %d", len(list))
		}
		p.countOp()
		return &In{X: x, List: list}
	}
	p.fail()
	return nil
}

func isUpdateFunc(name string) bool { return name == "if_not_exists" || name == "list_append" }

func (p *parser) parseArgs() []Operand {
	p.expect("(")
	var args []Operand
	if !p.isPunct(")") {
		args = append(args, p.parseOperand())
		for p.isPunct(",") {
			p.next()
			args = append(args, p.parseOperand())
		}
	}
	p.expect(")")
	return args
}

func (p *parser) parseCondFunc() Cond {
	name := p.next().text
	args := p.parseArgs()
	p.countOp()
	if len(args) != condFuncs[name] {
		p.sem("Incorrect number of operands for operator or function; operator or function: %s, number of operands: %d", name, len(args))
		return &Func{Name: name, Args: args}
	}
	if _, ok := args[0].(*PathOperand); !ok && name != "begins_with" {
		if name != "contains" {
			p.sem("Operator or function requires a document path; operator or function: %s", name)
		}
	}
	switch name {
	case "attribute_type":
		v, ok := args[1].(*ValueOperand)
		if !ok {
			p.sem("Incorrect operand type for operator or function; operator or function: %s, operand type: %s", name, operandType(args[1]))
		} else if v.Value != nil {
			if v.Value.T != attr.S {
				p.sem("Incorrect operand type for operator or function; operator or function: %s, operand type: %s", name, v.Value.T)
			} else if !validTypeName(v.Value.S) {
				p.sem("Invalid attribute type name found in type: %s", v.Value.S)
			}
		}
	case "begins_with":
		for _, a := range args {
			if v, ok := a.(*ValueOperand); ok && v.Value != nil && v.Value.T != attr.S && v.Value.T != attr.B {
				p.sem("Incorrect operand type for operator or function; operator or function: %s, operand type: %s", name, v.Value.T)
			}
		}
	case "contains":
		p.checkDistinct(name, args[0], args[1])
	}
	return &Func{Name: name, Args: args}
}

func (p *parser) checkDistinct(op string, a, b Operand) {
	pa, ok1 := a.(*PathOperand)
	pb, ok2 := b.(*PathOperand)
	if ok1 && ok2 && pathEqual(pa.Path, pb.Path) {
		p.sem("The first operand must be distinct from the remaining operands for this operator or function; operator: %s, first operand: %s", op, pa.Path)
	}
}

func (p *parser) checkBetween(lo, hi Operand) {
	l, ok1 := lo.(*ValueOperand)
	h, ok2 := hi.(*ValueOperand)
	if !ok1 || !ok2 || l.Value == nil || h.Value == nil {
		return
	}
	if l.Value.T != h.Value.T {
		p.sem("The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: %s, upper bound operand: %s", OperandString(l.Value), OperandString(h.Value))
		return
	}
	if c, ok := compareValues(l.Value, h.Value); ok && c > 0 {
		p.sem("The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: %s, upper bound operand: %s", OperandString(l.Value), OperandString(h.Value))
	}
}

// parseOperand reads a path, a value placeholder or a function producing
// a value (size; if_not_exists and list_append in update expressions).
func (p *parser) parseOperand() Operand {
	t := p.peek()
	switch t.kind {
	case tValue:
		p.next()
		return p.valueRef(t.text)
	case tIdent:
		if p.peekAt(1).kind == tPunct && p.peekAt(1).text == "(" {
			return p.parseFuncOperand()
		}
		return &PathOperand{p.parsePath()}
	case tName:
		return &PathOperand{p.parsePath()}
	}
	p.fail()
	return nil
}

func (p *parser) parseFuncOperand() Operand {
	name := p.next().text
	switch {
	case p.update && (name == "size" || condFuncs[name] > 0):
		p.sem("The function is not allowed in an update expression; function: %s", name)
	case name == "size":
		args := p.parseArgs()
		p.countOp()
		if len(args) != 1 {
			p.sem("Incorrect number of operands for operator or function; operator or function: size, number of operands: %d", len(args))
			return &SizeOperand{}
		}
		po, ok := args[0].(*PathOperand)
		if !ok {
			p.sem("Operator or function requires a document path; operator or function: size")
			return &SizeOperand{}
		}
		return &SizeOperand{po.Path}
	case !p.update && isUpdateFunc(name):
		p.sem("The function is not allowed in a condition expression; function: %s", name)
	case name == "if_not_exists":
		args := p.parseArgs()
		p.countOp()
		if len(args) != 2 {
			p.sem("Incorrect number of operands for operator or function; operator or function: if_not_exists, number of operands: %d", len(args))
			return &IfNotExists{}
		}
		po, ok := args[0].(*PathOperand)
		if !ok {
			p.sem("Operator or function requires a document path; operator or function: if_not_exists")
			return &IfNotExists{}
		}
		return &IfNotExists{Path: po.Path, Default: args[1]}
	case name == "list_append":
		if p.inListAppend {
			p.sem("The function is not allowed to be used this way in an expression; function: list_append")
		}
		outer := p.inListAppend
		p.inListAppend = true
		args := p.parseArgs()
		p.inListAppend = outer
		p.countOp()
		if len(args) != 2 {
			p.sem("Incorrect number of operands for operator or function; operator or function: list_append, number of operands: %d", len(args))
			return &ListAppend{}
		}
		for _, a := range args {
			if v, ok := a.(*ValueOperand); ok && v.Value != nil && v.Value.T != attr.L {
				p.sem("Incorrect operand type for operator or function; operator or function: list_append, operand type: %s", v.Value.T)
			}
		}
		return &ListAppend{A: args[0], B: args[1]}
	case condFuncs[name] > 0:
		p.sem("The function is not allowed to be used this way in an expression; function: %s", name)
	default:
		p.sem("Invalid function name; function: %s", name)
	}
	p.parseArgs()
	return &ValueOperand{}
}

func (p *parser) valueRef(name string) *ValueOperand {
	v, ok := p.ctx.Values[name]
	if !ok {
		p.sem("An expression attribute value used in expression is not defined; attribute value: %s", name)
		return &ValueOperand{Name: name}
	}
	p.ctx.usedValues[name] = true
	return &ValueOperand{Name: name, Value: v}
}

func (p *parser) nameElem() PathElem {
	t := p.next()
	switch t.kind {
	case tIdent:
		if IsReserved(t.text) {
			panic(syntaxErr{&Error{"Attribute name is a reserved keyword; reserved keyword: " + t.text}})
		}
		return PathElem{Name: t.text}
	case tName:
		n, ok := p.ctx.Names[t.text]
		if !ok {
			p.sem("An expression attribute name used in the document path is not defined; attribute name: %s", t.text)
		}
		p.ctx.usedNames[t.text] = true
		return PathElem{Name: n}
	}
	p.pos--
	p.fail()
	return PathElem{}
}

func (p *parser) parsePath() Path {
	path := Path{p.nameElem()}
	for {
		switch {
		case p.isPunct("."):
			p.next()
			path = append(path, p.nameElem())
		case p.isPunct("["):
			p.next()
			t := p.peek()
			if t.kind != tNumber {
				p.fail()
			}
			p.next()
			n, err := strconv.Atoi(t.text)
			if err != nil {
				p.sem("List index is not within the allowable range; index: %s", t.text)
			}
			p.expect("]")
			path = append(path, PathElem{Index: n, IsIndex: true})
		default:
			if len(path) > 32 {
				p.sem("The document path has too many nesting levels; nesting levels: %d", len(path))
			}
			return path
		}
	}
}

func pathEqual(a, b Path) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// checkOverlap rejects two paths where one contains the other, or that
// disagree on whether a step is a list index or a map key.
func checkOverlap(paths []Path) error {
	for i := 0; i < len(paths); i++ {
		for j := i + 1; j < len(paths); j++ {
			a, b := paths[i], paths[j]
			n := min(len(a), len(b))
			k := 0
			for k < n && a[k] == b[k] {
				k++
			}
			if k == n {
				return &Error{fmt.Sprintf("Two document paths overlap with each other; must remove or rewrite one of these paths; path one: %s, path two: %s", a, b)}
			}
			if a[k].IsIndex != b[k].IsIndex {
				return &Error{fmt.Sprintf("Two document paths conflict with each other; must remove or rewrite one of these paths; path one: %s, path two: %s", a, b)}
			}
		}
	}
	return nil
}

func operandType(o Operand) string {
	switch o.(type) {
	case *PathOperand:
		return "PATH"
	case *SizeOperand:
		return "NUMBER"
	}
	return "VALUE"
}
