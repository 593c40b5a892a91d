package lambda

import (
	"context"
	"os"
	"os/exec"
	"runtime"
	"testing"
	"time"

	"github.com/nimbus-dev/nimbus/internal/app"
)

func TestLayersReachLambdaSearchPaths(t *testing.T) {
	requireTool(t, "curl", "apt-get install curl")
	first := writeFiles(t, map[string]string{
		"nodejs/node_modules/greeter/index.js": "module.exports = (n) => 'hello ' + n;",
		"python/greeter_py.py":                 "def greet(n):\n    return 'hi ' + n\n",
		"bin/layer-tool.sh":                    "#!/bin/sh\necho tool-A\n",
		"marker":                               "first",
	})
	second := writeFiles(t, map[string]string{
		"bin/layer-tool.sh": "#!/bin/sh\necho tool-B\n",
		"marker":            "second",
	})
	code := writeFiles(t, map[string]string{
		"cjs.js":  "const greet = require('greeter'); exports.handler = async (e) => greet(e.name);",
		"esm.mjs": "import greet from 'greeter'; export const handler = async (e) => greet(e.name);",
		"app.py":  "from greeter_py import greet\n\ndef handler(event, context):\n    return greet(event['name'])\n",
		"bootstrap": `#!/bin/sh
while true; do
  H=$(mktemp)
  curl -s -D "$H" "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/next" >/dev/null
  ID=$(grep -Fi Lambda-Runtime-Aws-Request-Id "$H" | tr -d '[:space:]' | cut -d: -f2)
  OPT=$(cat /opt/marker 2>/dev/null || echo none)
  curl -s -d "\"$(layer-tool.sh) $OPT\"" "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/$ID/response" >/dev/null
done
`,
	})
	layers := []*app.Layer{{Name: "first", ContentDir: first}, {Name: "second", ContentDir: second}}
	fn := func(name, runtime, handler string) *app.Function {
		return &app.Function{Name: name, Runtime: runtime, Handler: handler, CodeDir: code, Timeout: 5 * time.Second, Layers: []string{"first", "second"}}
	}
	fns := []*app.Function{fn("sh", "provided.al2023", "x")}
	if _, err := exec.LookPath("node"); err == nil || os.Getenv("CI") == "true" {
		fns = append(fns, fn("cjs", "nodejs20.x", "cjs.handler"), fn("esm", "nodejs20.x", "esm.handler"))
	}
	if _, err := exec.LookPath("python3"); err == nil || os.Getenv("CI") == "true" {
		fns = append(fns, fn("py", "python3.11", "app.handler"))
	}
	h := newHarness(t, Options{})
	if err := h.svc.Apply(context.Background(), fns, layers); err != nil {
		t.Fatal(err)
	}
	for _, f := range fns[1:] {
		want := `"hello nimbus"`
		if f.Name == "py" {
			want = `"hi nimbus"`
		}
		if out := invokeJSON(t, h, f.Name, `{"name":"nimbus"}`); string(out.Payload) != want {
			t.Errorf("%s: %s", f.Name, out.Payload)
		}
	}
	out := invokeJSON(t, h, "sh", `{}`)
	want := `"tool-B none"`
	if runtime.GOOS == "linux" && optMountWorks() {
		want = `"tool-B second"`
	}
	if string(out.Payload) != want {
		t.Errorf("bootstrap: %s, want %s", out.Payload, want)
	}
}

// optMountWorks mirrors the runtimes probe for the expectation above.
func optMountWorks() bool {
	if _, err := os.Stat("/opt"); err != nil {
		return false
	}
	return exec.Command("unshare", "--user", "--map-current-user", "--mount", "--", "/bin/sh", "-c", "mount --bind / /opt").Run() == nil
}
