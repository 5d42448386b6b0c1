package node

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWorldRunsNodesAndClients(t *testing.T) {
	run := func(chunk int) []string {
		w := NewWorld(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		w.Chunk = chunk
		_, err := w.AddNode("a", "10.0.0.1:6379", 7)
		require.NoError(t, err)
		c := w.Connect("a")
		v, ok := c.Do("SET", "k", "v", "PX", "1500")
		require.True(t, ok)
		assert.Equal(t, "OK", v.Str)
		v, _ = c.Do("GET", "k")
		assert.Equal(t, "v", v.Str)
		w.Advance(2 * time.Second)
		v, _ = c.Do("GET", "k")
		assert.True(t, v.Null)
		v, _ = c.Do("RANDOMKEY")
		return append([]string{v.String()}, w.Log...)
	}
	// The same scenario, delivered whole or a byte at a time, produces the
	// same replies and the same log.
	assert.Equal(t, run(0), run(1))
}

func TestWorldDialAndCut(t *testing.T) {
	w := NewWorld(time.Unix(0, 0))
	a, _ := w.AddNode("a", "a:1", 1)
	_, _ = w.AddNode("b", "b:1", 2)
	got := &recordingLink{}
	id := a.Node.dial("b:1", got)
	w.Run(100)
	assert.True(t, got.up)
	a.Node.rt.Send(id, []byte("PING\r\n"))
	w.Run(100)
	assert.Equal(t, "+PONG\r\n", string(got.data))
	w.CutLinks("a", "b")
	assert.True(t, got.down)
	lost := &recordingLink{}
	a.Node.dial("nowhere:1", lost)
	w.Run(100)
	assert.Error(t, lost.err)
}

type recordingLink struct {
	up, down bool
	data     []byte
	err      error
}

func (l *recordingLink) connected(ConnInfo) { l.up = true }
func (l *recordingLink) failed(err error)   { l.err = err }
func (l *recordingLink) receive(p []byte)   { l.data = append(l.data, p...) }
func (l *recordingLink) closed()            { l.down = true }
