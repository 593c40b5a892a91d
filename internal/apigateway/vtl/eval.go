package vtl

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// Limits API Gateway applies to a template run.
const (
	// MaxForeachIterations is API Gateway's #foreach limit.
	MaxForeachIterations = 1000
	// maxOutput bounds what one template run can produce (API Gateway's
	// payload limit), so a loop cannot exhaust memory.
	maxOutput = 10 << 20
)

// ErrOutputTooLarge is returned when a template renders more than 10 MB.
var ErrOutputTooLarge = errors.New("vtl: template output exceeds 10 MB")

// EvalError is a failure while running a template (a bad argument to a
// built-in, an unparsable JSON body, ...).
type EvalError struct {
	Msg string
	// Err is the underlying error, such as a *JSONError.
	Err error
}

func (e *EvalError) Error() string { return e.Msg }
func (e *EvalError) Unwrap() error { return e.Err }

// Execute runs the template with the given root variables and returns the
// rendered text. $util is always available; a variable named "util" in vars
// replaces it.
func (t *Template) Execute(vars map[string]any) (string, error) {
	st := &state{scope: make(map[string]any, len(vars)+2)}
	st.scope["util"] = utilObject{}
	for k, v := range vars {
		st.scope[k] = fromGo(v)
	}
	err := st.run(t.body)
	if err != nil && !errors.Is(err, errStop) {
		return "", err
	}
	return st.out.String(), nil
}

var (
	errStop  = errors.New("stop")
	errBreak = errors.New("break")
)

type state struct {
	scope map[string]any
	out   strings.Builder
}

func (st *state) write(s string) error {
	if st.out.Len()+len(s) > maxOutput {
		return ErrOutputTooLarge
	}
	st.out.WriteString(s)
	return nil
}

func (st *state) run(nodes []node) error {
	for _, n := range nodes {
		if err := st.runNode(n); err != nil {
			return err
		}
	}
	return nil
}

func (st *state) runNode(n node) error {
	switch x := n.(type) {
	case *textNode:
		return st.write(x.text)
	case *refNode:
		v, err := st.evalRef(x)
		if err != nil {
			return err
		}
		if v == nil {
			// API Gateway renders a null or undefined reference as an empty
			// string, where stock Velocity would print it as written.
			return nil
		}
		return st.write(toString(v))
	case *escapedRefNode:
		v, err := st.evalRef(x.ref)
		if err != nil {
			return err
		}
		if v == nil {
			return st.write(`\` + x.ref.raw)
		}
		return st.write(x.ref.raw)
	case *setNode:
		return st.runSet(x)
	case *ifNode:
		for _, br := range x.branches {
			c, err := st.eval(br.cond)
			if err != nil {
				return err
			}
			if truthy(c) {
				return st.run(br.body)
			}
		}
		return st.run(x.elseBody)
	case *foreachNode:
		return st.runForeach(x)
	case *breakNode:
		return errBreak
	case *stopNode:
		return errStop
	}
	return fmt.Errorf("vtl: unknown node %T", n)
}

func (st *state) runSet(s *setNode) error {
	v, err := st.eval(s.value)
	if err != nil {
		return err
	}
	// Velocity 1.7 leaves the left side unchanged when the right is null.
	if v == nil {
		return nil
	}
	t := s.target
	if len(t.chain) == 0 {
		st.scope[t.name] = v
		return nil
	}
	parent, ok := st.scope[t.name]
	if !ok || parent == nil {
		parent = NewMap()
		st.scope[t.name] = parent
	}
	for _, a := range t.chain[:len(t.chain)-1] {
		next, err := st.access(parent, a)
		if err != nil {
			return err
		}
		if next == nil {
			m, isMap := parent.(*Map)
			if !isMap || a.kind != accessProp {
				return nil
			}
			created := NewMap()
			m.Set(a.name, created)
			next = created
		}
		parent = next
	}
	last := t.chain[len(t.chain)-1]
	switch last.kind {
	case accessProp:
		if m, ok := parent.(*Map); ok {
			m.Set(last.name, v)
		}
	case accessIndex:
		idx, err := st.eval(last.index)
		if err != nil {
			return err
		}
		switch p := parent.(type) {
		case *Map:
			p.Set(toString(idx), v)
		case *List:
			if i, ok := toInt(idx); ok && i >= 0 && i < len(p.Items) {
				p.Items[i] = v
			}
		}
	}
	return nil
}

// foreachState is $foreach inside a loop.
type foreachState struct {
	index   int
	hasNext bool
	parent  any
}

func (f *foreachState) Property(name string) (any, bool) {
	switch name {
	case "index":
		return int64(f.index), true
	case "count":
		return int64(f.index + 1), true
	case "hasNext":
		return f.hasNext, true
	case "first":
		return f.index == 0, true
	case "last":
		return !f.hasNext, true
	case "parent":
		return f.parent, f.parent != nil
	}
	return nil, false
}

func (f *foreachState) Call(name string, args []any) (any, bool, error) {
	if len(args) != 0 {
		return nil, false, nil
	}
	switch name {
	case "hasNext", "isFirst", "isLast", "getIndex", "getCount", "getHasNext", "getFirst", "getLast":
		prop := strings.TrimPrefix(strings.TrimPrefix(name, "get"), "is")
		prop = strings.ToLower(prop[:1]) + prop[1:]
		v, ok := f.Property(prop)
		return v, ok, nil
	}
	return nil, false, nil
}

func (st *state) runForeach(f *foreachNode) error {
	coll, err := st.eval(f.iter)
	if err != nil {
		return err
	}
	var items []any
	switch c := coll.(type) {
	case *List:
		items = c.Items
	case *Map:
		for _, k := range c.keys {
			items = append(items, c.m[k])
		}
	case nil:
		return nil
	default:
		items = []any{c}
	}
	savedVar, hadVar := st.scope[f.varName]
	savedForeach, hadForeach := st.scope["foreach"]
	savedCount, hadCount := st.scope["velocityCount"]
	savedHasNext, hadHasNext := st.scope["velocityHasNext"]
	defer func() {
		restore(st.scope, f.varName, savedVar, hadVar)
		restore(st.scope, "foreach", savedForeach, hadForeach)
		restore(st.scope, "velocityCount", savedCount, hadCount)
		restore(st.scope, "velocityHasNext", savedHasNext, hadHasNext)
	}()
	fs := &foreachState{parent: savedForeach}
	for i := 0; i < len(items) && i < MaxForeachIterations; i++ {
		fs.index = i
		fs.hasNext = i+1 < len(items) && i+1 < MaxForeachIterations
		st.scope[f.varName] = items[i]
		st.scope["foreach"] = fs
		st.scope["velocityCount"] = int64(i + 1)
		st.scope["velocityHasNext"] = fs.hasNext
		err := st.run(f.body)
		if errors.Is(err, errBreak) {
			break
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func restore(scope map[string]any, name string, v any, had bool) {
	if had {
		scope[name] = v
	} else {
		delete(scope, name)
	}
}

// evalRef resolves a reference; nil means null or undefined.
func (st *state) evalRef(r *refNode) (any, error) {
	v, ok := st.scope[r.name]
	if !ok {
		return nil, nil
	}
	for _, a := range r.chain {
		if v == nil {
			return nil, nil
		}
		var err error
		v, err = st.access(v, a)
		if err != nil {
			return nil, err
		}
	}
	return v, nil
}

func (st *state) access(v any, a accessor) (any, error) {
	switch a.kind {
	case accessProp:
		return property(v, a.name), nil
	case accessIndex:
		idx, err := st.eval(a.index)
		if err != nil {
			return nil, err
		}
		return index(v, idx), nil
	}
	args := make([]any, len(a.args))
	for i, e := range a.args {
		x, err := st.eval(e)
		if err != nil {
			return nil, err
		}
		args[i] = x
	}
	return call(v, a.name, args)
}

func (st *state) eval(e expr) (any, error) {
	switch x := e.(type) {
	case *literalExpr:
		return x.value, nil
	case *interpExpr:
		sub := &state{scope: st.scope}
		if err := sub.run(x.parts); err != nil && !errors.Is(err, errStop) {
			return nil, err
		}
		return sub.out.String(), nil
	case *refExpr:
		return st.evalRef(x.ref)
	case *listExpr:
		l := &List{Items: make([]any, 0, len(x.items))}
		for _, it := range x.items {
			v, err := st.eval(it)
			if err != nil {
				return nil, err
			}
			l.Items = append(l.Items, v)
		}
		return l, nil
	case *rangeExpr:
		from, err := st.eval(x.from)
		if err != nil {
			return nil, err
		}
		to, err := st.eval(x.to)
		if err != nil {
			return nil, err
		}
		a, ok1 := toInt(from)
		b, ok2 := toInt(to)
		if !ok1 || !ok2 {
			return nil, nil
		}
		l := &List{}
		step := 1
		if b < a {
			step = -1
		}
		for i := a; ; i += step {
			if len(l.Items) >= MaxForeachIterations*10 {
				return nil, &EvalError{Msg: "range too large"}
			}
			l.Items = append(l.Items, int64(i))
			if i == b {
				break
			}
		}
		return l, nil
	case *mapExpr:
		m := NewMap()
		for i := range x.keys {
			k, err := st.eval(x.keys[i])
			if err != nil {
				return nil, err
			}
			v, err := st.eval(x.values[i])
			if err != nil {
				return nil, err
			}
			m.Set(toString(k), v)
		}
		return m, nil
	case *unaryExpr:
		v, err := st.eval(x.operand)
		if err != nil {
			return nil, err
		}
		if x.op == "!" {
			return !truthy(v), nil
		}
		switch n := v.(type) {
		case int64:
			return -n, nil
		case float64:
			return -n, nil
		}
		return nil, nil
	case *binaryExpr:
		return st.evalBinary(x)
	}
	return nil, fmt.Errorf("vtl: unknown expression %T", e)
}

func (st *state) evalBinary(x *binaryExpr) (any, error) {
	left, err := st.eval(x.left)
	if err != nil {
		return nil, err
	}
	switch x.op {
	case "&&":
		if !truthy(left) {
			return false, nil
		}
		right, err := st.eval(x.right)
		if err != nil {
			return nil, err
		}
		return truthy(right), nil
	case "||":
		if truthy(left) {
			return true, nil
		}
		right, err := st.eval(x.right)
		if err != nil {
			return nil, err
		}
		return truthy(right), nil
	}
	right, err := st.eval(x.right)
	if err != nil {
		return nil, err
	}
	switch x.op {
	case "==":
		return equal(left, right), nil
	case "!=":
		return !equal(left, right), nil
	case "<", ">", "<=", ">=":
		return compare(x.op, left, right), nil
	}
	return arithmetic(x.op, left, right), nil
}

func compare(op string, a, b any) bool {
	var c int
	switch {
	case isNumber(a) && isNumber(b):
		ai, aInt := a.(int64)
		bi, bInt := b.(int64)
		if aInt && bInt {
			c = cmpOrdered(ai, bi)
		} else {
			c = cmpOrdered(toFloat(a), toFloat(b))
		}
	default:
		sa, oka := a.(string)
		sb, okb := b.(string)
		if !oka || !okb {
			return false
		}
		c = strings.Compare(sa, sb)
	}
	switch op {
	case "<":
		return c < 0
	case ">":
		return c > 0
	case "<=":
		return c <= 0
	}
	return c >= 0
}

func cmpOrdered[T int64 | float64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// arithmetic is Velocity 1.7's math: numbers only (anything else is null),
// integer operations stay integral, division by zero is null.
func arithmetic(op string, a, b any) any {
	if !isNumber(a) || !isNumber(b) {
		return nil
	}
	ai, aInt := a.(int64)
	bi, bInt := b.(int64)
	if aInt && bInt {
		switch op {
		case "+":
			return ai + bi
		case "-":
			return ai - bi
		case "*":
			return ai * bi
		case "/":
			if bi == 0 {
				return nil
			}
			return ai / bi
		case "%":
			if bi == 0 {
				return nil
			}
			return ai % bi
		}
		return nil
	}
	fa, fb := toFloat(a), toFloat(b)
	switch op {
	case "+":
		return fa + fb
	case "-":
		return fa - fb
	case "*":
		return fa * fb
	case "/":
		if fb == 0 {
			return nil
		}
		return fa / fb
	case "%":
		if fb == 0 {
			return nil
		}
		return math.Mod(fa, fb)
	}
	return nil
}
