package node

import (
	"fmt"
	"strings"

	"replab/keyspace"
)

// processCommand checks c.args against the command table and the node's
// state, in Redis's order, then runs, queues or rejects the command.
func (n *Node) processCommand(c *client) {
	cmd := n.commands.lookup(c.args)
	c.cmd = cmd
	if cmd == nil {
		n.rejectCommand(c, n.unknownCommandError(c.args))
		return
	}
	c.last = cmd
	if (cmd.Arity > 0 && cmd.Arity != len(c.args)) || len(c.args) < -cmd.Arity {
		n.rejectCommand(c, fmt.Sprintf(ErrWrongArgsFmt, cmd.FullName))
		return
	}
	if cmd.Flags&CmdProtected != 0 && !n.allowProtected(n.cfg.EnableDebugCommand, c) {
		n.rejectCommand(c, "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.")
		return
	}
	if !c.authed && cmd.Flags&CmdNoAuth == 0 && n.authRequired() {
		n.rejectCommand(c, ErrNoAuth)
		return
	}
	if c.flags&flagMulti != 0 && cmd.Flags&CmdNoMulti != 0 {
		n.rejectCommand(c, ErrNotInMulti)
		return
	}
	if err := n.aclCheckCommand(c, cmd); err != "" {
		n.rejectCommand(c, err)
		return
	}
	flags := cmd.Flags
	isExec := cmd.Proc != nil && cmd.Name == "exec"
	if isExec {
		flags |= c.multiFlags
	}
	if n.writesDeniedByDiskError() && c.flags&flagMaster == 0 && (flags&CmdWrite != 0 || cmd.Name == "ping") {
		n.rejectCommand(c, ErrMisconf)
		return
	}
	if err := n.replCheckWrite(c, flags&CmdWrite != 0); err != "" {
		n.rejectCommand(c, err)
		return
	}
	if c.flags&flagPubSub != 0 && c.w.Proto == 2 && !pubsubContextAllowed[cmd.Name] {
		n.rejectCommand(c, fmt.Sprintf(ErrPubSubContext, cmd.FullName))
		return
	}
	if err := n.replCheckStale(c, cmd, isExec); err != "" {
		n.rejectCommand(c, err)
		return
	}
	if n.loading && flags&CmdLoading == 0 {
		n.rejectCommand(c, ErrLoading)
		return
	}
	if c.flags&flagReplica != 0 && flags&(CmdWrite|CmdReadonly|CmdMayReplicate) != 0 {
		n.rejectCommand(c, ErrReplicaKeyspace)
		return
	}
	if n.pausedCommand(c, flags) {
		n.postpone(c)
		return
	}
	if c.flags&flagMulti != 0 && !multiPassThrough[cmd.Name] {
		n.queueMultiCommand(c, cmd)
		return
	}
	n.call(c, cmd)
	if len(n.readyKeys) > 0 {
		n.handleClientsBlockedOnKeys()
	}
}

// applyReplyMode drops the reply of the command that just ran when the
// client asked for it with CLIENT REPLY OFF or SKIP.
func (n *Node) applyReplyMode(c *client, before int) {
	if c.flags&(flagReplyOff|flagReplySkip) != 0 && c.w.Len() >= before {
		c.w.Truncate(before)
	}
	c.flags &^= flagReplySkip
	if c.flags&flagReplySkipNext != 0 {
		c.flags &^= flagReplySkipNext
		c.flags |= flagReplySkip
	}
}

// Commands that run at once even inside MULTI.
var multiPassThrough = map[string]bool{"exec": true, "discard": true, "multi": true, "watch": true, "quit": true, "reset": true}

// Commands a RESP2 client may send in subscribed mode.
var pubsubContextAllowed = map[string]bool{
	"ping": true, "subscribe": true, "ssubscribe": true, "unsubscribe": true, "sunsubscribe": true,
	"psubscribe": true, "punsubscribe": true, "quit": true, "reset": true,
}

// allowProtected implements enable-debug-command and friends: "yes", "no"
// or "local" (loopback and Unix-socket connections only).
func (n *Node) allowProtected(setting string, c *client) bool {
	switch setting {
	case "yes":
		return true
	case "local":
		return c.info.Unix || isLoopback(c.info.Remote)
	}
	return false
}

func (n *Node) unknownCommandError(args [][]byte) string {
	name := string(args[0])
	if parent := lookupFold(n.commands.byName, args[0]); parent != nil && parent.Sub != nil && len(args) > 1 {
		return fmt.Sprintf(ErrUnknownSubFmt, truncate(string(args[1]), 128), strings.ToUpper(name))
	}
	var b strings.Builder
	for _, a := range args[1:] {
		if b.Len() >= 128 {
			break
		}
		fmt.Fprintf(&b, "'%s' ", truncate(string(a), 128-b.Len()))
	}
	return fmt.Sprintf(ErrUnknownCmdFmt, truncate(name, 128), b.String())
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// rejectCommand replies with err to a command that will not run, and flags
// an open transaction so that EXEC fails.
func (n *Node) rejectCommand(c *client, err string) {
	if c.flags&flagMulti != 0 {
		c.flags |= flagDirtyExec
	}
	if c.cmd != nil {
		c.cmd.rejected++
	}
	n.countError(err)
	if c.cmd != nil && c.cmd.Name == "exec" {
		n.discardTransaction(c)
		// Redis builds these errors without the ERR code (other codes
		// such as NOAUTH or NOPERM stay).
		err = "EXECABORT Transaction discarded because of: " + strings.TrimPrefix(err, "ERR ")
	}
	c.w.Error(err)
}

// call runs cmd for c and propagates what it changed.
func (n *Node) call(c *client, cmd *Command) {
	prevCurrent := n.current
	n.current = c
	dirtyBefore := n.dirty
	c.rewritten = nil
	c.noPropagate = false
	prevForce := c.forceRepl
	c.forceRepl = false
	start := n.rt.Now()
	n.execDepth++
	cmd.Proc(n, c)
	n.execDepth--
	elapsed := n.rt.Now().Sub(start).Microseconds()
	cmd.calls++
	cmd.usec += elapsed
	n.stats.CommandsProcessed++
	if ((n.dirty != dirtyBefore && cmd.Flags&CmdWrite != 0) || c.forceRepl) && !c.noPropagate {
		args := c.args
		if c.rewritten != nil {
			args = c.rewritten
		}
		n.alsoPropagate(c.db.ID, args)
	}
	c.forceRepl = prevForce
	n.current = prevCurrent
	if n.execDepth == 0 {
		n.propagatePending()
		c.woff = n.repl.offset
	}
}

// propagation is a write waiting to be propagated at the end of the
// execution unit.
type propagation struct {
	db   int
	args [][]byte
}

// propagating reports whether anything consumes propagated writes: a
// replication buffer on a master, or a test hook. Without a consumer, as
// Redis without replicas, writes are not copied for propagation at all.
func (n *Node) propagating() bool {
	return n.propagateHook != nil || (n.repl.masterHost == "" && n.repl.buf != nil)
}

// alsoPropagate queues args (copied) for propagation at the end of the
// current execution unit.
func (n *Node) alsoPropagate(db int, args [][]byte) {
	if !n.propagating() {
		return
	}
	total := 0
	for _, a := range args {
		total += len(a)
	}
	// The copies are carved from arenas that propagatePending reuses once
	// the execution unit is emitted; a full arena is replaced, not grown,
	// so the slices carved before stay valid.
	if cap(n.propBytes)-len(n.propBytes) < total {
		n.propBytes = make([]byte, 0, max(total, propArenaBytes))
	}
	if cap(n.propArgs)-len(n.propArgs) < len(args) {
		n.propArgs = make([][]byte, 0, max(len(args), propArenaArgs))
	}
	start := len(n.propArgs)
	for _, a := range args {
		n.propBytes = append(n.propBytes, a...)
		end := len(n.propBytes)
		n.propArgs = append(n.propArgs, n.propBytes[end-len(a):end:end])
	}
	cp := n.propArgs[start:len(n.propArgs):len(n.propArgs)]
	n.propagations = append(n.propagations, propagation{db: db, args: cp})
}

// Sizes of the arenas alsoPropagate copies arguments into.
const (
	propArenaBytes = 16 << 10
	propArenaArgs  = 256
)

// propagateArgs is alsoPropagate for string arguments.
func (n *Node) propagateArgs(db int, args ...string) {
	b := make([][]byte, len(args))
	for i, a := range args {
		b[i] = []byte(a)
	}
	n.alsoPropagate(db, b)
}

var multiArgs = [][]byte{[]byte("MULTI")}
var execArgs = [][]byte{[]byte("EXEC")}

// propagatePending hands the writes of the execution unit that just ended
// to the replication layer, wrapped in MULTI/EXEC when there are several.
func (n *Node) propagatePending() {
	if len(n.propagations) == 0 {
		return
	}
	ops := n.propagations
	n.propagations = nil
	defer func() {
		// Nothing keeps the arguments once emitted (the replication
		// buffer copies them): the arenas and the queue are reused,
		// unless the emission queued more.
		if n.propagations == nil {
			clear(ops)
			n.propagations = ops[:0]
			clear(n.propArgs)
			n.propArgs = n.propArgs[:0]
			n.propBytes = n.propBytes[:0]
		}
	}()
	emit := func(db int, args [][]byte) {
		n.replFeedCommand(db, args)
		if n.propagateHook != nil {
			n.propagateHook(db, args)
		}
	}
	wrap := len(ops) > 1
	if wrap {
		emit(ops[0].db, multiArgs)
	}
	for _, op := range ops {
		emit(op.db, op.args)
	}
	if wrap {
		emit(ops[len(ops)-1].db, execArgs)
	}
}

// rewrite replaces the replicated form of the running command.
func (c *client) rewrite(args ...[]byte) { c.rewritten = args }

// rewriteStrings is rewrite for string arguments.
func (c *client) rewriteStrings(args ...string) {
	b := make([][]byte, len(args))
	for i, a := range args {
		b[i] = []byte(a)
	}
	c.rewritten = b
}

// MULTI / EXEC / DISCARD / WATCH

type watchKey struct {
	db  int
	key string
}

func (n *Node) queueMultiCommand(c *client, cmd *Command) {
	// Arguments alias the read buffer: copy them.
	args := make([][]byte, len(c.args))
	for i, a := range c.args {
		args[i] = append([]byte(nil), a...)
		c.multiBytes += len(a)
	}
	c.multi = append(c.multi, queuedCommand{cmd: cmd, args: args})
	c.multiFlags |= cmd.Flags
	c.w.RawString("+QUEUED\r\n")
}

func (n *Node) discardTransaction(c *client) {
	c.multi = nil
	c.multiFlags = 0
	c.multiBytes = 0
	c.flags &^= flagMulti | flagDirtyCAS | flagDirtyExec
	n.unwatchAll(c)
}

func cmdMulti(n *Node, c *client) {
	if c.flags&flagMulti != 0 {
		n.replyError(c, "ERR MULTI calls can not be nested")
		return
	}
	c.flags |= flagMulti
	c.ok()
}

func cmdDiscard(n *Node, c *client) {
	if c.flags&flagMulti == 0 {
		n.replyError(c, "ERR DISCARD without MULTI")
		return
	}
	n.discardTransaction(c)
	c.ok()
}

func cmdExec(n *Node, c *client) {
	if c.flags&flagMulti == 0 {
		n.replyError(c, "ERR EXEC without MULTI")
		return
	}
	if n.watchedKeyExpired(c) {
		c.flags |= flagDirtyCAS
	}
	if c.flags&(flagDirtyCAS|flagDirtyExec) != 0 {
		if c.flags&flagDirtyExec != 0 {
			n.replyError(c, ErrExecAbort)
		} else {
			c.w.NullArray()
		}
		n.discardTransaction(c)
		return
	}
	n.unwatchAll(c)
	queue := c.multi
	origArgs, origCmd := c.args, c.cmd
	c.w.Array(len(queue))
	c.flags |= flagInExec
	for _, q := range queue {
		c.args = q.args
		c.cmd = q.cmd
		if err := n.aclCheckExec(c, q.cmd); err != "" {
			n.replyError(c, err)
			continue
		}
		n.call(c, q.cmd)
	}
	c.flags &^= flagInExec
	c.args, c.cmd = origArgs, origCmd
	n.discardTransaction(c)
	// EXEC itself is not propagated: the writes it ran are, wrapped in
	// MULTI/EXEC when there are several.
	c.noPropagate = true
}

func cmdWatch(n *Node, c *client) {
	if c.flags&flagMulti != 0 {
		n.replyError(c, "ERR WATCH inside MULTI is not allowed")
		return
	}
	// No point in watching if the client is already dirty.
	if c.flags&flagDirtyCAS != 0 {
		c.ok()
		return
	}
	for _, k := range c.args[1:] {
		n.watchKey(c, string(k))
	}
	c.ok()
}

func cmdUnwatch(n *Node, c *client) {
	n.unwatchAll(c)
	c.flags &^= flagDirtyCAS
	c.ok()
}

func (n *Node) watchKey(c *client, key string) {
	wk := watchKey{db: c.db.ID, key: key}
	for _, e := range c.watching {
		if e == wk {
			return
		}
	}
	c.watching = append(c.watching, wk)
	n.watched[wk] = append(n.watched[wk], c)
	if c.watchExpired == nil {
		c.watchExpired = map[watchKey]bool{}
	}
	c.watchExpired[wk] = c.db.Exists(key) && c.db.Expired(key, n.ms)
}

func (n *Node) unwatchAll(c *client) {
	for _, wk := range c.watching {
		list := n.watched[wk]
		for i, o := range list {
			if o == c {
				list = append(list[:i], list[i+1:]...)
				break
			}
		}
		if len(list) == 0 {
			delete(n.watched, wk)
		} else {
			n.watched[wk] = list
		}
	}
	c.watching = nil
	c.watchExpired = nil
}

// watchedKeyExpired reports whether a watched key, alive at WATCH, has
// expired since.
func (n *Node) watchedKeyExpired(c *client) bool {
	for _, wk := range c.watching {
		if c.watchExpired[wk] {
			continue
		}
		db := n.ks.DB(wk.db)
		if db.Exists(wk.key) && db.Expired(wk.key, n.ms) {
			return true
		}
	}
	return false
}

// touchWatchedKey marks the transactions watching key as failed.
func (n *Node) touchWatchedKey(db int, key string) {
	if len(n.watched) == 0 {
		return
	}
	wk := watchKey{db: db, key: key}
	list := n.watched[wk]
	if len(list) == 0 {
		return
	}
	for _, c := range append([]*client(nil), list...) {
		if c.watchExpired[wk] && !n.ks.DB(db).Exists(key) {
			// The key was already expired when watched and is now being
			// deleted: that is not a change.
			c.watchExpired[wk] = false
			continue
		}
		c.flags |= flagDirtyCAS
		n.unwatchAll(c)
	}
}

// touchAllWatchedKeysInDB invalidates the transactions watching keys of db
// when db is emptied (FLUSHDB, FLUSHALL; other < 0) or replaced by the
// contents of database other (SWAPDB, called before the swap), as Redis's
// touchAllWatchedKeysInDb: a watched key is touched when it exists in db or
// in other, except that a key already expired when watched and now gone,
// or still expired after the swap, is not a change, and a missing key
// replaced by an expired one becomes "expired when watched".
func (n *Node) touchAllWatchedKeysInDB(db, other int) {
	if len(n.watched) == 0 {
		return
	}
	emptied := n.ks.DB(db)
	var replaced *keyspace.DB
	if other >= 0 {
		replaced = n.ks.DB(other)
	}
	for wk, clients := range n.watched {
		if wk.db != db {
			continue
		}
		inEmptied := emptied.Exists(wk.key)
		inReplaced := replaced != nil && replaced.Exists(wk.key)
		if !inEmptied && !inReplaced {
			continue
		}
		for _, c := range clients {
			switch {
			case c.watchExpired[wk]:
				if !inReplaced {
					// Expired when watched, now deleted: no logical change.
					c.watchExpired[wk] = false
					continue
				}
				if replaced.Expired(wk.key, n.ms) {
					continue
				}
			case !inEmptied && replaced.Expired(wk.key, n.ms):
				c.watchExpired[wk] = true
				continue
			}
			// Flagged only: unwatching here would change n.watched while it
			// is walked (the order of the walk has no visible effect).
			c.flags |= flagDirtyCAS
		}
	}
}

func init() {
	register(
		&Command{Name: "multi", Arity: 1, Flags: CmdNoScript | CmdLoading | CmdStale | CmdFast | CmdAllowBusy, ACL: CatTransaction, Proc: cmdMulti,
			Docs: Docs{Summary: "Starts a transaction.", Since: "1.2.0", Group: "transactions", Complexity: "O(1)"}},
		&Command{Name: "exec", Arity: 1, Flags: CmdNoScript | CmdLoading | CmdStale | CmdSkipSlowlog, ACL: CatTransaction, Proc: cmdExec,
			Docs: Docs{Summary: "Executes all commands in a transaction.", Since: "1.2.0", Group: "transactions", Complexity: "Depends on commands in the transaction"}},
		&Command{Name: "discard", Arity: 1, Flags: CmdNoScript | CmdLoading | CmdStale | CmdFast | CmdAllowBusy, ACL: CatTransaction, Proc: cmdDiscard,
			Docs: Docs{Summary: "Discards a transaction.", Since: "2.0.0", Group: "transactions", Complexity: "O(N), when N is the number of queued commands"}},
		&Command{Name: "watch", Arity: -2, Flags: CmdNoScript | CmdLoading | CmdStale | CmdFast | CmdAllowBusy, ACL: CatTransaction, Proc: cmdWatch,
			FirstKey: 1, LastKey: -1, Step: 1, Keys: []KeySpec{keysRange(1, -1, 1, "RO")},
			Docs: Docs{Summary: "Monitors changes to keys to determine the execution of a transaction.", Since: "2.2.0", Group: "transactions", Complexity: "O(1) for every key.", Syntax: "key [key ...]"}},
		&Command{Name: "unwatch", Arity: 1, Flags: CmdNoScript | CmdLoading | CmdStale | CmdFast | CmdAllowBusy, ACL: CatTransaction, Proc: cmdUnwatch,
			Docs: Docs{Summary: "Forgets about watched keys of a transaction.", Since: "2.2.0", Group: "transactions", Complexity: "O(1)"}},
	)
}
