package template

import (
	"archive/zip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/nimbus-dev/nimbus/internal/app"
	"github.com/nimbus-dev/nimbus/internal/template/node"
)

// layer converts AWS::Lambda::LayerVersion and AWS::Serverless::LayerVersion.
func (l *loader) layer(r *resource) {
	s := l.s
	name, err := s.layerName(r)
	if err != nil {
		s.fail(err)
		return
	}
	ly := &app.Layer{LogicalID: r.ID, Name: name, Source: r.location()}
	if rts, ok := s.prop(r, "CompatibleRuntimes").([]any); ok {
		for _, rt := range rts {
			ly.CompatibleRuntimes = append(ly.CompatibleRuntimes, str(rt))
		}
	}
	ly.BuildMethod = str(metaValue(r, "BuildMethod"))
	key, prop := "ContentUri", "ContentUri"
	if r.Type == "AWS::Lambda::LayerVersion" {
		key, prop = "Content", "Content"
	}
	dir, err := l.codeDir(r, prop, "", "")
	if err != nil {
		s.fail(err)
		return
	}
	if dir == "" {
		s.fail(errAt(r.Node, r.ID, "", "layer has no %s", key))
		return
	}
	ly.ContentDir = dir
	l.layerByID[r.ID] = ly
	l.app.Layers = append(l.app.Layers, ly)
}

// metaValue returns a resource Metadata entry, evaluated.
func metaValue(r *resource, key string) any {
	if r.Node == nil {
		return nil
	}
	n := r.Node.Get("Metadata").Get(key)
	if n == nil {
		return nil
	}
	return n.Plain()
}

// function converts AWS::Lambda::Function and AWS::Serverless::Function.
func (l *loader) function(r *resource) {
	s := l.s
	ref, err := s.ref(r)
	if err != nil {
		s.fail(err)
		return
	}
	sam := r.Type == "AWS::Serverless::Function"
	f := &app.Function{
		LogicalID:        r.ID,
		Name:             str(ref),
		Runtime:          s.propStr(r, "Runtime"),
		Handler:          s.propStr(r, "Handler"),
		Timeout:          3 * time.Second,
		MemorySize:       128,
		EphemeralStorage: 512,
		Architectures:    []string{"x86_64"},
		Environment:      map[string]string{},
		Source:           r.location(),
	}
	if pt := s.propStr(r, "PackageType"); pt == "Image" {
		s.fail(errAt(r.Props.Get("PackageType"), r.ID, "use a zip function (CodeUri, Handler and Runtime)",
			"container image functions (PackageType: Image) are not supported"))
		return
	}
	if v, ok := toInt(s.prop(r, "Timeout")); ok {
		f.Timeout = time.Duration(v) * time.Second
	}
	if v, ok := toInt(s.prop(r, "MemorySize")); ok {
		f.MemorySize = v
	}
	if es, ok := s.prop(r, "EphemeralStorage").(map[string]any); ok {
		if v, ok := toInt(es["Size"]); ok {
			f.EphemeralStorage = v
		}
	}
	if v, ok := s.prop(r, "Architectures").([]any); ok && len(v) > 0 {
		f.Architectures = nil
		for _, a := range v {
			f.Architectures = append(f.Architectures, str(a))
		}
	}
	if env, ok := s.prop(r, "Environment").(map[string]any); ok {
		if vars, ok := env["Variables"].(map[string]any); ok {
			for k, v := range vars {
				f.Environment[k] = str(v)
			}
		}
	}
	if v, ok := toInt(s.prop(r, "ReservedConcurrentExecutions")); ok {
		f.ReservedConcurrency = &v
	}
	f.Role = s.propStr(r, "Role")
	lc, lerr := l.loggingConfig(r)
	if lerr != nil {
		s.fail(lerr)
		return
	}
	f.Logging = lc
	if sam {
		f.Policies = policyNames(s.prop(r, "Policies"))
		if role, ok := s.res[r.ID+"Role"]; ok && f.Role == "" {
			arn, err := s.getAtt(role, "Arn", r.Node, r.ID)
			if err == nil {
				f.Role = str(arn)
			}
		}
	}
	f.BuildMethod = str(metaValue(r, "BuildMethod"))
	if bp, ok := metaValue(r, "BuildProperties").(map[string]any); ok {
		f.BuildProperties = bp
	}
	l.functionLayers(r, f)

	if f.Runtime == "" {
		s.fail(errAt(r.Node, r.ID, "add Runtime, e.g. provided.al2023, nodejs20.x or python3.12", "function has no Runtime"))
		return
	}
	if err := checkRuntime(f.Runtime); err != nil {
		err.Loc = locOf(r.Props.Get("Runtime"), r.ID)
		s.fail(err)
		return
	}
	if f.Handler == "" && !strings.HasPrefix(f.Runtime, "provided") {
		s.fail(errAt(r.Node, r.ID, "", "function has no Handler"))
		return
	}
	codeProp, inlineProp := "Code", ""
	if sam {
		codeProp, inlineProp = "CodeUri", "InlineCode"
	}
	dir, err := l.codeDir(r, codeProp, inlineProp, f.Runtime)
	if err != nil {
		s.fail(err)
		return
	}
	if dir == "" {
		s.fail(errAt(r.Node, r.ID, "set CodeUri to the folder holding the function's code", "function has no code (%s)", codeProp))
		return
	}
	f.CodeDir = dir
	if err := l.checkHandler(r, f); err != nil {
		s.fail(err)
		return
	}
	l.fnByID[r.ID] = f
	l.fnByName[f.Name] = f
	l.app.Functions = append(l.app.Functions, f)
}

// functionLayers resolves Layers (ARNs, usually from Ref) to the template's
// layers by name; layers that live only in the cloud are reported.
func (l *loader) functionLayers(r *resource, f *app.Function) {
	list, _ := l.s.prop(r, "Layers").([]any)
	byName := map[string]*app.Layer{}
	for _, ly := range l.layerByID {
		byName[ly.Name] = ly
	}
	for _, v := range list {
		arn := str(v)
		name := arn
		if parts := strings.Split(arn, ":"); len(parts) >= 7 && parts[5] == "layer" {
			name = parts[6]
		}
		if _, ok := byName[name]; ok {
			f.Layers = append(f.Layers, name)
			continue
		}
		l.s.warnf(r.Props.Get("Layers"), r.ID, "layer %s is not defined in the template and is not available locally", arn)
	}
}

// policyNames lists SAM Policies for display.
func policyNames(v any) []string {
	var out []string
	add := func(e any) {
		switch t := e.(type) {
		case string:
			out = append(out, t)
		case map[string]any:
			if _, ok := t["Statement"]; ok {
				out = append(out, "inline policy")
				return
			}
			for _, k := range sortedKeys(t) {
				out = append(out, k)
			}
		}
	}
	switch t := v.(type) {
	case []any:
		for _, e := range t {
			add(e)
		}
	case nil:
	default:
		add(t)
	}
	return out
}

var runtimePattern = regexp.MustCompile(`^(nodejs\d+\.x|python3\.\d+|provided(\.al2|\.al2023)?|go1\.x)$`)

// knownRuntimes are suggestions for misspelt runtimes.
var knownRuntimes = []string{"provided.al2023", "provided.al2", "provided", "go1.x",
	"nodejs24.x", "nodejs22.x", "nodejs20.x", "nodejs18.x",
	"python3.14", "python3.13", "python3.12", "python3.11", "python3.10", "python3.9"}

func checkRuntime(rt string) *Error {
	if runtimePattern.MatchString(rt) {
		return nil
	}
	return &Error{
		Msg:  fmt.Sprintf("unsupported runtime %q: Nimbus runs provided.* (Go and custom runtimes), nodejs*.x and python3.* functions", rt),
		Hint: suggest(rt, knownRuntimes),
	}
}

// codeDir returns the absolute folder holding a function's or layer's code:
// a local path (CodeUri, Code, ContentUri, Content as a string), a CDK
// asset, an unpacked local zip, or inline code written to the work folder.
func (l *loader) codeDir(r *resource, prop, inlineProp, runtime string) (string, error) {
	s := l.s
	if p, ok := metaValue(r, "aws:asset:path").(string); ok && p != "" {
		base := l.cdkDir
		if base == "" {
			base = s.dir
		}
		dir := p
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(base, p)
		}
		if _, err := os.Stat(dir); err != nil {
			return "", errAt(r.Node.Get("Metadata"), r.ID, "run `cdk synth` again",
				"CDK asset %s is missing from cdk.out", p)
		}
		return l.unpackIfZip(r, dir)
	}
	if inlineProp != "" {
		if n := r.Props.Get(inlineProp); n != nil {
			code := s.propStr(r, inlineProp)
			return l.writeInline(r, code, runtime)
		}
	}
	n := r.Props.Get(prop)
	if n == nil {
		return "", nil
	}
	v := s.prop(r, prop)
	switch t := v.(type) {
	case string:
		if strings.HasPrefix(t, "s3://") {
			return "", errAt(n, r.ID, "point "+prop+" at the local folder with the code",
				"%s %s is in S3; Nimbus runs code from local folders", prop, t)
		}
		dir := l.resolvePath(t)
		if _, err := os.Stat(dir); err != nil {
			hint := ""
			if entries, err := os.ReadDir(filepath.Dir(dir)); err == nil {
				var names []string
				for _, e := range entries {
					names = append(names, e.Name())
				}
				hint = suggest(filepath.Base(dir), names)
			}
			return "", errAt(n, r.ID, hint, "%s %s does not exist", prop, t)
		}
		return l.unpackIfZip(r, dir)
	case map[string]any:
		if zf, ok := t["ZipFile"]; ok {
			return l.writeInline(r, str(zf), runtime)
		}
		if _, ok := t["ImageUri"]; ok {
			return "", errAt(n, r.ID, "", "container image code (ImageUri) is not supported")
		}
		return "", errAt(n, r.ID, "point "+prop+" at the local folder with the code (as `sam build`/`aws cloudformation package` input)",
			"%s is in S3 (%s); Nimbus runs code from local folders", prop, s3Desc(t))
	}
	return "", errAt(n, r.ID, "", "%s must be a local path", prop)
}

func s3Desc(m map[string]any) string {
	var parts []string
	for _, k := range sortedKeys(m) {
		parts = append(parts, k+"="+str(m[k]))
	}
	return strings.Join(parts, ", ")
}

// writeInline writes inline code where CloudFormation puts it: a file named
// index (index.js or index.py) in the function's own folder.
func (l *loader) writeInline(r *resource, code, runtime string) (string, error) {
	wd, err := l.workdir()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(wd, "inline", r.ID)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	name := "index"
	switch {
	case strings.HasPrefix(runtime, "python"):
		name += ".py"
	case strings.HasPrefix(runtime, "nodejs"):
		name += ".js"
	}
	if err := os.WriteFile(filepath.Join(dir, name), []byte(code), 0o644); err != nil {
		return "", err
	}
	return dir, nil
}

// maxUnzip bounds what one artifact may unpack to.
const maxUnzip = 1 << 30

// unpackIfZip unpacks a local zip artifact into the work folder and returns
// that folder; a folder is returned as is.
func (l *loader) unpackIfZip(r *resource, path string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if fi.IsDir() {
		return path, nil
	}
	if !strings.HasSuffix(strings.ToLower(path), ".zip") && !strings.HasSuffix(strings.ToLower(path), ".jar") {
		return "", errAt(r.Node, r.ID, "", "code %s is neither a folder nor a .zip file", path)
	}
	l.s.files = append(l.s.files, path)
	wd, err := l.workdir()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(wd, "unzipped", r.ID)
	if err := os.RemoveAll(dir); err != nil {
		return "", err
	}
	zr, err := zip.OpenReader(path)
	if err != nil {
		return "", errAt(r.Node, r.ID, "", "cannot read zip %s: %v", path, err)
	}
	defer zr.Close()
	var total int64
	for _, zf := range zr.File {
		name := filepath.FromSlash(zf.Name)
		if !filepath.IsLocal(name) {
			return "", errAt(r.Node, r.ID, "", "zip %s has an unsafe path %q", path, zf.Name)
		}
		target := filepath.Join(dir, name)
		if zf.FileInfo().IsDir() {
			if err := os.MkdirAll(target, 0o755); err != nil {
				return "", err
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return "", err
		}
		rc, err := zf.Open()
		if err != nil {
			return "", err
		}
		mode := zf.Mode().Perm()
		if mode == 0 {
			mode = 0o644
		}
		out, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode|0o600)
		if err != nil {
			rc.Close()
			return "", err
		}
		n, err := io.Copy(out, io.LimitReader(rc, maxUnzip-total+1))
		rc.Close()
		out.Close()
		if err != nil {
			return "", err
		}
		total += n
		if total > maxUnzip {
			return "", errAt(r.Node, r.ID, "", "zip %s unpacks to more than 1 GiB", path)
		}
	}
	return dir, nil
}

// maxListing and maxListingDepth bound the look at a code folder for a
// "did you mean" suggestion, so a CodeUri of "/" stays cheap.
const (
	maxListing      = 2000
	maxListingDepth = 4
)

// checkHandler reports a handler whose file is missing from the code
// folder. Functions that a build step produces (BuildMethod, Go sources,
// a Makefile) and custom runtimes whose bootstrap may come from a layer are
// not checked.
func (l *loader) checkHandler(r *resource, f *app.Function) *Error {
	if f.BuildMethod != "" {
		return nil
	}
	at := r.Props.Get("Handler")
	if at == nil {
		at = r.Node
	}
	exists := func(rel string) bool {
		_, err := os.Stat(filepath.Join(f.CodeDir, filepath.FromSlash(rel)))
		return err == nil
	}
	listing := func() []string {
		var names []string
		_ = filepath.WalkDir(f.CodeDir, func(p string, d os.DirEntry, err error) error {
			if len(names) >= maxListing {
				return filepath.SkipAll
			}
			if err != nil {
				return nil
			}
			rel, _ := filepath.Rel(f.CodeDir, p)
			if d.IsDir() && p != f.CodeDir && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".") ||
				strings.Count(rel, string(filepath.Separator)) >= maxListingDepth) {
				return filepath.SkipDir
			}
			if !d.IsDir() {
				names = append(names, filepath.ToSlash(rel))
			}
			return nil
		})
		sort.Strings(names)
		return names
	}
	switch {
	case strings.HasPrefix(f.Runtime, "nodejs"):
		i := strings.LastIndexByte(f.Handler, '.')
		if i <= 0 {
			return errAt(at, r.ID, "write it as file.export, e.g. app.handler", "handler %q names no module", f.Handler)
		}
		mod := f.Handler[:i]
		for _, ext := range []string{".js", ".mjs", ".cjs", ".ts", ".mts", ".cts"} {
			if exists(mod + ext) {
				return nil
			}
		}
		if exists(mod) || exists(mod+"/index.js") {
			return nil
		}
		return errAt(at, r.ID, suggest(mod+".js", listing()), "handler %q: no file %s.js (or .mjs, .cjs, .ts) in %s", f.Handler, mod, f.CodeDir)
	case strings.HasPrefix(f.Runtime, "python"):
		i := strings.LastIndexByte(f.Handler, '.')
		if i <= 0 {
			return errAt(at, r.ID, "write it as module.function, e.g. app.lambda_handler", "handler %q names no module", f.Handler)
		}
		mod := f.Handler[:i]
		if !strings.Contains(mod, "/") {
			mod = strings.ReplaceAll(mod, ".", "/")
		}
		if exists(mod+".py") || exists(mod+"/__init__.py") {
			return nil
		}
		return errAt(at, r.ID, suggest(mod+".py", listing()), "handler %q: no file %s.py in %s", f.Handler, mod, f.CodeDir)
	case strings.HasPrefix(f.Runtime, "provided"), f.Runtime == "go1.x":
		if declaredLayers(r) || buildable(f.CodeDir) {
			return nil
		}
		want := "bootstrap"
		if f.Runtime == "go1.x" {
			want = f.Handler
		}
		if exists(want) {
			return nil
		}
		return errAt(at, r.ID, "build it first, or set Metadata.BuildMethod: go1.x on the function",
			"no executable %s in %s", want, f.CodeDir)
	}
	return nil
}

// declaredLayers reports whether a function names layers, local or not:
// a custom runtime's bootstrap may come from one.
func declaredLayers(r *resource) bool {
	l := r.Props.Get("Layers")
	if l == nil {
		l = r.Props.Get("layers")
	}
	return l != nil && l.Kind != node.Null
}

// buildable reports whether a folder holds sources a build step turns into
// a bootstrap: Go sources or a Makefile.
func buildable(dir string) bool {
	for _, name := range []string{"go.mod", "Makefile", "main.go"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return true
		}
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	return len(matches) > 0
}
