package rdb

import (
	"errors"
	"fmt"
	"io"
	"strconv"
)

// Sentinel causes. Every error the package returns wraps exactly one of them
// (test with errors.Is); decoding errors are *Error values carrying the
// offset and, when known, the key.
var (
	// ErrCorrupt: the input violates the format (bad encoding, inconsistent
	// counts, duplicate members, bad checksum of an embedded structure...).
	ErrCorrupt = errors.New("corrupt RDB data")
	// ErrTruncated: the input ended in the middle of an item. It also wraps
	// io.ErrUnexpectedEOF.
	ErrTruncated = fmt.Errorf("unexpected end of RDB data: %w", io.ErrUnexpectedEOF)
	// ErrChecksum: the CRC64 at the end of the file does not match.
	ErrChecksum = errors.New("RDB CRC error")
	// ErrUnsupported: valid data this package does not handle (module
	// values, unknown type bytes or opcodes, newer RDB versions).
	ErrUnsupported = errors.New("unsupported RDB content")
	// ErrEmptyKey: a collection with no elements. The Decoder skips such keys
	// by default, as Redis does when loading; see DecoderOptions.EmptyKeys.
	ErrEmptyKey = errors.New("empty key")
	// ErrDumpPayload: a DUMP payload whose footer (RDB version or CRC64) is
	// wrong. Its text is Redis's RESTORE error, see MsgDumpPayload.
	ErrDumpPayload = errors.New(MsgDumpPayload)
	// ErrBadDataFormat: a DUMP payload whose footer is right but whose body
	// does not decode. Its text is Redis's RESTORE error, see MsgBadDataFormat.
	ErrBadDataFormat = errors.New(MsgBadDataFormat)
	// ErrEncoder: the Encoder was misused (an iterator yielded a different
	// number of elements than announced, IDs out of order, a write after
	// Close or after an earlier error).
	ErrEncoder = errors.New("rdb encoder misuse")
)

// Redis's RESTORE error texts (without the "ERR " prefix of the reply).
const (
	MsgDumpPayload   = "DUMP payload version or checksum are wrong"
	MsgBadDataFormat = "Bad data format"
)

// Error is a decoding error: what went wrong (Err, which wraps one of the
// sentinel causes), where (Offset, the number of input bytes consumed when
// the problem was detected, counted from the start of the file or payload)
// and, when a key was being read, which key and type.
type Error struct {
	Offset int64
	Key    []byte // the key being decoded, or nil
	HasKey bool   // Key is meaningful (a key may be empty)
	Type   Type   // the type of the value being decoded, when HasKey
	Err    error
}

// Error formats the error with its offset and key.
func (e *Error) Error() string {
	s := "rdb: offset " + strconv.FormatInt(e.Offset, 10)
	if e.HasKey {
		s += ": key " + strconv.Quote(string(e.Key)) + " (" + e.Type.String() + ")"
	}
	return s + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// causeError is a cause with its own text that unwraps to a sentinel.
type causeError struct {
	msg   string
	cause error
}

func (e *causeError) Error() string { return e.msg }
func (e *causeError) Unwrap() error { return e.cause }

func corruptf(format string, args ...any) error {
	return &causeError{msg: fmt.Sprintf(format, args...), cause: ErrCorrupt}
}

func unsupportedf(format string, args ...any) error {
	return &causeError{msg: fmt.Sprintf(format, args...), cause: ErrUnsupported}
}

func encoderf(format string, args ...any) error {
	return &causeError{msg: "rdb encoder: " + fmt.Sprintf(format, args...), cause: ErrEncoder}
}

var errTruncated = &causeError{msg: "unexpected end of input", cause: ErrTruncated}
