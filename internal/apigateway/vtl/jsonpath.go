package vtl

import (
	"fmt"
	"strconv"
	"strings"
)

// jsonPath is a compiled JSONPath expression in the subset mapping
// templates use: $, .name, ['name'], [n], [-n], [*], .*, ..name, [a,b],
// [start:end] and a trailing .length().
type jsonPath struct {
	steps []pathStep
	// definite paths select at most one value; others select a list.
	definite bool
	length   bool
}

type stepKind int

const (
	stepName stepKind = iota
	stepIndex
	stepWildcard
	stepDeepName
	stepDeepWildcard
	stepUnion
	stepSlice
)

type pathStep struct {
	kind    stepKind
	names   []string
	indexes []int
	// slice bounds; hasStart/hasEnd say which are given.
	start, end       int
	hasStart, hasEnd bool
}

func compilePath(path string) (*jsonPath, error) {
	p := strings.TrimSpace(path)
	if p == "" || p[0] != '$' {
		return nil, fmt.Errorf("invalid JSONPath %q: must start with $", path)
	}
	jp := &jsonPath{definite: true}
	i := 1
	for i < len(p) {
		switch {
		case strings.HasPrefix(p[i:], ".length()") && i+len(".length()") == len(p):
			jp.length = true
			i = len(p)
		case strings.HasPrefix(p[i:], ".."):
			i += 2
			jp.definite = false
			if i < len(p) && p[i] == '*' {
				jp.steps = append(jp.steps, pathStep{kind: stepDeepWildcard})
				i++
				continue
			}
			if i < len(p) && p[i] == '[' {
				jp.steps = append(jp.steps, pathStep{kind: stepDeepWildcard})
				continue
			}
			name, n := readPathName(p[i:])
			if n == 0 {
				return nil, fmt.Errorf("invalid JSONPath %q: name expected after ..", path)
			}
			jp.steps = append(jp.steps, pathStep{kind: stepDeepName, names: []string{name}})
			i += n
		case p[i] == '.':
			i++
			if i < len(p) && p[i] == '*' {
				jp.definite = false
				jp.steps = append(jp.steps, pathStep{kind: stepWildcard})
				i++
				continue
			}
			name, n := readPathName(p[i:])
			if n == 0 {
				return nil, fmt.Errorf("invalid JSONPath %q: name expected after .", path)
			}
			jp.steps = append(jp.steps, pathStep{kind: stepName, names: []string{name}})
			i += n
		case p[i] == '[':
			end := strings.IndexByte(p[i:], ']')
			if end < 0 {
				return nil, fmt.Errorf("invalid JSONPath %q: missing ]", path)
			}
			inner := strings.TrimSpace(p[i+1 : i+end])
			if strings.HasPrefix(inner, "'") || strings.HasPrefix(inner, "\"") {
				// Quoted names may contain ']'; find the closing quote.
				q := inner[0]
				j := i + 2
				for j < len(p) && p[j] != q {
					j++
				}
				k := j + 1
				for k < len(p) && p[k] == ' ' {
					k++
				}
				if j >= len(p) || k >= len(p) || p[k] != ']' {
					return nil, fmt.Errorf("invalid JSONPath %q: unterminated name", path)
				}
				jp.steps = append(jp.steps, pathStep{kind: stepName, names: []string{p[i+2 : j]}})
				i = k + 1
				continue
			}
			step, err := parseBracket(inner)
			if err != nil {
				return nil, fmt.Errorf("invalid JSONPath %q: %v", path, err)
			}
			if step.kind != stepIndex && step.kind != stepName {
				jp.definite = false
			}
			jp.steps = append(jp.steps, step)
			i += end + 1
		default:
			return nil, fmt.Errorf("invalid JSONPath %q at %d", path, i)
		}
	}
	return jp, nil
}

func readPathName(s string) (string, int) {
	n := 0
	for n < len(s) && s[n] != '.' && s[n] != '[' && s[n] != ' ' {
		n++
	}
	return s[:n], n
}

func parseBracket(inner string) (pathStep, error) {
	switch {
	case inner == "*":
		return pathStep{kind: stepWildcard}, nil
	case strings.HasPrefix(inner, "?"):
		return pathStep{}, fmt.Errorf("filter expressions are not supported")
	case strings.Contains(inner, ":"):
		a, b, _ := strings.Cut(inner, ":")
		st := pathStep{kind: stepSlice}
		if a = strings.TrimSpace(a); a != "" {
			n, err := strconv.Atoi(a)
			if err != nil {
				return st, err
			}
			st.start, st.hasStart = n, true
		}
		if b = strings.TrimSpace(b); b != "" {
			n, err := strconv.Atoi(b)
			if err != nil {
				return st, err
			}
			st.end, st.hasEnd = n, true
		}
		return st, nil
	case strings.Contains(inner, ","):
		st := pathStep{kind: stepUnion}
		for _, part := range strings.Split(inner, ",") {
			part = strings.TrimSpace(part)
			if len(part) >= 2 && (part[0] == '\'' || part[0] == '"') && part[len(part)-1] == part[0] {
				st.names = append(st.names, part[1:len(part)-1])
				continue
			}
			n, err := strconv.Atoi(part)
			if err != nil {
				return st, fmt.Errorf("bad union member %q", part)
			}
			st.indexes = append(st.indexes, n)
		}
		return st, nil
	}
	n, err := strconv.Atoi(inner)
	if err != nil {
		return pathStep{}, fmt.Errorf("bad index %q", inner)
	}
	return pathStep{kind: stepIndex, indexes: []int{n}}, nil
}

// eval applies the path to root. For a definite path it returns the value
// and whether it exists; otherwise a *List of every match.
func (jp *jsonPath) eval(root any) (any, bool) {
	cur := []any{root}
	for _, st := range jp.steps {
		var next []any
		for _, v := range cur {
			next = applyStep(next, st, v, 0)
		}
		cur = next
	}
	var result any
	found := true
	if jp.definite {
		if len(cur) == 0 {
			found = false
		} else {
			result = cur[0]
		}
	} else {
		result = &List{Items: cur}
	}
	if jp.length {
		switch x := result.(type) {
		case *List:
			return int64(len(x.Items)), found
		case *Map:
			return int64(x.Len()), found
		case string:
			return int64(len(utf16Of(x))), found
		}
		return nil, false
	}
	return result, found
}

func applyStep(out []any, st pathStep, v any, depth int) []any {
	if depth > maxDepth {
		return out
	}
	switch st.kind {
	case stepName:
		if m, ok := v.(*Map); ok {
			if x, ok := m.Get(st.names[0]); ok {
				out = append(out, x)
			}
		}
	case stepIndex:
		if l, ok := v.(*List); ok {
			if x, ok := listAt(l, st.indexes[0]); ok {
				out = append(out, x)
			}
		}
	case stepUnion:
		if m, ok := v.(*Map); ok {
			for _, n := range st.names {
				if x, ok := m.Get(n); ok {
					out = append(out, x)
				}
			}
		}
		if l, ok := v.(*List); ok {
			for _, i := range st.indexes {
				if x, ok := listAt(l, i); ok {
					out = append(out, x)
				}
			}
		}
	case stepWildcard:
		out = append(out, children(v)...)
	case stepSlice:
		if l, ok := v.(*List); ok {
			n := len(l.Items)
			start, end := 0, n
			if st.hasStart {
				start = st.start
			}
			if st.hasEnd {
				end = st.end
			}
			if start < 0 {
				start += n
			}
			if end < 0 {
				end += n
			}
			start = max(0, min(start, n))
			end = max(0, min(end, n))
			for i := start; i < end; i++ {
				out = append(out, l.Items[i])
			}
		}
	case stepDeepName:
		if m, ok := v.(*Map); ok {
			if x, ok := m.Get(st.names[0]); ok {
				out = append(out, x)
			}
		}
		for _, c := range children(v) {
			out = applyStep(out, st, c, depth+1)
		}
	case stepDeepWildcard:
		for _, c := range children(v) {
			out = append(out, c)
			out = applyStep(out, st, c, depth+1)
		}
	}
	return out
}

func listAt(l *List, i int) (any, bool) {
	if i < 0 {
		i += len(l.Items)
	}
	if i < 0 || i >= len(l.Items) {
		return nil, false
	}
	return l.Items[i], true
}

func children(v any) []any {
	switch x := v.(type) {
	case *Map:
		out := make([]any, 0, x.Len())
		for _, k := range x.keys {
			out = append(out, x.m[k])
		}
		return out
	case *List:
		return x.Items
	}
	return nil
}
