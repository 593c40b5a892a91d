package dynamodb

import (
	"context"
	"hash/fnv"
	"slices"

	"github.com/nimbus-dev/nimbus/internal/dynamodb/attr"
	"github.com/nimbus-dev/nimbus/internal/dynamodb/expr"
	"github.com/nimbus-dev/nimbus/internal/storage"
)

// scan serves Scan, including parallel scans (segments by partition key
// hash).
func (s *Service) scan(ctx context.Context, in *queryInput) (*queryOutput, error) {
	var c constraints
	name := tableName(in.TableName, &c, "tableName", 1)
	if len(c) > 0 {
		return nil, c.err()
	}
	if err := checkConditionalOperator(in.ConditionalOperator); err != nil {
		return nil, err
	}
	commonReadChecks(in, &c, true)
	if in.Segment != nil && *in.Segment < 0 {
		c.add("Value '%d' at 'segment' failed to satisfy constraint: Member must have value greater than or equal to 0", *in.Segment)
	} else if in.Segment != nil && *in.Segment > 999999 {
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
	if err := checkSelect(in.Select, in, true); err != nil {
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
	if err := checkScalarKeyPaths(m, append(slices.Clone(proj), expr.CondPaths(filter, nil)...)); err != nil {
		return nil, err
	}
	count, fetchBase, err := selectPlan(in.Select, proj != nil, m, ix)
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
		if plan.start, err = startKey(m, ix, in.ExclusiveStartKey, false); err != nil {
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
