package runtimes

import "testing"

// TestExecutionEnv pins AWS_EXECUTION_ENV per runtime: Lambda sets it to
// AWS_Lambda_<runtime>, except for the OS-only runtimes.
func TestExecutionEnv(t *testing.T) {
	for runtime, want := range map[string]string{
		"nodejs22.x":      "AWS_Lambda_nodejs22.x",
		"python3.12":      "AWS_Lambda_python3.12",
		"go1.x":           "AWS_Lambda_go1.x",
		"provided":        "",
		"provided.al2":    "",
		"provided.al2023": "",
	} {
		if got := ExecutionEnv(runtime); got != want {
			t.Errorf("ExecutionEnv(%q) = %q, want %q", runtime, got, want)
		}
	}
}
