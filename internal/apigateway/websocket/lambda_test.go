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

// seed003 serves seed 003's API with the Go handlers of testdata/chatfn
// run by the real Lambda service; the functions reach the management API
// through AWS_ENDPOINT_URL, as Nimbus configures them. It returns the
// environment and the connections "table" folder.
func seed003(t testing.TB, routes map[string]string) (*env, string) {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("the Go toolchain is required under CI")
		}
		t.Skip("building Go Lambda handlers needs the Go toolchain (go.dev/dl)")
	}
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
	return e, store
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
