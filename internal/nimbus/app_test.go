package nimbus

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/coder/websocket"
)

// requirePythonBoto3 skips outside CI when python3 with boto3 is missing.
func requirePythonBoto3(t *testing.T) {
	t.Helper()
	if err := exec.Command("python3", "-c", "import boto3").Run(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("python3 with boto3 is required under CI: %v", err)
		}
		t.Skip("needs python3 with boto3: apt-get install python3 && pip install boto3")
	}
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d", url, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

// TestTemplateAppEndToEnd runs a SAM template with a REST API, a WebSocket
// API, a table and Python functions, and drives it the way users do: HTTP
// to the REST API, the SDK against the edge, a WebSocket client whose
// function answers through the management API at https://{domainName}.
func TestTemplateAppEndToEnd(t *testing.T) {
	requirePythonBoto3(t)
	srv := startServer(t, Config{Template: "testdata/pyapp", DataDir: t.TempDir(), InMemory: true})

	var apis []apiView
	getJSON(t, srv.URL()+"/_nimbus/apis", &apis)
	byID := map[string]apiView{}
	for _, a := range apis {
		byID[a.LogicalID] = a
	}
	rest, ws := byID["ServerlessRestApi"], byID["Chat"]
	if rest.Protocol != "REST" || rest.Stage != "Prod" || !strings.HasSuffix(rest.URL, "/Prod") {
		t.Fatalf("REST API view = %+v", rest)
	}
	if ws.Protocol != "WEBSOCKET" || !strings.HasPrefix(ws.URL, "ws://") || !strings.HasSuffix(ws.URL, "/production") {
		t.Fatalf("WebSocket API view = %+v", ws)
	}

	var view appView
	getJSON(t, srv.URL()+"/_nimbus/app", &view)
	if got := view.Outputs["NotesUrl"]; got != rest.URL+"/notes" {
		t.Errorf("NotesUrl output = %q, want %q", got, rest.URL+"/notes")
	}
	if got := view.Outputs["ChatUrl"]; got != ws.URL {
		t.Errorf("ChatUrl output = %q, want %q", got, ws.URL)
	}

	// REST API → Python function → DynamoDB through AWS_ENDPOINT_URL.
	req, _ := http.NewRequest(http.MethodPut, rest.URL+"/notes/n1", strings.NewReader(`{"text":"hello"}`))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 201 || string(body) != `{"id": "n1"}` {
		t.Fatalf("PUT note: %d %s", resp.StatusCode, body)
	}

	// The SDK, pointed at the edge, sees the item the function wrote.
	ddb := dynamodb.New(dynamodb.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL()),
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
	out, err := ddb.GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName: aws.String("notes"),
		Key:       map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: "n1"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if text, ok := out.Item["text"].(*types.AttributeValueMemberS); !ok || text.Value != "hello" {
		t.Fatalf("item = %#v", out.Item)
	}

	// WebSocket route → Python function → management API at
	// https://{apiId}.execute-api.us-east-1.amazonaws.com/production.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, ws.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	if err := conn.Write(ctx, websocket.MessageText, []byte(`{"action":"echo","text":"hi"}`)); err != nil {
		t.Fatal(err)
	}
	_, msg, err := conn.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if string(msg) != "echo: hi" {
		t.Errorf("echo = %q", msg)
	}
}

// TestRESTEventKeepsClientHeaderSpelling sends header names in the case a
// Node or curl client might use: a REST API passes them to Lambda as sent.
func TestRESTEventKeepsClientHeaderSpelling(t *testing.T) {
	requirePythonBoto3(t)
	srv := startServer(t, Config{Template: "testdata/pyapp", DataDir: t.TempDir(), InMemory: true})
	var apis []apiView
	getJSON(t, srv.URL()+"/_nimbus/apis", &apis)
	var restURL string
	for _, a := range apis {
		if a.Protocol == "REST" {
			restURL = a.URL
		}
	}
	u, _ := url.Parse(restURL)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET %s/headers HTTP/1.1\r\nhost: %s\r\nx-lower-case: 1\r\nX-MIXED-case: 2\r\n\r\n", u.Path, u.Host)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`"x-lower-case"`, `"X-MIXED-case"`, `"host"`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("event header names %s lack %s", body, want)
		}
	}
}
