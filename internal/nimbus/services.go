package nimbus

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/nimbus-dev/nimbus/internal/apigateway/websocket"
	"github.com/nimbus-dev/nimbus/internal/dynamodb"
	"github.com/nimbus-dev/nimbus/internal/lambda"
	"github.com/nimbus-dev/nimbus/internal/storage"
)

// lambdaAPIPrefixes are the versioned path prefixes of the Lambda API.
var lambdaAPIPrefixes = []string{"/2015-03-31/", "/2016-08-19/", "/2017-03-31/", "/2017-10-31/", "/2018-10-31/", "/2019-09-25/", "/2019-09-30/", "/2020-04-22/", "/2020-06-30/", "/2021-10-31/"}

// services are the emulated AWS services behind the edge.
type services struct {
	store     storage.Store
	dynamodb  *dynamodb.Service
	lambda    *lambda.Service
	websocket websocket.Registry
}

// startServices opens storage and starts DynamoDB, Lambda and the
// WebSocket connection registry, and routes the edge to them.
func (s *Server) startServices() error {
	var err error
	storeDir := filepath.Join(s.cfg.DataDir, "dynamodb")
	s.svc.store, err = storage.Open(storeDir, storage.Options{
		InMemory: s.cfg.InMemory,
		Logger:   s.logger.With("component", "storage"),
	})
	if err != nil {
		return fmt.Errorf("storage in %s: %w", storeDir, err)
	}
	s.svc.dynamodb, err = dynamodb.New(s.svc.store, dynamodb.Options{
		Logger:    s.logger,
		Region:    s.cfg.Region,
		AccountID: s.cfg.AccountID,
	})
	if err != nil {
		return fmt.Errorf("dynamodb: %w", err)
	}
	s.router.HandleTarget("DynamoDB_20120810", s.svc.dynamodb)

	s.svc.lambda, err = lambda.New(lambda.Options{
		Logger:      s.logger,
		Region:      s.cfg.Region,
		AccountID:   s.cfg.AccountID,
		DataDir:     filepath.Join(s.cfg.DataDir, "lambda"),
		Environment: s.functionEnvironment(),
	})
	if err != nil {
		return fmt.Errorf("lambda: %w", err)
	}
	for _, p := range lambdaAPIPrefixes {
		s.router.HandlePrefix(p, s.svc.lambda)
	}

	s.svc.websocket = websocket.NewLocalRegistry()
	s.router.HandleConnections(websocket.ConnectionsHandler(s.svc.websocket, websocket.ConnectionsOptions{
		Logger: s.logger,
	}))
	return nil
}

// stopServices stops functions first (they may still write), then
// DynamoDB's background work, then flushes and closes storage.
func (s *Server) stopServices(ctx context.Context) error {
	var errs []error
	if s.svc.lambda != nil {
		if err := s.svc.lambda.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("lambda: %w", err))
		}
	}
	if s.svc.dynamodb != nil {
		if err := s.svc.dynamodb.Close(); err != nil {
			errs = append(errs, fmt.Errorf("dynamodb: %w", err))
		}
	}
	if s.svc.store != nil {
		if err := s.svc.store.Close(); err != nil {
			errs = append(errs, fmt.Errorf("storage: %w", err))
		}
	}
	return errors.Join(errs...)
}
