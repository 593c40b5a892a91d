// Command nimbusprof is Nimbus built for profiling by the benchmark harness
// (go run ./bench --profile): `nimbusprof up [DIR] --port N --data DIR
// --in-memory` starts the same server as `nimbus up`, plus a pprof listener
// on NIMBUS_BENCH_PPROF (host:port) with net/http/pprof and two endpoints
// the harness calls around each scenario: /cpu/start?file=PATH and
// /cpu/stop. It exists only in bench/ so the product binary stays as users
// get it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	rpprof "runtime/pprof"
	"sync"
	"syscall"
	"time"

	"github.com/nimbus-dev/nimbus/internal/nimbus"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "nimbusprof:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 || args[0] != "up" {
		return errors.New("usage: nimbusprof up [DIR] --port N [--data DIR] [--in-memory]")
	}
	fs := flag.NewFlagSet("nimbusprof up", flag.ContinueOnError)
	port := fs.Int("port", 4566, "edge port")
	data := fs.String("data", "", "data folder")
	inMemory := fs.Bool("in-memory", false, "keep tables in memory only")
	var positional []string
	rest := args[1:]
	for {
		if err := fs.Parse(rest); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	cfg := nimbus.Config{Host: "127.0.0.1", Port: *port, DataDir: *data, InMemory: *inMemory,
		Region: nimbus.DefaultRegion, Version: "bench-profile", Logger: logger}
	if len(positional) > 0 {
		cfg.Template = positional[0]
	} else {
		cfg.Template, cfg.TemplateOptional = ".", true
	}
	if addr := os.Getenv("NIMBUS_BENCH_PPROF"); addr != "" {
		go func() { logger.Error("pprof listener", "err", http.ListenAndServe(addr, profileMux())) }()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv, err := nimbus.New(ctx, cfg)
	if err != nil {
		return err
	}
	srv.PrintBanner(os.Stdout)
	<-ctx.Done()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return srv.Shutdown(shutdownCtx)
}

// profileMux serves net/http/pprof plus start/stop of a CPU profile to a file.
func profileMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	var mu sync.Mutex
	var current *os.File
	mux.HandleFunc("/cpu/start", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if current != nil {
			http.Error(w, "a CPU profile is already running", http.StatusConflict)
			return
		}
		f, err := os.Create(r.URL.Query().Get("file"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if err := rpprof.StartCPUProfile(f); err != nil {
			f.Close()
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		current = f
	})
	mux.HandleFunc("/cpu/stop", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if current == nil {
			http.Error(w, "no CPU profile is running", http.StatusConflict)
			return
		}
		rpprof.StopCPUProfile()
		current.Close()
		current = nil
	})
	return mux
}
