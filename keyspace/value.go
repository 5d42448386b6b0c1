package keyspace

import (
	"strconv"
	"unsafe"

	"replab/internal/num"
)

// Kind is the type of a key's value, as TYPE reports it.
type Kind uint8

// The value kinds. KindNone is the zero Value (no key).
const (
	KindNone Kind = iota
	KindString
	KindList
	KindSet
	KindZSet
	KindHash
	KindStream
)

var kindNames = [...]string{"none", "string", "list", "set", "zset", "hash", "stream"}

// String returns the name TYPE replies with.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// KindByName returns the kind TYPE would name name, for SCAN TYPE.
func KindByName(name string) (Kind, bool) {
	for i, n := range kindNames {
		if i > 0 && n == name {
			return Kind(i), true
		}
	}
	return KindNone, false
}

// Encoding is how a string value is stored, as OBJECT ENCODING reports it.
type Encoding uint8

// String encodings. Values of other kinds report their encoding themselves.
const (
	EncRaw Encoding = iota
	EncEmbstr
	EncInt
)

// EmbstrLimit is the longest string Redis stores as embstr.
const EmbstrLimit = 44

// Value is the value of one key: a tagged union packed into 24 bytes, so
// that a small string key costs one dict entry plus the bytes of its key and
// value. Strings are held as bytes, or as an int64 when their encoding is
// int; other kinds hold a pointer to their structure.
//
// The zero Value is KindNone.
type Value struct {
	ptr unsafe.Pointer // string bytes, or the *List, *Set, ... of other kinds
	lo  uint32         // string: length; int: low half
	hi  uint32         // string: capacity; int: high half
	// LRU is the access clock (seconds) or, under an LFU policy, Redis's
	// 16-bit minutes plus 8-bit counter. The node owns its meaning.
	LRU  uint32
	kind Kind
	enc  Encoding
	// mark is the epoch of the last snapshot that recorded this value
	// (see snapshot.go).
	mark uint8
}

// Kind returns the value's kind.
func (v *Value) Kind() Kind { return v.kind }

// StringEncoding returns the encoding of a string value.
func (v *Value) StringEncoding() Encoding { return v.enc }

// NewInt returns a string value holding n in the int encoding.
func NewInt(n int64) Value {
	u := uint64(n)
	return Value{kind: KindString, enc: EncInt, lo: uint32(u), hi: uint32(u >> 32)}
}

// NewString returns a string value holding a copy of b, in the encoding
// Redis's SET would choose: int for a canonical decimal integer of at most 20
// characters, embstr up to 44 bytes, raw beyond.
func NewString(b []byte) Value {
	if len(b) <= 20 {
		if n, ok := num.ParseInt(b); ok {
			return NewInt(n)
		}
	}
	enc := EncRaw
	if len(b) <= EmbstrLimit {
		enc = EncEmbstr
	}
	return NewRawString(append([]byte(nil), b...), enc)
}

// NewRawString returns a string value that takes ownership of b, with the
// given encoding (EncRaw or EncEmbstr); it never converts to int, as APPEND
// and SETRANGE do not.
func NewRawString(b []byte, enc Encoding) Value {
	v := Value{kind: KindString, enc: enc}
	v.setBytes(b)
	return v
}

func (v *Value) setBytes(b []byte) {
	v.ptr = unsafe.Pointer(unsafe.SliceData(b))
	v.lo = uint32(len(b))
	v.hi = uint32(cap(b))
}

// Int returns the integer of an int-encoded string.
func (v *Value) Int() (int64, bool) {
	if v.kind != KindString || v.enc != EncInt {
		return 0, false
	}
	return int64(uint64(v.lo) | uint64(v.hi)<<32), true
}

// Bytes returns the bytes of a string value. For an int-encoded string it
// formats the number into scratch (which may be nil). The result aliases the
// stored value: the caller must copy it to keep it past the next change.
func (v *Value) Bytes(scratch []byte) []byte {
	if v.enc == EncInt {
		n, _ := v.Int()
		return strconv.AppendInt(scratch[:0], n, 10)
	}
	if v.ptr == nil {
		return nil
	}
	return unsafe.Slice((*byte)(v.ptr), v.hi)[:v.lo]
}

// Len returns the length in bytes of a string value.
func (v *Value) Len() int {
	if v.enc == EncInt {
		n, _ := v.Int()
		var tmp [24]byte
		return len(strconv.AppendInt(tmp[:0], n, 10))
	}
	return int(v.lo)
}

// MutableBytes converts a string value to the raw encoding (as Redis's
// dbUnshareStringValue does) and returns its bytes, which the caller may
// change in place or pass to SetBytes after growing.
func (v *Value) MutableBytes() []byte {
	if v.enc == EncInt {
		var tmp [24]byte
		b := append([]byte(nil), v.Bytes(tmp[:0])...)
		v.setBytes(b)
	} else if v.enc == EncEmbstr {
		// An embstr is shared and immutable in Redis; changing it makes a raw
		// copy, which is also what OBJECT ENCODING reports afterwards.
		b := append([]byte(nil), v.Bytes(nil)...)
		v.setBytes(b)
	}
	v.enc = EncRaw
	return v.Bytes(nil)
}

// SetBytes replaces the bytes of a raw string value, taking ownership of b.
func (v *Value) SetBytes(b []byte) {
	v.enc = EncRaw
	v.setBytes(b)
}

// pointerValue builds a Value of kind k around a pointer to its structure.
func pointerValue(k Kind, p unsafe.Pointer) Value { return Value{kind: k, ptr: p} }

// Pointer returns the structure of a non-string value; the accessors of each
// kind convert it back.
func (v *Value) pointer() unsafe.Pointer { return v.ptr }

// Dup returns a deep copy of v (COPY). Kinds other than strings register
// their copier in dupFuncs.
func (v *Value) Dup() Value {
	if v.kind == KindString {
		if v.enc == EncInt {
			return *v
		}
		b := append([]byte(nil), v.Bytes(nil)...)
		return NewRawString(b, v.enc)
	}
	if f := dupFuncs[v.kind]; f != nil {
		return f(v)
	}
	panic("keyspace: Dup of an unknown kind")
}

// dupFuncs copies values of the collection kinds.
var dupFuncs = map[Kind]func(*Value) Value{}

// encodingNames reports the encoding of values of the collection kinds
// (OBJECT ENCODING); each kind registers its function.
var encodingNames = map[Kind]func(*Value) string{}

// EncodingName returns the OBJECT ENCODING name of a non-string value.
func EncodingName(v *Value) string {
	if f := encodingNames[v.kind]; f != nil {
		return f(v)
	}
	return "unknown"
}

// Replace puts nv in v's place, keeping v's access time and snapshot mark
// (a value replaced in place is the same key to a snapshot in progress,
// which must have recorded it already through Guard).
func (v *Value) Replace(nv Value) {
	lru, mark := v.LRU, v.mark
	*v = nv
	v.LRU, v.mark = lru, mark
}
