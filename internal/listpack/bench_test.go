package listpack

import (
	"strconv"
	"testing"
)

// benchElems are what a list or stream node typically holds: short
// strings and small and large numbers.
var benchElems = func() [][]byte {
	var out [][]byte
	for i := 0; i < 256; i++ {
		switch i % 4 {
		case 0:
			out = append(out, []byte("element:"+strconv.Itoa(i)))
		case 1:
			out = append(out, []byte(strconv.Itoa(i)))
		case 2:
			out = append(out, []byte(strconv.Itoa(i*100003)))
		default:
			out = append(out, []byte("a somewhat longer value, "+strconv.Itoa(i)))
		}
	}
	return out
}()

func benchListpack() []byte {
	lp := New(0)
	for _, e := range benchElems {
		lp = Append(lp, e)
	}
	return lp
}

func BenchmarkAppendEntry(b *testing.B) {
	buf := make([]byte, 0, 64*1024)
	for i := 0; b.Loop(); i++ {
		buf = AppendEntry(buf[:0], benchElems[i%len(benchElems)])
	}
}

func BenchmarkAppendIntEntry(b *testing.B) {
	buf := make([]byte, 0, 64)
	for i := 0; b.Loop(); i++ {
		buf = AppendIntEntry(buf[:0], int64(i)*7919)
	}
}

func BenchmarkDecode(b *testing.B) {
	lp := benchListpack()
	for b.Loop() {
		for p := HeaderSize; lp[p] != End; {
			_, _, _, size := Decode(lp, p)
			p += size
		}
	}
}

func BenchmarkSizeAt(b *testing.B) {
	lp := benchListpack()
	for b.Loop() {
		for p := HeaderSize; lp[p] != End; p += SizeAt(lp, p) {
		}
	}
}

func BenchmarkPrev(b *testing.B) {
	lp := benchListpack()
	for b.Loop() {
		for p := Last(lp); p >= 0; p = Prev(lp, p) {
		}
	}
}

func BenchmarkValidate(b *testing.B) {
	lp := benchListpack()
	for b.Loop() {
		if _, err := Validate(lp); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkIterator(b *testing.B) {
	lp := benchListpack()
	for b.Loop() {
		it, _ := NewIterator(lp)
		for {
			_, ok, err := it.Next()
			if err != nil {
				b.Fatal(err)
			}
			if !ok {
				break
			}
		}
	}
}
