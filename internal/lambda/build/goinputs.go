package build

import (
	"bufio"
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// GoSources is what a build of one main package reads from its own module.
// Hashing only these (instead of the whole module) keeps an edit to the
// module's other programs, docs or front end from rebuilding every
// function, and tells the file watcher which edits do matter.
type GoSources struct {
	// Root is the module root (the folder of go.mod).
	Root string
	// Packages are the folders of the main package and of every package of
	// the module it imports, transitively (their files, not subfolders).
	Packages []string
	// Trees are folders read whole: local replace targets and vendor/.
	Trees []string
	// Files are go.mod, go.sum and go.work when present.
	Files []string
}

// GoInputs finds the sources a build of the main package in dir reads.
// Imports are read from every non-test Go file whatever its build
// constraints, so the set errs on the side of more.
func GoInputs(dir string) (*GoSources, error) {
	root := moduleRoot(dir)
	src := &GoSources{Root: root}
	modulePath, replaced, err := readGoMod(filepath.Join(root, "go.mod"))
	if err != nil {
		return nil, err
	}
	for _, f := range []string{"go.mod", "go.sum", "go.work", "go.work.sum"} {
		if _, err := os.Stat(filepath.Join(root, f)); err == nil {
			src.Files = append(src.Files, filepath.Join(root, f))
		}
	}
	for _, r := range replaced {
		src.Trees = append(src.Trees, filepath.Join(root, r))
	}
	if st, err := os.Stat(filepath.Join(root, "vendor")); err == nil && st.IsDir() {
		src.Trees = append(src.Trees, filepath.Join(root, "vendor"))
	}
	seen := map[string]bool{}
	queue := []string{dir}
	fset := token.NewFileSet()
	for len(queue) > 0 {
		pkg := queue[0]
		queue = queue[1:]
		if seen[pkg] {
			continue
		}
		seen[pkg] = true
		src.Packages = append(src.Packages, pkg)
		files, _ := filepath.Glob(filepath.Join(pkg, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			parsed, err := parser.ParseFile(fset, f, nil, parser.ImportsOnly)
			if err != nil {
				// go build reports it; the file still counts as an input.
				continue
			}
			for _, imp := range parsed.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				if modulePath == "" {
					continue
				}
				if rel, ok := strings.CutPrefix(path, modulePath); ok && (rel == "" || rel[0] == '/') {
					queue = append(queue, filepath.Join(root, filepath.FromSlash(rel)))
				}
			}
		}
	}
	sort.Strings(src.Packages)
	return src, nil
}

// readGoMod returns the module path and the local folders of replace
// directives ("=> ../lib").
func readGoMod(path string) (module string, localReplaces []string, err error) {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return "", nil, nil
	}
	if err != nil {
		return "", nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	inReplace := false
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if i := strings.Index(line, "//"); i >= 0 {
			line = strings.TrimSpace(line[:i])
		}
		switch {
		case strings.HasPrefix(line, "module "):
			module = strings.Trim(strings.TrimSpace(strings.TrimPrefix(line, "module ")), `"`)
		case line == "replace (":
			inReplace = true
		case inReplace && line == ")":
			inReplace = false
		case inReplace || strings.HasPrefix(line, "replace "):
			_, target, ok := strings.Cut(line, "=>")
			if !ok {
				continue
			}
			fields := strings.Fields(target)
			if len(fields) == 1 && (strings.HasPrefix(fields[0], ".") || filepath.IsAbs(fields[0])) {
				localReplaces = append(localReplaces, fields[0])
			}
		}
	}
	if err := sc.Err(); err != nil {
		return "", nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return module, localReplaces, nil
}

// Fingerprint hashes the sources' names, sizes and modification times.
func (s *GoSources) Fingerprint(extra ...string) (string, error) {
	var files []string
	for _, pkg := range s.Packages {
		entries, err := os.ReadDir(pkg)
		if err != nil {
			continue
		}
		for _, e := range entries {
			if !e.IsDir() {
				files = append(files, filepath.Join(pkg, e.Name()))
			}
		}
	}
	files = append(files, s.Files...)
	var trees []string
	for _, t := range s.Trees {
		if _, err := os.Stat(t); err == nil {
			trees = append(trees, t)
		} else {
			// go build reports a missing replacement; it is no input.
			extra = append(extra, "missing:"+t)
		}
	}
	return fingerprintOf(trees, files, extra)
}

// Contains reports whether path is one of the sources.
func (s *GoSources) Contains(path string) bool {
	for _, f := range s.Files {
		if path == f {
			return true
		}
	}
	for _, t := range s.Trees {
		if path == t || strings.HasPrefix(path, t+string(filepath.Separator)) {
			return true
		}
	}
	for _, pkg := range s.Packages {
		if filepath.Dir(path) == pkg {
			return true
		}
	}
	return false
}
