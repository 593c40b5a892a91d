package dynamodb

import (
	"context"
	"strings"

	"github.com/nimbus-dev/nimbus/internal/dynamodb/attr"
	"github.com/nimbus-dev/nimbus/internal/dynamodb/expr"
)

// updateItemInput is UpdateItem's request.
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

// updatePaths lists the document paths an update and its condition touch.
func updatePaths(u *expr.Update, cond expr.Cond) []expr.Path {
	var paths []expr.Path
	if u != nil {
		paths = u.AllPaths()
	}
	return expr.CondPaths(cond, paths)
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
			// Errors that depend on the item carry no "Invalid
			// UpdateExpression" prefix.
			if e, ok := err.(*expr.Error); ok {
				return nil, validation(e.Msg)
			}
			return nil, err
		}
	}
	if err := checkItem(m, next, true); err != nil {
		return nil, err
	}
	return next, nil
}

// updateItem serves UpdateItem, creating the item when absent as DynamoDB
// does.
func (s *Service) updateItem(ctx context.Context, in *updateItemInput) (*writeItemOutput, error) {
	var c constraints
	if in.Key == nil {
		// Without a Key, the member errors are all reported together.
		enumCheck(&c, in.ConditionalOperator, "conditionalOperator", "OR", "AND")
		enumCheck(&c, in.ReturnConsumedCapacity, "returnConsumedCapacity", "INDEXES", "TOTAL", "NONE")
		tableName(in.TableName, &c, "tableName", 1)
		enumCheck(&c, in.ReturnValues, "returnValues", "ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW")
		enumCheck(&c, in.ReturnValuesOnConditionCheckFailure, "returnValuesOnConditionCheckFailure", "ALL_OLD", "NONE")
		enumCheck(&c, in.ReturnItemCollectionMetrics, "returnItemCollectionMetrics", "SIZE", "NONE")
		c.add("Value null at 'key' failed to satisfy constraint: Member must not be null")
		return nil, c.err()
	}
	name := tableName(in.TableName, &c, "tableName", 1)
	if len(c) > 0 {
		return nil, c.err()
	}
	checkReturnValues(&c, in.ReturnValues, in.ReturnValuesOnConditionCheckFailure, in.ReturnConsumedCapacity, in.ReturnItemCollectionMetrics)
	if len(c) > 0 && strings.Contains(c[0], "at 'returnValues'") {
		// UpdateItem stops at its first invalid enum; ReturnValues is
		// reported in the validation framework's newer form (sic
		// "UPDATE_NEW").
		c = constraints{"Failed to satisfy constraint: Member must satisfy enum value set: [ALL_OLD, UPDATED_OLD, ALL_NEW, UPDATE_NEW, NONE]"}
	}
	if len(c) > 1 {
		c = c[:1]
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	upd, cond, err := parseUpdateRequest(in)
	if err != nil {
		return nil, envelope(err)
	}
	t, m, err := s.lookup(name)
	if err != nil {
		return nil, err
	}
	if err := checkKey(m, in.Key); err != nil {
		return nil, err
	}
	if err := checkScalarKeyPaths(m, updatePaths(upd, cond)); err != nil {
		return nil, err
	}
	if err := checkUpdateKeys(m, upd); err != nil {
		return nil, err
	}
	res, err := s.writeOne(writeReq{
		t: t, key: m.itemKey(in.Key), cond: cond, returnOld: in.ReturnValuesOnConditionCheckFailure, needOld: true,
		// Standalone UpdateItem also meters the statement it runs (what
		// each clause writes and reads plus a fixed cost per clause), ahead
		// of its condition; the key and untouched attributes stay out of it.
		precheck: func(old attr.Item) error {
			if upd != nil && upd.StatementSize(old) > attr.MaxItemSize {
				return validation("Item size to update has exceeded the maximum allowed size")
			}
			return nil
		},
		mutate: func(m *tableMeta, old attr.Item) (attr.Item, error) {
			if old == nil && upd != nil && upd.OnlyRemoves() {
				// Removing from a missing item does not create it.
				return nil, nil
			}
			return applyUpdate(m, in.Key, upd, old)
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
