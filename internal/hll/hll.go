// Package hll is Redis's HyperLogLog, byte for byte: the string a Redis 7.0
// server stores for a HyperLogLog key, its sparse and dense representations,
// the hash that places elements in registers and the cardinality estimator.
//
// A HyperLogLog is a plain string value. Functions here take and return the
// whole string (header included); those that may grow or shrink it return
// the new slice, which can alias the old one. The caller owns the bytes and
// must have checked them with Valid before calling anything else.
//
// Layout (all integers little endian):
//
//	"HYLL" | encoding (0 dense, 1 sparse) | 3 zero bytes | cached cardinality (8 bytes) | registers
//
// The most significant bit of the cached cardinality marks it stale. The
// dense form packs 16384 six-bit registers, least significant bits first.
// The sparse form is a run-length code of the registers:
//
//	00xxxxxx           ZERO:  1..64 registers set to 0
//	01xxxxxx yyyyyyyy  XZERO: 1..16384 registers set to 0
//	1vvvvvxx           VAL:   1..4 registers set to 1..32
package hll

import (
	"errors"
	"math"
	"strconv"
	"strings"
)

// Parameters of Redis's HyperLogLog.
const (
	P            = 14     // bits of the hash that choose the register
	Q            = 64 - P // bits of the hash whose zero run is counted
	Registers    = 1 << P // number of registers
	RegisterMax  = 1<<registerBits - 1
	HeaderSize   = 16                                        // magic, encoding, padding, cached cardinality
	DenseSize    = HeaderSize + (Registers*registerBits+7)/8 // length of a dense HyperLogLog
	hashSeed     = 0xadc83b19                                // Redis's MurmurHash64A seed
	alphaInf     = 0.721347520444481703680                   // 0.5/ln(2)
	registerBits = 6
)

// Encodings, as stored in the header.
const (
	Dense  = 0
	Sparse = 1
)

// Sparse opcodes.
const (
	opXZeroBit    = 0x40
	opValBit      = 0x80
	valMaxValue   = 32
	valMaxLen     = 4
	zeroMaxLen    = 64
	xzeroMaxLen   = 16384
	sparseNewSize = HeaderSize + (Registers+xzeroMaxLen-1)/xzeroMaxLen*2
)

// ErrCorrupt reports a sparse representation whose runs do not cover the
// registers exactly (Redis's "INVALIDOBJ Corrupted HLL object detected").
var ErrCorrupt = errors.New("hll: corrupted sparse representation")

// at returns b[i], or 0 past the end: Redis reads the terminating NUL of its
// strings there.
func at(b []byte, i int) byte {
	if i < len(b) {
		return b[i]
	}
	return 0
}

func isZero(op byte) bool  { return op&0xc0 == 0 }
func isXZero(op byte) bool { return op&0xc0 == opXZeroBit }
func isVal(op byte) bool   { return op&opValBit != 0 }
func zeroLen(op byte) int  { return int(op&0x3f) + 1 }
func xzeroLen(b []byte, p int) int {
	return (int(b[p]&0x3f)<<8 | int(at(b, p+1))) + 1
}
func valValue(op byte) int { return int(op>>2&0x1f) + 1 }
func valLen(op byte) int   { return int(op&0x3) + 1 }
func valOp(value, n int) byte {
	return byte((value-1)<<2|(n-1)) | opValBit
}

// appendZeros appends a ZERO or, for runs longer than 64, an XZERO opcode.
func appendZeros(seq []byte, n int) []byte {
	if n > zeroMaxLen {
		return append(seq, byte((n-1)>>8)|opXZeroBit, byte((n-1)&0xff))
	}
	return append(seq, byte(n-1))
}

// New returns an empty HyperLogLog in the sparse encoding, as PFADD creates
// it.
func New() []byte {
	b := make([]byte, sparseNewSize, 64)
	copy(b, "HYLL")
	b[4] = Sparse
	p := HeaderSize
	for left := Registers; left > 0; {
		n := min(left, xzeroMaxLen)
		b[p] = byte((n-1)>>8) | opXZeroBit
		b[p+1] = byte((n - 1) & 0xff)
		p += 2
		left -= n
	}
	return b
}

// Valid reports whether b passes Redis's check of a HyperLogLog value: the
// magic, a known encoding and, for the dense encoding, the exact length. A
// valid sparse value may still turn out corrupted (ErrCorrupt) when read.
func Valid(b []byte) bool {
	if len(b) < HeaderSize || string(b[:4]) != "HYLL" || b[4] > Sparse {
		return false
	}
	return b[4] != Dense || len(b) == DenseSize
}

// Encoding returns Dense or Sparse.
func Encoding(b []byte) int { return int(b[4]) }

// CachedCard returns the cached cardinality and whether it is valid.
func CachedCard(b []byte) (uint64, bool) {
	if b[15]&0x80 != 0 {
		return 0, false
	}
	var card uint64
	for i := 7; i >= 0; i-- {
		card = card<<8 | uint64(b[8+i])
	}
	return card, true
}

// SetCachedCard stores card as the cached cardinality.
func SetCachedCard(b []byte, card uint64) {
	for i := 0; i < 8; i++ {
		b[8+i] = byte(card >> (8 * i))
	}
}

// InvalidateCache marks the cached cardinality stale.
func InvalidateCache(b []byte) { b[15] |= 0x80 }

// Hash is MurmurHash64A with Redis's seed, reading the input as little
// endian 64-bit words whatever the machine.
func Hash(key []byte) uint64 {
	const m = 0xc6a4a7935bd1e995
	const r = 47
	h := uint64(hashSeed) ^ (uint64(len(key)) * m)
	n := len(key) &^ 7
	for i := 0; i < n; i += 8 {
		k := uint64(key[i]) | uint64(key[i+1])<<8 | uint64(key[i+2])<<16 | uint64(key[i+3])<<24 |
			uint64(key[i+4])<<32 | uint64(key[i+5])<<40 | uint64(key[i+6])<<48 | uint64(key[i+7])<<56
		k *= m
		k ^= k >> r
		k *= m
		h ^= k
		h *= m
	}
	if rest := key[n:]; len(rest) > 0 {
		for i := len(rest) - 1; i >= 0; i-- {
			h ^= uint64(rest[i]) << (8 * i)
		}
		h *= m
	}
	h ^= h >> r
	h *= m
	h ^= h >> r
	return h
}

// PatLen returns the register an element hashes to and the length of the
// run of zeros, plus the final one, in the remaining bits of its hash
// (1..Q+1).
func PatLen(ele []byte) (index int, count uint8) {
	h := Hash(ele)
	index = int(h & (Registers - 1))
	h >>= P
	h |= 1 << Q
	count = 1
	for bit := uint64(1); h&bit == 0; bit <<= 1 {
		count++
	}
	return index, count
}

// DenseRegister returns register i of the dense registers regs.
func DenseRegister(regs []byte, i int) uint8 {
	byt := i * registerBits / 8
	fb := uint(i * registerBits & 7)
	b0 := uint(regs[byt])
	b1 := uint(at(regs, byt+1))
	return uint8((b0>>fb | b1<<(8-fb)) & RegisterMax)
}

// SetDenseRegister sets register i of the dense registers regs to val.
func SetDenseRegister(regs []byte, i int, val uint8) {
	byt := i * registerBits / 8
	fb := uint(i * registerBits & 7)
	fb8 := 8 - fb
	v := uint(val)
	regs[byt] &^= byte(RegisterMax << fb)
	regs[byt] |= byte(v << fb)
	if byt+1 < len(regs) {
		regs[byt+1] &^= byte(RegisterMax >> fb8)
		regs[byt+1] |= byte(v >> fb8)
	}
}

// denseSet raises register index to count; it reports whether it changed.
func denseSet(regs []byte, index int, count uint8) bool {
	if count > DenseRegister(regs, index) {
		SetDenseRegister(regs, index, count)
		return true
	}
	return false
}

// ToDense converts a sparse HyperLogLog to the dense encoding, keeping the
// header (and so the cached cardinality). A dense input is returned as is.
func ToDense(b []byte) ([]byte, error) {
	if b[4] == Dense {
		return b, nil
	}
	d := make([]byte, DenseSize)
	copy(d, b[:HeaderSize])
	d[4] = Dense
	regs := d[HeaderSize:]
	err := walkSparse(b, func(idx, n, v int) {
		for ; v > 0 && n > 0; n-- {
			SetDenseRegister(regs, idx, uint8(v))
			idx++
		}
	})
	if err != nil {
		return b, err
	}
	return d, nil
}

// Add adds an element. It returns the (possibly reallocated) HyperLogLog
// and 1 when a register changed, 0 when none did, -1 when the sparse
// representation is corrupted. sparseMax is hll-sparse-max-bytes: a sparse
// HyperLogLog that would grow beyond it is converted to dense.
func Add(b, ele []byte, sparseMax int) ([]byte, int) {
	index, count := PatLen(ele)
	return Set(b, index, count, sparseMax)
}

// Set raises register index to count, with the results of Add.
func Set(b []byte, index int, count uint8, sparseMax int) ([]byte, int) {
	switch b[4] {
	case Dense:
		if denseSet(b[HeaderSize:], index, count) {
			return b, 1
		}
		return b, 0
	case Sparse:
		return sparseSet(b, index, count, sparseMax)
	}
	return b, -1
}

// sparseSet is Redis's hllSparseSet: it edits the run-length code in place
// (splitting the run that holds the register, then merging equal adjacent
// VAL runs) or promotes to dense when the value or the size no longer fits.
func sparseSet(b []byte, index int, count uint8, sparseMax int) ([]byte, int) {
	if count > valMaxValue {
		return promote(b, index, count)
	}
	// Find the opcode that covers the register.
	p, end := HeaderSize, len(b)
	first, span, prev := 0, 0, -1
	for p < end {
		oplen := 1
		op := b[p]
		switch {
		case isZero(op):
			span = zeroLen(op)
		case isVal(op):
			span = valLen(op)
		default:
			span = xzeroLen(b, p)
			oplen = 2
		}
		if index <= first+span-1 {
			break
		}
		prev = p
		p += oplen
		first += span
	}
	if span == 0 || p >= end {
		return b, -1
	}
	op := b[p]
	next := p + 1
	if isXZero(op) {
		next = p + 2
	}
	hasNext := next < end

	updated := false
	runlen := 0
	switch {
	case isZero(op):
		runlen = zeroLen(op)
		if runlen == 1 {
			b[p] = valOp(int(count), 1)
			updated = true
		}
	case isXZero(op):
		runlen = xzeroLen(b, p)
	default:
		runlen = valLen(op)
		if valValue(op) >= int(count) {
			return b, 0
		}
		if runlen == 1 {
			b[p] = valOp(int(count), 1)
			updated = true
		}
	}

	if !updated {
		// Split the run into up to three: before, the register, after.
		var buf [5]byte
		seq := buf[:0]
		last := first + span - 1
		if isVal(op) {
			cur := valValue(op)
			if index != first {
				seq = append(seq, valOp(cur, index-first))
			}
			seq = append(seq, valOp(int(count), 1))
			if index != last {
				seq = append(seq, valOp(cur, last-index))
			}
		} else {
			if index != first {
				seq = appendZeros(seq, index-first)
			}
			seq = append(seq, valOp(int(count), 1))
			if index != last {
				seq = appendZeros(seq, last-index)
			}
		}
		oldlen := 1
		if isXZero(op) {
			oldlen = 2
		}
		delta := len(seq) - oldlen
		if delta > 0 && len(b)+delta > sparseMax {
			return promote(b, index, count)
		}
		newLen := len(b) + delta
		var tail []byte
		if hasNext {
			tail = append([]byte(nil), b[next:]...)
		}
		oldLen := len(b)
		nb := append(b[:p], seq...)
		nb = append(nb, tail...)
		// A truncated trailing XZERO loses the byte it lacked, as in Redis.
		b = truncate(nb, newLen, max(oldLen, len(nb)))
		end = newLen
	}

	// Merge adjacent VAL runs of the same value around the change.
	p = HeaderSize
	if prev >= 0 {
		p = prev
	}
	for scan := 5; p < end && scan > 0; {
		scan--
		op := b[p]
		if isXZero(op) {
			p += 2
			continue
		}
		if isZero(op) {
			p++
			continue
		}
		if p+1 < end && isVal(b[p+1]) {
			v1, v2 := valValue(op), valValue(b[p+1])
			if v1 == v2 {
				if n := valLen(op) + valLen(b[p+1]); n <= valMaxLen {
					b[p+1] = valOp(v1, n)
					copy(b[p:], b[p+1:end])
					b = truncate(b, end-1, end)
					end--
					continue
				}
			}
		}
		p++
	}
	InvalidateCache(b)
	return b, 1
}

// truncate shortens b to n bytes and zeroes the bytes from n to used,
// keeping the rest of the string code's assumption that the spare capacity
// of a string holds zeros. Redis leaves the byte past the end of a string
// it shortened as its terminating NUL, except after splitting a truncated
// trailing XZERO, where it keeps the last byte written: replab reads a zero
// there too, the only case where a corrupted HyperLogLog may decode
// differently.
func truncate(b []byte, n, used int) []byte {
	clear(b[n:used])
	return b[:n]
}

// walkSparse calls fn for each run of a sparse representation with the
// index of its first register, its length and its value (0 for ZERO and
// XZERO). A run that would pass the last register, or runs that do not
// reach it, make the representation corrupted; fn is not called for a run
// past the last register. (This is the check of Redis's fix for
// CVE-2025-32023, which Debian's 7.0.15 carries: any overflowing run makes
// the value invalid.)
func walkSparse(b []byte, fn func(idx, n, v int)) error {
	idx := 0
	for p := HeaderSize; p < len(b); {
		op := b[p]
		var n, v int
		switch {
		case isZero(op):
			n = zeroLen(op)
			p++
		case isXZero(op):
			n = xzeroLen(b, p)
			p += 2
		default:
			n, v = valLen(op), valValue(op)
			p++
		}
		if idx+n > Registers {
			return ErrCorrupt
		}
		fn(idx, n, v)
		idx += n
	}
	if idx != Registers {
		return ErrCorrupt
	}
	return nil
}

// promote converts to dense and sets the register there.
func promote(b []byte, index int, count uint8) ([]byte, int) {
	d, err := ToDense(b)
	if err != nil {
		return b, -1
	}
	if denseSet(d[HeaderSize:], index, count) {
		return d, 1
	}
	return d, 0
}

// histogram counts the registers by value. invalid is set for a sparse
// representation that does not cover the registers exactly.
func histogram(b []byte) (h [64]int, invalid bool) {
	regs := b[HeaderSize:]
	if b[4] == Dense {
		for i := 0; i < Registers; i++ {
			h[DenseRegister(regs, i)]++
		}
		return h, false
	}
	err := walkSparse(b, func(_, n, v int) { h[v] += n })
	return h, err != nil
}

// Count estimates the cardinality (without the cache). invalid reports a
// corrupted sparse representation.
func Count(b []byte) (card uint64, invalid bool) {
	h, invalid := histogram(b)
	return estimate(&h), invalid
}

// CountRegisters estimates the cardinality of registers held one per byte,
// as PFCOUNT does for the union of several keys.
func CountRegisters(regs *[Registers]uint8) uint64 {
	var h [64]int
	for _, r := range regs {
		h[r]++
	}
	return estimate(&h)
}

// Merge raises each of max to the matching register of the HyperLogLog b.
func Merge(max *[Registers]uint8, b []byte) error {
	if b[4] == Dense {
		regs := b[HeaderSize:]
		for i := range max {
			if v := DenseRegister(regs, i); v > max[i] {
				max[i] = v
			}
		}
		return nil
	}
	return walkSparse(b, func(idx, n, v int) {
		for ; v > 0 && n > 0; n-- {
			if uint8(v) > max[idx] {
				max[idx] = uint8(v)
			}
			idx++
		}
	})
}

// Estimator of Otmar Ertl, "New cardinality estimation algorithms for
// HyperLogLog sketches" (arXiv:1702.01284), as Redis 7 computes it. The
// explicit float64 conversions forbid fused multiply-adds, so that every
// platform rounds as Redis does.

func sigma(x float64) float64 {
	if x == 1 {
		return math.Inf(1)
	}
	y := 1.0
	z := x
	for {
		x = float64(x * x)
		zPrime := z
		z += float64(x * y)
		y += y
		if zPrime == z {
			return z
		}
	}
}

func tau(x float64) float64 {
	if x == 0 || x == 1 {
		return 0
	}
	y := 1.0
	z := 1 - x
	for {
		x = math.Sqrt(x)
		zPrime := z
		y *= 0.5
		d := 1 - x
		z -= float64(float64(d*d) * y)
		if zPrime == z {
			return z / 3
		}
	}
}

func estimate(h *[64]int) uint64 {
	const m = float64(Registers)
	z := float64(m * tau((m-float64(h[Q+1]))/m))
	for j := Q; j >= 1; j-- {
		z += float64(h[j])
		z *= 0.5
	}
	z += float64(m * sigma(float64(h[0])/m))
	return uint64(math.Round(float64(alphaInf*m*m) / z))
}

// DenseRegisters returns the value of every register (the HyperLogLog must be
// dense).
func DenseRegisters(b []byte) []uint8 {
	out := make([]uint8, Registers)
	for i := range out {
		out[i] = DenseRegister(b[HeaderSize:], i)
	}
	return out
}

// Decode describes a sparse representation as PFDEBUG DECODE does:
// "z:<len>", "Z:<len>" and "v:<value>,<len>" separated by spaces.
func Decode(b []byte) string {
	var sb strings.Builder
	for p := HeaderSize; p < len(b); {
		op := b[p]
		switch {
		case isZero(op):
			sb.WriteString("z:" + strconv.Itoa(zeroLen(op)) + " ")
			p++
		case isXZero(op):
			sb.WriteString("Z:" + strconv.Itoa(xzeroLen(b, p)) + " ")
			p += 2
		default:
			sb.WriteString("v:" + strconv.Itoa(valValue(op)) + "," + strconv.Itoa(valLen(op)) + " ")
			p++
		}
	}
	return strings.TrimRight(sb.String(), " ")
}
