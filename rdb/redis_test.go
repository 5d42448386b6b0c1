package rdb_test

// Tests against Debian's redis-server 7.0 (on PATH): it loads files and
// payloads this package writes, and this package reads what it writes,
// byte for byte where compression is off.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"replab/internal/redistest"
	"replab/rdb"
	"replab/resp"
)

func do(t *testing.T, c *redistest.Conn, args ...string) resp.Value {
	t.Helper()
	_, v := c.Do(args...)
	if v.Kind == resp.KindError {
		t.Fatalf("%v: %s", args, v.Str)
	}
	return v
}

func strs(v resp.Value) []string {
	var out []string
	for _, e := range v.Elems {
		out = append(out, e.Str)
	}
	return out
}

func sorted(s []string) []string { sort.Strings(s); return s }

// populate fills a server with one of everything, deterministically (no
// XDEL, no encoding conversions back and forth), so that a re-encoding by
// this package can match Redis's file byte for byte.
func populate(t *testing.T, c *redistest.Conn) {
	t.Helper()
	do(t, c, "SET", "s:int", "12345")
	do(t, c, "SET", "s:neg", "-7")
	do(t, c, "SET", "s:big", "12345678901234567")
	do(t, c, "SET", "s:raw", "hello world")
	do(t, c, "SET", "s:long", strings.Repeat("abc", 200))
	do(t, c, "SET", "s:empty", "")
	do(t, c, "SET", "s:bin", "\x00\xff\r\n")
	do(t, c, "SET", "s:exp", "soon", "PXAT", "4102444800000")
	do(t, c, "RPUSH", "l:small", "a", "b", "1", "2", "-3")
	args := []string{"RPUSH", "l:big"}
	for i := 0; i < 5000; i++ {
		args = append(args, fmt.Sprintf("item%d", i))
	}
	do(t, c, args...)
	for i := 0; i < 20; i++ {
		do(t, c, "RPUSH", "l:huge", strings.Repeat(string(rune('a'+i)), 9000))
	}
	do(t, c, "LPUSH", "l:lpush", "x", "y", "z")
	do(t, c, "SADD", "set:ints", "1", "2", "3", "-5", "70000", "5000000000")
	do(t, c, "SADD", "set:words", "alpha", "beta", "gamma")
	args = []string{"SADD", "set:many"}
	for i := 0; i < 600; i++ {
		args = append(args, strconv.Itoa(i*7))
	}
	do(t, c, args...)
	do(t, c, "ZADD", "z:small", "1", "a", "2", "b", "1.5", "c", "-inf", "d", "+inf", "e", "0", "zero", "100000", "big")
	args = []string{"ZADD", "z:big"}
	for i := 0; i < 200; i++ {
		args = append(args, strconv.FormatFloat(float64(i)*0.37, 'g', -1, 64), fmt.Sprintf("m%d", i))
	}
	do(t, c, args...)
	do(t, c, "ZADD", "z:longmember", "1", strings.Repeat("m", 70))
	do(t, c, "HSET", "h:small", "f1", "v1", "f2", "2", "f3", "", "-17", "neg")
	args = []string{"HSET", "h:big"}
	for i := 0; i < 600; i++ {
		args = append(args, fmt.Sprintf("field%d", i), fmt.Sprintf("value%d", i*i))
	}
	do(t, c, args...)
	do(t, c, "HSET", "h:longval", "f", strings.Repeat("x", 100))
	for i := 1; i <= 300; i++ {
		fields := []string{"XADD", "st", fmt.Sprintf("%d-%d", 1000+i/4, i%4), "type", "click", "n", strconv.Itoa(i)}
		if i%9 == 0 {
			fields = append(fields, "extra", strings.Repeat("e", i))
		}
		if i%50 == 0 {
			fields = []string{"XADD", "st", fmt.Sprintf("%d-%d", 1000+i/4, i%4), "other", "fields"}
		}
		do(t, c, fields...)
	}
	do(t, c, "XGROUP", "CREATE", "st", "g1", "0")
	do(t, c, "XREADGROUP", "GROUP", "g1", "alice", "COUNT", "3", "STREAMS", "st", ">")
	do(t, c, "XREADGROUP", "GROUP", "g1", "bob", "COUNT", "2", "STREAMS", "st", ">")
	do(t, c, "XACK", "st", "g1", "1000-1")
	do(t, c, "XGROUP", "CREATECONSUMER", "st", "g1", "carol")
	do(t, c, "XGROUP", "CREATE", "st", "g2", "$")
	do(t, c, "XADD", "st:empty", "1-1", "a", "b")
	do(t, c, "XTRIM", "st:empty", "MAXLEN", "0")
	do(t, c, "SELECT", "3")
	do(t, c, "SET", "in-db-3", "yes")
	do(t, c, "SELECT", "0")
	do(t, c, "FUNCTION", "LOAD", "#!lua name=mylib\nredis.register_function('myfunc', function(keys, args) return 1 end)")
}

// reencode decodes an RDB file and writes it back with this package's
// Encoder.
func reencode(t *testing.T, data []byte, opts rdb.EncoderOptions) []byte {
	t.Helper()
	d := rdb.NewDecoder(bytes.NewReader(data), rdb.DecoderOptions{Functions: true})
	var out bytes.Buffer
	e := rdb.NewEncoder(&out, opts)
	db := 0
	for {
		rec, err := d.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		switch rec.Kind {
		case rdb.RecordAux:
			err = e.WriteAux(rec.Key, rec.Aux)
		case rdb.RecordFunction:
			err = e.WriteFunction(rec.Aux)
		case rdb.RecordSelectDB:
			db = rec.DB
		case rdb.RecordResizeDB:
			err = e.SelectDB(db, rec.DBSize, rec.ExpiresSize)
		case rdb.RecordKey:
			src := rdb.Source(rec.Value)
			// Sets that Redis keeps in a hashtable although they would fit
			// an intset (it never converts back) must say so.
			if rec.Type == rdb.TypeSet {
				src = rdb.SetSource{Len: rec.Value.Len(), Members: seq(rec.Value.(rdb.Set)), Hashtable: true}
			}
			err = e.WriteKey(rec.Key, rec.KeyMeta, src)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func seq(s [][]byte) func(func([]byte) bool) {
	return func(yield func([]byte) bool) {
		for _, b := range s {
			if !yield(b) {
				return
			}
		}
	}
}

// firstDiff describes where two files differ, by record.
func firstDiff(t *testing.T, a, b []byte) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	d := rdb.NewDecoder(bytes.NewReader(a), rdb.DecoderOptions{Functions: true})
	last := "header"
	for {
		rec, err := d.Next()
		if err != nil || rec.Offset > int64(i) {
			break
		}
		last = fmt.Sprintf("%v %q (type %v) at %d", rec.Kind, rec.Key, rec.Type, rec.Offset)
	}
	lo := max(0, i-16)
	return fmt.Sprintf("byte %d, inside %s\nredis: % x\n ours: % x", i, last, a[lo:min(len(a), i+16)], b[lo:min(len(b), i+16)])
}

func save(t *testing.T, r *redistest.Redis, c *redistest.Conn) []byte {
	t.Helper()
	do(t, c, "SAVE")
	data, err := os.ReadFile(filepath.Join(r.Dir, "dump.rdb"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// With rdbcompression off, decoding Redis's SAVE output and encoding it
// again must give the same bytes: same encodings, same node splits, same
// checksum. DUMP payloads must match too.
func TestEncoderMatchesRedisBytes(t *testing.T) {
	configs := map[string][]string{
		"defaults": nil,
		"small thresholds": {"--list-max-listpack-size", "5", "--hash-max-listpack-entries", "4", "--hash-max-listpack-value", "8",
			"--zset-max-listpack-entries", "3", "--zset-max-listpack-value", "8", "--set-max-intset-entries", "3",
			"--stream-node-max-entries", "7", "--stream-node-max-bytes", "300"},
		"size fill": {"--list-max-listpack-size", "-1", "--stream-node-max-entries", "0", "--stream-node-max-bytes", "1000"},
	}
	for name, args := range configs {
		t.Run(name, func(t *testing.T) {
			r := redistest.StartRedis(t, append([]string{"--rdbcompression", "no"}, args...)...)
			c := redistest.Dial(t, r.Addr())
			populate(t, c)
			data := save(t, r, c)
			opts := optionsOf(t, c)
			opts.Compression = false
			ours := reencode(t, data, opts)
			if !bytes.Equal(data, ours) {
				t.Fatalf("re-encoded file differs at %s", firstDiff(t, data, ours))
			}
			// DUMP payloads.
			recs := records(t, data)
			for _, rec := range recs {
				if rec.Kind != rdb.RecordKey || rec.DB != 0 {
					continue
				}
				_, v := c.Do("DUMP", string(rec.Key))
				src := rdb.Source(rec.Value)
				if rec.Type == rdb.TypeSet {
					src = rdb.SetSource{Len: rec.Value.Len(), Members: seq(rec.Value.(rdb.Set)), Hashtable: true}
				}
				mine, err := rdb.AppendDump(nil, src, opts)
				if err != nil {
					t.Fatal(err)
				}
				if v.Str != string(mine) {
					t.Errorf("DUMP %s differs:\nredis % x\n ours % x", rec.Key, v.Str[:min(64, len(v.Str))], mine[:min(64, len(mine))])
				}
			}
		})
	}
}

func records(t *testing.T, data []byte) []rdb.Record {
	t.Helper()
	d := rdb.NewDecoder(bytes.NewReader(data), rdb.DecoderOptions{Functions: true})
	var recs []rdb.Record
	for {
		rec, err := d.Next()
		if err == io.EOF {
			return recs
		}
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
}

// optionsOf reads the server's thresholds.
func optionsOf(t *testing.T, c *redistest.Conn) rdb.EncoderOptions {
	t.Helper()
	get := func(name string) int {
		v := strs(do(t, c, "CONFIG", "GET", name))
		n, err := strconv.Atoi(v[1])
		if err != nil {
			t.Fatalf("%s: %v", name, v)
		}
		return n
	}
	opts := rdb.DefaultEncoderOptions()
	opts.ListMaxListpackSize = get("list-max-listpack-size")
	opts.HashMaxListpackEntries = get("hash-max-listpack-entries")
	opts.HashMaxListpackValue = get("hash-max-listpack-value")
	opts.SetMaxIntsetEntries = get("set-max-intset-entries")
	opts.ZSetMaxListpackEntries = get("zset-max-listpack-entries")
	opts.ZSetMaxListpackValue = get("zset-max-listpack-value")
	opts.StreamNodeMaxBytes = get("stream-node-max-bytes")
	opts.StreamNodeMaxEntries = get("stream-node-max-entries")
	return opts
}

func checkRDB(t *testing.T, path string) {
	t.Helper()
	out, err := exec.Command(redistest.ToolPath(t, "redis-check-rdb"), path).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "RDB looks OK") {
		t.Fatalf("redis-check-rdb %s: %v\n%s", path, err, out)
	}
}

// With compression on, the re-encoded file differs from Redis's only in the
// LZF streams; a fresh Redis loads it into the same dataset (DEBUG DIGEST).
func TestRedisLoadsReencodedCompressedFile(t *testing.T) {
	r := redistest.StartRedis(t)
	c := redistest.Dial(t, r.Addr())
	populate(t, c)
	data := save(t, r, c)
	digest := do(t, c, "DEBUG", "DIGEST").Str
	ours := reencode(t, data, optionsOf(t, c))
	dir := t.TempDir()
	path := filepath.Join(dir, "ours.rdb")
	if err := os.WriteFile(path, ours, 0o644); err != nil {
		t.Fatal(err)
	}
	checkRDB(t, path)
	r2 := redistest.StartRedis(t, "--dir", dir, "--dbfilename", "ours.rdb")
	c2 := redistest.Dial(t, r2.Addr())
	if got := do(t, c2, "DEBUG", "DIGEST").Str; got != digest {
		t.Fatalf("digest %s, want %s", got, digest)
	}
	if libs := do(t, c2, "FUNCTION", "LIST"); len(libs.Elems) != 1 || libs.Elems[0].Elems[1].Str != "mylib" {
		t.Fatalf("FUNCTION LIST: %+v", libs)
	}
}

// A file written from scratch by the Encoder loads into Redis with the
// values and encodings intended; redis-check-rdb accepts it.
func TestRedisLoadsOurFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ours.rdb")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	e := rdb.NewEncoder(f, rdb.DefaultEncoderOptions())
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(e.WriteAux([]byte("redis-ver"), []byte("7.0.15")))
	must(e.WriteAux([]byte("redis-bits"), []byte("64")))
	must(e.WriteFunction([]byte("#!lua name=lib1\nredis.register_function('hello', function() return 'hi' end)")))
	must(e.SelectDB(0, 11, 1))
	k := func(name string, v rdb.Source) { t.Helper(); must(e.WriteKey([]byte(name), rdb.KeyMeta{}, v)) }
	must(e.WriteKey([]byte("exp"), rdb.KeyMeta{Expire: 4102444800000, HasExpire: true}, rdb.String("later")))
	k("int", rdb.String("-123456"))
	k("lzf", rdb.String(strings.Repeat("compress me ", 100)))
	big := rdb.ListSource{Len: 10000, Elements: func(yield func([]byte) bool) {
		for i := 0; i < 10000; i++ {
			if !yield([]byte(fmt.Sprintf("e%d", i))) {
				return
			}
		}
	}}
	k("list", big)
	k("intset", rdb.Set{[]byte("3"), []byte("1"), []byte("2")})
	k("set", rdb.Set{[]byte("a"), []byte("b")})
	k("zset", rdb.ZSet{{Member: []byte("x"), Score: 2.5}, {Member: []byte("y"), Score: -1}})
	bigz := rdb.ZSet{}
	for i := 0; i < 300; i++ {
		bigz = append(bigz, rdb.ZMember{Member: []byte(fmt.Sprintf("m%d", i)), Score: float64(i)})
	}
	k("bigz", bigz)
	k("hash", rdb.Hash{{Field: []byte("a"), Value: []byte("1")}, {Field: []byte("b"), Value: []byte("two")}})
	bigh := rdb.Hash{}
	for i := 0; i < 1000; i++ {
		bigh = append(bigh, rdb.HashField{Field: []byte(fmt.Sprintf("f%d", i)), Value: []byte(strconv.Itoa(i))})
	}
	k("bigh", bigh)
	st := &rdb.Stream{Length: 2, LastID: rdb.StreamID{Ms: 5, Seq: 1}, FirstID: rdb.StreamID{Ms: 5}, EntriesAdded: 2,
		Entries: []rdb.StreamEntry{
			{ID: rdb.StreamID{Ms: 5}, Fields: []rdb.StreamField{{Field: []byte("a"), Value: []byte("1")}}},
			{ID: rdb.StreamID{Ms: 5, Seq: 1}, Fields: []rdb.StreamField{{Field: []byte("a"), Value: []byte("2")}}},
		},
		Groups: []rdb.StreamGroup{{Name: []byte("grp"), LastID: rdb.StreamID{Ms: 5}, EntriesRead: 1,
			PEL:       []rdb.StreamPending{{ID: rdb.StreamID{Ms: 5}, DeliveryTime: 1700000000000, DeliveryCount: 2}},
			Consumers: []rdb.StreamConsumer{{Name: []byte("bob"), SeenTime: 1700000000000, PEL: []rdb.StreamID{{Ms: 5}}}}}}}
	k("stream", st)
	must(e.SelectDB(5, 1, 0))
	k("db5", rdb.String("five"))
	must(e.Close())
	must(f.Close())

	checkRDB(t, path)
	r := redistest.StartRedis(t, "--dir", dir, "--dbfilename", "ours.rdb")
	c := redistest.Dial(t, r.Addr())
	if n := do(t, c, "DBSIZE").Int; n != 11 {
		t.Fatalf("DBSIZE %d", n)
	}
	checks := []struct {
		cmd  []string
		want string
	}{
		{[]string{"GET", "exp"}, "later"},
		{[]string{"PEXPIRETIME", "exp"}, "4102444800000"},
		{[]string{"GET", "int"}, "-123456"},
		{[]string{"OBJECT", "ENCODING", "int"}, "int"},
		{[]string{"STRLEN", "lzf"}, "1200"},
		{[]string{"LLEN", "list"}, "10000"},
		{[]string{"LINDEX", "list", "7777"}, "e7777"},
		{[]string{"OBJECT", "ENCODING", "intset"}, "intset"},
		{[]string{"SMEMBERS", "intset"}, "1 2 3"},
		{[]string{"OBJECT", "ENCODING", "set"}, "hashtable"},
		{[]string{"ZRANGE", "zset", "0", "-1", "WITHSCORES"}, "y -1 x 2.5"},
		{[]string{"OBJECT", "ENCODING", "zset"}, "listpack"},
		{[]string{"OBJECT", "ENCODING", "bigz"}, "skiplist"},
		{[]string{"ZSCORE", "bigz", "m299"}, "299"},
		{[]string{"HGETALL", "hash"}, "a 1 b two"},
		{[]string{"OBJECT", "ENCODING", "bigh"}, "hashtable"},
		{[]string{"HGET", "bigh", "f999"}, "999"},
		{[]string{"XLEN", "stream"}, "2"},
		{[]string{"XPENDING", "stream", "grp", "-", "+", "10"}, "5-0 bob"},
		{[]string{"FCALL", "hello", "0"}, "hi"},
	}
	for _, ch := range checks {
		v := do(t, c, ch.cmd...)
		var got string
		switch v.Kind {
		case resp.KindArray:
			var parts []string
			for _, e := range v.Elems {
				if e.Kind == resp.KindArray {
					parts = append(parts, e.Elems[0].Str, e.Elems[1].Str)
				} else {
					parts = append(parts, e.Str)
				}
			}
			if ch.cmd[0] == "SMEMBERS" {
				sort.Strings(parts)
			}
			got = strings.Join(parts, " ")
		case resp.KindInt:
			got = strconv.FormatInt(v.Int, 10)
		default:
			got = v.Str
		}
		if got != ch.want {
			t.Errorf("%v: %q, want %q", ch.cmd, got, ch.want)
		}
	}
	do(t, c, "SELECT", "5")
	if v := do(t, c, "GET", "db5"); v.Str != "five" {
		t.Errorf("db 5: %q", v.Str)
	}
}

// The Decoder reads what Redis SAVEs after DEBUG POPULATE and one key of
// each type; values agree with what the server answers.
func TestDecodeRedisSave(t *testing.T) {
	r := redistest.StartRedis(t)
	c := redistest.Dial(t, r.Addr())
	do(t, c, "DEBUG", "POPULATE", "1000", "pop", "10")
	populate(t, c)
	// Deleted stream entries stay in their node with a flag.
	do(t, c, "XDEL", "st", "1000-2", "1010-3")
	data := save(t, r, c)
	recs := records(t, data)
	byKey := map[string]rdb.Record{}
	for _, rec := range recs {
		if rec.Kind == rdb.RecordKey {
			byKey[fmt.Sprintf("%d/%s", rec.DB, rec.Key)] = rec
		}
	}
	if n := do(t, c, "DBSIZE").Int; int(n)+1 != len(byKey) {
		t.Fatalf("%d keys decoded, DBSIZE %d (+1 in db 3)", len(byKey), n)
	}
	if v := byKey["0/pop:123"].Value; string(v.(rdb.String)) != "value:123\x00" { // padded to 10 bytes
		t.Errorf("pop:123 = %q", v)
	}
	// Every key's value, re-serialized by this package and RESTOREd under a
	// new name, has the same DEBUG DIGEST-VALUE as the original.
	for name, rec := range byKey {
		if rec.DB != 0 {
			continue
		}
		payload, err := rdb.AppendDump(nil, rec.Value, rdb.DefaultEncoderOptions())
		if err != nil {
			t.Fatal(err)
		}
		key := string(rec.Key)
		if rec.HasExpire {
			do(t, c, "RESTORE", "copy:"+key, strconv.FormatInt(rec.Expire, 10), string(payload), "ABSTTL")
		} else {
			do(t, c, "RESTORE", "copy:"+key, "0", string(payload))
		}
		a := do(t, c, "DEBUG", "DIGEST-VALUE", key)
		b := do(t, c, "DEBUG", "DIGEST-VALUE", "copy:"+key)
		if a.Elems[0].Str != b.Elems[0].Str {
			t.Errorf("%s: digest %s after RESTORE of our payload, want %s", name, b.Elems[0].Str, a.Elems[0].Str)
		}
		// And Redis's own DUMP payload decodes to the same value.
		_, v := c.Do("DUMP", key)
		_, val, err := rdb.ParseDump([]byte(v.Str), rdb.DecoderOptions{})
		if err != nil {
			t.Fatalf("%s: parsing Redis's DUMP: %v", name, err)
		}
		if fmt.Sprint(val) != fmt.Sprint(rec.Value) && rec.Type != rdb.TypeSet && rec.Type != rdb.TypeHash {
			t.Errorf("%s: DUMP and SAVE decode differently", name)
		}
	}
	st := byKey["0/st"].Value.(*rdb.Stream)
	if xl := do(t, c, "XLEN", "st").Int; int(xl) != len(st.Entries) || st.MaxDeletedID != (rdb.StreamID{Ms: 1010, Seq: 3}) {
		t.Errorf("stream: %d entries (XLEN %d), max deleted %v", len(st.Entries), xl, st.MaxDeletedID)
	}
	if got := strs(do(t, c, "LRANGE", "l:small", "0", "-1")); fmt.Sprintf("%q", got) != fmt.Sprintf("%q", byKey["0/l:small"].Value) {
		t.Errorf("l:small: %v vs %v", got, byKey["0/l:small"].Value)
	}
	rep := rdb.Check(bytes.NewReader(data), 0)
	if !rep.OK || rep.Keys != int64(len(byKey)) || rep.Functions != 1 {
		t.Errorf("Check: %+v", rep)
	}
}

// Redis refuses our payloads exactly when RESTORE should: a wrong footer.
func TestRedisRestoreChecks(t *testing.T) {
	r := redistest.StartRedis(t)
	c := redistest.Dial(t, r.Addr())
	payload, err := rdb.AppendDump(nil, rdb.String("v"), rdb.DefaultEncoderOptions())
	if err != nil {
		t.Fatal(err)
	}
	bad := append([]byte(nil), payload...)
	bad[len(bad)-1] ^= 1
	_, v := c.Do("RESTORE", "k", "0", string(bad))
	if v.Kind != resp.KindError || v.Str != "ERR "+rdb.MsgDumpPayload {
		t.Errorf("redis says %q", v.Str)
	}
	if _, _, err := rdb.ParseDump(bad, rdb.DecoderOptions{}); !errors.Is(err, rdb.ErrDumpPayload) {
		t.Errorf("ParseDump: %v", err)
	}
	// A well-formed footer around a bad body.
	body := []byte{byte(rdb.TypeSet), 0}
	body = append(body, 10, 0)
	body = rdb.AppendMillis(body, int64(rdb.CRC64(0, body)))
	_, v = c.Do("RESTORE", "k2", "0", string(body))
	if v.Kind != resp.KindError || v.Str != "ERR "+rdb.MsgBadDataFormat {
		t.Errorf("redis says %q", v.Str)
	}
	if _, _, err := rdb.ParseDump(body, rdb.DecoderOptions{}); !errors.Is(err, rdb.ErrBadDataFormat) {
		t.Errorf("ParseDump: %v", err)
	}
}
