package nimbus

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// goRuntimeLoop is a custom runtime written against the Runtime API with
// the standard library only, so the test module needs no downloads.
const goRuntimeLoop = `package main

import (
	"io"
	"net/http"
	"os"
	"strings"

	"example.com/goapp/greet"
)

func main() {
	api := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime/invocation/"
	for {
		resp, err := http.Get(api + "next")
		if err != nil {
			os.Exit(1)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		id := resp.Header.Get("Lambda-Runtime-Aws-Request-Id")
		r, err := http.Post(api+id+"/response", "application/json", strings.NewReader("\"" + greet.Greeting + "\""))
		if err != nil {
			os.Exit(1)
		}
		r.Body.Close()
	}
}
`

// TestEditingASharedGoPackageRebuildsTheFunction: a Go function built from
// sources is rebuilt when a package of its module that it imports changes,
// not only when its own folder does.
func TestEditingASharedGoPackageRebuildsTheFunction(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("needs the Go toolchain")
	}
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":         "module example.com/goapp\n\ngo 1.22\n",
		"fn/main.go":     goRuntimeLoop,
		"greet/greet.go": "package greet\n\nconst Greeting = \"hello\"\n",
		"template.yaml": `Transform: AWS::Serverless-2016-10-31
Resources:
  Greeter:
    Type: AWS::Serverless::Function
    Metadata:
      BuildMethod: go1.x
    Properties:
      CodeUri: fn/
      Handler: bootstrap
      Runtime: provided.al2023
`,
	}
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	srv := startServer(t, Config{Template: dir, DataDir: t.TempDir(), InMemory: true})
	greet := func() string {
		resp, err := srv.Invoke(context.Background(), "Greeter", []byte("{}"))
		if err != nil {
			return err.Error()
		}
		return string(resp.Payload)
	}
	if got := greet(); got != `"hello"` {
		t.Fatalf("before the edit: %s", got)
	}
	if err := os.WriteFile(filepath.Join(dir, "greet", "greet.go"), []byte("package greet\n\nconst Greeting = \"bonjour\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the function answers with the edited package", func() error {
		if got := greet(); !strings.Contains(got, "bonjour") {
			return &statusError{0, got}
		}
		return nil
	})
}
