package resp

import (
	"bytes"
	"errors"
	"math"

	"replab/internal/num"
)

// Redis's defaults for the request limits.
const (
	// DefaultMaxBulkLen is proto-max-bulk-len: 512mb.
	DefaultMaxBulkLen = 512 << 20
	// DefaultMaxQueryBuffer is client-query-buffer-limit: 1gb.
	DefaultMaxQueryBuffer = 1 << 30
	// MaxInline is PROTO_INLINE_MAX_SIZE: the longest inline request, and the
	// longest header line of a multibulk request, in bytes.
	MaxInline = 64 << 10
	// maxMultibulk is the largest array a request may declare (INT_MAX).
	maxMultibulk = math.MaxInt32
	// Before AUTH, Redis allows only small requests.
	maxUnauthMultibulk = 10
	maxUnauthBulk      = 16384
)

// The protocol error replies, word for word as Redis sends them.
const (
	ErrTooBigInline       = "ERR Protocol error: too big inline request"
	ErrUnbalancedQuotes   = "ERR Protocol error: unbalanced quotes in request"
	ErrTooBigMbulkCount   = "ERR Protocol error: too big mbulk count string"
	ErrInvalidMultibulk   = "ERR Protocol error: invalid multibulk length"
	ErrUnauthMultibulk    = "ERR Protocol error: unauthenticated multibulk length"
	ErrTooBigBulkCount    = "ERR Protocol error: too big bulk count string"
	ErrInvalidBulkLength  = "ERR Protocol error: invalid bulk length"
	ErrUnauthBulkLength   = "ERR Protocol error: unauthenticated bulk length"
	errExpectedDollarText = "ERR Protocol error: expected '$', got '"
)

// ProtocolError is a malformed request. Reply is the error text Redis sends
// before closing the connection (without the leading '-', with the "ERR"); Reason is the
// shorter cause Redis writes to its log.
type ProtocolError struct {
	Reply  string
	Reason string
}

func (e *ProtocolError) Error() string { return e.Reply }

// ErrQueryBufferLimit means the unparsed input exceeded the query buffer
// limit. Redis closes such a client without a reply.
var ErrQueryBufferLimit = errors.New("client reached max query buffer length")

// Limits are the request limits a CommandReader enforces.
type Limits struct {
	// MaxBulkLen is proto-max-bulk-len. Zero means DefaultMaxBulkLen.
	MaxBulkLen int64
	// MaxQueryBuffer is client-query-buffer-limit. Zero means
	// DefaultMaxQueryBuffer.
	MaxQueryBuffer int64
}

// CommandReader parses requests incrementally. Feed it bytes as they arrive
// and call Next until it returns no command.
//
// A CommandReader remembers the progress of a partly received multibulk
// request, so each byte is examined once however the input is split.
type CommandReader struct {
	buf []byte
	pos int // start of the unparsed input in buf

	// Progress through the multibulk request being parsed; mbLeft == 0
	// means none is in progress.
	mbLeft  int
	bulkLen int64 // length of the next bulk, -1 when its header is unread
	argPos  []int // start/end offsets in buf of the arguments parsed so far
	start   int   // offset in buf where the current request began
	args    [][]byte
	last    int // size in bytes of the last request returned by Next
	inlined bool

	failed error // sticky: after a protocol error nothing more is parsed

	// Limits applies to every request.
	Limits Limits
	// AuthRequired enables the small limits Redis applies to clients that
	// have not authenticated yet.
	AuthRequired bool
	// FromMaster marks the stream of a master: bulk lengths are not limited
	// and inline requests other than empty lines are a protocol error.
	FromMaster bool
}

// Feed appends input. Arguments returned by earlier calls to Next become
// invalid. It returns ErrQueryBufferLimit when the unparsed input exceeds the
// limit.
func (r *CommandReader) Feed(p []byte) error {
	r.compact()
	r.buf = append(r.buf, p...)
	limit := r.Limits.MaxQueryBuffer
	if limit <= 0 {
		limit = DefaultMaxQueryBuffer
	}
	if int64(len(r.buf)-r.start) > limit && !r.FromMaster {
		return ErrQueryBufferLimit
	}
	return nil
}

// Buffered returns the number of bytes received but not yet returned as part
// of a complete request.
func (r *CommandReader) Buffered() int { return len(r.buf) - r.start }

// Cap returns the capacity of the internal buffer (for memory accounting).
func (r *CommandReader) Cap() int { return cap(r.buf) }

// Reset discards all input and parsing state, keeping the limits.
func (r *CommandReader) Reset() {
	r.buf = r.buf[:0]
	r.pos, r.start, r.mbLeft, r.last = 0, 0, 0, 0
	r.argPos = r.argPos[:0]
	r.failed = nil
}

// Shrink releases a large idle buffer (after a big request has been served).
func (r *CommandReader) Shrink() {
	if r.start == len(r.buf) && cap(r.buf) > 64<<10 {
		r.buf = nil
		r.pos, r.start = 0, 0
		r.argPos = r.argPos[:0]
	}
}

// compact moves the unparsed input to the front of the buffer.
func (r *CommandReader) compact() {
	if r.start == 0 {
		return
	}
	n := copy(r.buf, r.buf[r.start:])
	r.buf = r.buf[:n]
	shift := r.start
	r.pos -= shift
	for i := range r.argPos {
		r.argPos[i] -= shift
	}
	r.start = 0
}

// LastSize returns the number of input bytes of the request most recently
// returned by Next (a master stream's offset advances by this much).
func (r *CommandReader) LastSize() int { return r.last }

// LastInline reports whether the last request was in the inline form.
func (r *CommandReader) LastInline() bool { return r.inlined }

// Next returns the next complete request. It returns (nil, nil) when more
// input is needed. An empty request (a blank inline line, or "*0") is
// returned as a non-nil empty slice, which callers skip. After a protocol
// error every later call returns the same error.
func (r *CommandReader) Next() ([][]byte, error) {
	if r.failed != nil {
		return nil, r.failed
	}
	if r.mbLeft == 0 {
		if r.pos >= len(r.buf) {
			return nil, nil
		}
		r.start = r.pos
		if r.buf[r.pos] != '*' {
			return r.inline()
		}
	}
	return r.multibulk()
}

func (r *CommandReader) fail(reply, reason string) ([][]byte, error) {
	r.failed = &ProtocolError{Reply: reply, Reason: reason}
	return nil, r.failed
}

func (r *CommandReader) inline() ([][]byte, error) {
	nl := bytes.IndexByte(r.buf[r.pos:], '\n')
	if nl < 0 {
		if len(r.buf)-r.pos > MaxInline {
			return r.fail(ErrTooBigInline, "too big inline request")
		}
		return nil, nil
	}
	line := r.buf[r.pos : r.pos+nl]
	consumed := nl + 1
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	if r.FromMaster && len(line) > 0 {
		// Redis never replies to its master; the text is for the log.
		return r.fail("ERR Protocol error: master using the inline protocol", "Master using the inline protocol. Desync?")
	}
	args, ok := SplitArgs(line)
	if !ok {
		return r.fail(ErrUnbalancedQuotes, "unbalanced quotes in inline request")
	}
	r.pos += consumed
	r.start = r.pos
	r.last = consumed
	r.inlined = true
	if args == nil {
		args = [][]byte{}
	}
	return args, nil
}

// line finds the header line starting at r.pos ("*N" or "$N"). It returns
// the position of its '\r', or -1 when the line is incomplete.
func (r *CommandReader) line() int {
	cr := bytes.IndexByte(r.buf[r.pos:], '\r')
	if cr < 0 {
		return -1
	}
	// Redis wants one more byte after the '\r' (the '\n', not checked).
	if cr > len(r.buf)-r.pos-2 {
		return -1
	}
	return r.pos + cr
}

func (r *CommandReader) multibulk() ([][]byte, error) {
	if r.mbLeft == 0 {
		cr := r.line()
		if cr < 0 {
			if len(r.buf)-r.pos > MaxInline {
				return r.fail(ErrTooBigMbulkCount, "too big mbulk count string")
			}
			return nil, nil
		}
		n, ok := num.ParseInt(r.buf[r.pos+1 : cr])
		if !ok || n > maxMultibulk {
			return r.fail(ErrInvalidMultibulk, "invalid mbulk count")
		}
		if n > maxUnauthMultibulk && r.AuthRequired {
			return r.fail(ErrUnauthMultibulk, "unauth mbulk count")
		}
		r.pos = cr + 2
		if n <= 0 {
			r.last = r.pos - r.start
			r.start = r.pos
			r.inlined = false
			return [][]byte{}, nil
		}
		r.mbLeft = int(n)
		r.bulkLen = -1
		r.argPos = r.argPos[:0]
	}
	for r.mbLeft > 0 {
		if r.bulkLen < 0 {
			cr := r.line()
			if cr < 0 {
				if len(r.buf)-r.pos > MaxInline {
					return r.fail(ErrTooBigBulkCount, "too big bulk count string")
				}
				return nil, nil
			}
			if r.buf[r.pos] != '$' {
				return r.fail(errExpectedDollarText+string(r.buf[r.pos])+"'", "expected $ but got something else")
			}
			n, ok := num.ParseInt(r.buf[r.pos+1 : cr])
			maxBulk := r.Limits.MaxBulkLen
			if maxBulk <= 0 {
				maxBulk = DefaultMaxBulkLen
			}
			if !ok || n < 0 || (!r.FromMaster && n > maxBulk) {
				return r.fail(ErrInvalidBulkLength, "invalid bulk length")
			}
			if n > maxUnauthBulk && r.AuthRequired {
				return r.fail(ErrUnauthBulkLength, "unauth bulk length")
			}
			r.pos = cr + 2
			r.bulkLen = n
			if need := r.pos + int(n) + 2; need > cap(r.buf) && n >= 32<<10 {
				// Make room for a big argument at once instead of growing
				// the buffer step by step as it arrives.
				grown := make([]byte, len(r.buf), need)
				copy(grown, r.buf)
				r.buf = grown
			}
		}
		if int64(len(r.buf)-r.pos) < r.bulkLen+2 {
			return nil, nil
		}
		end := r.pos + int(r.bulkLen)
		r.argPos = append(r.argPos, r.pos, end)
		r.pos = end + 2 // Redis skips the two bytes after the data unchecked
		r.bulkLen = -1
		r.mbLeft--
	}
	r.args = r.args[:0]
	for i := 0; i < len(r.argPos); i += 2 {
		r.args = append(r.args, r.buf[r.argPos[i]:r.argPos[i+1]:r.argPos[i+1]])
	}
	r.last = r.pos - r.start
	r.start = r.pos
	r.inlined = false
	return r.args, nil
}

// SplitArgs splits an inline request line into arguments the way Redis's
// sdssplitargs does: whitespace separates arguments, "double quotes" allow
// escapes (\n, \r, \t, \b, \a, \xHH, \<any>), 'single quotes' allow \'.
// A closing quote must be followed by whitespace or the end. It returns
// false for unbalanced quotes. As in C, a NUL byte ends the line.
func SplitArgs(line []byte) ([][]byte, bool) {
	if i := bytes.IndexByte(line, 0); i >= 0 {
		line = line[:i]
	}
	var args [][]byte
	p := 0
	n := len(line)
	for {
		for p < n && num.IsSpace(line[p]) {
			p++
		}
		if p >= n {
			return args, true
		}
		var cur []byte
		inq, insq, done := false, false, false
		for !done {
			switch {
			case inq:
				if p >= n {
					return nil, false
				}
				c := line[p]
				if c == '\\' && p+3 < n && line[p+1] == 'x' && isHex(line[p+2]) && isHex(line[p+3]) {
					cur = append(cur, hexVal(line[p+2])<<4|hexVal(line[p+3]))
					p += 3
				} else if c == '\\' && p+1 < n {
					p++
					switch line[p] {
					case 'n':
						cur = append(cur, '\n')
					case 'r':
						cur = append(cur, '\r')
					case 't':
						cur = append(cur, '\t')
					case 'b':
						cur = append(cur, '\b')
					case 'a':
						cur = append(cur, '\a')
					default:
						cur = append(cur, line[p])
					}
				} else if c == '"' {
					if p+1 < n && !num.IsSpace(line[p+1]) {
						return nil, false
					}
					done = true
				} else {
					cur = append(cur, c)
				}
			case insq:
				if p >= n {
					return nil, false
				}
				c := line[p]
				if c == '\\' && p+1 < n && line[p+1] == '\'' {
					p++
					cur = append(cur, '\'')
				} else if c == '\'' {
					if p+1 < n && !num.IsSpace(line[p+1]) {
						return nil, false
					}
					done = true
				} else {
					cur = append(cur, c)
				}
			default:
				if p >= n {
					done = true
					break
				}
				switch c := line[p]; c {
				case ' ', '\n', '\r', '\t':
					done = true
				case '"':
					inq = true
				case '\'':
					insq = true
				default:
					cur = append(cur, c)
				}
			}
			if p < n {
				p++
			}
		}
		if cur == nil {
			cur = []byte{}
		}
		args = append(args, cur)
	}
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func hexVal(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}
