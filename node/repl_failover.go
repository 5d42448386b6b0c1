package node

import (
	"math"

	"replab/replication"
)

// FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms], as Redis 7.0: the
// master pauses writes (CLIENT PAUSE WRITE semantics, purpose failover) and
// waits (waiting-for-sync) until a replica, the target or any, has
// acknowledged its whole stream; then (failover-in-progress) it turns into
// a replica of that replica and sends it "PSYNC <replid> <offset> FAILOVER",
// which makes the target promote itself and answer +CONTINUE. The pause
// ends when the PSYNC is answered; a refused PSYNC, a TIMEOUT without FORCE
// or FAILOVER ABORT abort the failover (the node is a master again). With
// FORCE, the timeout fails over to the target even if it has not caught up.
// While a failover runs, the replication cron runs every 100 ms, REPLICAOF
// is refused and replicas cannot SYNC.

// failoverState is Redis's failover_state.
type failoverState uint8

const (
	noFailover failoverState = iota
	failoverWaitForSync
	failoverInProgress
)

func (s failoverState) String() string {
	switch s {
	case failoverWaitForSync:
		return "waiting-for-sync"
	case failoverInProgress:
		return "failover-in-progress"
	}
	return "no-failover"
}

// failover is a FAILOVER in progress.
type failover struct {
	state failoverState
	end   int64 // ms; 0 = no timeout
	force bool
	host  string // the target, "" until one is chosen
	port  int
}

func cmdFailover(n *Node, c *client) {
	r := &n.repl
	if len(c.args) == 2 && eq(c.args[1], "abort") {
		if r.failover.state == noFailover {
			n.replyError(c, "ERR No failover in progress.")
			return
		}
		n.abortFailover("Failover manually aborted")
		c.ok()
		return
	}
	var timeout, port int64
	var host string
	hasHost, force := false, false
	for j := 1; j < len(c.args); j++ {
		switch {
		case eq(c.args[j], "timeout") && j+1 < len(c.args) && timeout == 0:
			v, ok := parseIntStrict(c.args[j+1])
			if !ok {
				n.replyError(c, ErrNotInteger)
				return
			}
			if v <= 0 {
				n.replyError(c, "ERR FAILOVER timeout must be greater than 0")
				return
			}
			timeout = v
			j++
		case eq(c.args[j], "to") && j+2 < len(c.args) && !hasHost:
			v, ok := parseIntStrict(c.args[j+2])
			if !ok {
				n.replyError(c, ErrNotInteger)
				return
			}
			host, port, hasHost = string(c.args[j+1]), v, true
			j += 2
		case eq(c.args[j], "force") && !force:
			force = true
		default:
			n.replyError(c, ErrSyntax)
			return
		}
	}
	switch {
	case r.failover.state != noFailover:
		n.replyError(c, "ERR FAILOVER already in progress.")
		return
	case r.masterHost != "":
		n.replyError(c, "ERR FAILOVER is not valid when server is a replica.")
		return
	case r.table.Len() == 0:
		n.replyError(c, "ERR FAILOVER requires connected replicas.")
		return
	case force && (timeout == 0 || !hasHost):
		n.replyError(c, "ERR FAILOVER with force option requires both a timeout and target HOST and IP.")
		return
	}
	f := failover{state: failoverWaitForSync, force: force}
	if hasHost {
		rep := n.findReplica(host, port)
		if rep == nil {
			n.replyError(c, "ERR FAILOVER target HOST and PORT is not a replica.")
			return
		}
		if rep.State != replication.StateOnline {
			n.replyError(c, "ERR FAILOVER target replica is not online.")
			return
		}
		f.host, f.port = host, int(port)
		n.logf(LogNotice, "FAILOVER requested to %s:%d.", host, port)
	} else {
		n.logf(LogNotice, "FAILOVER requested to any replica.")
	}
	if timeout > 0 {
		f.end = n.ms + timeout
	}
	r.failover = f
	n.pauseClients(pauseDuringFailover, math.MaxInt64, pauseWrite)
	c.ok()
}

// findReplica returns the replica whose address (announced IP, else the
// peer's) and listening port are host and port.
func (n *Node) findReplica(host string, port int64) *replication.Replica {
	for _, rep := range n.repl.table.List() {
		if eqFold(rep.IP(), host) && int64(rep.ListeningPort) == port {
			return rep
		}
	}
	return nil
}

// clearFailover ends the failover state and its pause.
func (n *Node) clearFailover() {
	n.repl.failover = failover{}
	n.unpauseClients(pauseDuringFailover)
}

// abortFailover gives up a failover in progress; one already connecting to
// its target makes the node a master again.
func (n *Node) abortFailover(why string) {
	f := &n.repl.failover
	if f.state == noFailover {
		return
	}
	if f.host != "" {
		n.logf(LogNotice, "FAILOVER to %s:%d aborted: %s", f.host, f.port, why)
	} else {
		n.logf(LogNotice, "FAILOVER to any replica aborted: %s", why)
	}
	if f.state == failoverInProgress {
		n.replUnsetMaster()
	}
	n.clearFailover()
}

// updateFailoverStatus moves a failover waiting for sync forward (at the
// end of every event, as Redis's beforeSleep): timeout, then a caught-up
// replica.
func (n *Node) updateFailoverStatus() {
	r := &n.repl
	f := &r.failover
	if f.state != failoverWaitForSync {
		return
	}
	if f.end != 0 && f.end <= n.ms {
		if f.force {
			n.logf(LogNotice, "FAILOVER to %s:%d time out exceeded, failing over.", f.host, f.port)
			f.state = failoverInProgress
			n.replSetMaster(f.host, f.port)
			return
		}
		n.abortFailover("Replica never caught up before timeout")
		return
	}
	var target *replication.Replica
	if f.host != "" {
		target = n.findReplica(f.host, int64(f.port))
	} else {
		for _, rep := range r.table.List() {
			if rep.AckOffset == r.offset && rep.IP() != "" {
				target = rep
				f.host, f.port = rep.IP(), rep.ListeningPort
				break
			}
		}
	}
	if target != nil && target.AckOffset == r.offset {
		f.state = failoverInProgress
		n.logf(LogNotice, "Failover target %s:%d is synced, failing over.", f.host, f.port)
		n.replSetMaster(f.host, f.port)
	}
}

// failoverInfo is INFO's master_failover_state.
func (n *Node) failoverInfo() string { return n.repl.failover.state.String() }
