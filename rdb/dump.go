package rdb

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
)

// A DUMP payload (DUMP and RESTORE, MIGRATE) is a value as it is stored in
// an RDB file (type byte and value, no key), followed by a footer: the RDB
// version as 2 little-endian bytes and the CRC64 of everything before the
// CRC, 8 little-endian bytes.

// AppendDump appends the DUMP payload of v to dst, as Redis 7.0's DUMP
// produces it (RDB version 10).
func AppendDump(dst []byte, v Source, opts EncoderOptions) ([]byte, error) {
	buf := bytes.NewBuffer(dst)
	if err := WriteDump(buf, v, opts); err != nil {
		return dst, err
	}
	return buf.Bytes(), nil
}

// WriteDump writes the DUMP payload of v to w, streaming big values.
// opts.Checksum is ignored: payloads always carry their CRC64.
func WriteDump(w io.Writer, v Source, opts EncoderOptions) error {
	e := NewEncoder(w, opts)
	e.started = true // no file header
	if err := e.writeValue(nil, false, v); err != nil {
		return err
	}
	e.buf = binary.LittleEndian.AppendUint16(e.buf, Version)
	if err := e.flush(); err != nil {
		return err
	}
	e.buf = AppendMillis(e.buf, int64(e.crc))
	return e.flush()
}

// VerifyDump checks a DUMP payload's footer as Redis 7.0's RESTORE does: at
// least 10 bytes, an RDB version of at most 10, and (unless skipChecksum)
// the CRC64. It returns the payload's RDB version; a failure wraps
// ErrDumpPayload.
func VerifyDump(payload []byte, skipChecksum bool) (int, error) {
	if len(payload) < 10 {
		return 0, ErrDumpPayload
	}
	footer := payload[len(payload)-10:]
	ver := int(binary.LittleEndian.Uint16(footer))
	if ver > Version {
		return ver, fmt.Errorf("%w (RDB version %d)", ErrDumpPayload, ver)
	}
	if !skipChecksum {
		if crc := CRC64(0, payload[:len(payload)-8]); crc != binary.LittleEndian.Uint64(footer[2:]) {
			return ver, fmt.Errorf("%w (bad CRC64)", ErrDumpPayload)
		}
	}
	return ver, nil
}

// ParseDump decodes a DUMP payload as Redis 7.0's RESTORE does. Footer
// problems wrap ErrDumpPayload; a body that does not decode (including a
// type Redis 7.0 does not know, and an empty collection) wraps
// ErrBadDataFormat and the cause. Only SkipChecksum, NoDupCheck and ListNodes of opts
// apply. Bytes between the value and the footer are ignored, as Redis does.
func ParseDump(payload []byte, opts DecoderOptions) (Type, Value, error) {
	if _, err := VerifyDump(payload, opts.SkipChecksum); err != nil {
		return 0, nil, err
	}
	body := payload[:len(payload)-10]
	r := newReaderSize(bytes.NewReader(body), min(len(body), readBufSize))
	bad := func(err error) error {
		return &Error{Offset: r.offset(), Err: fmt.Errorf("%w: %w", ErrBadDataFormat, err)}
	}
	b, err := r.readByte()
	if err != nil {
		return 0, nil, bad(err)
	}
	t := Type(b)
	if !t.IsValue() || !t.knownTo70() {
		return 0, nil, bad(unsupportedf("unknown value type %d", b))
	}
	vd := valueDecoder{r: r, noDupCheck: opts.NoDupCheck, listNodes: opts.ListNodes}
	v, err := vd.decode(t)
	if err != nil {
		return 0, nil, bad(err)
	}
	return t, v, nil
}
