package keyspace

// DB is one numbered database: the main dict of keys and the dict of expire
// times (absolute, in Unix milliseconds) of the keys that have one.
//
// DB knows nothing of clocks: expiry is decided by callers that pass "now".
// Its methods ignore expiry unless they say otherwise.
type DB struct {
	ID      int
	keys    *Dict[Value]
	expires *Dict[int64]
	// ExpireCursor is where the active expiry cycle resumes its scan.
	ExpireCursor uint64
	// AvgTTL is the running estimate of the remaining TTL of volatile keys
	// in milliseconds, for INFO keyspace.
	AvgTTL int64

	snap *snapshotState // the snapshot in progress, or nil
}

func newDB(id int, seed uint64) *DB {
	return &DB{ID: id, keys: NewDict[Value](seed), expires: NewDict[int64](seed)}
}

// Len returns the number of keys, expired or not.
func (db *DB) Len() int { return db.keys.Len() }

// ExpiresLen returns the number of keys with an expire time.
func (db *DB) ExpiresLen() int { return db.expires.Len() }

// Find returns the value of key for reading or changing in place, or nil.
func (db *DB) Find(key string) *Value { return db.keys.Find(key) }

// FindBytes is Find for a key given as bytes.
func (db *DB) FindBytes(key []byte) *Value { return db.keys.FindBytes(key) }

// Exists reports whether key is present (expired or not).
func (db *DB) Exists(key string) bool { return db.keys.Find(key) != nil }

// Put stores v under key, keeping any expire time. It reports whether the key
// is new.
func (db *DB) Put(key string, v Value) bool {
	if db.snap != nil {
		db.guard(key)
		v.mark = db.snap.epoch
	}
	return db.keys.Set(key, v)
}

// Reserve makes room for n keys (DEBUG POPULATE, loading).
func (db *DB) Reserve(n int) { db.keys.Expand(n) }

// Upsert returns the value slot of key, creating an empty one (KindNone)
// if the key is new, and reports whether it was created. The slot is valid
// until the key is deleted.
func (db *DB) Upsert(key string) (*Value, bool) {
	if db.snap != nil {
		db.guard(key)
	}
	v, created := db.keys.Upsert(key)
	if created && db.snap != nil {
		v.mark = db.snap.epoch
	}
	return v, created
}

// UpsertOwned is Upsert for a key string whose bytes the DB may keep as
// they are (the caller gives them up and never changes them): loading a
// file saves a copy per key. When the key exists the stored key is kept.
func (db *DB) UpsertOwned(key string) (*Value, bool) {
	if db.snap != nil {
		db.guard(key)
	}
	_, v, created := db.keys.UpsertShared(key)
	if created && db.snap != nil {
		v.mark = db.snap.epoch
	}
	return v, created
}

// Prefetch brings into the CPU cache what inserting keys will read (see
// Dict.Prefetch); it changes nothing.
func (db *DB) Prefetch(keys []string) byte { return db.keys.Prefetch(keys) }

// Delete removes key and its expire time. It reports whether it existed.
func (db *DB) Delete(key string) bool {
	if db.snap != nil {
		db.guard(key)
	}
	if _, ok := db.keys.Delete(key); !ok {
		return false
	}
	if db.expires.Len() > 0 {
		db.expires.Delete(key)
	}
	return true
}

// Take removes key and returns its value, keeping nothing of it; the expire
// time is returned too (0 when none).
func (db *DB) Take(key string) (Value, int64, bool) {
	if db.snap != nil {
		db.guard(key)
	}
	v, ok := db.keys.Delete(key)
	if !ok {
		return Value{}, 0, false
	}
	var when int64
	if db.expires.Len() > 0 {
		when, _ = db.expires.Delete(key)
	}
	return v, when, true
}

// ExpireAt returns the expire time of key in Unix milliseconds.
func (db *DB) ExpireAt(key string) (int64, bool) {
	if db.expires.Len() == 0 {
		return 0, false
	}
	return db.expires.Get(key)
}

// SetExpireAt sets the expire time of an existing key. It reports false if
// the key does not exist.
func (db *DB) SetExpireAt(key string, when int64) bool {
	if db.snap != nil {
		db.guard(key)
	}
	stored, ok := db.keys.Key(key)
	if !ok {
		return false
	}
	db.expires.SetShared(stored, when)
	return true
}

// Persist removes the expire time of key and reports whether it had one.
func (db *DB) Persist(key string) bool {
	if db.expires.Len() == 0 {
		return false
	}
	if db.snap != nil {
		db.guard(key)
	}
	_, ok := db.expires.Delete(key)
	return ok
}

// Expired reports whether key has an expire time at or before now.
// Redis treats a key as expired when now > when.
func (db *DB) Expired(key string, now int64) bool {
	when, ok := db.ExpireAt(key)
	return ok && now > when
}

// Clear removes every key. A snapshot in progress records the keys it has
// not recorded yet first.
func (db *DB) Clear() {
	if db.snap != nil {
		db.guardAll()
	}
	db.keys.Clear()
	db.expires.Clear()
	db.ExpireCursor = 0
	db.AvgTTL = 0
}

// Scan continues a SCAN of the keys from cursor, calling fn for each key of
// the visited buckets; see Dict.Scan.
func (db *DB) Scan(cursor uint64, fn func(key string, v *Value)) uint64 {
	return db.keys.Scan(cursor, fn)
}

// ForEach calls fn for every key until it returns false; fn must not change
// the DB.
func (db *DB) ForEach(fn func(key string, v *Value) bool) { db.keys.ForEach(fn) }

// RandomKey returns a random key (expired or not).
func (db *DB) RandomKey(intn func(int) int) (string, bool) {
	k, _, ok := db.keys.Random(intn)
	return k, ok
}

// RandomVolatileKey returns a random key that has an expire time.
func (db *DB) RandomVolatileKey(intn func(int) int) (string, int64, bool) {
	k, when, ok := db.expires.Random(intn)
	if !ok {
		return "", 0, false
	}
	return k, *when, true
}

// ScanExpires continues a scan of the expire dict from cursor.
func (db *DB) ScanExpires(cursor uint64, fn func(key string, when int64)) uint64 {
	return db.expires.Scan(cursor, func(k string, w *int64) { fn(k, *w) })
}

// Maintain does background work on the tables: it starts shrinking tables
// that became sparse and moves up to steps buckets of pending rehashes. It
// reports whether rehash work remains.
func (db *DB) Maintain(steps int) bool {
	db.keys.ShrinkIfNeeded()
	db.expires.ShrinkIfNeeded()
	more := db.keys.Rehash(steps)
	return db.expires.Rehash(steps) || more
}

// SetResizeAllowed switches the tables between normal growth and the
// restrained growth Redis uses while a snapshot is being written.
func (db *DB) SetResizeAllowed(ok bool) {
	db.keys.NoResize = !ok
	db.expires.NoResize = !ok
}

// Stats describes the tables for INFO and DEBUG.
type Stats struct {
	Keys, Expires         int
	KeyBuckets, ExpBucket int
	Rehashing             bool
}

// Stats returns the table statistics.
func (db *DB) Stats() Stats {
	return Stats{
		Keys: db.keys.Len(), Expires: db.expires.Len(),
		KeyBuckets: db.keys.Buckets(), ExpBucket: db.expires.Buckets(),
		Rehashing: db.keys.Rehashing() || db.expires.Rehashing(),
	}
}

// Keyspace is the set of numbered databases of one node.
type Keyspace struct {
	dbs  []*DB
	seed uint64

	epoch          uint8 // epoch of the last snapshot begun
	snapshotActive bool
}

// New returns a keyspace of n empty databases whose hash order derives from
// seed.
func New(n int, seed uint64) *Keyspace {
	ks := &Keyspace{seed: seed}
	for i := 0; i < n; i++ {
		ks.dbs = append(ks.dbs, newDB(i, seed+uint64(i)))
	}
	return ks
}

// Len returns the number of databases.
func (ks *Keyspace) Len() int { return len(ks.dbs) }

// Seed returns the seed the keyspace was created with, which the hash
// tables of collection values derive their order from too.
func (ks *Keyspace) Seed() uint64 { return ks.seed }

// DB returns database i.
func (ks *Keyspace) DB(i int) *DB { return ks.dbs[i] }

// Swap exchanges the contents of databases a and b (SWAPDB): clients selected
// into a see b's data afterwards.
func (ks *Keyspace) Swap(a, b int) {
	da, db := ks.dbs[a], ks.dbs[b]
	// A snapshot records keys under the database they were in when it
	// began: finish recording both before their contents trade places.
	if da.snap != nil {
		da.guardAll()
	}
	if db.snap != nil {
		db.guardAll()
	}
	da.keys, db.keys = db.keys, da.keys
	da.expires, db.expires = db.expires, da.expires
	da.ExpireCursor, db.ExpireCursor = db.ExpireCursor, da.ExpireCursor
	da.AvgTTL, db.AvgTTL = db.AvgTTL, da.AvgTTL
}

// TakeAll moves the keys and expire times of every database of src into
// the same database of ks, leaving src empty: a replica serving the dataset
// it built while its master's payload arrived. ks's databases must be
// empty and src must have as many; src should have been created with ks's
// seed, so that hash orders stay what they would have been. A snapshot in
// progress on ks treats the taken keys as written after it began, as it
// does keys added one by one.
func (ks *Keyspace) TakeAll(src *Keyspace) {
	if len(src.dbs) != len(ks.dbs) {
		panic("keyspace: TakeAll between keyspaces with different numbers of databases")
	}
	for i, db := range ks.dbs {
		from := src.dbs[i]
		if db.keys.Len() != 0 || db.expires.Len() != 0 {
			panic("keyspace: TakeAll into a database that is not empty")
		}
		if db.snap != nil {
			from.keys.ForEach(func(_ string, v *Value) bool {
				v.mark = db.snap.epoch
				return true
			})
		}
		db.keys, from.keys = from.keys, db.keys
		db.expires, from.expires = from.expires, db.expires
		db.ExpireCursor, db.AvgTTL = 0, 0
	}
}

// Keys returns the total number of keys in all databases.
func (ks *Keyspace) Keys() int {
	n := 0
	for _, db := range ks.dbs {
		n += db.Len()
	}
	return n
}

// FlushAll clears every database.
func (ks *Keyspace) FlushAll() {
	for _, db := range ks.dbs {
		db.Clear()
	}
}

// SampleExpired scans the expire dict onward from db.ExpireCursor until it
// has looked at up to sample keys (or the scan wrapped), and calls fn for each
// key whose expire time is before now. It reports how many keys it looked at
// and how many it found expired; fn may not change the DB (collect the keys,
// then delete them). It also updates AvgTTL from the keys it saw alive.
func (db *DB) SampleExpired(now int64, sample int, fn func(key string)) (sampled, expired int) {
	if db.expires.Len() == 0 {
		db.AvgTTL = 0
		db.ExpireCursor = 0
		return 0, 0
	}
	var ttlSum int64
	var ttlSamples int64
	// Bound the number of buckets visited so that a sparse table (a big
	// table being emptied) does not turn one round into a full scan.
	maxBuckets := sample * 20
	for buckets := 0; sampled < sample && buckets < maxBuckets; buckets++ {
		db.ExpireCursor = db.expires.Scan(db.ExpireCursor, func(k string, when *int64) {
			sampled++
			if now > *when {
				expired++
				fn(k)
			} else {
				ttlSum += *when - now
				ttlSamples++
			}
		})
		if db.ExpireCursor == 0 {
			break
		}
	}
	if ttlSamples > 0 {
		avg := ttlSum / ttlSamples
		// Redis weighs each new sample 2% against the running estimate.
		if db.AvgTTL == 0 {
			db.AvgTTL = avg
		} else {
			db.AvgTTL = db.AvgTTL/50*49 + avg/50
		}
	}
	return sampled, expired
}
