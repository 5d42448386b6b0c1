package resp

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"replab/internal/num"
)

// Kind is the type of a RESP value, named by its first byte on the wire.
type Kind byte

// The RESP2 and RESP3 value kinds.
const (
	KindSimple    Kind = '+'
	KindError     Kind = '-'
	KindInt       Kind = ':'
	KindBulk      Kind = '$'
	KindArray     Kind = '*'
	KindNull      Kind = '_'
	KindDouble    Kind = ','
	KindBool      Kind = '#'
	KindBlobError Kind = '!'
	KindVerbatim  Kind = '='
	KindBigNumber Kind = '('
	KindMap       Kind = '%'
	KindSet       Kind = '~'
	KindAttribute Kind = '|'
	KindPush      Kind = '>'
)

// Value is one parsed reply. Str holds the payload of strings, errors,
// verbatim strings (with their "txt:" prefix removed; Format keeps it), big
// numbers and doubles (as sent); Int holds integers and booleans (0 or 1);
// Elems holds the elements of aggregates, with a map's keys and values
// alternating. A RESP2 null bulk or null array has Kind KindBulk or KindArray
// and Null set.
type Value struct {
	Kind   Kind
	Str    string
	Int    int64
	Elems  []Value
	Null   bool
	Format string // verbatim strings only
}

// String renders v in redis-cli's style, for tests and logs.
func (v Value) String() string {
	var b strings.Builder
	v.render(&b, "")
	return b.String()
}

func (v Value) render(b *strings.Builder, indent string) {
	switch v.Kind {
	case KindSimple, KindBigNumber, KindDouble:
		b.WriteString(v.Str)
	case KindError, KindBlobError:
		b.WriteString("(error) " + v.Str)
	case KindInt:
		fmt.Fprintf(b, "(integer) %d", v.Int)
	case KindBool:
		fmt.Fprintf(b, "(boolean) %v", v.Int != 0)
	case KindNull:
		b.WriteString("(nil)")
	case KindBulk, KindVerbatim:
		if v.Null {
			b.WriteString("(nil)")
		} else {
			b.WriteString(strconv.Quote(v.Str))
		}
	default:
		if v.Null {
			b.WriteString("(nil)")
			return
		}
		if len(v.Elems) == 0 {
			b.WriteString("(empty array)")
			return
		}
		for i, e := range v.Elems {
			if i > 0 {
				b.WriteString("\n" + indent)
			}
			fmt.Fprintf(b, "%d) ", i+1)
			e.render(b, indent+"   ")
		}
	}
}

// IsError reports whether v is an error reply.
func (v Value) IsError() bool { return v.Kind == KindError || v.Kind == KindBlobError }

// Encode appends the wire form of v.
func (v Value) Encode(dst []byte) []byte {
	if v.Kind == KindNull {
		return append(dst, "_\r\n"...)
	}
	if v.Null {
		return append(dst, byte(v.Kind), '-', '1', '\r', '\n')
	}
	switch v.Kind {
	case KindSimple, KindError, KindDouble, KindBigNumber:
		dst = append(dst, byte(v.Kind))
		dst = append(dst, v.Str...)
		return append(dst, '\r', '\n')
	case KindInt:
		dst = append(dst, ':')
		dst = strconv.AppendInt(dst, v.Int, 10)
		return append(dst, '\r', '\n')
	case KindBool:
		if v.Int != 0 {
			return append(dst, "#t\r\n"...)
		}
		return append(dst, "#f\r\n"...)
	case KindNull:
		return append(dst, "_\r\n"...)
	case KindBulk, KindBlobError:
		dst = append(dst, byte(v.Kind))
		dst = strconv.AppendInt(dst, int64(len(v.Str)), 10)
		dst = append(dst, '\r', '\n')
		dst = append(dst, v.Str...)
		return append(dst, '\r', '\n')
	case KindVerbatim:
		dst = append(dst, '=')
		dst = strconv.AppendInt(dst, int64(len(v.Str)+4), 10)
		dst = append(dst, '\r', '\n')
		dst = append(dst, v.Format...)
		dst = append(dst, ':')
		dst = append(dst, v.Str...)
		return append(dst, '\r', '\n')
	default:
		n := len(v.Elems)
		if v.Kind == KindMap || v.Kind == KindAttribute {
			n /= 2
		}
		dst = append(dst, byte(v.Kind))
		dst = strconv.AppendInt(dst, int64(n), 10)
		dst = append(dst, '\r', '\n')
		for _, e := range v.Elems {
			dst = e.Encode(dst)
		}
		return dst
	}
}

// ErrProtocol is wrapped by every error ReplyReader returns for bytes that
// are not RESP.
var ErrProtocol = errors.New("protocol error")

// Limits of ReplyReader, generous enough for any real reply.
const (
	maxReplyDepth = 512
	maxReplyLine  = 64 << 10
)

// ReplyReader parses replies incrementally. Attributes ('|') are read and
// dropped, as most clients do.
type ReplyReader struct {
	buf []byte
	pos int
	// MaxBulk bounds the length of a bulk string; zero means 512mb.
	MaxBulk int64
}

// Feed appends input.
func (r *ReplyReader) Feed(p []byte) {
	if r.pos > 0 && r.pos == len(r.buf) {
		r.buf, r.pos = r.buf[:0], 0
	} else if r.pos > 4096 && r.pos > len(r.buf)/2 {
		n := copy(r.buf, r.buf[r.pos:])
		r.buf, r.pos = r.buf[:n], 0
	}
	r.buf = append(r.buf, p...)
}

// Buffered returns the unread input. The caller may take it over (for
// example the RDB payload that follows +FULLRESYNC) and then call Discard.
func (r *ReplyReader) Buffered() []byte { return r.buf[r.pos:] }

// Discard drops n bytes of buffered input.
func (r *ReplyReader) Discard(n int) { r.pos += n }

// Line returns the next "\r\n"-terminated line without its terminator, or
// false if it is incomplete. Used for the handshake's status lines and the
// replication payload header.
func (r *ReplyReader) Line() (string, bool) {
	i := bytes.Index(r.buf[r.pos:], []byte("\r\n"))
	if i < 0 {
		return "", false
	}
	s := string(r.buf[r.pos : r.pos+i])
	r.pos += i + 2
	return s, true
}

// Next returns the next complete reply. ok is false when more input is
// needed. An error means the stream is not RESP and cannot be resynchronised.
func (r *ReplyReader) Next() (v Value, ok bool, err error) {
	v, _, ok, err = r.NextRaw()
	return v, ok, err
}

// NextRaw is Next that also returns the wire bytes of the reply (including
// any attributes before it). raw aliases the reader's buffer and is valid
// until the next Feed.
func (r *ReplyReader) NextRaw() (v Value, raw []byte, ok bool, err error) {
	start := r.pos
	p := r.pos
	for {
		v, p, ok, err = r.parse(p, 0)
		if err != nil || !ok {
			return Value{}, nil, false, err
		}
		r.pos = p
		if v.Kind != KindAttribute {
			return v, r.buf[start:p], true, nil
		}
	}
}

func (r *ReplyReader) parse(p int, depth int) (Value, int, bool, error) {
	if depth > maxReplyDepth {
		return Value{}, p, false, fmt.Errorf("%w: nesting too deep", ErrProtocol)
	}
	if p >= len(r.buf) {
		return Value{}, p, false, nil
	}
	kind := Kind(r.buf[p])
	i := bytes.Index(r.buf[p:], []byte("\r\n"))
	if i < 0 {
		if len(r.buf)-p > maxReplyLine {
			return Value{}, p, false, fmt.Errorf("%w: line too long", ErrProtocol)
		}
		return Value{}, p, false, nil
	}
	if i == 0 {
		return Value{}, p, false, fmt.Errorf("%w: empty line where a type byte was expected", ErrProtocol)
	}
	line := r.buf[p+1 : p+i]
	next := p + i + 2
	switch kind {
	case KindSimple, KindError, KindBigNumber, KindDouble:
		return Value{Kind: kind, Str: string(line)}, next, true, nil
	case KindInt:
		n, ok := num.ParseInt(line)
		if !ok {
			return Value{}, p, false, fmt.Errorf("%w: bad integer %q", ErrProtocol, line)
		}
		return Value{Kind: kind, Int: n}, next, true, nil
	case KindNull:
		return Value{Kind: KindNull, Null: true}, next, true, nil
	case KindBool:
		switch string(line) {
		case "t":
			return Value{Kind: kind, Int: 1}, next, true, nil
		case "f":
			return Value{Kind: kind}, next, true, nil
		}
		return Value{}, p, false, fmt.Errorf("%w: bad boolean %q", ErrProtocol, line)
	case KindBulk, KindBlobError, KindVerbatim:
		n, ok := num.ParseInt(line)
		maxBulk := r.MaxBulk
		if maxBulk <= 0 {
			maxBulk = DefaultMaxBulkLen
		}
		if !ok || n < -1 || n > maxBulk {
			return Value{}, p, false, fmt.Errorf("%w: bad length %q", ErrProtocol, line)
		}
		if n == -1 {
			return Value{Kind: kind, Null: true}, next, true, nil
		}
		if int64(len(r.buf)-next) < n+2 {
			return Value{}, p, false, nil
		}
		s := string(r.buf[next : next+int(n)])
		end := next + int(n)
		if r.buf[end] != '\r' || r.buf[end+1] != '\n' {
			return Value{}, p, false, fmt.Errorf("%w: bulk not terminated by CRLF", ErrProtocol)
		}
		v := Value{Kind: kind, Str: s}
		if kind == KindVerbatim {
			if len(s) < 4 || s[3] != ':' {
				return Value{}, p, false, fmt.Errorf("%w: bad verbatim string", ErrProtocol)
			}
			v.Format, v.Str = s[:3], s[4:]
		}
		return v, end + 2, true, nil
	case KindArray, KindSet, KindPush, KindMap, KindAttribute:
		n, ok := num.ParseInt(line)
		if !ok || n < -1 || n > maxMultibulk {
			return Value{}, p, false, fmt.Errorf("%w: bad aggregate length %q", ErrProtocol, line)
		}
		if n == -1 {
			return Value{Kind: kind, Null: true}, next, true, nil
		}
		count := n
		if kind == KindMap || kind == KindAttribute {
			count *= 2
		}
		// Each element takes at least three bytes; do not trust a huge
		// count before its elements have arrived.
		capHint := count
		if avail := int64(len(r.buf)-next) / 3; capHint > avail {
			capHint = avail
		}
		elems := make([]Value, 0, capHint)
		for j := int64(0); j < count; j++ {
			var e Value
			var ok bool
			var err error
			e, next, ok, err = r.parse(next, depth+1)
			if err != nil || !ok {
				return Value{}, p, false, err
			}
			if e.Kind == KindAttribute {
				j--
				continue
			}
			elems = append(elems, e)
		}
		return Value{Kind: kind, Elems: elems}, next, true, nil
	}
	return Value{}, p, false, fmt.Errorf("%w: unknown type byte %q", ErrProtocol, kind)
}

// EncodeCommand appends args as a multibulk request.
func EncodeCommand(dst []byte, args ...string) []byte {
	dst = append(dst, '*')
	dst = strconv.AppendInt(dst, int64(len(args)), 10)
	dst = append(dst, '\r', '\n')
	for _, a := range args {
		dst = append(dst, '$')
		dst = strconv.AppendInt(dst, int64(len(a)), 10)
		dst = append(dst, '\r', '\n')
		dst = append(dst, a...)
		dst = append(dst, '\r', '\n')
	}
	return dst
}

// EncodeCommandBytes is EncodeCommand for byte-slice arguments.
func EncodeCommandBytes(dst []byte, args [][]byte) []byte {
	dst = append(dst, '*')
	dst = strconv.AppendInt(dst, int64(len(args)), 10)
	dst = append(dst, '\r', '\n')
	for _, a := range args {
		dst = append(dst, '$')
		dst = strconv.AppendInt(dst, int64(len(a)), 10)
		dst = append(dst, '\r', '\n')
		dst = append(dst, a...)
		dst = append(dst, '\r', '\n')
	}
	return dst
}
