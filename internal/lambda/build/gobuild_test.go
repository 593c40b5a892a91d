package build

import (
	"os"
	"path/filepath"
	"testing"
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
