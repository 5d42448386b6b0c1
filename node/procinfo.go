package node

import (
	"os"
	"runtime/metrics"
	"strconv"
	"strings"
	"syscall"
)

var procMetrics = []metrics.Sample{
	{Name: "/memory/classes/heap/objects:bytes"},
}

// processInfo reads the process's memory and CPU use. It is used by the
// real driver only; the core never calls it directly.
func processInfo() ProcessInfo {
	pi := ProcessInfo{PID: os.Getpid(), Allocator: "go"}
	pi.Executable, _ = os.Executable()
	metrics.Read(procMetrics)
	if procMetrics[0].Value.Kind() == metrics.KindUint64 {
		pi.UsedMemory = int64(procMetrics[0].Value.Uint64())
	}
	if data, err := os.ReadFile("/proc/self/statm"); err == nil {
		f := strings.Fields(string(data))
		if len(f) > 1 {
			pages, _ := strconv.ParseInt(f[1], 10, 64)
			pi.RSS = pages * int64(os.Getpagesize())
		}
	}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		pi.CPUUser = float64(ru.Utime.Sec) + float64(ru.Utime.Usec)/1e6
		pi.CPUSys = float64(ru.Stime.Sec) + float64(ru.Stime.Usec)/1e6
	}
	pi.TotalSystemMemory = totalSystemMemory()
	return pi
}
