package dynamodb

import (
	"bytes"

	"github.com/nimbus-dev/nimbus/internal/dynamodb/attr"
	"github.com/nimbus-dev/nimbus/internal/dynamodb/expr"
	"github.com/nimbus-dev/nimbus/internal/storage"
)

// pageLimit is the most data one Query or Scan page reads (1 MB).
const pageLimit = 1 << 20

// queryInput is the request of Query and Scan.
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

// queryOutput is the response of Query and Scan.
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

// runPlan reads one Query or Scan page: it evaluates items in key order,
// stops at Limit or after 1 MB read, and returns LastEvaluatedKey when it
// stopped early.
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
func startKey(m *tableMeta, ix *indexMeta, esk attr.Item, query bool) ([]byte, error) {
	bad := validation("The provided starting key is invalid: The provided key element does not match the schema")
	if query {
		// Query words a starting key that is not the schema's more briefly.
		bad = validation("The provided starting key is invalid")
	}
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

// checkSelect validates Select against the projection parameters, before
// the table is read. DynamoDB puts these refusals in the validation
// envelope, except Scan's missing projection for SPECIFIC_ATTRIBUTES.
func checkSelect(sel string, in *queryInput, scan bool) error {
	param := ""
	switch {
	case in.ProjectionExpression != nil:
		param = "ProjectionExpression"
	case in.AttributesToGet != nil:
		param = "AttributesToGet"
	}
	var msg string
	switch sel {
	case "COUNT":
		if param != "" {
			msg = "Cannot specify the " + param + " when choosing to get only the Count"
		}
	case "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES":
		if param != "" {
			msg = "Cannot specify the " + param + " when choosing to get " + sel
		} else if sel == "ALL_PROJECTED_ATTRIBUTES" && in.IndexName == nil {
			msg = "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName"
		}
	case "SPECIFIC_ATTRIBUTES":
		if param == "" {
			msg = "Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES"
			if scan {
				return validation(msg)
			}
		}
	}
	if msg == "" {
		return nil
	}
	return envelope(validation(msg))
}

// selectPlan says whether Select counts only and whether base items must be
// fetched (checkSelect has validated it).
func selectPlan(sel string, hasProj bool, m *tableMeta, ix *indexMeta) (count bool, fetchBase bool, err error) {
	switch sel {
	case "COUNT":
		return true, false, nil
	case "ALL_ATTRIBUTES":
		if ix != nil && ix.ProjectionType != "ALL" {
			if !ix.Local {
				return false, false, validationf("One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index %s because its projection type is not ALL", ix.Name)
			}
			return false, true, nil
		}
	}
	if hasProj && ix != nil && ix.Local && ix.ProjectionType != "ALL" {
		fetchBase = true
	}
	return false, fetchBase, nil
}

// commonReadChecks validates the parameters Query and Scan share.
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
}

// checkConditionalOperator refuses a ConditionalOperator outside its enum,
// which Query and Scan report alone, ahead of their other members.
func checkConditionalOperator(op string) error {
	if op != "" && op != "AND" && op != "OR" {
		return validation(msgConditionalOperatorEnum)
	}
	return nil
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
