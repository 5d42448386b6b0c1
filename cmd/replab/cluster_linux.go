package main

import "syscall"

// childAttr puts a node in its own process group and has the kernel stop
// it if the cluster process dies without forwarding a signal.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}
