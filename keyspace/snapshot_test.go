package keyspace

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type rec struct {
	val    string
	expire int64
}

// TestSnapshotIsConsistent is the snapshot's property: while random writes,
// deletes, expire changes, swaps and flushes run between walker steps, the
// snapshot records exactly the keys present at its start, each once, with
// the value and expire time they had then.
func TestSnapshotIsConsistent(t *testing.T) {
	for seed := uint64(1); seed <= 40; seed++ {
		rng := rand.New(rand.NewPCG(seed, 99))
		ks := New(4, seed)
		want := map[string]rec{}
		for i := 0; i < 500+rng.IntN(2000); i++ {
			db := rng.IntN(4)
			k := fmt.Sprintf("k%d", rng.IntN(3000))
			v := fmt.Sprintf("v%d", i)
			ks.DB(db).Put(k, NewString([]byte(v)))
			if rng.IntN(4) == 0 {
				ks.DB(db).SetExpireAt(k, int64(1000+i))
			} else {
				ks.DB(db).Persist(k)
			}
		}
		for i := 0; i < 4; i++ {
			db := ks.DB(i)
			db.ForEach(func(k string, v *Value) bool {
				e, _ := db.ExpireAt(k)
				want[fmt.Sprintf("%d/%s", i, k)] = rec{string(v.Bytes(nil)), e}
				return true
			})
		}
		got := map[string]rec{}
		snap := ks.BeginSnapshot(func(db int, key string, v *Value, expire int64) {
			id := fmt.Sprintf("%d/%s", db, key)
			if _, dup := got[id]; dup {
				t.Fatalf("seed %d: %s recorded twice", seed, id)
			}
			got[id] = rec{string(v.Bytes(nil)), expire}
		})
		for step := 0; !snap.Next(1 + rng.IntN(30)); step++ {
			for j := 0; j < rng.IntN(20); j++ {
				db := ks.DB(rng.IntN(4))
				k := fmt.Sprintf("k%d", rng.IntN(4000))
				switch rng.IntN(10) {
				case 0, 1, 2:
					db.Put(k, NewString([]byte(fmt.Sprintf("new%d", step))))
				case 3, 4:
					db.Delete(k)
				case 5:
					db.SetExpireAt(k, 5)
				case 6:
					db.Persist(k)
				case 7:
					if v := db.Find(k); v != nil && v.Kind() == KindString {
						db.Guard(k)
						b := v.MutableBytes()
						v.SetBytes(append(b, 'x'))
					}
				case 8:
					if rng.IntN(20) == 0 {
						ks.Swap(rng.IntN(4), rng.IntN(4))
					}
				case 9:
					if rng.IntN(40) == 0 {
						db.Clear()
					}
				}
			}
		}
		require.Equal(t, len(want), len(got), "seed %d", seed)
		for id, w := range want {
			assert.Equal(t, w, got[id], "seed %d key %s", seed, id)
		}
		// After the snapshot, writes record nothing.
		before := snap.Recorded
		ks.DB(0).Put("after", NewInt(1))
		assert.Equal(t, before, snap.Recorded)
	}
}

// A value replaced in place after Guard (INCR turns a string into an int)
// is not recorded a second time.
func TestSnapshotReplaceInPlace(t *testing.T) {
	ks := New(1, 1)
	ks.DB(0).Put("n", NewString([]byte("abc")))
	var seen []string
	snap := ks.BeginSnapshot(func(_ int, key string, v *Value, _ int64) {
		seen = append(seen, key+"="+string(v.Bytes(nil)))
	})
	v := ks.DB(0).Find("n")
	ks.DB(0).Guard("n")
	v.Replace(NewInt(5))
	for !snap.Next(10) {
	}
	assert.Equal(t, []string{"n=abc"}, seen)
}

// TakeAll moves every database's keys and expire times, leaving the source
// empty; a snapshot in progress on the destination (emptied after it
// began) records none of the taken keys.
func TestTakeAll(t *testing.T) {
	for _, snapshotting := range []bool{false, true} {
		dst := New(3, 7)
		dst.DB(1).Put("before", NewString([]byte("x")))
		var recorded []string
		var snap *Snapshot
		if snapshotting {
			snap = dst.BeginSnapshot(func(db int, key string, v *Value, expire int64) {
				recorded = append(recorded, fmt.Sprintf("%d/%s", db, key))
			})
		}
		dst.FlushAll()
		src := New(3, 7)
		for i := 0; i < 100; i++ {
			src.DB(i%3).Put(fmt.Sprintf("k%d", i), NewString([]byte("v")))
		}
		src.DB(2).SetExpireAt("k2", 5000)
		dst.TakeAll(src)
		assert.Equal(t, 0, src.Keys())
		assert.Equal(t, 100, dst.Keys())
		assert.Equal(t, 34, dst.DB(0).Len())
		when, ok := dst.DB(2).ExpireAt("k2")
		assert.True(t, ok)
		assert.Equal(t, int64(5000), when)
		assert.Equal(t, 0, src.DB(2).ExpiresLen())
		if snap != nil {
			for !snap.Next(10) {
			}
			assert.Equal(t, []string{"1/before"}, recorded, "the snapshot holds what was there when it began")
		}
		require.Panics(t, func() { dst.TakeAll(New(3, 7)) }, "taking into databases that hold keys")
	}
}
