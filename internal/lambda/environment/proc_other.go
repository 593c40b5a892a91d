//go:build !linux

package environment

import "syscall"

func setParentDeathSignal(*syscall.SysProcAttr) {}

// peakMemoryMB is unknown where /proc is missing.
func peakMemoryMB(int) int { return 0 }

// residentMB is unknown where /proc is missing.
func residentMB(int) int { return 0 }

// killEscaped is Linux-only: elsewhere only the process group is killed.
func killEscaped(string) {}
