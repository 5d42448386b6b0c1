package rdb

import (
	"bytes"
	"errors"
	"fmt"
	"iter"
	"math"
	"strings"
	"testing"
)

type encCase struct {
	name string
	src  Source
	typ  Type  // expected type byte
	want Value // expected decoded value (nil: same as src, which must be a Value)
}

func encodeFile(t testing.TB, opts EncoderOptions, write func(e *Encoder) error) []byte {
	t.Helper()
	var buf bytes.Buffer
	e := NewEncoder(&buf, opts)
	if err := write(e); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func seqOf(n int, f func(i int) []byte) iter.Seq[[]byte] {
	return func(yield func([]byte) bool) {
		for i := 0; i < n; i++ {
			if !yield(f(i)) {
				return
			}
		}
	}
}

func encCases() []encCase {
	num := func(i int) []byte { return []byte(fmt.Sprint(i)) }
	word := func(i int) []byte { return []byte(fmt.Sprintf("member-%d", i)) }
	listOf := func(n int, f func(int) []byte) List {
		l := List{}
		for i := 0; i < n; i++ {
			l = append(l, f(i))
		}
		return l
	}
	zsetOf := func(n int, member func(int) []byte) ZSet {
		z := ZSet{}
		for i := n - 1; i >= 0; i-- {
			z = append(z, ZMember{member(i), float64(i) * 1.5})
		}
		return z
	}
	hashOf := func(n, vlen int) Hash {
		h := Hash{}
		for i := 0; i < n; i++ {
			h = append(h, HashField{Field: word(i), Value: bytes.Repeat([]byte{'v'}, vlen)})
		}
		return h
	}
	sortedZ := func(z ZSet) ZSet {
		c := append(ZSet(nil), z...)
		sortFunc(c, func(a, b ZMember) int {
			if a.Score != b.Score {
				if a.Score < b.Score {
					return -1
				}
				return 1
			}
			return bytes.Compare(a.Member, b.Member)
		})
		return c
	}
	intsetOf := func(vals ...string) Set { return Set(bs(vals...)) }
	stream := &Stream{LastID: StreamID{2000, 5}, FirstID: StreamID{1000, 0}, MaxDeletedID: StreamID{999, 0}, EntriesAdded: 400}
	for i := 0; i < 300; i++ {
		fields := []StreamField{{[]byte("type"), []byte("click")}, {[]byte("n"), num(i)}}
		if i%7 == 3 {
			fields = append(fields, StreamField{[]byte("extra"), bytes.Repeat([]byte{'e'}, i)})
		}
		stream.Entries = append(stream.Entries, StreamEntry{ID: StreamID{1000 + uint64(i/3), uint64(i % 3)}, Fields: fields})
	}
	stream.Length = uint64(len(stream.Entries))
	stream.Groups = []StreamGroup{
		{Name: []byte("g1"), LastID: StreamID{1001, 0}, EntriesRead: 4,
			PEL: []StreamPending{{StreamID{1000, 1}, 77, 1}, {StreamID{1000, 2}, 78, 3}, {StreamID{1001, 0}, 79, 1}},
			Consumers: []StreamConsumer{
				{Name: []byte("a"), SeenTime: 80, ActiveTime: 80, PEL: []StreamID{{1000, 1}, {1001, 0}}},
				{Name: []byte("b"), SeenTime: 81, ActiveTime: 81, PEL: []StreamID{{1000, 2}}},
				{Name: []byte("idle"), SeenTime: 82, ActiveTime: 82, PEL: []StreamID{}},
			}},
		{Name: []byte("g2"), LastID: StreamID{0, 0}, EntriesRead: -1, PEL: []StreamPending{}, Consumers: nil},
	}
	emptyStream := &Stream{LastID: StreamID{5, 5}, FirstID: StreamID{0, 0}, MaxDeletedID: StreamID{5, 5}, EntriesAdded: 3}

	return []encCase{
		{"string", String("hello"), TypeString, nil},
		{"int string", String("-12345"), TypeString, nil},
		{"big int string", String("12345678901234567"), TypeString, nil},
		{"empty string", String(""), TypeString, nil},
		{"compressible string", String(strings.Repeat("abc", 1000)), TypeString, nil},
		{"huge string", String(bytes.Repeat([]byte("0123456789abcdef"), 10000)), TypeString, nil},
		{"binary string", String([]byte{0, 1, 2, 255, '\n'}), TypeString, nil},
		{"small list", List(bs("a", "1", "-5", "")), TypeListQuicklist2, nil},
		{"big list", listOf(20000, word), TypeListQuicklist2, nil},
		{"list of big elements", listOf(10, func(i int) []byte { return bytes.Repeat([]byte{byte('a' + i)}, 9000) }), TypeListQuicklist2, nil},
		{"intset", intsetOf("1", "-70000", "5000000000", "3"), TypeSetIntset, intsetOf("-70000", "1", "3", "5000000000")},
		{"intset at limit", Set(listOf(512, num)), TypeSetIntset, Set(listOf(512, num))},
		{"set over intset limit", Set(listOf(513, num)), TypeSet, nil},
		{"set of words", Set(bs("x", "y", "1")), TypeSet, nil},
		{"set forced hashtable", SetSource{Len: 2, Members: seqOf(2, num), Hashtable: true}, TypeSet, Set(bs("0", "1"))},
		{"small zset", zsetOf(5, word), TypeZSetListpack, sortedZ(zsetOf(5, word))},
		{"zset special scores", ZSet{{[]byte("inf"), math.Inf(1)}, {[]byte("ninf"), math.Inf(-1)}, {[]byte("negz"), math.Copysign(0, -1)}, {[]byte("tiny"), 5e-324}},
			TypeZSetListpack, ZSet{{[]byte("ninf"), math.Inf(-1)}, {[]byte("negz"), math.Copysign(0, -1)}, {[]byte("tiny"), 5e-324}, {[]byte("inf"), math.Inf(1)}}},
		{"zset over entries", zsetOf(129, word), TypeZSet2, nil},
		{"zset long member", ZSet{{bytes.Repeat([]byte{'m'}, 65), 1}}, TypeZSet2, nil},
		{"zset forced skiplist", ZSetSource{Len: 1, Members: func(y func([]byte, float64) bool) { y([]byte("a"), 2) }, Skiplist: true}, TypeZSet2, ZSet{{[]byte("a"), 2}}},
		{"small hash", hashOf(10, 5), TypeHashListpack, nil},
		{"hash over entries", hashOf(513, 1), TypeHash, nil},
		{"hash long value", hashOf(3, 65), TypeHash, nil},
		{"hash forced table", HashSource{Len: 1, Fields: func(y func([]byte, []byte) bool) { y([]byte("f"), []byte("v")) }, Hashtable: true}, TypeHash, Hash{{Field: []byte("f"), Value: []byte("v")}}},
		{"stream", stream, TypeStreamListpacks2, nil},
		{"empty stream", emptyStream, TypeStreamListpacks2, nil},
	}
}

func TestEncodeRoundTrip(t *testing.T) {
	for _, compress := range []bool{true, false} {
		opts := DefaultEncoderOptions()
		opts.Compression = compress
		cases := encCases()
		data := encodeFile(t, opts, func(e *Encoder) error {
			if err := e.WriteAux([]byte("redis-ver"), []byte("7.0.15")); err != nil {
				return err
			}
			if err := e.WriteAux([]byte("redis-bits"), []byte("64")); err != nil {
				return err
			}
			if err := e.SelectDB(0, uint64(len(cases)), 1); err != nil {
				return err
			}
			for i, c := range cases {
				meta := KeyMeta{}
				if i == 0 {
					meta = KeyMeta{Expire: 1900000000000, HasExpire: true}
				}
				if err := e.WriteKey([]byte(c.name), meta, c.src); err != nil {
					return err
				}
			}
			if err := e.SelectDB(9, 1, 0); err != nil {
				return err
			}
			return e.WriteKey([]byte("in db 9"), KeyMeta{HasIdle: true, Idle: 42, HasFreq: true, Freq: 3}, String("x"))
		})
		if string(data[:9]) != "REDIS0010" {
			t.Fatalf("header %q", data[:9])
		}
		recs, err := decodeAll(t, data, DecoderOptions{})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]wantKey{"in db 9": {9, TypeString, 0, String("x")}}
		for i, c := range cases {
			w := c.want
			if w == nil {
				w = c.src.(Value)
			}
			exp := int64(0)
			if i == 0 {
				exp = 1900000000000
			}
			want[c.name] = wantKey{0, c.typ, exp, w}
		}
		checkKeys(t, recs, want)
		r := keys(recs)["in db 9"]
		if !r.HasIdle || r.Idle != 42 || !r.HasFreq || r.Freq != 3 {
			t.Errorf("meta %+v", r.KeyMeta)
		}
		if auxOf(recs) != "redis-ver=7.0.15 redis-bits=64" {
			t.Errorf("aux %s", auxOf(recs))
		}
		if compress {
			// LZF took effect somewhere, and the file is smaller.
			plain := DefaultEncoderOptions()
			plain.Compression = false
			if !bytes.Contains(data, []byte{0xc3}) {
				t.Errorf("no LZF string in a compressed file")
			}
		}
	}
}

// The iterator-backed sources write big values without materializing them.
func TestEncodeStreamingSources(t *testing.T) {
	const n = 100000
	gen := func(i int) []byte { return []byte(fmt.Sprintf("element-%07d", i)) }
	calls := 0
	list := ListSource{Len: n, Elements: func(yield func([]byte) bool) {
		calls++
		for i := 0; i < n; i++ {
			if !yield(gen(i)) {
				return
			}
		}
	}}
	hash := HashSource{Len: n, Fields: func(yield func([]byte, []byte) bool) {
		for i := 0; i < n; i++ {
			if !yield(gen(i), gen(n-i)) {
				return
			}
		}
	}}
	zset := ZSetSource{Len: n, Members: func(yield func([]byte, float64) bool) {
		for i := 0; i < n; i++ {
			if !yield(gen(i), float64(i)) {
				return
			}
		}
	}}
	set := SetSource{Len: n, Members: seqOf(n, gen)}
	stream := StreamSource{Len: n, LastID: StreamID{n, 0}, EntriesAdded: n, Entries: func(yield func(StreamEntry) bool) {
		for i := 0; i < n; i++ {
			if !yield(StreamEntry{ID: StreamID{uint64(i + 1), 0}, Fields: []StreamField{{[]byte("i"), gen(i)}}}) {
				return
			}
		}
	}}
	data := encodeFile(t, DefaultEncoderOptions(), func(e *Encoder) error {
		for name, src := range map[string]Source{"list": list, "hash": hash, "zset": zset, "set": set, "stream": stream} {
			if err := e.WriteKey([]byte(name), KeyMeta{}, src); err != nil {
				return err
			}
		}
		return nil
	})
	if calls != 2 {
		t.Errorf("list iterator called %d times, want 2 (plan, write)", calls)
	}
	recs, err := decodeAll(t, data, DecoderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	k := keys(recs)
	l := k["list"].Value.(List)
	h := k["hash"].Value.(Hash)
	z := k["zset"].Value.(ZSet)
	s := k["set"].Value.(Set)
	st := k["stream"].Value.(*Stream)
	if len(l) != n || len(h) != n || len(z) != n || len(s) != n || len(st.Entries) != n {
		t.Fatalf("sizes %d %d %d %d %d", len(l), len(h), len(z), len(s), len(st.Entries))
	}
	for i := 0; i < n; i += 997 {
		if !bytes.Equal(l[i], gen(i)) || !bytes.Equal(h[i].Value, gen(n-i)) || z[i].Score != float64(i) ||
			!bytes.Equal(st.Entries[i].Fields[0].Value, gen(i)) {
			t.Fatalf("element %d differs", i)
		}
	}
}

func TestEncoderMisuse(t *testing.T) {
	short := ListSource{Len: 3, Elements: seqOf(2, func(i int) []byte { return []byte("x") })}
	long := SetSource{Len: 1, Members: seqOf(5, func(i int) []byte { return []byte(fmt.Sprint("m", i)) })}
	unordered := StreamSource{Len: 2, Entries: func(y func(StreamEntry) bool) {
		_ = y(StreamEntry{ID: StreamID{2, 0}}) && y(StreamEntry{ID: StreamID{1, 0}})
	}}
	cases := map[string]Source{
		"short iterator":  short,
		"long iterator":   long,
		"unordered":       unordered,
		"empty list":      List{},
		"nan":             ZSet{{[]byte("a"), math.NaN()}},
		"nil":             nil,
		"field expire":    Hash{{Field: []byte("f"), Value: []byte("v"), Expire: 5}},
		"intset dup":      Set(bs("1", "1")),
		"long hash short": HashSource{Len: 600, Fields: func(y func([]byte, []byte) bool) { y([]byte("a"), []byte("b")) }},
	}
	for name, src := range cases {
		var buf bytes.Buffer
		e := NewEncoder(&buf, DefaultEncoderOptions())
		err := e.WriteKey([]byte("k"), KeyMeta{}, src)
		if !errors.Is(err, ErrEncoder) {
			t.Errorf("%s: %v", name, err)
		}
		if err2 := e.Close(); !errors.Is(err2, ErrEncoder) {
			t.Errorf("%s: error not sticky: %v", name, err2)
		}
	}
	var buf bytes.Buffer
	e := NewEncoder(&buf, DefaultEncoderOptions())
	e.Close()
	if err := e.WriteKey([]byte("k"), KeyMeta{}, String("v")); !errors.Is(err, ErrEncoder) {
		t.Errorf("write after close: %v", err)
	}
}

func TestEncodeChecksumOff(t *testing.T) {
	opts := DefaultEncoderOptions()
	opts.Checksum = false
	data := encodeFile(t, opts, func(e *Encoder) error { return e.WriteKey([]byte("k"), KeyMeta{}, String("v")) })
	if !bytes.Equal(data[len(data)-8:], make([]byte, 8)) {
		t.Fatalf("checksum % x", data[len(data)-8:])
	}
	var warned bool
	if _, err := decodeAll(t, data, DecoderOptions{Warn: func(int64, string) { warned = true }}); err != nil || !warned {
		t.Fatalf("%v %v", err, warned)
	}
	data = encodeFile(t, DefaultEncoderOptions(), func(e *Encoder) error { return nil })
	if want := "REDIS0010\xff"; string(data[:10]) != want || len(data) != 18 {
		t.Fatalf("empty file % x", data)
	}
	if got := CRC64(0, data[:10]); got != uint64(data[10])|uint64(data[11])<<8|uint64(data[12])<<16|uint64(data[13])<<24|
		uint64(data[14])<<32|uint64(data[15])<<40|uint64(data[16])<<48|uint64(data[17])<<56 {
		t.Fatalf("checksum mismatch")
	}
}

// quicklistNodes returns the node sizes (element counts) of a
// QUICKLIST_2 value in a file written with one key.
func quicklistNodes(t *testing.T, data []byte) []int {
	t.Helper()
	r := newReader(bytes.NewReader(data))
	r.next(9)
	op, _ := r.readByte()
	if Type(op) != TypeListQuicklist2 {
		t.Fatalf("type %d", op)
	}
	r.readString()
	n, _ := r.readPlainLen()
	var sizes []int
	for i := uint64(0); i < n; i++ {
		c, _ := r.readPlainLen()
		blob, err := r.readString()
		if err != nil {
			t.Fatal(err)
		}
		if c == quicklistPlain {
			sizes = append(sizes, -1)
			continue
		}
		k, err := WalkListpack(blob, nil)
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, k)
	}
	return sizes
}

func TestQuicklistFill(t *testing.T) {
	elems := func(n, size int) List {
		l := List{}
		for i := 0; i < n; i++ {
			l = append(l, bytes.Repeat([]byte{'x'}, size))
		}
		return l
	}
	cases := []struct {
		fill  int
		list  List
		nodes []int
	}{
		// Positive fill: at most fill elements per node.
		{5, elems(12, 1), []int{5, 5, 2}},
		// -1: 4096 bytes per node. A 100-byte element takes 102 bytes; a
		// node holds 7 header bytes + k*102 with k*102+7+100+8 <= 4096.
		{-1, elems(100, 100), []int{39, 39, 22}},
		// -2 (default): 8192 bytes.
		{-2, elems(100, 100), []int{79, 21}},
		// Elements bigger than the limit get a node each.
		{-1, elems(3, 5000), []int{1, 1, 1}},
		// A positive fill is still capped at 8 KB.
		{1000, elems(100, 100), []int{79, 21}},
	}
	for _, c := range cases {
		opts := DefaultEncoderOptions()
		opts.ListMaxListpackSize = c.fill
		opts.Compression = false
		data := encodeFile(t, opts, func(e *Encoder) error { return e.WriteKey([]byte("l"), KeyMeta{}, c.list) })
		if got := quicklistNodes(t, data); fmt.Sprint(got) != fmt.Sprint(c.nodes) {
			t.Errorf("fill %d, %d elements of %d bytes: nodes %v, want %v", c.fill, len(c.list), len(c.list[0]), got, c.nodes)
		}
	}
}

func TestStreamNodeLimits(t *testing.T) {
	mk := func(n int, vlen int) *Stream {
		s := &Stream{}
		for i := 0; i < n; i++ {
			s.Entries = append(s.Entries, StreamEntry{ID: StreamID{uint64(i + 1), 0},
				Fields: []StreamField{{[]byte("f"), bytes.Repeat([]byte{'v'}, vlen)}}})
		}
		s.Length = uint64(n)
		return s
	}
	count := func(opts EncoderOptions, s *Stream) int {
		data := encodeFile(t, opts, func(e *Encoder) error { return e.WriteKey([]byte("s"), KeyMeta{}, s) })
		r := newReader(bytes.NewReader(data[10:]))
		r.readString()
		n, _ := r.readPlainLen()
		return int(n)
	}
	opts := DefaultEncoderOptions()
	if n := count(opts, mk(250, 1)); n != 3 { // 100 entries per node
		t.Errorf("250 small entries: %d nodes", n)
	}
	opts.StreamNodeMaxEntries = 0
	if n := count(opts, mk(250, 100)); n < 6 || n > 8 { // ~4096 bytes per node
		t.Errorf("250 entries of 100 bytes: %d nodes", n)
	}
	opts.StreamNodeMaxBytes = 0
	if n := count(opts, mk(250, 100)); n != 1 {
		t.Errorf("no limits: %d nodes", n)
	}
}

func TestDumpPayload(t *testing.T) {
	for _, c := range encCases() {
		payload, err := AppendDump(nil, c.src, DefaultEncoderOptions())
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if ver, err := VerifyDump(payload, false); err != nil || ver != 10 {
			t.Fatalf("%s: verify %d %v", c.name, ver, err)
		}
		typ, v, err := ParseDump(payload, DecoderOptions{})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		w := c.want
		if w == nil {
			w = c.src.(Value)
		}
		if typ != c.typ || jsonOf(v) != jsonOf(w) {
			t.Errorf("%s: type %v, value differs", c.name, typ)
		}
	}
	good, _ := AppendDump(nil, String("hello"), DefaultEncoderOptions())
	mod := func(f func(p []byte)) []byte { p := append([]byte(nil), good...); f(p); return p }
	for name, p := range map[string][]byte{
		"short":   good[:9],
		"crc":     mod(func(p []byte) { p[len(p)-1] ^= 1 }),
		"version": mod(func(p []byte) { p[len(p)-10] = 11 }),
	} {
		if _, _, err := ParseDump(p, DecoderOptions{}); !errors.Is(err, ErrDumpPayload) || err.Error() == "" {
			t.Errorf("%s: %v", name, err)
		}
	}
	// Older versions are accepted.
	old := mod(func(p []byte) { p[len(p)-10] = 7 })
	crc := CRC64(0, old[:len(old)-8])
	copy(old[len(old)-8:], AppendMillis(nil, int64(crc)))
	if _, v, err := ParseDump(old, DecoderOptions{}); err != nil || string(v.(String)) != "hello" {
		t.Errorf("version 7 payload: %v", err)
	}
	// The footer is right but the body is not.
	withFooter := func(body []byte) []byte {
		p := append(append([]byte(nil), body...), 10, 0)
		return AppendMillis(p, int64(CRC64(0, p)))
	}
	for name, body := range map[string][]byte{
		"type 20 (7.2)": cat([]byte{20}, str("x")),
		"module":        cat([]byte{7}, ln(1)),
		"empty set":     cat([]byte{byte(TypeSet)}, ln(0)),
		"truncated":     cat([]byte{byte(TypeString)}, ln(5), []byte("ab")),
		"nothing":       {},
	} {
		_, _, err := ParseDump(withFooter(body), DecoderOptions{})
		if !errors.Is(err, ErrBadDataFormat) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if !strings.Contains(fmt.Sprint(ErrDumpPayload), MsgDumpPayload) || ErrBadDataFormat.Error() != "Bad data format" {
		t.Errorf("messages: %v / %v", ErrDumpPayload, ErrBadDataFormat)
	}
}
