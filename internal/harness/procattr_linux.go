package harness

import "syscall"

// procAttr makes the kernel kill a bank process when the test binary dies
// (a panic on the test timeout, a ^C), so no instance outlives its test.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
