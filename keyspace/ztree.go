package keyspace

// zTree is an order-statistic B+tree of (score, member) pairs ordered by
// score, then by member bytes: the ordered half of the "skiplist" encoding of
// a sorted set (the other half is a Dict from member to score). Every node
// knows how many elements its subtree holds, so rank lookups, access by rank
// and range counts cost O(log n). Elements live packed in the leaves (24
// bytes each, no per-element allocation); the member strings are shared with
// the Dict's keys.
//
// An internal node keeps, for each child, a copy of the child's first
// element, so that searches never descend only to find a separator.
type zTree struct {
	root *zNode
}

// zItem is one element of a sorted set.
type zItem struct {
	member string
	score  float64
}

// zNode is a leaf (kids == nil: items are the elements) or an internal node
// (items[i] is the first element of kids[i]).
type zNode struct {
	items []zItem
	kids  []*zNode
	size  int // elements in the subtree
}

const (
	zLeafMax  = 128 // elements per leaf
	zInnerMax = 64  // children per internal node
	zLeafMin  = zLeafMax / 4
	zInnerMin = zInnerMax / 4
)

// zLess reports whether (s1, m1) orders before (s2, m2).
func zLess(s1 float64, m1 string, s2 float64, m2 string) bool {
	return s1 < s2 || (s1 == s2 && m1 < m2)
}

func (n *zNode) leaf() bool { return n.kids == nil }

func (n *zNode) first() zItem { return n.items[0] }

func newLeaf() *zNode { return &zNode{items: make([]zItem, 0, zLeafMax+1)} }

func newInner() *zNode {
	return &zNode{items: make([]zItem, 0, zInnerMax+1), kids: make([]*zNode, 0, zInnerMax+1)}
}

// Len returns the number of elements.
func (t *zTree) Len() int {
	if t.root == nil {
		return 0
	}
	return t.root.size
}

// childFor returns the index of the child of internal node n whose range
// holds (score, member): the last child whose first element is not after it.
func (n *zNode) childFor(score float64, member string) int {
	lo, hi := 0, len(n.items) // first i with (score, member) < items[i]
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		it := &n.items[m]
		if zLess(score, member, it.score, it.member) {
			hi = m
		} else {
			lo = m + 1
		}
	}
	if lo == 0 {
		return 0
	}
	return lo - 1
}

// leafPos returns the first index of leaf n whose element is not before
// (score, member).
func (n *zNode) leafPos(score float64, member string) int {
	lo, hi := 0, len(n.items)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		it := &n.items[m]
		if zLess(it.score, it.member, score, member) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// Insert adds (score, member), which must not be present.
func (t *zTree) Insert(score float64, member string) {
	if t.root == nil {
		t.root = newLeaf()
	}
	if right := t.root.insert(score, member); right != nil {
		r := newInner()
		r.kids = append(r.kids, t.root, right)
		r.items = append(r.items, t.root.first(), right.first())
		r.size = t.root.size + right.size
		t.root = r
	}
}

// insert adds the element under n and returns a new right sibling when n
// had to split.
func (n *zNode) insert(score float64, member string) *zNode {
	n.size++
	if n.leaf() {
		p := n.leafPos(score, member)
		n.items = append(n.items, zItem{})
		copy(n.items[p+1:], n.items[p:])
		n.items[p] = zItem{member: member, score: score}
		if len(n.items) <= zLeafMax {
			return nil
		}
		return n.splitLeaf(p)
	}
	i := n.childFor(score, member)
	kid := n.kids[i]
	right := kid.insert(score, member)
	n.items[i] = kid.first()
	if right == nil {
		return nil
	}
	n.kids = append(n.kids, nil)
	copy(n.kids[i+2:], n.kids[i+1:])
	n.kids[i+1] = right
	n.items = append(n.items, zItem{})
	copy(n.items[i+2:], n.items[i+1:])
	n.items[i+1] = right.first()
	if len(n.kids) <= zInnerMax {
		return nil
	}
	return n.splitInner(i + 1)
}

// splitAt chooses where an overfull node of length l splits after an
// insertion at p: appends at either end (sequential loads) leave the old
// node full, anything else splits in the middle.
func splitAt(l, p int) int {
	switch p {
	case l - 1:
		return l - 1
	case 0:
		return 1
	}
	return l / 2
}

func (n *zNode) splitLeaf(p int) *zNode {
	at := splitAt(len(n.items), p)
	right := newLeaf()
	right.items = append(right.items, n.items[at:]...)
	clear(n.items[at:])
	n.items = n.items[:at]
	right.size = len(right.items)
	n.size = len(n.items)
	return right
}

func (n *zNode) splitInner(p int) *zNode {
	at := splitAt(len(n.kids), p)
	right := newInner()
	right.kids = append(right.kids, n.kids[at:]...)
	right.items = append(right.items, n.items[at:]...)
	clear(n.kids[at:])
	clear(n.items[at:])
	n.kids = n.kids[:at]
	n.items = n.items[:at]
	for _, k := range right.kids {
		right.size += k.size
	}
	n.size -= right.size
	return right
}

// Delete removes (score, member) and returns the stored member string; ok is
// false when the element is not in the tree.
func (t *zTree) Delete(score float64, member string) (string, bool) {
	if t.root == nil {
		return "", false
	}
	m, ok := t.root.delete(score, member)
	if !ok {
		return "", false
	}
	for !t.root.leaf() && len(t.root.kids) == 1 {
		t.root = t.root.kids[0]
	}
	if t.root.size == 0 {
		t.root = nil
	}
	return m, true
}

func (n *zNode) delete(score float64, member string) (string, bool) {
	if n.leaf() {
		p := n.leafPos(score, member)
		if p == len(n.items) || n.items[p].score != score || n.items[p].member != member {
			return "", false
		}
		m := n.items[p].member
		copy(n.items[p:], n.items[p+1:])
		n.items[len(n.items)-1] = zItem{}
		n.items = n.items[:len(n.items)-1]
		n.size--
		return m, true
	}
	i := n.childFor(score, member)
	kid := n.kids[i]
	m, ok := kid.delete(score, member)
	if !ok {
		return "", false
	}
	n.size--
	n.fixChild(i)
	return m, true
}

// fixChild restores the invariants of n after the subtree of kids[i] lost
// elements: an empty child is dropped, a thin child is merged with a
// neighbour when both fit in one node, and the first-element copies are
// refreshed.
func (n *zNode) fixChild(i int) {
	kid := n.kids[i]
	if kid.size == 0 {
		n.removeKid(i)
		return
	}
	n.items[i] = kid.first()
	thin := (kid.leaf() && len(kid.items) < zLeafMin) || (!kid.leaf() && len(kid.kids) < zInnerMin)
	if !thin || len(n.kids) < 2 {
		return
	}
	j := i + 1 // merge kids[i] and kids[i+1], or kids[i-1] and kids[i]
	if j == len(n.kids) {
		i, j = i-1, i
	}
	a, b := n.kids[i], n.kids[j]
	if a.leaf() {
		if len(a.items)+len(b.items) > zLeafMax {
			return
		}
		a.items = append(a.items, b.items...)
	} else {
		if len(a.kids)+len(b.kids) > zInnerMax {
			return
		}
		a.kids = append(a.kids, b.kids...)
		a.items = append(a.items, b.items...)
	}
	a.size += b.size
	n.items[i] = a.first()
	n.removeKid(j)
}

func (n *zNode) removeKid(i int) {
	copy(n.kids[i:], n.kids[i+1:])
	n.kids[len(n.kids)-1] = nil
	n.kids = n.kids[:len(n.kids)-1]
	copy(n.items[i:], n.items[i+1:])
	n.items[len(n.items)-1] = zItem{}
	n.items = n.items[:len(n.items)-1]
}

// Rank returns the 0-based rank of (score, member), which must be present;
// ok is false when it is not.
func (t *zTree) Rank(score float64, member string) (int, bool) {
	n := t.root
	if n == nil {
		return 0, false
	}
	rank := 0
	for !n.leaf() {
		i := n.childFor(score, member)
		for _, k := range n.kids[:i] {
			rank += k.size
		}
		n = n.kids[i]
	}
	p := n.leafPos(score, member)
	if p == len(n.items) || n.items[p].score != score || n.items[p].member != member {
		return 0, false
	}
	return rank + p, true
}

// At returns the element of rank r (0 <= r < Len()).
func (t *zTree) At(r int) zItem {
	n := t.root
	for !n.leaf() {
		i := 0
		for r >= n.kids[i].size {
			r -= n.kids[i].size
			i++
		}
		n = n.kids[i]
	}
	return n.items[r]
}

// Search returns the first rank whose element satisfies pred, for a pred
// that is false then true along the order (Len() when it is never true).
func (t *zTree) Search(pred func(score float64, member string) bool) int {
	n := t.root
	if n == nil {
		return 0
	}
	base := 0
	for !n.leaf() {
		j := 0 // first child whose first element satisfies pred
		lo, hi := 0, len(n.items)
		for lo < hi {
			m := int(uint(lo+hi) >> 1)
			if pred(n.items[m].score, n.items[m].member) {
				hi = m
			} else {
				lo = m + 1
			}
		}
		j = lo
		if j == 0 {
			return base
		}
		for _, k := range n.kids[:j-1] {
			base += k.size
		}
		n = n.kids[j-1]
	}
	lo, hi := 0, len(n.items)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if pred(n.items[m].score, n.items[m].member) {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return base + lo
}

// Walk calls fn for the elements from rank r onward (towards higher ranks,
// or towards lower ones when rev) until fn returns false or the elements
// run out. The tree must not change during the walk.
func (t *zTree) Walk(r int, rev bool, fn func(score float64, member string) bool) {
	if t.root == nil || r < 0 || r >= t.root.size {
		return
	}
	if rev {
		t.root.walkRev(r, fn)
	} else {
		t.root.walk(r, fn)
	}
}

func (n *zNode) walk(r int, fn func(float64, string) bool) bool {
	if n.leaf() {
		for _, it := range n.items[r:] {
			if !fn(it.score, it.member) {
				return false
			}
		}
		return true
	}
	i := 0
	for r >= n.kids[i].size {
		r -= n.kids[i].size
		i++
	}
	for ; i < len(n.kids); i++ {
		if !n.kids[i].walk(r, fn) {
			return false
		}
		r = 0
	}
	return true
}

// walkRev visits rank r and below, in decreasing order.
func (n *zNode) walkRev(r int, fn func(float64, string) bool) bool {
	if n.leaf() {
		for k := r; k >= 0; k-- {
			if !fn(n.items[k].score, n.items[k].member) {
				return false
			}
		}
		return true
	}
	i := 0
	for r >= n.kids[i].size {
		r -= n.kids[i].size
		i++
	}
	for ; i >= 0; i-- {
		if !n.kids[i].walkRev(r, fn) {
			return false
		}
		if i > 0 {
			r = n.kids[i-1].size - 1
		}
	}
	return true
}

// check verifies the structural invariants (for tests): sizes, first-element
// copies, order, and that no node but the root is empty.
func (t *zTree) check() bool {
	if t.root == nil {
		return true
	}
	var prev *zItem
	var rec func(n *zNode) (int, bool)
	rec = func(n *zNode) (int, bool) {
		if n.leaf() {
			if len(n.items) == 0 || len(n.items) > zLeafMax {
				return 0, false
			}
			for k := range n.items {
				it := &n.items[k]
				if prev != nil && !zLess(prev.score, prev.member, it.score, it.member) {
					return 0, false
				}
				prev = it
			}
			return len(n.items), len(n.items) == n.size
		}
		if len(n.kids) == 0 || len(n.kids) != len(n.items) || len(n.kids) > zInnerMax {
			return 0, false
		}
		total := 0
		for i, k := range n.kids {
			if k.first() != n.items[i] {
				return 0, false
			}
			s, ok := rec(k)
			if !ok {
				return 0, false
			}
			total += s
		}
		return total, total == n.size
	}
	_, ok := rec(t.root)
	return ok
}
