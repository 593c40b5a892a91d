package node

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// maxNodes bounds the decoded tree so alias expansion ("billion laughs")
// cannot exhaust memory.
const maxNodes = 1_000_000

// maxDepth bounds nesting so hostile input cannot exhaust the stack.
const maxDepth = 500

// Parse decodes a YAML or JSON document. JSON is read by its own decoder
// (YAML parsers reject some valid JSON, such as the "\/" escape); anything
// else is YAML. file names the document in positions.
func Parse(data []byte, file string) (*Node, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
	if len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') {
		n, jerr := parseJSON(data, file)
		if jerr == nil || strings.HasSuffix(strings.ToLower(file), ".json") {
			return n, jerr
		}
		// A YAML flow mapping also starts with '{'; prefer YAML when it
		// parses, and report the JSON error otherwise.
		if n, yerr := parseYAML(data, file); yerr == nil {
			return n, nil
		}
		return nil, jerr
	}
	return parseYAML(data, file)
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func parseYAML(data []byte, file string) (*Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		msg := err.Error()
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			line, _ := strconv.Atoi(m[1])
			return nil, &Error{File: file, Line: line, Column: 1, Msg: m[2]}
		}
		return nil, &Error{File: file, Msg: strings.TrimPrefix(msg, "yaml: ")}
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return &Node{Kind: Null, File: file, Line: 1, Column: 1}, nil
	}
	c := &yamlConv{file: file}
	return c.conv(doc.Content[0], 0)
}

type yamlConv struct {
	file  string
	count int
}

// shortTags maps CloudFormation's YAML short forms to the long form keys.
var shortTags = map[string]string{
	"!Ref":          "Ref",
	"!Condition":    "Condition",
	"!Base64":       "Fn::Base64",
	"!Cidr":         "Fn::Cidr",
	"!FindInMap":    "Fn::FindInMap",
	"!GetAtt":       "Fn::GetAtt",
	"!GetAZs":       "Fn::GetAZs",
	"!ImportValue":  "Fn::ImportValue",
	"!Join":         "Fn::Join",
	"!Select":       "Fn::Select",
	"!Split":        "Fn::Split",
	"!Sub":          "Fn::Sub",
	"!Transform":    "Fn::Transform",
	"!And":          "Fn::And",
	"!Equals":       "Fn::Equals",
	"!If":           "Fn::If",
	"!Not":          "Fn::Not",
	"!Or":           "Fn::Or",
	"!Length":       "Fn::Length",
	"!ToJsonString": "Fn::ToJsonString",
}

func (c *yamlConv) conv(y *yaml.Node, depth int) (*Node, error) {
	c.count++
	if c.count > maxNodes {
		return nil, &Error{File: c.file, Line: y.Line, Column: y.Column, Msg: "document too large (too many nodes after alias expansion)"}
	}
	if depth > maxDepth {
		return nil, &Error{File: c.file, Line: y.Line, Column: y.Column, Msg: "document nested too deeply"}
	}
	if y.Kind == yaml.AliasNode {
		if y.Alias == nil {
			return nil, &Error{File: c.file, Line: y.Line, Column: y.Column, Msg: "unknown alias"}
		}
		return c.conv(y.Alias, depth+1)
	}
	n := &Node{File: c.file, Line: y.Line, Column: y.Column}
	switch y.Kind {
	case yaml.MappingNode:
		n.Kind = Map
		if len(y.Content)%2 != 0 {
			return nil, &Error{File: c.file, Line: y.Line, Column: y.Column, Msg: "malformed mapping"}
		}
		var merged []Pair
		for i := 0; i < len(y.Content); i += 2 {
			k, v := y.Content[i], y.Content[i+1]
			if k.Kind != yaml.ScalarNode {
				return nil, &Error{File: c.file, Line: k.Line, Column: k.Column, Msg: "mapping keys must be strings"}
			}
			if k.Tag == "!!merge" || (k.Value == "<<" && k.Style == 0 && k.Tag != "!!str") {
				mp, err := c.mergePairs(v, depth+1)
				if err != nil {
					return nil, err
				}
				merged = append(merged, mp...)
				continue
			}
			val, err := c.conv(v, depth+1)
			if err != nil {
				return nil, err
			}
			n.Pairs = append(n.Pairs, Pair{Key: k.Value, Line: k.Line, Column: k.Column, Value: val})
		}
		// Merged keys come first so the mapping's own keys override them.
		if len(merged) > 0 {
			n.Pairs = append(merged, n.Pairs...)
		}
	case yaml.SequenceNode:
		n.Kind = Seq
		n.Items = make([]*Node, 0, len(y.Content))
		for _, it := range y.Content {
			v, err := c.conv(it, depth+1)
			if err != nil {
				return nil, err
			}
			n.Items = append(n.Items, v)
		}
	case yaml.ScalarNode:
		n.Kind = Scalar
		n.Value = y.Value
		switch y.ShortTag() {
		case "!!null":
			n.Kind = Null
			n.Value = ""
		case "!!int":
			n.Type = Int
		case "!!float":
			n.Type = Float
		case "!!bool":
			n.Type = Bool
			n.Value = strconv.FormatBool(strings.EqualFold(y.Value, "true"))
		}
	default:
		return nil, &Error{File: c.file, Line: y.Line, Column: y.Column, Msg: "unsupported YAML node"}
	}
	tag := y.Tag
	if tag == "" || strings.HasPrefix(tag, "!!") || strings.HasPrefix(tag, "tag:yaml.org,2002:") {
		return n, nil
	}
	// A short-form intrinsic: !Ref X becomes {Ref: X}. A tagged scalar
	// keeps its text even when it looks like a number or null.
	if n.Kind == Null && y.Kind == yaml.ScalarNode {
		n.Kind = Scalar
	}
	if n.Kind == Scalar {
		n.Type = String
	}
	key, ok := shortTags[tag]
	if !ok {
		key = tag // an unknown tag: reported by the evaluator with its name
	}
	return &Node{Kind: Map, File: c.file, Line: y.Line, Column: y.Column,
		Pairs: []Pair{{Key: key, Line: y.Line, Column: y.Column, Value: n}}}, nil
}

func (c *yamlConv) mergePairs(v *yaml.Node, depth int) ([]Pair, error) {
	m, err := c.conv(v, depth)
	if err != nil {
		return nil, err
	}
	switch m.Kind {
	case Map:
		return m.Pairs, nil
	case Seq:
		var out []Pair
		for _, it := range m.Items {
			if it.Kind != Map {
				return nil, &Error{File: c.file, Line: it.Line, Column: it.Column, Msg: "merge key << needs mappings"}
			}
			out = append(out, it.Pairs...)
		}
		return out, nil
	}
	return nil, &Error{File: c.file, Line: v.Line, Column: v.Column, Msg: "merge key << needs a mapping"}
}

// jsonDec reads JSON tokens and turns byte offsets into lines and columns.
type jsonDec struct {
	dec        *json.Decoder
	file       string
	lineStarts []int
	count      int
}

func parseJSON(data []byte, file string) (*Node, error) {
	d := &jsonDec{dec: json.NewDecoder(bytes.NewReader(data)), file: file, lineStarts: []int{0}}
	d.dec.UseNumber()
	for i, b := range data {
		if b == '\n' {
			d.lineStarts = append(d.lineStarts, i+1)
		}
	}
	n, err := d.value(0)
	if err != nil {
		return nil, err
	}
	if _, err := d.dec.Token(); !errors.Is(err, io.EOF) {
		return nil, d.errAt("unexpected data after the top-level value")
	}
	return n, nil
}

// pos returns the line and column of the byte just before the decoder's
// offset: the end of the token read last, which is on the token's line.
func (d *jsonDec) pos() (int, int) {
	off := int(d.dec.InputOffset()) - 1
	if off < 0 {
		off = 0
	}
	i := sort.Search(len(d.lineStarts), func(i int) bool { return d.lineStarts[i] > off }) - 1
	if i < 0 {
		i = 0
	}
	return i + 1, off - d.lineStarts[i] + 1
}

func (d *jsonDec) errAt(msg string) error {
	l, c := d.pos()
	return &Error{File: d.file, Line: l, Column: c, Msg: msg}
}

func (d *jsonDec) wrap(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off := int(se.Offset) - 1
		if off < 0 {
			off = 0
		}
		i := sort.Search(len(d.lineStarts), func(i int) bool { return d.lineStarts[i] > off }) - 1
		if i < 0 {
			i = 0
		}
		return &Error{File: d.file, Line: i + 1, Column: off - d.lineStarts[i] + 1, Msg: se.Error()}
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return d.errAt("unexpected end of JSON input")
	}
	return d.errAt(err.Error())
}

func (d *jsonDec) value(depth int) (*Node, error) {
	tok, err := d.dec.Token()
	if err != nil {
		return nil, d.wrap(err)
	}
	return d.fromToken(tok, depth)
}

func (d *jsonDec) fromToken(tok json.Token, depth int) (*Node, error) {
	d.count++
	if d.count > maxNodes {
		return nil, d.errAt("document too large")
	}
	if depth > maxDepth {
		return nil, d.errAt("document nested too deeply")
	}
	line, col := d.pos()
	n := &Node{File: d.file, Line: line, Column: col}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n.Kind = Map
			for d.dec.More() {
				kt, err := d.dec.Token()
				if err != nil {
					return nil, d.wrap(err)
				}
				key, ok := kt.(string)
				if !ok {
					return nil, d.errAt("object keys must be strings")
				}
				kl, kc := d.pos()
				v, err := d.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.Pairs = append(n.Pairs, Pair{Key: key, Line: kl, Column: kc, Value: v})
			}
			if _, err := d.dec.Token(); err != nil {
				return nil, d.wrap(err)
			}
		case '[':
			n.Kind = Seq
			for d.dec.More() {
				v, err := d.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.Items = append(n.Items, v)
			}
			if _, err := d.dec.Token(); err != nil {
				return nil, d.wrap(err)
			}
		default:
			return nil, d.errAt(fmt.Sprintf("unexpected %q", rune(t)))
		}
	case string:
		n.Kind, n.Value = Scalar, t
	case json.Number:
		n.Kind, n.Value, n.Type = Scalar, t.String(), Float
		if _, err := strconv.ParseInt(t.String(), 10, 64); err == nil {
			n.Type = Int
		}
	case bool:
		n.Kind, n.Type, n.Value = Scalar, Bool, strconv.FormatBool(t)
	case nil:
		n.Kind = Null
	}
	return n, nil
}
