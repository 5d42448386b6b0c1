package rdb

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"

	"replab/internal/listpack"
)

var lpCases = func() [][]byte {
	ints := []int64{0, 1, 127, 128, -1, -4096, 4095, 4096, -4097, 32767, -32768, 32768, -32769,
		8388607, -8388608, 8388608, -8388609, math.MaxInt32, math.MinInt32, math.MaxInt32 + 1,
		math.MinInt32 - 1, math.MaxInt64, math.MinInt64}
	var out [][]byte
	for _, v := range ints {
		out = append(out, []byte(strconv.FormatInt(v, 10)))
	}
	for _, n := range []int{0, 1, 63, 64, 127, 4095, 4096, 70000} {
		out = append(out, bytes.Repeat([]byte{'s'}, n))
	}
	return append(out, bs("01", "-0", "+1", " 1", "9223372036854775808", "-9223372036854775809", "1.5")...)
}()

func TestListpackRoundTrip(t *testing.T) {
	var b ListpackBuilder
	for _, c := range lpCases {
		before := b.Size()
		b.Append(c)
		if got, want := b.Size()-before, listpack.EntryLen(c); got != want {
			t.Errorf("element %q: added %d bytes, listpack.EntryLen says %d", truncateForMsg(c), got, want)
		}
	}
	lp := b.Bytes()
	if len(lp) != b.Size() {
		t.Fatalf("Bytes() is %d bytes, Size() %d", len(lp), b.Size())
	}
	var got [][]byte
	n, err := WalkListpack(lp, func(e Elem) error {
		got = append(got, e.Bytes())
		return nil
	})
	if err != nil || n != len(lpCases) {
		t.Fatalf("walk: %d elements, %v", n, err)
	}
	for i := range lpCases {
		if !bytes.Equal(got[i], lpCases[i]) {
			t.Errorf("element %d: %q, want %q", i, truncateForMsg(got[i]), truncateForMsg(lpCases[i]))
		}
	}
}

func TestListpackCorrupt(t *testing.T) {
	var b ListpackBuilder
	b.Append([]byte("hello"))
	b.AppendInt(1000)
	good := b.Bytes()
	mod := func(f func(p []byte) []byte) []byte { return f(append([]byte(nil), good...)) }
	cases := map[string][]byte{
		"short":        good[:5],
		"size header":  mod(func(p []byte) []byte { p[0]++; return p }),
		"no EOF":       mod(func(p []byte) []byte { p[len(p)-1] = 0; return p }),
		"count header": mod(func(p []byte) []byte { p[4] = 3; return p }),
		"backlen":      mod(func(p []byte) []byte { p[12] = 9; return p }),
		"bad encoding": mod(func(p []byte) []byte { p[6] = 0xf5; return p }),
		"string past end": mod(func(p []byte) []byte {
			p[6] = 0x80 | 40
			return p
		}),
		"early EOF": mod(func(p []byte) []byte { p[13] = 0xff; return p }),
	}
	for name, lp := range cases {
		if _, err := WalkListpack(lp, nil); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// ziplistBuilder writes ziplists for tests, with every encoding.
type ziplistBuilder struct {
	body  []byte
	prev  int
	last  int
	count int
}

func (z *ziplistBuilder) entry(enc []byte, data []byte) {
	start := len(z.body)
	if z.prev < 254 {
		z.body = append(z.body, byte(z.prev))
	} else {
		z.body = append(z.body, 254)
		z.body = binary.LittleEndian.AppendUint32(z.body, uint32(z.prev))
	}
	z.body = append(z.body, enc...)
	z.body = append(z.body, data...)
	z.prev = len(z.body) - start
	z.last = start
	z.count++
}

func (z *ziplistBuilder) str(s []byte) {
	n := len(s)
	switch {
	case n < 64:
		z.entry([]byte{byte(n)}, s)
	case n < 16384:
		z.entry([]byte{0x40 | byte(n>>8), byte(n)}, s)
	default:
		z.entry(binary.BigEndian.AppendUint32([]byte{0x80}, uint32(n)), s)
	}
}

func (z *ziplistBuilder) int(v int64) {
	switch {
	case v >= 0 && v <= 12:
		z.entry([]byte{0xf1 + byte(v)}, nil)
	case v >= math.MinInt8 && v <= math.MaxInt8:
		z.entry([]byte{0xfe}, []byte{byte(v)})
	case v >= math.MinInt16 && v <= math.MaxInt16:
		z.entry([]byte{0xc0}, binary.LittleEndian.AppendUint16(nil, uint16(v)))
	case v >= -1<<23 && v < 1<<23:
		z.entry([]byte{0xf0}, []byte{byte(v), byte(v >> 8), byte(v >> 16)})
	case v >= math.MinInt32 && v <= math.MaxInt32:
		z.entry([]byte{0xd0}, binary.LittleEndian.AppendUint32(nil, uint32(v)))
	default:
		z.entry([]byte{0xe0}, binary.LittleEndian.AppendUint64(nil, uint64(v)))
	}
}

func (z *ziplistBuilder) bytes() []byte {
	out := make([]byte, 10, 11+len(z.body))
	binary.LittleEndian.PutUint32(out, uint32(11+len(z.body)))
	tail := 10
	if z.count > 0 {
		tail = 10 + z.last
	}
	binary.LittleEndian.PutUint32(out[4:], uint32(tail))
	c := z.count
	if c > 65535 {
		c = 65535
	}
	binary.LittleEndian.PutUint16(out[8:], uint16(c))
	out = append(out, z.body...)
	return append(out, 0xff)
}

// ziplistOf builds a ziplist, storing canonical integers as integers.
func ziplistOf(elems [][]byte) []byte {
	var z ziplistBuilder
	for _, e := range elems {
		if v, err := strconv.ParseInt(string(e), 10, 64); err == nil && strconv.FormatInt(v, 10) == string(e) {
			z.int(v)
		} else {
			z.str(e)
		}
	}
	return z.bytes()
}

func TestZiplistRoundTrip(t *testing.T) {
	elems := append(bs("0", "5", "12", "13", "-1", "-128", "200", "-40000", "8000000", "-9000000", "2000000000", "-3000000000"), lpCases...)
	elems = append(elems, bytes.Repeat([]byte{'z'}, 300)) // 5-byte prevlen after it
	elems = append(elems, []byte("after"))
	zl := ziplistOf(elems)
	var got [][]byte
	n, err := WalkZiplist(zl, func(e Elem) error {
		got = append(got, e.Bytes())
		return nil
	})
	if err != nil || n != len(elems) {
		t.Fatalf("walk: %d, %v", n, err)
	}
	for i := range elems {
		if !bytes.Equal(got[i], elems[i]) {
			t.Errorf("element %d: %q, want %q", i, truncateForMsg(got[i]), truncateForMsg(elems[i]))
		}
	}
	if n, err := WalkZiplist(ziplistOf(nil), nil); err != nil || n != 0 {
		t.Fatalf("empty ziplist: %d, %v", n, err)
	}
}

func TestZiplistCorrupt(t *testing.T) {
	good := ziplistOf(bs("a", "bb", "7"))
	mod := func(f func(p []byte) []byte) []byte { return f(append([]byte(nil), good...)) }
	cases := map[string][]byte{
		"short":       good[:8],
		"size":        mod(func(p []byte) []byte { p[0]++; return p }),
		"tail":        mod(func(p []byte) []byte { p[4] = 10; return p }),
		"tail range":  mod(func(p []byte) []byte { p[4] = 200; return p }),
		"count":       mod(func(p []byte) []byte { p[8] = 7; return p }),
		"prevlen":     mod(func(p []byte) []byte { p[13] = 9; return p }),
		"encoding":    mod(func(p []byte) []byte { p[11] = 0x81; return p }),
		"int enc":     mod(func(p []byte) []byte { p[18] = 0xff; return p }),
		"string long": mod(func(p []byte) []byte { p[11] = 50; return p }),
		"no EOF":      mod(func(p []byte) []byte { p[len(p)-1] = 1; return p }),
	}
	for name, zl := range cases {
		if _, err := WalkZiplist(zl, nil); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: %v (% x)", name, err, zl)
		}
	}
}

func TestIntset(t *testing.T) {
	cases := []struct {
		vals  []int64
		width uint32
	}{
		{[]int64{3, 1, 2}, 2},
		{[]int64{-32768, 32767}, 2},
		{[]int64{32768, 1}, 4},
		{[]int64{math.MinInt32, 5}, 4},
		{[]int64{math.MaxInt32 + 1, -1}, 8},
		{[]int64{math.MinInt64, math.MaxInt64, 0}, 8},
	}
	for _, c := range cases {
		is, err := AppendIntset(nil, append([]int64(nil), c.vals...))
		if err != nil {
			t.Fatal(err)
		}
		if w := binary.LittleEndian.Uint32(is); w != c.width {
			t.Errorf("%v: width %d, want %d", c.vals, w, c.width)
		}
		got, err := ParseIntset(is)
		if err != nil {
			t.Fatalf("%v: %v", c.vals, err)
		}
		for i := 1; i < len(got); i++ {
			if got[i] <= got[i-1] {
				t.Fatalf("%v: not ascending: %v", c.vals, got)
			}
		}
		if len(got) != len(c.vals) {
			t.Fatalf("%v: got %v", c.vals, got)
		}
	}
	if _, err := AppendIntset(nil, []int64{1, 1}); !errors.Is(err, ErrEncoder) {
		t.Errorf("duplicate: %v", err)
	}
	good, _ := AppendIntset(nil, []int64{1, 2, 3})
	bad := map[string][]byte{
		"short":  good[:6],
		"width":  append([]byte{3, 0, 0, 0}, good[4:]...),
		"count":  append(append([]byte(nil), good[:4]...), append([]byte{9, 0, 0, 0}, good[8:]...)...),
		"empty":  {2, 0, 0, 0, 0, 0, 0, 0},
		"order":  {2, 0, 0, 0, 2, 0, 0, 0, 5, 0, 4, 0},
		"dup":    {2, 0, 0, 0, 2, 0, 0, 0, 5, 0, 5, 0},
		"length": append(append([]byte(nil), good...), 0),
	}
	for name, is := range bad {
		if _, err := ParseIntset(is); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// zipmapOf builds a zipmap for tests.
func zipmapOf(pairs [][]byte, free int) []byte {
	n := len(pairs) / 2
	out := []byte{byte(min(n, 254))}
	l := func(n int) {
		if n < 254 {
			out = append(out, byte(n))
		} else {
			out = append(out, 254)
			out = binary.LittleEndian.AppendUint32(out, uint32(n))
		}
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		l(len(pairs[i]))
		out = append(out, pairs[i]...)
		l(len(pairs[i+1]))
		out = append(out, byte(free))
		out = append(out, pairs[i+1]...)
		out = append(out, make([]byte, free)...)
	}
	return append(out, 0xff)
}

func TestZipmap(t *testing.T) {
	pairs := bs("f1", "v1", "f2", strings.Repeat("v", 300), "", "empty")
	zm := zipmapOf(pairs, 2)
	var got [][]byte
	n, err := WalkZipmap(zm, func(f, v []byte) error {
		got = append(got, f, v)
		return nil
	})
	if err != nil || n != 3 {
		t.Fatalf("walk: %d, %v", n, err)
	}
	for i := range pairs {
		if !bytes.Equal(got[i], pairs[i]) {
			t.Errorf("item %d: %q", i, got[i])
		}
	}
	bad := map[string][]byte{
		"short":    {0},
		"no end":   zm[:len(zm)-1],
		"empty":    {0, 0xff},
		"count":    append([]byte{7}, zm[1:]...),
		"overflow": {1, 2, 'a', 'b', 200, 0, 'x', 0xff},
		"free":     {1, 1, 'a', 1, 100, 'x', 0xff},
	}
	for name, zm := range bad {
		if _, err := WalkZipmap(zm, nil); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
