package lambda

import (
	"archive/zip"
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nimbus-dev/nimbus/internal/invoke"
)

// zipEntries builds a zip; entries whose content starts with "->" are symlinks.
func zipEntries(t *testing.T, entries [][2]string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e[0], Method: zip.Deflate}
		content := e[1]
		if target, ok := strings.CutPrefix(content, "->"); ok {
			h.SetMode(fs.ModeSymlink | 0o777)
			content = target
		} else {
			h.SetMode(0o644)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(content))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestUnpackStaysInside: a code zip cannot use its own symlinks to write
// outside the function's folder, while links inside it keep working.
func TestUnpackStaysInside(t *testing.T) {
	outside := t.TempDir()
	victim := filepath.Join(outside, "victim")
	if err := os.WriteFile(victim, []byte("original"), 0o644); err != nil {
		t.Fatal(err)
	}
	st := &store{dir: t.TempDir()}

	_, _, err := st.unpack("f1", zipEntries(t, [][2]string{{"evil", "->" + outside}, {"evil/pwned", "x"}}))
	if err == nil || !strings.Contains(err.Error(), "outside the archive root") {
		t.Errorf("write through a directory symlink: %v", err)
	}
	if _, err := os.Stat(filepath.Join(outside, "pwned")); err == nil {
		t.Error("an entry was written outside the function's folder")
	}

	dir, _, err := st.unpack("f2", zipEntries(t, [][2]string{{"link", "->" + victim}, {"link", "replaced"}}))
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(victim); string(b) != "original" {
		t.Errorf("a file outside was overwritten through a symlink: %q", b)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "link")); string(b) != "replaced" {
		t.Errorf("the later entry = %q", b)
	}

	dir, _, err = st.unpack("f3", zipEntries(t, [][2]string{{"lib/real.txt", "data"}, {"alias", "->lib"}, {"alias/more.txt", "more"}}))
	if err != nil {
		t.Fatalf("links within the archive: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "lib", "more.txt")); string(b) != "more" {
		t.Errorf("entry through an inside link = %q", b)
	}
}

// TestUnpackCorruptEntry: a zip whose directory parses but whose entry
// data does not inflate (or fails its CRC) is the client's error, answered
// as Lambda answers an archive it cannot unzip (400, not a 500 that SDKs
// retry), and leaves no code folder behind.
func TestUnpackCorruptEntry(t *testing.T) {
	good := zipEntries(t, [][2]string{{"handler.py", strings.Repeat("def handler(e, c):\n    return e\n", 50)}})
	dataStart := 30 + len("handler.py") // local header + name
	inflate := bytes.Clone(good)
	for i := dataStart + 2; i < dataStart+20; i++ {
		inflate[i] ^= 0xff
	}
	stored := func() []byte {
		var b bytes.Buffer
		zw := zip.NewWriter(&b)
		w, _ := zw.CreateHeader(&zip.FileHeader{Name: "bootstrap", Method: zip.Store})
		w.Write([]byte("#!/bin/sh\nexit 0\n"))
		zw.Close()
		out := b.Bytes()
		out[30+len("bootstrap")] ^= 0xff // same length, wrong CRC
		return out
	}()
	for name, data := range map[string][]byte{"bad deflate data": inflate, "bad checksum": stored} {
		st := &store{dir: t.TempDir()}
		_, _, err := st.unpack("f", data)
		var apiErr *invoke.Error
		if !errors.As(err, &apiErr) || apiErr.Type != "InvalidParameterValueException" || apiErr.StatusCode != 400 ||
			apiErr.Message != "Could not unzip uploaded file. Please check your file, then try to upload again." {
			t.Errorf("%s: %#v", name, err)
		}
		if left, _ := filepath.Glob(filepath.Join(st.functionDir("f"), "code-*")); len(left) != 0 {
			t.Errorf("%s: left %v", name, left)
		}
	}
}
