package expr

import (
	"bytes"
	"sort"
	"strconv"
	"strings"

	"github.com/nimbus-dev/nimbus/internal/dynamodb/attr"
)

// Resolve returns the value at path in item, or nil.
func Resolve(item attr.Item, path Path) *attr.Value {
	if len(path) == 0 || path[0].IsIndex {
		return nil
	}
	v := item[path[0].Name]
	for _, e := range path[1:] {
		if v == nil {
			return nil
		}
		if e.IsIndex {
			if v.T != attr.L || e.Index >= len(v.L) {
				return nil
			}
			v = v.L[e.Index]
		} else {
			if v.T != attr.M {
				return nil
			}
			v = v.M[e.Name]
		}
	}
	return v
}

// Eval evaluates a condition against item (nil item: no item exists).
func Eval(c Cond, item attr.Item) bool {
	switch c := c.(type) {
	case *And:
		return Eval(c.L, item) && Eval(c.R, item)
	case *Or:
		return Eval(c.L, item) || Eval(c.R, item)
	case *Not:
		return !Eval(c.X, item)
	case *Compare:
		l, r := operandValue(c.L, item), operandValue(c.R, item)
		switch c.Op {
		case "=":
			return l != nil && r != nil && attr.Equal(l, r)
		case "<>":
			return l == nil || r == nil || !attr.Equal(l, r)
		}
		cmp, ok := attr.Compare(l, r)
		if !ok {
			return false
		}
		switch c.Op {
		case "<":
			return cmp < 0
		case "<=":
			return cmp <= 0
		case ">":
			return cmp > 0
		case ">=":
			return cmp >= 0
		}
	case *Between:
		x := operandValue(c.X, item)
		lo, ok1 := attr.Compare(x, operandValue(c.Lo, item))
		hi, ok2 := attr.Compare(x, operandValue(c.Hi, item))
		return ok1 && ok2 && lo >= 0 && hi <= 0
	case *In:
		x := operandValue(c.X, item)
		if x == nil {
			return false
		}
		for _, o := range c.List {
			if v := operandValue(o, item); v != nil && attr.Equal(x, v) {
				return true
			}
		}
		return false
	case *Func:
		return evalFunc(c, item)
	}
	return false
}

func evalFunc(f *Func, item attr.Item) bool {
	switch f.Name {
	case "attribute_exists":
		return operandValue(f.Args[0], item) != nil
	case "attribute_not_exists":
		return operandValue(f.Args[0], item) == nil
	case "attribute_type":
		v, t := operandValue(f.Args[0], item), operandValue(f.Args[1], item)
		if v == nil || t == nil || t.T != attr.S {
			return false
		}
		want, ok := attr.ParseType(t.S)
		return ok && v.T == want
	case "begins_with":
		v, prefix := operandValue(f.Args[0], item), operandValue(f.Args[1], item)
		if v == nil || prefix == nil || v.T != prefix.T {
			return false
		}
		switch v.T {
		case attr.S:
			return strings.HasPrefix(v.S, prefix.S)
		case attr.B:
			return bytes.HasPrefix(v.B, prefix.B)
		}
	case "contains":
		v, x := operandValue(f.Args[0], item), operandValue(f.Args[1], item)
		if v == nil || x == nil {
			return false
		}
		switch v.T {
		case attr.S:
			return x.T == attr.S && strings.Contains(v.S, x.S)
		case attr.B:
			return x.T == attr.B && bytes.Contains(v.B, x.B)
		case attr.SS:
			return x.T == attr.S && v.HasString(x.S)
		case attr.NS:
			return x.T == attr.N && v.HasNumber(x.S)
		case attr.BS:
			return x.T == attr.B && v.HasBinary(x.B)
		case attr.L:
			for _, e := range v.L {
				if attr.Equal(e, x) {
					return true
				}
			}
		}
	}
	return false
}

// operandValue evaluates a condition operand; nil means "no value".
func operandValue(o Operand, item attr.Item) *attr.Value {
	switch o := o.(type) {
	case *PathOperand:
		return Resolve(item, o.Path)
	case *ValueOperand:
		return o.Value
	case *SizeOperand:
		v := Resolve(item, o.Path)
		if v == nil {
			return nil
		}
		n := -1
		switch v.T {
		case attr.S:
			n = attr.StringLen(v.S)
		case attr.B:
			n = len(v.B)
		case attr.SS, attr.NS:
			n = len(v.SS)
		case attr.BS:
			n = len(v.BS)
		case attr.L:
			n = len(v.L)
		case attr.M:
			n = len(v.M)
		}
		if n < 0 {
			return nil
		}
		return attr.Num(strconv.Itoa(n))
	}
	return nil
}

// Project returns a new item holding only the given paths of item, with
// nested maps and lists rebuilt around them (list elements keep their
// order and close up, as DynamoDB returns them).
func Project(item attr.Item, paths []Path) attr.Item {
	root := &projNode{}
	for _, p := range paths {
		if Resolve(item, p) == nil {
			continue
		}
		n := root
		for _, e := range p {
			n = n.child(e)
		}
		n.leaf = true
	}
	out := attr.Item{}
	for name, child := range root.keys {
		if v := child.build(item[name]); v != nil {
			out[name] = v
		}
	}
	return out
}

type projNode struct {
	leaf bool
	keys map[string]*projNode
	idx  map[int]*projNode
}

func (n *projNode) child(e PathElem) *projNode {
	if e.IsIndex {
		if n.idx == nil {
			n.idx = map[int]*projNode{}
		}
		c := n.idx[e.Index]
		if c == nil {
			c = &projNode{}
			n.idx[e.Index] = c
		}
		return c
	}
	if n.keys == nil {
		n.keys = map[string]*projNode{}
	}
	c := n.keys[e.Name]
	if c == nil {
		c = &projNode{}
		n.keys[e.Name] = c
	}
	return c
}

func (n *projNode) build(v *attr.Value) *attr.Value {
	if v == nil {
		return nil
	}
	if n.leaf {
		return v.Clone()
	}
	switch {
	case n.keys != nil && v.T == attr.M:
		m := map[string]*attr.Value{}
		for k, c := range n.keys {
			if b := c.build(v.M[k]); b != nil {
				m[k] = b
			}
		}
		if len(m) == 0 {
			return nil
		}
		return &attr.Value{T: attr.M, M: m}
	case n.idx != nil && v.T == attr.L:
		idx := make([]int, 0, len(n.idx))
		for i := range n.idx {
			idx = append(idx, i)
		}
		sort.Ints(idx)
		var l []*attr.Value
		for _, i := range idx {
			if i < len(v.L) {
				if b := n.idx[i].build(v.L[i]); b != nil {
					l = append(l, b)
				}
			}
		}
		if len(l) == 0 {
			return nil
		}
		return &attr.Value{T: attr.L, L: l}
	}
	return nil
}
