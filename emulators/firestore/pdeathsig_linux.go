package firestore

import "syscall"

// setParentDeathSignal asks Linux to SIGKILL the JVM if the process that started it dies
// without calling Close (a crashed test binary, os.Exit in a test): the last line of defence
// against an orphan JVM holding a port.
func setParentDeathSignal(attr *syscall.SysProcAttr) {
	attr.Pdeathsig = syscall.SIGKILL
}
