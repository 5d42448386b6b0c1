package replication

import (
	"errors"
	"sort"
)

// BlockSize is the capacity of one block of the replication buffer, Redis's
// PROTO_REPLY_CHUNK_BYTES. Blocks are allocated once with this capacity and
// never reallocated.
const BlockSize = 16 * 1024

// BlockOverhead is what Redis counts per block on top of its payload in
// mem_total_replication_buffers (its block header and list node: 40 + 24
// bytes on 64-bit builds).
const BlockOverhead = 64

// MinBacklogSize is the smallest effective repl-backlog-size; Redis raises
// smaller settings to it (CONFIG_REPL_BACKLOG_MIN_SIZE).
const MinBacklogSize = 16 * 1024

// ErrNotCovered is returned by NewReader for an offset outside the window
// [FirstByte, Offset+1].
var ErrNotCovered = errors.New("replication: offset not covered by the backlog")

// block is a run of consecutive stream bytes. data[:len(data)] never changes
// once written; appends only extend len(data) up to cap(data) == BlockSize.
type block struct {
	start int64 // stream offset of data[0]
	data  []byte
}

func (k *block) end() int64 { return k.start + int64(len(k.data)) } // offset just past the last byte

// Buffer is the replication buffer of one node: the bytes of the replication
// stream it produced (as a master) or relayed (as a replica), stored once and
// shared by the backlog and by every replica's output (a Reader).
//
// Offsets are Redis's: the stream's bytes are numbered from 1 and Offset()
// is master_repl_offset, the number of the last byte appended. The backlog
// window is [FirstByte(), Offset()], HistLen() bytes long.
//
// Trimming follows Redis 7.0: whole blocks leave the front of the window, only
// while the window stays longer than Size() after the removal, never the last
// block, and never a block a Reader still has to hand out (so a lagging
// replica extends the window, and partial resynchronisation is accepted from
// as far back as any replica still reads). Redis trims at most 64 blocks per
// call and catches up in beforeSleep; Buffer trims eagerly on every change.
// Block boundaries differ from Redis's (its blocks follow write sizes and
// allocator classes), so FirstByte may differ from a real Redis's by less than
// a block; the rules are the same.
//
// A Buffer is not safe for concurrent use.
type Buffer struct {
	size    int64 // effective repl-backlog-size
	offset  int64 // master_repl_offset
	histlen int64
	blocks  []*block // oldest first; empty until the first Append
	readers []*Reader
}

// NewBuffer returns an empty buffer created when master_repl_offset was
// offset (Redis's createReplicationBacklog): Offset() == offset, FirstByte()
// == offset+1, HistLen() == 0. size is repl-backlog-size, raised to
// MinBacklogSize if smaller.
func NewBuffer(size, offset int64) *Buffer {
	return &Buffer{size: max(size, MinBacklogSize), offset: offset}
}

// Offset is master_repl_offset: the offset of the last byte appended (the
// creation offset when nothing was appended).
func (b *Buffer) Offset() int64 { return b.offset }

// HistLen is repl_backlog_histlen, the number of bytes in the backlog window.
func (b *Buffer) HistLen() int64 { return b.histlen }

// FirstByte is repl_backlog_first_byte_offset, the offset of the first byte
// of the window (Offset()+1 when the window is empty).
func (b *Buffer) FirstByte() int64 { return b.offset - b.histlen + 1 }

// Size is the effective repl-backlog-size.
func (b *Buffer) Size() int64 { return b.size }

// Resize sets repl-backlog-size, raised to MinBacklogSize as Redis does, trims
// the window accordingly and returns the effective size (the value CONFIG GET
// shows afterwards).
func (b *Buffer) Resize(size int64) int64 {
	b.size = max(size, MinBacklogSize)
	b.trim()
	return b.size
}

// Covers reports whether a replica asking to continue from offset (the first
// byte it lacks) can be served from the window: FirstByte() <= offset <=
// FirstByte()+HistLen(). The upper bound is Offset()+1: a replica that has
// everything gets an empty continuation.
func (b *Buffer) Covers(offset int64) bool {
	first := b.FirstByte()
	return offset >= first && offset <= first+b.histlen
}

// Append adds p to the stream. Offset() advances by len(p). p is copied;
// the caller keeps ownership of p.
func (b *Buffer) Append(p []byte) {
	for len(p) > 0 {
		n := len(b.blocks)
		if n == 0 || len(b.blocks[n-1].data) == BlockSize {
			b.blocks = append(b.blocks, &block{start: b.offset + 1, data: make([]byte, 0, BlockSize)})
			n++
		}
		tail := b.blocks[n-1]
		used := len(tail.data)
		c := copy(tail.data[used:BlockSize], p)
		tail.data = tail.data[:used+c]
		p = p[c:]
		b.offset += int64(c)
		b.histlen += int64(c)
	}
	b.trim()
}

// trim drops whole blocks from the front of the window while Redis's rules
// allow it (see Buffer).
func (b *Buffer) trim() {
	pinned := b.offset + 1 // lowest byte a reader still pins
	for _, r := range b.readers {
		pinned = min(pinned, r.pin())
	}
	drop := 0
	for len(b.blocks)-drop > 1 {
		first := b.blocks[drop]
		if first.end() > pinned {
			break
		}
		if b.histlen-int64(len(first.data)) <= b.size {
			break
		}
		b.histlen -= int64(len(first.data))
		b.blocks[drop] = nil
		drop++
	}
	if drop > 0 {
		b.blocks = b.blocks[drop:]
	}
}

// index returns the position in b.blocks of the block holding offset off,
// which must be in [b.blocks[0].start, b.offset].
func (b *Buffer) index(off int64) int {
	return sort.Search(len(b.blocks), func(i int) bool { return b.blocks[i].start > off }) - 1
}

// Memory is mem_total_replication_buffers (Redis's repl_buffer_mem): every
// live block counted at its capacity plus BlockOverhead.
func (b *Buffer) Memory() int64 {
	return int64(len(b.blocks)) * (BlockSize + BlockOverhead)
}

// BacklogMemory is mem_replication_backlog given the number of connected
// replicas: with replicas and more buffer memory than Size(), the backlog is
// counted at Size() and the excess is the replicas' (ReplicasMemory);
// otherwise all of Memory() is the backlog's. (Redis adds an estimate of its
// block index, a radix tree this package does not have.)
func (b *Buffer) BacklogMemory(replicas int) int64 {
	m := b.Memory()
	if replicas > 0 && m > b.size {
		return b.size
	}
	return m
}

// ReplicasMemory is the part of Memory() Redis counts in mem_clients_slaves
// given the number of connected replicas (see BacklogMemory).
func (b *Buffer) ReplicasMemory(replicas int) int64 {
	if m := b.Memory(); replicas > 0 && m > b.size {
		return m - b.size
	}
	return 0
}

// Readers is the number of open readers.
func (b *Buffer) Readers() int { return len(b.readers) }

// NewReader opens a reader whose first byte is from, which must be in
// [FirstByte(), Offset()+1] (Offset()+1 for a replica that starts with the
// bytes appended from now on, as after +FULLRESYNC <id> Offset()).
// The reader pins the blocks it has not handed out yet: the window cannot be
// trimmed past them until it advances or is closed.
func (b *Buffer) NewReader(from int64) (*Reader, error) {
	if !b.Covers(from) {
		return nil, ErrNotCovered
	}
	r := &Reader{b: b, pos: from}
	b.readers = append(b.readers, r)
	return r, nil
}

// Reader is one replica's view of the Buffer: the position of the next byte
// to hand to the replica's connection. It holds no copy of the bytes.
type Reader struct {
	b      *Buffer
	pos    int64 // offset of the next byte to hand out
	chunks [][]byte
	closed bool
}

// pin is the lowest offset whose block the reader keeps alive: the next byte
// to hand out or, when there is none yet, the last byte (so a caught-up reader
// pins the tail block, as in Redis).
func (r *Reader) pin() int64 { return min(r.pos, r.b.offset) }

// Offset is the offset of the next byte the reader will hand out.
func (r *Reader) Offset() int64 { return r.pos }

// Pending is the number of bytes appended but not yet handed out
// (Offset() of the buffer + 1 - Offset() of the reader).
func (r *Reader) Pending() int64 {
	if r.closed {
		return 0
	}
	return r.b.offset + 1 - r.pos
}

// Next returns views of up to max pending bytes, in order, without
// advancing (calling it again returns the same bytes). max <= 0 means no
// limit. The byte slices are read-only views into the buffer's blocks: their
// contents never change and they stay valid as long as the caller keeps them,
// even after the blocks leave the buffer; their capacity is clipped so an
// append cannot write into a block. The outer [][]byte is reused by the next
// call to Next.
func (r *Reader) Next(max int) [][]byte {
	r.chunks = r.chunks[:0]
	if r.closed {
		return nil
	}
	left := r.Pending()
	if max > 0 && int64(max) < left {
		left = int64(max)
	}
	if left <= 0 {
		return r.chunks
	}
	pos := r.pos
	for i := r.b.index(pos); left > 0 && i < len(r.b.blocks); i++ {
		k := r.b.blocks[i]
		lo := pos - k.start
		hi := min(int64(len(k.data)), lo+left)
		r.chunks = append(r.chunks, k.data[lo:hi:hi])
		left -= hi - lo
		pos += hi - lo
	}
	return r.chunks
}

// Advance records that the next n bytes were handed to the connection. n
// must not exceed Pending(); Advance panics otherwise (a caller bug).
// Blocks no reader needs any more may leave the window.
func (r *Reader) Advance(n int) {
	if n < 0 || int64(n) > r.Pending() {
		panic("replication: Reader.Advance beyond the pending bytes")
	}
	if n == 0 {
		return
	}
	r.pos += int64(n)
	r.b.trim()
}

// OutputMemory is the replica's output buffer memory as Redis computes it for
// client-output-buffer-limit and CLIENT LIST omem: from the start of the block
// holding its next byte to the end of the last block's capacity, plus
// BlockOverhead per block in that range. 0 when nothing is pending in any
// block (an empty buffer) or the reader is closed.
func (r *Reader) OutputMemory() int64 {
	if r.closed || len(r.b.blocks) == 0 {
		return 0
	}
	i := r.b.index(r.pin())
	last := r.b.blocks[len(r.b.blocks)-1]
	n := int64(len(r.b.blocks) - i)
	return last.start + BlockSize - r.b.blocks[i].start + n*BlockOverhead
}

// Close releases the reader; its blocks may leave the window. Closing twice
// is harmless.
func (r *Reader) Close() {
	if r.closed {
		return
	}
	r.closed = true
	rs := r.b.readers
	for i, x := range rs {
		if x == r {
			copy(rs[i:], rs[i+1:])
			rs[len(rs)-1] = nil
			r.b.readers = rs[:len(rs)-1]
			break
		}
	}
	r.b.trim()
	r.chunks = nil
}
