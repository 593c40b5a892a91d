package dynamodb

import (
	"encoding/json"
	"sort"

	"github.com/nimbus-dev/nimbus/internal/dynamodb/attr"
)

// exprValues is ExpressionAttributeValues: invalid values are reported with
// the placeholder they belong to, as DynamoDB reports them.
type exprValues map[string]*attr.Value

func (e *exprValues) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	if raw == nil {
		return nil
	}
	out := make(exprValues, len(raw))
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := new(attr.Value)
		if err := json.Unmarshal(raw[k], v); err != nil {
			if ae, ok := err.(*attr.Error); ok {
				return &eavError{key: k, err: ae}
			}
			return err
		}
		out[k] = v
	}
	*e = out
	return nil
}

// eavError is an invalid expression attribute value and its placeholder.
type eavError struct {
	key string
	err *attr.Error
}

func (e *eavError) Error() string { return e.err.Error() }

type keySchemaElement struct {
	AttributeName string `json:"AttributeName"`
	KeyType       string `json:"KeyType"`
}

type attributeDefinition struct {
	AttributeName string `json:"AttributeName"`
	AttributeType string `json:"AttributeType"`
}

type projection struct {
	ProjectionType   string   `json:"ProjectionType,omitempty"`
	NonKeyAttributes []string `json:"NonKeyAttributes,omitempty"`
}

type throughputIn struct {
	ReadCapacityUnits  *int64 `json:"ReadCapacityUnits"`
	WriteCapacityUnits *int64 `json:"WriteCapacityUnits"`
}

type indexIn struct {
	IndexName             string             `json:"IndexName"`
	KeySchema             []keySchemaElement `json:"KeySchema"`
	Projection            *projection        `json:"Projection"`
	ProvisionedThroughput *throughputIn      `json:"ProvisionedThroughput"`
}

type streamSpec struct {
	StreamEnabled  bool   `json:"StreamEnabled"`
	StreamViewType string `json:"StreamViewType,omitempty"`
}

type tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

type createTableInput struct {
	TableName                 *string               `json:"TableName"`
	AttributeDefinitions      []attributeDefinition `json:"AttributeDefinitions"`
	KeySchema                 []keySchemaElement    `json:"KeySchema"`
	GlobalSecondaryIndexes    []indexIn             `json:"GlobalSecondaryIndexes"`
	LocalSecondaryIndexes     []indexIn             `json:"LocalSecondaryIndexes"`
	BillingMode               string                `json:"BillingMode"`
	ProvisionedThroughput     *throughputIn         `json:"ProvisionedThroughput"`
	StreamSpecification       *streamSpec           `json:"StreamSpecification"`
	Tags                      []tag                 `json:"Tags"`
	DeletionProtectionEnabled *bool                 `json:"DeletionProtectionEnabled"`
	TableClass                string                `json:"TableClass"`
	// raw is the request as sent, for the model's constraint checks
	// (nil when the request did not come over the wire).
	raw []byte
}

func (in *createTableInput) setRaw(b []byte) { in.raw = b }

type tableNameInput struct {
	TableName *string `json:"TableName"`
}

type listTablesInput struct {
	ExclusiveStartTableName *string `json:"ExclusiveStartTableName"`
	Limit                   *int    `json:"Limit"`
}

type gsiUpdate struct {
	Create *indexIn `json:"Create"`
	Delete *struct {
		IndexName string `json:"IndexName"`
	} `json:"Delete"`
	Update *struct {
		IndexName             string        `json:"IndexName"`
		ProvisionedThroughput *throughputIn `json:"ProvisionedThroughput"`
	} `json:"Update"`
}

type updateTableInput struct {
	TableName                   *string               `json:"TableName"`
	AttributeDefinitions        []attributeDefinition `json:"AttributeDefinitions"`
	BillingMode                 string                `json:"BillingMode"`
	ProvisionedThroughput       *throughputIn         `json:"ProvisionedThroughput"`
	GlobalSecondaryIndexUpdates []gsiUpdate           `json:"GlobalSecondaryIndexUpdates"`
	StreamSpecification         *streamSpec           `json:"StreamSpecification"`
	DeletionProtectionEnabled   *bool                 `json:"DeletionProtectionEnabled"`
	TableClass                  string                `json:"TableClass"`
	raw                         []byte
}

func (in *updateTableInput) setRaw(b []byte) { in.raw = b }

// Output shapes.

type throughputOut struct {
	LastIncreaseDateTime   *float64 `json:"LastIncreaseDateTime,omitempty"`
	LastDecreaseDateTime   *float64 `json:"LastDecreaseDateTime,omitempty"`
	NumberOfDecreasesToday int64    `json:"NumberOfDecreasesToday"`
	ReadCapacityUnits      int64    `json:"ReadCapacityUnits"`
	WriteCapacityUnits     int64    `json:"WriteCapacityUnits"`
}

type billingModeSummary struct {
	BillingMode                       string  `json:"BillingMode"`
	LastUpdateToPayPerRequestDateTime float64 `json:"LastUpdateToPayPerRequestDateTime,omitempty"`
}

type indexOut struct {
	IndexName             string             `json:"IndexName"`
	KeySchema             []keySchemaElement `json:"KeySchema"`
	Projection            projection         `json:"Projection"`
	IndexStatus           string             `json:"IndexStatus,omitempty"`
	Backfilling           *bool              `json:"Backfilling,omitempty"`
	ProvisionedThroughput *throughputOut     `json:"ProvisionedThroughput,omitempty"`
	IndexSizeBytes        int64              `json:"IndexSizeBytes"`
	ItemCount             int64              `json:"ItemCount"`
	IndexArn              string             `json:"IndexArn"`
}

type tableDescription struct {
	AttributeDefinitions      []attributeDefinition `json:"AttributeDefinitions"`
	TableName                 string                `json:"TableName"`
	KeySchema                 []keySchemaElement    `json:"KeySchema"`
	TableStatus               string                `json:"TableStatus"`
	CreationDateTime          float64               `json:"CreationDateTime"`
	ProvisionedThroughput     throughputOut         `json:"ProvisionedThroughput"`
	TableSizeBytes            int64                 `json:"TableSizeBytes"`
	ItemCount                 int64                 `json:"ItemCount"`
	TableArn                  string                `json:"TableArn"`
	TableId                   string                `json:"TableId"`
	BillingModeSummary        *billingModeSummary   `json:"BillingModeSummary,omitempty"`
	LocalSecondaryIndexes     []indexOut            `json:"LocalSecondaryIndexes,omitempty"`
	GlobalSecondaryIndexes    []indexOut            `json:"GlobalSecondaryIndexes,omitempty"`
	StreamSpecification       *streamSpec           `json:"StreamSpecification,omitempty"`
	LatestStreamLabel         string                `json:"LatestStreamLabel,omitempty"`
	LatestStreamArn           string                `json:"LatestStreamArn,omitempty"`
	TableClassSummary         *tableClassSummary    `json:"TableClassSummary,omitempty"`
	DeletionProtectionEnabled bool                  `json:"DeletionProtectionEnabled"`
}

type tableClassSummary struct {
	TableClass string `json:"TableClass"`
}

type capacity struct {
	CapacityUnits      float64 `json:"CapacityUnits"`
	ReadCapacityUnits  float64 `json:"ReadCapacityUnits,omitempty"`
	WriteCapacityUnits float64 `json:"WriteCapacityUnits,omitempty"`
}

type consumedCapacity struct {
	TableName              string              `json:"TableName"`
	CapacityUnits          float64             `json:"CapacityUnits"`
	ReadCapacityUnits      float64             `json:"ReadCapacityUnits,omitempty"`
	WriteCapacityUnits     float64             `json:"WriteCapacityUnits,omitempty"`
	Table                  *capacity           `json:"Table,omitempty"`
	GlobalSecondaryIndexes map[string]capacity `json:"GlobalSecondaryIndexes,omitempty"`
	LocalSecondaryIndexes  map[string]capacity `json:"LocalSecondaryIndexes,omitempty"`
}

type itemCollectionMetrics struct {
	ItemCollectionKey   attr.Item `json:"ItemCollectionKey"`
	SizeEstimateRangeGB []float64 `json:"SizeEstimateRangeGB"`
}

type cancellationReason struct {
	Item    attr.Item `json:"Item,omitempty"`
	Code    string    `json:"Code"`
	Message string    `json:"Message,omitempty"`
}
