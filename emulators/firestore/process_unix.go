//go:build unix

package firestore

import (
	"errors"
	"syscall"
)

// setProcessGroup makes the JVM the leader of a new process group, so one signal to the group
// reaches the JVM and anything it may fork.
func setProcessGroup(attr *syscall.SysProcAttr) {
	attr.Setpgid = true
	setParentDeathSignal(attr)
}

// signalGroup sends sig to the process group led by pid. A group that is already gone is not
// an error.
func signalGroup(pid int, sig syscall.Signal) error {
	err := syscall.Kill(-pid, sig)
	if errors.Is(err, syscall.ESRCH) {
		return nil
	}
	return err
}
