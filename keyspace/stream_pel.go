package keyspace

import "sort"

// PEL is an ordered map from stream IDs to pending-entry records: the
// pending entries list of a consumer group or of one consumer. It is a
// sorted list of chunks of at most pelChunkMax entries, so that a lookup,
// an insertion or a deletion costs a binary search and a small copy, and a
// PEL of a million entries costs little more than its 24 bytes per entry.
//
// The zero PEL is empty and ready to use.
type PEL struct {
	chunks []*pelChunk
	n      int
}

type pelChunk struct {
	ids   []StreamID
	nacks []*StreamNACK
}

const pelChunkMax = 128

// Len returns the number of entries.
func (p *PEL) Len() int { return p.n }

// chunkFor returns the index of the chunk that holds id or would hold it:
// the first chunk whose last ID is >= id, or the last chunk.
func (p *PEL) chunkFor(id StreamID) int {
	i := sort.Search(len(p.chunks), func(i int) bool {
		c := p.chunks[i]
		return c.ids[len(c.ids)-1].Compare(id) >= 0
	})
	if i == len(p.chunks) {
		i--
	}
	return i
}

// Get returns the record of id, or nil.
func (p *PEL) Get(id StreamID) *StreamNACK {
	if p.n == 0 {
		return nil
	}
	c := p.chunks[p.chunkFor(id)]
	j := sort.Search(len(c.ids), func(j int) bool { return c.ids[j].Compare(id) >= 0 })
	if j < len(c.ids) && c.ids[j] == id {
		return c.nacks[j]
	}
	return nil
}

// Insert adds id with its record. It reports false (and changes nothing)
// when id is already present.
func (p *PEL) Insert(id StreamID, nack *StreamNACK) bool {
	if p.n == 0 {
		p.chunks = append(p.chunks, &pelChunk{ids: []StreamID{id}, nacks: []*StreamNACK{nack}})
		p.n = 1
		return true
	}
	ci := p.chunkFor(id)
	c := p.chunks[ci]
	j := sort.Search(len(c.ids), func(j int) bool { return c.ids[j].Compare(id) >= 0 })
	if j < len(c.ids) && c.ids[j] == id {
		return false
	}
	c.ids = append(c.ids, StreamID{})
	copy(c.ids[j+1:], c.ids[j:])
	c.ids[j] = id
	c.nacks = append(c.nacks, nil)
	copy(c.nacks[j+1:], c.nacks[j:])
	c.nacks[j] = nack
	p.n++
	if len(c.ids) > pelChunkMax {
		half := len(c.ids) / 2
		right := &pelChunk{
			ids:   append([]StreamID(nil), c.ids[half:]...),
			nacks: append([]*StreamNACK(nil), c.nacks[half:]...),
		}
		clear(c.nacks[half:])
		c.ids = c.ids[:half:half]
		c.nacks = c.nacks[:half:half]
		p.chunks = append(p.chunks, nil)
		copy(p.chunks[ci+2:], p.chunks[ci+1:])
		p.chunks[ci+1] = right
	}
	return true
}

// Delete removes id and returns its record, or nil when it is absent.
func (p *PEL) Delete(id StreamID) *StreamNACK {
	if p.n == 0 {
		return nil
	}
	ci := p.chunkFor(id)
	c := p.chunks[ci]
	j := sort.Search(len(c.ids), func(j int) bool { return c.ids[j].Compare(id) >= 0 })
	if j == len(c.ids) || c.ids[j] != id {
		return nil
	}
	nack := c.nacks[j]
	c.ids = append(c.ids[:j], c.ids[j+1:]...)
	copy(c.nacks[j:], c.nacks[j+1:])
	c.nacks[len(c.nacks)-1] = nil
	c.nacks = c.nacks[:len(c.nacks)-1]
	p.n--
	switch {
	case len(c.ids) == 0:
		copy(p.chunks[ci:], p.chunks[ci+1:])
		p.chunks[len(p.chunks)-1] = nil
		p.chunks = p.chunks[:len(p.chunks)-1]
	case len(c.ids) < pelChunkMax/4 && ci+1 < len(p.chunks) && len(c.ids)+len(p.chunks[ci+1].ids) <= pelChunkMax/2:
		// Merge a sparse chunk into its successor, so that deletions do
		// not leave a long list of tiny chunks.
		next := p.chunks[ci+1]
		c.ids = append(c.ids, next.ids...)
		c.nacks = append(c.nacks, next.nacks...)
		copy(p.chunks[ci+1:], p.chunks[ci+2:])
		p.chunks[len(p.chunks)-1] = nil
		p.chunks = p.chunks[:len(p.chunks)-1]
	}
	return nack
}

// First returns the smallest entry.
func (p *PEL) First() (StreamID, *StreamNACK, bool) {
	if p.n == 0 {
		return StreamID{}, nil, false
	}
	c := p.chunks[0]
	return c.ids[0], c.nacks[0], true
}

// Last returns the greatest entry.
func (p *PEL) Last() (StreamID, *StreamNACK, bool) {
	if p.n == 0 {
		return StreamID{}, nil, false
	}
	c := p.chunks[len(p.chunks)-1]
	return c.ids[len(c.ids)-1], c.nacks[len(c.nacks)-1], true
}

// Seek returns the first entry whose ID is >= id.
func (p *PEL) Seek(id StreamID) (StreamID, *StreamNACK, bool) {
	if p.n == 0 {
		return StreamID{}, nil, false
	}
	ci := p.chunkFor(id)
	c := p.chunks[ci]
	j := sort.Search(len(c.ids), func(j int) bool { return c.ids[j].Compare(id) >= 0 })
	if j == len(c.ids) {
		return StreamID{}, nil, false
	}
	return c.ids[j], c.nacks[j], true
}

// Ascend calls fn for the entries with ID >= from, in order, until fn
// returns false. fn must not change the PEL.
func (p *PEL) Ascend(from StreamID, fn func(id StreamID, nack *StreamNACK) bool) {
	if p.n == 0 {
		return
	}
	ci := p.chunkFor(from)
	c := p.chunks[ci]
	j := sort.Search(len(c.ids), func(j int) bool { return c.ids[j].Compare(from) >= 0 })
	for ; ci < len(p.chunks); ci++ {
		c = p.chunks[ci]
		for ; j < len(c.ids); j++ {
			if !fn(c.ids[j], c.nacks[j]) {
				return
			}
		}
		j = 0
	}
}
