// Package node decodes YAML and JSON templates into one tree whose nodes
// remember the file, line and column they came from, so template errors can
// point at the exact place. CloudFormation's YAML short-form tags (!Ref,
// !GetAtt, !Sub, ...) are expanded into their long form ({"Ref": ...},
// {"Fn::GetAtt": ...}) while decoding, so later stages see one syntax.
package node

import (
	"fmt"
	"strconv"
)

// Kind is the shape of a node.
type Kind uint8

// The node kinds.
const (
	Null Kind = iota
	Scalar
	Map
	Seq
)

// ScalarType is how a scalar was written: YAML and JSON distinguish strings
// from numbers and booleans, and CloudFormation keeps the difference (a
// Timeout of 30 and of "30" both work, but Fn::Equals compares strings).
type ScalarType uint8

// The scalar types.
const (
	String ScalarType = iota
	Int
	Float
	Bool
)

// Node is one value of a template with its position.
type Node struct {
	Kind  Kind
	Type  ScalarType
	Value string
	// Pairs are a map's entries in document order.
	Pairs []Pair
	// Items are a sequence's elements.
	Items  []*Node
	File   string
	Line   int
	Column int
}

// Pair is one map entry; the key keeps its own position.
type Pair struct {
	Key    string
	Line   int
	Column int
	Value  *Node
}

// Get returns the value of key in a map node, or nil. When a key repeats,
// the last one wins, as in CloudFormation.
func (n *Node) Get(key string) *Node {
	if n == nil || n.Kind != Map {
		return nil
	}
	for i := len(n.Pairs) - 1; i >= 0; i-- {
		if n.Pairs[i].Key == key {
			return n.Pairs[i].Value
		}
	}
	return nil
}

// Pair returns the entry for key in a map node, or nil.
func (n *Node) Pair(key string) *Pair {
	if n == nil || n.Kind != Map {
		return nil
	}
	for i := len(n.Pairs) - 1; i >= 0; i-- {
		if n.Pairs[i].Key == key {
			return &n.Pairs[i]
		}
	}
	return nil
}

// Keys returns a map node's keys in document order, without repeats.
func (n *Node) Keys() []string {
	if n == nil || n.Kind != Map {
		return nil
	}
	seen := make(map[string]bool, len(n.Pairs))
	keys := make([]string, 0, len(n.Pairs))
	for _, p := range n.Pairs {
		if !seen[p.Key] {
			seen[p.Key] = true
			keys = append(keys, p.Key)
		}
	}
	return keys
}

// Pos formats the node's position as file:line:column.
func (n *Node) Pos() string {
	if n == nil {
		return ""
	}
	return fmt.Sprintf("%s:%d:%d", n.File, n.Line, n.Column)
}

// Str returns the scalar's text and whether the node is a scalar.
func (n *Node) Str() (string, bool) {
	if n == nil || n.Kind != Scalar {
		return "", false
	}
	return n.Value, true
}

// Plain converts a node into plain Go values (map[string]any, []any,
// string, int64, float64, bool, nil) without evaluating anything.
func (n *Node) Plain() any {
	if n == nil {
		return nil
	}
	switch n.Kind {
	case Map:
		m := make(map[string]any, len(n.Pairs))
		for _, p := range n.Pairs {
			m[p.Key] = p.Value.Plain()
		}
		return m
	case Seq:
		s := make([]any, len(n.Items))
		for i, it := range n.Items {
			s[i] = it.Plain()
		}
		return s
	case Scalar:
		return n.ScalarValue()
	}
	return nil
}

// ScalarValue returns a scalar node's typed value.
func (n *Node) ScalarValue() any {
	switch n.Type {
	case Int:
		if i, err := strconv.ParseInt(n.Value, 0, 64); err == nil {
			return i
		}
		if f, err := strconv.ParseFloat(n.Value, 64); err == nil {
			return f
		}
	case Float:
		if f, err := strconv.ParseFloat(n.Value, 64); err == nil {
			return f
		}
	case Bool:
		b, _ := strconv.ParseBool(n.Value)
		return b
	}
	return n.Value
}

// Error is a decoding error with its position.
type Error struct {
	File   string
	Line   int
	Column int
	Msg    string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// Entries returns a map node's entries; nil for anything else, so chained
// lookups on optional sections need no checks.
func (n *Node) Entries() []Pair {
	if n == nil || n.Kind != Map {
		return nil
	}
	return n.Pairs
}

// List returns a sequence node's elements; nil for anything else.
func (n *Node) List() []*Node {
	if n == nil || n.Kind != Seq {
		return nil
	}
	return n.Items
}
