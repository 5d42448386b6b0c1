package node

import "math"

// Client pauses (CLIENT PAUSE, a SHUTDOWN waiting for its replicas, a
// FAILOVER), as Redis 7.0's pauseClients: each purpose holds its own pause
// (a type and an end time); the node is paused with the most restrictive
// type among them, until the furthest end of that type. While paused, a
// command that is paused (every command for ALL; for WRITE, the writes and
// the commands that may replicate, EXEC of a transaction holding one
// included) is postponed: its client blocks, the command is run again from
// scratch when the pause ends (and may be postponed again). Replicas are
// never paused. The dataset stays constant meanwhile: keys that expire are
// reported missing but not deleted, active expiry and eviction stop, and
// no REPLCONF GETACK is sent.

// pauseType is a kind of pause, ordered from the least restrictive.
type pauseType uint8

const (
	pauseOff pauseType = iota
	pauseWrite
	pauseAll
)

// pausePurpose is why the node is paused (Redis's pause_purpose).
type pausePurpose uint8

const (
	pauseByClient pausePurpose = iota
	pauseDuringShutdown
	pauseDuringFailover
	numPausePurposes
)

// pauseEvent is one purpose's pause.
type pauseEvent struct {
	typ pauseType
	end int64 // ms
}

// pauseState is the node's pause.
type pauseState struct {
	purposes [numPausePurposes]*pauseEvent
	typ      pauseType
	end      int64 // ms
}

// pauseClients pauses the node for purpose until end (ms) with typ; a
// purpose paused already keeps the more restrictive type and the later end.
func (n *Node) pauseClients(purpose pausePurpose, end int64, typ pauseType) {
	p := n.pause.purposes[purpose]
	if p == nil {
		n.pause.purposes[purpose] = &pauseEvent{typ: typ, end: end}
	} else {
		p.typ = max(p.typ, typ)
		p.end = max(p.end, end)
	}
	n.updatePause()
}

// unpauseClients ends purpose's pause.
func (n *Node) unpauseClients(purpose pausePurpose) {
	if n.pause.purposes[purpose] == nil {
		return
	}
	n.pause.purposes[purpose] = nil
	n.updatePause()
}

// updatePause recomputes the node's pause from the purposes (dropping the
// expired ones); when it becomes less restrictive, the postponed clients
// are released to run their command again.
func (n *Node) updatePause() {
	old := n.pause.typ
	typ := pauseOff
	for i, p := range n.pause.purposes {
		switch {
		case p == nil:
		case p.end < n.ms:
			n.pause.purposes[i] = nil
		case p.typ > typ:
			typ = p.typ
		}
	}
	var end int64
	for _, p := range n.pause.purposes {
		if p != nil && p.typ == typ && p.end > end {
			end = p.end
		}
	}
	n.pause.typ, n.pause.end = typ, end
	if typ < old {
		n.unblockPostponed()
	}
}

// paused reports whether the node is paused, ending a pause whose time
// has passed (Redis's checkClientPauseTimeoutAndReturnIfPaused).
func (n *Node) paused() bool {
	if n.pause.typ == pauseOff {
		return false
	}
	if n.pause.end < n.ms {
		n.updatePause()
	}
	return n.pause.typ != pauseOff
}

// pauseWake is when the pause next needs a Tick (the millisecond after its
// end), zero for none.
func (n *Node) pauseWake() int64 {
	if n.pause.typ == pauseOff || n.pause.end == math.MaxInt64 {
		return 0
	}
	return n.pause.end + 1
}

// pausedCommand reports whether c's command (with flags, EXEC's including
// its transaction's) must be postponed.
func (n *Node) pausedCommand(c *client, flags CmdFlag) bool {
	if c.flags&flagReplica != 0 || n.pause.typ == pauseOff {
		return false
	}
	return n.pause.typ == pauseAll || (n.pause.typ == pauseWrite && flags&(CmdWrite|CmdMayReplicate) != 0)
}

// postpone blocks c until the pause ends; its command (c.args, copied) runs
// again then (Redis's BLOCKED_POSTPONE). consumed is the size of the
// command in c's input (a master client's offset must not count it yet).
func (n *Node) postpone(c *client) {
	args := make([][]byte, len(c.args))
	for i, a := range c.args {
		args[i] = append([]byte(nil), a...)
	}
	c.postponed = args
	c.postponedLen = c.lastCmdLen
	c.blocked = &blockState{unkillable: true, postponed: true, cmd: c.cmd}
	c.flags |= flagBlocked
	n.blockedClients = append(n.blockedClients, c)
	n.stats.BlockedClients = len(n.blockedClients)
}

// unblockPostponed releases every postponed client: each runs its command
// again at the end of the event, in the order they were postponed.
func (n *Node) unblockPostponed() {
	for _, c := range append([]*client(nil), n.blockedClients...) {
		if c.blocked != nil && c.blocked.postponed {
			n.markPending(c)
			n.unblock(c)
		}
	}
}

// clientPauseCron ends the pauses whose time passed (from the cron and
// every Tick).
func (n *Node) clientPauseCron() { n.paused() }

func cmdClientPause(n *Node, c *client) {
	typ := pauseAll
	if len(c.args) == 4 {
		switch {
		case eq(c.args[3], "write"):
			typ = pauseWrite
		case eq(c.args[3], "all"):
			typ = pauseAll
		default:
			n.replyError(c, "ERR CLIENT PAUSE mode must be WRITE or ALL")
			return
		}
	} else if len(c.args) != 3 {
		n.replyErrorf(c, "ERR unknown subcommand or wrong number of arguments for '%s'. Try CLIENT HELP.", c.args[1])
		return
	}
	ms, ok := parseIntStrict(c.args[2])
	if !ok {
		n.replyError(c, "ERR timeout is not an integer or out of range")
		return
	}
	if ms < 0 {
		n.replyError(c, ErrTimeoutNegative)
		return
	}
	// As Redis's getTimeoutFromObjectOrReply: 0 is no time at all (the
	// pause ends at once).
	end := int64(0)
	if ms > 0 {
		end = math.MaxInt64
		if ms <= math.MaxInt64-n.ms {
			end = n.ms + ms
		}
	}
	n.pauseClients(pauseByClient, end, typ)
	c.ok()
}

func cmdClientUnpause(n *Node, c *client) {
	n.unpauseClients(pauseByClient)
	c.ok()
}
