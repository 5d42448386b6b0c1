package rdb

import (
	"io"
	"strconv"
)

// DecoderOptions tune a Decoder. The zero value is Redis's loader behaviour.
type DecoderOptions struct {
	// Warn, when set, receives a message for everything the Decoder skips
	// or passes over: empty keys, function libraries (unless Functions is
	// set), module auxiliary data, a disabled checksum. offset is where the
	// skipped item starts.
	Warn func(offset int64, msg string)
	// Functions makes the Decoder yield function libraries as
	// RecordFunction records instead of skipping them.
	Functions bool
	// RejectEmptyKeys makes a collection with no element an error wrapping
	// ErrEmptyKey (what redis-check-rdb and RESTORE do). By default such
	// keys are skipped with a warning, as Redis's loader does.
	RejectEmptyKeys bool
	// SkipChecksum disables the verification of the final CRC64.
	SkipChecksum bool
	// NoDupCheck disables the detection of repeated set members, hash
	// fields and sorted set members inside a value. Set it only when the
	// consumer detects duplicates itself (for instance on insertion into its
	// own tables); it saves a hash table per value.
	NoDupCheck bool
	// ListNodes makes the Decoder return lists stored as QUICKLIST_2 (what
	// Redis 7.0 writes) as ListNodes, their nodes kept as they are, instead
	// of List: a consumer that stores lists as quicklists keeps Redis's node
	// layout and saves the work of re-packing the elements.
	ListNodes bool
	// ReuseContainers lets the Decoder reuse the slices of a List, Set,
	// ZSet or Hash it returned for the next value of the same kind: such a
	// slice is valid only until the next call to Next. The byte slices
	// inside stay the receiver's. For a consumer that copies the elements
	// out at once (a loader), it saves a slice per value.
	ReuseContainers bool
	// RawStrings returns string values (TypeString) in Record.Str with a
	// nil Value, which saves boxing a slice per key for a loader.
	RawStrings bool
}

// RecordKind says what a Record carries.
type RecordKind uint8

// Kinds of records.
const (
	// RecordKey: a key, its metadata and its value.
	RecordKey RecordKind = iota + 1
	// RecordAux: an AUX field (Key is its name, Aux its value). Unknown
	// names are passed through; they are never an error.
	RecordAux
	// RecordSelectDB: the following keys belong to database DB.
	RecordSelectDB
	// RecordResizeDB: size hints for the current database.
	RecordResizeDB
	// RecordFunction: a function library's code in Aux (only with
	// DecoderOptions.Functions).
	RecordFunction
)

var recordKindNames = [...]string{"", "key", "aux", "selectdb", "resizedb", "function"}

// String returns the kind's name ("key", "aux", ...).
func (k RecordKind) String() string {
	if int(k) < len(recordKindNames) && k != 0 {
		return recordKindNames[k]
	}
	return "record(" + strconv.Itoa(int(k)) + ")"
}

// Record is one item of an RDB file. Which fields are meaningful depends on
// Kind; DB and Offset always are. The slices it holds belong to the caller.
type Record struct {
	Kind   RecordKind
	Offset int64 // input offset of the record's first byte (its opcodes included)
	DB     int   // the database selected when the record was read

	// RecordKey
	Key   []byte // also the field name of RecordAux
	Type  Type   // the value's type byte, which tells its on-disk encoding
	Value Value
	Str   []byte // the value of a TypeString key with DecoderOptions.RawStrings (Value is nil)
	KeyMeta

	// RecordAux: the field value. RecordFunction: the library code.
	Aux []byte

	// RecordResizeDB
	DBSize, ExpiresSize uint64
}

// Decoder reads an RDB file record by record. It reads what Redis 2.0 to
// 7.4 and Valkey 7 and 8 write (RDB versions 1 to 12).
//
// A Decoder buffers its input and may read past the end of the RDB data;
// after Next returns io.EOF, Buffered returns the bytes it read beyond.
type Decoder struct {
	r       *reader
	opts    DecoderOptions
	vd      valueDecoder
	version int
	db      int
	err     error // sticky
	done    bool
	stored  uint64
	sum     uint64

	feed     *Feed // the input, when it is a Feed
	retryAt  int64 // with a feed: retry an incomplete record once this many bytes follow its start
	warnedTo int64 // warnings are given for offsets from here on (a record started over warns once)
}

// NewDecoder returns a Decoder reading from r. When r is a *Feed, Next
// returns ErrNeedMore for a record that has not fully arrived, instead of a
// truncation error, until the Feed is closed.
func NewDecoder(r io.Reader, opts DecoderOptions) *Decoder {
	d := &Decoder{r: newReader(r), opts: opts}
	d.feed, _ = r.(*Feed)
	d.vd = valueDecoder{r: d.r, noDupCheck: opts.NoDupCheck, listNodes: opts.ListNodes, reuse: opts.ReuseContainers}
	return d
}

// Version returns the file's RDB version, 0 before the header is read.
func (d *Decoder) Version() int { return d.version }

// Offset returns the number of input bytes consumed.
func (d *Decoder) Offset() int64 { return d.r.offset() }

// Buffered returns the input read beyond the end of the RDB data (after
// Next has returned io.EOF) or not yet decoded. The slice is valid until the
// next call to Next.
func (d *Decoder) Buffered() []byte { return d.r.buffered() }

// Checksum returns the CRC64 stored at the end of the file and the one
// computed over the data, once Next has returned io.EOF. A stored value of 0
// means the writer disabled checksums; files before RDB 5 have none.
func (d *Decoder) Checksum() (stored, computed uint64) { return d.stored, d.sum }

func (d *Decoder) warn(off int64, msg string) {
	if d.opts.Warn != nil && off >= d.warnedTo {
		d.warnedTo = off + 1
		d.opts.Warn(off, msg)
	}
}

// fail wraps err with the current offset (and key) and makes it sticky.
func (d *Decoder) fail(err error, key []byte, hasKey bool, t Type) error {
	e := &Error{Offset: d.r.offset(), Key: key, HasKey: hasKey, Type: t, Err: err}
	d.err = e
	return e
}

func (d *Decoder) readHeader() error {
	p, err := d.r.next(9)
	if err != nil {
		return err
	}
	var digits []byte
	switch {
	case string(p[:5]) == "REDIS":
		digits = p[5:]
	case string(p[:6]) == "VALKEY":
		digits = p[6:]
	default:
		return corruptf("wrong signature %q: not an RDB file", p)
	}
	v := 0
	for _, c := range digits {
		if c < '0' || c > '9' {
			return corruptf("wrong signature %q: not an RDB file", p)
		}
		v = v*10 + int(c-'0')
	}
	if p[0] == 'V' {
		return unsupportedf("Valkey RDB format version %d (Valkey 9 and later) is not supported", v)
	}
	if v < 1 || v > MaxVersion {
		return unsupportedf("can't handle RDB format version %d", v)
	}
	d.version = v
	return nil
}

// Next returns the next record. At the end of the file it verifies the
// checksum and returns io.EOF. Any other error is an *Error; it is sticky.
// On a Feed, an incomplete record gives ErrNeedMore (see NewDecoder).
func (d *Decoder) Next() (Record, error) {
	f := d.feed
	if f == nil || d.err != nil || d.done {
		return d.next()
	}
	mark := d.r.offset()
	if !f.closed && f.Len()-mark < d.retryAt {
		return Record{}, ErrNeedMore
	}
	crc, version := d.r.sum(), d.version
	f.release(mark)
	rec, err := d.next()
	if d.r.err == errStarved && err == nil {
		d.r.err = nil // a read came up short but was not needed
	} else if d.r.err == errStarved {
		// The record (or the header) is cut short by the end of what has
		// arrived, whatever error that made: start it over once at least
		// twice as many bytes are there, so that a record arriving in
		// many pieces is decoded a bounded number of times.
		d.err, d.version = nil, version
		d.r.rewind(mark, crc)
		f.rewind(mark)
		d.retryAt = max(1, 2*(f.Len()-mark))
		return Record{}, ErrNeedMore
	}
	d.retryAt = 0
	return rec, err
}

func (d *Decoder) next() (Record, error) {
	if d.err != nil {
		return Record{}, d.err
	}
	if d.done {
		return Record{}, io.EOF
	}
	if d.version == 0 {
		if err := d.readHeader(); err != nil {
			return Record{}, d.fail(err, nil, false, 0)
		}
	}
	r := d.r
	var meta KeyMeta
	start := r.offset()
	for {
		off := r.offset()
		op, err := r.readByte()
		if err != nil {
			return Record{}, d.fail(err, nil, false, 0)
		}
		switch op {
		case OpExpireTimeMs:
			t, err := r.readMillis()
			if err != nil {
				return Record{}, d.fail(err, nil, false, 0)
			}
			meta.Expire, meta.HasExpire = t, true
			continue
		case OpExpireTime:
			p, err := r.next(4)
			if err != nil {
				return Record{}, d.fail(err, nil, false, 0)
			}
			secs := int32(uint32(p[0]) | uint32(p[1])<<8 | uint32(p[2])<<16 | uint32(p[3])<<24)
			meta.Expire, meta.HasExpire = int64(secs)*1000, true
			continue
		case OpFreq:
			b, err := r.readByte()
			if err != nil {
				return Record{}, d.fail(err, nil, false, 0)
			}
			meta.Freq, meta.HasFreq = b, true
			continue
		case OpIdle:
			v, err := r.readPlainLen()
			if err != nil {
				return Record{}, d.fail(err, nil, false, 0)
			}
			meta.Idle, meta.HasIdle = v, true
			continue
		case OpEOF:
			if err := d.finish(off); err != nil {
				return Record{}, d.fail(err, nil, false, 0)
			}
			return Record{}, io.EOF
		case OpSelectDB:
			v, err := r.readPlainLen()
			if err != nil {
				return Record{}, d.fail(err, nil, false, 0)
			}
			if v > 1<<31-1 {
				return Record{}, d.fail(corruptf("database number %d is out of range", v), nil, false, 0)
			}
			d.db = int(v)
			return Record{Kind: RecordSelectDB, Offset: start, DB: d.db}, nil
		case OpResizeDB:
			a, err := r.readPlainLen()
			if err != nil {
				return Record{}, d.fail(err, nil, false, 0)
			}
			b, err := r.readPlainLen()
			if err != nil {
				return Record{}, d.fail(err, nil, false, 0)
			}
			return Record{Kind: RecordResizeDB, Offset: start, DB: d.db, DBSize: a, ExpiresSize: b}, nil
		case OpSlotInfo:
			for i := 0; i < 3; i++ {
				if _, err := r.readPlainLen(); err != nil {
					return Record{}, d.fail(err, nil, false, 0)
				}
			}
			continue
		case OpAux:
			k, err := r.readString()
			if err != nil {
				return Record{}, d.fail(err, nil, false, 0)
			}
			v, err := r.readString()
			if err != nil {
				return Record{}, d.fail(err, nil, false, 0)
			}
			return Record{Kind: RecordAux, Offset: start, DB: d.db, Key: k, Aux: v}, nil
		case OpModuleAux:
			name, err := d.skipModuleAux()
			if err != nil {
				return Record{}, d.fail(err, nil, false, 0)
			}
			d.warn(off, "skipped module auxiliary data of module type '"+name+"'")
			continue
		case OpFunction, OpFunction2:
			code, err := d.readFunction(op)
			if err != nil {
				return Record{}, d.fail(err, nil, false, 0)
			}
			if d.opts.Functions {
				return Record{Kind: RecordFunction, Offset: start, DB: d.db, Aux: code}, nil
			}
			d.warn(off, "skipped a function library ("+strconv.Itoa(len(code))+" bytes)")
			continue
		}
		t := Type(op)
		if !t.IsValue() {
			return Record{}, d.fail(unsupportedf("unknown type byte %d", op), nil, false, 0)
		}
		key, err := r.readString()
		if err != nil {
			return Record{}, d.fail(err, nil, false, t)
		}
		var v Value
		var str []byte
		if t == TypeString && d.opts.RawStrings {
			str, err = r.readString()
		} else {
			v, err = d.vd.decode(t)
		}
		if err != nil {
			if err == errEmpty && !d.opts.RejectEmptyKeys {
				d.warn(off, "skipping empty key: "+string(key))
				meta = KeyMeta{}
				start = r.offset()
				continue
			}
			return Record{}, d.fail(err, key, true, t)
		}
		return Record{Kind: RecordKey, Offset: start, DB: d.db, Key: key, Type: t, Value: v, Str: str, KeyMeta: meta}, nil
	}
}

// finish reads and verifies the checksum after the EOF opcode.
func (d *Decoder) finish(off int64) error {
	d.sum = d.r.sum()
	if d.version >= 5 {
		stored, err := d.r.readMillis()
		if err != nil {
			return err
		}
		d.stored = uint64(stored)
		if !d.opts.SkipChecksum {
			if d.stored == 0 {
				d.warn(off, "RDB file was saved with checksum disabled: no check performed")
			} else if d.stored != d.sum {
				return &causeError{
					msg:   "RDB CRC error: expected " + strconv.FormatUint(d.sum, 16) + ", file has " + strconv.FormatUint(d.stored, 16),
					cause: ErrChecksum,
				}
			}
		}
	}
	d.done = true
	return nil
}

// readFunction reads a function library: FUNCTION2 holds the code;
// the 7.0 release candidates' FUNCTION holds name, engine, an optional
// description and the body, which Redis turns into code the same way.
func (d *Decoder) readFunction(op byte) ([]byte, error) {
	r := d.r
	if op == OpFunction2 {
		return r.readString()
	}
	name, err := r.readString()
	if err != nil {
		return nil, err
	}
	engine, err := r.readString()
	if err != nil {
		return nil, err
	}
	hasDesc, err := r.readPlainLen()
	if err != nil {
		return nil, err
	}
	if hasDesc != 0 {
		if _, err := r.readString(); err != nil {
			return nil, err
		}
	}
	body, err := r.readString()
	if err != nil {
		return nil, err
	}
	code := append([]byte("#!"), engine...)
	code = append(code, " name="...)
	code = append(code, name...)
	code = append(code, '\n')
	return append(code, body...), nil
}

// skipModuleAux parses module auxiliary data generically (as
// redis-check-rdb does) and returns the module type name.
func (d *Decoder) skipModuleAux() (string, error) {
	r := d.r
	id, err := r.readPlainLen()
	if err != nil {
		return "", err
	}
	whenOp, err := r.readPlainLen()
	if err != nil {
		return "", err
	}
	if _, err := r.readPlainLen(); err != nil {
		return "", err
	}
	if whenOp != moduleOpUint {
		return "", corruptf("bad when_opcode in module aux data")
	}
	if err := skipModuleValue(r); err != nil {
		return "", err
	}
	return moduleTypeName(id), nil
}

// Module value sub-opcodes.
const (
	moduleOpEOF    = 0
	moduleOpSint   = 1
	moduleOpUint   = 2
	moduleOpFloat  = 3
	moduleOpDouble = 4
	moduleOpString = 5
)

// skipModuleValue skips opcode-annotated module data up to its EOF marker.
func skipModuleValue(r *reader) error {
	for {
		op, err := r.readPlainLen()
		if err != nil {
			return err
		}
		switch op {
		case moduleOpEOF:
			return nil
		case moduleOpSint, moduleOpUint:
			if _, _, err := r.readLen(); err != nil {
				return err
			}
		case moduleOpFloat:
			if err := r.skip(4); err != nil {
				return err
			}
		case moduleOpDouble:
			if err := r.skip(8); err != nil {
				return err
			}
		case moduleOpString:
			if _, err := r.readString(); err != nil {
				return err
			}
		default:
			return corruptf("unknown module opcode %d", op)
		}
	}
}
