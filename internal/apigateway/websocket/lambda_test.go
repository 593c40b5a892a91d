package websocket

import (
	"context"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/nimbus-dev/nimbus/internal/app"
	"github.com/nimbus-dev/nimbus/internal/invoke"
	"github.com/nimbus-dev/nimbus/internal/lambda"
)

// deferredInvoker lets a test create the gateway (and learn its URL) before
// the Lambda service that needs the URL in its functions' environment.
type deferredInvoker struct{ invoke.Invoker }

// lambdaEnv serves api with fns run by the real Lambda service; the
// functions reach the management API through AWS_ENDPOINT_URL (the test
// listener, where the edge's /@connections handler is mounted), as Nimbus
// configures them.
func lambdaEnv(t testing.TB, api *app.API, fns []*app.Function) *env {
	t.Helper()
	inv := &deferredInvoker{}
	e := newEnv(t, api, inv, Options{})
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	svc, err := lambda.New(lambda.Options{
		Logger:      slog.New(slog.DiscardHandler),
		DataDir:     filepath.Join(cache, "nimbus-test", "websocket-lambda"),
		Environment: map[string]string{"AWS_ENDPOINT_URL": e.url},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = svc.Shutdown(ctx)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := svc.Apply(ctx, fns, nil); err != nil {
		t.Fatal(err)
	}
	inv.Invoker = svc
	return e
}

// requireTool skips without tool (naming the install step), or fails under
// CI.
func requireTool(t testing.TB, tool, install string) {
	t.Helper()
	if _, err := exec.LookPath(tool); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required under CI: %v", tool, err)
		}
		t.Skipf("%s not found: %s", tool, install)
	}
}

// seed003 serves seed 003's API with the Go handlers of testdata/chatfn,
// routes mapping route keys to handler names. It returns the environment
// and the connections "table" folder.
func seed003(t testing.TB, routes map[string]string) (*env, string) {
	t.Helper()
	requireTool(t, "go", "building Go Lambda handlers needs the Go toolchain (go.dev/dl)")
	src, err := filepath.Abs("testdata/chatfn")
	if err != nil {
		t.Fatal(err)
	}
	store := filepath.Join(t.TempDir(), "connections")
	if err := os.Mkdir(store, 0o755); err != nil {
		t.Fatal(err)
	}
	api := chatAPI()
	api.Routes = nil
	var fns []*app.Function
	for key, handler := range routes {
		name := "chat-" + handler
		api.Routes = append(api.Routes, &app.Route{RouteKey: key, Integration: proxy(name)})
		fns = append(fns, &app.Function{
			Name:        name,
			Runtime:     "provided.al2023",
			Handler:     handler,
			CodeDir:     src,
			BuildMethod: "go1.x",
			Timeout:     10 * time.Second,
			MemorySize:  128,
			Environment: map[string]string{"STORE_DIR": store},
		})
	}
	return lambdaEnv(t, api, fns), store
}

func storeSize(store string) int {
	entries, _ := os.ReadDir(store)
	return len(entries)
}

// TestSeed003SendMessageWithGoLambdas is seed 003 end to end: three
// clients connect, one sends {"action":"send-message"}, everyone else gets
// the message; a non-route message gets the $default handler's reply built
// from GetConnection; a closing client leaves the table through
// $disconnect.
func TestSeed003SendMessageWithGoLambdas(t *testing.T) {
	t.Parallel()
	e, store := seed003(t, map[string]string{
		"$connect":     "connect",
		"$disconnect":  "disconnect",
		"$default":     "default",
		"send-message": "send",
	})
	a, b, c := e.dial("", nil), e.dial("", nil), e.dial("", nil)
	waitFor(t, func() bool { return storeSize(store) == 3 })

	sendText(t, a, `{"action": "send-message", "message": "hello, everyone!"}`)
	for i, peer := range []*websocket.Conn{b, c} {
		if got := readText(t, peer); got != "hello, everyone!" {
			t.Errorf("peer %d got %q", i, got)
		}
	}
	sendText(t, a, "what can I do?")
	got := readText(t, a)
	if !strings.HasPrefix(got, "Use the send-message route to send a message. Your info: {") || !strings.Contains(got, `"sourceIp":"127.0.0.1"`) {
		t.Errorf("sender's next message is %q (the broadcast must skip the sender)", got)
	}

	_ = c.Close(websocket.StatusNormalClosure, "")
	waitFor(t, func() bool { return storeSize(store) == 2 })
	sendText(t, b, `{"action": "send-message", "message": "still here?"}`)
	if got := readText(t, a); got != "still here?" {
		t.Errorf("after a disconnect, a got %q", got)
	}
}

// nodeHandler is a Node.js handler in the style of seeds 000 and 004: the
// AWS SDK for JavaScript v3 management client (here configured through
// AWS_ENDPOINT_URL) answers the sender with what GetConnection says, and
// reports the error a stale connection id gets.
const nodeHandler = `
import { ApiGatewayManagementApiClient, GetConnectionCommand, PostToConnectionCommand } from "@aws-sdk/client-apigatewaymanagementapi";
const client = new ApiGatewayManagementApiClient({});
export const handler = async (event) => {
  const ConnectionId = event.requestContext.connectionId;
  const info = await client.send(new GetConnectionCommand({ ConnectionId }));
  let stale = "no error";
  try {
    await client.send(new PostToConnectionCommand({ ConnectionId: "H111mc0HywMCEEf=", Data: "x" }));
  } catch (e) {
    stale = e.name + " " + e.$metadata.httpStatusCode;
  }
  const reply = { body: JSON.parse(event.body), sourceIp: info.Identity.SourceIp, connectedAt: info.ConnectedAt instanceof Date, stale };
  await client.send(new PostToConnectionCommand({ ConnectionId, Data: JSON.stringify(reply) }));
  return { statusCode: 200 };
};
`

// TestNodeLambdaWithJavaScriptSDK runs a Node.js handler with the AWS SDK
// for JavaScript v3, the SDK seeds 000 and 004 use.
func TestNodeLambdaWithJavaScriptSDK(t *testing.T) {
	t.Parallel()
	requireTool(t, "node", "install Node.js 20 or newer to run the JavaScript SDK test")
	requireTool(t, "npm", "install npm (with Node.js) to run the JavaScript SDK test")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "index.mjs"), []byte(nodeHandler), 0o644); err != nil {
		t.Fatal(err)
	}
	api := chatAPI()
	api.Routes = []*app.Route{{RouteKey: "$default", Integration: proxy("node-default")}}
	e := lambdaEnv(t, api, []*app.Function{{
		Name: "node-default", Runtime: "nodejs20.x", Handler: "index.handler", CodeDir: dir,
		Timeout: 10 * time.Second, MemorySize: 256,
	}})
	c := e.dial("", nil)
	sendText(t, c, `{"hello":"node"}`)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	_, data, err := c.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"body":{"hello":"node"},"sourceIp":"127.0.0.1","connectedAt":true,"stale":"GoneException 410"}`
	if string(data) != want {
		t.Errorf("node handler replied %s, want %s", data, want)
	}
}
