package node

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"

	"replab/keyspace"
	"replab/rdb"
	"replab/replication"
)

// The seam of full synchronisation.
//
// On a master, a replica that cannot continue from the backlog waits in
// state wait_bgsave until the node starts a snapshot for it (at once, or
// after repl-diskless-sync-delay for diskless replication). The node then
// writes "+FULLRESYNC <replid> <offset>" to each waiting replica, opens its
// stream Reader at offset+1 (the writes that follow accumulate there), and
// hands the replicas to the SnapshotTransfer with a SnapshotJob. The
// transfer sends the payload and tells the node when each replica has it
// (replicaSnapshotSent); the node then puts the replica online and its
// accumulated stream follows.
//
// On a replica, after "+FULLRESYNC" the payload is read by a
// replication.Transfer; its bytes go to the SnapshotLoader: Begin at the
// "$<len>" or "$EOF:<mark>" header, Write for every chunk, End when
// complete. The node empties the dataset itself, before Begin when loading
// from the socket (repl-diskless-load) or before End otherwise, and is
// "loading" (LOADING replies) until the loader calls End's done function;
// then it creates the master client (selecting the DB the payload's
// repl-stream-db names) and applies the stream that followed the payload.
//
// The implementations are rdbSnapshotTransfer and rdbSnapshotLoader, built
// on the persistence layer: the transfer writes a keyspace snapshot
// (startSnapshot, advanced from Tick, one snapshot at a time) to the
// replicas' sockets as it is produced (diskless), or BGSAVEs dbfilename and
// sends "$<len>" and the file (disk target); the loader writes a disk
// payload to a temporary file and renames it over dbfilename, and decodes
// the payload as it arrives when it can (see rdbSnapshotLoader), loading
// what remains after End in slices.

// SnapshotTarget is one replica a snapshot is for.
type SnapshotTarget struct {
	// ID is the replica client's id: pass it back to replicaSnapshotSent.
	ID int64
	// Conn is the replica's connection: write the payload to it with the
	// runtime's Send (or SendChunks).
	Conn ConnID
	// Name is the replica's name in Redis's log lines ("ip:port").
	Name string
	// PreSYNC is true for a replica that used SYNC (it got no +FULLRESYNC
	// line; the payload framing is the same).
	PreSYNC bool
}

// SnapshotJob describes a snapshot to produce and send.
type SnapshotJob struct {
	// Replicas are the replicas waiting for this snapshot; each already
	// received "+FULLRESYNC <ReplID> <Offset>".
	Replicas []SnapshotTarget
	// ReplID and Offset are the master's replication ID and
	// master_repl_offset at the moment of the snapshot: the payload holds
	// the dataset as of Offset, and the replicas' streams start at Offset+1.
	// RDB AUX fields repl-id and repl-offset carry them.
	ReplID string
	Offset int64
	// StreamDB is the DB the stream had selected (AUX repl-stream-db; 0
	// when none): the replica's master client starts there.
	StreamDB int
	// Diskless selects the framing and the target, as Redis decides it
	// (repl-diskless-sync, and every replica announced capa eof):
	// "$EOF:<40 random hex chars>\r\n<rdb><the same 40 chars>" streamed to
	// the sockets, else "$<len>\r\n<rdb>" from an RDB file on disk.
	Diskless bool
	// FunctionsOnly: the replicas asked REPLCONF rdb-filter-only functions
	// (the payload holds no keys).
	FunctionsOnly bool
}

// SnapshotTransfer produces full synchronisation payloads on a master.
// Its methods run inside node events, on the node's goroutine. It reports
// progress to the node through replicaSendingBulk (a disk payload starts
// being sent to a replica), replicaSnapshotSent (a replica has its whole
// payload: the node puts it online) and replicaSnapshotFailed (the snapshot
// failed: the node drops the replicas waiting for it).
type SnapshotTransfer interface {
	// Start starts a snapshot of the dataset as it is now for job. It may
	// send everything before returning (the placeholder does) or over later
	// Step calls. An error means no snapshot started (Redis: "BGSAVE for
	// replication failed"); the node then drops job's replicas.
	Start(job *SnapshotJob) error
	// Active reports whether a snapshot is in progress, and whether its
	// target is the replicas' sockets. A replica that arrives meanwhile
	// waits for the next snapshot, or joins this one (Attach) when it is a
	// disk snapshot. Phase B also reports a BGSAVE that is not for
	// replication as a disk snapshot in progress.
	Active() (active, diskless bool)
	// Attach adds replica id (its +FULLRESYNC not sent yet) to the disk
	// snapshot in progress; false when that is not possible.
	Attach(id int64) bool
	// Drop says replica id is gone: stop sending to it.
	Drop(id int64)
	// Step lets the transfer make progress; the node calls it at the end of
	// every event.
	Step()
}

// LoadHeader describes a full synchronisation payload about to be loaded.
type LoadHeader struct {
	// Size is the announced length of a "$<len>" payload, -1 for a payload
	// ended by an EOF mark.
	Size int64
	// ToParser is true when the payload is loaded as it arrives
	// (repl-diskless-load), false when it is first written to a file.
	ToParser bool
	// ReplID and Offset come from "+FULLRESYNC" (ReplID empty and Offset -1
	// after SYNC).
	ReplID string
	Offset int64
}

// LoadResult is what loading a payload produced.
type LoadResult struct {
	// StreamDB is the AUX field repl-stream-db (0 when absent): the DB the
	// master's stream has selected.
	StreamDB int
	// Keys is the number of keys loaded.
	Keys int64
}

// SnapshotLoader loads full synchronisation payloads on a replica. Its
// methods run inside node events. Chunks given to Write are only valid
// during the call.
type SnapshotLoader interface {
	// Begin starts a payload. An error fails the synchronisation (the link
	// is closed and retried).
	Begin(h LoadHeader) error
	// Write takes the next payload bytes.
	Write(p []byte) error
	// End says the payload is complete. The loader replaces the (already
	// emptied) dataset with the payload and calls done exactly once, before
	// returning or from a later Step; until then the node is loading
	// (LOADING replies) and keeps the stream that follows for later.
	End(done func(LoadResult, error))
	// Step lets the loader make progress; the node calls it at the end of
	// every event (the cron's included).
	Step()
	// Abort discards a payload whose transfer or load failed or was
	// abandoned (the link went away). Keys it had put in the node's
	// dataset (a socket load, or anything after End) are removed and the
	// node stops loading; a disk load's temporary file is removed.
	Abort()
}

// emptyRDB returns the RDB payload of an empty dataset with the AUX fields
// Redis writes for a replication snapshot.
func (n *Node) emptyRDB(job *SnapshotJob) []byte {
	var b bytes.Buffer
	opts := rdb.DefaultEncoderOptions()
	opts.Compression = n.cfgBool("rdbcompression")
	opts.Checksum = n.cfgBool("rdbchecksum")
	e := rdb.NewEncoder(&b, opts)
	aux := func(name, value string) { _ = e.WriteAux([]byte(name), []byte(value)) }
	aux("redis-ver", RedisVersion)
	aux("redis-bits", "64")
	aux("ctime", strconv.FormatInt(n.nowSec(), 10))
	aux("used-mem", strconv.FormatInt(n.processInfo().UsedMemory, 10))
	aux("repl-stream-db", strconv.Itoa(job.StreamDB))
	aux("repl-id", job.ReplID)
	aux("repl-offset", strconv.FormatInt(job.Offset, 10))
	aux("aof-base", "0")
	_ = e.Close()
	return b.Bytes()
}

// replWindow is how many bytes of a full sync payload a replica's
// connection may hold unsent before the transfer waits for it: a diskless
// snapshot pauses (Redis's parent stops reading the child's pipe while a
// replica's socket is full), a disk payload stops reading the file.
var replWindow = 1 << 20

// replSliceKeys is how many keys a slice of a diskless snapshot records
// (about a millisecond of work).
var replSliceKeys int64 = 2048

// bulkChunk is how much of the RDB file a disk transfer reads at a time.
const bulkChunk = 64 << 10

// rdbSnapshotTransfer is the SnapshotTransfer of a node: one snapshot of
// the keyspace at a time, for one or more replicas. A diskless snapshot is
// a keyspace snapshot written to the replicas' sockets as it is produced;
// a disk one is a BGSAVE to dbfilename (through the runtime's FileSystem,
// in slices, as any BGSAVE), after which each replica is sent "$<len>" and
// the file, read in chunks as its connection drains.
type rdbSnapshotTransfer struct {
	n       *Node
	job     *SnapshotJob
	snap    *snapshotJob     // diskless: the snapshot being streamed
	disk    bool             // a BGSAVE for replication is in progress
	targets []SnapshotTarget // replicas still waiting for this snapshot
	mark    string           // diskless: the EOF mark
	ring    sendRing         // diskless: the chunks lent to the targets
	live    int              // diskless: targets alive at the last send
	bulks   []*bulkSend      // disk payloads being sent
}

// bulkSend is the RDB file being sent to one replica (Redis's
// sendBulkToSlave).
type bulkSend struct {
	id   int64
	conn ConnID
	f    ReadFile
	left int64 // bytes of the file still to read; -1 after a read error
	ring sendRing
}

// sendRing lends the runtime fixed-size chunks without a copy
// (ChunkSender) and reuses each once every connection it was queued on has
// written it, so that a transfer allocates about replWindow/bulkChunk+1
// chunks, whatever its size. All the connections of a ring are sent the
// same bytes.
type sendRing struct {
	queued [][]byte // chunks lent, oldest first
	ends   []int64  // end offset of each, in the bytes lent
	free   [][]byte
	sent   int64 // bytes lent
}

// buffer returns a chunk to fill.
func (q *sendRing) buffer() []byte {
	if k := len(q.free); k > 0 {
		p := q.free[k-1]
		q.free = q.free[:k-1]
		return p
	}
	return make([]byte, bulkChunk)
}

// lent records that the first k bytes of buf were queued on the ring's
// connections.
func (q *sendRing) lent(buf []byte, k int) {
	q.sent += int64(k)
	q.queued = append(q.queued, buf)
	q.ends = append(q.ends, q.sent)
}

// reclaim takes back the chunks that are written, given the largest
// pending count of the ring's connections. A pending count covers every
// unwritten byte of its connection (including bytes queued before or after
// the ring's), so sent-pending never counts a byte as written too early.
func (q *sendRing) reclaim(maxPending int) {
	written := q.sent - int64(maxPending)
	k := 0
	for k < len(q.queued) && q.ends[k] <= written {
		q.free = append(q.free, q.queued[k])
		k++
	}
	q.queued = append(q.queued[:0], q.queued[k:]...)
	q.ends = append(q.ends[:0], q.ends[k:]...)
}

// forget gives up the chunks lent so far without reusing them: a
// connection the node dropped may still be writing them (the driver sends
// what is queued before it closes), and its pending count is gone.
func (q *sendRing) forget() {
	q.queued, q.ends = nil, nil
}

func (t *rdbSnapshotTransfer) Start(job *SnapshotJob) error {
	n := t.n
	if t.snap != nil || t.disk || n.ks.Snapshotting() || n.bgsaveInProgress() {
		return errors.New("a snapshot is already in progress")
	}
	t.job, t.targets = job, append([]SnapshotTarget(nil), job.Replicas...)
	n.repl.snapInfo = &ReplSaveInfo{StreamDB: job.StreamDB, ReplID: job.ReplID, Offset: job.Offset}
	defer func() { n.repl.snapInfo = nil }()
	if !job.Diskless {
		if err := n.startBgsave(); err != nil {
			return err
		}
		t.disk = true
		n.persist.bgsave.sliceKeys = replSliceKeys
		n.persist.bgsaveEnd = t.diskDone
		return nil
	}
	t.mark = replication.NewID(n.repl.rng)
	t.ring, t.live = sendRing{}, len(t.targets)
	t.send([]byte("$EOF:" + t.mark + "\r\n"))
	n.logf(LogNotice, "Background RDB transfer started")
	if job.FunctionsOnly {
		// No keys, and replab has no functions: the header and the end.
		t.send(n.emptyRDB(job))
		t.socketDone(nil)
		return nil
	}
	t.snap = n.startSnapshot(fanout{t}, t.socketDone)
	t.snap.hold = t.held
	t.snap.sliceKeys = replSliceKeys
	return nil
}

// send writes p to every replica still waiting, in chunks of the
// transfer's ring that every connection shares.
func (t *rdbSnapshotTransfer) send(p []byte) {
	n := t.n
	for len(p) > 0 {
		buf := t.ring.buffer()
		k := copy(buf, p)
		p = p[k:]
		maxPending, live := 0, 0
		for _, r := range t.targets {
			if c := n.repl.replicas[uint64(r.ID)]; c == nil || c.freed {
				continue
			}
			live++
			maxPending = max(maxPending, n.sendChunks(r.Conn, [][]byte{buf[:k]}))
		}
		t.ring.lent(buf, k)
		if live < t.live {
			t.ring.forget()
		}
		t.live = live
		t.ring.reclaim(maxPending)
		n.stats.NetReplOutputBytes += int64(k * live)
	}
}

// held reports whether a replica's connection holds more than replWindow
// bytes unsent: the diskless snapshot then waits. A replica that stays so
// for repl-timeout seconds is dropped by the cron ("Disconnecting timedout
// replica (full sync)"); the time it started is kept as Redis's
// repl_last_partial_write.
func (t *rdbSnapshotTransfer) held() bool {
	n := t.n
	held := false
	for _, r := range t.targets {
		c := n.repl.replicas[uint64(r.ID)]
		if c == nil {
			continue
		}
		c.pendingOut = n.rt.Send(r.Conn, nil)
		if c.pendingOut >= replWindow {
			held = true
			if c.repl.lastPartialWrite == 0 {
				c.repl.lastPartialWrite = n.nowSec()
			}
		} else {
			c.repl.lastPartialWrite = 0
		}
	}
	return held
}

// fanout is the writer of a diskless snapshot: what the encoder flushes goes
// to the sockets at once.
type fanout struct{ t *rdbSnapshotTransfer }

func (f fanout) Write(p []byte) (int, error) {
	f.t.send(p)
	return len(p), nil
}

// socketDone is called when a diskless snapshot is complete (or failed).
func (t *rdbSnapshotTransfer) socketDone(err error) {
	n := t.n
	t.snap = nil
	targets := t.targets
	n.persist.childDone = true
	if err != nil {
		t.targets = nil
		n.logf(LogWarning, "Background transfer error")
		n.replicaSnapshotFailed()
		return
	}
	t.send([]byte(t.mark))
	t.targets = nil
	n.logf(LogNotice, "Background RDB transfer terminated with success")
	for _, r := range targets {
		n.replicaSnapshotSent(r.ID, true)
	}
}

// diskDone is called when the BGSAVE for replication ended: on success
// every replica waiting for it starts receiving dbfilename (Redis's
// updateSlavesWaitingBgsave).
func (t *rdbSnapshotTransfer) diskDone(err error) {
	n := t.n
	t.disk = false
	targets := t.targets
	t.targets = nil
	if err != nil {
		n.replicaSnapshotFailed()
		return
	}
	fsys := n.rt.FS()
	for _, r := range targets {
		c := n.repl.replicas[uint64(r.ID)]
		if c == nil || c.freed || c.repl.rep == nil || c.repl.rep.State != replication.StateWaitBGSaveEnd {
			continue
		}
		size, err := fsys.Size(n.cfg.DBFilename)
		var f ReadFile
		if err == nil {
			f, err = fsys.Open(n.cfg.DBFilename)
		}
		if err != nil {
			n.closeASAP(c)
			n.logf(LogWarning, "SYNC failed. Can't open/stat DB after BGSAVE: %s", fsErrText(err))
			continue
		}
		n.replicaSendingBulk(r.ID)
		pre := []byte("$" + strconv.FormatInt(size, 10) + "\r\n")
		c.pendingOut = n.rt.Send(r.Conn, pre)
		n.stats.NetReplOutputBytes += int64(len(pre))
		t.bulks = append(t.bulks, &bulkSend{id: r.ID, conn: r.Conn, f: f, left: size})
	}
	t.Step()
}

// fsErrText renders a file error as Redis's strerror does.
func fsErrText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return connErrText(err)
}

// Active reports a snapshot in progress: this transfer's, or a BGSAVE (a
// disk snapshot no replica can join).
func (t *rdbSnapshotTransfer) Active() (bool, bool) {
	if t.snap != nil {
		return true, true
	}
	return t.disk || t.n.bgsaveInProgress() || t.n.ks.Snapshotting(), false
}

func (t *rdbSnapshotTransfer) Attach(id int64) bool {
	if !t.disk {
		return false
	}
	c := t.n.repl.replicas[uint64(id)]
	if c == nil {
		return false
	}
	t.targets = append(t.targets, SnapshotTarget{ID: id, Conn: c.conn, Name: t.n.replicaName(c), PreSYNC: c.repl.preSYNC})
	return true
}

// Drop forgets a replica; a diskless snapshot nobody waits for any more
// stops (a BGSAVE to disk goes on, as Redis's does).
func (t *rdbSnapshotTransfer) Drop(id int64) {
	for i, r := range t.targets {
		if r.ID == id {
			t.targets = append(t.targets[:i], t.targets[i+1:]...)
			break
		}
	}
	for i, b := range t.bulks {
		if b.id == id {
			b.f.Close()
			t.bulks = append(t.bulks[:i], t.bulks[i+1:]...)
			break
		}
	}
	if t.snap != nil && len(t.targets) == 0 {
		t.n.logf(LogWarning, "Diskless rdb transfer, last replica dropped, killing fork child.")
		t.n.abortSnapshot(t.snap)
		t.snap = nil
		t.n.persist.childDone = true
	}
}

// Step sends the next chunks of the disk payloads, up to replWindow bytes
// held by each replica's connection.
func (t *rdbSnapshotTransfer) Step() {
	n := t.n
	for i := 0; i < len(t.bulks); i++ {
		b := t.bulks[i]
		c := n.repl.replicas[uint64(b.id)]
		if c == nil || c.freed {
			b.f.Close()
			t.bulks = append(t.bulks[:i], t.bulks[i+1:]...)
			i--
			continue
		}
		pending := n.sendChunks(b.conn, nil)
		b.ring.reclaim(pending)
		for b.left > 0 && pending < replWindow {
			buf := b.ring.buffer()
			k, err := io.ReadFull(b.f, buf[:min(int64(len(buf)), b.left)])
			if k == 0 && err != nil {
				text := "premature EOF"
				if err != io.EOF && err != io.ErrUnexpectedEOF {
					text = fsErrText(err)
				}
				n.logf(LogWarning, "Read error sending DB to replica: %s", text)
				b.left = -1
				break
			}
			pending = n.sendChunks(b.conn, [][]byte{buf[:k]})
			b.ring.lent(buf, k)
			b.ring.reclaim(pending)
			b.left -= int64(k)
			n.stats.NetReplOutputBytes += int64(k)
		}
		c.pendingOut = pending
		if b.left > 0 {
			continue
		}
		b.f.Close()
		t.bulks = append(t.bulks[:i], t.bulks[i+1:]...)
		i--
		if b.left < 0 {
			n.closeASAP(c)
			continue
		}
		n.replicaSnapshotSent(b.id, false)
	}
}

// Sending reports whether disk payloads are being sent (the node then
// wakes every millisecond to send more as connections drain).
func (t *rdbSnapshotTransfer) Sending() bool { return len(t.bulks) > 0 }

// replLoadError is a step of loading a full sync payload that failed; its
// text is the line Redis logs.
type replLoadError string

func (e replLoadError) Error() string { return string(e) }

// rdbSnapshotLoader is the SnapshotLoader of a node. It decodes the
// payload as it arrives (an rdb.Feed), in slices, between the node's other
// events:
//
//   - Loading from the socket (repl-diskless-load swapdb or on-empty-db):
//     the node has emptied its dataset and answers LOADING; the keys go
//     straight into it, as Redis parses the payload from the socket.
//   - A disk load (disabled, the default) writes the payload to a
//     temporary file in dir ("temp-<unixtime>.<pid>.rdb"), fsyncs it and
//     renames it over dbfilename, as Redis does. When the replica's dataset
//     is empty as the payload begins, the keys are decoded meanwhile into a
//     staging keyspace that the node takes once the file is in place, so
//     that receiving and loading overlap; clients are served the (empty)
//     old dataset until then, as during any disk transfer. With data to
//     keep serving, the replica does not hold both datasets: it loads the
//     file after the transfer, as Redis does.
//
// Whatever remains to decode once the payload is complete is loaded in
// slices from Step (the node serves LOADING replies and sends its master a
// newline every second meanwhile, as Redis's loading callback does).
type rdbSnapshotLoader struct {
	n        *Node
	toParser bool

	feed   *rdb.Feed          // the payload as it arrives, when decoded meanwhile
	staged *keyspace.Keyspace // disk load: where the keys go until End

	tmp     string    // disk: the temporary file
	f       WriteFile // disk: open while receiving
	written int64
	synced  int64

	job  *loadJob
	rf   ReadFile
	done func(LoadResult, error)
}

// replSyncFsyncBytes is REPL_MAX_WRITTEN_BEFORE_FSYNC: a replica writing
// its master's payload to disk asks for writeback every 8 MB.
const replSyncFsyncBytes = 8 << 20

// loadSliceKeys is how many keys a slice of a payload load loads at most
// (a slice also ends after loadSliceBytes of the file).
var loadSliceKeys int64 = 1 << 20

func (l *rdbSnapshotLoader) Begin(h LoadHeader) error {
	n := l.n
	l.toParser = h.ToParser
	if h.ToParser {
		// The node answers LOADING already; the AUX fields arrive with the
		// payload (a disk load's are applied from End on).
		n.repl.loadedAux = loadedAux{streamDB: -1, offset: -1}
		l.startFeed().bulkLoad()
		return nil
	}
	pid := n.processInfo().PID
	l.tmp = fmt.Sprintf("temp-%d.%d.rdb", n.nowSec(), pid)
	f, err := n.rt.FS().Create(l.tmp)
	if err != nil {
		l.tmp = ""
		return replLoadError("Opening the temp file needed for MASTER <-> REPLICA synchronization: " + fsErrText(err))
	}
	l.f, l.written, l.synced = f, 0, 0
	if n.ks.Keys() == 0 {
		l.staged = keyspace.New(n.ks.Len(), n.ks.Seed())
		l.startFeed().stage(l.staged)
	} // else the file is loaded after the transfer
	return nil
}

// startFeed starts the job that decodes the payload as it arrives.
func (l *rdbSnapshotLoader) startFeed() *loadJob {
	l.feed = &rdb.Feed{}
	l.job = l.n.newQuietLoadJob(l.feed, l.n.cfg.DBFilename, false)
	l.job.sliceBytes = transferSliceBytes
	return l.job
}

func (l *rdbSnapshotLoader) Write(p []byte) error {
	if l.f != nil {
		if _, err := l.f.Write(p); err != nil {
			return replLoadError("Write error or short write writing to the DB dump file needed for MASTER <-> REPLICA synchronization: " + fsErrText(err))
		}
		l.written += int64(len(p))
		if l.written-l.synced >= replSyncFsyncBytes {
			if wb, ok := l.f.(WritebackStarter); ok {
				_ = wb.StartWriteback()
			}
			l.synced = l.written
		}
	}
	if l.feed == nil { // a disk load of a replica with data: loaded after End
		return nil
	}
	l.feed.Write(p)
	return l.decode()
}

// decode loads a slice of what has arrived; an error is the payload's.
// While the next record is incomplete a call costs little: the decoder
// waits until the bytes after the record's start have doubled.
func (l *rdbSnapshotLoader) decode() error {
	if l.job.done {
		return nil
	}
	if _, err := l.job.step(loadSliceKeys); err != nil {
		where := "disk"
		if l.toParser {
			where = "socket"
		}
		return replLoadError(fmt.Sprintf("Failed trying to load the MASTER synchronization DB from %s: %v", where, err))
	}
	return nil
}

func (l *rdbSnapshotLoader) End(done func(LoadResult, error)) {
	n := l.n
	l.done = done
	if !l.toParser {
		// Until now the AUX fields of another load (DEBUG RELOAD during
		// the transfer) may have been recorded; the payload's are told
		// from here on (unstage, or the load of the file).
		n.repl.loadedAux = loadedAux{streamDB: -1, offset: -1}
		fsys := n.rt.FS()
		f, tmp := l.f, l.tmp
		l.f, l.tmp = nil, ""
		final := n.cfg.DBFilename
		fail := func(text string) {
			fsys.Remove(tmp)
			l.finish(replLoadError(text))
		}
		if err := f.Sync(); err != nil {
			f.Close()
			fail("Failed trying to sync the temp DB to disk in MASTER <-> REPLICA synchronization: " + fsErrText(err))
			return
		}
		f.Close()
		if err := fsys.Rename(tmp, final); err != nil {
			fail(fmt.Sprintf("Failed trying to rename the temp DB into %s in MASTER <-> REPLICA synchronization: %s", final, fsErrText(err)))
			return
		}
		if err := fsys.SyncDir(final); err != nil {
			l.finish(replLoadError(fmt.Sprintf("Failed trying to sync DB directory %s in MASTER <-> REPLICA synchronization: %s", final, fsErrText(err))))
			return
		}
		if l.job == nil {
			rf, err := fsys.Open(final)
			if err != nil {
				l.finish(replLoadError("Failed trying to load the MASTER synchronization DB from disk: " + fsErrText(err)))
				return
			}
			l.rf = rf
			l.job = n.newLoadJob(rf, final, false)
		}
	}
	if l.feed != nil {
		l.feed.Close()
		l.job.sliceBytes = loadSliceBytes // the node is loading now
	}
	if l.staged != nil {
		// The node has emptied its dataset: it takes what was decoded so far.
		n.ks.TakeAll(l.staged)
		l.staged = nil
		l.job.unstage()
	}
	l.job.bulkLoad() // the node is loading now (a no-op if all is decoded)
	l.Step()
}

// finish ends a load: the node gets the result.
func (l *rdbSnapshotLoader) finish(err error) {
	n := l.n
	if l.rf != nil {
		l.rf.Close()
		l.rf = nil
	}
	if l.job != nil {
		l.job.close()
	}
	l.job, l.feed, l.staged = nil, nil, nil
	done := l.done
	l.done = nil
	res := LoadResult{Keys: n.persist.loadedKeys}
	if a := n.repl.loadedAux; a.streamDB >= 0 {
		res.StreamDB = a.streamDB
	}
	if done != nil {
		done(res, err)
	}
}

// Loading reports whether there is payload to decode now (the node then
// asks for an immediate Tick): after End, or during the transfer while
// what has arrived is not decoded yet.
func (l *rdbSnapshotLoader) Loading() bool {
	// During the transfer, new bytes are decoded by Write itself.
	return l.job != nil && (l.done != nil || !l.job.done && !l.job.needMore)
}

// Step loads the next slice of a payload: during the transfer, of what has
// arrived; after End, of the rest, then it sends the master its keepalive
// newline.
func (l *rdbSnapshotLoader) Step() {
	if l.job == nil {
		return
	}
	if l.done == nil {
		// During the transfer: what arrived beyond the last slice.
		if !l.job.needMore {
			if err := l.decode(); err != nil {
				l.n.replLoadFailed(err)
			}
		}
		return
	}
	ended, err := l.job.step(loadSliceKeys)
	if ended {
		l.finish(err)
		return
	}
	l.n.replLoadingKeepalive()
}

// Abort discards a payload whose transfer or load failed or was abandoned:
// the temporary file is removed, a staging keyspace dropped, and keys that
// went into the node's dataset (a socket load, or any load after End) are
// removed.
func (l *rdbSnapshotLoader) Abort() {
	if l.f != nil {
		l.f.Close()
		l.f = nil
	}
	if l.tmp != "" {
		l.n.rt.FS().Remove(l.tmp)
		l.tmp = ""
	}
	if l.rf != nil {
		l.rf.Close()
		l.rf = nil
	}
	if l.job != nil {
		l.job.close()
	}
	if (l.toParser && l.feed != nil) || l.done != nil {
		// Keys went into the node's dataset (a socket load, or any load
		// after End): remove the half-loaded data, as a failed load does.
		l.n.emptyData()
		l.n.loading = false
	}
	l.job, l.feed, l.staged, l.done = nil, nil, nil, nil
}
