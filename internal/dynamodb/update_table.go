package dynamodb

import (
	"context"

	"github.com/nimbus-dev/nimbus/internal/dynamodb/attr"
	"github.com/nimbus-dev/nimbus/internal/storage"
)

// updateTableOutput is UpdateTable's response.
type updateTableOutput struct {
	TableDescription *tableDescription `json:"TableDescription"`
}

// updateTable serves UpdateTable: billing, throughput, streams and GSI create
// (backfilled before returning), update and delete.
func (s *Service) updateTable(ctx context.Context, in *updateTableInput) (*updateTableOutput, error) {
	var c constraints
	name := tableName(in.TableName, &c, "tableName", 3)
	if len(c) > 0 {
		return nil, c.err()
	}
	enumCheck(&c, in.BillingMode, "billingMode", "PROVISIONED", "PAY_PER_REQUEST")
	if err := c.err(); err != nil {
		return nil, err
	}
	t, _, err := s.lookup(name)
	if err != nil {
		return nil, notFoundTable(name)
	}
	t.schema.Lock()
	defer t.schema.Unlock()
	old := t.meta.Load()
	m := old.clone()
	if in.BillingMode != "" && in.BillingMode != m.BillingMode {
		m.BillingMode = in.BillingMode
		m.BillingExplicit = true
		if in.BillingMode == "PAY_PER_REQUEST" {
			m.BillingUpdated = s.nowSeconds()
			m.RCU, m.WCU = 0, 0
			for _, g := range m.GSIs {
				g.RCU, g.WCU = 0, 0
			}
		}
	}
	if in.ProvisionedThroughput != nil {
		rcu, wcu, err := throughput(m.BillingMode, in.ProvisionedThroughput, "")
		if err != nil {
			return nil, err
		}
		if old.BillingMode == "PROVISIONED" && rcu == old.RCU && wcu == old.WCU {
			return nil, validationf("The provisioned throughput for the table will not change. The requested value equals the current value. Current ReadCapacityUnits provisioned for the table: %d. Requested ReadCapacityUnits: %d. Current WriteCapacityUnits provisioned for the table: %d. Requested WriteCapacityUnits: %d. Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.", old.RCU, rcu, old.WCU, wcu)
		}
		m.RCU, m.WCU = rcu, wcu
	} else if m.BillingMode == "PROVISIONED" && old.BillingMode != "PROVISIONED" {
		return nil, validation("One or more parameter values were invalid: ProvisionedThroughput must be specified when BillingMode is PROVISIONED")
	}
	if in.StreamSpecification != nil {
		if err := checkStream(in.StreamSpecification); err != nil {
			return nil, err
		}
		m.Stream = in.StreamSpecification
		if m.Stream.StreamEnabled {
			m.StreamLabel = s.now().UTC().Format("2006-01-02T15:04:05.000")
		}
	}
	if in.DeletionProtectionEnabled != nil {
		m.DeletionProtection = *in.DeletionProtectionEnabled
	}
	if in.TableClass != "" {
		m.TableClass = in.TableClass
	}
	defs := map[string]string{}
	var defOrder []string
	for _, d := range m.AttrDefs {
		defs[d.AttributeName] = d.AttributeType
		defOrder = append(defOrder, d.AttributeName)
	}
	for _, d := range in.AttributeDefinitions {
		if cur, ok := defs[d.AttributeName]; ok && cur != d.AttributeType {
			return nil, validationf("One or more parameter values were invalid: Cannot update attribute %s. This attribute is part of the key", d.AttributeName)
		}
		if _, ok := defs[d.AttributeName]; !ok {
			defs[d.AttributeName] = d.AttributeType
			defOrder = append(defOrder, d.AttributeName)
			m.AttrDefs = append(m.AttrDefs, d)
		}
	}
	var created []*indexMeta
	var b storage.Batch
	for _, u := range in.GlobalSecondaryIndexUpdates {
		switch {
		case u.Create != nil:
			if m.index(u.Create.IndexName) != nil {
				return nil, validationf("One or more parameter values were invalid: Index with name %s already exists", u.Create.IndexName)
			}
			if len(m.GSIs) >= 20 {
				return nil, &apiError{Type: typeLimitExceeded, Message: "Subscriber limit exceeded: Number of global secondary indexes exceeds the per-table limit of 20"}
			}
			ix, err := s.buildIndex(m, *u.Create, defs, defOrder, false, map[string]bool{}, true)
			if err != nil {
				return nil, err
			}
			m.GSIs = append(m.GSIs, ix)
			created = append(created, ix)
		case u.Delete != nil:
			i := indexOf(m.GSIs, u.Delete.IndexName)
			if i < 0 {
				return nil, &apiError{Type: typeResourceNotFound, Message: "Requested resource not found: Index: " + u.Delete.IndexName + " not found"}
			}
			p := indexPrefix(m.Num, m.GSIs[i].ID)
			b.DeleteRange(p, storage.PrefixEnd(p))
			m.GSIs = append(m.GSIs[:i], m.GSIs[i+1:]...)
		case u.Update != nil:
			i := indexOf(m.GSIs, u.Update.IndexName)
			if i < 0 {
				return nil, &apiError{Type: typeResourceNotFound, Message: "Requested resource not found: Index: " + u.Update.IndexName + " not found"}
			}
			rcu, wcu, err := throughput(m.BillingMode, u.Update.ProvisionedThroughput, u.Update.IndexName)
			if err != nil {
				return nil, err
			}
			m.GSIs[i].RCU, m.GSIs[i].WCU = rcu, wcu
		}
	}
	pruneAttrDefs(m)
	if err := s.backfill(m, created, &b); err != nil {
		return nil, err
	}
	s.saveMeta(&b, m)
	if err := s.store.Apply(&b); err != nil {
		return nil, internal(err)
	}
	t.meta.Store(m)
	t.gen.Add(1)
	return &updateTableOutput{s.describe(t, m, "ACTIVE", false)}, nil
}

func indexOf(list []*indexMeta, name string) int {
	for i, ix := range list {
		if ix.Name == name {
			return i
		}
	}
	return -1
}

// pruneAttrDefs drops definitions no key uses any more.
func pruneAttrDefs(m *tableMeta) {
	used := map[string]bool{m.Hash.Name: true}
	if m.Range != nil {
		used[m.Range.Name] = true
	}
	for _, ix := range m.indexes() {
		markUsed(used, ix)
	}
	defs := m.AttrDefs[:0:0]
	for _, d := range m.AttrDefs {
		if used[d.AttributeName] {
			defs = append(defs, d)
		}
	}
	m.AttrDefs = defs
}

// backfill writes entries of new indexes for every existing item into b.
// The caller holds the table's schema lock, so no write runs meanwhile.
func (s *Service) backfill(m *tableMeta, created []*indexMeta, b *storage.Batch) error {
	if len(created) == 0 {
		return nil
	}
	p := indexPrefix(m.Num, baseIndex)
	it, err := s.store.NewIter(storage.IterOptions{Lower: p, Upper: storage.PrefixEnd(p)})
	if err != nil {
		return internal(err)
	}
	defer it.Close()
	for it.Next() {
		item, err := attr.DecodeItem(it.Value())
		if err != nil {
			return internal(err)
		}
		for _, ix := range created {
			if k := m.indexKey(ix, item); k != nil {
				b.Set(k, attr.AppendItem(nil, m.projectForIndex(ix, item)))
			}
		}
	}
	return it.Err()
}
