package listpack

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strconv"
	"testing"
)

// FuzzValidate: Validate and Iterator never panic and agree; what they
// accept, the readers walk both ways to the same entries.
func FuzzValidate(f *testing.F) {
	short := New(0) // every encoding, strings of up to 64 bytes
	for _, c := range intCases {
		short = AppendInt(short, c.v)
	}
	for _, c := range stringCases[:len(stringCases)-2] { // the last two are 4 KB
		short = Append(short, []byte(c.s))
	}
	f.Add(short)
	f.Add(Append(New(0), bytes.Repeat([]byte{'x'}, 4096)))
	f.Add(New(0))
	f.Add([]byte{0x0a, 0, 0, 0, 1, 0, 0xf5, 0x01, 0x00, 0xff})
	f.Fuzz(func(t *testing.T, lp []byte) {
		n, err := Validate(lp)
		it, itErr := NewIterator(lp)
		var entries []Entry
		for itErr == nil {
			e, ok, err := it.Next()
			if err != nil {
				itErr = err
				break
			}
			if !ok {
				itErr = it.Finish()
				break
			}
			entries = append(entries, e)
		}
		if (err == nil) != (itErr == nil) || err != nil && err.Error() != itErr.Error() {
			t.Fatalf("Validate: %v, Iterator: %v", err, itErr)
		}
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %T %v", err, err)
			}
			return
		}
		if n != len(entries) || it.Count() != n {
			t.Fatalf("count %d, %d entries, Count %d", n, len(entries), it.Count())
		}
		pos := positions(lp)
		if len(pos) != n {
			t.Fatalf("First/Next walk %d entries, want %d", len(pos), n)
		}
		for i, p := range pos {
			s, v, isInt, size := Decode(lp, p)
			e := entries[i]
			if isInt != e.IsInt || v != e.Int || !bytes.Equal(s, e.Str) || size != SizeAt(lp, p) {
				t.Fatalf("entry %d at %d: Decode (%q %d %v %d), Iterator %+v, SizeAt %d", i, p, s, v, isInt, size, e, SizeAt(lp, p))
			}
			if q := Prev(lp, p+size); q != p {
				t.Fatalf("Prev of %d is %d, want %d", p+size, q, p)
			}
		}
		last := -1
		if n > 0 {
			last = pos[n-1]
		}
		if Last(lp) != last {
			t.Fatalf("Last %d, want %d", Last(lp), last)
		}
		// Rebuilt from their strings, the entries read back the same.
		var rb Builder
		for _, p := range pos {
			rb.Append(BytesAt(lp, p, nil))
		}
		again := rb.Bytes()
		if m, err := Validate(again); err != nil || m != n {
			t.Fatalf("rebuilt: %d, %v", m, err)
		}
		for i, p := range positions(again) {
			if !bytes.Equal(BytesAt(again, p, nil), BytesAt(lp, pos[i], nil)) {
				t.Fatalf("entry %d differs after rebuild", i)
			}
		}
	})
}

// FuzzDecode: a listpack built by the encoders (Append, AppendInt,
// Builder, AppendEntry) always validates, reads back as what was appended,
// and has the sizes EntryLen announces.
func FuzzDecode(f *testing.F) {
	f.Add([]byte("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x01\x05hello\x02\x0f\xff\x03\x00\x00\x00\x80\x00\x00\x00\x00"))
	f.Add([]byte("\x02\x10\x00\x02\x0f\xfa\x02\x3f\xfa\x01\x3f"))
	f.Add([]byte("\x00\xff\xff\xff\xff\xff\xff\xff\x7f\x00\x00\x00\x00\x00\x00\x00\x00\x80\x03\xff\xef\xff\xff\xff\xff\xff\xff"))
	f.Fuzz(func(t *testing.T, script []byte) {
		elems := elementsOf(script)
		lp := New(0)
		var b Builder
		var raw []byte
		size := HeaderSize + 1
		for _, e := range elems {
			if e.isInt {
				lp = AppendInt(lp, e.v)
				b.AppendInt(e.v)
				raw = AppendIntEntry(raw, e.v)
				size += IntEntryLen(e.v)
			} else {
				lp = Append(lp, e.s)
				b.Append(e.s)
				raw = AppendEntry(raw, e.s)
				size += EntryLen(e.s)
			}
		}
		if len(lp) != size || !bytes.Equal(b.Bytes(), lp) || !bytes.Equal(lp[HeaderSize:len(lp)-1], raw) {
			t.Fatalf("encoders disagree: Append %d bytes, Builder %d, entries %d, sizes say %d", len(lp), b.Size(), len(raw), size)
		}
		n, err := Validate(lp)
		if err != nil || n != len(elems) {
			t.Fatalf("Validate: %d, %v, want %d entries", n, err, len(elems))
		}
		pos := positions(lp)
		if len(pos) != len(elems) {
			t.Fatalf("%d entries, want %d", len(pos), len(elems))
		}
		for i, p := range pos {
			e := elems[i]
			if got := BytesAt(lp, p, nil); !bytes.Equal(got, e.text()) {
				t.Fatalf("entry %d: %.40q, want %.40q", i, got, e.text())
			}
			_, v, isInt, _ := Decode(lp, p)
			if isInt != e.storedAsInt() || isInt && (v != e.intValue() || IntAt(lp, p) != v) {
				t.Fatalf("entry %d: %d (isInt %v)", i, v, isInt)
			}
		}
		// Replacing an entry by an integer changes that entry only.
		if len(pos) > 0 {
			k := int(script[0]) % len(pos)
			v := int64(binary.LittleEndian.Uint64(append(script, make([]byte, 8)...)))
			r := ReplaceInt(append([]byte(nil), lp...), pos[k], v)
			if m, err := Validate(r); err != nil || m != n {
				t.Fatalf("after ReplaceInt: %d, %v", m, err)
			}
			for i, p := range positions(r) {
				want := elems[i].text()
				if i == k {
					want = strconv.AppendInt(nil, v, 10)
				}
				if got := BytesAt(r, p, nil); !bytes.Equal(got, want) {
					t.Fatalf("after ReplaceInt, entry %d: %.40q, want %.40q", i, got, want)
				}
			}
		}
	})
}

// fuzzElem is an element for FuzzDecode: an integer or a string.
type fuzzElem struct {
	s     []byte
	v     int64
	isInt bool
}

func (e fuzzElem) text() []byte {
	if e.isInt {
		return strconv.AppendInt(nil, e.v, 10)
	}
	return e.s
}

func (e fuzzElem) storedAsInt() bool {
	_, ok := e.parse()
	return e.isInt || ok
}

func (e fuzzElem) intValue() int64 {
	if e.isInt {
		return e.v
	}
	v, _ := e.parse()
	return v
}

func (e fuzzElem) parse() (int64, bool) {
	v, err := strconv.ParseInt(string(e.s), 10, 64)
	return v, err == nil && strconv.FormatInt(v, 10) == string(e.s)
}

// elementsOf reads a script: an opcode byte, then its operands. 0: an
// integer (8 bytes LE); 1: a string of the next byte's length; 2: a string
// of a 16-bit length made of one repeated byte, reaching the long length
// and backlen encodings; 3: an integer in decimal text, which AppendEntry
// stores as an integer.
func elementsOf(script []byte) []fuzzElem {
	var out []fuzzElem
	take := func(n int) []byte {
		b := make([]byte, n)
		k := copy(b, script)
		script = script[k:]
		return b
	}
	for len(script) > 0 && len(out) < 64 {
		op := script[0]
		script = script[1:]
		switch op % 4 {
		case 0:
			out = append(out, fuzzElem{v: int64(binary.LittleEndian.Uint64(take(8))), isInt: true})
		case 1:
			n := int(take(1)[0])
			out = append(out, fuzzElem{s: take(min(n, len(script)))})
		case 2:
			n := int(binary.LittleEndian.Uint16(take(2)))
			out = append(out, fuzzElem{s: bytes.Repeat(take(1), n)})
		case 3:
			v := int64(binary.LittleEndian.Uint64(take(8)))
			out = append(out, fuzzElem{s: strconv.AppendInt(nil, v>>(op>>2%64), 10)})
		}
	}
	return out
}
