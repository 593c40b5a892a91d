//go:build !unix

package storage

// diskSpace is not measured on this platform; writes are not refused early.
func diskSpace(dir string) (free, total uint64, ok bool) { return 0, 0, false }
