package dynamodb

import (
	"context"

	"github.com/nimbus-dev/nimbus/internal/dynamodb/attr"
	"github.com/nimbus-dev/nimbus/internal/dynamodb/expr"
)

// getItemInput is GetItem's request.
type getItemInput struct {
	TableName                *string           `json:"TableName"`
	Key                      attr.Item         `json:"Key"`
	ConsistentRead           bool              `json:"ConsistentRead"`
	ProjectionExpression     *string           `json:"ProjectionExpression"`
	ExpressionAttributeNames map[string]string `json:"ExpressionAttributeNames"`
	AttributesToGet          []string          `json:"AttributesToGet"`
	ReturnConsumedCapacity   string            `json:"ReturnConsumedCapacity"`
}

// getItemOutput is GetItem's response.
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

// getItem serves GetItem (every read is strongly consistent).
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
	if err := checkScalarKeyPaths(m, proj); err != nil {
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
