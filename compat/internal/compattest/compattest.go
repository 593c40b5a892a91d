// Package compattest starts a compat app on an in-process Nimbus and gives
// its tests the clients a reader of the seed articles would use: HTTP to
// the REST API, WebSocket clients, the AWS SDK for Go pointed at the edge.
package compattest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/coder/websocket"

	"github.com/nimbus-dev/nimbus/internal/nimbus"
)

// RequireTool skips the test when the named program is not on PATH,
// naming the install step; under CI (CI=true) a missing tool fails it.
func RequireTool(t testing.TB, name, install string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required under CI: %v (%s)", name, err, install)
		}
		t.Skipf("needs %s: %s", name, install)
	}
	return path
}

// RequireNode skips (or, under CI, fails) without node and npm; Nimbus
// installs the AWS SDK for JavaScript v3 with npm on first use.
func RequireNode(t testing.TB) {
	t.Helper()
	RequireTool(t, "node", "install Node.js 20 or newer (apt-get install nodejs npm)")
	RequireTool(t, "npm", "install npm (apt-get install npm)")
}

// API is one entry of GET /_nimbus/apis.
type API struct {
	LogicalID string `json:"logicalId"`
	APIID     string `json:"apiId"`
	Name      string `json:"name"`
	Protocol  string `json:"protocol"`
	Stage     string `json:"stage"`
	URL       string `json:"url"`
}

// App is a running compat app.
type App struct {
	Server *nimbus.Server
	// Region is the region Nimbus runs in (functions' AWS_REGION).
	Region string
	// Edge is the edge URL (what AWS_ENDPOINT_URL is set to).
	Edge string
	// APIs by logical id.
	APIs map[string]API
}

// Start runs `nimbus up template` in process on port 0 with in-memory
// tables, in us-east-1, and stops it when the test ends.
func Start(t testing.TB, template string) *App {
	t.Helper()
	return StartIn(t, template, "us-east-1")
}

// StartIn is Start in another region (`nimbus up --region`), for code that
// names its region, as the articles' code does.
func StartIn(t testing.TB, template, region string) *App {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	logger := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv, err := nimbus.New(ctx, nimbus.Config{
		Template: template,
		Port:     0,
		InMemory: true,
		DataDir:  t.TempDir(),
		Region:   region,
		Version:  "compat-test",
		Logger:   logger,
	})
	if err != nil {
		t.Fatalf("nimbus up %s: %v", template, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	a := &App{Server: srv, Region: region, Edge: srv.URL(), APIs: map[string]API{}}
	var apis []API
	GetJSON(t, a.Edge+"/_nimbus/apis", &apis)
	for _, api := range apis {
		a.APIs[api.LogicalID] = api
	}
	return a
}

// API returns the API with the logical id, failing the test if the app has
// none.
func (a *App) API(t testing.TB, logicalID string) API {
	t.Helper()
	api, ok := a.APIs[logicalID]
	if !ok {
		t.Fatalf("no API %s among %+v", logicalID, a.APIs)
	}
	return api
}

// AWSConfig is an SDK configuration pointed at the edge with any
// credentials, as `aws configure` plus --endpoint-url would give.
func (a *App) AWSConfig() aws.Config {
	return aws.Config{
		Region:       a.Region,
		Credentials:  aws.NewCredentialsCache(credentials{}),
		BaseEndpoint: aws.String(a.Edge),
		HTTPClient:   http.DefaultClient,
	}
}

type credentials struct{}

func (credentials) Retrieve(context.Context) (aws.Credentials, error) {
	return aws.Credentials{AccessKeyID: "AKIDCOMPAT", SecretAccessKey: "compat", Source: "compattest"}, nil
}

// DynamoDB is a DynamoDB client for the edge.
func (a *App) DynamoDB() *dynamodb.Client { return dynamodb.NewFromConfig(a.AWSConfig()) }

// Lambda is a Lambda client for the edge.
func (a *App) Lambda() *lambda.Client { return lambda.NewFromConfig(a.AWSConfig()) }

// GetJSON decodes the JSON answer of a GET that must answer 200.
func GetJSON(t testing.TB, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: %v in %s", url, err, body)
	}
}

// Response is an HTTP answer read whole.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Do sends one request and reads the answer whole.
func Do(t testing.TB, method, url string, header http.Header, body string) Response {
	t.Helper()
	return do(t, http.DefaultClient, method, url, header, body)
}

// noRedirect shows a redirect instead of following it.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// DoNoRedirect is Do without following redirects, so a test sees the 3xx
// and its Location as a browser's network panel would.
func DoNoRedirect(t testing.TB, method, url string, header http.Header, body string) Response {
	t.Helper()
	return do(t, noRedirect, method, url, header, body)
}

func do(t testing.TB, client *http.Client, method, url string, header http.Header, body string) Response {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", method, url, err)
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// Pixel is the 1×1 PNG the compat apps serve and take as uploads.
var Pixel, _ = base64.StdEncoding.DecodeString("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")

// CheckBinaryResponse gets url once per Accept header in asBytes ("" sends
// none) and checks that a body the function base64-encodes (want, decoded)
// arrives as those bytes when asBytes says so, else as the base64 text, with
// a matching Content-Length; check sees every answer (status, headers).
func CheckBinaryResponse(t testing.TB, url string, want []byte, asBytes map[string]bool, check func(what string, res Response)) {
	t.Helper()
	for accept, binary := range asBytes {
		h := http.Header{}
		if accept != "" {
			h.Set("Accept", accept)
		}
		res := Do(t, http.MethodGet, url, h, "")
		body := want
		if !binary {
			body = []byte(base64.StdEncoding.EncodeToString(want))
		}
		check("GET "+url, res)
		if !bytes.Equal(res.Body, body) || res.Header.Get("Content-Length") != strconv.Itoa(len(body)) {
			t.Errorf("GET %s (Accept %q): %v %q, want %q", url, accept, res.Header, res.Body, body)
		}
	}
}

// WS is a WebSocket client whose frames are read in the background, as a
// browser's onmessage would receive them.
type WS struct {
	Conn   *websocket.Conn
	frames chan string
	done   chan struct{}
}

// DialWS connects to url; the connection closes when the test ends.
func DialWS(ctx context.Context, t testing.TB, url string) (*WS, *http.Response, error) {
	t.Helper()
	conn, resp, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		return nil, resp, err
	}
	w := &WS{Conn: conn, frames: make(chan string, 64), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		defer close(w.frames)
		for {
			_, msg, err := conn.Read(context.Background())
			if err != nil {
				return
			}
			w.frames <- string(msg)
		}
	}()
	t.Cleanup(func() {
		_ = conn.CloseNow()
		<-w.done
	})
	return w, resp, nil
}

// Send writes one text frame.
func (w *WS) Send(ctx context.Context, text string) error {
	return w.Conn.Write(ctx, websocket.MessageText, []byte(text))
}

// Next waits for the next frame.
func (w *WS) Next(timeout time.Duration) (string, error) {
	select {
	case f, ok := <-w.frames:
		if !ok {
			return "", fmt.Errorf("connection closed")
		}
		return f, nil
	case <-time.After(timeout):
		return "", fmt.Errorf("no frame within %s", timeout)
	}
}

// Close closes the connection normally and waits for the reader to stop.
func (w *WS) Close() {
	_ = w.Conn.Close(websocket.StatusNormalClosure, "bye")
	<-w.done
}

// Eventually polls cond until it holds or the timeout passes.
func Eventually(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
