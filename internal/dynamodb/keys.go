package dynamodb

import (
	"fmt"
	"sort"

	"github.com/nimbus-dev/nimbus/internal/dynamodb/attr"
	"github.com/nimbus-dev/nimbus/internal/dynamodb/expr"
)

const msgKeySchema = "The provided key element does not match the schema"

func emptyKeyMessage(name string, v *attr.Value) string {
	kind := "string"
	if v.T == attr.B {
		kind = "binary"
	}
	return fmt.Sprintf("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty %s value. Key: %s", kind, name)
}

func isEmptyKey(v *attr.Value) bool {
	return (v.T == attr.S && v.S == "") || (v.T == attr.B && len(v.B) == 0)
}

// checkKey validates a Key parameter: exactly the table's key attributes,
// of the right types, not empty.
func checkKey(m *tableMeta, key attr.Item) error {
	for _, k := range []*keyAttr{&m.Hash, m.Range} {
		if k == nil {
			continue
		}
		if v := key[k.Name]; v != nil && isEmptyKey(v) && v.T == k.Type {
			return validation(emptyKeyMessage(k.Name, v))
		}
	}
	want := 1
	if m.Range != nil {
		want = 2
	}
	if len(key) != want {
		return validation(msgKeySchema)
	}
	for _, k := range []*keyAttr{&m.Hash, m.Range} {
		if k == nil {
			continue
		}
		v := key[k.Name]
		if v == nil || v.T != k.Type {
			return validation(msgKeySchema)
		}
	}
	return checkKeySizes(m, key)
}

// checkKeySizes enforces DynamoDB's key length limits: 2048 bytes for a
// partition key, 1024 for a sort key.
func checkKeySizes(m *tableMeta, it attr.Item) error {
	if attr.ValueSize(it[m.Hash.Name]) > 2048 {
		return validation("One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes")
	}
	if m.Range != nil && attr.ValueSize(it[m.Range.Name]) > 1024 {
		return validation("One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes")
	}
	return nil
}

// checkAttributeNames rejects an item with an empty attribute name.
func checkAttributeNames(it attr.Item) error {
	if _, ok := it[""]; ok {
		return validation("Empty attribute name")
	}
	return nil
}

// checkItem validates an item to be written: table keys present, typed and
// non-empty; index keys typed and non-empty; size within the limit.
// forUpdate words the failures as UpdateItem does.
func checkItem(m *tableMeta, it attr.Item, forUpdate bool) error {
	for _, k := range []*keyAttr{&m.Hash, m.Range} {
		if k == nil {
			continue
		}
		v := it[k.Name]
		if v == nil {
			return validationf("One or more parameter values were invalid: Missing the key %s in the item", k.Name)
		}
		if v.T != k.Type {
			return validationf("One or more parameter values were invalid: Type mismatch for key %s expected: %s actual: %s", k.Name, k.Type, v.T)
		}
		if isEmptyKey(v) {
			return validation(emptyKeyMessage(k.Name, v))
		}
	}
	if err := checkKeySizes(m, it); err != nil {
		return err
	}
	for _, v := range it {
		if nestingDepth(v) > attr.MaxNesting {
			return validation("Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit")
		}
	}
	if err := checkIndexKeys(m, it, forUpdate); err != nil {
		return err
	}
	if attr.ItemSize(it) > attr.MaxItemSize {
		if forUpdate {
			return validation("Item size to update has exceeded the maximum allowed size")
		}
		return validation("Item size has exceeded the maximum allowed size")
	}
	return nil
}

// nestingDepth counts the maps and lists wrapped around v's deepest value.
func nestingDepth(v *attr.Value) int {
	depth := 0
	switch v.T {
	case attr.M:
		for _, c := range v.M {
			depth = max(depth, nestingDepth(c))
		}
	case attr.L:
		for _, c := range v.L {
			depth = max(depth, nestingDepth(c))
		}
	default:
		return 0
	}
	return depth + 1
}

// checkIndexKeys validates the item's values of secondary index key
// attributes (absent is fine: indexes are sparse), in index name order as
// DynamoDB reports them.
func checkIndexKeys(m *tableMeta, it attr.Item, forUpdate bool) error {
	idx := m.indexes()
	sort.Slice(idx, func(i, j int) bool { return idx[i].Name < idx[j].Name })
	for _, ix := range idx {
		for _, k := range []*keyAttr{&ix.Hash, ix.Range} {
			if k == nil || m.isTableKey(k.Name) {
				continue
			}
			v := it[k.Name]
			if v == nil {
				continue
			}
			if v.T != k.Type {
				return validationf("One or more parameter values were invalid: Type mismatch for Index Key %s Expected: %s Actual: %s IndexName: %s", k.Name, k.Type, v.T, ix.Name)
			}
			if isEmptyKey(v) {
				kind := "string"
				if v.T == attr.B {
					kind = "binary"
				}
				if forUpdate {
					return validationf("One or more parameter values are not valid. The update expression attempted to update a secondary index key to a value that is not supported. The AttributeValue for a key attribute cannot contain an empty %s value.", kind)
				}
				return validationf("One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty %s value. IndexName: %s, IndexKey: %s", kind, ix.Name, k.Name)
			}
		}
	}
	return nil
}

// keyOf returns the table key attributes of an item.
func keyOf(m *tableMeta, it attr.Item) attr.Item {
	k := attr.Item{m.Hash.Name: it[m.Hash.Name]}
	if m.Range != nil {
		k[m.Range.Name] = it[m.Range.Name]
	}
	return k
}

// hasTableKey reports whether the item has every table key attribute with
// the schema's type (BatchWriteItem reports anything else as a schema
// mismatch).
func hasTableKey(m *tableMeta, it attr.Item) bool {
	for _, k := range []*keyAttr{&m.Hash, m.Range} {
		if k != nil && (it[k.Name] == nil || it[k.Name].T != k.Type) {
			return false
		}
	}
	return true
}

// checkScalarKeyPaths refuses document paths that reach into a key
// attribute of the table or of one of its indexes ("pk.a", "pk[0]"): key
// attributes are scalars. Table keys are checked first, then LSI and GSI
// keys, as DynamoDB reports them.
func checkScalarKeyPaths(m *tableMeta, paths []expr.Path) error {
	nested := map[string]bool{}
	for _, p := range paths {
		if len(p) > 1 {
			nested[p[0].Name] = true
		}
	}
	if len(nested) == 0 {
		return nil
	}
	const msg = "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: "
	for _, k := range []*keyAttr{&m.Hash, m.Range} {
		if k != nil && nested[k.Name] {
			return validation(msg + "Key: " + k.Name)
		}
	}
	for _, ix := range m.indexes() {
		for _, k := range []*keyAttr{&ix.Hash, ix.Range} {
			if k != nil && nested[k.Name] {
				return validation(msg + "IndexKey: " + k.Name)
			}
		}
	}
	return nil
}

// checkFilterKeys refuses a Query filter that names a key attribute of the
// table or index queried (param is "Filter Expression" or "QueryFilter").
func checkFilterKeys(names map[string]bool, hash keyAttr, rng *keyAttr, param string) error {
	for _, k := range []*keyAttr{&hash, rng} {
		if k != nil && names[k.Name] {
			return validationf("%s can only contain non-primary key attributes: Primary key attribute: %s", param, k.Name)
		}
	}
	return nil
}

// topNames lists the top-level attribute names of paths.
func topNames(paths []expr.Path) map[string]bool {
	out := make(map[string]bool, len(paths))
	for _, p := range paths {
		if len(p) > 0 {
			out[p[0].Name] = true
		}
	}
	return out
}
