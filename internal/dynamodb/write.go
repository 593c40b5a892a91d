package dynamodb

import (
	"bytes"
	"math"

	"github.com/nimbus-dev/nimbus/internal/dynamodb/attr"
	"github.com/nimbus-dev/nimbus/internal/storage"
)

// readItem reads the current item at key (nil when absent).
func (s *Service) readItem(r storage.Reader, key []byte) (attr.Item, error) {
	v, ok, err := r.Get(key)
	if err != nil {
		return nil, internal(err)
	}
	if !ok {
		return nil, nil
	}
	it, err := attr.DecodeItem(v)
	if err != nil {
		return nil, internal(err)
	}
	return it, nil
}

// writeUnits accumulates write capacity per table and index.
type writeUnits struct {
	table   float64
	indexes map[string]float64
}

func units(size int, per float64) float64 {
	u := math.Ceil(float64(size) / per)
	if u < 1 {
		u = 1
	}
	return u
}

// stage adds the writes that replace old with next (nil: delete) to b,
// keeping every index and the expiry index in step, and returns the
// capacity the write consumes.
func stage(b *storage.Batch, m *tableMeta, key []byte, old, next attr.Item) writeUnits {
	size := 0
	if old != nil {
		size = attr.ItemSize(old)
	}
	if next != nil {
		b.Set(key, attr.AppendItem(nil, next))
		size = max(size, attr.ItemSize(next))
	} else {
		b.Delete(key)
	}
	wu := writeUnits{table: units(size, 1024)}
	for _, ix := range m.indexes() {
		var oldK, newK []byte
		if old != nil {
			oldK = m.indexKey(ix, old)
		}
		if next != nil {
			newK = m.indexKey(ix, next)
		}
		if oldK == nil && newK == nil {
			continue
		}
		if oldK != nil && !bytes.Equal(oldK, newK) {
			b.Delete(oldK)
		}
		u := 0.0
		if oldK != nil {
			u += units(attr.ItemSize(m.projectForIndex(ix, old)), 1024)
		}
		if newK != nil {
			proj := m.projectForIndex(ix, next)
			b.Set(newK, attr.AppendItem(nil, proj))
			if oldK == nil || !bytes.Equal(oldK, newK) {
				u += units(attr.ItemSize(proj), 1024)
			}
		}
		if wu.indexes == nil {
			wu.indexes = map[string]float64{}
		}
		wu.indexes[ix.Name] += u
	}
	var oldT, newT []byte
	if old != nil {
		oldT = m.ttlKey(old)
	}
	if next != nil {
		newT = m.ttlKey(next)
	}
	if oldT != nil && !bytes.Equal(oldT, newT) {
		b.Delete(oldT)
	}
	if newT != nil {
		b.Set(newT, nil)
	}
	return wu
}

func (w *writeUnits) add(o writeUnits) {
	w.table += o.table
	for k, v := range o.indexes {
		if w.indexes == nil {
			w.indexes = map[string]float64{}
		}
		w.indexes[k] += v
	}
}

// Capacity splits: DynamoDB reports ReadCapacityUnits/WriteCapacityUnits
// next to CapacityUnits only for transactional operations.
const (
	noSplit    = ""
	readSplit  = "read"
	writeSplit = "write"
)

// consumed renders capacity as ReturnConsumedCapacity asks (nil for NONE).
func consumed(mode string, m *tableMeta, tableUnits float64, idx map[string]float64, split string) *consumedCapacity {
	if mode != "TOTAL" && mode != "INDEXES" {
		return nil
	}
	total := tableUnits
	for _, u := range idx {
		total += u
	}
	c := &consumedCapacity{TableName: m.Name, CapacityUnits: total}
	withSplit := func(units float64) capacity {
		cu := capacity{CapacityUnits: units}
		switch split {
		case readSplit:
			cu.ReadCapacityUnits = units
		case writeSplit:
			cu.WriteCapacityUnits = units
		}
		return cu
	}
	top := withSplit(total)
	c.ReadCapacityUnits, c.WriteCapacityUnits = top.ReadCapacityUnits, top.WriteCapacityUnits
	if mode == "INDEXES" {
		t := withSplit(tableUnits)
		c.Table = &t
		for name, u := range idx {
			ix := m.index(name)
			cu := withSplit(u)
			if ix != nil && ix.Local {
				if c.LocalSecondaryIndexes == nil {
					c.LocalSecondaryIndexes = map[string]capacity{}
				}
				c.LocalSecondaryIndexes[name] = cu
			} else {
				if c.GlobalSecondaryIndexes == nil {
					c.GlobalSecondaryIndexes = map[string]capacity{}
				}
				c.GlobalSecondaryIndexes[name] = cu
			}
		}
	}
	return c
}

func readUnits(size int, consistent bool) float64 {
	u := units(size, 4096)
	if !consistent {
		u /= 2
	}
	return u
}

func collectionMetrics(mode string, m *tableMeta, it attr.Item) *itemCollectionMetrics {
	if mode != "SIZE" || len(m.LSIs) == 0 || it == nil {
		return nil
	}
	return &itemCollectionMetrics{
		ItemCollectionKey:   attr.Item{m.Hash.Name: it[m.Hash.Name]},
		SizeEstimateRangeGB: []float64{0, 1},
	}
}
