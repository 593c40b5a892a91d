package dynamodb

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/nimbus-dev/nimbus/internal/dynamodb/attr"
	"github.com/nimbus-dev/nimbus/internal/dynamodb/expr"
	"github.com/nimbus-dev/nimbus/internal/storage"
)

// PartiQL operations: ExecuteStatement, BatchExecuteStatement and
// ExecuteTransaction. Statements are parsed by pqParse and run on the same
// read plans, conditional writes and transactions as the expression API.

const typeDuplicateItem = "com.amazonaws.dynamodb.v20120810#DuplicateItemException"

func duplicateItem() *apiError {
	return &apiError{Type: typeDuplicateItem, Message: "Duplicate primary key exists in table"}
}

type executeStatementInput struct {
	Statement                           *string       `json:"Statement"`
	Parameters                          []*attr.Value `json:"Parameters"`
	ConsistentRead                      bool          `json:"ConsistentRead"`
	NextToken                           *string       `json:"NextToken"`
	ReturnConsumedCapacity              string        `json:"ReturnConsumedCapacity"`
	Limit                               *int64        `json:"Limit"`
	ReturnValuesOnConditionCheckFailure string        `json:"ReturnValuesOnConditionCheckFailure"`
}

type executeStatementOutput struct {
	Items            []attr.Item       `json:"Items"`
	NextToken        string            `json:"NextToken,omitempty"`
	LastEvaluatedKey attr.Item         `json:"LastEvaluatedKey,omitempty"`
	ConsumedCapacity *consumedCapacity `json:"ConsumedCapacity,omitempty"`
}

// executeStatement serves ExecuteStatement.
func (s *Service) executeStatement(ctx context.Context, in *executeStatementInput) (*executeStatementOutput, error) {
	var c constraints
	if in.Statement == nil {
		c.add("Value null at 'statement' failed to satisfy constraint: Member must not be null")
	} else if len(*in.Statement) < 1 {
		c.add("Value '' at 'statement' failed to satisfy constraint: Member must have length greater than or equal to 1")
	} else if len(*in.Statement) > 8192 {
		c.add("Value '%s' at 'statement' failed to satisfy constraint: Member must have length less than or equal to 8192", *in.Statement)
	}
	if in.Limit != nil && *in.Limit < 1 {
		c.add("Value '%d' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1", *in.Limit)
	}
	enumCheck(&c, in.ReturnConsumedCapacity, "returnConsumedCapacity", "INDEXES", "TOTAL", "NONE")
	enumCheck(&c, in.ReturnValuesOnConditionCheckFailure, "returnValuesOnConditionCheckFailure", "ALL_OLD", "NONE")
	if err := c.err(); err != nil {
		return nil, err
	}
	st, err := pqParse(*in.Statement, in.Parameters)
	if err != nil {
		return nil, err
	}
	switch st.kind {
	case "SELECT":
		limit := 0
		if in.Limit != nil {
			limit = int(*in.Limit)
		}
		return s.pqSelect(st, in.ConsistentRead, limit, in.NextToken, in.ReturnConsumedCapacity)
	case "EXISTS":
		return nil, pqError("EXISTS is only supported within ExecuteTransaction")
	}
	if st.kind == "DELETE" && st.returning != "" && st.returning != "ALL OLD" {
		return nil, pqError("Invalid returning clause: RETURNING " + st.returning + " *. Only RETURNING ALL OLD * is allowed in DELETE statements.")
	}
	item, m, units, err := s.pqWrite(st, in.ReturnValuesOnConditionCheckFailure)
	if err != nil {
		return nil, err
	}
	out := &executeStatementOutput{Items: []attr.Item{}}
	if len(item) > 0 {
		out.Items = append(out.Items, item)
	}
	out.ConsumedCapacity = consumed(in.ReturnConsumedCapacity, m, units.table, units.indexes, noSplit)
	return out, nil
}

// pqKeyParts splits a WHERE clause into its top-level equalities on the
// given key attributes and the rest.
func pqKeyParts(where expr.Cond, names ...string) (keys attr.Item, rest expr.Cond) {
	keys = attr.Item{}
	var others []expr.Cond
	var walk func(c expr.Cond)
	walk = func(c expr.Cond) {
		if a, ok := c.(*expr.And); ok {
			walk(a.L)
			walk(a.R)
			return
		}
		if cmp, ok := c.(*expr.Compare); ok && cmp.Op == "=" {
			p, v := cmp.L, cmp.R
			if _, ok := p.(*expr.PathOperand); !ok {
				p, v = v, p
			}
			po, ok1 := p.(*expr.PathOperand)
			vo, ok2 := v.(*expr.ValueOperand)
			if ok1 && ok2 && len(po.Path) == 1 && !po.Path[0].IsIndex {
				for _, n := range names {
					if po.Path[0].Name == n && keys[n] == nil {
						keys[n] = vo.Value
						return
					}
				}
			}
		}
		others = append(others, c)
	}
	if where != nil {
		walk(where)
	}
	for _, o := range others {
		if rest == nil {
			rest = o
		} else {
			rest = &expr.And{L: rest, R: o}
		}
	}
	return keys, rest
}

// pqFullKey finds the table key a write (or single-item read) names.
func pqFullKey(m *tableMeta, where expr.Cond) (attr.Item, expr.Cond, bool) {
	names := []string{m.Hash.Name}
	if m.Range != nil {
		names = append(names, m.Range.Name)
	}
	keys, rest := pqKeyParts(where, names...)
	if len(keys) != len(names) {
		return nil, nil, false
	}
	return keys, rest, true
}

func exists(name string) expr.Cond {
	return &expr.Func{Name: "attribute_exists", Args: []expr.Operand{&expr.PathOperand{Path: expr.Path{{Name: name}}}}}
}

func notExists(name string) expr.Cond {
	return &expr.Func{Name: "attribute_not_exists", Args: []expr.Operand{&expr.PathOperand{Path: expr.Path{{Name: name}}}}}
}

func and(a, b expr.Cond) expr.Cond {
	if b == nil {
		return a
	}
	return &expr.And{L: a, R: b}
}

// pqWriteOp turns an INSERT, UPDATE or DELETE into a conditional write of
// one item.
type pqWriteOp struct {
	t      *table
	m      *tableMeta
	key    attr.Item
	cond   expr.Cond
	update *expr.Update
	item   attr.Item // INSERT
	kind   string
}

func (s *Service) pqPrepareWrite(st *pqStmt) (*pqWriteOp, error) {
	t, m, err := s.lookup(st.table)
	if err != nil {
		return nil, err
	}
	if st.index != "" {
		return nil, pqError("Index is not supported for " + strings.ToLower(st.kind) + " statements")
	}
	op := &pqWriteOp{t: t, m: m, kind: st.kind}
	switch st.kind {
	case "INSERT":
		if err := checkAttributeNames(st.item); err != nil {
			return nil, err
		}
		if err := checkItem(m, st.item, false); err != nil {
			return nil, err
		}
		op.item, op.key = st.item, keyOf(m, st.item)
		op.cond = notExists(m.Hash.Name)
		return op, nil
	}
	key, rest, ok := pqFullKey(m, st.where)
	if !ok {
		return nil, pqError("Where clause does not contain a mandatory equality on all key attributes")
	}
	if err := checkKey(m, key); err != nil {
		return nil, err
	}
	op.key = key
	switch st.kind {
	case "UPDATE":
		op.update = &expr.Update{Actions: st.actions}
		if err := checkUpdateKeys(m, op.update); err != nil {
			return nil, err
		}
		op.cond = and(exists(m.Hash.Name), rest)
	case "DELETE":
		if rest != nil {
			// A missing item is a silent no-op; an existing one must meet
			// the condition.
			op.cond = &expr.Or{L: notExists(m.Hash.Name), R: rest}
		}
	case "EXISTS":
		op.cond = and(exists(m.Hash.Name), rest)
	}
	return op, nil
}

// pqWrite runs one INSERT, UPDATE or DELETE and returns what its RETURNING
// clause selects.
func (s *Service) pqWrite(st *pqStmt, rvFail string) (attr.Item, *tableMeta, writeUnits, error) {
	op, err := s.pqPrepareWrite(st)
	if err != nil {
		return nil, nil, writeUnits{}, err
	}
	req := writeReq{t: op.t, key: op.m.itemKey(op.key), cond: op.cond, returnOld: rvFail, needOld: true}
	switch st.kind {
	case "INSERT":
		req.mutate = func(*tableMeta, attr.Item) (attr.Item, error) { return op.item, nil }
	case "UPDATE":
		req.mutate = func(m *tableMeta, old attr.Item) (attr.Item, error) {
			return applyUpdate(m, op.key, op.update, old)
		}
	case "DELETE":
		req.mutate = func(*tableMeta, attr.Item) (attr.Item, error) { return nil, nil }
	}
	res, err := s.writeOne(req)
	if err != nil {
		if ae, ok := err.(*apiError); ok && ae.Type == typeConditionalCheck && st.kind == "INSERT" {
			return nil, nil, writeUnits{}, duplicateItem()
		}
		return nil, nil, writeUnits{}, err
	}
	var out attr.Item
	switch st.returning {
	case "ALL OLD":
		out = res.old
	case "ALL NEW":
		out = res.next
	case "MODIFIED OLD":
		out = updateReturnValues("UPDATED_OLD", op.update, res.old, res.next)
	case "MODIFIED NEW":
		out = updateReturnValues("UPDATED_NEW", op.update, res.old, res.next)
	}
	return out, res.m, res.units, nil
}

// pqToken is ExecuteStatement's NextToken: which partition of an IN list
// the read stopped in and the store key of the last item evaluated.
type pqToken struct {
	Part int    `json:"p"`
	Key  []byte `json:"k"`
}

// pqSelect runs a SELECT: a query of each partition its WHERE names by
// equality (or IN), else a scan, filtered by the whole WHERE clause.
func (s *Service) pqSelect(st *pqStmt, consistent bool, limit int, next *string, rcc string) (*executeStatementOutput, error) {
	_, m, err := s.lookup(st.table)
	if err != nil {
		return nil, err
	}
	var ix *indexMeta
	if st.index != "" {
		if ix = m.index(st.index); ix == nil {
			return nil, pqError("The table does not have the specified index")
		}
		if consistent && !ix.Local {
			return nil, pqError("Strongly consistent read is not supported on Global Secondary Indexes")
		}
	}
	hash := m.Hash
	id := uint16(baseIndex)
	if ix != nil {
		hash, id = ix.Hash, ix.ID
	}
	// The partitions the WHERE clause pins, by equality or IN.
	var parts []*attr.Value
	if keys, _ := pqKeyParts(st.where, hash.Name); keys[hash.Name] != nil {
		parts = []*attr.Value{keys[hash.Name]}
	} else if in := pqHashIn(st.where, hash.Name); in != nil {
		parts = in
	}
	if st.orderBy && parts == nil {
		return nil, pqError("Must have WHERE clause in the statement when using ORDER BY clause.")
	}
	var tok pqToken
	if next != nil {
		b, err := base64.RawURLEncoding.DecodeString(*next)
		if err != nil || json.Unmarshal(b, &tok) != nil || tok.Part < 0 || (parts != nil && tok.Part >= len(parts)) {
			return nil, pqError("Invalid NextToken")
		}
	}
	out := &executeStatementOutput{Items: []attr.Item{}}
	read := 0
	evaluated := 0
	var proj []expr.Path
	if st.proj != nil {
		proj = st.proj
	}
	// Columns outside an index's projection: a GSI refuses them, an LSI
	// reads them from the base item.
	var unprojected []string
	if ix != nil && ix.ProjectionType != "ALL" {
		seen := map[string]bool{}
		for _, p := range st.proj {
			n := p[0].Name
			if !seen[n] && !pqProjects(m, ix, n) {
				seen[n] = true
				unprojected = append(unprojected, n)
			}
		}
	}
	if len(unprojected) > 0 && !ix.Local {
		return nil, pqError("One or more parameter values were invalid: Global secondary index " + ix.Name + " does not project [" + strings.Join(unprojected, ", ") + "]")
	}
	fetchBase := len(unprojected) > 0
	for part := tok.Part; ; part++ {
		prefix := indexPrefix(m.Num, id)
		if parts != nil {
			if part >= len(parts) {
				break
			}
			v := parts[part]
			if v.T != hash.Type {
				// A partition of the wrong type matches nothing.
				tok.Key = nil
				continue
			}
			prefix = attr.AppendKey(prefix, v)
		} else if part > 0 {
			break
		}
		plan := &readPlan{m: m, ix: ix, lower: prefix, upper: storage.PrefixEnd(prefix), filter: st.where,
			reverse: st.orderDesc, fetchBase: fetchBase, consistent: consistent}
		if part == tok.Part && tok.Key != nil {
			plan.start = tok.Key
		}
		if limit > 0 {
			plan.limit = limit - evaluated
		}
		page, err := s.runPlan(plan)
		if err != nil {
			return nil, err
		}
		read += page.readBytes
		evaluated += page.ScannedCount
		for _, it := range page.Items {
			out.Items = append(out.Items, pqProject(it, proj))
		}
		if page.LastEvaluatedKey != nil {
			start, err := startKey(m, ix, page.LastEvaluatedKey, true)
			if err != nil {
				return nil, err
			}
			b, _ := json.Marshal(pqToken{Part: part, Key: start})
			out.NextToken = base64.RawURLEncoding.EncodeToString(b)
			out.LastEvaluatedKey = page.LastEvaluatedKey
			break
		}
		if limit > 0 && evaluated >= limit && (parts == nil || part+1 < len(parts)) {
			if parts != nil {
				b, _ := json.Marshal(pqToken{Part: part + 1})
				out.NextToken = base64.RawURLEncoding.EncodeToString(b)
			}
			break
		}
		tok.Key = nil
	}
	q := &queryOutput{readBytes: read}
	s.readCapacity(q, rcc, m, ix, consistent)
	out.ConsumedCapacity = q.ConsumedCapacity
	return out, nil
}

// pqProjects reports whether an index projects an attribute.
func pqProjects(m *tableMeta, ix *indexMeta, name string) bool {
	if m.isTableKey(name) || name == ix.Hash.Name || ix.Range != nil && name == ix.Range.Name {
		return true
	}
	if ix.ProjectionType == "INCLUDE" {
		for _, n := range ix.NonKeyAttrs {
			if n == name {
				return true
			}
		}
	}
	return ix.ProjectionType == "ALL"
}

// pqHashIn finds a top-level "hash IN [...]" of a WHERE clause.
func pqHashIn(where expr.Cond, hash string) []*attr.Value {
	var found []*attr.Value
	var walk func(c expr.Cond)
	walk = func(c expr.Cond) {
		switch x := c.(type) {
		case *expr.And:
			walk(x.L)
			walk(x.R)
		case *expr.In:
			po, ok := x.X.(*expr.PathOperand)
			if !ok || found != nil || len(po.Path) != 1 || po.Path[0].Name != hash {
				return
			}
			var vals []*attr.Value
			for _, o := range x.List {
				vo, ok := o.(*expr.ValueOperand)
				if !ok {
					return
				}
				vals = append(vals, vo.Value)
			}
			found = vals
		}
	}
	if where != nil {
		walk(where)
	}
	return found
}

// pqProject applies a SELECT list: each path's value under its last name.
func pqProject(it attr.Item, proj []expr.Path) attr.Item {
	if proj == nil {
		return it
	}
	out := attr.Item{}
	for _, p := range proj {
		v := expr.Resolve(it, p)
		if v == nil {
			continue
		}
		name := p[0].Name
		for _, e := range p {
			if !e.IsIndex {
				name = e.Name
			}
		}
		out[name] = v
	}
	return out
}

// pqGet runs a SELECT that names a whole primary key, as BatchExecuteStatement
// and ExecuteTransaction require.
func (s *Service) pqGet(st *pqStmt, where string) (attr.Item, *tableMeta, int, error) {
	_, m, err := s.lookup(st.table)
	if err != nil {
		return nil, nil, 0, err
	}
	key, rest, ok := pqFullKey(m, st.where)
	if !ok || st.index != "" {
		return nil, nil, 0, pqError("Select statements within " + where + " must specify the primary key in the where clause.")
	}
	if err := checkKey(m, key); err != nil {
		return nil, nil, 0, err
	}
	it, err := s.readItem(s.store, m.itemKey(key))
	if err != nil {
		return nil, nil, 0, err
	}
	size := 0
	if it != nil {
		size = attr.ItemSize(it)
		if rest != nil && !expr.Eval(rest, it) {
			it = nil
		}
	}
	return pqProject(it, st.proj), m, size, nil
}

// BatchExecuteStatement.

type batchStatementRequest struct {
	Statement                           *string       `json:"Statement"`
	Parameters                          []*attr.Value `json:"Parameters"`
	ConsistentRead                      bool          `json:"ConsistentRead"`
	ReturnValuesOnConditionCheckFailure string        `json:"ReturnValuesOnConditionCheckFailure"`
}

type batchExecuteInput struct {
	Statements             []batchStatementRequest `json:"Statements"`
	ReturnConsumedCapacity string                  `json:"ReturnConsumedCapacity"`
}

type batchStatementError struct {
	Code    string    `json:"Code"`
	Message string    `json:"Message"`
	Item    attr.Item `json:"Item,omitempty"`
}

type batchStatementResponse struct {
	Error     *batchStatementError `json:"Error,omitempty"`
	TableName string               `json:"TableName,omitempty"`
	Item      attr.Item            `json:"Item,omitempty"`
}

type batchExecuteOutput struct {
	Responses        []batchStatementResponse `json:"Responses"`
	ConsumedCapacity []*consumedCapacity      `json:"ConsumedCapacity,omitempty"`
}

// statementErrorCode is the BatchStatementError code of an error.
func statementErrorCode(e *apiError) string {
	_, name, _ := strings.Cut(e.Type, "#")
	switch name {
	case "ValidationException":
		return "ValidationError"
	case "ConditionalCheckFailedException":
		return "ConditionalCheckFailed"
	case "ResourceNotFoundException":
		return "ResourceNotFound"
	case "DuplicateItemException":
		return "DuplicateItem"
	case "InternalServerError":
		return "InternalServerError"
	}
	return strings.TrimSuffix(name, "Exception")
}

// batchExecuteStatement serves BatchExecuteStatement: each statement runs
// on its own and reports its own error.
func (s *Service) batchExecuteStatement(ctx context.Context, in *batchExecuteInput) (*batchExecuteOutput, error) {
	var c constraints
	listLength(&c, "statements", in.Statements == nil, len(in.Statements), 25, nil)
	enumCheck(&c, in.ReturnConsumedCapacity, "returnConsumedCapacity", "INDEXES", "TOTAL", "NONE")
	if err := c.err(); err != nil {
		return nil, err
	}
	out := &batchExecuteOutput{Responses: make([]batchStatementResponse, len(in.Statements))}
	perTable := map[string]float64{}
	metas := map[string]*tableMeta{}
	for i, req := range in.Statements {
		r := &out.Responses[i]
		fail := func(err error) {
			e, ok := err.(*apiError)
			if !ok {
				e = internal(err)
			}
			r.Error = &batchStatementError{Code: statementErrorCode(e), Message: e.Message}
			if e.Item != nil {
				r.Error.Item = itemOf(e.Item)
			}
		}
		if req.Statement == nil {
			fail(pqError("Statement is required"))
			continue
		}
		st, err := pqParse(*req.Statement, req.Parameters)
		if err != nil {
			fail(err)
			continue
		}
		switch st.kind {
		case "SELECT":
			it, m, size, err := s.pqGet(st, "BatchExecuteStatement")
			if err != nil {
				fail(err)
				continue
			}
			r.TableName = m.Name
			if len(it) > 0 {
				r.Item = it
			}
			perTable[m.Name] += readUnits(size, req.ConsistentRead)
			metas[m.Name] = m
		case "EXISTS":
			fail(pqError("EXISTS is only supported within ExecuteTransaction"))
		default:
			if st.kind == "DELETE" && st.returning != "" && st.returning != "ALL OLD" {
				fail(pqError("Invalid returning clause: RETURNING " + st.returning + " *. Only RETURNING ALL OLD * is allowed in DELETE statements."))
				continue
			}
			it, m, units, err := s.pqWrite(st, req.ReturnValuesOnConditionCheckFailure)
			if err != nil {
				fail(err)
				continue
			}
			r.TableName = m.Name
			if len(it) > 0 {
				r.Item = it
			}
			perTable[m.Name] += units.table
			for _, u := range units.indexes {
				perTable[m.Name] += u
			}
			metas[m.Name] = m
		}
	}
	for _, n := range sortedKeys(perTable) {
		if cc := consumed(in.ReturnConsumedCapacity, metas[n], perTable[n], nil, noSplit); cc != nil {
			out.ConsumedCapacity = append(out.ConsumedCapacity, cc)
		}
	}
	return out, nil
}

// itemOf turns an error body's item back into an attr.Item.
func itemOf(m map[string]any) attr.Item {
	out := attr.Item{}
	for k, v := range m {
		if av, ok := v.(*attr.Value); ok {
			out[k] = av
		}
	}
	return out
}

// ExecuteTransaction.

type transactStatement struct {
	Statement                           *string       `json:"Statement"`
	Parameters                          []*attr.Value `json:"Parameters"`
	ReturnValuesOnConditionCheckFailure string        `json:"ReturnValuesOnConditionCheckFailure"`
}

type executeTransactionInput struct {
	TransactStatements     []transactStatement `json:"TransactStatements"`
	ClientRequestToken     *string             `json:"ClientRequestToken"`
	ReturnConsumedCapacity string              `json:"ReturnConsumedCapacity"`
}

type executeTransactionOutput struct {
	Responses        []itemResponse      `json:"Responses"`
	ConsumedCapacity []*consumedCapacity `json:"ConsumedCapacity,omitempty"`
}

// executeTransaction serves ExecuteTransaction: all reads (from one
// snapshot) or all writes (one transaction).
func (s *Service) executeTransaction(ctx context.Context, in *executeTransactionInput) (*executeTransactionOutput, error) {
	var c constraints
	listLength(&c, "transactStatements", in.TransactStatements == nil, len(in.TransactStatements), 100, nil)
	clientRequestToken(&c, in.ClientRequestToken)
	enumCheck(&c, in.ReturnConsumedCapacity, "returnConsumedCapacity", "INDEXES", "TOTAL", "NONE")
	if err := c.err(); err != nil {
		return nil, err
	}
	stmts := make([]*pqStmt, len(in.TransactStatements))
	reads, writes := 0, 0
	for i, ts := range in.TransactStatements {
		if ts.Statement == nil {
			return nil, pqError(fmt.Sprintf("Validation failed in TransactStatements[%d]: Statement is required", i))
		}
		st, err := pqParse(*ts.Statement, ts.Parameters)
		if err != nil {
			return nil, err
		}
		if st.returning != "" {
			return nil, pqError(fmt.Sprintf("Validation failed in TransactStatements[%d]: RETURNING clause is not supported in ExecuteTransaction.", i))
		}
		if st.kind == "SELECT" {
			reads++
		} else {
			writes++
		}
		stmts[i] = st
	}
	if reads > 0 && writes > 0 {
		return nil, pqError("Transaction must contain either all reads or all writes")
	}
	var fingerprint [32]byte
	if in.ClientRequestToken != nil {
		b, _ := json.Marshal(in.TransactStatements)
		fingerprint = sha256.Sum256(append(b, in.ReturnConsumedCapacity...))
		if resp, ok, err := s.tokens.lookup(*in.ClientRequestToken, fingerprint, s.now()); ok || err != nil {
			if err != nil {
				return nil, err
			}
			// A replay reads the stored result back.
			stored := resp.(*executeTransactionOutput)
			replay := &executeTransactionOutput{Responses: stored.Responses}
			for _, cc := range stored.ConsumedCapacity {
				replay.ConsumedCapacity = append(replay.ConsumedCapacity, &consumedCapacity{
					TableName: cc.TableName, CapacityUnits: cc.CapacityUnits, ReadCapacityUnits: cc.CapacityUnits})
			}
			return replay, nil
		}
	}
	var out *executeTransactionOutput
	if reads > 0 {
		o, err := s.pqReadTransaction(stmts, in.ReturnConsumedCapacity)
		if err != nil {
			return nil, err
		}
		out = o
	} else {
		ops := make([]*txOp, len(stmts))
		for i, st := range stmts {
			op, err := s.pqPrepareWrite(st)
			if err != nil {
				return nil, err
			}
			tx := &txOp{t: op.t, m: op.m, key: op.m.itemKey(op.key), keyIt: op.key, cond: op.cond, update: op.update,
				rvFail: in.TransactStatements[i].ReturnValuesOnConditionCheckFailure}
			switch st.kind {
			case "INSERT":
				tx.kind, tx.item = "Put", op.item
				tx.failCode, tx.failMsg = "DuplicateItem", "Duplicate primary key exists in table"
			case "UPDATE":
				tx.kind = "Update"
			case "DELETE":
				tx.kind = "Delete"
			case "EXISTS":
				tx.kind = "ConditionCheck"
			}
			ops[i] = tx
		}
		res, err := s.runTransaction(ops, in.ReturnConsumedCapacity, "")
		if err != nil {
			return nil, err
		}
		out = &executeTransactionOutput{Responses: []itemResponse{}, ConsumedCapacity: res.ConsumedCapacity}
	}
	if in.ClientRequestToken != nil {
		s.tokens.store(*in.ClientRequestToken, fingerprint, out, s.now())
	}
	return out, nil
}

// pqReadTransaction runs a transaction of SELECTs from one snapshot.
func (s *Service) pqReadTransaction(stmts []*pqStmt, rcc string) (*executeTransactionOutput, error) {
	ops := make([]getOp, len(stmts))
	for i, st := range stmts {
		_, m, err := s.lookup(st.table)
		if err != nil {
			return nil, err
		}
		key, rest, ok := pqFullKey(m, st.where)
		if !ok || st.index != "" {
			return nil, pqError(fmt.Sprintf("Validation failed in TransactStatements[%d]: Select statements within ExecuteTransaction must specify the primary key in the where clause.", i))
		}
		if err := checkKey(m, key); err != nil {
			return nil, err
		}
		ops[i] = getOp{m: m, key: m.itemKey(key), rest: rest, proj: st.proj}
	}
	responses, cc, err := s.readTransaction(ops, rcc, func(op *getOp, it attr.Item) attr.Item {
		if op.rest != nil && !expr.Eval(op.rest, it) {
			return nil
		}
		return pqProject(it, op.proj)
	})
	if err != nil {
		return nil, err
	}
	return &executeTransactionOutput{Responses: responses, ConsumedCapacity: cc}, nil
}
