package keyspace

// A snapshot records every key as it was at the moment the snapshot began,
// while the keyspace goes on changing: Go cannot fork, so replab takes
// consistent snapshots the way Dragonfly does, by recording keys ahead of
// writes.
//
//   - Each snapshot has an epoch (1..255); each Value carries the epoch of
//     the last snapshot that recorded it (or that saw it born).
//   - The walker (Snapshot.Next) scans every database with a SCAN cursor and
//     records each value whose mark is not the current epoch, then marks it.
//   - Before any change to a key (new value, in-place change through a
//     write lookup, expire change, deletion, FLUSHDB, SWAPDB), the DB's
//     guard records the old value first if it is not marked. Keys created
//     during the snapshot are marked at birth and never recorded.
//
// So each key present when the snapshot began is recorded exactly once,
// with its value and expire time of that moment, and nothing born later is.
// Records of one database may interleave with those of another (a write to
// database 5 while the walker is in database 3): consumers must switch
// databases per record (RDB's SELECTDB allows this).

// Recorder receives the snapshot's records: one key of database db, its
// value as it was when the snapshot began, and its expire time (0: none).
// It must not keep v or change the keyspace; it may serialize v at once.
type Recorder func(db int, key string, v *Value, expire int64)

type snapshotState struct {
	epoch  uint8
	record Recorder
}

// Snapshot is a snapshot in progress over a whole keyspace.
type Snapshot struct {
	ks     *Keyspace
	state  *snapshotState
	db     int    // database the walker is in
	cursor uint64 // walker's SCAN cursor in that database
	done   bool
	// Recorded counts the keys recorded so far (walker and guards).
	Recorded int64
}

// BeginSnapshot starts a snapshot whose records go to record. Only one
// snapshot may be in progress at a time.
func (ks *Keyspace) BeginSnapshot(record Recorder) *Snapshot {
	if ks.snapshotActive {
		panic("keyspace: a snapshot is already in progress")
	}
	ks.epoch++
	if ks.epoch == 0 {
		ks.epoch = 1
		// Epochs wrapped: clear old marks so no value looks recorded by
		// this snapshot.
		for _, db := range ks.dbs {
			db.keys.ForEach(func(_ string, v *Value) bool { v.mark = 0; return true })
		}
	}
	s := &Snapshot{ks: ks}
	s.state = &snapshotState{epoch: ks.epoch}
	s.state.record = func(db int, key string, v *Value, expire int64) {
		s.Recorded++
		record(db, key, v, expire)
	}
	ks.snapshotActive = true
	for _, db := range ks.dbs {
		db.snap = s.state
	}
	return s
}

// Next records up to budget keys (the walker's share of work for one turn
// of the event loop) and reports whether the snapshot is complete. A
// complete snapshot has ended: writes no longer record anything.
func (s *Snapshot) Next(budget int) bool {
	for !s.done && budget > 0 {
		if s.db >= len(s.ks.dbs) {
			s.finish()
			break
		}
		db := s.ks.dbs[s.db]
		if db.Len() == 0 {
			s.db++
			s.cursor = 0
			continue
		}
		// The walker records what it visits as it goes: the recorder only
		// reads the value (and marks it), which Scan allows.
		s.cursor = db.keys.Scan(s.cursor, func(k string, v *Value) {
			if v.mark != s.state.epoch {
				db.recordEntry(k, v)
				budget--
			}
		})
		budget-- // a visited bucket costs something even when empty
		if s.cursor == 0 {
			s.db++
		}
	}
	return s.done
}

// Done reports whether the snapshot is complete.
func (s *Snapshot) Done() bool { return s.done }

// Abort ends the snapshot early (the consumer failed or went away).
func (s *Snapshot) Abort() { s.finish() }

func (s *Snapshot) finish() {
	if s.done {
		return
	}
	s.done = true
	s.ks.snapshotActive = false
	for _, db := range s.ks.dbs {
		if db.snap == s.state {
			db.snap = nil
		}
	}
}

// guard records key's current value if the snapshot has not recorded it.
func (db *DB) guard(key string) {
	stored, v := db.keys.FindEntry(key)
	if v == nil || v.mark == db.snap.epoch {
		return
	}
	db.recordEntry(*stored, v)
}

// recordEntry records the entry of key (the stored key string) and v, and
// marks it recorded.
func (db *DB) recordEntry(key string, v *Value) {
	var expire int64
	if db.expires.Len() > 0 {
		expire, _ = db.expires.Get(key)
	}
	db.snap.record(db.ID, key, v, expire)
	v.mark = db.snap.epoch
}

// guardAll records every key of db the snapshot has not recorded yet.
func (db *DB) guardAll() {
	var pending []string
	db.keys.ForEach(func(k string, v *Value) bool {
		if v.mark != db.snap.epoch {
			pending = append(pending, k)
		}
		return true
	})
	for _, k := range pending {
		db.guard(k)
	}
}

// Guard records key before the caller changes its value in place (the
// node calls it on every lookup for writing).
func (db *DB) Guard(key string) {
	if db.snap != nil {
		db.guard(key)
	}
}

// Snapshotting reports whether a snapshot is in progress.
func (ks *Keyspace) Snapshotting() bool { return ks.snapshotActive }
