package lambda

import (
	"slices"
	"strings"
)

// lambdaRuntimes is Lambda's Runtime enum as its API model defines it, in
// the model's order (TestRuntimeEnumMatchesSDK keeps it equal to the AWS
// SDK's copy, which the binary does not link: its types package alone
// added 1.4 MB to an idle Nimbus). A value outside it is refused the way
// Lambda refuses it; a runtime inside it that Nimbus cannot run gets
// Nimbus's own message instead.
var lambdaRuntimes = []string{
	"nodejs", "nodejs4.3", "nodejs6.10", "nodejs8.10", "nodejs10.x", "nodejs12.x", "nodejs14.x",
	"nodejs16.x", "nodejs18.x", "nodejs20.x", "nodejs22.x", "nodejs24.x",
	"java8", "java8.al2", "java11", "java17", "java21", "java25",
	"python2.7", "python3.6", "python3.7", "python3.8", "python3.9", "python3.10", "python3.11",
	"python3.12", "python3.13", "python3.14",
	"dotnetcore1.0", "dotnetcore2.0", "dotnetcore2.1", "dotnetcore3.1", "dotnet6", "dotnet8", "dotnet10",
	"nodejs4.3-edge", "go1.x",
	"ruby2.5", "ruby2.7", "ruby3.2", "ruby3.3", "ruby3.4", "ruby4.0",
	"provided", "provided.al2", "provided.al2023",
	"nodejs26.x", "python3.15", "java8.al2023", "java11.al2023", "java17.al2023",
}

// lambdaRuntimeList is the enum as Lambda's validation message lists it.
var lambdaRuntimeList = "[" + strings.Join(lambdaRuntimes, ", ") + "]"

// lambdaRuntime reports whether runtime is a value of Lambda's enum.
func lambdaRuntime(runtime string) bool {
	return slices.Contains(lambdaRuntimes, runtime)
}
