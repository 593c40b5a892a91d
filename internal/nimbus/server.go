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
	"sync/atomic"
	"time"

	"github.com/nimbus-dev/nimbus/internal/edge"
	"github.com/nimbus-dev/nimbus/internal/httpserve"
	"github.com/nimbus-dev/nimbus/internal/template"
	"github.com/nimbus-dev/nimbus/internal/tlsca"
	"github.com/nimbus-dev/nimbus/internal/watch"
)

// Config is everything `nimbus up` can be told.
type Config struct {
	// Host and Port of the edge; Port 0 picks a free port.
	Host string
	Port int
	// DataDir holds tables, the local CA and build caches. Empty means
	// ".nimbus" beside the template (or in the working folder). With
	// InMemory only the tables stay in memory; caches and the CA still live
	// here.
	DataDir string
	// InMemory keeps tables in memory only.
	InMemory bool
	// Template is a project folder or template file; empty serves the
	// service APIs alone.
	Template string
	// TemplateOptional serves the service APIs alone, instead of failing,
	// when Template is a folder without a template (`nimbus up` with no
	// argument in a folder that is not a project).
	TemplateOptional bool
	// Stage is serverless.yml's stage (--stage); empty means the file's.
	Stage string
	// Params override template parameters.
	Params    map[string]string
	Region    string
	AccountID string
	Version   string
	Logger    *slog.Logger
	// FunctionsOnly loads tables and functions but mounts no APIs or sites
	// and does not watch files (`nimbus invoke`).
	FunctionsOnly bool
}

// Server is a running Nimbus.
type Server struct {
	cfg     Config
	logger  *slog.Logger
	started time.Time

	router *edge.Router
	edge   *httpserve.Server
	ca     *tlsca.Authority
	svc    services
	ports  *portAllocator

	// mu guards app and shutdown.
	mu       sync.Mutex
	app      *running
	shutdown bool

	stopWatch context.CancelFunc
	watcher   *watch.Watcher
	wg        sync.WaitGroup
	// ready turns health to 200 once the app is up; until then (builds,
	// tables) it answers 503.
	ready atomic.Bool
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
	if s.ca, err = tlsca.Open(filepath.Join(s.cfg.DataDir, "ca")); err != nil {
		ln.Close()
		return nil, err
	}

	s.router = edge.NewRouter(s.logger.With("component", "edge"))
	s.edge = httpserve.New(ln, s.router, httpserve.Options{
		Logger: s.logger.With("component", "edge"),
		TLS:    s.ca.ServerConfig(),
	})
	s.router.SetInjector(s.edge.Inject)
	if err := s.startServices(); err != nil {
		ln.Close()
		_ = s.stopServices(ctx)
		return nil, err
	}
	s.registerInternal()
	s.edge.Start()
	s.ports = newPortAllocator(cfg.Host, cfg.Port == 0)
	if cfg.Template != "" {
		err := s.startApp(ctx)
		if errors.Is(err, template.ErrNoTemplate) && cfg.TemplateOptional {
			s.logger.Info("no template here; serving the AWS service APIs alone", "folder", cfg.Template)
			s.cfg.Template = ""
			err = nil
		}
		if err != nil {
			shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = s.Shutdown(shutdownCtx)
			return nil, err
		}
		if !cfg.FunctionsOnly && s.cfg.Template != "" {
			var watchCtx context.Context
			watchCtx, s.stopWatch = context.WithCancel(context.Background())
			s.watchApp(watchCtx)
		}
	}
	if !cfg.FunctionsOnly {
		// Event invocations a previous run accepted and did not finish
		// run now that their functions are in place.
		s.svc.lambda.ResumeEvents()
	}
	s.ready.Store(true)
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
	app := s.app
	s.mu.Unlock()
	if s.stopWatch != nil {
		s.stopWatch()
	}
	s.wg.Wait()
	var errs []error
	if app != nil {
		// WebSocket APIs close their connections first: $disconnect still
		// reaches the functions.
		for _, m := range app.apis {
			s.unmountAPI(ctx, m)
		}
		for _, m := range app.sites {
			s.unmountSite(ctx, m)
		}
	}
	if err := s.edge.Shutdown(ctx); err != nil {
		errs = append(errs, fmt.Errorf("edge: %w", err))
	}
	if err := s.stopServices(ctx); err != nil {
		errs = append(errs, err)
	}
	s.logger.Info("nimbus stopped")
	return errors.Join(errs...)
}
