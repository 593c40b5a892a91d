package dynamodb

import (
	"context"
	"encoding/json"

	"github.com/nimbus-dev/nimbus/internal/dynamodb/attr"
	"github.com/nimbus-dev/nimbus/internal/storage"
)

// updateTableOutput is UpdateTable's response.
type updateTableOutput struct {
	TableDescription *tableDescription `json:"TableDescription"`
}

// updateTableParams are the members of which UpdateTable needs at least one.
var updateTableParams = []string{"ProvisionedThroughput", "BillingMode", "StreamSpecification", "GlobalSecondaryIndexUpdates", "SSESpecification",
	"ReplicaUpdates", "MultiAccountReplicaReady", "ReplicaTransitRoleArn", "MultiRegionConsistency", "DeletionProtectionEnabled",
	"OnDemandThroughput", "WarmThroughput", "TableClass"}

// updateTable serves UpdateTable: billing, throughput, streams, deletion
// protection, table class and one GSI create (backfilled before returning),
// delete or update per call, with DynamoDB's rules on what may be combined.
func (s *Service) updateTable(ctx context.Context, in *updateTableInput) (*updateTableOutput, error) {
	if in.TableName == nil {
		return nil, validation("The parameter 'TableName' is required but was not present in the request")
	}
	var c constraints
	name := tableName(in.TableName, &c, "tableName", 3)
	if len(c) > 0 {
		return nil, c.err()
	}
	present := map[string]bool{}
	if in.raw != nil {
		checkShape(in.raw, updateTableShape, &c)
		var top map[string]json.RawMessage
		json.Unmarshal(in.raw, &top)
		for k, v := range top {
			present[k] = string(v) != "null"
		}
	} else {
		enumCheck(&c, in.BillingMode, "billingMode", "PROVISIONED", "PAY_PER_REQUEST")
		present["BillingMode"] = in.BillingMode != ""
		present["GlobalSecondaryIndexUpdates"] = in.GlobalSecondaryIndexUpdates != nil
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	if err := checkTableClass(in.TableClass); err != nil {
		return nil, err
	}
	present["GlobalSecondaryIndexUpdates"] = len(in.GlobalSecondaryIndexUpdates) > 0
	if err := checkUpdateTableCombination(in, present); err != nil {
		return nil, err
	}
	if in.ProvisionedThroughput != nil {
		if _, _, err := checkCapacity(in.ProvisionedThroughput); err != nil {
			return nil, err
		}
	}
	indexChanges := 0
	seen := map[string]bool{}
	for _, u := range in.GlobalSecondaryIndexUpdates {
		var name string
		n := 0
		if u.Create != nil {
			n, name = n+1, u.Create.IndexName
		}
		if u.Delete != nil {
			n, name = n+1, u.Delete.IndexName
		}
		if u.Update != nil {
			n, name = n+1, u.Update.IndexName
		}
		switch {
		case n == 0:
			return nil, validation("One or more parameter values were invalid: One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete must not be null")
		case n > 1:
			return nil, validation("One or more parameter values were invalid: Only one global secondary index action is allowed per GlobalSecondaryIndexUpdate object")
		case seen[name]:
			return nil, validation("One or more parameter values were invalid: Only one global secondary index update per index is allowed simultaneously. Index: " + name)
		}
		seen[name] = true
		if u.Create != nil || u.Delete != nil {
			indexChanges++
		}
	}
	t, _, err := s.lookup(name)
	if err != nil {
		return nil, notFoundTable(name)
	}
	if indexChanges > 1 {
		return nil, &apiError{Type: typeLimitExceeded, Message: "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table"}
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
	if ss := in.StreamSpecification; ss != nil {
		enabled := m.Stream != nil && m.Stream.StreamEnabled
		switch {
		case ss.StreamEnabled && ss.StreamViewType == "":
			return nil, validation("One or more parameter values were invalid: If stream is being enabled then UpdateViewType is required")
		case !ss.StreamEnabled && ss.StreamViewType != "":
			return nil, validation("One or more parameter values were invalid: If stream is being disabled, then UpdateViewType must not be specified")
		case ss.StreamEnabled && enabled:
			return nil, validation("Table already has an enabled stream: TableName: " + name)
		case !ss.StreamEnabled && !enabled:
			return nil, validation("Table has no stream to disable: TableName: " + name)
		case ss.StreamEnabled:
			m.Stream = ss
			m.StreamLabel = s.now().UTC().Format("2006-01-02T15:04:05.000")
		default:
			m.Stream = nil
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
	var created, deleted []*indexMeta
	var b storage.Batch
	for _, u := range in.GlobalSecondaryIndexUpdates {
		switch {
		case u.Create != nil:
			if m.index(u.Create.IndexName) != nil {
				return nil, validation("Attempting to create an index which already exists")
			}
			if in.AttributeDefinitions == nil {
				return nil, validation("One or more parameter values were invalid: AttributeDefinitions is not specified for index: " + u.Create.IndexName)
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
				if m.index(u.Delete.IndexName) != nil {
					return nil, validation("Cannot delete an index that is not a GlobalSecondaryIndex: " + u.Delete.IndexName)
				}
				return nil, &apiError{Type: typeResourceNotFound, Message: "Requested resource not found: Index: " + u.Delete.IndexName + " not found"}
			}
			p := indexPrefix(m.Num, m.GSIs[i].ID)
			b.DeleteRange(p, storage.PrefixEnd(p))
			deleted = append(deleted, m.GSIs[i])
			m.GSIs = append(m.GSIs[:i], m.GSIs[i+1:]...)
		case u.Update != nil:
			i := indexOf(m.GSIs, u.Update.IndexName)
			if i < 0 {
				if m.index(u.Update.IndexName) != nil {
					return nil, validation("Cannot update an index that is not a GlobalSecondaryIndex: " + u.Update.IndexName)
				}
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
	// The change is complete when the call returns; the response reports
	// the transition as AWS does (a DescribeTable already shows ACTIVE).
	d := s.describe(t, m, "UPDATING", false)
	backfilling := false
	for i := range d.GlobalSecondaryIndexes {
		for _, ix := range created {
			if d.GlobalSecondaryIndexes[i].IndexName == ix.Name {
				d.GlobalSecondaryIndexes[i].IndexStatus = "CREATING"
				d.GlobalSecondaryIndexes[i].Backfilling = &backfilling
			}
		}
	}
	for _, ix := range deleted {
		o := s.describeIndex(m, ix, nil)
		o.IndexStatus = "DELETING"
		d.GlobalSecondaryIndexes = append(d.GlobalSecondaryIndexes, o)
	}
	return &updateTableOutput{d}, nil
}

// checkUpdateTableCombination enforces that an UpdateTable call makes one
// kind of change: deletion protection, table class and encryption changes
// stand alone, and streams, throughput and index creation or deletion do
// not mix (only BillingMode combines freely).
func checkUpdateTableCombination(in *updateTableInput, present map[string]bool) error {
	n := 0
	for _, k := range updateTableParams {
		if present[k] {
			n++
		}
	}
	if n == 0 {
		return validation("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, ReplicaTransitRoleArn, MultiRegionConsistency, DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or TableClass is required")
	}
	const invalid = "One or more parameter values were invalid: "
	if n > 1 {
		for _, x := range []struct{ param, what string }{
			{"SSESpecification", "Server-Side Encryption modification"}, {"TableClass", "TableClass modification"},
			{"DeletionProtectionEnabled", "DeletionProtection modification"}, {"WarmThroughput", "WarmThroughput"},
		} {
			if present[x.param] {
				return validation(invalid + x.what + " must be the only operation in the request")
			}
		}
	}
	indexChange := false
	for _, u := range in.GlobalSecondaryIndexUpdates {
		indexChange = indexChange || u.Create != nil || u.Delete != nil
	}
	stream := present["StreamSpecification"]
	iops := present["ProvisionedThroughput"] || in.BillingMode == "PROVISIONED"
	switch {
	case stream && iops:
		return validation(invalid + "You cannot modify stream status while updating table IOPS")
	case indexChange && present["ProvisionedThroughput"]:
		return validation(invalid + "You cannot create or delete index while updating table IOPS")
	case indexChange && stream:
		return validation(invalid + "You cannot create or delete index while changing stream status")
	}
	return nil
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
