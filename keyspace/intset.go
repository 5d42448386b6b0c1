package keyspace

import (
	"encoding/binary"
	"math"
	"sort"
)

// intset is a sorted array of distinct integers stored, as Redis's intset,
// in the narrowest of 2, 4 or 8 bytes per element that fits every element
// (little endian). The width only grows.
type intset struct {
	b     []byte
	width uint8 // 0 (empty, never used) or 2, 4, 8
}

func intWidth(v int64) uint8 {
	switch {
	case v >= math.MinInt16 && v <= math.MaxInt16:
		return 2
	case v >= math.MinInt32 && v <= math.MaxInt32:
		return 4
	}
	return 8
}

func (s *intset) len() int {
	if s.width == 0 {
		return 0
	}
	return len(s.b) / int(s.width)
}

func (s *intset) get(i int) int64 {
	switch s.width {
	case 2:
		return int64(int16(binary.LittleEndian.Uint16(s.b[i*2:])))
	case 4:
		return int64(int32(binary.LittleEndian.Uint32(s.b[i*4:])))
	}
	return int64(binary.LittleEndian.Uint64(s.b[i*8:]))
}

func (s *intset) put(i int, v int64) {
	switch s.width {
	case 2:
		binary.LittleEndian.PutUint16(s.b[i*2:], uint16(v))
	case 4:
		binary.LittleEndian.PutUint32(s.b[i*4:], uint32(v))
	default:
		binary.LittleEndian.PutUint64(s.b[i*8:], uint64(v))
	}
}

// search returns the position of v, or where it would be inserted, and
// whether it is present.
func (s *intset) search(v int64) (int, bool) {
	n := s.len()
	i := sort.Search(n, func(i int) bool { return s.get(i) >= v })
	return i, i < n && s.get(i) == v
}

func (s *intset) has(v int64) bool {
	if s.len() == 0 || intWidth(v) > s.width {
		return false
	}
	_, ok := s.search(v)
	return ok
}

// add inserts v and reports whether it was missing.
func (s *intset) add(v int64) bool {
	if w := intWidth(v); w > s.width {
		s.upgrade(w)
	} else if _, ok := s.search(v); ok {
		return false
	}
	i, _ := s.search(v)
	n := s.len()
	w := int(s.width)
	s.b = append(s.b, make([]byte, w)...)
	copy(s.b[(i+1)*w:], s.b[i*w:n*w])
	s.put(i, v)
	return true
}

// upgrade rewrites the elements with a wider width.
func (s *intset) upgrade(w uint8) {
	n := s.len()
	old := *s
	s.b = make([]byte, n*int(w), (n+1)*int(w))
	s.width = w
	for i := 0; i < n; i++ {
		s.put(i, old.get(i))
	}
}

// remove deletes v and reports whether it was present.
func (s *intset) remove(v int64) bool {
	if s.len() == 0 || intWidth(v) > s.width {
		return false
	}
	i, ok := s.search(v)
	if !ok {
		return false
	}
	w := int(s.width)
	copy(s.b[i*w:], s.b[(i+1)*w:])
	s.b = s.b[:len(s.b)-w]
	return true
}

func (s *intset) clone() intset {
	return intset{b: append([]byte(nil), s.b...), width: s.width}
}
