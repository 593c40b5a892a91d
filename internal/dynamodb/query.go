package dynamodb

import (
	"bytes"
	"context"
	"hash/fnv"

	"github.com/nimbus-dev/nimbus/internal/dynamodb/attr"
	"github.com/nimbus-dev/nimbus/internal/dynamodb/expr"
	"github.com/nimbus-dev/nimbus/internal/storage"
)

// pageLimit is the most data one Query or Scan page reads (1 MB).
const pageLimit = 1 << 20

type queryInput struct {
	TableName                 *string              `json:"TableName"`
	IndexName                 *string              `json:"IndexName"`
	KeyConditionExpression    *string              `json:"KeyConditionExpression"`
	FilterExpression          *string              `json:"FilterExpression"`
	ProjectionExpression      *string              `json:"ProjectionExpression"`
	ExpressionAttributeNames  map[string]string    `json:"ExpressionAttributeNames"`
	ExpressionAttributeValues exprValues           `json:"ExpressionAttributeValues"`
	Select                    string               `json:"Select"`
	Limit                     *int64               `json:"Limit"`
	ConsistentRead            bool                 `json:"ConsistentRead"`
	ScanIndexForward          *bool                `json:"ScanIndexForward"`
	ExclusiveStartKey         attr.Item            `json:"ExclusiveStartKey"`
	ReturnConsumedCapacity    string               `json:"ReturnConsumedCapacity"`
	KeyConditions             map[string]condition `json:"KeyConditions"`
	QueryFilter               map[string]condition `json:"QueryFilter"`
	ScanFilter                map[string]condition `json:"ScanFilter"`
	ConditionalOperator       string               `json:"ConditionalOperator"`
	AttributesToGet           []string             `json:"AttributesToGet"`
	Segment                   *int64               `json:"Segment"`
	TotalSegments             *int64               `json:"TotalSegments"`
}

type queryOutput struct {
	Items            []attr.Item       `json:"Items,omitempty"`
	Count            int               `json:"Count"`
	ScannedCount     int               `json:"ScannedCount"`
	LastEvaluatedKey attr.Item         `json:"LastEvaluatedKey,omitempty"`
	ConsumedCapacity *consumedCapacity `json:"ConsumedCapacity,omitempty"`
	count            bool
	// readBytes is the size of the items evaluated (what capacity meters).
	readBytes int
}

// MarshalJSON keeps "Items": [] for an empty non-COUNT result, as
// DynamoDB sends it, and leaves Items out for Select=COUNT.
func (q *queryOutput) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	err := q.appendJSON(&buf)
	return buf.Bytes(), err
}

func (q *queryOutput) appendJSON(buf *bytes.Buffer) error {
	buf.WriteByte('{')
	if !q.count {
		buf.WriteString(`"Items":[`)
		for i, it := range q.Items {
			if i > 0 {
				buf.WriteByte(',')
			}
			it.AppendJSON(buf)
		}
		buf.WriteString("],")
	}
	buf.WriteString(`"Count":`)
	buf.WriteString(itoa(q.Count))
	buf.WriteString(`,"ScannedCount":`)
	buf.WriteString(itoa(q.ScannedCount))
	if q.LastEvaluatedKey != nil {
		buf.WriteString(`,"LastEvaluatedKey":`)
		q.LastEvaluatedKey.AppendJSON(buf)
	}
	if err := appendField(buf, "ConsumedCapacity", q.ConsumedCapacity, q.ConsumedCapacity != nil); err != nil {
		return err
	}
	buf.WriteByte('}')
	return nil
}

// readPlan is one Query or Scan page to read.
type readPlan struct {
	m          *tableMeta
	ix         *indexMeta
	lower      []byte
	upper      []byte
	reverse    bool
	start      []byte
	limit      int
	filter     expr.Cond
	proj       []expr.Path
	count      bool
	fetchBase  bool
	consistent bool
	segment    func(attr.Item) bool
}

func (s *Service) runPlan(p *readPlan) (*queryOutput, error) {
	lower, upper := p.lower, p.upper
	if p.start != nil {
		if p.reverse {
			if bytes.Compare(p.start, upper) < 0 {
				upper = p.start
			}
		} else {
			succ := append(append([]byte{}, p.start...), 0)
			if bytes.Compare(succ, lower) > 0 {
				lower = succ
			}
		}
	}
	out := &queryOutput{count: p.count}
	if bytes.Compare(lower, upper) >= 0 {
		return out, nil
	}
	it, err := s.store.NewIter(storage.IterOptions{Lower: lower, Upper: upper, Reverse: p.reverse})
	if err != nil {
		return nil, internal(err)
	}
	defer it.Close()
	read := 0
	var last attr.Item
	for it.Next() {
		item, err := attr.DecodeItem(it.Value())
		if err != nil {
			return nil, internal(err)
		}
		if p.segment != nil && !p.segment(item) {
			continue
		}
		size := attr.ItemSize(item)
		if p.fetchBase {
			full, err := s.readItem(s.store, p.m.itemKey(item))
			if err != nil {
				return nil, err
			}
			if full != nil {
				item = full
			}
		}
		read += size
		out.ScannedCount++
		last = item
		if p.filter == nil || expr.Eval(p.filter, item) {
			out.Count++
			if !p.count {
				out.Items = append(out.Items, projectItem(item, p.proj))
			}
		}
		if (p.limit > 0 && out.ScannedCount >= p.limit) || read >= pageLimit {
			out.LastEvaluatedKey = lastKey(p.m, p.ix, last)
			break
		}
	}
	if err := it.Err(); err != nil {
		return nil, internal(err)
	}
	out.readBytes = read
	return out, nil
}

// lastKey is LastEvaluatedKey: the table key plus the index key.
func lastKey(m *tableMeta, ix *indexMeta, it attr.Item) attr.Item {
	k := attr.Item{}
	for _, n := range m.keyNames(ix) {
		if v, ok := it[n]; ok {
			k[n] = v
		}
	}
	return k
}

// startKey validates ExclusiveStartKey and returns its store key.
func startKey(m *tableMeta, ix *indexMeta, esk attr.Item) ([]byte, error) {
	bad := validation("The provided starting key is invalid: The provided key element does not match the schema")
	names := m.keyNames(ix)
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	if len(esk) != len(want) {
		return nil, bad
	}
	for n := range want {
		if esk[n] == nil {
			return nil, bad
		}
	}
	if err := checkKey(m, keyOf(m, esk)); err != nil {
		return nil, validation("The provided starting key is invalid: " + err.(*apiError).Message)
	}
	if ix == nil {
		return m.itemKey(esk), nil
	}
	k := m.indexKey(ix, esk)
	if k == nil {
		return nil, bad
	}
	return k, nil
}

// selectPlan validates Select against the projection and index and says
// whether base items must be fetched.
func selectPlan(sel string, proj []expr.Path, hasProj bool, m *tableMeta, ix *indexMeta) (count bool, fetchBase bool, err error) {
	switch sel {
	case "COUNT":
		if hasProj {
			return false, false, validation("Cannot specify the ProjectionExpression when choosing to get COUNT")
		}
		return true, false, nil
	case "ALL_ATTRIBUTES":
		if hasProj {
			return false, false, validation("Cannot specify the ProjectionExpression when choosing to get ALL_ATTRIBUTES")
		}
		if ix != nil && ix.ProjectionType != "ALL" {
			if !ix.Local {
				return false, false, validationf("One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index %s because its projection type is not ALL", ix.Name)
			}
			return false, true, nil
		}
	case "ALL_PROJECTED_ATTRIBUTES":
		if ix == nil {
			return false, false, validation("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName")
		}
		if hasProj {
			return false, false, validation("Cannot specify the ProjectionExpression when choosing to get ALL_PROJECTED_ATTRIBUTES")
		}
	case "SPECIFIC_ATTRIBUTES":
		if !hasProj {
			return false, false, validation("One or more parameter values were invalid: Must specify the ProjectionExpression or AttributesToGet when choosing to get SPECIFIC_ATTRIBUTES")
		}
	}
	if hasProj && ix != nil && ix.Local && ix.ProjectionType != "ALL" {
		fetchBase = true
	}
	return false, fetchBase, nil
}

func commonReadChecks(in *queryInput, c *constraints, scan bool) {
	if in.Limit != nil && *in.Limit < 1 {
		// DynamoDB words this differently for Query and Scan.
		if scan {
			c.add("Value '%d' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1", *in.Limit)
		} else {
			c.add("Value at 'Limit' failed to satisfy constraint: Member must have value greater than or equal to 1")
		}
	}
	enumCheck(c, in.Select, "select", "SPECIFIC_ATTRIBUTES", "COUNT", "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES")
	enumCheck(c, in.ReturnConsumedCapacity, "returnConsumedCapacity", "INDEXES", "TOTAL", "NONE")
	enumCheck(c, in.ConditionalOperator, "conditionalOperator", "AND", "OR")
}

// resolveIndex finds IndexName on the table.
func resolveIndex(m *tableMeta, name *string, consistent bool) (*indexMeta, error) {
	if name == nil {
		return nil, nil
	}
	ix := m.index(*name)
	if ix == nil {
		return nil, validationf("The table does not have the specified index: %s", *name)
	}
	if consistent && !ix.Local {
		return nil, validation("Consistent reads are not supported on global secondary indexes")
	}
	return ix, nil
}

func (s *Service) query(ctx context.Context, in *queryInput) (*queryOutput, error) {
	var c constraints
	name := tableName(in.TableName, &c, "tableName", 1)
	if len(c) > 0 {
		return nil, c.err()
	}
	commonReadChecks(in, &c, false)
	if err := c.err(); err != nil {
		return nil, err
	}
	r := exprRequest{Names: in.ExpressionAttributeNames, Values: in.ExpressionAttributeValues,
		KeyCond: in.KeyConditionExpression, Filter: in.FilterExpression, Projection: in.ProjectionExpression}
	for _, l := range []struct {
		name string
		set  bool
	}{{"AttributesToGet", in.AttributesToGet != nil}, {"KeyConditions", in.KeyConditions != nil}, {"QueryFilter", in.QueryFilter != nil}, {"ConditionalOperator", in.ConditionalOperator != ""}} {
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
	_, m, err := s.lookup(name)
	if err != nil {
		return nil, err
	}
	ix, err := resolveIndex(m, in.IndexName, in.ConsistentRead)
	if err != nil {
		return nil, err
	}
	count, fetchBase, err := selectPlan(in.Select, proj, proj != nil, m, ix)
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
		if plan.start, err = startKey(m, ix, in.ExclusiveStartKey); err != nil {
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

// readCapacity fills ConsumedCapacity of a Query or Scan page.
func (s *Service) readCapacity(out *queryOutput, mode string, m *tableMeta, ix *indexMeta, consistent bool) {
	if mode != "TOTAL" && mode != "INDEXES" {
		return
	}
	u := readUnits(out.readBytes, consistent)
	if ix == nil {
		out.ConsumedCapacity = consumed(mode, m, u, nil, noSplit)
		return
	}
	out.ConsumedCapacity = consumed(mode, m, 0, map[string]float64{ix.Name: u}, noSplit)
}

// keyCondition is an analysed key condition: the hash value and an
// optional sort key condition.
type keyCondition struct {
	hash   *attr.Value
	op     string // "", "=", "<", "<=", ">", ">=", "BETWEEN", "begins_with"
	v1, v2 *attr.Value
}

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

func flattenAnd(c expr.Cond, out []expr.Cond) []expr.Cond {
	if a, ok := c.(*expr.And); ok {
		return flattenAnd(a.R, flattenAnd(a.L, out))
	}
	return append(out, c)
}

// analyzeKeyCondition checks a key condition against the key schema, as
// DynamoDB does, and extracts its values.
func analyzeKeyCondition(c expr.Cond, hash keyAttr, rng *keyAttr) (*keyCondition, error) {
	conds := flattenAnd(c, nil)
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
		if len(conds) > 2 {
			return nil, validation("Conditions can be of length 1 or 2 only")
		}
		if len(path) != 1 {
			return nil, validation("KeyConditionExpressions cannot have conditions on nested attributes")
		}
		name := path[0].Name
		switch {
		case name == hash.Name:
			if hashSeen {
				return nil, validation("KeyConditionExpressions must only contain one condition per key")
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
				return nil, validation("KeyConditionExpressions must only contain one condition per key")
			}
			rangeSeen = true
			for _, v := range vals {
				if v.T != rng.Type {
					return nil, validation("One or more parameter values were invalid: Condition parameter type does not match schema type")
				}
			}
			if op == "begins_with" && rng.Type == attr.N {
				return nil, validation("Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: NUMBER")
			}
			if op == "BETWEEN" {
				if cmp, _ := attr.Compare(vals[0], vals[1]); cmp > 0 {
					return nil, validationf("Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound: %s, upper bound: %s", short(vals[0]), short(vals[1]))
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

func short(v *attr.Value) string {
	switch v.T {
	case attr.S, attr.N:
		return "{" + v.T.String() + ": " + v.S + "}"
	}
	return "{" + v.T.String() + "}"
}

func (s *Service) scan(ctx context.Context, in *queryInput) (*queryOutput, error) {
	var c constraints
	name := tableName(in.TableName, &c, "tableName", 1)
	if len(c) > 0 {
		return nil, c.err()
	}
	commonReadChecks(in, &c, true)
	if in.Segment != nil && (*in.Segment < 0 || *in.Segment > 999999) {
		c.add("Value '%d' at 'segment' failed to satisfy constraint: Member must have value less than or equal to 999999", *in.Segment)
	}
	if in.TotalSegments != nil && (*in.TotalSegments < 1 || *in.TotalSegments > 1000000) {
		if *in.TotalSegments < 1 {
			c.add("Value '%d' at 'totalSegments' failed to satisfy constraint: Member must have value greater than or equal to 1", *in.TotalSegments)
		} else {
			c.add("Value '%d' at 'totalSegments' failed to satisfy constraint: Member must have value less than or equal to 1000000", *in.TotalSegments)
		}
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	switch {
	case in.Segment != nil && in.TotalSegments == nil:
		return nil, validation("The TotalSegments parameter is required but was not present in the request when Segment parameter is present")
	case in.Segment == nil && in.TotalSegments != nil:
		return nil, validation("The Segment parameter is required but was not present in the request when parameter TotalSegments is present")
	case in.Segment != nil && *in.Segment >= *in.TotalSegments:
		return nil, validationf("The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: %d is not less than TotalSegments: %d", *in.Segment, *in.TotalSegments)
	}
	r := exprRequest{Names: in.ExpressionAttributeNames, Values: in.ExpressionAttributeValues,
		Filter: in.FilterExpression, Projection: in.ProjectionExpression}
	for _, l := range []struct {
		name string
		set  bool
	}{{"AttributesToGet", in.AttributesToGet != nil}, {"ScanFilter", in.ScanFilter != nil}, {"ConditionalOperator", in.ConditionalOperator != ""}} {
		if l.set {
			r.Legacy = append(r.Legacy, l.name)
		}
	}
	p, err := r.parse()
	if err != nil {
		return nil, err
	}
	filter, proj := p.Filter, p.Projection
	if in.ScanFilter != nil {
		if filter, err = legacyFilter(in.ScanFilter, in.ConditionalOperator); err != nil {
			return nil, err
		}
	}
	if in.AttributesToGet != nil {
		if proj, err = attributesToGet(in.AttributesToGet); err != nil {
			return nil, err
		}
	}
	_, m, err := s.lookup(name)
	if err != nil {
		return nil, err
	}
	ix, err := resolveIndex(m, in.IndexName, in.ConsistentRead)
	if err != nil {
		return nil, err
	}
	count, fetchBase, err := selectPlan(in.Select, proj, proj != nil, m, ix)
	if err != nil {
		return nil, err
	}
	id := uint16(baseIndex)
	if ix != nil {
		id = ix.ID
	}
	prefix := indexPrefix(m.Num, id)
	plan := &readPlan{m: m, ix: ix, lower: prefix, upper: storage.PrefixEnd(prefix), filter: filter, proj: proj,
		count: count, fetchBase: fetchBase, consistent: in.ConsistentRead}
	if in.Limit != nil {
		plan.limit = int(*in.Limit)
	}
	if in.TotalSegments != nil && *in.TotalSegments > 1 {
		seg, total := uint64(*in.Segment), uint64(*in.TotalSegments)
		hashName := m.Hash.Name
		plan.segment = func(it attr.Item) bool {
			h := fnv.New64a()
			h.Write(attr.AppendKey(nil, it[hashName]))
			return h.Sum64()%total == seg
		}
	}
	if in.ExclusiveStartKey != nil {
		if plan.start, err = startKey(m, ix, in.ExclusiveStartKey); err != nil {
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
