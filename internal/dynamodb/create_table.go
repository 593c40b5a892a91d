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
	return &createTableOutput{s.describe(t, m, "ACTIVE", false)}, nil
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

// buildTableMeta validates a CreateTable request as DynamoDB does.
func (s *Service) buildTableMeta(in *createTableInput) (*tableMeta, error) {
	var c constraints
	name := tableName(in.TableName, &c, "tableName", 3)
	if len(c) > 0 {
		return nil, c.err()
	}
	if in.AttributeDefinitions == nil {
		c.add("Value null at 'attributeDefinitions' failed to satisfy constraint: Member must not be null")
	}
	for i, d := range in.AttributeDefinitions {
		enumCheck(&c, d.AttributeType, fmt.Sprintf("attributeDefinitions.%d.member.attributeType", i+1), "B", "N", "S")
	}
	switch {
	case in.KeySchema == nil:
		c.add("Value null at 'keySchema' failed to satisfy constraint: Member must not be null")
	case len(in.KeySchema) > 2:
		c.add("Value '%s' at 'keySchema' failed to satisfy constraint: Member must have length less than or equal to 2", keySchemaString(in.KeySchema))
	case len(in.KeySchema) == 0:
		c.add("Value '[]' at 'keySchema' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	for i, k := range in.KeySchema {
		enumCheck(&c, k.KeyType, fmt.Sprintf("keySchema.%d.member.keyType", i+1), "HASH", "RANGE")
	}
	enumCheck(&c, in.BillingMode, "billingMode", "PROVISIONED", "PAY_PER_REQUEST")
	if in.StreamSpecification != nil {
		enumCheck(&c, in.StreamSpecification.StreamViewType, "streamSpecification.streamViewType", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY")
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	if err := checkStream(in.StreamSpecification); err != nil {
		return nil, err
	}
	defs := map[string]string{}
	for _, d := range in.AttributeDefinitions {
		if _, dup := defs[d.AttributeName]; dup {
			return nil, validation("Cannot have two attributes with the same name")
		}
		defs[d.AttributeName] = d.AttributeType
	}
	hash, rng, err := parseKeySchema(in.KeySchema, defs, "")
	if err != nil {
		return nil, err
	}
	m := &tableMeta{
		Name: name, ID: newUUID(), Created: s.nowSeconds(), AttrDefs: in.AttributeDefinitions,
		Hash: hash, Range: rng, BillingMode: in.BillingMode, BillingExplicit: in.BillingMode != "",
		Stream: in.StreamSpecification, Tags: in.Tags, TableClass: in.TableClass, NextIndexID: 1,
	}
	if in.DeletionProtectionEnabled != nil {
		m.DeletionProtection = *in.DeletionProtectionEnabled
	}
	if m.BillingMode == "" {
		m.BillingMode = "PROVISIONED"
	}
	if m.BillingMode == "PAY_PER_REQUEST" {
		m.BillingUpdated = m.Created
	}
	if m.Stream != nil && m.Stream.StreamEnabled {
		m.StreamLabel = s.now().UTC().Format("2006-01-02T15:04:05.000")
	}
	rcu, wcu, err := throughput(m.BillingMode, in.ProvisionedThroughput, "")
	if err != nil {
		return nil, err
	}
	m.RCU, m.WCU = rcu, wcu
	used := map[string]bool{hash.Name: true}
	if rng != nil {
		used[rng.Name] = true
	}
	seenIdx := map[string]bool{}
	if len(in.LocalSecondaryIndexes) > 0 && rng == nil {
		return nil, validation("One or more parameter values were invalid: Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex")
	}
	if len(in.LocalSecondaryIndexes) > 5 {
		return nil, validation("One or more parameter values were invalid: Number of LocalSecondaryIndexes exceeds per-table limit of 5")
	}
	if len(in.GlobalSecondaryIndexes) > 20 {
		return nil, validation("One or more parameter values were invalid: GlobalSecondaryIndex count exceeds the per-table limit of 20")
	}
	for _, li := range in.LocalSecondaryIndexes {
		ix, err := s.buildIndex(m, li, defs, true, seenIdx)
		if err != nil {
			return nil, err
		}
		if ix.Hash.Name != hash.Name {
			return nil, validationf("One or more parameter values were invalid: Index KeySchema does not have the same leading hash key as table KeySchema for index: %s. index hash key: %s, table hash key: %s", ix.Name, ix.Hash.Name, hash.Name)
		}
		m.LSIs = append(m.LSIs, ix)
		markUsed(used, ix)
	}
	for _, gi := range in.GlobalSecondaryIndexes {
		ix, err := s.buildIndex(m, gi, defs, false, seenIdx)
		if err != nil {
			return nil, err
		}
		m.GSIs = append(m.GSIs, ix)
		markUsed(used, ix)
	}
	if len(used) != len(defs) {
		var all, keys []string
		for _, d := range in.AttributeDefinitions {
			all = append(all, d.AttributeName)
		}
		for k := range used {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		return nil, validationf("One or more parameter values were invalid: Some AttributeDefinitions are not used. AttributeDefinitions: [%s], keys used: [%s]", strings.Join(all, ", "), strings.Join(keys, ", "))
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

// parseKeySchema checks a table or index key schema against the
// attribute definitions.
func parseKeySchema(ks []keySchemaElement, defs map[string]string, index string) (keyAttr, *keyAttr, error) {
	invalid := "Invalid KeySchema: "
	if index != "" {
		invalid = "One or more parameter values were invalid: "
	}
	if len(ks) == 0 || len(ks) > 2 {
		return keyAttr{}, nil, validationf("%sKey Schema too big.  Key Schema must at most consist of the hash and range key of a table", invalid)
	}
	for _, k := range ks {
		if _, ok := defs[k.AttributeName]; !ok {
			if index != "" {
				return keyAttr{}, nil, validationf("One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [%s], AttributeDefinitions: [%s]", keyNamesOf(ks), defNames(defs))
			}
			return keyAttr{}, nil, validation("Invalid KeySchema: Some index key attribute have no definition")
		}
	}
	if len(ks) == 2 && ks[0].AttributeName == ks[1].AttributeName {
		return keyAttr{}, nil, validation(invalid + "Some index key attribute have no definition")
	}
	if ks[0].KeyType != "HASH" {
		return keyAttr{}, nil, validation(invalid + "The first KeySchemaElement is not a HASH key type")
	}
	hash := keyAttr{ks[0].AttributeName, keyType(defs, ks[0].AttributeName)}
	if len(ks) == 1 {
		return hash, nil, nil
	}
	if ks[1].KeyType != "RANGE" {
		return keyAttr{}, nil, validation(invalid + "The second KeySchemaElement is not a RANGE key type")
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

func defNames(defs map[string]string) string {
	var n []string
	for k := range defs {
		n = append(n, k)
	}
	sort.Strings(n)
	return strings.Join(n, ", ")
}

// throughput validates ProvisionedThroughput against the billing mode (for
// the table, or for index when named).
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
	if *pt.ReadCapacityUnits < 1 || *pt.WriteCapacityUnits < 1 {
		return 0, 0, validation("One or more parameter values were invalid: Provisioned throughput must be at least 1 for ReadCapacityUnits and WriteCapacityUnits")
	}
	return *pt.ReadCapacityUnits, *pt.WriteCapacityUnits, nil
}

// buildIndex validates one GSI or LSI definition and assigns its store id.
func (s *Service) buildIndex(m *tableMeta, in indexIn, defs map[string]string, local bool, seen map[string]bool) (*indexMeta, error) {
	if len(in.IndexName) < 3 || len(in.IndexName) > 255 || !tableNamePattern.MatchString(in.IndexName) {
		return nil, constraintErrors([]string{fmt.Sprintf("Value '%s' at 'indexName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+", in.IndexName)})
	}
	if seen[in.IndexName] {
		return nil, validationf("One or more parameter values were invalid: Duplicate index name: %s", in.IndexName)
	}
	seen[in.IndexName] = true
	hash, rng, err := parseKeySchema(in.KeySchema, defs, in.IndexName)
	if err != nil {
		return nil, err
	}
	if local && rng == nil {
		return nil, validationf("One or more parameter values were invalid: Index KeySchema does not have a range key for index: %s", in.IndexName)
	}
	if in.Projection == nil {
		return nil, validationf("One or more parameter values were invalid: Projection must be specified for index: %s", in.IndexName)
	}
	pt := in.Projection.ProjectionType
	if pt == "" {
		pt = "ALL"
	}
	switch pt {
	case "ALL", "KEYS_ONLY":
		if len(in.Projection.NonKeyAttributes) > 0 {
			return nil, validationf("One or more parameter values were invalid: ProjectionType is %s, but NonKeyAttributes is specified", pt)
		}
	case "INCLUDE":
		if len(in.Projection.NonKeyAttributes) == 0 {
			return nil, validation("One or more parameter values were invalid: ProjectionType is INCLUDE, but NonKeyAttributes is not specified")
		}
	default:
		return nil, constraintErrors([]string{fmt.Sprintf("Value '%s' at 'projection.projectionType' failed to satisfy constraint: Member must satisfy enum value set: [ALL, INCLUDE, KEYS_ONLY]", pt)})
	}
	ix := &indexMeta{Name: in.IndexName, ID: m.NextIndexID, Local: local, Hash: hash, Range: rng, ProjectionType: pt, NonKeyAttrs: in.Projection.NonKeyAttributes}
	m.NextIndexID++
	if !local {
		rcu, wcu, err := throughput(m.BillingMode, in.ProvisionedThroughput, in.IndexName)
		if err != nil {
			return nil, err
		}
		ix.RCU, ix.WCU = rcu, wcu
	}
	return ix, nil
}

// checkStream validates a StreamSpecification.
func checkStream(ss *streamSpec) error {
	switch {
	case ss == nil:
	case ss.StreamEnabled && ss.StreamViewType == "":
		return validation("One or more parameter values were invalid: Enabled stream specification must have a StreamViewType")
	case !ss.StreamEnabled && ss.StreamViewType != "":
		return validation("One or more parameter values were invalid: Disabled stream specification must not have a StreamViewType")
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
