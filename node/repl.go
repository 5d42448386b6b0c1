package node

import (
	"math/rand/v2"
	"net"
	"replab/resp"
	"strconv"
	"strings"
	"time"

	"replab/replication"
)

// Replication: the wiring of the replication package's state machines into
// the node. The pieces live in four files:
//
//   - repl.go (this file): the state shared by both roles, the replication
//     stream (feeding the buffer from propagated writes or from the master's
//     stream), the per-event work (WAIT, GETACK, output to replicas) and the
//     replication cron;
//   - repl_master.go: the master side (REPLCONF, PSYNC/SYNC, replicas,
//     WAIT, min-replicas, output buffer limits);
//   - repl_replica.go: the replica side (REPLICAOF, the link and its
//     handshake, the master client, caching for partial resync, promotion);
//   - repl_snapshot.go: the seam of full synchronisation (SnapshotTransfer
//     on the master, SnapshotLoader on the replica) and its implementations
//     on the persistence layer (disk and diskless, both ways);
//   - repl_failover.go: FAILOVER.
//
// Offsets follow package replication: the stream's bytes are numbered from
// 1; repl.offset is master_repl_offset, the number of the last byte the
// node produced (as a master) or applied and relayed (as a replica).
//
// Times kept in seconds (Redis's server.unixtime) are n.ms/1000.

// linkState is the replica's state towards its master (Redis's
// REPL_STATE_*), collapsed where the handshake's own state machine tracks
// the detail.
type linkState uint8

const (
	linkNone       linkState = iota // not a replica
	linkConnect                     // must connect (the cron does it)
	linkConnecting                  // dial in progress
	linkHandshake                   // PING .. PSYNC reply
	linkTransfer                    // receiving the full sync payload (or loading it)
	linkConnected                   // streaming
)

// replSettings caches the replication directives (refreshed on CONFIG SET).
type replSettings struct {
	backlogSize         int64
	backlogTTL          int64 // seconds, 0 = never free
	pingPeriod          int64 // seconds
	timeout             int64 // seconds
	minReplicas         int64
	minMaxLag           int64
	disklessSync        bool
	disklessDelay       int64
	disklessMaxReplicas int64
	disklessLoad        string
	readOnly            bool
	serveStale          bool
	announceIP          string
	announcePort        int
	masterUser          string
	masterAuth          string
	priority            int64
	announced           bool
}

// replState is the node's replication state, both roles.
type replState struct {
	set replSettings
	rng *rand.Rand // replication IDs and EOF marks (derived from n.rng's run ID)

	ids    replication.IDs
	offset int64               // master_repl_offset
	buf    *replication.Buffer // the backlog and replicas' output; nil when none
	seldb  int                 // Redis's slaveseldb: the DB the stream last selected, -1 to force a SELECT
	table  replication.Replicas
	// replicas maps a replica's client id to its client (the table holds
	// the replication figures, the client the connection).
	replicas        map[uint64]*client
	noReplicasSince int64 // unix seconds since there is no replica
	goodReplicas    int   // repl_good_slaves_count, refreshed as Redis does
	// lastPartialFailure is the reason of the last PSYNC answered with a
	// full resync (beyond Redis: INFO last_partial_resync_failure_reason).
	lastPartialFailure string
	snap               SnapshotTransfer
	loader             SnapshotLoader
	// snapInfo is what the replication snapshot being started records
	// (repl-stream-db, repl-id, repl-offset).
	snapInfo *ReplSaveInfo
	// loadedAux are the replication AUX fields of the last file or payload
	// loaded; startupDone is set once the first cron used those of the
	// file loaded at start.
	loadedAux   loadedAux
	startupDone bool

	nextCron  int64 // ms of the next replicationCron (1 Hz)
	cronLoops int64
	scratch   []byte
	listBuf   []*replication.Replica // see replicaList

	// Replica side.
	masterHost     string
	masterPort     int
	state          linkState
	link           *masterLink // the connection during connect/handshake/transfer
	master         *client     // the master client once connected
	cached         *cachedMaster
	downSince      int64 // unix seconds the link went down; 0 = never connected
	transferLastIO int64 // unix seconds

	failover failover // a FAILOVER in progress (repl_failover.go)
}

// replClient is the replication state of a client: a replica of ours (its
// REPLCONF settings and state) or our master (its offsets).
type replClient struct {
	// As a replica (master side).
	port       int
	ip         string
	capa       replication.Capa
	rdbOnly    bool
	rdbFilter  bool // rdb-filter-only: only the functions (no data)
	preSYNC    bool // synchronised with SYNC: no ACKs expected
	startOnAck bool // diskless: the stream starts at the first ACK
	initialOff int64
	softSince  int64 // unix seconds the soft output limit was first exceeded
	// lastPartialWrite is when (unix seconds) a diskless payload started
	// waiting for this replica's connection to drain, 0 when it is not
	// (Redis's repl_last_partial_write).
	lastPartialWrite int64
	rep              *replication.Replica

	// As our master (replica side).
	replid      string
	reploff     int64  // offset of the last byte applied
	readReploff int64  // offset of the last byte read
	raw         []byte // bytes read after reploff: applied ones are relayed at the next commit
	ackNow      bool   // REPLCONF GETACK ran: send an ACK with the offset before it
}

// loadedAux are the replication AUX fields of a loaded RDB (-1 and ""
// when absent).
type loadedAux struct {
	replid   string
	offset   int64
	streamDB int
}

// replLoadAux receives the AUX fields of the files the node loads.
func (n *Node) replLoadAux(name, value string) {
	a := &n.repl.loadedAux
	switch name {
	case "repl-id":
		a.replid = value
	case "repl-offset":
		if v, err := strconv.ParseInt(value, 10, 64); err == nil {
			a.offset = v
		}
	case "repl-stream-db":
		if v, err := strconv.Atoi(value); err == nil {
			a.streamDB = v
		}
	}
}

// replSaveInfo is what the RDB files the node writes record about
// replication (Redis's rdbPopulateSaveInfo): a master's stream when it has
// a backlog, a replica's master (or cached master), nothing otherwise.
func (n *Node) replSaveInfo() *ReplSaveInfo {
	r := &n.repl
	switch {
	case r.snapInfo != nil:
		return r.snapInfo
	case r.masterHost == "" && r.buf != nil:
		return &ReplSaveInfo{StreamDB: max(r.seldb, 0), ReplID: r.ids.ReplID, Offset: r.offset}
	case r.masterHost == "":
		return nil
	case r.master != nil:
		return &ReplSaveInfo{StreamDB: r.master.db.ID, ReplID: r.ids.ReplID, Offset: r.offset}
	case r.cached != nil:
		return &ReplSaveInfo{StreamDB: r.cached.db, ReplID: r.ids.ReplID, Offset: r.offset}
	}
	return nil
}

// cachedMaster is what a replica keeps of a lost master to ask for a
// partial resynchronisation (Redis's cached_master).
type cachedMaster struct {
	id      int64 // the client id, reused when the master is resurrected
	replid  string
	reploff int64
	db      int
}

// initRepl sets up replication when the node is created.
func (n *Node) initRepl() {
	r := &n.repl
	var seed uint64
	for i := 0; i+16 <= len(n.runID); i += 16 {
		v, _ := strconv.ParseUint(n.runID[i:i+16], 16, 64)
		seed ^= v
	}
	// A stream of its own, derived from the run ID, so that replication
	// does not shift the node's other random choices.
	r.rng = rand.New(rand.NewPCG(seed, 0x7265706c6162))
	r.ids = replication.NewIDs(r.rng)
	r.seldb = -1
	r.replicas = map[uint64]*client{}
	r.snap = &rdbSnapshotTransfer{n: n}
	r.loader = &rdbSnapshotLoader{n: n}
	r.loadedAux = loadedAux{streamDB: -1, offset: -1}
	n.SetReplSaveInfo(n.replSaveInfo)
	n.SetLoadAuxHook(n.replLoadAux)
	n.replReadConfig()
	r.noReplicasSince = n.ms / 1000
	r.nextCron = n.ms
	if host, port, ok := splitReplicaOf(n.cfg.ReplicaOf); ok {
		// As Redis at start: the first replication cron connects.
		r.masterHost, r.masterPort = host, port
		r.state = linkConnect
	}
	prevConfig := n.onConfigChange
	n.onConfigChange = func() {
		if prevConfig != nil {
			prevConfig()
		}
		n.replConfigChanged()
	}
	n.replMemory = func() int64 {
		if n.repl.buf == nil {
			return 0
		}
		return n.repl.buf.Memory()
	}
}

// replMemorySplit divides the replication buffer's memory between the
// backlog (mem_replication_backlog) and the replicas (mem_clients_slaves)
// as Redis does: what exceeds repl-backlog-size is the replicas' when there
// are any.
func (n *Node) replMemorySplit() (backlog, replicas int64) {
	r := &n.repl
	if r.buf == nil {
		return 0, 0
	}
	return r.buf.BacklogMemory(r.table.Len()), r.buf.ReplicasMemory(r.table.Len())
}

func splitReplicaOf(v string) (string, int, bool) {
	i := strings.LastIndexByte(v, ' ')
	if v == "" || i < 0 {
		return "", 0, false
	}
	port, err := strconv.Atoi(v[i+1:])
	if err != nil {
		return "", 0, false
	}
	return v[:i], port, true
}

func (n *Node) cfgInt(name string) int64 {
	v, _ := strconv.ParseInt(mustGet(n.cfg, name), 10, 64)
	return v
}

// replReadConfig refreshes the cached replication directives.
func (n *Node) replReadConfig() {
	s := &n.repl.set
	s.backlogSize = n.cfgInt("repl-backlog-size")
	s.backlogTTL = n.cfgInt("repl-backlog-ttl")
	s.pingPeriod = max(n.cfgInt("repl-ping-replica-period"), 1)
	s.timeout = n.cfgInt("repl-timeout")
	s.minReplicas = n.cfgInt("min-replicas-to-write")
	s.minMaxLag = n.cfgInt("min-replicas-max-lag")
	s.disklessSync = n.cfgBool("repl-diskless-sync")
	s.disklessDelay = n.cfgInt("repl-diskless-sync-delay")
	s.disklessMaxReplicas = n.cfgInt("repl-diskless-sync-max-replicas")
	s.disklessLoad = mustGet(n.cfg, "repl-diskless-load")
	s.readOnly = n.cfgBool("replica-read-only")
	s.serveStale = n.cfgBool("replica-serve-stale-data")
	s.announceIP = mustGet(n.cfg, "replica-announce-ip")
	s.announcePort = int(n.cfgInt("replica-announce-port"))
	s.masterUser = mustGet(n.cfg, "masteruser")
	s.masterAuth = mustGet(n.cfg, "masterauth")
	s.priority = n.cfgInt("replica-priority")
	s.announced = n.cfgBool("replica-announced")
}

// replConfigChanged applies CONFIG SET to replication: a backlog size below
// the minimum is raised to it (CONFIG GET then shows the effective size),
// and the backlog is resized.
func (n *Node) replConfigChanged() {
	n.replReadConfig()
	r := &n.repl
	if r.set.backlogSize < replication.MinBacklogSize {
		_ = n.cfg.Set("repl-backlog-size", strconv.Itoa(replication.MinBacklogSize))
		r.set.backlogSize = replication.MinBacklogSize
	}
	if r.buf != nil {
		r.buf.Resize(r.set.backlogSize)
	}
	n.replRefreshGood()
}

func (n *Node) nowSec() int64 { return n.ms / 1000 }

// replLog logs lines returned by package replication.
func (n *Node) replLog(lines []replication.LogLine) {
	for _, l := range lines {
		lvl := LogNotice
		switch l.Level {
		case replication.LogVerbose:
			lvl = LogVerbose
		case replication.LogWarning:
			lvl = LogWarning
		}
		n.logf(lvl, "%s", l.Text)
	}
}

// replClientOf returns c's replication state, creating it.
func replClientOf(c *client) *replClient {
	if c.repl == nil {
		c.repl = &replClient{}
	}
	return c.repl
}

// peerIP is the address part of a client's remote address.
func peerIP(c *client) string {
	if c.info.Unix {
		return c.info.Remote
	}
	host, _, err := net.SplitHostPort(c.info.Remote)
	if err != nil {
		return c.info.Remote
	}
	return host
}

// The replication stream.

// createBacklog creates the replication buffer at the current offset.
func (n *Node) createBacklog() {
	r := &n.repl
	r.buf = replication.NewBuffer(r.set.backlogSize, r.offset)
}

// freeBacklog drops the replication buffer (the replicas' Readers must be
// closed already).
func (n *Node) freeBacklog() { n.repl.buf = nil }

// replFeedCommand writes one propagated command into the stream of a
// master (Redis's replicationFeedSlaves): a SELECT first when db differs
// from the DB the stream last selected, then the command as a multibulk.
// A replica relays its master's stream instead and ignores this; a master
// with neither backlog nor replicas has no stream.
func (n *Node) replFeedCommand(db int, args [][]byte) {
	r := &n.repl
	if r.masterHost != "" || r.buf == nil || n.loading {
		return
	}
	b := r.scratch[:0]
	if r.seldb != db {
		ds := strconv.Itoa(db)
		b = append(b, "*2\r\n$6\r\nSELECT\r\n$"...)
		b = strconv.AppendInt(b, int64(len(ds)), 10)
		b = append(b, '\r', '\n')
		b = append(b, ds...)
		b = append(b, '\r', '\n')
		r.seldb = db
	}
	b = resp.EncodeCommandBytes(b, args)
	r.buf.Append(b)
	r.offset = r.buf.Offset()
	if cap(b) <= 64<<10 {
		r.scratch = b[:0]
	} else {
		r.scratch = nil
	}
}

var (
	pingArgs   = [][]byte{[]byte("PING")}
	getAckArgs = [][]byte{[]byte("REPLCONF"), []byte("GETACK"), []byte("*")}
)

// replFeedRaw appends bytes of the master's stream that the replica applied
// to its own buffer, for its replicas and its backlog (Redis's
// replicationFeedStreamFromMasterStream): sub-replicas get the very bytes,
// with the same offsets.
func (n *Node) replFeedRaw(p []byte) {
	r := &n.repl
	if r.buf == nil {
		return
	}
	r.buf.Append(p)
	r.offset = r.buf.Offset()
}

// replBeforeSleep is the replication part of Redis's beforeSleep, run at
// the end of every event: answer the WAITs the ACKs satisfied, send one
// REPLCONF GETACK for all the WAITs of this turn, hand the new stream bytes
// to the replicas' connections, let a snapshot transfer progress.
func (n *Node) replBeforeSleep() {
	r := &n.repl
	if r.table.Waiting() > 0 {
		for _, w := range r.table.ProcessWaiters() {
			if c := n.clientByID(int64(w.Client)); c != nil && c.blocked != nil {
				n.markPending(c)
				c.int(w.Replicas)
				n.unblock(c)
			}
		}
		n.resumeUnblocked()
	}
	if len(n.unblockedQueue) > 0 {
		// Postponed clients released by the end of a pause.
		n.resumeUnblocked()
	}
	if !n.paused() && r.table.TakeGetAck() {
		n.replFeedCommand(r.seldb, getAckArgs)
	}
	n.updateFailoverStatus()
	r.snap.Step()
	r.loader.Step()
	if n.persist.childDone {
		n.persist.childDone = false
		if r.table.Len() > 0 {
			n.replStartPendingSync()
		}
	}
	n.replFlushReplicas()
}

// replWake returns when the replication layer next needs a Tick (zero for
// none): at once while a payload is being loaded, every millisecond while
// a disk payload is being sent (to send more as connections drain).
func (n *Node) replWake() time.Time {
	if l, ok := n.repl.loader.(interface{ Loading() bool }); ok && l.Loading() {
		return n.now
	}
	if t, ok := n.repl.snap.(interface{ Sending() bool }); ok && t.Sending() {
		return n.now.Add(time.Millisecond)
	}
	return time.Time{}
}

// replServerCron runs at every serverCron: output limits of replicas, and
// replicationCron once a second.
func (n *Node) replServerCron() {
	n.replCheckReplicaLimits()
	if n.ms >= n.repl.nextCron {
		n.replicationCron()
		// Faster while a FAILOVER runs, as Redis does.
		period := int64(1000)
		if n.repl.failover.state != noFailover {
			period = 100
		}
		n.repl.nextCron += period
		if n.repl.nextCron <= n.ms {
			n.repl.nextCron = n.ms + period
		}
	}
}

// replicationCron is Redis's replicationCron, once a second.
func (n *Node) replicationCron() {
	r := &n.repl
	now := n.nowSec()
	if !r.startupDone {
		r.startupDone = true
		n.replRestoreFromFile()
	}
	// Replica side: timeouts, (re)connection, ACKs.
	if r.masterHost != "" {
		switch {
		case (r.state == linkConnecting || r.state == linkHandshake) && now-r.transferLastIO > r.set.timeout:
			n.logf(LogWarning, "Timeout connecting to the MASTER...")
			n.replCancelHandshake(true)
		case r.state == linkTransfer && !n.loading && now-r.transferLastIO > r.set.timeout:
			n.logf(LogWarning, "Timeout receiving bulk data from MASTER... If the problem persists try to set the 'repl-timeout' parameter in redis.conf to a larger value.")
			n.replCancelHandshake(true)
		case r.state == linkConnected && r.master != nil && now-r.master.lastInteraction/1000 > r.set.timeout:
			n.logf(LogWarning, "MASTER timeout: no data nor PING received...")
			n.freeClient(r.master)
		}
		if r.state == linkConnect {
			n.logf(LogNotice, "Connecting to MASTER %s:%d", r.masterHost, r.masterPort)
			n.replConnect()
		}
		if r.master != nil && r.master.repl.reploff >= 0 {
			n.replSendAck()
		}
	}
	// Master side: PING into the stream, newlines to replicas waiting for
	// a snapshot, timed out replicas, the backlog's time to live.
	if r.cronLoops%r.set.pingPeriod == 0 && r.table.Len() > 0 {
		// Not while a FAILOVER with a timeout pauses writes (Redis's
		// check, which ignores a FAILOVER without one).
		if !(r.failover.end != 0 && n.paused()) {
			n.replFeedCommand(r.seldb, pingArgs)
		}
	}
	_, diskless := r.snap.Active()
	for _, rep := range r.table.List() {
		if rep.State == replication.StateWaitBGSaveStart || (rep.State == replication.StateWaitBGSaveEnd && !diskless) {
			if c := r.replicas[rep.ID]; c != nil {
				c.pendingOut = n.rt.Send(c.conn, []byte("\n"))
			}
		}
	}
	for _, rep := range append([]*replication.Replica(nil), r.table.List()...) {
		c := r.replicas[rep.ID]
		if c == nil || c.freed {
			continue
		}
		switch {
		case rep.State == replication.StateOnline && !c.repl.preSYNC && now-rep.AckTime/1000 > r.set.timeout:
			n.logf(LogWarning, "Disconnecting timedout replica (streaming sync): %s", n.replicaName(c))
			n.freeClient(c)
		case rep.State == replication.StateWaitBGSaveEnd && diskless && c.repl.lastPartialWrite != 0 && now-c.repl.lastPartialWrite > r.set.timeout:
			// Only diskless transfers: a stuck replica holds up the
			// snapshot of every replica.
			n.logf(LogWarning, "Disconnecting timedout replica (full sync): %s", n.replicaName(c))
			n.freeClient(c)
		}
	}
	if r.table.Len() == 0 && r.set.backlogTTL > 0 && r.buf != nil && r.masterHost == "" {
		if now-r.noReplicasSince > r.set.backlogTTL {
			r.ids.Change(r.rng)
			r.ids.ClearID2()
			n.freeBacklog()
			n.logf(LogNotice, "Replication backlog freed after %d seconds without connected replicas.", r.set.backlogTTL)
		}
	}
	n.replStartPendingSync()
	n.replRefreshGood()
	r.cronLoops++
}

// replRestoreFromFile restores the replication ID and offset an RDB file
// loaded at start recorded (Redis's loadDataFromDisk), so that partial
// resynchronisations survive a restart: a replica makes them its own and
// synthesizes a cached master from them; a master keeps them as its
// secondary ID, valid up to offset+1, with a backlog starting there. (Run by
// the first replication cron, right after Start.)
func (n *Node) replRestoreFromFile() {
	r := &n.repl
	a := r.loadedAux
	if a.replid == "" || a.offset < 0 || a.streamDB < 0 {
		return
	}
	if r.masterHost != "" {
		if r.cached != nil {
			return
		}
		r.ids.ReplID = a.replid
		r.offset = a.offset
		n.logf(LogNotice, "Before turning into a replica, using my own master parameters to synthesize a cached master: I may be able to synchronize with the new master with just a partial transfer.")
		n.nextID++
		r.cached = &cachedMaster{id: n.nextID, replid: a.replid, reploff: a.offset, db: a.streamDB}
		return
	}
	if r.buf != nil {
		return
	}
	r.ids.ReplID2 = a.replid
	r.ids.SecondOffset = a.offset + 1
	r.offset += a.offset
	n.createBacklog()
	r.noReplicasSince = n.nowSec()
}

// replicaList returns a copy of the replica table's list, to iterate over
// while replicas may be freed (which changes the table). The copy lives in
// a scratch slice that is the caller's until it hands it back with
// releaseReplicaList; a nested call meanwhile gets a slice of its own.
func (r *replState) replicaList() []*replication.Replica {
	list := append(r.listBuf[:0], r.table.List()...)
	r.listBuf = nil
	return list
}

// releaseReplicaList hands back a slice from replicaList for reuse.
func (r *replState) releaseReplicaList(list []*replication.Replica) {
	clear(list)
	r.listBuf = list[:0]
}
