package dynamodb_test

import (
	"bytes"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	ddb "github.com/nimbus-dev/nimbus/internal/dynamodb"
	"github.com/nimbus-dev/nimbus/internal/storage"
)

// benchClient is an SDK client with enough idle connections for 32
// concurrent callers.
func benchClient(url string) *dynamodb.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = 128
	tr.MaxIdleConnsPerHost = 128
	return dynamodb.New(dynamodb.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(url), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		HTTPClient:  &http.Client{Transport: tr},
	})
}

func percentile(d []time.Duration, p float64) float64 {
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	if len(d) == 0 {
		return 0
	}
	return float64(d[int(float64(len(d)-1)*p)].Nanoseconds()) / 1e3
}

var benchNoSync = false

// BenchmarkPutGetItem1KB: PutItem then GetItem of a 1 KB item through the
// SDK at concurrency 32, on a durable (synced) store. ops/s counts both.
func BenchmarkPutGetItem1KB(b *testing.B) {
	store, err := storage.Open(b.TempDir(), storage.Options{NoSync: benchNoSync})
	if err != nil {
		b.Fatal(err)
	}
	srv := startServerOn(b, store, ddb.Options{})
	c := benchClient(srv.url)
	if err := createTable2(c, "bench"); err != nil {
		b.Fatal(err)
	}
	pad := strings.Repeat("x", 1000)
	var seq atomic.Int64
	b.SetParallelism(16) // 16 x GOMAXPROCS(2) = 32 goroutines
	b.ResetTimer()
	start := time.Now()
	cpu0 := cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			k := fmt.Sprint("k", seq.Add(1))
			if _, err := c.PutItem(bg, &dynamodb.PutItemInput{TableName: aws.String("bench"),
				Item: map[string]types.AttributeValue{"pk": s(k), "pad": s(pad)}}); err != nil {
				b.Error(err)
				return
			}
			out, err := c.GetItem(bg, &dynamodb.GetItemInput{TableName: aws.String("bench"), Key: map[string]types.AttributeValue{"pk": s(k)}})
			if err != nil || out.Item == nil {
				b.Error("GetItem", err)
				return
			}
		}
	})
	b.ReportMetric(float64(2*b.N)/time.Since(start).Seconds(), "ops/s")
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(2*b.N), "cpu-µs/op")
}

// cpuTime is the process's user+system CPU time: with the client and the
// server in one process, 2 cores / cpu-µs/op bounds the throughput a quiet
// 2-core machine reaches.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkQueryGSI100k: Query on a GSI of 100,000 items returning 20
// items per call; reports latency percentiles through the SDK.
func BenchmarkQueryGSI100k(b *testing.B) {
	srv := startServer(b, ddb.Options{})
	c := benchClient(srv.url)
	_, err := c.CreateTable(bg, &dynamodb.CreateTableInput{TableName: aws.String("qbench"), BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{ad("pk", "S"), ad("room", "S"), ad("ts", "N")},
		KeySchema:            []types.KeySchemaElement{ks("pk", "HASH")},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{IndexName: aws.String("byRoom"),
			KeySchema:  []types.KeySchemaElement{ks("room", "HASH"), ks("ts", "RANGE")},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll}}}})
	if err != nil {
		b.Fatal(err)
	}
	const items, rooms = 100000, 1000
	var wg sync.WaitGroup
	work := make(chan int)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for start := range work {
				var reqs []types.WriteRequest
				for i := start; i < start+25; i++ {
					reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: map[string]types.AttributeValue{
						"pk": s(fmt.Sprint("conn-", i)), "room": s(fmt.Sprint("room-", i%rooms)), "ts": n(fmt.Sprint(i)), "name": s("someone")}}})
				}
				if _, err := c.BatchWriteItem(bg, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{"qbench": reqs}}); err != nil {
					b.Error(err)
				}
			}
		}()
	}
	for i := 0; i < items; i += 25 {
		work <- i
	}
	close(work)
	wg.Wait()
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		out, err := c.Query(bg, &dynamodb.QueryInput{TableName: aws.String("qbench"), IndexName: aws.String("byRoom"),
			KeyConditionExpression: aws.String("room = :r"), Limit: aws.Int32(20), ScanIndexForward: aws.Bool(false),
			ExpressionAttributeValues: map[string]types.AttributeValue{":r": s(fmt.Sprint("room-", i%rooms))}})
		lat = append(lat, time.Since(t0))
		if err != nil || len(out.Items) != 20 {
			b.Fatal("query", err)
		}
	}
	b.StopTimer()
	b.ReportMetric(percentile(lat, 0.5), "p50-µs")
	b.ReportMetric(percentile(lat, 0.99), "p99-µs")
}

// BenchmarkGetItemServerSide: the time ServeHTTP spends on a GetItem of a
// 1 KB item (no network, no client).
func BenchmarkGetItemServerSide(b *testing.B) {
	srv := startServer(b, ddb.Options{})
	c := benchClient(srv.url)
	if err := createTable2(c, "getb"); err != nil {
		b.Fatal(err)
	}
	pad := strings.Repeat("x", 1000)
	for i := range 1000 {
		if _, err := c.PutItem(bg, &dynamodb.PutItemInput{TableName: aws.String("getb"),
			Item: map[string]types.AttributeValue{"pk": s(fmt.Sprint("k", i)), "pad": s(pad), "n": n(fmt.Sprint(i))}}); err != nil {
			b.Fatal(err)
		}
	}
	bodies := make([][]byte, 1000)
	for i := range bodies {
		bodies[i] = []byte(fmt.Sprintf(`{"TableName":"getb","Key":{"pk":{"S":"k%d"}}}`, i))
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req := httptest.NewRequest("POST", "/", bytes.NewReader(bodies[i%len(bodies)]))
		req.Header.Set("X-Amz-Target", "DynamoDB_20120810.GetItem")
		signLikeAnSDK(req)
		w := httptest.NewRecorder()
		t0 := time.Now()
		srv.svc.ServeHTTP(w, req)
		lat = append(lat, time.Since(t0))
		if w.Code != 200 {
			b.Fatal(w.Body.String())
		}
	}
	b.StopTimer()
	b.ReportMetric(percentile(lat, 0.5), "p50-µs")
	b.ReportMetric(percentile(lat, 0.99), "p99-µs")
}

// BenchmarkPutItemServerSide: the time ServeHTTP spends on a PutItem of a
// 1 KB item with the store's sync excluded (in-memory), i.e. the CPU cost
// of the request path.
func BenchmarkPutItemServerSide(b *testing.B) {
	srv := startServer(b, ddb.Options{})
	if err := createTable2(benchClient(srv.url), "putb"); err != nil {
		b.Fatal(err)
	}
	pad := strings.Repeat("x", 1000)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		body := fmt.Sprintf(`{"TableName":"putb","Item":{"pk":{"S":"k%d"},"pad":{"S":"%s"},"n":{"N":"%d"}}}`, i%1000, pad, i)
		req := httptest.NewRequest("POST", "/", strings.NewReader(body))
		req.Header.Set("X-Amz-Target", "DynamoDB_20120810.PutItem")
		signLikeAnSDK(req)
		w := httptest.NewRecorder()
		srv.svc.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatal(w.Body.String())
		}
	}
}

// BenchmarkSDKBaseline runs the PutGetItem1KB workload against a stub
// HTTP handler that answers canned responses: the cost of the SDK client
// and net/http alone, i.e. the ceiling BenchmarkPutGetItem1KB can reach
// when client and server share the machine.
func BenchmarkSDKBaseline(b *testing.B) {
	pad := strings.Repeat("x", 1000)
	getBody := []byte(`{"Item":{"pk":{"S":"k"},"pad":{"S":"` + pad + `"}}}`)
	stub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		body := []byte("{}")
		if strings.HasSuffix(r.Header.Get("X-Amz-Target"), "GetItem") {
			body = getBody
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.Header().Set("x-amz-crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE(body)), 10))
		w.Write(body)
	}))
	defer stub.Close()
	c := benchClient(stub.URL)
	var seq atomic.Int64
	b.SetParallelism(16)
	b.ResetTimer()
	start := time.Now()
	cpu0 := cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			k := fmt.Sprint("k", seq.Add(1))
			if _, err := c.PutItem(bg, &dynamodb.PutItemInput{TableName: aws.String("bench"), Item: map[string]types.AttributeValue{"pk": s(k), "pad": s(pad)}}); err != nil {
				b.Error(err)
				return
			}
			if _, err := c.GetItem(bg, &dynamodb.GetItemInput{TableName: aws.String("bench"), Key: map[string]types.AttributeValue{"pk": s(k)}}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(2*b.N)/time.Since(start).Seconds(), "ops/s")
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(2*b.N), "cpu-µs/op")
}
