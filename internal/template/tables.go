package template

import (
	"encoding/json"

	"github.com/nimbus-dev/nimbus/internal/app"
)

// table converts AWS::DynamoDB::Table (and the table shape of
// AWS::DynamoDB::GlobalTable).
func (l *loader) table(r *resource) {
	s := l.s
	name, err := s.physicalName(r, "TableName", 255)
	if err != nil {
		s.fail(err)
		return
	}
	t := &app.Table{LogicalID: r.ID, TableName: name, Source: r.location()}
	decode := func(key string, into any) {
		v := s.prop(r, key)
		if v == nil {
			return
		}
		b, _ := json.Marshal(normalizeNumbers(v))
		if err := json.Unmarshal(b, into); err != nil {
			s.fail(errAt(r.Props.Get(key), r.ID, "", "%s: %v", key, jsonErr(err)))
		}
	}
	decode("AttributeDefinitions", &t.AttributeDefinitions)
	decode("KeySchema", &t.KeySchema)
	decode("GlobalSecondaryIndexes", &t.GlobalSecondaryIndexes)
	decode("LocalSecondaryIndexes", &t.LocalSecondaryIndexes)
	decode("ProvisionedThroughput", &t.ProvisionedThroughput)
	decode("StreamSpecification", &t.StreamSpecification)
	t.BillingMode = s.propStr(r, "BillingMode")
	if r.Type == "AWS::DynamoDB::GlobalTable" && t.BillingMode == "" {
		t.BillingMode = "PAY_PER_REQUEST"
	}
	if t.BillingMode == "" {
		t.BillingMode = "PROVISIONED"
		if t.ProvisionedThroughput == nil {
			t.BillingMode = "PAY_PER_REQUEST"
		}
	}
	if t.StreamSpecification != nil && t.StreamSpecification.StreamViewType != "" {
		t.StreamSpecification.StreamEnabled = true
	}
	if ttl, ok := s.prop(r, "TimeToLiveSpecification").(map[string]any); ok && toBool(ttl["Enabled"]) {
		t.TimeToLiveAttribute = str(ttl["AttributeName"])
	}
	if len(t.KeySchema) == 0 {
		s.fail(errAt(r.Node, r.ID, "add KeySchema: [{AttributeName: id, KeyType: HASH}]", "table has no KeySchema"))
		return
	}
	l.checkTableAttributes(r, t)
	l.app.Tables = append(l.app.Tables, t)
}

// checkTableAttributes reports key attributes missing from
// AttributeDefinitions, which CloudFormation rejects.
func (l *loader) checkTableAttributes(r *resource, t *app.Table) {
	defined := map[string]bool{}
	var names []string
	for _, a := range t.AttributeDefinitions {
		defined[a.AttributeName] = true
		names = append(names, a.AttributeName)
	}
	check := func(ks []app.KeySchemaElement, what string) {
		for _, k := range ks {
			if !defined[k.AttributeName] {
				l.s.fail(errAt(r.Props.Get("KeySchema"), r.ID, suggest(k.AttributeName, names),
					"%s key attribute %q is not in AttributeDefinitions", what, k.AttributeName))
			}
		}
	}
	check(t.KeySchema, "table")
	for _, ix := range t.GlobalSecondaryIndexes {
		check(ix.KeySchema, "index "+ix.IndexName)
	}
	for _, ix := range t.LocalSecondaryIndexes {
		check(ix.KeySchema, "index "+ix.IndexName)
	}
}

// simpleTable converts AWS::Serverless::SimpleTable as SAM expands it: a
// single string, number or binary hash key ("id" of type String by default).
func (l *loader) simpleTable(r *resource) {
	s := l.s
	name, err := s.physicalName(r, "TableName", 255)
	if err != nil {
		s.fail(err)
		return
	}
	keyName, keyType := "id", "S"
	if pk, ok := s.prop(r, "PrimaryKey").(map[string]any); ok {
		if n := str(pk["Name"]); n != "" {
			keyName = n
		}
		switch str(pk["Type"]) {
		case "String", "":
			keyType = "S"
		case "Number":
			keyType = "N"
		case "Binary":
			keyType = "B"
		default:
			s.fail(errAt(r.Props.Get("PrimaryKey"), r.ID, suggest(str(pk["Type"]), []string{"String", "Number", "Binary"}),
				"PrimaryKey Type %q must be String, Number or Binary", str(pk["Type"])))
			return
		}
	}
	t := &app.Table{
		LogicalID:            r.ID,
		TableName:            name,
		AttributeDefinitions: []app.AttributeDefinition{{AttributeName: keyName, AttributeType: keyType}},
		KeySchema:            []app.KeySchemaElement{{AttributeName: keyName, KeyType: "HASH"}},
		BillingMode:          "PAY_PER_REQUEST",
		Source:               r.location(),
	}
	if pt, ok := s.prop(r, "ProvisionedThroughput").(map[string]any); ok {
		rc, _ := toInt(pt["ReadCapacityUnits"])
		wc, _ := toInt(pt["WriteCapacityUnits"])
		t.ProvisionedThroughput = &app.ProvisionedThroughput{ReadCapacityUnits: int64(rc), WriteCapacityUnits: int64(wc)}
		t.BillingMode = "PROVISIONED"
	}
	l.app.Tables = append(l.app.Tables, t)
}

// normalizeNumbers turns numeric strings inside throughput settings into
// numbers, since templates write both `5` and `"5"`.
func normalizeNumbers(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			switch k {
			case "ReadCapacityUnits", "WriteCapacityUnits", "MaxReadRequestUnits", "MaxWriteRequestUnits":
				if i, ok := toInt(e); ok {
					out[k] = i
					continue
				}
			case "StreamEnabled", "Enabled":
				if s, ok := e.(string); ok {
					out[k] = toBool(s)
					continue
				}
			}
			out[k] = normalizeNumbers(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = normalizeNumbers(e)
		}
		return out
	}
	return v
}

func jsonErr(err error) string {
	if te, ok := err.(*json.UnmarshalTypeError); ok {
		return "field " + te.Field + " has the wrong type (" + te.Value + ")"
	}
	return err.Error()
}
