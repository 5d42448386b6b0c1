package node_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"replab/internal/redistest"
	"replab/resp"
)

// RDB interoperability with a real Redis 7.0: files and DUMP payloads go
// both ways, and every key must read back the same (DEBUG DIGEST-VALUE,
// OBJECT ENCODING, DEBUG DIGEST).

// do runs a command and fails the test on an error reply.
func do(t *testing.T, c *redistest.Conn, args ...string) resp.Value {
	t.Helper()
	_, v := c.Do(args...)
	if v.Kind == resp.KindError {
		t.Fatalf("%v: %s", args, v.Str)
	}
	return v
}

// persistDatabases are the databases the interop dataset uses.
var persistDatabases = []string{"0", "2", "9"}

// fillInterop writes a dataset with every type in every encoding Redis 7.0
// uses: small and large values, compressible strings, integers, expire
// times, values that shrank back under the compact limits (Redis keeps
// their big encoding), several databases.
func fillInterop(t *testing.T, c *redistest.Conn) {
	t.Helper()
	big := func(cmd, key string, n int, elem func(i int) []string) {
		args := []string{cmd, key}
		for i := 0; i < n; i++ {
			args = append(args, elem(i)...)
		}
		do(t, c, args...)
	}
	do(t, c, "SELECT", "0")
	do(t, c, "SET", "s:int", "123456789")
	do(t, c, "SET", "s:bigint", "-9223372036854775808")
	do(t, c, "SET", "s:notint", "0123")
	do(t, c, "SET", "s:embstr", "a short string")
	do(t, c, "SET", "s:raw", strings.Repeat("compress me ", 100))
	do(t, c, "SET", "s:random", strings.Repeat("\x00\xff\x13\x37", 30))
	do(t, c, "SET", "s:empty", "")
	do(t, c, "APPEND", "s:appended", "12") // raw, not int
	do(t, c, "SET", "s:expire", "v", "PX", "86400000")
	do(t, c, "SET", "s:huge", strings.Repeat("0123456789abcdef", 8192))
	do(t, c, "RPUSH", "l:small", "a", "1", "-300", "70000", "4294967296", "x")
	big("RPUSH", "l:big", 5000, func(i int) []string { return []string{fmt.Sprintf("element number %d", i)} })
	do(t, c, "LINSERT", "l:big", "BEFORE", "element number 2500", strings.Repeat("y", 9000))
	do(t, c, "LSET", "l:big", "100", "changed")
	big("RPUSH", "l:ints", 3000, func(i int) []string { return []string{strconv.Itoa(i * 1000003)} })
	do(t, c, "SADD", "set:intset", "1", "-5", "70000", "4294967296")
	do(t, c, "SADD", "set:strings", "a", "b", "c")
	big("SADD", "set:bigints", 600, func(i int) []string { return []string{strconv.Itoa(i)} })
	big("SADD", "set:shrunk", 600, func(i int) []string { return []string{strconv.Itoa(i)} })
	big("SREM", "set:shrunk", 597, func(i int) []string { return []string{strconv.Itoa(i + 3)} })
	do(t, c, "ZADD", "z:lp", "1", "a", "2.5", "b", "-inf", "c", "+inf", "d", "0.1", "e")
	big("ZADD", "z:sl", 300, func(i int) []string {
		return []string{strconv.FormatFloat(float64(i)/3, 'g', -1, 64), fmt.Sprintf("member-%d", i)}
	})
	do(t, c, "ZADD", "z:longmember", "1", strings.Repeat("m", 80))
	big("ZADD", "z:shrunk", 200, func(i int) []string { return []string{strconv.Itoa(i), fmt.Sprintf("m%d", i)} })
	do(t, c, "ZREMRANGEBYRANK", "z:shrunk", "2", "-1")
	do(t, c, "HSET", "h:lp", "f1", "v1", "f2", "22", "f3", "")
	big("HSET", "h:ht", 700, func(i int) []string { return []string{fmt.Sprintf("field-%d", i), strings.Repeat("v", i%50)} })
	do(t, c, "HSET", "h:longvalue", "f", strings.Repeat("v", 100))
	big("HSET", "h:shrunk", 600, func(i int) []string { return []string{fmt.Sprintf("f%d", i), "v"} })
	big("HDEL", "h:shrunk", 598, func(i int) []string { return []string{fmt.Sprintf("f%d", i+2)} })
	do(t, c, "PEXPIRE", "h:lp", "90000000")
	// Streams: several nodes, deleted entries, groups with pending entries
	// and consumers, an empty stream with a group, XSETID metadata.
	for i := 1; i <= 250; i++ {
		args := []string{"XADD", "x:big", fmt.Sprintf("%d-%d", 1700000000000+i/3, i%3), "field", strconv.Itoa(i)}
		if i%7 == 0 {
			args = append(args, "other", strings.Repeat("z", i))
		}
		do(t, c, args...)
	}
	do(t, c, "XDEL", "x:big", "1700000000010-0", "1700000000011-1", "1700000000083-1")
	do(t, c, "XGROUP", "CREATE", "x:big", "g1", "0")
	do(t, c, "XGROUP", "CREATE", "x:big", "g2", "$")
	do(t, c, "XREADGROUP", "GROUP", "g1", "alice", "COUNT", "10", "STREAMS", "x:big", ">")
	do(t, c, "XREADGROUP", "GROUP", "g1", "bob", "COUNT", "5", "STREAMS", "x:big", ">")
	do(t, c, "XACK", "x:big", "g1", "1700000000001-1")
	do(t, c, "XCLAIM", "x:big", "g1", "carol", "0", "1700000000002-0")
	do(t, c, "XGROUP", "CREATECONSUMER", "x:big", "g2", "idle")
	do(t, c, "XADD", "x:small", "1-1", "a", "1")
	do(t, c, "XGROUP", "CREATE", "x:empty", "g", "$", "MKSTREAM")
	do(t, c, "XADD", "x:trimmed", "5-0", "k", "v")
	do(t, c, "XADD", "x:trimmed", "6-0", "k", "v")
	do(t, c, "XDEL", "x:trimmed", "6-0")
	do(t, c, "XSETID", "x:trimmed", "100-0", "ENTRIESADDED", "50", "MAXDELETEDID", "90-0")
	do(t, c, "SELECT", "2")
	do(t, c, "DEBUG", "POPULATE", "2000", "pop", "40")
	do(t, c, "RPUSH", "db2:list", "x", "y")
	do(t, c, "EXPIRE", "pop:7", "10000")
	do(t, c, "SELECT", "9")
	do(t, c, "SET", "db9", "nine")
	do(t, c, "SADD", "db9:set", "x")
	do(t, c, "SELECT", "0")
}

// keyState is what a key reads back as: its digest and encoding.
type keyState struct{ digest, encoding string }

// snapshotKeys returns the state of every key of the dataset databases and
// the whole dataset's digest.
func snapshotKeys(t *testing.T, c *redistest.Conn) (map[string]keyState, string) {
	t.Helper()
	out := map[string]keyState{}
	for _, db := range persistDatabases {
		do(t, c, "SELECT", db)
		keys := do(t, c, "KEYS", "*")
		for _, k := range keys.Elems {
			d := do(t, c, "DEBUG", "DIGEST-VALUE", k.Str).Elems[0].Str
			e := do(t, c, "OBJECT", "ENCODING", k.Str).Str
			out[db+"/"+k.Str] = keyState{d, e}
		}
	}
	do(t, c, "SELECT", "0")
	return out, do(t, c, "DEBUG", "DIGEST").Str
}

func compareKeys(t *testing.T, what string, want, got map[string]keyState) {
	t.Helper()
	var names []string
	for k := range want {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if g, ok := got[k]; !ok {
			t.Errorf("%s: key %s missing", what, k)
		} else if g != want[k] {
			t.Errorf("%s: key %s reads back as %+v, want %+v", what, k, g, want[k])
		}
	}
	if len(got) != len(want) {
		t.Errorf("%s: %d keys, want %d", what, len(got), len(want))
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestRDBFromRedisLoadsOnReplab(t *testing.T) {
	for _, compression := range []string{"yes", "no"} {
		t.Run("rdbcompression "+compression, func(t *testing.T) {
			r := redistest.StartRedis(t, "--rdbcompression", compression)
			rc := redistest.Dial(t, r.Addr())
			fillInterop(t, rc)
			do(t, rc, "SAVE")
			// What Redis itself reads back from its file (values that shrank
			// under the compact limits get the compact encoding on load).
			do(t, rc, "DEBUG", "RELOAD", "NOSAVE")
			want, wantDigest := snapshotKeys(t, rc)
			dir := t.TempDir()
			copyFile(t, filepath.Join(r.Dir, "dump.rdb"), filepath.Join(dir, "dump.rdb"))
			l := redistest.StartReplab(t, "--dir", dir)
			lc := redistest.Dial(t, l.Addr())
			got, gotDigest := snapshotKeys(t, lc)
			compareKeys(t, "replab loading Redis's file", want, got)
			if gotDigest != wantDigest {
				t.Errorf("DEBUG DIGEST %s, want %s", gotDigest, wantDigest)
			}
			if !strings.Contains(l.Log(), "Loading RDB produced by version 7.0.15") {
				t.Errorf("log: %s", l.Log())
			}
		})
	}
}

func TestRDBFromReplabLoadsOnRedis(t *testing.T) {
	for _, mode := range []string{"SAVE", "BGSAVE", "SHUTDOWN"} {
		t.Run(mode, func(t *testing.T) {
			l := redistest.StartReplab(t)
			lc := redistest.Dial(t, l.Addr())
			fillInterop(t, lc)
			before, beforeDigest := snapshotKeys(t, lc)
			// What replab reads back from its own file must be what Redis
			// reads back from it.
			do(t, lc, "DEBUG", "RELOAD")
			want, wantDigest := snapshotKeys(t, lc)
			if wantDigest != beforeDigest {
				t.Fatalf("DEBUG RELOAD changed the dataset")
			}
			for k, v := range before {
				if want[k].digest != v.digest {
					t.Fatalf("DEBUG RELOAD changed %s", k)
				}
			}
			switch mode {
			case "SAVE":
				do(t, lc, "SAVE")
			case "BGSAVE":
				do(t, lc, "BGSAVE")
				redistest.WaitFor(t, 30*time.Second, "BGSAVE", func() bool {
					_, v := lc.Do("INFO", "persistence")
					return strings.Contains(v.Str, "rdb_bgsave_in_progress:0\r\n")
				})
				if _, v := lc.Do("INFO", "persistence"); !strings.Contains(v.Str, "rdb_last_bgsave_status:ok") {
					t.Fatalf("BGSAVE failed: %s", l.Log())
				}
			case "SHUTDOWN":
				lc.Write(resp.EncodeCommand(nil, "SHUTDOWN", "SAVE"))
				if code, err := l.Wait(10 * time.Second); err != nil || code != 0 {
					t.Fatalf("SHUTDOWN: %v, code %d", err, code)
				}
			}
			file := filepath.Join(l.Dir, "dump.rdb")
			out, err := exec.Command(redistest.ToolPath(t, "redis-check-rdb"), file).CombinedOutput()
			if err != nil || !strings.Contains(string(out), "RDB looks OK") {
				t.Fatalf("redis-check-rdb refuses replab's file: %v\n%s", err, out)
			}
			dir := t.TempDir()
			copyFile(t, file, filepath.Join(dir, "dump.rdb"))
			r := redistest.StartRedis(t, "--dir", dir)
			rc := redistest.Dial(t, r.Addr())
			got, gotDigest := snapshotKeys(t, rc)
			compareKeys(t, "Redis loading replab's file", want, got)
			if gotDigest != wantDigest {
				t.Errorf("DEBUG DIGEST %s, want %s", gotDigest, wantDigest)
			}
		})
	}
}

func TestDumpRestoreWithRedis(t *testing.T) {
	r := redistest.StartRedis(t)
	rc := redistest.Dial(t, r.Addr())
	l := redistest.StartReplab(t)
	lc := redistest.Dial(t, l.Addr())
	fillInterop(t, rc)
	fillInterop(t, lc)
	// Byte comparisons below: LZF streams are each side's own.
	do(t, rc, "CONFIG", "SET", "rdbcompression", "no")
	do(t, lc, "CONFIG", "SET", "rdbcompression", "no")
	keys := do(t, rc, "KEYS", "*")
	for _, k := range keys.Elems {
		key := k.Str
		// A payload from either side restores the same way on both.
		for _, src := range []struct {
			name string
			c    *redistest.Conn
		}{{"redis", rc}, {"replab", lc}} {
			payload := do(t, src.c, "DUMP", key).Str
			dst := key + ":from-" + src.name
			do(t, rc, "RESTORE", dst, "0", payload, "REPLACE")
			do(t, lc, "RESTORE", dst, "0", payload, "REPLACE")
			want := do(t, rc, "DEBUG", "DIGEST-VALUE", dst).Elems[0].Str
			got := do(t, lc, "DEBUG", "DIGEST-VALUE", dst).Elems[0].Str
			if got != want {
				t.Errorf("%s's DUMP of %s restores on replab with digest %s, on Redis %s", src.name, key, got, want)
			}
			wantEnc := do(t, rc, "OBJECT", "ENCODING", dst).Str
			gotEnc := do(t, lc, "OBJECT", "ENCODING", dst).Str
			if gotEnc != wantEnc {
				t.Errorf("%s's DUMP of %s restores on replab as %s, on Redis as %s", src.name, key, gotEnc, wantEnc)
			}
		}
		// Compact encodings serialize to the same bytes on both sides
		// (hashtable orders may differ).
		switch do(t, rc, "OBJECT", "ENCODING", key).Str {
		case "int", "embstr", "intset", "listpack":
			if a, b := do(t, rc, "DUMP", key).Str, do(t, lc, "DUMP", key).Str; a != b {
				t.Errorf("DUMP %s differs between Redis and replab:\n%q\n%q", key, a, b)
			}
		}
	}
}

func TestDamagedRDBRefusedAtStart(t *testing.T) {
	l := redistest.StartReplab(t)
	lc := redistest.Dial(t, l.Addr())
	fillInterop(t, lc)
	do(t, lc, "SAVE")
	good, err := os.ReadFile(filepath.Join(l.Dir, "dump.rdb"))
	if err != nil {
		t.Fatal(err)
	}
	flip := append([]byte(nil), good...)
	flip[len(flip)/2] ^= 0x04
	for name, data := range map[string][]byte{
		"truncated": good[:len(good)*2/3],
		"bit flip":  flip,
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "dump.rdb")
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			n := redistest.StartReplab(t, "--dir", dir)
			code, err := n.Wait(30 * time.Second)
			if err != nil || code != 1 {
				t.Fatalf("replab started from a damaged file (%v, code %d)", err, code)
			}
			if !strings.Contains(n.Log(), "Fatal error loading the DB: dump.rdb: rdb: offset ") {
				t.Fatalf("log: %s", n.Log())
			}
			after, _ := os.ReadFile(path)
			if string(after) != string(data) {
				t.Fatal("the damaged file was changed")
			}
		})
	}
}
