package runtimes

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// bootstraps holds the runtimes Nimbus ships: node/ (bootstrap.mjs and its
// ES module resolution hooks) and python/ (bootstrap.py).
//
//go:embed node/bootstrap.mjs node/hooks.mjs python/bootstrap.py
var bootstraps embed.FS

var unpackMu sync.Mutex

// runtimeDir writes the embedded files of one runtime (node or python)
// into dataDir/runtimes/<name>-<hash> once and returns that folder
// (LAMBDA_RUNTIME_DIR).
func runtimeDir(dataDir, name string) (string, error) {
	unpackMu.Lock()
	defer unpackMu.Unlock()
	entries, err := fs.ReadDir(bootstraps, name)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	files := map[string][]byte{}
	for _, e := range entries {
		b, err := bootstraps.ReadFile(name + "/" + e.Name())
		if err != nil {
			return "", err
		}
		files[e.Name()] = b
		h.Write([]byte(e.Name()))
		h.Write(b)
	}
	dir := filepath.Join(dataDir, "runtimes", name+"-"+hex.EncodeToString(h.Sum(nil))[:12])
	if _, err := os.Stat(filepath.Join(dir, ".complete")); err == nil {
		return dir, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	for n, b := range files {
		if err := os.WriteFile(filepath.Join(dir, n), b, 0o644); err != nil {
			return "", err
		}
	}
	return dir, os.WriteFile(filepath.Join(dir, ".complete"), nil, 0o644)
}
