//go:build unix && !linux

package node

import "syscall"

// sysRead and sysWrite are read(2) and write(2) on a socket in
// non-blocking mode (see rawio_linux.go).
func sysRead(fd int, p []byte) (int, error) { return syscall.Read(fd, p) }

func sysWrite(fd int, p []byte) (int, error) { return syscall.Write(fd, p) }

// sysWritev writes the first non-empty buffer of bufs (a short write, which
// the caller continues).
func sysWritev(fd int, bufs [][]byte, iov []syscall.Iovec) (int, []syscall.Iovec, error) {
	for _, b := range bufs {
		if len(b) > 0 {
			n, err := syscall.Write(fd, b)
			return n, iov, err
		}
	}
	return 0, iov, nil
}
