package nimbus

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// copyDir copies a fixture app so a test can edit it.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if info.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// eventually retries check until it succeeds or the time is up.
func eventually(t *testing.T, what string, check func() error) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v", what, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

type statusError struct {
	status int
	body   string
}

func (e *statusError) Error() string { return http.StatusText(e.status) + ": " + e.body }

func call(method, url, body string) (int, string, error) {
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), nil
}

func echo(ctx context.Context, t *testing.T, conn *websocket.Conn, text string) string {
	t.Helper()
	if err := conn.Write(ctx, websocket.MessageText, []byte(`{"action":"echo","text":"`+text+`"}`)); err != nil {
		t.Fatal(err)
	}
	_, msg, err := conn.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return string(msg)
}

// TestReloadKeepsDataAndConnections edits the template and the code of a
// running app: the new route appears, the table keeps its items, the open
// WebSocket connection of the unchanged API stays open, and changed code
// is picked up by the next invocation.
func TestReloadKeepsDataAndConnections(t *testing.T) {
	requirePythonBoto3(t)
	dir := copyDir(t, "testdata/pyapp")
	srv := startServer(t, Config{Template: dir, DataDir: t.TempDir(), InMemory: true})
	var apis []apiView
	getJSON(t, srv.URL()+"/_nimbus/apis", &apis)
	var restURL, wsURL string
	for _, a := range apis {
		switch a.Protocol {
		case "REST":
			restURL = a.URL
		case "WEBSOCKET":
			wsURL = a.URL
		}
	}
	if status, body, err := call("PUT", restURL+"/notes/keep", `{"text":"kept"}`); err != nil || status != 201 {
		t.Fatalf("PUT: %d %s %v", status, body, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, wsURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	if got := echo(ctx, t, conn, "before"); got != "echo: before" {
		t.Fatalf("echo = %q", got)
	}

	// Add a GET route backed by a new function.
	tmplPath := filepath.Join(dir, "template.yaml")
	tmpl, _ := os.ReadFile(tmplPath)
	getNote := `
  GetNote:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.get_note
      Events:
        Get:
          Type: Api
          Properties:
            Path: /notes/{id}
            Method: get
`
	edited := strings.Replace(string(tmpl), "\n  Echo:\n", getNote+"\n  Echo:\n", 1)
	code, _ := os.ReadFile(filepath.Join(dir, "src", "app.py"))
	code = append(code, []byte(`

def get_note(event, context):
    item = dynamodb.get_item(TableName=os.environ["NOTES_TABLE"], Key={"id": {"S": event["pathParameters"]["id"]}})["Item"]
    return {"statusCode": 200, "body": item["text"]["S"]}
`)...)
	if err := os.WriteFile(filepath.Join(dir, "src", "app.py"), code, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tmplPath, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	eventually(t, "new route serves the item written before the reload", func() error {
		status, body, err := call("GET", restURL+"/notes/keep", "")
		if err != nil {
			return err
		}
		if status != 200 || body != "kept" {
			return &statusError{status, body}
		}
		return nil
	})
	if got := echo(ctx, t, conn, "after"); got != "echo: after" {
		t.Errorf("after reload, echo on the connection opened before = %q", got)
	}

	// A code change alone recycles the function.
	code = []byte(strings.Replace(string(code), `"echo: "`, `"echo v2: "`, 1))
	if err := os.WriteFile(filepath.Join(dir, "src", "app.py"), code, 0o644); err != nil {
		t.Fatal(err)
	}
	eventually(t, "changed code answers", func() error {
		if got := echo(ctx, t, conn, "x"); got != "echo v2: x" {
			return &statusError{0, got}
		}
		return nil
	})
}
