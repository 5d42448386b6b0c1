package main

import (
	"errors"
	"fmt"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Replication rows: each figure of replab is measured against a real Redis
// in the same run, master and replica of the same kind (Redis -> Redis,
// replab -> replab).
//
//   - full sync: the time from REPLICAOF to master_link_status:up for a
//     replica of a master holding DEBUG POPULATE 1000000, diskless (the
//     default, with repl-diskless-sync-delay 0) and disk-based;
//   - lag under load: while redis-benchmark runs SET on the master, INFO
//     replication is sampled every 10 ms (lag in bytes: master_repl_offset
//     minus the replica's acknowledged offset; replicas acknowledge once a
//     second, so its p99 is about one second of the master's write rate,
//     and a master that serves the load faster shows more bytes) and a
//     marker client writes a value on the master every 10 ms and times its
//     appearance on the replica (lag in ms, measured the same way for
//     both); replab's own lag_ms field is reported too;
//   - WAIT 1 0: the latency of SET + WAIT 1 0 with one replica.

func init() { register("replication", replicationRows) }

// infoMap reads INFO section into a map.
func infoMap(c *rconn, section string) (map[string]string, error) {
	v, err := c.do("INFO", section)
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	for _, l := range strings.Split(v.Str, "\r\n") {
		if k, val, ok := strings.Cut(l, ":"); ok {
			m[k] = val
		}
	}
	return m, nil
}

// slaveField reads a field of INFO's slave0 line.
func slaveField(m map[string]string, name string) (int64, bool) {
	for _, kv := range strings.Split(m["slave0"], ",") {
		if k, v, ok := strings.Cut(kv, "="); ok && k == name {
			n, err := strconv.ParseInt(v, 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}

// replPair starts a master and a replica of kind; the replica is not yet
// attached.
func replPair(kind string, masterArgs ...string) (m, r *server, mc, rc *rconn, err error) {
	if m, err = start(kind, append([]string{"--repl-diskless-sync-delay", "0"}, masterArgs...)...); err != nil {
		return
	}
	if r, err = start(kind); err != nil {
		m.stop()
		return
	}
	if mc, err = dialServer(m); err == nil {
		rc, err = dialServer(r)
	}
	if err != nil {
		m.stop()
		r.stop()
	}
	return
}

// attach makes r a replica of m and waits for its link.
func attach(m *server, rc *rconn) (time.Duration, error) {
	t0 := time.Now()
	if _, err := rc.do("REPLICAOF", "127.0.0.1", strconv.Itoa(m.port)); err != nil {
		return 0, err
	}
	for {
		info, err := infoMap(rc, "replication")
		if err != nil {
			return 0, err
		}
		if info["master_link_status"] == "up" {
			return time.Since(t0), nil
		}
		if time.Since(t0) > 5*time.Minute {
			return 0, errors.New("the replica did not synchronise")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// fullSync measures one full synchronisation of a replica of a master with
// keys keys.
func fullSync(kind, diskless string, keys int) (time.Duration, error) {
	m, r, mc, rc, err := replPair(kind, "--repl-diskless-sync", diskless)
	if err != nil {
		return 0, err
	}
	defer m.stop()
	defer r.stop()
	if _, err := mc.do("DEBUG", "POPULATE", strconv.Itoa(keys)); err != nil {
		return 0, err
	}
	d, err := attach(m, rc)
	if err != nil {
		return 0, err
	}
	info, err := infoMap(rc, "keyspace")
	if err == nil && !strings.Contains(info["db0"], "keys="+strconv.Itoa(keys)+",") {
		err = fmt.Errorf("the replica has %q", info["db0"])
	}
	return d, err
}

func percentile(v []float64, p float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	i := int(p * float64(len(s)-1))
	return s[i]
}

// lagFigures are the p99s of one lag measurement.
type lagFigures struct {
	bytes, markerMS, lagMS float64
	samples                int
}

// lagUnderLoad runs redis-benchmark SET on the master of a synchronised
// pair while sampling the lag.
func lagUnderLoad(kind string) (lagFigures, error) {
	var f lagFigures
	m, r, mc, rc, err := replPair(kind)
	if err != nil {
		return f, err
	}
	defer m.stop()
	defer r.stop()
	if _, err := attach(m, rc); err != nil {
		return f, err
	}
	bench := exec.Command("redis-benchmark", "-p", strconv.Itoa(m.port), "-t", "set", "-r", "100000",
		"-n", strconv.Itoa(*total), "-c", strconv.Itoa(*clients), "-q")
	if err := bench.Start(); err != nil {
		return f, err
	}
	done := make(chan struct{})
	go func() { bench.Wait(); close(done) }()

	// The marker: a value written on the master every 10 ms, timed until
	// the replica serves it.
	var markers []float64
	var markerErr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		mm, err := dialServer(m)
		if err != nil {
			markerErr = err
			return
		}
		defer mm.nc.Close()
		rr, err := dialServer(r)
		if err != nil {
			markerErr = err
			return
		}
		defer rr.nc.Close()
		for i := 0; ; i++ {
			select {
			case <-done:
				return
			case <-time.After(10 * time.Millisecond):
			}
			val := strconv.Itoa(i)
			t0 := time.Now()
			if _, err := mm.do("SET", "bench:marker", val); err != nil {
				markerErr = err
				return
			}
			for {
				v, err := rr.do("GET", "bench:marker")
				if err != nil {
					markerErr = err
					return
				}
				if v.Str == val {
					break
				}
				if time.Since(t0) > 30*time.Second {
					markerErr = errors.New("the marker never reached the replica")
					return
				}
			}
			markers = append(markers, float64(time.Since(t0))/float64(time.Millisecond))
		}
	}()
	var bytes, lagMS []float64
	for {
		select {
		case <-done:
			wg.Wait()
			if markerErr != nil {
				return f, markerErr
			}
			f = lagFigures{bytes: percentile(bytes, 0.99), markerMS: percentile(markers, 0.99),
				lagMS: percentile(lagMS, 0.99), samples: len(bytes)}
			return f, nil
		case <-time.After(10 * time.Millisecond):
		}
		info, err := infoMap(mc, "replication")
		if err != nil {
			return f, err
		}
		off, _ := strconv.ParseInt(info["master_repl_offset"], 10, 64)
		if acked, ok := slaveField(info, "offset"); ok {
			bytes = append(bytes, float64(off-acked))
		}
		if ms, ok := slaveField(info, "lag_ms"); ok {
			lagMS = append(lagMS, float64(ms))
		}
	}
}

// waitLatency times n rounds of SET + WAIT 1 0 with one replica.
func waitLatency(kind string, n int) (p50, p99 float64, err error) {
	m, r, mc, rc, err := replPair(kind)
	if err != nil {
		return 0, 0, err
	}
	defer m.stop()
	defer r.stop()
	if _, err := attach(m, rc); err != nil {
		return 0, 0, err
	}
	var lat []float64
	for i := 0; i < n; i++ {
		t0 := time.Now()
		if _, err := mc.do("SET", "k", strconv.Itoa(i)); err != nil {
			return 0, 0, err
		}
		v, err := mc.do("WAIT", "1", "0")
		if err != nil {
			return 0, 0, err
		}
		if v.Int != 1 {
			return 0, 0, fmt.Errorf("WAIT answered %d", v.Int)
		}
		lat = append(lat, float64(time.Since(t0))/float64(time.Microsecond))
	}
	return percentile(lat, 0.5), percentile(lat, 0.99), nil
}

func replicationRows(t *table) error {
	const keys = 1000000
	ms := func(d float64) string { return fmt.Sprintf("%.1f", d/float64(time.Millisecond)) }
	t.header(fmt.Sprintf("Replication: full sync of a replica of a master holding DEBUG POPULATE %d (REPLICAOF until master_link_status:up; Redis->Redis vs replab->replab), median of %d alternating rounds; ratio = replab/redis, goal <= 1.0", keys, *rounds),
		"mode", "redis ms", "replab ms", "ratio")
	for _, diskless := range []string{"yes", "no"} {
		var rs, ls []float64
		for i := 0; i < *rounds; i++ {
			d, err := fullSync("redis", diskless, keys)
			if err != nil {
				return fmt.Errorf("redis full sync: %w", err)
			}
			rs = append(rs, float64(d))
			d, err = fullSync("replab", diskless, keys)
			if err != nil {
				return fmt.Errorf("replab full sync: %w", err)
			}
			ls = append(ls, float64(d))
		}
		mode := "diskless (repl-diskless-sync yes, delay 0)"
		if diskless == "no" {
			mode = "disk (repl-diskless-sync no)"
		}
		t.row(mode, ms(median(rs)), ms(median(ls)), fmt.Sprintf("%.2f", median(ls)/median(rs)))
	}

	t.header(fmt.Sprintf("Replication: replica lag under redis-benchmark -t set -n %d -c %d on the master (INFO replication sampled every 10 ms; marker written every 10 ms and timed until the replica serves it), p99, median of %d alternating rounds; goal: replab <= redis", *total, *clients, *rounds),
		"figure", "redis", "replab", "ratio")
	var rb, lb, rm, lm, ll []float64
	for i := 0; i < *rounds; i++ {
		a, err := lagUnderLoad("redis")
		if err != nil {
			return fmt.Errorf("redis lag: %w", err)
		}
		b, err := lagUnderLoad("replab")
		if err != nil {
			return fmt.Errorf("replab lag: %w", err)
		}
		rb, lb = append(rb, a.bytes), append(lb, b.bytes)
		rm, lm = append(rm, a.markerMS), append(lm, b.markerMS)
		ll = append(ll, b.lagMS)
	}
	ratio := func(l, r float64) string {
		if r == 0 {
			return "-"
		}
		return fmt.Sprintf("%.2f", l/r)
	}
	t.row("lag bytes p99 (master_repl_offset - acked offset)", fmt.Sprintf("%.0f", median(rb)), fmt.Sprintf("%.0f", median(lb)), ratio(median(lb), median(rb)))
	t.row("lag ms p99 (marker write to replica read)", fmt.Sprintf("%.2f", median(rm)), fmt.Sprintf("%.2f", median(lm)), ratio(median(lm), median(rm)))
	t.row("lag_ms p99 (replab's INFO field; Redis has none)", "-", fmt.Sprintf("%.0f", median(ll)), "-")

	const waits = 5000
	t.header(fmt.Sprintf("Replication: SET + WAIT 1 0 round trip with one replica, %d rounds, median of %d alternating runs; goal: replab <= redis", waits, *rounds),
		"figure", "redis us", "replab us", "ratio")
	var r50, r99, l50, l99 []float64
	for i := 0; i < *rounds; i++ {
		a50, a99, err := waitLatency("redis", waits)
		if err != nil {
			return fmt.Errorf("redis WAIT: %w", err)
		}
		b50, b99, err := waitLatency("replab", waits)
		if err != nil {
			return fmt.Errorf("replab WAIT: %w", err)
		}
		r50, r99, l50, l99 = append(r50, a50), append(r99, a99), append(l50, b50), append(l99, b99)
	}
	t.row("p50", fmt.Sprintf("%.0f", median(r50)), fmt.Sprintf("%.0f", median(l50)), ratio(median(l50), median(r50)))
	t.row("p99", fmt.Sprintf("%.0f", median(r99)), fmt.Sprintf("%.0f", median(l99)), ratio(median(l99), median(r99)))
	return nil
}
