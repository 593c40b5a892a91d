package dynamodb

import (
	"sort"

	"github.com/nimbus-dev/nimbus/internal/dynamodb/attr"
	"github.com/nimbus-dev/nimbus/internal/dynamodb/expr"
)

// The legacy (pre-expression) parameters are translated into the same
// expression trees the expression parameters produce.

// expectedAttr is one entry of Expected.
type expectedAttr struct {
	Value              *attr.Value   `json:"Value"`
	Exists             *bool         `json:"Exists"`
	ComparisonOperator string        `json:"ComparisonOperator"`
	AttributeValueList []*attr.Value `json:"AttributeValueList"`
}

// condition is one entry of KeyConditions, QueryFilter or ScanFilter.
type condition struct {
	ComparisonOperator string        `json:"ComparisonOperator"`
	AttributeValueList []*attr.Value `json:"AttributeValueList"`
}

// attributeUpdate is one entry of AttributeUpdates.
type attributeUpdate struct {
	Value  *attr.Value `json:"Value"`
	Action string      `json:"Action"`
}

var operatorArgs = map[string][2]int{
	"EQ": {1, 1}, "NE": {1, 1}, "LE": {1, 1}, "LT": {1, 1}, "GE": {1, 1}, "GT": {1, 1},
	"NOT_NULL": {0, 0}, "NULL": {0, 0}, "CONTAINS": {1, 1}, "NOT_CONTAINS": {1, 1},
	"BEGINS_WITH": {1, 1}, "IN": {1, 1 << 30}, "BETWEEN": {2, 2},
}

// legacyCondition builds the condition for one attribute.
func legacyCondition(name, op string, args []*attr.Value) (expr.Cond, error) {
	n, ok := operatorArgs[op]
	if !ok {
		return nil, constraintErrors([]string{"Value '" + op + "' at 'comparisonOperator' failed to satisfy constraint: Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]"})
	}
	if len(args) < n[0] || len(args) > n[1] {
		return nil, validationf("One or more parameter values were invalid: Invalid number of argument(s) for the %s ComparisonOperator", op)
	}
	for _, a := range args {
		if a == nil {
			return nil, validation("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes")
		}
		switch op {
		case "LE", "LT", "GE", "GT", "BETWEEN", "BEGINS_WITH", "CONTAINS", "NOT_CONTAINS", "IN":
			if !a.T.IsScalarKeyType() || (op == "BEGINS_WITH" && a.T == attr.N) {
				return nil, validationf("One or more parameter values were invalid: ComparisonOperator %s is not valid for %s AttributeValue type", op, a.T)
			}
		}
		if a.T != args[0].T {
			return nil, validation("One or more parameter values were invalid: AttributeValues inside AttributeValueList must be of same type")
		}
	}
	if op == "BETWEEN" {
		if c, _ := attr.Compare(args[0], args[1]); c > 0 {
			return nil, validation("The BETWEEN condition was provided a range where the lower bound is greater than the upper bound")
		}
	}
	p := &expr.PathOperand{Path: expr.Path{{Name: name}}}
	val := func(i int) expr.Operand { return &expr.ValueOperand{Value: args[i]} }
	switch op {
	case "EQ":
		return &expr.Compare{Op: "=", L: p, R: val(0)}, nil
	case "NE":
		return &expr.Compare{Op: "<>", L: p, R: val(0)}, nil
	case "LE":
		return &expr.Compare{Op: "<=", L: p, R: val(0)}, nil
	case "LT":
		return &expr.Compare{Op: "<", L: p, R: val(0)}, nil
	case "GE":
		return &expr.Compare{Op: ">=", L: p, R: val(0)}, nil
	case "GT":
		return &expr.Compare{Op: ">", L: p, R: val(0)}, nil
	case "NOT_NULL":
		return &expr.Func{Name: "attribute_exists", Args: []expr.Operand{p}}, nil
	case "NULL":
		return &expr.Func{Name: "attribute_not_exists", Args: []expr.Operand{p}}, nil
	case "CONTAINS":
		return &expr.Func{Name: "contains", Args: []expr.Operand{p, val(0)}}, nil
	case "NOT_CONTAINS":
		return &expr.And{
			L: &expr.Func{Name: "attribute_exists", Args: []expr.Operand{p}},
			R: &expr.Not{X: &expr.Func{Name: "contains", Args: []expr.Operand{p, val(0)}}},
		}, nil
	case "BEGINS_WITH":
		return &expr.Func{Name: "begins_with", Args: []expr.Operand{p, val(0)}}, nil
	case "IN":
		list := make([]expr.Operand, len(args))
		for i := range args {
			list[i] = val(i)
		}
		return &expr.In{X: p, List: list}, nil
	case "BETWEEN":
		return &expr.Between{X: p, Lo: val(0), Hi: val(1)}, nil
	}
	return nil, nil
}

// msgConditionalOperatorEnum is how DynamoDB refuses a ConditionalOperator
// outside its enum (sic: "[ALL, OR]").
const msgConditionalOperatorEnum = "Failed to satisfy constraint: Member must satisfy enum value set: [ALL, OR]"

// legacyConditions combines Expected entries with ConditionalOperator.
func legacyConditions(expected map[string]expectedAttr, op, param string) (expr.Cond, error) {
	if op != "" && op != "AND" && op != "OR" {
		return nil, validation(msgConditionalOperatorEnum)
	}
	if op != "" && len(expected) < 2 {
		return nil, validation("ConditionalOperator can only be used when Filter or Expected has two or more elements")
	}
	var out expr.Cond
	for _, name := range sortedKeys(expected) {
		e := expected[name]
		if err := checkExpected(name, e); err != nil {
			return nil, err
		}
		var c expr.Cond
		var err error
		switch {
		case e.ComparisonOperator != "":
			args := e.AttributeValueList
			if e.Value != nil {
				args = []*attr.Value{e.Value}
			}
			c, err = legacyCondition(name, e.ComparisonOperator, args)
		case e.Exists != nil && !*e.Exists:
			c, err = legacyCondition(name, "NULL", nil)
		default:
			c, err = legacyCondition(name, "EQ", []*attr.Value{e.Value})
		}
		if err != nil {
			return nil, err
		}
		out = combine(out, c, op)
	}
	return out, nil
}

// checkExpected validates one Expected entry's combination of Exists,
// Value, AttributeValueList and ComparisonOperator, in DynamoDB's order.
func checkExpected(name string, e expectedAttr) error {
	const invalid = "One or more parameter values were invalid: "
	op := e.ComparisonOperator
	switch {
	case e.Exists != nil && op != "":
		return validation(invalid + "Exists and ComparisonOperator cannot be used together for Attribute: " + name)
	case e.Value != nil && e.AttributeValueList != nil:
		return validation(invalid + "Value and AttributeValueList cannot be used together for Attribute: " + name)
	case op == "" && e.AttributeValueList != nil:
		return validation(invalid + "AttributeValueList can only be used with a ComparisonOperator for Attribute: " + name)
	case e.Exists != nil && !*e.Exists && e.Value != nil:
		return validation(invalid + "Value cannot be used when Exists is false for Attribute: " + name)
	case e.Value != nil || e.AttributeValueList != nil:
		return nil
	case op != "":
		if op != "NULL" && op != "NOT_NULL" {
			return validationf(invalid+"Value or AttributeValueList must be used with ComparisonOperator: %s for Attribute: %s", op, name)
		}
	case e.Exists == nil:
		return validation(invalid + "Value must be provided when Exists is null for Attribute: " + name)
	case *e.Exists:
		return validation(invalid + "Value must be provided when Exists is true for Attribute: " + name)
	}
	return nil
}

func combine(a, b expr.Cond, op string) expr.Cond {
	if a == nil {
		return b
	}
	if op == "OR" {
		return &expr.Or{L: a, R: b}
	}
	return &expr.And{L: a, R: b}
}

// legacyFilter combines QueryFilter, ScanFilter or KeyConditions entries.
func legacyFilter(conds map[string]condition, op string) (expr.Cond, error) {
	if op != "" && op != "AND" && op != "OR" {
		return nil, validation(msgConditionalOperatorEnum)
	}
	var out expr.Cond
	for _, name := range sortedKeys(conds) {
		c, err := legacyCondition(name, conds[name].ComparisonOperator, conds[name].AttributeValueList)
		if err != nil {
			return nil, err
		}
		out = combine(out, c, op)
	}
	return out, nil
}

// legacyUpdates translates AttributeUpdates into an update.
func legacyUpdates(updates map[string]attributeUpdate) (*expr.Update, error) {
	u := &expr.Update{Legacy: true}
	names := make([]string, 0, len(updates))
	for k := range updates {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, name := range names {
		a := updates[name]
		path := expr.Path{{Name: name}}
		action := a.Action
		if action == "" {
			action = "PUT"
		}
		switch action {
		case "PUT":
			if a.Value == nil {
				return nil, validationf("One or more parameter values were invalid: Only DELETE action is allowed when no attribute value is specified")
			}
			u.Actions = append(u.Actions, expr.Action{Kind: expr.ActSet, Path: path, Value: &expr.ValueOperand{Value: a.Value}})
		case "DELETE":
			if a.Value == nil {
				u.Actions = append(u.Actions, expr.Action{Kind: expr.ActRemove, Path: path})
				continue
			}
			if !a.Value.T.IsSet() {
				return nil, validation("One or more parameter values were invalid: DELETE action with value is not supported for the type " + a.Value.T.String())
			}
			u.Actions = append(u.Actions, expr.Action{Kind: expr.ActDelete, Path: path, Value: &expr.ValueOperand{Value: a.Value}})
		case "ADD":
			if a.Value == nil {
				return nil, validation("One or more parameter values were invalid: Only DELETE action is allowed when no attribute value is specified")
			}
			switch {
			case a.Value.T == attr.L:
				empty := &expr.ValueOperand{Value: &attr.Value{T: attr.L, L: []*attr.Value{}}}
				u.Actions = append(u.Actions, expr.Action{Kind: expr.ActSet, Path: path, Value: &expr.ListAppend{
					A: &expr.IfNotExists{Path: path, Default: empty}, B: &expr.ValueOperand{Value: a.Value}}})
			case a.Value.T == attr.N || a.Value.T.IsSet():
				u.Actions = append(u.Actions, expr.Action{Kind: expr.ActAdd, Path: path, Value: &expr.ValueOperand{Value: a.Value}})
			default:
				return nil, validation("One or more parameter values were invalid: ADD action is not supported for the type " + a.Value.T.String())
			}
		default:
			return nil, constraintErrors([]string{"Value '" + action + "' at 'attributeUpdates." + name + ".member.action' failed to satisfy constraint: Member must satisfy enum value set: [ADD, PUT, DELETE]"})
		}
	}
	return u, nil
}

// attributesToGet turns AttributesToGet into projection paths.
func attributesToGet(names []string) ([]expr.Path, error) {
	if len(names) == 0 {
		return nil, constraintErrors([]string{"Value '[]' at 'attributesToGet' failed to satisfy constraint: Member must have length greater than or equal to 1"})
	}
	seen := map[string]bool{}
	paths := make([]expr.Path, 0, len(names))
	for _, n := range names {
		if seen[n] {
			return nil, validationf("One or more parameter values were invalid: Duplicate value in attribute name: %s", n)
		}
		seen[n] = true
		paths = append(paths, expr.Path{{Name: n}})
	}
	return paths, nil
}
