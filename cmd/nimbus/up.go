package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/nimbus-dev/nimbus/internal/nimbus"
)

func up(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("nimbus up", stderr)
	port := fs.Int("port", 4566, "edge port for the AWS service APIs (`NIMBUS_PORT`)")
	host := fs.String("host", "127.0.0.1", "address to listen on (`NIMBUS_HOST`)")
	data := fs.String("data", "", "data folder (`NIMBUS_DATA`; default .nimbus/ beside the template)")
	inMemory := fs.Bool("in-memory", false, "keep tables in memory only (`NIMBUS_IN_MEMORY`)")
	logFormat := fs.String("log-format", "text", "log format: text or json (`NIMBUS_LOG_FORMAT`)")
	region := fs.String("region", nimbus.DefaultRegion, "AWS region Nimbus reports (`NIMBUS_REGION`)")
	stage := fs.String("stage", "", "serverless.yml stage (`NIMBUS_STAGE`; default the file's)")
	params := paramFlag{}
	fs.Var(params, "param", "template parameter Key=Value, repeatable (`NIMBUS_PARAM`, comma-separated)")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: nimbus up [DIR|TEMPLATE] [flags]\n\nFlags:\n")
		fs.PrintDefaults()
	}
	positional, given, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		return 2
	}
	if err := envDefaults(fs, given); err != nil {
		fmt.Fprintf(stderr, "nimbus up: %v\n", err)
		return 2
	}
	if len(positional) > 1 {
		fmt.Fprintf(stderr, "nimbus up: one project folder or template at most, got %q\n", positional)
		return 2
	}
	logger, err := newLogger(*logFormat, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "nimbus up: %v\n", err)
		return 2
	}
	cfg := nimbus.Config{
		Host:     *host,
		Port:     *port,
		DataDir:  *data,
		InMemory: *inMemory || boolEnv("NIMBUS_IN_MEMORY"),
		Params:   params,
		Region:   *region,
		Stage:    *stage,
		Version:  version,
		Logger:   logger,
	}
	if len(positional) == 1 {
		cfg.Template = positional[0]
	} else {
		cfg.Template, cfg.TemplateOptional = ".", true
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv, err := nimbus.New(ctx, cfg)
	if err != nil {
		logger.Error("nimbus cannot start", "err", err)
		return 1
	}
	srv.PrintBanner(stdout)
	<-ctx.Done()
	stop()
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		logger.Error("shutdown", "err", err)
		return 1
	}
	return 0
}

func newLogger(format string, w io.Writer) (*slog.Logger, error) {
	opts := &slog.HandlerOptions{Level: slog.LevelInfo}
	if os.Getenv("NIMBUS_DEBUG") != "" {
		opts.Level = slog.LevelDebug
	}
	switch format {
	case "text", "":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	default:
		return nil, fmt.Errorf("--log-format must be text or json, not %q", format)
	}
}
