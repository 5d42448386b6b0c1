package node

import (
	"syscall"
	"unsafe"
)

// sysRead and sysWrite are read(2) and write(2) on a socket in
// non-blocking mode. They never block, so they are made without telling
// the Go scheduler (RawSyscall): a scheduled system call costs the
// scheduler's bookkeeping on entry and exit and, when the process was idle
// a moment before, a wake-up of its monitor thread, which under a
// request-reply load is paid on almost every request.
func sysRead(fd int, p []byte) (int, error) { return rawIO(syscall.SYS_READ, fd, p) }

func sysWrite(fd int, p []byte) (int, error) { return rawIO(syscall.SYS_WRITE, fd, p) }

// rawIO is read(2) or write(2) (trap) of p on fd, made as RawSyscall.
func rawIO(trap uintptr, fd int, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, _, e := syscall.RawSyscall(trap, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}

// sysWritev is writev(2) of bufs on a socket in non-blocking mode, made as
// sysWrite; iov is scratch space for the vector, reused by the caller.
func sysWritev(fd int, bufs [][]byte, iov []syscall.Iovec) (int, []syscall.Iovec, error) {
	iov = iov[:0]
	for _, b := range bufs {
		if len(b) == 0 {
			continue
		}
		v := syscall.Iovec{Base: &b[0]}
		v.SetLen(len(b))
		iov = append(iov, v)
		if len(iov) == maxIovecs {
			break
		}
	}
	if len(iov) == 0 {
		return 0, iov, nil
	}
	n, _, e := syscall.RawSyscall(syscall.SYS_WRITEV, uintptr(fd), uintptr(unsafe.Pointer(&iov[0])), uintptr(len(iov)))
	if e != 0 {
		return 0, iov, e
	}
	return int(n), iov, nil
}

// maxIovecs is the most buffers one writev takes (Linux's IOV_MAX).
const maxIovecs = 1024
