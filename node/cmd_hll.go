package node

import (
	"math"

	"replab/internal/hll"
	"replab/keyspace"
)

// HyperLogLog commands: PFADD, PFCOUNT, PFMERGE, PFDEBUG and PFSELFTEST.
// A HyperLogLog is a string value in Redis's format (package hll), so that
// GET, DUMP and replication carry the same bytes as Redis.

// Error replies of the HyperLogLog commands.
const (
	errNotHLL     = "WRONGTYPE Key is not a valid HyperLogLog string value."
	errInvalidHLL = "INVALIDOBJ Corrupted HLL object detected"
)

// checkHLL replies an error and returns false unless v is a string holding
// a HyperLogLog (WRONGTYPE for another kind, the HyperLogLog variant for a
// string that is not one).
func (n *Node) checkHLL(c *client, v *keyspace.Value) bool {
	if !n.checkType(c, v, keyspace.KindString) {
		return false
	}
	if v.StringEncoding() == keyspace.EncInt || !hll.Valid(v.Bytes(nil)) {
		n.replyError(c, errNotHLL)
		return false
	}
	return true
}

// createHLL adds an empty HyperLogLog under key and returns it.
func (n *Node) createHLL(c *client, key []byte) *keyspace.Value {
	n.dbAdd(c, c.db, key, keyspace.NewRawString(hll.New(), keyspace.EncRaw))
	return c.db.FindBytes(key)
}

func cmdPFAdd(n *Node, c *client) {
	key := c.args[1]
	v := n.lookupWrite(c, key)
	updated := int64(0)
	if v == nil {
		v = n.createHLL(c, key)
		updated++
	} else if !n.checkHLL(c, v) {
		return
	}
	b := v.MutableBytes()
	for _, ele := range c.args[2:] {
		var r int
		b, r = hll.Add(b, ele, n.cfg.HLLSparseMaxBytes)
		switch r {
		case 1:
			updated++
		case -1:
			v.SetBytes(b)
			n.replyError(c, errInvalidHLL)
			return
		}
	}
	v.SetBytes(b)
	if updated > 0 {
		n.signalModifiedKey(c, c.db, key)
		n.notifyKeyspaceEvent(NotifyString, "pfadd", string(key), c.db.ID)
		n.dirty += updated
		hll.InvalidateCache(b)
		c.int(1)
		return
	}
	c.int(0)
}

func cmdPFCount(n *Node, c *client) {
	if len(c.args) > 2 {
		// The cardinality of the union, in a temporary.
		var regs [hll.Registers]uint8
		for _, k := range c.args[1:] {
			v := n.lookupRead(c, k)
			if v == nil {
				continue
			}
			if !n.checkHLL(c, v) {
				return
			}
			if hll.Merge(&regs, v.Bytes(nil)) != nil {
				n.replyError(c, errInvalidHLL)
				return
			}
		}
		c.int(int64(hll.CountRegisters(&regs)))
		return
	}
	key := c.args[1]
	v := n.lookupRead(c, key)
	if v == nil {
		c.int(0)
		return
	}
	if !n.checkHLL(c, v) {
		return
	}
	b := v.MutableBytes()
	card, ok := hll.CachedCard(b)
	if !ok {
		var invalid bool
		card, invalid = hll.Count(b)
		if invalid {
			n.replyError(c, errInvalidHLL)
			return
		}
		// Refreshing the cache changes the string: Redis counts it as a
		// change and replicates the PFCOUNT itself (a read-only command, so
		// the dispatcher would not).
		hll.SetCachedCard(b, card)
		n.signalModifiedKey(c, c.db, key)
		n.dirty++
		n.alsoPropagate(c.db.ID, c.args)
	}
	c.int(int64(card))
}

func cmdPFMerge(n *Node, c *client) {
	var regs [hll.Registers]uint8
	useDense := false
	// The destination is one of the sources.
	for _, k := range c.args[1:] {
		v := n.lookupRead(c, k)
		if v == nil {
			continue
		}
		if !n.checkHLL(c, v) {
			return
		}
		b := v.Bytes(nil)
		if hll.Encoding(b) == hll.Dense {
			useDense = true
		}
		if hll.Merge(&regs, b) != nil {
			n.replyError(c, errInvalidHLL)
			return
		}
	}
	key := c.args[1]
	v := n.lookupWrite(c, key)
	if v == nil {
		v = n.createHLL(c, key)
	}
	b := v.MutableBytes()
	if useDense {
		d, err := hll.ToDense(b)
		if err != nil {
			n.replyError(c, errInvalidHLL)
			return
		}
		b = d
	}
	for i, r := range regs {
		if r != 0 {
			b, _ = hll.Set(b, i, r, n.cfg.HLLSparseMaxBytes)
		}
	}
	hll.InvalidateCache(b)
	v.SetBytes(b)
	n.signalModifiedKey(c, c.db, key)
	n.notifyKeyspaceEvent(NotifyString, "pfadd", string(key), c.db.ID)
	n.dirty++
	c.ok()
}

func cmdPFDebug(n *Node, c *client) {
	sub := cstr(c.args[1])
	key := c.args[2]
	v := n.lookupWrite(c, key)
	if v == nil {
		n.replyError(c, "ERR The specified key does not exist")
		return
	}
	if !n.checkHLL(c, v) {
		return
	}
	b := v.MutableBytes()
	switch {
	case eq(sub, "getreg"):
		if hll.Encoding(b) == hll.Sparse {
			d, err := hll.ToDense(b)
			if err != nil {
				n.replyError(c, errInvalidHLL)
				return
			}
			v.SetBytes(d)
			b = d
			n.dirty++ // replicate the change of encoding
		}
		regs := hll.DenseRegisters(b)
		c.w.Array(len(regs))
		for _, r := range regs {
			c.int(int64(r))
		}
	case eq(sub, "decode"):
		if hll.Encoding(b) != hll.Sparse {
			n.replyError(c, "ERR HLL encoding is not sparse")
			return
		}
		c.bulkString(hll.Decode(b))
	case eq(sub, "encoding"):
		if hll.Encoding(b) == hll.Dense {
			c.w.SimpleString("dense")
		} else {
			c.w.SimpleString("sparse")
		}
	case eq(sub, "todense"):
		if hll.Encoding(b) != hll.Sparse {
			c.int(0)
			return
		}
		d, err := hll.ToDense(b)
		if err != nil {
			n.replyError(c, errInvalidHLL)
			return
		}
		v.SetBytes(d)
		n.dirty++
		c.int(1)
	default:
		n.replyErrorf(c, "ERR Unknown PFDEBUG subcommand '%s'", sub)
	}
}

// cmdPFSelfTest checks the register packing and the estimator as Redis's
// PFSELFTEST does: random register values read back, then ten million
// elements added to a dense and a sparse HyperLogLog whose estimates must
// agree and stay within six standard errors.
func cmdPFSelfTest(n *Node, c *client) {
	if msg := hllSelfTest(n.rng.Uint64, n.cfg.HLLSparseMaxBytes, 10000000); msg != "" {
		n.replyError(c, msg)
		return
	}
	c.ok()
}

// hllSelfTest returns "" on success or the error to reply. rnd supplies
// the random values; elements is how many are added (Redis: ten million).
func hllSelfTest(rnd func() uint64, sparseMax int, elements int64) string {
	dense := make([]byte, hll.DenseSize)
	copy(dense, "HYLL")
	var want [hll.Registers]uint8
	for cycle := 0; cycle < 1000; cycle++ {
		for i := range want {
			want[i] = uint8(rnd() & hll.RegisterMax)
			hll.SetDenseRegister(dense[hll.HeaderSize:], i, want[i])
		}
		for i := range want {
			if got := hll.DenseRegister(dense[hll.HeaderSize:], i); got != want[i] {
				return "TESTFAILED Register " + itoa(int64(i)) + " should be " + itoa(int64(want[i])) + " but is " + itoa(int64(got))
			}
		}
	}
	clear(dense[hll.HeaderSize:])
	sparse := hll.New()
	relerr := 1.04 / math.Sqrt(hll.Registers)
	checkpoint := int64(1)
	seed := rnd()
	var ele [8]byte
	for j := int64(1); j <= elements; j++ {
		x := uint64(j) ^ seed
		for k := range ele {
			ele[k] = byte(x >> (8 * k))
		}
		dense, _ = hll.Add(dense, ele[:], sparseMax)
		sparse, _ = hll.Add(sparse, ele[:], sparseMax)
		if j != checkpoint {
			continue
		}
		if j < int64(sparseMax/2) && hll.Encoding(sparse) != hll.Sparse {
			return "TESTFAILED sparse encoding not used"
		}
		dc, _ := hll.Count(dense)
		sc, _ := hll.Count(sparse)
		if dc != sc {
			return "TESTFAILED dense/sparse disagree"
		}
		abserr := checkpoint - int64(dc)
		maxerr := uint64(math.Ceil(relerr * 6 * float64(checkpoint)))
		if j == 10 {
			maxerr = 1
		}
		if abserr < 0 {
			abserr = -abserr
		}
		if abserr > int64(maxerr) {
			return "TESTFAILED Too big error. card:" + itoa(checkpoint) + " abserr:" + itoa(abserr)
		}
		checkpoint *= 10
	}
	return ""
}

func hllDocs(summary, since, complexity, syntax string) Docs {
	return Docs{Summary: summary, Since: since, Group: "hyperloglog", Complexity: complexity, Syntax: syntax}
}

func init() {
	register(
		&Command{Name: "pfadd", Arity: -2, Flags: CmdWrite | CmdDenyOOM | CmdFast, ACL: CatHyperLogLog, Proc: cmdPFAdd,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: keys1("RW", "INSERT"),
			Docs: hllDocs("Adds the specified elements to the specified HyperLogLog.", "2.8.9", "O(1) to add every element.", "key [element [element ...]]")},
		&Command{Name: "pfcount", Arity: -2, Flags: CmdReadonly | CmdMayReplicate, ACL: CatHyperLogLog, Proc: cmdPFCount,
			FirstKey: 1, LastKey: -1, Step: 1, Keys: []KeySpec{{Notes: "RW because it may change the internal representation of the key, and propagate to replicas", Flags: []string{"RW", "ACCESS"}, BeginIndex: 1, LastKey: -1, Step: 1}},
			Docs: hllDocs("Return the approximated cardinality of the set(s) observed by the HyperLogLog at key(s).", "2.8.9",
				"O(1) with a very small average constant time when called with a single key. O(N) with N being the number of keys, and much bigger constant times, when called with multiple keys.",
				"key [key ...]")},
		&Command{Name: "pfmerge", Arity: -2, Flags: CmdWrite | CmdDenyOOM, ACL: CatHyperLogLog, Proc: cmdPFMerge,
			FirstKey: 1, LastKey: -1, Step: 1,
			Keys: []KeySpec{keys1("RW", "ACCESS", "INSERT")[0], keysRange(2, -1, 1, "RO", "ACCESS")},
			Docs: hllDocs("Merge N different HyperLogLogs into a single one.", "2.8.9", "O(N) to merge N HyperLogLogs, but with high constant times.",
				"destkey:key [sourcekey:key [sourcekey:key ...]]")},
		&Command{Name: "pfdebug", Arity: 3, Flags: CmdWrite | CmdDenyOOM | CmdAdmin, ACL: CatHyperLogLog, Proc: cmdPFDebug,
			FirstKey: 2, LastKey: 2, Step: 1, Keys: []KeySpec{{Flags: []string{"RW", "ACCESS"}, BeginIndex: 2, LastKey: 0, Step: 1}},
			Docs: hllDocs("Internal commands for debugging HyperLogLog values", "2.8.9", "N/A", "subcommand key")},
		&Command{Name: "pfselftest", Arity: 1, Flags: CmdAdmin, ACL: CatHyperLogLog, Proc: cmdPFSelfTest,
			Docs: hllDocs("An internal command for testing HyperLogLog values", "2.8.9", "N/A", "")},
	)
}
