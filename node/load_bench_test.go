package node

import (
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fillMixedLoadBench writes the mixed dataset of `make bench`'s persistence
// rows (bench/persistence.go): 300k strings (ints, short, 200-byte), 5000
// each of lists (100 elements), hashes (20 fields; every 10th 1000),
// sets (50 ints; every 10th also 1000 strings) and sorted sets (50
// members; every 10th 1000), 10% of the strings with an expire time.
func fillMixedLoadBench(c *testConn) {
	for i := 0; i < 300000; i++ {
		k := "str:" + strconv.Itoa(i)
		switch i % 3 {
		case 0:
			c.mustDo("SET", k, strconv.Itoa(i*7))
		case 1:
			c.mustDo("SET", k, "short value "+strconv.Itoa(i))
		default:
			c.mustDo("SET", k, strings.Repeat("payload ", 25)+strconv.Itoa(i))
		}
		if i%10 == 0 {
			c.mustDo("EXPIRE", k, "100000")
		}
	}
	for i := 0; i < 5000; i++ {
		n := strconv.Itoa(i)
		l := []string{"RPUSH", "list:" + n}
		for j := 0; j < 100; j++ {
			l = append(l, "element "+strconv.Itoa(j))
		}
		c.mustDo(l...)
		hf := 20
		if i%10 == 0 {
			hf = 1000
		}
		h := []string{"HSET", "hash:" + n}
		for j := 0; j < hf; j++ {
			h = append(h, "field"+strconv.Itoa(j), "value"+strconv.Itoa(j*i))
		}
		c.mustDo(h...)
		s := []string{"SADD", "set:" + n}
		for j := 0; j < 50; j++ {
			s = append(s, strconv.Itoa(j*1000+i))
		}
		if i%10 == 0 {
			for j := 0; j < 1000; j++ {
				s = append(s, "member"+strconv.Itoa(j))
			}
		}
		c.mustDo(s...)
		zn := 50
		if i%10 == 0 {
			zn = 1000
		}
		z := []string{"ZADD", "zset:" + n}
		for j := 0; j < zn; j++ {
			z = append(z, strconv.Itoa(j*i%977), "m"+strconv.Itoa(j))
		}
		c.mustDo(z...)
	}
}

// processCPU returns the CPU time the process has used (user and system,
// every thread: the garbage collector's work counts).
func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkLoadMixedDump times a node's start from the mixed dataset's
// dump (in memory: decoding and building the keyspace, no disk). cpu-ms/op
// is the process's CPU time, steadier than wall time on a shared machine.
func BenchmarkLoadMixedDump(b *testing.B) {
	dump, want := mixedDump(b)
	// The garbage collector's target while loading, as the TCP driver sets
	// it (Server.BulkLoad).
	defer debug.SetGCPercent(debug.SetGCPercent(loadGCPercent))
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
		tn := newTestNodeFS(b, fsys, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), "--save", "")
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
	fillMixedLoadBench(tn.connect())
	tn.connect().mustDo("SAVE")
	dump, err := tn.rt.Files.ReadAll("dump.rdb")
	if err != nil {
		b.Fatal(err)
	}
	return dump, tn.n.DatasetDigest()
}
