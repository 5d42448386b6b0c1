package listpack

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// ErrInvalid is wrapped by every error of Validate and Iterator.
var ErrInvalid = errors.New("invalid listpack")

// Error says why a byte slice is not a valid listpack.
type Error struct {
	// Offset is the position of the faulty entry or terminator, or -1 when
	// the fault is in the header or the size.
	Offset int
	msg    string
}

func (e *Error) Error() string { return e.msg }

// Unwrap returns ErrInvalid.
func (e *Error) Unwrap() error { return ErrInvalid }

func invalidf(offset int, format string, args ...any) *Error {
	return &Error{Offset: offset, msg: fmt.Sprintf(format, args...)}
}

// Entry is an entry read by an Iterator: an integer (IsInt) or a string
// (Str, which aliases the listpack).
type Entry struct {
	Str   []byte
	Int   int64
	IsInt bool
}

// Iterator walks a listpack entry by entry, checking each one before
// returning it, so that a reader can stop at the first fault having used
// only what came before it. The zero value is an empty walk.
type Iterator struct {
	lp     []byte
	pos    int // of the next entry
	count  int // entries returned so far
	header int // count header
}

// NewIterator checks the header and terminator of lp and returns an
// Iterator at its first entry.
func NewIterator(lp []byte) (Iterator, error) {
	if len(lp) < HeaderSize+1 {
		return Iterator{}, invalidf(-1, "listpack of %d bytes is too short", len(lp))
	}
	if total := binary.LittleEndian.Uint32(lp); uint64(total) != uint64(len(lp)) {
		return Iterator{}, invalidf(-1, "listpack size header says %d bytes, have %d", total, len(lp))
	}
	if lp[len(lp)-1] != End {
		return Iterator{}, invalidf(len(lp)-1, "listpack does not end with its terminator")
	}
	return Iterator{lp: lp, pos: HeaderSize, header: int(binary.LittleEndian.Uint16(lp[4:]))}, nil
}

// Next checks and returns the next entry; ok is false after the last one.
func (it *Iterator) Next() (e Entry, ok bool, err error) {
	lp, pos := it.lp, it.pos
	end := len(lp) - 1 // the terminator
	if pos >= end {
		return Entry{}, false, nil
	}
	b := lp[pos]
	var l uint64 // encoding and data
	hdr := 0     // the encoding bytes before a string's data; 0: an integer
	switch {
	case b&0x80 == 0:
		l = 1
	case b&0xC0 == enc6BitStr:
		l, hdr = 1+uint64(b&0x3F), 1
	case b&0xE0 == enc13BitInt:
		l = 2
	case b&0xF0 == enc12BitStr && pos+2 <= end:
		l, hdr = 2+(uint64(b&0x0F)<<8|uint64(lp[pos+1])), 2
	case b == enc32BitStr && pos+5 <= end:
		l, hdr = 5+uint64(binary.LittleEndian.Uint32(lp[pos+1:])), 5
	case b == enc16BitInt:
		l = 3
	case b == enc24BitInt:
		l = 4
	case b == enc32BitInt:
		l = 5
	case b == enc64BitInt:
		l = 9
	case b == End:
		return Entry{}, false, invalidf(pos, "listpack terminator at offset %d, before the end", pos)
	default:
		return Entry{}, false, invalidf(pos, "invalid listpack element encoding 0x%02x at offset %d", b, pos)
	}
	room := end - pos
	if l > uint64(room) || int(l)+BacklenSize(int(l)) > room {
		return Entry{}, false, invalidf(pos, "listpack element at offset %d reaches past the end", pos)
	}
	n := int(l)
	// The backlen must be the one AppendBacklen writes for n.
	next := pos + n + 1
	if n > 127 {
		var buf [5]byte
		want := appendLongBacklen(buf[:0], n)
		if string(lp[pos+n:pos+n+len(want)]) != string(want) {
			return Entry{}, false, invalidf(pos, "listpack element at offset %d has a bad backlen", pos)
		}
		next = pos + n + len(want)
	} else if lp[pos+n] != byte(n) {
		return Entry{}, false, invalidf(pos, "listpack element at offset %d has a bad backlen", pos)
	}
	it.pos = next
	it.count++
	if hdr != 0 {
		return Entry{Str: lp[pos+hdr : pos+n]}, true, nil
	}
	_, v, _, _ := Decode(lp, pos)
	return Entry{Int: v, IsInt: true}, true, nil
}

// Count returns the number of entries returned so far.
func (it *Iterator) Count() int { return it.count }

// Finish checks, once Next has reported the end, that the count header
// agrees with the entries.
func (it *Iterator) Finish() error {
	if it.header != CountUnknown && it.header != it.count {
		return invalidf(-1, "listpack count header says %d elements, have %d", it.header, it.count)
	}
	return nil
}

// Validate checks all of lp (header total bytes, every entry's encoding,
// bounds and backlen, the terminator, the count header) and returns its
// number of entries. It never panics.
func Validate(lp []byte) (int, error) {
	it, err := NewIterator(lp)
	if err != nil {
		return 0, err
	}
	for {
		_, ok, err := it.Next()
		if err != nil {
			return 0, err
		}
		if !ok {
			break
		}
	}
	if err := it.Finish(); err != nil {
		return 0, err
	}
	return it.count, nil
}
