package dynamodb

import (
	"context"
	"fmt"

	"github.com/nimbus-dev/nimbus/internal/app"
)

// EnsureTable makes a template table exist: created when absent; when
// present with the same key schema its data is kept and its global
// secondary indexes are added or removed to match; TTL follows
// t.TimeToLiveAttribute. A changed key schema is an error, never a silent
// loss of data.
func (s *Service) EnsureTable(ctx context.Context, t *app.Table) error {
	in := createInputOf(t)
	want, err := s.buildTableMeta(in)
	if err != nil {
		return fmt.Errorf("table %s: %w", t.TableName, err)
	}
	s.mu.RLock()
	live := s.tables[want.Name]
	s.mu.RUnlock()
	if live == nil {
		if err := s.addTable(want); err != nil {
			return fmt.Errorf("table %s: %w", t.TableName, err)
		}
		s.mu.RLock()
		live = s.tables[want.Name]
		s.mu.RUnlock()
	} else {
		cur := live.meta.Load()
		if !sameKey(cur.Hash, want.Hash) || !sameRange(cur.Range, want.Range) {
			return fmt.Errorf("table %s: key schema changed from %s to %s; the existing table keeps its data: delete it (or the data directory) to recreate it",
				t.TableName, keyString(cur.Hash, cur.Range), keyString(want.Hash, want.Range))
		}
		if err := s.syncIndexes(live, cur, want, in); err != nil {
			return fmt.Errorf("table %s: %w", t.TableName, err)
		}
	}
	cur := live.meta.Load()
	switch {
	case t.TimeToLiveAttribute != "" && (!cur.TTLEnabled || cur.TTLAttr != t.TimeToLiveAttribute):
		if cur.TTLEnabled {
			if err := s.setTTL(live, cur.TTLAttr, false); err != nil {
				return err
			}
		}
		return s.setTTL(live, t.TimeToLiveAttribute, true)
	case t.TimeToLiveAttribute == "" && cur.TTLEnabled:
		return s.setTTL(live, cur.TTLAttr, false)
	}
	return nil
}

// syncIndexes adds and removes GSIs so the live table matches want. LSIs
// cannot change after creation; a difference is reported.
func (s *Service) syncIndexes(live *table, cur, want *tableMeta, in *createTableInput) error {
	for _, w := range want.LSIs {
		c := cur.index(w.Name)
		if c == nil || !c.Local || !sameKey(c.Hash, w.Hash) || !sameRange(c.Range, w.Range) {
			return fmt.Errorf("local secondary index %s differs from the existing table's; LSIs can only be defined when a table is created", w.Name)
		}
	}
	var updates []gsiUpdate
	for _, c := range cur.GSIs {
		w := want.index(c.Name)
		if w == nil || !sameKey(c.Hash, w.Hash) || !sameRange(c.Range, w.Range) || c.ProjectionType != w.ProjectionType || fmt.Sprint(c.NonKeyAttrs) != fmt.Sprint(w.NonKeyAttrs) {
			name := c.Name
			updates = append(updates, gsiUpdate{Delete: &struct {
				IndexName string `json:"IndexName"`
			}{name}})
		}
	}
	for _, gi := range in.GlobalSecondaryIndexes {
		c := cur.index(gi.IndexName)
		w := want.index(gi.IndexName)
		if c == nil || !sameKey(c.Hash, w.Hash) || !sameRange(c.Range, w.Range) || c.ProjectionType != w.ProjectionType || fmt.Sprint(c.NonKeyAttrs) != fmt.Sprint(w.NonKeyAttrs) {
			g := gi
			updates = append(updates, gsiUpdate{Create: &g})
		}
	}
	// UpdateTable creates or deletes one index per call, as on AWS.
	name := cur.Name
	for _, u := range updates {
		if _, err := s.updateTable(context.Background(), &updateTableInput{
			TableName: &name, AttributeDefinitions: in.AttributeDefinitions, GlobalSecondaryIndexUpdates: []gsiUpdate{u},
		}); err != nil {
			return err
		}
	}
	return nil
}

func sameKey(a, b keyAttr) bool { return a == b }

func sameRange(a, b *keyAttr) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func keyString(h keyAttr, r *keyAttr) string {
	s := fmt.Sprintf("HASH %s (%s)", h.Name, h.Type)
	if r != nil {
		s += fmt.Sprintf(", RANGE %s (%s)", r.Name, r.Type)
	}
	return s
}

// createInputOf converts the app model's table into a CreateTable request.
func createInputOf(t *app.Table) *createTableInput {
	name := t.TableName
	in := &createTableInput{TableName: &name, BillingMode: t.BillingMode}
	for _, d := range t.AttributeDefinitions {
		in.AttributeDefinitions = append(in.AttributeDefinitions, attributeDefinition{d.AttributeName, d.AttributeType})
	}
	in.KeySchema = keysOf(t.KeySchema)
	in.ProvisionedThroughput = throughputOf(t.ProvisionedThroughput)
	if in.BillingMode == "" && in.ProvisionedThroughput == nil {
		in.BillingMode = "PAY_PER_REQUEST"
	}
	for _, g := range t.GlobalSecondaryIndexes {
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, secondaryIndexInput(g, in.BillingMode))
	}
	for _, l := range t.LocalSecondaryIndexes {
		in.LocalSecondaryIndexes = append(in.LocalSecondaryIndexes, secondaryIndexInput(l, ""))
	}
	if t.StreamSpecification != nil {
		in.StreamSpecification = &streamSpec{StreamEnabled: t.StreamSpecification.StreamEnabled, StreamViewType: t.StreamSpecification.StreamViewType}
	}
	return in
}

func keysOf(ks []app.KeySchemaElement) []keySchemaElement {
	out := make([]keySchemaElement, 0, len(ks))
	for _, k := range ks {
		out = append(out, keySchemaElement{k.AttributeName, k.KeyType})
	}
	return out
}

func throughputOf(p *app.ProvisionedThroughput) *throughputIn {
	if p == nil {
		return nil
	}
	r, w := p.ReadCapacityUnits, p.WriteCapacityUnits
	return &throughputIn{&r, &w}
}

// secondaryIndexInput converts an app model index into a CreateTable index.
func secondaryIndexInput(ix app.SecondaryIndex, billing string) indexIn {
	in := indexIn{IndexName: ix.IndexName, KeySchema: keysOf(ix.KeySchema),
		Projection: &projection{ProjectionType: ix.Projection.ProjectionType, NonKeyAttributes: ix.Projection.NonKeyAttributes}}
	if billing != "PAY_PER_REQUEST" {
		in.ProvisionedThroughput = throughputOf(ix.ProvisionedThroughput)
		if in.ProvisionedThroughput == nil && billing == "PROVISIONED" {
			one := int64(1)
			in.ProvisionedThroughput = &throughputIn{&one, &one}
		}
	}
	return in
}
