package dynamodb_test

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"testing"

	ddb "github.com/nimbus-dev/nimbus/internal/dynamodb"
	"github.com/nimbus-dev/nimbus/internal/storage"
)

// crashServerEnv makes the test binary act as a DynamoDB server over a
// durable store in the named directory (see TestCrashDurability).
const crashServerEnv = "NIMBUS_DDB_CRASH_SERVER_DIR"

func TestMain(m *testing.M) {
	if dir := os.Getenv(crashServerEnv); dir != "" {
		runCrashServer(dir)
		return
	}
	os.Exit(m.Run())
}

// runCrashServer serves until killed, printing its address first.
func runCrashServer(dir string) {
	store, err := storage.Open(dir, storage.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	svc, err := ddb.New(store, ddb.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	fmt.Println(ln.Addr().String())
	http.Serve(ln, svc)
}
