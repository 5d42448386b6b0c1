package keyspace

import (
	"errors"
	"math"
	"unsafe"

	"replab/internal/listpack"
	"replab/internal/num"
)

// List is a list value laid out as Redis 7.0's quicklist: a doubly linked
// chain of nodes, each holding a run of elements packed in a listpack
// (internal/listpack: the exact byte format of Redis's listpack.c, so a node
// can be written to an RDB file as it is). A list costs its packed bytes plus one small node per
// run (about 8 KB of elements with the default list-max-listpack-size), not
// one heap object per element.
//
// Nodes are split, filled and merged with Redis's rules (fill factor,
// 8 KB safety limit, merge around a split), so the node count and packed
// size that DEBUG OBJECT reports match a real Redis fed the same commands.
// list-compress-depth is recorded (DEBUG OBJECT reports it) but nodes are
// never LZF-compressed.
//
// Push and pop at either end are O(1) amortised (plus a memmove inside one
// node, as in Redis); index access walks nodes from the nearer end.
//
// Elements passed in are copied. Elements handed to callbacks or returned
// by methods that take a scratch buffer alias the list or the scratch: they
// are valid until the next change of the list.
type List struct {
	head, tail *listNode
	count      int   // elements
	nodes      int   // nodes in the chain
	fill       int32 // list-max-listpack-size, clamped as Redis does
	compress   int32 // list-compress-depth, clamped as Redis does
}

// listNode is one run of elements.
type listNode struct {
	prev, next *listNode
	lp         []byte // a listpack holding count elements
	count      int32
	// plain marks a node holding a single element of at least
	// qlPackedThreshold bytes, which Redis keeps outside any listpack. Such
	// a node never takes another element nor merges.
	plain bool
}

// Quicklist limits (quicklist.c).
const (
	qlSizeSafetyLimit      = 8192
	qlSizeEstimateOverhead = 8
	qlFillMax              = 1<<15 - 1
	qlFillMin              = -5
	qlCompressMax          = 1<<16 - 1
)

// qlOptimizationLevel is the node size limit of fill -1 ... -5.
var qlOptimizationLevel = [...]int{4096, 8192, 16384, 32768, 65536}

// qlPackedThreshold is the element size from which Redis stores an element
// in a plain node of its own. Tests lower it.
var qlPackedThreshold = 1 << 30

// NewList returns an empty list whose nodes follow fill
// (list-max-listpack-size: negative for a byte limit of 4 KB ... 64 KB,
// positive for an element count) and compress (list-compress-depth). Out of
// range values are clamped as Redis clamps them.
func NewList(fill, compress int) *List {
	if fill > qlFillMax {
		fill = qlFillMax
	} else if fill < qlFillMin {
		fill = qlFillMin
	}
	if compress > qlCompressMax {
		compress = qlCompressMax
	} else if compress < 0 {
		compress = 0
	}
	return &List{fill: int32(fill), compress: int32(compress)}
}

// NewListValue returns a list value holding l.
func NewListValue(l *List) Value { return pointerValue(KindList, unsafe.Pointer(l)) }

// AsList returns the list of a list value, or nil for other kinds.
func (v *Value) AsList() *List {
	if v.kind != KindList {
		return nil
	}
	return (*List)(v.ptr)
}

func init() {
	dupFuncs[KindList] = func(v *Value) Value { return NewListValue(v.AsList().Dup()) }
	encodingNames[KindList] = func(*Value) string { return "quicklist" }
}

// Len returns the number of elements.
func (l *List) Len() int { return l.count }

// Nodes returns the number of quicklist nodes.
func (l *List) Nodes() int { return l.nodes }

// Fill returns the list's fill factor (list-max-listpack-size when it was
// created, clamped).
func (l *List) Fill() int { return int(l.fill) }

// CompressDepth returns the list's compress depth.
func (l *List) CompressDepth() int { return int(l.compress) }

// PackedSize returns the sum of the node sizes as Redis counts them (the
// listpack bytes of packed nodes, the element size of plain ones).
func (l *List) PackedSize() int {
	total := 0
	for n := l.head; n != nil; n = n.next {
		total += n.size()
	}
	return total
}

// ForEachNode calls fn with each node's listpack, head first, until fn
// returns false. plain reports a node Redis keeps unpacked (its listpack
// holds the single element). fn must not keep or change lp.
func (l *List) ForEachNode(fn func(lp []byte, plain bool) bool) {
	for n := l.head; n != nil; n = n.next {
		if !fn(n.lp, n.plain) {
			return
		}
	}
}

// ErrBadListpack reports a listpack that AppendListpack refused.
var ErrBadListpack = errors.New("keyspace: invalid listpack")

// AppendListpack appends a node made of lp (a listpack, as an RDB file
// stores a quicklist node) at the tail, taking ownership of lp. An empty
// listpack is ignored. It validates lp entirely and refuses a malformed one
// without changing the list.
func (l *List) AppendListpack(lp []byte) error {
	count, err := listpack.Validate(lp)
	if err != nil {
		return ErrBadListpack
	}
	if count == 0 {
		return nil
	}
	if count > math.MaxUint16 {
		return ErrBadListpack
	}
	n := &listNode{lp: lp, count: int32(count)}
	n.syncHeader()
	l.linkAfter(l.tail, n)
	l.count += count
	return nil
}

// size is the node size Redis's quicklist accounts (node->sz).
func (n *listNode) size() int {
	if n.plain {
		s, _, _, _ := listpack.Decode(n.lp, listpack.HeaderSize)
		return len(s)
	}
	return len(n.lp)
}

// Nodes.

// qlNewNode returns a packed node holding elem.
func qlNewNode(elem []byte, plain bool) *listNode {
	lp := make([]byte, listpack.HeaderSize, listpack.HeaderSize+listpack.EntryLen(elem)+1)
	lp = listpack.AppendEntry(lp, elem)
	lp = append(lp, listpack.End)
	n := &listNode{lp: lp, count: 1, plain: plain}
	n.syncHeader()
	return n
}

// syncHeader writes the listpack header from the node's size and count.
func (n *listNode) syncHeader() { listpack.SetHeader(n.lp, int(n.count)) }

// splice replaces the del bytes at pos with elem's entry (elem nil: only
// deletes) and adjusts the count by dcount.
func (n *listNode) splice(pos, del int, elem []byte, dcount int) {
	size := 0
	if elem != nil {
		size = listpack.EntryLen(elem)
	}
	old := len(n.lp)
	lp := n.lp
	if delta := size - del; delta > 0 {
		lp = append(lp, make([]byte, delta)...)
	}
	copy(lp[pos+size:], lp[pos+del:old])
	lp = lp[:old+size-del]
	if elem != nil {
		listpack.AppendEntry(lp[pos:pos], elem)
	}
	n.lp = lp
	n.count += int32(dcount)
	n.syncHeader()
}

// shrink drops excess capacity of a node that is unlikely to grow again.
func (n *listNode) shrink() {
	if cap(n.lp)-len(n.lp) > len(n.lp)/8 {
		n.lp = append(make([]byte, 0, len(n.lp)), n.lp...)
	}
}

// entryPos returns the position of the element at offset off, walking from
// the nearer end of the node.
func (n *listNode) entryPos(off int) int {
	if off < int(n.count)/2 {
		pos := listpack.HeaderSize
		for k := 0; k < off; k++ {
			pos += listpack.SizeAt(n.lp, pos)
		}
		return pos
	}
	pos := len(n.lp) - 1
	for k := int(n.count); k > off; k-- {
		pos = listpack.Prev(n.lp, pos)
	}
	return pos
}

// linkAfter links n after old (or as the only node when the list is
// empty); linkBefore before it.
func (l *List) linkAfter(old, n *listNode) {
	if old == nil {
		l.linkFirst(n)
		return
	}
	n.prev, n.next = old, old.next
	if old.next != nil {
		old.next.prev = n
	} else {
		l.tail = n
	}
	old.next = n
	l.nodes++
}

func (l *List) linkBefore(old, n *listNode) {
	if old == nil {
		l.linkFirst(n)
		return
	}
	n.next, n.prev = old, old.prev
	if old.prev != nil {
		old.prev.next = n
	} else {
		l.head = n
	}
	old.prev = n
	l.nodes++
}

func (l *List) linkFirst(n *listNode) {
	n.prev, n.next = nil, nil
	l.head, l.tail = n, n
	l.nodes = 1
}

// unlink removes n from the chain and its elements from the count.
func (l *List) unlink(n *listNode) {
	if n.prev != nil {
		n.prev.next = n.next
	} else {
		l.head = n.next
	}
	if n.next != nil {
		n.next.prev = n.prev
	} else {
		l.tail = n.prev
	}
	n.prev, n.next = nil, nil
	l.nodes--
	l.count -= int(n.count)
}

func qlMeetsOptimization(sz int, fill int32) bool {
	if fill >= 0 {
		return false
	}
	off := int(-fill) - 1
	return off < len(qlOptimizationLevel) && sz <= qlOptimizationLevel[off]
}

// allowInsert reports whether node n may take an element of sz bytes
// (_quicklistNodeAllowInsert).
func (l *List) allowInsert(n *listNode, sz int) bool {
	if n == nil || n.plain || sz >= qlPackedThreshold {
		return false
	}
	newSz := len(n.lp) + sz + qlSizeEstimateOverhead
	if qlMeetsOptimization(newSz, l.fill) {
		return true
	}
	if newSz > qlSizeSafetyLimit {
		return false
	}
	return int(n.count) < int(l.fill)
}

// allowMerge reports whether nodes a and b may be merged
// (_quicklistNodeAllowMerge).
func (l *List) allowMerge(a, b *listNode) bool {
	if a == nil || b == nil || a.plain || b.plain {
		return false
	}
	sz := len(a.lp) + len(b.lp) - 11
	if qlMeetsOptimization(sz, l.fill) {
		return true
	}
	if sz > qlSizeSafetyLimit {
		return false
	}
	return int(a.count)+int(b.count) <= int(l.fill)
}

// merge appends b's elements to a (its left neighbour), drops b and
// returns a.
func (l *List) merge(a, b *listNode) *listNode {
	body := b.lp[listpack.HeaderSize : len(b.lp)-1]
	lp := append(a.lp[:len(a.lp)-1], body...)
	a.lp = append(lp, listpack.End)
	cnt := b.count
	l.unlink(b)
	l.count += int(cnt)
	a.count += cnt
	a.syncHeader()
	return a
}

// mergeAround tries to merge the nodes around center, as Redis does after
// splitting a node (_quicklistMergeNodes).
func (l *List) mergeAround(center *listNode) {
	var prev, prevPrev, next, nextNext *listNode
	if center.prev != nil {
		prev = center.prev
		prevPrev = prev.prev
	}
	if center.next != nil {
		next = center.next
		nextNext = next.next
	}
	if l.allowMerge(prev, prevPrev) {
		l.merge(prevPrev, prev)
	}
	if l.allowMerge(next, nextNext) {
		l.merge(next, nextNext)
	}
	target := center
	if l.allowMerge(center, center.prev) {
		target = l.merge(center.prev, center)
	}
	if l.allowMerge(target, target.next) {
		l.merge(target, target.next)
	}
}

// split cuts node n at element offset off. With after, n keeps [0, off] and
// the returned node holds the rest; otherwise the returned node holds
// [0, off) and n keeps the rest. The new node is not linked.
func (l *List) split(n *listNode, off int, after bool) *listNode {
	cut := off
	if after {
		cut = off + 1
	}
	pos := n.entryPos(cut)
	left := n.lp[listpack.HeaderSize:pos]
	right := n.lp[pos : len(n.lp)-1]
	mk := func(body []byte) []byte {
		lp := make([]byte, listpack.HeaderSize, listpack.HeaderSize+len(body)+1)
		return append(append(lp, body...), listpack.End)
	}
	total := int(n.count)
	nn := &listNode{}
	if after {
		nn.lp, nn.count = mk(right), int32(total-cut)
		n.lp, n.count = mk(left), int32(cut)
	} else {
		nn.lp, nn.count = mk(left), int32(cut)
		n.lp, n.count = mk(right), int32(total-cut)
	}
	n.syncHeader()
	nn.syncHeader()
	return nn
}

// Cursors.

// listCursor is the position of one element.
type listCursor struct {
	node *listNode
	pos  int // of the entry in node.lp
	off  int // of the element in the node
}

// seek returns a cursor at element i (0 <= i < Len()), walking from the
// nearer end.
func (l *List) seek(i int) (listCursor, bool) {
	if i < 0 || i >= l.count {
		return listCursor{}, false
	}
	var n *listNode
	var off int
	if i <= (l.count-1)/2 {
		acc := 0
		for n = l.head; acc+int(n.count) <= i; n = n.next {
			acc += int(n.count)
		}
		off = i - acc
	} else {
		fromTail := l.count - 1 - i
		acc := 0
		for n = l.tail; acc+int(n.count) <= fromTail; n = n.prev {
			acc += int(n.count)
		}
		off = int(n.count) - 1 - (fromTail - acc)
	}
	return listCursor{node: n, off: off, pos: n.entryPos(off)}, true
}

// next moves to the following element; false at the end.
func (c *listCursor) next() bool {
	c.pos += listpack.SizeAt(c.node.lp, c.pos)
	c.off++
	if c.off >= int(c.node.count) {
		c.node = c.node.next
		if c.node == nil {
			return false
		}
		c.off, c.pos = 0, listpack.HeaderSize
	}
	return true
}

// prev moves to the preceding element; false at the start.
func (c *listCursor) prev() bool {
	if c.off == 0 {
		c.node = c.node.prev
		if c.node == nil {
			return false
		}
		c.off = int(c.node.count) - 1
		c.pos = listpack.Prev(c.node.lp, len(c.node.lp)-1)
		return true
	}
	c.off--
	c.pos = listpack.Prev(c.node.lp, c.pos)
	return true
}

// qlMatcher compares entries with one element without formatting
// integers: a canonical integer can only equal an integer entry, anything
// else only a string entry.
type qlMatcher struct {
	s     []byte
	v     int64
	isInt bool
}

func newMatcher(elem []byte) qlMatcher {
	v, ok := num.ParseInt(elem)
	return qlMatcher{s: elem, v: v, isInt: ok}
}

func (m *qlMatcher) match(lp []byte, pos int) bool {
	s, v, isInt, _ := listpack.Decode(lp, pos)
	if isInt != m.isInt {
		return false
	}
	if isInt {
		return v == m.v
	}
	return string(s) == string(m.s)
}

// Operations.

// Push adds elem at the head (head true) or the tail.
func (l *List) Push(elem []byte, head bool) {
	if len(elem) >= qlPackedThreshold {
		if head {
			l.linkBefore(l.head, qlNewNode(elem, true))
		} else {
			l.linkAfter(l.tail, qlNewNode(elem, true))
		}
		l.count++
		return
	}
	if head {
		if l.allowInsert(l.head, len(elem)) {
			l.head.splice(listpack.HeaderSize, 0, elem, 1)
		} else {
			if l.head != nil {
				l.head.shrink()
			}
			l.linkBefore(l.head, qlNewNode(elem, false))
		}
	} else {
		if l.allowInsert(l.tail, len(elem)) {
			l.tail.splice(len(l.tail.lp)-1, 0, elem, 1)
		} else {
			if l.tail != nil {
				l.tail.shrink()
			}
			l.linkAfter(l.tail, qlNewNode(elem, false))
		}
	}
	l.count++
}

// Pop removes the head (head true) or tail element and returns it appended
// to dst; false when the list is empty.
func (l *List) Pop(head bool, dst []byte) ([]byte, bool) {
	if l.count == 0 {
		return dst, false
	}
	n := l.tail
	if head {
		n = l.head
	}
	pos := listpack.HeaderSize
	if !head {
		pos = listpack.Prev(n.lp, len(n.lp)-1)
	}
	var scratch [24]byte
	dst = append(dst, listpack.BytesAt(n.lp, pos, scratch[:0])...)
	l.deleteAt(listCursor{node: n, pos: pos, off: 0})
	return dst, true
}

// deleteAt deletes the element at c (c.off is not used); an emptied node is
// unlinked. It reports whether the node went away.
func (l *List) deleteAt(c listCursor) bool {
	n := c.node
	if n.count == 1 {
		l.unlink(n)
		return true
	}
	n.splice(c.pos, listpack.SizeAt(n.lp, c.pos), nil, -1)
	l.count--
	return false
}

// Index returns element i (negative counts from the tail: -1 is the last),
// formatting integers into scratch.
func (l *List) Index(i int, scratch []byte) ([]byte, bool) {
	if i < 0 {
		i += l.count
	}
	c, ok := l.seek(i)
	if !ok {
		return nil, false
	}
	return listpack.BytesAt(c.node.lp, c.pos, scratch), true
}

// Set replaces element i (negative counts from the tail) with elem; false
// when i is out of range.
func (l *List) Set(i int, elem []byte) bool {
	if i < 0 {
		i += l.count
	}
	c, ok := l.seek(i)
	if !ok {
		return false
	}
	n := c.node
	large := len(elem) >= qlPackedThreshold
	switch {
	case !n.plain && !large:
		n.splice(c.pos, listpack.SizeAt(n.lp, c.pos), elem, 0)
	case n.plain && large:
		nn := qlNewNode(elem, true)
		n.lp = nn.lp
	case n.plain:
		l.insertAt(c, elem, true)
		l.unlink(n)
	default:
		l.insertAt(c, elem, true)
		if n.count == 1 {
			l.unlink(n)
		} else {
			l.deleteAt(listCursor{node: n, pos: listpack.Prev(n.lp, len(n.lp)-1)})
		}
	}
	return true
}

// insertAt inserts elem after (or before) the element at c, with Redis's
// node rules (_quicklistInsert).
func (l *List) insertAt(c listCursor, elem []byte, after bool) {
	n := c.node
	sz := len(elem)
	full := !l.allowInsert(n, sz)
	atTail := after && c.off == int(n.count)-1
	atHead := !after && c.off == 0
	availNext := atTail && l.allowInsert(n.next, sz)
	availPrev := atHead && l.allowInsert(n.prev, sz)
	l.count++
	if sz >= qlPackedThreshold {
		if n.plain || atTail || atHead {
			if after {
				l.linkAfter(n, qlNewNode(elem, true))
			} else {
				l.linkBefore(n, qlNewNode(elem, true))
			}
			return
		}
		nn := l.split(n, c.off, after)
		p := qlNewNode(elem, true)
		if after {
			l.linkAfter(n, p)
			l.linkAfter(p, nn)
		} else {
			l.linkBefore(n, p)
			l.linkBefore(p, nn)
		}
		return
	}
	switch {
	case !full && after:
		n.splice(c.pos+listpack.SizeAt(n.lp, c.pos), 0, elem, 1)
	case !full:
		n.splice(c.pos, 0, elem, 1)
	case atTail && availNext:
		n.next.splice(listpack.HeaderSize, 0, elem, 1)
	case atHead && availPrev:
		n.prev.splice(len(n.prev.lp)-1, 0, elem, 1)
	case atTail || atHead:
		if after {
			l.linkAfter(n, qlNewNode(elem, false))
		} else {
			l.linkBefore(n, qlNewNode(elem, false))
		}
	default:
		nn := l.split(n, c.off, after)
		if after {
			nn.splice(listpack.HeaderSize, 0, elem, 1)
			l.linkAfter(n, nn)
		} else {
			nn.splice(len(nn.lp)-1, 0, elem, 1)
			l.linkBefore(n, nn)
		}
		l.mergeAround(n)
	}
}

// Insert inserts elem after (or before) the first element equal to pivot,
// searching from the head. It reports whether pivot was found.
func (l *List) Insert(pivot, elem []byte, after bool) bool {
	if l.count == 0 {
		return false
	}
	m := newMatcher(pivot)
	c := listCursor{node: l.head, pos: listpack.HeaderSize}
	for {
		if m.match(c.node.lp, c.pos) {
			l.insertAt(c, elem, after)
			return true
		}
		if !c.next() {
			return false
		}
	}
}

// Iterate calls fn with the elements from index start (0 <= start <
// Len()), towards the tail or, with reverse, towards the head, until fn
// returns false or the list ends. fn must not change the list.
func (l *List) Iterate(start int, reverse bool, fn func(elem []byte) bool) {
	c, ok := l.seek(start)
	if !ok {
		return
	}
	var scratch [24]byte
	for {
		if !fn(listpack.BytesAt(c.node.lp, c.pos, scratch[:0])) {
			return
		}
		if reverse {
			ok = c.prev()
		} else {
			ok = c.next()
		}
		if !ok {
			return
		}
	}
}

// Find calls fn with the index of each element equal to elem, scanning from
// the head (or from the tail with fromTail) at most maxScan elements (0:
// all), until fn returns false.
func (l *List) Find(elem []byte, fromTail bool, maxScan int, fn func(idx int) bool) {
	if l.count == 0 {
		return
	}
	m := newMatcher(elem)
	var c listCursor
	if fromTail {
		c = listCursor{node: l.tail, off: int(l.tail.count) - 1, pos: listpack.Prev(l.tail.lp, len(l.tail.lp)-1)}
	} else {
		c = listCursor{node: l.head, pos: listpack.HeaderSize}
	}
	for scanned := 0; maxScan == 0 || scanned < maxScan; scanned++ {
		if m.match(c.node.lp, c.pos) {
			idx := scanned
			if fromTail {
				idx = l.count - 1 - scanned
			}
			if !fn(idx) {
				return
			}
		}
		var ok bool
		if fromTail {
			ok = c.prev()
		} else {
			ok = c.next()
		}
		if !ok {
			return
		}
	}
}

// Remove deletes elements equal to elem: the first count from the head
// when count > 0, the last -count from the tail when count < 0, all when
// count is 0. It returns how many it removed.
func (l *List) Remove(elem []byte, count int) int {
	if l.count == 0 {
		return 0
	}
	m := newMatcher(elem)
	limit := count
	fromTail := count < 0
	if fromTail {
		limit = -count
	}
	removed := 0
	if !fromTail {
		n := l.head
		for n != nil {
			next := n.next
			pos := listpack.HeaderSize
			for pos < len(n.lp)-1 {
				if m.match(n.lp, pos) {
					removed++
					if l.deleteAt(listCursor{node: n, pos: pos}) {
						break
					}
					if limit != 0 && removed == limit {
						return removed
					}
					continue
				}
				pos += listpack.SizeAt(n.lp, pos)
			}
			if limit != 0 && removed == limit {
				return removed
			}
			n = next
		}
		return removed
	}
	n := l.tail
	for n != nil {
		prevNode := n.prev
		pos := len(n.lp) - 1
		for pos > listpack.HeaderSize {
			pos = listpack.Prev(n.lp, pos)
			if m.match(n.lp, pos) {
				removed++
				if l.deleteAt(listCursor{node: n, pos: pos}) {
					break
				}
				if removed == limit {
					return removed
				}
			}
		}
		if removed == limit {
			return removed
		}
		n = prevNode
	}
	return removed
}

// DeleteRange deletes count elements from index start (0 <= start,
// start+count <= Len()).
func (l *List) DeleteRange(start, count int) {
	if count <= 0 || start < 0 || start >= l.count {
		return
	}
	if start+count > l.count {
		count = l.count - start
	}
	c, _ := l.seek(start)
	n, off := c.node, c.off
	for count > 0 {
		next := n.next
		del := int(n.count) - off
		if del > count {
			del = count
		}
		if off == 0 && del == int(n.count) {
			l.unlink(n)
		} else {
			from := n.entryPos(off)
			to := len(n.lp) - 1
			if off+del < int(n.count) {
				to = from
				for k := 0; k < del; k++ {
					to += listpack.SizeAt(n.lp, to)
				}
			}
			n.splice(from, to-from, nil, -del)
			l.count -= del
		}
		count -= del
		n, off = next, 0
	}
}

// Dup returns a deep copy of the list with the same node layout.
func (l *List) Dup() *List {
	cp := &List{fill: l.fill, compress: l.compress}
	for n := l.head; n != nil; n = n.next {
		nn := &listNode{lp: append([]byte(nil), n.lp...), count: n.count, plain: n.plain}
		cp.linkAfter(cp.tail, nn)
	}
	cp.count = l.count
	return cp
}
