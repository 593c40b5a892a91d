package edge

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/nimbus-dev/nimbus/internal/httpserve"
	"github.com/nimbus-dev/nimbus/internal/tlsca"
)

func named(name string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, name+" "+r.Host+" "+r.URL.Path)
	})
}

// startEdge serves a router with every kind of route on a real listener.
func startEdge(t *testing.T) (*httpserve.Server, *tlsca.Authority) {
	t.Helper()
	ca, err := tlsca.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	r := NewRouter(nil)
	r.HandleTarget("DynamoDB_20120810", named("dynamodb"))
	r.HandlePrefix("/2015-03-31/", named("lambda"))
	r.HandleConnections(named("connections"))
	r.HandleInternal("GET /_nimbus/health", named("health"))
	r.SetAPI("abcde12345", named("api"))
	srv, err := httpserve.Listen("127.0.0.1:0", r, httpserve.Options{TLS: ca.ServerConfig()})
	if err != nil {
		t.Fatal(err)
	}
	r.SetInjector(srv.Inject)
	srv.Start()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return srv, ca
}

func TestRouting(t *testing.T) {
	srv, _ := startEdge(t)
	base := "http://" + srv.Addr().String()
	tests := []struct {
		name, method, path, host, target string
		wantStatus                       int
		wantBody                         string
	}{
		{"dynamodb by target", "POST", "/", "", "DynamoDB_20120810.GetItem", 200, "dynamodb"},
		{"unknown target", "POST", "/", "", "AmazonSQS.SendMessage", 400, "UnknownOperationException"},
		{"lambda by path", "POST", "/2015-03-31/functions/f/invocations", "", "", 200, "lambda"},
		{"connections", "POST", "/@connections/abc=", "", "", 200, "connections"},
		{"internal", "GET", "/_nimbus/health", "", "", 200, "health"},
		{"api by localhost host", "GET", "/prod/rooms", "abcde12345.execute-api.localhost:4566", "", 200, "api abcde12345.execute-api.localhost:4566 /prod/rooms"},
		{"api by aws host", "GET", "/prod/x", "abcde12345.execute-api.eu-west-1.amazonaws.com", "", 200, "api"},
		{"unknown api", "GET", "/prod/x", "zzzzz99999.execute-api.localhost", "", 404, "zzzzz99999"},
		{"nothing", "GET", "/nope", "", "", 404, "no service"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, base+tc.path, strings.NewReader("{}"))
			if tc.host != "" {
				req.Host = tc.host
			}
			if tc.target != "" {
				req.Header.Set("X-Amz-Target", tc.target)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.wantStatus || !strings.Contains(string(body), tc.wantBody) {
				t.Errorf("%s %s: got %d %q, want %d containing %q", tc.method, tc.path, resp.StatusCode, body, tc.wantStatus, tc.wantBody)
			}
		})
	}
}

func TestUnknownTargetIsJSONProtocolError(t *testing.T) {
	srv, _ := startEdge(t)
	req, _ := http.NewRequest("POST", "http://"+srv.Addr().String()+"/", strings.NewReader("{}"))
	req.Header.Set("X-Amz-Target", "Kinesis_20131202.PutRecord")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if body["__type"] != "com.amazon.coral.service#UnknownOperationException" {
		t.Errorf("__type = %q", body["__type"])
	}
}

// TestTLSOnSamePort calls an AWS host name over https straight at the edge
// port, as the Node bootstrap does.
func TestTLSOnSamePort(t *testing.T) {
	srv, ca := startEdge(t)
	client := &http.Client{Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: ca.Pool()},
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, srv.Addr().String())
		},
	}}
	resp, err := client.Get("https://abcde12345.execute-api.us-east-1.amazonaws.com/production/@connections/x")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := "api abcde12345.execute-api.us-east-1.amazonaws.com /production/@connections/x"; string(body) != want {
		t.Errorf("got %q, want %q", body, want)
	}
}

// TestConnectProxyServesAWSNamesLocally goes through HTTPS_PROXY-style
// CONNECT, as Go, Python and curl functions do.
func TestConnectProxyServesAWSNamesLocally(t *testing.T) {
	srv, ca := startEdge(t)
	proxyURL, _ := url.Parse("http://" + srv.Addr().String())
	client := &http.Client{Transport: &http.Transport{
		Proxy:           http.ProxyURL(proxyURL),
		TLSClientConfig: &tls.Config{RootCAs: ca.Pool()},
	}}
	for _, tc := range []struct{ url, want string }{
		{"https://abcde12345.execute-api.us-east-1.amazonaws.com/prod/hello", "api abcde12345.execute-api.us-east-1.amazonaws.com /prod/hello"},
		{"https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/f/invocations", "lambda"},
	} {
		resp, err := client.Get(tc.url)
		if err != nil {
			t.Fatalf("%s: %v", tc.url, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.HasPrefix(string(body), tc.want) {
			t.Errorf("%s: got %q, want prefix %q", tc.url, body, tc.want)
		}
	}
}

// TestTunnelCopiesBothWays checks the byte pipe used for destinations
// Nimbus does not serve.
func TestTunnelCopiesBothWays(t *testing.T) {
	echo, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer echo.Close()
	go func() {
		c, err := echo.Accept()
		if err != nil {
			return
		}
		io.Copy(c, c)
		c.Close()
	}()
	upstream, err := net.Dial("tcp", echo.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	client, proxySide := net.Pipe()
	go tunnel(proxySide, upstream)
	io.WriteString(client, "ping")
	buf := make([]byte, 4)
	if _, err := io.ReadFull(client, buf); err != nil || string(buf) != "ping" {
		t.Errorf("tunnel echoed %q, %v", buf, err)
	}
	client.Close()
}

func TestConnectToUnreachableHostIs502(t *testing.T) {
	srv, _ := startEdge(t)
	conn, err := net.Dial("tcp", srv.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "CONNECT unreachable.invalid:443 HTTP/1.1\r\nHost: unreachable.invalid:443\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusBadGateway {
		t.Errorf("CONNECT to unreachable host: %d, want 502", resp.StatusCode)
	}
}

func TestServedLocally(t *testing.T) {
	for host, want := range map[string]bool{
		"abcde12345.execute-api.us-east-1.amazonaws.com:443": true,
		"dynamodb.eu-central-1.amazonaws.com:443":            true,
		"execute-api.us-east-1.amazonaws.com":                true,
		"localhost:4566":                                     true,
		"127.0.0.1:3000":                                     true,
		"s3.amazonaws.com:443":                               false,
		"registry.npmjs.org:443":                             false,
	} {
		if got := servedLocally(host); got != want {
			t.Errorf("servedLocally(%q) = %v, want %v", host, got, want)
		}
	}
}

// TestHTTPProxyRequests checks absolute-form requests (HTTP_PROXY): names
// Nimbus serves are routed locally, others are forwarded.
func TestHTTPProxyRequests(t *testing.T) {
	srv, _ := startEdge(t)
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "upstream "+r.Host+" "+r.URL.Path)
	}))
	defer upstream.Close()
	proxyURL, _ := url.Parse("http://" + srv.Addr().String())
	client := &http.Client{Transport: &http.Transport{Proxy: func(*http.Request) (*url.URL, error) { return proxyURL, nil }}}

	req, _ := http.NewRequest("POST", "http://dynamodb.ap-northeast-2.amazonaws.com/", strings.NewReader("{}"))
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810.Scan")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.HasPrefix(string(body), "dynamodb dynamodb.ap-northeast-2.amazonaws.com") {
		t.Errorf("served name: %q", body)
	}

	// httptest listens on loopback, which the router answers itself, so
	// drive the forwarding path directly.
	upstreamURL, _ := url.Parse(upstream.URL)
	fwd := &proxy{router: NewRouter(nil), logger: slog.New(slog.DiscardHandler)}
	rec := httptest.NewRecorder()
	fwdReq := httptest.NewRequest("GET", "http://"+upstreamURL.Host+"/hello", nil)
	fwd.forward(rec, fwdReq)
	if got := rec.Body.String(); got != "upstream "+upstreamURL.Host+" /hello" {
		t.Errorf("forwarded: %q", got)
	}
}
