// Package template loads the templates people already have — SAM and
// CloudFormation (YAML and JSON), serverless.yml (Serverless Framework v3)
// and CDK's synthesized cdk.out — into the neutral app model
// (internal/app), with every intrinsic function resolved to a plain value.
//
// See docs/templates.md for what is supported, how physical names are
// derived and the Nimbus metadata keys.
package template

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/nimbus-dev/nimbus/internal/app"
	"github.com/nimbus-dev/nimbus/internal/template/node"
)

// Options tune a load.
type Options struct {
	// Params override template parameters (--param Key=Value).
	Params map[string]string
	// Region and AccountID feed AWS::Region and AWS::AccountId; empty means
	// us-east-1 and 123456789012.
	Region    string
	AccountID string
	// Stage is serverless.yml's --stage; "" means the file's default.
	Stage string
	// StackName names the stack (AWS::StackName, derived physical names);
	// "" means samconfig.toml's stack_name, the CDK stack's name, the
	// serverless service-stage, or the project folder's name.
	StackName string
	// Env looks up environment variables for serverless.yml's ${env:X};
	// nil means the process environment.
	Env func(string) (string, bool)
	// WorkDir receives inline function code (ZipFile, InlineCode) and
	// unpacked zip artifacts; "" means a new temporary folder.
	WorkDir string
	Logger  *slog.Logger
}

// The region and account a load uses when Options and the template name
// none.
const (
	defaultRegion    = "us-east-1"
	defaultAccountID = "123456789012"
)

// ErrNoTemplate is returned (wrapped) by Load for a folder holding no
// template, so a caller can serve the service APIs alone.
var ErrNoTemplate = errors.New("no template found")

// templateNames are the files Load looks for in a project folder, in order.
var templateNames = []string{"template.yaml", "template.yml", "template.json", "serverless.yml", "serverless.yaml"}

// Load reads a project folder (template.yaml | template.yml | template.json
// | serverless.yml | serverless.yaml, or cdk.out/*.template.json) or a
// named template file, and returns the resolved app model. Problems that
// stop the load come back as *Error values (joined when there are several);
// what is accepted but not emulated is listed in App.Warnings.
func Load(path string, opts Options) (*app.App, error) {
	if opts.Env == nil {
		opts.Env = os.LookupEnv
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	opts.Logger = opts.Logger.With("component", "template")
	file, err := findTemplate(path)
	if err != nil {
		return nil, err
	}
	data, err := readFile(file)
	if err != nil {
		return nil, err
	}
	opts.Logger.Debug("loading template", "file", file)
	if opts.AccountID == "" {
		opts.AccountID = defaultAccountID
	}
	base := filepath.Base(file)
	if strings.HasPrefix(base, "serverless.") {
		return loadServerless(file, data, opts)
	}
	if opts.Region == "" {
		opts.Region = defaultRegion
	}
	return loadCloudFormation(file, data, opts)
}

// findTemplate resolves path to a template file.
func findTemplate(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	st, err := os.Stat(abs)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("%s: no such file or folder", path)
		}
		return "", err
	}
	if !st.IsDir() {
		return abs, nil
	}
	for _, name := range templateNames {
		f := filepath.Join(abs, name)
		if fi, err := os.Stat(f); err == nil && !fi.IsDir() {
			return f, nil
		}
	}
	cdkOut := abs
	if filepath.Base(abs) != "cdk.out" {
		cdkOut = filepath.Join(abs, "cdk.out")
	}
	if stacks, _ := filepath.Glob(filepath.Join(cdkOut, "*.template.json")); len(stacks) > 0 {
		var top []string
		for _, s := range stacks {
			if !strings.HasSuffix(s, ".nested.template.json") {
				top = append(top, s)
			}
		}
		if len(top) == 1 {
			return top[0], nil
		}
		var names []string
		for _, s := range top {
			rel, _ := filepath.Rel(abs, s)
			names = append(names, rel)
		}
		sort.Strings(names)
		return "", fmt.Errorf("%s: cdk.out holds several stacks (%s); name the one to run, e.g. nimbus up %s",
			path, strings.Join(names, ", "), filepath.Join(path, names[0]))
	}
	for _, name := range []string{"serverless.ts", "serverless.js", "serverless.json", "serverless.cjs", "serverless.mjs"} {
		if _, err := os.Stat(filepath.Join(abs, name)); err == nil {
			return "", fmt.Errorf("%s: %s is not supported; write the configuration as serverless.yml", path, name)
		}
	}
	return "", fmt.Errorf("%s: %w (looked for %s, and cdk.out/*.template.json; run `cdk synth` first for a CDK app)",
		path, ErrNoTemplate, strings.Join(templateNames, ", "))
}

// loader builds one app from one stack.
type loader struct {
	s   *stack
	app *app.App

	fnByID    map[string]*app.Function
	fnByName  map[string]*app.Function
	layerByID map[string]*app.Layer
	apiByID   map[string]*app.API
	// defined marks SAM APIs whose routes come from an OpenAPI definition.
	defined map[string]bool
	workDir string
	// cdkDir is the cdk.out folder asset paths resolve against.
	cdkDir string
}

func newLoader(s *stack, file string) *loader {
	return &loader{
		s: s,
		app: &app.App{
			Dir:          filepath.Dir(file),
			TemplatePath: file,
			Region:       s.region,
			AccountID:    s.account,
			Outputs:      map[string]string{},
		},
		fnByID:    map[string]*app.Function{},
		fnByName:  map[string]*app.Function{},
		layerByID: map[string]*app.Layer{},
		apiByID:   map[string]*app.API{},
		defined:   map[string]bool{},
	}
}

// workdir returns the folder for generated files, creating it on first use.
func (l *loader) workdir() (string, error) {
	if l.workDir != "" {
		return l.workDir, nil
	}
	dir := l.s.opts.WorkDir
	if dir == "" {
		d, err := os.MkdirTemp("", "nimbus-template-")
		if err != nil {
			return "", err
		}
		dir = d
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	l.workDir = dir
	return dir, nil
}

// finish returns the app, or every error found.
func (l *loader) finish() (*app.App, error) {
	l.checkUniqueNames()
	if len(l.s.errs) > 0 {
		return nil, errors.Join(l.s.errs...)
	}
	l.app.Name = l.s.name
	l.app.Warnings = append(l.app.Warnings, l.s.warnings...)
	l.app.Files = dedupe(append([]string{l.app.TemplatePath}, l.s.files...))
	l.s.opts.Logger.Debug("template loaded", "file", l.app.TemplatePath, "stack", l.app.Name,
		"functions", len(l.app.Functions), "apis", len(l.app.APIs), "tables", len(l.app.Tables),
		"layers", len(l.app.Layers), "warnings", len(l.app.Warnings))
	return l.app, nil
}

// checkUniqueNames reports two functions or two tables with one physical
// name, which CloudFormation refuses ("already exists").
func (l *loader) checkUniqueNames() {
	fns := map[string]*app.Function{}
	for _, f := range l.app.Functions {
		if prev, ok := fns[f.Name]; ok {
			l.s.fail(&Error{Loc: f.Source, Msg: fmt.Sprintf("function name %q is also used by %s (%s:%d)", f.Name, prev.LogicalID, prev.Source.File, prev.Source.Line)})
		}
		fns[f.Name] = f
	}
	tables := map[string]*app.Table{}
	for _, t := range l.app.Tables {
		if prev, ok := tables[t.TableName]; ok {
			l.s.fail(&Error{Loc: t.Source, Msg: fmt.Sprintf("table name %q is also used by %s (%s:%d)", t.TableName, prev.LogicalID, prev.Source.File, prev.Source.Line)})
		}
		tables[t.TableName] = t
	}
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	out := in[:0]
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

var stackNameOK = regexp.MustCompile(`[^A-Za-z0-9-]+`)

// sanitizeStackName makes a folder name a valid stack name.
func sanitizeStackName(name string) string {
	name = strings.Trim(stackNameOK.ReplaceAllString(name, "-"), "-")
	if name == "" || !(name[0] >= 'a' && name[0] <= 'z' || name[0] >= 'A' && name[0] <= 'Z') {
		name = "stack-" + name
	}
	if len(name) > 128 {
		name = name[:128]
	}
	return strings.TrimRight(name, "-")
}

var samconfigStackName = regexp.MustCompile(`(?m)^\s*stack_name\s*=\s*"([^"]+)"`)

// stackNameFor picks the stack name for a CloudFormation or SAM template.
func stackNameFor(opts Options, file string, s *stack) string {
	if opts.StackName != "" {
		return opts.StackName
	}
	dir := filepath.Dir(file)
	if filepath.Base(dir) == "cdk.out" && strings.HasSuffix(file, ".template.json") {
		return strings.TrimSuffix(filepath.Base(file), ".template.json")
	}
	cfg := filepath.Join(dir, "samconfig.toml")
	if data, err := readFile(cfg); err == nil {
		if m := samconfigStackName.FindSubmatch(data); m != nil {
			s.files = append(s.files, cfg)
			return string(m[1])
		}
	}
	return sanitizeStackName(filepath.Base(dir))
}

// loadCloudFormation loads a CloudFormation, SAM or CDK template.
func loadCloudFormation(file string, data []byte, opts Options) (*app.App, error) {
	root, err := node.Parse(data, file)
	if err != nil {
		return nil, err
	}
	if root.Kind != node.Map {
		return nil, &Error{Loc: locOf(root, ""), Msg: "a template is a mapping with a Resources section"}
	}
	s := newStack(opts, filepath.Dir(file), file)
	s.root = root
	s.name = stackNameFor(opts, file, s)
	l := newLoader(s, file)
	if filepath.Base(filepath.Dir(file)) == "cdk.out" {
		l.cdkDir = filepath.Dir(file)
	}
	if err := l.loadStack(root, opts.Params); err != nil {
		return nil, err
	}
	l.convert()
	l.finishAPIs()
	l.outputs(root.Get("Outputs"))
	l.sites(root.Get("Metadata").Get("Nimbus"), "Metadata.Nimbus")
	l.apiPorts(root.Get("Metadata").Get("Nimbus"), "Metadata.Nimbus")
	return l.finish()
}

// loadStack reads Parameters, Mappings, Conditions and Resources, applies
// SAM Globals, registers what SAM generates and checks every reference.
func (l *loader) loadStack(root *node.Node, params map[string]string) error {
	s := l.s
	for _, key := range root.Keys() {
		switch key {
		case "AWSTemplateFormatVersion", "Description", "Metadata", "Parameters", "Mappings",
			"Conditions", "Resources", "Outputs", "Transform", "Globals", "Rules", "Hooks":
		default:
			p := root.Pair(key)
			s.warnf(p.Value, "", "unknown top-level section %q ignored", key)
		}
	}
	if p := root.Get("Parameters"); p != nil {
		if p.Kind != node.Map {
			return errAt(p, "Parameters", "", "Parameters must be a mapping")
		}
		s.loadParams(p, params)
	} else {
		for _, k := range sortedKeys(params) {
			s.fail(&Error{Loc: app.Location{File: s.file}, Msg: fmt.Sprintf("--param %s: the template has no Parameters section", k)})
		}
	}
	s.mappings = root.Get("Mappings")
	if c := root.Get("Conditions"); c != nil {
		for _, p := range c.Pairs {
			s.conds[p.Key] = p.Value
		}
	}
	resources := root.Get("Resources")
	if resources == nil || resources.Kind == node.Null {
		return errAt(root, "", "", "the template has no Resources section")
	}
	if resources.Kind != node.Map {
		return errAt(resources, "Resources", "", "Resources must be a mapping of logical ids to resources")
	}
	for _, p := range resources.Pairs {
		def := p.Value
		// Messages about a resource point at its logical id.
		def.Line, def.Column = p.Line, p.Column
		if def.Kind != node.Map {
			s.fail(errAt(def, p.Key, "", "a resource is a mapping with Type and Properties"))
			continue
		}
		typ, ok := def.Get("Type").Str()
		if !ok || typ == "" {
			s.fail(errAt(def, p.Key, "", "resource has no Type"))
			continue
		}
		props := def.Get("Properties")
		if props != nil && props.Kind != node.Map && props.Kind != node.Null {
			s.fail(errAt(props, p.Key, "", "Properties must be a mapping"))
			continue
		}
		s.add(&resource{ID: p.Key, Type: typ, Node: def, Props: props, enabled: true})
	}
	if len(s.errs) > 0 {
		return errors.Join(s.errs...)
	}
	l.applyGlobals(root.Get("Globals"))
	l.registerSAMGenerated()
	s.validate(root.Get("Conditions"), "Conditions")
	for _, id := range s.order {
		r := s.res[id]
		if r.Node != nil {
			s.validate(r.Props, id)
		}
	}
	s.validate(root.Get("Outputs"), "Outputs")
	for _, id := range s.order {
		if r := s.res[id]; r.Node != nil {
			s.validateDependsOn(r)
		}
	}
	l.checkTransforms(root.Get("Transform"))
	if len(s.errs) > 0 {
		return errors.Join(s.errs...)
	}
	for _, id := range s.order {
		r := s.res[id]
		if r.Node == nil {
			continue
		}
		if c := r.Node.Get("Condition"); c != nil {
			name, _ := c.Str()
			b, err := s.condition(name, c, id)
			if err != nil {
				s.fail(err)
				continue
			}
			r.enabled = b
		}
	}
	if len(s.errs) > 0 {
		return errors.Join(s.errs...)
	}
	return nil
}

// validateDependsOn reports DependsOn entries that name no resource, as
// CloudFormation does.
func (s *stack) validateDependsOn(r *resource) {
	dep := r.Node.Get("DependsOn")
	if dep == nil {
		return
	}
	items := dep.List()
	if dep.Kind == node.Scalar {
		items = []*node.Node{dep}
	}
	for _, it := range items {
		name, ok := it.Str()
		if !ok {
			s.fail(errAt(it, r.ID, "", "DependsOn takes logical ids"))
			continue
		}
		if _, ok := s.res[name]; !ok {
			s.fail(errAt(it, r.ID, suggest(name, s.resourceNames()), "DependsOn names unknown resource %q", name))
		}
	}
}

// checkTransforms warns about macros other than SAM's and the language
// extensions, whose output Nimbus cannot compute.
func (l *loader) checkTransforms(t *node.Node) {
	items := t.List()
	if t != nil && t.Kind == node.Scalar {
		items = []*node.Node{t}
	}
	for _, it := range items {
		name, _ := it.Str()
		switch name {
		case "AWS::Serverless-2016-10-31", "AWS::LanguageExtensions":
		default:
			l.s.warnf(it, "Transform", "transform %q is not applied locally", scalarText(it))
		}
	}
}

// convert turns every resource into the app model, in an order that lets
// later kinds refer to earlier ones.
func (l *loader) convert() {
	s := l.s
	for _, id := range s.order {
		r := s.res[id]
		if r.Node == nil || !r.enabled {
			continue
		}
		switch r.Type {
		case "AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable":
			l.table(r)
		case "AWS::Serverless::SimpleTable":
			l.simpleTable(r)
		case "AWS::Lambda::LayerVersion", "AWS::Serverless::LayerVersion":
			l.layer(r)
		}
	}
	for _, id := range s.order {
		r := s.res[id]
		if r.Node == nil || !r.enabled {
			continue
		}
		switch r.Type {
		case "AWS::Lambda::Function", "AWS::Serverless::Function":
			l.function(r)
		}
	}
	for _, id := range s.order {
		r := s.res[id]
		// Generated resources become APIs only when SAM makes them so.
		if !r.enabled || (r.Node == nil && !strings.HasPrefix(r.Type, "AWS::Serverless::")) {
			continue
		}
		switch r.Type {
		case "AWS::ApiGateway::RestApi":
			l.restAPI(r)
		case "AWS::ApiGatewayV2::Api":
			l.v2API(r)
		case "AWS::Serverless::Api":
			l.samAPI(r)
		case "AWS::Serverless::HttpApi":
			l.samHTTPAPI(r)
		}
	}
	for _, id := range s.order {
		if r := s.res[id]; r.enabled && r.Type == "AWS::Serverless::Function" {
			l.samEvents(r)
		}
	}
	l.restMethods()
	l.v2Routes()
	for _, id := range s.order {
		r := s.res[id]
		if r.Node == nil || !r.enabled || handledTypes[r.Type] {
			continue
		}
		if !acceptedTypes[r.Type] && !strings.HasPrefix(r.Type, "AWS::IAM::") {
			s.warnf(r.Node, id, "resource type %s is not emulated; ignored", r.Type)
		}
	}
}

// handledTypes are converted into the app model.
var handledTypes = map[string]bool{
	"AWS::DynamoDB::Table": true, "AWS::DynamoDB::GlobalTable": true, "AWS::Serverless::SimpleTable": true,
	"AWS::Lambda::LayerVersion": true, "AWS::Serverless::LayerVersion": true,
	"AWS::Lambda::Function": true, "AWS::Serverless::Function": true,
	"AWS::ApiGateway::RestApi": true, "AWS::ApiGateway::Resource": true, "AWS::ApiGateway::Method": true,
	"AWS::ApiGateway::Deployment": true, "AWS::ApiGateway::Stage": true, "AWS::ApiGateway::GatewayResponse": true,
	"AWS::ApiGatewayV2::Api": true, "AWS::ApiGatewayV2::Route": true, "AWS::ApiGatewayV2::Integration": true,
	"AWS::ApiGatewayV2::Stage": true, "AWS::ApiGatewayV2::Deployment": true,
	"AWS::ApiGatewayV2::RouteResponse": true, "AWS::ApiGatewayV2::IntegrationResponse": true,
	"AWS::Serverless::Api": true, "AWS::Serverless::HttpApi": true,
}

// acceptedTypes are accepted silently: they only matter in the cloud
// (permissions, logging, deployment bookkeeping).
var acceptedTypes = map[string]bool{
	"AWS::Lambda::Permission": true, "AWS::Lambda::Version": true, "AWS::Lambda::Alias": true,
	"AWS::Lambda::LayerVersionPermission": true, "AWS::Logs::LogGroup": true,
	"AWS::CDK::Metadata": true, "AWS::ApiGateway::Account": true,
	"AWS::ApiGateway::Model":            true,
	"AWS::ApiGateway::RequestValidator": true, "AWS::ApiGatewayV2::Model": true,
}

// outputs evaluates the Outputs section.
func (l *loader) outputs(section *node.Node) {
	s := l.s
	if section == nil {
		return
	}
	for _, p := range section.Pairs {
		where := "Outputs." + p.Key
		if c := p.Value.Get("Condition"); c != nil {
			name, _ := c.Str()
			b, err := s.condition(name, c, where)
			if err != nil {
				s.fail(err)
				continue
			}
			if !b {
				continue
			}
		}
		v, err := s.eval(p.Value.Get("Value"), where)
		if err != nil {
			s.fail(err)
			continue
		}
		if v == noValue {
			continue
		}
		l.app.Outputs[p.Key] = str(v)
	}
}

// sites reads the Nimbus metadata's static sites:
// {Sites: [{Name: web, Path: web, Index: index.html, Port: 8080}]}.
func (l *loader) sites(meta *node.Node, where string) {
	s := l.s
	list := meta.Get("Sites")
	if list == nil {
		list = meta.Get("sites")
	}
	if list == nil {
		return
	}
	if list.Kind != node.Seq {
		s.fail(errAt(list, where, "", "Sites must be a list of {Name, Path}"))
		return
	}
	for i, it := range list.Items {
		v, err := s.eval(it, where)
		if err != nil {
			s.fail(err)
			continue
		}
		m, _ := v.(map[string]any)
		get := func(k string) any {
			if x, ok := m[k]; ok {
				return x
			}
			return m[strings.ToLower(k)]
		}
		name, path := str(get("Name")), str(get("Path"))
		if path == "" {
			s.fail(errAt(it, where, "", "site %d has no Path (the folder of static files)", i+1))
			continue
		}
		if name == "" {
			name = filepath.Base(path)
		}
		dir := l.resolvePath(path)
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			s.fail(errAt(it, where, "", "site %s: folder %s does not exist", name, path))
			continue
		}
		port, _ := toInt(get("Port"))
		l.app.Sites = append(l.app.Sites, &app.Site{Name: name, Dir: dir, Port: port, Index: str(get("Index"))})
	}
}

// apiPorts reads the Nimbus metadata's fixed API ports:
// {APIs: {ChatWebSocket: {Port: 3001}}}.
func (l *loader) apiPorts(meta *node.Node, where string) {
	apis := meta.Get("APIs")
	if apis == nil {
		apis = meta.Get("apis")
	}
	var ids []string
	for _, a := range l.app.APIs {
		ids = append(ids, a.LogicalID)
	}
	for _, p := range apis.Entries() {
		a := l.apiByID[p.Key]
		if a == nil {
			l.s.fail(&Error{Loc: app.Location{File: p.Value.File, Line: p.Line, Column: p.Column, Resource: where},
				Msg: fmt.Sprintf("APIs: %q is not an API of this template", p.Key), Hint: suggest(p.Key, ids)})
			continue
		}
		port := p.Value.Get("Port")
		if port == nil {
			port = p.Value.Get("port")
		}
		n, ok := toInt(port.Plain())
		if !ok || n < 1 || n > 65535 {
			l.s.fail(errAt(p.Value, where, "", "APIs.%s: Port must be a number from 1 to 65535", p.Key))
			continue
		}
		a.Port = n
	}
}

// resolvePath makes a template-relative path absolute.
func (l *loader) resolvePath(p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(l.s.dir, filepath.FromSlash(p))
}

// prop evaluates one property of a resource; failures are recorded and
// give nil, as does AWS::NoValue.
func (s *stack) prop(r *resource, key string) any {
	n := r.Props.Get(key)
	if n == nil {
		return nil
	}
	v, err := s.eval(n, r.ID)
	if err != nil {
		s.fail(err)
		return nil
	}
	if v == noValue {
		return nil
	}
	return v
}

func (s *stack) propStr(r *resource, key string) string { return str(s.prop(r, key)) }

// location is where a resource is defined.
func (r *resource) location() app.Location {
	if r.Node == nil {
		return app.Location{Resource: r.ID}
	}
	return locOf(r.Node, r.ID)
}

// maxTemplateSize bounds every file the loader reads (templates, OpenAPI
// definitions, variable files).
const maxTemplateSize = 32 << 20

// readFile reads a regular file of at most maxTemplateSize bytes, so a
// reference to a device or a huge file cannot hang or exhaust the load.
func readFile(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	if fi.Size() > maxTemplateSize {
		return nil, fmt.Errorf("%s is larger than %d MB", path, maxTemplateSize>>20)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, maxTemplateSize+1))
}
