package node

import (
	"math"
	"sort"

	"replab/keyspace"
)

// Set commands, as Redis 7.0's t_set.c.

// setLimits returns the set encoding thresholds of the configuration.
func (n *Node) setLimits() keyspace.SetLimits {
	return keyspace.SetLimits{MaxIntsetEntries: n.cfg.SetMaxIntsetEntries, Seed: n.ks.Seed()}
}

// lookupSetRead finds the set at key for reading. It returns nil and false
// after replying WRONGTYPE, nil and true when the key is missing.
func (n *Node) lookupSetRead(c *client, key []byte) (*keyspace.Set, bool) {
	v := n.lookupRead(c, key)
	if v == nil {
		return nil, true
	}
	if !n.checkType(c, v, keyspace.KindSet) {
		return nil, false
	}
	return v.AsSet(), true
}

// lookupSetWrite is lookupSetRead for a key about to change.
func (n *Node) lookupSetWrite(c *client, key []byte) (*keyspace.Set, bool) {
	v := n.lookupWrite(c, key)
	if v == nil {
		return nil, true
	}
	if !n.checkType(c, v, keyspace.KindSet) {
		return nil, false
	}
	return v.AsSet(), true
}

func cmdSAdd(n *Node, c *client) {
	key := c.args[1]
	s, ok := n.lookupSetWrite(c, key)
	if !ok {
		return
	}
	lim := n.setLimits()
	if s == nil {
		s = keyspace.NewSetFor(c.args[2], lim)
		n.dbAdd(c, c.db, key, keyspace.NewSetValue(s))
	}
	added := 0
	for _, m := range c.args[2:] {
		if s.Add(m, lim) {
			added++
		}
	}
	if added > 0 {
		n.signalModifiedKey(c, c.db, key)
		n.notifyKeyspaceEvent(NotifySet, "sadd", string(key), c.db.ID)
	}
	n.dirty += int64(added)
	c.int(int64(added))
}

func cmdSRem(n *Node, c *client) {
	key := c.args[1]
	s, ok := n.lookupSetWrite(c, key)
	if !ok {
		return
	}
	if s == nil {
		c.int(0)
		return
	}
	deleted := 0
	removed := false
	for _, m := range c.args[2:] {
		if s.Remove(m) {
			deleted++
			if s.Len() == 0 {
				n.dbDelete(c, c.db, key)
				removed = true
				break
			}
		}
	}
	if deleted > 0 {
		n.signalModifiedKey(c, c.db, key)
		n.notifyKeyspaceEvent(NotifySet, "srem", string(key), c.db.ID)
		if removed {
			n.notifyKeyspaceEvent(NotifyGeneric, "del", string(key), c.db.ID)
		}
		n.dirty += int64(deleted)
	}
	c.int(int64(deleted))
}

func cmdSMove(n *Node, c *client) {
	srcKey, dstKey, member := c.args[1], c.args[2], c.args[3]
	srcV := n.lookupWrite(c, srcKey)
	dstV := n.lookupWrite(c, dstKey)
	if srcV == nil {
		c.int(0)
		return
	}
	if !n.checkType(c, srcV, keyspace.KindSet) || !n.checkType(c, dstV, keyspace.KindSet) {
		return
	}
	src := srcV.AsSet()
	var dst *keyspace.Set
	if dstV != nil {
		dst = dstV.AsSet()
	}
	if src == dst {
		if src.Has(member) {
			c.int(1)
		} else {
			c.int(0)
		}
		return
	}
	if !src.Remove(member) {
		c.int(0)
		return
	}
	n.notifyKeyspaceEvent(NotifySet, "srem", string(srcKey), c.db.ID)
	if src.Len() == 0 {
		n.dbDelete(c, c.db, srcKey)
		n.notifyKeyspaceEvent(NotifyGeneric, "del", string(srcKey), c.db.ID)
	}
	lim := n.setLimits()
	if dst == nil {
		dst = keyspace.NewSetFor(member, lim)
		n.dbAdd(c, c.db, dstKey, keyspace.NewSetValue(dst))
	}
	n.signalModifiedKey(c, c.db, srcKey)
	n.dirty++
	if dst.Add(member, lim) {
		n.dirty++
		n.signalModifiedKey(c, c.db, dstKey)
		n.notifyKeyspaceEvent(NotifySet, "sadd", string(dstKey), c.db.ID)
	}
	c.int(1)
}

func cmdSIsMember(n *Node, c *client) {
	s, ok := n.lookupSetRead(c, c.args[1])
	if !ok {
		return
	}
	if s != nil && s.Has(c.args[2]) {
		c.int(1)
		return
	}
	c.int(0)
}

func cmdSMIsMember(n *Node, c *client) {
	s, ok := n.lookupSetRead(c, c.args[1])
	if !ok {
		return
	}
	c.w.Array(len(c.args) - 2)
	for _, m := range c.args[2:] {
		if s != nil && s.Has(m) {
			c.int(1)
		} else {
			c.int(0)
		}
	}
}

func cmdSCard(n *Node, c *client) {
	s, ok := n.lookupSetRead(c, c.args[1])
	if !ok {
		return
	}
	if s == nil {
		c.int(0)
		return
	}
	c.int(int64(s.Len()))
}

func cmdSPop(n *Node, c *client) {
	if len(c.args) == 3 {
		n.spopWithCount(c)
		return
	} else if len(c.args) > 3 {
		n.replyError(c, ErrSyntax)
		return
	}
	key := c.args[1]
	s, ok := n.lookupSetWrite(c, key)
	if !ok {
		return
	}
	if s == nil {
		c.null()
		return
	}
	var scratch [24]byte
	member := append([]byte(nil), s.Random(n.rng.IntN, scratch[:0])...)
	s.Remove(member)
	n.notifyKeyspaceEvent(NotifySet, "spop", string(key), c.db.ID)
	c.rewrite([]byte("SREM"), key, member)
	c.bulk(member)
	if s.Len() == 0 {
		n.dbDelete(c, c.db, key)
		n.notifyKeyspaceEvent(NotifyGeneric, "del", string(key), c.db.ID)
	}
	n.signalModifiedKey(c, c.db, key)
	n.dirty++
}

// spopMoveStrategyMul: SPOP with a count builds a new set of the members
// that stay when fewer than 1/5 of count would remain.
const spopMoveStrategyMul = 5

func (n *Node) spopWithCount(c *client) {
	key := c.args[1]
	l, ok := n.argIntRange(c, c.args[2], 0, math.MaxInt64, "value is out of range, must be positive")
	if !ok {
		return
	}
	count := uint64(l)
	v := n.lookupWrite(c, key)
	if v == nil {
		c.w.Set(0)
		return
	}
	if !n.checkType(c, v, keyspace.KindSet) {
		return
	}
	if count == 0 {
		c.w.Set(0)
		return
	}
	s := v.AsSet()
	size := uint64(s.Len())
	n.notifyKeyspaceEvent(NotifySet, "spop", string(key), c.db.ID)
	n.dirty += int64(min(count, size))

	// The whole set: reply it as SUNION would, delete the key and
	// replicate a DEL.
	if count >= size {
		n.sunionDiffGeneric(c, c.args[1:2], nil, setOpUnion)
		n.dbDelete(c, c.db, key)
		n.notifyKeyspaceEvent(NotifyGeneric, "del", string(key), c.db.ID)
		c.rewrite([]byte("DEL"), key)
		n.signalModifiedKey(c, c.db, key)
		return
	}

	// Otherwise every popped member is replicated as an SREM.
	srem := []byte("SREM")
	propagate := func(member []byte) {
		n.alsoPropagate(c.db.ID, [][]byte{srem, key, member})
	}
	c.w.Set(int(count))
	remaining := size - count
	var scratch [24]byte
	if remaining*spopMoveStrategyMul > count {
		// Few members to pop: draw and remove them one by one.
		for ; count > 0; count-- {
			member := append([]byte(nil), s.Random(n.rng.IntN, scratch[:0])...)
			c.bulk(member)
			s.Remove(member)
			propagate(member)
		}
	} else {
		// Most of the set goes: move the members that stay to a new set
		// and reply what is left in the old one.
		lim := n.setLimits()
		var kept *keyspace.Set
		for ; remaining > 0; remaining-- {
			member := append([]byte(nil), s.Random(n.rng.IntN, scratch[:0])...)
			if kept == nil {
				kept = keyspace.NewSetFor(member, lim)
			}
			kept.Add(member, lim)
			s.Remove(member)
		}
		s.ForEach(func(m []byte) bool {
			c.bulk(m)
			propagate(m)
			return true
		})
		// Redis's dbOverwrite: the expire time stays, and so does the
		// access frequency under an LFU policy.
		lru := v.LRU
		n.setKey(c, c.db, key, keyspace.NewSetValue(kept), true)
		if nv := c.db.FindBytes(key); nv != nil && n.lfuPolicy() {
			nv.LRU = lru
		}
	}
	c.noPropagate = true
	n.signalModifiedKey(c, c.db, key)
}

func cmdSRandMember(n *Node, c *client) {
	if len(c.args) == 3 {
		n.srandmemberWithCount(c)
		return
	} else if len(c.args) > 3 {
		n.replyError(c, ErrSyntax)
		return
	}
	s, ok := n.lookupSetRead(c, c.args[1])
	if !ok {
		return
	}
	if s == nil {
		c.null()
		return
	}
	var scratch [24]byte
	c.bulk(s.Random(n.rng.IntN, scratch[:0]))
}

// srandmemberSubStrategyMul: with count*3 > size, SRANDMEMBER copies the
// set and removes random members.
const srandmemberSubStrategyMul = 3

// setMembers returns copies of the members of s in iteration order.
func setMembers(s *keyspace.Set) [][]byte {
	out := make([][]byte, 0, s.Len())
	s.ForEach(func(m []byte) bool {
		out = append(out, append([]byte(nil), m...))
		return true
	})
	return out
}

func (n *Node) srandmemberWithCount(c *client) {
	l, ok := n.argIntRange(c, c.args[2], -math.MaxInt64, math.MaxInt64, "")
	if !ok {
		return
	}
	count, uniq := uint64(l), true
	if l < 0 {
		count, uniq = uint64(-l), false
	}
	s, ok := n.lookupSetRead(c, c.args[1])
	if !ok {
		return
	}
	if s == nil || count == 0 {
		c.w.Array(0)
		return
	}
	size := uint64(s.Len())
	var scratch [24]byte

	// Case 1: repetitions allowed (or one member): independent draws.
	if !uniq || count == 1 {
		c.w.Array(int(count))
		for ; count > 0; count-- {
			c.bulk(s.Random(n.rng.IntN, scratch[:0]))
		}
		return
	}

	// Case 2: the whole set.
	if count >= size {
		c.w.Array(int(size))
		s.ForEach(func(m []byte) bool {
			c.bulk(m)
			return true
		})
		return
	}

	// Case 3: count close to the size: remove random members from a copy.
	c.w.Array(int(count))
	if count*srandmemberSubStrategyMul > size {
		members := setMembers(s)
		for uint64(len(members)) > count {
			i := n.rng.IntN(len(members))
			members[i] = members[len(members)-1]
			members = members[:len(members)-1]
		}
		for _, m := range members {
			c.bulk(m)
		}
		return
	}

	// Case 4: a big set: draw until count distinct members came up.
	picked := make(map[string]struct{}, count)
	for uint64(len(picked)) < count {
		m := s.Random(n.rng.IntN, scratch[:0])
		if _, dup := picked[string(m)]; dup {
			continue
		}
		picked[string(m)] = struct{}{}
		c.bulk(m)
	}
}

// lookupSets finds the sets at keys for reading (nil for missing keys). It
// returns false after replying WRONGTYPE.
func (n *Node) lookupSets(c *client, keys [][]byte) ([]*keyspace.Set, bool) {
	sets := make([]*keyspace.Set, len(keys))
	for j, k := range keys {
		s, ok := n.lookupSetRead(c, k)
		if !ok {
			return nil, false
		}
		sets[j] = s
	}
	return sets, true
}

// storeSetResult stores a STORE command's result at dst (deleting dst when
// the result is empty) and replies its size.
func (n *Node) storeSetResult(c *client, dst []byte, result *keyspace.Set, event string) {
	if result.Len() > 0 {
		n.setKey(c, c.db, dst, keyspace.NewSetValue(result), false)
		c.int(int64(result.Len()))
		n.notifyKeyspaceEvent(NotifySet, event, string(dst), c.db.ID)
		n.dirty++
		return
	}
	c.int(0)
	if n.dbDelete(c, c.db, dst) {
		n.dirty++
		n.notifyKeyspaceEvent(NotifyGeneric, "del", string(dst), c.db.ID)
	}
}

// sinterGeneric implements SINTER, SMEMBERS, SINTERSTORE (dst != nil) and
// SINTERCARD (cardOnly, stopping at limit when it is not 0).
func (n *Node) sinterGeneric(c *client, keys [][]byte, dst []byte, cardOnly bool, limit int64) {
	sets, ok := n.lookupSets(c, keys)
	if !ok {
		return
	}
	for _, s := range sets {
		if s != nil {
			continue
		}
		// The intersection with an empty set is empty.
		switch {
		case dst != nil:
			if n.dbDelete(c, c.db, dst) {
				n.notifyKeyspaceEvent(NotifyGeneric, "del", string(dst), c.db.ID)
				n.dirty++
			}
			c.int(0)
		case cardOnly:
			c.int(0)
		default:
			c.w.Set(0)
		}
		return
	}
	// Smallest set first.
	sort.SliceStable(sets, func(i, j int) bool { return sets[i].Len() < sets[j].Len() })
	var result *keyspace.Set
	var deferred = c.w.Defer()
	if dst != nil {
		result = keyspace.NewIntset()
	}
	lim := n.setLimits()
	cardinality := int64(0)
	sets[0].ForEach(func(m []byte) bool {
		for _, other := range sets[1:] {
			if other != sets[0] && !other.Has(m) {
				return true
			}
		}
		switch {
		case cardOnly:
			cardinality++
			if limit != 0 && cardinality >= limit {
				return false
			}
		case dst == nil:
			c.bulk(m)
			cardinality++
		default:
			result.Add(m, lim)
		}
		return true
	})
	switch {
	case cardOnly:
		c.int(cardinality)
	case dst != nil:
		n.storeSetResult(c, dst, result, "sinterstore")
	default:
		c.w.FillSet(deferred, int(cardinality))
	}
}

func cmdSInter(n *Node, c *client) { n.sinterGeneric(c, c.args[1:], nil, false, 0) }

func cmdSInterStore(n *Node, c *client) { n.sinterGeneric(c, c.args[2:], c.args[1], false, 0) }

func cmdSInterCard(n *Node, c *client) {
	numkeys, ok := n.argIntRange(c, c.args[1], 1, math.MaxInt64, "numkeys should be greater than 0")
	if !ok {
		return
	}
	if numkeys > int64(len(c.args)-2) {
		n.replyError(c, "ERR Number of keys can't be greater than number of args")
		return
	}
	var limit int64
	for j := 2 + int(numkeys); j < len(c.args); j++ {
		if eq(c.args[j], "LIMIT") && j < len(c.args)-1 {
			j++
			if limit, ok = n.argIntRange(c, c.args[j], 0, math.MaxInt64, "LIMIT can't be negative"); !ok {
				return
			}
		} else {
			n.replyError(c, ErrSyntax)
			return
		}
	}
	n.sinterGeneric(c, c.args[2:2+numkeys], nil, true, limit)
}

// Set operations of sunionDiffGeneric.
const (
	setOpUnion = iota
	setOpDiff
)

// sunionDiffGeneric implements SUNION, SDIFF and their STORE forms
// (dst != nil), with Redis's choice between its two SDIFF algorithms, which
// decides the encoding of the stored result.
func (n *Node) sunionDiffGeneric(c *client, keys [][]byte, dst []byte, op int) {
	sets, ok := n.lookupSets(c, keys)
	if !ok {
		return
	}
	sameSet := false
	for j := 1; j < len(sets); j++ {
		if sets[j] != nil && sets[j] == sets[0] {
			sameSet = true
		}
	}
	size := func(s *keyspace.Set) int {
		if s == nil {
			return 0
		}
		return s.Len()
	}
	diffAlgo := 1
	if op == setOpDiff && sets[0] != nil && !sameSet {
		// Algorithm 1 tests each member of the first set against the
		// others: O(N*M). Algorithm 2 adds the first set and removes the
		// others: O(total). Redis favours 1 by halving its estimate.
		var one, two int64
		for _, s := range sets {
			if s != nil {
				one += int64(sets[0].Len())
				two += int64(s.Len())
			}
		}
		one /= 2
		if one > two {
			diffAlgo = 2
		}
		if diffAlgo == 1 && len(sets) > 1 {
			rest := sets[1:]
			sort.SliceStable(rest, func(i, j int) bool { return size(rest[i]) > size(rest[j]) })
		}
	}
	lim := n.setLimits()
	result := keyspace.NewIntset()
	cardinality := 0
	switch {
	case op == setOpUnion:
		for _, s := range sets {
			if s == nil {
				continue
			}
			s.ForEach(func(m []byte) bool {
				if result.Add(m, lim) {
					cardinality++
				}
				return true
			})
		}
	case sameSet || sets[0] == nil:
		// A set minus itself, or nothing minus anything: empty.
	case diffAlgo == 1:
		sets[0].ForEach(func(m []byte) bool {
			for _, s := range sets[1:] {
				if s != nil && s.Has(m) {
					return true
				}
			}
			result.Add(m, lim)
			cardinality++
			return true
		})
	default:
		for j, s := range sets {
			if s == nil {
				continue
			}
			s.ForEach(func(m []byte) bool {
				if j == 0 {
					if result.Add(m, lim) {
						cardinality++
					}
				} else if result.Remove(m) {
					cardinality--
				}
				return true
			})
			if cardinality == 0 {
				break
			}
		}
	}
	if dst == nil {
		c.w.Set(cardinality)
		result.ForEach(func(m []byte) bool {
			c.bulk(m)
			return true
		})
		return
	}
	event := "sunionstore"
	if op == setOpDiff {
		event = "sdiffstore"
	}
	n.storeSetResult(c, dst, result, event)
}

func cmdSUnion(n *Node, c *client) { n.sunionDiffGeneric(c, c.args[1:], nil, setOpUnion) }
func cmdSUnionStore(n *Node, c *client) {
	n.sunionDiffGeneric(c, c.args[2:], c.args[1], setOpUnion)
}
func cmdSDiff(n *Node, c *client)      { n.sunionDiffGeneric(c, c.args[1:], nil, setOpDiff) }
func cmdSDiffStore(n *Node, c *client) { n.sunionDiffGeneric(c, c.args[2:], c.args[1], setOpDiff) }

func cmdSScan(n *Node, c *client) {
	cursor, ok := n.parseScanCursor(c, c.args[2])
	if !ok {
		return
	}
	s, ok := n.lookupSetRead(c, c.args[1])
	if !ok {
		return
	}
	if s == nil {
		replyEmptyScan(c)
		return
	}
	n.scanCollection(c, cursor, false, func(cur uint64, emit func(a, b []byte)) uint64 {
		return s.Scan(cur, func(m []byte) { emit(m, nil) })
	})
}

// setDigest folds a set into a key digest as Redis's xorObjectDigest: the
// XOR of the digests of the members.
func setDigest(d *digest, v *keyspace.Value) {
	v.AsSet().ForEach(func(m []byte) bool {
		d.xor(m)
		return true
	})
}

// setZSource reads a set as a sorted set whose members all score 1, for
// ZUNION, ZINTER, ZDIFF and their relatives (Redis's zsetopsrc).
type setZSource struct{ s *keyspace.Set }

func (z setZSource) Len() int { return z.s.Len() }

func (z setZSource) ForEach(fn func(member []byte, score float64) bool) {
	z.s.ForEach(func(m []byte) bool { return fn(m, 1) })
}

func (z setZSource) Score(member []byte) (float64, bool) { return 1, z.s.Has(member) }

func setDocs(summary, since, complexity, syntax string) Docs {
	return Docs{Summary: summary, Since: since, Group: "set", Complexity: complexity, Syntax: syntax}
}

func init() {
	digestFuncs[keyspace.KindSet] = setDigest
	zsetSourceFuncs[keyspace.KindSet] = func(v *keyspace.Value) zsetSource { return setZSource{v.AsSet()} }
	ro := keys1("RO")
	roAccess := keys1("RO", "ACCESS")
	manyRO := []KeySpec{keysRange(1, -1, 1, "RO", "ACCESS")}
	store := func(dstFlags ...string) []KeySpec {
		return []KeySpec{keysRange(1, 0, 1, dstFlags...), keysRange(2, -1, 1, "RO", "ACCESS")}
	}
	register(
		&Command{Name: "sadd", Arity: -3, Flags: CmdWrite | CmdDenyOOM | CmdFast, ACL: CatSet, Proc: cmdSAdd,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: keys1("RW", "INSERT"),
			Docs: setDocs("Add one or more members to a set", "1.0.0", "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.", "key member [member ...]")},
		&Command{Name: "srem", Arity: -3, Flags: CmdWrite | CmdFast, ACL: CatSet, Proc: cmdSRem,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: keys1("RW", "DELETE"),
			Docs: setDocs("Remove one or more members from a set", "1.0.0", "O(N) where N is the number of members to be removed.", "key member [member ...]")},
		&Command{Name: "smembers", Arity: 2, Flags: CmdReadonly, ACL: CatSet, Proc: cmdSInter, Tips: []string{"nondeterministic_output_order"},
			FirstKey: 1, LastKey: 1, Step: 1, Keys: roAccess,
			Docs: setDocs("Get all the members in a set", "1.0.0", "O(N) where N is the set cardinality.", "key")},
		&Command{Name: "sismember", Arity: 3, Flags: CmdReadonly | CmdFast, ACL: CatSet, Proc: cmdSIsMember,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: ro,
			Docs: setDocs("Determine if a given value is a member of a set", "1.0.0", "O(1)", "key member")},
		&Command{Name: "smismember", Arity: -3, Flags: CmdReadonly | CmdFast, ACL: CatSet, Proc: cmdSMIsMember,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: roAccess,
			Docs: setDocs("Returns the membership associated with the given elements for a set", "6.2.0", "O(N) where N is the number of elements being checked for membership", "key member [member ...]")},
		&Command{Name: "scard", Arity: 2, Flags: CmdReadonly | CmdFast, ACL: CatSet, Proc: cmdSCard,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: ro,
			Docs: setDocs("Get the number of members in a set", "1.0.0", "O(1)", "key")},
		&Command{Name: "spop", Arity: -2, Flags: CmdWrite | CmdFast, ACL: CatSet, Proc: cmdSPop, Tips: []string{"nondeterministic_output"},
			FirstKey: 1, LastKey: 1, Step: 1, Keys: keys1("RW", "ACCESS", "DELETE"),
			Docs: setDocs("Remove and return one or multiple random members from a set", "1.0.0", "Without the count argument O(1), otherwise O(N) where N is the value of the passed count.", "key [count:integer]")},
		&Command{Name: "srandmember", Arity: -2, Flags: CmdReadonly, ACL: CatSet, Proc: cmdSRandMember, Tips: []string{"nondeterministic_output"},
			FirstKey: 1, LastKey: 1, Step: 1, Keys: roAccess,
			Docs: setDocs("Get one or multiple random members from a set", "1.0.0", "Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.", "key [count:integer]")},
		&Command{Name: "smove", Arity: 4, Flags: CmdWrite | CmdFast, ACL: CatSet, Proc: cmdSMove,
			FirstKey: 1, LastKey: 2, Step: 1, Keys: []KeySpec{keysRange(1, 0, 1, "RW", "ACCESS", "DELETE"), keysRange(2, 0, 1, "RW", "INSERT")},
			Docs: setDocs("Move a member from one set to another", "1.0.0", "O(1)", "source:key destination:key member")},
		&Command{Name: "sinter", Arity: -2, Flags: CmdReadonly, ACL: CatSet, Proc: cmdSInter, Tips: []string{"nondeterministic_output_order"},
			FirstKey: 1, LastKey: -1, Step: 1, Keys: manyRO,
			Docs: setDocs("Intersect multiple sets", "1.0.0", "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.", "key [key ...]")},
		&Command{Name: "sintercard", Arity: -3, Flags: CmdReadonly | CmdMovableKeys, ACL: CatSet, Proc: cmdSInterCard,
			Keys: []KeySpec{{Flags: []string{"RO", "ACCESS"}, BeginIndex: 1, KeyNum: true, KeyNumIdx: 0, FirstKey: 1, KeyStep: 1}},
			Docs: setDocs("Intersect multiple sets and return the cardinality of the result", "7.0.0", "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.", "numkeys:integer key [key ...] [LIMIT limit:integer]")},
		&Command{Name: "sinterstore", Arity: -3, Flags: CmdWrite | CmdDenyOOM, ACL: CatSet, Proc: cmdSInterStore,
			FirstKey: 1, LastKey: -1, Step: 1, Keys: store("RW", "UPDATE"),
			Docs: setDocs("Intersect multiple sets and store the resulting set in a key", "1.0.0", "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.", "destination:key key [key ...]")},
		&Command{Name: "sunion", Arity: -2, Flags: CmdReadonly, ACL: CatSet, Proc: cmdSUnion, Tips: []string{"nondeterministic_output_order"},
			FirstKey: 1, LastKey: -1, Step: 1, Keys: manyRO,
			Docs: setDocs("Add multiple sets", "1.0.0", "O(N) where N is the total number of elements in all given sets.", "key [key ...]")},
		&Command{Name: "sunionstore", Arity: -3, Flags: CmdWrite | CmdDenyOOM, ACL: CatSet, Proc: cmdSUnionStore,
			FirstKey: 1, LastKey: -1, Step: 1, Keys: store("OW", "UPDATE"),
			Docs: setDocs("Add multiple sets and store the resulting set in a key", "1.0.0", "O(N) where N is the total number of elements in all given sets.", "destination:key key [key ...]")},
		&Command{Name: "sdiff", Arity: -2, Flags: CmdReadonly, ACL: CatSet, Proc: cmdSDiff, Tips: []string{"nondeterministic_output_order"},
			FirstKey: 1, LastKey: -1, Step: 1, Keys: manyRO,
			Docs: setDocs("Subtract multiple sets", "1.0.0", "O(N) where N is the total number of elements in all given sets.", "key [key ...]")},
		&Command{Name: "sdiffstore", Arity: -3, Flags: CmdWrite | CmdDenyOOM, ACL: CatSet, Proc: cmdSDiffStore,
			FirstKey: 1, LastKey: -1, Step: 1, Keys: store("OW", "UPDATE"),
			Docs: setDocs("Subtract multiple sets and store the resulting set in a key", "1.0.0", "O(N) where N is the total number of elements in all given sets.", "destination:key key [key ...]")},
		&Command{Name: "sscan", Arity: -3, Flags: CmdReadonly, ACL: CatSet, Proc: cmdSScan, Tips: []string{"nondeterministic_output"},
			FirstKey: 1, LastKey: 1, Step: 1, Keys: roAccess,
			Docs: setDocs("Incrementally iterate Set elements", "2.8.0", "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..", "key cursor:integer [MATCH pattern:pattern] [COUNT count:integer]")},
	)
}
