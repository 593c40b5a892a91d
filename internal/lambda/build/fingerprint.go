// Package build prepares function code that Lambda would receive already
// built: Go sources compiled into a bootstrap, TypeScript bundled with
// esbuild, layers merged into one /opt folder, and the AWS SDK for
// JavaScript v3 installed into a shared cache for handlers that import it
// without bundling it. Every product lands in a cache keyed by what it was
// made from, so unchanged code is never rebuilt.
package build

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// skipDir reports folders that never hold a function's sources: hidden
// folders (.git, .nimbus, .aws-sam), node_modules and testdata of other
// packages are left out of fingerprints.
func skipDir(name string) bool {
	return name != "." && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "node_modules")
}

// Fingerprint hashes the names, sizes and modification times of the files
// under the given roots (and extra strings), so an edit anywhere below
// them changes it. It reads no file contents: it is cheap enough to run on
// every reload.
func Fingerprint(roots []string, extra ...string) (string, error) {
	return fingerprintOf(roots, nil, extra)
}

// fingerprintOf hashes the files under roots (recursively) and the single
// files, with the extra strings.
func fingerprintOf(roots, files, extra []string) (string, error) {
	h := sha256.New()
	for _, s := range extra {
		fmt.Fprintf(h, "x:%s\n", s)
	}
	for _, root := range roots {
		fmt.Fprintf(h, "r:%s\n", root)
		var lines []string
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				if path == root {
					return err
				}
				return nil
			}
			if d.IsDir() {
				if path != root && skipDir(d.Name()) {
					return filepath.SkipDir
				}
				return nil
			}
			info, err := d.Info()
			if err != nil {
				return nil
			}
			rel, _ := filepath.Rel(root, path)
			lines = append(lines, statLine(rel, info))
			return nil
		})
		if err != nil {
			return "", err
		}
		sort.Strings(lines)
		for _, l := range lines {
			fmt.Fprintln(h, l)
		}
	}
	sorted := append([]string(nil), files...)
	sort.Strings(sorted)
	for _, f := range sorted {
		info, err := os.Stat(f)
		if err != nil {
			fmt.Fprintf(h, "missing %s\n", f)
			continue
		}
		fmt.Fprintln(h, statLine(f, info))
	}
	return hex.EncodeToString(h.Sum(nil))[:24], nil
}

func statLine(name string, info fs.FileInfo) string {
	return fmt.Sprintf("%s %d %d %o", name, info.Size(), info.ModTime().UnixNano(), info.Mode())
}

// publish moves a finished build from tmp to dst atomically; a concurrent
// build of the same key that finished first wins.
func publish(tmp, dst string) error {
	if err := os.Rename(tmp, dst); err != nil {
		if _, statErr := os.Stat(dst); statErr == nil {
			_ = os.RemoveAll(tmp)
			return nil
		}
		return err
	}
	return nil
}
