package dynamodb

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// The control-plane requests (CreateTable, UpdateTable) carry nested
// structures whose members DynamoDB validates against its API model before
// anything else: required members, lengths, ranges, patterns and enums,
// each reported as "Value ... at 'path' failed to satisfy constraint: ...".
// Those checks need the JSON as sent (a null member is not an empty one),
// so they run on the raw request against a shape description of the model.

// shape describes one member of the API model.
type shape struct {
	kind     byte // 's' string, 'n' number, 'b' boolean, 'l' list, 'o' structure
	notNull  bool
	minLen   int // strings and lists; 0 means none
	maxLen   int // 0 means none
	min      int64
	hasMin   bool
	pattern  string
	enum     []string
	javaName string   // structures: the name Java's toString prints
	fields   []member // structures
	elem     *shape   // lists
}

// member is a named member of a structure shape.
type member struct {
	name string
	s    *shape
}

// maxConstraintErrors is how many violations DynamoDB reports at most.
const maxConstraintErrors = 10

var patternCache = map[string]*regexp.Regexp{}

func compiled(p string) *regexp.Regexp {
	if re, ok := patternCache[p]; ok {
		return re
	}
	re := regexp.MustCompile("^(?:" + p + ")$")
	patternCache[p] = re
	return re
}

// checkShape validates the JSON body against the structure s, adding each
// violation to c (the table name, checked first by the caller, is skipped).
func checkShape(body []byte, s *shape, c *constraints) {
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var v any
	if d.Decode(&v) != nil {
		return
	}
	obj, _ := v.(map[string]any)
	walkStruct(obj, s, "", c)
}

func walkStruct(obj map[string]any, s *shape, path string, c *constraints) {
	for _, f := range s.fields {
		p := lowerFirst(f.name)
		if path != "" {
			p = path + "." + p
		}
		walkValue(obj[f.name], f.s, p, c)
	}
}

func walkValue(v any, s *shape, path string, c *constraints) {
	if len(*c) >= maxConstraintErrors {
		return
	}
	if v == nil {
		if s.notNull {
			c.add("Value null at '%s' failed to satisfy constraint: Member must not be null", path)
		}
		return
	}
	fail := func(constraint string) {
		if len(*c) < maxConstraintErrors {
			c.add("Value '%s' at '%s' failed to satisfy constraint: %s", javaString(v, s), path, constraint)
		}
	}
	switch s.kind {
	case 's':
		str, ok := v.(string)
		if !ok {
			return
		}
		n := len([]rune(str))
		switch {
		case s.minLen > 0 && n < s.minLen:
			fail(fmt.Sprintf("Member must have length greater than or equal to %d", s.minLen))
		case s.maxLen > 0 && n > s.maxLen:
			fail(fmt.Sprintf("Member must have length less than or equal to %d", s.maxLen))
		case s.pattern != "" && !compiled(s.pattern).MatchString(str):
			fail("Member must satisfy regular expression pattern: " + s.pattern)
		case len(s.enum) > 0 && !contains(s.enum, str):
			fail("Member must satisfy enum value set: [" + strings.Join(s.enum, ", ") + "]")
		}
	case 'n':
		num, ok := v.(json.Number)
		if !ok {
			return
		}
		if i, err := num.Int64(); err == nil && s.hasMin && i < s.min {
			fail(fmt.Sprintf("Member must have value greater than or equal to %d", s.min))
		}
	case 'l':
		list, ok := v.([]any)
		if !ok {
			return
		}
		switch {
		case s.minLen > 0 && len(list) < s.minLen:
			fail(fmt.Sprintf("Member must have length greater than or equal to %d", s.minLen))
		case s.maxLen > 0 && len(list) > s.maxLen:
			fail(fmt.Sprintf("Member must have length less than or equal to %d", s.maxLen))
		}
		for i, e := range list {
			walkValue(e, s.elem, fmt.Sprintf("%s.%d.member", path, i+1), c)
		}
	case 'o':
		if obj, ok := v.(map[string]any); ok {
			walkStruct(obj, s, path, c)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// javaString renders a request value as the Java service prints it in a
// constraint message: strings bare, lists as [a, b], structures as
// Name(field=value, ...).
func javaString(v any, s *shape) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		return fmt.Sprint(v)
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			var es *shape
			if s != nil {
				es = s.elem
			}
			parts[i] = javaString(e, es)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		if s == nil || s.javaName == "" {
			b, _ := json.Marshal(v)
			return string(b)
		}
		parts := make([]string, len(s.fields))
		for i, f := range s.fields {
			parts[i] = lowerFirst(f.name) + "=" + javaString(v[f.name], f.s)
		}
		return s.javaName + "(" + strings.Join(parts, ", ") + ")"
	}
	return fmt.Sprint(v)
}

// Shapes of the control-plane requests, after DynamoDB's API model.
var (
	nameShape = &shape{kind: 's', notNull: true, minLen: 1, maxLen: 255}

	keySchemaShape = &shape{kind: 'l', notNull: true, minLen: 1, maxLen: 2, elem: &shape{kind: 'o', javaName: "KeySchemaElement", fields: []member{
		{"AttributeName", nameShape},
		{"KeyType", &shape{kind: 's', notNull: true, enum: []string{"HASH", "RANGE"}}},
	}}}

	attributeDefinitionsShape = &shape{kind: 'l', elem: &shape{kind: 'o', javaName: "AttributeDefinition", fields: []member{
		{"AttributeName", nameShape},
		{"AttributeType", &shape{kind: 's', notNull: true, enum: []string{"B", "N", "S"}}},
	}}}

	throughputShape = &shape{kind: 'o', javaName: "ProvisionedThroughput", fields: []member{
		{"WriteCapacityUnits", &shape{kind: 'n', notNull: true, min: 1, hasMin: true}},
		{"ReadCapacityUnits", &shape{kind: 'n', notNull: true, min: 1, hasMin: true}},
	}}

	projectionShape = &shape{kind: 'o', notNull: true, javaName: "Projection", fields: []member{
		{"ProjectionType", &shape{kind: 's', enum: []string{"ALL", "INCLUDE", "KEYS_ONLY"}}},
		{"NonKeyAttributes", &shape{kind: 'l', minLen: 1, maxLen: 20, elem: &shape{kind: 's', minLen: 1, maxLen: 255}}},
	}}

	indexNameShape = &shape{kind: 's', notNull: true, minLen: 3, maxLen: 255, pattern: "[a-zA-Z0-9_.-]+"}

	localIndexShape = &shape{kind: 'l', elem: &shape{kind: 'o', javaName: "LocalSecondaryIndex", fields: []member{
		{"IndexName", indexNameShape},
		{"KeySchema", keySchemaShape},
		{"Projection", projectionShape},
	}}}

	globalIndexShape = &shape{kind: 'o', javaName: "GlobalSecondaryIndex", fields: []member{
		{"IndexName", indexNameShape},
		{"KeySchema", keySchemaShape},
		{"Projection", projectionShape},
		{"ProvisionedThroughput", throughputShape},
	}}

	billingModeShape = &shape{kind: 's', enum: []string{"PROVISIONED", "PAY_PER_REQUEST"}}

	streamShape = &shape{kind: 'o', javaName: "StreamSpecification", fields: []member{
		{"StreamEnabled", &shape{kind: 'b', notNull: true}},
		{"StreamViewType", &shape{kind: 's', enum: []string{"OLD_IMAGE", "KEYS_ONLY", "NEW_AND_OLD_IMAGES", "NEW_IMAGE"}}},
	}}

	tagsShape = &shape{kind: 'l', elem: &shape{kind: 'o', javaName: "Tag", fields: []member{
		{"Key", &shape{kind: 's', notNull: true, minLen: 1, maxLen: 128}},
		{"Value", &shape{kind: 's', notNull: true, maxLen: 256}},
	}}}

	createTableShape = &shape{kind: 'o', fields: []member{
		{"AttributeDefinitions", &shape{kind: 'l', notNull: true, elem: attributeDefinitionsShape.elem}},
		{"KeySchema", keySchemaShape},
		// DynamoDB reports a GSI's member errors before an LSI's.
		{"GlobalSecondaryIndexes", &shape{kind: 'l', elem: globalIndexShape}},
		{"LocalSecondaryIndexes", localIndexShape},
		{"BillingMode", billingModeShape},
		{"ProvisionedThroughput", throughputShape},
		{"StreamSpecification", streamShape},
		{"Tags", tagsShape},
	}}

	updateTableShape = &shape{kind: 'o', fields: []member{
		{"AttributeDefinitions", attributeDefinitionsShape},
		{"BillingMode", billingModeShape},
		{"ProvisionedThroughput", throughputShape},
		{"GlobalSecondaryIndexUpdates", &shape{kind: 'l', elem: &shape{kind: 'o', javaName: "GlobalSecondaryIndexUpdate", fields: []member{
			{"Update", &shape{kind: 'o', javaName: "UpdateGlobalSecondaryIndexAction", fields: []member{
				{"IndexName", indexNameShape},
				{"ProvisionedThroughput", throughputShape},
			}}},
			{"Create", &shape{kind: 'o', javaName: "CreateGlobalSecondaryIndexAction", fields: globalIndexShape.fields}},
			{"Delete", &shape{kind: 'o', javaName: "DeleteGlobalSecondaryIndexAction", fields: []member{
				{"IndexName", indexNameShape},
			}}},
		}}}},
		{"StreamSpecification", streamShape},
	}}
)
