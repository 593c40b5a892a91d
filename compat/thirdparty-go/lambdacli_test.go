package thirdpartygo

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/nimbus-dev/nimbus/compat/internal/compattest"
)

// awsCLI runs the AWS CLI against one Nimbus edge, as a user would after
// `nimbus up` with no template: any credentials, --endpoint-url.
type awsCLI struct {
	t    *testing.T
	path string
	edge string
	dir  string
	v2   bool
}

// run runs `aws lambda ARGS` and returns stdout, stderr and the exit code.
func (c *awsCLI) run(args ...string) (string, string, int) {
	c.t.Helper()
	cmd := exec.Command(c.path, append(append([]string{"lambda"}, args...), "--endpoint-url", c.edge, "--region", "us-east-1", "--output", "json")...)
	// The developer's own AWS settings (profile, endpoint, region) stay out.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "AWS_ACCESS_KEY_ID=AKIDCLI", "AWS_SECRET_ACCESS_KEY=cli",
		"AWS_PAGER=", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	cmd.Dir = c.dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		c.t.Fatalf("aws %v: %v", args, err)
	}
	return stdout.String(), stderr.String(), cmd.ProcessState.ExitCode()
}

// json runs a command that must succeed and decodes its JSON output.
func (c *awsCLI) json(args ...string) map[string]any {
	c.t.Helper()
	stdout, stderr, code := c.run(args...)
	if code != 0 {
		c.t.Fatalf("aws lambda %v: exit %d\n%s%s", args, code, stdout, stderr)
	}
	var out map[string]any
	if strings.TrimSpace(stdout) == "" {
		return nil
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		c.t.Fatalf("aws lambda %v: %v in %s", args, err, stdout)
	}
	return out
}

// fails runs a command that must fail with the CLI's rendering of a
// service error: "An error occurred (TYPE) when calling the OP operation: MESSAGE".
func (c *awsCLI) fails(want string, args ...string) {
	c.t.Helper()
	stdout, stderr, code := c.run(args...)
	if code != 254 && code != 255 || strings.TrimSpace(stderr) != want {
		c.t.Errorf("aws lambda %v: exit %d, stdout %q\nstderr %q\nwant   %q", args, code, stdout, strings.TrimSpace(stderr), want)
	}
}

// invoke is `aws lambda invoke` with a JSON payload given as text (CLI v2
// needs --cli-binary-format raw-in-base64-out for that; v1 sends it as is).
func (c *awsCLI) invoke(function, payload, outfile string, extra ...string) map[string]any {
	c.t.Helper()
	args := []string{"invoke", "--function-name", function, "--payload", payload}
	if c.v2 {
		args = append(args, "--cli-binary-format", "raw-in-base64-out")
	}
	return c.json(append(append(args, extra...), outfile)...)
}

func (c *awsCLI) read(name string) string {
	c.t.Helper()
	b, err := os.ReadFile(filepath.Join(c.dir, name))
	if err != nil {
		c.t.Fatal(err)
	}
	return string(b)
}

// TestAWSCLILambdaWorkflow is the AWS CLI's Lambda workflow against
// `nimbus up` with no template: create-function from zips (a Python
// handler and a Go bootstrap for provided.al2023), the active waiter,
// invoke (RequestResponse with the log tail, Event, DryRun, a function
// error), get-function, get-function-configuration, list-functions
// paginated with --max-items, update-function-code,
// update-function-configuration, delete-function, and the service errors,
// each checked against Lambda's API reference.
func TestAWSCLILambdaWorkflow(t *testing.T) {
	path := compattest.RequireTool(t, "aws", "install the AWS CLI (pip install awscli, or the v2 installer)")
	compattest.RequireTool(t, "python3", "install Python 3 (apt-get install python3)")
	goTool := compattest.RequireTool(t, "go", "install Go from go.dev/dl")
	app := compattest.Start(t, "")
	dir := t.TempDir()
	version, _ := exec.Command(path, "--version").CombinedOutput()
	cli := &awsCLI{t: t, path: path, edge: app.Edge, dir: dir, v2: strings.HasPrefix(string(version), "aws-cli/2")}

	// The deployment packages, made as the Lambda docs make them.
	handler, err := os.ReadFile("testdata/handler.py")
	if err != nil {
		t.Fatal(err)
	}
	pyZip := writeZip(t, dir, "python.zip", "handler.py", handler, 0o644)
	pyZip2 := writeZip(t, dir, "python2.zip", "handler.py", bytes.Replace(handler, []byte("VERSION = 1"), []byte("VERSION = 2"), 1), 0o644)
	build := exec.Command(goTool, "build", "-tags", "lambda.norpc", "-o", filepath.Join(dir, "bootstrap"), "./clifn")
	build.Dir = "app"
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+runtime.GOOS, "GOARCH="+runtime.GOARCH)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	bootstrap, _ := os.ReadFile(filepath.Join(dir, "bootstrap"))
	writeZip(t, dir, "go.zip", "bootstrap", bootstrap, 0o755)
	if err := os.WriteFile(filepath.Join(dir, "bad.zip"), []byte("PK\x03\x04 not really a zip"), 0o644); err != nil {
		t.Fatal(err)
	}
	role := "arn:aws:iam::123456789012:role/lambda-role"

	// create-function answers 201 with the configuration, State Pending.
	created := cli.json("create-function", "--function-name", "py-fn", "--runtime", "python3.12", "--handler", "handler.handler",
		"--role", role, "--zip-file", "fileb://python.zip", "--description", "python via the CLI",
		"--environment", "Variables={GREETING=hello}")
	sum := sha256.Sum256(pyZip)
	expect(t, "create-function", created, map[string]any{
		"FunctionName": "py-fn", "Runtime": "python3.12", "Role": role, "Handler": "handler.handler",
		"CodeSize": float64(len(pyZip)), "CodeSha256": base64.StdEncoding.EncodeToString(sum[:]),
		"Description": "python via the CLI", "Timeout": float64(3), "MemorySize": float64(128), "Version": "$LATEST",
		"State": "Pending", "StateReasonCode": "Creating", "PackageType": "Zip",
		"Environment":   map[string]any{"Variables": map[string]any{"GREETING": "hello"}},
		"TracingConfig": map[string]any{"Mode": "PassThrough"}, "Architectures": []any{"x86_64"},
		"EphemeralStorage": map[string]any{"Size": float64(512)},
	})
	if arn, _ := created["FunctionArn"].(string); !regexp.MustCompile(`^arn:aws:lambda:us-east-1:\d{12}:function:py-fn$`).MatchString(arn) {
		t.Errorf("FunctionArn %q", arn)
	}
	if lm, _ := created["LastModified"].(string); !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$`).MatchString(lm) {
		t.Errorf("LastModified %q, want Lambda's 2024-01-02T15:04:05.000+0000 form", lm)
	}
	cli.json("create-function", "--function-name", "go-fn", "--runtime", "provided.al2023", "--handler", "bootstrap",
		"--role", role, "--zip-file", "fileb://go.zip", "--architectures", "x86_64")
	for _, name := range []string{"py-fn", "go-fn"} {
		if _, stderr, code := cli.run("wait", "function-active-v2", "--function-name", name); code != 0 {
			t.Fatalf("wait function-active-v2 %s: %s", name, stderr)
		}
	}

	// invoke with the log tail: the payload in the out file, the last 4 KB
	// of the log base64-encoded in LogResult.
	out := cli.invoke("py-fn", `{"a":1,"s":"日本"}`, "py.json", "--log-type", "Tail")
	expect(t, "invoke", out, map[string]any{"StatusCode": float64(200), "ExecutedVersion": "$LATEST"})
	var result map[string]any
	if err := json.Unmarshal([]byte(cli.read("py.json")), &result); err != nil {
		t.Fatal(err)
	}
	expect(t, "py-fn result", result, map[string]any{"version": float64(1), "greeting": "hello", "memory": "128", "function": "py-fn",
		"in": map[string]any{"a": float64(1), "s": "日本"}})
	logTail(t, out, "python function got {\"a\": 1, \"s\": \"\\u65e5\\u672c\"}", "Memory Size: 128 MB")

	out = cli.invoke("go-fn", `{"b":2}`, "go.json", "--log-type", "Tail")
	expect(t, "invoke go-fn", out, map[string]any{"StatusCode": float64(200), "ExecutedVersion": "$LATEST"})
	if err := json.Unmarshal([]byte(cli.read("go.json")), &result); err != nil {
		t.Fatal(err)
	}
	expect(t, "go-fn result", result, map[string]any{"greeting": "", "memory": float64(128), "function": "go-fn", "in": map[string]any{"b": float64(2)}})
	logTail(t, out, "go function got map[b:2]", "Memory Size: 128 MB")

	// A function error: exit 0, FunctionError Unhandled, the error document.
	out = cli.invoke("py-fn", `{"fail":true}`, "err.json")
	expect(t, "invoke failing", out, map[string]any{"StatusCode": float64(200), "FunctionError": "Unhandled", "ExecutedVersion": "$LATEST"})
	var fnErr map[string]any
	if err := json.Unmarshal([]byte(cli.read("err.json")), &fnErr); err != nil || fnErr["errorType"] != "ValueError" || fnErr["errorMessage"] != "asked to fail" {
		t.Errorf("function error document %v (%v)", fnErr, err)
	}

	// Event: 202 and no payload; the function still runs. DryRun: 204.
	marker := filepath.Join(dir, "event-ran")
	out = cli.invoke("py-fn", `{"touch":"`+marker+`"}`, "event.json", "--invocation-type", "Event")
	if len(out) != 1 || out["StatusCode"] != float64(202) || cli.read("event.json") != "" {
		t.Errorf("Event invoke: %v, out file %q", out, cli.read("event.json"))
	}
	compattest.Eventually(t, 10*time.Second, "the Event invocation to run", func() bool { _, err := os.Stat(marker); return err == nil })
	out = cli.invoke("py-fn", `{}`, "dry.json", "--invocation-type", "DryRun")
	if len(out) != 1 || out["StatusCode"] != float64(204) {
		t.Errorf("DryRun invoke: %v", out)
	}

	// get-function: Active/Successful and a Code.Location that downloads
	// the package; get-function-configuration is the configuration alone.
	got := cli.json("get-function", "--function-name", "py-fn")
	conf, _ := got["Configuration"].(map[string]any)
	expect(t, "get-function", conf, map[string]any{"FunctionName": "py-fn", "State": "Active", "LastUpdateStatus": "Successful", "CodeSize": float64(len(pyZip))})
	code, _ := got["Code"].(map[string]any)
	if code["RepositoryType"] != "S3" || !strings.HasPrefix(code["Location"].(string), "http") {
		t.Errorf("get-function Code %v", code)
	} else if res := compattest.Do(t, "GET", code["Location"].(string), nil, ""); res.Status != 200 || !zipHolds(res.Body, "handler.py") {
		t.Errorf("Code.Location: %d, %d bytes", res.Status, len(res.Body))
	}
	gc := cli.json("get-function-configuration", "--function-name", "go-fn")
	expect(t, "get-function-configuration", gc, map[string]any{"FunctionName": "go-fn", "Runtime": "provided.al2023", "Handler": "bootstrap", "State": "Active", "LastUpdateStatus": "Successful"})

	// list-functions, paginated: --max-items gives a NextToken the CLI
	// resumes from with --starting-token; --page-size sets MaxItems.
	for _, name := range []string{"extra-a", "extra-b", "extra-c"} {
		cli.json("create-function", "--function-name", name, "--runtime", "python3.12", "--handler", "handler.handler", "--role", role, "--zip-file", "fileb://python.zip")
	}
	var names []string
	token := ""
	for pages := 0; ; pages++ {
		args := []string{"list-functions", "--max-items", "2", "--page-size", "1"}
		if token != "" {
			args = append(args, "--starting-token", token)
		}
		page := cli.json(args...)
		fns, _ := page["Functions"].([]any)
		if len(fns) > 2 || pages > 5 {
			t.Fatalf("list-functions page %d: %v", pages, page)
		}
		for _, f := range fns {
			names = append(names, f.(map[string]any)["FunctionName"].(string))
			if _, ok := f.(map[string]any)["State"]; ok {
				t.Errorf("list-functions entry has State (Lambda leaves it out): %v", f)
			}
		}
		token, _ = page["NextToken"].(string)
		if token == "" {
			break
		}
	}
	if strings.Join(names, ",") != "extra-a,extra-b,extra-c,go-fn,py-fn" {
		t.Errorf("list-functions over pages: %v", names)
	}

	// update-function-code: a new CodeSha256, InProgress, then the new code runs.
	updated := cli.json("update-function-code", "--function-name", "py-fn", "--zip-file", "fileb://python2.zip")
	sum2 := sha256.Sum256(pyZip2)
	expect(t, "update-function-code", updated, map[string]any{"CodeSha256": base64.StdEncoding.EncodeToString(sum2[:]), "LastUpdateStatus": "InProgress", "State": "Active"})
	if _, stderr, code := cli.run("wait", "function-updated-v2", "--function-name", "py-fn"); code != 0 {
		t.Fatalf("wait function-updated-v2: %s", stderr)
	}
	cli.invoke("py-fn", `{}`, "py2.json")
	if err := json.Unmarshal([]byte(cli.read("py2.json")), &result); err != nil || result["version"] != float64(2) {
		t.Errorf("after update-function-code: %v %v", result, err)
	}

	// update-function-configuration: environment, timeout and memory.
	updated = cli.json("update-function-configuration", "--function-name", "go-fn", "--environment", "Variables={GREETING=hi,B=2}",
		"--timeout", "15", "--memory-size", "256", "--description", "updated")
	expect(t, "update-function-configuration", updated, map[string]any{"Timeout": float64(15), "MemorySize": float64(256), "Description": "updated",
		"Environment": map[string]any{"Variables": map[string]any{"GREETING": "hi", "B": "2"}}, "LastUpdateStatus": "InProgress"})
	out = cli.invoke("go-fn", `{}`, "go2.json", "--log-type", "Tail")
	if err := json.Unmarshal([]byte(cli.read("go2.json")), &result); err != nil || result["greeting"] != "hi" || result["memory"] != float64(256) {
		t.Errorf("after update-function-configuration: %v %v", result, err)
	}
	logTail(t, out, "go function got map[]", "Memory Size: 256 MB")

	// delete-function answers 204 with no body; CLIs whose model binds the
	// status code (DeleteFunctionResponse.StatusCode) print it.
	if stdout, stderr, code := cli.run("delete-function", "--function-name", "extra-c"); code != 0 ||
		strings.TrimSpace(stdout) != "" && strings.Join(strings.Fields(stdout), " ") != `{ "StatusCode": 204 }` {
		t.Errorf("delete-function: exit %d %q %q", code, stdout, stderr)
	}

	// Service errors as the CLI renders Lambda's answers.
	arn := strings.TrimSuffix(created["FunctionArn"].(string), "py-fn")
	cli.fails("An error occurred (ResourceNotFoundException) when calling the GetFunction operation: Function not found: "+arn+"extra-c",
		"get-function", "--function-name", "extra-c")
	cli.fails("An error occurred (ResourceNotFoundException) when calling the DeleteFunction operation: Function not found: "+arn+"extra-c",
		"delete-function", "--function-name", "extra-c")
	cli.fails("An error occurred (ResourceNotFoundException) when calling the Invoke operation: Function not found: "+arn+"nope",
		"invoke", "--function-name", "nope", "x.json")
	cli.fails("An error occurred (ResourceConflictException) when calling the CreateFunction operation: Function already exist: py-fn",
		"create-function", "--function-name", "py-fn", "--runtime", "python3.12", "--handler", "handler.handler", "--role", role, "--zip-file", "fileb://python.zip")
	cli.fails("An error occurred (InvalidParameterValueException) when calling the CreateFunction operation: Could not unzip uploaded file. Please check your file, then try to upload again.",
		"create-function", "--function-name", "bad-zip", "--runtime", "python3.12", "--handler", "handler.handler", "--role", role, "--zip-file", "fileb://"+corruptZip(t, dir))
	_, stderr, _ := cli.run("create-function", "--function-name", "bad-runtime", "--runtime", "cobol9", "--handler", "h.h", "--role", role, "--zip-file", "fileb://python.zip")
	if stderr = strings.TrimSpace(stderr); !strings.HasPrefix(stderr, "An error occurred (InvalidParameterValueException) when calling the CreateFunction operation: Value cobol9 at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [") ||
		!strings.HasSuffix(stderr, "] or be a valid ARN") {
		t.Errorf("bad runtime: %s", stderr)
	}
	cli.fails("An error occurred (InvalidParameterValueException) when calling the UpdateFunctionCode operation: Could not unzip uploaded file. Please check your file, then try to upload again.",
		"update-function-code", "--function-name", "py-fn", "--zip-file", "fileb://"+corruptZip(t, dir))
	if _, stderr, code := cli.run("update-function-code", "--function-name", "py-fn", "--zip-file", "fileb://bad.zip"); code == 0 || !strings.Contains(stderr, "--zip-file must be a zip file") {
		t.Errorf("the CLI's own zip check: exit %d %s", code, stderr)
	}
	_, stderr, _ = cli.run("invoke", "--function-name", "py-fn", "--payload", "not json", "x.json")
	if !strings.HasPrefix(strings.TrimSpace(stderr), "An error occurred (InvalidRequestContentException) when calling the Invoke operation: Could not parse request body into json") {
		t.Errorf("invoke with a payload that is not JSON: %s", stderr)
	}
}

// expect checks the members of got that want names.
func expect(t *testing.T, what string, got, want map[string]any) {
	t.Helper()
	for k, w := range want {
		gj, _ := json.Marshal(got[k])
		wj, _ := json.Marshal(w)
		if !bytes.Equal(gj, wj) {
			t.Errorf("%s: %s = %s, want %s", what, k, gj, wj)
		}
	}
}

// logTail decodes LogResult and checks Lambda's START/END/REPORT framing
// around the function's own lines.
func logTail(t *testing.T, out map[string]any, lines ...string) {
	t.Helper()
	enc, _ := out["LogResult"].(string)
	raw, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		t.Fatalf("LogResult %q: %v", enc, err)
	}
	log := string(raw)
	if !regexp.MustCompile(`(?s)^START RequestId: [0-9a-f-]{36} Version: \$LATEST\n.*END RequestId: [0-9a-f-]{36}\nREPORT RequestId: [0-9a-f-]{36}\tDuration: [0-9.]+ ms\tBilled Duration: \d+ ms\t`).MatchString(log) {
		t.Errorf("log tail framing:\n%s", log)
	}
	for _, l := range lines {
		if !strings.Contains(log, l) {
			t.Errorf("log tail lacks %q:\n%s", l, log)
		}
	}
}

func writeZip(t *testing.T, dir, name, entry string, content []byte, mode os.FileMode) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	h := &zip.FileHeader{Name: entry, Method: zip.Deflate}
	h.SetMode(mode)
	w, err := zw.CreateHeader(h)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(content)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// corruptZip writes a zip whose directory is sound (the CLI's own check
// passes) but whose entry does not inflate, and returns its name.
func corruptZip(t *testing.T, dir string) string {
	t.Helper()
	data := writeZip(t, dir, "corrupt.zip", "handler.py", bytes.Repeat([]byte("def handler(e, c):\n    return e\n"), 50), 0o644)
	start := 30 + len("handler.py")
	for i := start + 2; i < start+20; i++ {
		data[i] ^= 0xff
	}
	if err := os.WriteFile(filepath.Join(dir, "corrupt.zip"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return "corrupt.zip"
}

func zipHolds(data []byte, name string) bool {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return false
	}
	for _, f := range zr.File {
		if f.Name == name {
			return true
		}
	}
	return false
}
