package lambda

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/nimbus-dev/nimbus/internal/app"
)

func TestPythonRuntime(t *testing.T) {
	requireTool(t, "python3", "install Python 3 (apt-get install python3 python3-boto3)")
	dir := writeFiles(t, map[string]string{
		"app.py": `
import logging
import os

logger = logging.getLogger()
logger.setLevel(logging.INFO)

def handler(event, context):
    import boto3
    logger.info("got %s", event)
    print("printed line")
    return {
        "event": event,
        "requestId": context.aws_request_id,
        "name": context.function_name,
        "memory": context.memory_limit_in_mb,
        "arn": context.invoked_function_arn,
        "remaining": context.get_remaining_time_in_millis(),
        "boto3": bool(boto3.__version__),
        "region": os.environ["AWS_REGION"],
    }

class OrderError(Exception):
    pass

def fail(event, context):
    raise OrderError("no such order")

def unserializable(event, context):
    return {"when": object()}
`,
		"pkg/mod.py": "def handler(event, context):\n    return 'nested'\n",
		"broken.py":  "def handler(event, context)\n    return 1\n",
	})
	h := newHarness(t, Options{})
	fn := func(name, handler string) *app.Function {
		return &app.Function{Name: name, Runtime: "python3.11", Handler: handler, CodeDir: dir, Timeout: 5 * time.Second, MemorySize: 256}
	}
	fns := []*app.Function{fn("py", "app.handler"), fn("pyfail", "app.fail"), fn("pyjson", "app.unserializable"),
		fn("pynested", "pkg/mod.handler"), fn("pydotted", "pkg.mod.handler"), fn("pymissing", "nope.handler"),
		fn("pynohandler", "app.nothing"), fn("pysyntax", "broken.handler")}
	if err := h.svc.Apply(context.Background(), fns, nil); err != nil {
		t.Fatal(err)
	}
	out := invokeJSON(t, h, "py", `{"k":[1,2]}`, func(in *sdk.InvokeInput) { in.LogType = types.LogTypeTail })
	var got map[string]any
	if err := json.Unmarshal(out.Payload, &got); err != nil {
		t.Fatalf("%s: %v", out.Payload, err)
	}
	if got["name"] != "py" || got["memory"] != "256" || got["boto3"] != true || got["region"] != "us-east-1" {
		t.Errorf("got %s", out.Payload)
	}
	if r, _ := got["remaining"].(float64); r < 4000 || r > 5000 {
		t.Errorf("remaining %v", got["remaining"])
	}
	logs, _ := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
	if !strings.Contains(string(logs), "[INFO]\t") || !strings.Contains(string(logs), "\t"+got["requestId"].(string)+"\tgot {'k': [1, 2]}") || !strings.Contains(string(logs), "printed line") {
		t.Errorf("logs:\n%s", logs)
	}
	for name, want := range map[string]string{"pynested": `"nested"`, "pydotted": `"nested"`} {
		if out := invokeJSON(t, h, name, `{}`); string(out.Payload) != want {
			t.Errorf("%s: %s", name, out.Payload)
		}
	}
	for name, want := range map[string]string{
		"pyfail":      "OrderError",
		"pyjson":      "Runtime.MarshalError",
		"pymissing":   "Runtime.ImportModuleError",
		"pynohandler": "Runtime.HandlerNotFound",
		"pysyntax":    "Runtime.UserCodeSyntaxError",
	} {
		out := invokeJSON(t, h, name, `{}`)
		var e struct {
			ErrorType    string   `json:"errorType"`
			ErrorMessage string   `json:"errorMessage"`
			StackTrace   []string `json:"stackTrace"`
		}
		_ = json.Unmarshal(out.Payload, &e)
		if aws.ToString(out.FunctionError) != "Unhandled" || e.ErrorType != want {
			t.Errorf("%s: %s", name, out.Payload)
		}
		if name == "pyfail" && (e.ErrorMessage != "no such order" || len(e.StackTrace) == 0 || !strings.Contains(e.StackTrace[0], "app.py")) {
			t.Errorf("error object: %s", out.Payload)
		}
	}
}
