package node

import (
	"errors"
	"net"
	"strconv"
	"strings"
	"syscall"

	"replab/replication"
)

// The replica side. The link to the master starts as an outbound
// connection owned by a masterLink (handshake, then the payload of a full
// resync); once synchronised, the connection becomes the master client, a
// client flagged flagMaster that runs the stream through the command table
// and whose offset advances by the bytes of every complete command (not
// inside MULTI before EXEC). What it applied is appended to the replica's
// own buffer, so its replicas get the very same bytes and offsets.

func cmdReplicaof(n *Node, c *client) {
	r := &n.repl
	if r.failover.state != noFailover {
		n.replyError(c, "ERR REPLICAOF not allowed while failing over.")
		return
	}
	if eq(c.args[1], "no") && eq(c.args[2], "one") {
		if r.masterHost != "" {
			n.replUnsetMaster()
			n.logf(LogNotice, "MASTER MODE enabled (user request from '%s')", n.clientInfoString(c))
		}
		c.ok()
		return
	}
	if c.flags&flagReplica != 0 {
		n.replyError(c, "ERR Command is not valid when client is a replica.")
		return
	}
	port, ok := parseIntStrict(c.args[2])
	if !ok || port < 0 || port > 65535 {
		n.replyError(c, "ERR Invalid master port")
		return
	}
	host := string(c.args[1])
	if r.masterHost != "" && eqFold(r.masterHost, host) && r.masterPort == int(port) {
		n.logf(LogNotice, "REPLICAOF would result into synchronization with the master we are already connected with. No operation performed.")
		c.w.RawString("+OK Already connected to specified master\r\n")
		return
	}
	n.replSetMaster(host, int(port))
	n.logf(LogNotice, "REPLICAOF %s:%d enabled (user request from '%s')", r.masterHost, r.masterPort, n.clientInfoString(c))
	c.ok()
}

// replSetMaster makes the node a replica of host:port (Redis's
// replicationSetMaster). Its own replicas stay connected: they may continue
// partially once this node is synchronised.
func (n *Node) replSetMaster(host string, port int) {
	r := &n.repl
	wasMaster := r.masterHost == ""
	r.masterHost = ""
	if r.master != nil {
		n.freeClient(r.master)
	}
	n.disconnectAllBlockedClients()
	r.masterHost, r.masterPort = host, port
	_ = n.cfg.Set("replicaof", host, strconv.Itoa(port))
	n.replCancelHandshake(false)
	if wasMaster {
		// Our own history may continue on the new master.
		n.replDiscardCached()
		n.logf(LogNotice, "Before turning into a replica, using my own master parameters to synthesize a cached master: I may be able to synchronize with the new master with just a partial transfer.")
		n.nextID++
		r.cached = &cachedMaster{id: n.nextID, replid: r.ids.ReplID, reploff: r.offset}
	}
	r.state = linkConnect
	n.logf(LogNotice, "Connecting to MASTER %s:%d", r.masterHost, r.masterPort)
	n.replConnect()
}

// replUnsetMaster promotes the replica to master (Redis's
// replicationUnsetMaster): its history continues under a new ID, the old one
// valid as ID2 up to offset+1, and its replicas are disconnected so that
// they learn the new ID (they continue partially).
func (n *Node) replUnsetMaster() {
	r := &n.repl
	if r.masterHost == "" {
		return
	}
	r.masterHost, r.masterPort = "", 0
	_ = n.cfg.Set("replicaof", "no", "one")
	if r.master != nil {
		n.freeClient(r.master)
	}
	n.replDiscardCached()
	n.replCancelHandshake(false)
	n.logf(LogWarning, "%s", r.ids.Shift(r.offset, r.rng))
	n.disconnectReplicas()
	r.state = linkNone
	r.seldb = -1
	r.noReplicasSince = n.nowSec()
	r.downSince = 0
}

// replConnect dials the master (Redis's connectWithMaster).
func (n *Node) replConnect() {
	r := &n.repl
	l := &masterLink{n: n}
	l.id = n.dial(net.JoinHostPort(r.masterHost, strconv.Itoa(r.masterPort)), l)
	r.link = l
	r.state = linkConnecting
	r.transferLastIO = n.nowSec()
	n.logf(LogNotice, "MASTER <-> REPLICA sync started")
}

// replCloseLink closes the link of a handshake or transfer in progress.
func (n *Node) replCloseLink() {
	r := &n.repl
	l := r.link
	if l == nil {
		return
	}
	r.link = nil
	l.dead = true
	if l.begun && !l.loaded {
		r.loader.Abort()
	}
	if n.links[l.id] == l {
		delete(n.links, l.id)
		n.rt.Close(l.id)
	}
}

// replCancelHandshake aborts a connection attempt, handshake or transfer
// in progress (Redis's cancelReplicationHandshake) and, with reconnect,
// connects again at once. It reports whether there was one.
func (n *Node) replCancelHandshake(reconnect bool) bool {
	r := &n.repl
	switch r.state {
	case linkConnecting, linkHandshake, linkTransfer:
	default:
		return false
	}
	if l := r.link; l != nil && l.loadingWait {
		n.loading = false
	}
	n.replCloseLink()
	r.state = linkConnect
	if !reconnect || r.masterHost == "" {
		return true
	}
	n.logf(LogNotice, "Reconnecting to MASTER %s:%d after failure", r.masterHost, r.masterPort)
	n.replConnect()
	return true
}

// replDiscardCached forgets the cached master.
func (n *Node) replDiscardCached() {
	if n.repl.cached == nil {
		return
	}
	n.logf(LogNotice, "Discarding previously cached master state.")
	n.repl.cached = nil
}

// masterLink is the replica's connection to its master until it is
// synchronised: the handshake, then the full resync payload.
type masterLink struct {
	n    *Node
	id   ConnID
	info ConnInfo
	dead bool

	hs        *replication.Handshake
	psyncSent bool

	fullID      string // "+FULLRESYNC <fullID> <fullOffset>"
	fullOffset  int64
	tr          *replication.Transfer
	toParser    bool
	begun       bool // the loader has the header
	loadingWait bool // the payload is complete, the loader is loading
	loaded      bool
	pending     []byte // stream bytes after the payload, applied once loaded
	newlineSent int64  // unix second of the last keepalive newline
}

func (l *masterLink) active() bool { return !l.dead && l.n.repl.link == l }

func (l *masterLink) send(p []byte) {
	if len(p) > 0 {
		l.n.rt.Send(l.id, p)
	}
}

func (l *masterLink) connected(info ConnInfo) {
	n := l.n
	r := &n.repl
	if !l.active() || r.state == linkNone {
		n.rt.Close(l.id)
		delete(n.links, l.id)
		return
	}
	l.info = info
	n.logf(LogNotice, "Non blocking connect for SYNC fired the event.")
	r.state = linkHandshake
	cfg := replication.HandshakeConfig{
		ListeningPort: n.cfg.Port,
		AnnounceIP:    r.set.announceIP,
		MasterUser:    r.set.masterUser,
		MasterAuth:    r.set.masterAuth,
	}
	if r.set.announcePort != 0 {
		cfg.ListeningPort = r.set.announcePort
	}
	if r.cached != nil {
		cfg.CachedReplID, cfg.CachedOffset = r.cached.replid, r.cached.reploff
	}
	cfg.Failover = r.failover.state == failoverInProgress
	l.hs = replication.NewHandshake(cfg)
	l.send(l.hs.Start())
}

func (l *masterLink) failed(err error) {
	n := l.n
	if !l.active() {
		return
	}
	n.repl.link = nil
	l.dead = true
	n.logf(LogWarning, "Error condition on socket for SYNC: %s", connErrText(err))
	n.repl.state = linkConnect
}

// connErrText renders a connection error as Redis's strerror does.
func connErrText(err error) string {
	var errno syscall.Errno
	s := err.Error()
	if errors.As(err, &errno) {
		s = errno.Error()
	}
	if s != "" {
		s = strings.ToUpper(s[:1]) + s[1:]
	}
	return s
}

func (l *masterLink) receive(p []byte) {
	n := l.n
	if !l.active() {
		return
	}
	switch n.repl.state {
	case linkHandshake:
		l.handshake(p)
	case linkTransfer:
		l.transfer(p)
	}
}

func (l *masterLink) closed() {
	n := l.n
	if !l.active() {
		return
	}
	switch n.repl.state {
	case linkHandshake:
		if l.psyncSent {
			n.logf(LogWarning, "Master did not reply to PSYNC, will try later")
		} else {
			n.logf(LogWarning, "Master did not respond to command during SYNC handshake")
		}
		n.replCancelHandshake(false)
	case linkTransfer:
		if l.loadingWait {
			n.replCancelHandshake(false)
			return
		}
		n.logf(LogWarning, "I/O error trying to sync with MASTER: connection lost")
		n.replCancelHandshake(true)
	default:
		n.replCancelHandshake(false)
	}
}

func (l *masterLink) handshake(p []byte) {
	n := l.n
	r := &n.repl
	st, err := l.hs.Feed(p)
	for _, line := range st.Log {
		if strings.HasPrefix(line.Text, "Trying a partial resynchronization") || strings.HasPrefix(line.Text, "Partial resynchronization not possible") {
			l.psyncSent = true
		}
	}
	n.replLog(st.Log)
	l.send(st.Send)
	if err != nil {
		var he *replication.HandshakeError
		if errors.As(err, &he) && he.Failover && r.failover.state == failoverInProgress {
			n.abortFailover(he.Text)
			return
		}
		if he != nil {
			n.logf(LogWarning, "%s", he.Text)
		}
		n.replCancelHandshake(false)
		return
	}
	if !st.Done {
		return
	}
	if r.failover.state == failoverInProgress {
		// The target answered PSYNC FAILOVER (a full resync is possible in
		// edge cases): the failover is over.
		n.clearFailover()
	}
	rest := append([]byte(nil), l.hs.Rest()...)
	switch o := st.Outcome.(type) {
	case replication.Retry:
		n.replCancelHandshake(false)
	case replication.Continue:
		cm := r.cached
		if cm == nil {
			n.replCancelHandshake(false)
			return
		}
		if o.Changed {
			r.ids.FollowNewID(o.ReplID, r.offset)
			cm.replid = o.ReplID
			n.disconnectReplicas()
		}
		r.link = nil
		l.dead = true
		r.cached = nil
		c := n.replNewMasterClient(l, cm.id, cm.replid, cm.reploff, cm.db)
		if r.buf == nil {
			n.createBacklog()
		}
		if len(rest) > 0 {
			n.masterReceive(c, rest)
		}
	case replication.FullResync:
		l.hs = nil
		l.full(o, rest)
	}
}

// useDisklessLoad tells whether the payload is loaded from the socket as it
// arrives (repl-diskless-load).
func (n *Node) useDisklessLoad() bool {
	switch n.repl.set.disklessLoad {
	case "swapdb":
		return true
	case "on-empty-db":
		return n.ks.Keys() == 0
	}
	return false
}

// full starts reading the payload of a full resynchronisation.
func (l *masterLink) full(o replication.FullResync, rest []byte) {
	n := l.n
	r := &n.repl
	l.fullID, l.fullOffset = o.ReplID, o.Offset
	l.toParser = n.useDisklessLoad()
	l.tr = replication.NewTransfer(l.toParser)
	r.state = linkTransfer
	r.transferLastIO = n.nowSec()
	if len(rest) > 0 {
		l.transfer(rest)
	}
}

func (l *masterLink) transfer(p []byte) {
	n := l.n
	r := &n.repl
	r.transferLastIO = n.nowSec()
	n.stats.NetReplInputBytes += int64(len(p))
	if l.loadingWait {
		l.pending = append(l.pending, p...)
		return
	}
	st, err := l.tr.Feed(p)
	n.replLog(st.Log)
	if err != nil {
		var te *replication.TransferError
		if errors.As(err, &te) {
			n.logf(LogWarning, "%s", te.Text)
		}
		n.replCancelHandshake(true)
		return
	}
	if !l.begun && l.tr.TotalBytes() != -1 {
		l.begun = true
		if l.toParser {
			n.replStopSaving()
			n.replPrepareLoad()
		}
		size := l.tr.TotalBytes()
		if l.tr.Marked() {
			size = -1
		}
		if err := r.loader.Begin(LoadHeader{Size: size, ToParser: l.toParser, ReplID: l.fullID, Offset: l.fullOffset}); err != nil {
			n.replLoadFailed(err)
			return
		}
	}
	for _, chunk := range st.Payload {
		if err := r.loader.Write(chunk); err != nil {
			n.replLoadFailed(err)
			return
		}
	}
	if !st.Done {
		return
	}
	l.pending = append(l.pending[:0], st.Rest...)
	if !l.toParser {
		n.replStopSaving()
		n.replPrepareLoad()
	}
	l.loadingWait = true
	r.loader.End(func(res LoadResult, err error) { n.replLoaded(l, res, err) })
}

// replLoadFailed logs a failed step of receiving or loading the payload
// and restarts the synchronisation.
func (n *Node) replLoadFailed(err error) {
	var le replLoadError
	if errors.As(err, &le) {
		n.logf(LogWarning, "%s", le)
	} else {
		n.logf(LogWarning, "Failed trying to load the MASTER synchronization DB: %v", err)
	}
	n.replCancelHandshake(true)
}

// replStopSaving ends a background save before the replica loads its
// master's payload, as Redis kills its RDB child (the save would overwrite
// dbfilename with the old data, and costs memory meanwhile).
func (n *Node) replStopSaving() {
	if n.persist.bgsave == nil {
		return
	}
	if !n.repl.link.toParser {
		n.logf(LogNotice, "Replica is about to load the RDB file received from the master, but there is a pending RDB child running. Killing process %d and removing its temp file to avoid any race", n.processInfo().PID)
	}
	n.abortBgsave("replica loading")
}

// replPrepareLoad drops what the replica had before loading its master's
// dataset: the cached master, its replicas and backlog (they cannot follow
// a new history), and the data (Redis's replicationAttachToNewMaster and
// emptyData).
func (n *Node) replPrepareLoad() {
	n.replDiscardCached()
	n.disconnectReplicas()
	n.freeBacklog()
	n.logf(LogNotice, "MASTER <-> REPLICA sync: Flushing old data")
	for i := 0; i < n.ks.Len(); i++ {
		n.touchAllWatchedKeysInDB(i, -1)
		n.signalDeletedStreamsInDB(n.ks.DB(i), nil)
	}
	n.ks.FlushAll()
	n.logf(LogNotice, "MASTER <-> REPLICA sync: Loading DB in memory")
	n.loading = true
}

// replLoaded completes a full resynchronisation once the loader is done.
func (n *Node) replLoaded(l *masterLink, res LoadResult, err error) {
	r := &n.repl
	n.loading = false
	l.loaded = true
	if !l.active() {
		return
	}
	l.loadingWait = false
	if err != nil {
		var le replLoadError
		if errors.As(err, &le) {
			n.logf(LogWarning, "%s", le)
		} else {
			where := "disk"
			if l.toParser {
				where = "socket"
			}
			n.logf(LogWarning, "Failed trying to load the MASTER synchronization DB from %s: %v", where, err)
		}
		n.replCancelHandshake(true)
		if l.toParser {
			// Remove the half-loaded data.
			n.emptyData()
		}
		return
	}
	r.link = nil
	l.dead = true
	c := n.replNewMasterClient(l, 0, l.fullID, l.fullOffset, res.StreamDB)
	r.ids.FollowFullSync(l.fullID)
	r.offset = c.repl.reploff
	if r.buf == nil {
		n.createBacklog()
	}
	n.logf(LogNotice, "MASTER <-> REPLICA sync: Finished with success")
	if l.tr.Marked() {
		n.replSendAck()
	}
	if len(l.pending) > 0 {
		n.masterReceive(c, l.pending)
		l.pending = nil
	}
}

// replNewMasterClient turns the link's connection into the master client
// (Redis's replicationCreateMasterClient, or the resurrection of the cached
// master when id is its id).
func (n *Node) replNewMasterClient(l *masterLink, id int64, replid string, reploff int64, db int) *client {
	r := &n.repl
	delete(n.links, l.id)
	c := n.newClient(l.id, l.info)
	if id != 0 {
		n.nextID--
		c.id = id
	}
	c.flags |= flagMaster
	c.authed = true
	c.user = "(superuser)"
	n.configureReader(c)
	c.repl = &replClient{replid: replid, reploff: reploff, readReploff: reploff}
	if db >= 0 && db < n.ks.Len() {
		c.db = n.ks.DB(db)
	}
	n.clients[l.id] = c
	n.clientOrder = append(n.clientOrder, c)
	r.master = c
	r.state = linkConnected
	r.downSince = 0
	return c
}

// masterReceive feeds bytes from the master to the master client.
func (n *Node) masterReceive(c *client, data []byte) {
	m := c.repl
	c.lastInteraction = n.ms
	n.stats.NetReplInputBytes += int64(len(data))
	m.raw = append(m.raw, data...)
	m.readReploff += int64(len(data))
	c.netIn += int64(len(data))
	if err := c.reader.Feed(data); err != nil {
		n.freeClient(c)
		return
	}
	n.processInput(c)
}

// masterCommit advances the master client's offset past the commands it
// completed (Redis's commandProcessed: the bytes of every complete command,
// never inside MULTI) and relays those bytes to this node's own buffer.
func (n *Node) masterCommit(c *client) {
	m := c.repl
	applied := len(m.raw) - c.reader.Buffered() - c.postponedLen
	if applied <= 0 {
		return
	}
	n.replFeedRaw(m.raw[:applied])
	m.reploff += int64(applied)
	m.raw = append(m.raw[:0], m.raw[applied:]...)
}

// replMasterGone handles the loss of the master client: it is cached for a
// partial resynchronisation (unless it broke the protocol) and the replica
// reconnects at once (Redis's freeClient, replicationCacheMaster and
// replicationHandleMasterDisconnection).
func (n *Node) replMasterGone(c *client) {
	r := &n.repl
	n.logf(LogWarning, "Connection with master lost.")
	r.master = nil
	if c.flags&flagCloseAfterReply == 0 {
		n.logf(LogNotice, "Caching the disconnected master state.")
		r.cached = &cachedMaster{id: c.id, replid: c.repl.replid, reploff: c.repl.reploff, db: c.db.ID}
	}
	r.state = linkConnect
	r.downSince = n.nowSec()
	if r.masterHost != "" {
		n.logf(LogNotice, "Reconnecting to MASTER %s:%d", r.masterHost, r.masterPort)
		n.replConnect()
	}
}

// replLoadingKeepalive sends the master a newline, at most once a second,
// while the replica loads its payload (Redis's
// replicationSendNewlineToMaster): the master then knows the replica is
// alive although it sends no ACK.
func (n *Node) replLoadingKeepalive() {
	r := &n.repl
	l := r.link
	if l == nil || r.state != linkTransfer || n.nowSec() == l.newlineSent {
		return
	}
	l.newlineSent = n.nowSec()
	n.rt.Send(l.id, []byte("\n"))
}

// replSendAck sends REPLCONF ACK <offset> to the master.
func (n *Node) replSendAck() {
	m := n.repl.master
	if m == nil || m.freed {
		return
	}
	m.w.Raw(replication.AckCommand(m.repl.reploff))
	n.markPending(m)
}
