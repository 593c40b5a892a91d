// Package nimbus assembles a running Nimbus: the edge port, storage, the
// emulated services and the app loaded from a template. cmd/nimbus only
// parses flags and calls into here, so tests start the very same server on
// port 0.
package nimbus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/nimbus-dev/nimbus/internal/edge"
	"github.com/nimbus-dev/nimbus/internal/httpserve"
	"github.com/nimbus-dev/nimbus/internal/tlsca"
)

// Config is everything `nimbus up` can be told.
type Config struct {
	// Host and Port of the edge; Port 0 picks a free port.
	Host string
	Port int
	// DataDir holds tables, the local CA and build caches. Empty means
	// ".nimbus" beside the template (or in the working folder).
	DataDir string
	// InMemory keeps tables in memory only.
	InMemory bool
	// Template is a project folder or template file; empty serves the
	// service APIs alone.
	Template string
	// Params override template parameters.
	Params    map[string]string
	Region    string
	AccountID string
	Version   string
	Logger    *slog.Logger
}

// Server is a running Nimbus.
type Server struct {
	cfg     Config
	logger  *slog.Logger
	started time.Time

	router *edge.Router
	edge   *httpserve.Server
	ca     *tlsca.Authority
	tmpDir string

	mu       sync.Mutex
	shutdown bool
}

// DefaultRegion and DefaultAccountID are used when the config names none.
const (
	DefaultRegion    = "us-east-1"
	DefaultAccountID = "000000000000"
)

// New opens the edge listener and storage, loads the app and starts
// serving. It returns once Nimbus is ready (health answers 200).
func New(ctx context.Context, cfg Config) (*Server, error) {
	started := time.Now()
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Host == "" {
		cfg.Host = "127.0.0.1"
	}
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	}
	if cfg.AccountID == "" {
		cfg.AccountID = DefaultAccountID
	}
	s := &Server{cfg: cfg, logger: cfg.Logger, started: started}
	if err := s.resolveDataDir(); err != nil {
		return nil, err
	}

	ln, err := net.Listen("tcp", net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port)))
	if err != nil {
		return nil, fmt.Errorf("edge port: %w", err)
	}
	caDir := filepath.Join(s.cfg.DataDir, "ca")
	if cfg.InMemory {
		if s.tmpDir, err = os.MkdirTemp("", "nimbus-"); err != nil {
			ln.Close()
			return nil, err
		}
		caDir = filepath.Join(s.tmpDir, "ca")
	}
	if s.ca, err = tlsca.Open(caDir); err != nil {
		ln.Close()
		s.removeTemp()
		return nil, err
	}

	s.router = edge.NewRouter(s.logger.With("component", "edge"))
	s.edge = httpserve.New(ln, s.router, httpserve.Options{
		Logger: s.logger.With("component", "edge"),
		TLS:    s.ca.ServerConfig(),
	})
	s.router.SetInjector(s.edge.Inject)
	s.registerInternal()
	s.edge.Start()
	s.logger.Info("nimbus ready", "url", s.URL(), "data", s.dataDescription(), "startup", time.Since(started).Round(time.Microsecond))
	return s, nil
}

func (s *Server) resolveDataDir() error {
	if s.cfg.DataDir != "" {
		abs, err := filepath.Abs(s.cfg.DataDir)
		if err != nil {
			return err
		}
		s.cfg.DataDir = abs
		return nil
	}
	base := "."
	if s.cfg.Template != "" {
		if st, err := os.Stat(s.cfg.Template); err == nil && st.IsDir() {
			base = s.cfg.Template
		} else {
			base = filepath.Dir(s.cfg.Template)
		}
	}
	abs, err := filepath.Abs(filepath.Join(base, ".nimbus"))
	if err != nil {
		return err
	}
	s.cfg.DataDir = abs
	return nil
}

func (s *Server) dataDescription() string {
	if s.cfg.InMemory {
		return "in memory"
	}
	return s.cfg.DataDir
}

// Addr is the edge port's address.
func (s *Server) Addr() net.Addr { return s.edge.Addr() }

// URL is the edge's base URL, what AWS_ENDPOINT_URL should be set to.
func (s *Server) URL() string { return "http://" + s.Addr().String() }

// CA is the local certificate authority (tests use its pool to call
// AWS host names over TLS).
func (s *Server) CA() *tlsca.Authority { return s.ca }

// Shutdown stops accepting, drains in-flight requests, stops functions and
// flushes storage.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	if s.shutdown {
		s.mu.Unlock()
		return nil
	}
	s.shutdown = true
	s.mu.Unlock()
	var errs []error
	if err := s.edge.Shutdown(ctx); err != nil {
		errs = append(errs, fmt.Errorf("edge: %w", err))
	}
	s.removeTemp()
	s.logger.Info("nimbus stopped")
	return errors.Join(errs...)
}

func (s *Server) removeTemp() {
	if s.tmpDir != "" {
		os.RemoveAll(s.tmpDir)
	}
}
