package e2e

import "syscall"

// setParentDeathSignal has Linux SIGKILL the server if the test process
// dies without closing the harness, so no orphan keeps the port.
func setParentDeathSignal(attr *syscall.SysProcAttr) { attr.Pdeathsig = syscall.SIGKILL }
