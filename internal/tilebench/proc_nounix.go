//go:build !unix

package tilebench

import "syscall"

func sysProcAttr() *syscall.SysProcAttr { return nil }
