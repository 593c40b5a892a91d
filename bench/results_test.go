package main

import (
	"errors"
	"math"
	"testing"
)

func TestRatio(t *testing.T) {
	fig := func(better Better, median float64) *Figure {
		return &Figure{Better: better, Summary: Summary{Median: median, N: 1}}
	}
	tests := []struct {
		name   string
		n, p   *Figure
		want   float64
		wantOK bool
	}{
		{"higher is better, nimbus wins", fig(Higher, 100), fig(Higher, 25), 4, true},
		{"higher is better, peer wins", fig(Higher, 25), fig(Higher, 100), 0.25, true},
		{"lower is better, nimbus wins", fig(Lower, 2), fig(Lower, 10), 5, true},
		{"lower is better, peer wins", fig(Lower, 10), fig(Lower, 2), 0.2, true},
		{"missing peer", fig(Lower, 1), nil, 0, false},
		{"zero", fig(Lower, 0), fig(Lower, 1), 0, false},
		{"failed peer", fig(Lower, 1), &Figure{Error: "did not start"}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Ratio(tt.n, tt.p)
			if ok != tt.wantOK || math.Abs(got-tt.want) > 1e-9 {
				t.Errorf("Ratio = %v, %v; want %v, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestResultsAddFindFail(t *testing.T) {
	var r Results
	r.Add(Figure{Group: "g", Metric: "m", System: Nimbus, Samples: []float64{3, 1, 2}})
	r.Fail(Figure{Group: "g", Metric: "m", System: "peer"}, errors.New("no node"))
	if f := r.Find("g", "m", Nimbus); f == nil || f.Summary.Median != 2 {
		t.Fatalf("Find nimbus = %+v", f)
	}
	if f := r.Find("g", "m", "peer"); f == nil || f.Error != "no node" {
		t.Fatalf("Find peer = %+v", f)
	}
	if f := r.Find("g", "other", Nimbus); f != nil {
		t.Fatalf("Find other = %+v, want nil", f)
	}
	r.SetSystem(SystemStatus{Name: "a", Status: "ok"})
	r.SetSystem(SystemStatus{Name: "a", Status: "failed"})
	if len(r.Systems) != 1 || r.Systems[0].Status != "failed" {
		t.Fatalf("SetSystem did not replace: %+v", r.Systems)
	}
}

func TestMerge(t *testing.T) {
	base := &Results{}
	base.Add(Figure{Scenario: "start", Group: "s", Metric: "m", System: Nimbus, Samples: []float64{1}})
	base.Add(Figure{Scenario: "dynamodb", Group: "d", Metric: "m", System: "dynalite", Samples: []float64{1}})
	later := &Results{Systems: []SystemStatus{{Name: "dynalite", Status: "ok"}}}
	later.Add(Figure{Scenario: "dynamodb", Group: "d", Metric: "m", System: "dynalite", Samples: []float64{5}})
	later.Add(Figure{Scenario: "lambda", Group: "l", Metric: "m", System: Nimbus, Samples: []float64{9}})
	base.Merge(later, []string{"dynamodb"}, "dynalite's second table failed")
	if len(base.Figures) != 2 || base.Figures[1].Summary.Median != 5 {
		t.Fatalf("figures after merge: %d, want 2", len(base.Figures))
	}
	if f := base.Find("d", "m", "dynalite"); f == nil || f.Summary.Median != 5 {
		t.Errorf("dynamodb figure not replaced: %+v", f)
	}
	if base.Find("l", "m", Nimbus) != nil {
		t.Errorf("a scenario not merged came along")
	}
	if len(base.Merged) != 1 || base.Merged[0].Reason == "" || len(base.Systems) != 1 {
		t.Errorf("merge not recorded: %+v %+v", base.Merged, base.Systems)
	}
}

// TestMergeFiguresFiledElsewhere: the Lambda runner also measures the HTTP
// API figures, and the start runner the first invocation, filed under
// other scenarios; a merge of the lambda scenario replaces what it measured
// and keeps what it did not.
func TestMergeFiguresFiledElsewhere(t *testing.T) {
	base := &Results{}
	base.Add(Figure{Scenario: "lambda", Group: "first", Metric: "m", System: Nimbus, Samples: []float64{1}})
	base.Add(Figure{Scenario: "lambda", Group: "warm", Metric: "m", System: Nimbus, Samples: []float64{1}})
	base.Add(Figure{Scenario: "http", Group: "wrk", Metric: "m", System: Nimbus, Samples: []float64{1}})
	later := &Results{}
	later.Add(Figure{Scenario: "lambda", Group: "warm", Metric: "m", System: Nimbus, Samples: []float64{2}})
	later.Add(Figure{Scenario: "http", Group: "wrk", Metric: "m", System: Nimbus, Samples: []float64{3}})
	base.Merge(later, []string{"lambda", "http"}, "re-run")
	for group, want := range map[string]float64{"first": 1, "warm": 2, "wrk": 3} {
		if f := base.Find(group, "m", Nimbus); f == nil || f.Summary.Median != want {
			t.Errorf("%s after merge: %+v, want median %v", group, f, want)
		}
	}
	if len(base.Figures) != 3 {
		t.Errorf("%d figures after merge, want 3", len(base.Figures))
	}
}
