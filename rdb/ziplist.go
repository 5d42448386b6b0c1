package rdb

import "encoding/binary"

// Ziplist layout (ziplist.c, the compact encoding before listpacks): a
// 4-byte total size, a 4-byte offset of the last element, a 2-byte count
// (65535 when unknown), the elements, and a 0xFF terminator, all little
// endian. An element is the previous element's size (1 byte, or 0xFE and 4
// bytes), an encoding (strings: 6-bit, 14-bit big-endian or 0x80 + 32-bit
// big-endian length; integers: 0xC0 int16, 0xD0 int32, 0xE0 int64, 0xF0
// int24, 0xFE int8, 0xF1..0xFD the values 0..12) and the data.

const zipHeaderSize = 10

// WalkZiplist validates the ziplist zl as a whole (size and tail headers,
// terminator, every element's encoding and previous-length field, the count
// header) while calling fn on each element in order. It returns the number
// of elements. Elements handed to fn alias zl.
func WalkZiplist(zl []byte, fn func(Elem) error) (int, error) {
	if len(zl) < zipHeaderSize+1 {
		return 0, corruptf("ziplist of %d bytes is too short", len(zl))
	}
	if total := binary.LittleEndian.Uint32(zl); uint64(total) != uint64(len(zl)) {
		return 0, corruptf("ziplist size header says %d bytes, have %d", total, len(zl))
	}
	end := len(zl) - 1
	if zl[end] != 0xff {
		return 0, corruptf("ziplist does not end with its terminator")
	}
	tail := binary.LittleEndian.Uint32(zl[4:])
	if uint64(tail) > uint64(end) {
		return 0, corruptf("ziplist tail offset %d is out of range", tail)
	}
	header := int(binary.LittleEndian.Uint16(zl[8:]))
	p := zipHeaderSize
	prevSize := 0
	last := -1
	count := 0
	for zl[p] != 0xff {
		start := p
		// Previous entry length.
		var prev int
		if zl[p] < 254 {
			prev = int(zl[p])
			p++
		} else {
			if p+5 > end {
				return 0, corruptf("ziplist element at offset %d reaches past the end", start)
			}
			prev = int(binary.LittleEndian.Uint32(zl[p+1:]))
			p += 5
		}
		if prev != prevSize {
			return 0, corruptf("ziplist element at offset %d records a previous size of %d, not %d", start, prev, prevSize)
		}
		if p >= end {
			return 0, corruptf("ziplist element at offset %d reaches past the end", start)
		}
		enc := zl[p]
		var e Elem
		var dataLen int
		switch enc >> 6 {
		case 0:
			dataLen = int(enc & 0x3f)
			p++
		case 1:
			if p+2 > end {
				return 0, corruptf("ziplist element at offset %d reaches past the end", start)
			}
			dataLen = int(enc&0x3f)<<8 | int(zl[p+1])
			p += 2
		case 2:
			if enc != 0x80 || p+5 > end {
				return 0, corruptf("invalid ziplist encoding 0x%02x at offset %d", enc, start)
			}
			dataLen = int(binary.BigEndian.Uint32(zl[p+1:]))
			p += 5
		default:
			e.IsInt = true
			p++
			switch {
			case enc == 0xc0:
				dataLen = 2
			case enc == 0xd0:
				dataLen = 4
			case enc == 0xe0:
				dataLen = 8
			case enc == 0xf0:
				dataLen = 3
			case enc == 0xfe:
				dataLen = 1
			case enc >= 0xf1 && enc <= 0xfd:
				e.Int = int64(enc&0x0f) - 1
			default:
				return 0, corruptf("invalid ziplist encoding 0x%02x at offset %d", enc, start)
			}
		}
		if dataLen < 0 || dataLen > end-p {
			return 0, corruptf("ziplist element at offset %d reaches past the end", start)
		}
		data := zl[p : p+dataLen]
		if e.IsInt {
			switch enc {
			case 0xc0:
				e.Int = int64(int16(binary.LittleEndian.Uint16(data)))
			case 0xd0:
				e.Int = int64(int32(binary.LittleEndian.Uint32(data)))
			case 0xe0:
				e.Int = int64(binary.LittleEndian.Uint64(data))
			case 0xf0:
				v := int64(data[0]) | int64(data[1])<<8 | int64(data[2])<<16
				if v >= 1<<23 {
					v -= 1 << 24
				}
				e.Int = v
			case 0xfe:
				e.Int = int64(int8(data[0]))
			}
		} else {
			e.Str = data
		}
		p += dataLen
		prevSize = p - start
		last = start
		if fn != nil {
			if err := fn(e); err != nil {
				return count, err
			}
		}
		count++
	}
	if p != end {
		return 0, corruptf("ziplist terminator at offset %d, before the end", p)
	}
	if last >= 0 && uint32(last) != tail {
		return 0, corruptf("ziplist tail offset %d does not point at the last element (%d)", tail, last)
	}
	if header != 0xffff && header != count {
		return 0, corruptf("ziplist count header says %d elements, have %d", header, count)
	}
	return count, nil
}
