package environment

import (
	"bytes"
	"golang.org/x/sys/unix"
	"os"
	"strconv"
	"syscall"
)

func setParentDeathSignal(attr *syscall.SysProcAttr) {
	attr.Pdeathsig = syscall.SIGKILL
}

// memoryMB reads a process's peak (VmHWM) and current (VmRSS) resident
// memory in MB from /proc; zero when unknown.
func memoryMB(pid int) (peak, current int) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, 0
	}
	return statusKB(b, "VmHWM:") / 1024, statusKB(b, "VmRSS:") / 1024
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

// fionread is the ioctl that counts unread bytes in a pipe.
const fionread = unix.TIOCINQ
