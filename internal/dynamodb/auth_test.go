package dynamodb_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	ddb "github.com/nimbus-dev/nimbus/internal/dynamodb"
)

// TestSignatureAndContentType: DynamoDB refuses requests without a SigV4
// signature (MissingAuthenticationTokenException) or with an incomplete
// one (IncompleteSignatureException, naming every missing part), accepts
// pre-signed URLs, and answers in the request's JSON content type.
func TestSignatureAndContentType(t *testing.T) {
	srv := startServer(t, ddb.Options{})
	const full = "AWS4-HMAC-SHA256 Credential=k/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=ab"
	cases := []struct {
		name        string
		query       string
		auth        string
		date        string
		contentType string
		wantStatus  int
		wantType    string
		wantMessage string
		wantCT      string
	}{
		{"signed", "", full, "20260101T000000Z", "application/x-amz-json-1.0", 200, "", "", "application/x-amz-json-1.0"},
		{"signed, application/json", "", full, "20260101T000000Z", "application/json", 200, "", "", "application/json"},
		{"signed with a Date header", "", full, "", "application/x-amz-json-1.0", 200, "", "", "application/x-amz-json-1.0"},
		{"pre-signed URL", "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=k&X-Amz-Signature=ab", "", "", "application/x-amz-json-1.0", 200, "", "", "application/x-amz-json-1.0"},
		{"no Authorization", "", "", "20260101T000000Z", "application/x-amz-json-1.0", 400,
			"com.amazon.coral.service#MissingAuthenticationTokenException", "Request is missing Authentication Token", "application/x-amz-json-1.0"},
		{"no Authorization, no content type", "", "", "", "", 400,
			"com.amazon.coral.service#MissingAuthenticationTokenException", "Request is missing Authentication Token", "application/json"},
		{"not SigV4", "", "AWS4", "20260101T000000Z", "application/x-amz-json-1.0", 400,
			"com.amazon.coral.service#MissingAuthenticationTokenException", "Request is missing Authentication Token", "application/x-amz-json-1.0"},
		{"empty SigV4", "", "AWS4-", "", "application/json", 400, "com.amazon.coral.service#IncompleteSignatureException",
			"Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. " +
				"Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. " +
				"Authorization=AWS4-", "application/json"},
		{"no date", "", full, "", "application/x-amz-json-1.0", 400, "com.amazon.coral.service#IncompleteSignatureException",
			"Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=" + full, "application/x-amz-json-1.0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", srv.url+"/"+c.query, strings.NewReader("{}"))
			req.Header.Set("X-Amz-Target", "DynamoDB_20120810.ListTables")
			if c.contentType != "" {
				req.Header.Set("Content-Type", c.contentType)
			}
			if c.auth != "" {
				req.Header.Set("Authorization", c.auth)
			}
			if c.date != "" {
				req.Header.Set("X-Amz-Date", c.date)
			} else if c.name == "signed with a Date header" {
				req.Header.Set("Date", "Thu, 01 Jan 2026 00:00:00 GMT")
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != c.wantStatus {
				t.Fatalf("status %d %s, want %d", resp.StatusCode, body, c.wantStatus)
			}
			if ct := resp.Header.Get("Content-Type"); ct != c.wantCT {
				t.Errorf("Content-Type %q, want %q", ct, c.wantCT)
			}
			if c.wantType == "" {
				return
			}
			var e struct {
				Type    string `json:"__type"`
				Message string `json:"message"`
			}
			if err := json.Unmarshal(body, &e); err != nil || e.Type != c.wantType || e.Message != c.wantMessage {
				t.Errorf("got %s\nwant __type %s, message %q", body, c.wantType, c.wantMessage)
			}
		})
	}
}
