package template

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/nimbus-dev/nimbus/internal/template/node"
)

// slsVars resolves the Serverless Framework's ${...} variables in a parsed
// serverless.yml: self:, sls:, opt:, env:, aws:, file(...) with fallbacks
// (`${opt:stage, 'dev'}`) and nesting (`${self:custom.${sls:stage}.x}`).
type slsVars struct {
	root    *node.Node
	opts    Options
	stage   string
	region  string
	account string
	dir     string
	files   []string
	busy    map[string]bool
	cache   map[string]*node.Node
	count   int
}

// maxVarSteps bounds resolution work so self-referencing files end.
const maxVarSteps = 100_000

// slsSource matches the start of a Serverless variable expression.
var slsSource = regexp.MustCompile(`^\s*(self|sls|opt|env|aws|cf|ssm|s3|param|file|cf\.[a-z0-9-]+|strToBool|[A-Za-z][A-Za-z0-9]*)(:|\()`)

// isSlsExpr tells Serverless variables from CloudFormation's own ${...}
// (Fn::Sub's ${AWS::Region} and ${Resource}), which are left alone.
func isSlsExpr(expr string) bool {
	m := slsSource.FindStringSubmatch(expr)
	if m == nil {
		return false
	}
	rest := expr[len(m[0]):]
	return !(m[2] == ":" && strings.HasPrefix(rest, ":"))
}

// resolve returns a copy of n with every variable resolved.
func (v *slsVars) resolve(n *node.Node, depth int) (*node.Node, error) {
	if n == nil {
		return nil, nil
	}
	v.count++
	if v.count > maxVarSteps || depth > maxEvalDepth {
		return nil, errAt(n, "", "", "variables nest too deeply or refer to themselves")
	}
	switch n.Kind {
	case node.Map:
		out := *n
		out.Pairs = make([]node.Pair, 0, len(n.Pairs))
		for _, p := range n.Pairs {
			val, err := v.resolve(p.Value, depth+1)
			if err != nil {
				return nil, err
			}
			p.Value = val
			out.Pairs = append(out.Pairs, p)
		}
		return &out, nil
	case node.Seq:
		out := *n
		out.Items = make([]*node.Node, 0, len(n.Items))
		for _, it := range n.Items {
			val, err := v.resolve(it, depth+1)
			if err != nil {
				return nil, err
			}
			out.Items = append(out.Items, val)
		}
		return &out, nil
	case node.Scalar:
		if n.Type != node.String || !strings.Contains(n.Value, "${") {
			return n, nil
		}
		return v.interpolate(n, depth+1)
	}
	return n, nil
}

// findVar returns the innermost Serverless variable in s at or after from:
// the offsets of its "${" and its "}".
func findVar(s string, from int) (int, int, bool) {
	for i := from; i < len(s)-1; i++ {
		if s[i] != '$' || s[i+1] != '{' {
			continue
		}
		j := i + 2
		for j < len(s) && s[j] != '}' {
			if s[j] == '$' && j+1 < len(s) && s[j+1] == '{' {
				break
			}
			j++
		}
		if j >= len(s) {
			return 0, 0, false
		}
		if s[j] == '}' && isSlsExpr(s[i+2:j]) {
			return i, j, true
		}
	}
	return 0, 0, false
}

// interpolate resolves the variables of one string scalar. A scalar that is
// exactly one variable takes the variable's value, structure included.
func (v *slsVars) interpolate(n *node.Node, depth int) (*node.Node, error) {
	s := n.Value
	for steps := 0; ; steps++ {
		if steps > 1000 {
			return nil, errAt(n, "", "", "too many variables in one value")
		}
		i, j, ok := findVar(s, 0)
		if !ok {
			out := *n
			out.Value = s
			return &out, nil
		}
		val, err := v.expr(s[i+2:j], n, depth)
		if err != nil {
			return nil, err
		}
		if i == 0 && j == len(s)-1 {
			if val.Kind == node.Scalar && val.Type == node.String && strings.Contains(val.Value, "${") {
				s = val.Value
				continue
			}
			out := *val
			out.File, out.Line, out.Column = n.File, n.Line, n.Column
			return &out, nil
		}
		if val.Kind == node.Map || val.Kind == node.Seq {
			return nil, errAt(n, "", "", "variable ${%s} is a %s and cannot be part of a string", s[i+2:j], kindName(val.Kind))
		}
		s = s[:i] + val.Value + s[j+1:]
	}
}

func kindName(k node.Kind) string {
	switch k {
	case node.Map:
		return "mapping"
	case node.Seq:
		return "list"
	}
	return "value"
}

// splitFallbacks splits "opt:stage, 'dev'" at top-level commas.
func splitFallbacks(expr string) []string {
	var parts []string
	depth, quote, start := 0, byte(0), 0
	for i := 0; i < len(expr); i++ {
		c := expr[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == ',' && depth == 0:
			parts = append(parts, strings.TrimSpace(expr[start:i]))
			start = i + 1
		}
	}
	return append(parts, strings.TrimSpace(expr[start:]))
}

func scalarNode(s string, at *node.Node) *node.Node {
	return &node.Node{Kind: node.Scalar, Value: s, File: at.File, Line: at.Line, Column: at.Column}
}

// expr resolves one variable expression with its fallbacks.
func (v *slsVars) expr(expr string, at *node.Node, depth int) (*node.Node, error) {
	parts := splitFallbacks(expr)
	for i, p := range parts {
		last := i == len(parts)-1
		if len(p) >= 2 && (p[0] == '\'' || p[0] == '"') && p[len(p)-1] == p[0] {
			return scalarNode(p[1:len(p)-1], at), nil
		}
		if i > 0 && !isSlsExpr(p) {
			if _, err := strconv.ParseFloat(p, 64); err == nil || p == "true" || p == "false" || p == "null" {
				n := scalarNode(p, at)
				n.Type = node.Int
				if p == "true" || p == "false" {
					n.Type = node.Bool
				} else if p == "null" {
					n.Kind = node.Null
				}
				return n, nil
			}
		}
		val, found, err := v.source(p, at, depth, !last)
		if err != nil {
			return nil, err
		}
		if found {
			return val, nil
		}
	}
	hint := ""
	if strings.HasPrefix(parts[0], "opt:stage") {
		hint = "pass --stage or write ${opt:stage, 'dev'}"
	} else if strings.HasPrefix(parts[0], "env:") {
		hint = fmt.Sprintf("set %s in the environment or add a fallback: ${%s, 'value'}", strings.TrimPrefix(parts[0], "env:"), parts[0])
	}
	return nil, errAt(at, "", hint, "variable ${%s} resolves to nothing", expr)
}

// source resolves one variable source; found is false when it has no
// value (and a fallback may apply).
func (v *slsVars) source(src string, at *node.Node, depth int, hasFallback bool) (*node.Node, bool, error) {
	kind, addr, _ := strings.Cut(src, ":")
	switch {
	case kind == "self":
		n, err := v.self(addr, at, depth)
		return n, n != nil && n.Kind != node.Null, err
	case kind == "sls":
		switch addr {
		case "stage":
			return scalarNode(v.stage, at), true, nil
		case "instanceId":
			return scalarNode(hashID("instance:"+v.dir, 12, true), at), true, nil
		}
	case kind == "opt":
		switch addr {
		case "stage":
			if v.opts.Stage != "" {
				return scalarNode(v.opts.Stage, at), true, nil
			}
			return nil, false, nil
		case "region", "r":
			if v.opts.Region != "" {
				return scalarNode(v.opts.Region, at), true, nil
			}
			return nil, false, nil
		}
		return nil, false, nil
	case kind == "env":
		if val, ok := v.opts.Env(addr); ok {
			return scalarNode(val, at), true, nil
		}
		return nil, false, nil
	case kind == "aws":
		switch addr {
		case "region":
			return scalarNode(v.region, at), true, nil
		case "accountId":
			return scalarNode(v.account, at), true, nil
		}
		return nil, false, errAt(at, "", suggest(addr, []string{"region", "accountId"}), "unknown variable ${aws:%s}", addr)
	case strings.HasPrefix(src, "file("):
		n, err := v.file(src, at, depth)
		return n, n != nil, err
	case kind == "cf" || strings.HasPrefix(kind, "cf.") || kind == "ssm" || kind == "s3" || kind == "param":
		if hasFallback {
			return nil, false, nil
		}
		return nil, false, errAt(at, "", "add a fallback value: ${"+src+", 'local-value'}",
			"variable ${%s} reads from AWS (%s), which is not available locally", src, kind)
	}
	return nil, false, errAt(at, "", suggest(kind+":", []string{"self:", "sls:", "opt:", "env:", "aws:", "file("}),
		"unknown variable source in ${%s}", src)
}

// self looks a dotted path up in serverless.yml itself.
func (v *slsVars) self(addr string, at *node.Node, depth int) (*node.Node, error) {
	addr = strings.TrimSpace(addr)
	switch addr {
	case "provider.stage":
		return scalarNode(v.stage, at), nil
	case "provider.region":
		return scalarNode(v.region, at), nil
	case "service":
		if n := v.root.Get("service"); n != nil && n.Kind == node.Map {
			return v.resolve(n.Get("name"), depth+1)
		}
	}
	if addr == "" {
		return nil, errAt(at, "", "", "${self:} needs a path")
	}
	if c, ok := v.cache[addr]; ok {
		return c, nil
	}
	if v.busy[addr] {
		return nil, errAt(at, "", "", "variable ${self:%s} refers to itself", addr)
	}
	v.busy[addr] = true
	res, err := v.walk(v.root, addr, depth)
	delete(v.busy, addr)
	if err != nil {
		return nil, err
	}
	v.cache[addr] = res
	return res, nil
}

// walk follows a dotted path, resolving variables met on the way, so
// ${self:custom.settings.memory} works when custom.settings is itself a
// ${file(...)}.
func (v *slsVars) walk(n *node.Node, path string, depth int) (*node.Node, error) {
	for _, seg := range strings.Split(path, ".") {
		if n != nil && n.Kind == node.Scalar && strings.Contains(n.Value, "${") {
			r, err := v.resolve(n, depth+1)
			if err != nil {
				return nil, err
			}
			n = r
		}
		n = lookupPath(n, seg)
		if n == nil {
			return nil, nil
		}
	}
	return v.resolve(n, depth+1)
}

// lookupPath walks a dotted path (a.b.0.c) through maps and lists.
func lookupPath(n *node.Node, path string) *node.Node {
	for _, seg := range strings.Split(path, ".") {
		switch {
		case n == nil:
			return nil
		case n.Kind == node.Map:
			n = n.Get(seg)
		case n.Kind == node.Seq:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(n.Items) {
				return nil
			}
			n = n.Items[i]
		default:
			return nil
		}
	}
	return n
}

var fileVar = regexp.MustCompile(`^file\(([^)]*)\)(?::(.*))?$`)

// file reads ${file(path)} or ${file(path):a.b}: a YAML or JSON file
// relative to serverless.yml.
func (v *slsVars) file(src string, at *node.Node, depth int) (*node.Node, error) {
	m := fileVar.FindStringSubmatch(strings.TrimSpace(src))
	if m == nil {
		return nil, errAt(at, "", "", "malformed ${%s}", src)
	}
	rel := strings.Trim(strings.TrimSpace(m[1]), `'"`)
	path := rel
	if !filepath.IsAbs(path) {
		path = filepath.Join(v.dir, filepath.FromSlash(rel))
	}
	ext := strings.ToLower(filepath.Ext(path))
	if ext == ".js" || ext == ".cjs" || ext == ".mjs" || ext == ".ts" {
		return nil, errAt(at, "", "use a YAML or JSON file", "${file(%s)}: JavaScript variable files are not supported", rel)
	}
	v.files = append(v.files, path)
	root, ok := v.cache["file:"+path]
	if !ok {
		data, err := readFile(path)
		if err != nil {
			return nil, nil
		}
		root, err = node.Parse(data, path)
		if err != nil {
			return nil, err
		}
		sub := *v
		sub.root = root
		sub.cache = map[string]*node.Node{}
		root, err = sub.resolve(root, depth+1)
		v.files = sub.files
		v.count = sub.count
		if err != nil {
			return nil, err
		}
		v.cache["file:"+path] = root
	}
	if m[2] == "" {
		return root, nil
	}
	return lookupPath(root, strings.TrimSpace(m[2])), nil
}
