package rdb

import (
	"bytes"
	"encoding/binary"
	"math"

	"replab/internal/listpack"
	"replab/internal/num"
)

// Stream storage (t_stream.c): the entries live in listpack "nodes" keyed by
// a 16-byte big-endian master ID. A node starts with a master entry
//
//	count | deleted | num-fields | field_1 ... field_N | 0
//
// followed by count+deleted entries, each
//
//	flags | ms-delta | seq-delta | [num-fields | field_1 ...] value_1 ... | lp-count
//
// where the fields are omitted when flags has SAMEFIELDS (they are the
// master fields), the ID is the master ID plus the deltas, and lp-count is
// the number of listpack elements of the entry minus one.

const (
	streamFlagDeleted    = 1
	streamFlagSameFields = 2
	// streamListpackMaxSize is STREAM_LISTPACK_MAX_SIZE.
	streamListpackMaxSize = 1 << 30
)

func encodeStreamID(dst []byte, id StreamID) []byte {
	dst = binary.BigEndian.AppendUint64(dst, id.Ms)
	return binary.BigEndian.AppendUint64(dst, id.Seq)
}

func decodeStreamID(p []byte) StreamID {
	return StreamID{Ms: binary.BigEndian.Uint64(p), Seq: binary.BigEndian.Uint64(p[8:])}
}

// elemInt returns the integer value of a listpack element that must hold
// one (an integer encoding, or a string string2ll accepts).
func elemInt(e Elem) (int64, bool) {
	if e.IsInt {
		return e.Int, true
	}
	return num.ParseInt(e.Str)
}

// streamNodeParser walks one node listpack.
type streamNodeParser struct {
	it *listpack.Iterator
}

func (sp *streamNodeParser) elem(what string) (Elem, error) {
	e, ok, err := sp.it.Next()
	if err != nil {
		return Elem{}, listpackCorrupt(err)
	}
	if !ok {
		return Elem{}, corruptf("stream listpack ends before its %s", what)
	}
	return Elem(e), nil
}

func (sp *streamNodeParser) int(what string) (int64, error) {
	e, err := sp.elem(what)
	if err != nil {
		return 0, err
	}
	v, ok := elemInt(e)
	if !ok {
		return 0, corruptf("stream listpack %s is not an integer", what)
	}
	return v, nil
}

// parseStreamNode validates a node (as Redis's deep stream listpack check
// does, plus consistency of the live and deleted counts and ID order) and
// calls fn on each live entry. prev is the greatest ID seen so far in the
// stream (entries must be above it unless first is set); it returns the
// greatest ID in this node.
func parseStreamNode(master StreamID, lp []byte, prev StreamID, first bool, fn func(StreamEntry) error) (StreamID, error) {
	it, err := listpack.NewIterator(lp)
	if err != nil {
		return prev, listpackCorrupt(err)
	}
	sp := &streamNodeParser{it: &it}
	if lp[listpack.HeaderSize] == listpack.End {
		return prev, corruptf("empty listpack inside stream")
	}
	live, err := sp.int("entry count")
	if err != nil {
		return prev, err
	}
	deleted, err := sp.int("deleted count")
	if err != nil {
		return prev, err
	}
	nMaster, err := sp.int("master field count")
	if err != nil {
		return prev, err
	}
	rest := int64(len(lp))
	if live < 0 || deleted < 0 || nMaster < 0 || live > rest || deleted > rest || nMaster > rest {
		return prev, corruptf("stream listpack has bad counts")
	}
	masterFields := make([][]byte, nMaster)
	for i := range masterFields {
		e, err := sp.elem("master fields")
		if err != nil {
			return prev, err
		}
		masterFields[i] = e.AppendTo(nil)
	}
	if z, err := sp.int("master terminator"); err != nil {
		return prev, err
	} else if z != 0 {
		return prev, corruptf("stream master entry is not terminated by 0")
	}
	if !first && master.Compare(prev) <= 0 {
		return prev, corruptf("stream node %s is not after the previous one", master)
	}
	var seenLive, seenDeleted int64
	for i := int64(0); i < live+deleted; i++ {
		flags, err := sp.int("entry flags")
		if err != nil {
			return prev, err
		}
		msd, err := sp.int("entry ID")
		if err != nil {
			return prev, err
		}
		seqd, err := sp.int("entry ID")
		if err != nil {
			return prev, err
		}
		id := StreamID{Ms: master.Ms + uint64(msd), Seq: master.Seq + uint64(seqd)}
		if (!first || i > 0) && id.Compare(prev) <= 0 {
			return prev, corruptf("stream entry %s is not after %s", id, prev)
		}
		if id.Compare(master) < 0 {
			return prev, corruptf("stream entry %s is before its node's master ID %s", id, master)
		}
		prev = id
		n := nMaster
		extra := int64(3)
		var fields [][]byte
		if flags&streamFlagSameFields == 0 {
			n, err = sp.int("entry field count")
			if err != nil {
				return prev, err
			}
			if n < 0 || n > rest {
				return prev, corruptf("stream entry has a bad field count")
			}
			extra += n + 1
		} else {
			fields = masterFields
		}
		del := flags&streamFlagDeleted != 0
		var entry StreamEntry
		if !del && fn != nil {
			entry = StreamEntry{ID: id, Fields: make([]StreamField, 0, min(n, 1024))}
		}
		if fields == nil {
			// field and value interleaved
			for j := int64(0); j < n; j++ {
				f, err := sp.elem("entry fields")
				if err != nil {
					return prev, err
				}
				v, err := sp.elem("entry values")
				if err != nil {
					return prev, err
				}
				if !del && fn != nil {
					entry.Fields = append(entry.Fields, StreamField{Field: f.Bytes(), Value: v.Bytes()})
				}
			}
		} else {
			for j := int64(0); j < n; j++ {
				v, err := sp.elem("entry values")
				if err != nil {
					return prev, err
				}
				if !del && fn != nil {
					entry.Fields = append(entry.Fields, StreamField{Field: bytes.Clone(fields[j]), Value: v.Bytes()})
				}
			}
		}
		lpCount, err := sp.int("entry lp-count")
		if err != nil {
			return prev, err
		}
		if lpCount != n+extra {
			return prev, corruptf("stream entry lp-count is %d, expected %d", lpCount, n+extra)
		}
		if del {
			seenDeleted++
			continue
		}
		seenLive++
		if fn != nil {
			if err := fn(entry); err != nil {
				return prev, err
			}
		}
	}
	if _, ok, err := it.Next(); err != nil {
		return prev, listpackCorrupt(err)
	} else if ok {
		return prev, corruptf("stream listpack has elements after its last entry")
	}
	if err := it.Finish(); err != nil {
		return prev, listpackCorrupt(err)
	}
	if seenLive != live || seenDeleted != deleted {
		return prev, corruptf("stream listpack counts %d live and %d deleted entries, found %d and %d", live, deleted, seenLive, seenDeleted)
	}
	return prev, nil
}

// streamNodeBuilder packs entries into nodes exactly as XADD would fill
// them on an empty stream with the given limits (stream-node-max-bytes and
// stream-node-max-entries).
type streamNodeBuilder struct {
	maxBytes   int
	maxEntries int

	open         bool
	master       StreamID
	masterFields [][]byte
	count        int64
	rest         ListpackBuilder // the node without its first element (count)
}

func newStreamNodeBuilder(maxBytes, maxEntries int) *streamNodeBuilder {
	if maxBytes <= 0 || maxBytes > streamListpackMaxSize {
		maxBytes = streamListpackMaxSize
	}
	return &streamNodeBuilder{maxBytes: maxBytes, maxEntries: maxEntries}
}

// size is lpBytes of the node as it stands.
func (b *streamNodeBuilder) size() int {
	return b.rest.Size() + listpack.IntEntryLen(b.count)
}

// add appends e; when e does not fit the open node, it first returns the
// finished node (its master ID and listpack) and opens a new one.
func (b *streamNodeBuilder) add(e StreamEntry) (flushed bool, key StreamID, lp []byte) {
	tot := 0
	for _, f := range e.Fields {
		tot += len(f.Field) + len(f.Value)
	}
	if b.open {
		full := b.size()+tot >= b.maxBytes ||
			(b.maxEntries > 0 && b.count >= int64(b.maxEntries))
		if full {
			key, lp = b.finish()
			flushed = true
		}
	}
	flags := int64(0)
	if !b.open {
		b.open = true
		b.master = e.ID
		b.count = 0
		b.rest.Reset()
		b.rest.AppendInt(0) // deleted
		b.rest.AppendInt(int64(len(e.Fields)))
		b.masterFields = b.masterFields[:0]
		for _, f := range e.Fields {
			b.rest.Append(f.Field)
			b.masterFields = append(b.masterFields, bytes.Clone(f.Field))
		}
		b.rest.AppendInt(0)
		flags = streamFlagSameFields
	} else if len(e.Fields) == len(b.masterFields) {
		same := true
		for i, f := range e.Fields {
			if !bytes.Equal(f.Field, b.masterFields[i]) {
				same = false
				break
			}
		}
		if same {
			flags = streamFlagSameFields
		}
	}
	b.count++
	b.rest.AppendInt(flags)
	b.rest.AppendInt(int64(e.ID.Ms - b.master.Ms))
	b.rest.AppendInt(int64(e.ID.Seq - b.master.Seq))
	n := int64(len(e.Fields))
	lpCount := n + 3
	if flags&streamFlagSameFields == 0 {
		b.rest.AppendInt(n)
		lpCount += n + 1
	}
	for _, f := range e.Fields {
		if flags&streamFlagSameFields == 0 {
			b.rest.Append(f.Field)
		}
		b.rest.Append(f.Value)
	}
	b.rest.AppendInt(lpCount)
	return flushed, key, lp
}

// finish closes the open node, if any, and returns it.
func (b *streamNodeBuilder) finish() (StreamID, []byte) {
	if !b.open {
		return StreamID{}, nil
	}
	b.open = false
	var out ListpackBuilder
	out.AppendInt(b.count)
	out.AppendBuilder(&b.rest)
	return b.master, out.Bytes()
}

// estimateEntriesRead is Redis 7.0's streamEstimateDistanceFromFirstEverEntry,
// used to give consumer groups of pre-7.0 files a logical read counter.
func estimateEntriesRead(s *Stream, id StreamID) int64 {
	if s.EntriesAdded == 0 {
		return 0
	}
	if s.Length == 0 && id.Compare(s.LastID) < 1 {
		return int64(s.EntriesAdded)
	}
	switch c := id.Compare(s.LastID); {
	case c == 0:
		return int64(s.EntriesAdded)
	case c > 0:
		return -1
	}
	cmpFirst := id.Compare(s.FirstID)
	if s.MaxDeletedID == (StreamID{}) || s.MaxDeletedID.Compare(s.FirstID) < 0 {
		if cmpFirst < 0 {
			return int64(s.EntriesAdded - s.Length)
		} else if cmpFirst == 0 {
			return int64(s.EntriesAdded - s.Length + 1)
		}
	}
	return -1
}

var maxStreamID = StreamID{Ms: math.MaxUint64, Seq: math.MaxUint64}
