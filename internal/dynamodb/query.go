package dynamodb

import (
	"bytes"
	"context"
	"strings"

	"github.com/nimbus-dev/nimbus/internal/dynamodb/attr"
	"github.com/nimbus-dev/nimbus/internal/dynamodb/expr"
	"github.com/nimbus-dev/nimbus/internal/storage"
)

// query serves Query on a table or a secondary index.
func (s *Service) query(ctx context.Context, in *queryInput) (*queryOutput, error) {
	var c constraints
	name := tableName(in.TableName, &c, "tableName", 1)
	if len(c) > 0 {
		return nil, c.err()
	}
	if err := checkConditionalOperator(in.ConditionalOperator); err != nil {
		return nil, err
	}
	commonReadChecks(in, &c, false)
	if err := c.err(); err != nil {
		return nil, err
	}
	if err := checkSelect(in.Select, in, false); err != nil {
		return nil, err
	}
	r := exprRequest{Names: in.ExpressionAttributeNames, Values: in.ExpressionAttributeValues,
		KeyCond: in.KeyConditionExpression, Filter: in.FilterExpression, Projection: in.ProjectionExpression}
	for _, l := range []struct {
		name string
		set  bool
	}{{"AttributesToGet", in.AttributesToGet != nil}, {"QueryFilter", in.QueryFilter != nil}, {"ConditionalOperator", in.ConditionalOperator != ""},
		// KeyConditions may go with a FilterExpression; only a
		// KeyConditionExpression excludes it.
		{"KeyConditions", in.KeyConditions != nil && in.KeyConditionExpression != nil}} {
		if l.set {
			r.Legacy = append(r.Legacy, l.name)
		}
	}
	if in.KeyConditionExpression == nil && in.KeyConditions == nil {
		return nil, validation("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.")
	}
	p, err := r.parse()
	if err != nil {
		return nil, err
	}
	keyCond, filter, proj := p.KeyCond, p.Filter, p.Projection
	if in.KeyConditions != nil {
		if keyCond, err = legacyFilter(in.KeyConditions, ""); err != nil {
			return nil, err
		}
	}
	if in.QueryFilter != nil {
		if filter, err = legacyFilter(in.QueryFilter, in.ConditionalOperator); err != nil {
			return nil, err
		}
	}
	if in.AttributesToGet != nil {
		if proj, err = attributesToGet(in.AttributesToGet); err != nil {
			return nil, err
		}
	}
	if err := checkKeyConditionOperands(keyCond); err != nil {
		return nil, err
	}
	_, m, err := s.lookup(name)
	if err != nil {
		return nil, err
	}
	ix, err := resolveIndex(m, in.IndexName, in.ConsistentRead)
	if err != nil {
		return nil, err
	}
	count, fetchBase, err := selectPlan(in.Select, proj != nil, m, ix)
	if err != nil {
		return nil, err
	}
	hash, rng := m.Hash, m.Range
	id := uint16(baseIndex)
	if ix != nil {
		hash, rng, id = ix.Hash, ix.Range, ix.ID
	}
	kc, err := analyzeKeyCondition(keyCond, hash, rng)
	if err != nil {
		return nil, err
	}
	prefix := attr.AppendKey(indexPrefix(m.Num, id), kc.hash)
	lower, upper := kc.bounds(prefix)
	plan := &readPlan{m: m, ix: ix, lower: lower, upper: upper, filter: filter, proj: proj, count: count,
		fetchBase: fetchBase, consistent: in.ConsistentRead}
	if in.ScanIndexForward != nil && !*in.ScanIndexForward {
		plan.reverse = true
	}
	if in.Limit != nil {
		plan.limit = int(*in.Limit)
	}
	if in.ExclusiveStartKey != nil {
		if plan.start, err = startKey(m, ix, in.ExclusiveStartKey, true); err != nil {
			return nil, err
		}
		if err := kc.checkStart(in.ExclusiveStartKey, hash, rng); err != nil {
			return nil, err
		}
		if bytes.Compare(plan.start, lower) < 0 || bytes.Compare(plan.start, upper) >= 0 {
			return nil, validation("The provided starting key is outside query boundaries based on provided conditions")
		}
	}
	if in.ProjectionExpression != nil {
		if err := checkScalarKeyPaths(m, proj); err != nil {
			return nil, err
		}
	}
	switch {
	case in.QueryFilter != nil:
		names := map[string]bool{}
		for n := range in.QueryFilter {
			names[n] = true
		}
		if err := checkFilterKeys(names, hash, rng, "QueryFilter"); err != nil {
			return nil, err
		}
	case filter != nil:
		paths := expr.CondPaths(filter, nil)
		if err := checkFilterKeys(topNames(paths), hash, rng, "Filter Expression"); err != nil {
			return nil, err
		}
		if err := checkScalarKeyPaths(m, paths); err != nil {
			return nil, err
		}
	}
	out, err := s.runPlan(plan)
	if err != nil {
		return nil, err
	}
	s.readCapacity(out, in.ReturnConsumedCapacity, m, ix, in.ConsistentRead)
	return out, nil
}

// keyCondition is an analysed key condition: the hash value and an
// optional sort key condition.
type keyCondition struct {
	hash   *attr.Value
	op     string // "", "=", "<", "<=", ">", ">=", "BETWEEN", "begins_with"
	v1, v2 *attr.Value
}

// checkStart refuses an ExclusiveStartKey the key condition excludes, in
// DynamoDB's words: a sort key outside the sort key condition, then a
// partition key other than the queried one.
func (k *keyCondition) checkStart(esk attr.Item, hash keyAttr, rng *keyAttr) error {
	sameHash := attr.Equal(esk[hash.Name], k.hash)
	if k.op == "" || rng == nil {
		if !sameHash {
			return validation("The provided starting key is outside query boundaries based on provided conditions")
		}
		return nil
	}
	if !k.rangeMatches(esk[rng.Name]) {
		return validation("The provided starting key does not match the range key predicate")
	}
	if !sameHash {
		return validation("The query can return at most one row and cannot be restarted")
	}
	return nil
}

// rangeMatches reports whether a sort key value meets the sort key condition.
func (k *keyCondition) rangeMatches(v *attr.Value) bool {
	c, ok := attr.Compare(v, k.v1)
	if !ok {
		return false
	}
	switch k.op {
	case "=":
		return c == 0
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	case ">=":
		return c >= 0
	case "BETWEEN":
		c2, _ := attr.Compare(v, k.v2)
		return c >= 0 && c2 <= 0
	case "begins_with":
		switch v.T {
		case attr.S:
			return strings.HasPrefix(v.S, k.v1.S)
		case attr.B:
			return bytes.HasPrefix(v.B, k.v1.B)
		}
		return false
	}
	return true
}

// bounds turns the sort key condition into the store key range under prefix.
func (k *keyCondition) bounds(prefix []byte) ([]byte, []byte) {
	end := storage.PrefixEnd(prefix)
	switch k.op {
	case "=":
		p := attr.AppendKey(clone(prefix), k.v1)
		return p, storage.PrefixEnd(p)
	case "<":
		return prefix, attr.AppendKey(clone(prefix), k.v1)
	case "<=":
		return prefix, storage.PrefixEnd(attr.AppendKey(clone(prefix), k.v1))
	case ">":
		return storage.PrefixEnd(attr.AppendKey(clone(prefix), k.v1)), end
	case ">=":
		return attr.AppendKey(clone(prefix), k.v1), end
	case "BETWEEN":
		return attr.AppendKey(clone(prefix), k.v1), storage.PrefixEnd(attr.AppendKey(clone(prefix), k.v2))
	case "begins_with":
		p := attr.AppendKeyPrefix(clone(prefix), k.v1)
		return p, storage.PrefixEnd(p)
	}
	return prefix, end
}

func clone(b []byte) []byte { return append(make([]byte, 0, len(b)+32), b...) }

// flattenAnd lists the conjuncts of an AND tree.
func flattenAnd(c expr.Cond, out []expr.Cond) []expr.Cond {
	if a, ok := c.(*expr.And); ok {
		return flattenAnd(a.R, flattenAnd(a.L, out))
	}
	return append(out, c)
}

// orderingOperands refuses a value of a type no key can have in an
// ordering comparison of a key condition.
func orderingOperands(op string, operands []expr.Operand) error {
	if op == "" || op == "=" || op == "<>" {
		return nil
	}
	for _, o := range operands {
		if v, ok := o.(*expr.ValueOperand); ok && v.Value != nil {
			switch v.Value.T {
			case attr.S, attr.N, attr.B:
			default:
				return validationf("Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: %s, operand type: %s", op, v.Value.T)
			}
		}
	}
	return nil
}

// checkKeyConditionOperands runs orderingOperands over a key condition
// before the table is looked up.
func checkKeyConditionOperands(c expr.Cond) error {
	for _, cc := range flattenAnd(c, nil) {
		var err error
		switch x := cc.(type) {
		case *expr.Compare:
			err = orderingOperands(x.Op, []expr.Operand{x.L, x.R})
		case *expr.Between:
			err = orderingOperands("BETWEEN", []expr.Operand{x.Lo, x.Hi})
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// keyConditionShape runs the checks of a key condition that come before
// its attributes are matched to the key schema: operands of an ordering
// comparison must be of a key type, one condition per attribute, and no
// more conditions than key attributes.
func keyConditionShape(conds []expr.Cond, composite bool) error {
	seen := map[string]bool{}
	dup := false
	for _, cc := range conds {
		var op string
		var operands []expr.Operand
		var path expr.Path
		switch x := cc.(type) {
		case *expr.Compare:
			op, operands = x.Op, []expr.Operand{x.L, x.R}
			if p, ok := x.L.(*expr.PathOperand); ok {
				path = p.Path
			} else if p, ok := x.R.(*expr.PathOperand); ok {
				path = p.Path
			}
		case *expr.Between:
			op, operands = "BETWEEN", []expr.Operand{x.Lo, x.Hi}
			if p, ok := x.X.(*expr.PathOperand); ok {
				path = p.Path
			}
		case *expr.Func:
			if len(x.Args) > 0 {
				if p, ok := x.Args[0].(*expr.PathOperand); ok {
					path = p.Path
				}
			}
		}
		if err := orderingOperands(op, operands); err != nil {
			return err
		}
		if len(path) > 0 {
			if seen[path[0].Name] {
				dup = true
			}
			seen[path[0].Name] = true
		}
	}
	if dup {
		return validation("Invalid KeyConditionExpression: KeyConditionExpressions must only contain one condition per key")
	}
	keys := 1
	if composite {
		keys = 2
	}
	if len(conds) > keys {
		return validationf("The number of query conditions (%d) exceeds the number of key attributes defined in the schema (%d)", len(conds), keys)
	}
	return nil
}

// analyzeKeyCondition checks a key condition against the key schema, as
// DynamoDB does, and extracts its values.
func analyzeKeyCondition(c expr.Cond, hash keyAttr, rng *keyAttr) (*keyCondition, error) {
	conds := flattenAnd(c, nil)
	if err := keyConditionShape(conds, rng != nil); err != nil {
		return nil, err
	}
	kc := &keyCondition{}
	var hashSeen, rangeSeen bool
	for _, cc := range conds {
		var path expr.Path
		var op string
		var vals []*attr.Value
		switch x := cc.(type) {
		case *expr.Compare:
			if x.Op == "<>" {
				return nil, validation("Invalid operator used in KeyConditionExpression: <>")
			}
			p, ok := x.L.(*expr.PathOperand)
			v, ok2 := x.R.(*expr.ValueOperand)
			op = x.Op
			if !ok && !ok2 {
				// The value may stand on the left: ":lo <= sk" is "sk >= :lo".
				p, ok = x.R.(*expr.PathOperand)
				v, ok2 = x.L.(*expr.ValueOperand)
				op = flipped[op]
			}
			if !ok || !ok2 {
				return nil, validation("Invalid KeyConditionExpression: Key condition must compare a key attribute with a value")
			}
			path, vals = p.Path, []*attr.Value{v.Value}
		case *expr.Between:
			p, ok := x.X.(*expr.PathOperand)
			lo, ok2 := x.Lo.(*expr.ValueOperand)
			hi, ok3 := x.Hi.(*expr.ValueOperand)
			if !ok || !ok2 || !ok3 {
				return nil, validation("Invalid KeyConditionExpression: Key condition must compare a key attribute with a value")
			}
			path, op, vals = p.Path, "BETWEEN", []*attr.Value{lo.Value, hi.Value}
		case *expr.Func:
			if x.Name != "begins_with" {
				return nil, validationf("Invalid operator used in KeyConditionExpression: %s", x.Name)
			}
			p, ok := x.Args[0].(*expr.PathOperand)
			v, ok2 := x.Args[1].(*expr.ValueOperand)
			if !ok || !ok2 {
				return nil, validation("Invalid KeyConditionExpression: Key condition must compare a key attribute with a value")
			}
			path, op, vals = p.Path, "begins_with", []*attr.Value{v.Value}
		case *expr.Or:
			return nil, validation("Invalid operator used in KeyConditionExpression: OR")
		case *expr.Not:
			return nil, validation("Invalid operator used in KeyConditionExpression: NOT")
		case *expr.In:
			return nil, validation("Invalid operator used in KeyConditionExpression: IN")
		}
		if len(path) != 1 {
			return nil, validation("KeyConditionExpressions cannot have conditions on nested attributes")
		}
		name := path[0].Name
		switch {
		case name == hash.Name:
			if hashSeen {
				return nil, validation("Invalid KeyConditionExpression: KeyConditionExpressions must only contain one condition per key")
			}
			hashSeen = true
			if op != "=" {
				return nil, validation("Query key condition not supported")
			}
			if vals[0].T != hash.Type {
				return nil, validation("One or more parameter values were invalid: Condition parameter type does not match schema type")
			}
			kc.hash = vals[0]
		case rng != nil && name == rng.Name:
			if rangeSeen {
				return nil, validation("Invalid KeyConditionExpression: KeyConditionExpressions must only contain one condition per key")
			}
			rangeSeen = true
			for _, v := range vals {
				if v.T != rng.Type {
					return nil, validation("One or more parameter values were invalid: Condition parameter type does not match schema type")
				}
			}
			if op == "begins_with" && rng.Type == attr.N {
				return nil, validation("Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N")
			}
			if op == "BETWEEN" {
				if cmp, _ := attr.Compare(vals[0], vals[1]); cmp > 0 {
					return nil, validationf("Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: %s, upper bound operand: %s", expr.OperandString(vals[0]), expr.OperandString(vals[1]))
				}
				kc.v2 = vals[1]
			}
			kc.op, kc.v1 = op, vals[0]
		default:
			if !hashSeen && !containsHash(conds, hash.Name) {
				return nil, validationf("Query condition missed key schema element: %s", hash.Name)
			}
			if rng != nil {
				return nil, validationf("Query condition missed key schema element: %s", rng.Name)
			}
			return nil, validation("Query key condition not supported")
		}
	}
	if !hashSeen {
		return nil, validationf("Query condition missed key schema element: %s", hash.Name)
	}
	return kc, nil
}

var flipped = map[string]string{"=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}

func containsHash(conds []expr.Cond, name string) bool {
	for _, c := range conds {
		if x, ok := c.(*expr.Compare); ok {
			if p, ok := x.L.(*expr.PathOperand); ok && len(p.Path) == 1 && p.Path[0].Name == name {
				return true
			}
		}
	}
	return false
}
