package reliability

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/coder/websocket"

	"github.com/nimbus-dev/nimbus/internal/nimbus"
)

// soakDuration is NIMBUS_SOAK_DURATION (a Go duration), 3 minutes by
// default.
func soakDuration(t *testing.T) time.Duration {
	if v := os.Getenv("NIMBUS_SOAK_DURATION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("NIMBUS_SOAK_DURATION: %v", err)
		}
		return d
	}
	return 3 * time.Minute
}

// rssMB is this process's resident memory in MB (Linux), 0 when unknown.
func rssMB() int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return kb / 1024
		}
	}
	return 0
}

// TestSoak (NIMBUS_SOAK=1) runs a whole Nimbus for a few minutes under
// mixed load: REST and HTTP API requests to a Python function, DynamoDB
// writes, reads and queries through the SDK, WebSocket messages through a
// route, posts through the management API, and connections opening and
// closing. No request may fail; the heap after GC must level off, and
// goroutines and descriptors must come back once the clients stop.
func TestSoak(t *testing.T) {
	if !soakRuns() {
		t.Skip("a few minutes of mixed load; NIMBUS_SOAK=1 runs it (NIMBUS_SOAK_DURATION sets how long)")
	}
	requireTool(t, "python3", "apt-get install python3")
	// Tables on disk, as users run: an in-memory store's data would count
	// as heap growth.
	srv, err := nimbus.New(context.Background(), nimbus.Config{Template: "testdata/app", DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	a := appURLs(t, srv.URL())
	// As many warm environments as concurrent callers (4 HTTP, 2 WebSocket
	// clients), so new environments do not look like a leak.
	warm(t, a, 6)
	ddbTransport := &http.Transport{MaxIdleConnsPerHost: 4}
	ddb := dynamodb.New(ddbClient(srv.URL()).Options(), func(o *dynamodb.Options) {
		o.HTTPClient = &http.Client{Transport: ddbTransport, Timeout: 30 * time.Second}
	})
	createCrashTable(t, ddb)
	before := snapshot()
	duration := soakDuration(t)
	ctx, cancel := context.WithTimeout(context.Background(), duration)
	defer cancel()

	var counts sync.Map // kind -> *atomic.Int64
	count := func(kind string) {
		v, _ := counts.LoadOrStore(kind, new(atomic.Int64))
		v.(*atomic.Int64).Add(1)
	}
	var errs atomic.Int64
	fail := func(format string, args ...any) {
		if ctx.Err() != nil {
			return // the run is ending; requests cut off by it do not count
		}
		if errs.Add(1) <= 10 {
			t.Errorf(format, args...)
		}
	}
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 30 * time.Second}

	for w := range 4 {
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				u := fmt.Sprintf("%s/rest/soak/%d/%d", a.rest, w, i)
				if w%2 == 1 {
					u = fmt.Sprintf("%s/http/soak/%d/%d", a.http, w, i)
				}
				if _, err := getWeb(client, u); err != nil {
					fail("HTTP: %v", err)
					continue
				}
				count("http")
			}
		})
	}
	for w := range 2 {
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				pk, sk := fmt.Sprintf("soak%d", w), fmt.Sprintf("%08d", i%5000)
				key := map[string]types.AttributeValue{"pk": sAttr(pk), "sk": sAttr(sk)}
				_, err := ddb.PutItem(bg, &dynamodb.PutItemInput{TableName: aws.String(crashTable), Item: map[string]types.AttributeValue{
					"pk": sAttr(pk), "sk": sAttr(sk), "owner": sAttr("o" + strconv.Itoa(i%7)), "n": nAttr(i % 100), "blob": sAttr(strings.Repeat("b", 1000))}})
				if err == nil {
					_, err = ddb.UpdateItem(bg, &dynamodb.UpdateItemInput{TableName: aws.String(crashTable), Key: key,
						UpdateExpression: aws.String("ADD hits :one"), ExpressionAttributeValues: map[string]types.AttributeValue{":one": nAttr(1)}})
				}
				if err == nil {
					var out *dynamodb.GetItemOutput
					out, err = ddb.GetItem(bg, &dynamodb.GetItemInput{TableName: aws.String(crashTable), Key: key, ConsistentRead: aws.Bool(true)})
					if err == nil && out.Item == nil {
						err = fmt.Errorf("item %s/%s missing right after it was written", pk, sk)
					}
				}
				if err == nil && i%20 == 0 {
					_, err = ddb.Query(bg, &dynamodb.QueryInput{TableName: aws.String(crashTable), IndexName: aws.String("byOwner"), Limit: aws.Int32(20),
						KeyConditionExpression:    aws.String("#o = :o"),
						ExpressionAttributeNames:  map[string]string{"#o": "owner"},
						ExpressionAttributeValues: map[string]types.AttributeValue{":o": sAttr("o1")}})
				}
				if err != nil {
					fail("DynamoDB: %v", err)
					continue
				}
				count("dynamodb")
			}
		})
	}
	// WebSocket: clients that send through the route and read the echo.
	for w := range 2 {
		wg.Go(func() {
			conn, _, err := websocket.Dial(ctx, a.ws, nil)
			if err != nil {
				fail("WebSocket dial: %v", err)
				return
			}
			defer conn.CloseNow()
			for n := 0; ctx.Err() == nil; n++ {
				if err := conn.Write(ctx, websocket.MessageText, fmt.Appendf(nil, `{"action":"echo","n":%d}`, n)); err != nil {
					fail("WebSocket write %d: %v", w, err)
					return
				}
				_, msg, err := conn.Read(ctx)
				if err != nil {
					fail("WebSocket read %d: %v", w, err)
					return
				}
				if want := fmt.Sprintf(`{"echo": %d}`, n); string(msg) != want {
					fail("WebSocket echo: got %s, want %s", msg, want)
					return
				}
				count("websocket")
			}
		})
	}
	// Posts through the management API to 10 listeners.
	wg.Go(func() {
		var listeners []*websocket.Conn
		var ids []string
		for range 10 {
			conn, _, err := websocket.Dial(ctx, a.ws, nil)
			if err != nil {
				fail("WebSocket dial: %v", err)
				return
			}
			defer conn.CloseNow()
			if err := conn.Write(ctx, websocket.MessageText, []byte(`{"action":"whoami"}`)); err != nil {
				fail("whoami: %v", err)
				return
			}
			var me struct{ Me string }
			readJSON(ctx, t, conn, &me)
			listeners, ids = append(listeners, conn), append(ids, me.Me)
		}
		for n := 0; ctx.Err() == nil; n++ {
			i := n % len(ids)
			resp, err := client.Post(a.edge+"/@connections/"+url.PathEscape(ids[i]), "text/plain", strings.NewReader("m"+strconv.Itoa(n)))
			if err != nil {
				fail("post: %v", err)
				continue
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				fail("post: %d", resp.StatusCode)
				continue
			}
			_, msg, err := listeners[i].Read(ctx)
			if err != nil || string(msg) != "m"+strconv.Itoa(n) {
				fail("listener %d got %q %v", i, msg, err)
				return
			}
			count("post")
		}
	})
	// Connection churn.
	wg.Go(func() {
		for ctx.Err() == nil {
			conn, _, err := websocket.Dial(ctx, a.ws, nil)
			if err != nil {
				fail("churn dial: %v", err)
				continue
			}
			conn.Close(websocket.StatusNormalClosure, "")
			count("connections")
		}
	})

	// Sample the heap (after GC), goroutines and RSS every tenth of the run.
	type sample struct {
		at                time.Duration
		heapMB, rss, gors int
	}
	var samples []sample
	started := time.Now()
	tick := time.NewTicker(duration / 10)
	for done := false; !done; {
		select {
		case <-ctx.Done():
			done = true
		case <-tick.C:
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			s := sample{time.Since(started).Round(time.Second), int(ms.HeapAlloc >> 20), rssMB(), runtime.NumGoroutine()}
			samples = append(samples, s)
			t.Logf("soak %s: heap %d MB, RSS %d MB, %d goroutines", s.at, s.heapMB, s.rss, s.gors)
		}
	}
	tick.Stop()
	wg.Wait()
	ddbTransport.CloseIdleConnections()
	after := checkNoLeak(t, before, "the soak")

	var summary []string
	total := int64(0)
	counts.Range(func(k, v any) bool {
		n := v.(*atomic.Int64).Load()
		total += n
		summary = append(summary, fmt.Sprintf("%s %d (%.0f/s)", k, n, float64(n)/duration.Seconds()))
		return true
	})
	t.Logf("soak of %s: %s; %d errors; goroutines %d -> %d, fds %d -> %d", duration, strings.Join(summary, ", "), errs.Load(),
		before.goroutines, after.goroutines, before.fds, after.fds)
	if len(samples) >= 4 {
		// The heap may grow while the table fills (5000 items per writer),
		// then must level off: the last sample within 25% (+16 MB) of the
		// one at a third of the run.
		third, last := samples[len(samples)/3], samples[len(samples)-1]
		if float64(last.heapMB) > float64(third.heapMB)*1.25+16 {
			t.Errorf("heap keeps growing: %d MB at %s, %d MB at %s", third.heapMB, third.at, last.heapMB, last.at)
		}
	}
}
