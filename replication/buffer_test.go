package replication

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func filled(n int, seed byte) []byte {
	p := make([]byte, n)
	for i := range p {
		p[i] = seed + byte(i*7)
	}
	return p
}

func readAll(r *Reader) []byte {
	return bytes.Join(r.Next(0), nil)
}

func TestBufferEmpty(t *testing.T) {
	b := NewBuffer(1<<20, 100)
	assert.Equal(t, int64(100), b.Offset())
	assert.Equal(t, int64(101), b.FirstByte())
	assert.Equal(t, int64(0), b.HistLen())
	assert.Equal(t, int64(1<<20), b.Size())
	assert.Equal(t, int64(0), b.Memory())
	assert.True(t, b.Covers(101), "a replica that has everything continues with nothing")
	assert.False(t, b.Covers(100))
	assert.False(t, b.Covers(102))
	r, err := b.NewReader(101)
	require.NoError(t, err)
	assert.Equal(t, int64(0), r.Pending())
	assert.Empty(t, r.Next(0))
	assert.Equal(t, int64(0), r.OutputMemory())
	_, err = b.NewReader(100)
	assert.ErrorIs(t, err, ErrNotCovered)
}

func TestBufferTable(t *testing.T) {
	const K = BlockSize
	cases := []struct {
		name      string
		size      int64
		appends   []int
		readerAt  int64 // 0 = no reader; offset of a reader opened before the appends
		first     int64
		histlen   int64
		blocks    int
		effective int64
	}{
		{name: "below the size nothing is trimmed", size: 4 * K, appends: []int{3 * K}, first: 1, histlen: 3 * K, blocks: 3, effective: 4 * K},
		{name: "whole blocks leave, the window stays above the size", size: K, appends: []int{3 * K}, first: K + 1, histlen: 2 * K, blocks: 2, effective: K},
		{name: "a partial tail keeps one more block", size: K, appends: []int{3*K + 10}, first: 2*K + 1, histlen: K + 10, blocks: 2, effective: K},
		{name: "small appends trim like one big one", size: K, appends: []int{K, K, K, 10}, first: 2*K + 1, histlen: K + 10, blocks: 2, effective: K},
		{name: "a size below the minimum is raised", size: 1, appends: []int{3 * K}, first: K + 1, histlen: 2 * K, blocks: 2, effective: MinBacklogSize},
		{name: "a reader at the start pins everything", size: K, appends: []int{5 * K}, readerAt: 1, first: 1, histlen: 5 * K, blocks: 5, effective: K},
		{name: "a reader in the third block pins from there", size: K, appends: []int{5 * K}, readerAt: 2*K + 5, first: 2*K + 1, histlen: 3 * K, blocks: 3, effective: K},
		{name: "a large size keeps everything", size: 1 << 30, appends: []int{10 * K, 7}, first: 1, histlen: 10*K + 7, blocks: 11, effective: 1 << 30},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := NewBuffer(c.size, 0)
			var r *Reader
			if c.readerAt != 0 {
				// Open the reader once its offset exists.
				var all []byte
				for _, n := range c.appends {
					all = append(all, filled(n, 1)...)
				}
				b.Append(all[:c.readerAt-1])
				var err error
				r, err = b.NewReader(c.readerAt)
				require.NoError(t, err)
				b.Append(all[c.readerAt-1:])
			} else {
				for _, n := range c.appends {
					b.Append(filled(n, 1))
				}
			}
			assert.Equal(t, c.effective, b.Size())
			assert.Equal(t, c.first, b.FirstByte())
			assert.Equal(t, c.histlen, b.HistLen())
			assert.Equal(t, c.blocks, len(b.blocks))
			assert.Equal(t, int64(c.blocks)*(BlockSize+BlockOverhead), b.Memory())
			if r != nil {
				r.Close()
				r.Close()
				assert.Equal(t, 0, b.Readers())
				assert.LessOrEqual(t, len(b.blocks), 2, "closing the reader lets the window shrink")
			}
		})
	}
}

func TestBufferResize(t *testing.T) {
	b := NewBuffer(10*BlockSize, 0)
	b.Append(filled(10*BlockSize, 3))
	assert.Equal(t, int64(1), b.FirstByte())
	assert.Equal(t, int64(MinBacklogSize), b.Resize(0))
	// The window keeps more than the size: two blocks.
	assert.Equal(t, int64(8*BlockSize+1), b.FirstByte())
	assert.Equal(t, int64(2*BlockSize), b.HistLen())
	assert.Equal(t, int64(1<<20), b.Resize(1<<20))
	assert.Equal(t, int64(2*BlockSize), b.HistLen(), "growing does not bring data back")
}

func TestBufferCovers(t *testing.T) {
	b := NewBuffer(BlockSize, 1000)
	b.Append(filled(3*BlockSize, 0)) // window [1000+BlockSize+1, 1000+3*BlockSize]
	first, last := b.FirstByte(), b.Offset()
	assert.Equal(t, int64(1000+BlockSize+1), first)
	assert.Equal(t, int64(1000+3*BlockSize), last)
	for off, want := range map[int64]bool{first - 1: false, first: true, last: true, last + 1: true, last + 2: false, 0: false, -1: false} {
		assert.Equal(t, want, b.Covers(off), "offset %d", off)
	}
}

func TestReaderChunks(t *testing.T) {
	b := NewBuffer(1<<20, 0)
	data := filled(3*BlockSize+100, 9)
	b.Append(data[:10])
	r, err := b.NewReader(5)
	require.NoError(t, err)
	b.Append(data[10:])
	assert.Equal(t, int64(len(data)-4), r.Pending())
	chunks := r.Next(0)
	require.Len(t, chunks, 4)
	assert.Equal(t, data[4:], bytes.Join(chunks, nil))
	assert.Len(t, chunks[0], BlockSize-4)
	assert.Equal(t, len(chunks[0]), cap(chunks[0]), "capacity clipped")

	got := r.Next(BlockSize)
	assert.Equal(t, data[4:4+BlockSize], bytes.Join(got, nil))
	require.Len(t, got, 2)
	assert.Equal(t, data[4:4+BlockSize], bytes.Join(r.Next(BlockSize), nil), "Next does not advance")

	// Appending to a handed-out chunk must not touch the buffer.
	c := r.Next(1)[0]
	_ = append(c, 'X', 'Y')
	assert.Equal(t, data[4:], readAll(r))

	r.Advance(BlockSize)
	assert.Equal(t, data[4+BlockSize:], readAll(r))
	assert.Panics(t, func() { r.Advance(int(r.Pending()) + 1) })
	assert.Panics(t, func() { r.Advance(-1) })
	r.Advance(int(r.Pending()))
	assert.Equal(t, int64(0), r.Pending())
	assert.Empty(t, r.Next(0))
	assert.Equal(t, int64(len(data)+1), r.Offset())
	r.Close()
	assert.Equal(t, int64(0), r.Pending())
	assert.Nil(t, r.Next(0))
	assert.Equal(t, int64(0), r.OutputMemory())
}

func TestReaderOutputMemory(t *testing.T) {
	b := NewBuffer(1<<20, 0)
	r, err := b.NewReader(1)
	require.NoError(t, err)
	b.Append(filled(2*BlockSize+1, 0))
	// Blocks 0, 1, 2 (one byte used): from block 0's start to the end of
	// block 2's capacity, plus the overhead of three blocks.
	assert.Equal(t, int64(3*BlockSize+3*BlockOverhead), r.OutputMemory())
	r.Advance(BlockSize + 5)
	assert.Equal(t, int64(2*BlockSize+2*BlockOverhead), r.OutputMemory())
	r.Advance(int(r.Pending()))
	assert.Equal(t, int64(BlockSize+BlockOverhead), r.OutputMemory(), "a caught-up reader still pins the tail block")
}

func TestBufferMemorySplit(t *testing.T) {
	b := NewBuffer(MinBacklogSize, 0)
	r, err := b.NewReader(1)
	require.NoError(t, err)
	b.Append(filled(4*BlockSize, 0))
	mem := b.Memory()
	assert.Equal(t, int64(4*(BlockSize+BlockOverhead)), mem)
	assert.Equal(t, mem, b.BacklogMemory(0), "without replicas it is all backlog")
	assert.Equal(t, int64(0), b.ReplicasMemory(0))
	assert.Equal(t, int64(MinBacklogSize), b.BacklogMemory(1))
	assert.Equal(t, mem-MinBacklogSize, b.ReplicasMemory(1))
	r.Close()
}

// TestBufferProperties drives a Buffer with random appends, readers,
// advances, closes and resizes, and checks it against a model byte slice
// after every step: offsets, the window's contents and trimming rules, every
// reader's pending bytes, and that chunks once returned never change.
func TestBufferProperties(t *testing.T) {
	type handed struct {
		chunk, copy []byte
	}
	for seed := uint64(1); seed <= 60; seed++ {
		rng := rand.New(rand.NewPCG(seed, 7))
		start := int64(rng.IntN(3)) * 1000
		b := NewBuffer(int64(rng.IntN(4*BlockSize)), start)
		var model []byte // every byte ever appended; model[i] has offset start+1+i
		var readers []*Reader
		var kept []handed
		check := func(step int, op string) {
			t.Helper()
			fail := func(format string, args ...any) {
				t.Helper()
				t.Fatalf("seed %d step %d (%s): "+format, append([]any{seed, step, op}, args...)...)
			}
			if b.Offset() != start+int64(len(model)) {
				fail("offset %d, want %d", b.Offset(), start+int64(len(model)))
			}
			if b.FirstByte()+b.HistLen() != b.Offset()+1 || b.HistLen() < 0 || b.HistLen() > int64(len(model)) {
				fail("window first %d histlen %d offset %d", b.FirstByte(), b.HistLen(), b.Offset())
			}
			// The blocks hold exactly the window, full except the tail.
			var win []byte
			for i, k := range b.blocks {
				if i < len(b.blocks)-1 && len(k.data) != BlockSize {
					fail("block %d not full", i)
				}
				if k.start != b.FirstByte()+int64(len(win)) {
					fail("block %d starts at %d", i, k.start)
				}
				win = append(win, k.data...)
			}
			if !bytes.Equal(win, model[b.FirstByte()-start-1:]) {
				fail("window content differs from the model")
			}
			if b.Memory() != int64(len(b.blocks))*(BlockSize+BlockOverhead) {
				fail("memory")
			}
			// Trimming is eager: no further block could go.
			pinned := b.Offset() + 1
			for _, r := range readers {
				pinned = min(pinned, r.pin())
			}
			if len(b.blocks) > 1 && b.blocks[0].end() <= pinned && b.HistLen()-int64(len(b.blocks[0].data)) > b.Size() {
				fail("the first block should have been trimmed")
			}
			for _, r := range readers {
				if r.Offset() < b.FirstByte() || r.Offset() > b.Offset()+1 {
					fail("reader at %d outside the window", r.Offset())
				}
				if r.Pending() != b.Offset()+1-r.Offset() {
					fail("pending")
				}
				if !bytes.Equal(readAll(r), model[r.Offset()-start-1:]) {
					fail("reader bytes differ from the model")
				}
			}
		}
		checkKept := func() {
			for i, h := range kept {
				if !bytes.Equal(h.chunk, h.copy) {
					t.Fatalf("seed %d: chunk %d changed after it was returned", seed, i)
				}
			}
		}
		for step := 0; step < 200; step++ {
			var op string
			switch x := rng.IntN(100); {
			case x < 40:
				op = "append"
				n := rng.IntN(3 * BlockSize / 2)
				if rng.IntN(4) == 0 {
					n = rng.IntN(40)
				}
				p := make([]byte, n)
				for i := range p {
					p[i] = byte(rng.Uint32())
				}
				b.Append(p)
				model = append(model, p...)
				for i := range p {
					p[i] = 0 // the caller reuses its slice: the buffer copied it
				}
			case x < 52:
				op = "new reader"
				if len(readers) < 4 {
					from := b.FirstByte() + rng.Int64N(b.HistLen()+1)
					r, err := b.NewReader(from)
					if err != nil {
						t.Fatalf("seed %d: NewReader(%d): %v", seed, from, err)
					}
					readers = append(readers, r)
				}
			case x < 85:
				op = "advance"
				if len(readers) > 0 {
					r := readers[rng.IntN(len(readers))]
					chunks := r.Next(rng.IntN(2*BlockSize) + 1)
					n := 0
					for _, c := range chunks {
						kept = append(kept, handed{c, bytes.Clone(c)})
						n += len(c)
					}
					r.Advance(rng.IntN(n + 1))
				}
			case x < 93:
				op = "close"
				if len(readers) > 0 {
					i := rng.IntN(len(readers))
					readers[i].Close()
					readers = append(readers[:i], readers[i+1:]...)
				}
			default:
				op = "resize"
				b.Resize(int64(rng.IntN(6 * BlockSize)))
			}
			if b.Readers() != len(readers) {
				t.Fatalf("seed %d: %d readers, want %d", seed, b.Readers(), len(readers))
			}
			check(step, op)
		}
		checkKept()
	}
}
