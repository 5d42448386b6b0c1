package node

import (
	"bytes"
	"strconv"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"replab/resp"
)

// heldChunksRuntime is a MemRuntime whose SendChunks keeps the chunks by
// reference until the test drains the connection, as the TCP driver keeps
// them until they are written; a chunk changed while held is reported.
type heldChunksRuntime struct {
	*MemRuntime
	t      *testing.T
	held   map[ConnID][]heldChunk
	arrays map[*byte]bool // the distinct buffers of full payload chunks handed over
}

type heldChunk struct {
	p, copy []byte // the chunk, and its bytes when it was handed over
}

func newHeldChunksRuntime(t *testing.T) *heldChunksRuntime {
	return &heldChunksRuntime{
		MemRuntime: NewMemRuntime(1, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)),
		t:          t,
		held:       map[ConnID][]heldChunk{},
		arrays:     map[*byte]bool{},
	}
}

func (r *heldChunksRuntime) pending(c ConnID) int {
	n := 0
	for _, h := range r.held[c] {
		n += len(h.p)
	}
	return n
}

func (r *heldChunksRuntime) Send(c ConnID, p []byte) int {
	if len(p) > 0 {
		cp := append([]byte(nil), p...)
		r.held[c] = append(r.held[c], heldChunk{cp, cp})
	}
	return r.pending(c)
}

func (r *heldChunksRuntime) SendChunks(c ConnID, chunks [][]byte) int {
	for _, p := range chunks {
		if len(p) > 0 {
			r.held[c] = append(r.held[c], heldChunk{p, append([]byte(nil), p...)})
			if len(p) == bulkChunk {
				r.arrays[unsafe.SliceData(p)] = true
			}
		}
	}
	return r.pending(c)
}

// check reports the chunks held for c that changed since they were handed
// over.
func (r *heldChunksRuntime) check(c ConnID) {
	for i, h := range r.held[c] {
		if !bytes.Equal(h.p, h.copy) {
			r.t.Errorf("connection %d: chunk %d was changed while the runtime held it", c, i)
			return
		}
	}
}

// drain "writes" what c holds: the bytes, after checking them.
func (r *heldChunksRuntime) drain(c ConnID) []byte {
	r.check(c)
	var b []byte
	for _, h := range r.held[c] {
		b = append(b, h.p...)
	}
	delete(r.held, c)
	return b
}

// A disk payload is read from the file into a few chunks that the runtime
// writes without a copy, and that are reused only once written: the
// transfer's memory does not grow with the file.
func TestReplDiskPayloadReusesWrittenChunks(t *testing.T) {
	rt := newHeldChunksRuntime(t)
	cfg := DefaultConfig()
	require.NoError(t, cfg.LoadString(ArgsToConfig([]string{"--enable-debug-command", "yes", "--rdbcompression", "no"}), nil))
	n := New(cfg, rt)
	n.Start()
	n.Accept(1, ConnInfo{Remote: "127.0.0.1:5000", Local: "127.0.0.1:6379"})
	n.Receive(1, resp.EncodeCommand(nil, "DEBUG", "POPULATE", "200000"))
	require.Equal(t, "+OK\r\n", string(rt.drain(1)))

	n.Receive(1, resp.EncodeCommand(nil, "SYNC"))
	var out []byte
	size := -1
	for i := 0; i < 100000; i++ {
		rt.Advance(n, time.Millisecond)
		out = append(out, rt.drain(1)...)
		if size < 0 {
			out = bytes.TrimLeft(out, "\n") // keepalives while the dump is written
			if nl := bytes.IndexByte(out, '\n'); nl > 0 && out[0] == '$' {
				var err error
				size, err = strconv.Atoi(string(out[1 : nl-1]))
				require.NoError(t, err)
				out = out[nl+1:]
			}
		}
		if size >= 0 && len(out) >= size {
			break
		}
	}
	require.Greater(t, size, 0, "no payload: %q %v", out[:min(len(out), 100)], rt.Logs)
	dump, err := rt.Files.ReadAll(cfg.DBFilename)
	require.NoError(t, err)
	require.Equal(t, len(dump), size)
	require.GreaterOrEqual(t, len(out), size)
	assert.True(t, bytes.Equal(dump, out[:size]), "the payload differs from the dump")

	require.Greater(t, size, 4*replWindow, "the dump must be several windows long")
	assert.NotEmpty(t, rt.arrays, "the payload was copied, not handed over in chunks")
	assert.LessOrEqual(t, len(rt.arrays), replWindow/bulkChunk+1, "chunk buffers for a %d-byte payload", size)
}

// A diskless payload goes to every replica in chunks they share, each
// reused once all have written it; a replica dropped during the transfer
// may still be writing the chunks it was lent, so those are never reused.
func TestReplDisklessPayloadSharesAndReusesChunks(t *testing.T) {
	rt := newHeldChunksRuntime(t)
	cfg := DefaultConfig()
	require.NoError(t, cfg.LoadString(ArgsToConfig([]string{"--enable-debug-command", "yes", "--rdbcompression", "no",
		"--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "1"}), nil))
	n := New(cfg, rt)
	n.Start()
	n.Accept(1, ConnInfo{Remote: "127.0.0.1:5000", Local: "127.0.0.1:6379"})
	n.Receive(1, resp.EncodeCommand(nil, "DEBUG", "POPULATE", "200000"))
	require.Equal(t, "+OK\r\n", string(rt.drain(1)))

	replicas := []ConnID{2, 3, 4}
	for _, id := range replicas {
		n.Accept(id, ConnInfo{Remote: "127.0.0.1:500" + strconv.Itoa(int(id)), Local: "127.0.0.1:6379"})
		n.Receive(id, resp.EncodeCommand(nil, "REPLCONF", "capa", "eof", "capa", "psync2"))
		n.Receive(id, resp.EncodeCommand(nil, "PSYNC", "?", "-1"))
	}
	const dropped = ConnID(4)
	out := map[ConnID][]byte{}
	done := func(id ConnID) bool {
		b := out[id]
		i := bytes.Index(b, []byte("$EOF:"))
		return i >= 0 && len(b) > i+5+40 && bytes.HasSuffix(b, b[i+5:i+45])
	}
	gone := false
	for i := 0; i < 100000 && !(done(2) && done(3)); i++ {
		rt.Advance(n, time.Millisecond)
		for _, id := range replicas[:2] {
			out[id] = append(out[id], rt.drain(id)...)
		}
		if !gone && len(out[2]) > replWindow {
			// The third replica goes away with its chunks unwritten.
			n.Closed(dropped)
			gone = true
		}
	}
	require.True(t, done(2) && done(3), "the transfer did not end")
	require.True(t, gone)
	rt.check(dropped)
	require.NotEmpty(t, rt.held[dropped], "the dropped replica held nothing: the test proves nothing")

	var payloads [][]byte
	for _, id := range replicas[:2] {
		b := out[id]
		i := bytes.Index(b, []byte("$EOF:"))
		mark := b[i+5 : i+45]
		payload := b[i+47 : len(b)-40]
		payloads = append(payloads, payload)
		require.False(t, bytes.Contains(payload, mark))
		assert.Len(t, payloadKeys(t, payload), 200000)
	}
	if !bytes.Equal(payloads[0], payloads[1]) {
		k := 0
		for k < min(len(payloads[0]), len(payloads[1])) && payloads[0][k] == payloads[1][k] {
			k++
		}
		t.Fatalf("payloads differ: lengths %d and %d, first difference at %d: %q vs %q", len(payloads[0]), len(payloads[1]), k, payloads[0][:k+20], payloads[1][:k+20])
	}
	require.Greater(t, len(payloads[0]), 4*replWindow)
	assert.NotEmpty(t, rt.arrays, "the payload was copied, not lent in chunks")
	assert.LessOrEqual(t, len(rt.arrays), 2*(replWindow/bulkChunk+1), "chunk buffers for a %d-byte payload", len(payloads[0]))
}
