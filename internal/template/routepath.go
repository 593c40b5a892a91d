package template

import (
	"fmt"
	"strings"
)

// checkRoutePath checks an Api or HttpApi event's Path as API Gateway does
// when it creates the resources: it starts with "/", has no empty
// segment, and braces only wrap a whole segment ({id}, or a greedy
// {proxy+} as the last one).
func checkRoutePath(path string) error {
	if !strings.HasPrefix(path, "/") {
		return fmt.Errorf("Path %q must start with /", path)
	}
	if path == "/" {
		return nil
	}
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	for i, seg := range segs {
		if seg == "" {
			if i == len(segs)-1 {
				continue // a trailing slash
			}
			return fmt.Errorf("Path %q has an empty segment", path)
		}
		inner, isParam := strings.CutPrefix(seg, "{")
		if isParam {
			var ok bool
			if inner, ok = strings.CutSuffix(inner, "}"); !ok {
				return fmt.Errorf("Path %q: segment %q opens a { it does not close at its end", path, seg)
			}
			if greedy, ok := strings.CutSuffix(inner, "+"); ok {
				inner = greedy
				if i != len(segs)-1 {
					return fmt.Errorf("Path %q: the greedy segment %q must be the last", path, seg)
				}
			}
			if inner == "" {
				return fmt.Errorf("Path %q: segment %q names no parameter", path, seg)
			}
		}
		if strings.ContainsAny(inner, "{}+") {
			return fmt.Errorf("Path %q: segment %q may hold braces only around the whole segment (and + only before the closing brace)", path, seg)
		}
	}
	return nil
}
