package runtimes

import (
	"os"
	"os/exec"
	"sync"
)

var (
	optProbe     sync.Once
	optAvailable bool
	unsharePath  string
)

// mountOptAvailable reports whether environments can see their merged
// layers at /opt: util-linux's unshare can create an unprivileged user and
// mount namespace here (kernels and containers may forbid it) and /opt
// exists to mount over.
func mountOptAvailable() bool {
	optProbe.Do(func() {
		if st, err := os.Stat("/opt"); err != nil || !st.IsDir() {
			return
		}
		p, err := exec.LookPath("unshare")
		if err != nil {
			return
		}
		cmd := exec.Command(p, "--user", "--map-current-user", "--mount", "--", "/bin/sh", "-c", `mount --bind / /opt`)
		if cmd.Run() == nil {
			optAvailable, unsharePath = true, p
		}
	})
	return optAvailable
}

// withOptMount wraps a command so it runs in its own user and mount
// namespace with optDir bound at /opt, as Lambda mounts layers; without
// namespaces the command is returned as is (layers then work through the
// search paths only, and absolute /opt paths do not resolve).
func withOptMount(command []string, optDir string) []string {
	if optDir == "" || !mountOptAvailable() {
		return command
	}
	wrapped := []string{unsharePath, "--user", "--map-current-user", "--mount", "--", "/bin/sh", "-c", `mount --bind "$0" /opt && exec "$@"`, optDir}
	return append(wrapped, command...)
}
