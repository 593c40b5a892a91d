package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteReport(t *testing.T) {
	cfg := QuickConfig()
	r := &Results{Mode: "quick", Command: "go run ./bench --quick", Machine: Machine{Cores: 2, LoadBefore: [3]float64{5, 4, 3}}}
	r.SetSystem(SystemStatus{Name: Nimbus, Status: "ok"})
	r.SetSystem(SystemStatus{Name: "dynalite", Status: "not installed (npm install failed): offline"})
	group := groupDynamo(cfg.Datasets[0])
	r.Add(Figure{Group: group, Metric: "GetItem p50, c1", System: Nimbus, Unit: "ms", Better: Lower, Samples: []float64{0.2, 0.3, 0.25}})
	r.Add(Figure{Group: group, Metric: "GetItem p50, c1", System: "moto_server", Unit: "ms", Better: Lower, Samples: []float64{2, 3}})
	r.Fail(Figure{Group: group, Metric: "GetItem p50, c1", System: "dynalite", Unit: "ms", Better: Lower}, errors.New("not installed"))
	r.Add(Figure{Group: group, Metric: "PutItem+GetItem, c32", System: Nimbus, Unit: "ops/s", Better: Higher, Samples: []float64{20000}})
	r.CheckTargets(cfg)

	dir := t.TempDir()
	doc := filepath.Join(dir, "docs", "benchmarks.md")
	if err := r.WriteReport(doc, filepath.Join(dir, "docs", "images"), "## Discussion\n\nPeers win at X."); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(doc)
	if err != nil {
		t.Fatal(err)
	}
	md := string(b)
	for _, want := range []string{
		"| GetItem p50, c1 | ms | 0.25 (0.2–0.3) | **failed**: not installed | 2.50 (2.00–3.00) | 10× moto_server |",
		"not installed (npm install failed): offline",
		"| PutItem+GetItem of 1 KB items, concurrency 32 > 15,000 ops/s | 20,000 ops/s | yes |",
		"| Cold start, Go bootstrap < 30 ms | not measured | — |",
		"Peers win at X.",
		"shared with other work",
		"](images/bench-",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
	svgs, _ := filepath.Glob(filepath.Join(dir, "docs", "images", "bench-*.svg"))
	if len(svgs) != 2 {
		t.Errorf("want one chart per unit (2), got %v", svgs)
	}
	for _, s := range svgs {
		b, _ := os.ReadFile(s)
		parseSVG(t, string(b))
	}
}

func TestSlug(t *testing.T) {
	tests := map[string]string{
		"DynamoDB, 10k items of 1 KB": "dynamodb-10k-items-of-1-kb",
		"HTTP API → Lambda → 200":     "http-api-lambda-200",
		"  x  ":                       "x",
	}
	for in, want := range tests {
		if got := slug(in); got != want {
			t.Errorf("slug(%q) = %q, want %q", in, got, want)
		}
	}
}
