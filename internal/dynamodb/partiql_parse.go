package dynamodb

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/nimbus-dev/nimbus/internal/dynamodb/attr"
	"github.com/nimbus-dev/nimbus/internal/dynamodb/expr"
)

// This file reads DynamoDB's dialect of PartiQL: SELECT, INSERT, UPDATE
// (including the FROM-first form), DELETE and, inside transactions,
// EXISTS(SELECT ...). WHERE clauses become expr conditions and SET / REMOVE
// clauses expr update actions, so statements run on the same evaluator as
// the expression API.

const msgNotWellFormed = "Statement wasn't well formed, can't be processed: "

// pqError is a PartiQL statement error (a ValidationException).
func pqError(msg string) *apiError { return validation(msg) }

func notWellFormed(detail string) *apiError { return pqError(msgNotWellFormed + detail) }

type pqKind int

const (
	pqEOF pqKind = iota
	pqIdent
	pqQuoted // "double-quoted identifier"
	pqString // 'string literal'
	pqNumber
	pqPunct
	pqParam // ?
)

type pqTok struct {
	kind pqKind
	text string
	pos  int // byte offset in the statement
}

// pqLex splits a statement into tokens, dropping -- and /* */ comments.
func pqLex(src string) ([]pqTok, error) {
	var toks []pqTok
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '-' && i+1 < len(src) && src[i+1] == '-':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			end := strings.Index(src[i+2:], "*/")
			if end < 0 {
				return nil, notWellFormed("")
			}
			i += 2 + end + 2
		case c == '#':
			return nil, notWellFormed("")
		case isIdentStart(c):
			j := i + 1
			for j < len(src) && isIdentPart(src[j]) {
				j++
			}
			toks = append(toks, pqTok{pqIdent, src[i:j], i})
			i = j
		case c == '"' || c == '\'':
			var b strings.Builder
			j := i + 1
			closed := false
			for j < len(src) {
				if src[j] == c {
					if j+1 < len(src) && src[j+1] == c {
						b.WriteByte(c)
						j += 2
						continue
					}
					closed = true
					j++
					break
				}
				b.WriteByte(src[j])
				j++
			}
			if !closed {
				return nil, notWellFormed("")
			}
			kind := pqString
			if c == '"' {
				kind = pqQuoted
			}
			toks = append(toks, pqTok{kind, b.String(), i})
			i = j
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9':
			j := i
			for j < len(src) && src[j] >= '0' && src[j] <= '9' {
				j++
			}
			if j < len(src) && src[j] == '.' {
				j++
				for j < len(src) && src[j] >= '0' && src[j] <= '9' {
					j++
				}
			}
			if j < len(src) && (src[j] == 'e' || src[j] == 'E') {
				k := j + 1
				if k < len(src) && (src[k] == '+' || src[k] == '-') {
					k++
				}
				if k < len(src) && src[k] >= '0' && src[k] <= '9' {
					for k < len(src) && src[k] >= '0' && src[k] <= '9' {
						k++
					}
					j = k
				}
			}
			toks = append(toks, pqTok{pqNumber, src[i:j], i})
			i = j
		case c == '?':
			toks = append(toks, pqTok{pqParam, "?", i})
			i++
		default:
			for _, p := range []string{"<<", ">>", "<=", ">=", "<>", "!=", "||"} {
				if strings.HasPrefix(src[i:], p) {
					toks = append(toks, pqTok{pqPunct, p, i})
					i += 2
					goto next
				}
			}
			if strings.ContainsRune("()[]{},.*=<>:+-;", rune(c)) {
				toks = append(toks, pqTok{pqPunct, string(c), i})
				i++
				continue
			}
			return nil, notWellFormed("Unexpected character")
		next:
		}
	}
	toks = append(toks, pqTok{pqEOF, "", len(src)})
	return toks, nil
}

func isIdentStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isIdentPart(c byte) bool  { return isIdentStart(c) || c >= '0' && c <= '9' || c == '$' }

// pqKeywords are PartiQL reserved words: they cannot name an attribute
// without double quotes.
var pqKeywords = map[string]bool{
	"select": true, "from": true, "where": true, "and": true, "or": true, "not": true, "in": true,
	"is": true, "null": true, "missing": true, "true": true, "false": true, "between": true,
	"insert": true, "into": true, "value": true, "values": true, "update": true, "set": true,
	"remove": true, "delete": true, "returning": true, "order": true, "by": true, "asc": true,
	"desc": true, "exists": true, "as": true, "inner": true, "outer": true, "join": true,
	"left": true, "right": true, "full": true, "cross": true, "on": true, "limit": true,
	"offset": true, "group": true, "having": true, "union": true, "all": true, "distinct": true,
	"case": true, "when": true, "then": true, "else": true, "end": true, "like": true, "at": true,
}

// pqStmt is a parsed statement.
type pqStmt struct {
	kind  string // SELECT, INSERT, UPDATE, DELETE, EXISTS
	table string
	index string
	// SELECT
	proj      []expr.Path // nil: *
	orderBy   bool
	orderDesc bool
	// WHERE
	where expr.Cond
	// INSERT
	item attr.Item
	// UPDATE
	actions []expr.Action
	// UPDATE / DELETE: RETURNING ALL|MODIFIED OLD|NEW *
	returning string
	// EXISTS(SELECT ...)
	sel *pqStmt
}

type pqParser struct {
	src    string
	toks   []pqTok
	pos    int
	params []*attr.Value
	used   int
}

// pqParse parses one statement with its parameters.
func pqParse(src string, params []*attr.Value) (st *pqStmt, err error) {
	toks, err := pqLex(src)
	if err != nil {
		return nil, err
	}
	p := &pqParser{src: src, toks: toks, params: params}
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(*apiError)
			if !ok {
				panic(r)
			}
			st, err = nil, e
		}
	}()
	st = p.statement()
	if p.peek().kind != pqEOF {
		if p.isPunct(";") && p.peekAt(1).kind == pqEOF {
			p.next()
		} else {
			panic(notWellFormed("Unexpected token after expression"))
		}
	}
	if p.used != len(p.params) {
		panic(pqError("Number of parameters in request and statement don't match."))
	}
	return st, nil
}

func (p *pqParser) peek() pqTok        { return p.toks[p.pos] }
func (p *pqParser) peekAt(n int) pqTok { return p.toks[min(p.pos+n, len(p.toks)-1)] }
func (p *pqParser) next() pqTok        { t := p.toks[p.pos]; p.pos = min(p.pos+1, len(p.toks)-1); return t }
func (p *pqParser) isPunct(s string) bool {
	t := p.peek()
	return t.kind == pqPunct && t.text == s
}

func (p *pqParser) isKeyword(kw string) bool {
	t := p.peek()
	return t.kind == pqIdent && strings.EqualFold(t.text, kw)
}

func (p *pqParser) fail() { panic(notWellFormed("Unexpected token")) }

func (p *pqParser) expectKeyword(kw string) {
	if !p.isKeyword(kw) {
		p.fail()
	}
	p.next()
}

func (p *pqParser) expectPunct(s string) {
	if !p.isPunct(s) {
		p.fail()
	}
	p.next()
}

// at renders a token's position as DynamoDB does: line:column:length.
func (p *pqParser) at(t pqTok, length int) string {
	line, col := 1, 1
	for i := 0; i < t.pos && i < len(p.src); i++ {
		if p.src[i] == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return fmt.Sprintf("%d:%d:%d", line, col, length)
}

func (p *pqParser) statement() *pqStmt {
	switch {
	case p.isKeyword("select"):
		return p.selectStmt()
	case p.isKeyword("insert"):
		return p.insertStmt()
	case p.isKeyword("update"):
		return p.updateStmt()
	case p.isKeyword("delete"):
		return p.deleteStmt()
	case p.isKeyword("from"):
		return p.fromFirstUpdate()
	case p.isKeyword("exists"):
		p.next()
		p.expectPunct("(")
		if !p.isKeyword("select") {
			p.fail()
		}
		sel := p.selectStmt()
		p.expectPunct(")")
		return &pqStmt{kind: "EXISTS", table: sel.table, index: sel.index, where: sel.where, sel: sel}
	}
	p.fail()
	return nil
}

// tableRef reads "table" or "table"."index".
func (p *pqParser) tableRef(st *pqStmt, indexAllowed bool) {
	t := p.next()
	if t.kind != pqQuoted && (t.kind != pqIdent || pqKeywords[strings.ToLower(t.text)]) {
		p.fail()
	}
	st.table = t.text
	if p.isPunct(".") && indexAllowed {
		p.next()
		t := p.next()
		if t.kind != pqQuoted && t.kind != pqIdent {
			p.fail()
		}
		st.index = t.text
	}
}

// noAlias refuses a table alias after the table reference.
func (p *pqParser) noAlias(follow ...string) {
	if p.isKeyword("as") {
		panic(pqError("Aliasing is not supported"))
	}
	t := p.peek()
	if t.kind == pqIdent || t.kind == pqQuoted {
		for _, f := range follow {
			if strings.EqualFold(t.text, f) && t.kind == pqIdent {
				return
			}
		}
		panic(pqError("Aliasing is not supported"))
	}
}

func (p *pqParser) selectStmt() *pqStmt {
	p.expectKeyword("select")
	st := &pqStmt{kind: "SELECT"}
	if p.isPunct("*") {
		p.next()
	} else {
		for {
			t := p.peek()
			if t.kind == pqIdent && p.peekAt(1).kind == pqPunct && p.peekAt(1).text == "(" {
				panic(pqError("Unexpected path component at " + p.at(t, len(t.text))))
			}
			st.proj = append(st.proj, p.path())
			if !p.isPunct(",") {
				break
			}
			p.next()
		}
	}
	p.expectKeyword("from")
	p.tableRef(st, true)
	p.noAlias("where", "order")
	if p.isKeyword("where") {
		p.next()
		st.where = p.orExpr()
	}
	if p.isKeyword("order") {
		p.next()
		p.expectKeyword("by")
		p.path()
		st.orderBy = true
		if p.isKeyword("desc") {
			p.next()
			st.orderDesc = true
		} else if p.isKeyword("asc") {
			p.next()
		}
	}
	return st
}

func (p *pqParser) insertStmt() *pqStmt {
	p.expectKeyword("insert")
	p.expectKeyword("into")
	st := &pqStmt{kind: "INSERT"}
	p.tableRef(st, false)
	if !p.isKeyword("value") {
		panic(notWellFormed("Unexpected token after expression"))
	}
	p.next()
	var v *attr.Value
	if p.peek().kind == pqParam {
		v = p.param()
	} else {
		if !p.isPunct("{") {
			p.fail()
		}
		v = p.literal("")
	}
	if v.T != attr.M {
		panic(pqError("Unsupported data type: value under key root"))
	}
	st.item = attr.Item(v.M)
	return st
}

func (p *pqParser) updateStmt() *pqStmt {
	p.expectKeyword("update")
	st := &pqStmt{kind: "UPDATE"}
	p.tableRef(st, true)
	p.noAlias("set", "remove")
	p.updateClauses(st)
	if !p.isKeyword("where") {
		p.fail()
	}
	p.next()
	st.where = p.orExpr()
	p.returning(st)
	return st
}

// fromFirstUpdate reads FROM "table" WHERE ... SET ... | REMOVE ...
func (p *pqParser) fromFirstUpdate() *pqStmt {
	p.expectKeyword("from")
	st := &pqStmt{kind: "UPDATE"}
	p.tableRef(st, true)
	p.noAlias("where")
	p.expectKeyword("where")
	st.where = p.orExpr()
	p.updateClauses(st)
	p.returning(st)
	return st
}

func (p *pqParser) updateClauses(st *pqStmt) {
	n := 0
	for {
		switch {
		case p.isKeyword("set"):
			p.next()
			for {
				st.actions = append(st.actions, p.assignment())
				if !p.isPunct(",") {
					break
				}
				p.next()
			}
		case p.isKeyword("remove"):
			p.next()
			for {
				st.actions = append(st.actions, expr.Action{Kind: expr.ActRemove, Path: p.path()})
				if !p.isPunct(",") {
					break
				}
				p.next()
			}
		default:
			if n == 0 {
				p.fail()
			}
			return
		}
		n++
	}
}

func (p *pqParser) deleteStmt() *pqStmt {
	p.expectKeyword("delete")
	p.expectKeyword("from")
	st := &pqStmt{kind: "DELETE"}
	p.tableRef(st, true)
	p.noAlias("where")
	p.expectKeyword("where")
	st.where = p.orExpr()
	p.returning(st)
	return st
}

// returning reads RETURNING (ALL|MODIFIED) (OLD|NEW) *.
func (p *pqParser) returning(st *pqStmt) {
	if !p.isKeyword("returning") {
		return
	}
	p.next()
	var which, age string
	switch {
	case p.isKeyword("all"), p.isKeyword("modified"):
		which = strings.ToUpper(p.next().text)
	default:
		p.fail()
	}
	switch {
	case p.isKeyword("old"), p.isKeyword("new"):
		age = strings.ToUpper(p.next().text)
	default:
		p.fail()
	}
	p.expectPunct("*")
	st.returning = which + " " + age
}

// assignment reads path = value in an UPDATE's SET clause.
func (p *pqParser) assignment() expr.Action {
	target := p.path()
	p.expectPunct("=")
	t := p.peek()
	if t.kind == pqIdent && p.peekAt(1).kind == pqPunct && p.peekAt(1).text == "(" {
		name := strings.ToLower(t.text)
		switch name {
		case "set_add", "set_delete":
			return p.setFunction(target, name, t)
		case "list_append":
			p.next()
			p.next()
			a := p.operand()
			p.expectPunct(",")
			b := p.operand()
			p.expectPunct(")")
			return expr.Action{Kind: expr.ActSet, Path: target, Value: &expr.ListAppend{A: a, B: b}}
		}
	}
	v := p.operand()
	if p.isPunct("+") || p.isPunct("-") {
		op := p.next().text[0]
		w := p.operand()
		v = &expr.Arith{Op: op, A: v, B: w}
	}
	return expr.Action{Kind: expr.ActSet, Path: target, Value: v}
}

// setFunction reads set_add(path, set) or set_delete(path, set), which
// DynamoDB runs as ADD and DELETE of set members.
func (p *pqParser) setFunction(target expr.Path, name string, fn pqTok) expr.Action {
	upper := strings.ToUpper(name)
	p.next()
	p.next()
	var args []expr.Operand
	var firstTok pqTok
	for !p.isPunct(")") {
		if len(args) == 0 {
			firstTok = p.peek()
		}
		args = append(args, p.operand())
		if !p.isPunct(",") {
			break
		}
		p.next()
	}
	p.expectPunct(")")
	if len(args) != 2 {
		panic(pqError(upper + " must have exactly two arguments at " + p.at(fn, len(fn.text))))
	}
	first, ok := args[0].(*expr.PathOperand)
	if !ok || first.Path.String() != target.String() {
		panic(pqError("The first argument to " + upper + " must equal the assignment value at " + p.at(fn, len(fn.text))))
	}
	v, ok := args[1].(*expr.ValueOperand)
	if !ok || v.Value == nil || !v.Value.T.IsSet() {
		panic(pqError("The second argument to " + upper + " must be a value with type SET at " + p.at(firstTok, len(firstTok.text))))
	}
	kind := expr.ActAdd
	if name == "set_delete" {
		kind = expr.ActDelete
	}
	return expr.Action{Kind: kind, Path: target, Value: v}
}

// path reads a document path: name, "name", .name, [index].
func (p *pqParser) path() expr.Path {
	t := p.next()
	var path expr.Path
	switch {
	case t.kind == pqQuoted:
		path = expr.Path{{Name: t.text}}
	case t.kind == pqIdent && !pqKeywords[strings.ToLower(t.text)]:
		path = expr.Path{{Name: t.text}}
	default:
		p.pos--
		p.fail()
	}
	for {
		switch {
		case p.isPunct("."):
			p.next()
			t := p.next()
			switch {
			case t.kind == pqQuoted:
				path = append(path, expr.PathElem{Name: t.text})
			case t.kind == pqIdent && !pqKeywords[strings.ToLower(t.text)]:
				path = append(path, expr.PathElem{Name: t.text})
			default:
				panic(notWellFormed("Invalid path dot component"))
			}
		case p.isPunct("["):
			p.next()
			t := p.next()
			switch t.kind {
			case pqNumber:
				n, err := strconv.Atoi(t.text)
				if err != nil || n < 0 {
					p.fail()
				}
				path = append(path, expr.PathElem{Index: n, IsIndex: true})
			case pqString:
				path = append(path, expr.PathElem{Name: t.text})
			default:
				p.fail()
			}
			p.expectPunct("]")
		default:
			return path
		}
	}
}

// WHERE conditions.

func (p *pqParser) orExpr() expr.Cond {
	c := p.andExpr()
	for p.isKeyword("or") {
		p.next()
		c = &expr.Or{L: c, R: p.andExpr()}
	}
	return c
}

func (p *pqParser) andExpr() expr.Cond {
	c := p.notExpr()
	for p.isKeyword("and") {
		p.next()
		c = &expr.And{L: c, R: p.notExpr()}
	}
	return c
}

func (p *pqParser) notExpr() expr.Cond {
	if p.isKeyword("not") {
		p.next()
		return &expr.Not{X: p.notExpr()}
	}
	return p.predicate()
}

// pqTypeNames are the type names IS takes, as DynamoDB types.
var pqTypeNames = map[string][]string{
	"BOOL": {"BOOL"}, "BOOLEAN": {"BOOL"}, "STRING": {"S"}, "NUMBER": {"N"}, "INT": {"N"}, "INTEGER": {"N"},
	"DECIMAL": {"N"}, "FLOAT": {"N"}, "DOUBLE": {"N"}, "BLOB": {"B"}, "BINARY": {"B"}, "LIST": {"L"},
	"STRUCT": {"M"}, "TUPLE": {"M"}, "MAP": {"M"}, "BAG": {"SS", "NS", "BS"}, "SET": {"SS", "NS", "BS"},
}

var pqCondFuncs = map[string]int{"attribute_exists": 1, "attribute_not_exists": 1, "attribute_type": 2, "begins_with": 2, "contains": 2}

func (p *pqParser) predicate() expr.Cond {
	if p.isPunct("(") {
		// A parenthesised condition (an operand in parentheses is not
		// supported).
		p.next()
		c := p.orExpr()
		p.expectPunct(")")
		return c
	}
	t := p.peek()
	if t.kind == pqIdent && p.peekAt(1).kind == pqPunct && p.peekAt(1).text == "(" {
		name := strings.ToLower(t.text)
		if n, ok := pqCondFuncs[name]; ok {
			c := p.condFunc(name, n)
			// A condition function may be compared with a boolean.
			if (p.isPunct("=") || p.isPunct("<>") || p.isPunct("!=")) && p.peekAt(1).kind == pqIdent &&
				(strings.EqualFold(p.peekAt(1).text, "true") || strings.EqualFold(p.peekAt(1).text, "false")) {
				neg := !p.isPunct("=")
				p.next()
				if strings.EqualFold(p.next().text, "false") {
					neg = !neg
				}
				if neg {
					c = &expr.Not{X: c}
				}
			}
			return c
		}
		if name != "size" {
			panic(pqError("Unrecognized function: " + name + " at " + p.at(t, len(t.text))))
		}
	}
	l := p.operand()
	negate := false
	if p.isKeyword("not") {
		p.next()
		negate = true
		if !p.isKeyword("between") && !p.isKeyword("in") {
			p.fail()
		}
	}
	var c expr.Cond
	switch {
	case p.isKeyword("between"):
		p.next()
		lo := p.operand()
		p.expectKeyword("and")
		hi := p.operand()
		c = &expr.Between{X: l, Lo: lo, Hi: hi}
	case p.isKeyword("in"):
		p.next()
		c = &expr.In{X: l, List: p.inList()}
	case p.isKeyword("is"):
		p.next()
		not := false
		if p.isKeyword("not") {
			p.next()
			not = true
		}
		po, ok := l.(*expr.PathOperand)
		switch {
		case p.isKeyword("missing"):
			p.next()
			if !ok {
				p.fail()
			}
			name := "attribute_not_exists"
			if not {
				name = "attribute_exists"
			}
			return &expr.Func{Name: name, Args: []expr.Operand{po}}
		case p.isKeyword("null"):
			p.next()
			if !ok {
				p.fail()
			}
			var isNull expr.Cond = &expr.Func{Name: "attribute_type", Args: []expr.Operand{po, &expr.ValueOperand{Value: &attr.Value{T: attr.S, S: "NULL"}}}}
			if not {
				isNull = &expr.Not{X: isNull}
			}
			return isNull
		default:
			if !ok || p.peek().kind != pqIdent {
				p.fail()
			}
			types := pqTypeNames[strings.ToUpper(p.next().text)]
			if types == nil {
				p.pos--
				p.fail()
			}
			var c expr.Cond
			for _, t := range types {
				var one expr.Cond = &expr.Func{Name: "attribute_type", Args: []expr.Operand{po, &expr.ValueOperand{Value: &attr.Value{T: attr.S, S: t}}}}
				if c == nil {
					c = one
				} else {
					c = &expr.Or{L: c, R: one}
				}
			}
			if not {
				c = &expr.Not{X: c}
			}
			return c
		}
	default:
		t := p.peek()
		if t.kind != pqPunct {
			p.fail()
		}
		op := t.text
		switch op {
		case "=", "<>", "<", "<=", ">", ">=":
		case "!=":
			op = "<>"
		default:
			p.fail()
		}
		p.next()
		c = &expr.Compare{Op: op, L: l, R: p.operand()}
	}
	if negate {
		c = &expr.Not{X: c}
	}
	return c
}

func (p *pqParser) condFunc(name string, arity int) expr.Cond {
	p.next()
	p.next()
	var args []expr.Operand
	for !p.isPunct(")") {
		args = append(args, p.operand())
		if !p.isPunct(",") {
			break
		}
		p.next()
	}
	p.expectPunct(")")
	if len(args) != arity {
		panic(pqError(fmt.Sprintf("Incorrect number of operands for operator or function; operator or function: %s, number of operands: %d", name, len(args))))
	}
	if _, ok := args[0].(*expr.PathOperand); !ok && name != "begins_with" && name != "contains" {
		panic(pqError("Operator or function requires a document path; operator or function: " + name))
	}
	return &expr.Func{Name: name, Args: args}
}

// inList reads [a, b], (a, b) or a list parameter.
func (p *pqParser) inList() []expr.Operand {
	if p.peek().kind == pqParam {
		v := p.param()
		if v.T != attr.L {
			panic(pqError("IN operator requires a list"))
		}
		out := make([]expr.Operand, len(v.L))
		for i, e := range v.L {
			out[i] = &expr.ValueOperand{Value: e}
		}
		return out
	}
	closer := "]"
	switch {
	case p.isPunct("["):
	case p.isPunct("("):
		closer = ")"
	default:
		p.fail()
	}
	p.next()
	var out []expr.Operand
	for !p.isPunct(closer) {
		out = append(out, p.operand())
		if !p.isPunct(",") {
			break
		}
		p.next()
	}
	p.expectPunct(closer)
	return out
}

// operand reads a path, a literal, a parameter or size(path).
func (p *pqParser) operand() expr.Operand {
	t := p.peek()
	switch t.kind {
	case pqParam:
		return &expr.ValueOperand{Value: p.param()}
	case pqString, pqNumber:
		return &expr.ValueOperand{Value: p.literal("")}
	case pqPunct:
		switch t.text {
		case "-", "[", "{", "<<":
			return &expr.ValueOperand{Value: p.literal("")}
		}
		p.fail()
	case pqIdent:
		lower := strings.ToLower(t.text)
		switch lower {
		case "true", "false", "null":
			return &expr.ValueOperand{Value: p.literal("")}
		}
		if p.peekAt(1).kind == pqPunct && p.peekAt(1).text == "(" {
			if lower == "size" {
				p.next()
				p.next()
				path := p.path()
				p.expectPunct(")")
				return &expr.SizeOperand{Path: path}
			}
			panic(pqError("Unrecognized function: " + lower + " at " + p.at(t, len(t.text))))
		}
	}
	return &expr.PathOperand{Path: p.path()}
}

func (p *pqParser) param() *attr.Value {
	p.next()
	if p.used >= len(p.params) {
		panic(pqError("Number of parameters in request and statement don't match."))
	}
	v := p.params[p.used]
	p.used++
	return v
}

// literal reads a value literal; where names its place for number errors
// ("root", "root.x", "root[1]").
func (p *pqParser) literal(where string) *attr.Value {
	t := p.next()
	switch t.kind {
	case pqString:
		return &attr.Value{T: attr.S, S: t.text}
	case pqNumber:
		return p.number(t.text, where)
	case pqParam:
		p.pos--
		return p.param()
	case pqIdent:
		switch strings.ToLower(t.text) {
		case "true":
			return &attr.Value{T: attr.BOOL, Bool: true}
		case "false":
			return &attr.Value{T: attr.BOOL}
		case "null":
			return &attr.Value{T: attr.NULL}
		}
		if p.isPunct("(") {
			if where == "" {
				where = "root"
			}
			panic(pqError("Unsupported data type: " + strings.ToLower(t.text) + " under key " + where + " at " + p.at(t, len(t.text))))
		}
	case pqPunct:
		switch t.text {
		case "-":
			n := p.next()
			if n.kind != pqNumber {
				p.fail()
			}
			return p.number("-"+n.text, where)
		case "[":
			l := []*attr.Value{}
			for !p.isPunct("]") {
				l = append(l, p.literal(childPlace(where, "["+strconv.Itoa(len(l))+"]")))
				if !p.isPunct(",") {
					break
				}
				p.next()
			}
			p.expectPunct("]")
			return &attr.Value{T: attr.L, L: l}
		case "{":
			m := map[string]*attr.Value{}
			for !p.isPunct("}") {
				k := p.next()
				if k.kind != pqString {
					p.fail()
				}
				p.expectPunct(":")
				m[k.text] = p.literal(childPlace(where, "."+k.text))
				if !p.isPunct(",") {
					break
				}
				p.next()
			}
			p.expectPunct("}")
			return &attr.Value{T: attr.M, M: m}
		case "<<":
			return p.setLiteral(where)
		}
	}
	p.pos--
	p.fail()
	return nil
}

// childPlace names a value inside a literal for number errors: the
// statement's own value and an item's attributes are "root", anything
// deeper is named by its own key or index under the root (DynamoDB does
// not spell out the whole path).
func childPlace(where, step string) string {
	if where == "" {
		return "root"
	}
	return "root" + step
}

// setLiteral reads <<a, b>>: a string, number or binary set.
func (p *pqParser) setLiteral(where string) *attr.Value {
	var members []*attr.Value
	for !p.isPunct(">>") {
		members = append(members, p.literal(where))
		if !p.isPunct(",") {
			break
		}
		p.next()
	}
	p.expectPunct(">>")
	if len(members) == 0 {
		panic(pqError("Empty bags are not supported"))
	}
	t := members[0].T
	var raw []string
	for _, m := range members {
		if m.T != t {
			panic(pqError("Set elements must be of the same type"))
		}
		raw = append(raw, m.S)
	}
	v := &attr.Value{}
	switch t {
	case attr.S:
		v.T, v.SS = attr.SS, raw
	case attr.N:
		v.T, v.SS = attr.NS, raw
	case attr.B:
		v.T = attr.BS
		for _, m := range members {
			v.BS = append(v.BS, m.B)
		}
	default:
		panic(pqError("Unsupported data type in set: " + t.String()))
	}
	seen := map[string]bool{}
	for _, s := range raw {
		if seen[s] {
			panic(pqError("One or more parameter values were invalid: Input collection [" + strings.Join(raw, ", ") + "] contains duplicates."))
		}
		seen[s] = true
	}
	return v
}

// number reads a number literal as DynamoDB's PartiQL does: a literal whose
// exponent or scale does not fit a 32-bit integer is not well formed; one
// outside DynamoDB's range names its place.
func (p *pqParser) number(text, where string) *attr.Value {
	if !pqNumberFits(text) {
		panic(notWellFormed(""))
	}
	canon, err := attr.ParseNumber(text)
	if err != nil {
		if ae, ok := err.(*attr.Error); ok {
			if where == "" {
				where = "root"
			}
			panic(pqError(ae.Msg + " under " + where))
		}
		panic(notWellFormed(""))
	}
	return &attr.Value{T: attr.N, S: canon}
}

// pqNumberFits reports whether a literal's exponent and scale fit a 32-bit
// integer, as Java's BigDecimal requires.
func pqNumberFits(text string) bool {
	i := strings.IndexAny(text, "eE")
	if i < 0 {
		return true
	}
	e, err := strconv.ParseInt(text[i+1:], 10, 32)
	if err != nil {
		return false
	}
	frac := 0
	if d := strings.IndexByte(text[:i], '.'); d >= 0 {
		frac = i - d - 1
	}
	scale := int64(frac) - e
	return scale == int64(int32(scale))
}
