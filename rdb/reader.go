package rdb

import (
	"encoding/binary"
	"errors"
	"io"
	"math"
	"strconv"
)

const readBufSize = 64 << 10

// reader is the Decoder's view of its input: a buffer over an io.Reader that
// counts consumed bytes and keeps the CRC64 of everything consumed. Reading
// past the end of the input yields errTruncated; an I/O error of the source
// is returned as is.
type reader struct {
	src   io.Reader
	buf   []byte
	r, w  int    // unread bytes are buf[r:w]
	base  int64  // input offset of buf[0]
	crc   uint64 // CRC64 of the input up to buf[crcAt]
	crcAt int
	err   error // sticky error of src (io.EOF included)
}

func newReader(src io.Reader) *reader {
	return newReaderSize(src, readBufSize)
}

// newReaderSize returns a reader with a buffer of size bytes (at least 64).
func newReaderSize(src io.Reader, size int) *reader {
	return &reader{src: src, buf: make([]byte, max(size, 64))}
}

// offset returns the number of bytes consumed so far.
func (r *reader) offset() int64 { return r.base + int64(r.r) }

// sum returns the CRC64 of the bytes consumed so far.
func (r *reader) sum() uint64 {
	r.crc = CRC64(r.crc, r.buf[r.crcAt:r.r])
	r.crcAt = r.r
	return r.crc
}

// rewind forgets the buffered input and continues as if off bytes had been
// consumed with CRC64 crc (the Decoder starting a record over).
func (r *reader) rewind(off int64, crc uint64) {
	r.r, r.w, r.base = 0, 0, off
	r.crc, r.crcAt = crc, 0
	r.err = nil
}

// fill reads more input, keeping the unread bytes. It returns an error only
// when no byte could be added.
func (r *reader) fill() error {
	if r.r > 0 {
		r.sum()
		n := copy(r.buf, r.buf[r.r:r.w])
		r.base += int64(r.r)
		r.w = n
		r.r = 0
		r.crcAt = 0
	}
	for tries := 0; r.w < len(r.buf); tries++ {
		if r.err != nil {
			if r.err == io.EOF {
				return errTruncated
			}
			return r.err
		}
		n, err := r.src.Read(r.buf[r.w:])
		if n < 0 || n > len(r.buf)-r.w {
			r.err = errors.New("rdb: source returned an invalid count")
			continue
		}
		r.w += n
		if err != nil {
			r.err = err
		}
		if n > 0 {
			return nil
		}
		if tries > 100 {
			r.err = io.ErrNoProgress
		}
	}
	return nil
}

// ensure makes at least n (<= len(buf)) unread bytes available.
func (r *reader) ensure(n int) error {
	for r.w-r.r < n {
		if err := r.fill(); err != nil {
			return err
		}
	}
	return nil
}

func (r *reader) readByte() (byte, error) {
	if r.r == r.w {
		if err := r.fill(); err != nil {
			return 0, err
		}
	}
	b := r.buf[r.r]
	r.r++
	return b, nil
}

// next consumes n (<= len(buf)) bytes and returns them as a view into the
// buffer, valid until the next call.
func (r *reader) next(n int) ([]byte, error) {
	if err := r.ensure(n); err != nil {
		return nil, err
	}
	p := r.buf[r.r : r.r+n]
	r.r += n
	return p, nil
}

// readBytes consumes n bytes into a new slice. The slice grows as data
// arrives, so a forged length costs at most about twice the input there
// really is.
func (r *reader) readBytes(n uint64) ([]byte, error) {
	if n > math.MaxInt-1 {
		return nil, corruptf("string length %d is too large", n)
	}
	// Start with what is buffered (or 64 KB) and double as bytes arrive,
	// never past n: the result has exactly n bytes of capacity.
	want := int(n)
	c := max(r.w-r.r, readBufSize)
	if c > want {
		c = want
	}
	dst := make([]byte, 0, c)
	for len(dst) < want {
		if len(dst) == cap(dst) {
			nc := min(2*cap(dst), want)
			grown := make([]byte, len(dst), nc)
			copy(grown, dst)
			dst = grown
		}
		var err error
		if dst, err = r.appendBytes(dst, min(cap(dst), want)-len(dst)); err != nil {
			return nil, err
		}
	}
	return dst, nil
}

// appendBytes consumes n bytes, appending them to dst.
func (r *reader) appendBytes(dst []byte, n int) ([]byte, error) {
	for n > 0 {
		if r.r == r.w {
			if err := r.fill(); err != nil {
				return nil, err
			}
		}
		k := r.w - r.r
		if k > n {
			k = n
		}
		dst = append(dst, r.buf[r.r:r.r+k]...)
		r.r += k
		n -= k
	}
	return dst, nil
}

// skip consumes n bytes.
func (r *reader) skip(n uint64) error {
	for n > 0 {
		if r.r == r.w {
			if err := r.fill(); err != nil {
				return err
			}
		}
		k := uint64(r.w - r.r)
		if k > n {
			k = n
		}
		r.r += int(k)
		n -= k
	}
	return nil
}

// buffered returns the bytes read from the source but not consumed.
func (r *reader) buffered() []byte { return r.buf[r.r:r.w] }

// readLen reads a length (RDB_6BITLEN, 14BITLEN, 32BITLEN, 64BITLEN). When
// the first byte is RDB_ENCVAL, it returns the 6-bit encoding number with
// enc = true.
func (r *reader) readLen() (v uint64, enc bool, err error) {
	b, err := r.readByte()
	if err != nil {
		return 0, false, err
	}
	switch b >> 6 {
	case 0:
		return uint64(b & 0x3f), false, nil
	case 1:
		b2, err := r.readByte()
		if err != nil {
			return 0, false, err
		}
		return uint64(b&0x3f)<<8 | uint64(b2), false, nil
	case 3:
		return uint64(b & 0x3f), true, nil
	}
	switch b {
	case 0x80:
		p, err := r.next(4)
		if err != nil {
			return 0, false, err
		}
		return uint64(binary.BigEndian.Uint32(p)), false, nil
	case 0x81:
		p, err := r.next(8)
		if err != nil {
			return 0, false, err
		}
		return binary.BigEndian.Uint64(p), false, nil
	}
	return 0, false, corruptf("unknown length encoding 0x%02x", b)
}

// readPlainLen reads a length that must not be a special encoding.
func (r *reader) readPlainLen() (uint64, error) {
	v, enc, err := r.readLen()
	if err != nil {
		return 0, err
	}
	if enc {
		return 0, corruptf("unexpected encoded value where a length belongs")
	}
	return v, nil
}

// readString reads a string in any of its encodings (plain, int8/16/32,
// LZF) into a new slice of exactly its length.
func (r *reader) readString() ([]byte, error) { return r.appendString(nil) }

// appendString reads a string in any of its encodings and appends it to
// dst; with a nil dst the result is a new slice of exactly its length.
func (r *reader) appendString(dst []byte) ([]byte, error) {
	v, enc, err := r.readLen()
	if err != nil {
		return nil, err
	}
	if !enc {
		if dst == nil {
			return r.readBytes(v)
		}
		if v > math.MaxInt-1 {
			return nil, corruptf("string length %d is too large", v)
		}
		return r.appendBytes(dst, int(v))
	}
	intString := func(i int64) []byte {
		if dst == nil {
			return formatInt(i)
		}
		return strconv.AppendInt(dst, i, 10)
	}
	switch v {
	case encInt8:
		b, err := r.readByte()
		if err != nil {
			return nil, err
		}
		return intString(int64(int8(b))), nil
	case encInt16:
		p, err := r.next(2)
		if err != nil {
			return nil, err
		}
		return intString(int64(int16(binary.LittleEndian.Uint16(p)))), nil
	case encInt32:
		p, err := r.next(4)
		if err != nil {
			return nil, err
		}
		return intString(int64(int32(binary.LittleEndian.Uint32(p)))), nil
	case encLZF:
		clen, err := r.readPlainLen()
		if err != nil {
			return nil, err
		}
		ulen, err := r.readPlainLen()
		if err != nil {
			return nil, err
		}
		if ulen > math.MaxInt32*4 || clen > math.MaxInt32*4 {
			return nil, corruptf("LZF string of %d bytes is too large", ulen)
		}
		if ulen == 0 || clen == 0 || ulen > clen*lzfMaxExpand {
			return nil, corruptf("invalid LZF lengths: %d compressed, %d uncompressed", clen, ulen)
		}
		var comp []byte
		if clen <= uint64(len(r.buf)) {
			comp, err = r.next(int(clen)) // a view: no copy of the compressed bytes
		} else {
			comp, err = r.readBytes(clen)
		}
		if err != nil {
			return nil, err
		}
		return LZFDecompress(dst, comp, int(ulen))
	}
	return nil, corruptf("unknown string encoding %d", v)
}

// readMillis reads a little-endian 64-bit integer (millisecond times).
func (r *reader) readMillis() (int64, error) {
	p, err := r.next(8)
	if err != nil {
		return 0, err
	}
	return int64(binary.LittleEndian.Uint64(p)), nil
}

// readBinaryDouble reads a little-endian IEEE 754 double (RDB 8+).
func (r *reader) readBinaryDouble() (float64, error) {
	p, err := r.next(8)
	if err != nil {
		return 0, err
	}
	return math.Float64frombits(binary.LittleEndian.Uint64(p)), nil
}

// readTextDouble reads the old double form: a length byte (253 NaN, 254
// +inf, 255 -inf) followed by that many characters.
func (r *reader) readTextDouble() (float64, error) {
	n, err := r.readByte()
	if err != nil {
		return 0, err
	}
	switch n {
	case 253:
		return math.NaN(), nil
	case 254:
		return math.Inf(1), nil
	case 255:
		return math.Inf(-1), nil
	}
	p, err := r.next(int(n))
	if err != nil {
		return 0, err
	}
	return parseTextDouble(p)
}
