//go:build !linux

package main

import "syscall"

// serverProcAttr has no parent-death signal to ask for outside Linux; the
// harness still kills its servers when it returns.
func serverProcAttr() *syscall.SysProcAttr { return nil }
