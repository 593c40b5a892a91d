package lambda

import (
	"slices"
	"strings"

	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// lambdaRuntimes is Lambda's Runtime enum as its API model (and so the
// AWS SDK) defines it. A value outside it is refused the way Lambda
// refuses it; a runtime inside it that Nimbus cannot run gets Nimbus's own
// message instead.
var lambdaRuntimes = lambdatypes.Runtime("").Values()

// lambdaRuntimeList is the enum as Lambda's validation message lists it.
var lambdaRuntimeList = func() string {
	names := make([]string, len(lambdaRuntimes))
	for i, r := range lambdaRuntimes {
		names[i] = string(r)
	}
	return "[" + strings.Join(names, ", ") + "]"
}()

// lambdaRuntime reports whether runtime is a value of Lambda's enum.
func lambdaRuntime(runtime string) bool {
	return slices.Contains(lambdaRuntimes, lambdatypes.Runtime(runtime))
}
