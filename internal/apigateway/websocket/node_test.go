package websocket

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// wsPackage is the npm WebSocket client the cross-language test uses, at a
// pinned version.
const wsPackage = "ws@8.23.0"

// nodeWS installs the ws package into a cached folder and returns the
// folder holding node_modules. Without node or npm the test is skipped
// with the install step, unless CI=true.
func nodeWS(t *testing.T) string {
	t.Helper()
	need := func(tool string) {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is required under CI: %v", tool, err)
			}
			t.Skipf("%s not found: install Node.js 18+ (with npm) to run the cross-language WebSocket test", tool)
		}
	}
	need("node")
	need("npm")
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "nimbus-test", strings.ReplaceAll(wsPackage, "@", "-"))
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "ws", "package.json")); err == nil {
		return dir
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "npm", "install", "--no-audit", "--no-fund", "--no-save", "--prefix", dir, wsPackage)
	if out, err := cmd.CombinedOutput(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("npm install %s: %v\n%s", wsPackage, err, out)
		}
		t.Skipf("npm install %s failed (offline?): run `npm install --prefix %s %s` to enable this test: %v", wsPackage, dir, wsPackage, err)
	}
	return dir
}

// nodeClient connects with a query string, sends a send-message action,
// prints the broadcast it receives and closes with 1000.
const nodeClient = `
const WebSocket = require(require('path').join(process.env.WS_DIR, 'node_modules', 'ws'));
const ws = new WebSocket(process.argv[2]);
const timer = setTimeout(() => { console.error('timeout'); process.exit(2); }, 10000);
ws.on('open', () => ws.send(JSON.stringify({action: 'send-message', data: {message: 'hello from node'}})));
ws.on('message', (data, isBinary) => {
  console.log('got ' + (isBinary ? 'binary ' : '') + data.toString());
  ws.close(1000, 'node done');
});
ws.on('close', (code) => { clearTimeout(timer); console.log('closed ' + code); });
ws.on('error', (err) => { console.error(err.message); process.exit(1); });
`

func TestNodeWSClientCrossLanguage(t *testing.T) {
	t.Parallel()
	dir := nodeWS(t)
	e, table, disconnected := roomChat(t)
	goClient := e.dial("?roomId=mixed", nil)
	waitFor(t, func() bool { return len(table.members("mixed")) == 1 })

	script := filepath.Join(t.TempDir(), "client.js")
	if err := os.WriteFile(script, []byte(nodeClient), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", script, e.wsURL("?roomId=mixed"))
	cmd.Env = append(os.Environ(), "WS_DIR="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node client: %v\n%s", err, out)
	}
	want := `got {"message":{"message":"hello from node","type":"message"}}`
	if !strings.Contains(string(out), want) || !strings.Contains(string(out), "closed 1000") {
		t.Errorf("node client output:\n%s", out)
	}
	if got := readText(t, goClient); got != strings.TrimPrefix(want, "got ") {
		t.Errorf("Go client in the same room got %s", got)
	}
	select {
	case <-disconnected:
	case <-time.After(5 * time.Second):
		t.Fatal("no $disconnect for the node client")
	}
}

// botoScript drives the management API with boto3: GetConnection,
// PostToConnection, DeleteConnection, then the GoneException after it.
const botoScript = `
import sys, boto3
from botocore.config import Config
c = boto3.client('apigatewaymanagementapi', endpoint_url=sys.argv[1], region_name='us-east-1',
                 aws_access_key_id='AKIDNIMBUS', aws_secret_access_key='secret',
                 config=Config(retries={'max_attempts': 1}))
cid = sys.argv[2]
info = c.get_connection(ConnectionId=cid)
print('sourceIp', info['Identity']['SourceIp'], 'connectedAt', type(info['ConnectedAt']).__name__)
c.post_to_connection(ConnectionId=cid, Data=b'from boto3')
c.delete_connection(ConnectionId=cid)
try:
    c.post_to_connection(ConnectionId=cid, Data=b'late')
    print('no error')
except c.exceptions.GoneException as e:
    print('gone', e.response['ResponseMetadata']['HTTPStatusCode'])
try:
    c.post_to_connection(ConnectionId=cid, Data=b'x' * (128 * 1024 + 1))
except c.exceptions.PayloadTooLargeException as e:
    print('too large', e.response['ResponseMetadata']['HTTPStatusCode'])
`

// TestBoto3ManagementClient checks the management API's wire format with
// Python's SDK (botocore parses errors its own way).
func TestBoto3ManagementClient(t *testing.T) {
	t.Parallel()
	if err := exec.Command("python3", "-c", "import boto3").Run(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("python3 with boto3 is required under CI: %v", err)
		}
		t.Skip("python3 with boto3 not found: pip install boto3 to run this test")
	}
	rec := newRecorder()
	inv := &funcInvoker{}
	inv.set("connect", rec.wrap(nil))
	inv.set("disconnect", rec.wrap(nil))
	e := newEnv(t, chatAPI(), inv, Options{})
	c := e.dial("", nil)
	id := rec.next(t, "$connect").ev.RequestContext.ConnectionID
	received := make(chan string, 1)
	go func() {
		// Keep reading so the close handshake of DeleteConnection completes.
		for {
			_, data, err := c.Read(context.Background())
			if err != nil {
				return
			}
			received <- string(data)
		}
	}()
	script := filepath.Join(t.TempDir(), "mgmt.py")
	if err := os.WriteFile(script, []byte(botoScript), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("python3", script, e.url+"/production", id)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("boto3: %v\n%s%s", err, out, stderr.String())
	}
	want := "sourceIp 127.0.0.1 connectedAt datetime\ngone 410\ntoo large 413\n"
	if string(out) != want {
		t.Errorf("boto3 output:\n%s\nwant:\n%s", out, want)
	}
	if got := <-received; got != "from boto3" {
		t.Errorf("client received %q", got)
	}
	if rc := rec.next(t, "$disconnect").ev.RequestContext; rc.DisconnectStatusCode != 1000 {
		t.Errorf("$disconnect %d", rc.DisconnectStatusCode)
	}
}
