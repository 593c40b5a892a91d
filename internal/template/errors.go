package template

import (
	"fmt"
	"sort"
	"strings"

	"github.com/nimbus-dev/nimbus/internal/app"
	"github.com/nimbus-dev/nimbus/internal/template/node"
)

// Error is a template problem that stops the load: it names the file, line
// and resource, and suggests a fix when one is obvious.
type Error struct {
	Loc app.Location
	Msg string
	// Hint is a suggestion such as `did you mean "RoomsTable"?`, or empty.
	Hint string
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Loc.File != "" {
		b.WriteString(e.Loc.File)
		if e.Loc.Line > 0 {
			fmt.Fprintf(&b, ":%d:%d", e.Loc.Line, e.Loc.Column)
		}
		b.WriteString(": ")
	}
	if e.Loc.Resource != "" {
		b.WriteString(e.Loc.Resource)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	if e.Hint != "" {
		b.WriteString(" (")
		b.WriteString(e.Hint)
		b.WriteString(")")
	}
	return b.String()
}

// locOf returns the location of n inside resource res.
func locOf(n *node.Node, res string) app.Location {
	if n == nil {
		return app.Location{Resource: res}
	}
	return app.Location{File: n.File, Line: n.Line, Column: n.Column, Resource: res}
}

func errAt(n *node.Node, res, hint, format string, args ...any) *Error {
	return &Error{Loc: locOf(n, res), Msg: fmt.Sprintf(format, args...), Hint: hint}
}

// suggest returns `did you mean "x"?` for the candidate closest to s, when
// one is close enough to be a likely typo.
func suggest(s string, candidates []string) string {
	best, bestD := "", -1
	ls := strings.ToLower(s)
	for _, c := range candidates {
		d := editDistance(ls, strings.ToLower(c))
		if bestD < 0 || d < bestD || (d == bestD && c < best) {
			best, bestD = c, d
		}
	}
	if bestD < 0 {
		return ""
	}
	limit := len(s) / 3
	if limit < 2 {
		limit = 2
	}
	if bestD > limit {
		return ""
	}
	return fmt.Sprintf("did you mean %q?", best)
}

func editDistance(a, b string) int {
	if len(a) > 200 || len(b) > 200 {
		if a == b {
			return 0
		}
		return 1 << 20
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
