package template

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/nimbus-dev/nimbus/internal/template/node"
)

// noValueT is the value of Ref AWS::NoValue: the property it sits in is
// dropped, as if it were not written.
type noValueT struct{}

var noValue = noValueT{}

// intrinsicNames are the intrinsic functions Nimbus evaluates.
var intrinsicNames = []string{"Ref", "Fn::GetAtt", "Fn::Sub", "Fn::Join", "Fn::Select", "Fn::Split",
	"Fn::If", "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not", "Fn::FindInMap", "Fn::Base64",
	"Fn::GetAZs", "Fn::Length", "Fn::ToJsonString", "Fn::ImportValue", "Fn::Transform", "Fn::Cidr"}

// shortNames are the YAML short forms, for suggestions.
var shortNames = []string{"!Ref", "!GetAtt", "!Sub", "!Join", "!Select", "!Split", "!If", "!Equals",
	"!And", "!Or", "!Not", "!FindInMap", "!Base64", "!GetAZs", "!Length", "!ToJsonString",
	"!ImportValue", "!Transform", "!Cidr", "!Condition"}

// intrinsicKey reports whether a map node is an intrinsic function call,
// and which: a single key that is Ref, Fn::Something or an unknown YAML tag.
func intrinsicKey(n *node.Node) (string, bool) {
	if n == nil || n.Kind != node.Map || len(n.Pairs) != 1 {
		return "", false
	}
	k := n.Pairs[0].Key
	if k == "Ref" || strings.HasPrefix(k, "Fn::") || strings.HasPrefix(k, "!") {
		return k, true
	}
	return "", false
}

// eval resolves every intrinsic in n and returns plain values: strings,
// int64, float64, bool, nil, []any, map[string]any, or noValue.
func (s *stack) eval(n *node.Node, where string) (any, error) {
	return s.evalDepth(n, where, 0)
}

const maxEvalDepth = 200

func (s *stack) evalDepth(n *node.Node, where string, depth int) (any, error) {
	if n == nil {
		return nil, nil
	}
	if depth > maxEvalDepth {
		return nil, errAt(n, where, "", "intrinsic functions nested too deeply")
	}
	switch n.Kind {
	case node.Null:
		return nil, nil
	case node.Scalar:
		return n.ScalarValue(), nil
	case node.Seq:
		out := make([]any, 0, len(n.Items))
		for _, it := range n.Items {
			v, err := s.evalDepth(it, where, depth+1)
			if err != nil {
				return nil, err
			}
			if v == noValue {
				continue
			}
			out = append(out, v)
		}
		return out, nil
	}
	if key, ok := intrinsicKey(n); ok {
		return s.intrinsic(key, n.Pairs[0].Value, n, where, depth+1)
	}
	out := make(map[string]any, len(n.Pairs))
	for _, p := range n.Pairs {
		v, err := s.evalDepth(p.Value, where, depth+1)
		if err != nil {
			return nil, err
		}
		if v == noValue {
			delete(out, p.Key)
			continue
		}
		out[p.Key] = v
	}
	return out, nil
}

func (s *stack) intrinsic(key string, arg, at *node.Node, where string, depth int) (any, error) {
	switch key {
	case "Ref":
		name, ok := arg.Str()
		if !ok {
			return nil, errAt(at, where, "", "Ref takes the name of a parameter or resource")
		}
		return s.refName(name, at, where)
	case "Fn::GetAtt":
		return s.fnGetAtt(arg, at, where, depth)
	case "Fn::Sub":
		return s.fnSub(arg, at, where, depth)
	case "Fn::Join":
		args, err := s.argList(arg, at, where, depth, key, 2)
		if err != nil {
			return nil, err
		}
		list, ok := args[1].([]any)
		if !ok {
			return nil, errAt(at, where, "", "Fn::Join needs a list of values to join")
		}
		parts := make([]string, 0, len(list))
		for _, v := range list {
			if _, isMap := v.(map[string]any); isMap {
				return nil, errAt(at, where, "", "Fn::Join: cannot join a map")
			}
			parts = append(parts, str(v))
		}
		return strings.Join(parts, str(args[0])), nil
	case "Fn::Select":
		args, err := s.argList(arg, at, where, depth, key, 2)
		if err != nil {
			return nil, err
		}
		idx, ok := toInt(args[0])
		list, isList := args[1].([]any)
		if !ok || !isList {
			return nil, errAt(at, where, "", "Fn::Select needs an index and a list")
		}
		if idx < 0 || idx >= len(list) {
			return nil, errAt(at, where, "", "Fn::Select: index %d out of range (list has %d elements)", idx, len(list))
		}
		return list[idx], nil
	case "Fn::Split":
		args, err := s.argList(arg, at, where, depth, key, 2)
		if err != nil {
			return nil, err
		}
		sep := str(args[0])
		if sep == "" {
			return nil, errAt(at, where, "", "Fn::Split needs a non-empty delimiter")
		}
		parts := strings.Split(str(args[1]), sep)
		out := make([]any, len(parts))
		for i, p := range parts {
			out[i] = p
		}
		return out, nil
	case "Fn::If":
		if arg == nil || arg.Kind != node.Seq || len(arg.Items) != 3 {
			return nil, errAt(at, where, "", "Fn::If takes [condition name, value if true, value if false]")
		}
		cname, ok := arg.Items[0].Str()
		if !ok {
			return nil, errAt(at, where, "", "Fn::If: the first element names a condition")
		}
		b, err := s.condition(cname, arg.Items[0], where)
		if err != nil {
			return nil, err
		}
		if b {
			return s.evalDepth(arg.Items[1], where, depth)
		}
		return s.evalDepth(arg.Items[2], where, depth)
	case "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not":
		return s.condExpr(at, where, depth)
	case "Fn::FindInMap":
		return s.fnFindInMap(arg, at, where, depth)
	case "Fn::Base64":
		v, err := s.evalDepth(arg, where, depth)
		if err != nil {
			return nil, err
		}
		return base64.StdEncoding.EncodeToString([]byte(str(v))), nil
	case "Fn::GetAZs":
		v, err := s.evalDepth(arg, where, depth)
		if err != nil {
			return nil, err
		}
		region := str(v)
		if region == "" {
			region = s.region
		}
		return []any{region + "a", region + "b", region + "c"}, nil
	case "Fn::Length":
		v, err := s.evalDepth(arg, where, depth)
		if err != nil {
			return nil, err
		}
		list, ok := v.([]any)
		if !ok {
			return nil, errAt(at, where, "", "Fn::Length needs a list")
		}
		return int64(len(list)), nil
	case "Fn::ToJsonString":
		v, err := s.evalDepth(arg, where, depth)
		if err != nil {
			return nil, err
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, errAt(at, where, "", "Fn::ToJsonString: %v", err)
		}
		return string(b), nil
	case "Fn::ImportValue":
		return nil, errAt(at, where, "pass the value as a template parameter with --param instead",
			"Fn::ImportValue: exports of other stacks are not available locally")
	case "Fn::Transform":
		return nil, errAt(at, where, "inline the included snippet in the template",
			"Fn::Transform (AWS::Include and macros) is not supported locally")
	case "Fn::Cidr":
		return nil, errAt(at, where, "", "Fn::Cidr is not supported locally: networking resources are not emulated")
	}
	if strings.HasPrefix(key, "!") {
		return nil, errAt(at, where, suggest(key, shortNames), "unknown intrinsic function tag %s", key)
	}
	return nil, errAt(at, where, suggest(key, intrinsicNames), "unknown intrinsic function %s", key)
}

// argList evaluates an intrinsic's argument list and checks its length.
func (s *stack) argList(arg, at *node.Node, where string, depth int, fn string, n int) ([]any, error) {
	if arg == nil || arg.Kind != node.Seq || len(arg.Items) != n {
		return nil, errAt(at, where, "", "%s takes a list of %d arguments", fn, n)
	}
	out := make([]any, n)
	for i, it := range arg.Items {
		v, err := s.evalDepth(it, where, depth)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// refName resolves Ref of a parameter, pseudo parameter or resource.
func (s *stack) refName(name string, at *node.Node, where string) (any, error) {
	if v, ok := s.pseudo(name); ok {
		return v, nil
	}
	if p, ok := s.params[name]; ok {
		return p.value, nil
	}
	if r, ok := s.res[name]; ok {
		if !r.enabled {
			return nil, errAt(at, where, "", "Ref to %s, which its Condition leaves out of the stack", name)
		}
		return s.ref(r)
	}
	return nil, errAt(at, where, suggest(name, s.refNames()), "Ref to unknown parameter or resource %q", name)
}

func (s *stack) fnGetAtt(arg, at *node.Node, where string, depth int) (any, error) {
	var id, attr string
	switch {
	case arg != nil && arg.Kind == node.Scalar:
		id, attr, _ = strings.Cut(arg.Value, ".")
	case arg != nil && arg.Kind == node.Seq && len(arg.Items) == 2:
		id, _ = arg.Items[0].Str()
		v, err := s.evalDepth(arg.Items[1], where, depth)
		if err != nil {
			return nil, err
		}
		attr = str(v)
	default:
		return nil, errAt(at, where, "", "Fn::GetAtt takes [logicalId, attribute] or \"logicalId.attribute\"")
	}
	if id == "" || attr == "" {
		return nil, errAt(at, where, "", "Fn::GetAtt takes [logicalId, attribute] or \"logicalId.attribute\"")
	}
	r, ok := s.res[id]
	if !ok {
		return nil, errAt(at, where, suggest(id, s.resourceNames()), "Fn::GetAtt of unknown resource %q", id)
	}
	if !r.enabled {
		return nil, errAt(at, where, "", "Fn::GetAtt of %s, which its Condition leaves out of the stack", id)
	}
	return s.getAtt(r, attr, at, where)
}

func (s *stack) resourceNames() []string {
	names := make([]string, 0, len(s.res))
	for k, r := range s.res {
		if r.enabled {
			names = append(names, k)
		}
	}
	return names
}

func (s *stack) fnSub(arg, at *node.Node, where string, depth int) (any, error) {
	var tmpl string
	vars := map[string]any{}
	switch {
	case arg != nil && arg.Kind == node.Scalar:
		tmpl = arg.Value
	case arg != nil && arg.Kind == node.Seq && len(arg.Items) == 2:
		t, ok := arg.Items[0].Str()
		if !ok {
			return nil, errAt(at, where, "", "Fn::Sub: the first element is the string to substitute")
		}
		tmpl = t
		m := arg.Items[1]
		if m.Kind != node.Map {
			return nil, errAt(at, where, "", "Fn::Sub: the second element maps variable names to values")
		}
		for _, p := range m.Pairs {
			v, err := s.evalDepth(p.Value, where, depth)
			if err != nil {
				return nil, err
			}
			vars[p.Key] = v
		}
	default:
		return nil, errAt(at, where, "", "Fn::Sub takes a string or [string, {variables}]")
	}
	var b strings.Builder
	err := scanSub(tmpl, func(lit string) { b.WriteString(lit) }, func(name string) error {
		v, err := s.subVar(name, vars, at, where)
		if err != nil {
			return err
		}
		b.WriteString(str(v))
		return nil
	})
	if err != nil {
		if _, ok := err.(*Error); ok {
			return nil, err
		}
		return nil, errAt(at, where, "", "Fn::Sub: %v", err)
	}
	return b.String(), nil
}

// scanSub walks a Fn::Sub template: literal text goes to lit, each
// ${Name} to ref; ${!Literal} stands for the text ${Literal}.
func scanSub(tmpl string, lit func(string), ref func(string) error) error {
	for {
		i := strings.Index(tmpl, "${")
		if i < 0 {
			lit(tmpl)
			return nil
		}
		lit(tmpl[:i])
		rest := tmpl[i+2:]
		j := strings.IndexByte(rest, '}')
		if j < 0 {
			lit(tmpl[i:])
			return nil
		}
		name := rest[:j]
		if strings.HasPrefix(name, "!") {
			lit("${" + name[1:] + "}")
		} else if err := ref(strings.TrimSpace(name)); err != nil {
			return err
		}
		tmpl = rest[j+1:]
	}
}

func (s *stack) subVar(name string, vars map[string]any, at *node.Node, where string) (any, error) {
	if v, ok := vars[name]; ok {
		return v, nil
	}
	if v, ok := s.pseudo(name); ok {
		if v == noValue {
			return "", nil
		}
		return v, nil
	}
	if p, ok := s.params[name]; ok {
		if list, isList := p.value.([]any); isList {
			parts := make([]string, len(list))
			for i, e := range list {
				parts[i] = str(e)
			}
			return strings.Join(parts, ","), nil
		}
		return p.value, nil
	}
	if r, ok := s.res[name]; ok && r.enabled {
		return s.ref(r)
	}
	if id, attr, ok := strings.Cut(name, "."); ok {
		if r, ok := s.res[id]; ok && r.enabled {
			return s.getAtt(r, attr, at, where)
		}
	}
	cands := s.refNames()
	for k := range vars {
		cands = append(cands, k)
	}
	return nil, errAt(at, where, suggest(name, cands), "Fn::Sub: unknown variable ${%s}", name)
}

func (s *stack) fnFindInMap(arg, at *node.Node, where string, depth int) (any, error) {
	if arg == nil || arg.Kind != node.Seq || (len(arg.Items) != 3 && len(arg.Items) != 4) {
		return nil, errAt(at, where, "", "Fn::FindInMap takes [MapName, TopLevelKey, SecondLevelKey]")
	}
	keys := make([]string, 3)
	for i := 0; i < 3; i++ {
		v, err := s.evalDepth(arg.Items[i], where, depth)
		if err != nil {
			return nil, err
		}
		keys[i] = str(v)
	}
	var def *node.Node
	if len(arg.Items) == 4 {
		def = arg.Items[3].Get("DefaultValue")
	}
	m := s.mappings.Get(keys[0])
	if m == nil {
		if def != nil {
			return s.evalDepth(def, where, depth)
		}
		return nil, errAt(at, where, suggest(keys[0], s.mappings.Keys()), "Fn::FindInMap: no mapping %q", keys[0])
	}
	top := m.Get(keys[1])
	if top == nil {
		if def != nil {
			return s.evalDepth(def, where, depth)
		}
		return nil, errAt(at, where, suggest(keys[1], m.Keys()), "Fn::FindInMap: mapping %s has no key %q", keys[0], keys[1])
	}
	v := top.Get(keys[2])
	if v == nil {
		if def != nil {
			return s.evalDepth(def, where, depth)
		}
		return nil, errAt(at, where, suggest(keys[2], top.Keys()), "Fn::FindInMap: mapping %s.%s has no key %q", keys[0], keys[1], keys[2])
	}
	return s.evalDepth(v, where, depth)
}

// condition evaluates a named condition once and remembers the result.
func (s *stack) condition(name string, at *node.Node, where string) (bool, error) {
	switch s.condVal[name] {
	case condTrue:
		return true, nil
	case condFalse:
		return false, nil
	case condBusy:
		return false, errAt(at, where, "", "condition %s depends on itself", name)
	}
	def, ok := s.conds[name]
	if !ok {
		return false, errAt(at, where, suggest(name, sortedKeys(s.conds)), "unknown condition %q", name)
	}
	s.condVal[name] = condBusy
	v, err := s.condExpr(def, "Conditions."+name, 0)
	if err != nil {
		s.condVal[name] = condUnknown
		return false, err
	}
	b, _ := v.(bool)
	if b {
		s.condVal[name] = condTrue
	} else {
		s.condVal[name] = condFalse
	}
	return b, nil
}

// condExpr evaluates a condition function (Fn::Equals, Fn::And, Fn::Or,
// Fn::Not, Condition) to a bool.
func (s *stack) condExpr(n *node.Node, where string, depth int) (any, error) {
	if depth > maxEvalDepth {
		return nil, errAt(n, where, "", "conditions nested too deeply")
	}
	if n != nil && n.Kind == node.Map && len(n.Pairs) == 1 && n.Pairs[0].Key == "Condition" {
		name, ok := n.Pairs[0].Value.Str()
		if !ok {
			return nil, errAt(n, where, "", "Condition takes a condition name")
		}
		return s.condition(name, n, where)
	}
	key, ok := intrinsicKey(n)
	if !ok {
		if n != nil && n.Kind == node.Scalar && n.Type == node.Bool {
			return n.Value == "true", nil
		}
		return nil, errAt(n, where, "", "a condition must be Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition")
	}
	arg := n.Pairs[0].Value
	switch key {
	case "Fn::Equals":
		args, err := s.argList(arg, n, where, depth+1, key, 2)
		if err != nil {
			return nil, err
		}
		return str(args[0]) == str(args[1]), nil
	case "Fn::Not":
		if arg == nil || arg.Kind != node.Seq || len(arg.Items) != 1 {
			return nil, errAt(n, where, "", "Fn::Not takes a list of one condition")
		}
		v, err := s.condExpr(arg.Items[0], where, depth+1)
		if err != nil {
			return nil, err
		}
		b, _ := v.(bool)
		return !b, nil
	case "Fn::And", "Fn::Or":
		if arg == nil || arg.Kind != node.Seq || len(arg.Items) < 2 || len(arg.Items) > 10 {
			return nil, errAt(n, where, "", "%s takes a list of 2 to 10 conditions", key)
		}
		and := key == "Fn::And"
		for _, it := range arg.Items {
			v, err := s.condExpr(it, where, depth+1)
			if err != nil {
				return nil, err
			}
			b, _ := v.(bool)
			if and && !b {
				return false, nil
			}
			if !and && b {
				return true, nil
			}
		}
		return and, nil
	}
	v, err := s.intrinsic(key, arg, n, where, depth+1)
	if err != nil {
		return nil, err
	}
	if b, ok := v.(bool); ok {
		return b, nil
	}
	return str(v) == "true", nil
}

// str renders a scalar value as CloudFormation would in a string context.
func str(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	case bool:
		return strconv.FormatBool(t)
	case int64:
		return strconv.FormatInt(t, 10)
	case int:
		return strconv.Itoa(t)
	case float64:
		if t == math.Trunc(t) && math.Abs(t) < 1e15 {
			return strconv.FormatInt(int64(t), 10)
		}
		return strconv.FormatFloat(t, 'f', -1, 64)
	case noValueT:
		return ""
	case []any:
		parts := make([]string, len(t))
		for i, e := range t {
			parts[i] = str(e)
		}
		return strings.Join(parts, ",")
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// toInt reads an integer written as a number or a numeric string.
func toInt(v any) (int, bool) {
	switch t := v.(type) {
	case int64:
		return int(t), true
	case int:
		return t, true
	case float64:
		if t == math.Trunc(t) && math.Abs(t) < 1<<53 {
			return int(t), true
		}
	case string:
		if i, err := strconv.Atoi(strings.TrimSpace(t)); err == nil {
			return i, true
		}
	}
	return 0, false
}

// toBool reads a boolean written as a bool or "true"/"false".
func toBool(v any) bool {
	switch t := v.(type) {
	case bool:
		return t
	case string:
		return strings.EqualFold(t, "true")
	}
	return false
}
