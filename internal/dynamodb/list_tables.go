package dynamodb

import (
	"context"
	"sort"
)

// listTablesOutput is ListTables' response.
type listTablesOutput struct {
	TableNames             []string `json:"TableNames"`
	LastEvaluatedTableName string   `json:"LastEvaluatedTableName,omitempty"`
}

// listTables serves ListTables in name order, paginated by
// ExclusiveStartTableName.
func (s *Service) listTables(ctx context.Context, in *listTablesInput) (*listTablesOutput, error) {
	limit := 100
	var c constraints
	if in.ExclusiveStartTableName != nil {
		tableName(in.ExclusiveStartTableName, &c, "exclusiveStartTableName", 3)
	}
	if in.Limit != nil {
		if *in.Limit < 1 || *in.Limit > 100 {
			cmp := "greater than or equal to 1"
			if *in.Limit > 100 {
				cmp = "less than or equal to 100"
			}
			c.add("Value '%d' at 'limit' failed to satisfy constraint: Member must have value %s", *in.Limit, cmp)
		}
		limit = *in.Limit
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	names := make([]string, 0, len(s.tables))
	for n := range s.tables {
		names = append(names, n)
	}
	s.mu.RUnlock()
	sort.Strings(names)
	out := &listTablesOutput{TableNames: []string{}}
	for _, n := range names {
		if in.ExclusiveStartTableName != nil && n <= *in.ExclusiveStartTableName {
			continue
		}
		if len(out.TableNames) == limit {
			out.LastEvaluatedTableName = out.TableNames[limit-1]
			break
		}
		out.TableNames = append(out.TableNames, n)
	}
	return out, nil
}
