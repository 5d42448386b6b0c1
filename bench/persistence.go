package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"replab/internal/dataset"
	"replab/resp"
)

// Persistence rows: SAVE time and load time of a dataset, and the longest
// pause a client sees while BGSAVE runs, replab against Redis.
//
// Load time is the time from starting the server on a directory holding
// the dump until it answers PING (Redis answers -LOADING meanwhile, replab
// accepts connections once loaded); both include the process start, a few
// milliseconds. The pause is the longest PING round trip of a client that
// pings in a loop on its own connection from BGSAVE until the save ends.

func init() { register("persistence", persistenceRows) }

// rconn is a minimal RESP client for the persistence rows.
type rconn struct {
	nc  net.Conn
	r   resp.ReplyReader
	buf []byte
}

func dialServer(s *server) (*rconn, error) {
	nc, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", s.port))
	if err != nil {
		return nil, err
	}
	return &rconn{nc: nc, buf: make([]byte, 64<<10)}, nil
}

func (c *rconn) send(args ...string) error {
	_, err := c.nc.Write(resp.EncodeCommand(nil, args...))
	return err
}

func (c *rconn) read() (resp.Value, error) {
	for {
		v, ok, err := c.r.Next()
		if err != nil {
			return v, err
		}
		if ok {
			return v, nil
		}
		n, err := c.nc.Read(c.buf)
		if err != nil {
			return v, err
		}
		c.r.Feed(c.buf[:n])
	}
}

func (c *rconn) do(args ...string) (resp.Value, error) {
	if err := c.send(args...); err != nil {
		return resp.Value{}, err
	}
	v, err := c.read()
	if err == nil && v.Kind == resp.KindError {
		err = fmt.Errorf("%v: %s", args[0], v.Str)
	}
	return v, err
}

// pipeline sends commands in batches and checks their replies.
func (c *rconn) pipeline(cmds [][]string) error {
	const batch = 1000
	for i := 0; i < len(cmds); i += batch {
		var out []byte
		end := min(i+batch, len(cmds))
		for _, cmd := range cmds[i:end] {
			out = resp.EncodeCommand(out, cmd...)
		}
		if _, err := c.nc.Write(out); err != nil {
			return err
		}
		for range cmds[i:end] {
			v, err := c.read()
			if err != nil {
				return err
			}
			if v.Kind == resp.KindError {
				return errors.New(v.Str)
			}
		}
	}
	return nil
}

// namedDataset fills a server.
type namedDataset struct {
	name string
	fill func(c *rconn) error
}

var persistenceDatasets = []namedDataset{
	{"DEBUG POPULATE 1000000", func(c *rconn) error {
		_, err := c.do("DEBUG", "POPULATE", "1000000")
		return err
	}},
	{"mixed (300k strings, 5k lists, hashes, sets, sorted sets)", fillMixedBench},
}

// fillMixedBench writes the mixed dataset (see package dataset).
func fillMixedBench(c *rconn) error {
	var cmds [][]string
	for cmd := range dataset.Mixed() {
		cmds = append(cmds, cmd)
	}
	return c.pipeline(cmds)
}

// timeSave fills a fresh server and times SAVE; it returns the server
// (stopped) directory's dump path and the duration.
func timeSave(kind string, ds namedDataset) (time.Duration, string, error) {
	s, err := start(kind)
	if err != nil {
		return 0, "", err
	}
	defer s.stop()
	c, err := dialServer(s)
	if err != nil {
		return 0, "", err
	}
	defer c.nc.Close()
	if err := ds.fill(c); err != nil {
		return 0, "", err
	}
	t0 := time.Now()
	if _, err := c.do("SAVE"); err != nil {
		return 0, "", err
	}
	d := time.Since(t0)
	// Keep the dump for the load measurement.
	keep, err := os.MkdirTemp("", "bench-dump")
	if err != nil {
		return 0, "", err
	}
	data, err := os.ReadFile(filepath.Join(s.dir, "dump.rdb"))
	if err != nil {
		return 0, "", err
	}
	path := filepath.Join(keep, "dump.rdb")
	return d, path, os.WriteFile(path, data, 0o644)
}

// timeLoad starts a server on a directory holding dump and times until it
// answers PING.
func timeLoad(kind, dump string) (time.Duration, error) {
	port := freePort()
	dir := filepath.Dir(dump)
	args := []string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir}
	var cmd *exec.Cmd
	if kind == "redis" {
		cmd = exec.Command("redis-server", args...)
	} else {
		cmd = exec.Command(*replab, append([]string{"server"}, args...)...)
	}
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	defer func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	}()
	deadline := t0.Add(5 * time.Minute)
	for time.Now().Before(deadline) {
		nc, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			time.Sleep(time.Millisecond)
			continue
		}
		c := &rconn{nc: nc, buf: make([]byte, 4096)}
		for time.Now().Before(deadline) {
			v, err := c.do("PING")
			if err == nil && v.Str == "PONG" {
				d := time.Since(t0)
				nc.Close()
				return d, nil
			}
			if err != nil && !strings.Contains(err.Error(), "LOADING") {
				nc.Close()
				return 0, err
			}
			time.Sleep(time.Millisecond)
		}
		nc.Close()
	}
	return 0, errors.New("server did not load in time")
}

// bgsavePause fills a fresh server with DEBUG POPULATE n, starts BGSAVE
// and returns the longest PING round trip a looping client saw until the
// save ended, and how long the save took.
func bgsavePause(kind string, n int) (pause, total time.Duration, err error) {
	s, err := start(kind)
	if err != nil {
		return 0, 0, err
	}
	defer s.stop()
	c, err := dialServer(s)
	if err != nil {
		return 0, 0, err
	}
	defer c.nc.Close()
	if _, err := c.do("DEBUG", "POPULATE", strconv.Itoa(n)); err != nil {
		return 0, 0, err
	}
	pinger, err := dialServer(s)
	if err != nil {
		return 0, 0, err
	}
	defer pinger.nc.Close()
	t0 := time.Now()
	if _, err := c.do("BGSAVE"); err != nil {
		return 0, 0, err
	}
	// The BGSAVE command itself (Redis forks in it) is a pause too.
	pause = time.Since(t0)
	for i := 0; ; i++ {
		p0 := time.Now()
		if _, err := pinger.do("PING"); err != nil {
			return 0, 0, err
		}
		pause = max(pause, time.Since(p0))
		if i%50 == 0 {
			v, err := c.do("INFO", "persistence")
			if err != nil {
				return 0, 0, err
			}
			if strings.Contains(v.Str, "rdb_bgsave_in_progress:0\r\n") {
				if !strings.Contains(v.Str, "rdb_last_bgsave_status:ok") {
					return 0, 0, errors.New("BGSAVE failed")
				}
				return pause, time.Since(t0), nil
			}
		}
		if time.Since(t0) > 5*time.Minute {
			return 0, 0, errors.New("BGSAVE did not end")
		}
	}
}

func persistenceRows(t *table) error {
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d)/float64(time.Millisecond)) }
	t.header(fmt.Sprintf("Persistence: SAVE and load (start until PING answers), median of %d alternating rounds; ratio = replab/redis, goal <= 1.0", *rounds),
		"dataset", "redis SAVE ms", "replab SAVE ms", "SAVE ratio", "redis load ms", "replab load ms", "load ratio", "redis file bytes", "replab file bytes")
	for _, ds := range persistenceDatasets {
		var rs, ls, rl, ll []float64
		var rsize, lsize int64
		for i := 0; i < *rounds; i++ {
			for _, kind := range []string{"redis", "replab"} {
				sv, dump, err := timeSave(kind, ds)
				if err != nil {
					return fmt.Errorf("%s SAVE: %w", kind, err)
				}
				ld, err := timeLoad(kind, dump)
				st, _ := os.Stat(dump)
				os.RemoveAll(filepath.Dir(dump))
				if err != nil {
					return fmt.Errorf("%s load: %w", kind, err)
				}
				if kind == "redis" {
					rs, rl, rsize = append(rs, float64(sv)), append(rl, float64(ld)), st.Size()
				} else {
					ls, ll, lsize = append(ls, float64(sv)), append(ll, float64(ld)), st.Size()
				}
			}
		}
		t.row(ds.name, ms(time.Duration(median(rs))), ms(time.Duration(median(ls))), fmt.Sprintf("%.2f", median(ls)/median(rs)),
			ms(time.Duration(median(rl))), ms(time.Duration(median(ll))), fmt.Sprintf("%.2f", median(ll)/median(rl)),
			strconv.FormatInt(rsize, 10), strconv.FormatInt(lsize, 10))
	}
	const keys = 1000000
	t.header(fmt.Sprintf("BGSAVE of DEBUG POPULATE %d: longest PING round trip of a client pinging in a loop (BGSAVE's own reply included), median of %d rounds; goal: replab under 10 ms", keys, *rounds),
		"redis pause ms", "replab pause ms", "ratio", "redis BGSAVE ms", "replab BGSAVE ms")
	var rp, lp, rt, lt []float64
	for i := 0; i < *rounds; i++ {
		p, d, err := bgsavePause("redis", keys)
		if err != nil {
			return fmt.Errorf("redis BGSAVE: %w", err)
		}
		rp, rt = append(rp, float64(p)), append(rt, float64(d))
		p, d, err = bgsavePause("replab", keys)
		if err != nil {
			return fmt.Errorf("replab BGSAVE: %w", err)
		}
		lp, lt = append(lp, float64(p)), append(lt, float64(d))
	}
	t.row(ms(time.Duration(median(rp))), ms(time.Duration(median(lp))), fmt.Sprintf("%.2f", median(lp)/median(rp)),
		ms(time.Duration(median(rt))), ms(time.Duration(median(lt))))
	return nil
}
