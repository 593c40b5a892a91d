package dynamodb

import (
	"context"
	"strings"

	"github.com/nimbus-dev/nimbus/internal/storage"
)

type describeEndpointsOutput struct {
	Endpoints []endpoint `json:"Endpoints"`
}

type endpoint struct {
	Address              string `json:"Address"`
	CachePeriodInMinutes int64  `json:"CachePeriodInMinutes"`
}

// describeEndpoints serves DescribeEndpoints with AWS's regional address.
func (s *Service) describeEndpoints(ctx context.Context, in *struct{}) (*describeEndpointsOutput, error) {
	return &describeEndpointsOutput{[]endpoint{{Address: "dynamodb." + s.region + ".amazonaws.com", CachePeriodInMinutes: 1440}}}, nil
}

type describeLimitsOutput struct {
	AccountMaxReadCapacityUnits  int64 `json:"AccountMaxReadCapacityUnits"`
	AccountMaxWriteCapacityUnits int64 `json:"AccountMaxWriteCapacityUnits"`
	TableMaxReadCapacityUnits    int64 `json:"TableMaxReadCapacityUnits"`
	TableMaxWriteCapacityUnits   int64 `json:"TableMaxWriteCapacityUnits"`
}

// describeLimits serves DescribeLimits with AWS's default account limits.
func (s *Service) describeLimits(ctx context.Context, in *struct{}) (*describeLimitsOutput, error) {
	return &describeLimitsOutput{80000, 80000, 40000, 40000}, nil
}

// tagResourceInput is the request of TagResource, UntagResource and
// ListTagsOfResource.
type tagResourceInput struct {
	ResourceArn *string  `json:"ResourceArn"`
	Tags        []tag    `json:"Tags"`
	TagKeys     []string `json:"TagKeys"`
	NextToken   *string  `json:"NextToken"`
}

// maxTags is how many tags a table may carry.
const maxTags = 50

// tableOfArn resolves a table ARN of this region and account.
func (s *Service) tableOfArn(arn *string) (*table, error) {
	name, err := s.arnTableName(arn)
	if err != nil {
		return nil, err
	}
	return s.tableNamed(name, *arn)
}

// arnTableName validates a table (or stream) ARN and returns the table name.
func (s *Service) arnTableName(arn *string) (string, error) {
	if arn == nil {
		return "", constraintErrors([]string{"Value null at 'resourceArn' failed to satisfy constraint: Member must not be null"})
	}
	prefix := "arn:aws:dynamodb:" + s.region + ":" + s.acct + ":table/"
	name, ok := strings.CutPrefix(*arn, prefix)
	if !strings.HasPrefix(*arn, "arn:") || !strings.Contains(*arn, ":table/") {
		return "", validation("Invalid TableArn: Invalid ResourceArn provided as input " + *arn)
	}
	if !ok {
		name = (*arn)[strings.Index(*arn, ":table/")+len(":table/"):]
	}
	if i := strings.Index(name, "/"); i >= 0 {
		if !strings.HasPrefix(name[i:], "/stream/") {
			return "", validation("One or more parameter values were invalid: Invalid resource arn provided, only table or stream is accepted. Provided resource arn: " + *arn)
		}
		name = name[:i]
	}
	return name, nil
}

// tableNamed finds the table an ARN names.
func (s *Service) tableNamed(name, arn string) (*table, error) {
	s.mu.RLock()
	t := s.tables[name]
	s.mu.RUnlock()
	if t == nil {
		return nil, &apiError{Type: typeResourceNotFound, Message: "Requested resource not found: ResourcArn: " + arn + " not found"}
	}
	return t, nil
}

// tagConstraints checks the model's member constraints on tags.
func tagConstraints(tags []tag, field string) error {
	var c constraints
	for i, tg := range tags {
		switch {
		case len(tg.Key) < 1:
			c.add("Value '%s' at '%s.%d.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1", tg.Key, field, i+1)
		case len(tg.Key) > 128:
			c.add("Value '%s' at '%s.%d.member.key' failed to satisfy constraint: Member must have length less than or equal to 128", tg.Key, field, i+1)
		}
		if len(tg.Value) > 256 {
			c.add("Value '%s' at '%s.%d.member.value' failed to satisfy constraint: Member must have length less than or equal to 256", tg.Value, field, i+1)
		}
	}
	return c.err()
}

// checkTags applies DynamoDB's tag rules: no reserved "aws:" keys, no
// repeated keys, at most 50.
func checkTags(tags []tag) error {
	seen := map[string]bool{}
	for _, tg := range tags {
		if strings.HasPrefix(tg.Key, "aws:") {
			return validation("Tag Key cannot be prefixed with aws:, Key: " + tg.Key)
		}
		if seen[tg.Key] {
			return validation("Duplicate Tag Keys provided as input: Duplicate Tag Key found " + tg.Key)
		}
		seen[tg.Key] = true
	}
	if len(tags) > maxTags {
		return validation("Number of Tags exceed the current limit for the provided ResourceArn")
	}
	return nil
}

// tagResource serves TagResource on a table ARN.
func (s *Service) tagResource(ctx context.Context, in *tagResourceInput) (*struct{}, error) {
	if in.Tags == nil {
		return nil, constraintErrors([]string{"Value null at 'tags' failed to satisfy constraint: Member must not be null"})
	}
	if err := tagConstraints(in.Tags, "tags"); err != nil {
		return nil, err
	}
	name, err := s.arnTableName(in.ResourceArn)
	if err != nil {
		return nil, err
	}
	if len(in.Tags) == 0 {
		return nil, validation("Atleast one Tag needs to be provided as Input.")
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	t, err := s.tableNamed(name, *in.ResourceArn)
	if err != nil {
		return nil, err
	}
	merged := map[string]bool{}
	for _, tg := range t.meta.Load().Tags {
		merged[tg.Key] = true
	}
	for _, tg := range in.Tags {
		merged[tg.Key] = true
	}
	if len(merged) > maxTags {
		return nil, validation("Number of Tags exceed the current limit for the provided ResourceArn")
	}
	return &struct{}{}, s.changeMeta(t, func(m *tableMeta) {
		for _, nt := range in.Tags {
			replaced := false
			for i := range m.Tags {
				if m.Tags[i].Key == nt.Key {
					m.Tags[i].Value = nt.Value
					replaced = true
				}
			}
			if !replaced {
				m.Tags = append(m.Tags, nt)
			}
		}
	})
}

// untagResource serves UntagResource on a table ARN.
func (s *Service) untagResource(ctx context.Context, in *tagResourceInput) (*struct{}, error) {
	if in.TagKeys == nil {
		return nil, constraintErrors([]string{"Value null at 'tagKeys' failed to satisfy constraint: Member must not be null"})
	}
	name, err := s.arnTableName(in.ResourceArn)
	if err != nil {
		return nil, err
	}
	if len(in.TagKeys) == 0 {
		return nil, validation("Atleast one Tag Key needs to be provided as Input.")
	}
	t, err := s.tableNamed(name, *in.ResourceArn)
	if err != nil {
		return nil, err
	}
	return &struct{}{}, s.changeMeta(t, func(m *tableMeta) {
		kept := m.Tags[:0:0]
		for _, tg := range m.Tags {
			drop := false
			for _, k := range in.TagKeys {
				drop = drop || tg.Key == k
			}
			if !drop {
				kept = append(kept, tg)
			}
		}
		m.Tags = kept
	})
}

type listTagsOutput struct {
	Tags []tag `json:"Tags"`
}

// listTagsOfResource serves ListTagsOfResource.
func (s *Service) listTagsOfResource(ctx context.Context, in *tagResourceInput) (*listTagsOutput, error) {
	t, err := s.tableOfArn(in.ResourceArn)
	if err != nil {
		return nil, err
	}
	tags := t.meta.Load().Tags
	if tags == nil {
		tags = []tag{}
	}
	return &listTagsOutput{tags}, nil
}

// changeMeta persists a change to a table's definition.
func (s *Service) changeMeta(t *table, fn func(*tableMeta)) error {
	t.schema.Lock()
	defer t.schema.Unlock()
	m := t.meta.Load().clone()
	fn(m)
	var b storage.Batch
	s.saveMeta(&b, m)
	if err := s.store.Apply(&b); err != nil {
		return internal(err)
	}
	t.meta.Store(m)
	return nil
}

type continuousBackupsOutput struct {
	ContinuousBackupsDescription struct {
		ContinuousBackupsStatus        string `json:"ContinuousBackupsStatus"`
		PointInTimeRecoveryDescription struct {
			PointInTimeRecoveryStatus string `json:"PointInTimeRecoveryStatus"`
		} `json:"PointInTimeRecoveryDescription"`
	} `json:"ContinuousBackupsDescription"`
}

// describeContinuousBackups serves DescribeContinuousBackups (backups are not
// emulated; PITR reports DISABLED).
func (s *Service) describeContinuousBackups(ctx context.Context, in *tableNameInput) (*continuousBackupsOutput, error) {
	var c constraints
	name := tableName(in.TableName, &c, "tableName", 3)
	if len(c) > 0 {
		return nil, c.err()
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	if _, _, err := s.lookup(name); err != nil {
		return nil, &apiError{Type: "com.amazonaws.dynamodb.v20120810#TableNotFoundException", Message: "Table not found: " + name}
	}
	out := &continuousBackupsOutput{}
	out.ContinuousBackupsDescription.ContinuousBackupsStatus = "ENABLED"
	out.ContinuousBackupsDescription.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus = "DISABLED"
	return out, nil
}
