package main

import (
	"encoding/xml"
	"io"
	"strings"
	"testing"
)

// parseSVG checks the document is well-formed XML and returns its texts.
func parseSVG(t *testing.T, doc string) []string {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(doc))
	var texts []string
	inText := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return texts
		}
		if err != nil {
			t.Fatalf("invalid SVG: %v\n%s", err, doc)
		}
		switch v := tok.(type) {
		case xml.StartElement:
			inText = v.Name.Local == "text"
		case xml.CharData:
			if inText {
				texts = append(texts, string(v))
			}
		case xml.EndElement:
			inText = false
		}
	}
}

func TestChartSVG(t *testing.T) {
	c := Chart{Title: "GetItem <p50> & co", Unit: "ms", Better: Lower, Bars: []Bar{
		{Label: "nimbus", System: Nimbus, Median: 0.2, Min: 0.1, Max: 0.3},
		{Label: "dynalite", System: "dynalite", Median: 1.5, Min: 1.5, Max: 1.5},
		{Label: "moto_server", System: "moto_server", Failed: "did not start: exit status 1"},
	}}
	texts := parseSVG(t, c.SVG())
	all := strings.Join(texts, "|")
	for _, want := range []string{"GetItem <p50> & co", "0.2 ms", "1.50 ms", "did not start: exit status 1", "moto_server"} {
		if !strings.Contains(all, want) {
			t.Errorf("SVG texts %q lack %q", all, want)
		}
	}
	if strings.Contains(all, "log scale") {
		t.Errorf("linear data drawn on a log scale")
	}
}

func TestChartSVGLogScale(t *testing.T) {
	c := Chart{Title: "t", Unit: "ops/s", Better: Higher, Bars: []Bar{
		{Label: "a", System: Nimbus, Median: 20000, Min: 19000, Max: 21000},
		{Label: "b", System: "x", Median: 50, Min: 40, Max: 60},
	}}
	doc := c.SVG()
	if !strings.Contains(strings.Join(parseSVG(t, doc), "|"), "log scale") {
		t.Errorf("values 400× apart not on a log scale")
	}
	if !strings.Contains(doc, `fill="#6b7280"`) {
		t.Errorf("unknown system lacks the default colour")
	}
}

func TestChartSVGEmpty(t *testing.T) {
	parseSVG(t, Chart{Title: "none"}.SVG())
}

func TestFormatValue(t *testing.T) {
	tests := []struct {
		v    float64
		want string
	}{
		{0, "0"}, {0.01234, "0.0123"}, {1.234, "1.23"}, {12.34, "12.3"},
		{123.4, "123"}, {12345.6, "12,346"}, {-1234567, "-1,234,567"},
	}
	for _, tt := range tests {
		if got := FormatValue(tt.v); got != tt.want {
			t.Errorf("FormatValue(%v) = %q, want %q", tt.v, got, tt.want)
		}
	}
}
