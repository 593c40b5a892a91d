//go:build !unix

package build

// lockFile is a no-op where flock is missing: one process per cache.
func lockFile(string) (func(), error) { return func() {}, nil }
