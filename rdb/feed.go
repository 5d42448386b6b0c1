package rdb

import (
	"errors"
	"io"
)

// ErrNeedMore is what Next returns, on a Decoder reading a Feed, when the
// next record has not fully arrived yet. The Decoder has gone back to the
// start of that record: feed more bytes (or close the Feed) and call Next
// again. It is not sticky and never wrapped in an *Error.
var ErrNeedMore = errors.New("rdb: the next record has not fully arrived")

// errStarved is what a Feed's Read returns when it has no byte to give yet
// and is not closed.
var errStarved = errors.New("rdb: feed starved")

// Feed is the input of a Decoder that decodes a payload as it arrives, as a
// replica loads its master's full synchronisation payload while it is still
// being received. Write appends the bytes that arrived (they are copied);
// Close says no more will come, after which a missing byte is a truncation
// like at the end of any other input.
//
// A Feed keeps the bytes of the record being decoded so that the Decoder can
// start the record over when it was incomplete; bytes of records already
// returned by Next are released. Its memory is therefore about the largest
// record plus what arrived ahead of the decoding.
type Feed struct {
	data   []byte // the input from offset base on
	base   int64
	pos    int64 // the offset Read continues from
	closed bool
}

// Write appends p to the input. It never fails (it is an io.Writer for
// convenience); writing after Close is a programming error and panics.
func (f *Feed) Write(p []byte) (int, error) {
	if f.closed {
		panic("rdb: Write on a closed Feed")
	}
	f.data = append(f.data, p...)
	return len(p), nil
}

// Close marks the end of the input.
func (f *Feed) Close() { f.closed = true }

// Closed reports whether Close was called.
func (f *Feed) Closed() bool { return f.closed }

// Len returns the number of bytes written so far.
func (f *Feed) Len() int64 { return f.base + int64(len(f.data)) }

// Read gives the Decoder the next bytes. With nothing left it returns io.EOF
// once the Feed is closed, and errStarved before.
func (f *Feed) Read(p []byte) (int, error) {
	i := int(f.pos - f.base)
	if i == len(f.data) {
		if f.closed {
			return 0, io.EOF
		}
		return 0, errStarved
	}
	n := copy(p, f.data[i:])
	f.pos += int64(n)
	return n, nil
}

// rewind makes Read continue from off, which must not precede the last
// release.
func (f *Feed) rewind(off int64) { f.pos = off }

// release drops the bytes before off. The buffer is compacted once the
// dropped part is at least half of it, so each byte is moved a bounded
// number of times on average.
func (f *Feed) release(off int64) {
	k := int(off - f.base)
	if k <= 0 || 2*k < len(f.data) {
		return
	}
	n := copy(f.data, f.data[k:])
	f.data = f.data[:n]
	f.base = off
	if cap(f.data) > 1<<20 && 4*n < cap(f.data) {
		// A large record has passed: do not keep its buffer.
		f.data = append([]byte(nil), f.data...)
	}
}
