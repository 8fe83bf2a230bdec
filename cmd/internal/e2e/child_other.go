//go:build !linux

package e2e

import "syscall"

// setParentDeathSignal is a no-op where the kernel has no parent-death
// signal; Close stops the server.
func setParentDeathSignal(*syscall.SysProcAttr) {}
