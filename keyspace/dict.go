package keyspace

import (
	"math/bits"
	"strings"
)

// Dict is a hash table from string keys to values of type V with Redis's
// dict semantics: chained buckets, power-of-two sizes, incremental rehashing
// one bucket at a time, and a SCAN cursor that returns every element present
// for the whole of a scan at least once, however the table grows or shrinks
// in between.
//
// Dict never retains a key the caller passes to a lookup; keys are copied
// when an entry is created. It is not safe for concurrent use.
type Dict[V any] struct {
	ht        [2]bucketArray[V]
	rehashIdx int // index of the next ht[0] bucket to move; -1 when not rehashing
	seed      uint64
	// NoResize stops growth at the 1:1 load factor (the table still grows
	// past a 5:1 load), as Redis does while a snapshot is being written.
	NoResize bool
}

type bucketArray[V any] struct {
	buckets []*entry[V]
	used    int
}

type entry[V any] struct {
	key  string
	val  V
	next *entry[V]
}

const (
	initialSize      = 4
	forceResizeRatio = 5
	// A table is shrunk when less than 1/minFillDivisor of its buckets
	// would be used (Redis's HASHTABLE_MIN_FILL of 10%).
	minFillDivisor = 10
)

// NewDict returns an empty Dict whose bucket order derives from seed.
func NewDict[V any](seed uint64) *Dict[V] {
	return &Dict[V]{rehashIdx: -1, seed: seed}
}

// Len returns the number of entries.
func (d *Dict[V]) Len() int { return d.ht[0].used + d.ht[1].used }

// Buckets returns the number of buckets of both tables (for INFO and DEBUG).
func (d *Dict[V]) Buckets() int { return len(d.ht[0].buckets) + len(d.ht[1].buckets) }

// Rehashing reports whether an incremental rehash is in progress.
func (d *Dict[V]) Rehashing() bool { return d.rehashIdx >= 0 }

func (d *Dict[V]) hash(key string) uint64 { return Hash(d.seed, key) }

// Find returns a pointer to the value stored under key, or nil. The pointer
// is valid until the entry is deleted; the value may be changed through it.
func (d *Dict[V]) Find(key string) *V {
	if d.Len() == 0 {
		return nil
	}
	if d.rehashIdx >= 0 {
		d.rehashStep()
	}
	h := d.hash(key)
	for t := 0; t <= 1; t++ {
		ht := &d.ht[t]
		if len(ht.buckets) == 0 {
			break
		}
		for e := ht.buckets[h&uint64(len(ht.buckets)-1)]; e != nil; e = e.next {
			if e.key == key {
				return &e.val
			}
		}
		if d.rehashIdx < 0 {
			break
		}
	}
	return nil
}

// FindBytes is Find for a key given as bytes, without allocating.
func (d *Dict[V]) FindBytes(key []byte) *V { return d.Find(unsafeString(key)) }

// Get returns the value stored under key.
func (d *Dict[V]) Get(key string) (V, bool) {
	if p := d.Find(key); p != nil {
		return *p, true
	}
	var zero V
	return zero, false
}

// Set stores val under key, replacing any previous value. It reports whether
// the key is new. The key is copied if it is new.
func (d *Dict[V]) Set(key string, val V) bool {
	p, added := d.insert(key)
	*p = val
	return added
}

// Upsert returns a pointer to the value stored under key, creating a zero
// value first if there is none, and reports whether it was created.
func (d *Dict[V]) Upsert(key string) (*V, bool) { return d.insert(key) }

// SetShared is Set for a key string the Dict may keep without copying (a key
// already owned by another table, such as the main dict's key for the
// expires dict).
func (d *Dict[V]) SetShared(key string, val V) bool {
	p, added := d.insertKey(key, false)
	*p = val
	return added
}

func (d *Dict[V]) insert(key string) (*V, bool) { return d.insertKey(key, true) }

func (d *Dict[V]) insertKey(key string, copyKey bool) (*V, bool) {
	e, added := d.insertEntry(key, copyKey)
	return &e.val, added
}

// UpsertShared is Upsert for a key string the Dict may keep without
// copying. It returns pointers to the stored key and to the value. When the
// key already exists the stored key is left as it was; the caller may then
// replace it through the pointer, but only with a string of the same bytes
// (to move the key to storage the caller owns, as the hash type does to keep
// a field and its value in one allocation).
func (d *Dict[V]) UpsertShared(key string) (stored *string, val *V, added bool) {
	e, added := d.insertEntry(key, false)
	return &e.key, &e.val, added
}

// FindEntry is Find returning the stored key too (nil, nil when absent).
// The same rules as UpsertShared apply to changing the key.
func (d *Dict[V]) FindEntry(key string) (stored *string, val *V) {
	if d.Len() == 0 {
		return nil, nil
	}
	if d.rehashIdx >= 0 {
		d.rehashStep()
	}
	if e := d.findEntry(key); e != nil {
		return &e.key, &e.val
	}
	return nil, nil
}

func (d *Dict[V]) insertEntry(key string, copyKey bool) (*entry[V], bool) {
	if d.rehashIdx >= 0 {
		d.rehashStep()
	}
	h := d.hash(key)
	for t := 0; t <= 1; t++ {
		ht := &d.ht[t]
		if len(ht.buckets) == 0 {
			break
		}
		for e := ht.buckets[h&uint64(len(ht.buckets)-1)]; e != nil; e = e.next {
			if e.key == key {
				return e, false
			}
		}
		if d.rehashIdx < 0 {
			break
		}
	}
	d.expandIfNeeded()
	ht := &d.ht[0]
	if d.rehashIdx >= 0 {
		ht = &d.ht[1]
	}
	if copyKey {
		key = strings.Clone(key)
	}
	i := h & uint64(len(ht.buckets)-1)
	e := &entry[V]{key: key, next: ht.buckets[i]}
	ht.buckets[i] = e
	ht.used++
	return e, true
}

// Prefetch reads what inserting keys will read, and changes nothing: the
// bucket each key hashes to, then the first key stored there. Reading them
// for a batch of keys in two passes, before inserting the batch, lets the
// cache misses of the batch overlap instead of coming one after the other.
// The result only keeps the reads from being optimised away.
func (d *Dict[V]) Prefetch(keys []string) byte {
	ht := &d.ht[0]
	if d.rehashIdx >= 0 {
		ht = &d.ht[1] // where new keys go
	}
	if len(ht.buckets) == 0 {
		return 0
	}
	var heads [64]*entry[V]
	mask := uint64(len(ht.buckets) - 1)
	var sum byte
	for len(keys) > 0 {
		batch := keys[:min(len(keys), len(heads))]
		keys = keys[len(batch):]
		for i, k := range batch {
			heads[i] = ht.buckets[d.hash(k)&mask]
		}
		for _, e := range heads[:len(batch)] {
			if e != nil && len(e.key) > 0 {
				sum += e.key[0]
			}
		}
	}
	return sum
}

// Key returns the stored copy of key, so another table can share it, and
// whether it exists.
func (d *Dict[V]) Key(key string) (string, bool) {
	if e := d.findEntry(key); e != nil {
		return e.key, true
	}
	return "", false
}

func (d *Dict[V]) findEntry(key string) *entry[V] {
	if d.Len() == 0 {
		return nil
	}
	h := d.hash(key)
	for t := 0; t <= 1; t++ {
		ht := &d.ht[t]
		if len(ht.buckets) == 0 {
			break
		}
		for e := ht.buckets[h&uint64(len(ht.buckets)-1)]; e != nil; e = e.next {
			if e.key == key {
				return e
			}
		}
		if d.rehashIdx < 0 {
			break
		}
	}
	return nil
}

// Delete removes key and returns its value.
func (d *Dict[V]) Delete(key string) (V, bool) {
	var zero V
	if d.Len() == 0 {
		return zero, false
	}
	if d.rehashIdx >= 0 {
		d.rehashStep()
	}
	h := d.hash(key)
	for t := 0; t <= 1; t++ {
		ht := &d.ht[t]
		if len(ht.buckets) == 0 {
			break
		}
		i := h & uint64(len(ht.buckets)-1)
		var prev *entry[V]
		for e := ht.buckets[i]; e != nil; prev, e = e, e.next {
			if e.key == key {
				if prev == nil {
					ht.buckets[i] = e.next
				} else {
					prev.next = e.next
				}
				ht.used--
				return e.val, true
			}
		}
		if d.rehashIdx < 0 {
			break
		}
	}
	return zero, false
}

// Clear removes every entry and releases the tables.
func (d *Dict[V]) Clear() {
	d.ht[0] = bucketArray[V]{}
	d.ht[1] = bucketArray[V]{}
	d.rehashIdx = -1
}

func nextPow2(n int) int {
	if n <= initialSize {
		return initialSize
	}
	return 1 << bits.Len(uint(n-1))
}

func (d *Dict[V]) expandIfNeeded() {
	if d.rehashIdx >= 0 {
		return
	}
	size := len(d.ht[0].buckets)
	if size == 0 {
		d.resize(initialSize)
		return
	}
	used := d.ht[0].used
	if (!d.NoResize && used >= size) || used/size > forceResizeRatio {
		d.resize(used + 1)
	}
}

// resize starts rehashing into a table of nextPow2(n) buckets (or installs
// the first table). It reports whether the size changes.
func (d *Dict[V]) resize(n int) bool {
	size := nextPow2(n)
	if size == len(d.ht[0].buckets) {
		return false
	}
	fresh := bucketArray[V]{buckets: make([]*entry[V], size)}
	if len(d.ht[0].buckets) == 0 {
		d.ht[0] = fresh
		return true
	}
	d.ht[1] = fresh
	d.rehashIdx = 0
	return true
}

// Expand makes room for n entries, as Redis's dictExpand, so that loading
// many keys does not rehash step by step.
func (d *Dict[V]) Expand(n int) {
	if d.rehashIdx >= 0 || n <= d.Len() || n <= len(d.ht[0].buckets) {
		return
	}
	d.resize(n)
}

// ShrinkIfNeeded starts shrinking a table that is less than 10% full, as
// Redis's cron does. It reports whether a resize started.
func (d *Dict[V]) ShrinkIfNeeded() bool {
	if d.rehashIdx >= 0 || d.NoResize {
		return false
	}
	size := len(d.ht[0].buckets)
	if size > initialSize && d.ht[0].used*minFillDivisor < size {
		return d.resize(d.ht[0].used)
	}
	return false
}

func (d *Dict[V]) rehashStep() { d.Rehash(1) }

// Rehash moves up to n buckets of an incremental rehash to the new table,
// visiting at most 10n empty buckets. It reports whether work remains.
func (d *Dict[V]) Rehash(n int) bool {
	if d.rehashIdx < 0 {
		return false
	}
	if d.NoResize {
		s0, s1 := len(d.ht[0].buckets), len(d.ht[1].buckets)
		if (s1 > s0 && s1/s0 < forceResizeRatio) || (s1 < s0 && s0/s1 < forceResizeRatio) {
			return true
		}
	}
	emptyVisits := n * 10
	src, dst := &d.ht[0], &d.ht[1]
	mask := uint64(len(dst.buckets) - 1)
	for ; n > 0 && src.used != 0; n-- {
		for src.buckets[d.rehashIdx] == nil {
			d.rehashIdx++
			emptyVisits--
			if emptyVisits == 0 {
				return true
			}
		}
		e := src.buckets[d.rehashIdx]
		for e != nil {
			next := e.next
			i := d.hash(e.key) & mask
			e.next = dst.buckets[i]
			dst.buckets[i] = e
			src.used--
			dst.used++
			e = next
		}
		src.buckets[d.rehashIdx] = nil
		d.rehashIdx++
	}
	if src.used == 0 {
		d.ht[0] = d.ht[1]
		d.ht[1] = bucketArray[V]{}
		d.rehashIdx = -1
		return false
	}
	return true
}

func rev(v uint64) uint64 { return bits.Reverse64(v) }

// Scan visits the entries of the buckets at cursor and returns the next
// cursor; 0 means the scan is complete. Start with cursor 0. fn must not
// modify the Dict. Every entry present from the start to the end of a scan
// is visited at least once; an entry may be visited more than once if the
// table shrinks during the scan.
func (d *Dict[V]) Scan(cursor uint64, fn func(key string, val *V)) uint64 {
	if d.Len() == 0 {
		return 0
	}
	v := cursor
	emit := func(b *entry[V]) {
		for e := b; e != nil; {
			next := e.next
			fn(e.key, &e.val)
			e = next
		}
	}
	if d.rehashIdx < 0 {
		t0 := d.ht[0].buckets
		m0 := uint64(len(t0) - 1)
		emit(t0[v&m0])
		v |= ^m0
		v = rev(rev(v) + 1)
		return v
	}
	t0, t1 := d.ht[0].buckets, d.ht[1].buckets
	if len(t0) > len(t1) {
		t0, t1 = t1, t0
	}
	m0, m1 := uint64(len(t0)-1), uint64(len(t1)-1)
	emit(t0[v&m0])
	for {
		emit(t1[v&m1])
		v |= ^m1
		v = rev(rev(v) + 1)
		if v&(m0^m1) == 0 {
			break
		}
	}
	return v
}

// ForEach calls fn for every entry until fn returns false. fn must not
// modify the Dict. The order is the bucket order, fixed by the seed and the
// history of the table.
func (d *Dict[V]) ForEach(fn func(key string, val *V) bool) {
	for t := 0; t <= 1; t++ {
		for _, b := range d.ht[t].buckets {
			for e := b; e != nil; e = e.next {
				if !fn(e.key, &e.val) {
					return
				}
			}
		}
	}
}

// Random returns a random entry, choosing a non-empty bucket uniformly and
// then an entry of its chain uniformly (Redis's dictGetRandomKey). intn must
// return a uniform integer in [0, n).
func (d *Dict[V]) Random(intn func(n int) int) (string, *V, bool) {
	if d.Len() == 0 {
		return "", nil, false
	}
	if d.rehashIdx >= 0 {
		d.rehashStep()
	}
	var b *entry[V]
	if d.rehashIdx >= 0 {
		s0, s1 := len(d.ht[0].buckets), len(d.ht[1].buckets)
		for b == nil {
			// Buckets below rehashIdx in ht[0] are empty.
			i := d.rehashIdx + intn(s0+s1-d.rehashIdx)
			if i >= s0 {
				b = d.ht[1].buckets[i-s0]
			} else {
				b = d.ht[0].buckets[i]
			}
		}
	} else {
		t := d.ht[0].buckets
		for b == nil {
			b = t[intn(len(t))]
		}
	}
	n := 0
	for e := b; e != nil; e = e.next {
		n++
	}
	k := intn(n)
	for e := b; ; e = e.next {
		if k == 0 {
			return e.key, &e.val, true
		}
		k--
	}
}
