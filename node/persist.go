package node

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"time"
	"unsafe"

	"replab/keyspace"
	"replab/rdb"
)

// Persistence: RDB snapshots (SAVE, BGSAVE, save points, SHUTDOWN) and
// loading at start.
//
// A synchronous save (SAVE, SHUTDOWN, FLUSHALL with save points, DEBUG
// RELOAD) walks the keyspace and writes it in one event, stalling the node
// as Redis does. A background save cannot fork: it takes a consistent
// snapshot of the keyspace (keyspace.BeginSnapshot, which records every key
// as it was when the snapshot began, ahead of any write that would change
// it) and advances it a bounded amount of work per event-loop turn from
// Tick, while the node goes on serving clients. NextWake asks for an
// immediate Tick while a background save runs.
//
// Every save writes a temporary file, syncs it, renames it over dbfilename
// and syncs the directory: a crash at any point leaves either the old or
// the new file, never a damaged one.
//
// Commands that would need the whole keyspace recorded at once during a
// background save end it first, as Redis kills its child: FLUSHALL, DEBUG
// RELOAD and SHUTDOWN abort the background save (its temporary file is
// removed and the last save status is left as it was), then save
// synchronously when they must. FLUSHDB and SWAPDB let the snapshot record
// the affected databases first (keyspace's guards), which costs one long
// event but keeps the save.

// Work budget of one slice of a background save: the slice ends when it
// has recorded bgsaveSliceKeys keys or written bgsaveSliceBytes bytes,
// whichever comes first. Tests lower them.
var (
	bgsaveSliceKeys  int64 = 200
	bgsaveSliceBytes int64 = 128 << 10
)

// bgsaveSyncBytes is how much a background save writes between two
// requests to start writing the file back to disk, under
// rdb-save-incremental-fsync (Redis fsyncs every 4 MB in its child). The
// request does not wait (WritebackStarter); without it the final fsync of
// a big file would flush everything at once and stall clients for tens of
// milliseconds.
var bgsaveSyncBytes int64 = 1 << 20

// bgsaveRetryDelay is CONFIG_BGSAVE_RETRY_DELAY: after a failed background
// save, save points wait this long before trying again (ms).
const bgsaveRetryDelay = 5000

// ReplSaveInfo is the replication state an RDB file records in its AUX
// fields (repl-stream-db, repl-id, repl-offset).
type ReplSaveInfo struct {
	StreamDB int
	ReplID   string
	Offset   int64
}

// persistState is the node's persistence bookkeeping.
type persistState struct {
	loadNames         [][]byte // scratch of zsetSortedUnique while loading
	saves             int64    // rdb_saves
	lastBgsaveErr     bool     // rdb_last_bgsave_status is "err"
	lastBgsaveTry     int64    // ms
	lastBgsaveTimeSec int64    // rdb_last_bgsave_time_sec, -1 before any
	bgsaveScheduled   bool
	dirtyBeforeBgsave int64
	bgsave            *snapshotJob
	bgsaveFile        WriteFile
	// bgsaveEnd, when set, is told how the background save in progress
	// ended (nil: dbfilename is committed); the replication layer's disk
	// target sets it.
	bgsaveEnd func(err error)
	// childDone is set when a background save ends: the replication layer
	// then starts the full sync replicas wait for at once (Redis's
	// replicationStartPendingFork after a child exits).
	childDone bool
	// jobs are the snapshots being written (a background save's, a
	// replica's full sync), advanced from Tick.
	jobs []*snapshotJob
	// commitPoll and commitWait follow the background commit of a
	// finished background save (BackgroundRunner).
	commitPoll  func() (bool, error)
	commitWait  func() error
	loadedKeys  int64 // rdb_last_load_keys_loaded
	expiredKeys int64 // rdb_last_load_keys_expired

	// replSaveInfo, set by the replication layer, returns what a file
	// records about replication, or nil for nothing (a master outside any
	// replication chain, as Redis's rdbPopulateSaveInfo).
	replSaveInfo func() *ReplSaveInfo
	// onLoadAux, set by the replication layer, receives the AUX fields of a
	// file being loaded (repl-id, repl-offset, repl-stream-db ...).
	onLoadAux func(name, value string)
}

// SetReplSaveInfo installs the function that tells what the RDB files the
// node writes record about replication (nil for nothing).
func (n *Node) SetReplSaveInfo(f func() *ReplSaveInfo) { n.persist.replSaveInfo = f }

// SetLoadAuxHook installs a function that receives every AUX field of the
// RDB files the node loads.
func (n *Node) SetLoadAuxHook(f func(name, value string)) { n.persist.onLoadAux = f }

// countWriter counts the bytes written through it.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	k, err := c.w.Write(p)
	c.n += int64(k)
	return k, err
}

// writeRDBHeader writes the magic and the AUX fields Redis 7.0 writes.
func (n *Node) writeRDBHeader(enc *rdb.Encoder) error {
	aux := func(name, value string) {
		enc.WriteAux([]byte(name), []byte(value))
	}
	aux("redis-ver", RedisVersion)
	aux("redis-bits", "64")
	aux("ctime", strconv.FormatInt(n.ms/1000, 10))
	aux("used-mem", strconv.FormatInt(n.processInfo().UsedMemory, 10))
	if n.persist.replSaveInfo != nil {
		if ri := n.persist.replSaveInfo(); ri != nil {
			aux("repl-stream-db", strconv.Itoa(ri.StreamDB))
			aux("repl-id", ri.ReplID)
			aux("repl-offset", strconv.FormatInt(ri.Offset, 10))
		}
	}
	aux("aof-base", "0")
	return enc.Flush()
}

// keyMeta returns what a file records about a key besides its value: its
// expire time and, under an LRU or LFU maxmemory policy, its idle time or
// access frequency.
func (n *Node) keyMeta(v *keyspace.Value, expire int64) rdb.KeyMeta {
	var m rdb.KeyMeta
	if expire != 0 {
		m.Expire, m.HasExpire = expire, true
	}
	switch n.cfg.MaxMemoryPolicy {
	case "allkeys-lru", "volatile-lru":
		m.Idle, m.HasIdle = uint64(n.idleMillis(v)/1000), true
	case "allkeys-lfu", "volatile-lfu":
		m.Freq, m.HasFreq = uint8(n.lfuDecrAndReturn(v.LRU)), true
	}
	return m
}

// writeKey writes one key.
func (n *Node) writeKey(enc *rdb.Encoder, key string, v *keyspace.Value, expire int64, scratch []byte) error {
	if v.Kind() == keyspace.KindString {
		return enc.WriteStringKey(keyBytes(key), n.keyMeta(v, expire), v.Bytes(scratch))
	}
	src, err := rdbValueSource(v, scratch)
	if err != nil {
		return err
	}
	return enc.WriteKey(keyBytes(key), n.keyMeta(v, expire), src)
}

// keyBytes views a key as bytes without copying (the encoder only reads).
func keyBytes(s string) []byte {
	if s == "" {
		return []byte{}
	}
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

// writeDataset writes the whole keyspace as it is now: header, databases,
// EOF and checksum. The node does nothing else meanwhile.
func (n *Node) writeDataset(w io.Writer) error {
	enc := rdb.NewEncoder(w, n.encoderOptions())
	if err := n.writeRDBHeader(enc); err != nil {
		return err
	}
	var scratch [24]byte
	for i := 0; i < n.ks.Len(); i++ {
		db := n.ks.DB(i)
		if db.Len() == 0 {
			continue
		}
		if err := enc.SelectDB(i, uint64(db.Len()), uint64(db.ExpiresLen())); err != nil {
			return err
		}
		var err error
		db.ForEach(func(k string, v *keyspace.Value) bool {
			expire, _ := db.ExpireAt(k)
			err = n.writeKey(enc, k, v, expire, scratch[:0])
			return err == nil
		})
		if err != nil {
			return err
		}
	}
	return enc.Close()
}

// tempSaveFile and tempBgsaveFile are the temporary files of synchronous
// and background saves, in dir.
const (
	tempSaveFile   = "temp-replab-save.rdb"
	tempBgsaveFile = "temp-replab-bgsave.rdb"
)

// commitFile makes a fully written temporary file the new dump: sync,
// close, rename over dbfilename, sync the directory. On failure the
// temporary file is removed and the old dump is left as it was.
func (n *Node) commitFile(f WriteFile, tmp string) (op string, err error) {
	return commitFileIn(n.rt.FS(), f, tmp, n.cfg.DBFilename)
}

// commitFileIn is commitFile on fsys, to final. It touches nothing but the
// files (it may run in the background).
func commitFileIn(fsys FileSystem, f WriteFile, tmp, final string) (op string, err error) {
	if err := f.Sync(); err != nil {
		f.Close()
		fsys.Remove(tmp)
		return "fsync", err
	}
	if err := f.Close(); err != nil {
		fsys.Remove(tmp)
		return "fclose", err
	}
	if err := fsys.Rename(tmp, final); err != nil {
		fsys.Remove(tmp)
		return "rename", err
	}
	if err := fsys.SyncDir(final); err != nil {
		return "fsyncFileDir", err
	}
	return "", nil
}

// saveSync is Redis's rdbSave: it writes the dataset to dbfilename and, on
// success, resets the change counter and the last save time.
func (n *Node) saveSync() error {
	fsys := n.rt.FS()
	f, err := fsys.Create(tempSaveFile)
	if err != nil {
		n.logf(LogWarning, "Failed opening the temp RDB file %s (in server root dir %s) for saving: %v", tempSaveFile, n.cfg.Dir, err)
		return err
	}
	if err := n.writeDataset(f); err != nil {
		f.Close()
		fsys.Remove(tempSaveFile)
		n.logf(LogWarning, "Write error saving DB on disk(rdbSaveRio): %v", err)
		return err
	}
	if op, err := n.commitFile(f, tempSaveFile); err != nil {
		n.logf(LogWarning, "Write error saving DB on disk(%s): %v", op, err)
		return err
	}
	n.logf(LogNotice, "DB saved on disk")
	n.dirty = 0
	n.lastSave = n.ms
	n.persist.lastBgsaveErr = false
	return nil
}

// snapshotJob writes a consistent snapshot of the keyspace to a writer in
// slices, while the node serves clients: a background save, or (for the
// replication layer) a full sync payload.
type snapshotJob struct {
	enc     *rdb.Encoder
	out     *countWriter
	snap    *keyspace.Snapshot
	hints   [][2]uint64 // keys and expires per database when it began
	curDB   int
	err     error
	start   int64 // ms
	scratch [24]byte
	done    func(err error)
	// writeback, when set, is asked to start writing back every
	// bgsaveSyncBytes (incremental fsync); synced is the output size at
	// the last request.
	writeback WritebackStarter
	synced    int64
	// hold, when set, is asked before each slice: true skips the slice (a
	// diskless transfer waits for its slowest replica, as Redis's parent
	// stops reading the child's pipe).
	hold func() bool
	// sliceKeys, when set, replaces bgsaveSliceKeys (a full sync payload
	// favours throughput: its slices still take about a millisecond).
	sliceKeys int64
}

// startSnapshot begins writing a snapshot of the keyspace to w: the header
// and AUX fields now, the keys as Tick advances it. done is called once,
// from an event of the node, when the file is complete (after the EOF
// opcode and checksum; w is not closed) or has failed. Only one snapshot
// may run at a time (see keyspace.BeginSnapshot).
func (n *Node) startSnapshot(w io.Writer, done func(err error)) *snapshotJob {
	j := &snapshotJob{out: &countWriter{w: w}, curDB: -1, start: n.ms, done: done}
	j.enc = rdb.NewEncoder(j.out, n.encoderOptions())
	j.err = n.writeRDBHeader(j.enc)
	j.hints = make([][2]uint64, n.ks.Len())
	for i := range j.hints {
		db := n.ks.DB(i)
		j.hints[i] = [2]uint64{uint64(db.Len()), uint64(db.ExpiresLen())}
	}
	j.snap = n.ks.BeginSnapshot(func(db int, key string, v *keyspace.Value, expire int64) {
		if j.err != nil {
			return
		}
		if db != j.curDB {
			// Records of several databases interleave: select on every
			// change (Redis's loader accepts repeated SELECTDBs).
			if j.err = j.enc.SelectDB(db, j.hints[db][0], j.hints[db][1]); j.err != nil {
				return
			}
			j.curDB = db
		}
		j.err = n.writeKey(j.enc, key, v, expire, j.scratch[:0])
	})
	n.persist.jobs = append(n.persist.jobs, j)
	return j
}

// abortSnapshot ends a snapshot job early; its done is not called and its
// writer is left to the caller.
func (n *Node) abortSnapshot(j *snapshotJob) {
	j.abort()
	n.dropJob(j)
}

func (n *Node) dropJob(j *snapshotJob) {
	for i, o := range n.persist.jobs {
		if o == j {
			n.persist.jobs = append(n.persist.jobs[:i], n.persist.jobs[i+1:]...)
			return
		}
	}
}

// step advances the snapshot by one slice and reports whether the job has
// finished (done has then been called).
func (j *snapshotJob) step() bool {
	startKeys, startBytes := j.snap.Recorded, j.out.n
	keys := bgsaveSliceKeys
	if j.sliceKeys > 0 {
		keys = j.sliceKeys
	}
	for j.err == nil && !j.snap.Done() &&
		j.snap.Recorded-startKeys < keys && j.out.n-startBytes < bgsaveSliceBytes {
		j.snap.Next(64)
	}
	if j.writeback != nil && j.err == nil && j.out.n-j.synced >= bgsaveSyncBytes {
		j.err = j.writeback.StartWriteback()
		j.synced = j.out.n
	}
	if j.err == nil && !j.snap.Done() {
		return false
	}
	if j.err != nil {
		j.snap.Abort()
	} else {
		j.err = j.enc.Close()
	}
	j.done(j.err)
	return true
}

// abort ends the job early; done is not called.
func (j *snapshotJob) abort() { j.snap.Abort() }

// bgsaveInProgress reports whether a background save runs.
func (n *Node) bgsaveInProgress() bool { return n.persist.bgsave != nil }

// startBgsave is rdbSaveBackground. It returns an error when the snapshot
// file cannot be created or another snapshot is in progress.
func (n *Node) startBgsave() error {
	if n.persist.bgsave != nil || n.ks.Snapshotting() {
		return errors.New("a snapshot is already in progress")
	}
	n.persist.saves++
	n.persist.dirtyBeforeBgsave = n.dirty
	n.persist.lastBgsaveTry = n.ms
	f, err := n.rt.FS().Create(tempBgsaveFile)
	if err != nil {
		n.persist.lastBgsaveErr = true
		n.logf(LogWarning, "Failed opening the temp RDB file %s (in server root dir %s) for saving: %v", tempBgsaveFile, n.cfg.Dir, err)
		return err
	}
	n.persist.bgsaveFile = f
	n.persist.bgsave = n.startSnapshot(f, func(err error) { n.bgsaveDone(err) })
	if wb, ok := f.(WritebackStarter); ok && n.cfgBool("rdb-save-incremental-fsync") {
		n.persist.bgsave.writeback = wb
	}
	n.logf(LogNotice, "Background saving started")
	return nil
}

// bgsaveDone is called when the snapshot has been written (or failed). It
// commits the file (sync, close, rename, sync the directory): in the
// background when the file system can (BackgroundRunner), since an fsync
// of a big file takes tens of milliseconds, else at once.
func (n *Node) bgsaveDone(err error) {
	f := n.persist.bgsaveFile
	if err != nil {
		f.Close()
		n.rt.FS().Remove(tempBgsaveFile)
		n.logf(LogWarning, "Write error saving DB on disk(rdbSaveRio): %v", err)
		n.bgsaveFinished(err)
		return
	}
	fsys := n.rt.FS()
	if br, ok := fsys.(BackgroundRunner); ok {
		final := n.cfg.DBFilename
		if o, ok := fsys.(osFS); ok {
			// The background work must not read the configuration: the
			// directory is fixed now (Redis's child keeps the directory it
			// was forked in).
			dir := o.dir()
			fsys = osFS{dir: func() string { return dir }}
		}
		n.persist.commitPoll, n.persist.commitWait = br.RunBackground(func() error {
			if _, err := commitFileIn(fsys, f, tempBgsaveFile, final); err != nil {
				return err
			}
			return nil
		})
		return
	}
	if op, err := n.commitFile(f, tempBgsaveFile); err != nil {
		n.logf(LogWarning, "Write error saving DB on disk(%s): %v", op, err)
		n.bgsaveFinished(err)
		return
	}
	n.bgsaveFinished(nil)
}

// bgsaveFinished records the outcome of a background save whose file is
// committed (or abandoned).
func (n *Node) bgsaveFinished(err error) {
	j := n.persist.bgsave
	n.persist.bgsave, n.persist.bgsaveFile = nil, nil
	n.persist.commitPoll, n.persist.commitWait = nil, nil
	n.persist.lastBgsaveTimeSec = (n.ms - j.start) / 1000
	n.persist.childDone = true
	end := n.persist.bgsaveEnd
	n.persist.bgsaveEnd = nil
	if err != nil {
		n.logf(LogWarning, "Background saving error")
		n.persist.lastBgsaveErr = true
		if end != nil {
			end(err)
		}
		return
	}
	n.logf(LogNotice, "DB saved on disk")
	n.logf(LogNotice, "Background saving terminated with success")
	n.dirty -= n.persist.dirtyBeforeBgsave
	n.lastSave = n.ms
	n.persist.lastBgsaveErr = false
	if end != nil {
		end(nil)
	}
}

// abortBgsave stops a background save in progress (killRDBChild): its
// temporary file is removed; the last save status does not change. A save
// already committing its file in the background is waited for instead.
func (n *Node) abortBgsave(why string) {
	j := n.persist.bgsave
	if j == nil {
		return
	}
	if n.persist.commitWait != nil {
		err := n.persist.commitWait()
		if err != nil {
			n.logf(LogWarning, "Write error saving DB on disk: %v", err)
		}
		n.bgsaveFinished(err)
		return
	}
	n.logf(LogWarning, "Background saving aborted (%s)", why)
	n.abortSnapshot(j)
	n.persist.bgsaveFile.Close()
	n.rt.FS().Remove(tempBgsaveFile)
	n.persist.bgsave, n.persist.bgsaveFile = nil, nil
	n.persist.lastBgsaveTimeSec = (n.ms - j.start) / 1000
	n.persist.childDone = true
	if end := n.persist.bgsaveEnd; end != nil {
		n.persist.bgsaveEnd = nil
		end(errBgsaveAborted)
	}
}

// errBgsaveAborted ends a background save stopped before its end.
var errBgsaveAborted = errors.New("background save aborted")

// persistTick advances the snapshots being written by one slice each, and
// checks on the background commit of a finished background save (from
// Tick).
func (n *Node) persistTick() {
	if poll := n.persist.commitPoll; poll != nil {
		if done, err := poll(); done {
			if err != nil {
				n.logf(LogWarning, "Write error saving DB on disk: %v", err)
			}
			n.bgsaveFinished(err)
		}
	}
	for _, j := range append([]*snapshotJob(nil), n.persist.jobs...) {
		if j.hold != nil && j.hold() {
			continue
		}
		if j.step() {
			n.dropJob(j)
		}
	}
}

// persistWake returns when the persistence work next needs a Tick (zero
// for none): at once while a snapshot is being written, every millisecond
// while its file is committed in the background.
func (n *Node) persistWake() time.Time {
	held := false
	for _, j := range n.persist.jobs {
		if j.hold == nil || !j.hold() {
			return n.now
		}
		held = true
	}
	switch {
	case held:
		return n.now.Add(time.Millisecond)
	case n.persist.commitPoll != nil:
		return n.now.Add(time.Millisecond)
	}
	return time.Time{}
}

// persistCron is the persistence part of serverCron: a scheduled BGSAVE,
// then the save points.
func (n *Node) persistCron() {
	if n.persist.bgsave != nil || n.ks.Snapshotting() {
		return
	}
	if n.persist.bgsaveScheduled {
		n.persist.bgsaveScheduled = false
		n.startBgsave()
		return
	}
	for _, sp := range n.cfg.Save {
		if n.dirty >= sp.Changes && (n.ms-n.lastSave)/1000 > sp.Seconds &&
			(n.ms-n.persist.lastBgsaveTry > bgsaveRetryDelay || !n.persist.lastBgsaveErr) {
			n.logf(LogNotice, "%d changes in %d seconds. Saving...", sp.Changes, sp.Seconds)
			n.startBgsave()
			return
		}
	}
}

// LoadError is a dump file the node refused to load.
type LoadError struct {
	File string
	Err  error
}

func (e *LoadError) Error() string { return e.File + ": " + e.Err.Error() }

func (e *LoadError) Unwrap() error { return e.Err }

// loadDataFromDisk loads dbfilename at start. A missing file is an empty
// dataset; a damaged one stops the start (the file is left untouched).
func (n *Node) loadDataFromDisk() bool {
	f, err := n.rt.FS().Open(n.cfg.DBFilename)
	if errors.Is(err, fs.ErrNotExist) {
		return true
	}
	if err != nil {
		n.logf(LogWarning, "Fatal error loading the DB: %v. Exiting.", err)
		return false
	}
	defer f.Close()
	start := n.ms
	if err := n.loadRDB(f, n.cfg.DBFilename, false); err != nil {
		n.logf(LogWarning, "Fatal error loading the DB: %v. Exiting.", err)
		return false
	}
	n.updateTime()
	n.logf(LogNotice, "DB loaded from disk: %.3f seconds", float64(n.ms-start)/1000)
	return true
}

// loadRDB loads an RDB file into the keyspace (which the caller emptied
// or not). A key already present is an error unless merge (DEBUG RELOAD
// MERGE) replaces it. Keys already expired are skipped on a master and
// kept on a replica, as Redis does. Errors are *LoadError naming the file
// and, through the rdb package's *rdb.Error, the offset.
func (n *Node) loadRDB(r io.Reader, name string, merge bool) error {
	n.loading = true
	defer func() { n.loading = false }()
	j := n.newLoadJob(r, name, merge)
	defer j.close()
	for {
		if done, err := j.step(1 << 30); done {
			return err
		}
	}
}

// loadSliceBytes is how much of the file a slice of a loadJob reads at
// most: Redis's loading process serves events every 2 MB
// (loading-process-events-interval-bytes).
const loadSliceBytes = 2 << 20

// transferSliceBytes bounds a slice of decoding done while the payload is
// still arriving and the node serves its clients meanwhile: the 95 slices
// of a DEBUG POPULATE 1000000 dump took 2.2 ms (median), 8.8 ms at most.
const transferSliceBytes = 256 << 10

// loadJob loads an RDB file record by record; step advances it by a
// bounded number of keys, so that a replica loading its master's payload
// can serve events (LOADING replies, keepalives to its master) between
// slices as Redis does from its loading callback.
type loadJob struct {
	n               *Node
	d               *rdb.Decoder
	ks              *keyspace.Keyspace // where the keys go: the node's, or a staging keyspace
	name            string
	merge, master   bool
	loaded, expired int64
	err             error
	done            bool
	needMore        bool         // the last step stopped at the end of what has arrived (an rdb.Feed)
	sliceBytes      int64        // input a step decodes at most
	observer        LoadObserver // told of the bulk load until close

	// While staging (see stage), what the load tells the node and the log
	// (AUX fields, warnings, the closing line) waits here, so that it
	// comes in Redis's order once the node takes the staged data.
	staging bool
	later   []func()

	batch      []loadedKey // keys decoded, not inserted yet (insertBatch)
	batchKeys  []string    // scratch: the batch's keys, for Prefetch
	prefetched byte        // the sum Prefetch returned, so its reads stay
}

// newLoadJob starts loading r (named name in errors and logs). The runtime
// hears of the bulk load (LoadObserver) until the job ends or is closed.
func (n *Node) newLoadJob(r io.Reader, name string, merge bool) *loadJob {
	j := n.newQuietLoadJob(r, name, merge)
	j.bulkLoad()
	return j
}

// newQuietLoadJob is newLoadJob without telling the runtime: a replica
// decoding its master's payload while it arrives keeps serving with the
// collector on, and calls bulkLoad once the node is loading.
func (n *Node) newQuietLoadJob(r io.Reader, name string, merge bool) *loadJob {
	j := &loadJob{n: n, ks: n.ks, name: name, merge: merge, master: !n.isReplica(), sliceBytes: loadSliceBytes}
	j.d = rdb.NewDecoder(r, rdb.DecoderOptions{
		NoDupCheck:      true, // insertion detects duplicates
		ListNodes:       true,
		ReuseContainers: true, // each value is copied into the keyspace at once
		RawStrings:      true,
		Warn: func(off int64, msg string) {
			j.tell(func() { n.logf(LogWarning, "RDB %s at offset %d: %s", name, off, msg) })
		},
	})
	return j
}

// bulkLoad tells the runtime (LoadObserver) that the job loads in bulk,
// until it ends or is closed; not for a job that has ended.
func (j *loadJob) bulkLoad() {
	if j.done || j.observer != nil {
		return
	}
	if lo, ok := j.n.rt.(LoadObserver); ok {
		lo.BulkLoad(true)
		j.observer = lo
	}
}

// stage makes the job load into ks, a keyspace of its own that the node
// does not serve yet, holding back what it would tell the node until
// unstage.
func (j *loadJob) stage(ks *keyspace.Keyspace) {
	j.ks, j.staging = ks, true
}

// unstage makes the job continue into the node's keyspace (which has just
// taken the staged data) and tells the node what it held back.
func (j *loadJob) unstage() {
	j.ks, j.staging = j.n.ks, false
	later := j.later
	j.later = nil
	for _, f := range later {
		f()
	}
}

// tell runs f now, or once the job is unstaged.
func (j *loadJob) tell(f func()) {
	if j.staging {
		j.later = append(j.later, f)
		return
	}
	f()
}

// close ends the job's bulk load for the runtime; a job that stops early
// (an aborted transfer) must be closed. It may be called more than once.
func (j *loadJob) close() {
	if j.observer != nil {
		j.observer.BulkLoad(false)
		j.observer = nil
	}
}

// step loads up to keys keys and reports whether the load has ended, and
// how (nil for a complete file). An ended job is closed.
func (j *loadJob) step(keys int64) (bool, error) {
	if j.done {
		return true, j.err
	}
	n := j.n
	fail := func(err error) (bool, error) {
		j.done, j.err = true, &LoadError{File: j.name, Err: err}
		j.close()
		return true, j.err
	}
	d := j.d
	ks := j.ks
	j.needMore = false
	startOff := d.Offset()
	// Keys are inserted in batches whose buckets are prefetched together.
	for budget := keys; budget > 0 && d.Offset()-startOff < j.sliceBytes; {
		rec, err := d.Next()
		if err == nil && rec.Kind == rdb.RecordKey {
			budget--
			if rec.DB >= ks.Len() {
				err = fmt.Errorf("rdb: offset %d: database %d out of range", rec.Offset, rec.DB)
			} else if j.master && rec.HasExpire && rec.Expire < n.ms {
				j.expired++
				continue
			} else if v, verr := j.value(rec); verr != nil {
				err = &rdb.Error{Offset: d.Offset(), Key: rec.Key, HasKey: true, Type: rec.Type, Err: fmt.Errorf("%w: %w", rdb.ErrCorrupt, verr)}
			} else {
				n.setLoadedAccess(&v, rec.KeyMeta)
				// The decoder's key bytes are ours: the DB keeps them.
				j.batch = append(j.batch, loadedKey{key: bs(rec.Key), db: rec.DB, offset: rec.Offset, v: v,
					expire: rec.Expire, hasExpire: rec.HasExpire})
				if len(j.batch) < loadBatch {
					continue
				}
			}
		}
		// Whatever else comes, the keys before it go in first.
		if ferr := j.insertBatch(); ferr != nil {
			return fail(ferr)
		}
		if err == rdb.ErrNeedMore {
			j.needMore = true
			return false, nil
		}
		if err == io.EOF {
			j.done = true
			j.close()
			loaded, expired := j.loaded, j.expired
			j.tell(func() {
				n.persist.loadedKeys, n.persist.expiredKeys = loaded, expired
				n.logf(LogNotice, "Done loading RDB, keys loaded: %d, keys expired: %d.", loaded, expired)
			})
			return true, nil
		}
		if err != nil {
			return fail(err)
		}
		switch rec.Kind {
		case rdb.RecordAux:
			name, value := string(rec.Key), string(rec.Aux)
			j.tell(func() { n.loadAux(name, value) })
		case rdb.RecordSelectDB:
			if rec.DB >= ks.Len() {
				return fail(fmt.Errorf("rdb: offset %d: the file was created with a server configured to handle more than %d databases", rec.Offset, ks.Len()))
			}
		case rdb.RecordResizeDB:
			if rec.DB < ks.Len() && rec.DBSize < 1<<30 {
				ks.DB(rec.DB).Reserve(int(rec.DBSize))
			}
		}
	}
	if err := j.insertBatch(); err != nil {
		return fail(err)
	}
	return false, nil
}

// value converts a decoded value for the keyspace.
func (j *loadJob) value(rec rdb.Record) (keyspace.Value, error) {
	if rec.Value == nil && rec.Type == rdb.TypeString {
		return stringFromRDB(rec.Str), nil // RawStrings
	}
	return j.n.valueFromRDB(rec.Type, rec.Value)
}

// loadBatch is how many keys a load inserts together, for their cache
// misses to overlap (Dict.Prefetch). Against the key-by-key loop, a POPULATE
// load took about 13% less with 16 keys and a one-pass prefetch, 17% less
// with 32 keys and the two passes; other sizes are untried.
const loadBatch = 32

// loadedKey is a key decoded and waiting for its batch to be inserted.
type loadedKey struct {
	key       string
	db        int
	offset    int64
	v         keyspace.Value
	expire    int64
	hasExpire bool
}

// insertBatch inserts the batched keys: first it prefetches their buckets
// (Dict.Prefetch), then inserts them in file order. A duplicated key is an
// error unless the job merges.
func (j *loadJob) insertBatch() error {
	batch := j.batch
	if len(batch) == 0 {
		return nil
	}
	// A batch never spans databases: a SELECTDB record ends it.
	db := j.ks.DB(batch[0].db)
	keys := j.batchKeys[:0]
	for i := range batch {
		keys = append(keys, batch[i].key)
	}
	j.prefetched += db.Prefetch(keys)
	clear(keys)
	j.batchKeys = keys[:0]
	for i := range batch {
		k := &batch[i]
		slot, created := db.UpsertOwned(k.key)
		if !created {
			if !j.merge {
				err := fmt.Errorf("rdb: offset %d: duplicated key %q in DB %d", k.offset, k.key, k.db)
				j.dropBatch()
				return err
			}
			db.Persist(k.key)
		}
		lru := k.v.LRU
		slot.Replace(k.v) // keeps a snapshot's mark
		slot.LRU = lru
		if k.hasExpire {
			db.SetExpireAt(k.key, k.expire)
		}
		j.loaded++
	}
	j.dropBatch()
	return nil
}

// dropBatch empties the batch without keeping its values reachable.
func (j *loadJob) dropBatch() {
	clear(j.batch)
	j.batch = j.batch[:0]
}

// setLoadedAccess sets a loaded value's access time from the file's IDLE
// or FREQ, as objectSetLRUOrLFU, or to now.
func (n *Node) setLoadedAccess(v *keyspace.Value, m rdb.KeyMeta) {
	if !n.applyIdleFreq(v, int64(m.Idle), m.HasIdle, int64(m.Freq), m.HasFreq) {
		n.initAccess(v)
	}
}

// applyIdleFreq is objectSetLRUOrLFU: under an LFU policy a frequency sets
// the counter; otherwise an idle time (seconds) sets the access time. It
// reports whether it set anything.
func (n *Node) applyIdleFreq(v *keyspace.Value, idle int64, hasIdle bool, freq int64, hasFreq bool) bool {
	if n.lfuPolicy() {
		if hasFreq {
			v.LRU = n.lfuMinutes()<<8 | uint32(freq)
			return true
		}
		return false
	}
	if !hasIdle {
		return false
	}
	abs := int64(n.lruClock()) - idle*1000/lruClockResolution
	if abs < 0 {
		abs += lruClockMax
	}
	v.LRU = uint32(abs)
	return true
}

// loadAux handles an AUX field of a file being loaded.
func (n *Node) loadAux(name, value string) {
	switch name {
	case "redis-ver":
		n.logf(LogNotice, "Loading RDB produced by version %s", value)
	case "ctime":
		if t, err := strconv.ParseInt(value, 10, 64); err == nil {
			age := n.ms/1000 - t
			if age < 0 {
				age = 0
			}
			n.logf(LogNotice, "RDB age %d seconds", age)
		}
	case "used-mem":
		if m, err := strconv.ParseInt(value, 10, 64); err == nil {
			n.logf(LogNotice, "RDB memory usage when created %.2f Mb", float64(m)/(1024*1024))
		}
	case "redis-bits", "aof-base", "aof-preamble", "repl-stream-db", "repl-id", "repl-offset", "lua":
	default:
		n.logf(LogDebug, "Unrecognized RDB AUX field: '%s'", name)
	}
	if n.persist.onLoadAux != nil {
		n.persist.onLoadAux(name, value)
	}
}

// emptyData empties every database (DEBUG RELOAD, a replica's full sync),
// invalidating the transactions that watch keys.
func (n *Node) emptyData() {
	for i := 0; i < n.ks.Len(); i++ {
		n.touchAllWatchedKeysInDB(i, -1)
	}
	n.ks.FlushAll()
}

// shutdownSave is the persistence part of prepareForShutdown: a background
// save is abandoned, then the dataset is saved when save points exist
// (unless NOSAVE) or SAVE was given. It reports false when the save failed
// and the shutdown must be refused (without FORCE).
func (n *Node) shutdownSave(f shutdownFlags) bool {
	if n.persist.bgsave != nil {
		n.logf(LogWarning, "There is a child saving an .rdb. Killing it!")
		n.abortBgsave("shutdown")
	}
	if (len(n.cfg.Save) > 0 && !f.noSave) || f.save {
		n.logf(LogNotice, "Saving the final RDB snapshot before exiting.")
		if err := n.saveSync(); err != nil {
			if f.force {
				n.logf(LogWarning, "Error trying to save the DB. Exit anyway.")
			} else {
				n.logf(LogWarning, "Error trying to save the DB, can't exit.")
				return false
			}
		}
	}
	return true
}

// writesDeniedByDiskError is writeCommandsDeniedByDiskError for RDB: with
// stop-writes-on-bgsave-error, save points and a failed last background
// save, a master refuses writes (and PING) with MISCONF.
func (n *Node) writesDeniedByDiskError() bool {
	return n.persist.lastBgsaveErr && len(n.cfg.Save) > 0 && !n.isReplica() && n.cfgBool("stop-writes-on-bgsave-error")
}
