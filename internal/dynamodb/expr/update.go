package expr

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/nimbus-dev/nimbus/internal/dynamodb/attr"
)

// Action kinds of an update expression.
const (
	ActSet    = "SET"
	ActRemove = "REMOVE"
	ActAdd    = "ADD"
	ActDelete = "DELETE"
)

// Action is one clause of an update expression.
type Action struct {
	Kind  string
	Path  Path
	Value Operand // SET: the new value; ADD/DELETE: the value placeholder
}

// Update is a parsed update expression.
type Update struct {
	Actions []Action
	// Legacy marks an update built from AttributeUpdates, whose type
	// errors DynamoDB words differently.
	Legacy bool
}

// OnlyRemoves reports whether the update only removes attributes or set
// elements (such an update does not create a missing item).
func (u *Update) OnlyRemoves() bool {
	for _, a := range u.Actions {
		if a.Kind != ActRemove && a.Kind != ActDelete {
			return false
		}
	}
	return len(u.Actions) > 0
}

// Paths returns the document paths the update writes.
func (u *Update) Paths() []Path {
	out := make([]Path, len(u.Actions))
	for i, a := range u.Actions {
		out[i] = a.Path
	}
	return out
}

// ParseUpdate parses an update expression.
func ParseUpdate(src string, ctx *Context) (*Update, error) {
	p, err := newParser(src, ctx)
	if err != nil {
		return nil, err
	}
	p.update = true
	u := &Update{}
	seen := map[string]bool{}
	err = p.run(func() {
		for {
			t := p.peek()
			if t.kind != tIdent {
				p.fail()
			}
			kind := strings.ToUpper(t.text)
			switch kind {
			case ActSet, ActRemove, ActAdd, ActDelete:
			default:
				p.fail()
			}
			p.next()
			if seen[kind] {
				p.sem("The %q section can only be used once in an update expression;", kind)
			}
			seen[kind] = true
			for {
				u.Actions = append(u.Actions, p.parseAction(kind))
				if !p.isPunct(",") {
					break
				}
				p.next()
			}
			if p.peek().kind == tEOF {
				return
			}
		}
	})
	if err != nil {
		return nil, err
	}
	if err := checkOverlap(u.Paths()); err != nil {
		return nil, err
	}
	return u, nil
}

func (p *parser) parseAction(kind string) Action {
	path := p.parsePath()
	switch kind {
	case ActSet:
		p.expect("=")
		a := p.parseOperand()
		if p.isPunct("+") || p.isPunct("-") {
			op := p.next().text[0]
			b := p.parseOperand()
			p.countOp()
			for _, o := range []Operand{a, b} {
				if v, ok := o.(*ValueOperand); ok && v.Value != nil && v.Value.T != attr.N {
					p.sem("Incorrect operand type for operator or function; operator or function: %c, operand type: %s", op, v.Value.T)
				}
			}
			a = &Arith{Op: op, A: a, B: b}
		}
		return Action{Kind: kind, Path: path, Value: a}
	case ActRemove:
		return Action{Kind: kind, Path: path}
	}
	t := p.peek()
	if t.kind != tValue {
		p.fail()
	}
	p.next()
	v := p.valueRef(t.text)
	if v.Value != nil {
		ok := v.Value.T.IsSet() || (kind == ActAdd && v.Value.T == attr.N)
		if !ok {
			p.sem("Incorrect operand type for operator or function; operator: %s, operand type: %s, typeSet: ALLOWED_FOR_%s_OPERAND", kind, typeWord(v.Value.T), kind)
		}
	}
	return Action{Kind: kind, Path: path, Value: v}
}

// typeWord is the type name DynamoDB uses in ADD and DELETE operand type
// messages (functions and arithmetic name the short code, as attr.Type
// prints it).
func typeWord(t attr.Type) string {
	switch t {
	case attr.S:
		return "STRING"
	case attr.N:
		return "NUMBER"
	case attr.B:
		return "BINARY"
	case attr.BOOL:
		return "BOOLEAN"
	case attr.NULL:
		return "NULL"
	case attr.M:
		return "MAP"
	case attr.L:
		return "LIST"
	case attr.SS:
		return "STRING_SET"
	case attr.NS:
		return "NUMBER_SET"
	case attr.BS:
		return "BINARY_SET"
	}
	return "UNKNOWN"
}

func validTypeName(s string) bool { _, ok := attr.ParseType(s); return ok }

func compareValues(a, b *attr.Value) (int, bool) { return attr.Compare(a, b) }

// OperandString renders a value as DynamoDB's BETWEEN messages do:
// "AttributeValue: {N:5}".
func OperandString(v *attr.Value) string {
	var s string
	switch v.T {
	case attr.S, attr.N:
		s = v.S
	case attr.B:
		s = base64.StdEncoding.EncodeToString(v.B)
	case attr.BOOL:
		s = strconv.FormatBool(v.Bool)
	case attr.NULL:
		s = "true"
	default:
		b, _ := json.Marshal(v)
		return "AttributeValue: " + string(b)
	}
	return "AttributeValue: {" + v.T.String() + ":" + s + "}"
}
