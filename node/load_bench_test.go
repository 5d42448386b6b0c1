package node

import (
	"runtime"
	"syscall"
	"testing"
	"time"

	"replab/internal/dataset"
)

// processCPU returns the CPU time the process has used (user and system,
// every thread: the garbage collector's work counts).
func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkLoadMixedDump times a node's start from the dump of the mixed
// dataset of make bench's persistence rows (package dataset) (in memory: decoding and building the keyspace, no disk). cpu-ms/op
// is the process's CPU time, steadier than wall time on a shared machine.
func BenchmarkLoadMixedDump(b *testing.B) {
	dump, want := mixedDump(b)
	b.SetBytes(int64(len(dump)))
	var cpu time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// Each load starts on an empty heap, as a node's start does.
		b.StopTimer()
		runtime.GC()
		fsys := NewMemFS()
		fsys.WriteFile("dump.rdb", dump)
		b.StartTimer()
		cpu0 := processCPU()
		restore := bulkLoadGC() // what the TCP driver does around a load
		tn := newTestNodeFS(b, fsys, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), "--save", "")
		restore()
		cpu += processCPU() - cpu0
		if i == 0 {
			b.StopTimer()
			if got := tn.n.DatasetDigest(); got != want {
				b.Fatal("the loaded dataset differs from the saved one")
			}
			b.StartTimer()
		}
	}
	b.ReportMetric(float64(cpu)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}

// mixedDump returns the RDB file of the mixed dataset and its digest.
func mixedDump(b *testing.B) ([]byte, string) {
	tn := newTestNode(b, "--save", "")
	c := tn.connect()
	for cmd := range dataset.Mixed() {
		c.mustDo(cmd...)
	}
	tn.connect().mustDo("SAVE")
	dump, err := tn.rt.Files.ReadAll("dump.rdb")
	if err != nil {
		b.Fatal(err)
	}
	return dump, tn.n.DatasetDigest()
}
