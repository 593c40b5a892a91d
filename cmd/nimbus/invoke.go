package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/nimbus-dev/nimbus/internal/nimbus"
)

// invokeCmd runs one function of the template once, like `sam local invoke`:
// the result goes to stdout, logs to stderr, and a function error makes the
// exit code 1.
func invokeCmd(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("nimbus invoke", stderr)
	eventPath := fs.String("event", "", "event JSON file, or - for standard input (default {})")
	tmpl := fs.String("template", ".", "project folder or template file (`NIMBUS_TEMPLATE`)")
	flags := addAppFlags(fs)
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: nimbus invoke FUNCTION [--event FILE|-] [flags]\n\nFUNCTION is a logical id or a function name.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	positional, code, done := parseCommand(fs, args, stderr)
	if done {
		return code
	}
	if len(positional) != 1 {
		fs.Usage()
		return 2
	}
	payload := []byte("{}")
	var err error
	switch *eventPath {
	case "":
	case "-":
		payload, err = io.ReadAll(stdin)
	default:
		payload, err = os.ReadFile(*eventPath)
	}
	if err != nil {
		fmt.Fprintf(stderr, "nimbus invoke: reading the event: %v\n", err)
		return 2
	}
	logger, err := flags.logger(stderr)
	if err != nil {
		fmt.Fprintf(stderr, "nimbus invoke: %v\n", err)
		return 2
	}
	cfg := flags.config(logger)
	cfg.Host, cfg.Port = "127.0.0.1", 0
	cfg.Template, cfg.FunctionsOnly = *tmpl, true

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv, err := nimbus.New(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "nimbus invoke: %v\n", err)
		return 1
	}
	defer func() {
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdownCtx)
	}()
	resp, err := srv.Invoke(ctx, positional[0], payload)
	if err != nil {
		fmt.Fprintf(stderr, "nimbus invoke: %v\n", err)
		if names := srv.FunctionNames(); len(names) > 0 {
			fmt.Fprintf(stderr, "functions in this app: %s\n", strings.Join(names, ", "))
		}
		return 1
	}
	stdout.Write(resp.Payload)
	fmt.Fprintln(stdout)
	if resp.FunctionError != "" {
		return 1
	}
	return 0
}
