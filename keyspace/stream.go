package keyspace

import (
	"bytes"
	"errors"
	"math"
	"sort"
	"strconv"
	"unsafe"

	"replab/internal/listpack"
	"replab/internal/num"
)

// A stream is stored as Redis stores it: a sequence of nodes ordered by
// their master ID, each node a listpack (internal/listpack) holding up to
// stream-node-max-entries entries and about stream-node-max-bytes bytes.
// Redis keeps the nodes in a radix tree keyed by the master ID as 128-bit
// big-endian; replab keeps them in a slice sorted by master ID (appends go
// to the end, trimming takes from the front), and computes the radix-tree
// node count XINFO reports from the keys (raxNodeCount).
//
// A node's listpack starts with the master entry:
//
//	count | deleted | num-fields | field_1 ... field_N | 0
//
// where count is the number of live entries, deleted the number of entries
// flagged deleted (tombstones), and the fields are those of the first entry
// added to the node. Then come the entries, in insertion (ID) order:
//
//	flags | ms-diff | seq-diff | num-fields | field_1 | value_1 ... | lp-count
//
// or, when the entry has exactly the master entry's fields (flag
// SAMEFIELDS):
//
//	flags | ms-diff | seq-diff | value_1 ... value_N | lp-count
//
// ms-diff and seq-diff are the entry ID minus the master ID, part by part,
// with unsigned wrap-around; lp-count is the number of elements of the
// entry before it, so that the node can be walked backwards. Deleting an
// entry only sets its DELETED flag and updates count/deleted; a node whose
// last live entry is deleted is dropped.
//
// This is byte for byte Redis's layout, so that an RDB writer can emit the
// nodes unchanged and node-fullness (hence approximate trimming) matches.

// StreamID is a stream entry ID: milliseconds and sequence number.
type StreamID struct {
	Ms, Seq uint64
}

// MaxStreamID is the greatest possible ID ("+").
var MaxStreamID = StreamID{math.MaxUint64, math.MaxUint64}

// Compare returns -1, 0 or 1 as id is less than, equal to or greater than o.
func (id StreamID) Compare(o StreamID) int {
	switch {
	case id.Ms > o.Ms:
		return 1
	case id.Ms < o.Ms:
		return -1
	case id.Seq > o.Seq:
		return 1
	case id.Seq < o.Seq:
		return -1
	}
	return 0
}

// IsZero reports whether id is 0-0.
func (id StreamID) IsZero() bool { return id.Ms == 0 && id.Seq == 0 }

// Incr returns the ID after id; ok is false (and the result 0-0) when id is
// the greatest ID.
func (id StreamID) Incr() (StreamID, bool) {
	if id.Seq == math.MaxUint64 {
		if id.Ms == math.MaxUint64 {
			return StreamID{}, false
		}
		return StreamID{id.Ms + 1, 0}, true
	}
	return StreamID{id.Ms, id.Seq + 1}, true
}

// Decr returns the ID before id; ok is false (and the result the greatest
// ID) when id is 0-0.
func (id StreamID) Decr() (StreamID, bool) {
	if id.Seq == 0 {
		if id.Ms == 0 {
			return MaxStreamID, false
		}
		return StreamID{id.Ms - 1, math.MaxUint64}, true
	}
	return StreamID{id.Ms, id.Seq - 1}, true
}

// AppendTo appends "<ms>-<seq>" to b.
func (id StreamID) AppendTo(b []byte) []byte {
	b = strconv.AppendUint(b, id.Ms, 10)
	b = append(b, '-')
	return strconv.AppendUint(b, id.Seq, 10)
}

// String returns "<ms>-<seq>".
func (id StreamID) String() string {
	var buf [44]byte
	return string(id.AppendTo(buf[:0]))
}

// Key returns id as 16 big-endian bytes: the radix tree key of a node
// whose master ID is id, as RDB files store it.
func (id StreamID) Key() [16]byte {
	var k [16]byte
	for i := 0; i < 8; i++ {
		k[i] = byte(id.Ms >> (56 - 8*i))
		k[8+i] = byte(id.Seq >> (56 - 8*i))
	}
	return k
}

// parseUint64 parses a decimal uint64 as Redis's string2ull: a canonical
// non-negative int64, or else what C's strtoull accepts in base 10 (leading
// white space, an optional sign, digits, nothing after them; a '-' negates
// modulo 2^64), failing on overflow.
func parseUint64(b []byte) (uint64, bool) {
	if v, ok := num.ParseInt(b); ok {
		return uint64(v), v >= 0
	}
	i := 0
	for i < len(b) && (b[i] == ' ' || (b[i] >= '\t' && b[i] <= '\r')) {
		i++
	}
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	if i == len(b) {
		return 0, false
	}
	var v uint64
	for ; i < len(b); i++ {
		ch := b[i]
		if ch < '0' || ch > '9' {
			return 0, false
		}
		d := uint64(ch - '0')
		if v > (math.MaxUint64-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	if neg {
		v = -v
	}
	return v, true
}

// ParseStreamID parses a stream ID given by a client: "<ms>-<seq>", "<ms>"
// (the sequence is then missingSeq), and, unless strict, "-" and "+" for
// the smallest and greatest IDs. When allowSeqStar is set, "<ms>-*" is
// accepted and seqGiven reports false for it.
func ParseStreamID(b []byte, missingSeq uint64, strict, allowSeqStar bool) (id StreamID, seqGiven bool, ok bool) {
	if len(b) > 127 {
		return id, false, false
	}
	// Redis works on a C string: an embedded NUL ends it.
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	if len(b) == 1 && (b[0] == '-' || b[0] == '+') {
		if strict {
			return id, false, false
		}
		if b[0] == '-' {
			return StreamID{}, true, true
		}
		return MaxStreamID, true, true
	}
	msPart, seqPart, hasSeq := bytes.Cut(b, []byte{'-'})
	ms, ok := parseUint64(msPart)
	if !ok {
		return id, false, false
	}
	seq := missingSeq
	seqGiven = true
	if hasSeq {
		if allowSeqStar && len(seqPart) == 1 && seqPart[0] == '*' {
			seq = 0
			seqGiven = false
		} else if seq, ok = parseUint64(seqPart); !ok {
			return id, false, false
		}
	}
	return StreamID{ms, seq}, seqGiven, true
}

// Entry flags.
const (
	streamFlagDeleted    = 1 << 0
	streamFlagSameFields = 1 << 1
)

// streamListpackMaxSize caps a node whatever the configuration says.
const streamListpackMaxSize = 1 << 30

// streamListpackMaxPrealloc is the capacity a new node starts with.
const streamListpackMaxPrealloc = 4096

// Errors of Stream.Append.
var (
	// ErrStreamIDTooSmall: the ID is not greater than the stream's last ID.
	ErrStreamIDTooSmall = errors.New("stream ID equal or smaller than the top item")
	// ErrStreamTooLarge: the fields and values are too big for one node.
	ErrStreamTooLarge = errors.New("stream elements too large")
	// ErrStreamSeqExhausted: "<ms>-*" was asked for the milliseconds of the
	// last ID, whose sequence is already the greatest.
	ErrStreamSeqExhausted = errors.New("stream sequence exhausted")
)

type streamNode struct {
	master StreamID
	lp     []byte
}

// Stream is a stream value: its entries and consumer groups.
type Stream struct {
	nodes  []streamNode
	length uint64
	// LastID is the ID of the last entry ever added (or set by XSETID).
	LastID StreamID
	// FirstID is the ID of the first live entry (0-0 when empty).
	FirstID StreamID
	// MaxDeletedID is the greatest ID ever deleted by XDEL (or set by
	// XSETID).
	MaxDeletedID StreamID
	// EntriesAdded counts every entry ever added.
	EntriesAdded uint64
	groups       []*StreamGroup // by name
}

// NewStream returns an empty stream.
func NewStream() *Stream { return &Stream{} }

// NewStreamValue returns a Value holding s.
func NewStreamValue(s *Stream) Value { return pointerValue(KindStream, unsafe.Pointer(s)) }

// Stream returns the stream of a stream value.
func (v *Value) Stream() *Stream {
	if v.kind != KindStream {
		return nil
	}
	return (*Stream)(v.pointer())
}

// Len returns the number of live entries.
func (s *Stream) Len() uint64 { return s.length }

// NodeCount returns the number of nodes (XINFO's radix-tree-keys).
func (s *Stream) NodeCount() int { return len(s.nodes) }

// RaxNodeCount returns the number of nodes Redis's radix tree would have
// for the stream's node keys (XINFO's radix-tree-nodes). Redis keeps its
// tree maximally compressed across insertions and deletions, so the count
// depends only on the set of keys.
func (s *Stream) RaxNodeCount() int {
	if len(s.nodes) == 0 {
		return 1
	}
	keys := make([][16]byte, len(s.nodes))
	for i, nd := range s.nodes {
		keys[i] = nd.master.Key()
	}
	return raxNodeCount(keys, 0)
}

// raxNodeCount counts the radix tree nodes below the position depth for a
// sorted set of distinct 16-byte keys sharing their first depth bytes: a
// compressed node per single-child chain, a branching node per divergence
// and a leaf per key.
func raxNodeCount(keys [][16]byte, depth int) int {
	if len(keys) == 1 {
		if depth == 16 {
			return 1
		}
		return 2 // a compressed node for the rest, and the leaf
	}
	first, last := keys[0], keys[len(keys)-1]
	l := depth
	for l < 16 && first[l] == last[l] {
		l++
	}
	if l == 16 {
		return 1 // duplicate keys: cannot happen
	}
	n := 1 // the branching node
	if l > depth {
		n++ // the compressed chain before it
	}
	for i := 0; i < len(keys); {
		j := i + 1
		for j < len(keys) && keys[j][l] == keys[i][l] {
			j++
		}
		n += raxNodeCount(keys[i:j], l+1)
		i = j
	}
	return n
}

// ForEachNode calls fn with the master ID and listpack of every node, in
// order, until fn returns false. The listpack must not be changed (RDB
// writing).
func (s *Stream) ForEachNode(fn func(master StreamID, lp []byte) bool) {
	for _, nd := range s.nodes {
		if !fn(nd.master, nd.lp) {
			return
		}
	}
}

// AppendNode adds a node read from an RDB file after the existing ones,
// taking ownership of lp, and adds its live entries to the length. The
// caller validates the listpack (ValidateStreamNode) and the order.
func (s *Stream) AppendNode(master StreamID, lp []byte) {
	s.nodes = append(s.nodes, streamNode{master: master, lp: lp})
	if p := listpack.First(lp); p >= 0 {
		s.length += uint64(listpack.IntAt(lp, p))
	}
}

// ValidateStreamNode checks that lp is a well-formed stream node listpack
// (as Redis's deep integrity check does). It never panics.
func ValidateStreamNode(lp []byte) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	if len(lp) < listpack.HeaderSize+1 || listpack.TotalBytes(lp) != len(lp) || lp[len(lp)-1] != listpack.End {
		return false
	}
	// Walk the elements forward checking each stays inside the buffer.
	var elems []int
	for p := listpack.First(lp); p >= 0; {
		size := listpack.SizeAt(lp, p)
		end := p + size
		if size <= 1 || end > len(lp)-1 { // size <= 1: a length overflowing int
			return false
		}
		elems = append(elems, p)
		if lp[end] == listpack.End {
			if end != len(lp)-1 {
				return false
			}
			break
		}
		p = end
	}
	i := 0
	next := func() (int, bool) {
		if i >= len(elems) {
			return 0, false
		}
		i++
		return elems[i-1], true
	}
	getInt := func() (int64, bool) {
		p, ok := next()
		if !ok {
			return 0, false
		}
		_, v, isInt, _ := listpack.Decode(lp, p)
		return v, isInt
	}
	count, ok1 := getInt()
	deleted, ok2 := getInt()
	masterFields, ok3 := getInt()
	if !ok1 || !ok2 || !ok3 || count < 0 || deleted < 0 || masterFields < 0 {
		return false
	}
	for j := int64(0); j < masterFields; j++ {
		if _, ok := next(); !ok {
			return false
		}
	}
	if zero, ok := getInt(); !ok || zero != 0 {
		return false
	}
	for n := count + deleted; n > 0; n-- {
		flags, ok := getInt()
		if !ok {
			return false
		}
		if _, ok := getInt(); !ok {
			return false
		}
		if _, ok := getInt(); !ok {
			return false
		}
		fields, extra := masterFields, int64(3)
		if flags&streamFlagSameFields == 0 {
			if fields, ok = getInt(); !ok || fields < 0 {
				return false
			}
			for j := int64(0); j < fields; j++ {
				if _, ok := next(); !ok {
					return false
				}
			}
			extra += fields + 1
		}
		for j := int64(0); j < fields; j++ {
			if _, ok := next(); !ok {
				return false
			}
		}
		if c, ok := getInt(); !ok || c != fields+extra {
			return false
		}
	}
	return i == len(elems)
}

// nodeFor returns the index of the last node whose master ID is <= id, or
// -1.
func (s *Stream) nodeFor(id StreamID) int {
	return sort.Search(len(s.nodes), func(i int) bool { return s.nodes[i].master.Compare(id) > 0 }) - 1
}

// NextID returns the ID XADD "*" would give an entry at time now (ms).
func (s *Stream) NextID(now uint64) StreamID {
	if now > s.LastID.Ms {
		return StreamID{now, 0}
	}
	id, _ := s.LastID.Incr()
	return id
}

// Append adds an entry with the field-value pairs fv (alternating) and
// returns its ID. With useID nil the ID is generated from now; otherwise
// it is *useID, or, when seqGiven is false, *useID's milliseconds with the
// next free sequence. maxBytes and maxEntries are stream-node-max-bytes and
// stream-node-max-entries.
func (s *Stream) Append(fv [][]byte, useID *StreamID, seqGiven bool, now uint64, maxBytes, maxEntries int64) (StreamID, error) {
	var id StreamID
	switch {
	case useID == nil:
		id = s.NextID(now)
	case seqGiven:
		id = *useID
	case s.LastID.Ms == useID.Ms:
		if s.LastID.Seq == math.MaxUint64 {
			return id, ErrStreamSeqExhausted
		}
		id = StreamID{s.LastID.Ms, s.LastID.Seq + 1}
	default:
		id = *useID
	}
	if id.Compare(s.LastID) <= 0 {
		return id, ErrStreamIDTooSmall
	}
	total := 0
	for _, e := range fv {
		total += len(e)
	}
	if total > streamListpackMaxSize {
		return id, ErrStreamTooLarge
	}
	numFields := int64(len(fv) / 2)

	var nd *streamNode
	if len(s.nodes) > 0 {
		nd = &s.nodes[len(s.nodes)-1]
		nodeMax := maxBytes
		if nodeMax == 0 || nodeMax > streamListpackMaxSize {
			nodeMax = streamListpackMaxSize
		}
		full := int64(listpack.TotalBytes(nd.lp))+int64(total) >= nodeMax
		if !full && maxEntries != 0 {
			p := listpack.First(nd.lp)
			cnt := listpack.IntAt(nd.lp, p) + listpack.IntAt(nd.lp, listpack.Next(nd.lp, p))
			full = cnt >= maxEntries
		}
		if full {
			nd.lp = append([]byte(nil), nd.lp...) // shrink to fit
			nd = nil
		}
	}
	flags := int64(0)
	if nd == nil {
		prealloc := int64(streamListpackMaxPrealloc)
		if maxBytes > 0 && maxBytes < prealloc {
			prealloc = maxBytes
		}
		lp := listpack.New(int(prealloc))
		lp = listpack.AppendInt(lp, 1)
		lp = listpack.AppendInt(lp, 0)
		lp = listpack.AppendInt(lp, numFields)
		for i := int64(0); i < numFields; i++ {
			lp = listpack.Append(lp, fv[2*i])
		}
		lp = listpack.AppendInt(lp, 0)
		s.nodes = append(s.nodes, streamNode{master: id, lp: lp})
		nd = &s.nodes[len(s.nodes)-1]
		flags |= streamFlagSameFields
	} else {
		p := listpack.First(nd.lp)
		nd.lp = listpack.ReplaceInt(nd.lp, p, listpack.IntAt(nd.lp, p)+1)
		p = listpack.Next(nd.lp, p) // deleted
		p = listpack.Next(nd.lp, p) // master field count
		masterFields := listpack.IntAt(nd.lp, p)
		if masterFields == numFields {
			same := true
			var buf [24]byte
			for i := int64(0); i < masterFields; i++ {
				p = listpack.Next(nd.lp, p)
				if !bytes.Equal(listpack.BytesAt(nd.lp, p, buf[:0]), fv[2*i]) {
					same = false
					break
				}
			}
			if same {
				flags |= streamFlagSameFields
			}
		}
	}
	lp := nd.lp
	lp = listpack.AppendInt(lp, flags)
	lp = listpack.AppendInt(lp, int64(id.Ms-nd.master.Ms))
	lp = listpack.AppendInt(lp, int64(id.Seq-nd.master.Seq))
	if flags&streamFlagSameFields == 0 {
		lp = listpack.AppendInt(lp, numFields)
	}
	for i := int64(0); i < numFields; i++ {
		if flags&streamFlagSameFields == 0 {
			lp = listpack.Append(lp, fv[2*i])
		}
		lp = listpack.Append(lp, fv[2*i+1])
	}
	lpCount := numFields + 3
	if flags&streamFlagSameFields == 0 {
		lpCount += numFields + 1
	}
	nd.lp = listpack.AppendInt(lp, lpCount)
	s.length++
	s.EntriesAdded++
	s.LastID = id
	if s.length == 1 {
		s.FirstID = id
	}
	return id, nil
}

// nodeHeader returns the position of the master field count of a node and
// the count; the master fields follow it.
func nodeHeader(lp []byte) (count, deleted int64, masterFieldsPos int, masterFields int64) {
	p := listpack.First(lp)
	count = listpack.IntAt(lp, p)
	p = listpack.Next(lp, p)
	deleted = listpack.IntAt(lp, p)
	p = listpack.Next(lp, p)
	return count, deleted, p, listpack.IntAt(lp, p)
}

// streamEntry describes one entry of a node, as parsed at position flags.
type streamEntry struct {
	flags     int64
	id        StreamID
	numFields int64
	flagsPos  int
	fieldsPos int // first field (or first value for SAMEFIELDS entries); -1 when none
	countPos  int // the lp-count element
}

// nodeCursor walks the entries of one node.
type nodeCursor struct {
	lp                []byte
	master            StreamID
	masterFields      int64
	masterFieldsStart int // first master field, or the terminator
	terminator        int // the master entry's final 0
}

func newNodeCursor(nd *streamNode) nodeCursor {
	_, _, p, mf := nodeHeader(nd.lp)
	c := nodeCursor{lp: nd.lp, master: nd.master, masterFields: mf}
	p = listpack.Next(nd.lp, p)
	c.masterFieldsStart = p
	for i := int64(0); i < mf; i++ {
		p = listpack.Next(nd.lp, p)
	}
	c.terminator = p
	return c
}

// firstEntry returns the flags position of the first entry, or -1.
func (nc *nodeCursor) firstEntry() int { return listpack.Next(nc.lp, nc.terminator) }

// lastEntry returns the flags position of the last entry, or -1.
func (nc *nodeCursor) lastEntry() int {
	p := listpack.Last(nc.lp)
	n := listpack.IntAt(nc.lp, p)
	if n == 0 {
		return -1
	}
	for ; n > 0; n-- {
		p = listpack.Prev(nc.lp, p)
	}
	return p
}

// parse reads the entry whose flags element is at p.
func (nc *nodeCursor) parse(p int) streamEntry {
	e := streamEntry{flagsPos: p}
	lp := nc.lp
	e.flags = listpack.IntAt(lp, p)
	p = listpack.Next(lp, p)
	e.id.Ms = nc.master.Ms + uint64(listpack.IntAt(lp, p))
	p = listpack.Next(lp, p)
	e.id.Seq = nc.master.Seq + uint64(listpack.IntAt(lp, p))
	p = listpack.Next(lp, p)
	skip := nc.masterFields
	if e.flags&streamFlagSameFields == 0 {
		e.numFields = listpack.IntAt(lp, p)
		p = listpack.Next(lp, p)
		skip = 2 * e.numFields
	} else {
		e.numFields = nc.masterFields
	}
	e.fieldsPos = p
	if skip == 0 {
		e.fieldsPos = -1
	}
	for ; skip > 0; skip-- {
		p = listpack.Next(lp, p)
	}
	e.countPos = p
	return e
}

// next returns the flags position of the entry after e, or -1.
func (nc *nodeCursor) next(e *streamEntry) int { return listpack.Next(nc.lp, e.countPos) }

// prev returns the flags position of the entry before e, or -1.
func (nc *nodeCursor) prev(e *streamEntry) int {
	p := listpack.Prev(nc.lp, e.flagsPos)
	n := listpack.IntAt(nc.lp, p)
	if n == 0 {
		return -1 // the master entry's terminator
	}
	for ; n > 0; n-- {
		p = listpack.Prev(nc.lp, p)
	}
	return p
}

// fields calls fn with each field and value of e; the slices are valid
// only during the call.
func (nc *nodeCursor) fields(e *streamEntry, fn func(field, value []byte)) {
	if e.fieldsPos < 0 {
		return
	}
	var fbuf, vbuf [24]byte
	lp := nc.lp
	p := e.fieldsPos
	mp := nc.masterFieldsStart
	for i := int64(0); i < e.numFields; i++ {
		var f []byte
		if e.flags&streamFlagSameFields != 0 {
			f = listpack.BytesAt(lp, mp, fbuf[:0])
			mp = listpack.Next(lp, mp)
		} else {
			f = listpack.BytesAt(lp, p, fbuf[:0])
			p = listpack.Next(lp, p)
		}
		v := listpack.BytesAt(lp, p, vbuf[:0])
		p = listpack.Next(lp, p)
		fn(f, v)
	}
}

// StreamIterator walks the entries of a stream between two IDs
// (inclusive), forward or backward. The stream must not change while an
// iterator is in use.
type StreamIterator struct {
	s          *Stream
	start, end StreamID
	rev        bool
	// KeepTombstones makes the iterator return deleted entries too.
	KeepTombstones bool

	ni      int // current node index
	started bool
	done    bool
	nc      nodeCursor
	p       int // flags position of the next entry to examine, -1: node done
	cur     streamEntry
}

// Iterator returns an iterator over the entries with start <= ID <= end.
func (s *Stream) Iterator(start, end StreamID, rev bool) *StreamIterator {
	return &StreamIterator{s: s, start: start, end: end, rev: rev}
}

func (it *StreamIterator) loadNode() bool {
	s := it.s
	if !it.started {
		it.started = true
		if !it.rev {
			it.ni = 0
			if !it.start.IsZero() {
				if i := s.nodeFor(it.start); i >= 0 {
					it.ni = i
				}
			}
		} else {
			it.ni = len(s.nodes) - 1
			if !(it.end.Ms == 0 && it.end.Seq == 0) {
				if i := s.nodeFor(it.end); i >= 0 {
					it.ni = i
				}
			}
		}
	} else if it.rev {
		it.ni--
	} else {
		it.ni++
	}
	if it.ni < 0 || it.ni >= len(s.nodes) {
		return false
	}
	it.nc = newNodeCursor(&s.nodes[it.ni])
	if it.rev {
		it.p = it.nc.lastEntry()
	} else {
		it.p = it.nc.firstEntry()
	}
	return true
}

// Next advances to the next entry in range and returns its ID; ok is
// false at the end.
func (it *StreamIterator) Next() (id StreamID, ok bool) {
	if it.done {
		return id, false
	}
	for {
		if !it.started || it.p < 0 {
			if !it.loadNode() {
				it.done = true
				return id, false
			}
			continue
		}
		e := it.nc.parse(it.p)
		if it.rev {
			it.p = it.nc.prev(&e)
		} else {
			it.p = it.nc.next(&e)
		}
		live := it.KeepTombstones || e.flags&streamFlagDeleted == 0
		if !it.rev {
			if e.id.Compare(it.start) >= 0 && live {
				if e.id.Compare(it.end) > 0 {
					it.done = true
					return id, false
				}
				it.cur = e
				return e.id, true
			}
		} else if e.id.Compare(it.end) <= 0 && live {
			if e.id.Compare(it.start) < 0 {
				it.done = true
				return id, false
			}
			it.cur = e
			return e.id, true
		}
	}
}

// NumFields returns the number of field-value pairs of the current entry.
func (it *StreamIterator) NumFields() int { return int(it.cur.numFields) }

// Deleted reports whether the current entry is a tombstone.
func (it *StreamIterator) Deleted() bool { return it.cur.flags&streamFlagDeleted != 0 }

// Fields calls fn with each field and value of the current entry; the
// slices are valid only during the call.
func (it *StreamIterator) Fields(fn func(field, value []byte)) { it.nc.fields(&it.cur, fn) }

// EdgeID returns the first (or last) entry ID, tombstones included when
// keepTombstones. For an empty stream it returns the greatest ID when
// first, 0-0 otherwise.
func (s *Stream) EdgeID(first, keepTombstones bool) StreamID {
	it := s.Iterator(StreamID{}, MaxStreamID, !first)
	it.KeepTombstones = keepTombstones
	if id, ok := it.Next(); ok {
		return id
	}
	if first {
		return MaxStreamID
	}
	return StreamID{}
}

// LastValidID returns the ID of the last live entry (0-0 when empty).
func (s *Stream) LastValidID() StreamID { return s.EdgeID(false, false) }

// Exists reports whether a live entry has ID id.
func (s *Stream) Exists(id StreamID) bool {
	it := s.Iterator(id, id, false)
	_, ok := it.Next()
	return ok
}

// Delete deletes the live entry with ID id and reports whether there was
// one, as XDEL does: MaxDeletedID and FirstID follow.
func (s *Stream) Delete(id StreamID) bool {
	it := s.Iterator(id, id, false)
	if _, ok := it.Next(); !ok {
		return false
	}
	nd := &s.nodes[it.ni]
	lp := listpack.ReplaceInt(nd.lp, it.cur.flagsPos, it.cur.flags|streamFlagDeleted)
	p := listpack.First(lp)
	count := listpack.IntAt(lp, p)
	if count == 1 {
		s.nodes = append(s.nodes[:it.ni], s.nodes[it.ni+1:]...)
	} else {
		lp = listpack.ReplaceInt(lp, p, count-1)
		p = listpack.Next(lp, p)
		lp = listpack.ReplaceInt(lp, p, listpack.IntAt(lp, p)+1)
		nd.lp = lp
	}
	s.length--
	if id.Compare(s.MaxDeletedID) > 0 {
		s.MaxDeletedID = id
	}
	if s.length == 0 {
		s.FirstID = StreamID{}
	} else if id == s.FirstID {
		s.FirstID = s.EdgeID(true, false)
	}
	return true
}

// Trim strategies.
const (
	TrimNone = iota
	TrimMaxLen
	TrimMinID
)

// TrimArgs are the trimming options of XADD and XTRIM.
type TrimArgs struct {
	Strategy int
	MaxLen   int64
	MinID    StreamID
	// Approx removes only whole nodes.
	Approx bool
	// Limit caps the number of entries removed (0: no cap).
	Limit int64
}

// Trim removes entries from the head of the stream as args ask and
// returns how many it removed. Whole nodes go first; without Approx the
// remaining excess is flagged deleted inside the first node left.
func (s *Stream) Trim(args TrimArgs) int64 {
	if args.Strategy == TrimNone {
		return 0
	}
	var deleted int64
	for len(s.nodes) > 0 {
		if args.Strategy == TrimMaxLen && s.length <= uint64(args.MaxLen) {
			break
		}
		nd := &s.nodes[0]
		p := listpack.First(nd.lp)
		entries := listpack.IntAt(nd.lp, p)
		if args.Limit != 0 && deleted+entries > args.Limit {
			break
		}
		nc := newNodeCursor(nd)
		var remove bool
		if args.Strategy == TrimMaxLen {
			remove = int64(s.length)-entries >= args.MaxLen
		} else {
			last := StreamID{}
			if lp := nc.lastEntry(); lp >= 0 {
				e := nc.parse(lp)
				last = e.id
			} else {
				last = nd.master
			}
			remove = last.Compare(args.MinID) < 0
		}
		if remove {
			s.nodes[0] = streamNode{}
			s.nodes = s.nodes[1:]
			s.length -= uint64(entries)
			deleted += entries
			continue
		}
		if args.Approx {
			break
		}
		var fromNode int64
		lp := nd.lp
		for q := nc.firstEntry(); q >= 0; {
			nc.lp = lp
			e := nc.parse(q)
			var stop bool
			if args.Strategy == TrimMaxLen {
				stop = s.length <= uint64(args.MaxLen)
			} else {
				stop = e.id.Compare(args.MinID) >= 0
			}
			if stop {
				break
			}
			if e.flags&streamFlagDeleted == 0 {
				before := len(lp)
				lp = listpack.ReplaceInt(lp, e.flagsPos, e.flags|streamFlagDeleted)
				e.countPos += len(lp) - before
				nc.lp = lp
				fromNode++
				s.length--
			}
			q = nc.next(&e)
		}
		deleted += fromNode
		p = listpack.First(lp)
		lp = listpack.ReplaceInt(lp, p, entries-fromNode)
		p = listpack.Next(lp, p)
		lp = listpack.ReplaceInt(lp, p, listpack.IntAt(lp, p)+fromNode)
		nd.lp = lp
		break
	}
	if s.length == 0 {
		s.FirstID = StreamID{}
	} else if deleted > 0 {
		s.FirstID = s.EdgeID(true, false)
	}
	return deleted
}

// RangeHasTombstones reports whether deleted entries may lie between start
// and end (nil end: the greatest ID), judging by MaxDeletedID.
func (s *Stream) RangeHasTombstones(start StreamID, end *StreamID) bool {
	if s.length == 0 || s.MaxDeletedID.IsZero() {
		return false
	}
	if s.FirstID.Compare(s.MaxDeletedID) > 0 {
		return false
	}
	e := MaxStreamID
	if end != nil {
		e = *end
	}
	return start.Compare(s.MaxDeletedID) <= 0 && s.MaxDeletedID.Compare(e) <= 0
}

// EntriesReadInvalid is the entries-read value of a group whose counter is
// unknown.
const EntriesReadInvalid int64 = -1

// EstimateDistance returns the logical read counter of id: how many entries
// were added up to it, or EntriesReadInvalid when that cannot be known
// (the ID lies among live entries after a deletion, or in the future).
func (s *Stream) EstimateDistance(id StreamID) int64 {
	if s.EntriesAdded == 0 {
		return 0
	}
	if s.length == 0 && id.Compare(s.LastID) < 1 {
		return int64(s.EntriesAdded)
	}
	cmpLast := id.Compare(s.LastID)
	if cmpLast == 0 {
		return int64(s.EntriesAdded)
	} else if cmpLast > 0 {
		return EntriesReadInvalid
	}
	cmpFirst := id.Compare(s.FirstID)
	if s.MaxDeletedID.IsZero() || s.MaxDeletedID.Compare(s.FirstID) < 0 {
		if cmpFirst < 0 {
			return int64(s.EntriesAdded - s.length)
		} else if cmpFirst == 0 {
			return int64(s.EntriesAdded - s.length + 1)
		}
	}
	return EntriesReadInvalid
}

// Lag returns the number of entries the group has yet to read, and false
// when it cannot be known.
func (s *Stream) Lag(g *StreamGroup) (int64, bool) {
	if s.EntriesAdded == 0 {
		return 0, true
	}
	if g.EntriesRead != EntriesReadInvalid && !s.RangeHasTombstones(g.LastID, nil) {
		return int64(s.EntriesAdded) - g.EntriesRead, true
	}
	if read := s.EstimateDistance(g.LastID); read != EntriesReadInvalid {
		return int64(s.EntriesAdded) - read, true
	}
	return 0, false
}

// StreamNACK is a pending entry: delivered to a consumer and not yet
// acknowledged. The group's PEL and its consumer's PEL share it.
type StreamNACK struct {
	DeliveryTime  int64 // ms
	DeliveryCount uint64
	Consumer      *StreamConsumer
}

// StreamConsumer is a consumer of a group.
type StreamConsumer struct {
	Name     string
	SeenTime int64 // ms
	PEL      PEL
}

// StreamGroup is a consumer group.
type StreamGroup struct {
	Name   string
	LastID StreamID
	// EntriesRead is the logical read counter, EntriesReadInvalid when
	// unknown.
	EntriesRead int64
	PEL         PEL
	consumers   []*StreamConsumer // by name
}

// Groups returns the consumer groups sorted by name. The slice must not be
// changed.
func (s *Stream) Groups() []*StreamGroup { return s.groups }

func (s *Stream) groupIndex(name []byte) (int, bool) {
	i := sort.Search(len(s.groups), func(i int) bool { return s.groups[i].Name >= string(name) })
	return i, i < len(s.groups) && s.groups[i].Name == string(name)
}

// Group returns the group called name, or nil.
func (s *Stream) Group(name []byte) *StreamGroup {
	if i, ok := s.groupIndex(name); ok {
		return s.groups[i]
	}
	return nil
}

// CreateGroup adds a group; it returns nil when the name is taken.
func (s *Stream) CreateGroup(name []byte, last StreamID, entriesRead int64) *StreamGroup {
	i, ok := s.groupIndex(name)
	if ok {
		return nil
	}
	g := &StreamGroup{Name: string(name), LastID: last, EntriesRead: entriesRead}
	s.groups = append(s.groups, nil)
	copy(s.groups[i+1:], s.groups[i:])
	s.groups[i] = g
	return g
}

// DestroyGroup removes a group and reports whether it existed.
func (s *Stream) DestroyGroup(name []byte) bool {
	i, ok := s.groupIndex(name)
	if !ok {
		return false
	}
	s.groups = append(s.groups[:i], s.groups[i+1:]...)
	return true
}

// Consumers returns the consumers sorted by name. The slice must not be
// changed.
func (g *StreamGroup) Consumers() []*StreamConsumer { return g.consumers }

func (g *StreamGroup) consumerIndex(name []byte) (int, bool) {
	i := sort.Search(len(g.consumers), func(i int) bool { return g.consumers[i].Name >= string(name) })
	return i, i < len(g.consumers) && g.consumers[i].Name == string(name)
}

// Consumer returns the consumer called name, or nil.
func (g *StreamGroup) Consumer(name []byte) *StreamConsumer {
	if i, ok := g.consumerIndex(name); ok {
		return g.consumers[i]
	}
	return nil
}

// CreateConsumer adds a consumer seen at now; it returns nil when the name
// is taken.
func (g *StreamGroup) CreateConsumer(name []byte, now int64) *StreamConsumer {
	i, ok := g.consumerIndex(name)
	if ok {
		return nil
	}
	c := &StreamConsumer{Name: string(name), SeenTime: now}
	g.consumers = append(g.consumers, nil)
	copy(g.consumers[i+1:], g.consumers[i:])
	g.consumers[i] = c
	return c
}

// DeleteConsumer removes a consumer and its pending entries (from the
// group's PEL too).
func (g *StreamGroup) DeleteConsumer(c *StreamConsumer) {
	c.PEL.Ascend(StreamID{}, func(id StreamID, _ *StreamNACK) bool {
		g.PEL.Delete(id)
		return true
	})
	if i, ok := g.consumerIndex([]byte(c.Name)); ok {
		g.consumers = append(g.consumers[:i], g.consumers[i+1:]...)
	}
}

// Dup returns a deep copy of the stream (COPY).
func (s *Stream) Dup() *Stream {
	d := &Stream{
		length: s.length, LastID: s.LastID, FirstID: s.FirstID,
		MaxDeletedID: s.MaxDeletedID, EntriesAdded: s.EntriesAdded,
	}
	d.nodes = make([]streamNode, len(s.nodes))
	for i, nd := range s.nodes {
		d.nodes[i] = streamNode{master: nd.master, lp: append([]byte(nil), nd.lp...)}
	}
	for _, g := range s.groups {
		ng := &StreamGroup{Name: g.Name, LastID: g.LastID, EntriesRead: g.EntriesRead}
		byConsumer := map[*StreamConsumer]*StreamConsumer{}
		for _, c := range g.consumers {
			nc := &StreamConsumer{Name: c.Name, SeenTime: c.SeenTime}
			byConsumer[c] = nc
			ng.consumers = append(ng.consumers, nc)
		}
		g.PEL.Ascend(StreamID{}, func(id StreamID, n *StreamNACK) bool {
			nn := &StreamNACK{DeliveryTime: n.DeliveryTime, DeliveryCount: n.DeliveryCount, Consumer: byConsumer[n.Consumer]}
			ng.PEL.Insert(id, nn)
			if nn.Consumer != nil {
				nn.Consumer.PEL.Insert(id, nn)
			}
			return true
		})
		d.groups = append(d.groups, ng)
	}
	return d
}

func init() {
	dupFuncs[KindStream] = func(v *Value) Value { return NewStreamValue(v.Stream().Dup()) }
	encodingNames[KindStream] = func(*Value) string { return "stream" }
}
