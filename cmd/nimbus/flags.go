package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
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

// envDefaults sets every flag not given on the command line from its
// NIMBUS_* environment variable (--in-memory reads NIMBUS_IN_MEMORY).
func envDefaults(fs *flag.FlagSet, given map[string]bool) error {
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if err != nil || given[f.Name] {
			return
		}
		name := "NIMBUS_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		v, ok := os.LookupEnv(name)
		if !ok || v == "" {
			return
		}
		if e := fs.Set(f.Name, v); e != nil {
			err = fmt.Errorf("%s=%q: %v", name, v, e)
		}
	})
	return err
}

// parseInterspersed parses flags that may come before or after positional
// arguments (`nimbus up examples/chat --port 5000`).
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, map[string]bool, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, nil, err
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
	return positional, given, nil
}

func boolEnv(name string) bool {
	b, _ := strconv.ParseBool(os.Getenv(name))
	return b
}

func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}
