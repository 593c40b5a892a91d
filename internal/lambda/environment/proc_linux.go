package environment

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
)

func setParentDeathSignal(attr *syscall.SysProcAttr) {
	attr.Pdeathsig = syscall.SIGKILL
}

// peakMemoryMB reads a process's peak resident memory (VmHWM) in MB from
// /proc; zero when unknown.
func peakMemoryMB(pid int) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	return statusKB(b, "VmHWM:") / 1024
}

// residentMB reads a process's current resident memory (VmRSS) in MB from
// /proc/PID/statm, which the kernel produces much more cheaply than
// status.
func residentMB(pid int) int {
	var buf [128]byte
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/statm")
	if err != nil {
		return 0
	}
	n, _ := f.Read(buf[:])
	_ = f.Close()
	// "size resident shared text lib data dt", in pages.
	fields := bytes.Fields(buf[:n])
	if len(fields) < 2 {
		return 0
	}
	pages, _ := strconv.Atoi(string(fields[1]))
	return pages * os.Getpagesize() / (1024 * 1024)
}

func statusKB(status []byte, key string) int {
	i := bytes.Index(status, []byte(key))
	if i < 0 {
		return 0
	}
	rest := status[i+len(key):]
	if j := bytes.IndexByte(rest, '\n'); j >= 0 {
		rest = rest[:j]
	}
	rest = bytes.TrimSpace(bytes.TrimSuffix(bytes.TrimSpace(rest), []byte("kB")))
	n, _ := strconv.Atoi(string(rest))
	return n
}

// killEscaped kills the processes that left the runtime's process group
// (setsid, double-forked daemons) but still carry marker, the environment's
// AWS_LAMBDA_RUNTIME_API entry, in their environment, as every descendant
// of the runtime does unless it cleared it: on Lambda nothing outlives the
// sandbox. Only processes this user may inspect are seen.
func killEscaped(marker string) {
	entry := []byte(marker + "\x00")
	self := os.Getpid()
	for range 3 {
		ents, err := os.ReadDir("/proc")
		if err != nil {
			return
		}
		killed := 0
		for _, ent := range ents {
			pid, err := strconv.Atoi(ent.Name())
			if err != nil || pid == self {
				continue
			}
			env, err := os.ReadFile("/proc/" + ent.Name() + "/environ")
			if err != nil || !hasEntry(env, entry) {
				continue
			}
			if syscall.Kill(pid, syscall.SIGKILL) == nil {
				killed++
			}
		}
		if killed == 0 {
			return
		}
	}
}

// hasEntry reports whether the NUL-separated environment env holds entry
// (which ends in NUL) as a whole variable.
func hasEntry(env, entry []byte) bool {
	for len(env) > 0 {
		i := bytes.Index(env, entry)
		if i < 0 {
			return false
		}
		if i == 0 || env[i-1] == 0 {
			return true
		}
		env = env[i+1:]
	}
	return false
}
