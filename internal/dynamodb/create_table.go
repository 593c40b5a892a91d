package dynamodb

import (
	"context"
	"crypto/rand"
	"fmt"
	"sort"
	"strings"

	"github.com/nimbus-dev/nimbus/internal/dynamodb/attr"
	"github.com/nimbus-dev/nimbus/internal/storage"
)

// createTableOutput is CreateTable's response.
type createTableOutput struct {
	TableDescription *tableDescription `json:"TableDescription"`
}

// createTable serves CreateTable: the table is ACTIVE when the call returns.
func (s *Service) createTable(ctx context.Context, in *createTableInput) (*createTableOutput, error) {
	if in.TableName == nil {
		return nil, validation("The parameter 'TableName' is required but was not present in the request")
	}
	m, err := s.buildTableMeta(in)
	if err != nil {
		return nil, err
	}
	if err := s.addTable(m); err != nil {
		return nil, err
	}
	s.log.Info("table created", "table", m.Name)
	t, _, _ := s.lookup(m.Name)
	// The table is usable when the call returns; the response reports the
	// transition as AWS does (a DescribeTable already shows ACTIVE).
	d := s.describe(t, m, "CREATING", false)
	for i := range d.GlobalSecondaryIndexes {
		d.GlobalSecondaryIndexes[i].IndexStatus = "CREATING"
	}
	return &createTableOutput{d}, nil
}

// addTable persists a new table definition.
func (s *Service) addTable(m *tableMeta) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, exists := s.tables[m.Name]; exists {
		return inUse("Table already exists: " + m.Name)
	}
	m.Num = s.nextNum
	var b storage.Batch
	s.saveMeta(&b, m)
	if err := s.store.Apply(&b); err != nil {
		return internal(err)
	}
	s.nextNum++
	t := &table{}
	t.meta.Store(m)
	s.tables[m.Name] = t
	return nil
}

func keyType(defs map[string]string, name string) attr.Type {
	t, _ := attr.ParseType(defs[name])
	return t
}

// buildTableMeta validates a CreateTable request as DynamoDB does: the
// table name, then the API model's constraints, then billing, key schema
// and index rules in DynamoDB's order.
func (s *Service) buildTableMeta(in *createTableInput) (*tableMeta, error) {
	var c constraints
	name := tableName(in.TableName, &c, "tableName", 3)
	if len(c) > 0 {
		return nil, c.err()
	}
	if in.raw != nil {
		checkShape(in.raw, createTableShape, &c)
	} else {
		enumCheck(&c, in.BillingMode, "billingMode", "PROVISIONED", "PAY_PER_REQUEST")
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	if err := checkTableClass(in.TableClass); err != nil {
		return nil, err
	}
	billing := in.BillingMode
	if billing == "" {
		billing = "PROVISIONED"
	}
	rcu, wcu, err := tableThroughput(billing, in.ProvisionedThroughput)
	if err != nil {
		return nil, err
	}
	if err := checkStream(in.StreamSpecification); err != nil {
		return nil, err
	}
	defs := map[string]string{}
	var defOrder []string
	for _, d := range in.AttributeDefinitions {
		if _, dup := defs[d.AttributeName]; dup {
			return nil, validation("Attribute Name is duplicated: " + d.AttributeName)
		}
		defs[d.AttributeName] = d.AttributeType
		defOrder = append(defOrder, d.AttributeName)
	}
	noDefinition := len(in.KeySchema) > len(in.AttributeDefinitions)
	for _, k := range in.KeySchema {
		_, ok := defs[k.AttributeName]
		noDefinition = noDefinition || (!ok && len(in.KeySchema) == 2)
	}
	if noDefinition {
		return nil, validation("Invalid KeySchema: Some index key attribute have no definition")
	}
	hash, rng, err := parseKeySchema(in.KeySchema, defs, defOrder)
	if err != nil {
		return nil, err
	}
	if in.LocalSecondaryIndexes == nil && in.GlobalSecondaryIndexes == nil && len(in.KeySchema) != len(in.AttributeDefinitions) {
		return nil, validation("One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions")
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	m := &tableMeta{
		Name: name, ID: newUUID(), Created: s.nowSeconds(), AttrDefs: in.AttributeDefinitions,
		Hash: hash, Range: rng, BillingMode: billing, BillingExplicit: in.BillingMode != "",
		Stream: in.StreamSpecification, Tags: in.Tags, TableClass: in.TableClass, NextIndexID: 1,
		RCU: rcu, WCU: wcu,
	}
	if in.DeletionProtectionEnabled != nil {
		m.DeletionProtection = *in.DeletionProtectionEnabled
	}
	if m.BillingMode == "PAY_PER_REQUEST" {
		m.BillingUpdated = m.Created
	}
	if m.Stream != nil && m.Stream.StreamEnabled {
		m.StreamLabel = s.now().UTC().Format("2006-01-02T15:04:05.000")
	}
	used := map[string]bool{hash.Name: true}
	if rng != nil {
		used[rng.Name] = true
	}
	seenIdx := map[string]bool{}
	if in.LocalSecondaryIndexes != nil {
		if len(in.LocalSecondaryIndexes) == 0 {
			return nil, validation("One or more parameter values were invalid: List of LocalSecondaryIndexes is empty")
		}
		if rng == nil {
			return nil, validation("One or more parameter values were invalid: Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex")
		}
		for _, li := range in.LocalSecondaryIndexes {
			ix, err := s.buildIndex(m, li, defs, defOrder, true, seenIdx, false)
			if err != nil {
				return nil, err
			}
			m.LSIs = append(m.LSIs, ix)
			markUsed(used, ix)
		}
		if len(in.LocalSecondaryIndexes) > 5 {
			return nil, validation("One or more parameter values were invalid: Number of LocalSecondaryIndexes exceeds per-table limit of 5")
		}
	}
	if in.GlobalSecondaryIndexes != nil {
		if len(in.GlobalSecondaryIndexes) == 0 {
			return nil, validation("One or more parameter values were invalid: List of GlobalSecondaryIndexes is empty")
		}
		for _, gi := range in.GlobalSecondaryIndexes {
			ix, err := s.buildIndex(m, gi, defs, defOrder, false, seenIdx, false)
			if err != nil {
				return nil, err
			}
			m.GSIs = append(m.GSIs, ix)
			markUsed(used, ix)
		}
		if len(in.GlobalSecondaryIndexes) > 20 {
			return nil, validation("One or more parameter values were invalid: GlobalSecondaryIndex count exceeds the per-table limit of 20")
		}
	}
	if len(used) != len(defs) {
		var keys []string
		for k := range used {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		return nil, validationf("One or more parameter values were invalid: Some AttributeDefinitions are not used. AttributeDefinitions: [%s], keys used: [%s]", strings.Join(defOrder, ", "), strings.Join(keys, ", "))
	}
	return m, nil
}

func markUsed(used map[string]bool, ix *indexMeta) {
	used[ix.Hash.Name] = true
	if ix.Range != nil {
		used[ix.Range.Name] = true
	}
}

func keySchemaString(ks []keySchemaElement) string {
	parts := make([]string, len(ks))
	for i, k := range ks {
		parts[i] = fmt.Sprintf("KeySchemaElement(attributeName=%s, keyType=%s)", k.AttributeName, k.KeyType)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// parseKeySchema checks a table or index key schema against the attribute
// definitions, in DynamoDB's order: every key defined, two distinct names,
// HASH then RANGE.
func parseKeySchema(ks []keySchemaElement, defs map[string]string, defOrder []string) (keyAttr, *keyAttr, error) {
	if len(ks) == 0 || len(ks) > 2 {
		return keyAttr{}, nil, validation("Invalid KeySchema: Key Schema too big.  Key Schema must at most consist of the hash and range key of a table")
	}
	for _, k := range ks {
		if _, ok := defs[k.AttributeName]; !ok {
			return keyAttr{}, nil, validationf("One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [%s], AttributeDefinitions: [%s]", keyNamesOf(ks), strings.Join(defOrder, ", "))
		}
	}
	if len(ks) == 2 && ks[0].AttributeName == ks[1].AttributeName {
		return keyAttr{}, nil, validation("Both the Hash Key and the Range Key element in the KeySchema have the same name")
	}
	if ks[0].KeyType != "HASH" {
		return keyAttr{}, nil, validation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type")
	}
	hash := keyAttr{ks[0].AttributeName, keyType(defs, ks[0].AttributeName)}
	if len(ks) == 1 {
		return hash, nil, nil
	}
	if ks[1].KeyType != "RANGE" {
		return keyAttr{}, nil, validation("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type")
	}
	return hash, &keyAttr{ks[1].AttributeName, keyType(defs, ks[1].AttributeName)}, nil
}

func keyNamesOf(ks []keySchemaElement) string {
	var n []string
	for _, k := range ks {
		n = append(n, k.AttributeName)
	}
	return strings.Join(n, ", ")
}

// maxCapacityUnits is the largest provisioned capacity DynamoDB accepts.
const maxCapacityUnits = 1_000_000_000_000

// tableThroughput validates a table's ProvisionedThroughput against its
// billing mode.
func tableThroughput(billing string, pt *throughputIn) (int64, int64, error) {
	if billing == "PAY_PER_REQUEST" {
		if pt != nil {
			return 0, 0, validation("One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST")
		}
		return 0, 0, nil
	}
	if pt == nil || pt.ReadCapacityUnits == nil || pt.WriteCapacityUnits == nil {
		return 0, 0, validation("One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED")
	}
	return checkCapacity(pt)
}

// checkCapacity enforces the minimum and maximum capacity units.
func checkCapacity(pt *throughputIn) (int64, int64, error) {
	r, w := *pt.ReadCapacityUnits, *pt.WriteCapacityUnits
	switch {
	case r < 1 || w < 1:
		return 0, 0, validation("One or more parameter values were invalid: Provisioned throughput must be at least 1 for ReadCapacityUnits and WriteCapacityUnits")
	case r > maxCapacityUnits:
		return 0, 0, validationf("Given value %d for ReadCapacityUnits is out of bounds", r)
	case w > maxCapacityUnits:
		return 0, 0, validationf("Given value %d for WriteCapacityUnits is out of bounds", w)
	}
	return r, w, nil
}

// throughput validates a ProvisionedThroughput against the billing mode for
// an index named by UpdateTable.
func throughput(billing string, pt *throughputIn, index string) (int64, int64, error) {
	if billing == "PAY_PER_REQUEST" {
		if pt != nil && (pt.ReadCapacityUnits != nil || pt.WriteCapacityUnits != nil) {
			if index != "" {
				return 0, 0, validationf("One or more parameter values were invalid: ProvisionedThroughput should not be specified for index: %s when BillingMode is PAY_PER_REQUEST", index)
			}
			return 0, 0, validation("One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST")
		}
		return 0, 0, nil
	}
	if pt == nil || pt.ReadCapacityUnits == nil || pt.WriteCapacityUnits == nil {
		if index != "" {
			return 0, 0, validationf("One or more parameter values were invalid: ProvisionedThroughput must be specified for index: %s", index)
		}
		return 0, 0, validation("One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED")
	}
	return checkCapacity(pt)
}

// checkTableClass refuses a table class DynamoDB does not offer.
func checkTableClass(tc string) error {
	if tc != "" && tc != "STANDARD" && tc != "STANDARD_INFREQUENT_ACCESS" {
		return validation("Invalid table-class parameter provided. Please try again with a valid table-class value: [STANDARD, STANDARD_INFREQUENT_ACCESS].")
	}
	return nil
}

// buildIndex validates one GSI or LSI definition, in DynamoDB's order, and
// assigns its store id.
// UpdateTable words a missing throughput differently (byUpdate).
func (s *Service) buildIndex(m *tableMeta, in indexIn, defs map[string]string, defOrder []string, local bool, seen map[string]bool, byUpdate bool) (*indexMeta, error) {
	const invalid = "One or more parameter values were invalid: "
	if len(in.IndexName) < 3 || len(in.IndexName) > 255 || !tableNamePattern.MatchString(in.IndexName) {
		return nil, constraintErrors([]string{fmt.Sprintf("Value '%s' at 'indexName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+", in.IndexName)})
	}
	hash, rng, err := parseKeySchema(in.KeySchema, defs, defOrder)
	if err != nil {
		return nil, err
	}
	if local {
		if rng == nil {
			return nil, validationf(invalid+"Index KeySchema does not have a range key for index: %s", in.IndexName)
		}
		if hash.Name != m.Hash.Name {
			return nil, validationf(invalid+"Index KeySchema does not have the same leading hash key as table KeySchema for index: %s. index hash key: %s, table hash key: %s", in.IndexName, hash.Name, m.Hash.Name)
		}
	}
	if in.Projection == nil {
		return nil, validationf(invalid+"Projection must be specified for index: %s", in.IndexName)
	}
	pt := in.Projection.ProjectionType
	switch pt {
	case "":
		return nil, validation(invalid + "Unknown ProjectionType: null")
	case "ALL", "KEYS_ONLY":
		if in.Projection.NonKeyAttributes != nil {
			return nil, validationf(invalid+"ProjectionType is %s, but NonKeyAttributes is specified", pt)
		}
	case "INCLUDE":
		if len(in.Projection.NonKeyAttributes) == 0 {
			return nil, validation(invalid + "ProjectionType is INCLUDE, but NonKeyAttributes is not specified")
		}
		nk := map[string]bool{}
		for _, a := range in.Projection.NonKeyAttributes {
			if nk[a] {
				return nil, validation(invalid + "Duplicate element in NonKeyAttributes: " + a)
			}
			nk[a] = true
		}
	default:
		return nil, constraintErrors([]string{fmt.Sprintf("Value '%s' at 'projection.projectionType' failed to satisfy constraint: Member must satisfy enum value set: [ALL, INCLUDE, KEYS_ONLY]", pt)})
	}
	ix := &indexMeta{Name: in.IndexName, ID: m.NextIndexID, Local: local, Hash: hash, Range: rng, ProjectionType: pt, NonKeyAttrs: in.Projection.NonKeyAttributes}
	if !local {
		switch {
		case m.BillingMode == "PAY_PER_REQUEST" && in.ProvisionedThroughput != nil:
			return nil, validationf(invalid+"ProvisionedThroughput should not be specified for index: %s when BillingMode is PAY_PER_REQUEST", in.IndexName)
		case m.BillingMode != "PAY_PER_REQUEST" && (in.ProvisionedThroughput == nil || in.ProvisionedThroughput.ReadCapacityUnits == nil || in.ProvisionedThroughput.WriteCapacityUnits == nil):
			if byUpdate {
				return nil, validationf(invalid+"ProvisionedThroughput must be specified for index: %s", in.IndexName)
			}
			return nil, validationf(invalid+"ProvisionedThroughput is not specified for index: %s", in.IndexName)
		case m.BillingMode != "PAY_PER_REQUEST":
			rcu, wcu, err := checkCapacity(in.ProvisionedThroughput)
			if err != nil {
				return nil, err
			}
			ix.RCU, ix.WCU = rcu, wcu
		}
	}
	if seen[in.IndexName] {
		return nil, validationf(invalid+"Duplicate index name: %s", in.IndexName)
	}
	seen[in.IndexName] = true
	m.NextIndexID++
	return ix, nil
}

// checkStream validates a StreamSpecification.
func checkStream(ss *streamSpec) error {
	switch {
	case ss == nil:
	case ss.StreamEnabled && ss.StreamViewType == "":
		return validation("One or more parameter values were invalid: Table is being created with a stream enabled, UpdateViewType is required")
	case !ss.StreamEnabled && ss.StreamViewType != "":
		return validation("One or more parameter values were invalid: Table is being created with a stream disabled, UpdateViewType should not be specified")
	}
	return nil
}

func newUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func (s *Service) nowSeconds() float64 {
	return float64(s.now().UnixMilli()) / 1000
}
