package node

import (
	"math"
	"math/big"
	"time"

	"replab/internal/num"
	"replab/keyspace"
)

// Blocking commands (BLPOP, BZPOPMIN, XREAD BLOCK, ...) follow one pattern:
//
//  1. The command tries to serve the client. If it can, it replies as its
//     non-blocking form would (and rewrites its replicated form).
//  2. If it cannot, it calls blockForKeys with the keys it waits on, the
//     kind of value that would serve it, a deadline and a reply for the
//     timeout. The client stops processing input.
//  3. A change that could serve a waiter (a push, an add, a new key) calls
//     signalKeyAsReady. At the end of the command that made it, every
//     client blocked on a ready key is re-run, first blocked first served,
//     until one cannot be served; a re-run that still cannot be served
//     stays blocked in its place.
//  4. On timeout the client gets its timeout reply. Either way it then
//     goes on with the input it sent meanwhile.
//
// Inside MULTI (and EXEC) a blocking command must not block: commands check
// canBlock and reply as on timeout.

// blockState describes why a client is blocked.
type blockState struct {
	keys      []watchKey    // keys waited on
	kind      keyspace.Kind // kind of value that can serve the client; KindNone: any change
	deadline  int64         // ms; 0 means forever
	onTimeout func(n *Node, c *client)
	cmd       *Command
	args      [][]byte // a copy of the command's arguments, to re-run it
	// Any data a command needs when it is re-run (for example the last ID
	// XREAD returned); owned by the command.
	data any
	// unkillable blocks (WAIT, client pause) ignore CLIENT UNBLOCK.
	unkillable bool
	// postponed: the client's command waits for the end of a client pause
	// (pause.go) and runs again from scratch then.
	postponed bool
	// shutdown: a SHUTDOWN waiting for the replicas to catch up.
	shutdown bool
	// readyKey is, during a re-run, the key whose readiness caused it
	// (XREAD serves only that key, as Redis does).
	readyKey string
}

// canBlock reports whether c may block (not inside a transaction or a
// script).
func (n *Node) canBlock(c *client) bool { return c.flags&flagInExec == 0 }

// blockForKeys blocks c on keys until one of them holds a value of kind or
// deadline (absolute ms, 0 = never) passes. When the client is being re-run
// because a key became ready and still cannot be served, it simply stays
// blocked.
func (n *Node) blockForKeys(c *client, keys [][]byte, kind keyspace.Kind, deadline int64, onTimeout func(n *Node, c *client), data any) {
	if c.reprocessing {
		c.stillBlocked = true
		if c.blocked != nil {
			c.blocked.data = data
		}
		return
	}
	b := &blockState{kind: kind, deadline: deadline, onTimeout: onTimeout, cmd: c.cmd, data: data}
	b.args = make([][]byte, len(c.args))
	for i, a := range c.args {
		b.args[i] = append([]byte(nil), a...)
	}
	for _, k := range keys {
		wk := watchKey{db: c.db.ID, key: string(k)}
		dup := false
		for _, o := range b.keys {
			if o == wk {
				dup = true
			}
		}
		if dup {
			continue
		}
		b.keys = append(b.keys, wk)
		n.blockingKeys[wk] = append(n.blockingKeys[wk], c)
	}
	c.blocked = b
	c.flags |= flagBlocked
	n.blockedClients = append(n.blockedClients, c)
	n.stats.BlockedClients = len(n.blockedClients)
}

// unblock releases c from its blocked state (without replying).
func (n *Node) unblock(c *client) {
	b := c.blocked
	if b == nil {
		return
	}
	for _, wk := range b.keys {
		list := n.blockingKeys[wk]
		for i, o := range list {
			if o == c {
				list = append(list[:i], list[i+1:]...)
				break
			}
		}
		if len(list) == 0 {
			delete(n.blockingKeys, wk)
		} else {
			n.blockingKeys[wk] = list
		}
	}
	for i, o := range n.blockedClients {
		if o == c {
			n.blockedClients = append(n.blockedClients[:i], n.blockedClients[i+1:]...)
			break
		}
	}
	n.stats.BlockedClients = len(n.blockedClients)
	c.blocked = nil
	c.flags &^= flagBlocked
	n.unblockedQueue = append(n.unblockedQueue, c)
}

// signalKeyAsReady notes that key may now serve clients blocked on it.
func (n *Node) signalKeyAsReady(db int, key string) {
	if len(n.blockingKeys) == 0 {
		return
	}
	wk := watchKey{db: db, key: key}
	if _, ok := n.blockingKeys[wk]; !ok {
		return
	}
	for _, r := range n.readyKeys {
		if r == wk {
			return
		}
	}
	wk.key = string([]byte(key))
	n.readyKeys = append(n.readyKeys, wk)
}

// handleClientsBlockedOnKeys serves the clients blocked on the keys that
// became ready, in FIFO order per key.
func (n *Node) handleClientsBlockedOnKeys() {
	for len(n.readyKeys) > 0 {
		ready := n.readyKeys
		n.readyKeys = nil
		for _, wk := range ready {
			for _, c := range append([]*client(nil), n.blockingKeys[wk]...) {
				if c.blocked == nil || c.freed {
					continue
				}
				db := n.ks.DB(wk.db)
				v := db.Find(wk.key)
				if c.blocked.kind != keyspace.KindNone && (v == nil || v.Kind() != c.blocked.kind || db.Expired(wk.key, n.ms)) {
					continue
				}
				c.blocked.readyKey = wk.key
				n.rerunBlocked(c)
			}
		}
	}
	n.resumeUnblocked()
}

// rerunBlocked runs a blocked client's command again.
func (n *Node) rerunBlocked(c *client) {
	b := c.blocked
	prevDB := c.db
	c.db = n.ks.DB(b.keys[0].db)
	c.args = b.args
	c.cmd = b.cmd
	c.reprocessing = true
	c.stillBlocked = false
	n.markPending(c)
	n.call(c, b.cmd)
	c.reprocessing = false
	if !c.stillBlocked {
		n.unblock(c)
	}
	c.args = nil
	if c.db == n.ks.DB(b.keys[0].db) {
		c.db = prevDB
	}
}

// resumeUnblocked lets clients that were unblocked process the input they
// sent while blocked.
func (n *Node) resumeUnblocked() {
	for len(n.unblockedQueue) > 0 {
		q := n.unblockedQueue
		n.unblockedQueue = nil
		for _, c := range q {
			if !c.freed && c.flags&flagBlocked == 0 {
				n.processInput(c)
			}
		}
	}
}

// handleBlockedTimeouts replies to the blocked clients whose deadline has
// passed: strictly before now, as Redis's handleBlockedClientsTimeout (a
// client blocked until t is still blocked at t).
func (n *Node) handleBlockedTimeouts() {
	for _, c := range append([]*client(nil), n.blockedClients...) {
		b := c.blocked
		if b == nil || b.deadline == 0 || b.deadline >= n.ms {
			continue
		}
		n.markPending(c)
		if b.onTimeout != nil {
			b.onTimeout(n, c)
		} else {
			c.w.NullArray()
		}
		n.unblock(c)
	}
	n.resumeUnblocked()
}

// nextBlockedDeadline returns the earliest deadline of a blocked client, or
// 0 when none has one.
func (n *Node) nextBlockedDeadline() int64 {
	var next int64
	for _, c := range n.blockedClients {
		if d := c.blocked.deadline; d != 0 && (next == 0 || d < next) {
			next = d
		}
	}
	return next
}

// parseTimeout parses the timeout of a blocking command: seconds (a
// float) or milliseconds, 0 meaning forever. It returns the absolute
// deadline in ms.
//
// Seconds are read as Redis reads them: a long double (strtold syntax,
// "inf" included), times 1000 rounded up; a product outside the int64
// range becomes negative, as C's conversion makes it, so "inf" and 1e300
// are "timeout is negative" while -0.0001 rounds up to 0 (forever).
func (n *Node) parseTimeout(c *client, arg []byte, seconds bool) (int64, bool) {
	var ms int64
	if seconds {
		f, ok := num.ParseLongDouble(arg)
		if !ok {
			n.replyError(c, ErrTimeoutInvalid)
			return 0, false
		}
		ms = timeoutMillis(f)
	} else {
		v, ok := parseIntStrict(arg)
		if !ok {
			n.replyError(c, "ERR timeout is not an integer or out of range")
			return 0, false
		}
		ms = v
	}
	if ms < 0 {
		n.replyError(c, ErrTimeoutNegative)
		return 0, false
	}
	if ms == 0 || ms > math.MaxInt64-n.ms {
		// Too far away to ever pass: the same as forever.
		return 0, true
	}
	return n.ms + ms, true
}

// timeoutMillis converts seconds to milliseconds as Redis's
// (long long)ceill(seconds*1000.0) does on x86: a 64-bit mantissa product,
// rounded up, and math.MinInt64 when it does not fit.
func timeoutMillis(seconds *big.Float) int64 {
	if seconds.IsInf() {
		return math.MinInt64
	}
	prod := new(big.Float).SetPrec(num.LongDoublePrec).SetMode(big.ToNearestEven)
	prod.Mul(seconds, big.NewFloat(1000))
	i, acc := prod.Int(nil)
	if acc == big.Below {
		i.Add(i, big.NewInt(1))
	}
	if !i.IsInt64() {
		return math.MinInt64
	}
	return i.Int64()
}

// blockedDeadlineWake folds blocked clients' deadlines into NextWake (the
// millisecond after a deadline, when it has passed).
func (n *Node) blockedDeadlineWake(t time.Time) time.Time {
	if d := n.nextBlockedDeadline(); d != 0 && d+1 < t.UnixMilli() {
		return time.UnixMilli(d + 1)
	}
	return t
}
