package dynamodb_test

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	ddb "github.com/nimbus-dev/nimbus/internal/dynamodb"
	"github.com/nimbus-dev/nimbus/internal/storage"
)

// TestCrashDurability kills a server process with SIGKILL while clients
// write, then reopens its data and checks every acknowledged write.
func TestCrashDurability(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashServerEnv+"="+dir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	defer func() {
		if !killed {
			cmd.Process.Kill()
			cmd.Wait()
		}
	}()
	addr, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	c := (&server{url: "http://" + addr[:len(addr)-1]}).client()
	createTable(t, c, "crash")

	var mu sync.Mutex
	acked := map[string]string{}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				sk := fmt.Sprintf("w%02d-%06d", w, i)
				val := fmt.Sprintf("v%d", i*7)
				_, err := c.PutItem(bg, &dynamodb.PutItemInput{TableName: aws.String("crash"),
					Item: map[string]types.AttributeValue{"pk": s("p"), "sk": s(sk), "val": s(val), "g": s("g")}})
				if err != nil {
					return // the server died mid-request: not acknowledged
				}
				mu.Lock()
				acked[sk] = val
				mu.Unlock()
			}
		}()
	}
	// Kill once enough writes are in flight and acknowledged (bounded in
	// time, so a slow CI machine still gets a meaningful test).
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 300 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	killed = true
	close(stop)
	wg.Wait()
	if len(acked) < 20 {
		t.Fatalf("only %d writes acknowledged before the kill", len(acked))
	}

	store, err := storage.Open(dir, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := startServerOn(t, store, ddb.Options{})
	c2 := srv.client()
	missing := 0
	for sk, val := range acked {
		out, err := c2.GetItem(bg, &dynamodb.GetItemInput{TableName: aws.String("crash"), Key: key("p", sk), ConsistentRead: aws.Bool(true)})
		if err != nil {
			t.Fatal(err)
		}
		if out.Item == nil || out.Item["val"].(*types.AttributeValueMemberS).Value != val {
			missing++
		}
	}
	if missing > 0 {
		t.Fatalf("%d of %d acknowledged writes lost after kill -9", missing, len(acked))
	}
	// The index was written in the same batches as the items.
	q, err := c2.Query(bg, &dynamodb.QueryInput{TableName: aws.String("crash"), IndexName: aws.String("gsi"), Select: types.SelectCount,
		KeyConditionExpression: aws.String("g = :g"), ExpressionAttributeValues: map[string]types.AttributeValue{":g": s("g")}})
	if err != nil {
		t.Fatal(err)
	}
	base, err := c2.Scan(bg, &dynamodb.ScanInput{TableName: aws.String("crash"), Select: types.SelectCount})
	if err != nil {
		t.Fatal(err)
	}
	if q.Count != base.Count || int(base.Count) < len(acked) {
		t.Fatalf("after recovery: table %d items, index %d entries, %d acknowledged", base.Count, q.Count, len(acked))
	}
	t.Logf("%d acknowledged writes all present after kill -9", len(acked))
}
