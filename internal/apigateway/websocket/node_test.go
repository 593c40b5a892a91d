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
