package dynamodb_test

import (
	"os"
	"os/exec"
	"testing"

	ddb "github.com/nimbus-dev/nimbus/internal/dynamodb"
)

// TestBoto3Suite runs testdata/boto3_suite.py against a real server, so a
// second SDK (botocore's JSON parser, CRC32 check and waiters) exercises
// the protocol.
func TestBoto3Suite(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err == nil {
		err = exec.Command(py, "-c", "import boto3").Run()
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("python3 with boto3 is required under CI: %v", err)
		}
		t.Skip("python3 with boto3 not found; install with: apt-get install python3-boto3 (or pip install boto3)")
	}
	srv := startServer(t, ddb.Options{})
	out, err := exec.Command(py, "testdata/boto3_suite.py", srv.url).CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("boto3 suite failed: %v", err)
	}
}
