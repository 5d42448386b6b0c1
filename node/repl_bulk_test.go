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
// them until they are written: a chunk changed before it is drained shows
// as wrong bytes.
type heldChunksRuntime struct {
	*MemRuntime
	held   map[ConnID][][]byte
	arrays map[*byte]bool // the distinct buffers of full payload chunks handed over
}

func (r *heldChunksRuntime) pending(c ConnID) int {
	n := 0
	for _, p := range r.held[c] {
		n += len(p)
	}
	return n
}

func (r *heldChunksRuntime) Send(c ConnID, p []byte) int {
	if len(p) > 0 {
		r.held[c] = append(r.held[c], append([]byte(nil), p...))
	}
	return r.pending(c)
}

func (r *heldChunksRuntime) SendChunks(c ConnID, chunks [][]byte) int {
	for _, p := range chunks {
		if len(p) > 0 {
			r.held[c] = append(r.held[c], p)
			if len(p) == bulkChunk {
				r.arrays[unsafe.SliceData(p)] = true
			}
		}
	}
	return r.pending(c)
}

func (r *heldChunksRuntime) drain(c ConnID) []byte {
	b := bytes.Join(r.held[c], nil)
	delete(r.held, c)
	return b
}

// A disk payload is read from the file into a few chunks that the runtime
// writes without a copy, and that are reused only once written: the
// transfer's memory does not grow with the file.
func TestReplDiskPayloadReusesWrittenChunks(t *testing.T) {
	rt := &heldChunksRuntime{
		MemRuntime: NewMemRuntime(1, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)),
		held:       map[ConnID][][]byte{},
		arrays:     map[*byte]bool{},
	}
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
