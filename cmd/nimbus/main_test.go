package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	tests := []struct {
		args     []string
		code     int
		out, err string
	}{
		{[]string{"version"}, 0, "nimbus " + version, ""},
		{nil, 2, "", "Usage:"},
		{[]string{"frobnicate"}, 2, "", `unknown command "frobnicate"`},
		{[]string{"up", "-h"}, 0, "", "-in-memory"},
		{[]string{"up", "a", "b"}, 2, "", "one project folder or template at most"},
		{[]string{"up", "--log-format", "xml"}, 2, "", "--log-format must be text or json"},
		{[]string{"up", "--param", "novalue"}, 2, "", "want Key=Value"},
		{[]string{"invoke"}, 2, "", "Usage: nimbus invoke FUNCTION"},
	}
	for _, tc := range tests {
		var stdout, stderr bytes.Buffer
		code := run(tc.args, strings.NewReader(""), &stdout, &stderr)
		if code != tc.code || !strings.Contains(stdout.String(), tc.out) || !strings.Contains(stderr.String(), tc.err) {
			t.Errorf("run(%q) = %d, stdout %q, stderr %q; want %d, %q, %q", tc.args, code, stdout.String(), stderr.String(), tc.code, tc.out, tc.err)
		}
	}
}

func TestParseCommandFlagsAfterPositionalAndFromEnv(t *testing.T) {
	t.Setenv("NIMBUS_PORT", "5000")
	t.Setenv("NIMBUS_IN_MEMORY", "true")
	t.Setenv("NIMBUS_PARAM", "A=1,B=2")
	t.Setenv("NIMBUS_REGION", "eu-west-1")
	var stderr bytes.Buffer
	fs := newFlagSet("test", &stderr)
	port := fs.Int("port", 4566, "")
	flags := addAppFlags(fs)
	positional, _, done := parseCommand(fs, []string{"examples/chat", "--region", "ap-northeast-1"}, &stderr)
	if done {
		t.Fatalf("parse stopped: %s", stderr.String())
	}
	cfg := flags.config(nil)
	if len(positional) != 1 || positional[0] != "examples/chat" {
		t.Errorf("positional = %q", positional)
	}
	if *port != 5000 || !cfg.InMemory || cfg.Params["A"] != "1" || cfg.Params["B"] != "2" {
		t.Errorf("env defaults not applied: port %d, cfg %+v", *port, cfg)
	}
	if cfg.Region != "ap-northeast-1" {
		t.Errorf("region = %q: a flag given on the command line beats NIMBUS_REGION", cfg.Region)
	}
}
