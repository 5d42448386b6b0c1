package listpack

import "encoding/binary"

// New returns an empty listpack (header and terminator) with room for
// capacity bytes.
func New(capacity int) []byte {
	if capacity < HeaderSize+1 {
		capacity = HeaderSize + 1
	}
	lp := make([]byte, HeaderSize+1, capacity)
	binary.LittleEndian.PutUint32(lp, HeaderSize+1)
	lp[HeaderSize] = End
	return lp
}

// TotalBytes returns the size recorded in the header of lp.
func TotalBytes(lp []byte) int { return int(binary.LittleEndian.Uint32(lp)) }

// SetHeader writes the header of lp: its length as the total bytes, and
// count, or CountUnknown when count does not fit.
func SetHeader(lp []byte, count int) {
	binary.LittleEndian.PutUint32(lp, uint32(len(lp)))
	c := uint16(CountUnknown)
	if count < CountUnknown {
		c = uint16(count)
	}
	binary.LittleEndian.PutUint16(lp[4:], c)
}

// Append appends the entry that stores elem (see AppendEntry) at the end of
// the listpack lp and updates its header; the count header stays
// CountUnknown once it is.
func Append(lp, elem []byte) []byte {
	return appended(AppendEntry(lp[:len(lp)-1], elem))
}

// AppendInt appends an integer entry at the end of the listpack lp and
// updates its header.
func AppendInt(lp []byte, v int64) []byte {
	return appended(AppendIntEntry(lp[:len(lp)-1], v))
}

// appended terminates lp, whose last entry was just written in place of
// the terminator, and updates its header.
func appended(lp []byte) []byte {
	lp = append(lp, End)
	binary.LittleEndian.PutUint32(lp, uint32(len(lp)))
	if n := binary.LittleEndian.Uint16(lp[4:]); n != CountUnknown {
		binary.LittleEndian.PutUint16(lp[4:], n+1)
	}
	return lp
}

// ReplaceInt replaces the entry at pos with an integer entry holding v and
// returns the listpack. The entry keeps its position; when its size
// changes, the result is a new slice holding the entries after it shifted
// (and lp is left as it was), otherwise lp is changed in place.
func ReplaceInt(lp []byte, pos int, v int64) []byte {
	old := SizeAt(lp, pos)
	var buf [16]byte
	entry := AppendIntEntry(buf[:0], v)
	if len(entry) == old {
		copy(lp[pos:], entry)
		return lp
	}
	out := make([]byte, 0, len(lp)-old+len(entry))
	out = append(out, lp[:pos]...)
	out = append(out, entry...)
	out = append(out, lp[pos+old:]...)
	binary.LittleEndian.PutUint32(out, uint32(len(out)))
	return out
}

// Builder builds a listpack by appending entries, as Redis's lpAppend
// does: strings that are canonical int64s are stored as integers. The zero
// value is an empty listpack. Nothing is written into the header before
// Bytes or AppendTo.
type Builder struct {
	buf   []byte // header (once anything is appended) and entries, no terminator
	count int
}

// Reset empties the builder, keeping its memory.
func (b *Builder) Reset() {
	b.buf = b.buf[:0]
	b.count = 0
}

// Len returns the number of entries.
func (b *Builder) Len() int { return b.count }

// Size returns the size in bytes of the listpack built so far (header and
// terminator included).
func (b *Builder) Size() int {
	if len(b.buf) == 0 {
		return HeaderSize + 1
	}
	return len(b.buf) + 1
}

func (b *Builder) header() {
	if len(b.buf) == 0 {
		b.buf = append(b.buf, 0, 0, 0, 0, 0, 0)
	}
}

// Append appends the entry that stores s (see AppendEntry).
func (b *Builder) Append(s []byte) {
	b.header()
	b.buf = AppendEntry(b.buf, s)
	b.count++
}

// AppendInt appends an integer entry.
func (b *Builder) AppendInt(v int64) {
	b.header()
	b.buf = AppendIntEntry(b.buf, v)
	b.count++
}

// AppendBuilder appends the entries of o, which is not changed.
func (b *Builder) AppendBuilder(o *Builder) {
	b.header()
	if len(o.buf) > HeaderSize {
		b.buf = append(b.buf, o.buf[HeaderSize:]...)
	}
	b.count += o.count
}

// Bytes returns the finished listpack in a new slice.
func (b *Builder) Bytes() []byte {
	return b.AppendTo(nil)
}

// AppendTo appends the finished listpack to dst.
func (b *Builder) AppendTo(dst []byte) []byte {
	b.header()
	start := len(dst)
	dst = append(dst, b.buf...)
	dst = append(dst, End)
	SetHeader(dst[start:], b.count)
	return dst
}
