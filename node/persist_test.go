package node

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"replab/rdb"
	"replab/resp"
)

// Persistence tests on the in-memory runtime: saves, background saves with
// writes interleaved, crashes, damaged files, save points, SHUTDOWN, DUMP
// and RESTORE, DEBUG RELOAD.

// newTestNodeFS is newTestNode on a given file system (a previous node's
// disk), with its clock at start.
func newTestNodeFS(t testing.TB, fsys *MemFS, start time.Time, args ...string) *testNode {
	t.Helper()
	cfg := DefaultConfig()
	if err := cfg.LoadString(ArgsToConfig(append([]string{"--enable-debug-command", "yes"}, args...)), nil); err != nil {
		t.Fatal(err)
	}
	rt := NewMemRuntime(1, start)
	rt.Files = fsys
	tn := &testNode{t: t, rt: rt}
	tn.n = New(cfg, rt)
	tn.n.propagateHook = func(db int, args [][]byte) {
		s := make([]string, len(args))
		for i, a := range args {
			s[i] = string(a)
		}
		tn.propagated = append(tn.propagated, s)
	}
	tn.n.Start()
	return tn
}

var persistEpoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// mustDo runs a command and fails on an error reply.
func (c *testConn) mustDo(args ...string) resp.Value {
	c.tn.t.Helper()
	v := c.do(args...)
	if v.Kind == resp.KindError {
		c.tn.t.Fatalf("%v: %s", args, v.Str)
	}
	return v
}

// fillMixed writes a dataset with every type in every encoding, expire
// times and several databases.
func fillMixed(c *testConn) {
	c.mustDo("SET", "str:int", "12345")
	c.mustDo("SET", "str:embstr", "hello world")
	c.mustDo("SET", "str:raw", strings.Repeat("compressible ", 40))
	c.mustDo("SET", "str:empty", "")
	c.mustDo("SET", "str:neg", "-9223372036854775808")
	c.mustDo("RPUSH", "list:small", "a", "b", "1", "-2", "300000")
	args := []string{"RPUSH", "list:big"}
	for i := 0; i < 3000; i++ {
		args = append(args, fmt.Sprintf("element-%d", i))
	}
	c.mustDo(args...)
	c.mustDo("LINSERT", "list:big", "BEFORE", "element-1500", strings.Repeat("x", 5000))
	c.mustDo("SADD", "set:intset", "1", "2", "3", "-100", "70000")
	c.mustDo("SADD", "set:ht", "a", "b", "c")
	args = []string{"SADD", "set:bigint"}
	for i := 0; i < 600; i++ {
		args = append(args, strconv.Itoa(i*7))
	}
	c.mustDo(args...)
	c.mustDo("ZADD", "zset:lp", "1", "a", "2.5", "b", "-inf", "c")
	args = []string{"ZADD", "zset:sl"}
	for i := 0; i < 200; i++ {
		args = append(args, strconv.Itoa(i), fmt.Sprintf("m%d", i))
	}
	c.mustDo(args...)
	c.mustDo("ZADD", "zset:long", "1", strings.Repeat("m", 100))
	c.mustDo("HSET", "hash:lp", "f1", "v1", "f2", "2")
	args = []string{"HSET", "hash:ht"}
	for i := 0; i < 600; i++ {
		args = append(args, fmt.Sprintf("f%d", i), fmt.Sprintf("v%d", i))
	}
	c.mustDo(args...)
	c.mustDo("HSET", "hash:long", "f", strings.Repeat("v", 100))
	c.mustDo("SET", "vol", "x", "PX", "100000000")
	for i := 1; i <= 150; i++ {
		c.mustDo("XADD", "stream", fmt.Sprintf("%d-1", i), "f", strconv.Itoa(i))
	}
	c.mustDo("XDEL", "stream", "3-1")
	c.mustDo("XGROUP", "CREATE", "stream", "g", "0")
	c.mustDo("XREADGROUP", "GROUP", "g", "alice", "COUNT", "3", "STREAMS", "stream", ">")
	c.mustDo("XGROUP", "CREATE", "stream:empty", "g", "$", "MKSTREAM")
	c.mustDo("SELECT", "3")
	c.mustDo("SET", "db3", "three")
	c.mustDo("RPUSH", "db3:list", "x")
	c.mustDo("SELECT", "15")
	c.mustDo("HSET", "db15", "a", "b")
	c.mustDo("SELECT", "0")
}

// encodings returns "db key encoding" lines for every key.
func encodings(tn *testNode) string {
	var lines []string
	for i := 0; i < tn.n.ks.Len(); i++ {
		db := tn.n.ks.DB(i)
		for k, v := range db.ForEach {
			_ = v
			lines = append(lines, fmt.Sprintf("%d %s %s", i, k, objectEncoding(v)))
		}
	}
	sortStrings(lines)
	return strings.Join(lines, "\n")
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func TestSaveAndLoadEveryType(t *testing.T) {
	tn := newTestNode(t)
	c := tn.connect()
	fillMixed(c)
	want, wantEnc := tn.n.DatasetDigest(), encodings(tn)
	if r := c.do("SAVE"); r.Str != "OK" {
		t.Fatalf("SAVE: %v", r)
	}
	if got := c.do("DBSIZE").Int; got == 0 {
		t.Fatal("empty dataset")
	}
	tn2 := newTestNodeFS(t, tn.rt.Files, tn.rt.Clock)
	if got := tn2.n.DatasetDigest(); got != want {
		t.Fatalf("digest after load %s, want %s", got, want)
	}
	if got := encodings(tn2); got != wantEnc {
		t.Fatalf("encodings after load:\n%s\nwant:\n%s", got, wantEnc)
	}
	c2 := tn2.connect()
	if ttl := c2.do("PTTL", "vol").Int; ttl <= 0 {
		t.Fatalf("PTTL vol = %d", ttl)
	}
	// The list keeps its node layout.
	a := c.do("DEBUG", "OBJECT", "list:big").Str
	b := c2.do("DEBUG", "OBJECT", "list:big").Str
	if field(a, "ql_nodes") != field(b, "ql_nodes") || field(a, "serializedlength") != field(b, "serializedlength") {
		t.Fatalf("DEBUG OBJECT differs:\n%s\n%s", a, b)
	}
	if sl, _ := strconv.Atoi(field(a, "serializedlength")); sl <= 0 {
		t.Fatalf("serializedlength %q", a)
	}
	info := c2.do("INFO", "persistence").Str
	if !strings.Contains(info, "rdb_last_load_keys_loaded:22\r\n") {
		t.Fatalf("INFO after load: %s", info)
	}
}

// field returns the value of name:value in a DEBUG OBJECT line.
func field(line, name string) string {
	for _, f := range strings.Fields(line) {
		if v, ok := strings.CutPrefix(f, name+":"); ok {
			return v
		}
	}
	return ""
}

func TestLoadSkipsExpiredKeysOnMaster(t *testing.T) {
	tn := newTestNode(t)
	c := tn.connect()
	c.mustDo("SET", "gone", "x", "PX", "1000")
	c.mustDo("SET", "kept", "y")
	c.mustDo("SAVE")
	tn2 := newTestNodeFS(t, tn.rt.Files, tn.rt.Clock.Add(5*time.Second))
	c2 := tn2.connect()
	if n := c2.do("DBSIZE").Int; n != 1 {
		t.Fatalf("DBSIZE %d, want 1", n)
	}
	if info := c2.do("INFO", "persistence").Str; !strings.Contains(info, "rdb_last_load_keys_expired:1\r\n") {
		t.Fatalf("INFO: %s", info)
	}
}

func TestLoadKeepsExpiredKeysOnReplica(t *testing.T) {
	tn := newTestNode(t)
	c := tn.connect()
	c.mustDo("SET", "gone", "x", "PX", "1000")
	c.mustDo("SET", "kept", "y")
	c.mustDo("SAVE")
	tn2 := newTestNodeFS(t, tn.rt.Files, tn.rt.Clock.Add(5*time.Second), "--replicaof", "127.0.0.1 1")
	if n := tn2.n.ks.DB(0).Len(); n != 2 {
		t.Fatalf("a replica loaded %d keys, want 2 (expired keys are its master's to delete)", n)
	}
}

func TestLoadIdleAndFreq(t *testing.T) {
	for _, policy := range []string{"allkeys-lru", "allkeys-lfu"} {
		t.Run(policy, func(t *testing.T) {
			tn := newTestNode(t, "--maxmemory-policy", policy)
			c := tn.connect()
			c.mustDo("SET", "k", "v")
			tn.rt.Clock = tn.rt.Clock.Add(100 * time.Second)
			c.mustDo("SAVE")
			file, _ := tn.rt.Files.ReadAll("dump.rdb")
			tn2 := newTestNodeFS(t, tn.rt.Files, tn.rt.Clock.Add(time.Hour), "--maxmemory-policy", policy)
			c2 := tn2.connect()
			if policy == "allkeys-lru" {
				if !bytes.Contains(file, []byte{0xf8, 0x40, 100}) { // RDB_OPCODE_IDLE, 100 as a 14-bit length
					t.Fatal("no IDLE opcode of 100 seconds in the file")
				}
				if idle := c2.do("OBJECT", "IDLETIME", "k").Int; idle != 100 {
					t.Fatalf("OBJECT IDLETIME %d after load, want 100", idle)
				}
			} else {
				// The counter (5 at creation) decays by one per minute idle.
				if !bytes.Contains(file, []byte{0xf9, 4, 0}) { // RDB_OPCODE_FREQ 4, then the string type
					t.Fatalf("no FREQ 4 opcode in the file: %q", file)
				}
				if freq := c2.do("OBJECT", "FREQ", "k").Int; freq != 4 {
					t.Fatalf("OBJECT FREQ %d after load, want 4", freq)
				}
			}
		})
	}
}

func TestBgsaveWithInterleavedWrites(t *testing.T) {
	defer func(k, b int64) { bgsaveSliceKeys, bgsaveSliceBytes = k, b }(bgsaveSliceKeys, bgsaveSliceBytes)
	bgsaveSliceKeys, bgsaveSliceBytes = 50, 4096
	tn := newTestNode(t, "--save", "")
	c := tn.connect()
	fillMixed(c)
	c.mustDo("DEBUG", "POPULATE", "3000")
	c.mustDo("SELECT", "3")
	c.mustDo("DEBUG", "POPULATE", "500", "k3")
	c.mustDo("SELECT", "0")
	want, wantEnc := tn.n.DatasetDigest(), encodings(tn)
	if r := c.do("BGSAVE"); r.Str != "Background saving started" {
		t.Fatalf("BGSAVE: %v", r)
	}
	if r := c.do("BGSAVE"); r.Str != "ERR Background save already in progress" {
		t.Fatalf("second BGSAVE: %v", r)
	}
	if r := c.do("SAVE"); r.Str != "ERR Background save already in progress" {
		t.Fatalf("SAVE during BGSAVE: %v", r)
	}
	if !strings.Contains(c.do("INFO", "persistence").Str, "rdb_bgsave_in_progress:1\r\n") {
		t.Fatal("INFO does not show the BGSAVE")
	}
	// Writes of every kind while the save runs.
	ticks := 0
	for i := 0; tn.n.bgsaveInProgress(); i++ {
		if i == 30 {
			// Records both databases at once (keyspace's guards).
			c.mustDo("SWAPDB", "0", "3")
		}
		switch i % 7 {
		case 0:
			c.mustDo("SET", fmt.Sprintf("key:%d", i*7%3000), "changed")
		case 1:
			c.mustDo("DEL", fmt.Sprintf("key:%d", (i*13)%3000))
		case 2:
			c.mustDo("SET", fmt.Sprintf("new:%d", i), "born during the save")
		case 3:
			c.mustDo("RPUSH", "list:big", "more")
		case 4:
			c.mustDo("HSET", "hash:ht", "f1", "changed")
		case 5:
			c.mustDo("ZADD", "zset:sl", "1000", "m1")
		case 6:
			c.mustDo("EXPIRE", fmt.Sprintf("key:%d", (i*17)%3000), "100")
		}
		tn.rt.Clock = tn.rt.Clock.Add(time.Millisecond)
		tn.n.Tick()
		ticks++
		if ticks > 100000 {
			t.Fatal("BGSAVE does not end")
		}
	}
	if ticks < 10 {
		t.Fatalf("BGSAVE ended after %d ticks: slices are too big for this test", ticks)
	}
	info := c.do("INFO", "persistence").Str
	if !strings.Contains(info, "rdb_last_bgsave_status:ok\r\n") || !strings.Contains(info, "rdb_bgsave_in_progress:0\r\n") {
		t.Fatalf("INFO after BGSAVE: %s", info)
	}
	if names := tn.rt.Files.Names(); len(names) != 1 || names[0] != "dump.rdb" {
		t.Fatalf("files after BGSAVE: %v", names)
	}
	tn2 := newTestNodeFS(t, tn.rt.Files, tn.rt.Clock)
	if got := tn2.n.DatasetDigest(); got != want {
		t.Fatalf("the file holds %s, want the dataset as it was when BGSAVE began (%s)", got, want)
	}
	if got := encodings(tn2); got != wantEnc {
		t.Fatalf("encodings after load differ")
	}
}

func TestBgsaveChangesCounter(t *testing.T) {
	tn := newTestNode(t, "--save", "")
	c := tn.connect()
	c.mustDo("SET", "a", "1")
	c.mustDo("SET", "b", "1")
	c.mustDo("BGSAVE")
	c.mustDo("SET", "c", "1") // during the save
	for tn.n.bgsaveInProgress() {
		tn.rt.Clock = tn.rt.Clock.Add(time.Millisecond)
		tn.n.Tick()
	}
	if info := c.do("INFO", "persistence").Str; !strings.Contains(info, "rdb_changes_since_last_save:1\r\n") {
		t.Fatalf("INFO: %s", info)
	}
	if got := c.do("LASTSAVE").Int; got != tn.rt.Clock.Unix() {
		t.Fatalf("LASTSAVE %d, want %d", got, tn.rt.Clock.Unix())
	}
}

func TestCrashDuringBgsaveKeepsOldDump(t *testing.T) {
	defer func(k int64) { bgsaveSliceKeys = k }(bgsaveSliceKeys)
	bgsaveSliceKeys = 10
	tn := newTestNode(t, "--save", "")
	c := tn.connect()
	c.mustDo("SET", "old", "value")
	c.mustDo("SAVE")
	old := tn.n.DatasetDigest()
	c.mustDo("DEBUG", "POPULATE", "1000")
	c.mustDo("BGSAVE")
	tn.n.Tick()
	tn.n.Tick()
	if !tn.n.bgsaveInProgress() {
		t.Fatal("BGSAVE ended too early for the test")
	}
	tn.rt.Files.Crash()
	tn2 := newTestNodeFS(t, tn.rt.Files, tn.rt.Clock)
	if got := tn2.n.DatasetDigest(); got != old {
		t.Fatalf("after the crash the dump holds %s, want the old dataset %s", got, old)
	}
}

func TestCrashAfterSaveKeepsNewDump(t *testing.T) {
	tn := newTestNode(t, "--save", "")
	c := tn.connect()
	c.mustDo("SET", "k", "v")
	c.mustDo("SAVE")
	want := tn.n.DatasetDigest()
	tn.rt.Files.Crash()
	tn2 := newTestNodeFS(t, tn.rt.Files, tn.rt.Clock)
	if got := tn2.n.DatasetDigest(); got != want {
		t.Fatalf("a completed SAVE did not survive a crash")
	}
}

// failingFS fails writes once more than limit bytes were written to a
// file, and renames when failRename is set.
type failingFS struct {
	*MemFS
	limit      int
	failRename bool
}

type failingWriter struct {
	WriteFile
	fs      *failingFS
	written int
}

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.written+len(p) > w.fs.limit {
		return 0, errors.New("no space left on device")
	}
	w.written += len(p)
	return w.WriteFile.Write(p)
}

func (f *failingFS) Create(name string) (WriteFile, error) {
	w, err := f.MemFS.Create(name)
	if err != nil {
		return nil, err
	}
	return &failingWriter{WriteFile: w, fs: f}, nil
}

func (f *failingFS) Rename(a, b string) error {
	if f.failRename {
		return errors.New("rename failed")
	}
	return f.MemFS.Rename(a, b)
}

// fsRuntime is a MemRuntime with another file system.
type fsRuntime struct {
	*MemRuntime
	fs FileSystem
}

func (r fsRuntime) FS() FileSystem { return r.fs }

func TestFailedSavesKeepOldDump(t *testing.T) {
	for _, tc := range []struct {
		name       string
		limit      int
		failRename bool
	}{
		{"write error", 200, false},
		{"rename error", 1 << 30, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mem := NewMemFS()
			ffs := &failingFS{MemFS: mem, limit: 1 << 30}
			cfg := DefaultConfig()
			cfg.LoadString(ArgsToConfig([]string{"--save", "", "--enable-debug-command", "yes"}), nil)
			rt := NewMemRuntime(1, persistEpoch)
			rt.Files = mem
			tn := &testNode{t: t, rt: rt}
			tn.n = New(cfg, fsRuntime{rt, ffs})
			tn.n.Start()
			c := tn.connect()
			c.mustDo("SET", "old", "v")
			c.mustDo("SAVE")
			oldFile, _ := mem.ReadAll("dump.rdb")
			c.mustDo("DEBUG", "POPULATE", "1000")
			ffs.limit, ffs.failRename = tc.limit, tc.failRename
			if r := c.do("SAVE"); r.Kind != resp.KindError || r.Str != "ERR" {
				t.Fatalf("SAVE: %v", r)
			}
			c.mustDo("BGSAVE")
			for tn.n.bgsaveInProgress() {
				rt.Clock = rt.Clock.Add(time.Millisecond)
				tn.n.Tick()
			}
			if info := c.do("INFO", "persistence").Str; !strings.Contains(info, "rdb_last_bgsave_status:err\r\n") {
				t.Fatalf("INFO: %s", info)
			}
			// With save points and stop-writes-on-bgsave-error, writes and
			// PING are refused; reads are not.
			c.mustDo("CONFIG", "SET", "save", "3600 1")
			if r := c.do("SET", "x", "1"); !strings.HasPrefix(r.Str, "MISCONF ") {
				t.Fatalf("SET after a failed BGSAVE: %v", r)
			}
			if r := c.do("PING"); !strings.HasPrefix(r.Str, "MISCONF ") {
				t.Fatalf("PING after a failed BGSAVE: %v", r)
			}
			c.mustDo("GET", "old")
			c.mustDo("CONFIG", "SET", "stop-writes-on-bgsave-error", "no")
			c.mustDo("SET", "x", "1")
			c.mustDo("CONFIG", "SET", "save", "")
			// SHUTDOWN cannot save: refused, unless FORCE.
			if r := c.do("SHUTDOWN", "SAVE"); r.Str != "ERR Errors trying to SHUTDOWN. Check logs." {
				t.Fatalf("SHUTDOWN SAVE: %v", r)
			}
			newFile, _ := mem.ReadAll("dump.rdb")
			if !bytes.Equal(oldFile, newFile) {
				t.Fatal("a failed save changed dump.rdb")
			}
			if names := mem.Names(); len(names) != 1 {
				t.Fatalf("temporary files left: %v", names)
			}
			c.send("SHUTDOWN", "SAVE", "FORCE")
			if exited, _ := rt.Exited(); !exited {
				t.Fatal("SHUTDOWN SAVE FORCE did not exit")
			}
		})
	}
}

func TestDamagedDumpStopsStart(t *testing.T) {
	tn := newTestNode(t, "--save", "")
	c := tn.connect()
	fillMixed(c)
	c.mustDo("SAVE")
	good, _ := tn.rt.Files.ReadAll("dump.rdb")
	cases := map[string][]byte{}
	cases["truncated"] = good[:len(good)/2]
	cases["truncated before checksum"] = good[:len(good)-3]
	flip := append([]byte(nil), good...)
	flip[len(flip)/3] ^= 0x10
	cases["bit flip"] = flip
	badType := append([]byte(nil), good...)
	i := bytes.Index(badType, []byte("str:int")) - 2 // type byte of a key record
	badType[i] = 200
	cases["bad type"] = badType
	cases["not an rdb"] = []byte("hello world, this is not an RDB file")
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			fsys := NewMemFS()
			fsys.WriteFile("dump.rdb", data)
			tn2 := newTestNodeFS(t, fsys, persistEpoch)
			if exited, code := tn2.rt.Exited(); !exited || code != 1 {
				t.Fatalf("the node started from a damaged file (exited %v, code %d)", exited, code)
			}
			logs := strings.Join(tn2.rt.Logs, "\n")
			if !strings.Contains(logs, "Fatal error loading the DB: dump.rdb: rdb: offset ") {
				t.Fatalf("log does not name the file and offset:\n%s", logs)
			}
			after, _ := fsys.ReadAll("dump.rdb")
			if !bytes.Equal(after, data) {
				t.Fatal("the damaged file was changed")
			}
		})
	}
}

func TestSavePoints(t *testing.T) {
	tn := newTestNode(t, "--save", "60 3")
	c := tn.connect()
	c.mustDo("SET", "a", "1")
	c.mustDo("SET", "b", "1")
	tn.rt.Advance(tn.n, 2*time.Minute)
	if _, err := tn.rt.Files.ReadAll("dump.rdb"); err == nil {
		t.Fatal("saved with 2 changes for a 3-change save point")
	}
	c.mustDo("SET", "c", "1")
	tn.rt.Advance(tn.n, 500*time.Millisecond)
	if _, err := tn.rt.Files.ReadAll("dump.rdb"); err != nil {
		t.Fatal("the save point did not save")
	}
	if !strings.Contains(strings.Join(tn.rt.Logs, "\n"), "3 changes in 60 seconds. Saving...") {
		t.Fatal("no save point log line")
	}
	info := c.do("INFO", "persistence").Str
	if !strings.Contains(info, "rdb_changes_since_last_save:0\r\n") || !strings.Contains(info, "rdb_saves:1\r\n") {
		t.Fatalf("INFO: %s", info)
	}
}

func TestShutdownSaves(t *testing.T) {
	for _, tc := range []struct {
		name  string
		save  string
		args  []string
		saved bool
	}{
		{"save points", "3600 1", nil, true},
		{"save points NOSAVE", "3600 1", []string{"NOSAVE"}, false},
		{"no save points", "", nil, false},
		{"no save points SAVE", "", []string{"SAVE"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tn := newTestNode(t, "--save", tc.save)
			c := tn.connect()
			c.mustDo("SET", "k", "v")
			c.send(append([]string{"SHUTDOWN"}, tc.args...)...)
			if exited, _ := tn.rt.Exited(); !exited {
				t.Fatal("did not exit")
			}
			_, err := tn.rt.Files.ReadAll("dump.rdb")
			if (err == nil) != tc.saved {
				t.Fatalf("saved %v, want %v", err == nil, tc.saved)
			}
		})
	}
}

func TestShutdownDuringBgsave(t *testing.T) {
	defer func(k int64) { bgsaveSliceKeys = k }(bgsaveSliceKeys)
	bgsaveSliceKeys = 10
	tn := newTestNode(t, "--save", "")
	c := tn.connect()
	c.mustDo("DEBUG", "POPULATE", "500")
	c.mustDo("BGSAVE")
	tn.n.Tick()
	want := tn.n.DatasetDigest()
	c.send("SHUTDOWN", "SAVE")
	if names := tn.rt.Files.Names(); len(names) != 1 || names[0] != "dump.rdb" {
		t.Fatalf("files: %v", names)
	}
	tn2 := newTestNodeFS(t, tn.rt.Files, tn.rt.Clock)
	if tn2.n.DatasetDigest() != want {
		t.Fatal("the final save does not hold the dataset")
	}
}

func TestFlushallDuringBgsave(t *testing.T) {
	defer func(k int64) { bgsaveSliceKeys = k }(bgsaveSliceKeys)
	bgsaveSliceKeys = 10
	tn := newTestNode(t, "--save", "")
	c := tn.connect()
	c.mustDo("DEBUG", "POPULATE", "500")
	c.mustDo("BGSAVE")
	tn.n.Tick()
	c.mustDo("FLUSHALL")
	if tn.n.bgsaveInProgress() || tn.n.ks.Snapshotting() {
		t.Fatal("FLUSHALL did not end the BGSAVE")
	}
	if names := tn.rt.Files.Names(); len(names) != 0 {
		t.Fatalf("files left: %v", names)
	}
	// With save points FLUSHALL saves the empty dataset.
	tn = newTestNode(t, "--save", "3600 1")
	c = tn.connect()
	c.mustDo("SET", "k", "v")
	c.mustDo("FLUSHALL")
	if _, err := tn.rt.Files.ReadAll("dump.rdb"); err != nil {
		t.Fatal("FLUSHALL with save points did not save")
	}
	if info := c.do("INFO", "persistence").Str; !strings.Contains(info, "rdb_changes_since_last_save:0\r\n") {
		t.Fatalf("INFO: %s", info)
	}
	if len(tn.propagated) == 0 || tn.propagated[len(tn.propagated)-1][0] != "FLUSHALL" {
		t.Fatalf("FLUSHALL not propagated: %v", tn.propagated)
	}
}

func TestDebugReload(t *testing.T) {
	tn := newTestNode(t, "--save", "")
	c := tn.connect()
	fillMixed(c)
	want, wantEnc := tn.n.DatasetDigest(), encodings(tn)
	if r := c.do("DEBUG", "RELOAD"); r.Str != "OK" {
		t.Fatalf("DEBUG RELOAD: %v", r)
	}
	if tn.n.DatasetDigest() != want || encodings(tn) != wantEnc {
		t.Fatal("DEBUG RELOAD changed the dataset")
	}
	c.mustDo("SET", "extra", "1")
	c.mustDo("DEBUG", "RELOAD", "NOSAVE")
	if tn.n.DatasetDigest() != want {
		t.Fatal("DEBUG RELOAD NOSAVE did not restore the saved dataset")
	}
	c.mustDo("SET", "extra", "1")
	if r := c.do("DEBUG", "RELOAD", "NOSAVE", "NOFLUSH"); r.Str != "ERR Error trying to load the RDB dump" {
		t.Fatalf("NOFLUSH without MERGE: %v", r)
	}
	c.mustDo("DEBUG", "RELOAD", "NOSAVE", "NOFLUSH", "MERGE")
	if r := c.do("DEBUG", "RELOAD", "BOGUS"); r.Str != "ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options." {
		t.Fatalf("bad option: %v", r)
	}
}

func TestDumpRestore(t *testing.T) {
	tn := newTestNode(t, "--save", "")
	c := tn.connect()
	fillMixed(c)
	keys := []string{"str:int", "str:embstr", "str:raw", "str:empty", "list:small", "list:big", "set:intset", "set:ht",
		"set:bigint", "zset:lp", "zset:sl", "zset:long", "hash:lp", "hash:ht", "hash:long", "stream", "stream:empty"}
	for _, k := range keys {
		payload := c.mustDo("DUMP", k).Str
		digest := c.mustDo("DEBUG", "DIGEST-VALUE", k).Elems[0].Str
		enc := c.mustDo("OBJECT", "ENCODING", k).Str
		c.mustDo("RESTORE", k+":copy", "0", payload)
		if got := c.mustDo("DEBUG", "DIGEST-VALUE", k+":copy").Elems[0].Str; got != digest {
			t.Errorf("%s: restored digest %s, want %s", k, got, digest)
		}
		if got := c.mustDo("OBJECT", "ENCODING", k+":copy").Str; got != enc {
			t.Errorf("%s: restored encoding %s, want %s", k, got, enc)
		}
	}
	payload := c.mustDo("DUMP", "str:embstr").Str
	if r := c.do("DUMP", "missing"); !r.Null {
		t.Fatalf("DUMP missing: %v", r)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"RESTORE", "str:int", "0", payload}, "BUSYKEY Target key name already exists."},
		{[]string{"RESTORE", "n", "-1", payload}, "ERR Invalid TTL value, must be >= 0"},
		{[]string{"RESTORE", "n", "x", payload}, "ERR value is not an integer or out of range"},
		{[]string{"RESTORE", "n", "0", payload, "IDLETIME", "-1"}, "ERR Invalid IDLETIME value, must be >= 0"},
		{[]string{"RESTORE", "n", "0", payload, "FREQ", "256"}, "ERR Invalid FREQ value, must be >= 0 and <= 255"},
		{[]string{"RESTORE", "n", "0", payload, "IDLETIME", "1", "FREQ", "1"}, "ERR syntax error"},
		{[]string{"RESTORE", "n", "0", payload, "BOGUS"}, "ERR syntax error"},
		{[]string{"RESTORE", "n", "0", "short"}, "ERR DUMP payload version or checksum are wrong"},
		{[]string{"RESTORE", "n", "0", payload[:len(payload)-1] + "x"}, "ERR DUMP payload version or checksum are wrong"},
	} {
		if r := c.do(tc.args...); r.Str != tc.want {
			t.Errorf("%v: %q, want %q", tc.args[:2], r.Str, tc.want)
		}
	}
	// A body that does not decode, with a right footer.
	bad := []byte{0, 0xff, 0xff}
	if r := c.do("RESTORE", "n", "0", string(withFooter(bad))); r.Str != "ERR Bad data format" {
		t.Errorf("bad body: %q", r.Str)
	}
	// Relative TTL propagated as absolute.
	tn.propagated = nil
	c.mustDo("RESTORE", "ttl", "5000", payload)
	want := []string{"RESTORE", "ttl", strconv.FormatInt(tn.rt.Clock.UnixMilli()+5000, 10), payload, "ABSTTL"}
	if len(tn.propagated) != 1 || strings.Join(tn.propagated[0], "|") != strings.Join(want, "|") {
		t.Fatalf("propagated %q, want %q", tn.propagated, want)
	}
	// REPLACE with a TTL already past deletes the key: propagated as DEL.
	tn.propagated = nil
	c.mustDo("RESTORE", "ttl", "1", payload, "REPLACE", "ABSTTL")
	if len(tn.propagated) != 1 || strings.Join(tn.propagated[0], " ") != "DEL ttl" {
		t.Fatalf("propagated %q", tn.propagated)
	}
	if c.do("EXISTS", "ttl").Int != 0 {
		t.Fatal("expired RESTORE created the key")
	}
	// IDLETIME sets the access time.
	c.mustDo("RESTORE", "idle", "0", payload, "IDLETIME", "1000")
	if idle := c.do("OBJECT", "IDLETIME", "idle").Int; idle < 1000 || idle > 1001 {
		t.Fatalf("OBJECT IDLETIME %d", idle)
	}
}

// withFooter appends a DUMP footer (RDB version 10, CRC64) to body.
func withFooter(body []byte) []byte {
	p := append(append([]byte(nil), body...), 10, 0)
	var crc [8]byte
	sum := rdb.CRC64(0, p)
	for i := range crc {
		crc[i] = byte(sum >> (8 * i))
	}
	return append(p, crc[:]...)
}

// deferredFS runs background work only when the test says so.
type deferredFS struct {
	*MemFS
	pending []func() error
	results []error
	ran     []bool
}

func (d *deferredFS) RunBackground(fn func() error) (func() (bool, error), func() error) {
	i := len(d.pending)
	d.pending = append(d.pending, fn)
	d.results = append(d.results, nil)
	d.ran = append(d.ran, false)
	run := func() {
		if !d.ran[i] {
			d.results[i], d.ran[i] = d.pending[i](), true
		}
	}
	return func() (bool, error) { return d.ran[i], d.results[i] }, func() error { run(); return d.results[i] }
}

func (d *deferredFS) runAll() {
	for i := range d.pending {
		if !d.ran[i] {
			d.results[i], d.ran[i] = d.pending[i](), true
		}
	}
}

func TestBgsaveCommitsInBackground(t *testing.T) {
	mem := NewMemFS()
	dfs := &deferredFS{MemFS: mem}
	cfg := DefaultConfig()
	cfg.LoadString(ArgsToConfig([]string{"--save", "", "--enable-debug-command", "yes"}), nil)
	rt := NewMemRuntime(1, persistEpoch)
	rt.Files = mem
	tn := &testNode{t: t, rt: rt}
	tn.n = New(cfg, fsRuntime{rt, dfs})
	tn.n.Start()
	c := tn.connect()
	c.mustDo("DEBUG", "POPULATE", "300")
	c.mustDo("BGSAVE")
	for i := 0; i < 100; i++ {
		rt.Clock = rt.Clock.Add(time.Millisecond)
		tn.n.Tick()
	}
	if len(dfs.pending) != 1 {
		t.Fatalf("%d background commits, want 1", len(dfs.pending))
	}
	// The file is written but not committed: the node serves clients and
	// still reports the save in progress.
	if !strings.Contains(c.do("INFO", "persistence").Str, "rdb_bgsave_in_progress:1\r\n") {
		t.Fatal("BGSAVE not in progress while committing")
	}
	if w := tn.n.NextWake(); w.Sub(rt.Clock) != time.Millisecond {
		t.Fatalf("NextWake %v after now while committing, want 1ms", w.Sub(rt.Clock))
	}
	c.mustDo("SET", "during", "commit")
	dfs.runAll()
	rt.Clock = rt.Clock.Add(time.Millisecond)
	tn.n.Tick()
	info := c.do("INFO", "persistence").Str
	if !strings.Contains(info, "rdb_bgsave_in_progress:0\r\n") || !strings.Contains(info, "rdb_last_bgsave_status:ok\r\n") ||
		!strings.Contains(info, "rdb_changes_since_last_save:1\r\n") {
		t.Fatalf("INFO after the commit: %s", info)
	}
	if names := mem.Names(); len(names) != 1 || names[0] != "dump.rdb" {
		t.Fatalf("files: %v", names)
	}
	// FLUSHALL while a commit runs waits for it.
	c.mustDo("BGSAVE")
	for len(dfs.pending) < 2 {
		rt.Clock = rt.Clock.Add(time.Millisecond)
		tn.n.Tick()
	}
	c.mustDo("FLUSHALL")
	if tn.n.bgsaveInProgress() || !dfs.ran[1] {
		t.Fatal("FLUSHALL did not wait for the commit")
	}
}

// The replication layer writes a full sync payload with startSnapshot: a
// snapshot into any writer, advanced from Tick, its end reported once.
func TestSnapshotToWriter(t *testing.T) {
	defer func(k int64) { bgsaveSliceKeys = k }(bgsaveSliceKeys)
	bgsaveSliceKeys = 20
	tn := newTestNode(t, "--save", "")
	c := tn.connect()
	fillMixed(c)
	want := tn.n.DatasetDigest()
	var buf bytes.Buffer
	calls := 0
	var result error
	tn.n.startSnapshot(&buf, func(err error) { calls++; result = err })
	for i := 0; calls == 0 && i < 10000; i++ {
		c.mustDo("SET", "str:embstr", fmt.Sprint(i)) // changes after the snapshot began
		tn.rt.Clock = tn.rt.Clock.Add(time.Millisecond)
		tn.n.Tick()
	}
	if calls != 1 || result != nil || len(tn.n.persist.jobs) != 0 {
		t.Fatalf("done called %d times, err %v, %d jobs left", calls, result, len(tn.n.persist.jobs))
	}
	fsys := NewMemFS()
	fsys.WriteFile("dump.rdb", buf.Bytes())
	tn2 := newTestNodeFS(t, fsys, tn.rt.Clock)
	if got := tn2.n.DatasetDigest(); got != want {
		t.Fatal("the payload does not hold the dataset as it was when the snapshot began")
	}
}

// A snapshot of strings allocates nothing per key: a background save or a
// full sync of a big dataset must not push the collector into a cycle
// (with one P its mark worker holds the node for milliseconds at a time).
func TestSnapshotOfStringsAllocatesNothingPerKey(t *testing.T) {
	tn := newTestNode(t, "--save", "")
	const keys = 20000
	tn.connect().mustDo("DEBUG", "POPULATE", strconv.Itoa(keys))
	allocs := testing.AllocsPerRun(3, func() {
		done := false
		tn.n.startSnapshot(io.Discard, func(err error) {
			if err != nil {
				t.Fatal(err)
			}
			done = true
		})
		for !done {
			tn.rt.Clock = tn.rt.Clock.Add(time.Millisecond)
			tn.n.Tick()
		}
	})
	if allocs > keys/100 {
		t.Fatalf("%.0f allocations for a snapshot of %d keys", allocs, keys)
	}
}

// The loader inserts keys in batches (loadBatch): keys spread over several
// databases, batches cut by SELECTDB and a key duplicated far from its
// first copy all come out as a key-by-key load would have them.
func TestLoadInBatchesAcrossDatabases(t *testing.T) {
	write := func(dup bool) []byte {
		var buf bytes.Buffer
		e := rdb.NewEncoder(&buf, rdb.DefaultEncoderOptions())
		for db := 0; db < 3; db++ {
			require.NoError(t, e.SelectDB(db, 0, 0))
			for i := 0; i < 3*loadBatch+db; i++ {
				meta := rdb.KeyMeta{}
				if i%7 == 0 {
					meta = rdb.KeyMeta{Expire: persistEpoch.Add(time.Hour).UnixMilli(), HasExpire: true}
				}
				val := rdb.Value(rdb.String(fmt.Sprintf("v%d-%d", db, i)))
				if i%5 == 0 {
					val = rdb.List{[]byte("a"), []byte(strconv.Itoa(i))}
				}
				require.NoError(t, e.WriteKey([]byte(fmt.Sprintf("k%d", i)), meta, val))
			}
			if dup && db == 2 {
				require.NoError(t, e.WriteKey([]byte("k1"), rdb.KeyMeta{}, rdb.String("again")))
			}
		}
		require.NoError(t, e.Close())
		return buf.Bytes()
	}
	fsys := NewMemFS()
	fsys.WriteFile("dump.rdb", write(false))
	tn := newTestNodeFS(t, fsys, persistEpoch)
	for db := 0; db < 3; db++ {
		d := tn.n.ks.DB(db)
		require.Equal(t, 3*loadBatch+db, d.Len(), "db %d", db)
		require.Equal(t, (3*loadBatch+db+6)/7, d.ExpiresLen(), "db %d", db)
	}
	c := tn.connect()
	c.mustDo("SELECT", "2")
	assert.Equal(t, "v2-33", c.do("GET", "k33").Str)
	assert.Equal(t, []string{"a", "35"}, strs([]resp.Value{c.do("LRANGE", "k35", "0", "-1")}))
	assert.Equal(t, "0", infoField(tn.n, "rdb_last_load_keys_expired"))
	assert.Equal(t, strconv.Itoa(9*loadBatch+3), infoField(tn.n, "rdb_last_load_keys_loaded"))

	fsys = NewMemFS()
	fsys.WriteFile("dump.rdb", write(true))
	tn2 := newTestNodeFS(t, fsys, persistEpoch)
	exited, code := tn2.rt.Exited()
	require.True(t, exited && code == 1, "a file with a duplicated key was loaded")
	assert.Contains(t, strings.Join(tn2.rt.Logs, "\n"), `duplicated key "k1" in DB 2`)
}
