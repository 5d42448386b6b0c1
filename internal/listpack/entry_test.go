package listpack

import (
	"bytes"
	"encoding/hex"
	"math"
	"os"
	"strconv"
	"testing"
)

// single returns a listpack holding the one entry e.
func single(e []byte) []byte {
	lp := append(make([]byte, HeaderSize), e...)
	lp = append(lp, End)
	SetHeader(lp, 1)
	return lp
}

// checkSingle checks the readers and Validate on lp, a listpack holding
// only an entry that stores want.
func checkSingle(t *testing.T, lp []byte, want []byte) {
	t.Helper()
	e := lp[HeaderSize : len(lp)-1]
	if n, err := Validate(lp); err != nil || n != 1 {
		t.Fatalf("Validate: %d, %v", n, err)
	}
	if got := SizeAt(lp, HeaderSize); got != len(e) {
		t.Errorf("SizeAt %d, want %d", got, len(e))
	}
	if _, _, _, size := Decode(lp, HeaderSize); size != len(e) {
		t.Errorf("Decode size %d, want %d", size, len(e))
	}
	if got := BytesAt(lp, HeaderSize, nil); !bytes.Equal(got, want) {
		t.Errorf("BytesAt %.40q, want %.40q", got, want)
	}
	if First(lp) != HeaderSize || Last(lp) != HeaderSize || Prev(lp, len(lp)-1) != HeaderSize {
		t.Errorf("First %d, Last %d, Prev(terminator) %d", First(lp), Last(lp), Prev(lp, len(lp)-1))
	}
	if Next(lp, HeaderSize) != -1 || Prev(lp, HeaderSize) != -1 {
		t.Errorf("Next %d, Prev %d of the only entry", Next(lp, HeaderSize), Prev(lp, HeaderSize))
	}
}

// intCases are the entry bytes (encoding, data, backlen) Redis's
// listpack.c writes for integers at both sides of every integer width.
var intCases = []struct {
	v    int64
	want string
}{
	{0, "0001"},
	{127, "7f01"},
	{128, "c08002"},
	{-1, "dfff02"},
	{4095, "cfff02"},
	{-4096, "d00002"},
	{4096, "f1001003"},
	{-4097, "f1ffef03"},
	{32767, "f1ff7f03"},
	{-32768, "f1008003"},
	{32768, "f200800004"},
	{-32769, "f2ff7fff04"},
	{8388607, "f2ffff7f04"},
	{-8388608, "f200008004"},
	{8388608, "f30000800005"},
	{-8388609, "f3ffff7fff05"},
	{math.MaxInt32, "f3ffffff7f05"},
	{math.MinInt32, "f30000008005"},
	{math.MaxInt32 + 1, "f4000000800000000009"},
	{math.MinInt32 - 1, "f4ffffff7fffffffff09"},
	{math.MaxInt64, "f4ffffffffffffff7f09"},
	{math.MinInt64, "f4000000000000008009"},
}

func TestIntEntryBoundaries(t *testing.T) {
	for _, c := range intCases {
		text := []byte(strconv.FormatInt(c.v, 10))
		t.Run(string(text), func(t *testing.T) {
			want, _ := hex.DecodeString(c.want)
			if got := AppendIntEntry(nil, c.v); !bytes.Equal(got, want) {
				t.Fatalf("AppendIntEntry % x, want % x", got, want)
			}
			if got := AppendEntry(nil, text); !bytes.Equal(got, want) {
				t.Fatalf("AppendEntry % x, want % x", got, want)
			}
			if IntEntryLen(c.v) != len(want) || EntryLen(text) != len(want) ||
				IntEncodedLen(c.v) != len(want)-1 || EncodedLen(text) != len(want)-1 {
				t.Fatalf("lengths %d %d %d %d, entry is %d bytes", IntEntryLen(c.v), EntryLen(text),
					IntEncodedLen(c.v), EncodedLen(text), len(want))
			}
			checkSingle(t, single(want), text)
			lp := single(want)
			if _, v, isInt, _ := Decode(lp, HeaderSize); !isInt || v != c.v {
				t.Errorf("Decode %d (isInt %v)", v, isInt)
			}
			if v := IntAt(lp, HeaderSize); v != c.v {
				t.Errorf("IntAt %d", v)
			}
		})
	}
}

// stringCases are the encoding bytes and the backlen of string entries at
// both sides of every length field, and of strings that look like integers
// but are not canonical.
var stringCases = []struct {
	s             string
	enc, backlen  string
	encodedLength int
}{
	{"", "80", "01", 1},
	{"a", "81", "02", 2},
	{"01", "82", "03", 3},
	{"-0", "82", "03", 3},
	{"+1", "82", "03", 3},
	{" 1", "82", "03", 3},
	{"1.5", "83", "04", 4},
	{"9223372036854775808", "93", "14", 20},
	{"-9223372036854775809", "94", "15", 21},
	{string(bytes.Repeat([]byte{'x'}, 63)), "bf", "40", 64},
	{string(bytes.Repeat([]byte{'x'}, 64)), "e040", "42", 66},
	{string(bytes.Repeat([]byte{'x'}, 4095)), "efff", "2081", 4097},
	{string(bytes.Repeat([]byte{'x'}, 4096)), "f000100000", "2085", 4101},
}

func TestStringEntryBoundaries(t *testing.T) {
	for _, c := range stringCases {
		t.Run(strconv.Itoa(len(c.s))+":"+c.s[:min(len(c.s), 3)], func(t *testing.T) {
			enc, _ := hex.DecodeString(c.enc)
			bl, _ := hex.DecodeString(c.backlen)
			want := append(append(append([]byte(nil), enc...), c.s...), bl...)
			got := AppendEntry(nil, []byte(c.s))
			if !bytes.Equal(got, want) {
				t.Fatalf("AppendEntry %.80x, want %.80x", got, want)
			}
			if EncodedLen([]byte(c.s)) != c.encodedLength || EntryLen([]byte(c.s)) != len(want) {
				t.Fatalf("EncodedLen %d, EntryLen %d", EncodedLen([]byte(c.s)), EntryLen([]byte(c.s)))
			}
			checkSingle(t, single(want), []byte(c.s))
		})
	}
}

func TestBacklenBoundaries(t *testing.T) {
	// Redis's thresholds, one below each 7-bit group boundary.
	cases := []struct {
		l    int
		want string
	}{
		{0, "00"},
		{1, "01"},
		{127, "7f"},
		{128, "0180"},
		{16382, "7ffe"},
		{16383, "00ffff"},
		{2097150, "7ffffe"},
		{2097151, "00ffffff"},
		{268435454, "7ffffffe"},
		{268435455, "00ffffffff"},
		{1<<32 + 4, "1080808084"},
	}
	for _, c := range cases {
		want, _ := hex.DecodeString(c.want)
		got := AppendBacklen([]byte{0xAA}, c.l)[1:]
		if !bytes.Equal(got, want) {
			t.Errorf("backlen of %d: % x, want % x", c.l, got, want)
		}
		if BacklenSize(c.l) != len(want) {
			t.Errorf("BacklenSize(%d) = %d, want %d", c.l, BacklenSize(c.l), len(want))
		}
		// Read back from its last byte: the entry starts l bytes before the
		// backlen.
		if p := prevFrom(want, len(want)-1); p != -c.l {
			t.Errorf("backlen of %d reads back as %d", c.l, -p)
		}
	}
}

func TestLongEntryBacklens(t *testing.T) {
	// String entries whose encoding and data take l bytes, l at both sides
	// of every backlen boundary. The string is made of the zero bytes
	// already where the entry's data goes (one allocation). The last pair
	// needs 256 MB entries and seconds of page faults: it runs with
	// LISTPACK_TEST_HUGE=1; TestBacklenBoundaries covers that boundary
	// without them.
	ls := []int{127, 128, 16382, 16383, 2097150, 2097151}
	if os.Getenv("LISTPACK_TEST_HUGE") == "1" {
		ls = append(ls, 268435454, 268435455)
	}
	for _, l := range ls {
		hdr := 5 // a 32-bit length string
		if l-hdr < 4096 {
			hdr = 2
		}
		buf := make([]byte, HeaderSize+l+BacklenSize(l)+1)
		s := buf[HeaderSize+hdr : HeaderSize+l] // zero bytes: no integer
		e := AppendEntry(buf[HeaderSize:HeaderSize], s)
		if len(e) != l+BacklenSize(l) || EntryLen(s) != len(e) {
			t.Fatalf("l %d: entry of %d bytes, EntryLen %d", l, len(e), EntryLen(s))
		}
		buf[len(buf)-1] = End
		SetHeader(buf, 1)
		checkSingle(t, buf, s)
	}
}
