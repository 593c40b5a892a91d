package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Groups of scenario 1.
const (
	groupStartServices = "Start, service APIs alone (DynamoDB endpoint)"
	groupStartNodeApp  = "Start, Node app (bench/apps/sls/serverless.yml)"
	groupStartChat     = "Start, chat example (examples/chat, Go)"
	groupColdFirst     = "Lambda, first invocation after start (Node, fast.echo)"
)

// invokePayload is the event every system's echo function gets.
var invokePayload = []byte(`{"event":{"n":1,"text":"hello"}}`)

// startRun is one start of a system: the time to ready, the idle RSS and,
// for systems that run functions, the first invocation after ready.
type startRun struct {
	ready, first time.Duration
	rssTree      float64
	rssSelf      float64
	firstErr     error
}

// ScenarioStart measures start to healthy and idle RSS of every system,
// and the first (cold) invocation of the Node app's echo function.
func (h *Harness) ScenarioStart(ctx context.Context) {
	h.logf("scenario 1: start to healthy, idle RSS")
	reps := h.cfg.StartReps

	// Service APIs alone: Nimbus in memory and on disk, dynalite, moto.
	h.startSeries(ctx, groupStartServices, Nimbus, "", reps, func() (*Server, error) {
		return h.StartNimbus(ctx, NimbusOptions{Label: "no template in memory", InMemory: true}, time.Minute)
	}, nil)
	h.startSeries(ctx, groupStartServices, Nimbus, ", on disk", reps, func() (*Server, error) {
		return h.StartNimbus(ctx, NimbusOptions{Label: "no template on disk"}, time.Minute)
	}, nil)
	h.startSeries(ctx, groupStartServices, "dynalite", "", reps, func() (*Server, error) { return h.StartDynalite(ctx, time.Minute) }, nil)
	h.startSeries(ctx, groupStartServices, "moto_server", "", reps, func() (*Server, error) { return h.StartMoto(ctx, time.Minute) }, nil)

	// The Node app: Nimbus and serverless-offline on the same
	// serverless.yml, lambda-local on its echo handler.
	slsApp := filepath.Join(h.root, "bench", "apps", "sls")
	startSLS := func() (*Server, error) {
		return h.StartNimbus(ctx, NimbusOptions{Label: "sls app", Template: slsApp, InMemory: true}, 3*time.Minute)
	}
	if s, err := startSLS(); err == nil { // installs the handlers' SDK packages once, unmeasured
		s.Stop()
	}
	h.startSeries(ctx, groupStartNodeApp, Nimbus, "", reps, startSLS, func(s *Server) (time.Duration, error) {
		return firstInvoke(ctx, s.URL, "nimbusbench-dev-echo")
	})
	h.startSeries(ctx, groupStartNodeApp, "serverless-offline", "", reps, func() (*Server, error) { return h.StartOffline(ctx, 2*time.Minute) },
		func(s *Server) (time.Duration, error) { return firstInvoke(ctx, s.LambdaURL, "nimbusbench-dev-echo") })
	h.startSeries(ctx, groupStartNodeApp, "lambda-local", "", reps, func() (*Server, error) { return h.StartLambdaLocal(ctx, time.Minute) },
		func(s *Server) (time.Duration, error) { return firstInvoke(ctx, s.LambdaURL, "echo") })

	// The chat example: builds included (a fresh data folder each time,
	// Go's own build cache warm), then builds cached in the last folder;
	// each also timed to the room list in an already open browser.
	chat := filepath.Join(h.root, "examples", "chat")
	browser, browserErr := StartBrowser(ctx)
	if browser != nil {
		defer browser.Close()
	}
	roomList := func(s *Server) (float64, error) {
		if browserErr != nil {
			return 0, browserErr
		}
		site, err := siteURL(ctx, s.URL)
		if err != nil {
			return 0, err
		}
		d, err := browser.chatRoomList(ctx, site)
		return ms(s.ReadyIn + d), err
	}
	listFigure := func(suffix string) Figure {
		return Figure{Scenario: "start", Group: groupStartChat, Metric: "to the room list in Chromium" + suffix, System: Nimbus, Unit: "ms", Better: Lower,
			Note: "start to healthy, plus the page's own time from navigation to showing the room list (the page, its scripts and config, the first getAllRooms call to a cold Go function) in an open headless Chromium tab"}
	}
	buildReps := min(reps, 2)
	var data string
	var built, builtList []float64
	var builtListErr error
	for range buildReps {
		d, err := os.MkdirTemp(h.work, "chat-")
		if err != nil {
			break
		}
		s, err := h.StartNimbus(ctx, NimbusOptions{Label: "chat builds", Template: chat, Data: d}, 5*time.Minute)
		if err != nil {
			h.res.Fail(Figure{Scenario: "start", Group: groupStartChat, Metric: "start to healthy, builds included", System: Nimbus, Unit: "ms", Better: Lower}, err)
			break
		}
		built = append(built, ms(s.ReadyIn))
		if list, err := roomList(s); err != nil {
			builtListErr = err
		} else {
			builtList = append(builtList, list)
		}
		s.Stop()
		data = d
	}
	if len(built) > 0 {
		h.res.Add(Figure{Scenario: "start", Group: groupStartChat, Metric: "start to healthy, builds included", System: Nimbus, Unit: "ms", Better: Lower, Samples: built,
			Note: "fresh data folder: go build of 6 functions (Go's build cache warm)"})
		h.addOrFail(listFigure(", builds included"), builtList, builtListErr)
	}
	if data != "" {
		rebuilt := 0
		h.startSeries(ctx, groupStartChat, Nimbus, ", builds cached", reps, func() (*Server, error) {
			s, err := h.StartNimbus(ctx, NimbusOptions{Label: "chat cached", Template: chat, Data: data}, 3*time.Minute)
			if err == nil && s.Built() {
				rebuilt++
			}
			return s, err
		}, nil)
		if f := h.res.Find(groupStartChat, "start to healthy, builds cached", Nimbus); f != nil && rebuilt > 0 {
			f.Note = fmt.Sprintf("%d of these starts rebuilt functions: a file of the Go module changed meanwhile (other work in the same tree)", rebuilt)
		}
		var cachedList []float64
		var cachedListErr error
		for range reps {
			s, err := h.StartNimbus(ctx, NimbusOptions{Label: "chat cached", Template: chat, Data: data}, 3*time.Minute)
			if err != nil {
				cachedListErr = err
				break
			}
			list, err := roomList(s)
			s.Stop()
			if err != nil {
				cachedListErr = err
				break
			}
			cachedList = append(cachedList, list)
		}
		h.addOrFail(listFigure(", builds cached"), cachedList, cachedListErr)
	}
}

// addOrFail records f with samples, or as failed with err when a
// repetition failed or none was measured.
func (h *Harness) addOrFail(f Figure, samples []float64, err error) {
	if err != nil || len(samples) == 0 {
		if err == nil {
			err = fmt.Errorf("no sample")
		}
		h.res.Fail(f, err)
		h.logf("  %s: %v", f.Metric, err)
		return
	}
	f.Samples = samples
	h.res.Add(f)
	h.logf("  %s %.1f ms (%d runs)", f.Metric, Summarize(samples).Median, len(samples))
}

// startSeries starts a system reps times and records its figures; suffix
// tells Nimbus variants apart in the metric names.
func (h *Harness) startSeries(ctx context.Context, group, system, suffix string, reps int, start func() (*Server, error), first func(*Server) (time.Duration, error)) {
	var runs []startRun
	var failure error
	for range reps {
		s, err := start()
		if err != nil {
			failure = err
			break
		}
		r := startRun{ready: s.ReadyIn}
		if first != nil {
			r.first, r.firstErr = first(s)
		}
		time.Sleep(h.cfg.Settle)
		r.rssTree, r.rssSelf, _ = TreeRSS(s.Pid())
		s.Stop()
		runs = append(runs, r)
	}
	base := Figure{Scenario: "start", Group: group, System: system}
	readyF, selfF, treeF := base, base, base
	readyF.Metric, readyF.Unit, readyF.Better = "start to healthy"+suffix, "ms", Lower
	selfF.Metric, selfF.Unit, selfF.Better = "idle RSS, server process"+suffix, "MB", Lower
	treeF.Metric, treeF.Unit, treeF.Better = "idle RSS, with child processes"+suffix, "MB", Lower
	if failure != nil && len(runs) == 0 {
		h.res.Fail(readyF, failure)
		h.res.Fail(selfF, failure)
		h.logf("  %s %s: %v", system, suffix, failure)
		return
	}
	for _, r := range runs {
		readyF.Samples = append(readyF.Samples, ms(r.ready))
		selfF.Samples = append(selfF.Samples, r.rssSelf)
		treeF.Samples = append(treeF.Samples, r.rssTree)
	}
	f := h.res.Add(readyF)
	h.res.Add(selfF)
	if first != nil {
		h.res.Add(treeF)
	}
	h.logf("  %-18s%s start %.1f ms (%d runs), idle RSS %.1f MB", system, suffix, f.Summary.Median, f.Summary.N, Summarize(selfF.Samples).Median)
	if first == nil {
		return
	}
	cold := Figure{Scenario: "lambda", Group: groupColdFirst, Metric: "first invocation after ready", System: system, Unit: "ms", Better: Lower}
	for _, r := range runs {
		if r.firstErr != nil {
			h.res.Fail(cold, r.firstErr)
			return
		}
		cold.Samples = append(cold.Samples, ms(r.first))
	}
	h.res.Add(cold)
}

// firstInvoke times one invocation of name through the Invoke API at url.
func firstInvoke(ctx context.Context, url, name string) (time.Duration, error) {
	c := LambdaClient(url)
	start := time.Now()
	err := Invoke(ctx, c, name, invokePayload)
	return time.Since(start), err
}
