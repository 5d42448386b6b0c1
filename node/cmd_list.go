package node

import (
	"fmt"
	"strconv"

	"replab/internal/num"
	"replab/keyspace"
)

// List commands (Redis's t_list.c). Lists are keyspace.List values; an
// emptied list is deleted. Blocking pops are replicated as their
// non-blocking forms: BLPOP/BRPOP as LPOP/RPOP key, BLMPOP and LMPOP as
// LPOP/RPOP key count (the count actually popped), BLMOVE as LMOVE and
// BRPOPLPUSH as RPOPLPUSH.

// Errors of the list commands, word for word as Redis sends them.
const (
	errMustBePositive = "ERR value is out of range, must be positive"
	errNumkeys        = "ERR numkeys should be greater than 0"
	errCountPositive  = "ERR count should be greater than 0"
	errRankZero       = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"
	errCountNegative  = "ERR COUNT can't be negative"
	errMaxlenNegative = "ERR MAXLEN can't be negative"
)

// newList returns an empty list with the configured node options.
func (n *Node) newList() *keyspace.List {
	return keyspace.NewList(n.cfg.ListMaxListpackSize, n.cfg.ListCompressDepth)
}

// argLong parses an integer argument as getLongFromObjectOrReply does;
// msg replaces the default error when not empty.
func (n *Node) argLong(c *client, b []byte, msg string) (int64, bool) {
	v, ok := num.ParseInt(b)
	if !ok {
		if msg == "" {
			msg = ErrNotInteger
		}
		n.replyError(c, msg)
	}
	return v, ok
}

// argRange parses an integer argument that must lie in [min, max], replying
// msg otherwise (getRangeLongFromObjectOrReply with a message).
func (n *Node) argRange(c *client, b []byte, min, max int64, msg string) (int64, bool) {
	v, ok := num.ParseInt(b)
	if !ok || v < min || v > max {
		n.replyError(c, msg)
		return 0, false
	}
	return v, true
}

// listPosition parses LEFT or RIGHT: head is true for LEFT.
func (n *Node) listPosition(c *client, b []byte) (head, ok bool) {
	switch {
	case eq(b, "left"):
		return true, true
	case eq(b, "right"):
		return false, true
	}
	n.replyError(c, ErrSyntax)
	return false, false
}

func popEvent(head bool) string {
	if head {
		return "lpop"
	}
	return "rpop"
}

func pushEvent(head bool) string {
	if head {
		return "lpush"
	}
	return "rpush"
}

func popName(head bool) []byte {
	if head {
		return []byte("LPOP")
	}
	return []byte("RPOP")
}

// lookupList finds key for writing and returns its list, or nil when it
// does not exist. ok is false (WRONGTYPE replied) when it is not a list.
func (n *Node) lookupList(c *client, key []byte, write bool) (l *keyspace.List, ok bool) {
	var v *keyspace.Value
	if write {
		v = n.lookupWrite(c, key)
	} else {
		v = n.lookupRead(c, key)
	}
	if v == nil {
		return nil, true
	}
	if v.Kind() != keyspace.KindList {
		n.replyError(c, ErrWrongType)
		return nil, false
	}
	return v.AsList(), true
}

// deleteIfEmpty deletes key when its list is empty.
func (n *Node) deleteIfEmpty(c *client, key []byte, l *keyspace.List) bool {
	if l.Len() != 0 {
		return false
	}
	n.dbDelete(c, c.db, key)
	n.notifyKeyspaceEvent(NotifyGeneric, "del", string(key), c.db.ID)
	return true
}

// listElementsRemoved does the bookkeeping after count elements were popped
// from one end of the list at key.
func (n *Node) listElementsRemoved(c *client, key []byte, head bool, l *keyspace.List, count int) {
	n.notifyKeyspaceEvent(NotifyList, popEvent(head), string(key), c.db.ID)
	n.deleteIfEmpty(c, key, l)
	n.signalModifiedKey(c, c.db, key)
	n.dirty += int64(count)
}

// replyListRange replies with the elements from start to end (inclusive,
// negative counting from the tail), reversed when reverse is set.
func replyListRange(c *client, l *keyspace.List, start, end int64, reverse bool) {
	llen := int64(l.Len())
	if start < 0 {
		start += llen
	}
	if end < 0 {
		end += llen
	}
	if start < 0 {
		start = 0
	}
	if start > end || start >= llen {
		c.w.Array(0)
		return
	}
	if end >= llen {
		end = llen - 1
	}
	rangelen := end - start + 1
	c.w.Array(int(rangelen))
	from := start
	if reverse {
		from = end
	}
	l.Iterate(int(from), reverse, func(e []byte) bool {
		c.bulk(e)
		rangelen--
		return rangelen > 0
	})
}

// popRange pops up to count elements from one end of l, replying with them
// in popping order; it returns how many it popped.
func (n *Node) popRange(c *client, key []byte, l *keyspace.List, head bool, count int64) int {
	llen := int64(l.Len())
	rangelen := min(count, llen)
	if head {
		replyListRange(c, l, 0, rangelen-1, false)
		l.DeleteRange(0, int(rangelen))
	} else {
		replyListRange(c, l, -rangelen, -1, true)
		l.DeleteRange(int(llen-rangelen), int(rangelen))
	}
	n.listElementsRemoved(c, key, head, l, int(rangelen))
	return int(rangelen)
}

// popRangeWithKey replies [key, [elements...]] and pops them (LMPOP).
func (n *Node) popRangeWithKey(c *client, key []byte, l *keyspace.List, head bool, count int64) int {
	c.w.Array(2)
	c.bulk(key)
	return n.popRange(c, key, l, head, count)
}

// pushGeneric implements LPUSH, RPUSH, LPUSHX and RPUSHX.
func (n *Node) pushGeneric(c *client, head, xx bool) {
	key := c.args[1]
	l, ok := n.lookupList(c, key, true)
	if !ok {
		return
	}
	if l == nil {
		if xx {
			c.int(0)
			return
		}
		l = n.newList()
		n.dbAdd(c, c.db, key, keyspace.NewListValue(l))
	}
	for _, e := range c.args[2:] {
		l.Push(e, head)
	}
	n.dirty += int64(len(c.args) - 2)
	c.int(int64(l.Len()))
	n.signalModifiedKey(c, c.db, key)
	n.notifyKeyspaceEvent(NotifyList, pushEvent(head), string(key), c.db.ID)
}

func cmdLPush(n *Node, c *client)  { n.pushGeneric(c, true, false) }
func cmdRPush(n *Node, c *client)  { n.pushGeneric(c, false, false) }
func cmdLPushX(n *Node, c *client) { n.pushGeneric(c, true, true) }
func cmdRPushX(n *Node, c *client) { n.pushGeneric(c, false, true) }

// popGeneric implements LPOP and RPOP with their optional count.
func (n *Node) popGeneric(c *client, head bool) {
	if len(c.args) > 3 {
		n.replyErrorf(c, ErrWrongArgsFmt, c.cmd.FullName)
		return
	}
	hasCount := len(c.args) == 3
	var count int64
	if hasCount {
		var ok bool
		if count, ok = n.argRange(c, c.args[2], 0, maxLong, errMustBePositive); !ok {
			return
		}
	}
	key := c.args[1]
	l, ok := n.lookupList(c, key, true)
	if !ok {
		return
	}
	if l == nil {
		if hasCount {
			c.w.NullArray()
		} else {
			c.null()
		}
		return
	}
	if hasCount && count == 0 {
		c.w.Array(0)
		return
	}
	if !hasCount {
		e, _ := l.Pop(head, nil)
		c.bulk(e)
		n.listElementsRemoved(c, key, head, l, 1)
		return
	}
	n.popRange(c, key, l, head, count)
}

// maxLong is C's LONG_MAX on the 64-bit platforms Redis runs on.
const maxLong = int64(^uint64(0) >> 1)

func cmdLPop(n *Node, c *client) { n.popGeneric(c, true) }
func cmdRPop(n *Node, c *client) { n.popGeneric(c, false) }

func cmdLLen(n *Node, c *client) {
	l, ok := n.lookupList(c, c.args[1], false)
	if !ok {
		return
	}
	if l == nil {
		c.int(0)
		return
	}
	c.int(int64(l.Len()))
}

func cmdLIndex(n *Node, c *client) {
	l, ok := n.lookupList(c, c.args[1], false)
	if !ok {
		return
	}
	if l == nil {
		c.null()
		return
	}
	index, ok := n.argLong(c, c.args[2], "")
	if !ok {
		return
	}
	var scratch [24]byte
	if e, found := l.Index(int(index), scratch[:0]); found {
		c.bulk(e)
	} else {
		c.null()
	}
}

func cmdLSet(n *Node, c *client) {
	key := c.args[1]
	l, ok := n.lookupList(c, key, true)
	if !ok {
		return
	}
	if l == nil {
		n.replyError(c, ErrNoSuchKey)
		return
	}
	index, ok := n.argLong(c, c.args[2], "")
	if !ok {
		return
	}
	if !l.Set(int(index), c.args[3]) {
		n.replyError(c, ErrOutOfRange)
		return
	}
	c.ok()
	n.signalModifiedKey(c, c.db, key)
	n.notifyKeyspaceEvent(NotifyList, "lset", string(key), c.db.ID)
	n.dirty++
}

func cmdLInsert(n *Node, c *client) {
	var after bool
	switch {
	case eq(c.args[2], "after"):
		after = true
	case eq(c.args[2], "before"):
	default:
		n.replyError(c, ErrSyntax)
		return
	}
	key := c.args[1]
	l, ok := n.lookupList(c, key, true)
	if !ok {
		return
	}
	if l == nil {
		c.int(0)
		return
	}
	if !l.Insert(c.args[3], c.args[4], after) {
		c.int(-1)
		return
	}
	n.signalModifiedKey(c, c.db, key)
	n.notifyKeyspaceEvent(NotifyList, "linsert", string(key), c.db.ID)
	n.dirty++
	c.int(int64(l.Len()))
}

func cmdLRange(n *Node, c *client) {
	start, ok := n.argLong(c, c.args[2], "")
	if !ok {
		return
	}
	end, ok := n.argLong(c, c.args[3], "")
	if !ok {
		return
	}
	l, ok := n.lookupList(c, c.args[1], false)
	if !ok {
		return
	}
	if l == nil {
		c.w.Array(0)
		return
	}
	replyListRange(c, l, start, end, false)
}

func cmdLTrim(n *Node, c *client) {
	start, ok := n.argLong(c, c.args[2], "")
	if !ok {
		return
	}
	end, ok := n.argLong(c, c.args[3], "")
	if !ok {
		return
	}
	key := c.args[1]
	l, ok := n.lookupList(c, key, true)
	if !ok {
		return
	}
	if l == nil {
		c.ok()
		return
	}
	llen := int64(l.Len())
	if start < 0 {
		start += llen
	}
	if end < 0 {
		end += llen
	}
	if start < 0 {
		start = 0
	}
	var ltrim, rtrim int64
	if start > end || start >= llen {
		ltrim, rtrim = llen, 0
	} else {
		if end >= llen {
			end = llen - 1
		}
		ltrim, rtrim = start, llen-end-1
	}
	l.DeleteRange(0, int(ltrim))
	l.DeleteRange(l.Len()-int(rtrim), int(rtrim))
	n.notifyKeyspaceEvent(NotifyList, "ltrim", string(key), c.db.ID)
	n.deleteIfEmpty(c, key, l)
	n.signalModifiedKey(c, c.db, key)
	n.dirty += ltrim + rtrim
	c.ok()
}

func cmdLPos(n *Node, c *client) {
	elem := c.args[2]
	rank, count, maxlen := int64(1), int64(-1), int64(0)
	for j := 3; j < len(c.args); j++ {
		opt := c.args[j]
		more := len(c.args) - 1 - j
		var ok bool
		switch {
		case eq(opt, "rank") && more > 0:
			j++
			if rank, ok = n.argLong(c, c.args[j], ""); !ok {
				return
			}
			if rank == 0 {
				n.replyError(c, errRankZero)
				return
			}
		case eq(opt, "count") && more > 0:
			j++
			if count, ok = n.argRange(c, c.args[j], 0, maxLong, errCountNegative); !ok {
				return
			}
		case eq(opt, "maxlen") && more > 0:
			j++
			if maxlen, ok = n.argRange(c, c.args[j], 0, maxLong, errMaxlenNegative); !ok {
				return
			}
		default:
			n.replyError(c, ErrSyntax)
			return
		}
	}
	fromTail := false
	if rank < 0 {
		// Like C, -LONG_MIN stays negative: every match qualifies.
		rank = -rank
		fromTail = true
	}
	l, ok := n.lookupList(c, c.args[1], false)
	if !ok {
		return
	}
	if l == nil {
		if count != -1 {
			c.w.Array(0)
		} else {
			c.null()
		}
		return
	}
	var matches, arraylen int64
	found := -1
	d := c.w.Defer()
	l.Find(elem, fromTail, int(maxlen), func(idx int) bool {
		matches++
		if matches < rank {
			return true
		}
		if count == -1 {
			found = idx
			return false
		}
		arraylen++
		c.int(int64(idx))
		return count == 0 || matches-rank+1 < count
	})
	switch {
	case count != -1:
		c.w.FillArray(d, int(arraylen))
	case found != -1:
		c.int(int64(found))
	default:
		c.null()
	}
}

func cmdLRem(n *Node, c *client) {
	toremove, ok := n.argLong(c, c.args[2], "")
	if !ok {
		return
	}
	key := c.args[1]
	l, ok := n.lookupList(c, key, true)
	if !ok {
		return
	}
	if l == nil {
		c.int(0)
		return
	}
	removed := l.Remove(c.args[3], int(toremove))
	n.dirty += int64(removed)
	if removed > 0 {
		n.signalModifiedKey(c, c.db, key)
		n.notifyKeyspaceEvent(NotifyList, "lrem", string(key), c.db.ID)
	}
	n.deleteIfEmpty(c, key, l)
	c.int(int64(removed))
}

// pushMoved pushes the element LMOVE popped onto dst (creating the list)
// and replies with it.
func (n *Node) pushMoved(c *client, dstKey []byte, dst *keyspace.List, elem []byte, head bool) {
	if dst == nil {
		dst = n.newList()
		n.dbAdd(c, c.db, dstKey, keyspace.NewListValue(dst))
	}
	n.signalModifiedKey(c, c.db, dstKey)
	dst.Push(elem, head)
	n.notifyKeyspaceEvent(NotifyList, pushEvent(head), string(dstKey), c.db.ID)
	c.bulk(elem)
}

// positionName is how Redis spells a side when it writes LMOVE itself.
func positionName(head bool) []byte {
	if head {
		return []byte("left")
	}
	return []byte("right")
}

// lmoveGeneric implements LMOVE, RPOPLPUSH and the serving of BLMOVE and
// BRPOPLPUSH: it pops from the source's from side and pushes to the
// destination's to side.
func (n *Node) lmoveGeneric(c *client, from, to bool) {
	srcKey, dstKey := c.args[1], c.args[2]
	src, ok := n.lookupList(c, srcKey, true)
	if !ok {
		return
	}
	if src == nil || src.Len() == 0 {
		c.null()
		return
	}
	dst, ok := n.lookupList(c, dstKey, true)
	if !ok {
		return
	}
	elem, _ := src.Pop(from, nil)
	n.pushMoved(c, dstKey, dst, elem, to)
	n.notifyKeyspaceEvent(NotifyList, popEvent(from), string(srcKey), c.db.ID)
	n.deleteIfEmpty(c, srcKey, src)
	n.signalModifiedKey(c, c.db, srcKey)
	var form [][]byte
	switch c.cmd.Name {
	case "blmove":
		if c.reprocessing {
			form = [][]byte{[]byte("LMOVE"), srcKey, dstKey, positionName(from), positionName(to)}
		} else {
			form = [][]byte{[]byte("LMOVE"), srcKey, dstKey, c.args[3], c.args[4]}
		}
	case "brpoplpush":
		form = [][]byte{[]byte("RPOPLPUSH"), srcKey, dstKey}
	}
	n.listWritten(c, form, 1)
}

// listWritten accounts for a write of a list command. A command served
// while it was blocked is propagated at once in its non-blocking form and
// does not add dirty (Redis's serving path does not count BLPOP and BLMOVE
// pops); otherwise the write adds dirty and, when form is set, is
// replicated as form.
func (n *Node) listWritten(c *client, form [][]byte, dirty int64) {
	if c.reprocessing {
		if form != nil {
			n.alsoPropagate(c.db.ID, form)
		}
		c.noPropagate = true
		return
	}
	n.dirty += dirty
	if form != nil {
		c.rewrite(form...)
	}
}

func cmdLMove(n *Node, c *client) {
	from, ok := n.listPosition(c, c.args[3])
	if !ok {
		return
	}
	to, ok := n.listPosition(c, c.args[4])
	if !ok {
		return
	}
	n.lmoveGeneric(c, from, to)
}

func cmdRPopLPush(n *Node, c *client) { n.lmoveGeneric(c, false, true) }

// mpopGeneric pops up to count elements from the first non-empty list of
// keys (LMPOP).
func (n *Node) mpopGeneric(c *client, keys [][]byte, head bool, count int64) {
	for _, key := range keys {
		l, ok := n.lookupList(c, key, true)
		if !ok {
			return
		}
		if l == nil || l.Len() == 0 {
			continue
		}
		popped := n.popRangeWithKey(c, key, l, head, count)
		c.rewrite(popName(head), key, []byte(strconv.Itoa(popped)))
		return
	}
	c.w.NullArray()
}

// lmpopGeneric parses LMPOP (numkeysIdx 1) and BLMPOP (numkeysIdx 2).
func (n *Node) lmpopGeneric(c *client, numkeysIdx int, block bool) {
	numkeys, ok := n.argRange(c, c.args[numkeysIdx], 1, maxLong, errNumkeys)
	if !ok {
		return
	}
	if numkeys >= int64(len(c.args)-numkeysIdx-1) {
		n.replyError(c, ErrSyntax)
		return
	}
	whereIdx := numkeysIdx + int(numkeys) + 1
	head, ok := n.listPosition(c, c.args[whereIdx])
	if !ok {
		return
	}
	count := int64(-1)
	for j := whereIdx + 1; j < len(c.args); j++ {
		if count == -1 && eq(c.args[j], "count") && j < len(c.args)-1 {
			j++
			if count, ok = n.argRange(c, c.args[j], 1, maxLong, errCountPositive); !ok {
				return
			}
			continue
		}
		n.replyError(c, ErrSyntax)
		return
	}
	if count == -1 {
		count = 1
	}
	keys := c.args[numkeysIdx+1 : whereIdx]
	if block {
		n.blockingPop(c, keys, head, c.args[1], count)
	} else {
		n.mpopGeneric(c, keys, head, count)
	}
}

func cmdLMPop(n *Node, c *client)  { n.lmpopGeneric(c, 1, false) }
func cmdBLMPop(n *Node, c *client) { n.lmpopGeneric(c, 2, true) }

// readyKeys narrows the keys of a blocked command being re-run to the key
// whose readiness woke it, as Redis serves a woken client from that key
// only.
func readyKeys(c *client, keys [][]byte) [][]byte {
	if !c.reprocessing || c.blocked == nil {
		return keys
	}
	for _, k := range keys {
		if string(k) == c.blocked.readyKey {
			return [][]byte{k}
		}
	}
	return keys
}

// blockingPop implements BLPOP, BRPOP (count -1: one element, replied as
// [key, element]) and BLMPOP (count >= 1: [key, [elements...]]).
func (n *Node) blockingPop(c *client, keys [][]byte, head bool, timeoutArg []byte, count int64) {
	deadline, ok := n.parseTimeout(c, timeoutArg, true)
	if !ok {
		return
	}
	for _, key := range readyKeys(c, keys) {
		l, ok := n.lookupList(c, key, true)
		if !ok {
			return
		}
		if l == nil || l.Len() == 0 {
			continue
		}
		if count != -1 {
			popped := n.popRangeWithKey(c, key, l, head, count)
			// popRange counted the pops dirty, blocked or not, as Redis does.
			n.listWritten(c, [][]byte{popName(head), key, []byte(strconv.Itoa(popped))}, 0)
			return
		}
		e, _ := l.Pop(head, nil)
		c.w.Array(2)
		c.bulk(key)
		c.bulk(e)
		n.notifyKeyspaceEvent(NotifyList, popEvent(head), string(key), c.db.ID)
		n.deleteIfEmpty(c, key, l)
		n.signalModifiedKey(c, c.db, key)
		n.listWritten(c, [][]byte{popName(head), key}, 1)
		return
	}
	if !n.canBlock(c) {
		c.w.NullArray()
		return
	}
	n.blockForKeys(c, keys, keyspace.KindList, deadline, nil, nil)
}

func cmdBLPop(n *Node, c *client) {
	n.blockingPop(c, c.args[1:len(c.args)-1], true, c.args[len(c.args)-1], -1)
}

func cmdBRPop(n *Node, c *client) {
	n.blockingPop(c, c.args[1:len(c.args)-1], false, c.args[len(c.args)-1], -1)
}

// blmoveGeneric implements BLMOVE and BRPOPLPUSH once their arguments are
// parsed.
func (n *Node) blmoveGeneric(c *client, from, to bool, deadline int64) {
	src, ok := n.lookupList(c, c.args[1], true)
	if !ok {
		return
	}
	if src != nil {
		n.lmoveGeneric(c, from, to)
		return
	}
	if !n.canBlock(c) {
		c.null()
		return
	}
	n.blockForKeys(c, c.args[1:2], keyspace.KindList, deadline, nil, nil)
}

func cmdBLMove(n *Node, c *client) {
	from, ok := n.listPosition(c, c.args[3])
	if !ok {
		return
	}
	to, ok := n.listPosition(c, c.args[4])
	if !ok {
		return
	}
	deadline, ok := n.parseTimeout(c, c.args[5], true)
	if !ok {
		return
	}
	n.blmoveGeneric(c, from, to, deadline)
}

func cmdBRPopLPush(n *Node, c *client) {
	deadline, ok := n.parseTimeout(c, c.args[3], true)
	if !ok {
		return
	}
	n.blmoveGeneric(c, false, true, deadline)
}

// listDebugObject is the quicklist part of DEBUG OBJECT.
func listDebugObject(v *keyspace.Value) string {
	l := v.AsList()
	compressed := 0
	if l.CompressDepth() != 0 {
		compressed = 1
	}
	return fmt.Sprintf(" ql_nodes:%d ql_avg_node:%.2f ql_listpack_max:%d ql_compressed:%d ql_uncompressed_size:%d",
		l.Nodes(), float64(l.Len())/float64(l.Nodes()), l.Fill(), compressed, l.PackedSize())
}

// listDigest mixes the elements in order, as Redis's xorObjectDigest does.
func listDigest(d *digest, v *keyspace.Value) {
	v.AsList().Iterate(0, false, func(e []byte) bool {
		d.mix(e)
		return true
	})
}

func listDocs(summary, since, complexity, syntax string) Docs {
	return Docs{Summary: summary, Since: since, Group: "list", Complexity: complexity, Syntax: syntax}
}

func init() {
	digestFuncs[keyspace.KindList] = listDigest
	debugObjectExtra[keyspace.KindList] = listDebugObject

	pushKeys := keys1("RW", "INSERT")
	popKeys := keys1("RW", "ACCESS", "DELETE")
	moveKeys := []KeySpec{
		{Flags: []string{"RW", "ACCESS", "DELETE"}, BeginIndex: 1, Step: 1},
		{Flags: []string{"RW", "INSERT"}, BeginIndex: 2, Step: 1},
	}
	const pushComplexity = "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments."
	const mpopComplexity = "O(N+M) where N is the number of provided keys and M is the number of elements returned."
	register(
		&Command{Name: "lpush", Arity: -3, Flags: CmdWrite | CmdDenyOOM | CmdFast, ACL: CatList, Proc: cmdLPush,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: pushKeys,
			Docs: listDocs("Prepend one or multiple elements to a list", "1.0.0", pushComplexity, "key element [element ...]")},
		&Command{Name: "rpush", Arity: -3, Flags: CmdWrite | CmdDenyOOM | CmdFast, ACL: CatList, Proc: cmdRPush,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: pushKeys,
			Docs: listDocs("Append one or multiple elements to a list", "1.0.0", pushComplexity, "key element [element ...]")},
		&Command{Name: "lpushx", Arity: -3, Flags: CmdWrite | CmdDenyOOM | CmdFast, ACL: CatList, Proc: cmdLPushX,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: pushKeys,
			Docs: listDocs("Prepend an element to a list, only if the list exists", "2.2.0", pushComplexity, "key element [element ...]")},
		&Command{Name: "rpushx", Arity: -3, Flags: CmdWrite | CmdDenyOOM | CmdFast, ACL: CatList, Proc: cmdRPushX,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: pushKeys,
			Docs: listDocs("Append an element to a list, only if the list exists", "2.2.0", pushComplexity, "key element [element ...]")},
		&Command{Name: "lpop", Arity: -2, Flags: CmdWrite | CmdFast, ACL: CatList, Proc: cmdLPop,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: popKeys,
			Docs: listDocs("Remove and get the first elements in a list", "1.0.0", "O(N) where N is the number of elements returned", "key [count:integer]")},
		&Command{Name: "rpop", Arity: -2, Flags: CmdWrite | CmdFast, ACL: CatList, Proc: cmdRPop,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: popKeys,
			Docs: listDocs("Remove and get the last elements in a list", "1.0.0", "O(N) where N is the number of elements returned", "key [count:integer]")},
		&Command{Name: "llen", Arity: 2, Flags: CmdReadonly | CmdFast, ACL: CatList, Proc: cmdLLen,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: keys1("RO"),
			Docs: listDocs("Get the length of a list", "1.0.0", "O(1)", "key")},
		&Command{Name: "lrange", Arity: 4, Flags: CmdReadonly, ACL: CatList, Proc: cmdLRange,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: keys1("RO", "ACCESS"),
			Docs: listDocs("Get a range of elements from a list", "1.0.0", "O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.", "key start:integer stop:integer")},
		&Command{Name: "lindex", Arity: 3, Flags: CmdReadonly, ACL: CatList, Proc: cmdLIndex,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: keys1("RO", "ACCESS"),
			Docs: listDocs("Get an element from a list by its index", "1.0.0", "O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1).", "key index:integer")},
		&Command{Name: "lset", Arity: 4, Flags: CmdWrite | CmdDenyOOM, ACL: CatList, Proc: cmdLSet,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: keys1("RW", "UPDATE"),
			Docs: listDocs("Set the value of an element in a list by its index", "1.0.0", "O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1).", "key index:integer element")},
		&Command{Name: "linsert", Arity: 5, Flags: CmdWrite | CmdDenyOOM, ACL: CatList, Proc: cmdLInsert,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: keys1("RW", "INSERT"),
			Docs: listDocs("Insert an element before or after another element in a list", "2.2.0", "O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N).", "key BEFORE | AFTER pivot element")},
		&Command{Name: "lrem", Arity: 4, Flags: CmdWrite, ACL: CatList, Proc: cmdLRem,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: keys1("RW", "DELETE"),
			Docs: listDocs("Remove elements from a list", "1.0.0", "O(N+M) where N is the length of the list and M is the number of elements removed.", "key count:integer element")},
		&Command{Name: "ltrim", Arity: 4, Flags: CmdWrite, ACL: CatList, Proc: cmdLTrim,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: keys1("RW", "DELETE"),
			Docs: listDocs("Trim a list to the specified range", "1.0.0", "O(N) where N is the number of elements to be removed by the operation.", "key start:integer stop:integer")},
		&Command{Name: "lpos", Arity: -3, Flags: CmdReadonly, ACL: CatList, Proc: cmdLPos,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: keys1("RO", "ACCESS"),
			Docs: listDocs("Return the index of matching elements on a list", "6.0.6", "O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time.", "key element [RANK rank:integer] [COUNT num-matches:integer] [MAXLEN len:integer]")},
		&Command{Name: "lmove", Arity: 5, Flags: CmdWrite | CmdDenyOOM, ACL: CatList, Proc: cmdLMove,
			FirstKey: 1, LastKey: 2, Step: 1, Keys: moveKeys,
			Docs: listDocs("Pop an element from a list, push it to another list and return it", "6.2.0", "O(1)", "source:key destination:key LEFT | RIGHT LEFT | RIGHT")},
		&Command{Name: "rpoplpush", Arity: 3, Flags: CmdWrite | CmdDenyOOM, ACL: CatList, Proc: cmdRPopLPush,
			FirstKey: 1, LastKey: 2, Step: 1, Keys: moveKeys,
			Docs: listDocs("Remove the last element in a list, prepend it to another list and return it", "1.2.0", "O(1)", "source:key destination:key")},
		&Command{Name: "lmpop", Arity: -4, Flags: CmdWrite | CmdMovableKeys, ACL: CatList, Proc: cmdLMPop,
			Keys: []KeySpec{{Flags: []string{"RW", "ACCESS", "DELETE"}, BeginIndex: 1, KeyNum: true, KeyNumIdx: 0, FirstKey: 1, KeyStep: 1}},
			Docs: listDocs("Pop elements from a list", "7.0.0", mpopComplexity, "numkeys:integer key [key ...] LEFT | RIGHT [COUNT count:integer]")},
		&Command{Name: "blpop", Arity: -3, Flags: CmdWrite | CmdNoScript | CmdBlocking, ACL: CatList, Proc: cmdBLPop,
			FirstKey: 1, LastKey: -2, Step: 1, Keys: []KeySpec{keysRange(1, -2, 1, "RW", "ACCESS", "DELETE")},
			Docs: listDocs("Remove and get the first element in a list, or block until one is available", "2.0.0", "O(N) where N is the number of provided keys.", "key [key ...] timeout:double")},
		&Command{Name: "brpop", Arity: -3, Flags: CmdWrite | CmdNoScript | CmdBlocking, ACL: CatList, Proc: cmdBRPop,
			FirstKey: 1, LastKey: -2, Step: 1, Keys: []KeySpec{keysRange(1, -2, 1, "RW", "ACCESS", "DELETE")},
			Docs: listDocs("Remove and get the last element in a list, or block until one is available", "2.0.0", "O(N) where N is the number of provided keys.", "key [key ...] timeout:double")},
		&Command{Name: "blmove", Arity: 6, Flags: CmdWrite | CmdDenyOOM | CmdNoScript | CmdBlocking, ACL: CatList, Proc: cmdBLMove,
			FirstKey: 1, LastKey: 2, Step: 1, Keys: moveKeys,
			Docs: listDocs("Pop an element from a list, push it to another list and return it; or block until one is available", "6.2.0", "O(1)", "source:key destination:key LEFT | RIGHT LEFT | RIGHT timeout:double")},
		&Command{Name: "brpoplpush", Arity: 4, Flags: CmdWrite | CmdDenyOOM | CmdNoScript | CmdBlocking, ACL: CatList, Proc: cmdBRPopLPush,
			FirstKey: 1, LastKey: 2, Step: 1, Keys: moveKeys,
			Docs: listDocs("Pop an element from a list, push it to another list and return it; or block until one is available", "2.2.0", "O(1)", "source:key destination:key timeout:double")},
		&Command{Name: "blmpop", Arity: -5, Flags: CmdWrite | CmdBlocking | CmdMovableKeys, ACL: CatList, Proc: cmdBLMPop,
			Keys: []KeySpec{{Flags: []string{"RW", "ACCESS", "DELETE"}, BeginIndex: 2, KeyNum: true, KeyNumIdx: 0, FirstKey: 1, KeyStep: 1}},
			Docs: listDocs("Pop elements from a list, or block until one is available", "7.0.0", mpopComplexity, "timeout:double numkeys:integer key [key ...] LEFT | RIGHT [COUNT count:integer]")},
	)
}
