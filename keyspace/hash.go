package keyspace

import (
	"encoding/binary"
	"math/bits"
	"unsafe"
)

// The hash is a small multiply-mix function in the style of wyhash: fast on
// the short keys that dominate a keyspace, and seeded so that bucket order
// (and so SCAN and RANDOMKEY) is reproducible from the seed the runtime gives.

const (
	hashK0 = 0xa0761d6478bd642f
	hashK1 = 0xe7037ed1a0b428db
	hashK2 = 0x8ebc6af09c88c6e3
	hashK3 = 0x589965cc75374cc3
)

func mix(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

func le64(s string, i int) uint64 {
	return binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(s[i:]), 8))
}

func le32(s string, i int) uint64 {
	return uint64(binary.LittleEndian.Uint32(unsafe.Slice(unsafe.StringData(s[i:]), 4)))
}

// Hash returns the seeded 64-bit hash of s.
func Hash(seed uint64, s string) uint64 {
	n := len(s)
	h := seed ^ hashK0
	var a, b uint64
	switch {
	case n == 0:
	case n < 4:
		a = uint64(s[0])<<16 | uint64(s[n>>1])<<8 | uint64(s[n-1])
	case n <= 16:
		q := (n >> 3) << 2
		a = le32(s, 0)<<32 | le32(s, q)
		b = le32(s, n-4)<<32 | le32(s, n-4-q)
	default:
		i := 0
		for ; n-i > 16; i += 16 {
			h = mix(le64(s, i)^hashK1, le64(s, i+8)^h)
		}
		a = le64(s, n-16)
		b = le64(s, n-8)
	}
	return mix(hashK1^uint64(n), mix(a^hashK1, b^h)^hashK2) ^ hashK3
}

// unsafeString views b as a string without copying. The result must not be
// kept past the life of b; the keyspace copies keys before it stores them.
func unsafeString(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}
