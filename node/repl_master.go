package node

import (
	"strconv"

	"replab/keyspace"
	"replab/replication"
	"replab/resp"
)

// The master side: replicas register with REPLCONF and PSYNC (or SYNC);
// a partial resynchronisation reads the backlog from the requested offset,
// a full one goes through the SnapshotTransfer; online replicas are fed
// from the shared replication Buffer at the end of every event.

// replicaName is how Redis names a replica in its log lines.
func (n *Node) replicaName(c *client) string {
	rc := replClientOf(c)
	rep := replication.Replica{ID: uint64(c.id), PeerIP: peerIP(c), ListeningPort: rc.port, AnnouncedIP: rc.ip}
	return rep.Name()
}

// cmdReplconf is REPLCONF: the replica's settings before PSYNC, its ACKs
// after, and GETACK on a replica.
func cmdReplconf(n *Node, c *client) {
	if len(c.args)%2 == 0 {
		n.replyError(c, ErrSyntax)
		return
	}
	rc := replClientOf(c)
	for j := 1; j < len(c.args); j += 2 {
		opt, val := c.args[j], c.args[j+1]
		switch {
		case eq(opt, "listening-port"):
			port, ok := parseIntStrict(val)
			if !ok {
				n.replyError(c, ErrNotInteger)
				return
			}
			rc.port = int(port)
		case eq(opt, "ip-address"):
			if len(val) >= 256 {
				n.replyErrorf(c, "ERR REPLCONF ip-address provided by replica instance is too long: %d bytes", len(val))
				return
			}
			rc.ip = string(val)
		case eq(opt, "capa"):
			rc.capa |= replication.ParseCapa(string(val))
		case eq(opt, "ack"):
			// No reply, ever.
			if c.flags&flagReplica == 0 {
				return
			}
			off, ok := parseIntStrict(val)
			if !ok {
				return
			}
			rep := n.repl.table.Ack(uint64(c.id), off, n.ms)
			if rep != nil && rc.startOnAck && rep.State == replication.StateOnline {
				rc.startOnAck = false
			}
			return
		case eq(opt, "getack"):
			if n.repl.masterHost != "" && n.repl.master != nil {
				if n.repl.master == c {
					// Sent after the command: with the offset before it.
					c.repl.ackNow = true
				} else {
					n.replSendAck()
				}
			}
			return
		case eq(opt, "rdb-only"):
			v, ok := parseIntStrict(val)
			if !ok {
				n.replyError(c, ErrNotInteger)
				return
			}
			if v < 0 || v > 1 {
				n.replyError(c, "ERR value is out of range, value must between 0 and 1")
				return
			}
			rc.rdbOnly = v == 1
		case eq(opt, "rdb-filter-only"):
			filters, ok := resp.SplitArgs(val)
			if !ok {
				n.replyError(c, "ERR Missing rdb-filter-only values")
				return
			}
			for _, f := range filters {
				if !eq(f, "functions") {
					n.replyErrorf(c, "ERR Unsupported rdb-filter-only option: %s", f)
					return
				}
			}
			rc.rdbFilter = true
		default:
			n.replyErrorf(c, "ERR Unrecognized REPLCONF option: %s", opt)
			return
		}
	}
	c.ok()
}

// cmdSync is SYNC and PSYNC (Redis's syncCommand).
func cmdSync(n *Node, c *client) {
	if c.flags&flagReplica != 0 {
		return
	}
	r := &n.repl
	psync := c.cmd.Name == "psync"
	if psync && len(c.args) > 3 && eq(c.args[3], "failover") {
		n.logf(LogWarning, "Failover request received for replid %s.", c.args[1])
		if r.masterHost == "" {
			n.replyError(c, "ERR PSYNC FAILOVER can't be sent to a master.")
			return
		}
		if !eqFold(string(c.args[1]), r.ids.ReplID) {
			n.replyError(c, "ERR PSYNC FAILOVER replid must match my replid.")
			return
		}
		n.replUnsetMaster()
		n.logf(LogNotice, "MASTER MODE enabled (failover request from '%s')", n.clientInfoString(c))
	}
	if r.failover.state != noFailover {
		n.replyError(c, "NOMASTERLINK Can't SYNC while failing over")
		return
	}
	if r.masterHost != "" && r.state != linkConnected {
		n.replyError(c, "NOMASTERLINK Can't SYNC while not connected with my master")
		return
	}
	if c.w.Len() > 0 {
		n.replyError(c, "ERR SYNC and PSYNC are invalid with pending output")
		return
	}
	rc := replClientOf(c)
	if rc.rdbFilter && rc.capa&replication.CapaEOF == 0 {
		n.replyError(c, "ERR Filtered replica requires EOF capability")
		return
	}
	name := n.replicaName(c)
	n.logf(LogNotice, "Replica %s asks for synchronization", name)
	if psync {
		off, ok := parseIntStrict(c.args[2])
		if !ok {
			n.replyError(c, ErrNotInteger)
			n.logf(LogWarning, "Replica %s asks for synchronization but with a wrong offset", name)
			return
		}
		d := replication.DecidePSYNC(r.ids, r.offset, r.buf, replication.PSYNCRequest{
			ReplID: string(c.args[1]), Offset: off, PSYNC2: rc.capa&replication.CapaPSYNC2 != 0, Replica: name})
		if d.Partial {
			rep := n.addReplica(c, replication.StateOnline)
			rep.AckTime = n.ms
			rep.Reader, _ = r.buf.NewReader(d.From)
			n.rt.Send(c.conn, []byte(d.Reply))
			n.replLog(d.Log)
			n.stats.SyncPartialOK++
			n.replRefreshGood()
			return
		}
		n.replLog(d.Log)
		if d.PartialErr {
			n.stats.SyncPartialErr++
			r.lastPartialFailure = d.Reason
		}
	} else {
		rc.preSYNC = true
	}
	n.stats.SyncFull++
	n.addReplica(c, replication.StateWaitBGSaveStart)
	if r.table.Len() == 1 && r.buf == nil {
		// A backlog created from scratch starts a new history.
		r.ids.Change(r.rng)
		r.ids.ClearID2()
		n.createBacklog()
		n.logf(LogNotice, "Replication backlog created, my new replication IDs are '%s' and '%s'", r.ids.ReplID, r.ids.ReplID2)
	}
	n.replFullSyncRequested(c)
}

func eqFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// addReplica makes c a replica in state st and adds it to the table.
func (n *Node) addReplica(c *client, st replication.ReplicaState) *replication.Replica {
	rc := replClientOf(c)
	rep := &replication.Replica{ID: uint64(c.id), PeerIP: peerIP(c), ListeningPort: rc.port,
		AnnouncedIP: rc.ip, Capa: rc.capa, State: st}
	c.flags |= flagReplica
	rc.rep = rep
	n.repl.table.Add(rep)
	n.repl.replicas[rep.ID] = c
	return rep
}

// replFullSyncRequested attaches a replica that needs a full
// resynchronisation to a snapshot: the disk snapshot in progress when
// another replica waits for it, else a new one now or, for diskless
// replication with a delay, from the cron (Redis's syncCommand, cases 1 to 3).
func (n *Node) replFullSyncRequested(c *client) {
	r := &n.repl
	rc := c.repl
	active, diskless := r.snap.Active()
	switch {
	case active && !diskless:
		for _, other := range r.table.List() {
			oc := r.replicas[other.ID]
			if oc == nil || oc == c || other.State != replication.StateWaitBGSaveEnd || (oc.repl.rdbOnly && !rc.rdbOnly) {
				continue
			}
			if rc.capa&oc.repl.capa == oc.repl.capa && rc.rdbFilter == oc.repl.rdbFilter && r.snap.Attach(c.id) {
				n.replSetupFullResync(c, oc.repl.initialOff)
				n.logf(LogNotice, "Waiting for end of BGSAVE for SYNC")
				return
			}
			break
		}
		n.logf(LogNotice, "Can't attach the replica to the current BGSAVE. Waiting for next BGSAVE for SYNC")
	case active:
		n.logf(LogNotice, "Current BGSAVE has socket target. Waiting for next BGSAVE for SYNC")
	case r.set.disklessSync && rc.capa&replication.CapaEOF != 0 && r.set.disklessDelay > 0:
		n.logf(LogNotice, "Delay next BGSAVE for diskless SYNC")
	default:
		n.replStartSnapshot(rc.capa, rc.rdbFilter)
	}
}

// replStartPendingSync starts the snapshot replicas wait for, once the
// diskless delay passed or enough replicas arrived (Redis's
// shouldStartChildReplication).
func (n *Node) replStartPendingSync() {
	r := &n.repl
	if active, _ := r.snap.Active(); active {
		return
	}
	var maxIdle, waiting int64
	var mincapa replication.Capa
	filter, first := false, true
	for _, rep := range r.table.List() {
		c := r.replicas[rep.ID]
		if c == nil || rep.State != replication.StateWaitBGSaveStart {
			continue
		}
		if first {
			filter, mincapa = c.repl.rdbFilter, c.repl.capa
		} else if c.repl.rdbFilter != filter {
			continue
		} else {
			mincapa &= c.repl.capa
		}
		first = false
		maxIdle = max(maxIdle, n.nowSec()-c.lastInteraction/1000)
		waiting++
	}
	s := r.set
	if waiting > 0 && (!s.disklessSync || (s.disklessMaxReplicas > 0 && waiting >= s.disklessMaxReplicas) || maxIdle >= s.disklessDelay) {
		n.replStartSnapshot(mincapa, filter)
	}
}

// replStartSnapshot starts a snapshot for every replica waiting for one
// (with the same filter): each gets "+FULLRESYNC <replid> <offset>" and its
// stream starts accumulating at offset+1; then the SnapshotTransfer sends
// the payload (Redis's startBgsaveForReplication).
func (n *Node) replStartSnapshot(mincapa replication.Capa, filter bool) {
	r := &n.repl
	socket := (r.set.disklessSync || filter) && mincapa&replication.CapaEOF != 0
	target := "disk"
	if socket {
		target = "replicas sockets"
	}
	n.logf(LogNotice, "Starting BGSAVE for SYNC with target: %s", target)
	// The DB the stream has selected at the snapshot's offset: a
	// replica relays its master's stream, whose DB is its master
	// client's (Redis's rdbPopulateSaveInfo).
	streamDB := max(r.seldb, 0)
	if r.masterHost != "" && r.master != nil {
		streamDB = r.master.db.ID
	}
	job := &SnapshotJob{ReplID: r.ids.ReplID, Offset: r.offset, StreamDB: streamDB, Diskless: socket, FunctionsOnly: filter}
	list := r.replicaList()
	defer r.releaseReplicaList(list)
	for _, rep := range list {
		c := r.replicas[rep.ID]
		if c == nil || rep.State != replication.StateWaitBGSaveStart || c.repl.rdbFilter != filter {
			continue
		}
		n.replSetupFullResync(c, r.offset)
		job.Replicas = append(job.Replicas, SnapshotTarget{ID: c.id, Conn: c.conn, Name: n.replicaName(c), PreSYNC: c.repl.preSYNC})
	}
	if err := r.snap.Start(job); err != nil {
		n.logf(LogWarning, "BGSAVE for replication failed")
		for _, t := range job.Replicas {
			c := r.replicas[uint64(t.ID)]
			if c == nil {
				continue
			}
			n.removeReplica(c)
			c.flags &^= flagReplica
			c.w.Error("ERR BGSAVE failed, replication can't continue")
			c.flags |= flagCloseAfterReply
			n.markPending(c)
		}
	}
}

// replSetupFullResync answers a replica's full resync at offset (Redis's
// replicationSetupSlaveForFullResync): "+FULLRESYNC <replid> <offset>"
// (not to SYNC replicas), its Reader opened at offset+1 so the stream
// accumulates during the transfer, and a SELECT forced into the stream.
func (n *Node) replSetupFullResync(c *client, offset int64) {
	r := &n.repl
	rc := c.repl
	rc.initialOff = offset
	rc.rep.State = replication.StateWaitBGSaveEnd
	r.seldb = -1
	if !rc.preSYNC {
		c.pendingOut = n.rt.Send(c.conn, []byte(replication.FullResyncReply(r.ids.ReplID, offset)))
	}
	if !rc.rdbOnly && rc.rep.Reader == nil {
		rc.rep.Reader, _ = r.buf.NewReader(offset + 1)
	}
}

// replicaSendingBulk records that the payload for replica id is being sent
// from a file (INFO state send_bulk). For SnapshotTransfer implementations.
func (n *Node) replicaSendingBulk(id int64) {
	if c := n.repl.replicas[uint64(id)]; c != nil {
		c.repl.rep.State = replication.StateSendBulk
	}
}

// replicaSnapshotSent records that the whole payload was handed to replica
// id's connection. The replica goes online: after a disk payload its stream
// follows at once; after a diskless one it starts at the replica's first
// REPLCONF ACK, as Redis does. For SnapshotTransfer implementations.
func (n *Node) replicaSnapshotSent(id int64, diskless bool) {
	c := n.repl.replicas[uint64(id)]
	if c == nil || c.freed {
		return
	}
	rc := c.repl
	name := n.replicaName(c)
	if diskless {
		n.logf(LogNotice, "Streamed RDB transfer with replica %s succeeded (socket). Waiting for REPLCONF ACK from slave to enable streaming", name)
	}
	if rc.rdbOnly {
		rc.rep.State = replication.StateRDBTransmitted
		n.logf(LogNotice, "RDB transfer completed, rdb only replica (%s) should be disconnected asap", name)
		n.closeASAP(c)
		return
	}
	rc.rep.State = replication.StateOnline
	rc.rep.AckTime = n.ms
	n.replRefreshGood()
	n.logf(LogNotice, "Synchronization with replica %s succeeded", name)
	rc.startOnAck = diskless
}

// replicaSnapshotFailed ends the full resync of every replica waiting for
// the snapshot in progress. For SnapshotTransfer implementations.
func (n *Node) replicaSnapshotFailed() {
	for _, rep := range append([]*replication.Replica(nil), n.repl.table.List()...) {
		if c := n.repl.replicas[rep.ID]; c != nil && rep.State == replication.StateWaitBGSaveEnd {
			n.closeASAP(c)
			n.logf(LogWarning, "SYNC failed. BGSAVE child returned an error")
		}
	}
}

// removeReplica takes c out of the replica table (its Reader is closed).
func (n *Node) removeReplica(c *client) {
	r := &n.repl
	id := uint64(c.id)
	if r.replicas[id] != c {
		return
	}
	r.table.Remove(id)
	delete(r.replicas, id)
	c.repl.rep = nil
	r.snap.Drop(c.id)
	if r.table.Len() == 0 {
		r.noReplicasSince = n.nowSec()
	}
	n.replRefreshGood()
}

// replFlushReplicas hands the stream bytes each online replica has not
// received yet to its connection: views of the shared buffer, not copies
// (ChunkSender), then checks its output buffer limit.
func (n *Node) replFlushReplicas() {
	r := &n.repl
	if r.table.Len() == 0 {
		return
	}
	list := r.replicaList()
	defer r.releaseReplicaList(list)
	for _, rep := range list {
		c := r.replicas[rep.ID]
		if c == nil || c.freed || c.flags&flagCloseASAP != 0 {
			continue
		}
		if rep.State == replication.StateOnline && !c.repl.startOnAck && rep.Reader != nil && rep.Reader.Pending() > 0 {
			chunks := rep.Reader.Next(0)
			total := 0
			for _, p := range chunks {
				total += len(p)
			}
			c.pendingOut = n.sendChunks(c.conn, chunks)
			rep.Reader.Advance(total)
			n.stats.NetReplOutputBytes += int64(total)
		}
		n.replCheckObuf(c, true)
	}
}

// replCheckReplicaLimits refreshes what the runtime holds for each replica
// and applies the output buffer limits (Redis's clientsCron part).
func (n *Node) replCheckReplicaLimits() {
	r := &n.repl
	list := r.replicaList()
	defer r.releaseReplicaList(list)
	for _, rep := range list {
		c := r.replicas[rep.ID]
		if c == nil || c.freed {
			continue
		}
		if c.pendingOut > 0 {
			c.pendingOut = n.rt.Send(c.conn, nil)
		}
		n.replCheckObuf(c, false)
	}
}

// replicaOutput is a replica's output buffer usage for the limits: the
// bytes its connection holds unsent plus the stream bytes not handed to it
// yet. (Redis counts whole shared blocks; replab counts bytes.)
func replicaOutput(c *client) int64 {
	used := int64(c.pendingOut)
	if rep := c.repl.rep; rep != nil && rep.Reader != nil {
		used += rep.Reader.Pending()
	}
	return used
}

// replCheckObuf applies client-output-buffer-limit replica to c: the hard
// limit (raised to repl-backlog-size when smaller, as Redis does) or the
// soft limit held for longer than its seconds closes the replica, with
// Redis's log line. async defers the close to the end of the event.
func (n *Node) replCheckObuf(c *client, async bool) bool {
	if c.flags&flagCloseASAP != 0 || c.freed {
		return false
	}
	lim := n.cfg.ClientOutputLimits[ClassReplica]
	used := replicaOutput(c)
	hardLimit := lim.Hard
	if hardLimit > 0 && hardLimit < n.repl.set.backlogSize {
		hardLimit = n.repl.set.backlogSize
	}
	hard := lim.Hard > 0 && used >= hardLimit
	soft := lim.Soft > 0 && used >= lim.Soft
	rc := c.repl
	if soft {
		now := n.nowSec()
		if rc.softSince == 0 {
			rc.softSince = now
			soft = false
		} else if now-rc.softSince <= lim.SoftSeconds {
			soft = false
		}
	} else {
		rc.softSince = 0
	}
	if !hard && !soft {
		return false
	}
	info := n.clientInfoString(c)
	n.stats.ClientObufLimitDisc++
	if async {
		n.closeASAP(c)
		n.logf(LogWarning, "Client %s scheduled to be closed ASAP for overcoming of output buffer limits.", info)
	} else {
		n.freeClient(c)
		n.logf(LogWarning, "Client %s closed for overcoming of output buffer limits.", info)
	}
	return true
}

// replRefreshGood recounts the good replicas for min-replicas-to-write
// (Redis's refreshGoodSlavesCount).
func (n *Node) replRefreshGood() {
	r := &n.repl
	if r.set.minReplicas == 0 || r.set.minMaxLag == 0 {
		return
	}
	r.goodReplicas = r.table.GoodCount(n.ms, r.set.minMaxLag)
}

// replWritesAllowed is Redis's checkGoodReplicasStatus.
func (n *Node) replWritesAllowed() bool {
	r := &n.repl
	return r.masterHost != "" || r.set.minMaxLag == 0 || r.set.minReplicas == 0 || int64(r.goodReplicas) >= r.set.minReplicas
}

// replCheckCommand rejects, in Redis's order in processCommand, writes
// without enough good replicas (NOREPLICAS) and writes to a read-only
// replica from anyone but its master (READONLY). isWrite covers the
// commands queued in a transaction for EXEC.
func (n *Node) replCheckWrite(c *client, isWrite bool) string {
	if !isWrite {
		return ""
	}
	if !n.replWritesAllowed() {
		return ErrNoReplicas
	}
	if n.repl.masterHost != "" && n.repl.set.readOnly && c.flags&flagMaster == 0 {
		return ErrReadOnly
	}
	return ""
}

// replCheckStale rejects commands without the stale flag on a replica whose
// link is down when replica-serve-stale-data is no (MASTERDOWN). For EXEC,
// one queued command without the flag is enough.
func (n *Node) replCheckStale(c *client, cmd *Command, isExec bool) string {
	r := &n.repl
	if r.masterHost == "" || r.state == linkConnected || r.set.serveStale {
		return ""
	}
	deny := cmd.Flags&CmdStale == 0
	if isExec {
		for _, q := range c.multi {
			if q.cmd.Flags&CmdStale == 0 {
				deny = true
			}
		}
	}
	if deny {
		return ErrMasterDown
	}
	return ""
}

// WAIT

func cmdWait(n *Node, c *client) {
	r := &n.repl
	if r.masterHost != "" {
		n.replyError(c, "ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.")
		return
	}
	num, ok := parseIntStrict(c.args[1])
	if !ok {
		n.replyError(c, ErrNotInteger)
		return
	}
	deadline, ok := n.parseTimeout(c, c.args[2], false)
	if !ok {
		return
	}
	count, blocked := r.table.Wait(uint64(c.id), c.woff, num, deadline, c.flags&(flagMulti|flagInExec) != 0)
	if !blocked {
		c.int(count)
		return
	}
	n.blockForKeys(c, nil, keyspace.KindNone, deadline, waitTimedOut, nil)
}

// waitTimedOut replies to a WAIT that timed out (or CLIENT UNBLOCK) with
// the number of replicas that acknowledged its offset.
func waitTimedOut(n *Node, c *client) {
	count, _ := n.repl.table.UnblockWait(uint64(c.id))
	c.int(count)
}

// ROLE

func cmdRole(n *Node, c *client) {
	r := &n.repl
	if r.masterHost == "" {
		c.w.Array(3)
		c.bulkString("master")
		c.int(r.offset)
		var online []*replication.Replica
		for _, rep := range r.table.List() {
			if rep.State == replication.StateOnline && rep.IP() != "" {
				online = append(online, rep)
			}
		}
		c.w.Array(len(online))
		for _, rep := range online {
			c.w.Array(3)
			c.bulkString(rep.IP())
			c.bulkString(strconv.Itoa(rep.ListeningPort))
			c.bulkString(strconv.FormatInt(rep.AckOffset, 10))
		}
		return
	}
	c.w.Array(5)
	c.bulkString("slave")
	c.bulkString(r.masterHost)
	c.int(int64(r.masterPort))
	state := "unknown"
	switch r.state {
	case linkNone:
		state = "none"
	case linkConnect:
		state = "connect"
	case linkConnecting:
		state = "connecting"
	case linkHandshake:
		state = "handshake"
	case linkTransfer:
		state = "sync"
	case linkConnected:
		state = "connected"
	}
	c.bulkString(state)
	if r.master != nil {
		c.int(r.master.repl.reploff)
	} else {
		c.int(-1)
	}
}

// replicaClientGone is called when any client goes away: WAIT bookkeeping,
// and the replica or master it may have been.
func (n *Node) replClientGone(c *client) {
	r := &n.repl
	if r.table.Waiting() > 0 {
		r.table.CancelWait(uint64(c.id))
	}
	if c.repl == nil {
		return
	}
	if c.flags&flagMaster != 0 && r.master == c {
		n.replMasterGone(c)
		return
	}
	if c.flags&flagReplica != 0 && r.replicas[uint64(c.id)] == c {
		n.logf(LogWarning, "Connection with replica %s lost.", n.replicaName(c))
		n.removeReplica(c)
	}
}

// disconnectReplicas closes every replica (Redis's disconnectSlaves).
func (n *Node) disconnectReplicas() {
	for _, rep := range append([]*replication.Replica(nil), n.repl.table.List()...) {
		if c := n.repl.replicas[rep.ID]; c != nil {
			n.freeClient(c)
		}
	}
}

// replCommandDone runs after each command of a master or replica client:
// the master's replies are dropped (except an ACK asked with GETACK) and
// its offset advances when no transaction is open; a replica that produced
// a reply is disconnected, as Redis does.
func (n *Node) replCommandDone(c *client, before int) {
	if c.freed {
		return
	}
	if c.flags&flagMaster != 0 && n.repl.master == c {
		out := c.w.Bytes()[before:]
		if len(out) > 0 && out[0] == '-' {
			msg := string(out[1:])
			if i := indexCRLF(msg); i >= 0 {
				msg = msg[:i]
			}
			if len(msg) > 4096 {
				msg = msg[:4096]
			}
			name := "<unknown>"
			if c.last != nil {
				name = c.last.FullName
			}
			n.logf(LogWarning, "== CRITICAL == This replica is sending an error to its master: '%s' after processing the command '%s'", msg, name)
			n.stats.UnexpectedErrors++
		}
		c.w.Truncate(before)
		m := c.repl
		if m.ackNow {
			m.ackNow = false
			c.w.Raw(replication.AckCommand(m.reploff))
		}
		if c.flags&flagMulti == 0 {
			n.masterCommit(c)
		}
		return
	}
	if c.flags&flagReplica != 0 && c.repl != nil && c.repl.rep != nil && c.w.Len() > before {
		name := "<unknown>"
		if c.last != nil {
			name = c.last.FullName
		}
		c.w.Truncate(before)
		n.logf(LogWarning, "Replica generated a reply to command '%s', disconnecting it: %s", name, n.clientInfoString(c))
		n.closeASAP(c)
	}
}

func indexCRLF(s string) int {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '\r' && s[i+1] == '\n' {
			return i
		}
	}
	return -1
}

// disconnectAllBlockedClients unblocks every blocked client with an error
// and closes it (a master turning into a replica).
func (n *Node) disconnectAllBlockedClients() {
	for _, c := range append([]*client(nil), n.blockedClients...) {
		if c.blocked != nil && c.blocked.postponed {
			// Its command runs from scratch later: it will be refused
			// then if it must.
			continue
		}
		n.markPending(c)
		n.replyError(c, "UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)")
		n.repl.table.CancelWait(uint64(c.id))
		n.unblock(c)
		c.flags |= flagCloseAfterReply
	}
}
