package template

import (
	"strings"

	"github.com/nimbus-dev/nimbus/internal/template/node"
)

// validate walks a template section before anything is evaluated and
// reports every unknown intrinsic and every Ref, Fn::GetAtt or Fn::Sub
// variable that names nothing, so one load shows all such mistakes.
func (s *stack) validate(n *node.Node, where string) {
	s.validateDepth(n, where, 0)
}

func (s *stack) validateDepth(n *node.Node, where string, depth int) {
	if n == nil || depth > maxEvalDepth {
		return
	}
	switch n.Kind {
	case node.Seq:
		for _, it := range n.Items {
			s.validateDepth(it, where, depth+1)
		}
		return
	case node.Map:
	default:
		return
	}
	key, ok := intrinsicKey(n)
	if !ok {
		for _, p := range n.Pairs {
			s.validateDepth(p.Value, where, depth+1)
		}
		return
	}
	arg := n.Pairs[0].Value
	switch key {
	case "Ref":
		if name, ok := arg.Str(); ok && !s.knownRef(name) {
			s.fail(errAt(n, where, suggest(name, s.refNames()), "Ref to unknown parameter or resource %q", name))
		}
		return
	case "Fn::GetAtt":
		var id string
		if arg != nil && arg.Kind == node.Scalar {
			id, _, _ = strings.Cut(arg.Value, ".")
		} else if arg != nil && arg.Kind == node.Seq && len(arg.Items) > 0 {
			id, _ = arg.Items[0].Str()
		}
		if _, ok := s.res[id]; id != "" && !ok {
			s.fail(errAt(n, where, suggest(id, s.resourceNames()), "Fn::GetAtt of unknown resource %q", id))
		}
		if arg != nil && arg.Kind == node.Seq && len(arg.Items) == 2 {
			s.validateDepth(arg.Items[1], where, depth+1)
		}
		return
	case "Fn::Sub":
		var tmpl string
		vars := map[string]bool{}
		if arg != nil && arg.Kind == node.Scalar {
			tmpl = arg.Value
		} else if arg != nil && arg.Kind == node.Seq && len(arg.Items) == 2 {
			tmpl, _ = arg.Items[0].Str()
			for _, p := range arg.Items[1].Pairs {
				vars[p.Key] = true
				s.validateDepth(p.Value, where, depth+1)
			}
		}
		_ = scanSub(tmpl, func(string) {}, func(name string) error {
			if vars[name] || s.knownRef(name) {
				return nil
			}
			if id, _, ok := strings.Cut(name, "."); ok {
				if _, ok := s.res[id]; ok {
					return nil
				}
			}
			cands := s.refNames()
			for k := range vars {
				cands = append(cands, k)
			}
			s.fail(errAt(n, where, suggest(name, cands), "Fn::Sub: unknown variable ${%s}", name))
			return nil
		})
		return
	}
	known := false
	for _, k := range intrinsicNames {
		if k == key {
			known = true
		}
	}
	if !known {
		if strings.HasPrefix(key, "!") {
			s.fail(errAt(n, where, suggest(key, shortNames), "unknown intrinsic function tag %s", key))
		} else {
			s.fail(errAt(n, where, suggest(key, intrinsicNames), "unknown intrinsic function %s", key))
		}
		return
	}
	s.validateDepth(arg, where, depth+1)
}

func (s *stack) knownRef(name string) bool {
	if _, ok := s.pseudo(name); ok {
		return true
	}
	if _, ok := s.params[name]; ok {
		return true
	}
	_, ok := s.res[name]
	return ok
}
