package rdb

import (
	"bytes"
	"io"
	"math"
	"slices"
	"strconv"

	"replab/internal/listpack"
	"replab/internal/num"
)

// EncoderOptions are the server settings that shape what the Encoder
// writes. Start from DefaultEncoderOptions: zero thresholds are meaningful
// (they force the big encodings), as in Redis.
type EncoderOptions struct {
	Compression bool // rdbcompression: LZF-compress strings longer than 20 bytes when it pays
	Checksum    bool // rdbchecksum: write the CRC64 at the end (else zero)

	ListMaxListpackSize    int // list-max-listpack-size (fill factor of quicklist nodes)
	HashMaxListpackEntries int // hash-max-listpack-entries
	HashMaxListpackValue   int // hash-max-listpack-value
	SetMaxIntsetEntries    int // set-max-intset-entries
	ZSetMaxListpackEntries int // zset-max-listpack-entries
	ZSetMaxListpackValue   int // zset-max-listpack-value
	StreamNodeMaxBytes     int // stream-node-max-bytes
	StreamNodeMaxEntries   int // stream-node-max-entries
}

// DefaultEncoderOptions returns Redis 7.0's defaults.
func DefaultEncoderOptions() EncoderOptions {
	return EncoderOptions{
		Compression:            true,
		Checksum:               true,
		ListMaxListpackSize:    -2,
		HashMaxListpackEntries: 512,
		HashMaxListpackValue:   64,
		SetMaxIntsetEntries:    512,
		ZSetMaxListpackEntries: 128,
		ZSetMaxListpackValue:   64,
		StreamNodeMaxBytes:     4096,
		StreamNodeMaxEntries:   100,
	}
}

const (
	writeBufSize = 64 << 10
	// quicklistPackedThreshold is the element size from which a list element
	// gets a plain node of its own (packed_threshold, 1 GB).
	quicklistPackedThreshold = 1 << 30
	quicklistSizeSafetyLimit = 8192
	quicklistSizeOverhead    = 8
)

var quicklistOptimizationLevel = [...]int{4096, 8192, 16384, 32768, 65536}

// Encoder writes an RDB file of version 10 (what Redis 7.0 writes): the
// header, AUX fields, function libraries, databases and their keys, then
// the EOF opcode and the CRC64. Values get the encodings Redis 7.0 would
// give them under the thresholds of EncoderOptions.
//
// Calls must follow the file's order: WriteHeader (implied by the first
// write), WriteAux and WriteFunction, then for each database SelectDB and
// its keys, then Close. The Encoder buffers its output; Close flushes it
// (and does not close the underlying writer). After an error every call
// returns that error: the output is then incomplete.
type Encoder struct {
	w       io.Writer
	opts    EncoderOptions
	buf     []byte
	crc     uint64
	lzf     *lzfCompressor
	started bool
	closed  bool
	err     error

	lp     ListpackBuilder // scratch
	ints   []int64         // scratch
	zs     []ZMember       // scratch
	member []byte          // scratch
}

// NewEncoder returns an Encoder writing to w.
func NewEncoder(w io.Writer, opts EncoderOptions) *Encoder {
	e := &Encoder{w: w, opts: opts, buf: make([]byte, 0, writeBufSize+1024)}
	if opts.Compression {
		e.lzf = new(lzfCompressor)
	}
	return e
}

// flush writes the buffer out.
func (e *Encoder) flush() error {
	if e.err != nil {
		return e.err
	}
	if len(e.buf) == 0 {
		return nil
	}
	e.crc = CRC64(e.crc, e.buf)
	if _, err := e.w.Write(e.buf); err != nil {
		e.err = err
		return err
	}
	e.buf = e.buf[:0]
	return nil
}

// maybeFlush flushes when the buffer is full.
func (e *Encoder) maybeFlush() error {
	if len(e.buf) >= writeBufSize {
		return e.flush()
	}
	return e.err
}

// writeBig writes p directly, after the buffered bytes.
func (e *Encoder) writeBig(p []byte) error {
	if err := e.flush(); err != nil {
		return err
	}
	e.crc = CRC64(e.crc, p)
	if _, err := e.w.Write(p); err != nil {
		e.err = err
	}
	return e.err
}

// str writes a string as rdbSaveRawString does.
func (e *Encoder) str(s []byte) error {
	if len(s) >= writeBufSize && (e.lzf == nil || len(s) <= 20) {
		e.buf = AppendLen(e.buf, uint64(len(s)))
		return e.writeBig(s)
	}
	if len(s) >= writeBufSize {
		// Compress into a separate buffer so the output buffer stays small.
		out, ok := appendLZFString(nil, s, e.lzf)
		if !ok {
			e.buf = AppendLen(e.buf, uint64(len(s)))
			return e.writeBig(s)
		}
		return e.writeBig(out)
	}
	e.buf = appendString(e.buf, s, e.lzf)
	return e.maybeFlush()
}

func (e *Encoder) begin() error {
	if e.err != nil {
		return e.err
	}
	if e.closed {
		e.err = encoderf("write after Close")
		return e.err
	}
	if !e.started {
		e.started = true
		e.buf = append(e.buf, "REDIS00"...)
		e.buf = strconv.AppendInt(e.buf, Version, 10)
	}
	return nil
}

// WriteHeader writes the magic and version ("REDIS0010"). Other methods
// call it when it has not been called.
func (e *Encoder) WriteHeader() error { return e.begin() }

// WriteAux writes an AUX field. Redis 7.0 writes redis-ver, redis-bits,
// ctime, used-mem, then repl-stream-db, repl-id and repl-offset for
// replication, then aof-base; numbers are written in decimal.
func (e *Encoder) WriteAux(name, value []byte) error {
	if err := e.begin(); err != nil {
		return err
	}
	e.buf = append(e.buf, OpAux)
	if err := e.str(name); err != nil {
		return err
	}
	return e.str(value)
}

// WriteFunction writes a function library (its code, "#!lua name=...").
func (e *Encoder) WriteFunction(code []byte) error {
	if err := e.begin(); err != nil {
		return err
	}
	e.buf = append(e.buf, OpFunction2)
	return e.str(code)
}

// SelectDB starts database db, with the hints Redis writes after it: the
// number of keys and of keys with an expire time.
func (e *Encoder) SelectDB(db int, keys, expires uint64) error {
	if err := e.begin(); err != nil {
		return err
	}
	if db < 0 {
		e.err = encoderf("negative database number %d", db)
		return e.err
	}
	e.buf = append(e.buf, OpSelectDB)
	e.buf = AppendLen(e.buf, uint64(db))
	e.buf = append(e.buf, OpResizeDB)
	e.buf = AppendLen(e.buf, keys)
	e.buf = AppendLen(e.buf, expires)
	return e.maybeFlush()
}

// WriteKey writes a key: its metadata (EXPIRETIME_MS, IDLE, FREQ), its type,
// its name and its value.
func (e *Encoder) WriteKey(key []byte, meta KeyMeta, v Source) error {
	if err := e.keyMeta(meta); err != nil {
		return err
	}
	return e.writeValue(key, true, v)
}

// WriteStringKey is WriteKey for a string value, without boxing the value
// into a Source (a snapshot of many strings allocates nothing per key).
func (e *Encoder) WriteStringKey(key []byte, meta KeyMeta, value []byte) error {
	if err := e.keyMeta(meta); err != nil {
		return err
	}
	e.buf = append(e.buf, byte(TypeString))
	if err := e.str(key); err != nil {
		return err
	}
	return e.str(value)
}

// keyMeta starts a key record: its expire time, idle time and frequency.
func (e *Encoder) keyMeta(meta KeyMeta) error {
	if err := e.begin(); err != nil {
		return err
	}
	if meta.HasExpire {
		e.buf = append(e.buf, OpExpireTimeMs)
		e.buf = AppendMillis(e.buf, meta.Expire)
	}
	if meta.HasIdle {
		e.buf = append(e.buf, OpIdle)
		e.buf = AppendLen(e.buf, meta.Idle)
	}
	if meta.HasFreq {
		e.buf = append(e.buf, OpFreq, meta.Freq)
	}
	return nil
}

// Flush writes the buffered output to the underlying writer.
func (e *Encoder) Flush() error { return e.flush() }

// Close writes the EOF opcode and the checksum (zero when
// EncoderOptions.Checksum is off) and flushes.
func (e *Encoder) Close() error {
	if err := e.begin(); err != nil {
		return err
	}
	e.closed = true
	e.buf = append(e.buf, OpEOF)
	if err := e.flush(); err != nil {
		return err
	}
	sum := e.crc
	if !e.opts.Checksum {
		sum = 0
	}
	e.buf = AppendMillis(e.buf, int64(sum))
	return e.flush()
}

// fail records a misuse error.
func (e *Encoder) fail(err error) error {
	if e.err == nil {
		e.err = err
	}
	return e.err
}

// writeValue writes the type byte, the key (when withKey) and the value.
func (e *Encoder) writeValue(key []byte, withKey bool, v Source) error {
	writeKey := func() error {
		if !withKey {
			return nil
		}
		return e.str(key)
	}
	switch v := v.(type) {
	case String:
		e.buf = append(e.buf, byte(TypeString))
		if err := writeKey(); err != nil {
			return err
		}
		return e.str(v)
	case List:
		return e.writeList(v.asSource(), writeKey)
	case ListSource:
		return e.writeList(v, writeKey)
	case ListNodes:
		return e.writeListNodes(v.asSource(), writeKey)
	case ListNodesSource:
		return e.writeListNodes(v, writeKey)
	case Set:
		return e.writeSet(v.asSource(), writeKey)
	case SetSource:
		return e.writeSet(v, writeKey)
	case ZSet:
		return e.writeZSet(v.asSource(), writeKey)
	case ZSetSource:
		return e.writeZSet(v, writeKey)
	case Hash:
		for _, f := range v {
			if f.Expire != 0 {
				return e.fail(encoderf("hash field expire times cannot be written in RDB version %d", Version))
			}
		}
		return e.writeHash(v.asSource(), writeKey)
	case HashSource:
		return e.writeHash(v, writeKey)
	case *Stream:
		return e.writeStream(v.asSource(), writeKey)
	case StreamSource:
		return e.writeStream(v, writeKey)
	case nil:
		return e.fail(encoderf("nil value"))
	}
	return e.fail(encoderf("unknown value source %T", v))
}

func (e *Encoder) countMismatch(what string, want, got int) error {
	return e.fail(encoderf("%s iterator yielded %d elements, Len says %d", what, got, want))
}

// quicklistAllowInsert mirrors _quicklistNodeAllowInsert for a packed node
// of nodeSize bytes and count elements receiving an element of sz bytes.
func quicklistAllowInsert(fill, nodeSize, count, sz int) bool {
	newSize := nodeSize + sz + quicklistSizeOverhead
	if fill < 0 {
		if off := -fill - 1; off < len(quicklistOptimizationLevel) && newSize <= quicklistOptimizationLevel[off] {
			return true
		}
	}
	if newSize > quicklistSizeSafetyLimit {
		return false
	}
	return count < fill
}

// listPlanner replays quicklistPushTail's node decisions.
type listPlanner struct {
	fill  int
	open  bool // a packed node is open
	size  int  // its listpack size
	count int
}

// push returns whether the element starts a new node, and whether that node
// is plain.
func (p *listPlanner) push(elem []byte) (newNode, plain bool) {
	if len(elem) >= quicklistPackedThreshold {
		p.open = false
		return true, true
	}
	if p.open && quicklistAllowInsert(p.fill, p.size, p.count, len(elem)) {
		p.size += listpack.EntryLen(elem)
		p.count++
		return false, false
	}
	p.open = true
	p.size = listpack.HeaderSize + 1 + listpack.EntryLen(elem)
	p.count = 1
	return true, false
}

func (e *Encoder) writeList(src ListSource, writeKey func() error) error {
	if src.Len <= 0 || src.Elements == nil {
		return e.fail(encoderf("empty list"))
	}
	// Pass 1: count the nodes.
	pl := listPlanner{fill: e.opts.ListMaxListpackSize}
	nodes, n := 0, 0
	for el := range src.Elements {
		if nn, _ := pl.push(el); nn {
			nodes++
		}
		n++
	}
	if n != src.Len {
		return e.countMismatch("list", src.Len, n)
	}
	e.buf = append(e.buf, byte(TypeListQuicklist2))
	if err := writeKey(); err != nil {
		return err
	}
	e.buf = AppendLen(e.buf, uint64(nodes))
	// Pass 2: build and write them.
	pl = listPlanner{fill: e.opts.ListMaxListpackSize}
	e.lp.Reset()
	written, n := 0, 0
	flushLP := func() error {
		if e.lp.Len() == 0 {
			return nil
		}
		e.buf = AppendLen(e.buf, quicklistPacked)
		e.member = e.lp.AppendTo(e.member[:0])
		e.lp.Reset()
		written++
		return e.str(e.member)
	}
	for el := range src.Elements {
		n++
		if n > src.Len {
			break
		}
		newNode, plain := pl.push(el)
		if newNode {
			if err := flushLP(); err != nil {
				return err
			}
		}
		if plain {
			e.buf = AppendLen(e.buf, quicklistPlain)
			written++
			if err := e.str(el); err != nil {
				return err
			}
			continue
		}
		e.lp.Append(el)
	}
	if err := flushLP(); err != nil {
		return err
	}
	if n != src.Len || written != nodes {
		return e.countMismatch("list", src.Len, n)
	}
	return nil
}

func (e *Encoder) writeListNodes(src ListNodesSource, writeKey func() error) error {
	if src.Len <= 0 || src.NodeCount <= 0 || src.Nodes == nil {
		return e.fail(encoderf("empty list"))
	}
	e.buf = append(e.buf, byte(TypeListQuicklist2))
	if err := writeKey(); err != nil {
		return err
	}
	e.buf = AppendLen(e.buf, uint64(src.NodeCount))
	written := 0
	for data, plain := range src.Nodes {
		written++
		if written > src.NodeCount {
			break
		}
		if plain {
			e.buf = AppendLen(e.buf, quicklistPlain)
		} else {
			e.buf = AppendLen(e.buf, quicklistPacked)
		}
		if err := e.str(data); err != nil {
			return err
		}
	}
	if written != src.NodeCount {
		return e.fail(encoderf("list node iterator yielded %d nodes, NodeCount says %d", written, src.NodeCount))
	}
	return nil
}

func (e *Encoder) writeSet(src SetSource, writeKey func() error) error {
	if src.Len <= 0 || src.Members == nil {
		return e.fail(encoderf("empty set"))
	}
	intset := !src.Hashtable && src.Len <= e.opts.SetMaxIntsetEntries
	if intset {
		e.ints = e.ints[:0]
		for m := range src.Members {
			v, ok := num.ParseInt(m)
			if !ok {
				intset = false
				break
			}
			e.ints = append(e.ints, v)
			if len(e.ints) > src.Len {
				break
			}
		}
		if intset && len(e.ints) != src.Len {
			return e.countMismatch("set", src.Len, len(e.ints))
		}
	}
	if intset {
		blob, err := AppendIntset(e.member[:0], e.ints)
		if err != nil {
			return e.fail(err)
		}
		e.member = blob
		e.buf = append(e.buf, byte(TypeSetIntset))
		if err := writeKey(); err != nil {
			return err
		}
		return e.str(blob)
	}
	e.buf = append(e.buf, byte(TypeSet))
	if err := writeKey(); err != nil {
		return err
	}
	e.buf = AppendLen(e.buf, uint64(src.Len))
	n := 0
	for m := range src.Members {
		n++
		if n > src.Len {
			break
		}
		if err := e.str(m); err != nil {
			return err
		}
	}
	if n != src.Len {
		return e.countMismatch("set", src.Len, n)
	}
	return nil
}

func (e *Encoder) writeZSet(src ZSetSource, writeKey func() error) error {
	if src.Len <= 0 || src.Members == nil {
		return e.fail(encoderf("empty sorted set"))
	}
	small := !src.Skiplist && src.Len <= e.opts.ZSetMaxListpackEntries
	if small {
		e.zs = e.zs[:0]
		total := 0
		for m, s := range src.Members {
			if len(m) > e.opts.ZSetMaxListpackValue {
				small = false
				break
			}
			total += len(m)
			e.zs = append(e.zs, ZMember{Member: m, Score: s})
			if len(e.zs) > src.Len {
				break
			}
		}
		if total > listpack.MaxSafetySize {
			small = false
		}
		if small && len(e.zs) != src.Len {
			return e.countMismatch("sorted set", src.Len, len(e.zs))
		}
	}
	if small {
		slices.SortFunc(e.zs, func(a, b ZMember) int {
			if a.Score < b.Score {
				return -1
			}
			if a.Score > b.Score {
				return 1
			}
			return bytes.Compare(a.Member, b.Member)
		})
		e.lp.Reset()
		var sb [40]byte
		for i, m := range e.zs {
			if math.IsNaN(m.Score) {
				return e.fail(encoderf("NaN score"))
			}
			if i > 0 && bytes.Equal(m.Member, e.zs[i-1].Member) && m.Score == e.zs[i-1].Score {
				return e.fail(encoderf("duplicate sorted set member"))
			}
			e.lp.Append(m.Member)
			e.lp.Append(formatScore(sb[:0], m.Score))
		}
		e.buf = append(e.buf, byte(TypeZSetListpack))
		if err := writeKey(); err != nil {
			return err
		}
		e.member = e.lp.AppendTo(e.member[:0])
		return e.str(e.member)
	}
	e.buf = append(e.buf, byte(TypeZSet2))
	if err := writeKey(); err != nil {
		return err
	}
	e.buf = AppendLen(e.buf, uint64(src.Len))
	n := 0
	for m, s := range src.Members {
		n++
		if n > src.Len {
			break
		}
		if math.IsNaN(s) {
			return e.fail(encoderf("NaN score"))
		}
		if err := e.str(m); err != nil {
			return err
		}
		e.buf = AppendBinaryDouble(e.buf, s)
	}
	if n != src.Len {
		return e.countMismatch("sorted set", src.Len, n)
	}
	return nil
}

func (e *Encoder) writeHash(src HashSource, writeKey func() error) error {
	if src.Len <= 0 || src.Fields == nil {
		return e.fail(encoderf("empty hash"))
	}
	small := !src.Hashtable && src.Len <= e.opts.HashMaxListpackEntries
	if small {
		n, total := 0, 0
		for f, v := range src.Fields {
			n++
			if len(f) > e.opts.HashMaxListpackValue || len(v) > e.opts.HashMaxListpackValue || n > src.Len {
				small = false
				break
			}
			total += len(f) + len(v)
		}
		if total > listpack.MaxSafetySize {
			small = false
		}
		if small && n != src.Len {
			return e.countMismatch("hash", src.Len, n)
		}
	}
	if small {
		e.lp.Reset()
		for f, v := range src.Fields {
			e.lp.Append(f)
			e.lp.Append(v)
		}
		if e.lp.Len() != 2*src.Len {
			return e.countMismatch("hash", src.Len, e.lp.Len()/2)
		}
		e.buf = append(e.buf, byte(TypeHashListpack))
		if err := writeKey(); err != nil {
			return err
		}
		e.member = e.lp.AppendTo(e.member[:0])
		return e.str(e.member)
	}
	e.buf = append(e.buf, byte(TypeHash))
	if err := writeKey(); err != nil {
		return err
	}
	e.buf = AppendLen(e.buf, uint64(src.Len))
	n := 0
	for f, v := range src.Fields {
		n++
		if n > src.Len {
			break
		}
		if err := e.str(f); err != nil {
			return err
		}
		if err := e.str(v); err != nil {
			return err
		}
	}
	if n != src.Len {
		return e.countMismatch("hash", src.Len, n)
	}
	return nil
}

func (e *Encoder) writeStream(src StreamSource, writeKey func() error) error {
	if src.Len < 0 || (src.Len > 0 && src.Entries == nil) {
		return e.fail(encoderf("bad stream source"))
	}
	entries := src.Entries
	if entries == nil {
		entries = func(func(StreamEntry) bool) {}
	}
	// Pass 1: count the nodes and check the order.
	nb := newStreamNodeBuilder(e.opts.StreamNodeMaxBytes, e.opts.StreamNodeMaxEntries)
	nodes, n := 0, 0
	var prev StreamID
	for en := range entries {
		if n > 0 && en.ID.Compare(prev) <= 0 {
			return e.fail(encoderf("stream entry %s is not after %s", en.ID, prev))
		}
		prev = en.ID
		n++
		if flushed, _, _ := nb.add(en); flushed {
			nodes++
		}
	}
	if _, lp := nb.finish(); lp != nil {
		nodes++
	}
	if n != src.Len {
		return e.countMismatch("stream", src.Len, n)
	}
	e.buf = append(e.buf, byte(TypeStreamListpacks2))
	if err := writeKey(); err != nil {
		return err
	}
	e.buf = AppendLen(e.buf, uint64(nodes))
	// Pass 2: build and write the nodes.
	nb = newStreamNodeBuilder(e.opts.StreamNodeMaxBytes, e.opts.StreamNodeMaxEntries)
	written := 0
	var key [16]byte
	writeNode := func(master StreamID, lp []byte) error {
		written++
		if err := e.str(encodeStreamID(key[:0], master)); err != nil {
			return err
		}
		return e.str(lp)
	}
	n = 0
	for en := range entries {
		n++
		if n > src.Len {
			break
		}
		if flushed, master, lp := nb.add(en); flushed {
			if err := writeNode(master, lp); err != nil {
				return err
			}
		}
	}
	if master, lp := nb.finish(); lp != nil {
		if err := writeNode(master, lp); err != nil {
			return err
		}
	}
	if n != src.Len || written != nodes {
		return e.countMismatch("stream", src.Len, n)
	}
	for _, v := range []uint64{uint64(src.Len), src.LastID.Ms, src.LastID.Seq, src.FirstID.Ms, src.FirstID.Seq,
		src.MaxDeletedID.Ms, src.MaxDeletedID.Seq, src.EntriesAdded, uint64(len(src.Groups))} {
		e.buf = AppendLen(e.buf, v)
	}
	for _, g := range src.Groups {
		if err := e.str(g.Name); err != nil {
			return err
		}
		e.buf = AppendLen(e.buf, g.LastID.Ms)
		e.buf = AppendLen(e.buf, g.LastID.Seq)
		e.buf = AppendLen(e.buf, uint64(g.EntriesRead))
		e.buf = AppendLen(e.buf, uint64(len(g.PEL)))
		for _, p := range g.PEL {
			e.buf = encodeStreamID(e.buf, p.ID)
			e.buf = AppendMillis(e.buf, p.DeliveryTime)
			e.buf = AppendLen(e.buf, p.DeliveryCount)
			if err := e.maybeFlush(); err != nil {
				return err
			}
		}
		e.buf = AppendLen(e.buf, uint64(len(g.Consumers)))
		for _, c := range g.Consumers {
			if err := e.str(c.Name); err != nil {
				return err
			}
			e.buf = AppendMillis(e.buf, c.SeenTime)
			e.buf = AppendLen(e.buf, uint64(len(c.PEL)))
			for _, id := range c.PEL {
				e.buf = encodeStreamID(e.buf, id)
				if err := e.maybeFlush(); err != nil {
					return err
				}
			}
		}
	}
	return e.maybeFlush()
}
