package node

import (
	"os"
	"syscall"
)

// netYield lets the goroutine that runs the node's immediate ticks (a
// background save or a full sync in slices) step aside until the runtime
// has polled the network.
//
// With one P (io-threads 1), a goroutine that is always runnable keeps
// the scheduler from ever polling the network itself: runtime.Gosched
// puts it back on the run queue, which the scheduler checks before the
// network, so a client's request waits for the runtime's monitor thread,
// which polls every 10 ms (a PING took 10 ms during a BGSAVE). yield
// parks the goroutine on a pipe that it makes readable itself: the
// scheduler then runs everything runnable, polls the network (which
// reports the pipe and the sockets that have bytes, at once) and runs the
// clients before the goroutine resumes.
type netYield struct {
	r, w *os.File
	rc   syscall.RawConn // the read end
	wfd  int             // the write end's descriptor
	buf  [64]byte
}

// newNetYield returns a netYield, or nil where a pollable pipe cannot be
// made (the caller then falls back to runtime.Gosched).
func newNetYield() *netYield {
	r, w, err := os.Pipe()
	if err != nil {
		return nil
	}
	y := &netYield{r: r, w: w, wfd: -1}
	if y.rc, err = r.SyscallConn(); err == nil {
		var wc syscall.RawConn
		if wc, err = w.SyscallConn(); err == nil {
			err = wc.Control(func(fd uintptr) { y.wfd = int(fd) })
		}
	}
	if err != nil || y.wfd < 0 {
		y.close()
		return nil
	}
	return y
}

// yield parks the calling goroutine until the network has been polled.
func (y *netYield) yield() {
	first := true
	y.rc.Read(func(fd uintptr) bool {
		if first {
			// The byte is written after RawConn.Read reset the pipe's
			// readiness, so the event it raises wakes this very wait.
			first = false
			sysWrite(y.wfd, y.buf[:1])
			return false
		}
		for {
			if n, _ := sysRead(int(fd), y.buf[:]); n <= 0 {
				return true
			}
		}
	})
}

func (y *netYield) close() {
	y.r.Close()
	y.w.Close()
}
