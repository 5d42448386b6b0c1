package keyspace

import (
	"encoding/binary"
	"strconv"

	"replab/internal/num"
)

// This file is a minimal codec for Redis's listpack format, used by stream
// nodes (stream.go). A stream node is stored exactly as Redis stores it, so
// that node sizes (which decide when a node is full, and so what the
// approximate trimming of XADD/XTRIM removes) match Redis's to the byte, and
// so that an RDB writer can emit the node bytes as they are.
//
// Layout: a 6-byte header (total bytes as uint32 LE, element count as
// uint16 LE, 65535 meaning "unknown"), the elements, and a 0xFF terminator.
// Each element is an encoding byte (and length bytes), its data, and a
// "backlen": the length of encoding+data written as a reverse varint of 1 to
// 5 bytes, so that the listpack can be walked backwards.
//
// Positions are byte offsets into the slice; -1 means "none". The names are
// prefixed "slp" to keep them apart from other listpack users of the
// package.

const (
	slpHeaderSize    = 6
	slpNumEleUnknown = 0xFFFF
	slpEOF           = 0xFF
	slpEnc6BitStr    = 0x80
	slpEnc13BitInt   = 0xC0
	slpEnc12BitStr   = 0xE0
	slpEnc16BitInt   = 0xF1
	slpEnc24BitInt   = 0xF2
	slpEnc32BitInt   = 0xF3
	slpEnc64BitInt   = 0xF4
	slpEnc32BitStr   = 0xF0
)

// slpNew returns an empty listpack.
func slpNew(capacity int) []byte {
	if capacity < slpHeaderSize+1 {
		capacity = slpHeaderSize + 1
	}
	lp := make([]byte, slpHeaderSize+1, capacity)
	binary.LittleEndian.PutUint32(lp, slpHeaderSize+1)
	lp[slpHeaderSize] = slpEOF
	return lp
}

// slpStringToInt64 reports whether s is the canonical decimal form of an
// int64, as listpack decides whether to store a string as an integer.
func slpStringToInt64(s []byte) (int64, bool) { return num.ParseInt(s) }

// slpEncodeInt appends the integer encoding of v to dst.
func slpEncodeInt(dst []byte, v int64) []byte {
	switch {
	case v >= 0 && v <= 127:
		return append(dst, byte(v))
	case v >= -4096 && v <= 4095:
		u := uint64(v)
		if v < 0 {
			u = uint64(1<<13 + v)
		}
		return append(dst, byte(u>>8)|slpEnc13BitInt, byte(u))
	case v >= -32768 && v <= 32767:
		u := uint16(v)
		return append(dst, slpEnc16BitInt, byte(u), byte(u>>8))
	case v >= -8388608 && v <= 8388607:
		u := uint32(v)
		return append(dst, slpEnc24BitInt, byte(u), byte(u>>8), byte(u>>16))
	case v >= -2147483648 && v <= 2147483647:
		u := uint32(v)
		return append(dst, slpEnc32BitInt, byte(u), byte(u>>8), byte(u>>16), byte(u>>24))
	default:
		u := uint64(v)
		return append(dst, slpEnc64BitInt, byte(u), byte(u>>8), byte(u>>16), byte(u>>24),
			byte(u>>32), byte(u>>40), byte(u>>48), byte(u>>56))
	}
}

// slpEncodeString appends the string encoding of s to dst.
func slpEncodeString(dst []byte, s []byte) []byte {
	n := len(s)
	switch {
	case n < 64:
		dst = append(dst, byte(n)|slpEnc6BitStr)
	case n < 4096:
		dst = append(dst, byte(n>>8)|slpEnc12BitStr, byte(n))
	default:
		dst = append(dst, slpEnc32BitStr, byte(n), byte(n>>8), byte(n>>16), byte(n>>24))
	}
	return append(dst, s...)
}

// slpBacklenSize returns the number of bytes of the backlen of an element
// whose encoding+data is l bytes long.
func slpBacklenSize(l int) int {
	switch {
	case l <= 127:
		return 1
	case l < 16383:
		return 2
	case l < 2097151:
		return 3
	case l < 268435455:
		return 4
	}
	return 5
}

// slpAppendBacklen appends the backlen of an element of l bytes.
func slpAppendBacklen(dst []byte, l int) []byte {
	u := uint64(l)
	switch slpBacklenSize(l) {
	case 1:
		return append(dst, byte(u))
	case 2:
		return append(dst, byte(u>>7), byte(u&127)|128)
	case 3:
		return append(dst, byte(u>>14), byte((u>>7)&127)|128, byte(u&127)|128)
	case 4:
		return append(dst, byte(u>>21), byte((u>>14)&127)|128, byte((u>>7)&127)|128, byte(u&127)|128)
	}
	return append(dst, byte(u>>28), byte((u>>21)&127)|128, byte((u>>14)&127)|128, byte((u>>7)&127)|128, byte(u&127)|128)
}

// slpEncodedSize returns the size of the encoding+data of the element at p.
func slpEncodedSize(lp []byte, p int) int {
	b := lp[p]
	switch {
	case b&0x80 == 0:
		return 1
	case b&0xC0 == slpEnc6BitStr:
		return 1 + int(b&0x3F)
	case b&0xE0 == slpEnc13BitInt:
		return 2
	case b == slpEnc16BitInt:
		return 3
	case b == slpEnc24BitInt:
		return 4
	case b == slpEnc32BitInt:
		return 5
	case b == slpEnc64BitInt:
		return 9
	case b&0xF0 == slpEnc12BitStr:
		return 2 + int(b&0x0F)<<8 + int(lp[p+1])
	case b == slpEnc32BitStr:
		return 5 + int(binary.LittleEndian.Uint32(lp[p+1:]))
	}
	return 1 // EOF
}

// slpBytes returns the total size recorded in the header.
func slpBytes(lp []byte) int { return int(binary.LittleEndian.Uint32(lp)) }

// slpFirst returns the position of the first element, or -1.
func slpFirst(lp []byte) int {
	if lp[slpHeaderSize] == slpEOF {
		return -1
	}
	return slpHeaderSize
}

// slpNext returns the position of the element after p, or -1.
func slpNext(lp []byte, p int) int {
	l := slpEncodedSize(lp, p)
	p += l + slpBacklenSize(l)
	if lp[p] == slpEOF {
		return -1
	}
	return p
}

// slpPrevFrom returns the start of the element whose last byte (the end of
// its backlen) is at q.
func slpPrevFrom(lp []byte, q int) int {
	var val uint64
	var shift uint
	for {
		b := lp[q]
		val |= uint64(b&127) << shift
		if b&128 == 0 {
			break
		}
		shift += 7
		q--
	}
	return q - int(val)
}

// slpPrev returns the position of the element before p, or -1.
func slpPrev(lp []byte, p int) int {
	if p <= slpHeaderSize {
		return -1
	}
	return slpPrevFrom(lp, p-1)
}

// slpLast returns the position of the last element, or -1.
func slpLast(lp []byte) int {
	end := len(lp) - 1 // the EOF byte
	if end <= slpHeaderSize {
		return -1
	}
	return slpPrevFrom(lp, end-1)
}

// slpGet decodes the element at p: a string (aliasing lp) or an integer.
func slpGet(lp []byte, p int) (s []byte, v int64, isInt bool) {
	b := lp[p]
	switch {
	case b&0x80 == 0:
		return nil, int64(b), true
	case b&0xC0 == slpEnc6BitStr:
		n := int(b & 0x3F)
		return lp[p+1 : p+1+n], 0, false
	case b&0xE0 == slpEnc13BitInt:
		u := uint64(b&0x1F)<<8 | uint64(lp[p+1])
		if u >= 1<<12 {
			return nil, int64(u) - 1<<13, true
		}
		return nil, int64(u), true
	case b == slpEnc16BitInt:
		return nil, int64(int16(binary.LittleEndian.Uint16(lp[p+1:]))), true
	case b == slpEnc24BitInt:
		u := uint32(lp[p+1]) | uint32(lp[p+2])<<8 | uint32(lp[p+3])<<16
		return nil, int64(int32(u<<8) >> 8), true
	case b == slpEnc32BitInt:
		return nil, int64(int32(binary.LittleEndian.Uint32(lp[p+1:]))), true
	case b == slpEnc64BitInt:
		return nil, int64(binary.LittleEndian.Uint64(lp[p+1:])), true
	case b&0xF0 == slpEnc12BitStr:
		n := int(b&0x0F)<<8 | int(lp[p+1])
		return lp[p+2 : p+2+n], 0, false
	case b == slpEnc32BitStr:
		n := int(binary.LittleEndian.Uint32(lp[p+1:]))
		return lp[p+5 : p+5+n], 0, false
	}
	return nil, 0, false
}

// slpGetInt returns the element at p as an integer (a string element is
// parsed; it is 0 when it is not a number).
func slpGetInt(lp []byte, p int) int64 {
	s, v, isInt := slpGet(lp, p)
	if isInt {
		return v
	}
	n, _ := strconv.ParseInt(string(s), 10, 64)
	return n
}

// slpGetBytes returns the element at p as bytes; integers are formatted
// into buf.
func slpGetBytes(lp []byte, p int, buf []byte) []byte {
	s, v, isInt := slpGet(lp, p)
	if isInt {
		return strconv.AppendInt(buf[:0], v, 10)
	}
	return s
}

// slpAppendEncoded appends an already encoded element (encoding+data) and
// updates the header.
func slpAppendEncoded(lp []byte, enc []byte) []byte {
	lp = lp[:len(lp)-1] // drop EOF
	lp = append(lp, enc...)
	lp = slpAppendBacklen(lp, len(enc))
	lp = append(lp, slpEOF)
	binary.LittleEndian.PutUint32(lp, uint32(len(lp)))
	if n := binary.LittleEndian.Uint16(lp[4:]); n != slpNumEleUnknown {
		binary.LittleEndian.PutUint16(lp[4:], n+1)
	}
	return lp
}

// slpAppendInt appends an integer element.
func slpAppendInt(lp []byte, v int64) []byte {
	var buf [9]byte
	return slpAppendEncoded(lp, slpEncodeInt(buf[:0], v))
}

// slpAppendString appends a string element, stored as an integer when it is
// the canonical form of one (as Redis's lpAppend does).
func slpAppendString(lp []byte, s []byte) []byte {
	if v, ok := slpStringToInt64(s); ok {
		return slpAppendInt(lp, v)
	}
	lp = lp[:len(lp)-1] // drop EOF
	start := len(lp)
	lp = slpEncodeString(lp, s)
	lp = slpAppendBacklen(lp, len(lp)-start)
	lp = append(lp, slpEOF)
	binary.LittleEndian.PutUint32(lp, uint32(len(lp)))
	if n := binary.LittleEndian.Uint16(lp[4:]); n != slpNumEleUnknown {
		binary.LittleEndian.PutUint16(lp[4:], n+1)
	}
	return lp
}

// slpStringSize returns the bytes an element holding s occupies (encoding,
// data and backlen).
func slpStringSize(s []byte) int {
	var l int
	if v, ok := slpStringToInt64(s); ok {
		var buf [9]byte
		l = len(slpEncodeInt(buf[:0], v))
	} else if len(s) < 64 {
		l = 1 + len(s)
	} else if len(s) < 4096 {
		l = 2 + len(s)
	} else {
		l = 5 + len(s)
	}
	return l + slpBacklenSize(l)
}

// slpReplaceInt replaces the element at p with the integer v and returns
// the listpack (which may have moved). The element keeps its position p;
// later elements shift when the encoding size changes.
func slpReplaceInt(lp []byte, p int, v int64) []byte {
	oldLen := slpEncodedSize(lp, p)
	oldTotal := oldLen + slpBacklenSize(oldLen)
	var buf [16]byte
	enc := slpEncodeInt(buf[:0], v)
	enc = slpAppendBacklen(enc, len(enc))
	if len(enc) == oldTotal {
		copy(lp[p:], enc)
		return lp
	}
	out := make([]byte, 0, len(lp)-oldTotal+len(enc))
	out = append(out, lp[:p]...)
	out = append(out, enc...)
	out = append(out, lp[p+oldTotal:]...)
	binary.LittleEndian.PutUint32(out, uint32(len(out)))
	return out
}
