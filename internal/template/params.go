package template

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/nimbus-dev/nimbus/internal/template/node"
)

// param is one template parameter with its value for this load.
type param struct {
	name  string
	typ   string
	value any // string, or []any of strings for list types
}

// loadParams reads the Parameters section, applies --param overrides and
// checks each value against the parameter's constraints.
func (s *stack) loadParams(section *node.Node, overrides map[string]string) {
	for _, p := range section.Pairs {
		def := p.Value
		where := "Parameters." + p.Key
		typ := scalarAt(def, "Type")
		if typ == "" {
			s.fail(errAt(def, where, "", "parameter %s has no Type", p.Key))
			continue
		}
		raw, given := overrides[p.Key]
		src := "--param"
		if !given {
			dn := def.Get("Default")
			if dn == nil {
				s.fail(errAt(def, where, fmt.Sprintf("pass --param %s=VALUE", p.Key), "parameter %s has no Default and no value was given", p.Key))
				s.params[p.Key] = &param{name: p.Key, typ: typ, value: ""}
				continue
			}
			raw = scalarText(dn)
			src = "Default"
		}
		if err := checkParam(p.Key, typ, raw, def); err != nil {
			err.Msg = fmt.Sprintf("parameter %s: %s value %q %s", p.Key, src, raw, err.Msg)
			err.Loc = locOf(def, where)
			s.fail(err)
			// Keep the parameter so its Refs do not also show as dangling.
			s.params[p.Key] = &param{name: p.Key, typ: typ, value: raw}
			continue
		}
		var value any = raw
		if strings.HasPrefix(typ, "List<") || typ == "CommaDelimitedList" {
			var list []any
			if raw != "" {
				for _, e := range strings.Split(raw, ",") {
					list = append(list, strings.TrimSpace(e))
				}
			}
			value = list
		}
		s.params[p.Key] = &param{name: p.Key, typ: typ, value: value}
	}
	var names []string
	for _, p := range section.Pairs {
		names = append(names, p.Key)
	}
	for _, k := range sortedKeys(overrides) {
		if section.Get(k) == nil {
			s.fail(&Error{Loc: locOf(section, "Parameters"), Msg: fmt.Sprintf("--param %s: the template has no parameter %q", k, k), Hint: suggest(k, names)})
		}
	}
}

// scalarText is a scalar's text; a list default is joined with commas.
func scalarText(n *node.Node) string {
	switch n.Kind {
	case node.Scalar:
		return n.Value
	case node.Seq:
		parts := make([]string, 0, len(n.Items))
		for _, it := range n.Items {
			parts = append(parts, it.Value)
		}
		return strings.Join(parts, ",")
	}
	return ""
}

func scalarAt(n *node.Node, key string) string {
	v, _ := n.Get(key).Str()
	return v
}

// checkParam applies AllowedValues, AllowedPattern, lengths and numeric
// bounds as CloudFormation does; the error's Msg completes a sentence.
func checkParam(name, typ, raw string, def *node.Node) *Error {
	values := []string{raw}
	isList := strings.HasPrefix(typ, "List<") || typ == "CommaDelimitedList"
	if isList {
		values = strings.Split(raw, ",")
	}
	numeric := typ == "Number" || typ == "List<Number>"
	for _, v := range values {
		if isList {
			v = strings.TrimSpace(v)
		}
		if numeric {
			if _, err := strconv.ParseFloat(v, 64); err != nil {
				return &Error{Msg: "is not a number"}
			}
		}
		if av := def.Get("AllowedValues"); av != nil && av.Kind == node.Seq {
			var allowed []string
			ok := false
			for _, it := range av.Items {
				allowed = append(allowed, it.Value)
				if it.Value == v {
					ok = true
				}
			}
			if !ok {
				return &Error{Msg: fmt.Sprintf("is not one of AllowedValues [%s]", strings.Join(allowed, ", ")), Hint: suggest(v, allowed)}
			}
		}
		if pat := scalarAt(def, "AllowedPattern"); pat != "" {
			re, err := regexp.Compile("^(?:" + pat + ")$")
			if err != nil {
				return &Error{Msg: fmt.Sprintf("cannot be checked: AllowedPattern %q is not a valid pattern", pat)}
			}
			if !re.MatchString(v) {
				msg := fmt.Sprintf("does not match AllowedPattern %q", pat)
				if d := scalarAt(def, "ConstraintDescription"); d != "" {
					msg += ": " + d
				}
				return &Error{Msg: msg}
			}
		}
		if n, ok := intAt(def, "MinLength"); ok && len(v) < n {
			return &Error{Msg: fmt.Sprintf("is shorter than MinLength %d", n)}
		}
		if n, ok := intAt(def, "MaxLength"); ok && len(v) > n {
			return &Error{Msg: fmt.Sprintf("is longer than MaxLength %d", n)}
		}
		if numeric {
			f, _ := strconv.ParseFloat(v, 64)
			if n, ok := floatAt(def, "MinValue"); ok && f < n {
				return &Error{Msg: fmt.Sprintf("is less than MinValue %v", n)}
			}
			if n, ok := floatAt(def, "MaxValue"); ok && f > n {
				return &Error{Msg: fmt.Sprintf("is greater than MaxValue %v", n)}
			}
		}
	}
	return nil
}

func intAt(n *node.Node, key string) (int, bool) {
	s, ok := n.Get(key).Str()
	if !ok {
		return 0, false
	}
	i, err := strconv.Atoi(s)
	return i, err == nil
}

func floatAt(n *node.Node, key string) (float64, bool) {
	s, ok := n.Get(key).Str()
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}
