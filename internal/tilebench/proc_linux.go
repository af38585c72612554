package tilebench

import "syscall"

// sysProcAttr puts the server in its own process group and has the kernel
// send it SIGTERM should the bench die without stopping it.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}
