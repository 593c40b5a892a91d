// Package vtl is a Velocity Template Language engine for the dialect API
// Gateway uses in mapping templates (REST request and response templates,
// WebSocket integration and route response templates).
//
// API Gateway runs Apache Velocity 1.7 with its own variables; this package
// follows that version's rules where a client can tell the difference,
// with API Gateway's one change: a reference that resolves to null or to
// nothing renders as an empty string (stock Velocity prints "$foo" as
// written). An empty string is true in #if; "#set" eats the spaces before
// it and the newline after it, and "#if(...)", "#elseif(...)",
// "#foreach(...)", "#else" and "#end" eat the spaces and newline that end
// their line; a #foreach loop stops after 1,000 iterations.
//
// Usage:
//
//	t, err := vtl.Parse(src)
//	out, err := t.Execute(map[string]any{
//		"input":          vtl.NewInput(body, path, query, headers),
//		"context":        ctxMap, // a *vtl.Map the caller keeps to read responseOverride
//		"stageVariables": map[string]string{...},
//	})
//
// $util is always defined. Values given to Execute may be Go strings,
// bools, integers, floats, nil, []any, []string, map[string]any,
// map[string]string, *Map, *List, *Input or an Object (a variable with its
// own properties and methods); maps and slices are copied into
// *Map and *List, so pass a *Map for any variable whose changes (for example
// "#set($context.responseOverride.status = 400)") the caller needs to read.
//
// Templates see Java semantics: maps render as {k=v, k2=v2}, lists as
// [a, b], doubles as Java's Double.toString; the common String, Map and List
// methods (length, substring, replaceAll, split, keySet, get, put, size, ...)
// are implemented on those values.
package vtl
