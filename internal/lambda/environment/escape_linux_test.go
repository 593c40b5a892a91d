package environment

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestStopKillsEscapedChildren: processes the runtime started in a session
// of their own (setsid) die with the environment, as on Lambda.
func TestStopKillsEscapedChildren(t *testing.T) {
	env, _ := startScript(t, `setsid sleep 300 &
echo $! > "$DIR/daemon"
sleep 300 &
echo $! > "$DIR/child"
sleep 60`, 128)
	dir := env.cfg.Dir
	pid := func(name string) int {
		deadline := time.Now().Add(5 * time.Second)
		for {
			b, err := os.ReadFile(filepath.Join(dir, name))
			if n, _ := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && n > 0 {
				return n
			}
			if time.Now().After(deadline) {
				t.Fatalf("no %s pid", name)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	daemon, child := pid("daemon"), pid("child")
	defer syscall.Kill(daemon, syscall.SIGKILL)
	// setsid(1) leaves the group a moment after the shell wrote its pid.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if pgid, _ := syscall.Getpgid(daemon); pgid != env.Pid() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("daemon %d is still in the runtime's process group", daemon)
		}
	}
	env.Stop()
	for _, p := range []int{daemon, child} {
		deadline := time.Now().Add(5 * time.Second)
		for running(p) {
			if time.Now().After(deadline) {
				t.Fatalf("process %d outlived its environment", p)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// running reports whether pid exists and is not a zombie.
func running(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}

func TestHasEntry(t *testing.T) {
	entry := []byte("AWS_LAMBDA_RUNTIME_API=127.0.0.1:5\x00")
	for env, want := range map[string]bool{
		"AWS_LAMBDA_RUNTIME_API=127.0.0.1:5\x00":                                          true,
		"A=1\x00AWS_LAMBDA_RUNTIME_API=127.0.0.1:5\x00B=2\x00":                            true,
		"AWS_LAMBDA_RUNTIME_API=127.0.0.1:55\x00":                                         false,
		"XAWS_LAMBDA_RUNTIME_API=127.0.0.1:5\x00":                                         false,
		"A=XAWS_LAMBDA_RUNTIME_API=127.0.0.1:5\x00AWS_LAMBDA_RUNTIME_API=127.0.0.1:5\x00": true,
		"": false,
	} {
		if got := hasEntry([]byte(env), entry); got != want {
			t.Errorf("hasEntry(%q) = %v, want %v", env, got, want)
		}
	}
}
