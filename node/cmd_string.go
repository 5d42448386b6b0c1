package node

import (
	"math"
	"strconv"
	"strings"

	"replab/internal/num"
	"replab/keyspace"
)

// Argument and type helpers shared by the command files.

// argInt parses an integer argument, replying the standard error if it is
// not one.
func (n *Node) argInt(c *client, b []byte) (int64, bool) {
	v, ok := num.ParseInt(b)
	if !ok {
		n.replyError(c, ErrNotInteger)
	}
	return v, ok
}

// argFloat parses a float argument, replying the standard error if it is
// not one.
func (n *Node) argFloat(c *client, b []byte) (float64, bool) {
	v, ok := num.ParseFloat(b)
	if !ok {
		n.replyError(c, ErrNotFloat)
	}
	return v, ok
}

// checkType replies WRONGTYPE and returns false when v exists and is not of
// kind k.
func (n *Node) checkType(c *client, v *keyspace.Value, k keyspace.Kind) bool {
	if v != nil && v.Kind() != k {
		n.replyError(c, ErrWrongType)
		return false
	}
	return true
}

// eq reports whether an argument equals an option name, ignoring case.
func eq(b []byte, opt string) bool { return len(b) == len(opt) && strings.EqualFold(bs(b), opt) }

// replyValue replies with the bytes of a string value.
func replyValue(c *client, v *keyspace.Value) {
	var scratch [24]byte
	c.w.Bulk(v.Bytes(scratch[:0]))
}

// checkStringLength refuses strings longer than proto-max-bulk-len.
func (n *Node) checkStringLength(c *client, size int64) bool {
	if size > n.cfg.ProtoMaxBulkLen {
		n.replyError(c, ErrStringTooLong)
		return false
	}
	return true
}

func cmdGet(n *Node, c *client) {
	n.getGeneric(c)
}

// getGeneric replies with the string at c.args[1]; it returns false when
// it replied an error (wrong type).
func (n *Node) getGeneric(c *client) bool {
	v := n.lookupRead(c, c.args[1])
	if v == nil {
		c.null()
		return true
	}
	if v.Kind() != keyspace.KindString {
		n.replyError(c, ErrWrongType)
		return false
	}
	replyValue(c, v)
	return true
}

// Option flags of SET and GETEX.
const (
	setNX = 1 << iota
	setXX
	setGet
	setKeepTTL
	setPersist
	setEX
	setPX
	setEXAT
	setPXAT
)

const (
	forSet = iota
	forGetex
)

// parseExtendedString parses the options of SET (from index 3) or GETEX
// (from index 2) with Redis's rules for which combinations are allowed.
func (n *Node) parseExtendedString(c *client, kind int) (flags int, expire []byte, ok bool) {
	j := 3
	if kind == forGetex {
		j = 2
	}
	const expireFlags = setEX | setPX | setEXAT | setPXAT
	for ; j < len(c.args); j++ {
		opt := c.args[j]
		hasNext := j < len(c.args)-1
		switch {
		case eq(opt, "NX") && flags&setXX == 0 && kind == forSet:
			flags |= setNX
		case eq(opt, "XX") && flags&setNX == 0 && kind == forSet:
			flags |= setXX
		case eq(opt, "GET") && kind == forSet:
			flags |= setGet
		case eq(opt, "KEEPTTL") && flags&(setPersist|expireFlags) == 0 && kind == forSet:
			flags |= setKeepTTL
		case eq(opt, "PERSIST") && kind == forGetex && flags&(expireFlags|setKeepTTL) == 0:
			flags |= setPersist
		case eq(opt, "EX") && flags&(setKeepTTL|setPersist|setEXAT|setPX|setPXAT) == 0 && hasNext:
			flags |= setEX
			expire = c.args[j+1]
			j++
		case eq(opt, "PX") && flags&(setKeepTTL|setPersist|setEX|setEXAT|setPXAT) == 0 && hasNext:
			flags |= setPX
			expire = c.args[j+1]
			j++
		case eq(opt, "EXAT") && flags&(setKeepTTL|setPersist|setEX|setPX|setPXAT) == 0 && hasNext:
			flags |= setEXAT
			expire = c.args[j+1]
			j++
		case eq(opt, "PXAT") && flags&(setKeepTTL|setPersist|setEX|setEXAT|setPX) == 0 && hasNext:
			flags |= setPXAT
			expire = c.args[j+1]
			j++
		default:
			n.replyError(c, ErrSyntax)
			return 0, nil, false
		}
	}
	return flags, expire, true
}

// expireMillis turns the expire argument of SET/GETEX into an absolute time
// in milliseconds, replying an error when it is invalid.
func (n *Node) expireMillis(c *client, arg []byte, flags int) (int64, bool) {
	v, ok := n.argInt(c, arg)
	if !ok {
		return 0, false
	}
	seconds := flags&(setEX|setEXAT) != 0
	if v <= 0 || (seconds && v > math.MaxInt64/1000) {
		n.replyErrorf(c, ErrInvalidExpire, c.cmd.FullName)
		return 0, false
	}
	if seconds {
		v *= 1000
	}
	if flags&(setEX|setPX) != 0 {
		v += n.ms
	}
	if v <= 0 {
		n.replyErrorf(c, ErrInvalidExpire, c.cmd.FullName)
		return 0, false
	}
	return v, true
}

// setGeneric implements SET and its relatives. expire is the absolute
// expire time (0 for none). okReply and abortReply override +OK and the
// null reply (SETNX replies :1 and :0).
func (n *Node) setGeneric(c *client, flags int, key, val []byte, expire int64, okReply, abortReply string) {
	if flags&setGet != 0 {
		if !n.getGeneric(c) {
			return
		}
	}
	found := n.lookupWrite(c, key) != nil
	if (flags&setNX != 0 && found) || (flags&setXX != 0 && !found) {
		if flags&setGet == 0 {
			if abortReply != "" {
				c.w.RawString(abortReply)
			} else {
				c.null()
			}
		}
		return
	}
	n.setKey(c, c.db, key, keyspace.NewString(val), flags&setKeepTTL != 0)
	n.dirty++
	n.notifyKeyspaceEvent(NotifyString, "set", string(key), c.db.ID)
	if expire != 0 {
		c.db.SetExpireAt(bs(key), expire)
		// Replicated with an absolute time, so replicas agree however late
		// they apply it.
		c.rewrite([]byte("SET"), key, val, []byte("PXAT"), []byte(strconv.FormatInt(expire, 10)))
		n.notifyKeyspaceEvent(NotifyGeneric, "expire", string(key), c.db.ID)
	}
	if flags&setGet == 0 {
		if okReply != "" {
			c.w.RawString(okReply)
		} else {
			c.ok()
		}
	}
	if flags&setGet != 0 && expire == 0 {
		// GET is not replicated.
		args := make([][]byte, 0, len(c.args))
		for j, a := range c.args {
			if j >= 3 && eq(a, "GET") {
				continue
			}
			args = append(args, a)
		}
		c.rewrite(args...)
	}
}

func cmdSet(n *Node, c *client) {
	if len(c.args) == 3 {
		n.setGeneric(c, 0, c.args[1], c.args[2], 0, "", "")
		return
	}
	flags, expireArg, ok := n.parseExtendedString(c, forSet)
	if !ok {
		return
	}
	var expire int64
	if expireArg != nil {
		if expire, ok = n.expireMillis(c, expireArg, flags); !ok {
			return
		}
	}
	n.setGeneric(c, flags, c.args[1], c.args[2], expire, "", "")
}

func cmdSetNX(n *Node, c *client) {
	n.setGeneric(c, setNX, c.args[1], c.args[2], 0, ":1\r\n", ":0\r\n")
}

func cmdSetEX(n *Node, c *client) {
	expire, ok := n.expireMillis(c, c.args[2], setEX)
	if ok {
		n.setGeneric(c, 0, c.args[1], c.args[3], expire, "", "")
	}
}

func cmdPSetEX(n *Node, c *client) {
	expire, ok := n.expireMillis(c, c.args[2], setPX)
	if ok {
		n.setGeneric(c, 0, c.args[1], c.args[3], expire, "", "")
	}
}

func cmdGetEX(n *Node, c *client) {
	flags, expireArg, ok := n.parseExtendedString(c, forGetex)
	if !ok {
		return
	}
	key := c.args[1]
	v := n.lookupRead(c, key)
	if v == nil {
		c.null()
		return
	}
	if !n.checkType(c, v, keyspace.KindString) {
		return
	}
	var expire int64
	if expireArg != nil {
		if expire, ok = n.expireMillis(c, expireArg, flags); !ok {
			return
		}
	}
	replyValue(c, v)
	switch {
	case flags&(setEXAT|setPXAT) != 0 && expire <= n.ms:
		// An absolute time already past deletes the key.
		n.dbDelete(c, c.db, key)
		if n.cfg.LazyfreeLazyExpire {
			c.rewrite([]byte("UNLINK"), key)
		} else {
			c.rewrite([]byte("DEL"), key)
		}
		n.notifyKeyspaceEvent(NotifyGeneric, "del", string(key), c.db.ID)
		n.dirty++
	case expire != 0:
		c.db.SetExpireAt(bs(key), expire)
		c.rewrite([]byte("PEXPIREAT"), key, []byte(strconv.FormatInt(expire, 10)))
		n.signalModifiedKey(c, c.db, key)
		n.notifyKeyspaceEvent(NotifyGeneric, "expire", string(key), c.db.ID)
		n.dirty++
	case flags&setPersist != 0:
		if c.db.Persist(bs(key)) {
			n.signalModifiedKey(c, c.db, key)
			c.rewrite([]byte("PERSIST"), key)
			n.notifyKeyspaceEvent(NotifyGeneric, "persist", string(key), c.db.ID)
			n.dirty++
		}
	}
}

func cmdGetDel(n *Node, c *client) {
	if !n.getGeneric(c) {
		return
	}
	key := c.args[1]
	if n.dbDelete(c, c.db, key) {
		c.rewrite([]byte("DEL"), key)
		n.notifyKeyspaceEvent(NotifyGeneric, "del", string(key), c.db.ID)
		n.dirty++
	}
}

func cmdGetSet(n *Node, c *client) {
	if !n.getGeneric(c) {
		return
	}
	n.setKey(c, c.db, c.args[1], keyspace.NewString(c.args[2]), false)
	n.notifyKeyspaceEvent(NotifyString, "set", string(c.args[1]), c.db.ID)
	n.dirty++
	c.rewrite([]byte("SET"), c.args[1], c.args[2])
}

func cmdMGet(n *Node, c *client) {
	c.w.Array(len(c.args) - 1)
	for _, k := range c.args[1:] {
		v := n.lookupRead(c, k)
		if v == nil || v.Kind() != keyspace.KindString {
			c.null()
			continue
		}
		replyValue(c, v)
	}
}

func (n *Node) msetGeneric(c *client, nx bool) {
	if len(c.args)%2 == 0 {
		n.replyErrorf(c, ErrWrongArgsFmt, c.cmd.FullName)
		return
	}
	if nx {
		for j := 1; j < len(c.args); j += 2 {
			if n.lookupWrite(c, c.args[j]) != nil {
				c.int(0)
				return
			}
		}
	}
	for j := 1; j < len(c.args); j += 2 {
		n.setKey(c, c.db, c.args[j], keyspace.NewString(c.args[j+1]), false)
		n.notifyKeyspaceEvent(NotifyString, "set", string(c.args[j]), c.db.ID)
	}
	n.dirty += int64(len(c.args)-1) / 2
	if nx {
		c.int(1)
	} else {
		c.ok()
	}
}

func cmdMSet(n *Node, c *client)   { n.msetGeneric(c, false) }
func cmdMSetNX(n *Node, c *client) { n.msetGeneric(c, true) }

func cmdAppend(n *Node, c *client) {
	key, val := c.args[1], c.args[2]
	v := n.lookupWrite(c, key)
	var total int
	if v == nil {
		n.dbAdd(c, c.db, key, keyspace.NewString(val))
		total = len(val)
	} else {
		if !n.checkType(c, v, keyspace.KindString) {
			return
		}
		if !n.checkStringLength(c, int64(v.Len())+int64(len(val))) {
			return
		}
		b := v.MutableBytes()
		b = append(b, val...)
		v.SetBytes(b)
		total = len(b)
		n.signalModifiedKey(c, c.db, key)
	}
	n.notifyKeyspaceEvent(NotifyString, "append", string(key), c.db.ID)
	n.dirty++
	c.int(int64(total))
}

func cmdStrlen(n *Node, c *client) {
	v := n.lookupRead(c, c.args[1])
	if v == nil {
		c.int(0)
		return
	}
	if n.checkType(c, v, keyspace.KindString) {
		c.int(int64(v.Len()))
	}
}

// incrDecr adds incr to the integer at c.args[1].
func (n *Node) incrDecr(c *client, incr int64) {
	key := c.args[1]
	v := n.lookupWrite(c, key)
	if !n.checkType(c, v, keyspace.KindString) {
		return
	}
	var cur int64
	if v != nil {
		var ok bool
		if cur, ok = v.Int(); !ok {
			var scratch [24]byte
			cur, ok = num.ParseInt(v.Bytes(scratch[:0]))
			if !ok {
				n.replyError(c, ErrNotInteger)
				return
			}
		}
	}
	if (incr < 0 && cur < 0 && incr < math.MinInt64-cur) || (incr > 0 && cur > 0 && incr > math.MaxInt64-cur) {
		n.replyError(c, ErrOverflow)
		return
	}
	cur += incr
	if v != nil {
		v.Replace(keyspace.NewInt(cur))
		n.signalModifiedKey(c, c.db, key)
	} else {
		n.dbAdd(c, c.db, key, keyspace.NewInt(cur))
	}
	n.notifyKeyspaceEvent(NotifyString, "incrby", string(key), c.db.ID)
	n.dirty++
	c.int(cur)
}

func cmdIncr(n *Node, c *client) { n.incrDecr(c, 1) }
func cmdDecr(n *Node, c *client) { n.incrDecr(c, -1) }

func cmdIncrBy(n *Node, c *client) {
	if incr, ok := n.argInt(c, c.args[2]); ok {
		n.incrDecr(c, incr)
	}
}

func cmdDecrBy(n *Node, c *client) {
	incr, ok := n.argInt(c, c.args[2])
	if !ok {
		return
	}
	if incr == math.MinInt64 {
		n.replyError(c, "ERR decrement would overflow")
		return
	}
	n.incrDecr(c, -incr)
}

func cmdIncrByFloat(n *Node, c *client) {
	key := c.args[1]
	v := n.lookupWrite(c, key)
	if !n.checkType(c, v, keyspace.KindString) {
		return
	}
	cur := []byte("0")
	if v != nil {
		cur = v.Bytes(nil)
	}
	value, ok := num.ParseLongDouble(cur)
	if !ok {
		n.replyError(c, ErrNotFloat)
		return
	}
	incr, ok := num.ParseLongDouble(c.args[2])
	if !ok {
		n.replyError(c, ErrNotFloat)
		return
	}
	sum, ok := num.AddLongDouble(value, incr)
	if !ok {
		n.replyError(c, ErrNaNOrInf)
		return
	}
	s := []byte(num.FormatLongDoubleHuman(sum))
	nv := keyspace.NewRawString(s, keyspace.EncEmbstr)
	if len(s) > keyspace.EmbstrLimit {
		nv = keyspace.NewRawString(s, keyspace.EncRaw)
	}
	if v != nil {
		v.Replace(nv)
		n.signalModifiedKey(c, c.db, key)
	} else {
		n.dbAdd(c, c.db, key, nv)
	}
	n.notifyKeyspaceEvent(NotifyString, "incrbyfloat", string(key), c.db.ID)
	n.dirty++
	c.bulk(s)
	c.rewrite([]byte("SET"), key, s, []byte("KEEPTTL"))
}

func cmdGetRange(n *Node, c *client) {
	start, ok := n.argInt(c, c.args[2])
	if !ok {
		return
	}
	end, ok := n.argInt(c, c.args[3])
	if !ok {
		return
	}
	v := n.lookupRead(c, c.args[1])
	if v == nil {
		c.bulkString("")
		return
	}
	if !n.checkType(c, v, keyspace.KindString) {
		return
	}
	var scratch [24]byte
	s := v.Bytes(scratch[:0])
	size := int64(len(s))
	if start < 0 && end < 0 && start > end {
		c.bulkString("")
		return
	}
	if start < 0 {
		start += size
	}
	if end < 0 {
		end += size
	}
	if start < 0 {
		start = 0
	}
	if end < 0 {
		end = 0
	}
	if end >= size {
		end = size - 1
	}
	if start > end || size == 0 {
		c.bulkString("")
		return
	}
	c.bulk(s[start : end+1])
}

func cmdSetRange(n *Node, c *client) {
	key, val := c.args[1], c.args[3]
	offset, ok := n.argInt(c, c.args[2])
	if !ok {
		return
	}
	if offset < 0 {
		n.replyError(c, ErrOffsetRange)
		return
	}
	v := n.lookupWrite(c, key)
	if v == nil {
		if len(val) == 0 {
			c.int(0)
			return
		}
		if !n.checkStringLength(c, offset+int64(len(val))) {
			return
		}
		b := make([]byte, offset+int64(len(val)))
		copy(b[offset:], val)
		n.dbAdd(c, c.db, key, keyspace.NewRawString(b, keyspace.EncRaw))
		n.notifyKeyspaceEvent(NotifyString, "setrange", string(key), c.db.ID)
		n.dirty++
		c.int(int64(len(b)))
		return
	}
	if !n.checkType(c, v, keyspace.KindString) {
		return
	}
	if len(val) == 0 {
		c.int(int64(v.Len()))
		return
	}
	if !n.checkStringLength(c, offset+int64(len(val))) {
		return
	}
	b := v.MutableBytes()
	if need := int(offset) + len(val); need > len(b) {
		if need <= cap(b) {
			b = b[:need]
		} else {
			grown := make([]byte, need, need+need/4)
			copy(grown, b)
			b = grown
		}
	}
	copy(b[offset:], val)
	v.SetBytes(b)
	n.signalModifiedKey(c, c.db, key)
	n.notifyKeyspaceEvent(NotifyString, "setrange", string(key), c.db.ID)
	n.dirty++
	c.int(int64(len(b)))
}

func cmdLCS(n *Node, c *client) {
	va := n.lookupRead(c, c.args[1])
	vb := n.lookupRead(c, c.args[2])
	if (va != nil && va.Kind() != keyspace.KindString) || (vb != nil && vb.Kind() != keyspace.KindString) {
		n.replyError(c, "ERR The specified keys must contain string values")
		return
	}
	var a, b []byte
	if va != nil {
		a = append([]byte(nil), va.Bytes(nil)...)
	}
	if vb != nil {
		b = append([]byte(nil), vb.Bytes(nil)...)
	}
	var getLen, getIdx, withMatchLen bool
	var minMatchLen int64
	for j := 3; j < len(c.args); j++ {
		opt := c.args[j]
		more := len(c.args) - 1 - j
		switch {
		case eq(opt, "IDX"):
			getIdx = true
		case eq(opt, "LEN"):
			getLen = true
		case eq(opt, "WITHMATCHLEN"):
			withMatchLen = true
		case eq(opt, "MINMATCHLEN") && more > 0:
			v, ok := n.argInt(c, c.args[j+1])
			if !ok {
				return
			}
			if v < 0 {
				v = 0
			}
			minMatchLen = v
			j++
		default:
			n.replyError(c, ErrSyntax)
			return
		}
	}
	if getLen && getIdx {
		n.replyError(c, "ERR If you want both the length and indexes, please just use IDX.")
		return
	}
	alen, blen := len(a), len(b)
	size := int64(alen+1) * int64(blen+1) * 4
	if size > n.cfg.ProtoMaxBulkLen {
		n.replyError(c, "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len")
		return
	}
	// table[i*(blen+1)+j] is the LCS length of a[:i] and b[:j].
	w := blen + 1
	table := make([]uint32, (alen+1)*w)
	for i := 1; i <= alen; i++ {
		for j := 1; j <= blen; j++ {
			if a[i-1] == b[j-1] {
				table[i*w+j] = table[(i-1)*w+j-1] + 1
			} else if x, y := table[(i-1)*w+j], table[i*w+j-1]; x > y {
				table[i*w+j] = x
			} else {
				table[i*w+j] = y
			}
		}
	}
	total := table[alen*w+blen]
	idx := total
	computeLCS := getIdx || !getLen
	var result []byte
	if computeLCS {
		result = make([]byte, idx)
	}
	var deferred = c.w.Defer()
	if getIdx {
		c.w.Map(2)
		c.bulkString("matches")
		deferred = c.w.Defer()
	}
	arrayLen := 0
	aStart, aEnd, bStart, bEnd := alen, 0, 0, 0
	i, j := alen, blen
	for computeLCS && i > 0 && j > 0 {
		emit := false
		if a[i-1] == b[j-1] {
			result[idx-1] = a[i-1]
			if aStart == alen {
				aStart, aEnd, bStart, bEnd = i-1, i-1, j-1, j-1
			} else if aStart == i && bStart == j {
				aStart--
				bStart--
			} else {
				emit = true
			}
			if aStart == 0 || bStart == 0 {
				emit = true
			}
			idx--
			i--
			j--
		} else {
			if table[(i-1)*w+j] > table[i*w+j-1] {
				i--
			} else {
				j--
			}
			if aStart != alen {
				emit = true
			}
		}
		matchLen := aEnd - aStart + 1
		if emit {
			if minMatchLen == 0 || int64(matchLen) >= minMatchLen {
				if getIdx {
					if withMatchLen {
						c.w.Array(3)
					} else {
						c.w.Array(2)
					}
					c.w.Array(2)
					c.int(int64(aStart))
					c.int(int64(aEnd))
					c.w.Array(2)
					c.int(int64(bStart))
					c.int(int64(bEnd))
					if withMatchLen {
						c.int(int64(matchLen))
					}
					arrayLen++
				}
			}
			aStart = alen
		}
	}
	switch {
	case getIdx:
		c.w.FillArray(deferred, arrayLen)
		c.bulkString("len")
		c.int(int64(total))
	case getLen:
		c.int(int64(total))
	default:
		c.bulk(result)
	}
}

func stringDocs(summary, since, complexity, syntax string) Docs {
	return Docs{Summary: summary, Since: since, Group: "string", Complexity: complexity, Syntax: syntax}
}

func init() {
	rw := func(extra ...string) []KeySpec { return keys1(append([]string{"RW"}, extra...)...) }
	ro := keys1("RO", "ACCESS")
	register(
		&Command{Name: "get", Arity: 2, Flags: CmdReadonly | CmdFast, ACL: CatString, Proc: cmdGet,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: ro,
			Docs: stringDocs("Returns the string value of a key.", "1.0.0", "O(1)", "key")},
		&Command{Name: "set", Arity: -3, Flags: CmdWrite | CmdDenyOOM, ACL: CatString, Proc: cmdSet,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: []KeySpec{{Notes: "RW and ACCESS due to the optional `GET` argument", Flags: []string{"RW", "ACCESS", "UPDATE", "VARIABLE_FLAGS"}, BeginIndex: 1, Step: 1}},
			Docs: stringDocs("Sets the string value of a key, ignoring its type. The key is created if it doesn't exist.", "1.0.0", "O(1)",
				"key value [NX | XX] [GET] [EX seconds:integer | PX milliseconds:integer | EXAT unix-time-seconds:unix-time | PXAT unix-time-milliseconds:unix-time | KEEPTTL]")},
		&Command{Name: "setnx", Arity: 3, Flags: CmdWrite | CmdDenyOOM | CmdFast, ACL: CatString, Proc: cmdSetNX,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: keys1("OW", "INSERT"),
			Docs: stringDocs("Set the string value of a key only when the key doesn't exist.", "1.0.0", "O(1)", "key value")},
		&Command{Name: "setex", Arity: 4, Flags: CmdWrite | CmdDenyOOM, ACL: CatString, Proc: cmdSetEX,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: keys1("OW", "UPDATE"),
			Docs: stringDocs("Sets the string value and expiration time of a key. Creates the key if it doesn't exist.", "2.0.0", "O(1)", "key seconds:integer value")},
		&Command{Name: "psetex", Arity: 4, Flags: CmdWrite | CmdDenyOOM, ACL: CatString, Proc: cmdPSetEX,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: keys1("OW", "UPDATE"),
			Docs: stringDocs("Sets both string value and expiration time in milliseconds of a key. The key is created if it doesn't exist.", "2.6.0", "O(1)", "key milliseconds:integer value")},
		&Command{Name: "getex", Arity: -2, Flags: CmdWrite | CmdFast, ACL: CatString, Proc: cmdGetEX,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: []KeySpec{{Notes: "RW and UPDATE because it changes the TTL", Flags: []string{"RW", "ACCESS", "UPDATE"}, BeginIndex: 1, Step: 1}},
			Docs: stringDocs("Returns the string value of a key after setting its expiration time.", "6.2.0", "O(1)",
				"key [EX seconds:integer | PX milliseconds:integer | EXAT unix-time-seconds:unix-time | PXAT unix-time-milliseconds:unix-time | PERSIST]")},
		&Command{Name: "getdel", Arity: 2, Flags: CmdWrite | CmdFast, ACL: CatString, Proc: cmdGetDel,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: rw("ACCESS", "DELETE"),
			Docs: stringDocs("Returns the string value of a key after deleting the key.", "6.2.0", "O(1)", "key")},
		&Command{Name: "getset", Arity: 3, Flags: CmdWrite | CmdDenyOOM | CmdFast, ACL: CatString, Proc: cmdGetSet,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: rw("ACCESS", "UPDATE"),
			Docs: stringDocs("Returns the previous string value of a key after setting it to a new value.", "1.0.0", "O(1)", "key value")},
		&Command{Name: "mget", Arity: -2, Flags: CmdReadonly | CmdFast, ACL: CatString, Proc: cmdMGet, Tips: []string{"request_policy:multi_shard"},
			FirstKey: 1, LastKey: -1, Step: 1, Keys: []KeySpec{keysRange(1, -1, 1, "RO", "ACCESS")},
			Docs: stringDocs("Atomically returns the string values of one or more keys.", "1.0.0", "O(N) where N is the number of keys to retrieve.", "key [key ...]")},
		&Command{Name: "mset", Arity: -3, Flags: CmdWrite | CmdDenyOOM, ACL: CatString, Proc: cmdMSet, Tips: []string{"request_policy:multi_shard", "response_policy:all_succeeded"},
			FirstKey: 1, LastKey: -1, Step: 2, Keys: []KeySpec{keysRange(1, -1, 2, "OW", "UPDATE")},
			Docs: stringDocs("Atomically creates or modifies the string values of one or more keys.", "1.0.1", "O(N) where N is the number of keys to set.", "key value [key value ...]")},
		&Command{Name: "msetnx", Arity: -3, Flags: CmdWrite | CmdDenyOOM, ACL: CatString, Proc: cmdMSetNX, Tips: []string{"request_policy:multi_shard", "response_policy:agg_min"},
			FirstKey: 1, LastKey: -1, Step: 2, Keys: []KeySpec{keysRange(1, -1, 2, "OW", "INSERT")},
			Docs: stringDocs("Atomically modifies the string values of one or more keys only when all keys don't exist.", "1.0.1", "O(N) where N is the number of keys to set.", "key value [key value ...]")},
		&Command{Name: "append", Arity: 3, Flags: CmdWrite | CmdDenyOOM | CmdFast, ACL: CatString, Proc: cmdAppend,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: rw("INSERT"),
			Docs: stringDocs("Appends a string to the value of a key. Creates the key if it doesn't exist.", "2.0.0", "O(1).", "key value")},
		&Command{Name: "strlen", Arity: 2, Flags: CmdReadonly | CmdFast, ACL: CatString, Proc: cmdStrlen,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: keys1("RO"),
			Docs: stringDocs("Returns the length of a string value.", "2.2.0", "O(1)", "key")},
		&Command{Name: "incr", Arity: 2, Flags: CmdWrite | CmdDenyOOM | CmdFast, ACL: CatString, Proc: cmdIncr,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: rw("ACCESS", "UPDATE"),
			Docs: stringDocs("Increments the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.", "1.0.0", "O(1)", "key")},
		&Command{Name: "decr", Arity: 2, Flags: CmdWrite | CmdDenyOOM | CmdFast, ACL: CatString, Proc: cmdDecr,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: rw("ACCESS", "UPDATE"),
			Docs: stringDocs("Decrements the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.", "1.0.0", "O(1)", "key")},
		&Command{Name: "incrby", Arity: 3, Flags: CmdWrite | CmdDenyOOM | CmdFast, ACL: CatString, Proc: cmdIncrBy,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: rw("ACCESS", "UPDATE"),
			Docs: stringDocs("Increments the integer value of a key by a number. Uses 0 as initial value if the key doesn't exist.", "1.0.0", "O(1)", "key increment:integer")},
		&Command{Name: "decrby", Arity: 3, Flags: CmdWrite | CmdDenyOOM | CmdFast, ACL: CatString, Proc: cmdDecrBy,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: rw("ACCESS", "UPDATE"),
			Docs: stringDocs("Decrements a number from the integer value of a key. Uses 0 as initial value if the key doesn't exist.", "1.0.0", "O(1)", "key decrement:integer")},
		&Command{Name: "incrbyfloat", Arity: 3, Flags: CmdWrite | CmdDenyOOM | CmdFast, ACL: CatString, Proc: cmdIncrByFloat,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: rw("ACCESS", "UPDATE"),
			Docs: stringDocs("Increment the floating point value of a key by a number. Uses 0 as initial value if the key doesn't exist.", "2.6.0", "O(1)", "key increment:double")},
		&Command{Name: "getrange", Arity: 4, Flags: CmdReadonly, ACL: CatString, Proc: cmdGetRange,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: ro,
			Docs: stringDocs("Returns a substring of the string stored at a key.", "2.4.0", "O(N) where N is the length of the returned string.", "key start:integer end:integer")},
		&Command{Name: "substr", Arity: 4, Flags: CmdReadonly, ACL: CatString, Proc: cmdGetRange,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: ro,
			Docs: stringDocs("Returns a substring from a string value.", "1.0.0", "O(N) where N is the length of the returned string.", "key start:integer end:integer")},
		&Command{Name: "setrange", Arity: 4, Flags: CmdWrite | CmdDenyOOM, ACL: CatString, Proc: cmdSetRange,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: rw("UPDATE"),
			Docs: stringDocs("Overwrites a part of a string value with another by an offset. Creates the key if it doesn't exist.", "2.2.0", "O(1), not counting the time taken to copy the new string in place.", "key offset:integer value")},
		&Command{Name: "lcs", Arity: -3, Flags: CmdReadonly, ACL: CatString, Proc: cmdLCS,
			FirstKey: 1, LastKey: 2, Step: 1, Keys: []KeySpec{keysRange(1, 1, 1, "RO", "ACCESS")},
			Docs: stringDocs("Finds the longest common substring.", "7.0.0", "O(N*M) where N and M are the lengths of s1 and s2, respectively",
				"key1:key key2:key [LEN] [IDX] [MINMATCHLEN min-match-len:integer] [WITHMATCHLEN]")},
	)
}

// parseFloatStrict parses a float argument (Redis's strtod rules).
func parseFloatStrict(b []byte) (float64, bool) { return num.ParseFloat(b) }

// parseIntStrict parses an integer argument (Redis's string2ll rules).
func parseIntStrict(b []byte) (int64, bool) { return num.ParseInt(b) }
