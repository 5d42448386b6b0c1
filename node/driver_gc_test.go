package node

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
)

// While a bulk load runs the collector is off, under a memory limit of at
// most half the machine's memory; the settings before are restored after.
func TestBulkLoadGC(t *testing.T) {
	before := debug.SetGCPercent(150)
	defer debug.SetGCPercent(before)
	limitBefore := debug.SetMemoryLimit(-1)
	restore := bulkLoadGC()
	percent := debug.SetGCPercent(-1)
	limit := debug.SetMemoryLimit(-1)
	restore()
	if mem := totalSystemMemory(); mem > 0 {
		if percent != -1 || limit > mem/2 || limit <= 0 {
			t.Errorf("during a load: GC percent %d, memory limit %d (machine %d)", percent, limit, mem)
		}
	} else if percent != loadGCPercent || limit != math.MaxInt64 {
		t.Errorf("during a load on a machine of unknown memory: GC percent %d, memory limit %d", percent, limit)
	}
	if p := debug.SetGCPercent(150); p != 150 {
		t.Errorf("GC percent %d after the load, want 150", p)
	}
	if l := debug.SetMemoryLimit(-1); l != limitBefore {
		t.Errorf("memory limit %d after the load, want %d", l, limitBefore)
	}
}

// Background file work (the fsync of a finished BGSAVE) runs with a P of
// its own, so that its blocking system calls never hold the event loop's
// only P; the count is restored when the work ends.
func TestBackgroundFileWorkHasItsOwnP(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	release := make(chan struct{})
	procs := make(chan int)
	poll, wait := osFS{}.RunBackground(func() error {
		procs <- runtime.GOMAXPROCS(0)
		<-release
		return nil
	})
	if p := <-procs; p != 2 {
		t.Errorf("GOMAXPROCS %d while the work runs, want 2", p)
	}
	if done, _ := poll(); done {
		t.Error("the work reported done before it ended")
	}
	close(release)
	if err := wait(); err != nil {
		t.Fatal(err)
	}
	if p := runtime.GOMAXPROCS(0); p != 1 {
		t.Errorf("GOMAXPROCS %d after the work, want 1", p)
	}
}
