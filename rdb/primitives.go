package rdb

import (
	"encoding/binary"
	"math"
	"strconv"

	"replab/internal/num"
)

// String encodings (the 6 bits after RDB_ENCVAL).
const (
	encInt8  = 0
	encInt16 = 1
	encInt32 = 2
	encLZF   = 3
)

func formatInt(v int64) []byte {
	var buf [20]byte
	return append([]byte(nil), strconv.AppendInt(buf[:0], v, 10)...)
}

// AppendLen appends the RDB length encoding of v: 6 bits, 14 bits, or a
// marker byte followed by a big-endian 32 or 64-bit value.
func AppendLen(dst []byte, v uint64) []byte {
	switch {
	case v < 1<<6:
		return append(dst, byte(v))
	case v < 1<<14:
		return append(dst, byte(v>>8)|0x40, byte(v))
	case v <= math.MaxUint32:
		dst = append(dst, 0x80)
		return binary.BigEndian.AppendUint32(dst, uint32(v))
	}
	dst = append(dst, 0x81)
	return binary.BigEndian.AppendUint64(dst, v)
}

// appendIntEncoded appends v as an int8/16/32 encoded string, if it fits.
func appendIntEncoded(dst []byte, v int64) ([]byte, bool) {
	switch {
	case v >= math.MinInt8 && v <= math.MaxInt8:
		return append(dst, 0xc0|encInt8, byte(v)), true
	case v >= math.MinInt16 && v <= math.MaxInt16:
		return append(dst, 0xc0|encInt16, byte(v), byte(v>>8)), true
	case v >= math.MinInt32 && v <= math.MaxInt32:
		return append(dst, 0xc0|encInt32, byte(v), byte(v>>8), byte(v>>16), byte(v>>24)), true
	}
	return dst, false
}

// AppendString appends s in the form Redis 7.0's rdbSaveRawString chooses:
// an int8/16/32 encoding when s is the canonical decimal form of an integer
// of at most 11 characters that fits 32 bits; else, when compress is set
// and s is longer than 20 bytes, LZF if it saves at least 4 bytes; else the
// length and the bytes.
func AppendString(dst, s []byte, compress bool) []byte {
	var c *lzfCompressor
	if compress && len(s) > 20 {
		c = new(lzfCompressor)
	}
	return appendString(dst, s, c)
}

// appendString is AppendString with a reusable compressor (nil: no LZF).
func appendString(dst, s []byte, c *lzfCompressor) []byte {
	if len(s) <= 11 {
		if v, ok := num.ParseInt(s); ok {
			if out, ok := appendIntEncoded(dst, v); ok {
				return out
			}
		}
	}
	if c != nil && len(s) > 20 {
		if out, ok := appendLZFString(dst, s, c); ok {
			return out
		}
	}
	dst = AppendLen(dst, uint64(len(s)))
	return append(dst, s...)
}

// appendLZFString appends s LZF-compressed if that saves at least 4 bytes.
func appendLZFString(dst, s []byte, c *lzfCompressor) ([]byte, bool) {
	if len(s) <= 4 {
		return dst, false
	}
	// Reserve room for the header: marker byte and two lengths.
	start := len(dst)
	hdr := 1 + 9 + 9
	dst = growCap(dst, hdr+len(s))
	body := dst[start+hdr : start+hdr]
	body, ok := c.compress(body, s, len(s)-4)
	if !ok {
		return dst[:start], false
	}
	clen := len(body)
	var h [19]byte
	hb := append(h[:0], 0xc0|encLZF)
	hb = AppendLen(hb, uint64(clen))
	hb = AppendLen(hb, uint64(len(s)))
	// Move the compressed bytes right after the real header.
	out := dst[:start+len(hb)+clen]
	copy(out[start+len(hb):], body[:clen])
	copy(out[start:], hb)
	return out, true
}

// AppendMillis appends t as a little-endian 64-bit integer (the form of
// EXPIRETIME_MS and of the stream times).
func AppendMillis(dst []byte, t int64) []byte {
	return binary.LittleEndian.AppendUint64(dst, uint64(t))
}

// AppendBinaryDouble appends f as a little-endian IEEE 754 double (the
// score form of RDB_TYPE_ZSET_2).
func AppendBinaryDouble(dst []byte, f float64) []byte {
	return binary.LittleEndian.AppendUint64(dst, math.Float64bits(f))
}

// AppendTextDouble appends f in the old text form of RDB_TYPE_ZSET: one
// length byte (253 NaN, 254 +inf, 255 -inf) and the decimal form, an
// integer when f is integral and within ±2^62, else "%.17g".
func AppendTextDouble(dst []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, 253)
	case math.IsInf(f, 1):
		return append(dst, 254)
	case math.IsInf(f, -1):
		return append(dst, 255)
	}
	var buf [40]byte
	s := formatScore(buf[:0], f)
	dst = append(dst, byte(len(s)))
	return append(dst, s...)
}

// formatScore formats a finite double as Redis's d2string does: "-0" for
// negative zero, an integer when the value is integral and within the range
// double2ll accepts, else "%.17g".
func formatScore(dst []byte, f float64) []byte {
	if f == 0 {
		if math.Signbit(f) {
			return append(dst, "-0"...)
		}
		return append(dst, '0')
	}
	if math.IsInf(f, 1) {
		return append(dst, "inf"...)
	}
	if math.IsInf(f, -1) {
		return append(dst, "-inf"...)
	}
	if f >= -float64(math.MaxInt64/2) && f <= float64(math.MaxInt64/2) {
		if ll := int64(f); float64(ll) == f {
			return strconv.AppendInt(dst, ll, 10)
		}
	}
	return num.AppendDouble(dst, f)
}

// parseTextDouble parses a score stored as text (old zset form, ziplist and
// listpack scores). It accepts what C's strtod accepts as a whole, plus
// "inf"/"-inf"; NaN is refused.
func parseTextDouble(p []byte) (float64, error) {
	s := string(p)
	switch s {
	case "inf", "+inf", "infinity", "+infinity":
		return math.Inf(1), nil
	case "-inf", "-infinity":
		return math.Inf(-1), nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		// strtod saturates to ±HUGE_VAL on overflow instead of failing.
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return f, nil
		}
		return 0, corruptf("invalid score %q", truncateForMsg(p))
	}
	if math.IsNaN(f) {
		return 0, corruptf("NaN score")
	}
	return f, nil
}

func truncateForMsg(p []byte) string {
	if len(p) > 40 {
		return string(p[:40]) + "..."
	}
	return string(p)
}
