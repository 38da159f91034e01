//go:build !linux

package harness

import "syscall"

// procAttr has nothing to add where the kernel cannot kill a child with its
// parent: the test's cleanup kills the instances it started.
func procAttr() *syscall.SysProcAttr { return nil }
