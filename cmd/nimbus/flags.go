package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/nimbus-dev/nimbus/internal/nimbus"
)

// paramFlag collects repeated --param Key=Value flags.
type paramFlag map[string]string

func (p paramFlag) String() string {
	var parts []string
	for k, v := range p {
		parts = append(parts, k+"="+v)
	}
	return strings.Join(parts, ",")
}

func (p paramFlag) Set(s string) error {
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return fmt.Errorf("want Key=Value, got %q", kv)
		}
		p[strings.TrimSpace(k)] = v
	}
	return nil
}

// appFlags are the flags of every command that loads an app.
type appFlags struct {
	data, logFormat, region, stage *string
	inMemory                       *bool
	params                         paramFlag
}

func addAppFlags(fs *flag.FlagSet) *appFlags {
	a := &appFlags{params: paramFlag{}}
	a.data = fs.String("data", "", "data folder (`NIMBUS_DATA`; default .nimbus/ beside the template)")
	a.inMemory = fs.Bool("in-memory", false, "keep tables in memory only (`NIMBUS_IN_MEMORY`)")
	a.logFormat = fs.String("log-format", "text", "log format: text or json (`NIMBUS_LOG_FORMAT`)")
	a.region = fs.String("region", nimbus.DefaultRegion, "AWS region Nimbus reports (`NIMBUS_REGION`)")
	a.stage = fs.String("stage", "", "serverless.yml stage (`NIMBUS_STAGE`; default the file's)")
	fs.Var(a.params, "param", "template parameter Key=Value, repeatable (`NIMBUS_PARAM`, comma-separated)")
	return a
}

// config is the server configuration the flags describe.
func (a *appFlags) config(logger *slog.Logger) nimbus.Config {
	return nimbus.Config{
		DataDir:  *a.data,
		InMemory: *a.inMemory,
		Params:   a.params,
		Region:   *a.region,
		Stage:    *a.stage,
		Version:  version,
		Logger:   logger,
	}
}

// logger is the logger the --log-format flag asks for.
func (a *appFlags) logger(w io.Writer) (*slog.Logger, error) {
	opts := &slog.HandlerOptions{Level: slog.LevelInfo}
	if os.Getenv("NIMBUS_DEBUG") != "" {
		opts.Level = slog.LevelDebug
	}
	switch *a.logFormat {
	case "text", "":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	default:
		return nil, fmt.Errorf("--log-format must be text or json, not %q", *a.logFormat)
	}
}

// parseCommand parses args, whose flags may come before or after
// positional arguments (`nimbus up examples/chat --port 5000`), then sets
// every flag not given on the command line from its NIMBUS_* environment
// variable. done reports that the command should exit with code.
func parseCommand(fs *flag.FlagSet, args []string, stderr io.Writer) (positional []string, code int, done bool) {
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			return nil, 0, true
		}
		if err != nil {
			return nil, 2, true
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if err != nil || given[f.Name] {
			return
		}
		name := "NIMBUS_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(name); ok && v != "" {
			if e := fs.Set(f.Name, v); e != nil {
				err = fmt.Errorf("%s=%q: %v", name, v, e)
			}
		}
	})
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", fs.Name(), err)
		return nil, 2, true
	}
	return positional, 0, false
}

func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}
