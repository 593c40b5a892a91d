package dynamodb

import (
	"context"

	"github.com/nimbus-dev/nimbus/internal/dynamodb/attr"
	"github.com/nimbus-dev/nimbus/internal/dynamodb/expr"
	"github.com/nimbus-dev/nimbus/internal/storage"
)

// writeReq is one conditional single-item write.
type writeReq struct {
	t    *table
	key  []byte
	cond expr.Cond
	// mutate computes the new item from the current one (nil: absent);
	// returning nil deletes the item.
	mutate func(m *tableMeta, old attr.Item) (attr.Item, error)
	// returnOld is ReturnValuesOnConditionCheckFailure.
	returnOld string
	// needOld asks for the current item even when nothing else needs it
	// (ReturnValues, capacity); without it a write to a table with no
	// indexes and no TTL skips the read.
	needOld bool
}

type writeResult struct {
	m         *tableMeta
	old, next attr.Item
	units     writeUnits
}

// writeOne runs a conditional write under the item's lock and commits it
// with its index changes in one durable batch.
func (s *Service) writeOne(w writeReq) (*writeResult, error) {
	w.t.schema.RLock()
	defer w.t.schema.RUnlock()
	if w.t.deleted.Load() {
		return nil, notFound()
	}
	m := w.t.meta.Load()
	unlock := s.locks.lock(w.key)
	defer unlock()
	var old attr.Item
	read := w.needOld || w.cond != nil || len(m.GSIs)+len(m.LSIs) > 0 || m.TTLEnabled
	if read {
		var err error
		if old, err = s.readItem(s.store, w.key); err != nil {
			return nil, err
		}
	}
	if w.cond != nil && !expr.Eval(w.cond, old) {
		return nil, conditionFailed(old, w.returnOld)
	}
	next, err := w.mutate(m, old)
	if err != nil {
		return nil, err
	}
	res := &writeResult{m: m, old: old, next: next}
	if read && old == nil && next == nil {
		res.units = writeUnits{table: 1}
		return res, nil
	}
	var b storage.Batch
	res.units = stage(&b, m, w.key, old, next)
	if err := s.store.Apply(&b); err != nil {
		return nil, internal(err)
	}
	w.t.gen.Add(1)
	return res, nil
}

func conditionFailed(old attr.Item, returnOld string) *apiError {
	e := &apiError{Type: typeConditionalCheck, Message: "The conditional request failed"}
	if returnOld == "ALL_OLD" && old != nil {
		e.Item = itemJSON(old)
	}
	return e
}

// itemJSON wraps an item for an error body.
func itemJSON(it attr.Item) map[string]any {
	out := make(map[string]any, len(it))
	for k, v := range it {
		out[k] = v
	}
	return out
}

func checkReturnValues(c *constraints, rv string, rvFail string, rcc string, ricm string) {
	enumCheck(c, rv, "returnValues", "ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW")
	enumCheck(c, rvFail, "returnValuesOnConditionCheckFailure", "ALL_OLD", "NONE")
	enumCheck(c, rcc, "returnConsumedCapacity", "INDEXES", "TOTAL", "NONE")
	enumCheck(c, ricm, "returnItemCollectionMetrics", "SIZE", "NONE")
}

type putItemInput struct {
	TableName                           *string                 `json:"TableName"`
	Item                                attr.Item               `json:"Item"`
	ConditionExpression                 *string                 `json:"ConditionExpression"`
	ExpressionAttributeNames            map[string]string       `json:"ExpressionAttributeNames"`
	ExpressionAttributeValues           exprValues              `json:"ExpressionAttributeValues"`
	ReturnValues                        string                  `json:"ReturnValues"`
	ReturnConsumedCapacity              string                  `json:"ReturnConsumedCapacity"`
	ReturnItemCollectionMetrics         string                  `json:"ReturnItemCollectionMetrics"`
	ReturnValuesOnConditionCheckFailure string                  `json:"ReturnValuesOnConditionCheckFailure"`
	Expected                            map[string]expectedAttr `json:"Expected"`
	ConditionalOperator                 string                  `json:"ConditionalOperator"`
}

type writeItemOutput struct {
	Attributes            attr.Item              `json:"Attributes,omitempty"`
	ConsumedCapacity      *consumedCapacity      `json:"ConsumedCapacity,omitempty"`
	ItemCollectionMetrics *itemCollectionMetrics `json:"ItemCollectionMetrics,omitempty"`
}

func (s *Service) putItem(ctx context.Context, in *putItemInput) (*writeItemOutput, error) {
	var c constraints
	name := tableName(in.TableName, &c, "tableName", 1)
	if len(c) > 0 {
		return nil, c.err()
	}
	if in.Item == nil {
		c.add("Value null at 'item' failed to satisfy constraint: Member must not be null")
	}
	checkReturnValues(&c, in.ReturnValues, in.ReturnValuesOnConditionCheckFailure, in.ReturnConsumedCapacity, in.ReturnItemCollectionMetrics)
	if err := c.err(); err != nil {
		return nil, err
	}
	if in.ReturnValues != "" && in.ReturnValues != "NONE" && in.ReturnValues != "ALL_OLD" {
		return nil, validation("Return values set to invalid value")
	}
	cond, err := s.conditionOf(in.ConditionExpression, in.ExpressionAttributeNames, in.ExpressionAttributeValues, in.Expected, in.ConditionalOperator)
	if err != nil {
		return nil, err
	}
	t, m, err := s.lookup(name)
	if err != nil {
		return nil, err
	}
	if err := checkItem(m, in.Item, false); err != nil {
		return nil, err
	}
	res, err := s.writeOne(writeReq{
		t: t, key: m.itemKey(in.Item), cond: cond, returnOld: in.ReturnValuesOnConditionCheckFailure,
		needOld: in.ReturnValues == "ALL_OLD" || wantsCapacity(in.ReturnConsumedCapacity),
		mutate:  func(*tableMeta, attr.Item) (attr.Item, error) { return in.Item, nil },
	})
	if err != nil {
		return nil, err
	}
	out := &writeItemOutput{
		ConsumedCapacity:      consumed(in.ReturnConsumedCapacity, res.m, res.units.table, res.units.indexes, noSplit),
		ItemCollectionMetrics: collectionMetrics(in.ReturnItemCollectionMetrics, res.m, in.Item),
	}
	if in.ReturnValues == "ALL_OLD" && res.old != nil {
		out.Attributes = res.old
	}
	return out, nil
}

// conditionOf parses a write's condition from ConditionExpression or the
// legacy Expected parameter.
func (s *Service) conditionOf(ce *string, names map[string]string, values exprValues, expected map[string]expectedAttr, op string) (expr.Cond, error) {
	r := exprRequest{Names: names, Values: values, Condition: ce}
	if expected != nil {
		r.Legacy = append(r.Legacy, "Expected")
	}
	if op != "" {
		r.Legacy = append(r.Legacy, "ConditionalOperator")
	}
	p, err := r.parse()
	if err != nil {
		return nil, err
	}
	if expected != nil {
		return legacyConditions(expected, op, "Expected")
	}
	if op != "" {
		return nil, validation("ConditionalOperator can only be used when Filter or Expected has two or more elements")
	}
	return p.Condition, nil
}

type getItemInput struct {
	TableName                *string           `json:"TableName"`
	Key                      attr.Item         `json:"Key"`
	ConsistentRead           bool              `json:"ConsistentRead"`
	ProjectionExpression     *string           `json:"ProjectionExpression"`
	ExpressionAttributeNames map[string]string `json:"ExpressionAttributeNames"`
	AttributesToGet          []string          `json:"AttributesToGet"`
	ReturnConsumedCapacity   string            `json:"ReturnConsumedCapacity"`
}

type getItemOutput struct {
	Item             attr.Item         `json:"Item,omitempty"`
	ConsumedCapacity *consumedCapacity `json:"ConsumedCapacity,omitempty"`
}

// projectionOf parses ProjectionExpression or legacy AttributesToGet.
func projectionOf(pe *string, names map[string]string, atg []string) ([]expr.Path, error) {
	r := exprRequest{Names: names, Projection: pe}
	if atg != nil {
		r.Legacy = []string{"AttributesToGet"}
	}
	p, err := r.parse()
	if err != nil {
		return nil, err
	}
	if atg != nil {
		return attributesToGet(atg)
	}
	return p.Projection, nil
}

func (s *Service) getItem(ctx context.Context, in *getItemInput) (*getItemOutput, error) {
	var c constraints
	name := tableName(in.TableName, &c, "tableName", 1)
	if len(c) > 0 {
		return nil, c.err()
	}
	if in.Key == nil {
		c.add("Value null at 'key' failed to satisfy constraint: Member must not be null")
	}
	enumCheck(&c, in.ReturnConsumedCapacity, "returnConsumedCapacity", "INDEXES", "TOTAL", "NONE")
	if err := c.err(); err != nil {
		return nil, err
	}
	proj, err := projectionOf(in.ProjectionExpression, in.ExpressionAttributeNames, in.AttributesToGet)
	if err != nil {
		return nil, err
	}
	_, m, err := s.lookup(name)
	if err != nil {
		return nil, err
	}
	if err := checkKey(m, in.Key); err != nil {
		return nil, err
	}
	it, err := s.readItem(s.store, m.itemKey(in.Key))
	if err != nil {
		return nil, err
	}
	out := &getItemOutput{}
	size := 0
	if it != nil {
		size = attr.ItemSize(it)
		out.Item = projectItem(it, proj)
	}
	out.ConsumedCapacity = consumed(in.ReturnConsumedCapacity, m, readUnits(size, in.ConsistentRead), nil, noSplit)
	return out, nil
}

type deleteItemInput struct {
	TableName                           *string                 `json:"TableName"`
	Key                                 attr.Item               `json:"Key"`
	ConditionExpression                 *string                 `json:"ConditionExpression"`
	ExpressionAttributeNames            map[string]string       `json:"ExpressionAttributeNames"`
	ExpressionAttributeValues           exprValues              `json:"ExpressionAttributeValues"`
	ReturnValues                        string                  `json:"ReturnValues"`
	ReturnConsumedCapacity              string                  `json:"ReturnConsumedCapacity"`
	ReturnItemCollectionMetrics         string                  `json:"ReturnItemCollectionMetrics"`
	ReturnValuesOnConditionCheckFailure string                  `json:"ReturnValuesOnConditionCheckFailure"`
	Expected                            map[string]expectedAttr `json:"Expected"`
	ConditionalOperator                 string                  `json:"ConditionalOperator"`
}

func (s *Service) deleteItem(ctx context.Context, in *deleteItemInput) (*writeItemOutput, error) {
	var c constraints
	name := tableName(in.TableName, &c, "tableName", 1)
	if len(c) > 0 {
		return nil, c.err()
	}
	if in.Key == nil {
		c.add("Value null at 'key' failed to satisfy constraint: Member must not be null")
	}
	checkReturnValues(&c, in.ReturnValues, in.ReturnValuesOnConditionCheckFailure, in.ReturnConsumedCapacity, in.ReturnItemCollectionMetrics)
	if err := c.err(); err != nil {
		return nil, err
	}
	if in.ReturnValues != "" && in.ReturnValues != "NONE" && in.ReturnValues != "ALL_OLD" {
		return nil, validation("Return values set to invalid value")
	}
	cond, err := s.conditionOf(in.ConditionExpression, in.ExpressionAttributeNames, in.ExpressionAttributeValues, in.Expected, in.ConditionalOperator)
	if err != nil {
		return nil, err
	}
	t, m, err := s.lookup(name)
	if err != nil {
		return nil, err
	}
	if err := checkKey(m, in.Key); err != nil {
		return nil, err
	}
	res, err := s.writeOne(writeReq{
		t: t, key: m.itemKey(in.Key), cond: cond, returnOld: in.ReturnValuesOnConditionCheckFailure,
		needOld: in.ReturnValues == "ALL_OLD" || wantsCapacity(in.ReturnConsumedCapacity),
		mutate:  func(*tableMeta, attr.Item) (attr.Item, error) { return nil, nil },
	})
	if err != nil {
		return nil, err
	}
	out := &writeItemOutput{
		ConsumedCapacity:      consumed(in.ReturnConsumedCapacity, res.m, res.units.table, res.units.indexes, noSplit),
		ItemCollectionMetrics: collectionMetrics(in.ReturnItemCollectionMetrics, res.m, in.Key),
	}
	if in.ReturnValues == "ALL_OLD" && res.old != nil {
		out.Attributes = res.old
	}
	return out, nil
}

type updateItemInput struct {
	TableName                           *string                    `json:"TableName"`
	Key                                 attr.Item                  `json:"Key"`
	UpdateExpression                    *string                    `json:"UpdateExpression"`
	ConditionExpression                 *string                    `json:"ConditionExpression"`
	ExpressionAttributeNames            map[string]string          `json:"ExpressionAttributeNames"`
	ExpressionAttributeValues           exprValues                 `json:"ExpressionAttributeValues"`
	ReturnValues                        string                     `json:"ReturnValues"`
	ReturnConsumedCapacity              string                     `json:"ReturnConsumedCapacity"`
	ReturnItemCollectionMetrics         string                     `json:"ReturnItemCollectionMetrics"`
	ReturnValuesOnConditionCheckFailure string                     `json:"ReturnValuesOnConditionCheckFailure"`
	AttributeUpdates                    map[string]attributeUpdate `json:"AttributeUpdates"`
	Expected                            map[string]expectedAttr    `json:"Expected"`
	ConditionalOperator                 string                     `json:"ConditionalOperator"`
}

// parseUpdateRequest parses an UpdateItem-style request's update and
// condition (expression or legacy form).
func parseUpdateRequest(in *updateItemInput) (*expr.Update, expr.Cond, error) {
	r := exprRequest{Names: in.ExpressionAttributeNames, Values: in.ExpressionAttributeValues, Update: in.UpdateExpression, Condition: in.ConditionExpression}
	if in.AttributeUpdates != nil {
		r.Legacy = append(r.Legacy, "AttributeUpdates")
	}
	if in.Expected != nil {
		r.Legacy = append(r.Legacy, "Expected")
	}
	p, err := r.parse()
	if err != nil {
		return nil, nil, err
	}
	upd, cond := p.Update, p.Condition
	if in.AttributeUpdates != nil {
		if upd, err = legacyUpdates(in.AttributeUpdates); err != nil {
			return nil, nil, err
		}
	}
	if in.Expected != nil {
		if cond, err = legacyConditions(in.Expected, in.ConditionalOperator, "Expected"); err != nil {
			return nil, nil, err
		}
	}
	return upd, cond, nil
}

// checkUpdateKeys rejects updates of key attributes.
func checkUpdateKeys(m *tableMeta, u *expr.Update) error {
	if u == nil {
		return nil
	}
	for _, a := range u.Actions {
		if m.isTableKey(a.Path[0].Name) {
			return validationf("One or more parameter values were invalid: Cannot update attribute %s. This attribute is part of the key", a.Path[0].Name)
		}
	}
	return nil
}

// Standalone UpdateItem also meters what the statement writes: the
// attributes its SET and ADD clauses produce (name and value) plus a fixed
// cost per clause, and refuses the update when that exceeds the item limit
// (so the key's own bytes do not count). These constants are DynamoDB's
// observed per-clause costs.
const (
	updateBaseCost   = 3
	updateSetCost    = 19
	updateRemoveCost = 2
)

// updateWriteSize is what a standalone UpdateItem meters for its clauses.
func updateWriteSize(u *expr.Update, next attr.Item) int {
	n := updateBaseCost
	seen := map[string]bool{}
	for _, a := range u.Actions {
		switch a.Kind {
		case expr.ActSet, expr.ActAdd:
			n += updateSetCost
			name := a.Path[0].Name
			if v := next[name]; v != nil && !seen[name] {
				seen[name] = true
				n += len(name) + attr.ValueSize(v)
			}
		default:
			n += updateRemoveCost
		}
	}
	return n
}

// applyUpdate computes an UpdateItem's new item.
func applyUpdate(m *tableMeta, key attr.Item, u *expr.Update, old attr.Item) (attr.Item, error) {
	var next attr.Item
	if old != nil {
		next = old.Clone()
	} else {
		next = key.Clone()
	}
	if u != nil {
		if err := u.Apply(next); err != nil {
			return nil, prefixed("UpdateExpression", err)
		}
	}
	if err := checkItem(m, next, true); err != nil {
		return nil, err
	}
	return next, nil
}

func (s *Service) updateItem(ctx context.Context, in *updateItemInput) (*writeItemOutput, error) {
	var c constraints
	name := tableName(in.TableName, &c, "tableName", 1)
	if len(c) > 0 {
		return nil, c.err()
	}
	if in.Key == nil {
		c.add("Value null at 'key' failed to satisfy constraint: Member must not be null")
	}
	checkReturnValues(&c, in.ReturnValues, in.ReturnValuesOnConditionCheckFailure, in.ReturnConsumedCapacity, in.ReturnItemCollectionMetrics)
	if len(c) > 1 {
		// UpdateItem stops at its first invalid enum.
		c = c[:1]
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	upd, cond, err := parseUpdateRequest(in)
	if err != nil {
		return nil, err
	}
	t, m, err := s.lookup(name)
	if err != nil {
		return nil, err
	}
	if err := checkKey(m, in.Key); err != nil {
		return nil, err
	}
	if err := checkUpdateKeys(m, upd); err != nil {
		return nil, err
	}
	res, err := s.writeOne(writeReq{
		t: t, key: m.itemKey(in.Key), cond: cond, returnOld: in.ReturnValuesOnConditionCheckFailure, needOld: true,
		mutate: func(m *tableMeta, old attr.Item) (attr.Item, error) {
			next, err := applyUpdate(m, in.Key, upd, old)
			if err == nil && upd != nil && updateWriteSize(upd, next) > attr.MaxItemSize {
				return nil, validation("Item size to update has exceeded the maximum allowed size")
			}
			return next, err
		},
	})
	if err != nil {
		return nil, err
	}
	out := &writeItemOutput{
		ConsumedCapacity:      consumed(in.ReturnConsumedCapacity, res.m, res.units.table, res.units.indexes, noSplit),
		ItemCollectionMetrics: collectionMetrics(in.ReturnItemCollectionMetrics, res.m, res.next),
	}
	out.Attributes = updateReturnValues(in.ReturnValues, upd, res.old, res.next)
	return out, nil
}

// updateReturnValues selects UpdateItem's returned attributes.
func updateReturnValues(rv string, u *expr.Update, old, next attr.Item) attr.Item {
	var out attr.Item
	switch rv {
	case "ALL_OLD":
		out = old
	case "ALL_NEW":
		out = next
	case "UPDATED_OLD", "UPDATED_NEW":
		src := old
		if rv == "UPDATED_NEW" {
			src = next
		}
		if src == nil || u == nil {
			return nil
		}
		out = expr.Project(src, u.Paths())
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func wantsCapacity(mode string) bool { return mode == "TOTAL" || mode == "INDEXES" }
