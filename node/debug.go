package node

import (
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	"replab/keyspace"
)

// Digests compatible with Redis's DEBUG DIGEST and DEBUG DIGEST-VALUE, so
// that a replab replica and a real Redis can be compared key by key.

type digest [20]byte

// xor mixes the SHA1 of p into d by XOR (order-independent).
func (d *digest) xor(p []byte) {
	h := sha1.Sum(p)
	for i := range d {
		d[i] ^= h[i]
	}
}

// mix folds p into d in an order-dependent way: XOR then SHA1 of the result.
func (d *digest) mix(p []byte) {
	d.xor(p)
	*d = sha1.Sum(d[:])
}

func (d *digest) mixString(s string) { d.mix([]byte(s)) }

// digestFuncs fold a value of a collection kind into a key's digest, as
// Redis's xorObjectDigest does for that type. Each type's file registers
// its function.
var digestFuncs = map[keyspace.Kind]func(d *digest, v *keyspace.Value){}

// Redis's numeric type codes, which the digest includes.
var redisTypeCode = map[keyspace.Kind]uint32{
	keyspace.KindString: 0, keyspace.KindList: 1, keyspace.KindSet: 2,
	keyspace.KindZSet: 3, keyspace.KindHash: 4, keyspace.KindStream: 6,
}

// valueDigest folds v (stored under key in db) into d.
func (n *Node) valueDigest(d *digest, db *keyspace.DB, key string, v *keyspace.Value) {
	var code [4]byte
	binary.BigEndian.PutUint32(code[:], redisTypeCode[v.Kind()])
	d.mix(code[:])
	if v.Kind() == keyspace.KindString {
		var scratch [24]byte
		d.mix(v.Bytes(scratch[:0]))
	} else if f := digestFuncs[v.Kind()]; f != nil {
		f(d, v)
	}
	if _, ok := db.ExpireAt(key); ok {
		d.xor([]byte("!!expire!!"))
	}
}

// DatasetDigest returns the digest of the whole dataset as DEBUG DIGEST
// prints it (40 hex digits, all zeros for an empty dataset).
func (n *Node) DatasetDigest() string {
	var final digest
	for i := 0; i < n.ks.Len(); i++ {
		db := n.ks.DB(i)
		if db.Len() == 0 {
			continue
		}
		var id [4]byte
		binary.BigEndian.PutUint32(id[:], uint32(i))
		final.mix(id[:])
		db.ForEach(func(k string, v *keyspace.Value) bool {
			var kd digest
			kd.mixString(k)
			n.valueDigest(&kd, db, k, v)
			final.xor(kd[:])
			return true
		})
	}
	return hex.EncodeToString(final[:])
}

func cmdDebug(n *Node, c *client) {
	sub := c.args[1]
	argc := len(c.args)
	switch {
	case argc == 2 && eq(sub, "HELP"):
		n.replyHelp(c, "DEBUG", []string{
			"CHANGE-REPL-ID",
			"    Change the replication IDs of the instance.",
			"DIGEST",
			"    Output a hex signature representing the current DB content.",
			"DIGEST-VALUE <key> [<key> ...]",
			"    Output a hex signature of the values of all the specified keys.",
			"ERROR <string>",
			"    Return a Redis protocol error with <string> as message.",
			"LOG <message>",
			"    Write <message> to the server log.",
			"OBJECT <key>",
			"    Show low level info about `key` and associated value.",
			"POPULATE <count> [<prefix>] [<size>]",
			"    Create <count> string keys named key:<num>. If <prefix> is specified then",
			"    it is used instead of the 'key' prefix. These are not propagated to",
			"    replicas. Cluster slots are not respected so keys not belonging to the",
			"    current node can be created in cluster mode.",
			"RELOAD [option ...]",
			"    Save the RDB on disk and reload it back to memory. Valid <option> values:",
			"    * MERGE: conflicting keys will be loaded from RDB.",
			"    * NOFLUSH: the existing database will not be removed before load, but",
			"      conflicting keys will generate an exception and kill the server.",
			"    * NOSAVE: the database will be loaded from an existing RDB file.",
			"    Examples:",
			"    * DEBUG RELOAD: verify that the server is able to persist, flush and reload",
			"      the database.",
			"    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an",
			"      existing RDB file.",
			"    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB",
			"      file to the database.",
			"SET-ACTIVE-EXPIRE <0|1>",
			"    Setting it to 0 disables expiring keys in background when they are not",
			"    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
			"    default.",
			"SLEEP <seconds>",
			"    Stop the server for <seconds>. Decimals allowed.",
		})
	case eq(sub, "SLEEP") && argc == 3:
		secs, ok := parseFloatStrict(c.args[2])
		if !ok {
			n.replyError(c, ErrNotFloat)
			return
		}
		n.rt.Sleep(time.Duration(secs * float64(time.Second)))
		c.ok()
	case eq(sub, "SET-ACTIVE-EXPIRE") && argc == 3:
		v, ok := n.argInt(c, c.args[2])
		if !ok {
			return
		}
		n.activeExpire = v != 0
		c.ok()
	case eq(sub, "POPULATE") && argc >= 3 && argc <= 5:
		n.debugPopulate(c)
	case eq(sub, "RELOAD"):
		n.debugReload(c)
	case eq(sub, "DIGEST") && argc == 2:
		c.w.SimpleString(n.DatasetDigest())
	case eq(sub, "DIGEST-VALUE") && argc >= 2:
		c.w.Array(argc - 2)
		for _, k := range c.args[2:] {
			var d digest
			if v := c.db.FindBytes(k); v != nil {
				n.valueDigest(&d, c.db, bs(k), v)
			}
			c.w.SimpleString(hex.EncodeToString(d[:]))
		}
	case eq(sub, "OBJECT") && argc == 3:
		v := c.db.FindBytes(c.args[2])
		if v == nil {
			n.replyError(c, ErrNoSuchKey)
			return
		}
		extra := ""
		if f := debugObjectExtra[v.Kind()]; f != nil {
			extra = f(v)
		}
		c.w.SimpleString(fmt.Sprintf("Value at:%p refcount:1 encoding:%s serializedlength:%d lru:%d lru_seconds_idle:%d%s",
			v, objectEncoding(v), n.serializedLength(v), v.LRU, n.idleMillis(v)/1000, extra))
	case eq(sub, "ERROR") && argc == 3:
		n.replyError(c, string(c.args[2]))
	case eq(sub, "LOG") && argc == 3:
		n.logf(LogWarning, "DEBUG LOG: %s", c.args[2])
		c.ok()
	default:
		n.replyErrorf(c, "ERR unknown subcommand or wrong number of arguments for '%s'. Try DEBUG HELP.", truncate(string(sub), 128))
	}
}

// debugObjectExtra adds type-specific fields to DEBUG OBJECT (ql_nodes for
// quicklists, ...).
var debugObjectExtra = map[keyspace.Kind]func(v *keyspace.Value) string{}

func (n *Node) debugPopulate(c *client) {
	count, ok := parseIntStrict(c.args[2])
	if !ok || count < 0 {
		n.replyError(c, "ERR value is out of range, must be positive")
		return
	}
	prefix := "key"
	if len(c.args) >= 4 {
		prefix = string(c.args[3])
	}
	var size int64
	if len(c.args) == 5 {
		if size, ok = parseIntStrict(c.args[4]); !ok || size < 0 {
			n.replyError(c, "ERR value is out of range, must be positive")
			return
		}
	}
	c.db.Reserve(int(count))
	var kbuf, vbuf []byte
	for j := int64(0); j < count; j++ {
		kbuf = append(append(kbuf[:0], prefix...), ':')
		kbuf = strconv.AppendInt(kbuf, j, 10)
		if n.lookupWrite(c, kbuf) != nil {
			continue
		}
		vbuf = strconv.AppendInt(append(vbuf[:0], "value:"...), j, 10)
		val := vbuf
		if size > 0 {
			val = make([]byte, size)
			copy(val, vbuf)
		}
		enc := keyspace.EncEmbstr
		if len(val) > keyspace.EmbstrLimit {
			enc = keyspace.EncRaw
		}
		n.dbAdd(c, c.db, kbuf, keyspace.NewRawString(append([]byte(nil), val...), enc))
	}
	c.ok()
}

func init() {
	register(&Command{Name: "debug", Arity: -2, Flags: CmdAdmin | CmdNoScript | CmdLoading | CmdStale | CmdProtected, Proc: cmdDebug,
		Docs: serverDocs("A container for debugging commands.", "1.0.0", "Depends on subcommand.", "")})
}
