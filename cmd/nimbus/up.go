package main

import (
	"context"
	"fmt"
	"io"
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
	flags := addAppFlags(fs)
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: nimbus up [DIR|TEMPLATE] [flags]\n\nFlags:\n")
		fs.PrintDefaults()
	}
	positional, code, done := parseCommand(fs, args, stderr)
	if done {
		return code
	}
	if len(positional) > 1 {
		fmt.Fprintf(stderr, "nimbus up: one project folder or template at most, got %q\n", positional)
		return 2
	}
	logger, err := flags.logger(stderr)
	if err != nil {
		fmt.Fprintf(stderr, "nimbus up: %v\n", err)
		return 2
	}
	cfg := flags.config(logger)
	cfg.Host, cfg.Port = *host, *port
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
