package vtl

import (
	"regexp"
	"strings"
	"sync"
	"unicode/utf16"
)

// property resolves $v.name as Velocity does: a map's entry, an object's
// property, or a Java bean getter such as isEmpty().
func property(v any, name string) any {
	switch x := v.(type) {
	case *Map:
		if r, ok := x.Get(name); ok {
			return r
		}
		if name == "empty" {
			return x.Len() == 0
		}
		return nil
	case *Input:
		r, _ := x.property(name)
		return r
	case Object:
		r, _ := x.Property(name)
		return r
	case *List:
		if name == "empty" {
			return len(x.Items) == 0
		}
	case string:
		if name == "empty" {
			return x == ""
		}
	}
	return nil
}

// index resolves $v[i]: a map entry or a list element.
func index(v any, idx any) any {
	switch x := v.(type) {
	case *Map:
		r, _ := x.Get(toString(idx))
		return r
	case *List:
		i, ok := toInt(idx)
		if !ok || i < 0 || i >= len(x.Items) {
			return nil
		}
		return x.Items[i]
	}
	return nil
}

// call runs $v.name(args); an unknown method gives null, which renders
// the reference as written.
func call(v any, name string, args []any) (any, error) {
	switch x := v.(type) {
	case utilObject:
		return x.call(name, args)
	case *Input:
		return x.call(name, args)
	case Object:
		r, ok, err := x.Call(name, args)
		if err != nil || !ok {
			return nil, err
		}
		return fromGo(r), nil
	case string:
		return stringMethod(x, name, args)
	case *Map:
		return mapMethod(x, name, args), nil
	case *List:
		return listMethod(x, name, args), nil
	case int64, float64:
		return numberMethod(x, name, args), nil
	case bool:
		switch name {
		case "toString":
			return toString(x), nil
		case "booleanValue":
			return x, nil
		case "equals":
			if len(args) == 1 {
				return equal(x, args[0]), nil
			}
		}
	}
	return nil, nil
}

func utf16Of(s string) []uint16 { return utf16.Encode([]rune(s)) }

func fromUTF16(u []uint16) string { return string(utf16.Decode(u)) }

func indexUTF16(hay, needle []uint16, from int) int {
	if from < 0 {
		from = 0
	}
	for i := from; i+len(needle) <= len(hay); i++ {
		match := true
		for j := range needle {
			if hay[i+j] != needle[j] {
				match = false
				break
			}
		}
		if match {
			return i
		}
	}
	return -1
}

func stringMethod(s, name string, args []any) (any, error) {
	argStr := func(i int) (string, bool) {
		if i >= len(args) || args[i] == nil {
			return "", false
		}
		return toString(args[i]), true
	}
	switch name {
	case "toString", "trim", "toUpperCase", "toLowerCase", "length", "isEmpty", "hashCode", "isBlank", "strip":
		if len(args) != 0 {
			return nil, nil
		}
	}
	switch name {
	case "toString":
		return s, nil
	case "length":
		return int64(len(utf16Of(s))), nil
	case "isEmpty":
		return s == "", nil
	case "isBlank":
		return strings.TrimSpace(s) == "", nil
	case "trim":
		return strings.TrimFunc(s, func(r rune) bool { return r <= ' ' }), nil
	case "strip":
		return strings.TrimSpace(s), nil
	case "toUpperCase":
		return strings.ToUpper(s), nil
	case "toLowerCase":
		return strings.ToLower(s), nil
	case "equals":
		a, ok := argStr(0)
		_, isStr := firstArg(args).(string)
		return ok && isStr && a == s, nil
	case "equalsIgnoreCase":
		a, ok := argStr(0)
		return ok && strings.EqualFold(a, s), nil
	case "contains":
		a, ok := argStr(0)
		return ok && strings.Contains(s, a), nil
	case "startsWith":
		a, ok := argStr(0)
		return ok && strings.HasPrefix(s, a), nil
	case "endsWith":
		a, ok := argStr(0)
		return ok && strings.HasSuffix(s, a), nil
	case "concat":
		a, ok := argStr(0)
		if !ok {
			return nil, nil
		}
		return s + a, nil
	case "indexOf", "lastIndexOf":
		a, ok := argStr(0)
		if !ok {
			return nil, nil
		}
		u, n := utf16Of(s), utf16Of(a)
		if name == "indexOf" {
			from := 0
			if len(args) > 1 {
				from, _ = toInt(args[1])
			}
			return int64(indexUTF16(u, n, from)), nil
		}
		last := -1
		for i := indexUTF16(u, n, 0); i >= 0; i = indexUTF16(u, n, i+1) {
			last = i
		}
		return int64(last), nil
	case "charAt":
		i, ok := toInt(firstArg(args))
		u := utf16Of(s)
		if !ok || i < 0 || i >= len(u) {
			return nil, &EvalError{Msg: "String index out of range: " + toString(firstArg(args))}
		}
		return fromUTF16(u[i : i+1]), nil
	case "substring":
		u := utf16Of(s)
		begin, ok := toInt(firstArg(args))
		if !ok {
			return nil, nil
		}
		end := len(u)
		if len(args) > 1 {
			if end, ok = toInt(args[1]); !ok {
				return nil, nil
			}
		}
		if begin < 0 || end > len(u) || begin > end {
			return nil, &EvalError{Msg: "String index out of range"}
		}
		return fromUTF16(u[begin:end]), nil
	case "replace":
		a, ok1 := argStr(0)
		b, ok2 := argStr(1)
		if !ok1 || !ok2 {
			return nil, nil
		}
		return strings.ReplaceAll(s, a, b), nil
	case "replaceAll", "replaceFirst":
		pattern, ok1 := argStr(0)
		repl, ok2 := argStr(1)
		if !ok1 || !ok2 {
			return nil, nil
		}
		re, err := javaRegexp(pattern)
		if err != nil {
			return nil, err
		}
		goRepl := javaReplacement(repl)
		if name == "replaceAll" {
			return re.ReplaceAllString(s, goRepl), nil
		}
		done := false
		return re.ReplaceAllStringFunc(s, func(m string) string {
			if done {
				return m
			}
			done = true
			return re.ReplaceAllString(m, goRepl)
		}), nil
	case "matches":
		pattern, ok := argStr(0)
		if !ok {
			return nil, nil
		}
		re, err := javaRegexp("^(?:" + pattern + ")$")
		if err != nil {
			return nil, err
		}
		return re.MatchString(s), nil
	case "split":
		pattern, ok := argStr(0)
		if !ok {
			return nil, nil
		}
		re, err := javaRegexp(pattern)
		if err != nil {
			return nil, err
		}
		limit := 0
		if len(args) > 1 {
			limit, _ = toInt(args[1])
		}
		n := -1
		if limit > 0 {
			n = limit
		}
		parts := re.Split(s, n)
		if limit == 0 {
			for len(parts) > 0 && parts[len(parts)-1] == "" {
				parts = parts[:len(parts)-1]
			}
			if len(parts) == 0 {
				parts = []string{""}
				if s != "" {
					parts = nil
				}
			}
		}
		return fromGo(parts), nil
	case "compareTo":
		a, ok := argStr(0)
		if !ok {
			return nil, nil
		}
		return int64(strings.Compare(s, a)), nil
	}
	return nil, nil
}

func firstArg(args []any) any {
	if len(args) == 0 {
		return nil
	}
	return args[0]
}

var regexpCache sync.Map // pattern → *regexp.Regexp

// javaRegexp compiles a Java regular expression with Go's engine, which
// agrees on the syntax templates use (classes, quantifiers, groups).
func javaRegexp(pattern string) (*regexp.Regexp, error) {
	if re, ok := regexpCache.Load(pattern); ok {
		return re.(*regexp.Regexp), nil
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, &EvalError{Msg: "invalid regular expression " + pattern + ": " + err.Error()}
	}
	regexpCache.Store(pattern, re)
	return re, nil
}

// javaReplacement turns a Java replacement string ($1, \$) into Go's form.
func javaReplacement(r string) string {
	var b strings.Builder
	for i := 0; i < len(r); i++ {
		c := r[i]
		switch {
		case c == '\\' && i+1 < len(r):
			i++
			if r[i] == '$' {
				b.WriteString("$$")
			} else {
				b.WriteByte(r[i])
			}
		case c == '$' && i+1 < len(r) && isDigit(r[i+1]):
			j := i + 1
			for j < len(r) && isDigit(r[j]) {
				j++
			}
			b.WriteString("${" + r[i+1:j] + "}")
			i = j - 1
		case c == '$':
			b.WriteString("$$")
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func mapMethod(m *Map, name string, args []any) any {
	switch name {
	case "get":
		if len(args) == 1 {
			v, _ := m.Get(toString(args[0]))
			return v
		}
	case "getOrDefault":
		if len(args) == 2 {
			if v, ok := m.Get(toString(args[0])); ok {
				return v
			}
			return args[1]
		}
	case "containsKey":
		if len(args) == 1 {
			_, ok := m.Get(toString(args[0]))
			return ok
		}
	case "containsValue":
		if len(args) == 1 {
			for _, k := range m.keys {
				if equal(m.m[k], args[0]) {
					return true
				}
			}
			return false
		}
	case "keySet":
		return fromGo(m.Keys())
	case "values":
		return &List{Items: children(m)}
	case "entrySet":
		l := &List{}
		for _, k := range m.keys {
			e := NewMap()
			e.Set("key", k)
			e.Set("value", m.m[k])
			l.Items = append(l.Items, e)
		}
		return l
	case "size":
		return int64(m.Len())
	case "isEmpty":
		return m.Len() == 0
	case "put":
		if len(args) == 2 {
			prev, _ := m.Get(toString(args[0]))
			m.Set(toString(args[0]), args[1])
			return prev
		}
	case "putAll":
		if len(args) == 1 {
			if o, ok := args[0].(*Map); ok {
				for _, k := range o.keys {
					m.Set(k, o.m[k])
				}
			}
			return ""
		}
	case "remove":
		if len(args) == 1 {
			prev, _ := m.Get(toString(args[0]))
			m.Delete(toString(args[0]))
			return prev
		}
	case "toString":
		return toString(m)
	case "equals":
		if len(args) == 1 {
			return equal(m, args[0])
		}
	}
	return nil
}

func listMethod(l *List, name string, args []any) any {
	switch name {
	case "get":
		if len(args) == 1 {
			return index(l, args[0])
		}
	case "size", "count":
		return int64(len(l.Items))
	case "isEmpty":
		return len(l.Items) == 0
	case "contains":
		if len(args) == 1 {
			for _, e := range l.Items {
				if equal(e, args[0]) {
					return true
				}
			}
			return false
		}
	case "indexOf":
		if len(args) == 1 {
			for i, e := range l.Items {
				if equal(e, args[0]) {
					return int64(i)
				}
			}
			return int64(-1)
		}
	case "add":
		if len(args) == 1 && len(l.Items) < maxOutput {
			l.Items = append(l.Items, args[0])
			return true
		}
	case "addAll":
		if len(args) == 1 {
			if o, ok := args[0].(*List); ok && len(l.Items)+len(o.Items) < maxOutput {
				l.Items = append(l.Items, o.Items...)
				return true
			}
		}
	case "set":
		if len(args) == 2 {
			if i, ok := toInt(args[0]); ok && i >= 0 && i < len(l.Items) {
				prev := l.Items[i]
				l.Items[i] = args[1]
				return prev
			}
		}
	case "remove":
		if len(args) == 1 {
			if i, ok := args[0].(int64); ok {
				if i >= 0 && int(i) < len(l.Items) {
					prev := l.Items[i]
					l.Items = append(l.Items[:i:i], l.Items[i+1:]...)
					return prev
				}
				return nil
			}
			for i, e := range l.Items {
				if equal(e, args[0]) {
					l.Items = append(l.Items[:i:i], l.Items[i+1:]...)
					return true
				}
			}
			return false
		}
	case "toString":
		return toString(l)
	case "equals":
		if len(args) == 1 {
			return equal(l, args[0])
		}
	}
	return nil
}

func numberMethod(n any, name string, args []any) any {
	switch name {
	case "toString":
		return toString(n)
	case "intValue", "longValue":
		switch x := n.(type) {
		case int64:
			return x
		case float64:
			return int64(x)
		}
	case "doubleValue", "floatValue":
		return toFloat(n)
	case "equals":
		if len(args) == 1 {
			return isNumber(args[0]) && equal(n, args[0])
		}
	case "compareTo":
		if len(args) == 1 && isNumber(args[0]) {
			return int64(cmpOrdered(toFloat(n), toFloat(args[0])))
		}
	}
	return nil
}
