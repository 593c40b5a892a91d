// Command bench runs Nimbus side by side with the tools users would pick
// instead (dynalite, moto_server, serverless-offline, lambda-local) on
// loopback, and writes bench/results/<date>.json and docs/benchmarks.md
// with SVG charts in docs/images/. See bench/README.md.
//
//	go run ./bench            # full run, about 20 minutes on 2 cores
//	go run ./bench --quick    # every scenario briefly, about 2 minutes
//	go run ./bench --profile  # also CPU and heap profiles of Nimbus per scenario
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

var scenarioNames = []string{"start", "dynamodb", "lambda", "websocket"}

func main() {
	quick := flag.Bool("quick", false, "run every scenario briefly (about 2 minutes), for smoke tests")
	profile := flag.Bool("profile", false, "write CPU and heap profiles of Nimbus for each scenario (runs a profiling build of Nimbus)")
	only := flag.String("only", "", "comma-separated scenarios to run: "+strings.Join(scenarioNames, ","))
	jsonOut := flag.String("json", "", "results JSON (default bench/results/<date>.json; --quick: bench/results/tmp/)")
	docOut := flag.String("doc", "", "Markdown report (default docs/benchmarks.md; --quick: bench/results/tmp/)")
	imgOut := flag.String("images", "", "folder for the SVG charts (default docs/images; --quick: bench/results/tmp/images)")
	merge := flag.String("merge", "", "with --only: merge the scenarios run into this earlier results JSON (and rewrite its report)")
	mergeReason := flag.String("merge-reason", "", "why the scenarios were run again (recorded with --merge)")
	reportOnly := flag.String("report", "", "measure nothing: re-check the targets and rewrite the report and charts from this results JSON (after editing bench/notes.md)")
	flag.Parse()
	log.SetFlags(log.Ltime)
	if *reportOnly != "" {
		if err := rewriteReport(*reportOnly, *docOut, *imgOut); err != nil {
			log.Fatal(err)
		}
		return
	}
	if err := run(*quick, *profile, *only, *jsonOut, *docOut, *imgOut, *merge, *mergeReason); err != nil {
		StopAll()
		log.Fatal(err)
	}
}

func run(quick, profile bool, only, jsonOut, docOut, imgOut, merge, mergeReason string) error {
	root, err := repoRoot()
	if err != nil {
		return err
	}
	cfg, mode := FullConfig(), "full"
	if quick {
		cfg, mode = QuickConfig(), "quick"
	}
	selected := map[string]bool{}
	for _, s := range strings.Split(only, ",") {
		if s = strings.TrimSpace(s); s != "" {
			if !contains(scenarioNames, s) {
				return fmt.Errorf("--only: unknown scenario %q (have %s)", s, strings.Join(scenarioNames, ","))
			}
			selected[s] = true
		}
	}
	want := func(s string) bool { return len(selected) == 0 || selected[s] }
	var base *Results
	if merge != "" {
		if len(selected) == 0 {
			return errors.New("--merge needs --only")
		}
		b, err := os.ReadFile(merge)
		if err != nil {
			return err
		}
		base = &Results{}
		if err := json.Unmarshal(b, base); err != nil {
			return fmt.Errorf("%s: %w", merge, err)
		}
		if (base.Mode == "quick") != quick {
			return fmt.Errorf("%s is a %s run: merge runs of the same mode", merge, base.Mode)
		}
		jsonOut = merge
	}

	started := time.Now()
	stamp := started.Format("2006-01-02")
	tmp := filepath.Join(root, "bench", "results", "tmp")
	if jsonOut == "" {
		jsonOut = filepath.Join(root, "bench", "results", stamp+".json")
		if quick {
			jsonOut = filepath.Join(tmp, stamp+"-quick.json")
		}
	}
	if docOut == "" {
		docOut = filepath.Join(root, "docs", "benchmarks.md")
		if quick {
			docOut = filepath.Join(tmp, "benchmarks-quick.md")
		}
	}
	if imgOut == "" {
		imgOut = filepath.Join(root, "docs", "images")
		if quick {
			imgOut = filepath.Join(tmp, "images")
		}
	}
	// Scratch space lives outside the repository: Nimbus fingerprints a Go
	// function's whole module, and logs written inside it would make every
	// start rebuild. Logs and profiles are copied to bench/results/tmp/.
	work, err := os.MkdirTemp("", "nimbus-bench-")
	if err != nil {
		return err
	}
	keep := filepath.Join(tmp, "run-"+started.Format("20060102-150405"))
	defer func() {
		for _, sub := range []string{"logs", "profiles"} {
			if err := copyDir(filepath.Join(work, sub), filepath.Join(keep, sub)); err != nil {
				log.Printf("keeping %s: %v", sub, err)
			}
		}
		os.RemoveAll(work)
		log.Printf("logs and profiles of this run: %s", rel(root, keep))
	}()
	log.Printf("work folder %s", work)

	ctx := context.Background()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	go func() {
		<-sig
		log.Printf("interrupted: stopping every server")
		StopAll()
		os.Exit(130)
	}()

	res := &Results{Started: started, Mode: mode, Command: commandLine()}
	res.Commit, _ = RunQuiet(ctx, 10*time.Second, root, nil, "git", "rev-parse", "--short", "HEAD")
	nodeV, _ := RunQuiet(ctx, 10*time.Second, "", nil, "node", "--version")
	pyV, _ := RunQuiet(ctx, 10*time.Second, "", nil, "python3", "--version")
	res.Machine = DescribeMachine(nodeV, strings.TrimPrefix(pyV, "Python "))

	h := newHarness(cfg, root, work, res)
	// The release build (make build): static, without cgo.
	log.Printf("building nimbus (CGO_ENABLED=0 go build -trimpath ./cmd/nimbus)")
	h.nimbus = filepath.Join(work, "nimbus")
	if out, err := RunQuiet(ctx, 10*time.Minute, root, []string{"CGO_ENABLED=0"}, "go", "build", "-trimpath", "-o", h.nimbus, "./cmd/nimbus"); err != nil {
		return fmt.Errorf("go build ./cmd/nimbus: %v: %s", err, out)
	}
	version, _ := RunQuiet(ctx, 10*time.Second, "", nil, h.nimbus, "version")
	if profile {
		h.nimbus = filepath.Join(work, "nimbusprof")
		if out, err := RunQuiet(ctx, 10*time.Minute, root, []string{"CGO_ENABLED=0"}, "go", "build", "-trimpath", "-o", h.nimbus, "./bench/nimbusprof"); err != nil {
			return fmt.Errorf("go build ./bench/nimbusprof: %v: %s", err, out)
		}
		h.profile = filepath.Join(work, "profiles")
		if err := os.MkdirAll(h.profile, 0o755); err != nil {
			return err
		}
		version += " (profiling build: bench/nimbusprof)"
	}
	res.SetSystem(SystemStatus{Name: Nimbus, Version: version + " @ " + res.Commit, What: "this repository, CGO_ENABLED=0 go build -trimpath ./cmd/nimbus", Status: "ok"})
	h.InstallPeers(ctx)

	if want("start") {
		h.ScenarioStart(ctx)
	}
	if want("dynamodb") {
		h.ScenarioDynamoDB(ctx)
	}
	if want("lambda") {
		h.ScenarioLambdaHTTP(ctx)
	}
	if want("websocket") {
		h.ScenarioWebSocket(ctx)
	}
	StopAll()

	res.Machine.LoadAfter = LoadAvg()
	res.Duration = time.Since(started).Round(time.Second).String()
	for i, p := range res.Profiles {
		res.Profiles[i] = filepath.Join(rel(root, keep), "profiles", filepath.Base(p))
	}
	if base != nil {
		var scen []string
		for _, s := range scenarioNames {
			if selected[s] {
				scen = append(scen, s)
			}
		}
		if selected["lambda"] {
			// The Lambda runner measures the HTTP API figures too.
			scen = append(scen, "http")
		}
		base.Merge(res, scen, mergeReason)
		res = base
	}
	res.CheckTargets(cfg)
	if err := res.WriteJSON(jsonOut); err != nil {
		return err
	}
	notes, err := os.ReadFile(filepath.Join(root, "bench", "notes.md"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if err := res.WriteReport(docOut, imgOut, string(notes)); err != nil {
		return err
	}
	log.Printf("wrote %s and %s (%s)", rel(root, jsonOut), rel(root, docOut), res.Duration)
	for _, t := range res.Targets {
		status := "missed"
		switch {
		case t.Missing:
			status = "not measured"
		case t.Met:
			status = "met"
		}
		log.Printf("target %-12s %s: %s %s", status, t.Target, FormatValue(t.Measured), t.Unit)
	}
	return nil
}

// rewriteReport writes the report of an earlier run from its JSON.
func rewriteReport(jsonPath, docOut, imgOut string) error {
	root, err := repoRoot()
	if err != nil {
		return err
	}
	b, err := os.ReadFile(jsonPath)
	if err != nil {
		return err
	}
	var res Results
	if err := json.Unmarshal(b, &res); err != nil {
		return fmt.Errorf("%s: %w", jsonPath, err)
	}
	if docOut == "" {
		docOut = filepath.Join(root, "docs", "benchmarks.md")
	}
	if imgOut == "" {
		imgOut = filepath.Join(root, "docs", "images")
	}
	notes, err := os.ReadFile(filepath.Join(root, "bench", "notes.md"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	cfg := FullConfig()
	if res.Mode == "quick" {
		cfg = QuickConfig()
	}
	res.CheckTargets(cfg)
	if err := res.WriteJSON(jsonPath); err != nil {
		return err
	}
	if err := res.WriteReport(docOut, imgOut, string(notes)); err != nil {
		return err
	}
	log.Printf("wrote %s from %s", rel(root, docOut), rel(root, jsonPath))
	return nil
}

// repoRoot finds the module root from the working folder upward.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.Contains(string(b), "module github.com/nimbus-dev/nimbus\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run from inside the Nimbus repository")
		}
		dir = parent
	}
}

func commandLine() string {
	args := []string{"go run ./bench"}
	args = append(args, os.Args[1:]...)
	return strings.Join(args, " ")
}

// copyDir copies the regular files of src (one level) into dst.
func copyDir(src, dst string) error {
	entries, err := os.ReadDir(src)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	for _, e := range entries {
		if e.Type().IsRegular() {
			if err := copyFile(filepath.Join(src, e.Name()), filepath.Join(dst, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
