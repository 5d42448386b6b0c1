package node

import (
	"math"
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
