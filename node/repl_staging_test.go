package node

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"replab/rdb"
)

// stagingWorld is a master holding keys keys and a replica that syncs from
// it on disk, in a World delivering at most 4 KB per pipe per step. When
// oldKey is set the replica holds it before it syncs.
func stagingWorld(t *testing.T, keys string, oldKey bool) (*World, *WorldNode, *WorldNode) {
	t.Helper()
	w := NewWorld(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	a, err := w.AddNode("a", "a:7001", 1, "--port", "7001", "--repl-diskless-sync", "no", "--repl-diskless-sync-delay", "0", "--enable-debug-command", "yes")
	require.NoError(t, err)
	b, err := w.AddNode("b", "b:7002", 2, "--port", "7002", "--enable-debug-command", "yes")
	require.NoError(t, err)
	ca := w.Connect("a")
	v, _ := ca.Do("DEBUG", "POPULATE", keys)
	require.Equal(t, "OK", v.Str)
	cb := w.Connect("b")
	if oldKey {
		v, _ = cb.Do("SET", "old", "value")
		require.Equal(t, "OK", v.Str)
	}
	w.Chunk = 4096
	cb.Send("REPLICAOF", "a", "7001")
	return w, a, b
}

// An empty replica decodes its master's payload as it arrives, into a
// staging keyspace: during the transfer it answers from its (empty)
// dataset, never LOADING, and once the file is in place it takes the
// staged keys, so the sync ends as the transfer does.
func TestReplEmptyReplicaDecodesAsThePayloadArrives(t *testing.T) {
	w, _, b := stagingWorld(t, "20000", false)
	loader := b.Node.repl.loader.(*rdbSnapshotLoader)
	stagedMidway := 0
	for i := 0; i < 1_000_000 && infoField(b.Node, "master_link_status") != "up"; i++ {
		w.Step()
		if loader.staged != nil && b.Node.repl.state == linkTransfer {
			stagedMidway = max(stagedMidway, loader.staged.Keys())
			require.False(t, b.Node.loading, "the replica answers LOADING during the transfer")
			require.Equal(t, 0, b.Node.ks.Keys(), "staged keys are visible during the transfer")
		}
	}
	require.Equal(t, "up", infoField(b.Node, "master_link_status"))
	assert.Greater(t, stagedMidway, 10000, "keys decoded before the transfer ended")
	assert.Less(t, stagedMidway, 20000, "the transfer was not observed in pieces")
	assert.Equal(t, 20000, b.Node.ks.Keys())
	assert.Equal(t, "0", infoField(b.Node, "loading"))
	da, _ := w.Connect("a").Do("DEBUG", "DIGEST")
	db, _ := w.Connect("b").Do("DEBUG", "DIGEST")
	assert.Equal(t, da.Str, db.Str)
	// The file is in place as after any disk load.
	dump, err := b.Files.ReadAll("dump.rdb")
	require.NoError(t, err)
	assert.Greater(t, len(dump), 20000*10)
	// The log reads as Redis's: AUX fields and the count after the flush.
	log := strings.Join(w.Log, "\n")
	flush := strings.Index(log, "b * MASTER <-> REPLICA sync: Flushing old data")
	ver := strings.Index(log, "b * Loading RDB produced by version")
	done := strings.Index(log, "b * Done loading RDB, keys loaded: 20000, keys expired: 0.")
	require.True(t, flush >= 0 && ver > flush && done > ver, "log order:\n%s", log)
}

// A replica with data keeps serving it during the transfer without holding
// a second dataset: it loads the file afterwards, as Redis does.
func TestReplReplicaWithDataLoadsAfterTheTransfer(t *testing.T) {
	w, _, b := stagingWorld(t, "20000", true)
	loader := b.Node.repl.loader.(*rdbSnapshotLoader)
	sawTransfer := false
	for i := 0; i < 1_000_000 && infoField(b.Node, "master_link_status") != "up"; i++ {
		w.Step()
		if b.Node.repl.state == linkTransfer && !b.Node.loading {
			sawTransfer = true
			require.Nil(t, loader.staged)
			require.Nil(t, loader.feed)
			require.Equal(t, 1, b.Node.ks.Keys(), "the old dataset is served during the transfer")
		}
	}
	require.True(t, sawTransfer)
	require.Equal(t, "up", infoField(b.Node, "master_link_status"))
	assert.Equal(t, 20000, b.Node.ks.Keys())
}

// A payload that turns out damaged while it arrives fails the sync at once:
// the temporary file is removed; a disk load's staged keys are dropped (the
// dataset is left as it was), a socket load's keys, which went straight
// into the emptied dataset, are removed (Redis empties it as well).
func TestReplPayloadDamagedMidwayFailsCleanly(t *testing.T) {
	// The type byte of the 500th key becomes one that is none.
	var damaged bytes.Buffer
	e := rdb.NewEncoder(&damaged, rdb.DefaultEncoderOptions())
	at := -1
	for i := 0; i < 1000; i++ {
		if i == 499 {
			require.NoError(t, e.Flush())
			at = damaged.Len()
		}
		require.NoError(t, e.WriteKey([]byte("key:"+strconv.Itoa(i)), rdb.KeyMeta{}, rdb.String("value")))
	}
	require.NoError(t, e.Close())
	damaged.Bytes()[at] = 200

	for _, toParser := range []bool{false, true} {
		tn := newTestNode(t)
		l := tn.n.repl.loader.(*rdbSnapshotLoader)
		if toParser {
			tn.n.replPrepareLoad() // as the node does first: empty, LOADING
			require.True(t, tn.n.loading)
		}
		payload := damaged.Bytes()
		require.NoError(t, l.Begin(LoadHeader{Size: int64(len(payload)), ToParser: toParser, Offset: -1}))
		var err error
		for off := 0; off < len(payload) && err == nil; off += 100 {
			err = l.Write(payload[off:min(off+100, len(payload))])
			for err == nil && l.Loading() {
				l.Step()
			}
		}
		require.Error(t, err, "toParser=%v", toParser)
		var le replLoadError
		require.True(t, errors.As(err, &le))
		where := "disk"
		if toParser {
			where = "socket"
		}
		assert.Contains(t, err.Error(), "Failed trying to load the MASTER synchronization DB from "+where)
		assert.Contains(t, err.Error(), "unknown type byte 200")
		if !toParser {
			assert.Greater(t, l.staged.Keys(), 0, "keys before the damage were staged")
		} else {
			assert.Greater(t, tn.n.ks.Keys(), 0, "keys before the damage were loaded")
		}
		l.Abort()
		assert.Equal(t, 0, tn.n.ks.Keys())
		assert.False(t, tn.n.loading, "still LOADING after the sync failed")
		assert.Empty(t, tn.rt.Files.Names(), "files left behind")
	}
}
