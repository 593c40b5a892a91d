// Package lambda emulates AWS Lambda without containers: each function's
// execution environments are local processes speaking the real Runtime API
// (package environment), placed by a scheduler (package scheduler), started
// from runtimes prepared by package runtimes, and reached through the
// Lambda REST-JSON API (ServeHTTP) or in-process (Invoke).
package lambda

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/nimbus-dev/nimbus/internal/lambda/runtimes"
	"github.com/nimbus-dev/nimbus/internal/lambda/scheduler"
)

// Options configure a Service.
type Options struct {
	Logger    *slog.Logger
	Region    string
	AccountID string
	// DataDir holds caches (Go builds, esbuild bundles, merged layers) and
	// functions created through the API; "" means a temporary folder
	// removed by Shutdown.
	DataDir string
	// Environment is merged into every function's environment (the edge
	// URL, CA bundle and proxy settings).
	Environment map[string]string
	// AccountConcurrency is the account's concurrent invocation limit
	// (default 1000, Lambda's default quota).
	AccountConcurrency int
	// KeepAlive is how long an idle environment stays warm (default 10
	// minutes).
	KeepAlive time.Duration
	// PreWarm starts this many environments per function on Apply.
	PreWarm int
	// InitTimeout bounds a runtime's init phase (default 10 s, as Lambda).
	InitTimeout time.Duration
	// EnforceMemory kills environments whose resident memory exceeds the
	// function's MemorySize, as Lambda does (Linux only). Without it only
	// runaways past environment.RunawayFactor times MemorySize are killed.
	EnforceMemory bool
	// AsyncRetryDelays are the waits before the two retries of a failed
	// Event invocation (default 1 s and 2 s; Lambda waits about 1 and 2
	// minutes).
	AsyncRetryDelays []time.Duration
	// MaxEventAge bounds how long an Event invocation is retried while
	// throttled (default 6 hours, as Lambda).
	MaxEventAge time.Duration
	// NodeSDKDir is the shared cache of AWS SDK for JavaScript v3 packages
	// (default: the user cache folder, e.g. ~/.cache/nimbus/node-sdk).
	NodeSDKDir string
}

// Service runs Lambda functions.
type Service struct {
	opts     Options
	logger   *slog.Logger
	dataDir  string
	tempDir  bool
	account  *scheduler.Account
	runtimes *runtimes.Runtimes
	store    *store
	events   *eventStore
	resume   sync.Once

	mu        sync.RWMutex
	functions map[string]*function
	// template holds the functions of the last Apply, by name.
	template map[string]*function
	layers   map[string]*layerSource

	applyMu sync.Mutex

	asyncCtx    context.Context
	asyncCancel context.CancelFunc
	async       sync.WaitGroup
	reaperStop  chan struct{}
	reaperDone  chan struct{}
	shutdown    sync.Once
}

// New returns a Service; functions created through the API in an earlier
// run (persisted in DataDir) are loaded.
func New(opts Options) (*Service, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	if opts.AccountID == "" {
		opts.AccountID = "000000000000"
	}
	if opts.AccountConcurrency <= 0 {
		opts.AccountConcurrency = 1000
	}
	if opts.KeepAlive <= 0 {
		opts.KeepAlive = 10 * time.Minute
	}
	if opts.InitTimeout <= 0 {
		opts.InitTimeout = 10 * time.Second
	}
	if opts.AsyncRetryDelays == nil {
		opts.AsyncRetryDelays = []time.Duration{time.Second, 2 * time.Second}
	}
	if opts.MaxEventAge <= 0 {
		opts.MaxEventAge = 6 * time.Hour
	}
	s := &Service{
		opts:       opts,
		logger:     opts.Logger.With("component", "lambda"),
		dataDir:    opts.DataDir,
		account:    scheduler.NewAccount(opts.AccountConcurrency),
		functions:  map[string]*function{},
		template:   map[string]*function{},
		layers:     map[string]*layerSource{},
		reaperStop: make(chan struct{}),
		reaperDone: make(chan struct{}),
	}
	if s.dataDir == "" {
		dir, err := os.MkdirTemp("", "nimbus-lambda-")
		if err != nil {
			return nil, err
		}
		s.dataDir, s.tempDir = dir, true
	}
	abs, err := filepath.Abs(s.dataDir)
	if err != nil {
		return nil, err
	}
	s.dataDir = abs
	if err := os.MkdirAll(s.dataDir, 0o755); err != nil {
		return nil, err
	}
	s.runtimes = runtimes.New(runtimes.Options{DataDir: s.dataDir, NodeSDKDir: opts.NodeSDKDir, Logger: s.logger})
	s.store = &store{dir: filepath.Join(s.dataDir, "functions")}
	s.events = &eventStore{dir: filepath.Join(s.dataDir, "events")}
	s.asyncCtx, s.asyncCancel = context.WithCancel(context.Background())
	if err := s.loadStored(); err != nil {
		return nil, err
	}
	go s.reap()
	return s, nil
}

// reap stops environments idle for longer than the keep-alive.
func (s *Service) reap() {
	defer close(s.reaperDone)
	period := min(s.opts.KeepAlive/2, time.Minute)
	period = max(period, 100*time.Millisecond)
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-s.reaperStop:
			return
		case <-t.C:
			s.mu.RLock()
			fns := make([]*function, 0, len(s.functions))
			for _, fn := range s.functions {
				fns = append(fns, fn)
			}
			s.mu.RUnlock()
			for _, fn := range fns {
				fn.pool.Reap(s.opts.KeepAlive)
			}
		}
	}
}

// Shutdown stops every environment (killing their process groups) and
// waits for in-flight Event invocations to end; queued ones stay stored
// for the next start (ResumeEvents).
func (s *Service) Shutdown(ctx context.Context) error {
	var err error
	s.shutdown.Do(func() {
		close(s.reaperStop)
		<-s.reaperDone
		s.asyncCancel()
		s.mu.Lock()
		fns := s.functions
		s.functions = map[string]*function{}
		s.template = map[string]*function{}
		s.mu.Unlock()
		for _, fn := range fns {
			fn.pool.Close()
		}
		done := make(chan struct{})
		go func() { s.async.Wait(); close(done) }()
		select {
		case <-done:
		case <-ctx.Done():
			err = ctx.Err()
		}
		if s.tempDir {
			err = errors.Join(err, os.RemoveAll(s.dataDir))
		}
	})
	return err
}
