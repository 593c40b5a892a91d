package dynamodb

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"time"

	"github.com/nimbus-dev/nimbus/internal/dynamodb/attr"
	"github.com/nimbus-dev/nimbus/internal/dynamodb/expr"
	"github.com/nimbus-dev/nimbus/internal/storage"
)

type ttlSpec struct {
	Enabled       *bool   `json:"Enabled"`
	AttributeName *string `json:"AttributeName"`
}

type updateTTLInput struct {
	TableName               *string  `json:"TableName"`
	TimeToLiveSpecification *ttlSpec `json:"TimeToLiveSpecification"`
}

type ttlSpecOut struct {
	Enabled       bool   `json:"Enabled"`
	AttributeName string `json:"AttributeName"`
}

type updateTTLOutput struct {
	TimeToLiveSpecification ttlSpecOut `json:"TimeToLiveSpecification"`
}

// updateTimeToLive serves UpdateTimeToLive.
func (s *Service) updateTimeToLive(ctx context.Context, in *updateTTLInput) (*updateTTLOutput, error) {
	var c constraints
	name := tableName(in.TableName, &c, "tableName", 3)
	if len(c) > 0 {
		return nil, c.err()
	}
	spec := in.TimeToLiveSpecification
	if spec == nil {
		c.add("Value null at 'timeToLiveSpecification' failed to satisfy constraint: Member must not be null")
	} else {
		if spec.AttributeName == nil {
			c.add("Value null at 'timeToLiveSpecification.attributeName' failed to satisfy constraint: Member must not be null")
		} else if len(*spec.AttributeName) < 1 {
			c.add("Value '' at 'timeToLiveSpecification.attributeName' failed to satisfy constraint: Member must have length greater than or equal to 1")
		}
		if spec.Enabled == nil {
			c.add("Value null at 'timeToLiveSpecification.enabled' failed to satisfy constraint: Member must not be null")
		}
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	t, _, err := s.lookup(name)
	if err != nil {
		return nil, err
	}
	if err := s.setTTL(t, *spec.AttributeName, *spec.Enabled); err != nil {
		return nil, err
	}
	return &updateTTLOutput{ttlSpecOut{Enabled: *spec.Enabled, AttributeName: *spec.AttributeName}}, nil
}

// setTTL enables or disables expiry on attribute name, building or
// dropping the expiry index.
func (s *Service) setTTL(t *table, name string, enabled bool) error {
	t.schema.Lock()
	defer t.schema.Unlock()
	old := t.meta.Load()
	switch {
	case enabled && old.TTLEnabled && old.TTLAttr == name:
		return validation("TimeToLive is already enabled")
	case enabled && old.TTLEnabled:
		return validationf("TimeToLive is active on a different AttributeName: current AttributeName is %s", old.TTLAttr)
	case !enabled && !old.TTLEnabled:
		return validation("TimeToLive is already disabled")
	case !enabled && old.TTLAttr != name:
		return validationf("TimeToLive is active on a different AttributeName: current AttributeName is %s", old.TTLAttr)
	}
	m := old.clone()
	m.TTLAttr, m.TTLEnabled = name, enabled
	var b storage.Batch
	p := indexPrefix(m.Num, ttlIndexID)
	b.DeleteRange(p, storage.PrefixEnd(p))
	if enabled {
		base := indexPrefix(m.Num, baseIndex)
		it, err := s.store.NewIter(storage.IterOptions{Lower: base, Upper: storage.PrefixEnd(base)})
		if err != nil {
			return internal(err)
		}
		for it.Next() {
			item, err := attr.DecodeItem(it.Value())
			if err != nil {
				it.Close()
				return internal(err)
			}
			if k := m.ttlKey(item); k != nil {
				b.Set(k, nil)
			}
		}
		it.Close()
	}
	s.saveMeta(&b, m)
	if err := s.store.Apply(&b); err != nil {
		return internal(err)
	}
	t.meta.Store(m)
	return nil
}

type describeTTLOutput struct {
	TimeToLiveDescription struct {
		TimeToLiveStatus string `json:"TimeToLiveStatus"`
		AttributeName    string `json:"AttributeName,omitempty"`
	} `json:"TimeToLiveDescription"`
}

// describeTimeToLive serves DescribeTimeToLive.
func (s *Service) describeTimeToLive(ctx context.Context, in *tableNameInput) (*describeTTLOutput, error) {
	var c constraints
	name := tableName(in.TableName, &c, "tableName", 3)
	if len(c) > 0 {
		return nil, c.err()
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	_, m, err := s.lookup(name)
	if err != nil {
		return nil, err
	}
	out := &describeTTLOutput{}
	out.TimeToLiveDescription.TimeToLiveStatus = "DISABLED"
	if m.TTLEnabled {
		out.TimeToLiveDescription.TimeToLiveStatus = "ENABLED"
		out.TimeToLiveDescription.AttributeName = m.TTLAttr
	}
	return out, nil
}

func (s *Service) ttlLoop(interval time.Duration) {
	defer close(s.done)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-tick.C:
			s.sweepExpired()
		}
	}
}

// ttlHorizon: like AWS, items whose expiry lies more than five years in
// the past are not treated as expired.
const ttlHorizon = 5 * 365 * 24 * time.Hour

// sweepExpired deletes items whose TTL attribute is at or before now.
func (s *Service) sweepExpired() {
	s.mu.RLock()
	tables := make([]*table, 0, len(s.tables))
	for _, t := range s.tables {
		if t.meta.Load().TTLEnabled {
			tables = append(tables, t)
		}
	}
	s.mu.RUnlock()
	now := s.now()
	for _, t := range tables {
		if err := s.sweepTable(t, now); err != nil {
			level := slog.LevelWarn
			if errors.Is(err, storage.ErrNoSpace) {
				level = slog.LevelDebug // the writes that failed already say so
			}
			s.log.Log(context.Background(), level, "ttl sweep failed", "table", t.meta.Load().Name, "err", err)
		}
	}
}

func (s *Service) sweepTable(t *table, now time.Time) error {
	m := t.meta.Load()
	nowN := attr.Num(strconv.FormatInt(now.Unix(), 10))
	oldest := attr.Num(strconv.FormatInt(now.Add(-ttlHorizon).Unix(), 10))
	p := indexPrefix(m.Num, ttlIndexID)
	lower := attr.AppendKey(clone(p), oldest)
	upper := storage.PrefixEnd(attr.AppendKey(clone(p), nowN))
	it, err := s.store.NewIter(storage.IterOptions{Lower: lower, Upper: upper})
	if err != nil {
		return err
	}
	var keys [][]byte
	for it.Next() && len(keys) < 1000 {
		rest := skipKeyPart(it.Key()[len(p):])
		keys = append(keys, append(indexPrefix(m.Num, baseIndex), rest...))
	}
	if err := it.Close(); err != nil {
		return err
	}
	ttlName := m.TTLAttr
	cond := &expr.Compare{Op: "<=", L: &expr.PathOperand{Path: expr.Path{{Name: ttlName}}}, R: &expr.ValueOperand{Value: nowN}}
	for _, k := range keys {
		_, err := s.writeOne(writeReq{t: t, key: k, cond: cond, needOld: true,
			mutate: func(*tableMeta, attr.Item) (attr.Item, error) { return nil, nil }})
		if err != nil {
			if ae, ok := err.(*apiError); ok && ae.Type == typeConditionalCheck {
				continue
			}
			return err
		}
	}
	return nil
}

// skipKeyPart returns what follows the first encoded key part of b.
func skipKeyPart(b []byte) []byte {
	for i := 0; i+1 < len(b); i++ {
		if b[i] == 0 {
			if b[i+1] == 0x01 {
				return b[i+2:]
			}
			i++
		}
	}
	return nil
}
