package dynamodb_test

import (
	"context"
	"log/slog"
	"os"
	"os/exec"
	"testing"
	"time"

	ddb "github.com/nimbus-dev/nimbus/internal/dynamodb"
	"github.com/nimbus-dev/nimbus/internal/lambda/build"
)

// TestJavaScriptSDKSuite runs testdata/jssdk_suite.cjs with the AWS SDK for
// JavaScript v3 (installed on first use into Nimbus's shared SDK cache), so
// the client the seed applications use checks the protocol too.
func TestJavaScriptSDKSuite(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("node is required under CI: %v", err)
		}
		t.Skip("node not found; install Node.js (apt-get install nodejs npm) to run the JavaScript SDK suite")
	}
	sdk := build.NewNodeSDK("", slog.New(slog.DiscardHandler))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	pkgs := []string{"@aws-sdk/client-dynamodb", "@aws-sdk/lib-dynamodb"}
	if err := sdk.Ensure(ctx, "dynamodb-tests", sdk.Missing(pkgs, nil)); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("installing %v: %v", pkgs, err)
		}
		t.Skipf("cannot install %v (npm needed): %v", pkgs, err)
	}
	srv := startServer(t, ddb.Options{})
	cmd := exec.CommandContext(ctx, node, "testdata/jssdk_suite.cjs", srv.url)
	cmd.Env = append(os.Environ(), "NODE_PATH="+sdk.NodeModules(), "NODE_NO_WARNINGS=1")
	out, err := cmd.CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("JavaScript SDK suite failed: %v", err)
	}
}
