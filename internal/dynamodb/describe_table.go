package dynamodb

import (
	"context"
	"fmt"

	"github.com/nimbus-dev/nimbus/internal/dynamodb/attr"
	"github.com/nimbus-dev/nimbus/internal/storage"
)

// tableArn is the table's ARN in the service's region and account.
func (s *Service) tableArn(name string) string {
	return fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/%s", s.region, s.acct, name)
}

// describe builds a TableDescription; counts come from withStats.
func (s *Service) describe(t *table, m *tableMeta, status string, withStats bool) *tableDescription {
	arn := s.tableArn(m.Name)
	d := &tableDescription{
		AttributeDefinitions: m.AttrDefs,
		TableName:            m.Name,
		KeySchema:            schemaOf(m.Hash, m.Range),
		TableStatus:          status,
		CreationDateTime:     m.Created,
		ProvisionedThroughput: throughputOut{
			ReadCapacityUnits: m.RCU, WriteCapacityUnits: m.WCU,
		},
		TableArn:                  arn,
		TableId:                   m.ID,
		DeletionProtectionEnabled: m.DeletionProtection,
	}
	if m.BillingMode == "PAY_PER_REQUEST" || m.BillingExplicit {
		d.BillingModeSummary = &billingModeSummary{BillingMode: m.BillingMode, LastUpdateToPayPerRequestDateTime: m.BillingUpdated}
	}
	if m.TableClass != "" {
		d.TableClassSummary = &tableClassSummary{TableClass: m.TableClass}
	}
	if m.Stream != nil && m.Stream.StreamEnabled {
		d.StreamSpecification = m.Stream
	}
	// The latest stream stays named after the stream is disabled.
	if m.StreamLabel != "" {
		d.LatestStreamLabel = m.StreamLabel
		d.LatestStreamArn = arn + "/stream/" + m.StreamLabel
	}
	var st *tableStats
	if withStats {
		st = s.stats(t, m)
		d.ItemCount, d.TableSizeBytes = st.count, st.size
	}
	for _, ix := range m.LSIs {
		d.LocalSecondaryIndexes = append(d.LocalSecondaryIndexes, s.describeIndex(m, ix, st))
	}
	for _, ix := range m.GSIs {
		d.GlobalSecondaryIndexes = append(d.GlobalSecondaryIndexes, s.describeIndex(m, ix, st))
	}
	return d
}

// describeIndex builds one index description.
func (s *Service) describeIndex(m *tableMeta, ix *indexMeta, st *tableStats) indexOut {
	o := indexOut{
		IndexName:  ix.Name,
		KeySchema:  schemaOf(ix.Hash, ix.Range),
		Projection: projection{ProjectionType: ix.ProjectionType, NonKeyAttributes: ix.NonKeyAttrs},
		IndexArn:   s.tableArn(m.Name) + "/index/" + ix.Name,
	}
	if st != nil {
		c := st.indexes[ix.ID]
		o.ItemCount, o.IndexSizeBytes = c[0], c[1]
	}
	if !ix.Local {
		o.IndexStatus = "ACTIVE"
		o.ProvisionedThroughput = &throughputOut{ReadCapacityUnits: ix.RCU, WriteCapacityUnits: ix.WCU}
	}
	return o
}

func schemaOf(h keyAttr, r *keyAttr) []keySchemaElement {
	ks := []keySchemaElement{{h.Name, "HASH"}}
	if r != nil {
		ks = append(ks, keySchemaElement{r.Name, "RANGE"})
	}
	return ks
}

// stats counts items and sizes of the table and its indexes, reusing the
// last count while no write happened since.
func (s *Service) stats(t *table, m *tableMeta) *tableStats {
	t.statsMu.Lock()
	defer t.statsMu.Unlock()
	gen := t.gen.Load()
	if t.stats != nil && t.stats.gen == gen {
		return t.stats
	}
	st := &tableStats{gen: gen, indexes: map[uint16][2]int64{}}
	ids := []uint16{baseIndex}
	for _, ix := range m.indexes() {
		ids = append(ids, ix.ID)
	}
	for _, id := range ids {
		p := indexPrefix(m.Num, id)
		it, err := s.store.NewIter(storage.IterOptions{Lower: p, Upper: storage.PrefixEnd(p)})
		if err != nil {
			return st
		}
		var n, size int64
		for it.Next() {
			n++
			if item, err := attr.DecodeItem(it.Value()); err == nil {
				size += int64(attr.ItemSize(item))
			}
		}
		it.Close()
		if id == baseIndex {
			st.count, st.size = n, size
		} else {
			st.indexes[id] = [2]int64{n, size}
		}
	}
	t.stats = st
	return st
}

// describeTableOutput is DescribeTable's response.
type describeTableOutput struct {
	Table *tableDescription `json:"Table"`
}

// describeTable serves DescribeTable, with exact item counts and sizes.
func (s *Service) describeTable(ctx context.Context, in *tableNameInput) (*describeTableOutput, error) {
	var c constraints
	name := tableName(in.TableName, &c, "tableName", 1)
	if len(c) > 0 {
		return nil, c.err()
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	t, m, err := s.lookup(name)
	if err != nil {
		return nil, notFoundTable(name)
	}
	return &describeTableOutput{s.describe(t, m, "ACTIVE", true)}, nil
}
