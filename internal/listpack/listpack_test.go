package listpack

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"slices"
	"strconv"
	"testing"
)

// sample holds every encoding, as strings: the boundary cases and longer
// strings.
var sample = func() [][]byte {
	var out [][]byte
	for _, c := range intCases {
		out = append(out, []byte(strconv.FormatInt(c.v, 10)))
	}
	for _, c := range stringCases {
		out = append(out, []byte(c.s))
	}
	for _, n := range []int{127, 128, 16383, 16384, 70000} {
		out = append(out, bytes.Repeat([]byte{'x'}, n))
	}
	return append(out, []byte("-123"))
}()

// positions returns the positions of the entries of lp, walking forward
// with First and Next.
func positions(lp []byte) []int {
	var pos []int
	for p := First(lp); p >= 0; p = Next(lp, p) {
		pos = append(pos, p)
	}
	return pos
}

// contents returns the entries of lp as strings.
func contents(lp []byte) [][]byte {
	var out [][]byte
	for _, p := range positions(lp) {
		out = append(out, BytesAt(lp, p, nil))
	}
	return out
}

func TestAppendAndWalk(t *testing.T) {
	lp := New(0)
	if n, err := Validate(lp); err != nil || n != 0 || First(lp) != -1 || Last(lp) != -1 {
		t.Fatalf("empty listpack: %d, %v, first %d, last %d", n, err, First(lp), Last(lp))
	}
	for _, s := range sample {
		before := len(lp)
		lp = Append(lp, s)
		if len(lp)-before != EntryLen(s) {
			t.Errorf("%.20q: Append added %d bytes, EntryLen says %d", s, len(lp)-before, EntryLen(s))
		}
	}
	lp = AppendInt(lp, -70000)
	want := append(append([][]byte(nil), sample...), []byte("-70000"))
	if TotalBytes(lp) != len(lp) || int(binary.LittleEndian.Uint16(lp[4:])) != len(want) {
		t.Fatalf("header: %d bytes, %d entries", TotalBytes(lp), binary.LittleEndian.Uint16(lp[4:]))
	}
	if n, err := Validate(lp); err != nil || n != len(want) {
		t.Fatalf("Validate: %d, %v", n, err)
	}
	got := contents(lp)
	if len(got) != len(want) {
		t.Fatalf("%d entries, want %d", len(got), len(want))
	}
	for i := range want {
		if !bytes.Equal(got[i], want[i]) {
			t.Errorf("entry %d: %.20q, want %.20q", i, got[i], want[i])
		}
	}
	// Backwards, from Last and from the terminator, to the same positions.
	fwd := positions(lp)
	var back []int
	for p := Last(lp); p >= 0; p = Prev(lp, p) {
		back = append([]int{p}, back...)
	}
	if !slices.Equal(fwd, back) || Prev(lp, len(lp)-1) != fwd[len(fwd)-1] {
		t.Fatalf("forward %v, backward %v", fwd, back)
	}
	// Canonical integers given as strings are integer entries.
	if _, v, isInt, _ := Decode(lp, fwd[len(fwd)-2]); !isInt || v != -123 {
		t.Errorf("\"-123\" decodes as %d (isInt %v)", v, isInt)
	}
	// Builder writes the same bytes.
	var b Builder
	for _, s := range sample {
		b.Append(s)
	}
	b.AppendInt(-70000)
	if !bytes.Equal(b.Bytes(), lp) || b.Size() != len(lp) || b.Len() != len(want) {
		t.Fatalf("Builder: %d bytes (Size %d, Len %d), Append: %d bytes", len(b.Bytes()), b.Size(), b.Len(), len(lp))
	}
}

func TestReplaceInt(t *testing.T) {
	lp := New(0)
	for _, v := range []int64{1, 2, 3} {
		lp = AppendInt(lp, v)
	}
	orig := append([]byte(nil), lp...)
	// Same size: in place.
	same := ReplaceInt(lp, HeaderSize, 100)
	if &same[0] != &lp[0] || IntAt(same, HeaderSize) != 100 {
		t.Fatalf("same-size replace: % x", same)
	}
	// Another size: a new slice, the entries after it shifted, the header
	// total updated, the old slice left alone.
	copy(lp, orig)
	grown := ReplaceInt(lp, HeaderSize, 70000)
	if !bytes.Equal(lp, orig) || len(grown) != len(orig)+3 {
		t.Fatalf("grown % x from % x", grown, orig)
	}
	if n, err := Validate(grown); err != nil || n != 3 {
		t.Fatalf("Validate: %d, %v", n, err)
	}
	if got := contents(grown); string(bytes.Join(got, []byte(","))) != "70000,2,3" {
		t.Fatalf("entries %q", got)
	}
	shrunk := ReplaceInt(grown, Next(grown, HeaderSize), math.MinInt64)
	shrunk = ReplaceInt(shrunk, HeaderSize, -5)
	if got := contents(shrunk); string(bytes.Join(got, []byte(","))) != "-5,-9223372036854775808,3" {
		t.Fatalf("entries %q", got)
	}
	if _, err := Validate(shrunk); err != nil {
		t.Fatal(err)
	}
}

func TestKnownRedisBytes(t *testing.T) {
	// Redis 7.0's listpack for HSET user:1 name ada age 36 (from
	// redis-7.0-alltypes.rdb).
	want := []byte{0x19, 0, 0, 0, 4, 0, 0x84, 'n', 'a', 'm', 'e', 5, 0x83, 'a', 'd', 'a', 4, 0x83, 'a', 'g', 'e', 4, 36, 1, 0xff}
	lp := New(0)
	var b Builder
	for _, s := range []string{"name", "ada", "age", "36"} {
		lp = Append(lp, []byte(s))
		b.Append([]byte(s))
	}
	if !bytes.Equal(lp, want) || !bytes.Equal(b.Bytes(), want) {
		t.Fatalf("Append % x\nBuilder % x\nwant % x", lp, b.Bytes(), want)
	}
}

func TestCountHeaderSaturates(t *testing.T) {
	lp := New(0)
	var b Builder
	for i := 0; i < 70000; i++ {
		lp = AppendInt(lp, int64(i%100))
		b.AppendInt(int64(i % 100))
	}
	if h := binary.LittleEndian.Uint16(lp[4:]); h != CountUnknown {
		t.Fatalf("count header %d", h)
	}
	if !bytes.Equal(b.Bytes(), lp) {
		t.Fatal("Builder and Append differ")
	}
	if n, err := Validate(lp); err != nil || n != 70000 {
		t.Fatalf("Validate: %d, %v", n, err)
	}
	small := New(0)
	small = AppendInt(small, 1)
	SetHeader(small, 70000)
	if h := binary.LittleEndian.Uint16(small[4:]); h != CountUnknown || TotalBytes(small) != len(small) {
		t.Fatalf("SetHeader: count %d, total %d", h, TotalBytes(small))
	}
}

func TestBuilderAppendBuilder(t *testing.T) {
	var a, b, empty, all Builder
	a.AppendInt(7)
	b.Append([]byte("hello"))
	b.AppendInt(1000)
	a.AppendBuilder(&b)
	a.AppendBuilder(&empty)
	all.AppendInt(7)
	all.Append([]byte("hello"))
	all.AppendInt(1000)
	if !bytes.Equal(a.Bytes(), all.Bytes()) || a.Len() != 3 {
		t.Fatalf("% x, want % x", a.Bytes(), all.Bytes())
	}
	empty.AppendBuilder(&b)
	if !bytes.Equal(empty.Bytes(), b.Bytes()) {
		t.Fatalf("% x, want % x", empty.Bytes(), b.Bytes())
	}
	a.Reset()
	if a.Len() != 0 || !bytes.Equal(a.Bytes(), New(0)) || a.Size() != HeaderSize+1 {
		t.Fatalf("after Reset: % x", a.Bytes())
	}
	if got := a.AppendTo([]byte("pre")); string(got[:3]) != "pre" || !bytes.Equal(got[3:], New(0)) {
		t.Fatalf("AppendTo: % x", got)
	}
}

func TestValidateErrors(t *testing.T) {
	var b Builder
	b.Append([]byte("hello")) // 6..12: 85 'hello' 06
	b.AppendInt(1000)         // 13..15: c3 e8 02
	good := b.Bytes()
	mod := func(f func(p []byte) []byte) []byte { return f(append([]byte(nil), good...)) }
	cases := []struct {
		name   string
		lp     []byte
		offset int
		msg    string
	}{
		{"short", good[:5], -1, "listpack of 5 bytes is too short"},
		{"size header", mod(func(p []byte) []byte { p[0]++; return p }), -1, "listpack size header says 18 bytes, have 17"},
		{"no terminator", mod(func(p []byte) []byte { p[16] = 0; return p }), 16, "listpack does not end with its terminator"},
		{"count header", mod(func(p []byte) []byte { p[4] = 3; return p }), -1, "listpack count header says 3 elements, have 2"},
		{"backlen", mod(func(p []byte) []byte { p[12] = 9; return p }), 6, "listpack element at offset 6 has a bad backlen"},
		{"long backlen", mod(func(p []byte) []byte { p[12] = 0x86; return p }), 6, "listpack element at offset 6 has a bad backlen"},
		{"bad encoding", mod(func(p []byte) []byte { p[6] = 0xf5; return p }), 6, "invalid listpack element encoding 0xf5 at offset 6"},
		{"string past end", mod(func(p []byte) []byte { p[6] = 0x80 | 40; return p }), 6, "listpack element at offset 6 reaches past the end"},
		{"early terminator", mod(func(p []byte) []byte { p[13] = 0xff; return p }), 13, "listpack terminator at offset 13, before the end"},
		{"12-bit length cut", mod(func(p []byte) []byte { p[13], p[14], p[15] = 1, 1, 0xe0; return p }), 15, "invalid listpack element encoding 0xe0 at offset 15"},
		{"32-bit length cut", mod(func(p []byte) []byte { p[13] = 0xf0; return p }), 13, "invalid listpack element encoding 0xf0 at offset 13"},
	}
	if _, err := Validate(good); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		_, err := Validate(c.lp)
		var e *Error
		if !errors.As(err, &e) || !errors.Is(err, ErrInvalid) || e.Offset != c.offset || err.Error() != c.msg {
			t.Errorf("%s: %v (%#v), want offset %d, %q", c.name, err, e, c.offset, c.msg)
		}
	}
}

func TestIterator(t *testing.T) {
	var b Builder
	for _, s := range sample {
		b.Append(s)
	}
	lp := b.Bytes()
	it, err := NewIterator(lp)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		e, ok, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			if i != len(sample) || it.Count() != i {
				t.Fatalf("%d entries (Count %d), want %d", i, it.Count(), len(sample))
			}
			break
		}
		var got []byte
		if e.IsInt {
			got = strconv.AppendInt(nil, e.Int, 10)
		} else {
			got = e.Str
		}
		if !bytes.Equal(got, sample[i]) {
			t.Errorf("entry %d: %.20q, want %.20q", i, got, sample[i])
		}
	}
	if err := it.Finish(); err != nil {
		t.Fatal(err)
	}
	var zero Iterator
	if _, ok, err := zero.Next(); ok || err != nil || zero.Finish() != nil {
		t.Fatalf("zero Iterator: %v, %v", ok, err)
	}
}

func TestValidateNeverPanics(t *testing.T) {
	var b Builder
	for _, s := range []string{"a", "12", "hello world", "-70000", "300"} {
		b.Append([]byte(s))
	}
	good := b.Bytes()
	for i := range good {
		for _, c := range []byte{0x00, 0x01, 0x7F, 0x80, 0xBF, 0xC0, 0xE0, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF} {
			bad := append([]byte(nil), good...)
			bad[i] = c
			// A changed listpack is refused or still reads entirely.
			if n, err := Validate(bad); err == nil && len(contents(bad)) != n {
				t.Fatalf("byte %d set to %#x: count %d, %d entries", i, c, n, len(contents(bad)))
			}
		}
	}
	for n := 0; n < len(good); n++ {
		if _, err := Validate(good[:n]); err == nil {
			t.Fatalf("truncated to %d bytes: valid", n)
		}
	}
}
