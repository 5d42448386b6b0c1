package rdb

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// jsonOf renders a value canonically for comparisons.
func jsonOf(v Value) string { return string(appendValueJSON(nil, v)) }

type wantKey struct {
	db     int
	typ    Type
	expire int64 // 0: none
	value  Value
}

func checkKeys(t *testing.T, recs []Record, want map[string]wantKey) {
	t.Helper()
	got := keys(recs)
	if len(got) != len(want) {
		names := []string{}
		for k := range got {
			names = append(names, k)
		}
		t.Errorf("%d keys %v, want %d", len(got), names, len(want))
	}
	for name, w := range want {
		r, ok := got[name]
		if !ok {
			t.Errorf("key %q missing", name)
			continue
		}
		if r.DB != w.db || r.Type != w.typ {
			t.Errorf("key %q: db %d type %v, want db %d type %v", name, r.DB, r.Type, w.db, w.typ)
		}
		if r.HasExpire != (w.expire != 0) || r.Expire != w.expire {
			t.Errorf("key %q: expire %v/%d, want %d", name, r.HasExpire, r.Expire, w.expire)
		}
		if g, e := jsonOf(r.Value), jsonOf(w.value); g != e {
			if len(g) > 300 {
				g = g[:300]
			}
			if len(e) > 300 {
				e = e[:300]
			}
			t.Errorf("key %q:\n got %s\nwant %s", name, g, e)
		}
	}
}

func auxOf(recs []Record) string {
	var s []string
	for _, r := range recs {
		if r.Kind == RecordAux {
			s = append(s, string(r.Key)+"="+string(r.Aux))
		}
	}
	return strings.Join(s, " ")
}

// alltypesWant is the content of redis-7.0-alltypes.rdb, as the real Redis
// 7.0.15 that loaded it reports it (TYPE, OBJECT ENCODING, GET, LRANGE,
// SMEMBERS, ZRANGE WITHSCORES, HGETALL, XINFO STREAM FULL).
func alltypesWant() map[string]wantKey {
	wide := Hash{}
	for i := 0; i < 200; i++ {
		wide = append(wide, HashField{Field: []byte(fmt.Sprintf("k%d", i)), Value: bytes.Repeat([]byte{'v'}, i)})
	}
	bigz := ZSet{}
	for i := 0; i < 500; i++ {
		bigz = append(bigz, ZMember{Member: []byte(fmt.Sprintf("p%d", i)), Score: float64(i) / 3})
	}
	manyints := Set{}
	for i := 0; i <= 1998; i += 3 {
		manyints = append(manyints, []byte(fmt.Sprint(i)))
	}
	biglist := List{}
	for i := 0; i < 3000; i++ {
		biglist = append(biglist, []byte(fmt.Sprintf("item%05d", i)))
	}
	events := &Stream{Length: 59, LastID: StreamID{1700000000059, 2}, FirstID: StreamID{1700000000001, 1}, EntriesAdded: 59}
	for i := uint64(1); i <= 59; i++ {
		events.Entries = append(events.Entries, StreamEntry{ID: StreamID{1700000000000 + i, i % 3},
			Fields: []StreamField{{[]byte("type"), []byte("click")}, {[]byte("n"), []byte(fmt.Sprint(i))}}})
	}
	pending := []StreamID{{1700000000001, 1}, {1700000000002, 2}, {1700000000003, 0}}
	g := StreamGroup{Name: []byte("workers"), LastID: StreamID{1700000000003, 0}, EntriesRead: 3}
	for _, id := range pending {
		g.PEL = append(g.PEL, StreamPending{ID: id, DeliveryTime: 1795313587450, DeliveryCount: 1})
	}
	g.Consumers = []StreamConsumer{
		{Name: []byte("idle"), SeenTime: 1795313587451, ActiveTime: 1795313587451},
		{Name: []byte("w1"), SeenTime: 1795313587450, ActiveTime: 1795313587450, PEL: pending},
	}
	events.Groups = []StreamGroup{g}
	return map[string]wantKey{
		"biglist":  {0, TypeListQuicklist2, 0, biglist},
		"bigz":     {0, TypeZSet2, 0, bigz},
		"board":    {0, TypeZSetListpack, 0, ZSet{{[]byte("x"), 10}, {[]byte("z"), 15.5}, {[]byte("y"), 20}}},
		"counter":  {0, TypeString, 0, String("-17")},
		"events":   {0, TypeStreamListpacks2, 0, events},
		"expiring": {0, TypeString, 4102444800000, String("soon")},
		"greeting": {0, TypeString, 0, String("hello")},
		"ints":     {0, TypeSetIntset, 0, Set(bs("1", "3", "5"))},
		"long":     {0, TypeString, 0, String("7000000000000000")},
		"lzf":      {0, TypeString, 0, String(strings.Repeat("xyz", 400))},
		"manyints": {0, TypeSet, 0, manyints},
		"q":        {0, TypeListQuicklist2, 0, List(bs("0", "1", "2", "3", "4"))},
		"user:1":   {0, TypeHashListpack, 0, Hash{{Field: []byte("name"), Value: []byte("ada")}, {Field: []byte("age"), Value: []byte("36")}}},
		"wide":     {0, TypeHash, 0, wide},
		"words":    {0, TypeSet, 0, Set(bs("alpha", "beta", "gamma"))},
		"in-db-2":  {2, TypeString, 0, String("yes")},
	}
}

// sortedCopy sorts the members of unordered values (hashtable sets and
// hashes, skiplist zsets) so that file order does not matter.
func sortedCopy(v Value) Value {
	switch v := v.(type) {
	case Set:
		c := append(Set(nil), v...)
		sortBytes(c)
		return c
	case Hash:
		c := append(Hash(nil), v...)
		sortFunc(c, func(a, b HashField) int { return bytes.Compare(a.Field, b.Field) })
		return c
	case ZSet:
		c := append(ZSet(nil), v...)
		sortFunc(c, func(a, b ZMember) int { return bytes.Compare(a.Member, b.Member) })
		return c
	}
	return v
}

func TestDecodeAlltypes(t *testing.T) {
	data := sharedRDB(t, "redis-7.0-alltypes.rdb")
	var warnings []string
	recs, err := decodeAll(t, data, DecoderOptions{Warn: func(off int64, m string) { warnings = append(warnings, m) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 0 {
		t.Errorf("warnings: %v", warnings)
	}
	if got := auxOf(recs); got != "redis-ver=7.0.15 redis-bits=64 ctime=1795313587 used-mem=1346560 aof-base=0" {
		t.Errorf("aux: %s", got)
	}
	// Hashtable encodings are in dict order: compare sorted.
	for i := range recs {
		if recs[i].Kind == RecordKey {
			recs[i].Value = sortedCopy(recs[i].Value)
		}
	}
	want := alltypesWant()
	for k, w := range want {
		w.value = sortedCopy(w.value)
		want[k] = w
	}
	checkKeys(t, recs, want)
	// The database records.
	var dbs []string
	for _, r := range recs {
		switch r.Kind {
		case RecordSelectDB:
			dbs = append(dbs, fmt.Sprintf("select %d", r.DB))
		case RecordResizeDB:
			dbs = append(dbs, fmt.Sprintf("resize %d %d/%d", r.DB, r.DBSize, r.ExpiresSize))
		}
	}
	if got := strings.Join(dbs, ", "); got != "select 0, resize 0 15/1, select 2, resize 2 1/0" {
		t.Errorf("db records: %s", got)
	}
}

func TestDecodeOldFiles(t *testing.T) {
	enc := func(t *testing.T) {
		data := sharedRDB(t, "encodings.rdb")
		recs, err := decodeAll(t, data, DecoderOptions{})
		if err != nil {
			t.Fatal(err)
		}
		list := List{}
		for i := 0; i < 3; i++ {
			list = append(list, bs("1", "2", "3", "a", "b", "c", "100000", "6000000000")...)
		}
		checkKeys(t, recs, map[string]wantKey{
			"zset": {0, TypeZSet, 0, ZSet{{[]byte("bb"), 20}, {[]byte("cc"), 30}, {[]byte("bbb"), 200}, {[]byte("bbbb"), 5e9},
				{[]byte("ccc"), 300}, {[]byte("cccc"), 123456789}, {[]byte("a"), 1}, {[]byte("aa"), 10}, {[]byte("b"), 2},
				{[]byte("aaa"), 100}, {[]byte("c"), 3}, {[]byte("aaaa"), 1000}}},
			"set_zipped_1": {0, TypeSetIntset, 0, Set(bs("1", "2", "3", "4"))},
			"list_zipped":  {0, TypeListZiplist, 0, List(bs("1", "2", "3", "a", "b", "c", "100000", "6000000000"))},
			"string":       {0, TypeString, 0, String("Hello World")},
			"compressible": {0, TypeString, 0, String(strings.Repeat("a", 137))},
			"set_zipped_2": {0, TypeSetIntset, 0, Set(bs("100000", "200000", "300000", "400000"))},
			"number":       {0, TypeString, 0, String("10")},
			"set_zipped_3": {0, TypeSetIntset, 0, Set(bs("1000000000", "2000000000", "3000000000", "4000000000", "5000000000", "6000000000"))},
			"set":          {0, TypeSet, 0, Set(bs("6000000000", "100000", "a", "1", "b", "2", "c", "3"))},
			"list":         {0, TypeList, 0, list},
			"hash_zipped":  {0, TypeHashZiplist, 0, Hash{{Field: []byte("a"), Value: []byte("1")}, {Field: []byte("b"), Value: []byte("2")}, {Field: []byte("c"), Value: []byte("3")}}},
			"zset_zipped":  {0, TypeZSetZiplist, 0, ZSet{{[]byte("a"), 1}, {[]byte("b"), 2}, {[]byte("c"), 3}}},
			"hash": {0, TypeHash, 0, Hash{{Field: []byte("b"), Value: []byte("2")}, {Field: []byte("aa"), Value: []byte("10")},
				{Field: []byte("c"), Value: []byte("3")}, {Field: []byte("aaa"), Value: []byte("100")}, {Field: []byte("bb"), Value: []byte("20")},
				{Field: []byte("cc"), Value: []byte("30")}, {Field: []byte("bbb"), Value: []byte("200")}, {Field: []byte("ccc"), Value: []byte("300")},
				{Field: []byte("ddd"), Value: []byte("400")}, {Field: []byte("eee"), Value: []byte("5000000000")}, {Field: []byte("a"), Value: []byte("1")}}},
		})
	}
	t.Run("encodings", enc)
	small := map[string]struct {
		aux  string
		want map[string]wantKey
	}{
		"hash-zipmap.rdb": {"", map[string]wantKey{"hash": {0, TypeHashZipmap, 0, Hash{{Field: []byte("f1"), Value: []byte("v1")}, {Field: []byte("f2"), Value: []byte("v2")}}}}},
		"hash-ziplist.rdb": {"redis-ver=255.255.255 redis-bits=64 ctime=1620466888 used-mem=830864 aof-preamble=0",
			map[string]wantKey{"hash": {0, TypeHashZiplist, 0, Hash{{Field: []byte("f1"), Value: []byte("v1")}, {Field: []byte("f2"), Value: []byte("v2")}}}}},
		"list-quicklist.rdb": {"redis-ver=4.0.9 redis-bits=64 ctime=1629882015 used-mem=496256 aof-preamble=0",
			map[string]wantKey{"list": {0, TypeListQuicklist, 0, List(bs("7"))}, "x": {0, TypeString, 0, String("7")}}},
		"zset-ziplist.rdb": {"redis-ver=255.255.255 redis-bits=64 ctime=1628682082 used-mem=848976 aof-preamble=0",
			map[string]wantKey{"zset": {0, TypeZSetZiplist, 0, ZSet{{[]byte("one"), 1}, {[]byte("two"), 2}}}}},
		"scriptbackup.rdb": {"redis-ver=255.255.255 redis-bits=64 ctime=1639381261 used-mem=908432 repl-stream-db=0 " +
			"repl-id=349eeafec1f98f3f56277e95fc86bc48b30651a2 repl-offset=0 aof-preamble=0 lua=return redis.call('set', 'foo', 'bar')", map[string]wantKey{}},
		"redis-7.0-empty.rdb": {"redis-ver=7.0.15 redis-bits=64 ctime=1795313587 used-mem=914448 aof-base=0", map[string]wantKey{}},
	}
	for name, c := range small {
		t.Run(name, func(t *testing.T) {
			recs, err := decodeAll(t, sharedRDB(t, name), DecoderOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got := auxOf(recs); got != c.aux {
				t.Errorf("aux: %s", got)
			}
			checkKeys(t, recs, c.want)
		})
	}
}

func TestDecodeCorruptFiles(t *testing.T) {
	t.Run("ziplist", func(t *testing.T) {
		_, err := decodeAll(t, sharedRDB(t, "corrupt_ziplist.rdb"), DecoderOptions{})
		var e *Error
		if !errors.As(err, &e) || !errors.Is(err, ErrCorrupt) {
			t.Fatalf("err = %v", err)
		}
		// redis-check-rdb stops at the same place: offset 494, key
		// key:000000000091, type 13 (hash-ziplist).
		if e.Offset != 494 || string(e.Key) != "key:000000000091" || e.Type != TypeHashZiplist {
			t.Fatalf("error at %d key %q type %v", e.Offset, e.Key, e.Type)
		}
	})
	t.Run("empty keys skipped", func(t *testing.T) {
		var warnings []string
		recs, err := decodeAll(t, sharedRDB(t, "corrupt_empty_keys.rdb"), DecoderOptions{Warn: func(off int64, m string) {
			warnings = append(warnings, m)
		}})
		if err != nil {
			t.Fatal(err)
		}
		if n := len(keys(recs)); n != 0 {
			t.Fatalf("%d keys loaded", n)
		}
		want := "skipping empty key: set|skipping empty key: hash|skipping empty key: list_ziplist|skipping empty key: zset|" +
			"skipping empty key: zset_listpack|skipping empty key: hash_ziplist|skipping empty key: list_quicklist|" +
			"skipping empty key: zset_ziplist|skipping empty key: list_quicklist_empty_ziplist"
		if got := strings.Join(warnings, "|"); got != want {
			t.Fatalf("warnings: %s", got)
		}
	})
	t.Run("empty keys rejected", func(t *testing.T) {
		_, err := decodeAll(t, sharedRDB(t, "corrupt_empty_keys.rdb"), DecoderOptions{RejectEmptyKeys: true})
		var e *Error
		if !errors.As(err, &e) || !errors.Is(err, ErrEmptyKey) || string(e.Key) != "set" || e.Type != TypeSet {
			t.Fatalf("err = %v", err)
		}
	})
}

// Every proper prefix of every file must fail with ErrTruncated, and no
// byte flip may panic.
func TestDecodeTruncatedAndFlipped(t *testing.T) {
	files := sharedRDBFiles()
	if files == nil {
		t.Skip("SKIPPED: shared RDB files absent")
	}
	for _, f := range files {
		name := f[strings.LastIndex(f, "/")+1:]
		data := sharedRDB(t, name)
		step := 1
		if len(data) > 2000 {
			step = 7
		}
		for cut := 0; cut < len(data); cut += step {
			_, err := decodeAll(t, data[:cut], DecoderOptions{})
			if err == nil {
				t.Fatalf("%s cut at %d: no error", name, cut)
			}
			if !strings.HasPrefix(name, "corrupt") && !errors.Is(err, ErrTruncated) {
				t.Fatalf("%s cut at %d: %v", name, cut, err)
			}
		}
		flipStep := max(1, len(data)/400)
		for i := 0; i < len(data); i += flipStep {
			for _, x := range []byte{0x01, 0x80, 0xff} {
				mod := append([]byte(nil), data...)
				mod[i] ^= x
				decodeAll(t, mod, DecoderOptions{SkipChecksum: true})
				if _, err := decodeAll(t, mod, DecoderOptions{}); err == nil && !bytes.Equal(mod, data) && len(data) > 9 && i < len(data)-8 {
					// A flip is caught by the checksum, unless the file has
					// none (RDB < 5) or it lands in an ignored part.
					if v := mod[8] - '0' + (mod[7]-'0')*10; v >= 5 && mod[5] == '0' && !bytes.Equal(data[len(data)-8:], make([]byte, 8)) {
						t.Errorf("%s: flip of byte %d by %#x not detected", name, i, x)
					}
				}
			}
		}
	}
}

func TestChecksumMismatch(t *testing.T) {
	data := append([]byte(nil), sharedRDB(t, "redis-7.0-empty.rdb")...)
	data[len(data)-1] ^= 1
	if _, err := decodeAll(t, data, DecoderOptions{}); !errors.Is(err, ErrChecksum) {
		t.Fatalf("err = %v", err)
	}
	if _, err := decodeAll(t, data, DecoderOptions{SkipChecksum: true}); err != nil {
		t.Fatalf("with SkipChecksum: %v", err)
	}
	// A zero checksum means "disabled".
	copy(data[len(data)-8:], make([]byte, 8))
	var warned bool
	if _, err := decodeAll(t, data, DecoderOptions{Warn: func(int64, string) { warned = true }}); err != nil || !warned {
		t.Fatalf("zero checksum: %v, warned %v", err, warned)
	}
}

// rawFile assembles an RDB file by hand: header, body, EOF, CRC.
func rawFile(version int, body ...[]byte) []byte {
	f := []byte(fmt.Sprintf("REDIS%04d", version))
	for _, b := range body {
		f = append(f, b...)
	}
	f = append(f, OpEOF)
	if version >= 5 {
		f = AppendMillis(f, int64(CRC64(0, f)))
	}
	return f
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
func str(s string) []byte        { return AppendString(nil, []byte(s), false) }
func ln(v uint64) []byte         { return AppendLen(nil, v) }

func TestDecodeHeaders(t *testing.T) {
	cases := map[string]error{
		"REDIS0000": ErrUnsupported,
		"REDIS0013": ErrUnsupported,
		"REDIS00a1": ErrCorrupt,
		"VALKEY080": ErrUnsupported,
		"NOTREDIS1": ErrCorrupt,
		"REDI":      ErrTruncated,
	}
	for h, want := range cases {
		_, err := decodeAll(t, []byte(h), DecoderOptions{})
		if !errors.Is(err, want) {
			t.Errorf("%s: %v, want %v", h, err, want)
		}
	}
	for v := 1; v <= MaxVersion; v++ {
		if _, err := decodeAll(t, rawFile(v), DecoderOptions{}); err != nil {
			t.Errorf("empty file of version %d: %v", v, err)
		}
	}
}

func TestDecodeOpcodes(t *testing.T) {
	moduleID := uint64(0x123456789abc) << 10
	body := [][]byte{
		{OpAux}, str("x-unknown"), str("passed through"),
		{OpModuleAux}, ln(moduleID), ln(moduleOpUint), ln(2),
		ln(moduleOpSint), ln(5), ln(moduleOpString), str("abc"), ln(moduleOpFloat), {1, 2, 3, 4},
		ln(moduleOpDouble), AppendBinaryDouble(nil, 1.5), ln(moduleOpEOF),
		{OpFunction2}, str("#!lua name=lib\nredis.register_function('f', function() return 1 end)"),
		{OpFunction}, str("oldlib"), str("LUA"), ln(1), str("a description"), str("return 1"),
		{OpSlotInfo}, ln(5), ln(1), ln(0),
		{OpSelectDB}, ln(3), {OpResizeDB}, ln(2), ln(1),
		{OpExpireTime}, {0x10, 0, 0, 0}, {0}, str("secs"), str("v"),
		{OpIdle}, ln(1000), {0}, str("idle"), str("v"),
		{OpFreq, 7}, {OpExpireTimeMs}, AppendMillis(nil, 1234), {0}, str("freq"), str("v"),
	}
	var warnings []string
	recs, err := decodeAll(t, rawFile(10, body...), DecoderOptions{Functions: true, Warn: func(_ int64, m string) { warnings = append(warnings, m) }})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range recs {
		switch r.Kind {
		case RecordAux, RecordFunction:
			got = append(got, fmt.Sprintf("%v %s %s", r.Kind, r.Key, r.Aux))
		case RecordKey:
			got = append(got, fmt.Sprintf("key db%d %s %+v", r.DB, r.Key, r.KeyMeta))
		default:
			got = append(got, fmt.Sprintf("%v %d %d %d", r.Kind, r.DB, r.DBSize, r.ExpiresSize))
		}
	}
	want := []string{
		"aux x-unknown passed through",
		"function  #!lua name=lib\nredis.register_function('f', function() return 1 end)",
		"function  #!LUA name=oldlib\nreturn 1",
		"selectdb 3 0 0",
		"resizedb 3 2 1",
		"key db3 secs {Expire:16000 HasExpire:true Idle:0 HasIdle:false Freq:0 HasFreq:false}",
		"key db3 idle {Expire:0 HasExpire:false Idle:1000 HasIdle:true Freq:0 HasFreq:false}",
		"key db3 freq {Expire:1234 HasExpire:true Idle:0 HasIdle:false Freq:7 HasFreq:true}",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("records:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "module auxiliary data") {
		t.Errorf("warnings: %q", warnings)
	}
	// Without Functions, libraries are skipped with a warning.
	warnings = nil
	recs, err = decodeAll(t, rawFile(10, body...), DecoderOptions{Warn: func(_ int64, m string) { warnings = append(warnings, m) }})
	if err != nil || len(warnings) != 3 {
		t.Fatalf("%v, warnings %q", err, warnings)
	}
	for _, r := range recs {
		if r.Kind == RecordFunction {
			t.Fatal("function record without DecoderOptions.Functions")
		}
	}
}

func TestDecodeUnsupported(t *testing.T) {
	moduleID := uint64(0) // "AAAAAAAAA"
	cases := map[string]struct {
		file   []byte
		offset int64
		msg    string
	}{
		"module value": {rawFile(10, []byte{7}, str("m"), ln(moduleID|3)), 13, "module value (type 7) of module type 'AAAAAAAAA/3'"},
		"unknown type": {rawFile(10, []byte{30}, str("k")), 10, "unknown type byte 30"},
		"opcode 243":   {rawFile(10, []byte{243}), 10, "unknown type byte 243"},
	}
	for name, c := range cases {
		_, err := decodeAll(t, c.file, DecoderOptions{})
		var e *Error
		if !errors.As(err, &e) || !errors.Is(err, ErrUnsupported) || e.Offset != c.offset || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestDecodeHashFieldExpiry(t *testing.T) {
	var lp ListpackBuilder
	for _, s := range bs("f1", "v1", "0", "f2", "v2", "1800000000000") {
		lp.Append(s)
	}
	lpb := lp.Bytes()
	min := int64(1700000000000)
	file := rawFile(12,
		[]byte{byte(TypeHashListpackEx)}, str("lpex"), AppendMillis(nil, 1800000000000), str(string(lpb)),
		[]byte{byte(TypeHashListpackExPreGA)}, str("lpex-rc"), str(string(lpb)),
		[]byte{byte(TypeHashMetadata)}, str("md"), AppendMillis(nil, min), ln(2),
		ln(0), str("a"), str("1"), ln(1000+1), str("b"), str("2"),
		[]byte{byte(TypeHashMetadataPreGA)}, str("md-rc"), ln(1), ln(1800000000000), str("c"), str("3"),
	)
	recs, err := decodeAll(t, file, DecoderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	hf := Hash{{Field: []byte("f1"), Value: []byte("v1")}, {Field: []byte("f2"), Value: []byte("v2"), Expire: 1800000000000}}
	checkKeys(t, recs, map[string]wantKey{
		"lpex":    {0, TypeHashListpackEx, 0, hf},
		"lpex-rc": {0, TypeHashListpackExPreGA, 0, hf},
		"md":      {0, TypeHashMetadata, 0, Hash{{Field: []byte("a"), Value: []byte("1")}, {Field: []byte("b"), Value: []byte("2"), Expire: min + 1000}}},
		"md-rc":   {0, TypeHashMetadataPreGA, 0, Hash{{Field: []byte("c"), Value: []byte("3"), Expire: 1800000000000}}},
	})
}

func TestDecodeSetListpackAndStreams(t *testing.T) {
	var lp ListpackBuilder
	for _, s := range bs("a", "1", "b") {
		lp.Append(s)
	}
	// A stream node built as XADD would, with one deleted entry added by
	// hand, written in the three stream generations.
	entries := []StreamEntry{
		{ID: StreamID{100, 0}, Fields: []StreamField{{[]byte("f"), []byte("1")}}},
		{ID: StreamID{100, 1}, Fields: []StreamField{{[]byte("f"), []byte("2")}, {[]byte("g"), []byte("x")}}},
		{ID: StreamID{101, 0}, Fields: []StreamField{{[]byte("f"), []byte("3")}}},
	}
	nb := newStreamNodeBuilder(4096, 100)
	for _, e := range entries {
		nb.add(e)
	}
	master, node := nb.finish()
	streamBody := func(t Type) []byte {
		b := cat([]byte{byte(t)}, str("s"+fmt.Sprint(int(t))), ln(1), str(string(encodeStreamID(nil, master))), str(string(node)),
			ln(3), ln(101), ln(0))
		if t >= TypeStreamListpacks2 {
			b = cat(b, ln(100), ln(0), ln(0), ln(0), ln(3))
		}
		b = cat(b, ln(1), str("g1"), ln(100), ln(1))
		if t >= TypeStreamListpacks2 {
			b = cat(b, ln(2))
		}
		b = cat(b, ln(1), encodeStreamID(nil, StreamID{100, 1}), AppendMillis(nil, 555), ln(2),
			ln(1), str("alice"), AppendMillis(nil, 600))
		if t >= TypeStreamListpacks3 {
			b = cat(b, AppendMillis(nil, 650))
		}
		return cat(b, ln(1), encodeStreamID(nil, StreamID{100, 1}))
	}
	file := rawFile(11, []byte{byte(TypeSetListpack)}, str("sl"), str(string(lp.Bytes())),
		streamBody(TypeStreamListpacks), streamBody(TypeStreamListpacks2), streamBody(TypeStreamListpacks3))
	recs, err := decodeAll(t, file, DecoderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	stream := func(active, read int64) *Stream {
		return &Stream{Entries: entries, Length: 3, LastID: StreamID{101, 0}, FirstID: StreamID{100, 0}, EntriesAdded: 3,
			Groups: []StreamGroup{{Name: []byte("g1"), LastID: StreamID{100, 1}, EntriesRead: read,
				PEL:       []StreamPending{{ID: StreamID{100, 1}, DeliveryTime: 555, DeliveryCount: 2}},
				Consumers: []StreamConsumer{{Name: []byte("alice"), SeenTime: 600, ActiveTime: active, PEL: []StreamID{{100, 1}}}}}}}
	}
	checkKeys(t, recs, map[string]wantKey{
		"sl": {0, TypeSetListpack, 0, Set(bs("a", "1", "b"))},
		// Before 7.0 the read counter is estimated by Redis's rule: unknown
		// (-1) for an ID inside the stream.
		"s15": {0, TypeStreamListpacks, 0, stream(600, -1)},
		"s19": {0, TypeStreamListpacks2, 0, stream(600, 2)},
		"s21": {0, TypeStreamListpacks3, 0, stream(650, 2)},
	})
}

func TestDecodeRejectsDuplicates(t *testing.T) {
	var lp ListpackBuilder
	for _, s := range bs("f", "1", "f", "2") {
		lp.Append(s)
	}
	cases := map[string][]byte{
		"set":        cat([]byte{byte(TypeSet)}, str("k"), ln(2), str("a"), str("a")),
		"hash":       cat([]byte{byte(TypeHash)}, str("k"), ln(2), str("a"), str("1"), str("a"), str("2")),
		"zset":       cat([]byte{byte(TypeZSet2)}, str("k"), ln(2), str("a"), AppendBinaryDouble(nil, 1), str("a"), AppendBinaryDouble(nil, 2)),
		"hash lp":    cat([]byte{byte(TypeHashListpack)}, str("k"), str(string(lp.Bytes()))),
		"zset lp":    cat([]byte{byte(TypeZSetListpack)}, str("k"), str(string(lp.Bytes()))),
		"hash zl":    cat([]byte{byte(TypeHashZiplist)}, str("k"), str(string(ziplistOf(bs("f", "1", "f", "2"))))),
		"zipmap":     cat([]byte{byte(TypeHashZipmap)}, str("k"), str(string(zipmapOf(bs("f", "1", "f", "2"), 0)))),
		"nan score":  cat([]byte{byte(TypeZSet2)}, str("k"), ln(1), str("a"), AppendBinaryDouble(nil, math.NaN())),
		"odd zset":   cat([]byte{byte(TypeZSetListpack)}, str("k"), str(string(func() []byte { var b ListpackBuilder; b.Append([]byte("x")); return b.Bytes() }()))),
		"bad score":  cat([]byte{byte(TypeZSetZiplist)}, str("k"), str(string(ziplistOf(bs("a", "notanumber"))))),
		"ql2 cont":   cat([]byte{byte(TypeListQuicklist2)}, str("k"), ln(1), ln(3), str("x")),
		"ql2 empty":  cat([]byte{byte(TypeListQuicklist2)}, str("k"), ln(1), ln(2), str("")),
		"stream key": cat([]byte{byte(TypeStreamListpacks2)}, str("k"), ln(1), str("short"), str("x")),
	}
	for name, body := range cases {
		_, err := decodeAll(t, rawFile(10, body), DecoderOptions{})
		var e *Error
		if !errors.As(err, &e) || !errors.Is(err, ErrCorrupt) || !e.HasKey || string(e.Key) != "k" {
			t.Errorf("%s: %v", name, err)
		}
	}
	// NoDupCheck lets duplicates through (the caller detects them).
	if _, err := decodeAll(t, rawFile(10, cases["set"]), DecoderOptions{NoDupCheck: true}); err != nil {
		t.Errorf("NoDupCheck: %v", err)
	}
}

// A forged collection length must not allocate in proportion to it.
func TestDecodeForgedCounts(t *testing.T) {
	for _, typ := range []Type{TypeList, TypeSet, TypeZSet2, TypeHash, TypeListQuicklist2, TypeStreamListpacks2} {
		file := rawFile(10, []byte{byte(typ)}, str("k"), ln(1<<62))
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		_, err := decodeAll(t, file, DecoderOptions{})
		runtime.ReadMemStats(&after)
		if err == nil {
			t.Fatalf("%v: no error", typ)
		}
		if d := after.TotalAlloc - before.TotalAlloc; d > 1<<20 {
			t.Errorf("%v: %d bytes allocated for a forged count", typ, d)
		}
	}
}

func TestDecoderBuffered(t *testing.T) {
	data := sharedRDB(t, "redis-7.0-empty.rdb")
	in := append(append([]byte(nil), data...), "+FOLLOWING\r\n"...)
	d := NewDecoder(bytes.NewReader(in), DecoderOptions{})
	for {
		if _, err := d.Next(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if string(d.Buffered()) != "+FOLLOWING\r\n" || d.Offset() != int64(len(data)) {
		t.Fatalf("buffered %q offset %d", d.Buffered(), d.Offset())
	}
	if _, err := d.Next(); err != io.EOF {
		t.Fatalf("after EOF: %v", err)
	}
}

// oneByteReader returns the input a byte at a time.
type oneByteReader struct{ data []byte }

func (r *oneByteReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	p[0] = r.data[0]
	r.data = r.data[1:]
	return 1, nil
}

func TestDecodeByteByByte(t *testing.T) {
	data := sharedRDB(t, "redis-7.0-alltypes.rdb")
	d := NewDecoder(&oneByteReader{data}, DecoderOptions{})
	n := 0
	for {
		rec, err := d.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if rec.Kind == RecordKey {
			n++
		}
	}
	if n != 16 {
		t.Fatalf("%d keys", n)
	}
}

type failingReader struct{ err error }

func (r failingReader) Read([]byte) (int, error) { return 0, r.err }

func TestDecodeSourceError(t *testing.T) {
	boom := errors.New("boom")
	_, err := NewDecoder(failingReader{boom}, DecoderOptions{}).Next()
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
}

func TestDecodeQuicklistPlainNodes(t *testing.T) {
	var lp ListpackBuilder
	lp.Append([]byte("a"))
	lp.AppendInt(2)
	file := rawFile(10, []byte{byte(TypeListQuicklist2)}, str("l"), ln(3),
		ln(quicklistPacked), str(string(lp.Bytes())),
		ln(quicklistPlain), str("a big element stored alone"),
		ln(quicklistPacked), str(string(lp.Bytes())))
	recs, err := decodeAll(t, file, DecoderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkKeys(t, recs, map[string]wantKey{"l": {0, TypeListQuicklist2, 0, List(bs("a", "2", "a big element stored alone", "a", "2"))}})
}

func TestReadBytesExactCapacity(t *testing.T) {
	big := bytes.Repeat([]byte{'q'}, 300000)
	enc := AppendString(nil, big, false)
	got, err := newReader(&oneByteReader{enc}).readString()
	if err != nil || !bytes.Equal(got, big) || cap(got) != len(big) {
		t.Fatalf("len %d cap %d err %v", len(got), cap(got), err)
	}
}

// A hash in the hashtable encoding decodes each field and its value into
// one allocation, the value following the field within the field's
// capacity (the layout the keyspace keeps), and ints and LZF strings too.
func TestDecodeHashFieldsShareOneAllocation(t *testing.T) {
	long := strings.Repeat("compressible ", 20)
	var fields Hash
	for i := 0; i < 200; i++ {
		f := []byte("field" + strconv.Itoa(i))
		v := []byte(strconv.Itoa(i * 1000)) // an int-encoded string
		switch i % 3 {
		case 1:
			v = []byte(long + strconv.Itoa(i)) // LZF
		case 2:
			v = []byte{}
		}
		fields = append(fields, HashField{Field: f, Value: v})
	}
	data := encodeFile(t, EncoderOptions{Compression: true}, func(e *Encoder) error {
		return e.WriteKey([]byte("h"), KeyMeta{}, HashSource{Len: len(fields), Hashtable: true, Fields: func(yield func([]byte, []byte) bool) {
			for _, f := range fields {
				if !yield(f.Field, f.Value) {
					return
				}
			}
		}})
	})
	recs, err := decodeAll(t, data, DecoderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := keys(recs)["h"].Value.(Hash)
	if len(got) != len(fields) {
		t.Fatalf("%d fields decoded, want %d", len(got), len(fields))
	}
	for i, f := range got {
		if string(f.Field) != string(fields[i].Field) || string(f.Value) != string(fields[i].Value) {
			t.Fatalf("field %d: %q=%q, want %q=%q", i, f.Field, f.Value, fields[i].Field, fields[i].Value)
		}
		if len(f.Value) == 0 {
			continue
		}
		if cap(f.Field)-len(f.Field) < len(f.Value) || &f.Field[:len(f.Field)+1][len(f.Field)] != &f.Value[0] {
			t.Fatalf("field %q: its value is not stored right after it in the same allocation", f.Field)
		}
	}
}

// LZFDecompress appends to what dst holds, and a back reference cannot
// reach into it.
func TestLZFDecompressAppends(t *testing.T) {
	in := []byte(strings.Repeat("abcdefgh", 50))
	comp, ok := LZFCompress(nil, in, len(in))
	if !ok {
		t.Fatal("not compressed")
	}
	out, err := LZFDecompress([]byte("prefix:"), comp, len(in))
	if err != nil || string(out) != "prefix:"+string(in) {
		t.Fatalf("got %q, %v", out, err)
	}
	// A reference to the byte before the output's start is refused.
	if _, err := LZFDecompress([]byte("p"), []byte{0x20, 0x00}, 3); err == nil {
		t.Fatal("a reference before the output was accepted")
	}
}

// With ReuseContainers, the slice of a value is handed out again for the
// next value of its kind; the byte slices inside stay the receiver's.
func TestDecodeReuseContainers(t *testing.T) {
	members := func(prefix string, n int) Set {
		var s Set
		for i := 0; i < n; i++ {
			s = append(s, []byte(prefix+strconv.Itoa(i)))
		}
		return s
	}
	data := encodeFile(t, EncoderOptions{}, func(e *Encoder) error {
		if err := e.WriteKey([]byte("a"), KeyMeta{}, members("a", 600)); err != nil {
			return err
		}
		return e.WriteKey([]byte("b"), KeyMeta{}, members("b", 500))
	})
	for _, reuse := range []bool{false, true} {
		d := NewDecoder(bytes.NewReader(data), DecoderOptions{ReuseContainers: reuse})
		var sets []Set
		var backing []*[]byte // the first element's address of each container
		err := eachRecord(d, func(rec Record) {
			if rec.Kind == RecordKey {
				s := rec.Value.(Set)
				backing = append(backing, &s[:1][0])
				// The receiver copies out what it keeps of the container;
				// the members are its own.
				sets = append(sets, append(Set(nil), s...))
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		if shared := len(backing) == 2 && backing[0] == backing[1]; shared != reuse {
			t.Errorf("reuse %v: the second value's slice is the first's: %v", reuse, shared)
		}
		if len(sets) != 2 {
			t.Fatalf("%d sets decoded", len(sets))
		}
		want := map[string]Set{"a": members("a", 600), "b": members("b", 500)}
		for i, name := range []string{"a", "b"} {
			got := append(Set(nil), sets[i]...)
			sortBytes(got)
			w := want[name]
			sortBytes(w)
			if jsonOf(got) != jsonOf(w) {
				t.Errorf("reuse %v: set %s decoded wrong", reuse, name)
			}
		}
	}
}
