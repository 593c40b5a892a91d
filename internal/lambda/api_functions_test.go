package lambda

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// zipOf packs name→content files (bootstrap executable) into a zip.
func zipOf(t testing.TB, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, content := range files {
		hdr := &zip.FileHeader{Name: name, Method: zip.Deflate}
		mode := os.FileMode(0o644)
		if strings.HasSuffix(name, "bootstrap") {
			mode = 0o755
		}
		hdr.SetMode(mode)
		w, err := zw.CreateHeader(hdr)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write([]byte(content))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// echoBootstrap answers every invocation with the JSON string $REPLY.
const echoBootstrap = "#!/bin/sh\nwhile true; do\n  H=$(mktemp)\n  curl -s -D \"$H\" \"http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/next\" >/dev/null\n  ID=$(grep -Fi Lambda-Runtime-Aws-Request-Id \"$H\" | tr -d '[:space:]' | cut -d: -f2)\n  curl -s -d \"\\\"$REPLY\\\"\" \"http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/$ID/response\" >/dev/null\ndone\n"

func TestFunctionsAPIWithZips(t *testing.T) {
	requireTool(t, "curl", "apt-get install curl")
	dataDir := t.TempDir()
	h := newHarness(t, Options{DataDir: dataDir})
	ctx := context.Background()
	created, err := h.client.CreateFunction(ctx, &sdk.CreateFunctionInput{
		FunctionName: aws.String("zipped"),
		Runtime:      types.RuntimeProvidedal2023,
		Role:         aws.String("arn:aws:iam::000000000000:role/lambda"),
		Handler:      aws.String("bootstrap"),
		Code:         &types.FunctionCode{ZipFile: zipOf(t, map[string]string{"bootstrap": echoBootstrap})},
		Environment:  &types.Environment{Variables: map[string]string{"REPLY": "blue"}},
		MemorySize:   aws.Int32(256),
		Timeout:      aws.Int32(5),
	})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(created.FunctionArn) != "arn:aws:lambda:us-east-1:000000000000:function:zipped" || created.State != types.StatePending || aws.ToInt32(created.MemorySize) != 256 || aws.ToString(created.CodeSha256) == "" {
		t.Errorf("created %+v", created)
	}
	waiter := sdk.NewFunctionActiveV2Waiter(h.client, func(o *sdk.FunctionActiveV2WaiterOptions) { o.MinDelay = 10 * time.Millisecond })
	if err := waiter.Wait(ctx, &sdk.GetFunctionInput{FunctionName: aws.String("zipped")}, 5*time.Second); err != nil {
		t.Fatalf("FunctionActiveV2 waiter: %v", err)
	}
	if out := invokeJSON(t, h, "zipped", `{}`); string(out.Payload) != `"blue"` {
		t.Errorf("invoke: %s", out.Payload)
	}

	_, err = h.client.CreateFunction(ctx, &sdk.CreateFunctionInput{FunctionName: aws.String("zipped"), Runtime: types.RuntimeProvidedal2023, Role: aws.String("r"), Code: &types.FunctionCode{ZipFile: zipOf(t, map[string]string{"bootstrap": echoBootstrap})}})
	var conflict *types.ResourceConflictException
	if !errors.As(err, &conflict) {
		t.Errorf("duplicate create: %v", err)
	}
	_, err = h.client.CreateFunction(ctx, &sdk.CreateFunctionInput{FunctionName: aws.String("bad"), Runtime: types.RuntimeJava21, Role: aws.String("r"), Handler: aws.String("x"), Code: &types.FunctionCode{ZipFile: zipOf(t, map[string]string{"bootstrap": echoBootstrap})}})
	var invalid *types.InvalidParameterValueException
	if !errors.As(err, &invalid) {
		t.Errorf("unsupported runtime: %v", err)
	}

	got, err := h.client.GetFunction(ctx, &sdk.GetFunctionInput{FunctionName: aws.String("zipped")})
	if err != nil || aws.ToString(got.Configuration.Handler) != "bootstrap" || got.Code == nil {
		t.Fatalf("get: %v %+v", err, got)
	}
	resp, err := http.Get(aws.ToString(got.Code.Location))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body))); err != nil || len(zr.File) != 1 || zr.File[0].Name != "bootstrap" {
		t.Errorf("code download: %v", err)
	}

	// Update the code: a bootstrap that ignores $REPLY.
	v2 := zipOf(t, map[string]string{"bootstrap": strings.ReplaceAll(echoBootstrap, "$REPLY", "v2")})
	updated, err := h.client.UpdateFunctionCode(ctx, &sdk.UpdateFunctionCodeInput{FunctionName: aws.String("zipped"), ZipFile: v2})
	if err != nil || aws.ToString(updated.CodeSha256) == aws.ToString(created.CodeSha256) {
		t.Fatalf("update code: %v", err)
	}
	if out := invokeJSON(t, h, "zipped", `{}`); string(out.Payload) != `"v2"` {
		t.Errorf("after update: %s", out.Payload)
	}
	cfg, err := h.client.UpdateFunctionConfiguration(ctx, &sdk.UpdateFunctionConfigurationInput{FunctionName: aws.String("zipped"), Timeout: aws.Int32(9), Description: aws.String("updated")})
	if err != nil || aws.ToInt32(cfg.Timeout) != 9 || aws.ToString(cfg.Description) != "updated" {
		t.Errorf("update configuration: %v", err)
	}
	if _, err := h.client.PutFunctionConcurrency(ctx, &sdk.PutFunctionConcurrencyInput{FunctionName: aws.String("zipped"), ReservedConcurrentExecutions: aws.Int32(0)}); err != nil {
		t.Fatal(err)
	}
	_, err = h.client.Invoke(ctx, &sdk.InvokeInput{FunctionName: aws.String("zipped")})
	var throttled *types.TooManyRequestsException
	if !errors.As(err, &throttled) {
		t.Errorf("reserved 0: %v", err)
	}
	if _, err := h.client.DeleteFunctionConcurrency(ctx, &sdk.DeleteFunctionConcurrencyInput{FunctionName: aws.String("zipped")}); err != nil {
		t.Fatal(err)
	}

	// Functions created through the API survive a restart.
	h2 := newHarness(t, Options{DataDir: dataDir})
	list, err := h2.client.ListFunctions(ctx, &sdk.ListFunctionsInput{})
	if err != nil || len(list.Functions) != 1 || aws.ToString(list.Functions[0].FunctionName) != "zipped" || aws.ToInt32(list.Functions[0].Timeout) != 9 {
		t.Fatalf("list after restart: %v %+v", err, list)
	}
	if _, err := h2.client.DeleteFunction(ctx, &sdk.DeleteFunctionInput{FunctionName: aws.String("zipped")}); err != nil {
		t.Fatal(err)
	}
	_, err = h2.client.GetFunction(ctx, &sdk.GetFunctionInput{FunctionName: aws.String("zipped")})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("after delete: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dataDir, "functions", "zipped")); !os.IsNotExist(err) {
		t.Errorf("stored function not removed: %v", err)
	}
}

// TestAWSCLICreateAndInvoke is `aws lambda create-function ... && aws
// lambda invoke ...` against Nimbus with no template.
func TestAWSCLICreateAndInvoke(t *testing.T) {
	awsCLI := requireTool(t, "aws", "install the AWS CLI (pip install awscli)")
	requireTool(t, "curl", "apt-get install curl")
	h := newHarness(t, Options{})
	dir := t.TempDir()
	zipPath := filepath.Join(dir, "function.zip")
	if err := os.WriteFile(zipPath, zipOf(t, map[string]string{"bootstrap": echoBootstrap}), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) string {
		cmd := exec.Command(awsCLI, append(args, "--endpoint-url", h.url, "--region", "us-east-1", "--output", "json")...)
		cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_PAGER=", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("aws %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	out := run("lambda", "create-function", "--function-name", "cli-fn", "--runtime", "provided.al2023", "--handler", "bootstrap",
		"--role", "arn:aws:iam::000000000000:role/lambda-role", "--zip-file", "fileb://function.zip", "--environment", "Variables={REPLY=cli}")
	if !strings.Contains(out, `"FunctionName": "cli-fn"`) || !strings.Contains(out, `"State": "Pending"`) {
		t.Errorf("create-function:\n%s", out)
	}
	out = run("lambda", "invoke", "--function-name", "cli-fn", "--payload", `{"value":"cli"}`, "response.json")
	if !strings.Contains(out, `"StatusCode": 200`) || !strings.Contains(out, `"ExecutedVersion": "$LATEST"`) {
		t.Errorf("invoke:\n%s", out)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "response.json")); string(b) != `"cli"` {
		t.Errorf("response.json: %s", b)
	}
}

// TestConfigurationShapes pins the members each functions operation
// returns, as Lambda's API reference describes them: CreateFunction
// answers Pending (creation is asynchronous), updates answer InProgress,
// GetFunction then says Active and Successful, and ListFunctions leaves
// out State and LastUpdateStatus.
func TestConfigurationShapes(t *testing.T) {
	h := newHarness(t, Options{})
	zipped := zipOf(t, map[string]string{"bootstrap": "#!/bin/sh\nexit 0\n"})
	call := func(method, path string, body any) map[string]any {
		t.Helper()
		var rd io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(method, h.url+path, rd)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatalf("%s %s: %d %v", method, path, resp.StatusCode, err)
		}
		return out
	}
	create := call("POST", "/2015-03-31/functions", map[string]any{"FunctionName": "shapes", "Runtime": "provided.al2023",
		"Role": "arn:aws:iam::000000000000:role/r", "Handler": "bootstrap", "Code": map[string]any{"ZipFile": zipped}})
	get := func() map[string]any {
		return call("GET", "/2015-03-31/functions/shapes", nil)["Configuration"].(map[string]any)
	}
	getAfterCreate := get()
	updateCode := call("PUT", "/2015-03-31/functions/shapes/code", map[string]any{"ZipFile": zipped})
	updateConfig := call("PUT", "/2015-03-31/functions/shapes/configuration", map[string]any{"Timeout": 7})
	getAfterUpdate := get()
	listed := call("GET", "/2015-03-31/functions?MaxItems=100", nil)["Functions"].([]any)[0].(map[string]any)

	absent := "<absent>"
	cases := []struct {
		name   string
		config map[string]any
		want   map[string]string
	}{
		{"CreateFunction", create, map[string]string{"State": "Pending", "StateReason": "The function is being created.", "StateReasonCode": "Creating", "LastUpdateStatus": absent, "Version": "$LATEST", "PackageType": "Zip"}},
		{"GetFunction after create", getAfterCreate, map[string]string{"State": "Active", "StateReason": absent, "LastUpdateStatus": "Successful", "LastUpdateStatusReason": absent}},
		{"UpdateFunctionCode", updateCode, map[string]string{"State": "Active", "LastUpdateStatus": "InProgress", "LastUpdateStatusReason": "The function is being created.", "LastUpdateStatusReasonCode": "Creating"}},
		{"UpdateFunctionConfiguration", updateConfig, map[string]string{"State": "Active", "LastUpdateStatus": "InProgress", "LastUpdateStatusReasonCode": "Creating"}},
		{"GetFunction after update", getAfterUpdate, map[string]string{"State": "Active", "LastUpdateStatus": "Successful", "LastUpdateStatusReasonCode": absent}},
		{"ListFunctions", listed, map[string]string{"FunctionName": "shapes", "State": absent, "StateReason": absent, "LastUpdateStatus": absent, "Version": "$LATEST"}},
	}
	for _, c := range cases {
		for k, want := range c.want {
			v, ok := c.config[k]
			got := absent
			if ok {
				got = fmt.Sprint(v)
			}
			if got != want {
				t.Errorf("%s: %s = %q, want %q", c.name, k, got, want)
			}
		}
		if sha, _ := c.config["CodeSha256"].(string); len(sha) != 44 {
			t.Errorf("%s: CodeSha256 %q is not base64 of a SHA-256", c.name, sha)
		}
		if lm, _ := c.config["LastModified"].(string); !lastModifiedRe.MatchString(lm) {
			t.Errorf("%s: LastModified %q", c.name, lm)
		}
	}
}

var lastModifiedRe = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$`)
