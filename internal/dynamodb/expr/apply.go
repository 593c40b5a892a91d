package expr

import (
	"sort"

	"github.com/nimbus-dev/nimbus/internal/dynamodb/attr"
)

// Update evaluation errors, worded as DynamoDB words them.
const (
	msgBadOperandType = "An operand in the update expression has an incorrect data type"
	msgMissingAttr    = "The provided expression refers to an attribute that does not exist in the item"
	msgInvalidPath    = "The document path provided in the update expression is invalid for update"
)

// msgLegacyMismatch is AttributeUpdates' type error.
const msgLegacyMismatch = "Type mismatch for attribute to update"

// Apply runs the update on item (which it modifies; pass a clone). Every
// SET value is computed from the item as it was before the update.
func (u *Update) Apply(item attr.Item) error {
	err := u.apply(item)
	if e, ok := err.(*Error); ok && u.Legacy && e.Msg == msgBadOperandType {
		return &Error{msgLegacyMismatch}
	}
	return err
}

func (u *Update) apply(item attr.Item) error {
	orig := item.Clone()
	values := make([]*attr.Value, len(u.Actions))
	for i, a := range u.Actions {
		if a.Kind != ActSet {
			continue
		}
		v, err := updateValue(a.Value, orig)
		if err != nil {
			return err
		}
		values[i] = v
	}
	var removes []Path
	for i, a := range u.Actions {
		switch a.Kind {
		case ActSet:
			if err := setPath(item, a.Path, values[i]); err != nil {
				return err
			}
		case ActRemove:
			removes = append(removes, a.Path)
		case ActAdd, ActDelete:
			operand := a.Value.(*ValueOperand).Value
			cur := Resolve(item, a.Path)
			next, err := addOrDelete(a.Kind, cur, operand)
			if err != nil {
				return err
			}
			if next == nil {
				if cur != nil {
					removePath(item, a.Path)
				}
				continue
			}
			if err := setPath(item, a.Path, next); err != nil {
				return err
			}
		}
	}
	// Remove list elements from the highest index down so earlier indexes
	// still name the elements they named in the original item.
	sort.SliceStable(removes, func(i, j int) bool {
		a, b := removes[i], removes[j]
		if len(a) == len(b) && a[len(a)-1].IsIndex && b[len(b)-1].IsIndex && pathEqual(a[:len(a)-1], b[:len(b)-1]) {
			return a[len(a)-1].Index > b[len(b)-1].Index
		}
		return false
	})
	for _, p := range removes {
		removePath(item, p)
	}
	return nil
}

func updateValue(o Operand, item attr.Item) (*attr.Value, error) {
	switch o := o.(type) {
	case *ValueOperand:
		return o.Value.Clone(), nil
	case *PathOperand:
		v := Resolve(item, o.Path)
		if v == nil {
			return nil, &Error{msgMissingAttr}
		}
		return v.Clone(), nil
	case *IfNotExists:
		if v := Resolve(item, o.Path); v != nil {
			return v.Clone(), nil
		}
		return updateValue(o.Default, item)
	case *ListAppend:
		a, err := updateValue(o.A, item)
		if err != nil {
			return nil, err
		}
		b, err := updateValue(o.B, item)
		if err != nil {
			return nil, err
		}
		if a.T != attr.L || b.T != attr.L {
			return nil, &Error{msgBadOperandType}
		}
		return &attr.Value{T: attr.L, L: append(append([]*attr.Value{}, a.L...), b.L...)}, nil
	case *Arith:
		a, err := updateValue(o.A, item)
		if err != nil {
			return nil, err
		}
		b, err := updateValue(o.B, item)
		if err != nil {
			return nil, err
		}
		if a.T != attr.N || b.T != attr.N {
			return nil, &Error{msgBadOperandType}
		}
		n, err := attr.AddNumbers(a.S, b.S, o.Op == '-')
		if err != nil {
			return nil, &Error{err.Error()}
		}
		return attr.Num(n), nil
	}
	return nil, &Error{msgBadOperandType}
}

func addOrDelete(kind string, cur, v *attr.Value) (*attr.Value, error) {
	if cur == nil {
		if kind == ActDelete {
			return nil, nil
		}
		return v.Clone(), nil
	}
	if cur.T != v.T {
		return nil, &Error{msgBadOperandType}
	}
	switch {
	case kind == ActAdd && cur.T == attr.N:
		n, err := attr.AddNumbers(cur.S, v.S, false)
		if err != nil {
			return nil, &Error{err.Error()}
		}
		return attr.Num(n), nil
	case cur.T == attr.SS || cur.T == attr.NS:
		out := &attr.Value{T: cur.T}
		has := cur.HasString
		if cur.T == attr.NS {
			has = cur.HasNumber
		}
		if kind == ActAdd {
			out.SS = append(out.SS, cur.SS...)
			for _, s := range v.SS {
				if !has(s) {
					out.SS = append(out.SS, s)
				}
			}
		} else {
			drop := v.HasString
			if cur.T == attr.NS {
				drop = v.HasNumber
			}
			for _, s := range cur.SS {
				if !drop(s) {
					out.SS = append(out.SS, s)
				}
			}
		}
		if len(out.SS) == 0 {
			return nil, nil
		}
		return out, nil
	case cur.T == attr.BS:
		out := &attr.Value{T: attr.BS}
		if kind == ActAdd {
			out.BS = append(out.BS, cur.BS...)
			for _, b := range v.BS {
				if !cur.HasBinary(b) {
					out.BS = append(out.BS, b)
				}
			}
		} else {
			for _, b := range cur.BS {
				if !v.HasBinary(b) {
					out.BS = append(out.BS, b)
				}
			}
		}
		if len(out.BS) == 0 {
			return nil, nil
		}
		return out, nil
	}
	return nil, &Error{msgBadOperandType}
}

// setPath stores v at path; every parent must already exist.
func setPath(item attr.Item, path Path, v *attr.Value) error {
	if len(path) == 1 {
		item[path[0].Name] = v
		return nil
	}
	parent := Resolve(item, path[:len(path)-1])
	last := path[len(path)-1]
	switch {
	case parent == nil:
		return &Error{msgInvalidPath}
	case last.IsIndex && parent.T == attr.L:
		if last.Index >= len(parent.L) {
			parent.L = append(parent.L, v)
		} else {
			parent.L[last.Index] = v
		}
	case !last.IsIndex && parent.T == attr.M:
		if parent.M == nil {
			parent.M = map[string]*attr.Value{}
		}
		parent.M[last.Name] = v
	default:
		return &Error{msgInvalidPath}
	}
	return nil
}

func removePath(item attr.Item, path Path) {
	if len(path) == 1 {
		delete(item, path[0].Name)
		return
	}
	parent := Resolve(item, path[:len(path)-1])
	last := path[len(path)-1]
	switch {
	case parent == nil:
	case last.IsIndex && parent.T == attr.L:
		if last.Index < len(parent.L) {
			parent.L = append(parent.L[:last.Index:last.Index], parent.L[last.Index+1:]...)
		}
	case !last.IsIndex && parent.T == attr.M:
		delete(parent.M, last.Name)
	}
}
