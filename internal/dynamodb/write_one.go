package dynamodb

import (
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
	// precheck, when set, runs on the current item before the condition.
	precheck func(old attr.Item) error
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
	if w.precheck != nil {
		if err := w.precheck(old); err != nil {
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

func wantsCapacity(mode string) bool { return mode == "TOTAL" || mode == "INDEXES" }
