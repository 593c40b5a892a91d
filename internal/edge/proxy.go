package edge

import (
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"sync"
	"time"
)

// proxy is the edge's forward-proxy side. Functions run with HTTPS_PROXY
// and HTTP_PROXY pointing at the edge, so SDKs that honour them (Go,
// Python, curl) send their calls here. CONNECT tunnels to names Nimbus
// serves are handed back to the edge server, which terminates TLS with the
// local CA; plain requests to those names are routed like any other edge
// request. Everything else goes on to the real destination, so functions
// can still reach the internet.
type proxy struct {
	router  *Router
	logger  *slog.Logger
	onceRP  sync.Once
	reverse *httputil.ReverseProxy
}

// forward relays an absolute-form request (GET http://host/path) for a host
// Nimbus does not serve.
func (p *proxy) forward(w http.ResponseWriter, req *http.Request) {
	p.onceRP.Do(func() {
		p.reverse = &httputil.ReverseProxy{
			Rewrite: func(pr *httputil.ProxyRequest) {
				pr.Out.URL = pr.In.URL
				pr.Out.Host = pr.In.URL.Host
			},
			// No proxy from the environment: this is the proxy.
			Transport: &http.Transport{
				DialContext:           (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
				TLSHandshakeTimeout:   10 * time.Second,
				ResponseHeaderTimeout: 5 * time.Minute,
				IdleConnTimeout:       90 * time.Second,
			},
			ErrorLog: slog.NewLogLogger(p.logger.Handler(), slog.LevelDebug),
		}
	})
	p.logger.Debug("proxied", "url", req.URL.String())
	p.reverse.ServeHTTP(w, req)
}

func (p *proxy) serveConnect(w http.ResponseWriter, req *http.Request) {
	target := req.Host
	if _, _, err := net.SplitHostPort(target); err != nil {
		target = net.JoinHostPort(target, "443")
	}
	p.router.mu.RLock()
	inject := p.router.inject
	p.router.mu.RUnlock()
	local := servedLocally(target) && inject != nil

	var upstream net.Conn
	if !local {
		var err error
		upstream, err = net.DialTimeout("tcp", target, 10*time.Second)
		if err != nil {
			http.Error(w, "Nimbus proxy cannot reach "+target+": "+err.Error(), http.StatusBadGateway)
			return
		}
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		if upstream != nil {
			upstream.Close()
		}
		http.Error(w, "CONNECT is not supported on this connection", http.StatusInternalServerError)
		return
	}
	client, buf, err := hj.Hijack()
	if err != nil {
		if upstream != nil {
			upstream.Close()
		}
		return
	}
	if _, err := client.Write([]byte("HTTP/1.1 200 Connection Established\r\n\r\n")); err != nil {
		client.Close()
		if upstream != nil {
			upstream.Close()
		}
		return
	}
	conn := net.Conn(client)
	if n := buf.Reader.Buffered(); n > 0 {
		pending, _ := buf.Reader.Peek(n)
		conn = &prefixedConn{Conn: client, prefix: append([]byte(nil), pending...)}
	}
	if local {
		p.logger.Debug("CONNECT served locally", "host", target)
		inject(conn)
		return
	}
	p.logger.Debug("CONNECT tunnelled", "host", target)
	tunnel(conn, upstream)
}

func tunnel(a, b net.Conn) {
	var wg sync.WaitGroup
	pipe := func(dst, src net.Conn) {
		defer wg.Done()
		_, _ = io.Copy(dst, src)
		if tc, ok := dst.(interface{ CloseWrite() error }); ok {
			_ = tc.CloseWrite()
		} else {
			dst.Close()
		}
	}
	wg.Add(2)
	go pipe(a, b)
	go pipe(b, a)
	wg.Wait()
	a.Close()
	b.Close()
}

// prefixedConn replays bytes the HTTP server had already buffered.
type prefixedConn struct {
	net.Conn
	prefix []byte
}

func (c *prefixedConn) Read(p []byte) (int, error) {
	if len(c.prefix) > 0 {
		n := copy(p, c.prefix)
		c.prefix = c.prefix[n:]
		return n, nil
	}
	return c.Conn.Read(p)
}
