//go:build !linux

package environment

import "syscall"

func setParentDeathSignal(*syscall.SysProcAttr) {}

// memoryMB is unknown where /proc is missing.
func memoryMB(int) (peak, current int) { return 0, 0 }

// killEscaped is Linux-only: elsewhere only the process group is killed.
func killEscaped(string) {}
