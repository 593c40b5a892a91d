package reliability

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
)

// TestKillDuringMixedWrites runs `nimbus up` on a data folder, drives
// PutItem, DeleteItem, UpdateItem, BatchWriteItem and TransactWriteItems
// against a table with two GSIs through the Go SDK, and kills the process
// with SIGKILL at a random moment, several times over. After every restart
// it checks that every acknowledged write is there, that each write in
// flight at the kill was applied whole or not at all (transactions
// included), and that both indexes hold exactly the projections of the
// table's items.
func TestKillDuringMixedWrites(t *testing.T) {
	cycles := 4
	if longRuns() {
		cycles = 40
	}
	data := t.TempDir()
	work := t.TempDir()
	m := newWriteModel()
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 9))
	var totals writeTotals
	for cycle := range cycles + 1 {
		p := startNimbus(t, work, nil, "--data", data)
		c := ddbClient(p.url)
		if cycle == 0 {
			createCrashTable(t, c)
			m.seed(t, c)
		} else {
			m.verify(t, ddbReader(p.url), cycle)
		}
		if cycle == cycles {
			p.stop(30 * time.Second)
			break
		}
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for w := range 2 {
			wg.Go(func() { m.putter(t, c, w, stop, &totals) })
			wg.Go(func() { m.updater(t, c, w, stop, &totals) })
			wg.Go(func() { m.batcher(t, c, w, stop, &totals) })
			wg.Go(func() { m.transactor(t, c, w, stop, &totals) })
		}
		time.Sleep(time.Duration(150+rng.IntN(500)) * time.Millisecond)
		p.kill()
		close(stop)
		wg.Wait()
		if t.Failed() {
			return
		}
	}
	t.Logf("%d kill -9 cycles: %d acknowledged writes verified (%d puts/deletes, %d updates, %d batch writes of up to 25 items, %d transactions of 4 actions); %d writes in flight at the kills resolved whole-or-nothing; %d index entries checked",
		cycles, totals.acked.Load(), totals.puts.Load(), totals.updates.Load(), totals.batches.Load(), totals.txns.Load(), m.resolved, m.indexChecked)
}

type writeTotals struct {
	acked, puts, updates, batches, txns atomic.Int64
}

const crashTable = "reliability"

// The table: pk/sk, GSI "byOwner" (owner, sk) projecting everything and GSI
// "byN" (n) projecting only the keys plus "owner".
func createCrashTable(t *testing.T, c *dynamodb.Client) {
	t.Helper()
	ks := func(n string, kt types.KeyType) types.KeySchemaElement {
		return types.KeySchemaElement{AttributeName: aws.String(n), KeyType: kt}
	}
	ad := func(n string, at types.ScalarAttributeType) types.AttributeDefinition {
		return types.AttributeDefinition{AttributeName: aws.String(n), AttributeType: at}
	}
	_, err := c.CreateTable(bg, &dynamodb.CreateTableInput{
		TableName:            aws.String(crashTable),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{ad("pk", "S"), ad("sk", "S"), ad("owner", "S"), ad("n", "N")},
		KeySchema:            []types.KeySchemaElement{ks("pk", "HASH"), ks("sk", "RANGE")},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{
			{IndexName: aws.String("byOwner"), KeySchema: []types.KeySchemaElement{ks("owner", "HASH"), ks("sk", "RANGE")},
				Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll}},
			{IndexName: aws.String("byN"), KeySchema: []types.KeySchemaElement{ks("n", "HASH")},
				Projection: &types.Projection{ProjectionType: types.ProjectionTypeInclude, NonKeyAttributes: []string{"owner"}}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
}

// writeModel is what the table must hold: the acknowledged state of every
// key, plus the writes that were in flight when the server died.
type writeModel struct {
	mu      sync.Mutex
	items   map[string]item // key -> acknowledged item
	pending []*pendingWrite

	resolved     int
	indexChecked int
}

// item is an item in canonical form (attribute name -> "S:v" / "N:v").
type item map[string]string

// pendingWrite is a write sent but not acknowledged: after a restart its
// keys hold either their old items or all of changes (a nil item: deleted).
type pendingWrite struct {
	what    string
	atomic  bool
	changes map[string]item
}

func newWriteModel() *writeModel { return &writeModel{items: map[string]item{}} }

func itemKey(pk, sk string) string { return pk + "\x00" + sk }

func (m *writeModel) get(pk, sk string) item {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.items[itemKey(pk, sk)]
}

func (m *writeModel) begin(what string, atomic bool, changes map[string]item) *pendingWrite {
	p := &pendingWrite{what: what, atomic: atomic, changes: changes}
	m.mu.Lock()
	m.pending = append(m.pending, p)
	m.mu.Unlock()
	return p
}

func (m *writeModel) ack(p *pendingWrite) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, it := range p.changes {
		if it == nil {
			delete(m.items, k)
		} else {
			m.items[k] = it
		}
	}
	for i, q := range m.pending {
		if q == p {
			m.pending = append(m.pending[:i], m.pending[i+1:]...)
			break
		}
	}
}

// failed decides what an error means: a transport error (the server is
// gone) leaves the write pending; anything the server answered is a bug.
func failed(t *testing.T, what string, err error) {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		t.Errorf("%s: the server refused a valid write: %v", what, err)
	}
}

func sAttr(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func nAttr(v int) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.Itoa(v)}
}

func toAttrs(it item) map[string]types.AttributeValue {
	out := map[string]types.AttributeValue{}
	for k, v := range it {
		if n, ok := strings.CutPrefix(v, "N:"); ok {
			out[k] = &types.AttributeValueMemberN{Value: n}
		} else {
			out[k] = sAttr(strings.TrimPrefix(v, "S:"))
		}
	}
	return out
}

func fromAttrs(t *testing.T, av map[string]types.AttributeValue) item {
	it := item{}
	for k, v := range av {
		switch v := v.(type) {
		case *types.AttributeValueMemberS:
			it[k] = "S:" + v.Value
		case *types.AttributeValueMemberN:
			it[k] = "N:" + v.Value
		default:
			t.Errorf("attribute %s has unexpected type %T", k, v)
		}
	}
	return it
}

func (it item) String() string {
	if it == nil {
		return "<absent>"
	}
	keys := make([]string, 0, len(it))
	for k := range it {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%s ", k, it[k])
	}
	return strings.TrimSpace(b.String())
}

func sameItem(a, b item) bool {
	if (a == nil) != (b == nil) || len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

const (
	updaterKeys  = 8
	transferBase = 1_000_000
)

// seed writes what the updaters and transactors start from.
func (m *writeModel) seed(t *testing.T, c *dynamodb.Client) {
	t.Helper()
	for w := range 2 {
		for k := range updaterKeys {
			it := item{"pk": "S:ctr" + strconv.Itoa(w), "sk": "S:" + strconv.Itoa(k), "n": "N:0", "owner": "S:o0"}
			m.put(t, c, it)
		}
		for _, acct := range []string{"a", "b"} {
			it := item{"pk": "S:acct" + strconv.Itoa(w), "sk": "S:" + acct, "bal": "N:" + strconv.Itoa(transferBase), "seq": "N:0", "owner": "S:bank"}
			if acct == "b" {
				it["bal"] = "N:0"
			}
			m.put(t, c, it)
		}
	}
}

func (m *writeModel) put(t *testing.T, c *dynamodb.Client, it item) {
	t.Helper()
	if _, err := c.PutItem(bg, &dynamodb.PutItemInput{TableName: aws.String(crashTable), Item: toAttrs(it)}); err != nil {
		t.Fatal(err)
	}
	m.ack(&pendingWrite{changes: map[string]item{itemKey(it["pk"][2:], it["sk"][2:]): it}})
}

// putter puts new items and deletes every third one again.
func (m *writeModel) putter(t *testing.T, c *dynamodb.Client, w int, stop <-chan struct{}, tot *writeTotals) {
	pk := "put" + strconv.Itoa(w)
	for i := m.nextSeq(pk); ; i++ {
		select {
		case <-stop:
			return
		default:
		}
		sk := fmt.Sprintf("%08d", i)
		it := item{"pk": "S:" + pk, "sk": "S:" + sk, "owner": "S:o" + strconv.Itoa(i%5), "n": "N:" + strconv.Itoa(i%50), "data": "S:" + strings.Repeat("x", i%300)}
		p := m.begin("PutItem "+sk, true, map[string]item{itemKey(pk, sk): it})
		if _, err := c.PutItem(bg, &dynamodb.PutItemInput{TableName: aws.String(crashTable), Item: toAttrs(it)}); err != nil {
			failed(t, p.what, err)
			return
		}
		m.ack(p)
		tot.acked.Add(1)
		tot.puts.Add(1)
		if i%3 == 2 {
			old := fmt.Sprintf("%08d", i-1)
			if m.get(pk, old) == nil {
				continue
			}
			p := m.begin("DeleteItem "+old, true, map[string]item{itemKey(pk, old): nil})
			_, err := c.DeleteItem(bg, &dynamodb.DeleteItemInput{TableName: aws.String(crashTable),
				Key: map[string]types.AttributeValue{"pk": sAttr(pk), "sk": sAttr(old)}})
			if err != nil {
				failed(t, p.what, err)
				return
			}
			m.ack(p)
			tot.acked.Add(1)
			tot.puts.Add(1)
		}
	}
}

// nextSeq is one past the highest numeric sort key written under pk.
func (m *writeModel) nextSeq(pk string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	next := 0
	for _, it := range m.items {
		if it["pk"] == "S:"+pk {
			if n, err := strconv.Atoi(it["sk"][2:]); err == nil && n >= next {
				next = n + 1
			}
		}
	}
	// Deleted items leave gaps; start past anything that may exist.
	return next + 10
}

// updater increments counters with UpdateItem, moving each item between
// partitions of both GSIs (owner and n change on every update).
func (m *writeModel) updater(t *testing.T, c *dynamodb.Client, w int, stop <-chan struct{}, tot *writeTotals) {
	pk := "ctr" + strconv.Itoa(w)
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		default:
		}
		sk := strconv.Itoa(i % updaterKeys)
		old := m.get(pk, sk)
		n, _ := strconv.Atoi(old["n"][2:])
		next := item{"pk": "S:" + pk, "sk": "S:" + sk, "n": "N:" + strconv.Itoa(n+1), "owner": "S:o" + strconv.Itoa((n+1)%3)}
		p := m.begin("UpdateItem "+pk+"/"+sk, true, map[string]item{itemKey(pk, sk): next})
		_, err := c.UpdateItem(bg, &dynamodb.UpdateItemInput{
			TableName:                 aws.String(crashTable),
			Key:                       map[string]types.AttributeValue{"pk": sAttr(pk), "sk": sAttr(sk)},
			UpdateExpression:          aws.String("SET n = n + :one, #o = :o"),
			ConditionExpression:       aws.String("n = :n"),
			ExpressionAttributeNames:  map[string]string{"#o": "owner"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":one": nAttr(1), ":o": sAttr(next["owner"][2:]), ":n": nAttr(n)},
		})
		if err != nil {
			failed(t, p.what, err)
			return
		}
		m.ack(p)
		tot.acked.Add(1)
		tot.updates.Add(1)
	}
}

// batcher writes 20 new items and deletes up to 5 earlier ones per
// BatchWriteItem.
func (m *writeModel) batcher(t *testing.T, c *dynamodb.Client, w int, stop <-chan struct{}, tot *writeTotals) {
	pk := "batch" + strconv.Itoa(w)
	next := m.nextSeq(pk)
	for {
		select {
		case <-stop:
			return
		default:
		}
		changes := map[string]item{}
		var reqs []types.WriteRequest
		for j := range 20 {
			sk := fmt.Sprintf("%08d", next+j)
			it := item{"pk": "S:" + pk, "sk": "S:" + sk, "owner": "S:b" + strconv.Itoa(j%4), "n": "N:" + strconv.Itoa(j)}
			changes[itemKey(pk, sk)] = it
			reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: toAttrs(it)}})
		}
		for j := range 5 {
			sk := fmt.Sprintf("%08d", next-20+j*3)
			if m.get(pk, sk) == nil {
				continue
			}
			changes[itemKey(pk, sk)] = nil
			reqs = append(reqs, types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: map[string]types.AttributeValue{"pk": sAttr(pk), "sk": sAttr(sk)}}})
		}
		next += 20
		p := m.begin(fmt.Sprintf("BatchWriteItem of %d", len(reqs)), false, changes)
		out, err := c.BatchWriteItem(bg, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{crashTable: reqs}})
		if err != nil {
			failed(t, p.what, err)
			return
		}
		if n := len(out.UnprocessedItems[crashTable]); n > 0 {
			t.Errorf("BatchWriteItem left %d items unprocessed", n)
			return
		}
		m.ack(p)
		tot.acked.Add(int64(len(reqs)))
		tot.batches.Add(1)
	}
}

// transactor moves one unit between two accounts, bumps both sequence
// numbers and writes a receipt, all in one TransactWriteItems guarded by a
// ConditionCheck: after any crash the two sequence numbers agree, the
// balances sum to transferBase and receipts exist exactly up to seq.
func (m *writeModel) transactor(t *testing.T, c *dynamodb.Client, w int, stop <-chan struct{}, tot *writeTotals) {
	pk := "acct" + strconv.Itoa(w)
	for {
		select {
		case <-stop:
			return
		default:
		}
		a, b := m.get(pk, "a"), m.get(pk, "b")
		seq, _ := strconv.Atoi(a["seq"][2:])
		balA, _ := strconv.Atoi(a["bal"][2:])
		balB, _ := strconv.Atoi(b["bal"][2:])
		if balA == 0 {
			return
		}
		next := seq + 1
		receipt := fmt.Sprintf("r%08d", next)
		changes := map[string]item{
			itemKey(pk, "a"):     {"pk": "S:" + pk, "sk": "S:a", "bal": "N:" + strconv.Itoa(balA-1), "seq": "N:" + strconv.Itoa(next), "owner": "S:bank"},
			itemKey(pk, "b"):     {"pk": "S:" + pk, "sk": "S:b", "bal": "N:" + strconv.Itoa(balB+1), "seq": "N:" + strconv.Itoa(next), "owner": "S:bank"},
			itemKey(pk, receipt): {"pk": "S:" + pk, "sk": "S:" + receipt, "owner": "S:receipts", "n": "N:" + strconv.Itoa(next)},
		}
		key := func(sk string) map[string]types.AttributeValue {
			return map[string]types.AttributeValue{"pk": sAttr(pk), "sk": sAttr(sk)}
		}
		values := map[string]types.AttributeValue{":one": nAttr(1), ":seq": nAttr(seq), ":next": nAttr(next)}
		p := m.begin("TransactWriteItems "+pk+" "+receipt, true, changes)
		_, err := c.TransactWriteItems(bg, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
			{Update: &types.Update{TableName: aws.String(crashTable), Key: key("a"),
				UpdateExpression: aws.String("SET bal = bal - :one, seq = :next"), ConditionExpression: aws.String("seq = :seq"),
				ExpressionAttributeValues: values}},
			{Update: &types.Update{TableName: aws.String(crashTable), Key: key("b"),
				UpdateExpression: aws.String("SET bal = bal + :one, seq = :next"), ConditionExpression: aws.String("seq = :seq"),
				ExpressionAttributeValues: values}},
			{Put: &types.Put{TableName: aws.String(crashTable), Item: toAttrs(changes[itemKey(pk, receipt)]),
				ConditionExpression: aws.String("attribute_not_exists(pk)")}},
			{ConditionCheck: &types.ConditionCheck{TableName: aws.String(crashTable), Key: key("0"),
				ConditionExpression: aws.String("attribute_not_exists(pk)")}},
		}})
		if err != nil {
			failed(t, p.what, err)
			return
		}
		m.ack(p)
		tot.acked.Add(4)
		tot.txns.Add(1)
	}
}

// scanAll reads a table or index whole.
func scanAll(t *testing.T, c *dynamodb.Client, index string) []item {
	t.Helper()
	in := &dynamodb.ScanInput{TableName: aws.String(crashTable), ConsistentRead: aws.Bool(index == "")}
	if index != "" {
		in.IndexName = aws.String(index)
	}
	var out []item
	pg := dynamodb.NewScanPaginator(c, in)
	for pg.HasMorePages() {
		page, err := pg.NextPage(bg)
		if err != nil {
			t.Fatalf("scan %s: %v", index, err)
		}
		for _, av := range page.Items {
			out = append(out, fromAttrs(t, av))
		}
	}
	return out
}

// verify compares the table with the model after a restart and resolves
// the writes that were in flight.
func (m *writeModel) verify(t *testing.T, c *dynamodb.Client, cycle int) {
	t.Helper()
	actual := map[string]item{}
	for _, it := range scanAll(t, c, "") {
		actual[itemKey(it["pk"][2:], it["sk"][2:])] = it
	}
	m.resolve(t, cycle, actual)
	m.checkIndexes(t, c, cycle, actual)
}

// resolve checks the table against the model and adopts the outcome of the
// writes that were in flight.
func (m *writeModel) resolve(t *testing.T, cycle int, actual map[string]item) {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	inFlight := map[string]bool{}
	for _, p := range m.pending {
		applied, kept := 0, 0
		for k, want := range p.changes {
			inFlight[k] = true
			got := actual[k]
			switch {
			case sameItem(got, want):
				applied++
			case sameItem(got, m.items[k]):
				kept++
			default:
				t.Errorf("cycle %d: %s in flight at the kill left %q as %v; want %v or the old %v", cycle, p.what, k, got, want, m.items[k])
			}
		}
		// A key whose old and new items are equal counts as both.
		same := 0
		for k, want := range p.changes {
			if sameItem(want, m.items[k]) {
				same++
			}
		}
		if p.atomic && applied-same > 0 && kept-same > 0 {
			t.Errorf("cycle %d: %s in flight at the kill is partly applied (%d of %d changes)", cycle, p.what, applied, len(p.changes))
		}
		m.resolved++
	}
	for k, want := range m.items {
		if inFlight[k] {
			continue
		}
		if got := actual[k]; !sameItem(got, want) {
			t.Errorf("cycle %d: acknowledged %q is %v, want %v", cycle, k, got, want)
		}
	}
	for k, got := range actual {
		if _, known := m.items[k]; !known && !inFlight[k] {
			t.Errorf("cycle %d: %v is present but was never written, or its delete was acknowledged", cycle, got)
		}
	}
	// Adopt what the restart shows for keys written in flight.
	for k := range inFlight {
		if got, ok := actual[k]; ok {
			m.items[k] = got
		} else {
			delete(m.items, k)
		}
	}
	m.pending = nil
	m.checkTransfers(t, cycle)
}

// checkTransfers checks the transactors' invariants; called with mu held.
func (m *writeModel) checkTransfers(t *testing.T, cycle int) {
	for w := range 2 {
		pk := "acct" + strconv.Itoa(w)
		a, b := m.items[itemKey(pk, "a")], m.items[itemKey(pk, "b")]
		if a["seq"] != b["seq"] {
			t.Errorf("cycle %d: %s: half a transaction is visible: seq %s vs %s", cycle, pk, a["seq"], b["seq"])
		}
		balA, _ := strconv.Atoi(a["bal"][2:])
		balB, _ := strconv.Atoi(b["bal"][2:])
		seq, _ := strconv.Atoi(a["seq"][2:])
		if balA+balB != transferBase || balB != seq {
			t.Errorf("cycle %d: %s: balances %d + %d after %d transfers", cycle, pk, balA, balB, seq)
		}
		receipts := 0
		for k := range m.items {
			if strings.HasPrefix(k, pk+"\x00r") {
				receipts++
			}
		}
		if receipts != seq {
			t.Errorf("cycle %d: %s: %d receipts for %d transfers", cycle, pk, receipts, seq)
		}
	}
}

// checkIndexes compares each GSI with the projections of the table's items.
func (m *writeModel) checkIndexes(t *testing.T, c *dynamodb.Client, cycle int, table map[string]item) {
	for _, idx := range []struct {
		name string
		keys []string
		proj func(item) item
	}{
		{"byOwner", []string{"owner", "sk"}, func(it item) item { return it }},
		{"byN", []string{"n"}, func(it item) item {
			p := item{"pk": it["pk"], "sk": it["sk"], "n": it["n"]}
			if o, ok := it["owner"]; ok {
				p["owner"] = o
			}
			return p
		}},
	} {
		want := map[string]int{}
		for _, it := range table {
			has := true
			for _, k := range idx.keys {
				if _, ok := it[k]; !ok {
					has = false
				}
			}
			if has {
				want[idx.proj(it).String()]++
			}
		}
		got := map[string]int{}
		entries := scanAll(t, c, idx.name)
		for _, it := range entries {
			got[it.String()]++
		}
		for k, n := range want {
			if got[k] != n {
				t.Errorf("cycle %d: index %s has %d entries for table item %s, want %d", cycle, idx.name, got[k], k, n)
			}
		}
		for k, n := range got {
			if want[k] == 0 {
				t.Errorf("cycle %d: index %s has %d stale entries %s", cycle, idx.name, n, k)
			}
		}
		m.indexChecked += len(entries)
	}
}
