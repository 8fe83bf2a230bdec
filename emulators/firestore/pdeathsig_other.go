//go:build unix && !linux

package firestore

import "syscall"

// setParentDeathSignal is a no-op where the kernel offers no parent-death signal; Close (and
// firestoretest.Main) remain responsible for stopping the JVM.
func setParentDeathSignal(*syscall.SysProcAttr) {}
