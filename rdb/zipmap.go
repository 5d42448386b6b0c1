package rdb

import "encoding/binary"

// Zipmap layout (zipmap.c, hashes before Redis 2.6): a count byte (254 when
// unknown), then for each pair a field length, the field, a value length, a
// "free" byte, the value and that many unused bytes; a 0xFF terminator.
// Lengths are one byte below 254, else 254 and a 4-byte little-endian value.

// WalkZipmap validates the zipmap zm (bounds of every pair, terminator, a
// non-zero count matching the header) while calling fn on each pair. It
// returns the number of pairs. Slices handed to fn alias zm.
func WalkZipmap(zm []byte, fn func(field, value []byte) error) (int, error) {
	if len(zm) < 2 {
		return 0, corruptf("zipmap of %d bytes is too short", len(zm))
	}
	end := len(zm) - 1
	if zm[end] != 0xff {
		return 0, corruptf("zipmap does not end with its terminator")
	}
	readLen := func(p int) (l, n int, err error) {
		if p >= end {
			return 0, 0, corruptf("zipmap entry at offset %d reaches past the end", p)
		}
		switch b := zm[p]; {
		case b < 254:
			return int(b), 1, nil
		case b == 254:
			if p+5 > end {
				return 0, 0, corruptf("zipmap entry at offset %d reaches past the end", p)
			}
			return int(binary.LittleEndian.Uint32(zm[p+1:])), 5, nil
		}
		return 0, 0, corruptf("unexpected zipmap terminator at offset %d", p)
	}
	p := 1
	count := 0
	for zm[p] != 0xff {
		l, n, err := readLen(p)
		if err != nil {
			return 0, err
		}
		p += n
		if l > end-p {
			return 0, corruptf("zipmap field at offset %d reaches past the end", p)
		}
		field := zm[p : p+l]
		p += l
		l, n, err = readLen(p)
		if err != nil {
			return 0, err
		}
		p += n
		if p >= end {
			return 0, corruptf("zipmap value at offset %d reaches past the end", p)
		}
		free := int(zm[p])
		p++
		if l > end-p || free > end-p-l {
			return 0, corruptf("zipmap value at offset %d reaches past the end", p)
		}
		value := zm[p : p+l]
		p += l + free
		if fn != nil {
			if err := fn(field, value); err != nil {
				return count, err
			}
		}
		count++
	}
	if p != end {
		return 0, corruptf("zipmap terminator at offset %d, before the end", p)
	}
	if count == 0 {
		return 0, corruptf("empty zipmap")
	}
	if zm[0] != 254 && int(zm[0]) != count {
		return 0, corruptf("zipmap count header says %d pairs, have %d", zm[0], count)
	}
	return count, nil
}
