package node

import (
	"bytes"
	"errors"
	"strconv"

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
// replicas' sockets as it is produced (diskless), or to memory and then
// "$<len>" (disk target: Redis writes dbfilename and sends the file; replab
// does not touch the disk for it); the loader collects the payload and loads
// it with loadRDB at the end (Redis's disk mode writes a temporary file,
// renames it to dbfilename and loads that; replab loads from memory).

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
	// Abort discards a payload whose transfer failed.
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

// rdbSnapshotTransfer is the SnapshotTransfer of a node: one snapshot of
// the keyspace at a time, for one or more replicas.
type rdbSnapshotTransfer struct {
	n       *Node
	job     *SnapshotJob
	snap    *snapshotJob
	targets []SnapshotTarget // replicas still waiting for this snapshot
	mark    string           // diskless: the EOF mark
	buf     bytes.Buffer     // disk target: the payload
}

func (t *rdbSnapshotTransfer) Start(job *SnapshotJob) error {
	n := t.n
	if t.snap != nil || n.ks.Snapshotting() || n.bgsaveInProgress() {
		return errors.New("a snapshot is already in progress")
	}
	t.job, t.targets = job, append([]SnapshotTarget(nil), job.Replicas...)
	var w interface{ Write([]byte) (int, error) } = &t.buf
	t.buf.Reset()
	if job.Diskless {
		t.mark = replication.NewID(n.repl.rng)
		t.send([]byte("$EOF:" + t.mark + "\r\n"))
		w = fanout{t}
		n.logf(LogNotice, "Background RDB transfer started")
	} else {
		n.logf(LogNotice, "Background saving started")
	}
	if job.FunctionsOnly {
		// No keys, and replab has no functions: the header and the end.
		_, _ = w.Write(n.emptyRDB(job))
		t.finish(nil)
		return nil
	}
	n.repl.snapInfo = &ReplSaveInfo{StreamDB: job.StreamDB, ReplID: job.ReplID, Offset: job.Offset}
	t.snap = n.startSnapshot(w, t.finish)
	n.repl.snapInfo = nil
	return nil
}

// send writes p to every replica still waiting.
func (t *rdbSnapshotTransfer) send(p []byte) {
	for _, r := range t.targets {
		t.n.rt.Send(r.Conn, p)
	}
	t.n.stats.NetReplOutputBytes += int64(len(p) * len(t.targets))
}

// fanout is the writer of a diskless snapshot: what the encoder flushes goes
// to the sockets at once.
type fanout struct{ t *rdbSnapshotTransfer }

func (f fanout) Write(p []byte) (int, error) {
	f.t.send(p)
	return len(p), nil
}

// finish is called when the snapshot is complete (or failed).
func (t *rdbSnapshotTransfer) finish(err error) {
	n := t.n
	t.snap = nil
	targets := t.targets
	t.targets = nil
	if err != nil {
		if t.job.Diskless {
			n.logf(LogWarning, "Background transfer error")
		} else {
			n.logf(LogWarning, "Background saving error")
		}
		n.replicaSnapshotFailed()
		return
	}
	if t.job.Diskless {
		t.targets = targets
		t.send([]byte(t.mark))
		t.targets = nil
		n.logf(LogNotice, "Background RDB transfer terminated with success")
	} else {
		n.logf(LogNotice, "Background saving terminated with success")
	}
	for _, r := range targets {
		if !t.job.Diskless {
			n.replicaSendingBulk(r.ID)
			b := append([]byte("$"+strconv.Itoa(t.buf.Len())+"\r\n"), t.buf.Bytes()...)
			n.rt.Send(r.Conn, b)
			n.stats.NetReplOutputBytes += int64(len(b))
		}
		n.replicaSnapshotSent(r.ID, t.job.Diskless)
	}
	t.buf.Reset()
}

// Active reports a snapshot in progress: this transfer's, or a BGSAVE (a
// disk snapshot no replica can join).
func (t *rdbSnapshotTransfer) Active() (bool, bool) {
	if t.snap != nil {
		return true, t.job.Diskless
	}
	return t.n.bgsaveInProgress() || t.n.ks.Snapshotting(), false
}

func (t *rdbSnapshotTransfer) Attach(id int64) bool {
	if t.snap == nil || t.job.Diskless {
		return false
	}
	c := t.n.repl.replicas[uint64(id)]
	if c == nil {
		return false
	}
	t.targets = append(t.targets, SnapshotTarget{ID: id, Conn: c.conn, Name: t.n.replicaName(c), PreSYNC: c.repl.preSYNC})
	return true
}

// Drop forgets a replica; a snapshot nobody waits for any more stops.
func (t *rdbSnapshotTransfer) Drop(id int64) {
	for i, r := range t.targets {
		if r.ID == id {
			t.targets = append(t.targets[:i], t.targets[i+1:]...)
			break
		}
	}
	if t.snap != nil && len(t.targets) == 0 {
		t.n.abortSnapshot(t.snap)
		t.snap = nil
		t.buf.Reset()
	}
}

func (t *rdbSnapshotTransfer) Step() {}

// rdbSnapshotLoader is the SnapshotLoader of a node: it collects the
// payload and loads it with the persistence layer's loader when complete.
type rdbSnapshotLoader struct {
	n   *Node
	buf []byte
}

func (l *rdbSnapshotLoader) Begin(LoadHeader) error { l.buf = l.buf[:0]; return nil }

func (l *rdbSnapshotLoader) Write(p []byte) error {
	l.buf = append(l.buf, p...)
	return nil
}

func (l *rdbSnapshotLoader) End(done func(LoadResult, error)) {
	n := l.n
	n.repl.loadedAux = loadedAux{streamDB: -1, offset: -1}
	err := n.loadRDB(bytes.NewReader(l.buf), n.cfg.DBFilename, false)
	n.loading = true // loadRDB ends its own loading state; ours ends with done
	l.buf = nil
	res := LoadResult{Keys: n.persist.loadedKeys}
	if a := n.repl.loadedAux; a.streamDB >= 0 {
		res.StreamDB = a.streamDB
	}
	done(res, err)
}

func (l *rdbSnapshotLoader) Abort() { l.buf = nil }
func (l *rdbSnapshotLoader) Step()  {}
