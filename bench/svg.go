package main

import (
	"fmt"
	"html"
	"math"
	"strings"
)

// Bar is one row of a chart: a system's median with its min–max range.
type Bar struct {
	Label  string
	System string
	Median float64
	Min    float64
	Max    float64
	// Failed is shown instead of a bar when the figure could not be measured.
	Failed string
}

// Chart is a horizontal bar chart of figures sharing one unit.
type Chart struct {
	Title  string
	Unit   string
	Better Better
	Bars   []Bar
}

// systemColors gives each system a fixed colour so charts read alike.
var systemColors = map[string]string{
	Nimbus:               "#2563eb",
	NimbusDisk:           "#60a5fa",
	"dynalite":           "#d97706",
	"moto_server":        "#7c3aed",
	"serverless-offline": "#dc2626",
	"lambda-local":       "#059669",
}

const (
	chartWidth  = 860
	labelWidth  = 330
	valueWidth  = 120
	rowHeight   = 26
	chartTop    = 44
	chartBottom = 28
)

// SVG renders the chart as a standalone SVG document. Values spanning more
// than two orders of magnitude are drawn on a log scale (said in the axis
// note) so the small bars stay visible.
func (c Chart) SVG() string {
	maxV, minV := 0.0, math.Inf(1)
	for _, b := range c.Bars {
		if b.Failed != "" {
			continue
		}
		maxV = math.Max(maxV, math.Max(b.Max, b.Median))
		if b.Median > 0 {
			minV = math.Min(minV, b.Median)
		}
	}
	logScale := maxV > 0 && !math.IsInf(minV, 1) && maxV/minV > 100
	plotW := float64(chartWidth - labelWidth - valueWidth)
	scale := func(v float64) float64 {
		if v <= 0 || maxV <= 0 {
			return 0
		}
		if logScale {
			lo := math.Log10(minV) - 0.3
			return plotW * (math.Log10(v) - lo) / (math.Log10(maxV) - lo)
		}
		return plotW * v / maxV
	}
	height := chartTop + rowHeight*len(c.Bars) + chartBottom
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">`+"\n",
		chartWidth, height, chartWidth, height)
	fmt.Fprintf(&sb, `<rect width="100%%" height="100%%" fill="#ffffff"/>`+"\n")
	fmt.Fprintf(&sb, `<text x="8" y="18" font-size="14" font-weight="600">%s</text>`+"\n", esc(c.Title))
	note := c.Unit + ", " + string(c.Better) + " is better; bar = median, line = min–max"
	if logScale {
		note += "; log scale"
	}
	fmt.Fprintf(&sb, `<text x="8" y="34" fill="#555">%s</text>`+"\n", esc(note))
	for i, b := range c.Bars {
		y := chartTop + i*rowHeight
		fmt.Fprintf(&sb, `<text x="%d" y="%d" text-anchor="end">%s</text>`+"\n", labelWidth-8, y+16, esc(b.Label))
		if b.Failed != "" {
			fmt.Fprintf(&sb, `<text x="%d" y="%d" fill="#b91c1c">%s</text>`+"\n", labelWidth, y+16, esc(truncate(b.Failed, 70)))
			continue
		}
		color := systemColors[b.System]
		if color == "" {
			color = "#6b7280"
		}
		w := scale(b.Median)
		fmt.Fprintf(&sb, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s" rx="2"/>`+"\n", labelWidth, y+4, math.Max(w, 1), rowHeight-8, color)
		if b.Max > b.Min {
			x1, x2 := labelWidth+scale(b.Min), labelWidth+scale(b.Max)
			cy := y + rowHeight/2
			fmt.Fprintf(&sb, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#111" stroke-width="1.5"/>`+"\n", x1, cy, x2, cy)
			fmt.Fprintf(&sb, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#111"/>`+"\n", x1, cy-5, x1, cy+5)
			fmt.Fprintf(&sb, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#111"/>`+"\n", x2, cy-5, x2, cy+5)
		}
		fmt.Fprintf(&sb, `<text x="%d" y="%d">%s</text>`+"\n", labelWidth+int(plotW)+8, y+16, esc(FormatValue(b.Median)+" "+c.Unit))
	}
	sb.WriteString("</svg>\n")
	return sb.String()
}

func esc(s string) string { return html.EscapeString(s) }

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// FormatValue prints a figure with about three significant digits.
func FormatValue(v float64) string {
	a := math.Abs(v)
	switch {
	case v == 0:
		return "0"
	case a >= 1000:
		return commas(int64(math.Round(v)))
	case a >= 100:
		return fmt.Sprintf("%.0f", v)
	case a >= 10:
		return fmt.Sprintf("%.1f", v)
	case a >= 1:
		return fmt.Sprintf("%.2f", v)
	default:
		return fmt.Sprintf("%.3g", v)
	}
}

func commas(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}
