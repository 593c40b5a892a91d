package dynamodb

import (
	"context"

	"github.com/nimbus-dev/nimbus/internal/storage"
)

// deleteTableOutput is DeleteTable's response.
type deleteTableOutput struct {
	TableDescription *tableDescription `json:"TableDescription"`
}

// deleteTable serves DeleteTable: definition and data go in one atomic batch.
func (s *Service) deleteTable(ctx context.Context, in *tableNameInput) (*deleteTableOutput, error) {
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
	if m.DeletionProtection {
		return nil, validation("Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.")
	}
	desc := s.describe(t, m, "DELETING", true)
	if err := s.dropTable(t, m); err != nil {
		return nil, err
	}
	s.log.Info("table deleted", "table", name)
	return &deleteTableOutput{desc}, nil
}

// dropTable removes the table definition and all its data atomically.
func (s *Service) dropTable(t *table, m *tableMeta) error {
	t.schema.Lock()
	defer t.schema.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tables[m.Name] != t {
		return notFound()
	}
	var b storage.Batch
	b.Delete(metaKey(m.Name))
	p := tablePrefix(m.Num)
	b.DeleteRange(p, storage.PrefixEnd(p))
	if err := s.store.Apply(&b); err != nil {
		return internal(err)
	}
	t.deleted.Store(true)
	delete(s.tables, m.Name)
	return nil
}
