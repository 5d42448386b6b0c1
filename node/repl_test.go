package node

import (
	"bytes"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"replab/rdb"
	"replab/resp"
)

func infoField(n *Node, field string) string {
	for _, l := range strings.Split(n.Info("everything"), "\r\n") {
		if name, v, ok := strings.Cut(l, ":"); ok && name == field {
			return v
		}
	}
	return ""
}

// An old-style SYNC (redis-cli --replica): no +FULLRESYNC line, a payload
// read from "disk" since the client announced no capa eof, then the stream.
func TestReplLegacySync(t *testing.T) {
	tn := newTestNode(t)
	tn.connect().do("SET", "before", "1")
	c := tn.connect()
	c.send("SYNC")
	tn.n.Tick() // the snapshot advances from Tick
	out := tn.rt.Take(c.id)
	require.True(t, bytes.HasPrefix(out, []byte("$")), "%q", out)
	nl := bytes.IndexByte(out, '\n')
	size, err := strconv.Atoi(string(out[1 : nl-1]))
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(out), nl+1+size)
	payload := out[nl+1 : nl+1+size]
	// The stream follows at once: here the PING of the replication cron.
	assert.Equal(t, "*1\r\n$4\r\nPING\r\n", string(out[nl+1+size:]))
	assert.Equal(t, []string{"before"}, payloadKeys(t, payload))
	assert.Equal(t, "1", infoField(tn.n, "sync_full"))
	assert.Equal(t, "0", infoField(tn.n, "sync_partial_err"))
	assert.Contains(t, infoField(tn.n, "slave0"), "state=online")

	w := tn.connect()
	w.do("SET", "k", "v")
	assert.Equal(t, "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n", string(tn.rt.Take(c.id)))
	// A SYNC replica sends no ACKs: it is never timed out.
	tn.rt.Advance(tn.n, 70*time.Second)
	assert.Equal(t, "1", infoField(tn.n, "connected_slaves"))
}

// deferredLoader completes a load only when released, from its Step, as
// an incremental loader would: meanwhile the replica is loading.
type deferredLoader struct {
	inner   SnapshotLoader
	done    func(LoadResult, error)
	release bool
	err     error
}

func (l *deferredLoader) Begin(h LoadHeader) error         { return l.inner.Begin(h) }
func (l *deferredLoader) Write(p []byte) error             { return l.inner.Write(p) }
func (l *deferredLoader) Abort()                           { l.inner.Abort() }
func (l *deferredLoader) End(done func(LoadResult, error)) { l.done = done }
func (l *deferredLoader) Step() {
	if !l.release || l.done == nil {
		return
	}
	done := l.done
	l.done = nil
	if err := l.err; err != nil {
		l.err = nil // once
		l.inner.Abort()
		done(LoadResult{}, err)
		return
	}
	l.inner.End(done)
}

func TestReplLoadingUntilTheLoaderIsDone(t *testing.T) {
	w := NewWorld(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	_, err := w.AddNode("a", "a:7001", 1, "--port", "7001", "--repl-diskless-sync-delay", "0")
	require.NoError(t, err)
	b, err := w.AddNode("b", "b:7002", 2, "--port", "7002", "--replicaof", "a", "7001")
	require.NoError(t, err)
	loader := &deferredLoader{inner: b.Node.repl.loader}
	b.Node.repl.loader = loader
	w.Run(10000)
	require.NotNil(t, loader.done, "the payload was not complete")
	assert.Equal(t, "1", infoField(b.Node, "loading"))
	assert.Equal(t, "1", infoField(b.Node, "master_sync_in_progress"))

	cb := w.Connect("b")
	v, _ := cb.Do("GET", "k")
	assert.Equal(t, "LOADING Redis is loading the dataset in memory", v.Str)
	// A sub-replica asking to sync gets LOADING and retries later.
	ca := w.Connect("a")
	v, _ = ca.Do("SET", "k", "v")
	assert.Equal(t, "OK", v.Str)
	w.Run(10000) // the stream arrives while loading: kept for later

	loader.release = true
	w.Advance(100 * time.Millisecond) // the next cron steps the loader
	assert.Equal(t, "0", infoField(b.Node, "loading"))
	assert.Equal(t, "up", infoField(b.Node, "master_link_status"))
	v, _ = cb.Do("GET", "k")
	assert.Equal(t, "v", v.Str)
	assert.Equal(t, infoField(w.Node("a").Node, "master_repl_offset"), infoField(b.Node, "master_repl_offset"))
}

func TestReplLoadFailureRetries(t *testing.T) {
	w := NewWorld(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	_, err := w.AddNode("a", "a:7001", 1, "--port", "7001", "--repl-diskless-sync-delay", "0")
	require.NoError(t, err)
	b, err := w.AddNode("b", "b:7002", 2, "--port", "7002", "--replicaof", "a", "7001")
	require.NoError(t, err)
	loader := &deferredLoader{inner: b.Node.repl.loader}
	b.Node.repl.loader = loader
	w.Run(10000)
	require.NotNil(t, loader.done)
	loader.release, loader.err = true, io.ErrUnexpectedEOF
	w.Advance(100 * time.Millisecond)
	assert.Contains(t, w.Log, "b # Failed trying to load the MASTER synchronization DB from disk: unexpected EOF")
	assert.Contains(t, w.Log, "b * Reconnecting to MASTER a:7001 after failure")
	assert.Equal(t, "up", infoField(b.Node, "master_link_status"))
	assert.Equal(t, "2", infoField(w.Node("a").Node, "sync_full"))
}

// plainRuntime hides the ChunkSender of a MemRuntime.
type plainRuntime struct{ *MemRuntime }

func (p plainRuntime) SendChunks() {} // not the ChunkSender signature

func TestReplSendChunksFallsBackToSend(t *testing.T) {
	rt := NewMemRuntime(1, time.Unix(0, 0))
	n := New(DefaultConfig(), plainRuntime{rt})
	_, ok := n.rt.(ChunkSender)
	require.False(t, ok)
	pending := n.sendChunks(7, [][]byte{[]byte("ab"), []byte("cd")})
	assert.Equal(t, 4, pending)
	assert.Equal(t, "abcd", string(rt.Take(7)))

	n2 := New(DefaultConfig(), rt)
	assert.Equal(t, 3, n2.sendChunks(8, [][]byte{[]byte("x"), []byte("yz")}))
	assert.Equal(t, "xyz", string(rt.Take(8)))
}

// A replica's applied stream is relayed byte for byte: the same bytes in
// its buffer as in its master's, whatever the commands.
func TestReplRelayedStreamIsIdentical(t *testing.T) {
	w := NewWorld(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	a, _ := w.AddNode("a", "a:7001", 1, "--port", "7001", "--repl-diskless-sync-delay", "0")
	b, _ := w.AddNode("b", "b:7002", 2, "--port", "7002", "--replicaof", "a", "7001")
	w.Run(10000)
	c := w.Connect("a")
	for i := 0; i < 50; i++ {
		c.Send("HSET", "h"+strconv.Itoa(i%7), "f", strings.Repeat("x", i*97))
		c.Send("SELECT", strconv.Itoa(i%3))
		c.Send("LPUSH", "l", "a", "b")
		c.Send("PEXPIRE", "l", "100000")
	}
	w.Advance(3 * time.Second)
	ab, bb := a.Node.repl.buf, b.Node.repl.buf
	require.Equal(t, ab.Offset(), bb.Offset())
	ra, err := ab.NewReader(ab.FirstByte())
	require.NoError(t, err)
	rb, err := bb.NewReader(ab.FirstByte())
	require.NoError(t, err)
	assert.Equal(t, bytes.Join(ra.Next(0), nil), bytes.Join(rb.Next(0), nil))
	ra.Close()
	rb.Close()
}

// The replica's ACK to GETACK carries the offset before the GETACK, and
// REPLCONF GETACK from another client makes it send an ACK too.
func TestReplGetAckFromAnotherClient(t *testing.T) {
	w := NewWorld(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	_, _ = w.AddNode("a", "a:7001", 1, "--port", "7001", "--repl-diskless-sync-delay", "0")
	_, _ = w.AddNode("b", "b:7002", 2, "--port", "7002", "--replicaof", "a", "7001")
	w.Run(10000)
	cb := w.Connect("b")
	cb.Send("REPLCONF", "GETACK", "*")
	assert.Empty(t, cb.Replies())
	assert.Equal(t, string(resp.EncodeCommand(nil, "REPLCONF", "ACK", "0")), string(w.InFlight("b", "a")))
}

func TestReplDisklessStuckReplicaTimesOut(t *testing.T) {
	old := replWindow
	replWindow = 64
	defer func() { replWindow = old }()
	w := NewWorld(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	a, err := w.AddNode("a", "a:7001", 1, "--port", "7001", "--repl-diskless-sync-delay", "0", "--repl-timeout", "3", "--enable-debug-command", "yes")
	require.NoError(t, err)
	ca := w.Connect("a")
	v, _ := ca.Do("DEBUG", "POPULATE", "5000")
	require.Equal(t, "OK", v.Str)
	_, err = w.AddNode("b", "b:7002", 2, "--port", "7002", "--replicaof", "a", "7001")
	require.NoError(t, err)
	// The replica reads nothing after the handshake: the payload fills
	// its connection, the snapshot waits, and after repl-timeout seconds
	// the master drops it.
	for i := 0; i < 100 && !strings.Contains(strings.Join(w.Log, "\n"), "Background RDB transfer started"); i++ {
		w.Step()
	}
	w.Hold("a", "b", true)
	w.Advance(5 * time.Second)
	assert.Contains(t, w.Log, "a # Disconnecting timedout replica (full sync): 127.0.0.1:7002")
	assert.Equal(t, "0", infoField(a.Node, "connected_slaves"))
}

// A replica's load of its master's payload is a bulk load for the runtime
// (the TCP driver turns the collector off meanwhile) once the node is
// loading, ended when the load completes and when the link is lost in the
// middle of it. An empty replica decoding the payload during the transfer
// keeps serving, with the collector on.
func TestReplPayloadLoadIsABulkLoad(t *testing.T) {
	defer func(k int64) { loadSliceKeys = k }(loadSliceKeys)
	loadSliceKeys = 100 // the payload loads over many ticks
	w := NewWorld(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	a, err := w.AddNode("a", "a:7001", 1, "--port", "7001", "--repl-diskless-sync-delay", "0", "--enable-debug-command", "yes")
	require.NoError(t, err)
	ca := w.Connect("a")
	v, _ := ca.Do("DEBUG", "POPULATE", "5000")
	require.Equal(t, "OK", v.Str)
	b, err := w.AddNode("b", "b:7002", 2, "--port", "7002", "--replicaof", "a", "7001")
	require.NoError(t, err)
	// bulk reports whether the runtime was last told of a bulk load.
	bulk := func() bool { return len(b.BulkLoads) > 0 && b.BulkLoads[len(b.BulkLoads)-1] }
	staged := false
	for i := 0; i < 100000 && infoField(b.Node, "master_link_status") != "up"; i++ {
		w.Step()
		if !b.Node.loading {
			require.False(t, bulk(), "the collector is off while the replica serves clients")
		}
		staged = staged || b.Node.repl.loader.(*rdbSnapshotLoader).staged != nil
	}
	require.Equal(t, "up", infoField(b.Node, "master_link_status"))
	require.True(t, staged, "the empty replica did not decode during the transfer")
	require.False(t, bulk())
	for i, on := range b.BulkLoads {
		require.Equal(t, i%2 == 0, on, "unbalanced bulk loads %v", b.BulkLoads)
	}
	assert.Empty(t, a.BulkLoads)

	// Another full sync, into a replica that holds data: it loads the file
	// after the transfer, and its link is cut while the payload loads.
	b.BulkLoads = nil
	cb := w.Connect("b")
	v, _ = cb.Do("REPLICAOF", "NO", "ONE")
	require.Equal(t, "OK", v.Str)
	ca.Do("SET", "diverge", "1")
	v, _ = cb.Do("SET", "diverge", "2") // no partial resync: b's history differs
	require.Equal(t, "OK", v.Str)
	v, _ = cb.Do("REPLICAOF", "a", "7001")
	require.Equal(t, "OK", v.Str)
	for i := 0; i < 10000 && !b.Node.loading; i++ {
		w.Step()
	}
	require.True(t, b.Node.loading, "the payload never started loading")
	assert.Equal(t, []bool{true}, b.BulkLoads)
	w.CutLinks("a", "b")
	w.Step()
	assert.Equal(t, []bool{true, false}, b.BulkLoads, "the abandoned load was not ended")
	assert.False(t, b.Node.loading)
	assert.Equal(t, 0, b.Node.ks.Keys(), "the half-loaded dataset is still served")
	// The replica syncs again.
	w.Advance(5 * time.Second)
	assert.Equal(t, "up", infoField(b.Node, "master_link_status"))
	assert.Equal(t, 5001, b.Node.ks.Keys())
}

// payloadKeys decodes an RDB payload (checksum included) and returns its
// keys in order.
func payloadKeys(t *testing.T, payload []byte) []string {
	t.Helper()
	d := rdb.NewDecoder(bytes.NewReader(payload), rdb.DecoderOptions{})
	var keys []string
	for {
		rec, err := d.Next()
		if err == io.EOF {
			return keys
		}
		require.NoError(t, err)
		if rec.Kind == rdb.RecordKey {
			keys = append(keys, string(rec.Key))
		}
	}
}
