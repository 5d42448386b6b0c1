package keyspace

import (
	"bytes"
	"encoding/binary"
	"math"
	"strings"
	"unsafe"
)

// ZSet is a sorted set: unique members (byte strings), each with a float64
// score, ordered by score and then by member bytes. Like Redis it has two
// encodings:
//
//   - "listpack": one packed byte slice holding the elements in order, each
//     as a uvarint member length, the member bytes and the 8 bytes of the
//     score. Operations scan it linearly; it is used while the set is small
//     (zset-max-listpack-entries, zset-max-listpack-value).
//   - "skiplist": a Dict from member to score plus an order-statistic B+tree
//     of (score, member) for ranks and ranges (Redis uses a skip list with
//     spans; the B+tree answers the same questions in O(log n) with far less
//     memory per element). Member strings are shared by both.
//
// Conversions happen where Redis's happen: an addition that would exceed the
// limits converts a listpack to a skiplist; ConvertToListpackIfNeeded turns a
// small skiplist back (Redis does this for results of ZUNIONSTORE and
// relatives). A ZSet never converts back on its own when it shrinks.
//
// Member slices returned by accessors and passed to callbacks alias the
// set's storage: they are valid until the set next changes.
type ZSet struct {
	lp   []byte // listpack encoding (when dict == nil)
	lpN  int    // elements in lp
	dict *Dict[float64]
	tree zTree
}

// ZSetLimits are the encoding thresholds of the configuration
// (zset-max-listpack-entries and zset-max-listpack-value) and the seed of the
// hash tables of skiplist-encoded sets.
type ZSetLimits struct {
	MaxEntries int
	MaxValue   int
	Seed       uint64
}

// listpackSafetySize is Redis's LISTPACK_MAX_SAFETY_SIZE: a listpack never
// grows past it.
const listpackSafetySize = 1 << 30

// NewZSet returns an empty sorted set in the encoding Redis would choose for
// a set expected to hold sizeHint elements whose longest member has
// maxMemberLen bytes: listpack when both are within the limits.
func NewZSet(sizeHint, maxMemberLen int, lim ZSetLimits) *ZSet {
	z := &ZSet{}
	if lim.MaxEntries == 0 || sizeHint > lim.MaxEntries || maxMemberLen > lim.MaxValue {
		z.dict = NewDict[float64](lim.Seed)
	}
	return z
}

// Reserve makes room for n members in a skiplist set, so that a set being
// loaded does not grow its table step by step (a listpack is left as it
// is).
func (z *ZSet) Reserve(n int) {
	if z.dict != nil {
		z.dict.Expand(n)
	}
}

// NewZSetValue returns a Value holding z.
func NewZSetValue(z *ZSet) Value { return pointerValue(KindZSet, unsafe.Pointer(z)) }

// ZSet returns the sorted set of a value of kind KindZSet.
func (v *Value) ZSet() *ZSet {
	if v.kind != KindZSet {
		return nil
	}
	return (*ZSet)(v.pointer())
}

func init() {
	dupFuncs[KindZSet] = func(v *Value) Value { return NewZSetValue(v.ZSet().Dup()) }
	encodingNames[KindZSet] = func(v *Value) string { return v.ZSet().Encoding() }
}

// Encoding returns the OBJECT ENCODING name: "listpack" or "skiplist".
func (z *ZSet) Encoding() string {
	if z.dict == nil {
		return "listpack"
	}
	return "skiplist"
}

// IsListpack reports whether z uses the listpack encoding.
func (z *ZSet) IsListpack() bool { return z.dict == nil }

// Len returns the number of elements.
func (z *ZSet) Len() int {
	if z.dict == nil {
		return z.lpN
	}
	return z.dict.Len()
}

// Listpack layout helpers.

func lpEntry(lp []byte, off int) (member []byte, score float64, next int) {
	l, n := binary.Uvarint(lp[off:])
	off += n
	member = lp[off : off+int(l) : off+int(l)]
	off += int(l)
	score = math.Float64frombits(binary.LittleEndian.Uint64(lp[off:]))
	return member, score, off + 8
}

func lpAppendEntry(dst, member []byte, score float64) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(member)))
	dst = append(dst, member...)
	return binary.LittleEndian.AppendUint64(dst, math.Float64bits(score))
}

func lpEntrySize(member []byte) int {
	var tmp [binary.MaxVarintLen64]byte
	return binary.PutUvarint(tmp[:], uint64(len(member))) + len(member) + 8
}

// lpFind returns the offset of member's entry and its score, or -1.
func (z *ZSet) lpFind(member []byte) (int, float64) {
	for off := 0; off < len(z.lp); {
		m, s, next := lpEntry(z.lp, off)
		if bytes.Equal(m, member) {
			return off, s
		}
		off = next
	}
	return -1, 0
}

// lpOffset returns the offset of the entry of rank r (len(lp) for Len()).
func (z *ZSet) lpOffset(r int) int {
	off := 0
	for ; r > 0; r-- {
		_, _, off = lpEntry(z.lp, off)
	}
	return off
}

func (z *ZSet) lpInsert(member []byte, score float64) {
	if score == 0 {
		score = 0 // a listpack stores -0 as the integer 0, as Redis's does
	}
	off := 0
	for off < len(z.lp) {
		m, s, next := lpEntry(z.lp, off)
		if s > score || (s == score && bytes.Compare(m, member) > 0) {
			break
		}
		off = next
	}
	size := lpEntrySize(member)
	z.lp = append(z.lp, make([]byte, size)...)
	copy(z.lp[off+size:], z.lp[off:len(z.lp)-size])
	lpAppendEntry(z.lp[off:off], member, score)
	z.lpN++
}

// AppendSorted appends member at the end of a listpack-encoded set, for
// loading a file whose listpack is already in order: the caller guarantees
// that (score, member) sorts after every element, that member is not in
// the set and that score is not NaN. It reports false, changing nothing,
// for a skiplist-encoded set.
func (z *ZSet) AppendSorted(member []byte, score float64) bool {
	if z.dict != nil {
		return false
	}
	if score == 0 {
		score = 0 // no -0 in a listpack
	}
	z.lp = lpAppendEntry(z.lp, member, score)
	z.lpN++
	return true
}

func (z *ZSet) lpDeleteAt(off int) {
	_, _, next := lpEntry(z.lp, off)
	z.lp = append(z.lp[:off], z.lp[next:]...)
	z.lpN--
}

// Score returns the score of member.
func (z *ZSet) Score(member []byte) (float64, bool) {
	if z.dict == nil {
		off, s := z.lpFind(member)
		return s, off >= 0
	}
	if p := z.dict.FindBytes(member); p != nil {
		return *p, true
	}
	return 0, false
}

// Set gives member the score, adding it if it is new, and reports whether it
// was added. Adding to a listpack converts it to a skiplist first when the
// set would exceed lim (Redis's zsetAdd). score must not be NaN.
func (z *ZSet) Set(member []byte, score float64, lim ZSetLimits) bool {
	return z.set(member, score, lim, false)
}

// SetOwned is Set for a member the sorted set may keep without a copy (a
// value being loaded): the caller gives member up and never changes it.
func (z *ZSet) SetOwned(member []byte, score float64, lim ZSetLimits) bool {
	return z.set(member, score, lim, true)
}

func (z *ZSet) set(member []byte, score float64, lim ZSetLimits, owned bool) bool {
	if z.dict == nil {
		if off, cur := z.lpFind(member); off >= 0 {
			if cur != score {
				z.lpDeleteAt(off)
				z.lpInsert(member, score)
			}
			return false
		}
		if z.lpN+1 > lim.MaxEntries || len(member) > lim.MaxValue || len(z.lp)+len(member) > listpackSafetySize {
			z.toSkiplist(lim.Seed)
		} else {
			z.lpInsert(member, score)
			return true
		}
	}
	if p := z.dict.FindBytes(member); p != nil {
		if *p != score {
			m, _ := z.tree.Delete(*p, unsafeString(member))
			z.tree.Insert(score, m)
			*p = score
		}
		return false
	}
	var m string
	if owned {
		m = unsafeString(member)
	} else {
		m = string(member)
	}
	z.dict.SetShared(m, score)
	z.tree.Insert(score, m)
	return true
}

// Remove deletes member and reports whether it was present.
func (z *ZSet) Remove(member []byte) bool {
	if z.dict == nil {
		off, _ := z.lpFind(member)
		if off < 0 {
			return false
		}
		z.lpDeleteAt(off)
		return true
	}
	s, ok := z.dict.Delete(unsafeString(member))
	if !ok {
		return false
	}
	z.tree.Delete(s, unsafeString(member))
	z.shrinkDict()
	return true
}

// shrinkDict resizes the member table after deletions, as Redis does after
// removing elements from a skiplist-encoded set.
func (z *ZSet) shrinkDict() { z.dict.ShrinkIfNeeded() }

// Rank returns the 0-based rank of member in ascending order.
func (z *ZSet) Rank(member []byte) (int, bool) {
	if z.dict == nil {
		r := 0
		for off := 0; off < len(z.lp); r++ {
			m, _, next := lpEntry(z.lp, off)
			if bytes.Equal(m, member) {
				return r, true
			}
			off = next
		}
		return 0, false
	}
	s, ok := z.dict.Get(unsafeString(member))
	if !ok {
		return 0, false
	}
	return z.tree.Rank(s, unsafeString(member))
}

// At returns the element of rank r (0 <= r < Len()).
func (z *ZSet) At(r int) ([]byte, float64) {
	if z.dict == nil {
		m, s, _ := lpEntry(z.lp, z.lpOffset(r))
		return m, s
	}
	it := z.tree.At(r)
	return unsafeBytes(it.member), it.score
}

func unsafeBytes(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))[:len(s):len(s)]
}

// Walk calls fn for the elements from rank r onward, in ascending order or,
// when rev, descending, until fn returns false. The set must not change
// during the walk.
func (z *ZSet) Walk(r int, rev bool, fn func(member []byte, score float64) bool) {
	if r < 0 || r >= z.Len() {
		return
	}
	if z.dict != nil {
		z.tree.Walk(r, rev, func(s float64, m string) bool { return fn(unsafeBytes(m), s) })
		return
	}
	if !rev {
		for off := z.lpOffset(r); off < len(z.lp); {
			m, s, next := lpEntry(z.lp, off)
			if !fn(m, s) {
				return
			}
			off = next
		}
		return
	}
	// Walking a listpack backwards: collect the entry offsets first.
	offs := make([]int, 0, r+1)
	for off, k := 0, 0; k <= r; k++ {
		offs = append(offs, off)
		_, _, off = lpEntry(z.lp, off)
	}
	for k := r; k >= 0; k-- {
		m, s, _ := lpEntry(z.lp, offs[k])
		if !fn(m, s) {
			return
		}
	}
}

// ForEach calls fn for every element in ascending order until fn returns
// false.
func (z *ZSet) ForEach(fn func(member []byte, score float64) bool) { z.Walk(0, false, fn) }

// DeleteRange removes the elements of ranks start..end (inclusive, 0 <=
// start <= end < Len()) and returns how many it removed.
func (z *ZSet) DeleteRange(start, end int) int {
	if start < 0 || end >= z.Len() || start > end {
		return 0
	}
	k := end - start + 1
	if z.dict == nil {
		a, b := z.lpOffset(start), 0
		b = a
		for i := 0; i < k; i++ {
			_, _, b = lpEntry(z.lp, b)
		}
		z.lp = append(z.lp[:a], z.lp[b:]...)
		z.lpN -= k
		return k
	}
	for i := 0; i < k; i++ {
		it := z.tree.At(start)
		z.tree.Delete(it.score, it.member)
		z.dict.Delete(it.member)
	}
	z.shrinkDict()
	return k
}

// ScoreRange is a range of scores; each end is inclusive unless marked
// exclusive.
type ScoreRange struct {
	Min, Max     float64
	MinEx, MaxEx bool
}

// GteMin reports whether s satisfies the lower end of r.
func (r *ScoreRange) GteMin(s float64) bool {
	if r.MinEx {
		return s > r.Min
	}
	return s >= r.Min
}

// LteMax reports whether s satisfies the upper end of r.
func (r *ScoreRange) LteMax(s float64) bool {
	if r.MaxEx {
		return s < r.Max
	}
	return s <= r.Max
}

// Empty reports whether no score can be in r.
func (r *ScoreRange) Empty() bool {
	return r.Min > r.Max || (r.Min == r.Max && (r.MinEx || r.MaxEx))
}

// LexBound is one end of a lexicographic range: "-" (Inf < 0), "+" (Inf >
// 0), or a member (Value) that is included unless Ex.
type LexBound struct {
	Inf   int8
	Value []byte
	Ex    bool
}

// lexCmp compares a member with a bound as Redis's sdscmplex does.
func lexCmp(a []byte, b *LexBound) int {
	switch {
	case b.Inf < 0:
		return 1
	case b.Inf > 0:
		return -1
	}
	return bytes.Compare(a, b.Value)
}

// LexRange is a range of members.
type LexRange struct{ Min, Max LexBound }

// GteMin reports whether m satisfies the lower end of r.
func (r *LexRange) GteMin(m []byte) bool {
	if r.Min.Ex {
		return lexCmp(m, &r.Min) > 0
	}
	return lexCmp(m, &r.Min) >= 0
}

// LteMax reports whether m satisfies the upper end of r.
func (r *LexRange) LteMax(m []byte) bool {
	if r.Max.Ex {
		return lexCmp(m, &r.Max) < 0
	}
	return lexCmp(m, &r.Max) <= 0
}

// Empty reports whether no member can be in r.
func (r *LexRange) Empty() bool {
	var cmp int
	switch {
	case r.Min.Inf != 0 && r.Min.Inf == r.Max.Inf:
		cmp = 0
	case r.Min.Inf < 0 || r.Max.Inf > 0:
		cmp = -1
	case r.Min.Inf > 0 || r.Max.Inf < 0:
		cmp = 1
	default:
		cmp = bytes.Compare(r.Min.Value, r.Max.Value)
	}
	return cmp > 0 || (cmp == 0 && (r.Min.Ex || r.Max.Ex))
}

// firstWhere returns the first rank whose element satisfies pred, scanning
// a listpack from the start or searching the tree (which assumes pred is
// monotone along the order); -1 when none does.
func (z *ZSet) firstWhere(pred func(m []byte, s float64) bool) int {
	if z.dict == nil {
		r := 0
		for off := 0; off < len(z.lp); r++ {
			m, s, next := lpEntry(z.lp, off)
			if pred(m, s) {
				return r
			}
			off = next
		}
		return -1
	}
	r := z.tree.Search(func(s float64, m string) bool { return pred(unsafeBytes(m), s) })
	if r == z.tree.Len() {
		return -1
	}
	return r
}

// lastWhere returns the last rank whose element satisfies pred, for a pred
// that is true then false along the order; -1 when none does. A listpack is
// scanned from the end, as Redis does.
func (z *ZSet) lastWhere(pred func(m []byte, s float64) bool) int {
	if z.dict == nil {
		last := -1
		r := z.lpN - 1
		z.Walk(z.lpN-1, true, func(m []byte, s float64) bool {
			if pred(m, s) {
				last = r
				return false
			}
			r--
			return true
		})
		return last
	}
	return z.tree.Search(func(s float64, m string) bool { return !pred(unsafeBytes(m), s) }) - 1
}

// FirstInScoreRange returns the rank of the first element in r, or -1.
func (z *ZSet) FirstInScoreRange(r *ScoreRange) int {
	if r.Empty() || z.Len() == 0 {
		return -1
	}
	i := z.firstWhere(func(_ []byte, s float64) bool { return r.GteMin(s) })
	if i < 0 {
		return -1
	}
	if _, s := z.At(i); !r.LteMax(s) {
		return -1
	}
	return i
}

// LastInScoreRange returns the rank of the last element in r, or -1.
func (z *ZSet) LastInScoreRange(r *ScoreRange) int {
	if r.Empty() || z.Len() == 0 {
		return -1
	}
	i := z.lastWhere(func(_ []byte, s float64) bool { return r.LteMax(s) })
	if i < 0 {
		return -1
	}
	if _, s := z.At(i); !r.GteMin(s) {
		return -1
	}
	return i
}

// FirstInLexRange returns the rank of the first element in r, or -1. Lex
// ranges are meaningful when all scores are equal, as in Redis.
func (z *ZSet) FirstInLexRange(r *LexRange) int {
	if !z.inLexRange(r) {
		return -1
	}
	i := z.firstWhere(func(m []byte, _ float64) bool { return r.GteMin(m) })
	if i < 0 {
		return -1
	}
	if m, _ := z.At(i); !r.LteMax(m) {
		return -1
	}
	return i
}

// inLexRange is Redis's zslIsInLexRange/zzlIsInLexRange: the range is not
// empty, the last element is not below its minimum and the first not above
// its maximum. When scores differ the members are not in lexicographic
// order, and this check decides replies that a scan alone would not.
func (z *ZSet) inLexRange(r *LexRange) bool {
	if r.Empty() || z.Len() == 0 {
		return false
	}
	if last, _ := z.At(z.Len() - 1); !r.GteMin(last) {
		return false
	}
	first, _ := z.At(0)
	return r.LteMax(first)
}

// FirstGteLexMin returns the rank of the first element not below r's
// minimum, or -1, without the checks of FirstInLexRange (where Redis's
// zslDeleteRangeByLex starts deleting).
func (z *ZSet) FirstGteLexMin(r *LexRange) int {
	if z.Len() == 0 {
		return -1
	}
	return z.firstWhere(func(m []byte, _ float64) bool { return r.GteMin(m) })
}

// LastInLexRange returns the rank of the last element in r, or -1.
func (z *ZSet) LastInLexRange(r *LexRange) int {
	if !z.inLexRange(r) {
		return -1
	}
	i := z.lastWhere(func(m []byte, _ float64) bool { return r.LteMax(m) })
	if i < 0 {
		return -1
	}
	if m, _ := z.At(i); !r.GteMin(m) {
		return -1
	}
	return i
}

// toSkiplist converts a listpack to the skiplist encoding.
func (z *ZSet) toSkiplist(seed uint64) {
	d := NewDict[float64](seed)
	d.Expand(z.lpN)
	for off := 0; off < len(z.lp); {
		m, s, next := lpEntry(z.lp, off)
		ms := string(m)
		d.SetShared(ms, s)
		z.tree.Insert(s, ms)
		off = next
	}
	z.dict = d
	z.lp = nil
	z.lpN = 0
}

// ConvertToListpackIfNeeded converts a skiplist-encoded set to a listpack
// when it has at most lim.MaxEntries elements, none longer than
// lim.MaxValue, as Redis's zsetConvertToListpackIfNeeded (given the longest
// member and the total member bytes, which the caller tracked).
func (z *ZSet) ConvertToListpackIfNeeded(maxMemberLen, totalLen int, lim ZSetLimits) {
	if z.dict == nil || z.dict.Len() > lim.MaxEntries || maxMemberLen > lim.MaxValue || totalLen > listpackSafetySize {
		return
	}
	var lp []byte
	n := 0
	z.tree.Walk(0, false, func(s float64, m string) bool {
		if s == 0 {
			s = 0 // no -0 in a listpack
		}
		lp = lpAppendEntry(lp, unsafeBytes(m), s)
		n++
		return true
	})
	z.lp, z.lpN = lp, n
	z.dict = nil
	z.tree = zTree{}
}

// Dup returns a deep copy of z in the same encoding.
func (z *ZSet) Dup() *ZSet {
	if z.dict == nil {
		return &ZSet{lp: append([]byte(nil), z.lp...), lpN: z.lpN}
	}
	c := &ZSet{dict: NewDict[float64](z.dict.seed)}
	c.dict.Expand(z.dict.Len())
	z.tree.Walk(0, false, func(s float64, m string) bool {
		ms := strings.Clone(m)
		c.dict.SetShared(ms, s)
		c.tree.Insert(s, ms)
		return true
	})
	return c
}

// Scan visits the elements for ZSCAN: a listpack returns everything at once
// with cursor 0, a skiplist scans its member table with Redis's SCAN cursor
// (see Dict.Scan).
func (z *ZSet) Scan(cursor uint64, fn func(member []byte, score float64)) uint64 {
	if z.dict == nil {
		z.ForEach(func(m []byte, s float64) bool { fn(m, s); return true })
		return 0
	}
	return z.dict.Scan(cursor, func(k string, s *float64) { fn(unsafeBytes(k), *s) })
}

// Random returns a uniformly chosen element; intn must return a uniform
// integer in [0, n). The set must not be empty.
func (z *ZSet) Random(intn func(n int) int) ([]byte, float64) {
	return z.At(intn(z.Len()))
}

// ListpackBytes returns the size of the packed listpack (0 for a skiplist),
// for memory estimates.
func (z *ZSet) ListpackBytes() int { return len(z.lp) }
