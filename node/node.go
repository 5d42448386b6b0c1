package node

import (
	"encoding/hex"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"replab/keyspace"
	"replab/replication"
)

// Versions reported by INFO and HELLO. Behaviour follows Redis 7.0.15, so
// clients that check the server version see that one.
const (
	RedisVersion  = "7.0.15"
	ReplabVersion = "0.1.0"
)

// Node is one replab server: the keyspace, the sessions of its clients, the
// command table and (in later layers) replication. It is a state machine
// driven by its event methods (Accept, Receive, Closed, Tick, Signal); it
// never blocks, starts goroutines, reads clocks or touches the network
// itself, but asks its Runtime. Event methods must not be called
// concurrently.
type Node struct {
	cfg *Config
	rt  Runtime
	rng *rand.Rand
	ks  *keyspace.Keyspace

	// The current time, read from the runtime once per event.
	now time.Time
	ms  int64

	clients     map[ConnID]*client
	links       map[ConnID]link // outbound connections owned by the node
	clientOrder []*client       // by id, for CLIENT LIST
	nextID      int64
	pending     []*client // clients with output to send at the end of the event
	current     *client   // the client whose command is running

	commands *commandTable

	runID     string
	startTime time.Time
	started   bool
	exited    bool
	loading   bool

	nextCron     int64 // ms
	cronLoops    int64
	activeExpire bool
	pause        pauseState // client pauses (pause.go)
	// shutdownAt is when (ms) a shutdown waiting for its replicas gives up
	// waiting, 0 when none; shutdownFlags are its flags.
	shutdownAt    int64
	shutdownFlags shutdownFlags
	expireDB      int // where the next active expiry cycle starts

	// publishHook delivers keyspace notifications (pub/sub).
	publishHook func(class int, event, key string, db int)
	pubsub      pubsubState

	dirty        int64 // changes since the last save, as Redis's server.dirty
	propagations []propagation
	propBytes    []byte   // arena of the propagated arguments' bytes
	propArgs     [][]byte // arena of the propagated argument lists
	execDepth    int
	// propagateHook receives every write in its replicated form (tests, and
	// the replication layer).
	propagateHook func(db int, args [][]byte)

	watched map[watchKey][]*client

	stats Stats

	lastSave int64 // ms of the last successful save (the start time until one)
	persist  persistState

	// INFO: sections replaced by later layers, memory marks.
	infoOverrides map[string]func(w *infoWriter) string
	peakMemory    int64
	startupMemory int64
	// replMemory reports the replication buffers' memory (replication).
	replMemory func() int64

	acl *aclState // users and permissions (acl.go)
	// Hooks of the layers built on the node (replication, persistence).
	onConfigChange func()
	onResetStats   func()
	rewriteConfig  func() error
	// onClientKilled lets the replication layer react to CLIENT KILL of
	// its special clients.
	onClientKilled func(c *client)

	// Blocking: clients blocked on keys (FIFO per key), keys that became
	// ready during the current command, clients unblocked and waiting to
	// process their pending input.
	blockingKeys   map[watchKey][]*client
	blockedClients []*client
	readyKeys      []watchKey
	unblockedQueue []*client

	// repl is the replication state (repl.go).
	repl replState

	// xaddErrnoEDOM mimics the errno Redis's XADD reads after a failed
	// append that does not set it (see cmdXAdd): EDOM stays from an earlier
	// "ID too small" failure until an accept(2) sets EAGAIN.
	xaddErrnoEDOM bool
}

// Stats are the counters INFO stats reports.
type Stats struct {
	ConnectionsReceived int64
	CommandsProcessed   int64
	RejectedConns       int64
	ExpiredKeys         int64
	ExpiredStalePerc    float64
	ExpiredTimeCapReach int64
	EvictedKeys         int64
	KeyspaceHits        int64
	KeyspaceMisses      int64
	NetInputBytes       int64
	NetOutputBytes      int64
	TotalErrorReplies   int64
	UnexpectedErrors    int64
	ErrorCounts         map[string]int64
	ClientQbufLimitDisc int64
	ClientObufLimitDisc int64
	TotalReads          int64
	BlockedClients      int
	NetReplInputBytes   int64
	NetReplOutputBytes  int64
	SyncFull            int64
	SyncPartialOK       int64
	SyncPartialErr      int64
	TotalWrites         int64
	// instantaneous metrics, sampled by the cron
	opsSamples     [16]int64
	netInSamples   [16]int64
	netOutSamples  [16]int64
	replInSamples  [16]int64
	replOutSamples [16]int64
	sampleIdx      int
	lastSampleMs   int64
	lastSampleOps  int64
	lastSampleIn   int64
	lastSampleOut  int64
}

// New creates a node with configuration cfg (which it keeps and owns) and
// runtime rt. It does not log or accept anything until Start.
func New(cfg *Config, rt Runtime) *Node {
	n := &Node{
		cfg:          cfg,
		rt:           rt,
		rng:          rt.Rand(),
		clients:      map[ConnID]*client{},
		watched:      map[watchKey][]*client{},
		blockingKeys: map[watchKey][]*client{},
		links:        map[ConnID]link{},
		activeExpire: true,
	}
	n.updateTime()
	n.startTime = n.now
	var id [20]byte
	for i := range id {
		id[i] = byte(n.rng.IntN(256))
	}
	n.runID = hex.EncodeToString(id[:])
	n.ks = keyspace.New(cfg.Databases, n.rng.Uint64())
	n.stats.ErrorCounts = map[string]int64{}
	n.commands = newCommandTable()
	n.initACL() // ACLs name commands by their original names
	n.commands.applyRenames(cfg.Renames)
	n.initPubSub()
	n.nextCron = n.ms
	n.lastSave = n.ms
	n.persist.lastBgsaveTimeSec = -1
	n.initRepl()
	return n
}

// Config returns the node's configuration. It must not be changed except
// through the node.
func (n *Node) Config() *Config { return n.cfg }

// RunID returns the node's 40-character run ID.
func (n *Node) RunID() string { return n.runID }

// Start logs the start-up lines and makes the node ready for clients. The
// driver calls it once its listeners are open.
func (n *Node) Start() {
	n.updateTime()
	n.startupMemory = n.processInfo().UsedMemory
	n.logf(LogWarning, "Server initialized")
	if !n.aclStartup() {
		n.exited = true
		n.rt.Exit(1)
		return
	}
	if !n.loadDataFromDisk() {
		n.exited = true
		n.rt.Exit(1)
		return
	}
	n.started = true
	n.logf(LogNotice, "Ready to accept connections")
}

func (n *Node) updateTime() {
	n.now = n.rt.Now()
	n.ms = n.now.UnixMilli()
}

func (n *Node) logf(level LogLevel, format string, args ...any) {
	if level < n.cfg.LogLevel {
		return
	}
	n.rt.Log(level, fmt.Sprintf(format, args...))
}

// RoleChar is the role mark Redis puts in its log lines: 'M' for a master,
// 'S' for a replica.
func (n *Node) RoleChar() byte {
	if n.cfg.ReplicaOf != "" {
		return 'S'
	}
	return 'M'
}

// isReplica reports whether the node replicates from a master.
func (n *Node) isReplica() bool { return n.cfg.ReplicaOf != "" }

// Accept registers a new connection. The node may refuse it (maximum
// clients, protected mode): it then sends the error and closes it.
func (n *Node) Accept(id ConnID, info ConnInfo) {
	if n.exited {
		n.rt.Close(id)
		return
	}
	n.updateTime()
	if len(n.clients) >= n.cfg.MaxClients {
		n.stats.RejectedConns++
		n.rt.Send(id, []byte("-"+ErrMaxClients+"\r\n"))
		n.rt.Close(id)
		return
	}
	if n.cfg.ProtectedMode && n.aclDefaultNoPass() && !info.Unix && !isLoopback(info.Remote) {
		n.stats.RejectedConns++
		n.rt.Send(id, []byte(protectedModeMsg))
		n.rt.Close(id)
		return
	}
	n.stats.ConnectionsReceived++
	n.xaddErrnoEDOM = false
	c := n.newClient(id, info)
	n.clients[id] = c
	n.clientOrder = append(n.clientOrder, c)
}

// isLoopback reports whether an "ip:port" address is on the loopback
// interface.
func isLoopback(addr string) bool {
	host := addr
	if i := strings.LastIndexByte(addr, ':'); i >= 0 {
		host = addr[:i]
	}
	host = strings.Trim(host, "[]")
	return strings.HasPrefix(host, "127.") || host == "::1" || host == "localhost"
}

// Receive hands the node bytes read from connection id. The node parses and
// runs every complete command in them, and sends the replies before
// returning.
func (n *Node) Receive(id ConnID, data []byte) {
	if h := n.links[id]; h != nil && !n.exited {
		n.updateTime()
		h.receive(data)
		n.endEvent()
		return
	}
	c := n.clients[id]
	if c == nil || n.exited {
		return
	}
	n.updateTime()
	if c == n.repl.master {
		n.masterReceive(c, data)
		n.endEvent()
		return
	}
	c.lastInteraction = n.ms
	n.stats.NetInputBytes += int64(len(data))
	n.stats.TotalReads++
	c.netIn += int64(len(data))
	if err := c.reader.Feed(data); err != nil {
		n.stats.ClientQbufLimitDisc++
		n.logf(LogWarning, "Closing client that reached max query buffer length: %s (qbuf initial bytes: %q)", n.clientInfoString(c), firstBytes(data, 64))
		n.freeClient(c)
		n.endEvent()
		return
	}
	n.processInput(c)
	n.endEvent()
}

func firstBytes(b []byte, n int) string {
	if len(b) > n {
		b = b[:n]
	}
	return string(b)
}

// Closed tells the node that the peer closed connection id or that it
// failed. Unknown or already closed connections are ignored.
func (n *Node) Closed(id ConnID) {
	if h := n.links[id]; h != nil {
		n.updateTime()
		delete(n.links, id)
		h.closed()
		n.endEvent()
		return
	}
	c := n.clients[id]
	if c == nil {
		return
	}
	n.updateTime()
	n.unlinkClient(c)
	n.endEvent()
}

// Connected tells the node that a connection it asked for with Dial is
// established.
func (n *Node) Connected(id ConnID, info ConnInfo) {
	if n.exited {
		n.rt.Close(id)
		return
	}
	n.updateTime()
	if h := n.links[id]; h != nil {
		h.connected(info)
	} else {
		n.rt.Close(id) // nobody waits for it any more
	}
	n.endEvent()
}

// ConnectFailed tells the node that a Dial failed.
func (n *Node) ConnectFailed(id ConnID, err error) {
	n.updateTime()
	if h := n.links[id]; h != nil {
		delete(n.links, id)
		h.failed(err)
	}
	n.endEvent()
}

// link is an outbound connection owned by a layer of the node (the
// replica's link to its master); Receive, Closed, Connected and
// ConnectFailed events for its ID go to it instead of to a client.
type link interface {
	connected(info ConnInfo)
	failed(err error)
	receive(p []byte)
	closed()
}

// dial opens an outbound link owned by h.
func (n *Node) dial(addr string, h link) ConnID {
	id := n.rt.Dial(addr)
	n.links[id] = h
	return id
}

// Tick lets the node run its timers: the cron (at hz) and deadlines. The
// driver calls it at NextWake or later.
func (n *Node) Tick() {
	if n.exited {
		return
	}
	n.updateTime()
	n.clientPauseCron()
	n.handleBlockedTimeouts()
	n.persistTick()
	period := int64(1000 / n.cfg.Hz)
	if n.ms >= n.nextCron {
		n.serverCron()
		n.nextCron += period
		if n.nextCron <= n.ms {
			// We fell behind (a long command): do not run the cron in a
			// burst, resume the cadence from now.
			n.nextCron = n.ms + period
		}
	}
	if len(n.readyKeys) > 0 {
		// Active expiry may have deleted keys clients block on.
		n.handleClientsBlockedOnKeys()
	}
	n.endEvent()
}

// NextWake returns when the node next needs Tick.
func (n *Node) NextWake() time.Time {
	w := n.persistWake()
	if rw := n.replWake(); !rw.IsZero() && (w.IsZero() || rw.Before(w)) {
		w = rw
	}
	if pw := n.pauseWake(); pw != 0 && (w.IsZero() || pw < w.UnixMilli()) {
		w = time.UnixMilli(pw)
	}
	if !w.IsZero() {
		if next := n.blockedDeadlineWake(time.UnixMilli(n.nextCron)); next.Before(w) {
			return next
		}
		return w
	}
	return n.blockedDeadlineWake(time.UnixMilli(n.nextCron))
}

// Exited reports whether the node has shut down.
func (n *Node) Exited() bool { return n.exited }

// Signal handles SIGTERM and SIGINT: the node shuts down as Redis does
// (shutdown-on-sigterm and shutdown-on-sigint decide about saving).
func (n *Node) Signal(name string) {
	if n.exited {
		return
	}
	n.updateTime()
	switch name {
	case "SIGINT":
		n.logf(LogWarning, "Received SIGINT scheduling shutdown...")
	default:
		n.logf(LogWarning, "Received SIGTERM scheduling shutdown...")
	}
	opt := n.cfg.ShutdownOnSigterm
	if name == "SIGINT" {
		opt = n.cfg.ShutdownOnSigint
	}
	var f shutdownFlags
	for _, w := range strings.Fields(opt) {
		switch w {
		case "save":
			f.save = true
		case "nosave":
			f.noSave = true
		case "now":
			f.now = true
		case "force":
			f.force = true
		}
	}
	if msg := n.prepareForShutdown(f); msg != "" && msg != errShutdownWaiting {
		n.logf(LogWarning, "%s received but errors trying to shut down the server, check the logs for more information", name)
	}
	n.endEvent()
}

type shutdownFlags struct {
	save, noSave, now, force bool
}

// errShutdownWaiting is what prepareForShutdown returns while it waits
// for lagging replicas (the shutdown goes on from the cron).
const errShutdownWaiting = "waiting"

// prepareForShutdown stops the node (Redis 7.0's prepareForShutdown): a
// master whose replicas have not acknowledged its whole stream first waits
// for them, up to shutdown-timeout seconds (unless NOW), with writes paused
// and a REPLCONF GETACK sent; it then returns errShutdownWaiting and the
// cron finishes the shutdown. It returns an error text when the shutdown
// is refused, "" when the node exited.
func (n *Node) prepareForShutdown(f shutdownFlags) string {
	if n.shutdownAt != 0 {
		return errShutdownWaiting
	}
	if n.loading {
		f.save, f.noSave = false, true
	}
	n.shutdownFlags = f
	n.logf(LogWarning, "User requested shutdown...")
	if timeout := n.cfgInt("shutdown-timeout"); !f.now && timeout != 0 && !n.readyToShutdown() {
		n.shutdownAt = n.ms + timeout*1000
		if !n.paused() {
			n.replFeedCommand(n.repl.seldb, getAckArgs)
		}
		n.pauseClients(pauseDuringShutdown, math.MaxInt64, pauseWrite)
		n.logf(LogNotice, "Waiting for replicas before shutting down.")
		return errShutdownWaiting
	}
	return n.finishShutdown()
}

// readyToShutdown reports whether every replica acknowledged the whole
// stream (Redis's isReadyToShutdown).
func (n *Node) readyToShutdown() bool {
	for _, rep := range n.repl.table.List() {
		if rep.AckOffset != n.repl.offset {
			return false
		}
	}
	return true
}

// shutdownCron finishes a shutdown waiting for replicas once they caught
// up or shutdown-timeout passed.
func (n *Node) shutdownCron() {
	if n.shutdownAt != 0 && (n.ms >= n.shutdownAt || n.readyToShutdown()) {
		n.finishShutdown()
	}
}

// cancelShutdown ends a shutdown that waited for replicas and failed (or
// was aborted): the SHUTDOWN clients waiting get an error, writes resume.
func (n *Node) cancelShutdown() {
	n.shutdownAt = 0
	n.shutdownFlags = shutdownFlags{}
	for _, c := range append([]*client(nil), n.blockedClients...) {
		if c.blocked != nil && c.blocked.shutdown {
			n.markPending(c)
			n.replyError(c, "ERR Errors trying to SHUTDOWN. Check logs.")
			n.unblock(c)
		}
	}
	n.unpauseClients(pauseDuringShutdown)
}

// finishShutdown is the last step of a shutdown: the lagging replicas are
// logged, the dataset saved as the flags say, and the node exits.
func (n *Node) finishShutdown() string {
	f := n.shutdownFlags
	reps := n.repl.table.List()
	lagging := 0
	for _, rep := range reps {
		if rep.AckOffset == n.repl.offset {
			continue
		}
		lagging++
		lag := int64(0)
		if rep.State == replication.StateOnline {
			lag = n.nowSec() - rep.AckTime/1000
		}
		n.logf(LogWarning, "Lagging replica %s reported offset %d behind master, lag=%d, state=%s.",
			rep.Name(), n.repl.offset-rep.AckOffset, lag, rep.State.InfoName())
	}
	if len(reps) > 0 {
		n.logf(LogNotice, "%d of %d replicas are in sync when shutting down.", len(reps)-lagging, len(reps))
	}
	if !n.shutdownSave(f) {
		n.logf(LogWarning, "Errors trying to shut down the server. Check the logs for more information.")
		n.cancelShutdown()
		return "ERR Errors trying to SHUTDOWN. Check logs."
	}
	n.logf(LogWarning, "%s is now ready to exit, bye bye...", "Redis")
	n.flushAll()
	for _, c := range n.clientOrder {
		n.rt.Close(c.conn)
	}
	n.clients = map[ConnID]*client{}
	n.clientOrder = nil
	n.exited = true
	n.rt.Exit(0)
	return ""
}

// endEvent finishes an event: it sends the output produced for every client
// and frees the clients that must be closed.
func (n *Node) endEvent() {
	n.replBeforeSleep()
	n.flushAll()
}

func (n *Node) flushAll() {
	for i := 0; i < len(n.pending); i++ {
		c := n.pending[i]
		c.queued = false
		if c.freed {
			continue
		}
		if c.flags&flagCloseASAP != 0 {
			c.w.Reset()
			n.freeClient(c)
			continue
		}
		if out := c.w.Bytes(); len(out) > 0 {
			n.stats.NetOutputBytes += int64(len(out))
			n.stats.TotalWrites++
			c.pendingOut = n.rt.Send(c.conn, out)
			if cap(out) > 64<<10 {
				c.w = *newWriterFor(c.w.Proto)
			} else {
				c.w.Reset()
			}
		}
		if c.flags&flagCloseAfterReply != 0 {
			n.freeClient(c)
		}
	}
	n.pending = n.pending[:0]
}

// serverCron is Redis's periodic task, run hz times a second.
func (n *Node) serverCron() {
	n.cronLoops++
	n.sampleStats()
	n.clientsCron()
	n.databasesCron()
	n.persistCron()
	n.replServerCron()
	n.shutdownCron()
}

func (n *Node) sampleStats() {
	s := &n.stats
	if s.lastSampleMs == 0 {
		s.lastSampleMs = n.ms
		return
	}
	elapsed := n.ms - s.lastSampleMs
	if elapsed < 100 {
		return
	}
	per := func(cur, last int64) int64 { return (cur - last) * 1000 / elapsed }
	s.opsSamples[s.sampleIdx] = per(s.CommandsProcessed, s.lastSampleOps)
	s.netInSamples[s.sampleIdx] = per(s.NetInputBytes, s.lastSampleIn)
	s.netOutSamples[s.sampleIdx] = per(s.NetOutputBytes, s.lastSampleOut)
	s.sampleIdx = (s.sampleIdx + 1) % len(s.opsSamples)
	s.lastSampleMs, s.lastSampleOps = n.ms, s.CommandsProcessed
	s.lastSampleIn, s.lastSampleOut = s.NetInputBytes, s.NetOutputBytes
}

func average(samples []int64) int64 {
	var sum int64
	for _, v := range samples {
		sum += v
	}
	return sum / int64(len(samples))
}

// clientsCron closes idle clients (timeout) and releases big idle buffers.
func (n *Node) clientsCron() {
	timeout := int64(n.cfg.Timeout) * 1000
	for _, c := range append([]*client(nil), n.clientOrder...) {
		if timeout > 0 && c.flags&(flagMaster|flagReplica|flagBlocked|flagPubSub) == 0 &&
			n.ms-c.lastInteraction > timeout {
			n.logf(LogVerbose, "Closing idle client")
			n.freeClient(c)
			continue
		}
		if n.cronOutputLimits(c) {
			continue
		}
		c.reader.Shrink()
	}
}

// databasesCron expires keys actively and keeps the hash tables sized.
func (n *Node) databasesCron() {
	if n.activeExpire && !n.isReplica() && !n.paused() {
		n.activeExpireCycle()
	}
	for i := 0; i < n.ks.Len(); i++ {
		// Redis spends up to a millisecond per database on rehashing; a
		// fixed amount of work keeps runs reproducible.
		n.ks.DB(i).Maintain(100)
	}
}
