package main

import "syscall"

// serverProcAttr makes the kernel kill a server when the harness dies
// (a test timeout, a kill -9), so no server is left running on a shared
// machine. Go does not end the thread that started a child unless a
// goroutine locked to it exits, which the harness never does.
func serverProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
