package build

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestIsGoSource(t *testing.T) {
	tests := []struct {
		name  string
		files []string
		want  bool
	}{
		{"main package", []string{"main.go"}, true},
		{"module with main", []string{"go.mod", "main.go", "main_test.go"}, true},
		{"only a test next to a bootstrap", []string{"bootstrap", "app_test.go"}, false},
		{"module without sources", []string{"go.mod"}, false},
		{"no go at all", []string{"index.js"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range tc.files {
				if err := os.WriteFile(filepath.Join(dir, f), []byte("package x\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if got := IsGoSource(dir); got != tc.want {
				t.Errorf("IsGoSource(%v) = %v, want %v", tc.files, got, tc.want)
			}
		})
	}
}

func writeTree(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestGoInputs: a function's build depends on its package, the module's
// packages it imports and go.mod/go.sum, not on the rest of the module.
func TestGoInputs(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"go.mod":                       "module example.com/app\n\nreplace example.com/shared => ../shared\n",
		"go.sum":                       "",
		"functions/hello/main.go":      "package main\nimport (\n\t\"fmt\"\n\t\"example.com/app/internal/greet\"\n)\nfunc main() { fmt.Println(greet.Hi()) }\n",
		"functions/hello/main_test.go": "package main\nimport _ \"example.com/app/internal/testonly\"\n",
		"internal/greet/greet.go":      "package greet\nimport \"example.com/app/internal/words\"\nfunc Hi() string { return words.Hi }\n",
		"internal/words/words.go":      "package words\nconst Hi = \"hi\"\n",
		"internal/testonly/t.go":       "package testonly\n",
		"functions/other/main.go":      "package main\nfunc main() {}\n",
		"web/index.html":               "<h1>hi</h1>",
	})
	dir := filepath.Join(root, "functions", "hello")
	src, err := GoInputs(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{dir, filepath.Join(root, "internal", "greet"), filepath.Join(root, "internal", "words")}
	slices.Sort(want)
	if !slices.Equal(src.Packages, want) {
		t.Errorf("Packages = %v, want %v", src.Packages, want)
	}
	if len(src.Files) != 2 || len(src.Trees) != 1 || src.Trees[0] != filepath.Join(root, "..", "shared") {
		t.Errorf("Files = %v, Trees = %v", src.Files, src.Trees)
	}
	for path, want := range map[string]bool{
		filepath.Join(root, "internal", "words", "words.go"): true,
		filepath.Join(root, "go.sum"):                        true,
		filepath.Join(root, "internal", "testonly", "t.go"):  false,
		filepath.Join(root, "functions", "other", "main.go"): false,
		filepath.Join(root, "web", "index.html"):             false,
	} {
		if got := src.Contains(path); got != want {
			t.Errorf("Contains(%s) = %v, want %v", path, got, want)
		}
	}

	before, _ := src.Fingerprint()
	later := time.Now().Add(time.Minute)
	os.Chtimes(filepath.Join(root, "web", "index.html"), later, later)
	os.Chtimes(filepath.Join(root, "functions", "other", "main.go"), later, later)
	if same, _ := src.Fingerprint(); same != before {
		t.Error("an edit outside the function's sources changed its fingerprint")
	}
	os.Chtimes(filepath.Join(root, "internal", "words", "words.go"), later, later)
	if changed, _ := src.Fingerprint(); changed == before {
		t.Error("an edit to an imported package left the fingerprint unchanged")
	}
}
