package rdb

import (
	"encoding/binary"
	"math"
	"sort"
)

// Intset layout (intset.c): a 4-byte element width (2, 4 or 8), a 4-byte
// count, then the elements in ascending order, all little endian. The width
// is the smallest that holds every element.

// ParseIntset validates an intset (width, size, a non-empty strictly
// ascending sequence) and returns its elements.
func ParseIntset(is []byte) ([]int64, error) {
	if len(is) < 8 {
		return nil, corruptf("intset of %d bytes is too short", len(is))
	}
	width := binary.LittleEndian.Uint32(is)
	if width != 2 && width != 4 && width != 8 {
		return nil, corruptf("invalid intset width %d", width)
	}
	n := uint64(binary.LittleEndian.Uint32(is[4:]))
	if 8+n*uint64(width) != uint64(len(is)) {
		return nil, corruptf("intset of %d %d-byte elements does not fit %d bytes", n, width, len(is))
	}
	if n == 0 {
		return nil, corruptf("empty intset")
	}
	out := make([]int64, n)
	p := is[8:]
	for i := range out {
		var v int64
		switch width {
		case 2:
			v = int64(int16(binary.LittleEndian.Uint16(p[i*2:])))
		case 4:
			v = int64(int32(binary.LittleEndian.Uint32(p[i*4:])))
		default:
			v = int64(binary.LittleEndian.Uint64(p[i*8:]))
		}
		if i > 0 && v <= out[i-1] {
			return nil, corruptf("intset elements out of order or duplicated")
		}
		out[i] = v
	}
	return out, nil
}

// AppendIntset appends the intset holding vals to dst. vals is sorted in
// place; duplicates are an error (ErrEncoder).
func AppendIntset(dst []byte, vals []int64) ([]byte, error) {
	sort.Slice(vals, func(i, j int) bool { return vals[i] < vals[j] })
	width := 2
	for i, v := range vals {
		if i > 0 && v == vals[i-1] {
			return dst, encoderf("duplicate intset member %d", v)
		}
		switch {
		case v < math.MinInt32 || v > math.MaxInt32:
			width = 8
		case (v < math.MinInt16 || v > math.MaxInt16) && width < 4:
			width = 4
		}
	}
	dst = binary.LittleEndian.AppendUint32(dst, uint32(width))
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(vals)))
	for _, v := range vals {
		switch width {
		case 2:
			dst = binary.LittleEndian.AppendUint16(dst, uint16(v))
		case 4:
			dst = binary.LittleEndian.AppendUint32(dst, uint32(v))
		default:
			dst = binary.LittleEndian.AppendUint64(dst, uint64(v))
		}
	}
	return dst, nil
}
