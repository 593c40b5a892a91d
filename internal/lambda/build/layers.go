package build

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// MergeLayers copies the layer folders, in declared order (later layers
// win), into one folder under cacheDir that stands for /opt, and returns
// it. The merged folder is cached by the layers' fingerprint.
func MergeLayers(cacheDir string, dirs []string) (string, error) {
	key, err := Fingerprint(dirs, "layers")
	if err != nil {
		return "", fmt.Errorf("layer: %w", err)
	}
	out := filepath.Join(cacheDir, key)
	if _, err := os.Stat(out); err == nil {
		return out, nil
	}
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(cacheDir, key+".tmp")
	if err != nil {
		return "", err
	}
	for _, dir := range dirs {
		if err := copyTree(dir, tmp); err != nil {
			_ = os.RemoveAll(tmp)
			return "", fmt.Errorf("layer %s: %w", dir, err)
		}
	}
	if err := publish(tmp, out); err != nil {
		return "", err
	}
	return out, nil
}

// copyTree copies src into dst, replacing files that exist; symbolic links
// are kept as links. Files are hard-linked when possible.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			return os.MkdirAll(target, info.Mode().Perm()|0o700)
		case info.Mode()&fs.ModeSymlink != 0:
			link, err := os.Readlink(path)
			if err != nil {
				return err
			}
			_ = os.Remove(target)
			return os.Symlink(link, target)
		default:
			_ = os.Remove(target)
			if os.Link(path, target) == nil {
				return nil
			}
			return copyFile(path, target, info.Mode().Perm())
		}
	})
}

func copyFile(src, dst string, perm fs.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
