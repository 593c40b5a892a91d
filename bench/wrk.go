package main

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// WrkResult is what wrk reports for one run.
type WrkResult struct {
	RequestsPerSec float64
	P50, P99       time.Duration
	Non2xx         int
	SocketErrors   string
}

var (
	wrkRPS     = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	wrkPct     = regexp.MustCompile(`(?m)^\s+(50|99)(?:\.000)?%\s+([0-9.]+)(us|ms|s|m)\s*$`)
	wrkNon2xx  = regexp.MustCompile(`Non-2xx or 3xx responses:\s+(\d+)`)
	wrkSockErr = regexp.MustCompile(`Socket errors:[^\n]*`)
)

// ParseWrk reads the output of `wrk --latency`.
func ParseWrk(out string) (WrkResult, error) {
	var r WrkResult
	m := wrkRPS.FindStringSubmatch(out)
	if m == nil {
		return r, fmt.Errorf("no Requests/sec in wrk output: %s", lastLines(out, 3))
	}
	r.RequestsPerSec, _ = strconv.ParseFloat(m[1], 64)
	for _, pm := range wrkPct.FindAllStringSubmatch(out, -1) {
		v, err := strconv.ParseFloat(pm[2], 64)
		if err != nil {
			return r, err
		}
		unit := map[string]time.Duration{"us": time.Microsecond, "ms": time.Millisecond, "s": time.Second, "m": time.Minute}[pm[3]]
		d := time.Duration(v * float64(unit))
		if pm[1] == "50" {
			r.P50 = d
		} else {
			r.P99 = d
		}
	}
	if r.P50 == 0 {
		return r, errors.New("no latency distribution in wrk output (run with --latency)")
	}
	if m := wrkNon2xx.FindStringSubmatch(out); m != nil {
		r.Non2xx, _ = strconv.Atoi(m[1])
	}
	r.SocketErrors = wrkSockErr.FindString(out)
	return r, nil
}

// RunWrk runs wrk with one thread (the other core is left to the server)
// and conns keep-alive connections against url for dur.
func RunWrk(ctx context.Context, url string, conns int, dur time.Duration) (WrkResult, error) {
	secs := max(1, int(dur.Round(time.Second)/time.Second))
	out, err := RunQuiet(ctx, dur+60*time.Second, "", nil, "wrk", "-t1", "-c"+strconv.Itoa(conns), "-d"+strconv.Itoa(secs)+"s", "--timeout", "10s", "--latency", url)
	if err != nil {
		return WrkResult{}, fmt.Errorf("wrk: %v: %s", err, lastLines(out, 3))
	}
	r, err := ParseWrk(out)
	if err != nil {
		return r, fmt.Errorf("%w: %s", err, lastLines(out, 4))
	}
	if r.Non2xx > 0 {
		return r, fmt.Errorf("%d responses were not 2xx", r.Non2xx)
	}
	if strings.Contains(r.SocketErrors, "timeout") && !strings.Contains(r.SocketErrors, "timeout 0") {
		return r, errors.New(r.SocketErrors)
	}
	return r, nil
}
