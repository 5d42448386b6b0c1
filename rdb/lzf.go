package rdb

// LZF is the compression format of liblzf, which Redis uses for compressed
// strings in RDB files and for compressed quicklist nodes. A compressed
// stream is a sequence of items, each starting with a control byte c:
//
//   - c < 32: a literal run; the next c+1 bytes are copied to the output.
//   - otherwise: a back reference. The length field is l = c>>5 (1..7); if
//     l == 7 one more byte follows and is added to l. Then one byte o
//     follows; the copy starts (c&0x1f)<<8 + o + 1 bytes before the current
//     end of the output and is l+2 bytes long (it may overlap the bytes it
//     produces).
//
// The compressor here is an original greedy hash-chain-free implementation:
// its output is valid LZF that any LZF decompressor (Redis's included)
// accepts, though not byte-identical to liblzf's.

const (
	lzfMaxLiteral = 1 << 5          // longest literal run
	lzfMaxOffset  = 1 << 13         // farthest back reference distance
	lzfMaxMatch   = 1<<8 + 1<<3     // longest back reference (264)
	lzfHashBits   = 14              // size of the compressor's position table
	lzfMaxExpand  = lzfMaxMatch / 3 // most output bytes one input byte can produce
)

// lzfCompressor holds the position table of the compressor so that an
// Encoder compressing many strings allocates it once.
type lzfCompressor struct {
	table [1 << lzfHashBits]uint32 // input position + 1 of the last 3-byte sequence with this hash; 0 = none
}

func lzfHash(v uint32) uint32 {
	return (v * 2654435761) >> (32 - lzfHashBits)
}

// compress appends the LZF form of in to dst if it takes at most max bytes,
// and reports whether it did. On false, dst is returned unchanged.
func (c *lzfCompressor) compress(dst, in []byte, max int) ([]byte, bool) {
	start := len(dst)
	n := len(in)
	litStart := 0 // first input byte not yet emitted
	// Stale table entries from earlier inputs are harmless: a candidate is
	// used only if it lies before the current position and its bytes match.
	emitLiterals := func(end int) bool {
		for litStart < end {
			run := end - litStart
			if run > lzfMaxLiteral {
				run = lzfMaxLiteral
			}
			if len(dst)-start+1+run > max {
				return false
			}
			dst = append(dst, byte(run-1))
			dst = append(dst, in[litStart:litStart+run]...)
			litStart += run
		}
		return true
	}
	ip := 0
	for ip+2 < n {
		v := uint32(in[ip]) | uint32(in[ip+1])<<8 | uint32(in[ip+2])<<16
		h := lzfHash(v)
		cand := int(c.table[h]) - 1
		c.table[h] = uint32(ip + 1)
		if cand < 0 || cand >= ip || ip-cand > lzfMaxOffset ||
			in[cand] != in[ip] || in[cand+1] != in[ip+1] || in[cand+2] != in[ip+2] {
			ip++
			continue
		}
		// Extend the match.
		limit := n - ip
		if limit > lzfMaxMatch {
			limit = lzfMaxMatch
		}
		l := 3
		for l < limit && in[cand+l] == in[ip+l] {
			l++
		}
		if !emitLiterals(ip) {
			return dst[:start], false
		}
		off := ip - cand - 1
		ln := l - 2
		need := 2
		if ln >= 7 {
			need = 3
		}
		if len(dst)-start+need > max {
			return dst[:start], false
		}
		if ln < 7 {
			dst = append(dst, byte(ln<<5|off>>8), byte(off))
		} else {
			dst = append(dst, byte(7<<5|off>>8), byte(ln-7), byte(off))
		}
		// Index the positions inside the match sparsely (its last two
		// starting points) so later data can refer into it.
		end := ip + l
		for p := end - 2; p < end && p+2 < n; p++ {
			if p > ip {
				w := uint32(in[p]) | uint32(in[p+1])<<8 | uint32(in[p+2])<<16
				c.table[lzfHash(w)] = uint32(p + 1)
			}
		}
		ip = end
		litStart = ip
	}
	if !emitLiterals(n) {
		return dst[:start], false
	}
	return dst, true
}

// LZFCompress appends the LZF compression of src to dst if the compressed
// form takes at most max bytes, and reports whether it did (on false, dst is
// returned unchanged). An empty src compresses to nothing.
func LZFCompress(dst, src []byte, max int) ([]byte, bool) {
	var c lzfCompressor
	return c.compress(dst, src, max)
}

// LZFDecompress appends the decompression of src to dst. The output must be
// exactly outLen bytes long: a stream that produces more or fewer bytes, that
// ends in the middle of an item, or that refers before the start of its
// output is an error (ErrCorrupt). outLen bounds the allocation.
func LZFDecompress(dst, src []byte, outLen int) ([]byte, error) {
	if outLen < 0 {
		return dst, corruptf("LZF: negative length")
	}
	base := len(dst)
	dst = growCap(dst, outLen)
	end := base + outLen
	ip := 0
	for ip < len(src) {
		ctrl := int(src[ip])
		ip++
		if ctrl < 32 {
			run := ctrl + 1
			if len(dst)+run > end {
				return dst[:base], corruptf("LZF: output longer than %d bytes", outLen)
			}
			if ip+run > len(src) {
				return dst[:base], corruptf("LZF: literal run past the end of the input")
			}
			dst = append(dst, src[ip:ip+run]...)
			ip += run
			continue
		}
		l := ctrl >> 5
		if ip >= len(src) {
			return dst[:base], corruptf("LZF: back reference past the end of the input")
		}
		if l == 7 {
			l += int(src[ip])
			ip++
			if ip >= len(src) {
				return dst[:base], corruptf("LZF: back reference past the end of the input")
			}
		}
		back := (ctrl&0x1f)<<8 + int(src[ip]) + 1
		ip++
		l += 2
		if len(dst)+l > end {
			return dst[:base], corruptf("LZF: output longer than %d bytes", outLen)
		}
		at := len(dst)
		ref := at - back
		if ref < base {
			return dst[:base], corruptf("LZF: back reference before the start of the output")
		}
		dst = dst[:at+l] // within the capacity growCap made
		if back >= l {
			copy(dst[at:], dst[ref:ref+l])
		} else {
			// The reference overlaps the bytes it produces: a repeating
			// pattern, copied byte by byte in order.
			for i := 0; i < l; i++ {
				dst[at+i] = dst[ref+i]
			}
		}
	}
	if len(dst) != end {
		return dst[:base], corruptf("LZF: output is %d bytes, expected %d", len(dst)-base, outLen)
	}
	return dst, nil
}

// growCap returns b with room for at least n more bytes.
func growCap(b []byte, n int) []byte {
	if cap(b)-len(b) >= n {
		return b
	}
	nb := make([]byte, len(b), len(b)+n)
	copy(nb, b)
	return nb
}
