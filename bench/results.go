package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// Better says which direction of a metric is an improvement.
type Better string

const (
	Lower  Better = "lower"
	Higher Better = "higher"
)

// Nimbus is the system name of the product in every figure; peers have
// their own names.
const Nimbus = "nimbus"

// NimbusDisk is Nimbus with tables on disk (its default), shown beside the
// in-memory figures that compare with in-memory peers.
const NimbusDisk = "nimbus (on disk)"

// Figure is one measured quantity of one system: its repetitions and their
// summary. Figures with the same Group and Metric are compared.
type Figure struct {
	Scenario string    `json:"scenario"`
	Group    string    `json:"group"`
	Metric   string    `json:"metric"`
	System   string    `json:"system"`
	Unit     string    `json:"unit"`
	Better   Better    `json:"better"`
	Samples  []float64 `json:"samples,omitempty"`
	Summary  Summary   `json:"summary"`
	// Error says why the figure could not be measured (a peer that failed).
	Error string `json:"error,omitempty"`
	Note  string `json:"note,omitempty"`
}

// SystemStatus records whether a system could be installed and started.
type SystemStatus struct {
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
	What    string `json:"what"`
	Status  string `json:"status"`
}

// Machine describes where the figures were taken.
type Machine struct {
	Cores      int        `json:"cores"`
	CPU        string     `json:"cpu"`
	MemoryMB   int        `json:"memory_mb"`
	Kernel     string     `json:"kernel"`
	GoVersion  string     `json:"go"`
	Node       string     `json:"node"`
	Python     string     `json:"python"`
	LoadBefore [3]float64 `json:"load_before"`
	LoadAfter  [3]float64 `json:"load_after"`
}

// TargetCheck is one DESIGN §5 target and whether this run met it.
type TargetCheck struct {
	Target   string  `json:"target"`
	Group    string  `json:"group"`
	Metric   string  `json:"metric"`
	Limit    float64 `json:"limit"`
	Unit     string  `json:"unit"`
	Better   Better  `json:"better"`
	Measured float64 `json:"measured"`
	Met      bool    `json:"met"`
	Missing  bool    `json:"missing,omitempty"`
}

// Results is everything one run of the harness measured.
type Results struct {
	Started  time.Time      `json:"started"`
	Duration string         `json:"duration"`
	Mode     string         `json:"mode"`
	Command  string         `json:"command"`
	Commit   string         `json:"commit"`
	Machine  Machine        `json:"machine"`
	Systems  []SystemStatus `json:"systems"`
	Figures  []*Figure      `json:"figures"`
	Targets  []TargetCheck  `json:"targets"`
	Profiles []string       `json:"profiles,omitempty"`
	// Merged lists later runs whose scenarios replaced this run's figures.
	Merged []MergedRun `json:"merged,omitempty"`
}

// MergedRun is a later run of some scenarios merged into the results.
type MergedRun struct {
	Scenarios  []string   `json:"scenarios"`
	Started    time.Time  `json:"started"`
	Duration   string     `json:"duration"`
	Command    string     `json:"command"`
	Commit     string     `json:"commit"`
	LoadBefore [3]float64 `json:"load_before"`
	LoadAfter  [3]float64 `json:"load_after"`
	Reason     string     `json:"reason,omitempty"`
}

// Merge replaces r's figures with those later measured again (the same
// group, metric and system), in place, and adds later's other figures of
// the given scenarios. A scenario's runner may measure figures filed under
// another scenario (the Lambda runner's HTTP API figures, the start
// runner's first invocation), so figures are matched one by one: what the
// later run did not measure stays as it was.
func (r *Results) Merge(later *Results, scenarios []string, reason string) {
	key := func(f *Figure) string { return f.Group + "\x00" + f.Metric + "\x00" + f.System }
	fresh := map[string]*Figure{}
	for _, f := range later.Figures {
		fresh[key(f)] = f
	}
	replaced := map[string]bool{}
	for i, f := range r.Figures {
		if nf, ok := fresh[key(f)]; ok {
			r.Figures[i] = nf
			replaced[key(f)] = true
		}
	}
	for _, f := range later.Figures {
		if !replaced[key(f)] && contains(scenarios, f.Scenario) {
			r.Figures = append(r.Figures, f)
		}
	}
	for _, s := range later.Systems {
		r.SetSystem(s)
	}
	r.Profiles = append(r.Profiles, later.Profiles...)
	// An earlier merge of the same scenarios measured the same figures,
	// all replaced now: the record would only repeat itself.
	r.Merged = slices.DeleteFunc(r.Merged, func(m MergedRun) bool { return slices.Equal(m.Scenarios, scenarios) })
	r.Merged = append(r.Merged, MergedRun{Scenarios: scenarios, Started: later.Started, Duration: later.Duration, Command: later.Command,
		Commit: later.Commit, LoadBefore: later.Machine.LoadBefore, LoadAfter: later.Machine.LoadAfter, Reason: reason})
}

// Add records a figure measured from samples.
func (r *Results) Add(f Figure) *Figure {
	f.Summary = Summarize(f.Samples)
	r.Figures = append(r.Figures, &f)
	return &f
}

// Fail records a figure that could not be measured, and why.
func (r *Results) Fail(f Figure, err error) {
	f.Error = err.Error()
	r.Figures = append(r.Figures, &f)
}

// Find returns the figure of system for group and metric, or nil.
func (r *Results) Find(group, metric, system string) *Figure {
	for _, f := range r.Figures {
		if f.Group == group && f.Metric == metric && f.System == system {
			return f
		}
	}
	return nil
}

// SetSystem records (or replaces) a system's status.
func (r *Results) SetSystem(s SystemStatus) {
	for i := range r.Systems {
		if r.Systems[i].Name == s.Name {
			r.Systems[i] = s
			return
		}
	}
	r.Systems = append(r.Systems, s)
}

// WriteJSON writes the results to path, creating its folder.
func (r *Results) WriteJSON(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// Ratio compares Nimbus's figure with a peer's in the same group and
// metric: how many times better Nimbus is (above 1 Nimbus wins, below 1
// the peer wins). ok is false when either side is missing.
func Ratio(nimbus, peer *Figure) (ratio float64, ok bool) {
	if nimbus == nil || peer == nil || nimbus.Error != "" || peer.Error != "" {
		return 0, false
	}
	n, p := nimbus.Summary.Median, peer.Summary.Median
	if n <= 0 || p <= 0 {
		return 0, false
	}
	if nimbus.Better == Higher {
		return n / p, true
	}
	return p / n, true
}
