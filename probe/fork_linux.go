//go:build linux

package probe

import (
	"syscall"
	"unsafe"
)

// forkHolder forks a child that shares this process's memory copy-on-write
// (so every swapped-out page of the region gets swap count 2) and then
// blocks reading rfd until EOF, and exits. It runs no Go code in the child:
// after clone only raw system calls, as syscall.forkAndExecInChild does.
// wfd is the pipe's write end, which the child closes so that the parent's
// close (or death) ends it.
//
//go:norace
//go:nosplit
func forkHolder(rfd, wfd int) (pid int, errno syscall.Errno) {
	r1, _, e := syscall.RawSyscall6(syscall.SYS_CLONE, uintptr(syscall.SIGCHLD), 0, 0, 0, 0, 0)
	if e != 0 {
		return 0, e
	}
	if r1 != 0 {
		return int(r1), 0
	}
	// Child.
	syscall.RawSyscall(syscall.SYS_CLOSE, uintptr(wfd), 0, 0)
	var b [8]byte
	for {
		n, _, e := syscall.RawSyscall(syscall.SYS_READ, uintptr(rfd), uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)))
		if e == syscall.EINTR || (e == 0 && n > 0) {
			continue
		}
		break
	}
	syscall.RawSyscall(syscall.SYS_EXIT_GROUP, 0, 0, 0)
	return 0, 0
}
