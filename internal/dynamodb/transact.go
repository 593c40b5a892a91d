package dynamodb

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/nimbus-dev/nimbus/internal/dynamodb/attr"
	"github.com/nimbus-dev/nimbus/internal/dynamodb/expr"
	"github.com/nimbus-dev/nimbus/internal/storage"
)

type transactWriteItem struct {
	ConditionCheck *transactAction `json:"ConditionCheck"`
	Put            *transactAction `json:"Put"`
	Delete         *transactAction `json:"Delete"`
	Update         *transactAction `json:"Update"`
}

type transactAction struct {
	TableName                           *string           `json:"TableName"`
	Key                                 attr.Item         `json:"Key"`
	Item                                attr.Item         `json:"Item"`
	ConditionExpression                 *string           `json:"ConditionExpression"`
	UpdateExpression                    *string           `json:"UpdateExpression"`
	ExpressionAttributeNames            map[string]string `json:"ExpressionAttributeNames"`
	ExpressionAttributeValues           exprValues        `json:"ExpressionAttributeValues"`
	ReturnValuesOnConditionCheckFailure string            `json:"ReturnValuesOnConditionCheckFailure"`
	ProjectionExpression                *string           `json:"ProjectionExpression"`
}

// transactWriteInput is TransactWriteItems' request.
type transactWriteInput struct {
	// TransactItems are decoded one action at a time, in order, so that an
	// action's value errors and expression errors come before any later
	// action's, as DynamoDB reports them.
	TransactItems               []json.RawMessage `json:"TransactItems"`
	ClientRequestToken          *string           `json:"ClientRequestToken"`
	ReturnConsumedCapacity      string            `json:"ReturnConsumedCapacity"`
	ReturnItemCollectionMetrics string            `json:"ReturnItemCollectionMetrics"`
}

// transactWriteOutput is TransactWriteItems' response.
type transactWriteOutput struct {
	ConsumedCapacity      []*consumedCapacity                 `json:"ConsumedCapacity,omitempty"`
	ItemCollectionMetrics map[string][]*itemCollectionMetrics `json:"ItemCollectionMetrics,omitempty"`
}

// maxTransactionSize is the aggregate item size a transaction may write.
const maxTransactionSize = 4 << 20

// txOp is one validated action of a write transaction.
type txOp struct {
	kind   string
	t      *table
	m      *tableMeta
	key    []byte
	keyIt  attr.Item
	item   attr.Item
	cond   expr.Cond
	update *expr.Update
	rvFail string
	// invalid is a per-item validation failure DynamoDB reports as a
	// cancellation reason rather than a request error.
	invalid string
	// failCode and failMsg replace ConditionalCheckFailed as the reason a
	// failed condition gives (a PartiQL INSERT of an existing item).
	failCode, failMsg string
}

func transactItemsString(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = "TransactWriteItem"
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// transactWriteItems serves TransactWriteItems: all actions are checked under
// their item locks and committed in one batch, or none is.
func (s *Service) transactWriteItems(ctx context.Context, in *transactWriteInput) (*transactWriteOutput, error) {
	var c constraints
	listLength(&c, "transactItems", in.TransactItems == nil, len(in.TransactItems), 100, func() string { return transactItemsString(len(in.TransactItems)) })
	clientRequestToken(&c, in.ClientRequestToken)
	enumCheck(&c, in.ReturnConsumedCapacity, "returnConsumedCapacity", "INDEXES", "TOTAL", "NONE")
	enumCheck(&c, in.ReturnItemCollectionMetrics, "returnItemCollectionMetrics", "SIZE", "NONE")
	if err := c.err(); err != nil {
		return nil, err
	}
	// First every action's request checks (values, parameters,
	// expressions), in order; then the tables and keys.
	pres := make([]*txPre, len(in.TransactItems))
	decoded := make([]transactWriteItem, len(in.TransactItems))
	for i, raw := range in.TransactItems {
		if err := json.Unmarshal(raw, &decoded[i]); err != nil {
			return nil, decodeError(err, layerOlder)
		}
		pre, err := checkTxAction(decoded[i])
		if err != nil {
			return nil, err
		}
		pres[i] = pre
	}
	var fingerprint [32]byte
	if in.ClientRequestToken != nil {
		// The decoded request marshals canonically (sorted map keys).
		b, _ := json.Marshal(struct {
			Items             []transactWriteItem
			Capacity, Metrics string
		}{decoded, in.ReturnConsumedCapacity, in.ReturnItemCollectionMetrics})
		fingerprint = sha256.Sum256(b)
		if resp, ok, err := s.tokens.lookup(*in.ClientRequestToken, fingerprint, s.now()); ok || err != nil {
			if err != nil {
				return nil, err
			}
			return resp.(*transactWriteOutput), nil
		}
	}
	ops := make([]*txOp, len(in.TransactItems))
	for i, pre := range pres {
		op, err := s.prepareTxOp(pre)
		if err != nil {
			return nil, err
		}
		ops[i] = op
	}
	out, err := s.runTransaction(ops, in.ReturnConsumedCapacity, in.ReturnItemCollectionMetrics)
	if err != nil {
		return nil, err
	}
	if in.ClientRequestToken != nil {
		s.tokens.store(*in.ClientRequestToken, fingerprint, out, s.now())
	}
	return out, nil
}

// txPre is a TransactItems entry whose request checks passed.
type txPre struct {
	kind string
	a    *transactAction
	name string
	p    *parsedExprs
}

// checkTxAction runs the checks of one TransactItems entry that need no
// table: one action, its parameters, item attribute names and expressions.
func checkTxAction(ti transactWriteItem) (*txPre, error) {
	var kind string
	var a *transactAction
	n := 0
	for _, x := range []struct {
		k string
		a *transactAction
	}{{"ConditionCheck", ti.ConditionCheck}, {"Put", ti.Put}, {"Delete", ti.Delete}, {"Update", ti.Update}} {
		if x.a != nil {
			n++
			kind, a = x.k, x.a
		}
	}
	if n != 1 {
		return nil, validation("TransactItems can only contain one of Check, Put, Update or Delete")
	}
	var c constraints
	name := tableName(a.TableName, &c, "transactItems.member."+strings.ToLower(kind[:1])+kind[1:]+".tableName", 1)
	enumCheck(&c, a.ReturnValuesOnConditionCheckFailure, "returnValuesOnConditionCheckFailure", "ALL_OLD", "NONE")
	if err := c.err(); err != nil {
		return nil, err
	}
	r := exprRequest{Names: a.ExpressionAttributeNames, Values: a.ExpressionAttributeValues, Condition: a.ConditionExpression}
	if kind == "Update" {
		r.Update = a.UpdateExpression
		if a.UpdateExpression == nil {
			return nil, constraintErrors([]string{"Value null at 'transactItems.member.update.updateExpression' failed to satisfy constraint: Member must not be null"})
		}
	}
	if kind == "ConditionCheck" && a.ConditionExpression == nil {
		return nil, constraintErrors([]string{"Value null at 'transactItems.member.conditionCheck.conditionExpression' failed to satisfy constraint: Member must not be null"})
	}
	if kind == "Put" {
		if err := checkAttributeNames(a.Item); err != nil {
			return nil, err
		}
	}
	p, err := r.parse()
	if err != nil {
		return nil, err
	}
	return &txPre{kind: kind, a: a, name: name, p: p}, nil
}

// runTransaction checks a write transaction's prepared actions for
// duplicates and size, then runs them under their item locks and commits
// them in one batch, or cancels them all.
func (s *Service) runTransaction(ops []*txOp, rcc, ricm string) (*transactWriteOutput, error) {
	tables := map[string]*table{}
	seen := map[string]bool{}
	total := 0
	for _, op := range ops {
		if op.item != nil {
			if total += attr.ItemSize(op.item); total > maxTransactionSize {
				return nil, validation("Transaction request cannot be larger than 4 MB")
			}
		}
		if op.t != nil {
			tables[op.m.Name] = op.t
			if seen[string(op.key)] {
				return nil, validation("Transaction request cannot include multiple operations on one item")
			}
			seen[string(op.key)] = true
		}
	}
	unlock := s.lockTables(tables)
	defer unlock()
	keys := make([][]byte, 0, len(ops))
	for _, op := range ops {
		keys = append(keys, op.key)
	}
	unlockKeys := s.locks.lock(keys...)
	defer unlockKeys()

	reasons := make([]cancellationReason, len(ops))
	failed := false
	olds := make([]attr.Item, len(ops))
	nexts := make([]attr.Item, len(ops))
	for i, op := range ops {
		reasons[i] = cancellationReason{Code: "None"}
		if op.invalid != "" {
			reasons[i] = cancellationReason{Code: "ValidationError", Message: op.invalid}
			failed = true
			continue
		}
		if op.t.deleted.Load() {
			return nil, notFound()
		}
		old, err := s.readItem(s.store, op.key)
		if err != nil {
			return nil, err
		}
		olds[i] = old
		if op.cond != nil && !expr.Eval(op.cond, old) {
			r := cancellationReason{Code: "ConditionalCheckFailed", Message: "The conditional request failed"}
			if op.failCode != "" {
				r = cancellationReason{Code: op.failCode, Message: op.failMsg}
			}
			if op.rvFail == "ALL_OLD" && old != nil {
				r.Item = old
			}
			reasons[i] = r
			failed = true
			continue
		}
		switch op.kind {
		case "Put":
			nexts[i] = op.item
		case "Update":
			if old == nil && op.update.OnlyRemoves() {
				continue
			}
			next, err := applyUpdate(op.t.meta.Load(), op.keyIt, op.update, old)
			if err != nil {
				ae, ok := err.(*apiError)
				if !ok {
					return nil, err
				}
				reasons[i] = cancellationReason{Code: "ValidationError", Message: ae.Message}
				failed = true
				continue
			}
			nexts[i] = next
		case "Delete":
			nexts[i] = nil
		}
	}
	if failed {
		codes := make([]string, len(reasons))
		for i, r := range reasons {
			codes[i] = r.Code
		}
		return nil, &apiError{Type: typeTransactionCanceled, Reasons: reasons,
			Message: "Transaction cancelled, please refer cancellation reasons for specific reasons [" + strings.Join(codes, ", ") + "]"}
	}
	var b storage.Batch
	perTable := map[string]*writeUnits{}
	out := &transactWriteOutput{}
	for i, op := range ops {
		m := op.t.meta.Load()
		wu := writeUnits{table: 1}
		if op.kind != "ConditionCheck" && (olds[i] != nil || nexts[i] != nil) {
			wu = stage(&b, m, op.key, olds[i], nexts[i])
		}
		wu.table *= 2
		for k := range wu.indexes {
			wu.indexes[k] *= 2
		}
		if perTable[m.Name] == nil {
			perTable[m.Name] = &writeUnits{}
		}
		perTable[m.Name].add(wu)
		if icm := collectionMetrics(ricm, m, op.keyIt); icm != nil && op.kind != "ConditionCheck" {
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
	for _, n := range sortedKeys(perTable) {
		wu := perTable[n]
		if cc := consumed(rcc, tables[n].meta.Load(), wu.table, wu.indexes, writeSplit); cc != nil {
			out.ConsumedCapacity = append(out.ConsumedCapacity, cc)
		}
	}
	return out, nil
}

// prepareTxOp binds a checked TransactItems entry to its table and key.
func (s *Service) prepareTxOp(pre *txPre) (*txOp, error) {
	kind, a, p := pre.kind, pre.a, pre.p
	t, m, err := s.lookup(pre.name)
	if err != nil {
		return nil, err
	}
	if err := checkScalarKeyPaths(m, updatePaths(p.Update, p.Condition)); err != nil {
		return nil, err
	}
	op := &txOp{kind: kind, t: t, m: m, cond: p.Condition, update: p.Update, rvFail: a.ReturnValuesOnConditionCheckFailure}
	if kind == "Put" {
		if a.Item == nil {
			return nil, constraintErrors([]string{"Value null at 'transactItems.member.put.item' failed to satisfy constraint: Member must not be null"})
		}
		if err := checkItem(m, a.Item, false); err != nil {
			msg := err.(*apiError).Message
			if strings.Contains(msg, "Type mismatch") {
				op.invalid = msg
			} else {
				return nil, err
			}
		}
		op.item = a.Item
		op.keyIt = keyOf(m, a.Item)
		op.key = m.primaryKeyBytes(indexPrefix(m.Num, baseIndex), a.Item)
		if op.invalid != "" {
			op.key = []byte(fmt.Sprintf("invalid-%p", op))
		}
		return op, nil
	}
	if err := checkKey(m, a.Key); err != nil {
		msg := err.(*apiError).Message
		if msg == msgKeySchema {
			op.invalid = msg
			op.key = []byte(fmt.Sprintf("invalid-%p", op))
			return op, nil
		}
		return nil, err
	}
	if err := checkUpdateKeys(m, op.update); err != nil {
		return nil, err
	}
	op.keyIt = a.Key
	op.key = m.itemKey(a.Key)
	return op, nil
}

// transactGetInput is TransactGetItems' request.
type transactGetInput struct {
	TransactItems []struct {
		Get *transactAction `json:"Get"`
	} `json:"TransactItems"`
	ReturnConsumedCapacity string `json:"ReturnConsumedCapacity"`
}

type itemResponse struct {
	Item attr.Item `json:"Item,omitempty"`
}

// transactGetOutput is TransactGetItems' response.
type transactGetOutput struct {
	Responses        []itemResponse      `json:"Responses"`
	ConsumedCapacity []*consumedCapacity `json:"ConsumedCapacity,omitempty"`
}

// getOp is one checked read of a read-only transaction.
type getOp struct {
	m    *tableMeta
	key  []byte
	proj []expr.Path
	// rest is the part of a PartiQL SELECT's WHERE beyond the key: an item
	// that does not match it is not returned.
	rest expr.Cond
	// invalid is a per-action failure reported as a cancellation reason.
	invalid string
}

// getCancellation cancels a TransactGetItems whose actions include invalid
// ones.
func getCancellation(ops []getOp) error {
	failed := false
	reasons := make([]cancellationReason, len(ops))
	codes := make([]string, len(ops))
	for i, op := range ops {
		reasons[i] = cancellationReason{Code: "None"}
		if op.invalid != "" {
			reasons[i] = cancellationReason{Code: "ValidationError", Message: op.invalid}
			failed = true
		}
		codes[i] = reasons[i].Code
	}
	if !failed {
		return nil
	}
	return &apiError{Type: typeTransactionCanceled, Reasons: reasons,
		Message: "Transaction cancelled, please refer cancellation reasons for specific reasons [" + strings.Join(codes, ", ") + "]"}
}

// transactGetItems serves TransactGetItems from one snapshot.
func (s *Service) transactGetItems(ctx context.Context, in *transactGetInput) (*transactGetOutput, error) {
	var c constraints
	listLength(&c, "transactItems", in.TransactItems == nil, len(in.TransactItems), 100, func() string { return transactItemsString(len(in.TransactItems)) })
	enumCheck(&c, in.ReturnConsumedCapacity, "returnConsumedCapacity", "INDEXES", "TOTAL", "NONE")
	if err := c.err(); err != nil {
		return nil, err
	}
	ops := make([]getOp, len(in.TransactItems))
	seen := map[string]bool{}
	for i, ti := range in.TransactItems {
		if ti.Get == nil {
			return nil, constraintErrors([]string{"Value null at 'transactItems.member.get' failed to satisfy constraint: Member must not be null"})
		}
		var c constraints
		name := tableName(ti.Get.TableName, &c, "transactItems.member.get.tableName", 1)
		if err := c.err(); err != nil {
			return nil, err
		}
		proj, err := projectionOf(ti.Get.ProjectionExpression, ti.Get.ExpressionAttributeNames, nil)
		if err != nil {
			return nil, err
		}
		_, m, err := s.lookup(name)
		if err != nil {
			return nil, err
		}
		if err := checkKey(m, ti.Get.Key); err != nil {
			if msg := err.(*apiError).Message; msg == msgKeySchema {
				// A key that does not match the schema cancels the
				// transaction rather than failing the request.
				ops[i] = getOp{invalid: msg}
				continue
			}
			return nil, err
		}
		if err := checkScalarKeyPaths(m, proj); err != nil {
			return nil, err
		}
		k := m.itemKey(ti.Get.Key)
		if seen[string(k)] {
			return nil, validation("Transaction request cannot include multiple operations on one item")
		}
		seen[string(k)] = true
		ops[i] = getOp{m: m, key: k, proj: proj}
	}
	if err := getCancellation(ops); err != nil {
		return nil, err
	}
	responses, cc, err := s.readTransaction(ops, in.ReturnConsumedCapacity, func(op *getOp, it attr.Item) attr.Item {
		return projectItem(it, op.proj)
	})
	if err != nil {
		return nil, err
	}
	return &transactGetOutput{Responses: responses, ConsumedCapacity: cc}, nil
}

// readTransaction reads every op's item from one snapshot, as the read-only
// transactions (TransactGetItems, ExecuteTransaction of SELECTs) do: each
// read costs twice a strongly consistent read. project shapes an item that
// exists (nil leaves it out of its response).
func (s *Service) readTransaction(ops []getOp, rcc string, project func(op *getOp, it attr.Item) attr.Item) ([]itemResponse, []*consumedCapacity, error) {
	snap := s.store.Snapshot()
	defer snap.Close()
	responses := make([]itemResponse, len(ops))
	perTable := map[string]float64{}
	metas := map[string]*tableMeta{}
	for i := range ops {
		op := &ops[i]
		it, err := s.readItem(snap, op.key)
		if err != nil {
			return nil, nil, err
		}
		size := 0
		if it != nil {
			size = attr.ItemSize(it)
			responses[i].Item = project(op, it)
		}
		perTable[op.m.Name] += 2 * readUnits(size, true)
		metas[op.m.Name] = op.m
	}
	var out []*consumedCapacity
	for _, n := range sortedKeys(perTable) {
		if cc := consumed(rcc, metas[n], perTable[n], nil, readSplit); cc != nil {
			out = append(out, cc)
		}
	}
	return responses, out, nil
}

// tokenCache remembers TransactWriteItems client request tokens for the
// 10 minutes AWS keeps them. SDKs fill a fresh token into every call, so
// expiry is a FIFO walk, not a scan of the whole map.
type tokenCache struct {
	mu      sync.Mutex
	entries map[string]tokenEntry
	order   []tokenRef
}

type tokenEntry struct {
	fingerprint [32]byte
	resp        any
	at          time.Time
}

type tokenRef struct {
	token string
	at    time.Time
}

const tokenTTL = 10 * time.Minute

func newTokenCache() *tokenCache { return &tokenCache{entries: map[string]tokenEntry{}} }

func (c *tokenCache) lookup(token string, fp [32]byte, now time.Time) (any, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[token]
	if !ok || now.Sub(e.at) > tokenTTL {
		return nil, false, nil
	}
	if e.fingerprint != fp {
		return nil, false, &apiError{Type: typeIdempotentMismatch, Message: "Transaction with the given client request token was previously used with different parameters"}
	}
	return e.resp, true, nil
}

func (c *tokenCache) store(token string, fp [32]byte, resp any, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.order) > 0 && now.Sub(c.order[0].at) > tokenTTL {
		old := c.order[0]
		if e, ok := c.entries[old.token]; ok && e.at.Equal(old.at) {
			delete(c.entries, old.token)
		}
		c.order = c.order[1:]
	}
	c.entries[token] = tokenEntry{fp, resp, now}
	c.order = append(c.order, tokenRef{token, now})
}
