package node

import (
	"fmt"
	"math"
	"strconv"

	"replab/internal/glob"
	"replab/internal/num"
	"replab/keyspace"
)

// argIntRange parses an integer argument that must lie in [min, max], with
// Redis's errors (msg replaces the default error when given).
func (n *Node) argIntRange(c *client, b []byte, min, max int64, msg string) (int64, bool) {
	v, ok := num.ParseInt(b)
	if !ok {
		if msg != "" {
			n.replyError(c, "ERR "+msg)
		} else {
			n.replyError(c, ErrNotInteger)
		}
		return 0, false
	}
	if v < min || v > max {
		if msg != "" {
			n.replyError(c, "ERR "+msg)
		} else {
			n.replyErrorf(c, "ERR value is out of range, value must between %d and %d", min, max)
		}
		return 0, false
	}
	return v, true
}

// argDB parses a database index argument.
func (n *Node) argDB(c *client, b []byte, msg string) (*keyspace.DB, bool) {
	id, ok := n.argIntRange(c, b, math.MinInt32, math.MaxInt32, msg)
	if !ok {
		return nil, false
	}
	if id < 0 || id >= int64(n.ks.Len()) {
		n.replyError(c, ErrInvalidDB)
		return nil, false
	}
	return n.ks.DB(int(id)), true
}

func (n *Node) delGeneric(c *client, lazy bool) {
	deleted := 0
	for _, k := range c.args[1:] {
		n.expireIfNeeded(c, c.db, bs(k))
		if n.dbDelete(c, c.db, k) {
			n.notifyKeyspaceEvent(NotifyGeneric, "del", string(k), c.db.ID)
			n.dirty++
			deleted++
		}
	}
	c.int(int64(deleted))
}

func cmdDel(n *Node, c *client)    { n.delGeneric(c, n.cfg.LazyfreeLazyUserDel) }
func cmdUnlink(n *Node, c *client) { n.delGeneric(c, true) }

func cmdExists(n *Node, c *client) {
	count := 0
	for _, k := range c.args[1:] {
		if n.lookupRead(c, k) != nil {
			count++
		}
	}
	c.int(int64(count))
}

func cmdTouch(n *Node, c *client) {
	count := 0
	for _, k := range c.args[1:] {
		if n.lookupRead(c, k) != nil {
			count++
		}
	}
	c.int(int64(count))
}

func cmdType(n *Node, c *client) {
	v := n.lookupNoTouch(c, c.args[1])
	if v == nil {
		c.w.SimpleString("none")
		return
	}
	c.w.SimpleString(v.Kind().String())
}

// lookupNoTouch finds a key for reading without changing its access time.
func (n *Node) lookupNoTouch(c *client, key []byte) *keyspace.Value {
	v := c.db.FindBytes(key)
	if v == nil {
		n.stats.KeyspaceMisses++
		return nil
	}
	if n.expireIfNeeded(c, c.db, bs(key)) {
		n.stats.KeyspaceMisses++
		return nil
	}
	n.stats.KeyspaceHits++
	return v
}

func cmdKeys(n *Node, c *client) {
	pattern := string(c.args[1])
	all := pattern == "*"
	d := c.w.Defer()
	count := 0
	var matched []string
	c.db.ForEach(func(k string, _ *keyspace.Value) bool {
		if all || glob.Match(pattern, k) {
			matched = append(matched, k)
		}
		return true
	})
	for _, k := range matched {
		if !c.db.Expired(k, n.ms) {
			c.bulkString(k)
			count++
		}
	}
	c.w.FillArray(d, count)
}

// parseScanCursor parses a SCAN cursor as strtoul does.
func (n *Node) parseScanCursor(c *client, b []byte) (uint64, bool) {
	s := string(b)
	if len(s) > 0 && num.IsSpace(s[0]) {
		n.replyError(c, "ERR invalid cursor")
		return 0, false
	}
	neg := false
	if len(s) > 0 && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "" {
		if neg || len(b) > 0 {
			// strtoul consumes nothing: the end pointer stays at the sign.
			n.replyError(c, "ERR invalid cursor")
			return 0, false
		}
		return 0, true
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		n.replyError(c, "ERR invalid cursor")
		return 0, false
	}
	if neg {
		v = -v
	}
	return v, true
}

func cmdScan(n *Node, c *client) {
	cursor, ok := n.parseScanCursor(c, c.args[1])
	if !ok {
		return
	}
	o, ok := n.parseScanOptions(c, 2, true)
	if !ok {
		return
	}
	var keys []string
	cursor = scanSteps(cursor, o.count, func() int64 { return int64(len(keys)) }, func(cur uint64) uint64 {
		return c.db.Scan(cur, func(k string, _ *keyspace.Value) { keys = append(keys, k) })
	})
	out := keys[:0]
	for _, k := range keys {
		if o.usePattern && !glob.Match(o.pattern, k) {
			continue
		}
		if o.hasType {
			v := c.db.Find(k)
			name := "none"
			if v != nil && !(c.db.Expired(k, n.ms) && !n.isReplica()) {
				name = v.Kind().String()
			}
			if !equalFold(name, o.typeName) {
				continue
			}
		}
		if n.expireIfNeeded(c, c.db, k) {
			continue
		}
		out = append(out, k)
	}
	c.w.Array(2)
	c.w.BulkString(strconv.FormatUint(cursor, 10))
	c.w.Array(len(out))
	for _, k := range out {
		c.bulkString(k)
	}
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x >= 'A' && x <= 'Z' {
			x += 'a' - 'A'
		}
		if y >= 'A' && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

func cmdRandomKey(n *Node, c *client) {
	// As Redis: give up looking for a key that is not expired after a
	// while when every key is volatile (a replica cannot delete them).
	maxTries := 100
	for {
		k, ok := c.db.RandomKey(n.rng.IntN)
		if !ok {
			c.null()
			return
		}
		if c.db.Expired(k, n.ms) {
			if n.isReplica() && c.db.ExpiresLen() == c.db.Len() {
				maxTries--
				if maxTries == 0 {
					c.bulkString(k)
					return
				}
			}
			if n.expireIfNeeded(c, c.db, k) {
				continue
			}
		}
		c.bulkString(k)
		return
	}
}

func (n *Node) renameGeneric(c *client, nx bool) {
	src, dst := c.args[1], c.args[2]
	same := string(src) == string(dst)
	v := n.lookupWrite(c, src)
	if v == nil {
		n.replyError(c, ErrNoSuchKey)
		return
	}
	if same {
		if nx {
			c.int(0)
		} else {
			c.ok()
		}
		return
	}
	val := *v
	expire, hasExpire := c.db.ExpireAt(bs(src))
	if n.lookupWrite(c, dst) != nil {
		if nx {
			c.int(0)
			return
		}
		n.signalDeletedStream(c.db, bs(dst))
		c.db.Delete(bs(dst))
	}
	c.db.Delete(bs(src))
	c.db.Put(bs(dst), val)
	if hasExpire {
		c.db.SetExpireAt(bs(dst), expire)
	}
	n.signalKeyAsReady(c.db.ID, bs(dst)) // Redis's dbAdd wakes blocked clients
	if val.Kind() == keyspace.KindStream {
		// Blocked XREADGROUP clients of the old name get an error.
		n.signalKeyAsReady(c.db.ID, bs(src))
	}
	n.signalModifiedKey(c, c.db, src)
	n.signalModifiedKey(c, c.db, dst)
	n.notifyKeyspaceEvent(NotifyGeneric, "rename_from", string(src), c.db.ID)
	n.notifyKeyspaceEvent(NotifyGeneric, "rename_to", string(dst), c.db.ID)
	n.dirty++
	if nx {
		c.int(1)
	} else {
		c.ok()
	}
}

func cmdRename(n *Node, c *client)   { n.renameGeneric(c, false) }
func cmdRenameNX(n *Node, c *client) { n.renameGeneric(c, true) }

func cmdMove(n *Node, c *client) {
	key := c.args[1]
	dst, ok := n.argDBNoCheck(c, c.args[2])
	if !ok {
		return
	}
	if dst == c.db {
		n.replyError(c, ErrSameObject)
		return
	}
	v := n.lookupWrite(c, key)
	if v == nil {
		c.int(0)
		return
	}
	expire, hasExpire := c.db.ExpireAt(bs(key))
	if n.lookup(c, dst, key) != nil {
		c.int(0)
		return
	}
	val := *v
	dst.Put(bs(key), val)
	if hasExpire {
		dst.SetExpireAt(bs(key), expire)
	}
	n.signalKeyAsReady(dst.ID, bs(key))
	n.signalDeletedStream(c.db, bs(key))
	c.db.Delete(bs(key))
	n.signalModifiedKey(c, c.db, key)
	n.signalModifiedKey(c, dst, key)
	n.notifyKeyspaceEvent(NotifyGeneric, "move_from", string(key), c.db.ID)
	n.notifyKeyspaceEvent(NotifyGeneric, "move_to", string(key), dst.ID)
	n.dirty++
	c.int(1)
}

// argDBNoCheck parses a database index as MOVE and COPY do (an int, then a
// range check with "DB index is out of range").
func (n *Node) argDBNoCheck(c *client, b []byte) (*keyspace.DB, bool) {
	return n.argDB(c, b, "")
}

func cmdCopy(n *Node, c *client) {
	dst := c.db
	replace := false
	for j := 3; j < len(c.args); j++ {
		more := len(c.args) - j - 1
		switch {
		case eq(c.args[j], "REPLACE"):
			replace = true
		case eq(c.args[j], "DB") && more >= 1:
			db, ok := n.argDB(c, c.args[j+1], "")
			if !ok {
				return
			}
			dst = db
			j++
		default:
			n.replyError(c, ErrSyntax)
			return
		}
	}
	key, newKey := c.args[1], c.args[2]
	if dst == c.db && string(key) == string(newKey) {
		n.replyError(c, ErrSameObject)
		return
	}
	v := n.lookupRead(c, key)
	if v == nil {
		c.int(0)
		return
	}
	expire, hasExpire := c.db.ExpireAt(bs(key))
	del := false
	if n.lookup(c, dst, newKey) != nil {
		if !replace {
			c.int(0)
			return
		}
		del = true
	}
	cp := v.Dup()
	if del {
		n.signalDeletedStream(dst, bs(newKey))
		dst.Delete(bs(newKey))
	}
	n.initAccess(&cp)
	dst.Put(bs(newKey), cp)
	if hasExpire {
		dst.SetExpireAt(bs(newKey), expire)
	}
	n.signalKeyAsReady(dst.ID, bs(newKey))
	n.signalModifiedKey(c, dst, newKey)
	n.notifyKeyspaceEvent(NotifyGeneric, "copy_to", string(newKey), dst.ID)
	n.dirty++
	c.int(1)
}

// Options of EXPIRE and relatives.
const (
	expireNX = 1 << iota
	expireXX
	expireGT
	expireLT
)

func (n *Node) expireGeneric(c *client, basetime int64, seconds bool) {
	key, param := c.args[1], c.args[2]
	flags := 0
	for _, opt := range c.args[3:] {
		switch {
		case eq(opt, "NX"):
			flags |= expireNX
		case eq(opt, "XX"):
			flags |= expireXX
		case eq(opt, "GT"):
			flags |= expireGT
		case eq(opt, "LT"):
			flags |= expireLT
		default:
			n.replyErrorf(c, "ERR Unsupported option %s", opt)
			return
		}
	}
	if flags&expireNX != 0 && flags&(expireXX|expireGT|expireLT) != 0 {
		n.replyError(c, "ERR NX and XX, GT or LT options at the same time are not compatible")
		return
	}
	if flags&expireGT != 0 && flags&expireLT != 0 {
		n.replyError(c, "ERR GT and LT options at the same time are not compatible")
		return
	}
	when, ok := n.argInt(c, param)
	if !ok {
		return
	}
	if seconds {
		if when > math.MaxInt64/1000 || when < math.MinInt64/1000 {
			n.replyErrorf(c, ErrInvalidExpire, c.cmd.FullName)
			return
		}
		when *= 1000
	}
	if when > math.MaxInt64-basetime {
		n.replyErrorf(c, ErrInvalidExpire, c.cmd.FullName)
		return
	}
	when += basetime
	if n.lookupWrite(c, key) == nil {
		c.int(0)
		return
	}
	if flags != 0 {
		current, has := c.db.ExpireAt(bs(key))
		switch {
		case flags&expireNX != 0 && has,
			flags&expireXX != 0 && !has,
			flags&expireGT != 0 && (!has || when <= current),
			flags&expireLT != 0 && has && when >= current:
			c.int(0)
			return
		}
	}
	if when <= n.ms && !n.loading && !n.isReplica() {
		n.dbDelete(c, c.db, key)
		n.dirty++
		if n.cfg.LazyfreeLazyExpire {
			c.rewrite([]byte("UNLINK"), key)
		} else {
			c.rewrite([]byte("DEL"), key)
		}
		n.notifyKeyspaceEvent(NotifyGeneric, "del", string(key), c.db.ID)
		c.int(1)
		return
	}
	c.db.SetExpireAt(bs(key), when)
	c.int(1)
	args := append([][]byte{[]byte("PEXPIREAT")}, c.args[1:]...)
	args[2] = []byte(strconv.FormatInt(when, 10))
	c.rewrite(args...)
	n.signalModifiedKey(c, c.db, key)
	n.notifyKeyspaceEvent(NotifyGeneric, "expire", string(key), c.db.ID)
	n.dirty++
}

func cmdExpire(n *Node, c *client)    { n.expireGeneric(c, n.ms, true) }
func cmdPExpire(n *Node, c *client)   { n.expireGeneric(c, n.ms, false) }
func cmdExpireAt(n *Node, c *client)  { n.expireGeneric(c, 0, true) }
func cmdPExpireAt(n *Node, c *client) { n.expireGeneric(c, 0, false) }

func (n *Node) ttlGeneric(c *client, ms, abs bool) {
	if n.lookupNoTouch(c, c.args[1]) == nil {
		c.int(-2)
		return
	}
	when, has := c.db.ExpireAt(bs(c.args[1]))
	if !has {
		c.int(-1)
		return
	}
	ttl := when
	if !abs {
		ttl = when - n.ms
	}
	if ttl < 0 {
		ttl = 0
	}
	if ms {
		c.int(ttl)
	} else {
		c.int((ttl + 500) / 1000)
	}
}

func cmdTTL(n *Node, c *client)         { n.ttlGeneric(c, false, false) }
func cmdPTTL(n *Node, c *client)        { n.ttlGeneric(c, true, false) }
func cmdExpireTime(n *Node, c *client)  { n.ttlGeneric(c, false, true) }
func cmdPExpireTime(n *Node, c *client) { n.ttlGeneric(c, true, true) }

func cmdPersist(n *Node, c *client) {
	if n.lookupWrite(c, c.args[1]) == nil {
		c.int(0)
		return
	}
	if !c.db.Persist(bs(c.args[1])) {
		c.int(0)
		return
	}
	n.signalModifiedKey(c, c.db, c.args[1])
	n.notifyKeyspaceEvent(NotifyGeneric, "persist", string(c.args[1]), c.db.ID)
	n.dirty++
	c.int(1)
}

// objectEncoding names the encoding of a value as OBJECT ENCODING does.
func objectEncoding(v *keyspace.Value) string {
	if v.Kind() == keyspace.KindString {
		switch v.StringEncoding() {
		case keyspace.EncInt:
			return "int"
		case keyspace.EncEmbstr:
			return "embstr"
		}
		return "raw"
	}
	return keyspace.EncodingName(v)
}

func cmdObjectEncoding(n *Node, c *client) {
	v := n.lookupNoTouch(c, c.args[2])
	if v == nil {
		c.null()
		return
	}
	c.bulkString(objectEncoding(v))
}

func cmdObjectRefcount(n *Node, c *client) {
	v := n.lookupNoTouch(c, c.args[2])
	if v == nil {
		c.null()
		return
	}
	// Redis shares small integers between keys (refcount INT_MAX); replab
	// never shares values.
	if i, ok := v.Int(); ok && i >= 0 && i < 10000 && n.cfg.MaxMemory == 0 {
		c.int(math.MaxInt32)
		return
	}
	c.int(1)
}

func cmdObjectIdletime(n *Node, c *client) {
	v := n.lookupNoTouch(c, c.args[2])
	if v == nil {
		c.null()
		return
	}
	if n.lfuPolicy() {
		n.replyError(c, "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
		return
	}
	c.int(n.idleMillis(v) / 1000)
}

// idleMillis estimates how long ago a value was accessed.
func (n *Node) idleMillis(v *keyspace.Value) int64 {
	now := n.lruClock()
	if now >= v.LRU {
		return int64(now-v.LRU) * lruClockResolution
	}
	return int64(lruClockMax-v.LRU+now) * lruClockResolution
}

func cmdObjectFreq(n *Node, c *client) {
	v := n.lookupNoTouch(c, c.args[2])
	if v == nil {
		c.null()
		return
	}
	if !n.lfuPolicy() {
		n.replyError(c, "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
		return
	}
	c.int(int64(n.lfuDecrAndReturn(v.LRU)))
}

func cmdObjectHelp(n *Node, c *client) {
	n.replyHelp(c, "OBJECT", []string{
		"ENCODING <key>",
		"    Return the kind of internal representation used in order to store the value",
		"    associated with a <key>.",
		"FREQ <key>",
		"    Return the access frequency index of the <key>. The returned integer is",
		"    proportional to the logarithm of the recent access frequency of the key.",
		"IDLETIME <key>",
		"    Return the idle time of the <key>, that is the approximated number of",
		"    seconds elapsed since the last access to the key.",
		"REFCOUNT <key>",
		"    Return the number of references of the value associated with the specified",
		"    <key>.",
	})
}

// replyHelp replies to a HELP subcommand in Redis's layout.
func (n *Node) replyHelp(c *client, cmd string, lines []string) {
	c.w.Array(len(lines) + 3)
	c.w.SimpleString(fmt.Sprintf("%s <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", cmd))
	for _, l := range lines {
		c.w.SimpleString(l)
	}
	c.w.SimpleString("HELP")
	c.w.SimpleString("    Prints this help.")
}

// multiShardSum are the tips of multi-key commands whose replies add up.
var multiShardSum = []string{"request_policy:multi_shard", "response_policy:agg_sum"}

func keyspaceDocs(summary, since, complexity, syntax string) Docs {
	return Docs{Summary: summary, Since: since, Group: "generic", Complexity: complexity, Syntax: syntax}
}

func init() {
	allKeys := []KeySpec{keysRange(1, -1, 1, "RM", "DELETE")}
	expireOpts := " [NX | XX | GT | LT]"
	register(
		&Command{Name: "del", Arity: -2, Flags: CmdWrite, ACL: CatKeyspace, Proc: cmdDel, Tips: multiShardSum,
			FirstKey: 1, LastKey: -1, Step: 1, Keys: allKeys,
			Docs: keyspaceDocs("Deletes one or more keys.", "1.0.0", "O(N) where N is the number of keys that will be removed.", "key [key ...]")},
		&Command{Name: "unlink", Arity: -2, Flags: CmdWrite | CmdFast, ACL: CatKeyspace, Proc: cmdUnlink, Tips: multiShardSum,
			FirstKey: 1, LastKey: -1, Step: 1, Keys: allKeys,
			Docs: keyspaceDocs("Asynchronously deletes one or more keys.", "4.0.0", "O(1) for each key removed regardless of its size.", "key [key ...]")},
		&Command{Name: "exists", Arity: -2, Flags: CmdReadonly | CmdFast, ACL: CatKeyspace, Proc: cmdExists, Tips: multiShardSum,
			FirstKey: 1, LastKey: -1, Step: 1, Keys: []KeySpec{keysRange(1, -1, 1, "RO")},
			Docs: keyspaceDocs("Determines whether one or more keys exist.", "1.0.0", "O(N) where N is the number of keys to check.", "key [key ...]")},
		&Command{Name: "touch", Arity: -2, Flags: CmdReadonly | CmdFast, ACL: CatKeyspace, Proc: cmdTouch, Tips: multiShardSum,
			FirstKey: 1, LastKey: -1, Step: 1, Keys: []KeySpec{keysRange(1, -1, 1, "RO")},
			Docs: keyspaceDocs("Returns the number of existing keys out of those specified after updating the time they were last accessed.", "3.2.1", "O(N) where N is the number of keys that will be touched.", "key [key ...]")},
		&Command{Name: "type", Arity: 2, Flags: CmdReadonly | CmdFast, ACL: CatKeyspace, Proc: cmdType,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: keys1("RO"),
			Docs: keyspaceDocs("Determines the type of value stored at a key.", "1.0.0", "O(1)", "key")},
		&Command{Name: "keys", Arity: 2, Flags: CmdReadonly, ACL: CatKeyspace | CatDangerous, Proc: cmdKeys, Tips: []string{"request_policy:all_shards", "nondeterministic_output_order"},
			Docs: keyspaceDocs("Returns all key names that match a pattern.", "1.0.0", "O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length.", "pattern:pattern")},
		&Command{Name: "scan", Arity: -2, Flags: CmdReadonly, ACL: CatKeyspace, Proc: cmdScan, Tips: []string{"nondeterministic_output", "request_policy:special"},
			Docs: keyspaceDocs("Iterates over the key names in the database.", "2.8.0", "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.", "cursor:integer [MATCH pattern:pattern] [COUNT count:integer] [TYPE type]")},
		&Command{Name: "randomkey", Arity: 1, Flags: CmdReadonly, ACL: CatKeyspace, Proc: cmdRandomKey, Tips: []string{"request_policy:all_shards", "nondeterministic_output"},
			Docs: keyspaceDocs("Returns a random key name from the database.", "1.0.0", "O(1)", "")},
		&Command{Name: "rename", Arity: 3, Flags: CmdWrite, ACL: CatKeyspace, Proc: cmdRename,
			FirstKey: 1, LastKey: 2, Step: 1, Keys: []KeySpec{keysRange(1, 0, 1, "RW", "ACCESS", "DELETE"), keysRange(2, 0, 1, "OW", "UPDATE")},
			Docs: keyspaceDocs("Renames a key and overwrites the destination.", "1.0.0", "O(1)", "key newkey:key")},
		&Command{Name: "renamenx", Arity: 3, Flags: CmdWrite | CmdFast, ACL: CatKeyspace, Proc: cmdRenameNX,
			FirstKey: 1, LastKey: 2, Step: 1, Keys: []KeySpec{keysRange(1, 0, 1, "RW", "ACCESS", "DELETE"), keysRange(2, 0, 1, "OW", "INSERT")},
			Docs: keyspaceDocs("Renames a key only when the target key name doesn't exist.", "1.0.0", "O(1)", "key newkey:key")},
		&Command{Name: "copy", Arity: -3, Flags: CmdWrite | CmdDenyOOM, ACL: CatKeyspace, Proc: cmdCopy,
			FirstKey: 1, LastKey: 2, Step: 1, Keys: []KeySpec{keysRange(1, 0, 1, "RO", "ACCESS"), keysRange(2, 0, 1, "OW", "UPDATE")},
			Docs: keyspaceDocs("Copies the value of a key to a new key.", "6.2.0", "O(N) worst case for collections, where N is the number of nested items. O(1) for string values.", "source:key destination:key [DB destination-db:integer] [REPLACE]")},
		&Command{Name: "move", Arity: 3, Flags: CmdWrite | CmdFast, ACL: CatKeyspace, Proc: cmdMove,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: keys1("RW", "ACCESS", "UPDATE"),
			Docs: keyspaceDocs("Moves a key to another database.", "1.0.0", "O(1)", "key db:integer")},
		&Command{Name: "expire", Arity: -3, Flags: CmdWrite | CmdFast, ACL: CatKeyspace, Proc: cmdExpire,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: keys1("RW", "UPDATE"),
			Docs: keyspaceDocs("Sets the expiration time of a key in seconds.", "1.0.0", "O(1)", "key seconds:integer"+expireOpts)},
		&Command{Name: "pexpire", Arity: -3, Flags: CmdWrite | CmdFast, ACL: CatKeyspace, Proc: cmdPExpire,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: keys1("RW", "UPDATE"),
			Docs: keyspaceDocs("Sets the expiration time of a key in milliseconds.", "2.6.0", "O(1)", "key milliseconds:integer"+expireOpts)},
		&Command{Name: "expireat", Arity: -3, Flags: CmdWrite | CmdFast, ACL: CatKeyspace, Proc: cmdExpireAt,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: keys1("RW", "UPDATE"),
			Docs: keyspaceDocs("Sets the expiration time of a key to a Unix timestamp.", "1.2.0", "O(1)", "key unix-time-seconds:unix-time"+expireOpts)},
		&Command{Name: "pexpireat", Arity: -3, Flags: CmdWrite | CmdFast, ACL: CatKeyspace, Proc: cmdPExpireAt,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: keys1("RW", "UPDATE"),
			Docs: keyspaceDocs("Sets the expiration time of a key to a Unix milliseconds timestamp.", "2.6.0", "O(1)", "key unix-time-milliseconds:unix-time"+expireOpts)},
		&Command{Name: "ttl", Arity: 2, Flags: CmdReadonly | CmdFast, ACL: CatKeyspace, Proc: cmdTTL, Tips: []string{"nondeterministic_output"},
			FirstKey: 1, LastKey: 1, Step: 1, Keys: keys1("RO", "ACCESS"),
			Docs: keyspaceDocs("Returns the expiration time in seconds of a key.", "1.0.0", "O(1)", "key")},
		&Command{Name: "pttl", Arity: 2, Flags: CmdReadonly | CmdFast, ACL: CatKeyspace, Proc: cmdPTTL, Tips: []string{"nondeterministic_output"},
			FirstKey: 1, LastKey: 1, Step: 1, Keys: keys1("RO", "ACCESS"),
			Docs: keyspaceDocs("Returns the expiration time in milliseconds of a key.", "2.6.0", "O(1)", "key")},
		&Command{Name: "expiretime", Arity: 2, Flags: CmdReadonly | CmdFast, ACL: CatKeyspace, Proc: cmdExpireTime,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: keys1("RO", "ACCESS"),
			Docs: keyspaceDocs("Returns the expiration time of a key as a Unix timestamp.", "7.0.0", "O(1)", "key")},
		&Command{Name: "pexpiretime", Arity: 2, Flags: CmdReadonly | CmdFast, ACL: CatKeyspace, Proc: cmdPExpireTime,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: keys1("RO", "ACCESS"),
			Docs: keyspaceDocs("Returns the expiration time of a key as a Unix milliseconds timestamp.", "7.0.0", "O(1)", "key")},
		&Command{Name: "persist", Arity: 2, Flags: CmdWrite | CmdFast, ACL: CatKeyspace, Proc: cmdPersist,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: keys1("RW", "UPDATE"),
			Docs: keyspaceDocs("Removes the expiration time of a key.", "2.2.0", "O(1)", "key")},
		&Command{Name: "object", Arity: -2, Docs: keyspaceDocs("A container for object introspection commands.", "2.2.3", "Depends on subcommand.", ""),
			Sub: map[string]*Command{
				"encoding": {Name: "encoding", Arity: 3, Flags: CmdReadonly, ACL: CatKeyspace, Proc: cmdObjectEncoding, Tips: []string{"nondeterministic_output"},
					FirstKey: 2, LastKey: 2, Step: 1, Keys: []KeySpec{keysRange(2, 0, 1, "RO")},
					Docs: keyspaceDocs("Returns the internal encoding of a Redis object.", "2.2.3", "O(1)", "key")},
				"freq": {Name: "freq", Arity: 3, Flags: CmdReadonly, ACL: CatKeyspace, Proc: cmdObjectFreq, Tips: []string{"nondeterministic_output"},
					FirstKey: 2, LastKey: 2, Step: 1, Keys: []KeySpec{keysRange(2, 0, 1, "RO")},
					Docs: keyspaceDocs("Returns the logarithmic access frequency counter of a Redis object.", "4.0.0", "O(1)", "key")},
				"idletime": {Name: "idletime", Arity: 3, Flags: CmdReadonly, ACL: CatKeyspace, Proc: cmdObjectIdletime, Tips: []string{"nondeterministic_output"},
					FirstKey: 2, LastKey: 2, Step: 1, Keys: []KeySpec{keysRange(2, 0, 1, "RO")},
					Docs: keyspaceDocs("Returns the time since the last access to a Redis object.", "2.2.3", "O(1)", "key")},
				"refcount": {Name: "refcount", Arity: 3, Flags: CmdReadonly, ACL: CatKeyspace, Proc: cmdObjectRefcount, Tips: []string{"nondeterministic_output"},
					FirstKey: 2, LastKey: 2, Step: 1, Keys: []KeySpec{keysRange(2, 0, 1, "RO")},
					Docs: keyspaceDocs("Returns the reference count of a value of a key.", "2.2.3", "O(1)", "key")},
				"help": {Name: "help", Arity: 2, Flags: CmdLoading | CmdStale, ACL: CatKeyspace, Proc: cmdObjectHelp,
					Docs: keyspaceDocs("Returns helpful text about the different subcommands.", "6.2.0", "O(1)", "")},
			}},
	)
}
