package httpserve

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/nimbus-dev/nimbus/internal/tlsca"
)

func TestPlainAndTLSOnOnePort(t *testing.T) {
	ca, err := tlsca.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	srv, err := Listen("127.0.0.1:0", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS != nil {
			io.WriteString(w, "tls")
			return
		}
		io.WriteString(w, "plain")
	}), Options{TLS: ca.ServerConfig()})
	if err != nil {
		t.Fatal(err)
	}
	srv.Start()
	defer srv.Close()
	addr := srv.Addr().String()
	secure := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool()}}}
	for _, tc := range []struct {
		client *http.Client
		url    string
		want   string
	}{
		{http.DefaultClient, "http://" + addr + "/", "plain"},
		{secure, "https://localhost:" + portOf(addr) + "/", "tls"},
		{secure, "https://" + addr + "/", "tls"},
	} {
		resp, err := tc.client.Get(tc.url)
		if err != nil {
			t.Fatalf("%s: %v", tc.url, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(body) != tc.want {
			t.Errorf("%s: %q, want %q", tc.url, body, tc.want)
		}
	}
}

func portOf(addr string) string {
	_, p, _ := net.SplitHostPort(addr)
	return p
}

func TestShutdownDrainsInFlightRequests(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{})
	srv, err := Listen("127.0.0.1:0", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release
		io.WriteString(w, "done")
	}), Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv.Start()
	var wg sync.WaitGroup
	var body string
	var reqErr error
	wg.Go(func() {
		resp, err := http.Get("http://" + srv.Addr().String() + "/")
		if err != nil {
			reqErr = err
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		body = string(b)
	})
	<-entered
	shutdownDone := make(chan error)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		shutdownDone <- srv.Shutdown(ctx)
	}()
	time.Sleep(50 * time.Millisecond)
	close(release)
	if err := <-shutdownDone; err != nil {
		t.Errorf("shutdown: %v", err)
	}
	wg.Wait()
	if reqErr != nil || body != "done" {
		t.Errorf("in-flight request: %q, %v", body, reqErr)
	}
	if _, err := net.DialTimeout("tcp", srv.Addr().String(), time.Second); err == nil {
		t.Error("port still accepts after shutdown")
	}
}

// TestShutdownDoesNotWaitForUnusedConnections: a client that connects and
// never sends a request must not hold shutdown up.
func TestShutdownDoesNotWaitForUnusedConnections(t *testing.T) {
	srv, err := Listen("127.0.0.1:0", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}), Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv.Start()
	conn, err := net.Dial("tcp", srv.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	time.Sleep(50 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("shutdown took %v with an unused connection open", took)
	}
}
