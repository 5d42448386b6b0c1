package node

import (
	"unsafe"

	"replab/keyspace"
)

// bs views b as a string without copying, for lookups. The keyspace copies
// keys it stores, so such views never outlive the command.
func bs(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// Redis's LRU clock: seconds, 24 bits.
const (
	lruClockMax        = 1<<24 - 1
	lruClockResolution = 1000 // ms
)

func (n *Node) lruClock() uint32 { return uint32(n.ms/lruClockResolution) & lruClockMax }

func (n *Node) lfuPolicy() bool {
	p := n.cfg.MaxMemoryPolicy
	return p == "allkeys-lfu" || p == "volatile-lfu"
}

// touch updates the access time (or frequency) of a value, unless the
// client asked not to (CLIENT NO-TOUCH).
func (n *Node) touch(c *client, v *keyspace.Value) {
	if c != nil && c.flags&flagNoTouch != 0 {
		return
	}
	if n.lfuPolicy() {
		v.LRU = n.lfuUpdate(v.LRU)
	} else {
		v.LRU = n.lruClock()
	}
}

// initAccess sets the access field of a new value.
func (n *Node) initAccess(v *keyspace.Value) {
	if n.lfuPolicy() {
		v.LRU = uint32(n.lfuMinutes())<<8 | lfuInitVal
	} else {
		v.LRU = n.lruClock()
	}
}

// expireIfNeeded handles a logically expired key: a master deletes it (and
// propagates the deletion); a replica leaves it to its master but reports
// it missing, except to the master itself. It reports whether the key must
// be treated as missing.
func (n *Node) expireIfNeeded(c *client, db *keyspace.DB, key string) bool {
	if !db.Expired(key, n.ms) || n.loading {
		return false
	}
	if n.isReplica() {
		if c != nil && c.flags&flagMaster != 0 {
			return false
		}
		return true
	}
	if n.paused() {
		// The dataset stays constant during a pause.
		return true
	}
	n.deleteExpiredKey(db, key)
	return true
}

// deleteExpiredKey deletes an expired key and propagates the deletion.
func (n *Node) deleteExpiredKey(db *keyspace.DB, key string) {
	k := string([]byte(key)) // the caller's key may be a view of a buffer
	n.signalDeletedStream(db, k)
	db.Delete(k)
	n.stats.ExpiredKeys++
	n.notifyKeyspaceEvent(NotifyExpired, "expired", k, db.ID)
	n.touchWatchedKey(db.ID, k)
	if n.cfg.LazyfreeLazyExpire {
		n.propagateArgs(db.ID, "UNLINK", k)
	} else {
		n.propagateArgs(db.ID, "DEL", k)
	}
	if n.execDepth == 0 {
		n.propagatePending()
	}
}

// lookupRead finds a key for reading: expiry applies, the access time is
// updated and the hit or miss counted.
func (n *Node) lookupRead(c *client, key []byte) *keyspace.Value {
	v := n.lookup(c, c.db, key)
	if v == nil {
		n.stats.KeyspaceMisses++
		n.notifyKeyspaceEvent(NotifyKeyMiss, "keymiss", string(key), c.db.ID)
		return nil
	}
	n.stats.KeyspaceHits++
	return v
}

// lookupWrite finds a key about to be changed: expiry applies first, and a
// snapshot in progress records the key's current value before the caller
// changes it in place.
func (n *Node) lookupWrite(c *client, key []byte) *keyspace.Value {
	v := n.lookup(c, c.db, key)
	if v != nil {
		c.db.Guard(bs(key))
	}
	return v
}

func (n *Node) lookup(c *client, db *keyspace.DB, key []byte) *keyspace.Value {
	v := db.FindBytes(key)
	if v == nil {
		return nil
	}
	if n.expireIfNeeded(c, db, bs(key)) {
		return nil
	}
	n.touch(c, v)
	return v
}

// exists reports whether key exists (and is not expired) without touching
// it or counting a hit.
func (n *Node) exists(c *client, db *keyspace.DB, key []byte) bool {
	if db.FindBytes(key) == nil {
		return false
	}
	return !n.expireIfNeeded(c, db, bs(key))
}

// setKey stores v under key as SET does: the old value and, unless keepTTL,
// its expire time are dropped; watchers are told.
func (n *Node) setKey(c *client, db *keyspace.DB, key []byte, v keyspace.Value, keepTTL bool) {
	n.initAccess(&v)
	k := bs(key)
	if !keepTTL {
		db.Persist(k)
	}
	n.signalDeletedStream(db, k)
	db.Put(k, v)
	n.signalModifiedKey(c, db, key)
}

// dbAdd adds a key that does not exist. Clients blocked on the key are
// told it is ready.
func (n *Node) dbAdd(c *client, db *keyspace.DB, key []byte, v keyspace.Value) {
	n.initAccess(&v)
	db.Put(bs(key), v)
	n.signalModifiedKey(c, db, key)
	n.signalKeyAsReady(db.ID, bs(key))
}

// dbDelete deletes a key and reports whether it existed.
func (n *Node) dbDelete(c *client, db *keyspace.DB, key []byte) bool {
	n.signalDeletedStream(db, bs(key))
	if !db.Delete(bs(key)) {
		return false
	}
	n.signalModifiedKey(c, db, key)
	return true
}

// signalModifiedKey is called on every change of a key: it invalidates
// transactions watching it.
func (n *Node) signalModifiedKey(c *client, db *keyspace.DB, key []byte) {
	n.touchWatchedKey(db.ID, bs(key))
}

// notifyKeyspaceEvent publishes a keyspace notification when
// notify-keyspace-events asks for its class.
func (n *Node) notifyKeyspaceEvent(class int, event, key string, db int) {
	flags := n.cfg.NotifyKeyspaceEvents
	if flags&class == 0 || flags&(NotifyKeyspace|NotifyKeyevent) == 0 {
		return
	}
	if n.publishHook != nil {
		n.publishHook(class, event, key, db)
	}
}

// activeExpireCycle samples keys with an expire time and deletes the
// expired ones, as Redis's slow cycle does. Redis bounds the cycle by time
// (25% of a cron period); replab bounds it by the number of keys examined,
// so that a run is reproducible.
func (n *Node) activeExpireCycle() {
	effort := n.cfg.ActiveExpireEffort - 1
	perLoop := 20 + 20/4*effort
	stale := 10 - effort
	budget := 20000 * (1 + effort/2)
	var expired []string
	for i := 0; i < n.ks.Len() && budget > 0; i++ {
		db := n.ks.DB((n.expireDB + i) % n.ks.Len())
		for budget > 0 {
			expired = expired[:0]
			sampled, nexp := db.SampleExpired(n.ms, perLoop, func(k string) { expired = append(expired, k) })
			for _, k := range expired {
				n.deleteExpiredKey(db, k)
			}
			budget -= sampled + 1
			if sampled == 0 || nexp*100/sampled <= stale {
				break
			}
		}
	}
	n.expireDB = (n.expireDB + 1) % n.ks.Len()
}

// LFU, as Redis: 16 bits of minutes of the last decrement, 8 bits of a
// logarithmic counter.
const lfuInitVal = 5

func (n *Node) lfuMinutes() uint32 { return uint32(n.ms/60000) & 0xffff }

func (n *Node) lfuDecrAndReturn(v uint32) uint32 {
	last := v >> 8
	counter := v & 0xff
	now := n.lfuMinutes()
	var elapsed uint32
	if now >= last {
		elapsed = now - last
	} else {
		elapsed = 0xffff - last + now
	}
	if n.cfg.LFUDecayTime > 0 {
		periods := elapsed / uint32(n.cfg.LFUDecayTime)
		if periods > counter {
			counter = 0
		} else {
			counter -= periods
		}
	}
	return counter
}

func (n *Node) lfuUpdate(v uint32) uint32 {
	counter := n.lfuDecrAndReturn(v)
	if counter < 255 {
		r := n.rng.Float64()
		base := float64(counter) - lfuInitVal
		if base < 0 {
			base = 0
		}
		p := 1.0 / (base*float64(n.cfg.LFULogFactor) + 1)
		if r < p {
			counter++
		}
	}
	return n.lfuMinutes()<<8 | counter
}
