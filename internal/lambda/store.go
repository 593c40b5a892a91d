package lambda

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/nimbus-dev/nimbus/internal/app"
)

// maxZipSize is Lambda's limit for code uploaded in the request (50 MB
// zipped); maxUnzippedSize its limit for unpacked code (250 MB).
const (
	maxZipSize      = 50 * 1024 * 1024
	maxUnzippedSize = 250 * 1024 * 1024
)

// store persists functions created through the API: one folder per
// function with function.json and the unpacked code, so they survive a
// restart.
type store struct {
	dir string
}

// storedFunction is function.json.
type storedFunction struct {
	Function     *app.Function
	CodeSha256   string
	CodeSize     int64
	LastModified time.Time
	Description  string
}

func (st *store) functionDir(name string) string { return filepath.Join(st.dir, name) }

func (st *store) save(sf *storedFunction) error {
	dir := st.functionDir(sf.Function.Name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(sf, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, "function.json.tmp")
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, "function.json"))
}

func (st *store) remove(name string) error { return os.RemoveAll(st.functionDir(name)) }

func (st *store) load() ([]*storedFunction, error) {
	entries, err := os.ReadDir(st.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []*storedFunction
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(st.dir, e.Name(), "function.json"))
		if err != nil {
			continue
		}
		var sf storedFunction
		if err := json.Unmarshal(b, &sf); err != nil || sf.Function == nil {
			return nil, fmt.Errorf("lambda: corrupt %s: %v", filepath.Join(st.dir, e.Name(), "function.json"), err)
		}
		out = append(out, &sf)
	}
	return out, nil
}

// unpack writes a code zip into a new folder of the function and removes
// all but the previous one (environments still finishing may use it).
func (st *store) unpack(name string, zipData []byte) (dir, sha string, err error) {
	sum := sha256.Sum256(zipData)
	sha = encodeSha(sum[:])
	zr, err := zip.NewReader(bytes.NewReader(zipData), int64(len(zipData)))
	if err != nil {
		return "", "", corruptZip()
	}
	base := st.functionDir(name)
	if err := os.MkdirAll(base, 0o755); err != nil {
		return "", "", err
	}
	dir, err = os.MkdirTemp(base, "code-")
	if err != nil {
		return "", "", err
	}
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if total > maxUnzippedSize {
			_ = os.RemoveAll(dir)
			return "", "", apiError("InvalidParameterValueException", fmt.Sprintf("Unzipped size must be smaller than %d bytes", maxUnzippedSize))
		}
		if err := extract(dir, f); err != nil {
			_ = os.RemoveAll(dir)
			return "", "", err
		}
	}
	st.prune(base, dir)
	return dir, sha, nil
}

// prune keeps the newest code folder (current) and one before it.
func (st *store) prune(base, current string) {
	entries, _ := os.ReadDir(base)
	var older []os.DirEntry
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), "code-") && filepath.Join(base, e.Name()) != current {
			older = append(older, e)
		}
	}
	modTime := func(e os.DirEntry) time.Time {
		info, err := e.Info()
		if err != nil {
			return time.Time{}
		}
		return info.ModTime()
	}
	for i := 0; i < len(older); i++ {
		for j := i + 1; j < len(older); j++ {
			if modTime(older[j]).After(modTime(older[i])) {
				older[i], older[j] = older[j], older[i]
			}
		}
	}
	for i := 1; i < len(older); i++ {
		_ = os.RemoveAll(filepath.Join(base, older[i].Name()))
	}
}

// extract writes one zip entry below dir, refusing paths that escape it.
func extract(dir string, f *zip.File) error {
	name := filepath.FromSlash(f.Name)
	if !filepath.IsLocal(name) {
		return apiError("InvalidParameterValueException", "Could not unzip uploaded file: entry "+f.Name+" is outside the archive root.")
	}
	target := filepath.Join(dir, name)
	mode := f.Mode()
	// A symlink the archive made earlier must not carry a later entry
	// outside the folder (a/ -> /etc, then a/passwd), nor may a later
	// entry write through one (a -> /etc/passwd, then a).
	if err := insideArchive(dir, filepath.Dir(target)); err != nil {
		return apiError("InvalidParameterValueException", "Could not unzip uploaded file: entry "+f.Name+" is outside the archive root.")
	}
	if fi, err := os.Lstat(target); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		if err := os.Remove(target); err != nil {
			return err
		}
	}
	if mode.IsDir() || strings.HasSuffix(f.Name, "/") {
		return os.MkdirAll(target, 0o755)
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return err
	}
	if err := insideArchive(dir, filepath.Dir(target)); err != nil {
		return apiError("InvalidParameterValueException", "Could not unzip uploaded file: entry "+f.Name+" is outside the archive root.")
	}
	rc, err := f.Open()
	if err != nil {
		return apiError("InvalidParameterValueException", "Could not unzip uploaded file: "+err.Error())
	}
	defer rc.Close()
	if mode&fs.ModeSymlink != 0 {
		link, err := io.ReadAll(io.LimitReader(rc, 4096))
		if err != nil {
			return corruptZip()
		}
		return os.Symlink(string(link), target)
	}
	perm := mode.Perm()
	if perm == 0 {
		perm = 0o644
	}
	// Lambda runs code as another user: every file is readable, and zips made
	// on Windows carry no mode bits, so bootstraps stay executable.
	perm |= 0o444
	if perm&0o111 != 0 || filepath.Base(name) == "bootstrap" {
		perm |= 0o555
	}
	out, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	src := &entryReader{r: io.LimitReader(rc, maxUnzippedSize)}
	if _, err := io.Copy(out, src); err != nil {
		out.Close()
		if src.err != nil {
			return corruptZip()
		}
		return err
	}
	return out.Close()
}

// corruptZip is Lambda's answer to code whose archive cannot be read: a
// directory that does not parse, or an entry whose data does not inflate
// or fails its checksum.
func corruptZip() error {
	return apiError("InvalidParameterValueException", "Could not unzip uploaded file. Please check your file, then try to upload again.")
}

// entryReader reads a zip entry and keeps its read error, so a corrupt
// entry (the client's fault, 400) is told apart from a failed write (ours).
type entryReader struct {
	r   io.Reader
	err error
}

func (e *entryReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF {
		e.err = err
	}
	return n, err
}

// insideArchive checks that path, with the symlinks that exist along it
// resolved, is dir or below it. Parts that do not exist yet are fine.
func insideArchive(dir, path string) error {
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return err
	}
	p := path
	for {
		resolved, err := filepath.EvalSymlinks(p)
		if err == nil {
			rel, err := filepath.Rel(root, resolved)
			if err != nil || !filepath.IsLocal(rel) && rel != "." {
				return fmt.Errorf("%s leaves %s", path, dir)
			}
			return nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		parent := filepath.Dir(p)
		if parent == p {
			return err
		}
		p = parent
	}
}

// zipDir packs a folder into a zip (GetFunction's code download).
func zipDir(dir string, w io.Writer) error {
	zw := zip.NewWriter(w)
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		info, err := d.Info()
		if err != nil || !info.Mode().IsRegular() {
			return nil
		}
		rel, _ := filepath.Rel(dir, path)
		hdr, err := zip.FileInfoHeader(info)
		if err != nil {
			return err
		}
		hdr.Name = filepath.ToSlash(rel)
		hdr.Method = zip.Deflate
		fw, err := zw.CreateHeader(hdr)
		if err != nil {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(fw, f)
		return err
	})
	if err != nil {
		return err
	}
	return zw.Close()
}
