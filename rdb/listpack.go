package rdb

import (
	"encoding/binary"
	"math"
	"strconv"

	"replab/internal/num"
)

// Listpack layout (listpack.c): a 4-byte little-endian total size, a 2-byte
// element count (65535 when the count does not fit), the elements, and a
// 0xFF terminator. An element is an encoding byte (small integers and short
// strings keep their value or length in it), its data, and a "backlen": the
// element's encoded size written backwards in 7-bit groups so the list can
// be walked from the tail.

const (
	lpHeaderSize   = 6
	lpEOF          = 0xff
	lpCountUnknown = math.MaxUint16
	// lpMaxSafetySize is the size past which Redis refuses to grow a
	// listpack (LISTPACK_MAX_SAFETY_SIZE).
	lpMaxSafetySize = 1 << 30
)

// Elem is an element of a listpack or ziplist: an integer (IsInt) or a
// string (Str, which aliases the structure it was read from).
type Elem struct {
	Str   []byte
	Int   int64
	IsInt bool
}

// AppendTo appends the element's string form (integers in decimal).
func (e Elem) AppendTo(dst []byte) []byte {
	if e.IsInt {
		return strconv.AppendInt(dst, e.Int, 10)
	}
	return append(dst, e.Str...)
}

// Bytes returns the element's string form in a new slice.
func (e Elem) Bytes() []byte {
	if e.IsInt {
		return formatInt(e.Int)
	}
	return append(make([]byte, 0, len(e.Str)), e.Str...)
}

// lpBacklenSize returns the number of bytes of the backlen of an element
// whose encoding and data take l bytes. The thresholds are listpack.c's.
func lpBacklenSize(l uint64) int {
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

// lpEncodedSize returns the encoding+data size of the element at p[0]
// (without backlen), and the number of header bytes needed to know it; 0 for
// an invalid encoding byte.
func lpHeaderLen(b byte) int {
	switch {
	case b&0x80 == 0, b&0xc0 == 0x80, b&0xe0 == 0xc0:
		return 1
	case b&0xf0 == 0xe0:
		return 2
	case b == 0xf0:
		return 5
	case b >= 0xf1 && b <= 0xf4:
		return 1
	}
	return 0
}

// WalkListpack validates the listpack lp as a whole (size header, terminator,
// every element's encoding and backlen, the count header) while calling fn
// on each element in order. It returns the number of elements. An error from
// fn stops the walk and is returned. Elements handed to fn alias lp.
func WalkListpack(lp []byte, fn func(Elem) error) (int, error) {
	c, err := newLPCursor(lp)
	if err != nil {
		return 0, err
	}
	for {
		e, ok, err := c.next()
		if err != nil {
			return 0, err
		}
		if !ok {
			break
		}
		if fn != nil {
			if err := fn(e); err != nil {
				return c.count, err
			}
		}
	}
	if err := c.finish(); err != nil {
		return 0, err
	}
	return c.count, nil
}

// lpCursor walks a listpack element by element, validating as it goes.
type lpCursor struct {
	lp     []byte
	p      int // offset of the next element
	count  int // elements returned so far
	header int // count header
}

// newLPCursor checks the listpack's header and terminator.
func newLPCursor(lp []byte) (*lpCursor, error) {
	if len(lp) < lpHeaderSize+1 {
		return nil, corruptf("listpack of %d bytes is too short", len(lp))
	}
	if total := binary.LittleEndian.Uint32(lp); uint64(total) != uint64(len(lp)) {
		return nil, corruptf("listpack size header says %d bytes, have %d", total, len(lp))
	}
	if lp[len(lp)-1] != lpEOF {
		return nil, corruptf("listpack does not end with its terminator")
	}
	return &lpCursor{lp: lp, p: lpHeaderSize, header: int(binary.LittleEndian.Uint16(lp[4:]))}, nil
}

// next returns the next element; ok is false at the end.
func (c *lpCursor) next() (e Elem, ok bool, err error) {
	lp := c.lp
	end := len(lp) - 1
	p := c.p
	if p >= end {
		return Elem{}, false, nil
	}
	b := lp[p]
	if b == lpEOF {
		return Elem{}, false, corruptf("listpack terminator at offset %d, before the end", p)
	}
	hl := lpHeaderLen(b)
	if hl == 0 || p+hl > end {
		return Elem{}, false, corruptf("invalid listpack element encoding 0x%02x at offset %d", b, p)
	}
	var size uint64 // encoding + data
	switch {
	case b&0x80 == 0: // 7-bit unsigned integer
		size = 1
	case b&0xc0 == 0x80: // 6-bit length string
		size = 1 + uint64(b&0x3f)
	case b&0xe0 == 0xc0: // 13-bit integer
		size = 2
	case b&0xf0 == 0xe0: // 12-bit length string
		size = 2 + (uint64(b&0x0f)<<8 | uint64(lp[p+1]))
	case b == 0xf0: // 32-bit length string
		size = 5 + uint64(binary.LittleEndian.Uint32(lp[p+1:]))
	case b == 0xf1:
		size = 3
	case b == 0xf2:
		size = 4
	case b == 0xf3:
		size = 5
	default: // 0xf4
		size = 9
	}
	bl := lpBacklenSize(size)
	if size+uint64(bl) > uint64(end-p) {
		return Elem{}, false, corruptf("listpack element at offset %d reaches past the end", p)
	}
	data := lp[p : p+int(size)]
	switch {
	case b&0x80 == 0:
		e = Elem{IsInt: true, Int: int64(b & 0x7f)}
	case b&0xc0 == 0x80:
		e.Str = data[1:]
	case b&0xe0 == 0xc0:
		v := int64(b&0x1f)<<8 | int64(data[1])
		if v >= 1<<12 {
			v -= 1 << 13
		}
		e = Elem{IsInt: true, Int: v}
	case b&0xf0 == 0xe0:
		e.Str = data[2:]
	case b == 0xf0:
		e.Str = data[5:]
	case b == 0xf1:
		e = Elem{IsInt: true, Int: int64(int16(binary.LittleEndian.Uint16(data[1:])))}
	case b == 0xf2:
		v := int64(data[1]) | int64(data[2])<<8 | int64(data[3])<<16
		if v >= 1<<23 {
			v -= 1 << 24
		}
		e = Elem{IsInt: true, Int: v}
	case b == 0xf3:
		e = Elem{IsInt: true, Int: int64(int32(binary.LittleEndian.Uint32(data[1:])))}
	default:
		e = Elem{IsInt: true, Int: int64(binary.LittleEndian.Uint64(data[1:]))}
	}
	// The backlen must decode, from its last byte backwards, to size, in
	// exactly bl bytes.
	q := p + int(size) + bl - 1
	var back uint64
	for i := 0; i < bl; i++ {
		ch := lp[q-i]
		back |= uint64(ch&0x7f) << (7 * uint(i))
		if (ch&0x80 == 0) != (i == bl-1) {
			return Elem{}, false, corruptf("listpack element at offset %d has a bad backlen", p)
		}
	}
	if back != size {
		return Elem{}, false, corruptf("listpack element at offset %d has a bad backlen", p)
	}
	c.p = p + int(size) + bl
	c.count++
	return e, true, nil
}

// finish checks, once next has reported the end, the count header.
func (c *lpCursor) finish() error {
	if c.header != lpCountUnknown && c.header != c.count {
		return corruptf("listpack count header says %d elements, have %d", c.header, c.count)
	}
	return nil
}

// ListpackBuilder builds a listpack by appending elements, as Redis's
// lpAppend does: strings that are canonical 64-bit integers are stored as
// integers. The zero value is an empty listpack.
type ListpackBuilder struct {
	buf   []byte // header + elements, without the terminator
	count int
}

// Reset empties the builder, keeping its memory.
func (b *ListpackBuilder) Reset() {
	b.buf = b.buf[:0]
	b.count = 0
}

// Len returns the number of elements.
func (b *ListpackBuilder) Len() int { return b.count }

// Size returns the size in bytes of the listpack built so far (header and
// terminator included).
func (b *ListpackBuilder) Size() int {
	if len(b.buf) == 0 {
		return lpHeaderSize + 1
	}
	return len(b.buf) + 1
}

func (b *ListpackBuilder) header() {
	if len(b.buf) == 0 {
		b.buf = append(b.buf, 0, 0, 0, 0, 0, 0)
	}
}

// Append appends s, as an integer when it is a canonical one.
func (b *ListpackBuilder) Append(s []byte) {
	if v, ok := num.ParseInt(s); ok {
		b.AppendInt(v)
		return
	}
	b.header()
	start := len(b.buf)
	n := len(s)
	switch {
	case n < 64:
		b.buf = append(b.buf, 0x80|byte(n))
	case n < 4096:
		b.buf = append(b.buf, 0xe0|byte(n>>8), byte(n))
	default:
		b.buf = append(b.buf, 0xf0)
		b.buf = binary.LittleEndian.AppendUint32(b.buf, uint32(n))
	}
	b.buf = append(b.buf, s...)
	b.backlen(len(b.buf) - start)
}

// AppendInt appends an integer element.
func (b *ListpackBuilder) AppendInt(v int64) {
	b.header()
	start := len(b.buf)
	switch {
	case v >= 0 && v <= 127:
		b.buf = append(b.buf, byte(v))
	case v >= -4096 && v <= 4095:
		u := uint64(v) & (1<<13 - 1)
		b.buf = append(b.buf, 0xc0|byte(u>>8), byte(u))
	case v >= math.MinInt16 && v <= math.MaxInt16:
		b.buf = append(b.buf, 0xf1, byte(v), byte(v>>8))
	case v >= -1<<23 && v < 1<<23:
		b.buf = append(b.buf, 0xf2, byte(v), byte(v>>8), byte(v>>16))
	case v >= math.MinInt32 && v <= math.MaxInt32:
		b.buf = append(b.buf, 0xf3, byte(v), byte(v>>8), byte(v>>16), byte(v>>24))
	default:
		b.buf = append(b.buf, 0xf4)
		b.buf = binary.LittleEndian.AppendUint64(b.buf, uint64(v))
	}
	b.backlen(len(b.buf) - start)
}

func (b *ListpackBuilder) backlen(l int) {
	u := uint64(l)
	n := lpBacklenSize(u)
	for i := n - 1; i >= 0; i-- {
		// The most significant group comes first and carries no
		// continuation bit: the list is decoded from its last byte.
		c := byte(u >> (7 * uint(i)) & 0x7f)
		if i != n-1 {
			c |= 0x80
		}
		b.buf = append(b.buf, c)
	}
	b.count++
}

// Bytes returns the finished listpack in a new slice.
func (b *ListpackBuilder) Bytes() []byte {
	return b.AppendTo(nil)
}

// AppendTo appends the finished listpack to dst.
func (b *ListpackBuilder) AppendTo(dst []byte) []byte {
	b.header()
	start := len(dst)
	dst = append(dst, b.buf...)
	dst = append(dst, lpEOF)
	binary.LittleEndian.PutUint32(dst[start:], uint32(len(b.buf)+1))
	c := b.count
	if c > lpCountUnknown {
		c = lpCountUnknown
	}
	binary.LittleEndian.PutUint16(dst[start+4:], uint16(c))
	return dst
}

// listpackElemSize returns the number of bytes Append(s) adds.
func listpackElemSize(s []byte) int {
	if v, ok := num.ParseInt(s); ok {
		return listpackIntSize(v)
	}
	n := len(s)
	var l int
	switch {
	case n < 64:
		l = 1 + n
	case n < 4096:
		l = 2 + n
	default:
		l = 5 + n
	}
	return l + lpBacklenSize(uint64(l))
}

func listpackIntSize(v int64) int {
	switch {
	case v >= 0 && v <= 127:
		return 2
	case v >= -4096 && v <= 4095:
		return 3
	case v >= math.MinInt16 && v <= math.MaxInt16:
		return 4
	case v >= -1<<23 && v < 1<<23:
		return 5
	case v >= math.MinInt32 && v <= math.MaxInt32:
		return 6
	}
	return 10
}
