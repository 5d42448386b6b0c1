package resp

import (
	"strconv"
	"strings"

	"replab/internal/num"
)

// Writer appends RESP replies to a byte slice. The zero value writes RESP2.
type Writer struct {
	buf []byte
	// Proto is the protocol version of the peer: 2 or 3.
	Proto int
}

// NewWriter returns a Writer for protocol version proto (2 or 3).
func NewWriter(proto int) *Writer { return &Writer{Proto: proto} }

// Bytes returns what has been written since the last Reset. The slice aliases
// the writer's buffer.
func (w *Writer) Bytes() []byte { return w.buf }

// Len returns the number of bytes written since the last Reset.
func (w *Writer) Len() int { return len(w.buf) }

// Reset forgets the written bytes but keeps the buffer for reuse.
func (w *Writer) Reset() { w.buf = w.buf[:0] }

// Truncate cuts the output back to n bytes (a length obtained from Len).
func (w *Writer) Truncate(n int) { w.buf = w.buf[:n] }

// Resp3 reports whether the peer speaks RESP3.
func (w *Writer) Resp3() bool { return w.Proto >= 3 }

func (w *Writer) header(prefix byte, n int64) {
	w.buf = append(w.buf, prefix)
	w.buf = strconv.AppendInt(w.buf, n, 10)
	w.buf = append(w.buf, '\r', '\n')
}

// Raw appends already encoded protocol bytes.
func (w *Writer) Raw(p []byte) { w.buf = append(w.buf, p...) }

// RawString appends already encoded protocol bytes.
func (w *Writer) RawString(s string) { w.buf = append(w.buf, s...) }

// OK appends +OK.
func (w *Writer) OK() { w.buf = append(w.buf, "+OK\r\n"...) }

// SimpleString appends a status reply. Newlines in s are replaced by spaces,
// since they would break the framing.
func (w *Writer) SimpleString(s string) {
	w.buf = append(w.buf, '+')
	w.appendLine(s)
}

// Error appends an error reply. msg is the full text after the '-', such as
// "ERR syntax error" or "WRONGTYPE Operation against ..."; newlines are
// replaced by spaces as Redis does.
func (w *Writer) Error(msg string) {
	w.buf = append(w.buf, '-')
	w.appendLine(msg)
}

func (w *Writer) appendLine(s string) {
	if strings.ContainsAny(s, "\r\n") {
		s = strings.Map(func(r rune) rune {
			if r == '\r' || r == '\n' {
				return ' '
			}
			return r
		}, s)
	}
	w.buf = append(w.buf, s...)
	w.buf = append(w.buf, '\r', '\n')
}

// Int appends an integer reply.
func (w *Writer) Int(n int64) { w.header(':', n) }

// Bulk appends a bulk string.
func (w *Writer) Bulk(b []byte) {
	w.header('$', int64(len(b)))
	w.buf = append(w.buf, b...)
	w.buf = append(w.buf, '\r', '\n')
}

// BulkString appends a bulk string.
func (w *Writer) BulkString(s string) {
	w.header('$', int64(len(s)))
	w.buf = append(w.buf, s...)
	w.buf = append(w.buf, '\r', '\n')
}

// BulkInt appends the decimal form of n as a bulk string.
func (w *Writer) BulkInt(n int64) {
	var tmp [24]byte
	w.Bulk(strconv.AppendInt(tmp[:0], n, 10))
}

// Null appends a null bulk string: $-1 in RESP2, _ in RESP3.
func (w *Writer) Null() {
	if w.Proto >= 3 {
		w.buf = append(w.buf, "_\r\n"...)
	} else {
		w.buf = append(w.buf, "$-1\r\n"...)
	}
}

// NullArray appends a null array: *-1 in RESP2, _ in RESP3.
func (w *Writer) NullArray() {
	if w.Proto >= 3 {
		w.buf = append(w.buf, "_\r\n"...)
	} else {
		w.buf = append(w.buf, "*-1\r\n"...)
	}
}

// Array appends the header of an array of n elements.
func (w *Writer) Array(n int) { w.header('*', int64(n)) }

// Map appends the header of a map of n pairs: '%' in RESP3, an array of 2n
// elements in RESP2.
func (w *Writer) Map(n int) {
	if w.Proto >= 3 {
		w.header('%', int64(n))
	} else {
		w.header('*', int64(2*n))
	}
}

// Set appends the header of a set of n elements: '~' in RESP3, an array in
// RESP2.
func (w *Writer) Set(n int) {
	if w.Proto >= 3 {
		w.header('~', int64(n))
	} else {
		w.header('*', int64(n))
	}
}

// Push appends the header of an out-of-band push of n elements: '>' in RESP3,
// an array in RESP2.
func (w *Writer) Push(n int) {
	if w.Proto >= 3 {
		w.header('>', int64(n))
	} else {
		w.header('*', int64(n))
	}
}

// Double appends a double reply formatted as "%.17g": a bulk string in RESP2,
// a ',' double in RESP3.
func (w *Writer) Double(f float64) {
	var tmp [32]byte
	s := num.AppendDouble(tmp[:0], f)
	if w.Proto >= 3 {
		w.buf = append(w.buf, ',')
		w.buf = append(w.buf, s...)
		w.buf = append(w.buf, '\r', '\n')
		return
	}
	w.Bulk(s)
}

// HumanDouble appends a number already formatted for humans (such as
// INCRBYFLOAT's result): a bulk string in RESP2, a ',' double in RESP3.
func (w *Writer) HumanDouble(s string) {
	if w.Proto >= 3 {
		w.buf = append(w.buf, ',')
		w.buf = append(w.buf, s...)
		w.buf = append(w.buf, '\r', '\n')
		return
	}
	w.BulkString(s)
}

// Bool appends a boolean: '#t'/'#f' in RESP3, :1/:0 in RESP2.
func (w *Writer) Bool(b bool) {
	switch {
	case w.Proto >= 3 && b:
		w.buf = append(w.buf, "#t\r\n"...)
	case w.Proto >= 3:
		w.buf = append(w.buf, "#f\r\n"...)
	case b:
		w.buf = append(w.buf, ":1\r\n"...)
	default:
		w.buf = append(w.buf, ":0\r\n"...)
	}
}

// Verbatim appends a verbatim string with a three-letter format ("txt" or
// "mkd"): '=' in RESP3, a bulk string in RESP2.
func (w *Writer) Verbatim(format, s string) {
	if w.Proto < 3 {
		w.BulkString(s)
		return
	}
	w.header('=', int64(len(s)+4))
	w.buf = append(w.buf, format...)
	w.buf = append(w.buf, ':')
	w.buf = append(w.buf, s...)
	w.buf = append(w.buf, '\r', '\n')
}

// BigNumber appends a big number given in decimal: '(' in RESP3, a bulk
// string in RESP2.
func (w *Writer) BigNumber(s string) {
	if w.Proto < 3 {
		w.BulkString(s)
		return
	}
	w.buf = append(w.buf, '(')
	w.buf = append(w.buf, s...)
	w.buf = append(w.buf, '\r', '\n')
}

// BulkStrings appends an array of bulk strings.
func (w *Writer) BulkStrings(items []string) {
	w.Array(len(items))
	for _, s := range items {
		w.BulkString(s)
	}
}

// Deferred is a placeholder for an aggregate header whose length is not yet
// known, created by Defer and completed by Fill.
type Deferred struct{ pos int }

// Defer reserves the place of an aggregate header whose element count is
// known only after the elements are written.
func (w *Writer) Defer() Deferred { return Deferred{pos: len(w.buf)} }

// FillArray inserts at d the header of an array of n elements.
func (w *Writer) FillArray(d Deferred, n int) { w.fill(d, '*', n) }

// FillMap inserts at d the header of a map of n pairs.
func (w *Writer) FillMap(d Deferred, n int) {
	if w.Proto >= 3 {
		w.fill(d, '%', n)
	} else {
		w.fill(d, '*', 2*n)
	}
}

// FillSet inserts at d the header of a set of n elements.
func (w *Writer) FillSet(d Deferred, n int) {
	if w.Proto >= 3 {
		w.fill(d, '~', n)
	} else {
		w.fill(d, '*', n)
	}
}

func (w *Writer) fill(d Deferred, prefix byte, n int) {
	var tmp [24]byte
	h := append(tmp[:0], prefix)
	h = strconv.AppendInt(h, int64(n), 10)
	h = append(h, '\r', '\n')
	w.buf = append(w.buf, h...) // grow by len(h)
	copy(w.buf[d.pos+len(h):], w.buf[d.pos:len(w.buf)-len(h)])
	copy(w.buf[d.pos:], h)
}
