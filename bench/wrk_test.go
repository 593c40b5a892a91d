package main

import (
	"testing"
	"time"
)

const wrkSample = `Running 5s test @ http://127.0.0.1:3001/go
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     3.91ms    1.02ms  21.37ms   89.12%
    Req/Sec     8.21k   312.45     8.70k    72.00%
  Latency Distribution
     50%    3.75ms
     75%    4.12ms
     90%    4.80ms
     99%  812.00us
  40855 requests in 5.00s, 5.61MB read
  Non-2xx or 3xx responses: 3
Requests/sec:   8166.33
Transfer/sec:      1.12MB
`

func TestParseWrk(t *testing.T) {
	r, err := ParseWrk(wrkSample)
	if err != nil {
		t.Fatal(err)
	}
	if r.RequestsPerSec != 8166.33 || r.P50 != 3750*time.Microsecond || r.P99 != 812*time.Microsecond || r.Non2xx != 3 {
		t.Errorf("ParseWrk = %+v", r)
	}
}

func TestParseWrkErrors(t *testing.T) {
	if _, err := ParseWrk("unable to connect to 127.0.0.1:1 Connection refused"); err == nil {
		t.Error("no error for output without results")
	}
	if _, err := ParseWrk("Requests/sec: 10.0\n"); err == nil {
		t.Error("no error for output without --latency")
	}
}
