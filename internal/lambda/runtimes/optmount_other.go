//go:build !linux

package runtimes

// withOptMount returns the command as is: mount namespaces are Linux-only,
// so layers work through the search paths alone.
func withOptMount(command []string, _ string) []string { return command }
