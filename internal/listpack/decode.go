package listpack

import (
	"encoding/binary"
	"strconv"
)

// The readers below trust their input: see the package documentation.

// Decode decodes the entry at pos: a string (aliasing lp) or an integer
// (isInt), and the full size of the entry, backlen included.
func Decode(lp []byte, pos int) (s []byte, v int64, isInt bool, size int) {
	b := lp[pos]
	var l int // encoding and data
	switch {
	case b&0x80 == 0:
		v, isInt, l = int64(b), true, 1
	case b&0xC0 == enc6BitStr:
		n := int(b & 0x3F)
		s, l = lp[pos+1:pos+1+n], 1+n
	case b&0xE0 == enc13BitInt:
		u := uint64(b&0x1F)<<8 | uint64(lp[pos+1])
		v, isInt, l = signExtend(u, 13), true, 2
	case b&0xF0 == enc12BitStr:
		n := int(b&0x0F)<<8 | int(lp[pos+1])
		s, l = lp[pos+2:pos+2+n], 2+n
	case b == enc16BitInt:
		v, isInt, l = int64(int16(binary.LittleEndian.Uint16(lp[pos+1:]))), true, 3
	case b == enc24BitInt:
		u := uint64(lp[pos+1]) | uint64(lp[pos+2])<<8 | uint64(lp[pos+3])<<16
		v, isInt, l = signExtend(u, 24), true, 4
	case b == enc32BitInt:
		v, isInt, l = int64(int32(binary.LittleEndian.Uint32(lp[pos+1:]))), true, 5
	case b == enc64BitInt:
		v, isInt, l = int64(binary.LittleEndian.Uint64(lp[pos+1:])), true, 9
	case b == enc32BitStr:
		n := int(binary.LittleEndian.Uint32(lp[pos+1:]))
		s, l = lp[pos+5:pos+5+n], 5+n
	default: // unused encoding or terminator: an empty string
		l = 1
	}
	return s, v, isInt, l + BacklenSize(l)
}

// signExtend returns the bits-wide two's complement value u.
func signExtend(u uint64, bits uint) int64 {
	if u&(1<<(bits-1)) != 0 {
		return int64(u) - int64(1)<<bits
	}
	return int64(u)
}

// SizeAt returns the full size of the entry at pos, backlen included: the
// entry after it starts at pos+SizeAt(lp, pos).
func SizeAt(lp []byte, pos int) int {
	b := lp[pos]
	var l int // encoding and data
	switch {
	case b&0x80 == 0:
		return 2
	case b&0xC0 == enc6BitStr:
		return 2 + int(b&0x3F) // at most 64 bytes: a 1-byte backlen
	case b&0xE0 == enc13BitInt:
		return 3
	case b&0xF0 == enc12BitStr:
		l = 2 + int(b&0x0F)<<8 + int(lp[pos+1])
	case b == enc16BitInt:
		return 4
	case b == enc24BitInt:
		return 5
	case b == enc32BitInt:
		return 6
	case b == enc64BitInt:
		return 10
	case b == enc32BitStr:
		l = 5 + int(binary.LittleEndian.Uint32(lp[pos+1:]))
	default: // unused encoding or terminator: as in Decode
		return 2
	}
	return l + BacklenSize(l)
}

// First returns the position of the first entry, or -1 when lp is empty.
func First(lp []byte) int {
	if lp[HeaderSize] == End {
		return -1
	}
	return HeaderSize
}

// Last returns the position of the last entry, or -1 when lp is empty.
func Last(lp []byte) int {
	return Prev(lp, len(lp)-1)
}

// Next returns the position of the entry after the one at pos, or -1 when
// it is the last.
func Next(lp []byte, pos int) int {
	pos += SizeAt(lp, pos)
	if lp[pos] == End {
		return -1
	}
	return pos
}

// Prev returns the position of the entry before pos, or -1 when pos is the
// first entry. pos may also be the terminator's position (len(lp)-1): Prev
// then returns the last entry.
func Prev(lp []byte, pos int) int {
	if pos <= HeaderSize {
		return -1
	}
	return prevFrom(lp, pos-1)
}

// prevFrom returns the start of the entry whose backlen ends at q, reading
// that backlen backwards.
func prevFrom(lp []byte, q int) int {
	var l uint64
	var shift uint
	for {
		b := lp[q]
		l |= uint64(b&127) << shift
		if b&128 == 0 {
			break
		}
		shift += 7
		q--
	}
	return q - int(l)
}

// BytesAt returns the entry at pos as a string: a string entry aliases lp,
// an integer is formatted in decimal into scratch[:0].
func BytesAt(lp []byte, pos int, scratch []byte) []byte {
	s, v, isInt, _ := Decode(lp, pos)
	if isInt {
		return strconv.AppendInt(scratch[:0], v, 10)
	}
	return s
}

// IntAt returns the entry at pos as an integer. A string entry is parsed
// as strconv.ParseInt does, and the value it returns with an error is
// kept: 0 for a string that is no number, the nearest bound on overflow.
func IntAt(lp []byte, pos int) int64 {
	s, v, isInt, _ := Decode(lp, pos)
	if isInt {
		return v
	}
	n, _ := strconv.ParseInt(string(s), 10, 64)
	return n
}
