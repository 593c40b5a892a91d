package main

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

const (
	groupWarmNode = "Lambda warm invoke, Node echo (Invoke API, aws-sdk-go-v2)"
	groupRuntimes = "Lambda on Nimbus by runtime (CreateFunction + Invoke)"
	groupHTTP     = "HTTP API → Lambda → 200 (wrk, keep-alive)"
)

// ScenarioLambdaHTTP measures warm invocations and throughput of the Node
// echo function on Nimbus, serverless-offline and lambda-local, Nimbus's
// Go, Node and Python runtimes (cold and warm), then the HTTP API scenario
// on the same servers.
func (h *Harness) ScenarioLambdaHTTP(ctx context.Context) {
	h.logf("scenario 3+4: Lambda, HTTP API")
	slsApp := filepath.Join(h.root, "bench", "apps", "sls")

	// Nimbus on the serverless.yml app.
	if s, err := h.StartNimbus(ctx, NimbusOptions{Label: "sls app lambda", Template: slsApp, InMemory: true}, 3*time.Minute); err != nil {
		h.failLambda(Nimbus, err)
	} else {
		stop := h.StartProfile(s, "lambda-node")
		h.warmInvokes(ctx, s.URL, "nimbusbench-dev-echo", groupWarmNode, Nimbus, "")
		stop()
		stop = h.StartProfile(s, "lambda-runtimes")
		h.runtimes(ctx, s)
		stop()
		stop = h.StartProfile(s, "http-node")
		h.httpScenario(ctx, s, Nimbus, "Node", func() (string, error) {
			apis, err := NimbusAPIs(s.URL)
			return apis["HTTP"] + "/node", err
		})
		stop()
		s.Stop()
	}

	// Nimbus on the SAM app with the Go function.
	samData := filepath.Join(os.TempDir(), "nimbus-bench-cache", "sam-data")
	if s, err := h.StartNimbus(ctx, NimbusOptions{Label: "sam go", Template: filepath.Join(h.root, "bench", "apps", "sam"), Data: samData, InMemory: true}, 5*time.Minute); err != nil {
		h.res.Fail(Figure{Scenario: "http", Group: groupHTTP, Metric: "requests/s (Go)", System: Nimbus, Unit: "req/s", Better: Higher}, err)
	} else {
		stop := h.StartProfile(s, "http-go")
		h.httpScenario(ctx, s, Nimbus, "Go", func() (string, error) {
			apis, err := NimbusAPIs(s.URL)
			return apis["HTTP"] + "/go", err
		})
		stop()
		s.Stop()
	}

	if s, err := h.StartOffline(ctx, 2*time.Minute); err != nil {
		h.failLambda("serverless-offline", err)
		h.res.Fail(Figure{Scenario: "http", Group: groupHTTP, Metric: "requests/s (Node)", System: "serverless-offline", Unit: "req/s", Better: Higher}, err)
	} else {
		h.warmInvokes(ctx, s.LambdaURL, "nimbusbench-dev-echo", groupWarmNode, "serverless-offline", "")
		h.httpScenario(ctx, s, "serverless-offline", "Node", func() (string, error) { return s.HTTPURL + "/node", nil })
		s.Stop()
	}

	if s, err := h.StartLambdaLocal(ctx, time.Minute); err != nil {
		h.failLambda("lambda-local", err)
	} else {
		h.warmInvokes(ctx, s.LambdaURL, "echo", groupWarmNode, "lambda-local", "")
		s.Stop()
	}
}

func (h *Harness) failLambda(system string, err error) {
	h.logf("  %s: %v", system, err)
	h.res.Fail(Figure{Scenario: "lambda", Group: groupWarmNode, Metric: "p50, c1", System: system, Unit: "ms", Better: Lower}, err)
}

// warmInvokes records p50/p99 at concurrency 1 and throughput at the
// configured concurrency for a function that is already warm.
func (h *Harness) warmInvokes(ctx context.Context, endpoint, name, group, system, suffix string) {
	c := LambdaClient(endpoint)
	op := func(ctx context.Context, _ *rand.Rand) (int, error) { return 1, Invoke(ctx, c, name, invokePayload) }
	base := Figure{Scenario: "lambda", Group: group, System: system}
	p50, p99, tput := base, base, base
	p50.Metric, p50.Unit, p50.Better = "warm p50, c1"+suffix, "ms", Lower
	p99.Metric, p99.Unit, p99.Better = "warm p99, c1"+suffix, "ms", Lower
	tput.Metric, tput.Unit, tput.Better = fmt.Sprintf("throughput, c%d%s", h.cfg.Throughput, suffix), "invokes/s", Higher
	// Warm up: the first environment, then as many as the throughput
	// phase uses.
	if _, err := RunPhase(ctx, 1, 30*time.Second, 20, op); err != nil {
		h.res.Fail(p50, err)
		h.logf("  %s%s warm-up: %v", system, suffix, err)
		return
	}
	if _, err := RunPhase(ctx, h.cfg.Throughput, h.cfg.LambdaPhase, 0, op); err != nil {
		h.res.Fail(tput, err)
		return
	}
	for range h.cfg.Reps {
		r, err := RunPhase(ctx, 1, h.cfg.LambdaPhase, 0, op)
		if err != nil {
			h.res.Fail(p50, err)
			return
		}
		p50.Samples = append(p50.Samples, ms(r.P50))
		p99.Samples = append(p99.Samples, ms(r.P99))
		r, err = RunPhase(ctx, h.cfg.Throughput, h.cfg.LambdaPhase, 0, op)
		if err != nil {
			h.res.Fail(tput, err)
			return
		}
		tput.Samples = append(tput.Samples, r.PerSecond())
	}
	h.res.Add(p50)
	h.res.Add(p99)
	h.res.Add(tput)
	h.logf("  %-18s%s warm p50 %.3f ms p99 %.3f ms, %s invokes/s at c%d", system, suffix,
		Summarize(p50.Samples).Median, Summarize(p99.Samples).Median, FormatValue(Summarize(tput.Samples).Median), h.cfg.Throughput)
}

// lambdaRuntime is one Lambda runtime Nimbus runs an echo function in.
type lambdaRuntime struct {
	label, runtime, handler string
	zip                     func() ([]byte, error)
}

// runtimes creates echo functions in Go, Node and Python on Nimbus through
// the Lambda API: each creation's first invocation is a cold start; the
// first function then serves the warm figures.
func (h *Harness) runtimes(ctx context.Context, s *Server) {
	c := LambdaClient(s.URL)
	appDir := filepath.Join(h.root, "bench", "apps")
	rts := []lambdaRuntime{
		{"Go", "provided.al2023", "bootstrap", func() ([]byte, error) { return h.goZip(ctx) }},
		{"Node", "nodejs20.x", "fast.echo", func() ([]byte, error) {
			return zipFiles(map[string]string{"fast.js": filepath.Join(appDir, "sls", "fast.js")}, nil)
		}},
		{"Python", "python3.12", "app.handler", func() ([]byte, error) {
			return zipFiles(map[string]string{"app.py": filepath.Join(appDir, "python", "app.py")}, nil)
		}},
	}
	for _, rt := range rts {
		cold := Figure{Scenario: "lambda", Group: groupRuntimes, Metric: "cold start (" + rt.label + ")", System: Nimbus, Unit: "ms", Better: Lower,
			Note: "CreateFunction, then the first Invoke: process start, runtime init, invocation"}
		code, err := rt.zip()
		if err != nil {
			h.res.Fail(cold, err)
			continue
		}
		var names []string
		for i := range h.cfg.ColdReps {
			name := fmt.Sprintf("bench-%s-%d-%d", slug(rt.label), time.Now().UnixNano()%1e6, i)
			if _, err = c.CreateFunction(ctx, &lambda.CreateFunctionInput{
				FunctionName: aws.String(name), Runtime: ltypes.Runtime(rt.runtime), Handler: aws.String(rt.handler),
				Role: aws.String("arn:aws:iam::000000000000:role/bench"), Code: &ltypes.FunctionCode{ZipFile: code},
				MemorySize: aws.Int32(128), Timeout: aws.Int32(10),
			}); err != nil {
				break
			}
			names = append(names, name)
			d, ierr := firstInvoke(ctx, s.URL, name)
			if ierr != nil {
				err = ierr
				break
			}
			cold.Samples = append(cold.Samples, ms(d))
		}
		if err != nil {
			h.res.Fail(cold, err)
			h.logf("  nimbus %s cold start: %v", rt.label, err)
		} else {
			h.res.Add(cold)
			h.logf("  nimbus %-6s cold start %.1f ms", rt.label, Summarize(cold.Samples).Median)
		}
		if len(names) > 0 {
			h.warmInvokes(ctx, s.URL, names[0], groupRuntimes, Nimbus, " ("+rt.label+")")
		}
		for _, n := range names {
			_, _ = c.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String(n)})
		}
	}
}

// goZip builds bench/apps/gofn for Lambda (as `sam build` would) and zips
// the bootstrap.
func (h *Harness) goZip(ctx context.Context) ([]byte, error) {
	out := filepath.Join(h.work, "gofn", "bootstrap")
	if msg, err := RunQuiet(ctx, 5*time.Minute, h.root, []string{"CGO_ENABLED=0"}, "go", "build", "-trimpath", "-tags", "lambda.norpc", "-o", out, "./bench/apps/gofn"); err != nil {
		return nil, fmt.Errorf("go build gofn: %v: %s", err, msg)
	}
	return zipFiles(map[string]string{"bootstrap": out}, map[string]os.FileMode{"bootstrap": 0o755})
}

// zipFiles makes a deployment package of files (name in zip → path).
func zipFiles(files map[string]string, modes map[string]os.FileMode) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, path := range files {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		hdr := &zip.FileHeader{Name: name, Method: zip.Deflate}
		mode := modes[name]
		if mode == 0 {
			mode = 0o644
		}
		hdr.SetMode(mode)
		w, err := zw.CreateHeader(hdr)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(b); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// httpScenario runs wrk against one route: a warm-up, then Reps runs.
func (h *Harness) httpScenario(ctx context.Context, s *Server, system, lang string, url func() (string, error)) {
	base := Figure{Scenario: "http", Group: groupHTTP, System: system}
	rps, p50, p99 := base, base, base
	rps.Metric, rps.Unit, rps.Better = "requests/s ("+lang+")", "req/s", Higher
	p50.Metric, p50.Unit, p50.Better = "p50 ("+lang+")", "ms", Lower
	p99.Metric, p99.Unit, p99.Better = "p99 ("+lang+")", "ms", Lower
	if err := h.peerErr["wrk"]; err != nil {
		h.res.Fail(rps, err)
		return
	}
	u, err := url()
	if err != nil {
		h.res.Fail(rps, err)
		return
	}
	// Warm-up: long enough for Nimbus to start an environment per
	// connection, whose cold starts are not what this scenario measures.
	if _, err := RunWrk(ctx, u, h.cfg.WrkConns, h.cfg.WrkDuration); err != nil {
		h.res.Fail(rps, fmt.Errorf("warm-up: %w", err))
		h.logf("  %s %s HTTP warm-up: %v", system, lang, err)
		return
	}
	for range h.cfg.Reps {
		r, err := RunWrk(ctx, u, h.cfg.WrkConns, h.cfg.WrkDuration)
		if err != nil {
			h.res.Fail(rps, err)
			h.logf("  %s %s HTTP: %v", system, lang, err)
			return
		}
		rps.Samples = append(rps.Samples, r.RequestsPerSec)
		p50.Samples = append(p50.Samples, ms(r.P50))
		p99.Samples = append(p99.Samples, ms(r.P99))
	}
	rps.Note = fmt.Sprintf("wrk -t1 -c%d -d%v", h.cfg.WrkConns, h.cfg.WrkDuration)
	h.res.Add(rps)
	h.res.Add(p50)
	h.res.Add(p99)
	h.logf("  %-18s HTTP %-4s %s req/s, p50 %.2f ms", system, lang, FormatValue(Summarize(rps.Samples).Median), Summarize(p50.Samples).Median)
}
