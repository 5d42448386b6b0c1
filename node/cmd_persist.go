package node

import (
	"errors"
	"strconv"

	"replab/keyspace"
	"replab/rdb"
)

// Persistence commands: SAVE, BGSAVE, DUMP, RESTORE (LASTSAVE and SHUTDOWN
// live in cmd_server.go), and DEBUG RELOAD.

func cmdSave(n *Node, c *client) {
	if n.bgsaveInProgress() {
		n.replyError(c, "ERR Background save already in progress")
		return
	}
	n.persist.saves++
	if n.saveSync() != nil {
		n.replyError(c, "ERR")
		return
	}
	c.ok()
}

func cmdBgsave(n *Node, c *client) {
	schedule := false
	if len(c.args) > 1 {
		if len(c.args) == 2 && eq(c.args[1], "SCHEDULE") {
			schedule = true
		} else {
			n.replyError(c, ErrSyntax)
			return
		}
	}
	switch {
	case n.bgsaveInProgress():
		n.replyError(c, "ERR Background save already in progress")
	case n.ks.Snapshotting() || c.flags&flagInExec != 0:
		// Another snapshot (a replica's full sync) plays the part of
		// Redis's other child process.
		if schedule || c.flags&flagInExec != 0 {
			n.persist.bgsaveScheduled = true
			c.w.SimpleString("Background saving scheduled")
		} else {
			n.replyError(c, "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.")
		}
	default:
		if n.startBgsave() != nil {
			n.replyError(c, "ERR")
			return
		}
		c.w.SimpleString("Background saving started")
	}
}

// serializedLength is the length of v's serialized value as DEBUG OBJECT
// reports it (rdbSavedObjectLen: the value without its type byte).
func (n *Node) serializedLength(v *keyspace.Value) int {
	src, err := rdbValueSource(v, nil)
	if err != nil {
		return 0
	}
	cw := countWriter{w: discard{}}
	if rdb.WriteDump(&cw, src, n.encoderOptions()) != nil {
		return 0
	}
	return int(cw.n) - 1 - 10 // type byte, version and CRC64
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

func cmdDump(n *Node, c *client) {
	v := n.lookupRead(c, c.args[1])
	if v == nil {
		c.null()
		return
	}
	src, err := rdbValueSource(v, nil)
	if err != nil {
		n.replyError(c, "ERR "+err.Error())
		return
	}
	payload, err := rdb.AppendDump(nil, src, n.encoderOptions())
	if err != nil {
		n.replyError(c, "ERR "+err.Error())
		return
	}
	c.bulk(payload)
}

func cmdRestore(n *Node, c *client) {
	var replace, absTTL, hasIdle, hasFreq bool
	var idle, freq int64
	for j := 4; j < len(c.args); j++ {
		more := len(c.args) - j - 1
		a := c.args[j]
		switch {
		case eq(a, "REPLACE"):
			replace = true
		case eq(a, "ABSTTL"):
			absTTL = true
		case eq(a, "IDLETIME") && more >= 1 && !hasFreq:
			v, ok := n.argInt(c, c.args[j+1])
			if !ok {
				return
			}
			if v < 0 {
				n.replyError(c, "ERR Invalid IDLETIME value, must be >= 0")
				return
			}
			idle, hasIdle = v, true
			j++
		case eq(a, "FREQ") && more >= 1 && !hasIdle:
			v, ok := n.argInt(c, c.args[j+1])
			if !ok {
				return
			}
			if v < 0 || v > 255 {
				n.replyError(c, "ERR Invalid FREQ value, must be >= 0 and <= 255")
				return
			}
			freq, hasFreq = v, true
			j++
		default:
			n.replyError(c, ErrSyntax)
			return
		}
	}
	key := c.args[1]
	if !replace && n.lookupWrite(c, key) != nil {
		n.replyError(c, ErrBusyKey)
		return
	}
	ttl, ok := n.argInt(c, c.args[2])
	if !ok {
		return
	}
	if ttl < 0 {
		n.replyError(c, "ERR Invalid TTL value, must be >= 0")
		return
	}
	t, dv, err := rdb.ParseDump(c.args[3], rdb.DecoderOptions{NoDupCheck: true, ListNodes: true})
	if err != nil {
		if errors.Is(err, rdb.ErrDumpPayload) {
			n.replyError(c, "ERR "+rdb.MsgDumpPayload)
		} else {
			n.replyError(c, "ERR "+rdb.MsgBadDataFormat)
		}
		return
	}
	val, err := n.valueFromRDB(t, dv)
	if err != nil {
		n.replyError(c, "ERR "+rdb.MsgBadDataFormat)
		return
	}
	deleted := false
	if replace {
		c.db.Guard(bs(key))
		deleted = n.dbDelete(c, c.db, key)
	}
	if ttl != 0 && !absTTL {
		ttl += n.ms
	}
	if ttl != 0 && ttl <= n.ms && !n.loading && !n.isReplica() {
		// Already expired: the key is not created.
		if deleted {
			c.rewrite([]byte("DEL"), key)
			n.notifyKeyspaceEvent(NotifyGeneric, "del", string(key), c.db.ID)
			n.dirty++
		}
		c.ok()
		return
	}
	n.dbAdd(c, c.db, key, val)
	if ttl != 0 {
		c.db.SetExpireAt(bs(key), ttl)
		if !absTTL {
			// Propagated with the absolute time.
			args := make([][]byte, 0, len(c.args)+1)
			args = append(args, c.args[0], key, []byte(strconv.FormatInt(ttl, 10)))
			args = append(args, c.args[3:]...)
			c.rewrite(append(args, []byte("ABSTTL"))...)
		}
	}
	if v := c.db.FindBytes(key); v != nil {
		n.applyIdleFreq(v, idle, hasIdle, freq, hasFreq)
	}
	n.notifyKeyspaceEvent(NotifyGeneric, "restore", string(key), c.db.ID)
	c.ok()
	n.dirty++
}

// debugReload is DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE].
func (n *Node) debugReload(c *client) {
	flush, save, merge := true, true, false
	for _, a := range c.args[2:] {
		switch {
		case eq(a, "MERGE"):
			merge = true
		case eq(a, "NOFLUSH"):
			flush = false
		case eq(a, "NOSAVE"):
			save = false
		default:
			n.replyError(c, "ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.")
			return
		}
	}
	// The whole keyspace changes: a background save in progress ends.
	n.abortBgsave("DEBUG RELOAD")
	if save && n.saveSync() != nil {
		n.replyError(c, "ERR")
		return
	}
	if flush {
		n.emptyData()
	}
	f, err := n.rt.FS().Open(n.cfg.DBFilename)
	if err == nil {
		err = n.loadRDB(f, n.cfg.DBFilename, merge)
		f.Close()
	}
	if err != nil {
		n.logf(LogWarning, "Error loading the RDB dump: %v", err)
		n.replyError(c, "ERR Error trying to load the RDB dump")
		return
	}
	n.logf(LogWarning, "DB reloaded by DEBUG RELOAD")
	c.ok()
}

func init() {
	register(
		&Command{Name: "save", Arity: 1, Flags: CmdAdmin | CmdNoScript | CmdNoAsyncLoading | CmdNoMulti, Proc: cmdSave,
			Docs: serverDocs("Synchronously save the dataset to disk", "1.0.0", "O(N) where N is the total number of keys in all databases", "")},
		&Command{Name: "bgsave", Arity: -1, Flags: CmdAdmin | CmdNoScript | CmdNoAsyncLoading, Proc: cmdBgsave,
			Docs: serverDocs("Asynchronously save the dataset to disk", "1.0.0", "O(1)", "[SCHEDULE]")},
		&Command{Name: "dump", Arity: 2, Flags: CmdReadonly, ACL: CatKeyspace, Proc: cmdDump, Tips: []string{"nondeterministic_output"},
			FirstKey: 1, LastKey: 1, Step: 1, Keys: keys1("RO", "ACCESS"),
			Docs: keyspaceDocs("Return a serialized version of the value stored at the specified key.", "2.6.0", "O(1) to access the key and additional O(N*M) to serialize it, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1).", "key")},
		&Command{Name: "restore", Arity: -4, Flags: CmdWrite | CmdDenyOOM, ACL: CatKeyspace | CatDangerous, Proc: cmdRestore,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: keys1("OW", "UPDATE"),
			Docs: keyspaceDocs("Create a key using the provided serialized value, previously obtained using DUMP.", "2.6.0", "O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1). However for sorted set values the complexity is O(N*M*log(N)) because inserting values into sorted sets is O(log(N)).", "key ttl:integer serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds:integer] [FREQ frequency:integer]")},
	)
}
