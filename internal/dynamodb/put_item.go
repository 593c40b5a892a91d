package dynamodb

import (
	"context"

	"github.com/nimbus-dev/nimbus/internal/dynamodb/attr"
	"github.com/nimbus-dev/nimbus/internal/dynamodb/expr"
)

// putItemInput is PutItem's request.
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

// writeItemOutput is the response of PutItem, UpdateItem and DeleteItem.
type writeItemOutput struct {
	Attributes            attr.Item              `json:"Attributes,omitempty"`
	ConsumedCapacity      *consumedCapacity      `json:"ConsumedCapacity,omitempty"`
	ItemCollectionMetrics *itemCollectionMetrics `json:"ItemCollectionMetrics,omitempty"`
}

// putItem serves PutItem.
func (s *Service) putItem(ctx context.Context, in *putItemInput) (*writeItemOutput, error) {
	var c constraints
	if in.TableName != nil && *in.TableName == "" {
		// PutItem reports an empty name in the validation framework's
		// newer form, alone.
		return nil, constraintErrors([]string{"Value at 'TableName' failed to satisfy constraint: Member must have length greater than or equal to 1"})
	}
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
		return nil, envelope(validation("ReturnValues can only be ALL_OLD or NONE"))
	}
	if err := checkAttributeNames(in.Item); err != nil {
		return nil, envelope(err)
	}
	cond, err := s.conditionOf(in.ConditionExpression, in.ExpressionAttributeNames, in.ExpressionAttributeValues, in.Expected, in.ConditionalOperator)
	if err != nil {
		return nil, envelope(err)
	}
	t, m, err := s.lookup(name)
	if err != nil {
		return nil, err
	}
	if err := checkScalarKeyPaths(m, expr.CondPaths(cond, nil)); err != nil {
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
