package dynamodb

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/nimbus-dev/nimbus/internal/dynamodb/attr"
	"github.com/nimbus-dev/nimbus/internal/dynamodb/expr"
	"github.com/nimbus-dev/nimbus/internal/storage"
)

// keysAndAttributes is one table's entry in BatchGetItem.
type keysAndAttributes struct {
	Keys                     []attr.Item       `json:"Keys"`
	ProjectionExpression     *string           `json:"ProjectionExpression,omitempty"`
	ExpressionAttributeNames map[string]string `json:"ExpressionAttributeNames,omitempty"`
	ConsistentRead           *bool             `json:"ConsistentRead,omitempty"`
	AttributesToGet          []string          `json:"AttributesToGet,omitempty"`
}

// batchGetInput is BatchGetItem's request.
type batchGetInput struct {
	RequestItems           map[string]*keysAndAttributes `json:"RequestItems"`
	ReturnConsumedCapacity string                        `json:"ReturnConsumedCapacity"`

	raw []byte
}

func (in *batchGetInput) setRaw(b []byte) { in.raw = b }

// rawRequestItems is RequestItems as sent, compacted, the way DynamoDB
// echoes the map in a constraint message.
func rawRequestItems(body []byte) string {
	var r struct{ RequestItems json.RawMessage }
	if json.Unmarshal(body, &r) != nil {
		return ""
	}
	var b bytes.Buffer
	if json.Compact(&b, r.RequestItems) != nil {
		return string(r.RequestItems)
	}
	return b.String()
}

// batchGetOutput is BatchGetItem's response.
type batchGetOutput struct {
	Responses        map[string][]attr.Item        `json:"Responses"`
	UnprocessedKeys  map[string]*keysAndAttributes `json:"UnprocessedKeys"`
	ConsumedCapacity []*consumedCapacity           `json:"ConsumedCapacity,omitempty"`
}

// batchResponseLimit is BatchGetItem's response size limit (16 MB).
const batchResponseLimit = 16 << 20

// batchGetItem serves BatchGetItem.
func (s *Service) batchGetItem(ctx context.Context, in *batchGetInput) (*batchGetOutput, error) {
	if len(in.RequestItems) == 0 {
		return nil, constraintErrors([]string{"Value at 'RequestItems' failed to satisfy constraint: Member must have length greater than or equal to 1"})
	}
	var c constraints
	names := sortedKeys(in.RequestItems)
	for _, n := range names {
		if len(n) < 3 || len(n) > 255 || !tableNamePattern.MatchString(n) {
			c.add("Value '%s' at 'requestItems' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 255, Member must have length greater than or equal to 3, Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+]", rawRequestItems(in.raw))
			break
		}
	}
	enumCheck(&c, in.ReturnConsumedCapacity, "returnConsumedCapacity", "INDEXES", "TOTAL", "NONE")
	var legacy, exprs bool
	for _, n := range names {
		ka := in.RequestItems[n]
		if ka == nil || len(ka.Keys) == 0 {
			c.add("Value at 'RequestItems.%s.member.Keys' failed to satisfy constraint: Member must have length greater than or equal to 1", n)
			continue
		} else if len(ka.Keys) > 100 {
			c.add("Value at 'RequestItems.%s.member.Keys' failed to satisfy constraint: Member must have length less than or equal to 100", n)
		}
		legacy = legacy || ka.AttributesToGet != nil
		exprs = exprs || ka.ProjectionExpression != nil
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	total := 0
	for _, ka := range in.RequestItems {
		total += len(ka.Keys)
	}
	if total > 100 {
		return nil, validation("Too many items requested for the BatchGetItem call")
	}
	if legacy && exprs {
		return nil, validation("Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}")
	}
	type plan struct {
		m    *tableMeta
		proj []expr.Path
		ka   *keysAndAttributes
	}
	plans := map[string]plan{}
	for _, n := range names {
		ka := in.RequestItems[n]
		proj, err := projectionOf(ka.ProjectionExpression, ka.ExpressionAttributeNames, ka.AttributesToGet)
		if err != nil {
			return nil, err
		}
		_, m, err := s.lookup(n)
		if err != nil {
			return nil, err
		}
		if err := checkScalarKeyPaths(m, proj); err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		for _, k := range ka.Keys {
			if err := checkKey(m, k); err != nil {
				return nil, err
			}
			kb := string(m.itemKey(k))
			if seen[kb] {
				return nil, validation("Provided list of item keys contains duplicates")
			}
			seen[kb] = true
		}
		plans[n] = plan{m, proj, ka}
	}
	out := &batchGetOutput{Responses: map[string][]attr.Item{}, UnprocessedKeys: map[string]*keysAndAttributes{}}
	respSize := 0
	for _, n := range names {
		p := plans[n]
		consistent := p.ka.ConsistentRead != nil && *p.ka.ConsistentRead
		out.Responses[n] = []attr.Item{}
		u := 0.0
		for i, k := range p.ka.Keys {
			if respSize >= batchResponseLimit {
				rest := *p.ka
				rest.Keys = p.ka.Keys[i:]
				out.UnprocessedKeys[n] = &rest
				break
			}
			it, err := s.readItem(s.store, p.m.itemKey(k))
			if err != nil {
				return nil, err
			}
			size := 0
			if it != nil {
				size = attr.ItemSize(it)
				respSize += size
				out.Responses[n] = append(out.Responses[n], projectItem(it, p.proj))
			}
			u += readUnits(size, consistent)
		}
		if cc := consumed(in.ReturnConsumedCapacity, p.m, u, nil, noSplit); cc != nil {
			out.ConsumedCapacity = append(out.ConsumedCapacity, cc)
		}
	}
	return out, nil
}

type putRequest struct {
	Item attr.Item `json:"Item"`
}

type deleteRequest struct {
	Key attr.Item `json:"Key"`
}

// writeRequest is one BatchWriteItem request (a put or a delete).
type writeRequest struct {
	PutRequest    *putRequest    `json:"PutRequest,omitempty"`
	DeleteRequest *deleteRequest `json:"DeleteRequest,omitempty"`
}

// batchWriteInput is BatchWriteItem's request.
type batchWriteInput struct {
	RequestItems                map[string][]writeRequest `json:"RequestItems"`
	ReturnConsumedCapacity      string                    `json:"ReturnConsumedCapacity"`
	ReturnItemCollectionMetrics string                    `json:"ReturnItemCollectionMetrics"`
}

// batchWriteOutput is BatchWriteItem's response.
type batchWriteOutput struct {
	UnprocessedItems      map[string][]writeRequest           `json:"UnprocessedItems"`
	ConsumedCapacity      []*consumedCapacity                 `json:"ConsumedCapacity,omitempty"`
	ItemCollectionMetrics map[string][]*itemCollectionMetrics `json:"ItemCollectionMetrics,omitempty"`
}

// stagedWrite is one item write of a multi-item commit.
type stagedWrite struct {
	t    *table
	m    *tableMeta
	key  []byte
	item attr.Item // Put: the item; Delete/Update: the key
}

// batchWriteItem serves BatchWriteItem: every request is validated first,
// then all are committed in one durable batch.
func (s *Service) batchWriteItem(ctx context.Context, in *batchWriteInput) (*batchWriteOutput, error) {
	if len(in.RequestItems) == 0 {
		return nil, validation("The requestItems parameter is required for BatchWriteItem")
	}
	var c constraints
	enumCheck(&c, in.ReturnConsumedCapacity, "returnConsumedCapacity", "INDEXES", "TOTAL", "NONE")
	enumCheck(&c, in.ReturnItemCollectionMetrics, "returnItemCollectionMetrics", "SIZE", "NONE")
	if err := c.err(); err != nil {
		// An unknown enum is reported alone, ahead of the map's problems.
		return nil, err
	}
	names := sortedKeys(in.RequestItems)
	for _, n := range names {
		if len(n) < 3 || len(n) > 255 || !tableNamePattern.MatchString(n) {
			c.add("Value '%s' at 'requestItems' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 255, Member must have length greater than or equal to 3, Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+]", requestItemsString(in.RequestItems))
			break
		}
	}
	for _, n := range names {
		if l := len(in.RequestItems[n]); l == 0 || l > 25 {
			c.add("Value '%s' at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]", requestItemsString(in.RequestItems))
			break
		}
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	total := 0
	for _, reqs := range in.RequestItems {
		total += len(reqs)
	}
	if total > 25 {
		return nil, validation("Too many items requested for the BatchWriteItem call")
	}
	var writes []stagedWrite
	var puts []bool
	tables := map[string]*table{}
	for _, n := range names {
		t, m, err := s.lookup(n)
		if err != nil {
			return nil, err
		}
		tables[n] = t
		seen := map[string]bool{}
		for _, r := range in.RequestItems[n] {
			var w stagedWrite
			switch {
			case r.PutRequest != nil && r.DeleteRequest == nil:
				if r.PutRequest.Item == nil {
					return nil, constraintErrors([]string{"Value null at 'requestItems." + n + ".member.putRequest.item' failed to satisfy constraint: Member must not be null"})
				}
				if err := checkAttributeNames(r.PutRequest.Item); err != nil {
					return nil, err
				}
				if !hasTableKey(m, r.PutRequest.Item) {
					return nil, validation(msgKeySchema)
				}
				if err := checkItem(m, r.PutRequest.Item, false); err != nil {
					return nil, err
				}
				w = stagedWrite{t: t, m: m, key: m.itemKey(r.PutRequest.Item), item: r.PutRequest.Item}
				puts = append(puts, true)
			case r.DeleteRequest != nil && r.PutRequest == nil:
				if err := checkKey(m, r.DeleteRequest.Key); err != nil {
					return nil, err
				}
				w = stagedWrite{t: t, m: m, key: m.itemKey(r.DeleteRequest.Key), item: r.DeleteRequest.Key}
				puts = append(puts, false)
			default:
				return nil, validation("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes")
			}
			if seen[string(w.key)] {
				return nil, validation("Provided list of item keys contains duplicates")
			}
			seen[string(w.key)] = true
			writes = append(writes, w)
		}
	}
	unlock := s.lockTables(tables)
	defer unlock()
	keys := make([][]byte, len(writes))
	for i, w := range writes {
		keys[i] = w.key
	}
	unlockKeys := s.locks.lock(keys...)
	defer unlockKeys()
	var b storage.Batch
	perTable := map[string]*writeUnits{}
	out := &batchWriteOutput{UnprocessedItems: map[string][]writeRequest{}}
	for i, w := range writes {
		if w.t.deleted.Load() {
			return nil, notFound()
		}
		m := w.t.meta.Load()
		old, err := s.readItem(s.store, w.key)
		if err != nil {
			return nil, err
		}
		var next attr.Item
		if puts[i] {
			next = w.item
		}
		wu := writeUnits{table: 1}
		if old != nil || next != nil {
			wu = stage(&b, m, w.key, old, next)
		}
		if perTable[m.Name] == nil {
			perTable[m.Name] = &writeUnits{}
		}
		perTable[m.Name].add(wu)
		if icm := collectionMetrics(in.ReturnItemCollectionMetrics, m, w.item); icm != nil {
			if out.ItemCollectionMetrics == nil {
				out.ItemCollectionMetrics = map[string][]*itemCollectionMetrics{}
			}
			out.ItemCollectionMetrics[m.Name] = append(out.ItemCollectionMetrics[m.Name], icm)
		}
	}
	if err := s.store.Apply(&b); err != nil {
		return nil, internal(err)
	}
	for _, t := range tables {
		t.gen.Add(1)
	}
	for _, n := range names {
		if wu := perTable[n]; wu != nil {
			if cc := consumed(in.ReturnConsumedCapacity, tables[n].meta.Load(), wu.table, wu.indexes, noSplit); cc != nil {
				out.ConsumedCapacity = append(out.ConsumedCapacity, cc)
			}
		}
	}
	return out, nil
}

// lockTables takes the schema read locks of several tables in name order.
func (s *Service) lockTables(tables map[string]*table) func() {
	names := make([]string, 0, len(tables))
	for n := range tables {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		tables[n].schema.RLock()
	}
	return func() {
		for _, n := range names {
			tables[n].schema.RUnlock()
		}
	}
}

// requestItemsString renders RequestItems the way DynamoDB echoes them in
// a constraint message (a Java-style map dump).
func requestItemsString(items map[string][]writeRequest) string {
	var parts []string
	for _, n := range sortedKeys(items) {
		var reqs []string
		for _, r := range items[n] {
			switch {
			case r.PutRequest != nil:
				reqs = append(reqs, fmt.Sprintf("WriteRequest(putRequest=PutRequest(item=%s), deleteRequest=null)", javaItem(r.PutRequest.Item)))
			case r.DeleteRequest != nil:
				reqs = append(reqs, fmt.Sprintf("WriteRequest(putRequest=null, deleteRequest=DeleteRequest(key=%s))", javaItem(r.DeleteRequest.Key)))
			}
		}
		parts = append(parts, n+"=["+strings.Join(reqs, ", ")+"]")
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func javaItem(it attr.Item) string {
	var parts []string
	for _, k := range sortedKeys(it) {
		v := it[k]
		val := v.S
		if v.T != attr.S && v.T != attr.N {
			val = v.T.String()
		}
		parts = append(parts, fmt.Sprintf("%s=AttributeValue(%s=%s)", k, strings.ToLower(v.T.String()), val))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}
