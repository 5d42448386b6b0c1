package keyspace

import (
	"strconv"
	"unsafe"

	"replab/internal/num"
)

// Set is the set type with Redis 7.0's two encodings: "intset" (every member
// is an integer in Redis's canonical form and there are at most
// set-max-intset-entries of them), stored as a sorted packed array, and
// "hashtable", a Dict of the members. A set converts from intset to
// hashtable when Redis converts it (setTypeAdd) and never back; only a new
// set (SPOP's rebuild, the STORE commands) starts as an intset again.
//
// Members handed to callbacks alias the set's storage, or a scratch buffer
// for intset members: copy them to keep them past the call or the next
// change.
type Set struct {
	is   intset
	dict *Dict[struct{}] // non-nil for the hashtable encoding
}

// SetLimits are the set encoding thresholds of the node's configuration and
// the seed of the hash tables sets create.
type SetLimits struct {
	MaxIntsetEntries int // set-max-intset-entries
	Seed             uint64
}

// maxIntsetEntries is the cap Redis puts on set-max-intset-entries.
const maxIntsetEntries = 1 << 30

// NewIntset returns an empty set in the intset encoding (the destination
// of the STORE commands before anything is added).
func NewIntset() *Set { return &Set{} }

// NewSetFor returns an empty set in the encoding Redis picks for a set whose
// first member is first (setTypeCreate): intset if it is an integer,
// hashtable otherwise.
func NewSetFor(first []byte, lim SetLimits) *Set {
	if _, ok := num.ParseInt(first); ok {
		return &Set{}
	}
	return &Set{dict: NewDict[struct{}](lim.Seed)}
}

// NewSetValue wraps s in a Value.
func NewSetValue(s *Set) Value { return pointerValue(KindSet, unsafe.Pointer(s)) }

// AsSet returns the set of a set value, or nil for other kinds.
func (v *Value) AsSet() *Set {
	if v.kind != KindSet {
		return nil
	}
	return (*Set)(v.ptr)
}

// Len returns the number of members.
func (s *Set) Len() int {
	if s.dict != nil {
		return s.dict.Len()
	}
	return s.is.len()
}

// IsIntset reports whether the set is in the intset encoding.
func (s *Set) IsIntset() bool { return s.dict == nil }

// Encoding returns the OBJECT ENCODING name.
func (s *Set) Encoding() string {
	if s.dict != nil {
		return "hashtable"
	}
	return "intset"
}

// Add adds member (copied) and reports whether it was missing. An intset
// converts to a hashtable when member is not an integer or when it grows
// past lim.MaxIntsetEntries (capped at 2^30, as Redis does).
func (s *Set) Add(member []byte, lim SetLimits) bool { return s.add(member, lim, false) }

// AddOwned is Add for a member the set may keep without a copy (a value
// being loaded): the caller gives member up and never changes it.
func (s *Set) AddOwned(member []byte, lim SetLimits) bool { return s.add(member, lim, true) }

func (s *Set) add(member []byte, lim SetLimits, owned bool) bool {
	if s.dict != nil {
		return s.dictAdd(member, owned)
	}
	v, ok := num.ParseInt(member)
	if !ok {
		s.convert(lim.Seed)
		s.dictAdd(member, owned)
		return true
	}
	if !s.is.add(v) {
		return false
	}
	max := lim.MaxIntsetEntries
	if max >= maxIntsetEntries {
		max = maxIntsetEntries
	}
	if s.is.len() > max {
		s.convert(lim.Seed)
	}
	return true
}

func (s *Set) dictAdd(member []byte, owned bool) bool {
	if owned {
		return s.dict.SetShared(unsafeString(member), struct{}{})
	}
	return s.dict.Set(unsafeString(member), struct{}{})
}

// Reserve makes room for n members in a hashtable set, so that a set
// being loaded does not grow its table step by step (an intset is left as
// it is).
func (s *Set) Reserve(n int) {
	if s.dict != nil {
		s.dict.Expand(n)
	}
}

// convert moves an intset to a hashtable sized for its members.
func (s *Set) convert(seed uint64) {
	d := NewDict[struct{}](seed)
	n := s.is.len()
	d.Expand(n)
	var buf [24]byte
	for i := 0; i < n; i++ {
		d.Set(unsafeString(strconv.AppendInt(buf[:0], s.is.get(i), 10)), struct{}{})
	}
	s.is = intset{}
	s.dict = d
}

// Remove removes member and reports whether it was present. A hashtable
// starts shrinking when it becomes sparse, as Redis's does.
func (s *Set) Remove(member []byte) bool {
	if s.dict != nil {
		if _, ok := s.dict.Delete(unsafeString(member)); !ok {
			return false
		}
		s.dict.ShrinkIfNeeded()
		return true
	}
	v, ok := num.ParseInt(member)
	return ok && s.is.remove(v)
}

// Has reports whether member is in the set.
func (s *Set) Has(member []byte) bool {
	if s.dict != nil {
		return s.dict.FindBytes(member) != nil
	}
	v, ok := num.ParseInt(member)
	return ok && s.is.has(v)
}

// ForEach calls fn for every member until it returns false: in increasing
// order for an intset, in bucket order for a hashtable. The member is only
// valid during the call. fn must not change the set.
func (s *Set) ForEach(fn func(member []byte) bool) {
	if s.dict != nil {
		s.dict.ForEach(func(k string, _ *struct{}) bool {
			return fn(unsafe.Slice(unsafe.StringData(k), len(k)))
		})
		return
	}
	var buf [24]byte
	for i, n := 0, s.is.len(); i < n; i++ {
		if !fn(strconv.AppendInt(buf[:0], s.is.get(i), 10)) {
			return
		}
	}
}

// Ints returns the members of an intset in increasing order, as an RDB
// writer needs them (nil for a hashtable).
func (s *Set) Ints() []int64 {
	if s.dict != nil {
		return nil
	}
	out := make([]int64, s.is.len())
	for i := range out {
		out[i] = s.is.get(i)
	}
	return out
}

// Random returns a random member of a non-empty set, formatted into
// scratch for an intset (a uniform choice); a hashtable picks a random
// bucket, then a random entry of its chain (Dict.Random). intn must return
// a uniform integer in [0, n).
func (s *Set) Random(intn func(int) int, scratch []byte) []byte {
	if s.dict != nil {
		k, _, ok := s.dict.Random(intn)
		if !ok {
			return nil
		}
		return unsafe.Slice(unsafe.StringData(k), len(k))
	}
	n := s.is.len()
	if n == 0 {
		return nil
	}
	return strconv.AppendInt(scratch[:0], s.is.get(intn(n)), 10)
}

// Scan continues a scan of a hashtable set (see Dict.Scan), calling fn
// for the members of the visited buckets. An intset has no cursor: Scan
// calls fn for every member and returns 0.
func (s *Set) Scan(cursor uint64, fn func(member []byte)) uint64 {
	if s.dict != nil {
		return s.dict.Scan(cursor, func(k string, _ *struct{}) {
			fn(unsafe.Slice(unsafe.StringData(k), len(k)))
		})
	}
	s.ForEach(func(m []byte) bool { fn(m); return true })
	return 0
}

// Dup returns a deep copy in the same encoding (COPY).
func (s *Set) Dup() *Set {
	if s.dict == nil {
		return &Set{is: s.is.clone()}
	}
	d := NewDict[struct{}](s.dict.seed)
	d.Expand(s.dict.Len())
	s.dict.ForEach(func(k string, _ *struct{}) bool {
		d.Set(k, struct{}{})
		return true
	})
	return &Set{dict: d}
}

func init() {
	dupFuncs[KindSet] = func(v *Value) Value { return NewSetValue(v.AsSet().Dup()) }
	encodingNames[KindSet] = func(v *Value) string { return v.AsSet().Encoding() }
}
