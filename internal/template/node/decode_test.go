package node

import (
	"strings"
	"testing"
)

func TestParsePositionsAndShortTags(t *testing.T) {
	n, err := Parse([]byte("A: !Ref X\nB: !GetAtt [a, b]\nC: !Sub\n  - x\n  - {}\nD: 010\nE: true\nF: !Base64 123\n"), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	a := n.Get("A")
	if a.Kind != Map || a.Pairs[0].Key != "Ref" || a.Pairs[0].Value.Value != "X" || a.Line != 1 || a.Column != 4 {
		t.Errorf("A = %+v", a)
	}
	if b := n.Get("B").Get("Fn::GetAtt"); b == nil || b.Kind != Seq || len(b.Items) != 2 || b.Items[1].Line != 2 {
		t.Errorf("B = %+v", n.Get("B"))
	}
	if c := n.Get("C").Get("Fn::Sub"); c == nil || len(c.Items) != 2 || c.Items[0].Line != 4 {
		t.Errorf("C = %+v", n.Get("C"))
	}
	if d := n.Get("D"); d.Type != Int || d.Plain() != int64(8) {
		t.Errorf("D = %+v (%v)", d, d.Plain())
	}
	if e := n.Get("E"); e.Type != Bool || e.Plain() != true {
		t.Errorf("E = %+v", e)
	}
	if f := n.Get("F").Get("Fn::Base64"); f.Type != String || f.Plain() != "123" {
		t.Errorf("tagged scalar keeps its text: %+v", f)
	}
	if p := n.Pair("C"); p.Line != 3 || p.Column != 1 {
		t.Errorf("key position = %d:%d", p.Line, p.Column)
	}
}

func TestParseJSON(t *testing.T) {
	src := "{\n  \"Resources\": {\n    \"A\": {\"Type\": \"x\\/y\", \"N\": 5, \"F\": 1.5, \"B\": false, \"Z\": null}\n  },\n\t\"L\": [1, \"two\"]\n}"
	n, err := Parse([]byte(src), "t.json")
	if err != nil {
		t.Fatal(err)
	}
	a := n.Get("Resources").Get("A")
	if a.Get("Type").Value != "x/y" || a.Line != 3 {
		t.Errorf("A = %+v", a)
	}
	if p := n.Get("Resources").Pair("A"); p.Line != 3 || p.Column != 7 {
		t.Errorf("key A at %d:%d, want 3:7", p.Line, p.Column)
	}
	if a.Get("N").Plain() != int64(5) || a.Get("F").Plain() != 1.5 || a.Get("B").Plain() != false || a.Get("Z").Kind != Null {
		t.Errorf("scalars = %v", a.Plain())
	}
	if l := n.Get("L"); len(l.Items) != 2 || l.Items[1].Line != 5 {
		t.Errorf("L = %+v", l)
	}
	if _, err := Parse([]byte("{\"a\": 1,}"), "x.json"); err == nil || !strings.HasPrefix(err.Error(), "x.json:1:") {
		t.Errorf("trailing comma: %v", err)
	}
	if n, err := Parse([]byte("\ufeff{\"a\": 1}"), "bom.json"); err != nil || n.Get("a").Value != "1" {
		t.Errorf("byte order mark: %v", err)
	}
	if _, err := Parse([]byte("{\"a\": 1} 2"), "x.json"); err == nil {
		t.Error("trailing data accepted")
	}
}

func TestParseYAMLAnchorsAndMerge(t *testing.T) {
	n, err := Parse([]byte("base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\nref: *b\n"), "t.yml")
	if err != nil {
		t.Fatal(err)
	}
	use := n.Get("use")
	if use.Get("x").Value != "1" || use.Get("y").Value != "3" {
		t.Errorf("merge = %v", use.Plain())
	}
	if n.Get("ref").Get("y").Value != "2" {
		t.Errorf("alias = %v", n.Get("ref").Plain())
	}
}

func TestParseBoundsAliasExpansion(t *testing.T) {
	var b strings.Builder
	b.WriteString("a: &a [x, x, x, x, x, x, x, x, x, x]\n")
	prev := "a"
	for i := 0; i < 8; i++ {
		name := string(rune('b' + i))
		b.WriteString(name + ": &" + name + " [")
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*" + prev)
		}
		b.WriteString("]\n")
		prev = name
	}
	if _, err := Parse([]byte(b.String()), "bomb.yaml"); err == nil || !strings.Contains(err.Error(), "too large") {
		t.Errorf("alias bomb: err = %v", err)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"A: !Ref X", "{\"a\": [1, {\"b\": null}]}", "- a\n- &x b\n- *x\n", "k: <<", "!Sub [a, {b: c}]", "{"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := Parse(data, "f")
		if err == nil && n == nil {
			t.Fatal("nil node without error")
		}
		if err == nil {
			_ = n.Plain()
		}
	})
}
