package tlsca

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"os"
	"testing"
	"time"
)

func TestAuthorityIssuesTrustedLeavesAndPersists(t *testing.T) {
	dir := t.TempDir()
	a, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"abc1234567.execute-api.us-east-1.amazonaws.com", "localhost", "127.0.0.1", ""} {
		c, err := a.Leaf(name)
		if err != nil {
			t.Fatalf("Leaf(%q): %v", name, err)
		}
		want := name
		if want == "" {
			want = "localhost"
		}
		if _, err := c.Leaf.Verify(x509.VerifyOptions{Roots: a.Pool(), DNSName: want}); err != nil {
			t.Errorf("leaf for %q does not verify: %v", name, err)
		}
	}
	again, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !again.cert.Equal(a.cert) {
		t.Error("reopening created a new CA; want the persisted one")
	}
	bundle, err := os.ReadFile(a.BundlePath())
	if err != nil || !bytes.Contains(bundle, a.certPEM) {
		t.Errorf("bundle missing the CA: %v", err)
	}
}

func TestServerConfigHandshake(t *testing.T) {
	a, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cfg := a.ServerConfig()
	c, err := cfg.GetCertificate(&tls.ClientHelloInfo{ServerName: "dynamodb.eu-west-1.amazonaws.com"})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Leaf.DNSNames; len(got) != 1 || got[0] != "dynamodb.eu-west-1.amazonaws.com" {
		t.Errorf("DNSNames = %v", got)
	}
}

// TestReopenWritesNothing: a second start with the CA in place leaves the
// folder alone, so a read-only data folder still works.
func TestReopenWritesNothing(t *testing.T) {
	dir := t.TempDir()
	a, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	for _, f := range []string{a.CertPath(), a.BundlePath()} {
		if err := os.Chtimes(f, old, old); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Open(dir); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{a.CertPath(), a.BundlePath()} {
		st, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if !st.ModTime().Equal(old) {
			t.Errorf("%s was rewritten on reopen", f)
		}
	}
}
