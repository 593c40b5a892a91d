package lambda

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/nimbus-dev/nimbus/internal/app"
)

const nodeInstall = "install Node.js 20 or newer (apt-get install nodejs npm, or nodejs.org)"

var nodeHandlers = map[string]string{
	"cjs.js": `
const os = require('os');
exports.handler = async (event, context) => {
  console.log('event', JSON.stringify(event));
  console.log('multi\nline');
  return {
    event,
    requestId: context.awsRequestId,
    arn: context.invokedFunctionArn,
    name: context.functionName,
    version: context.functionVersion,
    memory: context.memoryLimitInMB,
    group: context.logGroupName,
    remaining: context.getRemainingTimeInMillis(),
    waits: context.callbackWaitsForEmptyEventLoop,
    trace: process.env._X_AMZN_TRACE_ID,
    custom: context.clientContext && context.clientContext.custom,
  };
};
exports.nested = { deep: { fn: async () => 'nested' } };
exports.notFunction = 42;
`,
	"callback.js": `
exports.handler = (event, context, callback) => {
  if (event.noWait) context.callbackWaitsForEmptyEventLoop = false;
  setTimeout(() => console.log('timer fired'), 200);
  callback(null, 'done');
};
exports.legacy = (event, context) => { context.succeed('legacy'); };
`,
	"errors.js": `
class ValidationError extends Error { constructor(m) { super(m); this.name = 'ValidationError'; } }
exports.thrown = async () => { throw new ValidationError('bad input'); };
exports.callbackString = (e, c, cb) => cb('plain failure');
exports.rejection = async () => { Promise.reject(new Error('nobody listens')); await new Promise((r) => setTimeout(r, 100)); return 'late'; };
exports.circular = async () => { const o = {}; o.o = o; return o; };
`,
	"esm/index.mjs": `
import { createHash } from 'node:crypto';
export const handler = async (event) => ({ esm: true, hash: createHash('sha1').update('x').digest('hex').slice(0, 6), event });
`,
	"typed/package.json": `{"type":"module"}`,
	"typed/app.js":       `export async function handler(event) { return { module: typeof require === 'undefined' ? 'esm' : 'cjs' }; }`,
	"syntax.js":          `exports.handler = async () => { return {; };`,
	"tls.js": `
const https = require('https');
exports.handler = async (event) => new Promise((resolve, reject) => {
  https.get(event.url, (res) => {
    let body = '';
    res.on('data', (c) => body += c);
    res.on('end', () => resolve({ status: res.statusCode, body }));
  }).on('error', (e) => reject(e));
});
`,
	"plain.js": `
const http = require('http');
exports.handler = async (event) => {
  const viaHTTP = await new Promise((resolve, reject) => {
    http.get(event.url, (res) => {
      let body = '';
      res.on('data', (c) => body += c);
      res.on('end', () => resolve(body));
    }).on('error', (e) => reject(e));
  });
  const viaFetch = await (await fetch(event.url)).text();
  return { viaHTTP, viaFetch };
};
`,
}

func nodeFunction(name, dir, handler string) *app.Function {
	return &app.Function{Name: name, Runtime: "nodejs20.x", Handler: handler, CodeDir: dir, Timeout: 5 * time.Second, MemorySize: 512}
}

func TestNodeRuntime(t *testing.T) {
	requireTool(t, "node", nodeInstall)
	dir := writeFiles(t, nodeHandlers)
	h := newHarness(t, Options{})
	fns := []*app.Function{
		nodeFunction("cjs", dir, "cjs.handler"),
		nodeFunction("nested", dir, "cjs.nested.deep.fn"),
		nodeFunction("callback", dir, "callback.handler"),
		nodeFunction("legacy", dir, "callback.legacy"),
		nodeFunction("thrown", dir, "errors.thrown"),
		nodeFunction("cbstring", dir, "errors.callbackString"),
		nodeFunction("rejection", dir, "errors.rejection"),
		nodeFunction("circular", dir, "errors.circular"),
		nodeFunction("esm", dir, "esm/index.handler"),
		nodeFunction("typed", dir, "typed/app.handler"),
		nodeFunction("missing", dir, "missing.handler"),
		nodeFunction("notexported", dir, "cjs.nothere"),
		nodeFunction("notfunction", dir, "cjs.notFunction"),
		nodeFunction("syntax", dir, "syntax.handler"),
	}
	if err := h.svc.Apply(context.Background(), fns, nil); err != nil {
		t.Fatal(err)
	}
	tail := func(in *sdk.InvokeInput) { in.LogType = types.LogTypeTail }

	t.Run("async CommonJS handler and context", func(t *testing.T) {
		cc := base64.StdEncoding.EncodeToString([]byte(`{"custom":{"k":"v"}}`))
		out := invokeJSON(t, h, "cjs", `{"hello":"world"}`, tail, func(in *sdk.InvokeInput) { in.ClientContext = aws.String(cc) })
		var got map[string]any
		if err := json.Unmarshal(out.Payload, &got); err != nil {
			t.Fatalf("%s: %v", out.Payload, err)
		}
		if got["name"] != "cjs" || got["version"] != "$LATEST" || got["memory"] != "512" || got["group"] != "/aws/lambda/cjs" || got["waits"] != true {
			t.Errorf("context: %s", out.Payload)
		}
		if r, _ := got["remaining"].(float64); r < 4000 || r > 5000 {
			t.Errorf("remaining %v", got["remaining"])
		}
		if !strings.HasPrefix(got["trace"].(string), "Root=1-") || !strings.Contains(string(out.Payload), `"custom":{"k":"v"}`) {
			t.Errorf("trace/client context: %s", out.Payload)
		}
		logs, _ := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
		if !strings.Contains(string(logs), "\t"+got["requestId"].(string)+"\tINFO\tevent {\"hello\":\"world\"}") {
			t.Errorf("console format:\n%s", logs)
		}
		if !strings.Contains(string(logs), "INFO\tmulti\rline") {
			t.Errorf("multi-line record:\n%q", logs)
		}
	})

	t.Run("nested handler path", func(t *testing.T) {
		if out := invokeJSON(t, h, "nested", `{}`); string(out.Payload) != `"nested"` {
			t.Errorf("got %s", out.Payload)
		}
	})

	t.Run("callback waits for the event loop", func(t *testing.T) {
		out := invokeJSON(t, h, "callback", `{}`, tail)
		logs, _ := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
		if string(out.Payload) != `"done"` || !strings.Contains(string(logs), "timer fired") {
			t.Errorf("got %s, logs:\n%s", out.Payload, logs)
		}
		out = invokeJSON(t, h, "callback", `{"noWait":true}`, tail)
		logs, _ = base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
		if string(out.Payload) != `"done"` || strings.Contains(string(logs), "timer fired") {
			t.Errorf("noWait: got %s, logs:\n%s", out.Payload, logs)
		}
		if out := invokeJSON(t, h, "legacy", `{}`); string(out.Payload) != `"legacy"` {
			t.Errorf("context.succeed: %s", out.Payload)
		}
	})

	t.Run("ES modules", func(t *testing.T) {
		out := invokeJSON(t, h, "esm", `{"n":1}`)
		if string(out.Payload) != `{"esm":true,"hash":"11f6ad","event":{"n":1}}` {
			t.Errorf("mjs: %s", out.Payload)
		}
		if out := invokeJSON(t, h, "typed", `{}`); string(out.Payload) != `{"module":"esm"}` {
			t.Errorf(`"type": "module": %s`, out.Payload)
		}
	})

	errorOf := func(t *testing.T, out *sdk.InvokeOutput) (typ, msg string, trace []string) {
		t.Helper()
		if aws.ToString(out.FunctionError) != "Unhandled" {
			t.Errorf("function error %q for %s", aws.ToString(out.FunctionError), out.Payload)
		}
		var e struct {
			ErrorType    string   `json:"errorType"`
			ErrorMessage string   `json:"errorMessage"`
			Trace        []string `json:"trace"`
		}
		if err := json.Unmarshal(out.Payload, &e); err != nil {
			t.Fatalf("%s: %v", out.Payload, err)
		}
		return e.ErrorType, e.ErrorMessage, e.Trace
	}

	t.Run("errors", func(t *testing.T) {
		thrown := invokeJSON(t, h, "thrown", `{}`, tail)
		typ, msg, trace := errorOf(t, thrown)
		if typ != "ValidationError" || msg != "bad input" || len(trace) < 2 || !strings.HasPrefix(trace[0], "ValidationError: bad input") {
			t.Errorf("thrown: %s %s %v", typ, msg, trace)
		}
		// Lambda's Node.js runtime logs the error as one ERROR record.
		logs, _ := base64.StdEncoding.DecodeString(aws.ToString(thrown.LogResult))
		if !strings.Contains(string(logs), "\tERROR\tInvoke Error \t{\"errorType\":\"ValidationError\",\"errorMessage\":\"bad input\",\"stack\":[\"ValidationError: bad input\"") {
			t.Errorf("error log record:\n%s", logs)
		}
		typ, msg, _ = errorOf(t, invokeJSON(t, h, "cbstring", `{}`))
		if typ != "string" || msg != "plain failure" {
			t.Errorf("callback string: %s %s", typ, msg)
		}
		typ, msg, _ = errorOf(t, invokeJSON(t, h, "rejection", `{}`))
		if typ != "Runtime.UnhandledPromiseRejection" || !strings.Contains(msg, "nobody listens") {
			t.Errorf("rejection: %s %s", typ, msg)
		}
		typ, _, _ = errorOf(t, invokeJSON(t, h, "circular", `{}`))
		if typ != "Runtime.MarshalError" {
			t.Errorf("circular: %s", typ)
		}
		if out := invokeJSON(t, h, "cjs", `{}`); out.FunctionError != nil {
			t.Errorf("after errors: %s", out.Payload)
		}
	})

	t.Run("init errors", func(t *testing.T) {
		for name, want := range map[string]string{
			"missing":     "Runtime.ImportModuleError",
			"notexported": "Runtime.HandlerNotFound",
			"notfunction": "Runtime.HandlerNotFound",
			"syntax":      "Runtime.UserCodeSyntaxError",
		} {
			typ, msg, _ := errorOf(t, invokeJSON(t, h, name, `{}`))
			if typ != want {
				t.Errorf("%s: %s %s", name, typ, msg)
			}
		}
	})
}

// TestNodeRedirectsAWSHostsToTheEdge checks the TLS contract: code that
// calls https://{api}.execute-api.{region}.amazonaws.com reaches the edge
// (NIMBUS_EDGE_ADDR) with that server name and trusts its CA
// (NODE_EXTRA_CA_CERTS).
func TestNodeRedirectsAWSHostsToTheEdge(t *testing.T) {
	requireTool(t, "node", nodeInstall)
	caFile, cert := testCA(t, "*.execute-api.us-east-1.amazonaws.com")
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(r.TLS.ServerName + " " + r.Host + " " + r.URL.Path))
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })

	dir := writeFiles(t, nodeHandlers)
	h := newHarness(t, Options{Environment: map[string]string{
		"NIMBUS_EDGE_ADDR":    ln.Addr().String(),
		"NODE_EXTRA_CA_CERTS": caFile,
	}})
	if err := h.svc.Apply(context.Background(), []*app.Function{nodeFunction("tls", dir, "tls.handler")}, nil); err != nil {
		t.Fatal(err)
	}
	out := invokeJSON(t, h, "tls", `{"url":"https://abc123defg.execute-api.us-east-1.amazonaws.com/prod/@connections/x"}`)
	want := `{"status":200,"body":"abc123defg.execute-api.us-east-1.amazonaws.com abc123defg.execute-api.us-east-1.amazonaws.com /prod/@connections/x"}`
	if string(out.Payload) != want {
		t.Errorf("got %s", out.Payload)
	}
}

// TestNodeRedirectsPlainAWSEndpointsToTheEdge covers an explicit
// http://dynamodb.{region}.amazonaws.com endpoint (seed 001's code): plain
// HTTP to port 80 of a served name reaches the edge with its Host header,
// through both the http module and fetch.
func TestNodeRedirectsPlainAWSEndpointsToTheEdge(t *testing.T) {
	requireTool(t, "node", nodeInstall)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(r.Host + " " + r.URL.Path))
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })

	dir := writeFiles(t, nodeHandlers)
	h := newHarness(t, Options{Environment: map[string]string{"NIMBUS_EDGE_ADDR": ln.Addr().String()}})
	if err := h.svc.Apply(context.Background(), []*app.Function{nodeFunction("plain", dir, "plain.handler")}, nil); err != nil {
		t.Fatal(err)
	}
	out := invokeJSON(t, h, "plain", `{"url":"http://dynamodb.ap-northeast-2.amazonaws.com/x"}`)
	want := `{"viaHTTP":"dynamodb.ap-northeast-2.amazonaws.com /x","viaFetch":"dynamodb.ap-northeast-2.amazonaws.com /x"}`
	if string(out.Payload) != want {
		t.Errorf("got %s, want %s", out.Payload, want)
	}
}

// testCA makes a CA and a leaf certificate for host; it returns the CA's
// PEM file and the leaf.
func testCA(t *testing.T, host string) (string, tls.Certificate) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "nimbus test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leafTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: host}, DNSNames: []string{host},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:   time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o644); err != nil {
		t.Fatal(err)
	}
	return caFile, tls.Certificate{Certificate: [][]byte{leafDER}, PrivateKey: key}
}
