package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// target is one DESIGN §5 target checked against a Nimbus figure.
type target struct {
	text, group, metric string
	limit               float64
	unit                string
	better              Better
}

// designTargets lists the §5 targets the harness measures.
func designTargets(cfg Config) []target {
	big := groupDynamo(slices.Max(cfg.Datasets))
	return []target{
		{"Start to healthy, no template < 50 ms", groupStartServices, "start to healthy", 50, "ms", Lower},
		{"Idle RSS, no template < 30 MB", groupStartServices, "idle RSS, server process", 30, "MB", Lower},
		{"Start with the chat example, no builds pending < 300 ms", groupStartChat, "start to healthy, builds cached", 300, "ms", Lower},
		{"Warm invoke through the Invoke API, Go: p50 < 0.3 ms (measured at the client: an upper bound)", groupRuntimes, "warm p50, c1 (Go)", 0.3, "ms", Lower},
		{"Cold start, Go bootstrap < 30 ms", groupRuntimes, "cold start (Go)", 30, "ms", Lower},
		{"Cold start, Node < 150 ms", groupRuntimes, "cold start (Node)", 150, "ms", Lower},
		{"HTTP API → Lambda (Go) → 200, keep-alive > 8,000 req/s", groupHTTP, "requests/s (Go)", 8000, "req/s", Higher},
		{"GetItem p50 < 0.15 ms server-side (measured with pre-signed requests replayed over keep-alive HTTP, the SDK's own work left out: an upper bound)", big, "GetItem (raw HTTP, pre-signed) p50, c1", 0.15, "ms", Lower},
		{"PutItem+GetItem of 1 KB items, concurrency 32 > 15,000 ops/s", big, "PutItem+GetItem, c32", 15000, "ops/s", Higher},
		{"Query on a GSI returning 20 items, p50 < 1 ms (" + countLabel(slices.Max(cfg.Datasets)) + " items)", big, "Query GSI (20 items) p50, c1", 1, "ms", Lower},
		{fmt.Sprintf("%s open WebSocket connections < 500 MB RSS (with function processes)", countLabel(cfg.WSMany)), groupWSMany,
			fmt.Sprintf("RSS with %d open connections, with child processes", cfg.WSMany), 500, "MB", Lower},
		{fmt.Sprintf("Broadcast to %s connections via postToConnection: p99 < 100 ms", countLabel(cfg.WSConns)), groupWS,
			fmt.Sprintf("broadcast to %d, p99 delivery", cfg.WSConns), 100, "ms", Lower},
	}
}

// CheckTargets fills r.Targets from Nimbus's figures.
func (r *Results) CheckTargets(cfg Config) {
	r.Targets = nil
	for _, t := range designTargets(cfg) {
		c := TargetCheck{Target: t.text, Group: t.group, Metric: t.metric, Limit: t.limit, Unit: t.unit, Better: t.better}
		f := r.Find(t.group, t.metric, Nimbus)
		if f == nil || f.Error != "" || f.Summary.N == 0 {
			c.Missing = true
		} else {
			c.Measured = f.Summary.Median
			c.Met = (t.better == Lower && c.Measured < t.limit) || (t.better == Higher && c.Measured > t.limit)
		}
		r.Targets = append(r.Targets, c)
	}
	// HTTP: Nimbus with a Go handler against serverless-offline with Node.
	c := TargetCheck{Target: "HTTP API → Lambda: Nimbus (Go) ≥ 10× serverless-offline (Node)", Group: groupHTTP, Metric: "requests/s (Go) / requests/s (Node)", Limit: 10, Unit: "×", Better: Higher}
	goF, peer := r.Find(groupHTTP, "requests/s (Go)", Nimbus), r.Find(groupHTTP, "requests/s (Node)", "serverless-offline")
	if ratio, ok := Ratio(goF, peer); ok {
		c.Measured, c.Met = ratio, ratio >= 10
	} else {
		c.Missing = true
	}
	r.Targets = append(r.Targets, c)
}

// groups returns the figure groups in the order they were measured, and
// the systems of each in a fixed order (Nimbus first).
func (r *Results) groups() []string {
	var out []string
	for _, f := range r.Figures {
		if !slices.Contains(out, f.Group) {
			out = append(out, f.Group)
		}
	}
	return out
}

var systemOrder = []string{Nimbus, NimbusDisk, "dynalite", "moto_server", "serverless-offline", "lambda-local"}

func (r *Results) systemsOf(group string) []string {
	var out []string
	for _, s := range systemOrder {
		for _, f := range r.Figures {
			if f.Group == group && f.System == s {
				out = append(out, s)
				break
			}
		}
	}
	return out
}

func (r *Results) metricsOf(group string) []string {
	var out []string
	for _, f := range r.Figures {
		if f.Group == group && !slices.Contains(out, f.Metric) {
			out = append(out, f.Metric)
		}
	}
	return out
}

// cell prints a figure as "median (min–max)" or its failure.
func cell(f *Figure) string {
	switch {
	case f == nil:
		return "—"
	case f.Error != "":
		return "**failed**: " + mdEscape(truncate(f.Error, 160))
	case f.Summary.N == 1:
		return FormatValue(f.Summary.Median)
	default:
		return fmt.Sprintf("%s (%s–%s)", FormatValue(f.Summary.Median), FormatValue(f.Summary.Min), FormatValue(f.Summary.Max))
	}
}

func mdEscape(s string) string {
	s = strings.ReplaceAll(s, "|", "\\|")
	s = strings.ReplaceAll(s, "\n", " ")
	return s
}

// WriteReport writes the Markdown report to docPath and the charts to
// imageDir; notes (Markdown) is included as the discussion.
func (r *Results) WriteReport(docPath, imageDir, notes string) error {
	if err := os.MkdirAll(imageDir, 0o755); err != nil {
		return err
	}
	old, _ := filepath.Glob(filepath.Join(imageDir, "bench-*.svg"))
	for _, o := range old {
		os.Remove(o)
	}
	imgRel, err := filepath.Rel(filepath.Dir(docPath), imageDir)
	if err != nil {
		imgRel = imageDir
	}
	var b strings.Builder
	m := r.Machine
	b.WriteString("# Benchmarks: Nimbus side by side with the tools users would pick instead\n\n")
	b.WriteString("Generated by the benchmark harness ([`bench/`](../bench/README.md)); do not edit by hand — the discussion comes from `bench/notes.md`.\n\n")
	fmt.Fprintf(&b, "Command: `%s` · mode **%s** · started %s · took %s · commit `%s`\n\n", r.Command, r.Mode, r.Started.UTC().Format("2006-01-02 15:04 MST"), r.Duration, r.Commit)
	fmt.Fprintf(&b, "Machine: %d cores (%s), %d MB RAM, Linux %s, %s, Node.js %s, Python %s. ", m.Cores, m.CPU, m.MemoryMB, m.Kernel, m.GoVersion, m.Node, m.Python)
	fmt.Fprintf(&b, "Load average (1/5/15 min) **%.2f / %.2f / %.2f** before the run, **%.2f / %.2f / %.2f** after", m.LoadBefore[0], m.LoadBefore[1], m.LoadBefore[2], m.LoadAfter[0], m.LoadAfter[1], m.LoadAfter[2])
	if m.LoadBefore[0] > float64(m.Cores) {
		b.WriteString(" — the machine was shared with other work, so absolute figures are noisy; ratios between systems measured minutes apart are the steadier reading")
	}
	b.WriteString(".\n\n")
	for _, mr := range r.Merged {
		fmt.Fprintf(&b, "Scenarios **%s** come from a later run (`%s`, started %s, took %s, commit `%s`, load %.2f / %.2f / %.2f before, %.2f / %.2f / %.2f after)",
			strings.Join(mr.Scenarios, ", "), mr.Command, mr.Started.UTC().Format("15:04 MST"), mr.Duration, mr.Commit,
			mr.LoadBefore[0], mr.LoadBefore[1], mr.LoadBefore[2], mr.LoadAfter[0], mr.LoadAfter[1], mr.LoadAfter[2])
		if mr.Reason != "" {
			b.WriteString(": " + mr.Reason)
		}
		b.WriteString("; every ratio still compares systems measured in the same run.\n\n")
	}
	b.WriteString("Every figure is the **median of its repetitions, with the min–max range** in brackets; charts draw the median as a bar and the range as a line. ")
	b.WriteString("All systems run on loopback, one at a time, driven by the same client per scenario: the AWS SDK for Go v2 for DynamoDB and Lambda, `wrk` for HTTP, `coder/websocket` for WebSocket. ")
	b.WriteString("The ratio column says how many times better Nimbus is than each peer (below 1×: the peer wins).\n\n")

	b.WriteString("## Systems\n\n| System | What | Version | Status |\n| --- | --- | --- | --- |\n")
	for _, s := range r.Systems {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", s.Name, mdEscape(s.What), mdEscape(s.Version), mdEscape(s.Status))
	}

	b.WriteString("\n## DESIGN §5 targets\n\n| Target | Nimbus measured | Met |\n| --- | --- | --- |\n")
	for _, t := range r.Targets {
		switch {
		case t.Missing:
			fmt.Fprintf(&b, "| %s | not measured | — |\n", mdEscape(t.Target))
		default:
			verdict := "**missed**"
			if t.Met {
				verdict = "yes"
			}
			fmt.Fprintf(&b, "| %s | %s %s | %s |\n", mdEscape(t.Target), FormatValue(t.Measured), t.Unit, verdict)
		}
	}
	b.WriteString("\nDurability (no acknowledged write lost on `kill -9`) is a correctness property, tested in `internal/dynamodb` (crash test), not benchmarked here.\n")

	b.WriteString("\n## Results\n")
	for _, g := range r.groups() {
		systems := r.systemsOf(g)
		fmt.Fprintf(&b, "\n### %s\n\n", g)
		// Charts: one per unit.
		var units []string
		for _, f := range r.Figures {
			if f.Group == g && !slices.Contains(units, f.Unit) {
				units = append(units, f.Unit)
			}
		}
		for _, u := range units {
			c := Chart{Title: g, Unit: u}
			for _, metric := range r.metricsOf(g) {
				for _, s := range systems {
					f := r.Find(g, metric, s)
					if f == nil || f.Unit != u {
						continue
					}
					c.Better = f.Better
					bar := Bar{Label: truncate(metric, 30) + " · " + s, System: s, Median: f.Summary.Median, Min: f.Summary.Min, Max: f.Summary.Max}
					if f.Error != "" {
						bar.Failed = "failed: " + f.Error
					}
					c.Bars = append(c.Bars, bar)
				}
			}
			name := "bench-" + slug(g) + "-" + slug(strings.ReplaceAll(u, "/", " per ")) + ".svg"
			if err := os.WriteFile(filepath.Join(imageDir, name), []byte(c.SVG()), 0o644); err != nil {
				return err
			}
			fmt.Fprintf(&b, "![%s (%s)](%s)\n\n", g, u, filepath.ToSlash(filepath.Join(imgRel, name)))
		}
		b.WriteString("| Metric | Unit |")
		for _, s := range systems {
			fmt.Fprintf(&b, " %s |", s)
		}
		hasPeers := len(systems) > 1 && systems[0] == Nimbus
		if hasPeers {
			b.WriteString(" Nimbus vs peers |")
		}
		b.WriteString("\n| --- | --- |")
		for range systems {
			b.WriteString(" --- |")
		}
		if hasPeers {
			b.WriteString(" --- |")
		}
		b.WriteString("\n")
		for _, metric := range r.metricsOf(g) {
			var unit string
			for _, f := range r.Figures {
				if f.Group == g && f.Metric == metric {
					unit = f.Unit
				}
			}
			fmt.Fprintf(&b, "| %s | %s |", mdEscape(metric), unit)
			for _, s := range systems {
				fmt.Fprintf(&b, " %s |", cell(r.Find(g, metric, s)))
			}
			if hasPeers {
				var ratios []string
				n := r.Find(g, metric, Nimbus)
				for _, s := range systems[1:] {
					if strings.HasPrefix(s, Nimbus) {
						continue
					}
					if ratio, ok := Ratio(n, r.Find(g, metric, s)); ok {
						ratios = append(ratios, fmt.Sprintf("%s× %s", ratioText(ratio), s))
					}
				}
				fmt.Fprintf(&b, " %s |", strings.Join(ratios, ", "))
			}
			b.WriteString("\n")
		}
		var notes []string
		for _, f := range r.Figures {
			if f.Group == g && f.Note != "" {
				notes = append(notes, fmt.Sprintf("%s, %s: %s", f.Metric, f.System, f.Note))
			}
		}
		for _, n := range notes {
			fmt.Fprintf(&b, "\n- %s", mdEscape(n))
		}
		if len(notes) > 0 {
			b.WriteString("\n")
		}
	}
	if notes != "" {
		b.WriteString("\n")
		b.WriteString(strings.TrimSpace(notes))
		b.WriteString("\n")
	}
	if len(r.Profiles) > 0 {
		b.WriteString("\n## Profiles of this run\n\n")
		for _, p := range r.Profiles {
			fmt.Fprintf(&b, "- `%s`\n", p)
		}
	}
	if err := os.MkdirAll(filepath.Dir(docPath), 0o755); err != nil {
		return err
	}
	return os.WriteFile(docPath, []byte(b.String()), 0o644)
}

func ratioText(r float64) string {
	if r >= 10 {
		return fmt.Sprintf("%.0f", r)
	}
	if r >= 1 {
		return fmt.Sprintf("%.1f", r)
	}
	return fmt.Sprintf("%.2f", r)
}
