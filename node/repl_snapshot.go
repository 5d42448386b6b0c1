package node

import (
	"bytes"
	"errors"
	"io"
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
// Phase A implements both with placeholders that transfer an EMPTY dataset
// (emptySnapshotTransfer and emptySnapshotLoader): correct for an empty
// master, and the only thing they are used for. Phase B replaces them with a
// transfer that encodes the keyspace (rdb.Encoder over a keyspace snapshot,
// to a file or to the sockets) and a loader that decodes into the keyspace.

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

// emptySnapshotTransfer is the PHASE A PLACEHOLDER SnapshotTransfer: it
// sends every replica the payload of an EMPTY dataset at once, framed as
// the job asks. It is correct only for an empty master (it logs a warning
// otherwise: those keys are not transferred). Phase B replaces it.
type emptySnapshotTransfer struct{ n *Node }

func (t *emptySnapshotTransfer) Start(job *SnapshotJob) error {
	n := t.n
	if keys := n.ks.Keys(); keys > 0 && !job.FunctionsOnly {
		n.logf(LogWarning, "Full sync placeholder (phase A): sending an empty dataset, %d keys not transferred", keys)
	}
	payload := n.emptyRDB(job)
	for _, r := range job.Replicas {
		var b []byte
		if job.Diskless {
			mark := replication.NewID(n.repl.rng)
			b = append(b, "$EOF:"+mark+"\r\n"...)
			b = append(b, payload...)
			b = append(b, mark...)
		} else {
			t.n.replicaSendingBulk(r.ID)
			b = append(b, "$"+strconv.Itoa(len(payload))+"\r\n"...)
			b = append(b, payload...)
		}
		n.rt.Send(r.Conn, b)
		n.stats.NetReplOutputBytes += int64(len(b))
		n.replicaSnapshotSent(r.ID, job.Diskless)
	}
	return nil
}

func (t *emptySnapshotTransfer) Active() (bool, bool) { return false, false }
func (t *emptySnapshotTransfer) Attach(int64) bool    { return false }
func (t *emptySnapshotTransfer) Drop(int64)           {}
func (t *emptySnapshotTransfer) Step()                {}

// emptySnapshotLoader is the PHASE A PLACEHOLDER SnapshotLoader: it
// collects the payload, checks it is a valid RDB (checksum included), reads
// repl-stream-db, and loads nothing: a payload with keys is accepted with a
// warning and its keys are dropped. Phase B replaces it.
type emptySnapshotLoader struct {
	n   *Node
	buf []byte
}

func (l *emptySnapshotLoader) Begin(LoadHeader) error { l.buf = l.buf[:0]; return nil }

func (l *emptySnapshotLoader) Write(p []byte) error {
	l.buf = append(l.buf, p...)
	return nil
}

func (l *emptySnapshotLoader) End(done func(LoadResult, error)) {
	var res LoadResult
	d := rdb.NewDecoder(bytes.NewReader(l.buf), rdb.DecoderOptions{})
	var err error
	for {
		var rec rdb.Record
		rec, err = d.Next()
		if err != nil {
			break
		}
		switch rec.Kind {
		case rdb.RecordAux:
			if string(rec.Key) == "repl-stream-db" {
				if v, perr := strconv.Atoi(string(rec.Aux)); perr == nil {
					res.StreamDB = v
				}
			}
		case rdb.RecordKey:
			res.Keys++
		}
	}
	l.buf = nil
	if !errors.Is(err, io.EOF) {
		done(LoadResult{}, err)
		return
	}
	if res.Keys > 0 {
		l.n.logf(LogWarning, "Full sync placeholder (phase A): %d keys of the master's payload not loaded", res.Keys)
		res.Keys = 0
	}
	done(res, nil)
}

func (l *emptySnapshotLoader) Abort() { l.buf = nil }
func (l *emptySnapshotLoader) Step()  {}
