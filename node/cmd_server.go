package node

import (
	"strconv"
)

func cmdPing(n *Node, c *client) {
	if len(c.args) > 2 {
		n.replyErrorf(c, ErrWrongArgsFmt, c.cmd.FullName)
		return
	}
	if c.flags&flagPubSub != 0 && c.w.Proto == 2 {
		c.w.Array(2)
		c.bulkString("pong")
		if len(c.args) == 1 {
			c.bulkString("")
		} else {
			c.bulk(c.args[1])
		}
		return
	}
	if len(c.args) == 1 {
		c.w.RawString("+PONG\r\n")
		return
	}
	c.bulk(c.args[1])
}

func cmdEcho(n *Node, c *client) { c.bulk(c.args[1]) }

func cmdSelect(n *Node, c *client) {
	db, ok := n.argDB(c, c.args[1], "")
	if !ok {
		return
	}
	c.db = db
	c.ok()
}

func cmdSwapDB(n *Node, c *client) {
	a, ok := n.argIntRange(c, c.args[1], -1<<31, 1<<31-1, "invalid first DB index")
	if !ok {
		return
	}
	b, ok := n.argIntRange(c, c.args[2], -1<<31, 1<<31-1, "invalid second DB index")
	if !ok {
		return
	}
	if a < 0 || b < 0 || a >= int64(n.ks.Len()) || b >= int64(n.ks.Len()) {
		n.replyError(c, ErrInvalidDB)
		return
	}
	if a != b {
		da, db := n.ks.DB(int(a)), n.ks.DB(int(b))
		n.signalDeletedStreamsInDB(da, db)
		n.signalDeletedStreamsInDB(db, da)
		// Watches see the databases as they are before the swap.
		n.touchAllWatchedKeysInDB(int(a), int(b))
		n.touchAllWatchedKeysInDB(int(b), int(a))
		n.ks.Swap(int(a), int(b))
		n.signalStreamKeysInDB(da)
		n.signalStreamKeysInDB(db)
		// Clients stay in their database: those blocked on a key that
		// exists after the swap may now be served (Redis 7.0's
		// scanDatabaseForReadyKeys).
		n.signalExistingBlockedKeys(int(a), int(b))
	}
	n.dirty++
	c.ok()
}

// signalExistingBlockedKeys signals as ready every key of databases a and b
// that some client is blocked on and that exists. Keys are visited in the
// order their clients blocked, so the order in which waiters are served
// does not depend on map iteration.
func (n *Node) signalExistingBlockedKeys(a, b int) {
	for _, c := range n.blockedClients {
		if c.blocked == nil {
			continue
		}
		for _, wk := range c.blocked.keys {
			if wk.db != a && wk.db != b {
				continue
			}
			db := n.ks.DB(wk.db)
			if db.Find(wk.key) != nil && !db.Expired(wk.key, n.ms) {
				n.signalKeyAsReady(wk.db, wk.key)
			}
		}
	}
}

func cmdDBSize(n *Node, c *client) { c.int(int64(c.db.Len())) }

// flushAsync parses the optional ASYNC|SYNC argument of FLUSHDB/FLUSHALL.
func (n *Node) flushArgs(c *client) bool {
	switch {
	case len(c.args) == 1:
		return true
	case len(c.args) == 2 && (eq(c.args[1], "SYNC") || eq(c.args[1], "ASYNC")):
		return true
	}
	n.replyError(c, ErrSyntax)
	return false
}

func cmdFlushDB(n *Node, c *client) {
	if !n.flushArgs(c) {
		return
	}
	n.touchAllWatchedKeysInDB(c.db.ID, -1)
	n.dirty += int64(c.db.Len())
	n.signalDeletedStreamsInDB(c.db, nil)
	c.db.Clear()
	// Replicated even when the database was already empty.
	n.forcePropagate(c)
	c.ok()
}

func cmdFlushAll(n *Node, c *client) {
	if !n.flushArgs(c) {
		return
	}
	for i := 0; i < n.ks.Len(); i++ {
		n.touchAllWatchedKeysInDB(i, -1)
	}
	// A background save would have to record the whole keyspace first:
	// it ends, as Redis kills its child.
	n.abortBgsave("FLUSHALL")
	n.dirty += int64(n.ks.Keys())
	for i := 0; i < n.ks.Len(); i++ {
		n.signalDeletedStreamsInDB(n.ks.DB(i), nil)
	}
	n.ks.FlushAll()
	n.forcePropagate(c)
	n.dirty++
	if len(n.cfg.Save) > 0 {
		// Redis saves the empty dataset at once (which resets the change
		// counter); the command is propagated all the same.
		n.saveSync()
		c.forceRepl = true
	}
	c.ok()
}

// forcePropagate makes call propagate the running command even if it
// changed nothing.
func (n *Node) forcePropagate(c *client) { n.dirty++ }

func cmdTime(n *Node, c *client) {
	us := n.rt.Now().UnixMicro()
	c.w.Array(2)
	c.w.BulkString(strconv.FormatInt(us/1e6, 10))
	c.w.BulkString(strconv.FormatInt(us%1e6, 10))
}

func cmdLastSave(n *Node, c *client) { c.int(n.lastSave / 1000) }

func cmdShutdown(n *Node, c *client) {
	var f shutdownFlags
	abort := false
	for _, a := range c.args[1:] {
		switch {
		case eq(a, "NOSAVE"):
			f.noSave = true
		case eq(a, "SAVE"):
			f.save = true
		case eq(a, "NOW"):
			f.now = true
		case eq(a, "FORCE"):
			f.force = true
		case eq(a, "ABORT"):
			abort = true
		default:
			n.replyError(c, ErrSyntax)
			return
		}
	}
	if (abort && (f.noSave || f.save || f.now || f.force)) || (f.save && f.noSave) {
		n.replyError(c, ErrSyntax)
		return
	}
	if abort {
		if n.shutdownAt == 0 {
			n.replyError(c, "ERR No shutdown in progress.")
			return
		}
		n.cancelShutdown()
		n.logf(LogNotice, "Shutdown manually aborted.")
		c.ok()
		return
	}
	if c.flags&(flagMulti|flagInExec) != 0 && !f.now {
		n.replyError(c, "ERR SHUTDOWN without NOW or ABORT isn't allowed for DENY BLOCKING client")
		return
	}
	switch msg := n.prepareForShutdown(f); msg {
	case "":
	case errShutdownWaiting:
		// The client waits for the outcome (Redis's BLOCKED_SHUTDOWN).
		c.blocked = &blockState{unkillable: true, shutdown: true, cmd: c.cmd}
		c.flags |= flagBlocked
		n.blockedClients = append(n.blockedClients, c)
		n.stats.BlockedClients = len(n.blockedClients)
	default:
		n.replyError(c, msg)
	}
}

func cmdQuit(n *Node, c *client) {
	c.ok()
	c.flags |= flagCloseAfterReply
}

func cmdReset(n *Node, c *client) {
	n.discardTransaction(c)
	n.resetPubSub(c)
	c.db = n.ks.DB(0)
	c.w.Proto = 2
	c.name = ""
	c.flags &^= flagNoEvict | flagNoTouch | flagMonitor
	c.authed = !n.authRequired()
	c.user = "default"
	n.configureReader(c)
	c.w.RawString("+RESET\r\n")
}

func cmdHello(n *Node, c *client) {
	var ver int64
	next := 1
	if len(c.args) >= 2 {
		v, ok := n.argIntRange(c, c.args[1], -1<<63, 1<<63-1, "Protocol version is not an integer or out of range")
		if !ok {
			return
		}
		ver = v
		next = 2
		if ver < 2 || ver > 3 {
			n.replyError(c, "NOPROTO unsupported protocol version")
			return
		}
	}
	for j := next; j < len(c.args); j++ {
		more := len(c.args) - 1 - j
		switch {
		case eq(c.args[j], "AUTH") && more >= 2:
			if !n.authenticate(c, c.args[j+1], c.args[j+2]) {
				n.replyError(c, ErrWrongPass)
				return
			}
			j += 2
		case eq(c.args[j], "SETNAME") && more >= 1:
			if !n.setClientName(c, c.args[j+1]) {
				return
			}
			j++
		default:
			n.replyErrorf(c, "ERR Syntax error in HELLO option '%s'", c.args[j])
			return
		}
	}
	if !c.authed {
		n.replyError(c, "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time")
		return
	}
	if ver != 0 {
		c.w.Proto = int(ver)
	}
	c.w.Map(7)
	c.bulkString("server")
	c.bulkString("redis")
	c.bulkString("version")
	c.bulkString(RedisVersion)
	c.bulkString("proto")
	c.int(int64(c.w.Proto))
	c.bulkString("id")
	c.int(c.id)
	c.bulkString("mode")
	c.bulkString("standalone")
	c.bulkString("role")
	if n.isReplica() {
		c.bulkString("replica")
	} else {
		c.bulkString("master")
	}
	c.bulkString("modules")
	c.w.Array(0)
}

// authenticate checks a user name and password; on success the client is
// authenticated as that user.
func (n *Node) authenticate(c *client, user, pass []byte) bool {
	ok := n.aclAuthenticate(c, string(user), string(pass))
	if ok {
		c.authed = true
		c.user = string(user)
		n.configureReader(c)
	}
	return ok
}

func constantTimeEqual(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	var v byte
	for i := 0; i < len(a); i++ {
		v |= a[i] ^ b[i]
	}
	return v == 0
}

func cmdAuth(n *Node, c *client) {
	if len(c.args) > 3 {
		n.replyError(c, ErrSyntax)
		return
	}
	user, pass := []byte("default"), c.args[1]
	if len(c.args) == 2 {
		if n.aclDefaultNoPass() {
			n.replyError(c, "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?")
			return
		}
	} else {
		user, pass = c.args[1], c.args[2]
	}
	if n.authenticate(c, user, pass) {
		c.ok()
	} else {
		n.replyError(c, ErrWrongPass)
	}
}

// setClientName validates and sets a client name (CLIENT SETNAME, HELLO
// SETNAME).
func (n *Node) setClientName(c *client, name []byte) bool {
	for _, ch := range name {
		if ch < '!' || ch > '~' {
			n.replyError(c, "ERR Client names cannot contain spaces, newlines or special characters.")
			return false
		}
	}
	c.name = string(name)
	return true
}

func serverDocs(summary, since, complexity, syntax string) Docs {
	return Docs{Summary: summary, Since: since, Group: "server", Complexity: complexity, Syntax: syntax}
}

func connDocs(summary, since, complexity, syntax string) Docs {
	return Docs{Summary: summary, Since: since, Group: "connection", Complexity: complexity, Syntax: syntax}
}

func init() {
	register(
		&Command{Name: "ping", Arity: -1, Flags: CmdFast | CmdSentinelLike, ACL: CatConnection, Proc: cmdPing, Tips: []string{"request_policy:all_shards", "response_policy:all_succeeded"},
			Docs: connDocs("Returns the server's liveliness response.", "1.0.0", "O(1)", "[message]")},
		&Command{Name: "echo", Arity: 2, Flags: CmdLoading | CmdStale | CmdFast, ACL: CatConnection, Proc: cmdEcho,
			Docs: connDocs("Returns the given string.", "1.0.0", "O(1)", "message")},
		&Command{Name: "select", Arity: 2, Flags: CmdLoading | CmdStale | CmdFast, ACL: CatConnection, Proc: cmdSelect,
			Docs: connDocs("Changes the selected database.", "1.0.0", "O(1)", "index:integer")},
		&Command{Name: "swapdb", Arity: 3, Flags: CmdWrite | CmdFast, ACL: CatKeyspace | CatDangerous, Proc: cmdSwapDB,
			Docs: serverDocs("Swaps two Redis databases.", "4.0.0", "O(N) where N is the count of clients watching or blocking on keys from both databases.", "index1:integer index2:integer")},
		&Command{Name: "dbsize", Arity: 1, Flags: CmdReadonly | CmdFast, ACL: CatKeyspace, Proc: cmdDBSize, Tips: []string{"request_policy:all_shards", "response_policy:agg_sum"},
			Docs: serverDocs("Returns the number of keys in the database.", "1.0.0", "O(1)", "")},
		&Command{Name: "flushdb", Arity: -1, Flags: CmdWrite, ACL: CatKeyspace | CatDangerous, Proc: cmdFlushDB, Tips: []string{"request_policy:all_shards", "response_policy:all_succeeded"},
			Docs: serverDocs("Removes all keys from the current database.", "1.0.0", "O(N) where N is the number of keys in the selected database", "[ASYNC | SYNC]")},
		&Command{Name: "flushall", Arity: -1, Flags: CmdWrite, ACL: CatKeyspace | CatDangerous, Proc: cmdFlushAll, Tips: []string{"request_policy:all_shards", "response_policy:all_succeeded"},
			Docs: serverDocs("Removes all keys from all databases.", "1.0.0", "O(N) where N is the total number of keys in all databases", "[ASYNC | SYNC]")},
		&Command{Name: "time", Arity: 1, Flags: CmdLoading | CmdStale | CmdFast, Proc: cmdTime, Tips: []string{"nondeterministic_output"},
			Docs: serverDocs("Returns the server time.", "2.6.0", "O(1)", "")},
		&Command{Name: "lastsave", Arity: 1, Flags: CmdLoading | CmdStale | CmdFast, ACL: CatAdmin | CatDangerous, Proc: cmdLastSave, Tips: []string{"nondeterministic_output"},
			Docs: serverDocs("Returns the Unix timestamp of the last successful save to disk.", "1.0.0", "O(1)", "")},
		&Command{Name: "shutdown", Arity: -1, Flags: CmdAdmin | CmdNoScript | CmdLoading | CmdStale | CmdNoMulti | CmdSentinelLike | CmdAllowBusy, Proc: cmdShutdown,
			Docs: serverDocs("Synchronously saves the database(s) to disk and shuts down the Redis server.", "1.0.0", "O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)", "[NOSAVE | SAVE] [NOW] [FORCE] [ABORT]")},
		&Command{Name: "quit", Arity: -1, Flags: CmdAllowBusy | CmdNoScript | CmdLoading | CmdStale | CmdFast | CmdNoAuth, ACL: CatConnection, Proc: cmdQuit,
			Docs: connDocs("Closes the connection.", "1.0.0", "O(1)", "")},
		&Command{Name: "reset", Arity: 1, Flags: CmdNoScript | CmdLoading | CmdStale | CmdFast | CmdNoAuth | CmdAllowBusy, ACL: CatConnection, Proc: cmdReset,
			Docs: connDocs("Resets the connection.", "6.2.0", "O(1)", "")},
		&Command{Name: "hello", Arity: -1, Flags: CmdNoScript | CmdLoading | CmdStale | CmdFast | CmdNoAuth | CmdSentinelLike | CmdAllowBusy, ACL: CatConnection, Proc: cmdHello,
			Docs: connDocs("Handshakes with the Redis server.", "6.0.0", "O(1)", "[protover:integer [AUTH username password] [SETNAME clientname]]")},
		&Command{Name: "auth", Arity: -2, Flags: CmdNoScript | CmdLoading | CmdStale | CmdFast | CmdNoAuth | CmdSentinelLike | CmdAllowBusy, ACL: CatConnection, Proc: cmdAuth,
			Docs: connDocs("Authenticates the connection.", "1.0.0", "O(N) where N is the number of passwords defined for the user", "[username] password")},
	)
}
