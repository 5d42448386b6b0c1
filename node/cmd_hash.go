package node

import (
	"math"
	"strconv"

	"replab/internal/num"
	"replab/keyspace"
)

// Hash commands, as Redis 7.0's t_hash.c.

// hashLimits returns the hash encoding thresholds of the configuration.
func (n *Node) hashLimits() keyspace.HashLimits {
	return keyspace.HashLimits{
		MaxListpackEntries: n.cfg.HashMaxListpackEntries,
		MaxListpackValue:   n.cfg.HashMaxListpackValue,
		Seed:               n.ks.Seed(),
	}
}

// lookupHashRead finds the hash at key for reading. It returns nil and
// false after replying WRONGTYPE, nil and true when the key is missing.
func (n *Node) lookupHashRead(c *client, key []byte) (*keyspace.HashMap, bool) {
	v := n.lookupRead(c, key)
	if v == nil {
		return nil, true
	}
	if !n.checkType(c, v, keyspace.KindHash) {
		return nil, false
	}
	return v.AsHash(), true
}

// hashForWrite finds the hash at key, creating an empty one if the key is
// missing (Redis's hashTypeLookupWriteOrCreate). It returns nil after
// replying WRONGTYPE.
func (n *Node) hashForWrite(c *client, key []byte) *keyspace.HashMap {
	v := n.lookupWrite(c, key)
	if v != nil {
		if !n.checkType(c, v, keyspace.KindHash) {
			return nil
		}
		return v.AsHash()
	}
	h := keyspace.NewHash()
	n.dbAdd(c, c.db, key, keyspace.NewHashValue(h))
	return h
}

func cmdHSetNX(n *Node, c *client) {
	key, field, value := c.args[1], c.args[2], c.args[3]
	h := n.hashForWrite(c, key)
	if h == nil {
		return
	}
	if h.Has(field) {
		c.int(0)
		return
	}
	lim := n.hashLimits()
	h.TryConversion(lim, field, value)
	h.Set(field, value, lim)
	c.int(1)
	n.signalModifiedKey(c, c.db, key)
	n.notifyKeyspaceEvent(NotifyHash, "hset", string(key), c.db.ID)
	n.dirty++
}

// hsetGeneric implements HSET (replying the number of new fields) and
// HMSET (replying +OK).
func (n *Node) hsetGeneric(c *client, hmset bool) {
	if len(c.args)%2 == 1 {
		n.replyErrorf(c, ErrWrongArgsFmt, c.cmd.FullName)
		return
	}
	key := c.args[1]
	h := n.hashForWrite(c, key)
	if h == nil {
		return
	}
	lim := n.hashLimits()
	h.TryConversion(lim, c.args[2:]...)
	created := 0
	for i := 2; i < len(c.args); i += 2 {
		if h.Set(c.args[i], c.args[i+1], lim) {
			created++
		}
	}
	if hmset {
		c.ok()
	} else {
		c.int(int64(created))
	}
	n.signalModifiedKey(c, c.db, key)
	n.notifyKeyspaceEvent(NotifyHash, "hset", string(key), c.db.ID)
	n.dirty += int64(len(c.args)-2) / 2
}

func cmdHSet(n *Node, c *client)  { n.hsetGeneric(c, false) }
func cmdHMSet(n *Node, c *client) { n.hsetGeneric(c, true) }

func cmdHIncrBy(n *Node, c *client) {
	key, field := c.args[1], c.args[2]
	incr, ok := n.argInt(c, c.args[3])
	if !ok {
		return
	}
	h := n.hashForWrite(c, key)
	if h == nil {
		return
	}
	var cur int64
	if v, found := h.Get(field); found {
		if cur, ok = num.ParseInt(v); !ok {
			n.replyError(c, "ERR hash value is not an integer")
			return
		}
	}
	if (incr < 0 && cur < 0 && incr < math.MinInt64-cur) || (incr > 0 && cur > 0 && incr > math.MaxInt64-cur) {
		n.replyError(c, ErrOverflow)
		return
	}
	cur += incr
	var buf [24]byte
	h.Set(field, strconv.AppendInt(buf[:0], cur, 10), n.hashLimits())
	c.int(cur)
	n.signalModifiedKey(c, c.db, key)
	n.notifyKeyspaceEvent(NotifyHash, "hincrby", string(key), c.db.ID)
	n.dirty++
}

func cmdHIncrByFloat(n *Node, c *client) {
	key, field := c.args[1], c.args[2]
	incr, ok := num.ParseLongDouble(c.args[3])
	if !ok {
		n.replyError(c, ErrNotFloat)
		return
	}
	if incr.IsInf() {
		n.replyError(c, "ERR value is NaN or Infinity")
		return
	}
	h := n.hashForWrite(c, key)
	if h == nil {
		return
	}
	value, _ := num.ParseLongDouble([]byte("0"))
	if v, found := h.Get(field); found {
		if value, ok = num.ParseLongDouble(v); !ok {
			n.replyError(c, "ERR hash value is not a float")
			return
		}
	}
	sum, ok := num.AddLongDouble(value, incr)
	if !ok {
		n.replyError(c, ErrNaNOrInf)
		return
	}
	s := []byte(num.FormatLongDoubleHuman(sum))
	h.Set(field, s, n.hashLimits())
	c.bulk(s)
	n.signalModifiedKey(c, c.db, key)
	n.notifyKeyspaceEvent(NotifyHash, "hincrbyfloat", string(key), c.db.ID)
	n.dirty++
	// Replicated as the final value, so that replicas agree whatever their
	// float arithmetic.
	c.rewrite([]byte("HSET"), key, field, s)
}

// replyHashField replies with the value of field in h (nil h: missing).
func replyHashField(c *client, h *keyspace.HashMap, field []byte) {
	if h == nil {
		c.null()
		return
	}
	if v, ok := h.Get(field); ok {
		c.bulk(v)
		return
	}
	c.null()
}

func cmdHGet(n *Node, c *client) {
	h, ok := n.lookupHashRead(c, c.args[1])
	if !ok {
		return
	}
	replyHashField(c, h, c.args[2])
}

func cmdHMGet(n *Node, c *client) {
	h, ok := n.lookupHashRead(c, c.args[1])
	if !ok {
		return
	}
	c.w.Array(len(c.args) - 2)
	for _, f := range c.args[2:] {
		replyHashField(c, h, f)
	}
}

func cmdHDel(n *Node, c *client) {
	key := c.args[1]
	v := n.lookupWrite(c, key)
	if v == nil {
		c.int(0)
		return
	}
	if !n.checkType(c, v, keyspace.KindHash) {
		return
	}
	h := v.AsHash()
	deleted := 0
	removed := false
	for _, f := range c.args[2:] {
		if h.Delete(f) {
			deleted++
			if h.Len() == 0 {
				n.dbDelete(c, c.db, key)
				removed = true
				break
			}
		}
	}
	if deleted > 0 {
		n.signalModifiedKey(c, c.db, key)
		n.notifyKeyspaceEvent(NotifyHash, "hdel", string(key), c.db.ID)
		if removed {
			n.notifyKeyspaceEvent(NotifyGeneric, "del", string(key), c.db.ID)
		}
		n.dirty += int64(deleted)
	}
	c.int(int64(deleted))
}

func cmdHLen(n *Node, c *client) {
	h, ok := n.lookupHashRead(c, c.args[1])
	if !ok {
		return
	}
	if h == nil {
		c.int(0)
		return
	}
	c.int(int64(h.Len()))
}

func cmdHStrlen(n *Node, c *client) {
	h, ok := n.lookupHashRead(c, c.args[1])
	if !ok {
		return
	}
	if h == nil {
		c.int(0)
		return
	}
	v, _ := h.Get(c.args[2])
	c.int(int64(len(v)))
}

func cmdHExists(n *Node, c *client) {
	h, ok := n.lookupHashRead(c, c.args[1])
	if !ok {
		return
	}
	if h != nil && h.Has(c.args[2]) {
		c.int(1)
		return
	}
	c.int(0)
}

// Which parts of the pairs HKEYS, HVALS and HGETALL reply.
const (
	hashFields = 1 << iota
	hashValues
)

func (n *Node) hgetallGeneric(c *client, what int) {
	h, ok := n.lookupHashRead(c, c.args[1])
	if !ok {
		return
	}
	both := what == hashFields|hashValues
	length := 0
	if h != nil {
		length = h.Len()
	}
	if both {
		c.w.Map(length)
	} else {
		c.w.Array(length)
	}
	if h == nil {
		return
	}
	h.ForEach(func(f, v []byte) bool {
		if what&hashFields != 0 {
			c.bulk(f)
		}
		if what&hashValues != 0 {
			c.bulk(v)
		}
		return true
	})
}

func cmdHKeys(n *Node, c *client)   { n.hgetallGeneric(c, hashFields) }
func cmdHVals(n *Node, c *client)   { n.hgetallGeneric(c, hashValues) }
func cmdHGetAll(n *Node, c *client) { n.hgetallGeneric(c, hashFields|hashValues) }

func cmdHScan(n *Node, c *client) {
	cursor, ok := n.parseScanCursor(c, c.args[2])
	if !ok {
		return
	}
	h, ok := n.lookupHashRead(c, c.args[1])
	if !ok {
		return
	}
	if h == nil {
		replyEmptyScan(c)
		return
	}
	n.scanCollection(c, cursor, true, func(cur uint64, emit func(a, b []byte)) uint64 {
		return h.Scan(cur, emit)
	})
}

// Thresholds of HRANDFIELD's strategies, as Redis's.
const (
	// With count*3 > size, copy the hash and remove random fields.
	hrandfieldSubStrategyMul = 3
	// Samples with repetition are drawn from a listpack in batches.
	hrandfieldRandomSampleLimit = 1000
)

func cmdHRandField(n *Node, c *client) {
	if len(c.args) >= 3 {
		l, ok := n.argIntRange(c, c.args[2], -math.MaxInt64, math.MaxInt64, "")
		if !ok {
			return
		}
		withValues := false
		if len(c.args) > 4 || (len(c.args) == 4 && !eq(c.args[3], "WITHVALUES")) {
			n.replyError(c, ErrSyntax)
			return
		} else if len(c.args) == 4 {
			withValues = true
			if l < -math.MaxInt64/2 || l > math.MaxInt64/2 {
				n.replyError(c, "ERR value is out of range")
				return
			}
		}
		n.hrandfieldWithCount(c, l, withValues)
		return
	}
	h, ok := n.lookupHashRead(c, c.args[1])
	if !ok {
		return
	}
	if h == nil {
		c.null()
		return
	}
	f, _ := h.Random(n.rng.IntN)
	c.bulk(f)
}

// hashPair is a field and its value.
type hashPair struct{ field, value []byte }

// hashPairs returns the pairs of h in iteration order; they alias h.
func hashPairs(h *keyspace.HashMap) []hashPair {
	out := make([]hashPair, 0, h.Len())
	h.ForEach(func(f, v []byte) bool {
		out = append(out, hashPair{f, v})
		return true
	})
	return out
}

func (n *Node) hrandfieldWithCount(c *client, l int64, withValues bool) {
	h, ok := n.lookupHashRead(c, c.args[1])
	if !ok {
		return
	}
	if h == nil {
		c.w.Array(0)
		return
	}
	size := uint64(h.Len())
	count, uniq := uint64(l), true
	if l < 0 {
		count, uniq = uint64(-l), false
	}
	if count == 0 {
		c.w.Array(0)
		return
	}
	resp3 := c.w.Resp3()
	reply := func(f, v []byte) {
		if withValues && resp3 {
			c.w.Array(2)
		}
		c.bulk(f)
		if withValues {
			c.bulk(v)
		}
	}
	header := func(n uint64) {
		if withValues && !resp3 {
			c.w.Array(int(n * 2))
		} else {
			c.w.Array(int(n))
		}
	}

	// Case 1: repetitions allowed (or a single field): independent draws,
	// in the order drawn.
	if !uniq || count == 1 {
		header(count)
		if !h.IsListpack() {
			for ; count > 0; count-- {
				reply(h.Random(n.rng.IntN))
			}
			return
		}
		pairs := hashPairs(h)
		for count > 0 {
			batch := min(count, hrandfieldRandomSampleLimit)
			count -= batch
			for ; batch > 0; batch-- {
				p := pairs[n.rng.IntN(len(pairs))]
				reply(p.field, p.value)
			}
		}
		return
	}

	// Case 2: the whole hash.
	if count >= size {
		header(size)
		h.ForEach(func(f, v []byte) bool {
			reply(f, v)
			return true
		})
		return
	}
	header(count)

	// Case 3: count is close to the size: remove random fields from a
	// copy until count remain.
	if count*hrandfieldSubStrategyMul > size {
		pairs := hashPairs(h)
		for uint64(len(pairs)) > count {
			i := n.rng.IntN(len(pairs))
			pairs[i] = pairs[len(pairs)-1]
			pairs = pairs[:len(pairs)-1]
		}
		for _, p := range pairs {
			reply(p.field, p.value)
		}
		return
	}

	// Case 4: a big hash compared to count. A listpack is sampled in one
	// pass (each field picked with probability remaining/left), keeping
	// listpack order; a hashtable draws random fields until count distinct
	// ones came up.
	if h.IsListpack() {
		pairs := hashPairs(h)
		remaining := count
		for i := 0; remaining > 0 && i < len(pairs); i++ {
			threshold := float64(remaining) / float64(len(pairs)-i)
			if n.rng.Float64() <= threshold {
				reply(pairs[i].field, pairs[i].value)
				remaining--
			}
		}
		return
	}
	picked := make(map[string]struct{}, count)
	for uint64(len(picked)) < count {
		f, v := h.Random(n.rng.IntN)
		if _, dup := picked[string(f)]; dup {
			continue
		}
		picked[string(f)] = struct{}{}
		reply(f, v)
	}
}

// hashDigest folds a hash into a key digest as Redis's xorObjectDigest: for
// each field a digest mixing the field then the value, whose SHA1 is XORed
// in.
func hashDigest(d *digest, v *keyspace.Value) {
	v.AsHash().ForEach(func(f, val []byte) bool {
		var ed digest
		ed.mix(f)
		ed.mix(val)
		d.xor(ed[:])
		return true
	})
}

func hashDocs(summary, since, complexity, syntax string) Docs {
	return Docs{Summary: summary, Since: since, Group: "hash", Complexity: complexity, Syntax: syntax}
}

func init() {
	digestFuncs[keyspace.KindHash] = hashDigest
	ro := keys1("RO")
	roAccess := keys1("RO", "ACCESS")
	register(
		&Command{Name: "hset", Arity: -4, Flags: CmdWrite | CmdDenyOOM | CmdFast, ACL: CatHash, Proc: cmdHSet,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: keys1("RW", "UPDATE"),
			Docs: hashDocs("Set the string value of a hash field", "2.0.0", "O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.", "key field value [field value ...]")},
		&Command{Name: "hsetnx", Arity: 4, Flags: CmdWrite | CmdDenyOOM | CmdFast, ACL: CatHash, Proc: cmdHSetNX,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: keys1("RW", "INSERT"),
			Docs: hashDocs("Set the value of a hash field, only if the field does not exist", "2.0.0", "O(1)", "key field value")},
		&Command{Name: "hmset", Arity: -4, Flags: CmdWrite | CmdDenyOOM | CmdFast, ACL: CatHash, Proc: cmdHMSet,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: keys1("RW", "UPDATE"),
			Docs: hashDocs("Set multiple hash fields to multiple values", "2.0.0", "O(N) where N is the number of fields being set.", "key field value [field value ...]")},
		&Command{Name: "hget", Arity: 3, Flags: CmdReadonly | CmdFast, ACL: CatHash, Proc: cmdHGet,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: roAccess,
			Docs: hashDocs("Get the value of a hash field", "2.0.0", "O(1)", "key field")},
		&Command{Name: "hmget", Arity: -3, Flags: CmdReadonly | CmdFast, ACL: CatHash, Proc: cmdHMGet,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: roAccess,
			Docs: hashDocs("Get the values of all the given hash fields", "2.0.0", "O(N) where N is the number of fields being requested.", "key field [field ...]")},
		&Command{Name: "hdel", Arity: -3, Flags: CmdWrite | CmdFast, ACL: CatHash, Proc: cmdHDel,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: keys1("RW", "DELETE"),
			Docs: hashDocs("Delete one or more hash fields", "2.0.0", "O(N) where N is the number of fields to be removed.", "key field [field ...]")},
		&Command{Name: "hexists", Arity: 3, Flags: CmdReadonly | CmdFast, ACL: CatHash, Proc: cmdHExists,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: ro,
			Docs: hashDocs("Determine if a hash field exists", "2.0.0", "O(1)", "key field")},
		&Command{Name: "hlen", Arity: 2, Flags: CmdReadonly | CmdFast, ACL: CatHash, Proc: cmdHLen,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: ro,
			Docs: hashDocs("Get the number of fields in a hash", "2.0.0", "O(1)", "key")},
		&Command{Name: "hstrlen", Arity: 3, Flags: CmdReadonly | CmdFast, ACL: CatHash, Proc: cmdHStrlen,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: ro,
			Docs: hashDocs("Get the length of the value of a hash field", "3.2.0", "O(1)", "key field")},
		&Command{Name: "hkeys", Arity: 2, Flags: CmdReadonly, ACL: CatHash, Proc: cmdHKeys, Tips: []string{"nondeterministic_output_order"},
			FirstKey: 1, LastKey: 1, Step: 1, Keys: roAccess,
			Docs: hashDocs("Get all the fields in a hash", "2.0.0", "O(N) where N is the size of the hash.", "key")},
		&Command{Name: "hvals", Arity: 2, Flags: CmdReadonly, ACL: CatHash, Proc: cmdHVals, Tips: []string{"nondeterministic_output_order"},
			FirstKey: 1, LastKey: 1, Step: 1, Keys: roAccess,
			Docs: hashDocs("Get all the values in a hash", "2.0.0", "O(N) where N is the size of the hash.", "key")},
		&Command{Name: "hgetall", Arity: 2, Flags: CmdReadonly, ACL: CatHash, Proc: cmdHGetAll, Tips: []string{"nondeterministic_output_order"},
			FirstKey: 1, LastKey: 1, Step: 1, Keys: roAccess,
			Docs: hashDocs("Get all the fields and values in a hash", "2.0.0", "O(N) where N is the size of the hash.", "key")},
		&Command{Name: "hincrby", Arity: 4, Flags: CmdWrite | CmdDenyOOM | CmdFast, ACL: CatHash, Proc: cmdHIncrBy,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: keys1("RW", "ACCESS", "UPDATE"),
			Docs: hashDocs("Increment the integer value of a hash field by the given number", "2.0.0", "O(1)", "key field increment:integer")},
		&Command{Name: "hincrbyfloat", Arity: 4, Flags: CmdWrite | CmdDenyOOM | CmdFast, ACL: CatHash, Proc: cmdHIncrByFloat,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: keys1("RW", "ACCESS", "UPDATE"),
			Docs: hashDocs("Increment the float value of a hash field by the given amount", "2.6.0", "O(1)", "key field increment:double")},
		&Command{Name: "hrandfield", Arity: -2, Flags: CmdReadonly, ACL: CatHash, Proc: cmdHRandField, Tips: []string{"nondeterministic_output"},
			FirstKey: 1, LastKey: 1, Step: 1, Keys: roAccess,
			Docs: hashDocs("Get one or multiple random fields from a hash", "6.2.0", "O(N) where N is the number of fields returned", "key [count:integer [WITHVALUES]]")},
		&Command{Name: "hscan", Arity: -3, Flags: CmdReadonly, ACL: CatHash, Proc: cmdHScan, Tips: []string{"nondeterministic_output"},
			FirstKey: 1, LastKey: 1, Step: 1, Keys: roAccess,
			Docs: hashDocs("Incrementally iterate hash fields and associated values", "2.8.0", "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..", "key cursor:integer [MATCH pattern:pattern] [COUNT count:integer]")},
	)
}
