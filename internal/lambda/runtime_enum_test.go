package lambda

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// TestCreateFunctionRuntimeValidation pins CreateFunction's and
// UpdateFunctionConfiguration's answers to a bad or missing runtime or
// handler: Lambda's own messages for values outside its Runtime enum and
// for a zip function without runtime or handler, Nimbus's for a Lambda
// runtime it cannot run.
func TestCreateFunctionRuntimeValidation(t *testing.T) {
	h := newHarness(t, Options{})
	ctx := context.Background()
	code := &types.FunctionCode{ZipFile: zipOf(t, map[string]string{"handler.py": "def handler(e, c):\n    return e\n"})}
	for _, c := range []struct {
		name, runtime, handler string
		want                   string
	}{
		{"not an enum value", "cobol9", "h.h", "Value cobol9 at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [nodejs, "},
		{"no runtime", "", "h.h", "Runtime and Handler are mandatory parameters for functions created with deployment packages."},
		{"no handler", "python3.12", "", "Runtime and Handler are mandatory parameters for functions created with deployment packages."},
		{"Lambda runtime Nimbus cannot run", "java21", "h.h", "The runtime parameter of java21 is not supported by Nimbus"},
	} {
		in := &sdk.CreateFunctionInput{FunctionName: aws.String("fn"), Role: aws.String("arn:aws:iam::000000000000:role/r"), Code: code, Runtime: types.Runtime(c.runtime)}
		if c.handler != "" {
			in.Handler = aws.String(c.handler)
		}
		_, err := h.client.CreateFunction(ctx, in)
		var invalid *types.InvalidParameterValueException
		if !errors.As(err, &invalid) || !strings.HasPrefix(aws.ToString(invalid.Message), c.want) {
			t.Errorf("%s: %v, want InvalidParameterValueException %q", c.name, err, c.want)
		}
	}
	if c := lambdaRuntimeList; !strings.HasSuffix(c, "]") || !strings.Contains(c, ", provided.al2023, ") && !strings.Contains(c, ", provided.al2023]") {
		t.Errorf("enum list %s", c)
	}

	if _, err := h.client.CreateFunction(ctx, &sdk.CreateFunctionInput{FunctionName: aws.String("ok"), Role: aws.String("arn:aws:iam::000000000000:role/r"),
		Code: code, Runtime: types.RuntimePython312, Handler: aws.String("handler.handler")}); err != nil {
		t.Fatal(err)
	}
	_, err := h.client.UpdateFunctionConfiguration(ctx, &sdk.UpdateFunctionConfigurationInput{FunctionName: aws.String("ok"), Runtime: "python9"})
	var invalid *types.InvalidParameterValueException
	if !errors.As(err, &invalid) || !strings.HasPrefix(aws.ToString(invalid.Message), "Value python9 at 'runtime' failed to satisfy constraint") ||
		!strings.HasSuffix(aws.ToString(invalid.Message), "] or be a valid ARN") {
		t.Errorf("update to python9: %v", err)
	}
	got, err := h.client.GetFunctionConfiguration(ctx, &sdk.GetFunctionConfigurationInput{FunctionName: aws.String("ok")})
	if err != nil || got.Runtime != types.RuntimePython312 {
		t.Errorf("after a refused update: %v %v", err, got.Runtime)
	}
}

// TestRuntimeEnumMatchesSDK: the enum is the AWS SDK's (the one go.mod
// pins), value for value and in order.
func TestRuntimeEnumMatchesSDK(t *testing.T) {
	var sdkValues []string
	for _, r := range types.Runtime("").Values() {
		sdkValues = append(sdkValues, string(r))
	}
	if !slices.Equal(lambdaRuntimes, sdkValues) {
		t.Errorf("lambdaRuntimes differs from the SDK's Runtime enum:\n ours %v\n sdk  %v", lambdaRuntimes, sdkValues)
	}
}
