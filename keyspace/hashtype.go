package keyspace

import (
	"encoding/binary"
	"unsafe"
)

// HashMap is the hash type with Redis 7.0's two encodings.
//
// "listpack": the field/value pairs in insertion order, packed into one byte
// slice (each string a uvarint length and its bytes), while there are at
// most hash-max-listpack-entries fields and no field or value is longer than
// hash-max-listpack-value bytes. "hashtable": a Dict from field to value
// length, each entry keeping its field and value in one allocation (the
// stored key is the field; the value bytes follow it). A hash converts
// exactly when Redis's hashTypeTryConversion and hashTypeSet do, and never
// back.
//
// Fields and values handed out alias the hash's storage: copy them to keep
// them past the next change.
type HashMap struct {
	lp   []byte
	n    int           // fields in lp
	dict *Dict[uint32] // non-nil for the hashtable encoding
}

// HashLimits are the hash encoding thresholds of the node's configuration
// and the seed of the hash tables hashes create.
type HashLimits struct {
	MaxListpackEntries int // hash-max-listpack-entries
	MaxListpackValue   int // hash-max-listpack-value
	Seed               uint64
}

// listpackMaxSafetySize is Redis's cap on the size of one listpack (1 GiB):
// a hash that would grow past it converts to a hashtable.
const listpackMaxSafetySize = 1 << 30

// NewHash returns an empty hash in the listpack encoding.
func NewHash() *HashMap { return &HashMap{} }

// NewHashValue wraps h in a Value.
func NewHashValue(h *HashMap) Value { return pointerValue(KindHash, unsafe.Pointer(h)) }

// AsHash returns the hash of a hash value, or nil for other kinds.
func (v *Value) AsHash() *HashMap {
	if v.kind != KindHash {
		return nil
	}
	return (*HashMap)(v.ptr)
}

// Len returns the number of fields.
func (h *HashMap) Len() int {
	if h.dict != nil {
		return h.dict.Len()
	}
	return h.n
}

// IsListpack reports whether the hash is in the listpack encoding.
func (h *HashMap) IsListpack() bool { return h.dict == nil }

// Encoding returns the OBJECT ENCODING name.
func (h *HashMap) Encoding() string {
	if h.dict != nil {
		return "hashtable"
	}
	return "listpack"
}

// lpString reads the string at off and returns it and the offset after it.
func lpString(lp []byte, off int) ([]byte, int) {
	n, k := binary.Uvarint(lp[off:])
	start := off + k
	end := start + int(n)
	return lp[start:end:end], end
}

func lpAppend(lp, s []byte) []byte {
	lp = binary.AppendUvarint(lp, uint64(len(s)))
	return append(lp, s...)
}

// lpFind returns the offsets of the value of field and of the end of that
// value, or -1.
func (h *HashMap) lpFind(field []byte) (valOff, end int) {
	for off := 0; off < len(h.lp); {
		f, next := lpString(h.lp, off)
		_, vend := lpString(h.lp, next)
		if string(f) == string(field) {
			return next, vend
		}
		off = vend
	}
	return -1, -1
}

// packField returns field and value in one allocation, as the stored key
// of a hashtable entry: a string of the field's bytes, followed in memory by
// the value's.
func packField(field, value []byte) string {
	n := len(field) + len(value)
	if n == 0 {
		return ""
	}
	buf := make([]byte, n)
	copy(buf, field)
	copy(buf[len(field):], value)
	return unsafe.String(&buf[0], len(field))
}

// packedValue returns the value stored after the stored key k.
func packedValue(k string, vlen uint32) []byte {
	if vlen == 0 {
		return []byte{}
	}
	p := unsafe.Add(unsafe.Pointer(unsafe.StringData(k)), len(k))
	return unsafe.Slice((*byte)(p), vlen)
}

func keyBytes(k string) []byte { return unsafe.Slice(unsafe.StringData(k), len(k)) }

// Get returns the value of field.
func (h *HashMap) Get(field []byte) ([]byte, bool) {
	if h.dict != nil {
		k, vlen := h.dict.FindEntry(unsafeString(field))
		if k == nil {
			return nil, false
		}
		return packedValue(*k, *vlen), true
	}
	off, _ := h.lpFind(field)
	if off < 0 {
		return nil, false
	}
	v, _ := lpString(h.lp, off)
	return v, true
}

// Has reports whether field exists.
func (h *HashMap) Has(field []byte) bool {
	_, ok := h.Get(field)
	return ok
}

// TryConversion converts a listpack hash to a hashtable before the strings
// of args are added, if one of them is longer than lim.MaxListpackValue or
// together they would grow the listpack past Redis's safety size
// (hashTypeTryConversion).
func (h *HashMap) TryConversion(lim HashLimits, args ...[]byte) {
	if h.dict != nil {
		return
	}
	sum := 0
	for _, a := range args {
		if len(a) > lim.MaxListpackValue {
			h.convert(lim.Seed)
			return
		}
		sum += len(a)
	}
	if len(h.lp)+sum > listpackMaxSafetySize {
		h.convert(lim.Seed)
	}
}

// Set sets field to value (both copied) and reports whether the field is
// new. As Redis's hashTypeSet: a listpack converts first if the field or
// the value is too long, and after the change if it has too many fields.
func (h *HashMap) Set(field, value []byte, lim HashLimits) bool {
	return h.set(field, value, lim, false)
}

// SetOwned is Set for a field and value the hash may keep without a copy
// (a value being loaded): the caller gives both up and never changes them.
// They are kept as they are when value follows field within the field's
// capacity, as package rdb decodes a hash field (the layout of the
// hashtable's entries); otherwise they are copied.
func (h *HashMap) SetOwned(field, value []byte, lim HashLimits) bool {
	return h.set(field, value, lim, true)
}

func (h *HashMap) set(field, value []byte, lim HashLimits, owned bool) bool {
	if h.dict == nil && (len(field) > lim.MaxListpackValue || len(value) > lim.MaxListpackValue) {
		h.convert(lim.Seed)
	}
	if h.dict != nil {
		if owned && adjacent(field, value) {
			return h.dictSetPacked(unsafeString(field), len(value))
		}
		return h.dictSet(field, value)
	}
	if off, end := h.lpFind(field); off >= 0 {
		var tmp [binary.MaxVarintLen64]byte
		head := binary.PutUvarint(tmp[:], uint64(len(value)))
		newLen := len(h.lp) - (end - off) + head + len(value)
		tail := len(h.lp) - end
		if newLen > cap(h.lp) {
			grown := make([]byte, newLen, newLen+newLen/8)
			copy(grown, h.lp[:off])
			copy(grown[newLen-tail:], h.lp[end:])
			h.lp = grown
		} else {
			old := h.lp
			h.lp = h.lp[:newLen]
			copy(h.lp[newLen-tail:], old[end:len(old)])
		}
		copy(h.lp[off:], tmp[:head])
		copy(h.lp[off+head:], value)
		return false
	}
	h.lp = lpAppend(lpAppend(h.lp, field), value)
	h.n++
	if h.n > lim.MaxListpackEntries {
		h.convert(lim.Seed)
	}
	return true
}

func (h *HashMap) dictSet(field, value []byte) bool {
	return h.dictSetPacked(packField(field, value), len(value))
}

// dictSetPacked stores a field packed with its value of vlen bytes (see
// packField).
func (h *HashMap) dictSetPacked(packed string, vlen int) bool {
	k, l, added := h.dict.UpsertShared(packed)
	if !added {
		*k = packed
	}
	*l = uint32(vlen)
	return added
}

// adjacent reports whether a non-empty field is followed by value inside
// the field's own capacity (so in the same allocation), the layout of a
// packed field.
func adjacent(field, value []byte) bool {
	if len(field) == 0 {
		return false
	}
	if len(value) == 0 {
		return true
	}
	return cap(field)-len(field) >= len(value) && &field[:len(field)+1][len(field)] == &value[0]
}

// Reserve makes room for n fields in a hashtable hash, so that a hash
// being loaded does not grow its table step by step (a listpack is left as
// it is).
func (h *HashMap) Reserve(n int) {
	if h.dict != nil {
		h.dict.Expand(n)
	}
}

// convert moves a listpack hash to a hashtable sized for its fields.
func (h *HashMap) convert(seed uint64) {
	d := NewDict[uint32](seed)
	d.Expand(h.n)
	h.dict = d
	for off := 0; off < len(h.lp); {
		f, next := lpString(h.lp, off)
		v, end := lpString(h.lp, next)
		h.dictSet(f, v)
		off = end
	}
	h.lp, h.n = nil, 0
}

// Delete removes field and reports whether it existed. A hashtable starts
// shrinking when it becomes sparse, as Redis's does.
func (h *HashMap) Delete(field []byte) bool {
	if h.dict != nil {
		if _, ok := h.dict.Delete(unsafeString(field)); !ok {
			return false
		}
		h.dict.ShrinkIfNeeded()
		return true
	}
	for off := 0; off < len(h.lp); {
		f, next := lpString(h.lp, off)
		_, end := lpString(h.lp, next)
		if string(f) == string(field) {
			h.lp = append(h.lp[:off], h.lp[end:]...)
			h.n--
			return true
		}
		off = end
	}
	return false
}

// ForEach calls fn for every field and value until it returns false: in
// insertion order for a listpack, bucket order for a hashtable. fn must not
// change the hash.
func (h *HashMap) ForEach(fn func(field, value []byte) bool) {
	if h.dict != nil {
		h.dict.ForEach(func(k string, vlen *uint32) bool {
			return fn(keyBytes(k), packedValue(k, *vlen))
		})
		return
	}
	for off := 0; off < len(h.lp); {
		f, next := lpString(h.lp, off)
		v, end := lpString(h.lp, next)
		if !fn(f, v) {
			return
		}
		off = end
	}
}

// Random returns a random field and its value from a non-empty hash: a
// uniform choice for a listpack; for a hashtable a random bucket, then a
// random entry of its chain (Dict.Random). intn must return a uniform
// integer in [0, n).
func (h *HashMap) Random(intn func(int) int) (field, value []byte) {
	if h.dict != nil {
		k, vlen, ok := h.dict.Random(intn)
		if !ok {
			return nil, nil
		}
		return keyBytes(k), packedValue(k, *vlen)
	}
	if h.n == 0 {
		return nil, nil
	}
	i := intn(h.n)
	h.ForEach(func(f, v []byte) bool {
		if i == 0 {
			field, value = f, v
			return false
		}
		i--
		return true
	})
	return field, value
}

// Scan continues a scan of a hashtable hash (see Dict.Scan), calling fn for
// the fields of the visited buckets. A listpack has no cursor: Scan calls fn
// for every field and returns 0.
func (h *HashMap) Scan(cursor uint64, fn func(field, value []byte)) uint64 {
	if h.dict != nil {
		return h.dict.Scan(cursor, func(k string, vlen *uint32) {
			fn(keyBytes(k), packedValue(k, *vlen))
		})
	}
	h.ForEach(func(f, v []byte) bool { fn(f, v); return true })
	return 0
}

// Dup returns a deep copy in the same encoding (COPY).
func (h *HashMap) Dup() *HashMap {
	if h.dict == nil {
		return &HashMap{lp: append([]byte(nil), h.lp...), n: h.n}
	}
	d := NewDict[uint32](h.dict.seed)
	d.Expand(h.dict.Len())
	out := &HashMap{dict: d}
	h.dict.ForEach(func(k string, vlen *uint32) bool {
		out.dictSet(keyBytes(k), packedValue(k, *vlen))
		return true
	})
	return out
}

func init() {
	dupFuncs[KindHash] = func(v *Value) Value { return NewHashValue(v.AsHash().Dup()) }
	encodingNames[KindHash] = func(v *Value) string { return v.AsHash().Encoding() }
}
