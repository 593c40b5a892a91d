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

// tableOfArn resolves a table ARN of this region and account.
func (s *Service) tableOfArn(arn *string) (*table, error) {
	if arn == nil {
		return nil, constraintErrors([]string{"Value null at 'resourceArn' failed to satisfy constraint: Member must not be null"})
	}
	prefix := "arn:aws:dynamodb:" + s.region + ":" + s.acct + ":table/"
	name, ok := strings.CutPrefix(*arn, prefix)
	if !strings.HasPrefix(*arn, "arn:") || !strings.Contains(*arn, ":table/") {
		return nil, validation("Invalid TableArn: Invalid ResourceArn provided as input " + *arn)
	}
	if !ok {
		name = (*arn)[strings.Index(*arn, ":table/")+len(":table/"):]
	}
	if i := strings.Index(name, "/"); i >= 0 {
		name = name[:i]
	}
	s.mu.RLock()
	t := s.tables[name]
	s.mu.RUnlock()
	if t == nil {
		return nil, &apiError{Type: typeResourceNotFound, Message: "Requested resource not found: ResourcArn: " + *arn + " not found"}
	}
	return t, nil
}

// tagResource serves TagResource on a table ARN.
func (s *Service) tagResource(ctx context.Context, in *tagResourceInput) (*struct{}, error) {
	if in.Tags == nil {
		return nil, constraintErrors([]string{"Value null at 'tags' failed to satisfy constraint: Member must not be null"})
	}
	t, err := s.tableOfArn(in.ResourceArn)
	if err != nil {
		return nil, err
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
	t, err := s.tableOfArn(in.ResourceArn)
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
