package reliability

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/coder/websocket"

	"github.com/nimbus-dev/nimbus/internal/lambda/environment"
	"github.com/nimbus-dev/nimbus/internal/nimbus"
)

// badCase is one file of the corpus (testdata/bad/README.md describes the
// format).
type badCase struct {
	path    string
	target  string
	status  int
	typ     string
	msg     string
	body    string
	hasBody bool
	// knownBug names a reported, unfixed bug that makes the case fail.
	knownBug string
	raw      []byte // the request, macros expanded, Host and Content-Length not yet set
}

var macro = regexp.MustCompile(`<<(repeat (\d+)\|(.*?)|bytes ([0-9a-fA-F ]+))>>`)

// expand replaces <<repeat N|text>> and <<bytes HEX>>.
func expand(s string) ([]byte, error) {
	var firstErr error
	out := macro.ReplaceAllStringFunc(s, func(m string) string {
		sub := macro.FindStringSubmatch(m)
		if sub[2] != "" {
			n, _ := strconv.Atoi(sub[2])
			return strings.Repeat(sub[3], n)
		}
		b, err := hex.DecodeString(strings.ReplaceAll(sub[4], " ", ""))
		if err != nil && firstErr == nil {
			firstErr = err
		}
		return string(b)
	})
	return []byte(out), firstErr
}

func loadBadCase(path string) (*badCase, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	head, req, ok := strings.Cut(string(b), "\n---\n")
	if !ok {
		return nil, fmt.Errorf("no --- line between the expectations and the request")
	}
	c := &badCase{path: path, target: "edge"}
	for _, line := range strings.Split(head, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("expectation %q is not key: value", line)
		}
		v = strings.TrimSpace(v)
		switch k {
		case "target":
			c.target = v
		case "status":
			if c.status, err = strconv.Atoi(v); err != nil {
				return nil, err
			}
		case "type":
			c.typ = v
		case "message":
			c.msg = v
		case "body":
			c.body, c.hasBody = v, true
		case "known-bug":
			c.knownBug = v
		default:
			return nil, fmt.Errorf("unknown expectation %q", k)
		}
	}
	if c.status == 0 {
		return nil, fmt.Errorf("no status")
	}
	req = strings.TrimSuffix(req, "\n")
	c.raw, err = expand(req)
	return c, err
}

// buildRequest adds Host and (unless given) Content-Length and converts
// the header block's line ends to CRLF.
func buildRequest(raw []byte, host string, vars map[string]string) []byte {
	for k, v := range vars {
		raw = bytes.ReplaceAll(raw, []byte("{"+k+"}"), []byte(v))
	}
	head, body, _ := bytes.Cut(raw, []byte("\n\n"))
	lines := strings.Split(strings.TrimRight(string(head), "\n"), "\n")
	hasLen, hasHost, chunked := false, false, false
	for _, l := range lines[1:] {
		name, _, _ := strings.Cut(strings.ToLower(l), ":")
		switch name {
		case "content-length":
			hasLen = true
		case "host":
			hasHost = true
		case "transfer-encoding":
			chunked = true
		}
	}
	if !hasHost {
		lines = append(lines, "Host: "+host)
	}
	if !hasLen && !chunked {
		lines = append(lines, "Content-Length: "+strconv.Itoa(len(body)))
	}
	lines = append(lines, "Connection: close")
	var out bytes.Buffer
	for _, l := range lines {
		out.WriteString(l + "\r\n")
	}
	out.WriteString("\r\n")
	out.Write(body)
	return out.Bytes()
}

// exchange sends req on a new connection and reads the response.
func exchange(addr string, req []byte) (*http.Response, []byte, error) {
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return nil, nil, err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(60 * time.Second))
	go func() { _, _ = c.Write(req) }()
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return nil, nil, err
	}
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

// errorType is the AWS error type a client reads from the response:
// x-amzn-ErrorType (up to ':'), else the body's __type (after '#'),
// errorType or Type.
func errorType(resp *http.Response, body []byte) string {
	if h := resp.Header.Get("X-Amzn-Errortype"); h != "" {
		t, _, _ := strings.Cut(h, ":")
		return t
	}
	var e struct {
		Type      string `json:"__type"`
		ErrorType string `json:"errorType"`
		T         string `json:"Type"`
	}
	_ = json.Unmarshal(body, &e)
	switch {
	case e.Type != "":
		return e.Type[strings.LastIndexByte(e.Type, '#')+1:]
	case e.ErrorType != "":
		return e.ErrorType
	}
	return e.T
}

// errorMessage is the message of an AWS error body (message, Message or
// errorMessage), else the body itself.
func errorMessage(body []byte) string {
	var e struct {
		M1 string `json:"message"`
		M2 string `json:"Message"`
		M3 string `json:"errorMessage"`
	}
	if json.Unmarshal(body, &e) == nil {
		if m := e.M1 + e.M2 + e.M3; m != "" {
			return m
		}
	}
	return string(body)
}

// TestBadInputCorpus sends every request of testdata/bad to the API it is
// written for and checks that the answer is AWS's error (status, type,
// message), never a 500 or a panic.
func TestBadInputCorpus(t *testing.T) {
	requireTool(t, "python3", "apt-get install python3")
	files, err := filepath.Glob(filepath.Join(repoRoot(t), "testdata", "bad", "*", "*.http"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus under testdata/bad: %v", err)
	}
	sort.Strings(files)
	var log syncBuffer
	srv, err := nimbus.New(context.Background(), nimbus.Config{Template: "testdata/app", DataDir: t.TempDir(), InMemory: true,
		Logger: slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		if strings.Contains(strings.ToLower(log.String()), "panic") {
			t.Errorf("the server log mentions a panic:\n%s", tail(log.String(), 6000))
		}
	}()
	a := appURLs(t, srv.URL())
	vars := badFixtures(t, srv.URL(), a)
	addrs := map[string]string{"edge": hostOf(t, a.edge), "rest": hostOf(t, a.rest), "http": hostOf(t, a.http), "ws": hostOf(t, a.ws)}

	counts := map[string]int{}
	for _, f := range files {
		rel, _ := filepath.Rel(filepath.Join(repoRoot(t), "testdata", "bad"), f)
		t.Run(strings.TrimSuffix(rel, ".http"), func(t *testing.T) {
			c, err := loadBadCase(f)
			if err != nil {
				t.Fatalf("%s: %v", rel, err)
			}
			var resp *http.Response
			var body []byte
			if c.target == "runtime" {
				resp, body, err = runtimeExchange(t, c, vars)
			} else {
				addr, ok := addrs[c.target]
				if !ok {
					t.Fatalf("unknown target %q", c.target)
				}
				resp, body, err = exchange(addr, buildRequest(c.raw, addr, vars))
			}
			if err != nil {
				t.Fatalf("no answer: %v", err)
			}
			got := errorType(resp, body)
			if resp.StatusCode >= 500 && c.status < 500 {
				t.Errorf("server error %d %s: %s", resp.StatusCode, got, tail(string(body), 300))
				return
			}
			if resp.StatusCode != c.status || (c.typ != "" && got != c.typ) ||
				(c.msg != "" && !strings.Contains(errorMessage(body), c.msg)) ||
				(c.hasBody && strings.TrimSpace(string(body)) != c.body) {
				format, args := "got %d %q %s\nwant %d %q message containing %q body %q", []any{resp.StatusCode, got, tail(string(body), 400), c.status, c.typ, c.msg, c.body}
				if c.knownBug != "" {
					expectFixed(t, c.knownBug, false, format, args...)
				} else {
					t.Errorf(format, args...)
				}
			}
			counts[strings.Split(rel, string(filepath.Separator))[0]]++
		})
	}
	t.Logf("bad inputs per API: %v (%d in all)", counts, len(files))
}

// badFixtures creates what the corpus refers to: tables, a live WebSocket
// connection ({connectionId}).
func badFixtures(t *testing.T, edge string, a apps) map[string]string {
	t.Helper()
	c := ddbClient(edge)
	ks := func(n string, kt types.KeyType) types.KeySchemaElement {
		return types.KeySchemaElement{AttributeName: aws.String(n), KeyType: kt}
	}
	_, err := c.CreateTable(bg, &dynamodb.CreateTableInput{
		TableName:   aws.String("bad_input"),
		BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: "S"}, {AttributeName: aws.String("sk"), AttributeType: "S"}},
		KeySchema: []types.KeySchemaElement{ks("pk", "HASH"), ks("sk", "RANGE")},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, a.ws, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.CloseNow() })
	if err := conn.Write(ctx, websocket.MessageText, []byte(`{"action":"whoami"}`)); err != nil {
		t.Fatal(err)
	}
	var me struct{ Me string }
	readJSON(ctx, t, conn, &me)
	return map[string]string{"connectionId": me.Me}
}

// runtimeExchange starts an execution environment whose runtime is this
// test, takes an invocation ({requestId}) and sends the case's request to
// its Runtime API.
func runtimeExchange(t *testing.T, c *badCase, vars map[string]string) (*http.Response, []byte, error) {
	dir := t.TempDir()
	addrFile := filepath.Join(dir, "addr")
	cfg := environment.Config{
		FunctionName: "bad",
		Command:      []string{"/bin/sh", "-c", `echo "$AWS_LAMBDA_RUNTIME_API" > "$ADDR_FILE"; exec sleep 60`},
		Dir:          dir,
		Env:          []string{"ADDR_FILE=" + addrFile, "PATH=" + os.Getenv("PATH")},
		Timeout:      30 * time.Second,
		InitTimeout:  10 * time.Second,
		MemoryMB:     128,
		Logger:       slog.New(slog.DiscardHandler),
	}
	addrCh := make(chan string, 1)
	go func() {
		for range 1000 {
			if b, err := os.ReadFile(addrFile); err == nil && bytes.HasSuffix(b, []byte("\n")) {
				addrCh <- strings.TrimSpace(string(b))
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	started := make(chan *environment.Env, 1)
	go func() {
		env, err := environment.Start(context.Background(), cfg, "")
		if err != nil {
			t.Error(err)
		}
		started <- env
	}()
	addr := <-addrCh
	next := make(chan *http.Response, 1)
	go func() {
		resp, err := http.Get("http://" + addr + "/2018-06-01/runtime/invocation/next")
		if err != nil {
			t.Error(err)
		}
		next <- resp
	}()
	env := <-started
	if env == nil {
		return nil, nil, fmt.Errorf("environment did not start")
	}
	defer env.Stop()
	go env.Invoke(&environment.Invocation{RequestID: "bad-request-1", Payload: []byte(`{}`)})
	resp := <-next
	if resp == nil {
		return nil, nil, fmt.Errorf("no invocation")
	}
	resp.Body.Close()
	v := map[string]string{"requestId": resp.Header.Get("Lambda-Runtime-Aws-Request-Id")}
	for k, val := range vars {
		v[k] = val
	}
	return exchange(addr, buildRequest(c.raw, addr, v))
}
