package listpack

import (
	"math"

	"replab/internal/num"
)

// Layout constants.
const (
	// HeaderSize is the size of the header: total bytes and count.
	HeaderSize = 6
	// End is the terminator byte.
	End = 0xFF
	// CountUnknown is the count header of a listpack of 65535 or more
	// entries.
	CountUnknown = math.MaxUint16
	// MaxSafetySize is the size past which Redis refuses to grow a listpack
	// (LISTPACK_MAX_SAFETY_SIZE).
	MaxSafetySize = 1 << 30
)

// Encoding bytes (or their fixed high bits).
const (
	enc6BitStr  = 0x80 // 10xxxxxx
	enc13BitInt = 0xC0 // 110xxxxx
	enc12BitStr = 0xE0 // 1110xxxx
	enc32BitStr = 0xF0
	enc16BitInt = 0xF1
	enc24BitInt = 0xF2
	enc32BitInt = 0xF3
	enc64BitInt = 0xF4
)

// IntEncodedLen returns the size of the encoding and data (without the
// backlen) of an entry holding v.
func IntEncodedLen(v int64) int {
	switch {
	case v >= 0 && v <= 127:
		return 1
	case v >= -4096 && v <= 4095:
		return 2
	case v >= math.MinInt16 && v <= math.MaxInt16:
		return 3
	case v >= -1<<23 && v < 1<<23:
		return 4
	case v >= math.MinInt32 && v <= math.MaxInt32:
		return 5
	}
	return 9
}

// stringEncodedLen returns the size of the encoding and data of a string
// entry of n bytes.
func stringEncodedLen(n int) int {
	switch {
	case n < 64:
		return 1 + n
	case n < 4096:
		return 2 + n
	}
	return 5 + n
}

// EncodedLen returns the size of the encoding and data (without the
// backlen) of the entry that stores elem: an integer entry when elem is a
// canonical int64, a string entry otherwise.
func EncodedLen(elem []byte) int {
	if v, ok := num.ParseInt(elem); ok {
		return IntEncodedLen(v)
	}
	return stringEncodedLen(len(elem))
}

// BacklenSize returns the size of the backlen of an entry whose encoding
// and data take l bytes.
func BacklenSize(l int) int {
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

// EntryLen returns the full size (encoding, data and backlen) of the entry
// that stores elem, the bytes AppendEntry(dst, elem) adds.
func EntryLen(elem []byte) int {
	l := EncodedLen(elem)
	return l + BacklenSize(l)
}

// IntEntryLen returns the full size of the entry that stores v; an integer
// entry is at most 9 bytes, so its backlen is one byte.
func IntEntryLen(v int64) int { return IntEncodedLen(v) + 1 }

// AppendEntry appends to dst the entry (encoding, data and backlen) that
// stores elem: an integer entry when elem is a canonical int64, as Redis's
// lpAppend does, a string entry otherwise.
func AppendEntry(dst, elem []byte) []byte {
	if v, ok := num.ParseInt(elem); ok {
		return AppendIntEntry(dst, v)
	}
	n := len(elem)
	switch {
	case n < 64:
		dst = append(dst, enc6BitStr|byte(n))
	case n < 4096:
		dst = append(dst, enc12BitStr|byte(n>>8), byte(n))
	default:
		dst = append(dst, enc32BitStr, byte(n), byte(n>>8), byte(n>>16), byte(n>>24))
	}
	dst = append(dst, elem...)
	return AppendBacklen(dst, stringEncodedLen(n))
}

// AppendIntEntry appends to dst the entry that stores v, in the smallest
// integer encoding that holds it.
func AppendIntEntry(dst []byte, v int64) []byte {
	u := uint64(v)
	// The backlen of an integer entry is its encoded size, in one byte.
	switch {
	case v >= 0 && v <= 127:
		return append(dst, byte(u), 1)
	case v >= -4096 && v <= 4095:
		u &= 1<<13 - 1
		return append(dst, enc13BitInt|byte(u>>8), byte(u), 2)
	case v >= math.MinInt16 && v <= math.MaxInt16:
		return append(dst, enc16BitInt, byte(u), byte(u>>8), 3)
	case v >= -1<<23 && v < 1<<23:
		return append(dst, enc24BitInt, byte(u), byte(u>>8), byte(u>>16), 4)
	case v >= math.MinInt32 && v <= math.MaxInt32:
		return append(dst, enc32BitInt, byte(u), byte(u>>8), byte(u>>16), byte(u>>24), 5)
	}
	return append(dst, enc64BitInt, byte(u), byte(u>>8), byte(u>>16), byte(u>>24),
		byte(u>>32), byte(u>>40), byte(u>>48), byte(u>>56), 9)
}

// AppendBacklen appends the backlen of an entry whose encoding and data
// take l bytes (0 <= l < 1<<35).
func AppendBacklen(dst []byte, l int) []byte {
	if l <= 127 {
		return append(dst, byte(l))
	}
	return appendLongBacklen(dst, l)
}

func appendLongBacklen(dst []byte, l int) []byte {
	u := uint64(l)
	switch BacklenSize(l) {
	case 2:
		return append(dst, byte(u>>7), byte(u&127)|128)
	case 3:
		return append(dst, byte(u>>14), byte(u>>7&127)|128, byte(u&127)|128)
	case 4:
		return append(dst, byte(u>>21), byte(u>>14&127)|128, byte(u>>7&127)|128, byte(u&127)|128)
	}
	return append(dst, byte(u>>28), byte(u>>21&127)|128, byte(u>>14&127)|128, byte(u>>7&127)|128, byte(u&127)|128)
}
