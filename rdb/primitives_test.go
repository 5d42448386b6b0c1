package rdb

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestCRC64CheckVector(t *testing.T) {
	if got := CRC64(0, []byte("123456789")); got != 0xe9c6d914c4b8d9ca {
		t.Fatalf("crc64(123456789) = %#x, want 0xe9c6d914c4b8d9ca", got)
	}
	if got := CRC64(0, nil); got != 0 {
		t.Fatalf("crc64(empty) = %#x", got)
	}
}

func TestCRC64Incremental(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	data := make([]byte, 1000)
	for i := range data {
		data[i] = byte(rng.IntN(256))
	}
	whole := CRC64(0, data)
	for cut := 0; cut <= len(data); cut += 37 {
		if got := CRC64(CRC64(0, data[:cut]), data[cut:]); got != whole {
			t.Fatalf("split at %d: %#x != %#x", cut, got, whole)
		}
	}
	// Bytewise reference (the plain reflected algorithm).
	var ref uint64
	for _, b := range data {
		ref ^= uint64(b)
		for k := 0; k < 8; k++ {
			if ref&1 == 1 {
				ref = ref>>1 ^ crc64Reflected
			} else {
				ref >>= 1
			}
		}
	}
	if ref != whole {
		t.Fatalf("table CRC %#x != bitwise %#x", whole, ref)
	}
}

func lzfInputs() map[string][]byte {
	rng := rand.New(rand.NewPCG(3, 4))
	random := make([]byte, 10000)
	for i := range random {
		random[i] = byte(rng.IntN(256))
	}
	text := []byte(strings.Repeat("the quick brown fox jumps over the lazy dog. ", 300))
	lowEntropy := make([]byte, 20000)
	for i := range lowEntropy {
		lowEntropy[i] = "ab"[rng.IntN(2)]
	}
	far := append(append(append([]byte{}, random[:100]...), random[:9000]...), random[:100]...)
	return map[string][]byte{
		"empty": {}, "one": {'x'}, "two": []byte("ab"), "three": []byte("abc"),
		"run": bytes.Repeat([]byte{'a'}, 1000), "random": random, "text": text,
		"lowEntropy": lowEntropy, "far": far, "xyz": []byte(strings.Repeat("xyz", 400)),
		"long-run": bytes.Repeat([]byte{0}, 70000),
	}
}

func TestLZFRoundTrip(t *testing.T) {
	for name, in := range lzfInputs() {
		out, ok := LZFCompress(nil, in, len(in)+len(in)/32+2)
		if !ok {
			t.Fatalf("%s: incompressible within the worst-case bound", name)
		}
		back, err := LZFDecompress(nil, out, len(in))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Equal(back, in) {
			t.Fatalf("%s: round trip differs", name)
		}
		// A tighter bound than the output size must be refused.
		if len(out) > 0 {
			if _, ok := LZFCompress(nil, in, len(out)-1); ok {
				t.Fatalf("%s: compressed into fewer bytes than it needs", name)
			}
		}
	}
}

func TestLZFCompressesRepetitions(t *testing.T) {
	in := []byte(strings.Repeat("xyz", 400))
	out, ok := LZFCompress(nil, in, len(in)-4)
	if !ok || len(out) > 40 {
		t.Fatalf("xyz*400 compressed to %d bytes (ok=%v)", len(out), ok)
	}
}

func TestLZFDecompressErrors(t *testing.T) {
	cases := map[string]struct {
		in  []byte
		out int
	}{
		"literal past input":     {[]byte{5, 'a'}, 6},
		"backref before output":  {[]byte{0, 'a', 0x20, 5}, 4},
		"backref missing offset": {[]byte{0, 'a', 0x20}, 4},
		"long backref truncated": {[]byte{0, 'a', 0xe0}, 20},
		"output too long":        {[]byte{2, 'a', 'b', 'c'}, 2},
		"output too short":       {[]byte{0, 'a'}, 2},
		"negative":               {[]byte{0, 'a'}, -1},
	}
	for name, c := range cases {
		if _, err := LZFDecompress(nil, c.in, c.out); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: err = %v, want ErrCorrupt", name, err)
		}
	}
	// A valid overlapping back reference: "a" then copy 5 from 1 back.
	got, err := LZFDecompress(nil, []byte{0, 'a', 3 << 5, 0}, 6)
	if err != nil || string(got) != "aaaaaa" {
		t.Fatalf("overlapping copy: %q, %v", got, err)
	}
}

func TestLen(t *testing.T) {
	for _, v := range []uint64{0, 1, 63, 64, 16383, 16384, math.MaxUint32, math.MaxUint32 + 1, math.MaxUint64} {
		enc := AppendLen(nil, v)
		wantSize := map[bool]int{}[false]
		switch {
		case v < 64:
			wantSize = 1
		case v < 16384:
			wantSize = 2
		case v <= math.MaxUint32:
			wantSize = 5
		default:
			wantSize = 9
		}
		if len(enc) != wantSize {
			t.Errorf("len(%d) encoded in %d bytes, want %d", v, len(enc), wantSize)
		}
		r := newReader(bytes.NewReader(enc))
		got, isEnc, err := r.readLen()
		if err != nil || isEnc || got != v {
			t.Errorf("len(%d) decodes to %d, %v, %v", v, got, isEnc, err)
		}
	}
	if _, _, err := newReader(bytes.NewReader([]byte{0x82})).readLen(); !errors.Is(err, ErrCorrupt) {
		t.Errorf("length marker 0x82: %v", err)
	}
}

func TestStringEncodings(t *testing.T) {
	long := strings.Repeat("a", 100)
	cases := []struct {
		in    string
		first byte // first encoded byte
		size  int  // encoded size, 0 = don't check
	}{
		{"0", 0xc0, 2},
		{"-128", 0xc0, 2},
		{"127", 0xc0, 2},
		{"128", 0xc1, 3},
		{"-32768", 0xc1, 3},
		{"32768", 0xc2, 5},
		{"2147483647", 0xc2, 5},
		{"-2147483648", 0xc2, 5},
		{"2147483648", 10, 11},  // fits no 32-bit encoding
		{"01", 2, 3},            // not canonical
		{"+1", 2, 3},            // not canonical
		{"-0", 2, 3},            // not canonical
		{"", 0, 1},              //
		{"12345678901", 11, 12}, // 11 chars but not 32-bit
		{strings.Repeat("a", 20), 20, 21},
		{long, 0xc3, 0},                        // LZF
		{"abcdefghijklmnopqrstuvwxyz", 26, 27}, // incompressible
	}
	for _, c := range cases {
		enc := AppendString(nil, []byte(c.in), true)
		if enc[0] != c.first || (c.size != 0 && len(enc) != c.size) {
			t.Errorf("%q: encoded as % x", c.in, enc)
		}
		got, err := newReader(bytes.NewReader(enc)).readString()
		if err != nil || string(got) != c.in {
			t.Errorf("%q: decodes to %q, %v", c.in, got, err)
		}
	}
	if enc := AppendString(nil, []byte(long), false); enc[0] != 64|0 && enc[0] != 100 {
		// 100 < 16384: 14-bit form 0x40 0x64
		if !(enc[0] == 0x40 && enc[1] == 100) {
			t.Errorf("uncompressed long string: % x", enc[:2])
		}
	}
}

func TestForgedLZFLengths(t *testing.T) {
	// ulen far beyond what clen can expand to.
	enc := []byte{0xc3}
	enc = AppendLen(enc, 2)
	enc = AppendLen(enc, 1<<40)
	enc = append(enc, 0, 'a')
	if _, err := newReader(bytes.NewReader(enc)).readString(); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("forged LZF length: %v", err)
	}
}

func TestForgedStringLengthAllocatesLittle(t *testing.T) {
	enc := AppendLen(nil, 1<<40)
	enc = append(enc, "short"...)
	allocs := testing.AllocsPerRun(5, func() {
		if _, err := newReader(bytes.NewReader(enc)).readString(); !errors.Is(err, ErrTruncated) {
			t.Fatalf("forged length: %v", err)
		}
	})
	if allocs > 10 {
		t.Fatalf("%v allocations for a 5-byte string with a forged length", allocs)
	}
}

func TestDoubles(t *testing.T) {
	for _, f := range []float64{0, math.Copysign(0, -1), 1, -1, 1.5, 1e300, -1e-300, 0.1, 1.0 / 3, math.MaxFloat64,
		math.Inf(1), math.Inf(-1), 1 << 62, 1<<62 + 1024, -(1 << 62), 5e9} {
		r := newReader(bytes.NewReader(AppendTextDouble(nil, f)))
		got, err := r.readTextDouble()
		if err != nil || got != f || math.Signbit(got) != math.Signbit(f) {
			t.Errorf("text double %v -> %v, %v", f, got, err)
		}
		r = newReader(bytes.NewReader(AppendBinaryDouble(nil, f)))
		got, err = r.readBinaryDouble()
		if err != nil || got != f {
			t.Errorf("binary double %v -> %v, %v", f, got, err)
		}
	}
	nan := AppendTextDouble(nil, math.NaN())
	if got, _ := newReader(bytes.NewReader(nan)).readTextDouble(); !math.IsNaN(got) {
		t.Errorf("NaN text double reads %v", got)
	}
	for f, want := range map[float64]string{1: "1", -0.5: "-0.5", 1.0 / 3: "0.33333333333333331", 1e20: "1e+20",
		1e200: "9.9999999999999997e+199", math.Copysign(0, -1): "-0", 4611686018427387904: "4611686018427387904",
		4611686018427387904 * 2: "9.2233720368547758e+18"} {
		if got := string(formatScore(nil, f)); got != want {
			t.Errorf("formatScore(%v) = %q, want %q", f, got, want)
		}
	}
}
