package expr

import (
	"strconv"

	"github.com/nimbus-dev/nimbus/internal/dynamodb/attr"
)

// UpdateItem meters the statement it runs, not only the item it stores:
// what each clause writes plus a fixed cost per clause and per operand,
// DynamoDB's observed figures.
const (
	costUpdate      = 3  // the update itself
	costWrite       = 19 // a SET or ADD clause
	costRemove      = 1  // a REMOVE or DELETE clause
	costPathOperand = 1  // a path read as an operand
	costPathElem    = 14 // each element of a path operand
	costTargetElem  = 4  // each element after the first of a target path
	costPlus        = 34
	costMinus       = 37
	costIfNotExists = 39
	costListAppend  = 37
)

// StatementSize is what UpdateItem charges for u against the current item
// (nil when absent): every clause's fixed cost, its target path and the
// operands it reads. An ADD charges only the set members it adds; REMOVE
// and DELETE charge nothing for what they remove.
func (u *Update) StatementSize(old attr.Item) int {
	n := costUpdate
	for _, a := range u.Actions {
		switch a.Kind {
		case ActSet:
			n += costWrite + targetSize(a.Path) + operandSize(a.Value)
		case ActAdd:
			n += costWrite + targetSize(a.Path) + addedSize(old, a)
		default:
			n += costRemove + targetSize(a.Path)
		}
	}
	return n
}

func elemSize(e PathElem) int {
	if e.IsIndex {
		return len(strconv.Itoa(e.Index))
	}
	return len(e.Name)
}

// targetSize is a target path's cost: its first name, then 4 bytes and the
// element for each later element.
func targetSize(p Path) int {
	n := 0
	for i, e := range p {
		if i > 0 {
			n += costTargetElem
		}
		n += elemSize(e)
	}
	return n
}

// operandSize is an operand's cost: a value's size at every use, a path's
// elements, and a function or operator's fixed cost plus its operands'.
func operandSize(o Operand) int {
	switch x := o.(type) {
	case *ValueOperand:
		if x.Value == nil {
			return 0
		}
		return attr.ValueSize(x.Value)
	case *PathOperand:
		return pathOperandSize(x.Path)
	case *Arith:
		c := costPlus
		if x.Op == '-' {
			c = costMinus
		}
		return c + operandSize(x.A) + operandSize(x.B)
	case *IfNotExists:
		return costIfNotExists + pathOperandSize(x.Path) + operandSize(x.Default)
	case *ListAppend:
		return costListAppend + operandSize(x.A) + operandSize(x.B)
	}
	return 0
}

func pathOperandSize(p Path) int {
	n := costPathOperand
	for _, e := range p {
		n += costPathElem + elemSize(e)
	}
	return n
}

// addedSize is what an ADD writes: the number, or the set members not
// already in the set.
func addedSize(old attr.Item, a Action) int {
	v, ok := a.Value.(*ValueOperand)
	if !ok || v.Value == nil {
		return 0
	}
	if !v.Value.T.IsSet() {
		return attr.ValueSize(v.Value)
	}
	var cur *attr.Value
	if old != nil {
		cur = Resolve(old, a.Path)
	}
	if cur == nil || cur.T != v.Value.T {
		return attr.ValueSize(v.Value)
	}
	n := 0
	switch v.Value.T {
	case attr.BS:
		have := map[string]bool{}
		for _, b := range cur.BS {
			have[string(b)] = true
		}
		for _, b := range v.Value.BS {
			if !have[string(b)] {
				n += len(b)
			}
		}
	default:
		have := map[string]bool{}
		for _, s := range cur.SS {
			have[s] = true
		}
		for _, s := range v.Value.SS {
			if !have[s] {
				if v.Value.T == attr.NS {
					n += attr.NumberSize(s)
				} else {
					n += len(s)
				}
			}
		}
	}
	return n
}
