package websocket

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/coder/websocket"
)

// goldenEvent loads one of the real API Gateway events shipped with
// aws-lambda-go.
func goldenEvent(t *testing.T, name string) map[string]any {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/aws/aws-lambda-go").Output()
	if err != nil {
		t.Skipf("locating aws-lambda-go's module (run go mod download): %v", err)
	}
	b, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "events", "testdata", name))
	if err != nil {
		t.Skipf("golden event %s: %v (run go mod download)", name, err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// shape lists an event's keys, descending into requestContext and
// identity.
func shape(m map[string]any) []string {
	var keys []string
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		for k, v := range m {
			keys = append(keys, prefix+k)
			if sub, ok := v.(map[string]any); ok && (k == "requestContext" || k == "identity") {
				walk(prefix+k+".", sub)
			}
		}
	}
	walk("", m)
	slices.Sort(keys)
	return keys
}

// TestEventsMatchAWSGoldenShapes compares the MESSAGE and DISCONNECT events
// with real ones captured from API Gateway: same fields, no more, no less.
func TestEventsMatchAWSGoldenShapes(t *testing.T) {
	rec := newRecorder()
	inv := &funcInvoker{}
	inv.set("connect", rec.wrap(nil))
	inv.set("default", rec.wrap(nil))
	inv.set("disconnect", rec.wrap(nil))
	e := newEnv(t, chatAPI(), inv, Options{})
	c := e.dial("", nil)
	sendText(t, c, "{\r\n\t\"a\": 1\r\n}")
	message := rec.next(t, "$default")
	_ = c.Close(websocket.StatusGoingAway, "")
	disconnect := rec.next(t, "$disconnect")

	for _, tc := range []struct {
		golden string
		got    recorded
	}{
		{"apigw-websocket-request-send-message.json", message},
		{"apigw-websocket-request-disconnect.json", disconnect},
	} {
		want := shape(goldenEvent(t, tc.golden))
		var m map[string]any
		if err := json.Unmarshal(tc.got.raw, &m); err != nil {
			t.Fatal(err)
		}
		if got := shape(m); !slices.Equal(got, want) {
			t.Errorf("%s:\n got  %v\n want %v", tc.golden, got, want)
		}
	}
	if disconnect.ev.RequestContext.DisconnectStatusCode != 1001 || *disconnect.ev.RequestContext.DisconnectReason != "" {
		t.Errorf("tab-close $disconnect: %d %q", disconnect.ev.RequestContext.DisconnectStatusCode, *disconnect.ev.RequestContext.DisconnectReason)
	}
}
