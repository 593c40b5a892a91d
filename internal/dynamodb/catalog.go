package dynamodb

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/maphash"
	"sync"
	"sync/atomic"

	"github.com/nimbus-dev/nimbus/internal/dynamodb/attr"
	"github.com/nimbus-dev/nimbus/internal/storage"
)

// Key layout in the store:
//
//	0x01 't' <table name>                       -> JSON tableMeta
//	0x02 <table num u64> <index id u16> <key>   -> item / index entry
//
// Index id 0 is the table itself; secondary indexes get ids from 1; the
// TTL expiry index is ttlIndexID. A table number is never reused, so a
// deleted table's range can be dropped without racing a new table.
var metaPrefix = []byte{0x01, 't'}

const (
	dataTag    = 0x02
	baseIndex  = 0
	ttlIndexID = 0xFFFF
)

// keyAttr is a key attribute: its name and scalar type.
type keyAttr struct {
	Name string    `json:"name"`
	Type attr.Type `json:"type"`
}

// indexMeta describes a secondary index.
type indexMeta struct {
	Name           string   `json:"name"`
	ID             uint16   `json:"id"`
	Local          bool     `json:"local"`
	Hash           keyAttr  `json:"hash"`
	Range          *keyAttr `json:"range,omitempty"`
	ProjectionType string   `json:"projectionType"`
	NonKeyAttrs    []string `json:"nonKeyAttrs,omitempty"`
	RCU            int64    `json:"rcu"`
	WCU            int64    `json:"wcu"`
}

// tableMeta is a table's persistent definition.
type tableMeta struct {
	Name        string                `json:"name"`
	Num         uint64                `json:"num"`
	ID          string                `json:"id"`
	Created     float64               `json:"created"`
	AttrDefs    []attributeDefinition `json:"attrDefs"`
	Hash        keyAttr               `json:"hash"`
	Range       *keyAttr              `json:"range,omitempty"`
	GSIs        []*indexMeta          `json:"gsis,omitempty"`
	LSIs        []*indexMeta          `json:"lsis,omitempty"`
	BillingMode string                `json:"billingMode"`
	// BillingExplicit records that the request named a BillingMode, which
	// decides whether DescribeTable shows BillingModeSummary.
	BillingExplicit    bool        `json:"billingExplicit"`
	BillingUpdated     float64     `json:"billingUpdated,omitempty"`
	RCU                int64       `json:"rcu"`
	WCU                int64       `json:"wcu"`
	TTLAttr            string      `json:"ttlAttr,omitempty"`
	TTLEnabled         bool        `json:"ttlEnabled"`
	Tags               []tag       `json:"tags,omitempty"`
	Stream             *streamSpec `json:"stream,omitempty"`
	StreamLabel        string      `json:"streamLabel,omitempty"`
	DeletionProtection bool        `json:"deletionProtection"`
	TableClass         string      `json:"tableClass,omitempty"`
	NextIndexID        uint16      `json:"nextIndexId"`
}

// clone returns a deep copy for copy-on-write schema changes.
func (m *tableMeta) clone() *tableMeta {
	b, _ := json.Marshal(m)
	c := new(tableMeta)
	json.Unmarshal(b, c)
	return c
}

// indexes returns all secondary indexes, LSIs first.
func (m *tableMeta) indexes() []*indexMeta {
	return append(append([]*indexMeta{}, m.LSIs...), m.GSIs...)
}

// index finds a secondary index by name.
func (m *tableMeta) index(name string) *indexMeta {
	for _, ix := range m.indexes() {
		if ix.Name == name {
			return ix
		}
	}
	return nil
}

// isTableKey reports whether name is one of the table's key attributes.
func (m *tableMeta) isTableKey(name string) bool {
	return name == m.Hash.Name || (m.Range != nil && name == m.Range.Name)
}

// table is a live table: its current definition and write bookkeeping.
type table struct {
	meta atomic.Pointer[tableMeta]
	// schema is held shared by item writes and exclusively by schema
	// changes (index backfill, deletion), so a write never straddles one.
	schema sync.RWMutex
	// gen counts writes; stats caches DescribeTable's counts per gen.
	gen     atomic.Uint64
	statsMu sync.Mutex
	stats   *tableStats
	deleted atomic.Bool
}

// tableStats are DescribeTable's counts, valid for one write generation.
type tableStats struct {
	gen     uint64
	count   int64
	size    int64
	indexes map[uint16][2]int64
}

func metaKey(name string) []byte { return append(append([]byte{}, metaPrefix...), name...) }

// indexPrefix is the key prefix of one index (or the table, id 0).
func indexPrefix(num uint64, id uint16) []byte {
	b := make([]byte, 0, 11+64)
	b = append(b, dataTag)
	b = binary.BigEndian.AppendUint64(b, num)
	return binary.BigEndian.AppendUint16(b, id)
}

func tablePrefix(num uint64) []byte {
	b := []byte{dataTag}
	return binary.BigEndian.AppendUint64(b, num)
}

// primaryKeyBytes encodes the item's table key (hash, then range).
func (m *tableMeta) primaryKeyBytes(dst []byte, it attr.Item) []byte {
	dst = attr.AppendKey(dst, it[m.Hash.Name])
	if m.Range != nil {
		dst = attr.AppendKey(dst, it[m.Range.Name])
	}
	return dst
}

// itemKey is the store key of the item in the table.
func (m *tableMeta) itemKey(it attr.Item) []byte {
	return m.primaryKeyBytes(indexPrefix(m.Num, baseIndex), it)
}

// indexKey is the store key of item's entry in ix, or nil when the item
// lacks the index's key attributes (sparse index) or they have the wrong
// type.
func (m *tableMeta) indexKey(ix *indexMeta, it attr.Item) []byte {
	h := it[ix.Hash.Name]
	if h == nil || h.T != ix.Hash.Type {
		return nil
	}
	k := attr.AppendKey(indexPrefix(m.Num, ix.ID), h)
	if ix.Range != nil {
		r := it[ix.Range.Name]
		if r == nil || r.T != ix.Range.Type {
			return nil
		}
		k = attr.AppendKey(k, r)
	}
	return m.primaryKeyBytes(k, it)
}

// project keeps the attributes an index holds.
func (m *tableMeta) projectForIndex(ix *indexMeta, it attr.Item) attr.Item {
	if ix.ProjectionType == "ALL" {
		return it
	}
	out := attr.Item{}
	for _, k := range m.keyNames(ix) {
		if v, ok := it[k]; ok {
			out[k] = v
		}
	}
	if ix.ProjectionType == "INCLUDE" {
		for _, k := range ix.NonKeyAttrs {
			if v, ok := it[k]; ok {
				out[k] = v
			}
		}
	}
	return out
}

// keyNames lists the table key and (if given) index key attribute names.
func (m *tableMeta) keyNames(ix *indexMeta) []string {
	names := []string{m.Hash.Name}
	if m.Range != nil {
		names = append(names, m.Range.Name)
	}
	if ix != nil {
		names = append(names, ix.Hash.Name)
		if ix.Range != nil {
			names = append(names, ix.Range.Name)
		}
	}
	return names
}

// ttlKey is the item's entry in the expiry index, or nil.
func (m *tableMeta) ttlKey(it attr.Item) []byte {
	if !m.TTLEnabled || m.TTLAttr == "" {
		return nil
	}
	v := it[m.TTLAttr]
	if v == nil || v.T != attr.N {
		return nil
	}
	k := attr.AppendKey(indexPrefix(m.Num, ttlIndexID), v)
	return m.primaryKeyBytes(k, it)
}

// loadTables reads every table definition from the store.
func (s *Service) loadTables() error {
	it, err := s.store.NewIter(storage.IterOptions{Lower: metaPrefix, Upper: storage.PrefixEnd(metaPrefix)})
	if err != nil {
		return err
	}
	defer it.Close()
	for it.Next() {
		m := new(tableMeta)
		if err := json.Unmarshal(it.Value(), m); err != nil {
			return fmt.Errorf("dynamodb: table definition %q: %w", it.Key()[len(metaPrefix):], err)
		}
		t := &table{}
		t.meta.Store(m)
		s.tables[m.Name] = t
		if m.Num >= s.nextNum {
			s.nextNum = m.Num + 1
		}
	}
	if s.nextNum == 0 {
		s.nextNum = 1
	}
	return it.Err()
}

// saveMeta adds the table definition to b.
func (s *Service) saveMeta(b *storage.Batch, m *tableMeta) {
	v, _ := json.Marshal(m)
	b.Set(metaKey(m.Name), v)
}

// lookup returns the live table or ResourceNotFoundException.
func (s *Service) lookup(name string) (*table, *tableMeta, error) {
	s.mu.RLock()
	t := s.tables[name]
	s.mu.RUnlock()
	if t == nil {
		return nil, nil, notFound()
	}
	return t, t.meta.Load(), nil
}

// keyLocks are striped per-item locks: writers of one item serialize,
// writers of different items proceed (and group-commit) in parallel.
type keyLocks struct {
	seed    maphash.Seed
	once    sync.Once
	stripes [4096]sync.Mutex
}

func (l *keyLocks) stripe(key []byte) int {
	l.once.Do(func() { l.seed = maphash.MakeSeed() })
	return int(maphash.Bytes(l.seed, key) % uint64(len(l.stripes)))
}

// lock locks the stripes of keys in ascending stripe order (so concurrent
// multi-key lockers cannot deadlock) and returns the unlock function.
func (l *keyLocks) lock(keys ...[]byte) func() {
	if len(keys) == 1 {
		m := &l.stripes[l.stripe(keys[0])]
		m.Lock()
		return m.Unlock
	}
	idx := make([]int, 0, len(keys))
	seen := map[int]bool{}
	for _, k := range keys {
		i := l.stripe(k)
		if !seen[i] {
			seen[i] = true
			idx = append(idx, i)
		}
	}
	sortInts(idx)
	for _, i := range idx {
		l.stripes[i].Lock()
	}
	return func() {
		for j := len(idx) - 1; j >= 0; j-- {
			l.stripes[idx[j]].Unlock()
		}
	}
}

func sortInts(a []int) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}
