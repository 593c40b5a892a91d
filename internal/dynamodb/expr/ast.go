// Package expr parses and evaluates DynamoDB expressions: condition, filter
// and key condition expressions, projection expressions and update
// expressions, with expression attribute names and values substituted and
// validated as DynamoDB validates them.
package expr

import (
	"sort"
	"strconv"
	"strings"

	"github.com/nimbus-dev/nimbus/internal/dynamodb/attr"
)

// Error is an expression error; Msg is DynamoDB's text without the
// "Invalid XExpression: " prefix the caller adds.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

// PathElem is one step of a document path: a map key or a list index.
type PathElem struct {
	Name    string
	Index   int
	IsIndex bool
}

// Path is a document path such as a.b[2].c.
type Path []PathElem

// String renders the path as DynamoDB's error messages do: [a, b, [2]].
func (p Path) String() string {
	parts := make([]string, len(p))
	for i, e := range p {
		if e.IsIndex {
			parts[i] = "[" + strconv.Itoa(e.Index) + "]"
		} else {
			parts[i] = e.Name
		}
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// Operand is a value-producing node.
type Operand interface{ operand() }

// PathOperand reads a document path of the item.
type PathOperand struct{ Path Path }

// ValueOperand is an expression attribute value.
type ValueOperand struct {
	Name  string
	Value *attr.Value
}

// SizeOperand is size(path).
type SizeOperand struct{ Path Path }

// IfNotExists is if_not_exists(path, operand) (update expressions).
type IfNotExists struct {
	Path    Path
	Default Operand
}

// ListAppend is list_append(a, b) (update expressions).
type ListAppend struct{ A, B Operand }

// Arith is a + b or a - b (update expressions).
type Arith struct {
	Op   byte
	A, B Operand
}

func (*PathOperand) operand()  {}
func (*ValueOperand) operand() {}
func (*SizeOperand) operand()  {}
func (*IfNotExists) operand()  {}
func (*ListAppend) operand()   {}
func (*Arith) operand()        {}

// Cond is a boolean node.
type Cond interface{ cond() }

// Compare is one of = <> < <= > >=.
type Compare struct {
	Op   string
	L, R Operand
}

// Between is x BETWEEN lo AND hi.
type Between struct{ X, Lo, Hi Operand }

// In is x IN (a, b, ...).
type In struct {
	X    Operand
	List []Operand
}

// Func is a boolean function: attribute_exists, attribute_not_exists,
// attribute_type, begins_with or contains.
type Func struct {
	Name string
	Args []Operand
}

// And, Or and Not combine conditions.
type And struct{ L, R Cond }

// Or is l OR r.
type Or struct{ L, R Cond }

// Not is NOT x.
type Not struct{ X Cond }

func (*Compare) cond() {}
func (*Between) cond() {}
func (*In) cond()      {}
func (*Func) cond()    {}
func (*And) cond()     {}
func (*Or) cond()      {}
func (*Not) cond()     {}

// Context carries a request's expression attribute names and values and
// records which of them the request's expressions used.
type Context struct {
	Names      map[string]string
	Values     map[string]*attr.Value
	usedNames  map[string]bool
	usedValues map[string]bool
}

// NewContext returns a Context over a request's ExpressionAttributeNames
// and ExpressionAttributeValues.
func NewContext(names map[string]string, values map[string]*attr.Value) *Context {
	return &Context{Names: names, Values: values, usedNames: map[string]bool{}, usedValues: map[string]bool{}}
}

// Unused returns DynamoDB's error for names or values that no expression
// used (names are checked first), or nil.
func (c *Context) Unused() error {
	var names, values []string
	for k := range c.Names {
		if !c.usedNames[k] {
			names = append(names, k)
		}
	}
	if len(names) > 0 {
		sort.Strings(names)
		return &Error{"Value provided in ExpressionAttributeNames unused in expressions: keys: {" + strings.Join(names, ", ") + "}"}
	}
	for k := range c.Values {
		if !c.usedValues[k] {
			values = append(values, k)
		}
	}
	if len(values) > 0 {
		sort.Strings(values)
		return &Error{"Value provided in ExpressionAttributeValues unused in expressions: keys: {" + strings.Join(values, ", ") + "}"}
	}
	return nil
}

// CondPaths appends the document paths a condition reads to out.
func CondPaths(c Cond, out []Path) []Path {
	switch c := c.(type) {
	case *Compare:
		out = operandPaths(c.L, out)
		return operandPaths(c.R, out)
	case *Between:
		out = operandPaths(c.X, out)
		out = operandPaths(c.Lo, out)
		return operandPaths(c.Hi, out)
	case *In:
		out = operandPaths(c.X, out)
		for _, o := range c.List {
			out = operandPaths(o, out)
		}
	case *Func:
		for _, o := range c.Args {
			out = operandPaths(o, out)
		}
	case *And:
		return CondPaths(c.R, CondPaths(c.L, out))
	case *Or:
		return CondPaths(c.R, CondPaths(c.L, out))
	case *Not:
		return CondPaths(c.X, out)
	}
	return out
}

// operandPaths appends the document paths an operand reads to out.
func operandPaths(o Operand, out []Path) []Path {
	switch o := o.(type) {
	case *PathOperand:
		return append(out, o.Path)
	case *SizeOperand:
		return append(out, o.Path)
	case *IfNotExists:
		return operandPaths(o.Default, append(out, o.Path))
	case *ListAppend:
		return operandPaths(o.B, operandPaths(o.A, out))
	case *Arith:
		return operandPaths(o.B, operandPaths(o.A, out))
	}
	return out
}

// AllPaths returns every document path the update writes or reads.
func (u *Update) AllPaths() []Path {
	var out []Path
	for _, a := range u.Actions {
		out = append(out, a.Path)
		if a.Value != nil {
			out = operandPaths(a.Value, out)
		}
	}
	return out
}
