package dynamodb_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	ddb "github.com/nimbus-dev/nimbus/internal/dynamodb"
	"github.com/nimbus-dev/nimbus/internal/storage"
)

// server is a Service on a real listener.
type server struct {
	svc   *ddb.Service
	store storage.Store
	url   string
	srv   *http.Server
}

func startServer(t testing.TB, opts ddb.Options) *server {
	t.Helper()
	store, err := storage.Open("", storage.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	return startServerOn(t, store, opts)
}

func startServerOn(t testing.TB, store storage.Store, opts ddb.Options) *server {
	t.Helper()
	svc, err := ddb.New(store, opts)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: svc}
	go srv.Serve(ln)
	s := &server{svc: svc, store: store, url: "http://" + ln.Addr().String(), srv: srv}
	t.Cleanup(func() {
		// net/http waits up to 5 s for connections a client dialled but
		// never used; tests need not wait for those.
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		if srv.Shutdown(ctx) != nil {
			srv.Close()
		}
		svc.Close()
		store.Close()
	})
	return s
}

func (s *server) client() *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(s.url),
		Credentials:      credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		RetryMaxAttempts: 1,
	})
}

var bg = context.Background()

// apiErr asserts err is an AWS API error with code and (when non-empty)
// exactly message.
func apiErr(t *testing.T, err error, code, message string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want %s error, got %v", code, err)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("error code = %s (%s), want %s", ae.ErrorCode(), ae.ErrorMessage(), code)
	}
	if message != "" && ae.ErrorMessage() != message {
		t.Fatalf("error message = %q, want %q", ae.ErrorMessage(), message)
	}
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func n(v string) types.AttributeValue { return &types.AttributeValueMemberN{Value: v} }
func ad(name string, t types.ScalarAttributeType) types.AttributeDefinition {
	return types.AttributeDefinition{AttributeName: aws.String(name), AttributeType: t}
}
func ks(name string, t types.KeyType) types.KeySchemaElement {
	return types.KeySchemaElement{AttributeName: aws.String(name), KeyType: t}
}

// createTable makes a pk/sk (S/S) table with GSI "gsi" on (g, sk) and LSI
// "lsi" on (pk, l).
func createTable(t *testing.T, c *dynamodb.Client, name string) {
	t.Helper()
	_, err := c.CreateTable(bg, &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{ad("pk", "S"), ad("sk", "S"), ad("g", "S"), ad("l", "N")},
		KeySchema:            []types.KeySchemaElement{ks("pk", "HASH"), ks("sk", "RANGE")},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
			IndexName: aws.String("gsi"), KeySchema: []types.KeySchemaElement{ks("g", "HASH"), ks("sk", "RANGE")},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		}},
		LocalSecondaryIndexes: []types.LocalSecondaryIndex{{
			IndexName: aws.String("lsi"), KeySchema: []types.KeySchemaElement{ks("pk", "HASH"), ks("l", "RANGE")},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeKeysOnly},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
}

func asErr[T error](err error, target *T) bool { return errors.As(err, target) }

// rawCall posts a raw JSON request (for what the SDK refuses to send) and
// returns the error code and message, or "" when the call succeeds.
// signLikeAnSDK gives a hand-made request the SigV4 headers every SDK sends
// (DynamoDB refuses a request without them; their values are not checked).
func signLikeAnSDK(req *http.Request) {
	req.Header.Set("X-Amz-Date", "20260101T000000Z")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=0")
}

func rawCall(t *testing.T, srv *server, op, body string) (code, msg string) {
	t.Helper()
	req, _ := http.NewRequest("POST", srv.url+"/", strings.NewReader(body))
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810."+op)
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	signLikeAnSDK(req)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
		Msg     string `json:"Message"`
	}
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusOK {
		return "", ""
	}
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("%s: %s", op, b)
	}
	if out.Message == "" {
		out.Message = out.Msg
	}
	_, code, _ = strings.Cut(out.Type, "#")
	return code, out.Message
}

// rawCase is one raw request and the error it must get ("" code: success).
type rawCase struct {
	name, op, body, code, msg string
}

func runRaw(t *testing.T, srv *server, cases []rawCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, msg := rawCall(t, srv, c.op, c.body)
			if code != c.code || (c.code != "" && msg != c.msg) {
				t.Errorf("%s %s:\n got %s: %s\nwant %s: %s", c.op, c.body, code, msg, c.code, c.msg)
			}
		})
	}
}
