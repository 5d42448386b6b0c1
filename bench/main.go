package main

import (
	"bufio"
	"encoding/csv"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

var (
	rounds  = flag.Int("rounds", 3, "rounds per measurement (the median is reported)")
	total   = flag.Int("n", 200000, "requests per redis-benchmark run")
	clients = flag.Int("c", 50, "redis-benchmark clients")
	rows    = flag.String("rows", "", "comma-separated rows to run (default: all, in registration order)")
	replab  = flag.String("replab", "bin/replab", "path of the replab binary")
)

// server is a running server process under test.
type server struct {
	name string
	port int
	cmd  *exec.Cmd
	dir  string
}

func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// start launches redis-server ("redis") or replab ("replab") with
// persistence off, and waits until it answers.
func start(kind string, extra ...string) (*server, error) {
	port := freePort()
	dir, err := os.MkdirTemp("", "bench-"+kind)
	if err != nil {
		return nil, err
	}
	args := append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--dir", dir, "--enable-debug-command", "yes"}, extra...)
	var cmd *exec.Cmd
	if kind == "redis" {
		cmd = exec.Command("redis-server", args...)
	} else {
		cmd = exec.Command(*replab, append([]string{"server"}, args...)...)
	}
	cmd.Stdout, cmd.Stderr = nil, nil
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{name: kind, port: port, cmd: cmd, dir: dir}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			c.Close()
			return s, nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.stop()
	return nil, fmt.Errorf("%s did not start", kind)
}

func (s *server) stop() {
	s.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		<-done
	}
	os.RemoveAll(s.dir)
}

// cli runs one command with redis-cli against s.
func (s *server) cli(args ...string) (string, error) {
	out, err := exec.Command("redis-cli", append([]string{"-p", strconv.Itoa(s.port)}, args...)...).CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

// result is one redis-benchmark measurement.
type result struct {
	rps, p50 float64
}

// benchmark runs redis-benchmark for one test and returns its figures.
func benchmark(s *server, test string, pipeline int) (result, error) {
	s.cli("FLUSHALL")
	cmd := exec.Command("redis-benchmark", "-p", strconv.Itoa(s.port), "-t", test,
		"-n", strconv.Itoa(*total), "-c", strconv.Itoa(*clients), "-P", strconv.Itoa(pipeline), "--csv", "-q")
	out, err := cmd.Output()
	if err != nil {
		return result{}, fmt.Errorf("redis-benchmark: %v", err)
	}
	return parseBenchmarkCSV(out)
}

// parseBenchmarkCSV reads the first test of redis-benchmark --csv output.
func parseBenchmarkCSV(out []byte) (result, error) {
	r := csv.NewReader(strings.NewReader(string(out)))
	recs, err := r.ReadAll()
	if err != nil || len(recs) < 2 {
		return result{}, fmt.Errorf("cannot parse redis-benchmark output %q", out)
	}
	head, row := recs[0], recs[1]
	col := func(name string) float64 {
		for i, h := range head {
			if h == name && i < len(row) {
				v, _ := strconv.ParseFloat(row[i], 64)
				return v
			}
		}
		return 0
	}
	return result{rps: col("rps"), p50: col("p50_latency_ms")}, nil
}

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}

// table prints rows of "name | redis | replab | ratio".
type table struct {
	w *bufio.Writer
}

func (t *table) header(title string, cols ...string) {
	fmt.Fprintf(t.w, "\n%s\n", title)
	fmt.Fprintln(t.w, strings.Join(cols, " | "))
	seps := make([]string, len(cols))
	for i := range seps {
		seps[i] = "---"
	}
	fmt.Fprintln(t.w, strings.Join(seps, " | "))
	t.w.Flush()
}

func (t *table) row(cells ...string) {
	fmt.Fprintln(t.w, strings.Join(cells, " | "))
	t.w.Flush()
}

func throughputRows(t *table) error {
	t.header(fmt.Sprintf("Throughput: redis-benchmark -n %d -c %d, median of %d alternating rounds", *total, *clients, *rounds),
		"test", "pipeline", "redis ops/s", "replab ops/s", "ratio", "redis p50 ms", "replab p50 ms")
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
	for _, pipeline := range []int{1, 16} {
		for _, test := range strings.Split(testList, ",") {
			var rr, lr []result
			for i := 0; i < *rounds; i++ {
				a, err := benchmark(redis, test, pipeline)
				if err != nil {
					return err
				}
				b, err := benchmark(rl, test, pipeline)
				if err != nil {
					return err
				}
				rr, lr = append(rr, a), append(lr, b)
			}
			rRPS, lRPS := median(pick(rr, func(r result) float64 { return r.rps })), median(pick(lr, func(r result) float64 { return r.rps }))
			rP50, lP50 := median(pick(rr, func(r result) float64 { return r.p50 })), median(pick(lr, func(r result) float64 { return r.p50 }))
			t.row(test, strconv.Itoa(pipeline), fmt.Sprintf("%.0f", rRPS), fmt.Sprintf("%.0f", lRPS),
				fmt.Sprintf("%.2f", lRPS/rRPS), fmt.Sprintf("%.3f", rP50), fmt.Sprintf("%.3f", lP50))
		}
	}
	return nil
}

// testList can be changed by later rows' flags.
var testList = "set,get,incr,mset"

func pick(rs []result, f func(result) float64) []float64 {
	out := make([]float64, len(rs))
	for i, r := range rs {
		out[i] = f(r)
	}
	return out
}

func main() {
	flag.Parse()
	for _, tool := range []string{"redis-server", "redis-benchmark", "redis-cli"} {
		if _, err := exec.LookPath(tool); err != nil {
			fmt.Fprintf(os.Stderr, "bench: %s not on PATH (apt-get install redis-server redis-tools)\n", tool)
			os.Exit(1)
		}
	}
	if _, err := os.Stat(*replab); err != nil {
		fmt.Fprintf(os.Stderr, "bench: %s not found (run make build)\n", *replab)
		os.Exit(1)
	}
	abs, _ := filepath.Abs(*replab)
	*replab = abs
	t := &table{w: bufio.NewWriter(os.Stdout)}
	names := *rows
	if names == "" {
		var all []string
		for _, r := range registry {
			all = append(all, r.name)
		}
		names = strings.Join(all, ",")
	}
	for _, name := range strings.Split(names, ",") {
		var run func(*table) error
		for _, r := range registry {
			if r.name == name {
				run = r.run
			}
		}
		if run == nil {
			fmt.Fprintf(os.Stderr, "bench: unknown row %q\n", name)
			os.Exit(2)
		}
		if err := run(t); err != nil {
			fmt.Fprintf(os.Stderr, "bench: %s: %v\n", name, err)
			os.Exit(1)
		}
	}
}

// registry lists the benchmark rows; each file adds its own from init.
var registry []struct {
	name string
	run  func(*table) error
}

// register adds a row group under name (for -rows).
func register(name string, run func(*table) error) {
	registry = append(registry, struct {
		name string
		run  func(*table) error
	}{name, run})
}

func init() { register("throughput", throughputRows) }
