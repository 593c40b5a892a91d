// Command nimbus runs serverless apps written for API Gateway, Lambda and
// DynamoDB on this machine: `nimbus up` in a project folder.
package main

import (
	"fmt"
	"io"
	"os"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

const usage = `Nimbus runs API Gateway + Lambda + DynamoDB apps locally, unchanged.

Usage:
  nimbus up [DIR|TEMPLATE] [flags]   run the app (or, with no template, the service APIs alone)
  nimbus invoke FUNCTION [--event FILE|-] [--template DIR|FILE]
                                     run one function of the app once and print its result
  nimbus version                     print the version

Run 'nimbus up -h' or 'nimbus invoke -h' for their flags.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "up":
		return up(args[1:], stdout, stderr)
	case "invoke":
		return invokeCmd(args[1:], stdin, stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintf(stdout, "nimbus %s\n", version)
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "nimbus: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
}
