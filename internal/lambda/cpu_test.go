package lambda

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time (user and system) this process has used: the
// Lambda service and the benchmark's client, without the function
// processes. It varies less with the machine's load than latency does.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
