package main

// Rows for the data types (issue 3): memory of large containers and the
// throughput of the type commands, replab against Redis on the same machine.

import (
	"bufio"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

var (
	typesN      = flag.Int("types-n", 1000000, "elements per container in the types-memory rows")
	typesSettle = flag.Duration("types-settle", 2*time.Second, "wait after loading before reading memory figures")
	typesRange  = flag.Int("types-r", 100000, "redis-benchmark -r (member range) of the types-throughput rows")
)

func init() {
	register("types-memory", typesMemoryRows)
	register("types-throughput", typesThroughputRows)
}

// memCase loads one data set into a server.
type memCase struct {
	name string
	load func(s *server) error
}

// memFigures are one server's memory after a load.
type memFigures struct {
	usedMemory int64 // INFO used_memory, bytes
	rss, hwm   int64 // /proc/<pid>/status VmRSS and VmHWM, bytes
}

func typesMemoryRows(t *table) error {
	n := *typesN
	t.header(fmt.Sprintf("Memory: %d elements, figures %v after loading; RSS and peak from /proc/<pid>/status (VmRSS, VmHWM); goal: RSS ratio <= 1.5", n, *typesSettle),
		"data set", "redis used_memory MB", "replab used_memory MB", "redis RSS MB", "replab RSS MB", "RSS ratio", "redis peak MB", "replab peak MB")
	cases := []memCase{
		{"empty server", func(*server) error { return nil }},
		{fmt.Sprintf("DEBUG POPULATE %d", n), func(s *server) error {
			out, err := s.cli("DEBUG", "POPULATE", strconv.Itoa(n))
			if err == nil && out != "OK" {
				err = fmt.Errorf("DEBUG POPULATE: %s", out)
			}
			return err
		}},
		{fmt.Sprintf("%d fields in one hash (HSET)", n), func(s *server) error {
			return loadPipelined(s, n, func(w *bufio.Writer, from, to int) {
				args := []string{"HSET", "myhash"}
				for i := from; i < to; i++ {
					args = append(args, "field:"+strconv.Itoa(i), "value:"+strconv.Itoa(i))
				}
				writeCommand(w, args)
			})
		}},
		{fmt.Sprintf("%d members in one set (SADD)", n), func(s *server) error {
			return loadPipelined(s, n, func(w *bufio.Writer, from, to int) {
				args := []string{"SADD", "myset"}
				for i := from; i < to; i++ {
					args = append(args, "member:"+strconv.Itoa(i))
				}
				writeCommand(w, args)
			})
		}},
		{fmt.Sprintf("%d members in one sorted set (ZADD)", n), func(s *server) error {
			return loadPipelined(s, n, func(w *bufio.Writer, from, to int) {
				args := []string{"ZADD", "myzset"}
				for i := from; i < to; i++ {
					args = append(args, strconv.Itoa(i), "member:"+strconv.Itoa(i))
				}
				writeCommand(w, args)
			})
		}},
	}
	for _, mc := range cases {
		var figs [2]memFigures
		for i, kind := range []string{"redis", "replab"} {
			f, err := measureMemory(kind, mc)
			if err != nil {
				return fmt.Errorf("%s: %s: %v", mc.name, kind, err)
			}
			figs[i] = f
		}
		r, l := figs[0], figs[1]
		t.row(mc.name, mb(r.usedMemory), mb(l.usedMemory), mb(r.rss), mb(l.rss),
			fmt.Sprintf("%.2f", float64(l.rss)/float64(r.rss)), mb(r.hwm), mb(l.hwm))
	}
	return nil
}

func mb(b int64) string { return fmt.Sprintf("%.1f", float64(b)/(1<<20)) }

// measureMemory starts a fresh server, loads the case and reads its
// memory figures.
func measureMemory(kind string, mc memCase) (memFigures, error) {
	s, err := start(kind)
	if err != nil {
		return memFigures{}, err
	}
	defer s.stop()
	if err := mc.load(s); err != nil {
		return memFigures{}, err
	}
	time.Sleep(*typesSettle)
	var f memFigures
	info, err := s.cli("INFO", "memory")
	if err != nil {
		return f, err
	}
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "used_memory:"); ok {
			f.usedMemory, _ = strconv.ParseInt(v, 10, 64)
		}
	}
	f.rss, f.hwm, err = procMemory(s.cmd.Process.Pid)
	return f, err
}

// procMemory reads VmRSS and VmHWM of a process, in bytes.
func procMemory(pid int) (rss, hwm int64, err error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		kb, _ := strconv.ParseInt(fields[1], 10, 64)
		switch fields[0] {
		case "VmRSS:":
			rss = kb << 10
		case "VmHWM:":
			hwm = kb << 10
		}
	}
	if rss == 0 {
		return 0, 0, fmt.Errorf("no VmRSS for pid %d", pid)
	}
	return rss, hwm, nil
}

// loadBatch is the number of elements per pipelined command.
const loadBatch = 1000

// loadPipelined sends n elements in commands of loadBatch elements written
// by add, all pipelined on one connection, and checks every reply.
func loadPipelined(s *server, n int, add func(w *bufio.Writer, from, to int)) error {
	conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", s.port))
	if err != nil {
		return err
	}
	defer conn.Close()
	cmds := (n + loadBatch - 1) / loadBatch
	replies := make(chan error, 1)
	go func() {
		r := bufio.NewReader(conn)
		for i := 0; i < cmds; i++ {
			line, err := r.ReadString('\n')
			if err != nil {
				replies <- err
				return
			}
			if !strings.HasPrefix(line, ":") {
				replies <- fmt.Errorf("reply %d: %q", i, strings.TrimSpace(line))
				return
			}
		}
		replies <- nil
	}()
	w := bufio.NewWriterSize(conn, 1<<16)
	for from := 0; from < n; from += loadBatch {
		add(w, from, min(from+loadBatch, n))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	select {
	case err := <-replies:
		return err
	case <-time.After(5 * time.Minute):
		return fmt.Errorf("loading timed out")
	}
}

// writeCommand writes a command as a RESP array of bulk strings.
func writeCommand(w *bufio.Writer, args []string) {
	fmt.Fprintf(w, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(w, "$%d\r\n%s\r\n", len(a), a)
	}
}

// typeTest is one redis-benchmark measurement of the types rows.
type typeTest struct {
	name    string
	args    []string            // redis-benchmark arguments naming the test
	prepare func(*server) error // runs after FLUSHALL, before measuring
}

func typesThroughputRows(t *table) error {
	t.header(fmt.Sprintf("Type commands: redis-benchmark -n %d -c %d -r %d -P 1, median of %d alternating rounds; goal: ratio >= 1.0", *total, *clients, *typesRange, *rounds),
		"test", "redis ops/s", "replab ops/s", "ratio", "redis p50 ms", "replab p50 ms")
	redis, err := start("redis")
	if err != nil {
		return err
	}
	defer redis.stop()
	rl, err := start("replab")
	if err != nil {
		return err
	}
	defer rl.stop()
	tests := []typeTest{
		{name: "lpush", args: []string{"-t", "lpush"}},
		// LPOP pops a list LPUSH filled first: the plain "-t lpop" after
		// a flush would pop a missing key.
		{name: "lpop", args: []string{"-t", "lpop"}, prepare: func(s *server) error {
			return runBenchmark(s, nil, "-t", "lpush", "-P", "16")
		}},
		{name: "sadd", args: []string{"-t", "sadd"}},
		{name: "hset", args: []string{"-t", "hset"}},
		{name: "zadd", args: []string{"-t", "zadd"}},
	}
	// Streams are measured once replab has them (redis-benchmark 7.0 has
	// no xadd test: a custom command stands in).
	if info, err := rl.cli("COMMAND", "INFO", "xadd"); err == nil && strings.Contains(info, "xadd") {
		tests = append(tests, typeTest{name: "xadd", args: []string{"XADD", "mystream", "*", "field", "__rand_int__"}})
	}
	for _, tt := range tests {
		var rr, lr []result
		for i := 0; i < *rounds; i++ {
			for _, s := range []*server{redis, rl} {
				var res result
				_, err := s.cli("FLUSHALL")
				if err == nil && tt.prepare != nil {
					err = tt.prepare(s)
				}
				if err == nil {
					err = runBenchmark(s, &res, append([]string{"-r", strconv.Itoa(*typesRange), "-P", "1"}, tt.args...)...)
				}
				if err != nil {
					return fmt.Errorf("%s on %s: %v", tt.name, s.name, err)
				}
				if s == redis {
					rr = append(rr, res)
				} else {
					lr = append(lr, res)
				}
			}
		}
		rRPS, lRPS := median(pick(rr, func(r result) float64 { return r.rps })), median(pick(lr, func(r result) float64 { return r.rps }))
		rP50, lP50 := median(pick(rr, func(r result) float64 { return r.p50 })), median(pick(lr, func(r result) float64 { return r.p50 }))
		t.row(tt.name, fmt.Sprintf("%.0f", rRPS), fmt.Sprintf("%.0f", lRPS), fmt.Sprintf("%.2f", lRPS/rRPS),
			fmt.Sprintf("%.3f", rP50), fmt.Sprintf("%.3f", lP50))
	}
	return nil
}

// runBenchmark runs redis-benchmark against s with args (plus -n, -c and
// --csv), storing the figures in res when res is not nil.
func runBenchmark(s *server, res *result, args ...string) error {
	full := append([]string{"-p", strconv.Itoa(s.port), "-n", strconv.Itoa(*total), "-c", strconv.Itoa(*clients), "--csv", "-q"}, args...)
	out, err := exec.Command("redis-benchmark", full...).Output()
	if err != nil {
		return fmt.Errorf("redis-benchmark %s: %v", strings.Join(args, " "), err)
	}
	if res == nil {
		return nil
	}
	*res, err = parseBenchmarkCSV(out)
	return err
}
