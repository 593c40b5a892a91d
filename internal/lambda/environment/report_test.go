package environment

import (
	"testing"
	"time"
)

// TestReport pins the REPORT line Lambda writes: durations in ms with two
// decimals, billed duration rounded up to the next millisecond, init
// duration only on an environment's first invocation.
func TestReport(t *testing.T) {
	cases := []struct {
		res  Result
		want string
	}{
		{Result{Duration: 1234567 * time.Nanosecond, MaxMemoryMB: 18},
			"REPORT RequestId: r1\tDuration: 1.23 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 18 MB"},
		{Result{Duration: 3 * time.Millisecond, InitDuration: 4567 * time.Microsecond},
			"REPORT RequestId: r1\tDuration: 3.00 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\tMax Memory Used: 0 MB\tInit Duration: 4.57 ms"},
		{Result{Duration: 200 * time.Microsecond},
			"REPORT RequestId: r1\tDuration: 0.20 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 0 MB"},
	}
	for _, c := range cases {
		if got := report("r1", &c.res, 128); got != c.want {
			t.Errorf("report:\n got %q\nwant %q", got, c.want)
		}
	}
}
