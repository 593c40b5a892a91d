//go:build unix

package environment

import (
	"os"
	"os/exec"
	"syscall"

	"golang.org/x/sys/unix"
)

// setProcessGroup makes the runtime the leader of its own process group so
// that everything it starts can be killed together.
func setProcessGroup(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	setParentDeathSignal(cmd.SysProcAttr)
}

// killGroup kills the process group led by pid.
func killGroup(pid int) {
	if pid > 0 {
		_ = syscall.Kill(-pid, syscall.SIGKILL)
	}
}

// pendingBytes is how many bytes wait unread in the pipe r.
func pendingBytes(r *os.File) int {
	sc, err := r.SyscallConn()
	if err != nil {
		return 0
	}
	n := 0
	_ = sc.Control(func(fd uintptr) {
		n, err = unix.IoctlGetInt(int(fd), fionread)
		if err != nil {
			n = 0
		}
	})
	return n
}
