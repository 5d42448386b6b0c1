package node

import (
	"bytes"
	"sort"
	"strconv"
	"strings"

	"replab/internal/num"
	"replab/keyspace"
)

// Stream commands: XADD, XRANGE, XREAD, consumer groups and the rest, as
// Redis 7.0's t_stream.c behaves (replies, errors, propagation).
//
// Propagation follows Redis: XADD and XTRIM replicate with the ID they
// generated and with approximate trimming made exact ("~" becomes "=" and
// the threshold the resulting length or first ID); XREADGROUP, XCLAIM and
// XAUTOCLAIM never replicate as themselves but as one XCLAIM ... FORCE
// JUSTID LASTID per pending entry they create or change, XGROUP SETID for a
// group position moved without a pending entry (NOACK), and XGROUP
// CREATECONSUMER for a consumer created by XREADGROUP NOACK.

// Stream error replies.
const (
	ErrStreamInvalidID   = "ERR Invalid stream ID specified as stream command argument"
	ErrStreamIDTooSmall  = "ERR The ID specified in XADD is equal or smaller than the target stream top item"
	ErrStreamIDZero      = "ERR The ID specified in XADD must be greater than 0-0"
	ErrStreamExhausted   = "ERR The stream has exhausted the last possible ID, unable to add more items"
	ErrStreamTooLarge    = "ERR Elements are too large to be stored"
	ErrStreamStartID     = "ERR invalid start ID for the interval"
	ErrStreamEndID       = "ERR invalid end ID for the interval"
	ErrStreamBusyGroup   = "BUSYGROUP Consumer Group name already exists"
	ErrStreamMaxMinID    = "ERR syntax error, MAXLEN and MINID options at the same time are not compatible"
	ErrStreamNeedKey     = "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically."
	ErrStreamGroupGone   = "NOGROUP the consumer group this client was blocked on no longer exists"
	ErrStreamKeyGone     = "UNBLOCKED the stream key no longer exists"
	ErrTimeoutNotInteger = "ERR timeout is not an integer or out of range"
)

// xautoclaimMaxCount is the greatest COUNT for which XAUTOCLAIM's array of
// deleted IDs (16 bytes each) fits in the 2^47 bytes of an x86-64 address
// space; Redis fails to allocate it above and replies an error. (Real
// servers already fail somewhat lower, from 2^46 bytes on, depending on
// their address space; counts that large are left out of the tests.)
const xautoclaimMaxCount = 1 << 47 / 16

// xreadBlockedDefaultCount is the COUNT of a blocked XREAD that gave none.
const xreadBlockedDefaultCount = 1000

// streamCStr cuts b at its first NUL, as Redis's %s formatting of a key does.
func streamCStr(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

func streamIDBytes(id keyspace.StreamID) []byte { return id.AppendTo(nil) }

func replyStreamID(c *client, id keyspace.StreamID) {
	var buf [44]byte
	c.w.Bulk(id.AppendTo(buf[:0]))
}

// parseStreamIDOrReply parses a strict (no "-" or "+") or lenient stream ID
// argument, replying the error when it is invalid.
func (n *Node) parseStreamIDOrReply(c *client, arg []byte, missingSeq uint64, strict bool) (keyspace.StreamID, bool) {
	id, _, ok := keyspace.ParseStreamID(arg, missingSeq, strict, false)
	if !ok {
		n.replyError(c, ErrStreamInvalidID)
	}
	return id, ok
}

// parseIntervalIDOrReply parses a range bound: "(" makes it exclusive (and
// then "-" and "+" are refused).
func (n *Node) parseIntervalIDOrReply(c *client, arg []byte, missingSeq uint64) (keyspace.StreamID, bool, bool) {
	if len(arg) > 1 && arg[0] == '(' {
		id, ok := n.parseStreamIDOrReply(c, arg[1:], missingSeq, true)
		return id, true, ok
	}
	id, ok := n.parseStreamIDOrReply(c, arg, missingSeq, false)
	return id, false, ok
}

// streamSubcommandSyntaxError replies Redis's error for a subcommand with a bad
// argument count or option.
func (n *Node) streamSubcommandSyntaxError(c *client) {
	n.replyErrorf(c, "ERR unknown subcommand or wrong number of arguments for '%s'. Try %s HELP.",
		truncate(streamCStr(c.args[1]), 128), strings.ToUpper(streamCStr(c.args[0])))
}

// lookupStream returns the stream at key (for writing or reading); it replies
// WRONGTYPE (ok false) when the key holds another type.
func (n *Node) lookupStream(c *client, key []byte, write bool) (s *keyspace.Stream, ok bool) {
	var v *keyspace.Value
	if write {
		v = n.lookupWrite(c, key)
	} else {
		v = n.lookupRead(c, key)
	}
	if v == nil {
		return nil, true
	}
	if v.Kind() != keyspace.KindStream {
		n.replyError(c, ErrWrongType)
		return nil, false
	}
	return v.Stream(), true
}

// Flags of streamReplyWithRange.
const (
	rwrNoAck      = 1 << iota // do not create pending entries
	rwrRawEntries             // emit the entries without the enclosing array
	rwrHistory                // serve the consumer's own pending entries
)

// streamPropInfo names the key and group for the XCLAIMs a group read
// propagates.
type streamPropInfo struct {
	key, group []byte
}

// replyStreamEntry emits [id, [field, value, ...]] for the iterator's
// current entry.
func replyStreamEntry(c *client, it *keyspace.StreamIterator, id keyspace.StreamID) {
	c.w.Array(2)
	replyStreamID(c, id)
	c.w.Array(2 * it.NumFields())
	it.Fields(func(f, v []byte) {
		c.w.Bulk(f)
		c.w.Bulk(v)
	})
}

// replySingleEntry emits the live entry id as a raw entry and reports
// whether it exists.
func replySingleEntry(c *client, s *keyspace.Stream, id keyspace.StreamID) bool {
	it := s.Iterator(id, id, false)
	got, ok := it.Next()
	if ok {
		replyStreamEntry(c, it, got)
	}
	return ok
}

// streamReplyWithRange emits the entries between start and end (nil: to
// the end), at most count of them (0: all), and returns how many. With a
// group and consumer it delivers them: the group's last ID and read counter
// advance, pending entries are created (unless rwrNoAck) and, when spi is
// set, propagated as XCLAIMs.
func (n *Node) streamReplyWithRange(c *client, s *keyspace.Stream, start keyspace.StreamID, end *keyspace.StreamID, count int64, rev bool,
	g *keyspace.StreamGroup, cons *keyspace.StreamConsumer, flags int, spi *streamPropInfo) int64 {
	if g != nil && flags&rwrHistory != 0 {
		return n.streamReplyFromConsumerPEL(c, s, start, count, cons)
	}
	noack := flags&rwrNoAck != 0
	raw := flags&rwrRawEntries != 0
	d := c.w.Defer()
	e := keyspace.MaxStreamID
	if end != nil {
		e = *end
	}
	it := s.Iterator(start, e, rev)
	var emitted int64
	propagateLast := false
	for {
		id, ok := it.Next()
		if !ok {
			break
		}
		if g != nil && id.Compare(g.LastID) > 0 {
			if g.EntriesRead != keyspace.EntriesReadInvalid && !s.RangeHasTombstones(id, nil) {
				g.EntriesRead++
			} else if s.EntriesAdded != 0 {
				g.EntriesRead = s.EstimateDistance(id)
			}
			g.LastID = id
			if noack {
				propagateLast = true
			}
		}
		replyStreamEntry(c, it, id)
		if g != nil && !noack {
			nack := &keyspace.StreamNACK{DeliveryTime: n.ms, DeliveryCount: 1, Consumer: cons}
			if g.PEL.Insert(id, nack) {
				cons.PEL.Insert(id, nack)
			} else {
				nack = g.PEL.Get(id)
				nack.Consumer.PEL.Delete(id)
				nack.Consumer = cons
				nack.DeliveryTime = n.ms
				nack.DeliveryCount = 1
				cons.PEL.Insert(id, nack)
			}
			if spi != nil {
				n.streamPropagateXClaim(c, spi.key, g, spi.group, streamIDBytes(id), nack)
			}
		}
		emitted++
		if count != 0 && emitted == count {
			break
		}
	}
	if spi != nil && propagateLast {
		n.streamPropagateGroupID(c, spi.key, g, spi.group)
	}
	if !raw {
		c.w.FillArray(d, int(emitted))
	}
	return emitted
}

// streamReplyFromConsumerPEL serves a consumer's history: its pending
// entries from start, each with its fields, or with a null when the entry
// was deleted meanwhile. Each served entry counts as a new delivery.
func (n *Node) streamReplyFromConsumerPEL(c *client, s *keyspace.Stream, start keyspace.StreamID, count int64, cons *keyspace.StreamConsumer) int64 {
	d := c.w.Defer()
	var emitted int64
	cons.PEL.Ascend(start, func(id keyspace.StreamID, nack *keyspace.StreamNACK) bool {
		if count != 0 && emitted >= count {
			return false
		}
		if replySingleEntry(c, s, id) {
			nack.DeliveryTime = n.ms
			nack.DeliveryCount++
		} else {
			c.w.Array(2)
			replyStreamID(c, id)
			c.w.NullArray()
		}
		emitted++
		return true
	})
	c.w.FillArray(d, int(emitted))
	return emitted
}

// streamPropagateXClaim propagates the state of one pending entry as an
// idempotent XCLAIM.
func (n *Node) streamPropagateXClaim(c *client, key []byte, g *keyspace.StreamGroup, group, id []byte, nack *keyspace.StreamNACK) {
	n.alsoPropagate(c.db.ID, [][]byte{
		[]byte("XCLAIM"), key, group, []byte(nack.Consumer.Name), []byte("0"), id,
		[]byte("TIME"), strconv.AppendInt(nil, nack.DeliveryTime, 10),
		[]byte("RETRYCOUNT"), strconv.AppendUint(nil, nack.DeliveryCount, 10),
		[]byte("FORCE"), []byte("JUSTID"), []byte("LASTID"), streamIDBytes(g.LastID),
	})
}

// streamPropagateGroupID propagates a group's last ID and read counter.
func (n *Node) streamPropagateGroupID(c *client, key []byte, g *keyspace.StreamGroup, group []byte) {
	n.alsoPropagate(c.db.ID, [][]byte{
		[]byte("XGROUP"), []byte("SETID"), key, group, streamIDBytes(g.LastID),
		[]byte("ENTRIESREAD"), strconv.AppendInt(nil, g.EntriesRead, 10),
	})
}

// streamPropagateConsumerCreation propagates the creation of a consumer.
func (n *Node) streamPropagateConsumerCreation(c *client, key, group []byte, consumer string) {
	n.alsoPropagate(c.db.ID, [][]byte{[]byte("XGROUP"), []byte("CREATECONSUMER"), key, group, []byte(consumer)})
}

// createConsumer creates a consumer as Redis's streamCreateConsumer does
// (dirty and notification included).
func (n *Node) createConsumer(c *client, g *keyspace.StreamGroup, name, key []byte) *keyspace.StreamConsumer {
	cons := g.CreateConsumer(name, n.ms)
	if cons == nil {
		return nil
	}
	n.dirty++
	n.notifyKeyspaceEvent(NotifyStream, "xgroup-createconsumer", string(key), c.db.ID)
	return cons
}

// lookupConsumer finds a consumer and refreshes its seen time.
func (n *Node) lookupConsumer(g *keyspace.StreamGroup, name []byte) *keyspace.StreamConsumer {
	cons := g.Consumer(name)
	if cons != nil {
		cons.SeenTime = n.ms
	}
	return cons
}

// --- XADD / XTRIM ---

// streamAddTrim holds the parsed options of XADD and XTRIM.
type streamAddTrim struct {
	trim       keyspace.TrimArgs
	trimArgIdx int // index of the MAXLEN/MINID threshold, for rewriting
	id         keyspace.StreamID
	idGiven    bool
	seqGiven   bool
	noMkStream bool
}

// parseAddTrim parses the options of XADD (xadd) or XTRIM. For XADD it
// returns the index of the ID argument. It replies and returns ok false on
// error.
func (n *Node) parseAddTrim(c *client, xadd bool) (a streamAddTrim, idpos int, ok bool) {
	argc := len(c.args)
	limitGiven := false
	i := 2
	for ; i < argc; i++ {
		more := argc - 1 - i
		opt := c.args[i]
		switch {
		case xadd && len(opt) == 1 && opt[0] == '*':
			return n.finishAddTrim(c, a, i, xadd, limitGiven)
		case eq(opt, "MAXLEN") && more > 0, eq(opt, "MINID") && more > 0:
			isMaxLen := eq(opt, "MAXLEN")
			if a.trim.Strategy != keyspace.TrimNone {
				n.replyError(c, ErrStreamMaxMinID)
				return a, 0, false
			}
			a.trim.Approx = false
			next := c.args[i+1]
			if more >= 2 && len(next) == 1 && next[0] == '~' {
				a.trim.Approx = true
				i++
			} else if more >= 2 && len(next) == 1 && next[0] == '=' {
				i++
			}
			if isMaxLen {
				v, ok := n.argInt(c, c.args[i+1])
				if !ok {
					return a, 0, false
				}
				if v < 0 {
					n.replyError(c, "ERR The MAXLEN argument must be >= 0.")
					return a, 0, false
				}
				a.trim.MaxLen = v
				a.trim.Strategy = keyspace.TrimMaxLen
			} else {
				id, ok := n.parseStreamIDOrReply(c, c.args[i+1], 0, true)
				if !ok {
					return a, 0, false
				}
				a.trim.MinID = id
				a.trim.Strategy = keyspace.TrimMinID
			}
			i++
			a.trimArgIdx = i
		case eq(opt, "LIMIT") && more > 0:
			v, ok := n.argInt(c, c.args[i+1])
			if !ok {
				return a, 0, false
			}
			if v < 0 {
				n.replyError(c, "ERR The LIMIT argument must be >= 0.")
				return a, 0, false
			}
			a.trim.Limit = v
			limitGiven = true
			i++
		case xadd && eq(opt, "NOMKSTREAM"):
			a.noMkStream = true
		case xadd:
			id, seqGiven, ok := keyspace.ParseStreamID(opt, 0, true, true)
			if !ok {
				n.replyError(c, ErrStreamInvalidID)
				return a, 0, false
			}
			a.id, a.seqGiven, a.idGiven = id, seqGiven, true
			return n.finishAddTrim(c, a, i, xadd, limitGiven)
		default:
			n.replyError(c, ErrSyntax)
			return a, 0, false
		}
	}
	return n.finishAddTrim(c, a, i, xadd, limitGiven)
}

func (n *Node) finishAddTrim(c *client, a streamAddTrim, i int, xadd, limitGiven bool) (streamAddTrim, int, bool) {
	if a.trim.Limit != 0 && a.trim.Strategy == keyspace.TrimNone {
		n.replyError(c, "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy")
		return a, 0, false
	}
	if !xadd && a.trim.Strategy == keyspace.TrimNone {
		n.replyError(c, "ERR syntax error, XTRIM must be called with a trimming strategy")
		return a, 0, false
	}
	if c.flags&flagMaster != 0 {
		// The master already made approximate trimming exact.
		a.trim.Limit = 0
		return a, i, true
	}
	switch {
	case limitGiven && !a.trim.Approx:
		n.replyError(c, "ERR syntax error, LIMIT cannot be used without the special ~ option")
		return a, 0, false
	case limitGiven:
	case a.trim.Approx:
		limit := 100 * int64(n.cfg.StreamNodeMaxEntries)
		if limit <= 0 {
			limit = 10000
		}
		if limit > 1000000 {
			limit = 1000000
		}
		a.trim.Limit = limit
	default:
		a.trim.Limit = 0
	}
	return a, i, true
}

// rewriteTrimArgs returns args with an approximate trimming made exact:
// "~" becomes "=" and the threshold the resulting length or first ID.
func rewriteTrimArgs(args [][]byte, s *keyspace.Stream, a *streamAddTrim) [][]byte {
	out := append([][]byte(nil), args...)
	out[a.trimArgIdx-1] = []byte("=")
	if a.trim.Strategy == keyspace.TrimMaxLen {
		out[a.trimArgIdx] = strconv.AppendUint(nil, s.Len(), 10)
	} else {
		out[a.trimArgIdx] = streamIDBytes(s.EdgeID(true, true))
	}
	return out
}

func cmdXAdd(n *Node, c *client) {
	a, idpos, ok := n.parseAddTrim(c, true)
	if !ok {
		return
	}
	fieldPos := idpos + 1
	if rest := len(c.args) - fieldPos; rest < 2 || rest%2 == 1 {
		n.replyErrorf(c, ErrWrongArgsFmt, c.cmd.FullName)
		return
	}
	if a.idGiven && a.seqGiven && a.id.IsZero() {
		n.replyError(c, ErrStreamIDZero)
		return
	}
	key := c.args[1]
	v := n.lookupWrite(c, key)
	if !n.checkType(c, v, keyspace.KindStream) {
		return
	}
	var s *keyspace.Stream
	if v == nil {
		if a.noMkStream {
			c.null()
			return
		}
		s = keyspace.NewStream()
		n.dbAdd(c, c.db, key, keyspace.NewStreamValue(s))
	} else {
		s = v.Stream()
	}
	if s.LastID == keyspace.MaxStreamID {
		n.replyError(c, ErrStreamExhausted)
		return
	}
	var useID *keyspace.StreamID
	if a.idGiven {
		useID = &a.id
	}
	id, err := s.Append(c.args[fieldPos:], useID, a.seqGiven, uint64(n.ms),
		int64(n.cfg.StreamNodeMaxBytes), int64(n.cfg.StreamNodeMaxEntries))
	if err != nil {
		switch {
		case err == keyspace.ErrStreamSeqExhausted && !n.xaddErrnoEDOM:
			// Redis fails this case without setting errno and reports
			// whatever errno says; after a connection was accepted that
			// is not EDOM.
			n.replyError(c, ErrStreamTooLarge)
		case err == keyspace.ErrStreamIDTooSmall || err == keyspace.ErrStreamSeqExhausted:
			n.xaddErrnoEDOM = true
			n.replyError(c, ErrStreamIDTooSmall)
		default:
			n.xaddErrnoEDOM = false
			n.replyError(c, ErrStreamTooLarge)
		}
		return
	}
	replyStreamID(c, id)
	n.signalModifiedKey(c, c.db, key)
	n.notifyKeyspaceEvent(NotifyStream, "xadd", string(key), c.db.ID)
	n.dirty++

	// The replicated form names the ID chosen and trims exactly.
	var args [][]byte
	if a.trim.Strategy != keyspace.TrimNone {
		if s.Trim(a.trim) > 0 {
			n.notifyKeyspaceEvent(NotifyStream, "xtrim", string(key), c.db.ID)
		}
		if a.trim.Approx {
			args = rewriteTrimArgs(c.args, s, &a)
		}
	}
	if !a.idGiven || !a.seqGiven {
		if args == nil {
			args = append([][]byte(nil), c.args...)
		}
		args[idpos] = streamIDBytes(id)
	}
	if args != nil {
		c.rewrite(args...)
	}
	n.signalKeyAsReady(c.db.ID, bs(key))
}

func cmdXTrim(n *Node, c *client) {
	a, _, ok := n.parseAddTrim(c, false)
	if !ok {
		return
	}
	key := c.args[1]
	s, ok := n.lookupStream(c, key, true)
	if !ok {
		return
	}
	if s == nil {
		c.int(0)
		return
	}
	deleted := s.Trim(a.trim)
	if deleted > 0 {
		n.notifyKeyspaceEvent(NotifyStream, "xtrim", string(key), c.db.ID)
		if a.trim.Approx {
			c.rewrite(rewriteTrimArgs(c.args, s, &a)...)
		}
		n.signalModifiedKey(c, c.db, key)
		n.dirty += deleted
	}
	c.int(deleted)
}

// --- XRANGE / XREVRANGE / XLEN ---

func (n *Node) xrangeGeneric(c *client, rev bool) {
	startArg, endArg := c.args[2], c.args[3]
	if rev {
		startArg, endArg = endArg, startArg
	}
	start, startEx, ok := n.parseIntervalIDOrReply(c, startArg, 0)
	if !ok {
		return
	}
	if startEx {
		if start, ok = start.Incr(); !ok {
			n.replyError(c, ErrStreamStartID)
			return
		}
	}
	end, endEx, ok := n.parseIntervalIDOrReply(c, endArg, ^uint64(0))
	if !ok {
		return
	}
	if endEx {
		if end, ok = end.Decr(); !ok {
			n.replyError(c, ErrStreamEndID)
			return
		}
	}
	count := int64(-1)
	for j := 4; j < len(c.args); j++ {
		if eq(c.args[j], "COUNT") && len(c.args)-j-1 >= 1 {
			v, ok := n.argInt(c, c.args[j+1])
			if !ok {
				return
			}
			count = max(v, 0)
			j++
		} else {
			n.replyError(c, ErrSyntax)
			return
		}
	}
	v := n.lookupRead(c, c.args[1])
	if v == nil {
		c.w.Array(0)
		return
	}
	if !n.checkType(c, v, keyspace.KindStream) {
		return
	}
	if count == 0 {
		c.w.NullArray()
		return
	}
	if count == -1 {
		count = 0
	}
	n.streamReplyWithRange(c, v.Stream(), start, &end, count, rev, nil, nil, 0, nil)
}

func cmdXRange(n *Node, c *client)    { n.xrangeGeneric(c, false) }
func cmdXRevRange(n *Node, c *client) { n.xrangeGeneric(c, true) }

func cmdXLen(n *Node, c *client) {
	v := n.lookupRead(c, c.args[1])
	if v == nil {
		c.int(0)
		return
	}
	if !n.checkType(c, v, keyspace.KindStream) {
		return
	}
	c.int(int64(v.Stream().Len()))
}

// --- XREAD / XREADGROUP ---

// xreadBlock is what a blocked XREAD or XREADGROUP remembers.
type xreadBlock struct {
	streamsArg int                 // index of the first key
	ids        []keyspace.StreamID // per key: serve entries greater than this
	count      int64
	group      []byte // nil for XREAD
	consumer   []byte
	noack      bool
}

// parseBlockTimeout parses XREAD's BLOCK milliseconds into an absolute
// deadline (0: forever).
func (n *Node) parseBlockTimeout(c *client, arg []byte) (int64, bool) {
	v, ok := num.ParseInt(arg)
	if !ok {
		n.replyError(c, ErrTimeoutNotInteger)
		return 0, false
	}
	if v < 0 {
		n.replyError(c, ErrTimeoutNegative)
		return 0, false
	}
	if v == 0 {
		return 0, true
	}
	if v > (1<<63-1)-n.ms {
		v = (1<<63 - 1) - n.ms
	}
	return n.ms + v, true
}

func cmdXRead(n *Node, c *client) {
	// The command propagates through the lower level functions (XCLAIM,
	// XGROUP SETID ...), never as itself.
	c.noPropagate = true
	if c.reprocessing && c.blocked != nil {
		n.serveBlockedXRead(c)
		return
	}
	xreadgroup := c.cmd.Name == "xreadgroup"
	argc := len(c.args)
	timeout := int64(-1)
	var count int64
	streamsArg, streamsCount := 0, 0
	noack := false
	var groupName, consumerName []byte
	for i := 1; i < argc; i++ {
		more := argc - i - 1
		o := c.args[i]
		switch {
		case eq(o, "BLOCK") && more > 0:
			i++
			d, ok := n.parseBlockTimeout(c, c.args[i])
			if !ok {
				return
			}
			timeout = d
		case eq(o, "COUNT") && more > 0:
			i++
			v, ok := n.argInt(c, c.args[i])
			if !ok {
				return
			}
			count = max(v, 0)
		case eq(o, "STREAMS") && more > 0:
			streamsArg = i + 1
			streamsCount = argc - streamsArg
			if streamsCount%2 != 0 {
				n.replyError(c, "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.")
				return
			}
			streamsCount /= 2
			i = argc
		case eq(o, "GROUP") && more >= 2:
			if !xreadgroup {
				n.replyError(c, "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.")
				return
			}
			groupName, consumerName = c.args[i+1], c.args[i+2]
			i += 2
		case eq(o, "NOACK"):
			if !xreadgroup {
				n.replyError(c, "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.")
				return
			}
			noack = true
		default:
			n.replyError(c, ErrSyntax)
			return
		}
	}
	if streamsArg == 0 {
		n.replyError(c, ErrSyntax)
		return
	}
	if xreadgroup && groupName == nil {
		n.replyError(c, "ERR Missing GROUP option for XREADGROUP")
		return
	}
	ids := make([]keyspace.StreamID, streamsCount)
	var groups []*keyspace.StreamGroup
	if groupName != nil {
		groups = make([]*keyspace.StreamGroup, streamsCount)
	}
	for i := streamsArg + streamsCount; i < argc; i++ {
		idx := i - streamsArg - streamsCount
		key := c.args[i-streamsCount]
		v := n.lookupRead(c, key)
		if !n.checkType(c, v, keyspace.KindStream) {
			return
		}
		var s *keyspace.Stream
		if v != nil {
			s = v.Stream()
		}
		if groupName != nil {
			var g *keyspace.StreamGroup
			if s != nil {
				g = s.Group(groupName)
			}
			if g == nil {
				n.replyErrorf(c, "NOGROUP No such key '%s' or consumer group '%s' in XREADGROUP with GROUP option", streamCStr(key), streamCStr(groupName))
				return
			}
			groups[idx] = g
		}
		arg := c.args[i]
		switch {
		case string(arg) == "$":
			if xreadgroup {
				n.replyError(c, "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.")
				return
			}
			if s != nil {
				ids[idx] = s.LastID
			}
			continue
		case string(arg) == ">":
			if !xreadgroup {
				n.replyError(c, "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.")
				return
			}
			ids[idx] = keyspace.MaxStreamID
			continue
		case string(arg) == "+" && !xreadgroup:
			// Redis 7.4: "+" reads the last entry of the stream.
			if s != nil {
				ids[idx], _ = s.LastID.Decr()
				if s.LastID.IsZero() {
					ids[idx] = keyspace.StreamID{}
				}
			}
			continue
		}
		id, ok := n.parseStreamIDOrReply(c, arg, 0, true)
		if !ok {
			return
		}
		ids[idx] = id
	}

	// Serve synchronously what can be served.
	served := 0
	var d = c.w.Defer()
	for i := 0; i < streamsCount; i++ {
		key := c.args[streamsArg+i]
		v := n.lookupRead(c, key)
		if v == nil {
			continue
		}
		s := v.Stream()
		gt := ids[i]
		serve, history := false, false
		if groups != nil {
			if gt != keyspace.MaxStreamID {
				serve, history = true, true
			} else if s.Len() > 0 {
				last := groups[i].LastID
				if s.LastValidID().Compare(last) > 0 {
					serve = true
					gt = last
				}
			}
		} else if s.Len() > 0 && s.LastValidID().Compare(gt) > 0 {
			serve = true
		}
		if !serve {
			continue
		}
		served++
		start, _ := gt.Incr()
		if c.w.Proto == 2 {
			c.w.Array(2)
		}
		c.w.Bulk(key)
		var cons *keyspace.StreamConsumer
		spi := &streamPropInfo{key: key, group: groupName}
		if groups != nil {
			// Group reads change the stream's groups in place (Redis looks
			// the key up for reading, replab must still let a snapshot
			// record it first).
			c.db.Guard(bs(key))
			cons = n.lookupConsumer(groups[i], consumerName)
			if cons == nil {
				cons = n.createConsumer(c, groups[i], consumerName, key)
				if noack {
					n.streamPropagateConsumerCreation(c, key, groupName, cons.Name)
				}
			}
		}
		flags := 0
		if noack {
			flags |= rwrNoAck
		}
		if history {
			flags |= rwrHistory
		}
		var g *keyspace.StreamGroup
		if groups != nil {
			g = groups[i]
		}
		n.streamReplyWithRange(c, s, start, nil, count, false, g, cons, flags, spi)
		if groups != nil {
			n.dirty++
		}
	}
	if served > 0 {
		if c.w.Proto == 2 {
			c.w.FillArray(d, served)
		} else {
			c.w.FillMap(d, served)
		}
		return
	}

	if timeout != -1 {
		if !n.canBlock(c) {
			c.w.NullArray()
			return
		}
		b := &xreadBlock{streamsArg: streamsArg, ids: ids, count: count, noack: noack}
		if b.count == 0 {
			b.count = xreadBlockedDefaultCount
		}
		kind := keyspace.KindStream
		if groupName != nil {
			b.group = append([]byte(nil), groupName...)
			b.consumer = append([]byte(nil), consumerName...)
			// A blocked XREADGROUP must hear about the key's deletion too.
			kind = keyspace.KindNone
		}
		n.blockForKeys(c, c.args[streamsArg:streamsArg+streamsCount], kind, timeout, nil, b)
		return
	}
	c.w.NullArray()
}

// serveBlockedXRead serves a blocked XREAD or XREADGROUP from the key that
// became ready, as Redis's serveClientsBlockedOnStreamKey does; when it
// cannot, the client stays blocked.
func (n *Node) serveBlockedXRead(c *client) {
	b, _ := c.blocked.data.(*xreadBlock)
	if b == nil {
		return
	}
	keyName := c.blocked.readyKey
	streamsCount := len(b.ids)
	idx := -1
	for i := 0; i < streamsCount; i++ {
		if string(c.args[b.streamsArg+i]) == keyName {
			idx = i
			break
		}
	}
	stay := func() {
		n.blockForKeys(c, c.args[b.streamsArg:b.streamsArg+streamsCount], c.blocked.kind, c.blocked.deadline, c.blocked.onTimeout, b)
	}
	if idx < 0 {
		stay()
		return
	}
	key := c.args[b.streamsArg+idx]
	v := n.lookup(c, c.db, key)
	if v == nil || v.Kind() != keyspace.KindStream {
		if b.group != nil {
			n.replyError(c, ErrStreamKeyGone)
			return
		}
		stay()
		return
	}
	s := v.Stream()
	var g *keyspace.StreamGroup
	if b.group != nil {
		if g = s.Group(b.group); g == nil {
			n.replyError(c, ErrStreamGroupGone)
			return
		}
		b.ids[idx] = g.LastID
	}
	gt := b.ids[idx]
	if s.LastID.Compare(gt) <= 0 {
		stay()
		return
	}
	start, _ := gt.Incr()
	var cons *keyspace.StreamConsumer
	if g != nil {
		c.db.Guard(bs(key))
		cons = n.lookupConsumer(g, b.consumer)
		if cons == nil {
			cons = n.createConsumer(c, g, b.consumer, key)
			if b.noack {
				n.streamPropagateConsumerCreation(c, key, b.group, cons.Name)
			}
		}
	}
	if c.w.Proto == 2 {
		c.w.Array(1)
		c.w.Array(2)
	} else {
		c.w.Map(1)
	}
	c.w.Bulk(key)
	flags := 0
	if b.noack {
		flags = rwrNoAck
	}
	n.streamReplyWithRange(c, s, start, nil, b.count, false, g, cons, flags, &streamPropInfo{key: key, group: b.group})
}

// --- Consumer groups ---

func cmdXGroup(n *Node, c *client) {
	argc := len(c.args)
	opt := c.args[1]
	mkstream := false
	entriesRead := keyspace.EntriesReadInvalid
	var s *keyspace.Stream
	var g *keyspace.StreamGroup
	var grpname []byte
	if argc >= 4 {
		create, setid := eq(opt, "CREATE"), eq(opt, "SETID")
		for i := 5; i < argc; {
			switch {
			case create && eq(c.args[i], "MKSTREAM"):
				mkstream = true
				i++
			case (create || setid) && eq(c.args[i], "ENTRIESREAD") && i+1 < argc:
				v, ok := n.argInt(c, c.args[i+1])
				if !ok {
					return
				}
				if v < 0 && v != keyspace.EntriesReadInvalid {
					n.replyError(c, "ERR value for ENTRIESREAD must be positive or -1")
					return
				}
				entriesRead = v
				i += 2
			default:
				n.streamSubcommandSyntaxError(c)
				return
			}
		}
		var ok bool
		if s, ok = n.lookupStream(c, c.args[2], true); !ok {
			return
		}
		grpname = c.args[3]
	}
	if argc >= 4 && !mkstream {
		if s == nil {
			n.replyError(c, ErrStreamNeedKey)
			return
		}
		if g = s.Group(grpname); g == nil && (eq(opt, "SETID") || eq(opt, "CREATECONSUMER") || eq(opt, "DELCONSUMER")) {
			n.replyErrorf(c, "NOGROUP No such consumer group '%s' for key name '%s'", streamCStr(grpname), streamCStr(c.args[2]))
			return
		}
	}
	var key []byte
	if argc >= 3 {
		key = c.args[2]
	}
	switch {
	case argc == 2 && eq(opt, "HELP"):
		n.replyHelp(c, "XGROUP", []string{
			"CREATE <key> <groupname> <id|$> [option]",
			"    Create a new consumer group. Options are:",
			"    * MKSTREAM",
			"      Create the empty stream if it does not exist.",
			"    * ENTRIESREAD entries_read",
			"      Set the group's entries_read counter (internal use).",
			"CREATECONSUMER <key> <groupname> <consumer>",
			"    Create a new consumer in the specified group.",
			"DELCONSUMER <key> <groupname> <consumer>",
			"    Remove the specified consumer.",
			"DESTROY <key> <groupname>",
			"    Remove the specified group.",
			"SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
			"    Set the current group ID and entries_read counter.",
		})
	case eq(opt, "CREATE") && argc >= 5 && argc <= 8:
		var id keyspace.StreamID
		if string(c.args[4]) == "$" {
			if s != nil {
				id = s.LastID
			}
		} else {
			var ok bool
			if id, ok = n.parseStreamIDOrReply(c, c.args[4], 0, true); !ok {
				return
			}
		}
		if s == nil {
			s = keyspace.NewStream()
			n.dbAdd(c, c.db, key, keyspace.NewStreamValue(s))
			n.signalModifiedKey(c, c.db, key)
		}
		if s.CreateGroup(grpname, id, entriesRead) == nil {
			n.replyError(c, ErrStreamBusyGroup)
			return
		}
		c.ok()
		n.dirty++
		n.notifyKeyspaceEvent(NotifyStream, "xgroup-create", string(key), c.db.ID)
	case eq(opt, "SETID") && (argc == 5 || argc == 7):
		var id keyspace.StreamID
		if string(c.args[4]) == "$" {
			id = s.LastID
		} else {
			var ok bool
			if id, ok = n.parseStreamIDOrReply(c, c.args[4], 0, false); !ok {
				return
			}
		}
		g.LastID = id
		g.EntriesRead = entriesRead
		c.ok()
		n.dirty++
		n.notifyKeyspaceEvent(NotifyStream, "xgroup-setid", string(key), c.db.ID)
	case eq(opt, "DESTROY") && argc == 4:
		if g == nil {
			c.int(0)
			return
		}
		s.DestroyGroup(grpname)
		c.int(1)
		n.dirty++
		n.notifyKeyspaceEvent(NotifyStream, "xgroup-destroy", string(key), c.db.ID)
		// Blocked XREADGROUP clients of the group get an error.
		n.signalKeyAsReady(c.db.ID, bs(key))
	case eq(opt, "CREATECONSUMER") && argc == 5:
		if n.createConsumer(c, g, c.args[4], key) != nil {
			c.int(1)
		} else {
			c.int(0)
		}
	case eq(opt, "DELCONSUMER") && argc == 5:
		var pending int64
		if cons := g.Consumer(c.args[4]); cons != nil {
			pending = int64(cons.PEL.Len())
			g.DeleteConsumer(cons)
			n.dirty++
			n.notifyKeyspaceEvent(NotifyStream, "xgroup-delconsumer", string(key), c.db.ID)
		}
		c.int(pending)
	default:
		n.streamSubcommandSyntaxError(c)
	}
}

func cmdXSetID(n *Node, c *client) {
	id, ok := n.parseStreamIDOrReply(c, c.args[2], 0, true)
	if !ok {
		return
	}
	var maxDel keyspace.StreamID
	entriesAdded := int64(-1)
	for i := 3; i < len(c.args); {
		more := len(c.args) - 1 - i
		switch {
		case eq(c.args[i], "ENTRIESADDED") && more > 0:
			v, ok := n.argInt(c, c.args[i+1])
			if !ok {
				return
			}
			if v < 0 {
				n.replyError(c, "ERR entries_added must be positive")
				return
			}
			entriesAdded = v
			i += 2
		case eq(c.args[i], "MAXDELETEDID") && more > 0:
			if maxDel, ok = n.parseStreamIDOrReply(c, c.args[i+1], 0, true); !ok {
				return
			}
			if id.Compare(maxDel) < 0 {
				n.replyError(c, "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id")
				return
			}
			i += 2
		default:
			n.replyError(c, ErrSyntax)
			return
		}
	}
	v := n.lookupWrite(c, c.args[1])
	if v == nil {
		n.replyError(c, ErrNoSuchKey)
		return
	}
	if !n.checkType(c, v, keyspace.KindStream) {
		return
	}
	s := v.Stream()
	if s.Len() > 0 {
		if id.Compare(s.LastValidID()) < 0 {
			n.replyError(c, "ERR The ID specified in XSETID is smaller than the target stream top item")
			return
		}
		if entriesAdded != -1 && s.Len() > uint64(entriesAdded) {
			n.replyError(c, "ERR The entries_added specified in XSETID is smaller than the target stream length")
			return
		}
	}
	s.LastID = id
	if entriesAdded != -1 {
		s.EntriesAdded = uint64(entriesAdded)
	}
	if !maxDel.IsZero() {
		s.MaxDeletedID = maxDel
	}
	c.ok()
	n.dirty++
	n.notifyKeyspaceEvent(NotifyStream, "xsetid", string(c.args[1]), c.db.ID)
}

// lookupGroupRead finds the stream at c.args[1] (for reading, as Redis
// does) and its group c.args[2]; ok is false when it replied WRONGTYPE.
// Callers that change the group call c.db.Guard first.
func (n *Node) lookupGroupRead(c *client) (s *keyspace.Stream, g *keyspace.StreamGroup, ok bool) {
	s, ok = n.lookupStream(c, c.args[1], false)
	if !ok {
		return nil, nil, false
	}
	if s != nil {
		g = s.Group(c.args[2])
	}
	return s, g, true
}

func cmdXAck(n *Node, c *client) {
	_, g, ok := n.lookupGroupRead(c)
	if !ok {
		return
	}
	if g == nil {
		c.int(0)
		return
	}
	ids := make([]keyspace.StreamID, 0, len(c.args)-3)
	for _, a := range c.args[3:] {
		id, ok := n.parseStreamIDOrReply(c, a, 0, true)
		if !ok {
			return
		}
		ids = append(ids, id)
	}
	c.db.Guard(bs(c.args[1]))
	acked := 0
	for _, id := range ids {
		if nack := g.PEL.Delete(id); nack != nil {
			nack.Consumer.PEL.Delete(id)
			acked++
			n.dirty++
		}
	}
	c.int(int64(acked))
}

func cmdXPending(n *Node, c *client) {
	argc := len(c.args)
	justInfo := argc == 3
	var start, end keyspace.StreamID
	var count, minIdle int64
	var consumerName []byte
	if argc != 3 && (argc < 6 || argc > 9) {
		n.replyError(c, ErrSyntax)
		return
	}
	if argc >= 6 {
		startIdx := 3
		if eq(c.args[3], "IDLE") {
			v, ok := n.argInt(c, c.args[4])
			if !ok {
				return
			}
			minIdle = v
			if argc < 8 {
				n.replyError(c, ErrSyntax)
				return
			}
			startIdx += 2
		}
		v, ok := n.argInt(c, c.args[startIdx+2])
		if !ok {
			return
		}
		count = max(v, 0)
		var ex bool
		if start, ex, ok = n.parseIntervalIDOrReply(c, c.args[startIdx], 0); !ok {
			return
		}
		if ex {
			if start, ok = start.Incr(); !ok {
				n.replyError(c, ErrStreamStartID)
				return
			}
		}
		if end, ex, ok = n.parseIntervalIDOrReply(c, c.args[startIdx+1], ^uint64(0)); !ok {
			return
		}
		if ex {
			if end, ok = end.Decr(); !ok {
				n.replyError(c, ErrStreamEndID)
				return
			}
		}
		if startIdx+3 < argc {
			consumerName = c.args[startIdx+3]
		}
	}
	_, g, ok := n.lookupGroupRead(c)
	if !ok {
		return
	}
	if g == nil {
		n.replyErrorf(c, "NOGROUP No such key '%s' or consumer group '%s'", streamCStr(c.args[1]), streamCStr(c.args[2]))
		return
	}
	if justInfo {
		c.w.Array(4)
		c.int(int64(g.PEL.Len()))
		if g.PEL.Len() == 0 {
			c.null()
			c.null()
			c.w.NullArray()
			return
		}
		first, _, _ := g.PEL.First()
		last, _, _ := g.PEL.Last()
		replyStreamID(c, first)
		replyStreamID(c, last)
		d := c.w.Defer()
		nc := 0
		for _, cons := range g.Consumers() {
			if cons.PEL.Len() == 0 {
				continue
			}
			c.w.Array(2)
			c.w.BulkString(cons.Name)
			c.w.BulkInt(int64(cons.PEL.Len()))
			nc++
		}
		c.w.FillArray(d, nc)
		return
	}
	pel := &g.PEL
	if consumerName != nil {
		cons := g.Consumer(consumerName)
		if cons == nil {
			c.w.Array(0)
			return
		}
		pel = &cons.PEL
	}
	d := c.w.Defer()
	emitted := 0
	if count > 0 {
		pel.Ascend(start, func(id keyspace.StreamID, nack *keyspace.StreamNACK) bool {
			if id.Compare(end) > 0 {
				return false
			}
			if minIdle != 0 && n.ms-nack.DeliveryTime < minIdle {
				return true
			}
			emitted++
			count--
			c.w.Array(4)
			replyStreamID(c, id)
			c.w.BulkString(nack.Consumer.Name)
			c.int(max(n.ms-nack.DeliveryTime, 0))
			c.int(int64(nack.DeliveryCount))
			return count > 0
		})
	}
	c.w.FillArray(d, emitted)
}

func cmdXClaim(n *Node, c *client) {
	s, g, ok := n.lookupGroupRead(c)
	if !ok {
		return
	}
	if g == nil {
		n.replyErrorf(c, "NOGROUP No such key '%s' or consumer group '%s'", streamCStr(c.args[1]), streamCStr(c.args[2]))
		return
	}
	minIdle, ok := num.ParseInt(c.args[4])
	if !ok {
		n.replyError(c, "ERR Invalid min-idle-time argument for XCLAIM")
		return
	}
	minIdle = max(minIdle, 0)
	argc := len(c.args)
	j := 5
	ids := make([]keyspace.StreamID, 0, argc-5)
	for ; j < argc; j++ {
		id, _, ok := keyspace.ParseStreamID(c.args[j], 0, true, false)
		if !ok {
			break
		}
		ids = append(ids, id)
	}
	lastIDArg := j - 1
	now := n.ms
	var lastID keyspace.StreamID
	retryCount := int64(-1)
	deliveryTime := int64(-1)
	force, justID := false, false
	for ; j < argc; j++ {
		more := argc - 1 - j
		opt := c.args[j]
		switch {
		case eq(opt, "FORCE"):
			force = true
		case eq(opt, "JUSTID"):
			justID = true
		case eq(opt, "IDLE") && more > 0:
			j++
			v, ok := num.ParseInt(c.args[j])
			if !ok {
				n.replyError(c, "ERR Invalid IDLE option argument for XCLAIM")
				return
			}
			deliveryTime = now - v
		case eq(opt, "TIME") && more > 0:
			j++
			v, ok := num.ParseInt(c.args[j])
			if !ok {
				n.replyError(c, "ERR Invalid TIME option argument for XCLAIM")
				return
			}
			deliveryTime = v
		case eq(opt, "RETRYCOUNT") && more > 0:
			j++
			v, ok := num.ParseInt(c.args[j])
			if !ok {
				n.replyError(c, "ERR Invalid RETRYCOUNT option argument for XCLAIM")
				return
			}
			retryCount = v
		case eq(opt, "LASTID") && more > 0:
			j++
			if lastID, ok = n.parseStreamIDOrReply(c, c.args[j], 0, true); !ok {
				return
			}
		default:
			n.replyErrorf(c, "ERR Unrecognized XCLAIM option '%s'", streamCStr(opt))
			return
		}
	}
	c.db.Guard(bs(c.args[1]))
	propagateLastID := false
	if lastID.Compare(g.LastID) > 0 {
		g.LastID = lastID
		propagateLastID = true
	}
	if deliveryTime != -1 {
		if deliveryTime < 0 || deliveryTime > now {
			deliveryTime = now
		}
	} else {
		deliveryTime = now
	}
	var cons *keyspace.StreamConsumer
	d := c.w.Defer()
	claimed := 0
	name := c.args[3]
	for k := 5; k <= lastIDArg; k++ {
		id := ids[k-5]
		nack := g.PEL.Get(id)
		if !s.Exists(id) {
			if nack != nil {
				n.streamPropagateXClaim(c, c.args[1], g, c.args[2], c.args[k], nack)
				propagateLastID = false
				n.dirty++
				g.PEL.Delete(id)
				nack.Consumer.PEL.Delete(id)
			}
			continue
		}
		if force && nack == nil {
			nack = &keyspace.StreamNACK{DeliveryTime: now, DeliveryCount: 1}
			g.PEL.Insert(id, nack)
		}
		if nack == nil {
			continue
		}
		if nack.Consumer != nil && minIdle != 0 && now-nack.DeliveryTime < minIdle {
			continue
		}
		if cons == nil {
			if cons = n.lookupConsumer(g, name); cons == nil {
				cons = n.createConsumer(c, g, name, c.args[1])
			}
		}
		if nack.Consumer != cons && nack.Consumer != nil {
			nack.Consumer.PEL.Delete(id)
		}
		nack.DeliveryTime = deliveryTime
		if retryCount >= 0 {
			nack.DeliveryCount = uint64(retryCount)
		} else if !justID {
			nack.DeliveryCount++
		}
		if nack.Consumer != cons {
			cons.PEL.Insert(id, nack)
			nack.Consumer = cons
		}
		if justID {
			replyStreamID(c, id)
		} else {
			replySingleEntry(c, s, id)
		}
		claimed++
		n.streamPropagateXClaim(c, c.args[1], g, c.args[2], c.args[k], nack)
		propagateLastID = false
		n.dirty++
	}
	if propagateLastID {
		n.streamPropagateGroupID(c, c.args[1], g, c.args[2])
		n.dirty++
	}
	c.w.FillArray(d, claimed)
	c.noPropagate = true
}

func cmdXAutoClaim(n *Node, c *client) {
	minIdle, ok := num.ParseInt(c.args[4])
	if !ok {
		n.replyError(c, "ERR Invalid min-idle-time argument for XAUTOCLAIM")
		return
	}
	minIdle = max(minIdle, 0)
	start, ex, ok := n.parseIntervalIDOrReply(c, c.args[5], 0)
	if !ok {
		return
	}
	if ex {
		if start, ok = start.Incr(); !ok {
			n.replyError(c, ErrStreamStartID)
			return
		}
	}
	count := int64(100)
	justID := false
	const attemptsFactor = 10
	for j := 6; j < len(c.args); j++ {
		more := len(c.args) - 1 - j
		switch {
		case eq(c.args[j], "COUNT") && more > 0:
			v, ok := n.argIntRange(c, c.args[j+1], 1, (1<<63-1)/16, "COUNT must be > 0")
			if !ok {
				return
			}
			count = v
			j++
		case eq(c.args[j], "JUSTID"):
			justID = true
		default:
			n.replyError(c, ErrSyntax)
			return
		}
	}
	s, g, ok := n.lookupGroupRead(c)
	if !ok {
		return
	}
	if g == nil {
		n.replyErrorf(c, "NOGROUP No such key '%s' or consumer group '%s'", streamCStr(c.args[1]), streamCStr(c.args[2]))
		return
	}
	if count > xautoclaimMaxCount {
		n.replyError(c, "ERR Insufficient memory, failed allocating transient memory, COUNT too high.")
		return
	}
	c.noPropagate = true
	c.db.Guard(bs(c.args[1]))
	attempts := count * attemptsFactor
	// The cursor comes first in the reply but is known last: the claimed
	// entries are written, then moved after it.
	mark := c.w.Len()
	var deleted []keyspace.StreamID
	var cons *keyspace.StreamConsumer
	claimed := 0
	now := n.ms
	name := c.args[3]
	cursor := start
	exhausted := false
	for attempts > 0 && count > 0 {
		attempts--
		id, nack, found := g.PEL.Seek(cursor)
		if !found {
			exhausted = true
			break
		}
		var more bool
		if cursor, more = id.Incr(); !more {
			exhausted = true
		}
		switch {
		case !s.Exists(id):
			n.streamPropagateXClaim(c, c.args[1], g, c.args[2], streamIDBytes(id), nack)
			n.dirty++
			g.PEL.Delete(id)
			nack.Consumer.PEL.Delete(id)
			deleted = append(deleted, id)
			count--
		case minIdle != 0 && now-nack.DeliveryTime < minIdle:
		default:
			if cons == nil {
				if cons = n.lookupConsumer(g, name); cons == nil {
					cons = n.createConsumer(c, g, name, c.args[1])
				}
			}
			if nack.Consumer != cons && nack.Consumer != nil {
				nack.Consumer.PEL.Delete(id)
			}
			nack.DeliveryTime = now
			if !justID {
				nack.DeliveryCount++
			}
			if nack.Consumer != cons {
				cons.PEL.Insert(id, nack)
				nack.Consumer = cons
			}
			if justID {
				replyStreamID(c, id)
			} else {
				replySingleEntry(c, s, id)
			}
			claimed++
			count--
			n.streamPropagateXClaim(c, c.args[1], g, c.args[2], streamIDBytes(id), nack)
			n.dirty++
		}
		if exhausted {
			break
		}
	}
	var next keyspace.StreamID
	if !exhausted {
		if id, _, found := g.PEL.Seek(cursor); found {
			next = id
		}
	}
	entries := append([]byte(nil), c.w.Bytes()[mark:]...)
	c.w.Truncate(mark)
	c.w.Array(3)
	replyStreamID(c, next)
	c.w.Array(claimed)
	c.w.Raw(entries)
	c.w.Array(len(deleted))
	for _, id := range deleted {
		replyStreamID(c, id)
	}
}

func cmdXDel(n *Node, c *client) {
	key := c.args[1]
	s, ok := n.lookupStream(c, key, true)
	if !ok {
		return
	}
	if s == nil {
		c.int(0)
		return
	}
	ids := make([]keyspace.StreamID, 0, len(c.args)-2)
	for _, a := range c.args[2:] {
		id, ok := n.parseStreamIDOrReply(c, a, 0, true)
		if !ok {
			return
		}
		ids = append(ids, id)
	}
	deleted := 0
	for _, id := range ids {
		if s.Delete(id) {
			deleted++
		}
	}
	if deleted > 0 {
		n.signalModifiedKey(c, c.db, key)
		n.notifyKeyspaceEvent(NotifyStream, "xdel", string(key), c.db.ID)
		n.dirty += int64(deleted)
	}
	c.int(int64(deleted))
}

// --- XINFO ---

func cmdXInfo(n *Node, c *client) {
	if eq(c.args[1], "HELP") {
		if len(c.args) != 2 {
			n.streamSubcommandSyntaxError(c)
			return
		}
		n.replyHelp(c, "XINFO", []string{
			"CONSUMERS <key> <groupname>",
			"    Show consumers of <groupname>.",
			"GROUPS <key>",
			"    Show the stream consumer groups.",
			"STREAM <key> [FULL [COUNT <count>]",
			"    Show information about the stream.",
		})
		return
	}
	if len(c.args) < 3 {
		n.streamSubcommandSyntaxError(c)
		return
	}
	opt := c.args[1]
	key := c.args[2]
	v := n.lookupRead(c, key)
	if v == nil {
		n.replyError(c, ErrNoSuchKey)
		return
	}
	if !n.checkType(c, v, keyspace.KindStream) {
		return
	}
	s := v.Stream()
	switch {
	case eq(opt, "CONSUMERS") && len(c.args) == 4:
		g := s.Group(c.args[3])
		if g == nil {
			n.replyErrorf(c, "NOGROUP No such consumer group '%s' for key name '%s'", streamCStr(c.args[3]), streamCStr(key))
			return
		}
		c.w.Array(len(g.Consumers()))
		for _, cons := range g.Consumers() {
			c.w.Map(3)
			c.w.BulkString("name")
			c.w.BulkString(cons.Name)
			c.w.BulkString("pending")
			c.int(int64(cons.PEL.Len()))
			c.w.BulkString("idle")
			c.int(max(n.ms-cons.SeenTime, 0))
		}
	case eq(opt, "GROUPS") && len(c.args) == 3:
		c.w.Array(len(s.Groups()))
		for _, g := range s.Groups() {
			c.w.Map(6)
			c.w.BulkString("name")
			c.w.BulkString(g.Name)
			c.w.BulkString("consumers")
			c.int(int64(len(g.Consumers())))
			c.w.BulkString("pending")
			c.int(int64(g.PEL.Len()))
			c.w.BulkString("last-delivered-id")
			replyStreamID(c, g.LastID)
			c.w.BulkString("entries-read")
			replyEntriesRead(c, g)
			c.w.BulkString("lag")
			replyLag(c, s, g)
		}
	case eq(opt, "STREAM"):
		n.xinfoStream(c, s)
	default:
		n.streamSubcommandSyntaxError(c)
	}
}

func replyEntriesRead(c *client, g *keyspace.StreamGroup) {
	if g.EntriesRead != keyspace.EntriesReadInvalid {
		c.int(g.EntriesRead)
	} else {
		c.null()
	}
}

func replyLag(c *client, s *keyspace.Stream, g *keyspace.StreamGroup) {
	if lag, ok := s.Lag(g); ok {
		c.int(lag)
	} else {
		c.null()
	}
}

func (n *Node) xinfoStream(c *client, s *keyspace.Stream) {
	full := false
	count := int64(10)
	opts := c.args[3:]
	if len(opts) > 0 {
		if len(opts) != 1 && len(opts) != 3 {
			n.streamSubcommandSyntaxError(c)
			return
		}
		if !eq(opts[0], "FULL") {
			n.streamSubcommandSyntaxError(c)
			return
		}
		if len(opts) == 3 {
			if !eq(opts[1], "COUNT") {
				n.streamSubcommandSyntaxError(c)
				return
			}
			v, ok := n.argInt(c, opts[2])
			if !ok {
				return
			}
			count = v
			if count < 0 {
				count = 10
			}
		}
		full = true
	}
	if full {
		c.w.Map(9)
	} else {
		c.w.Map(10)
	}
	c.w.BulkString("length")
	c.int(int64(s.Len()))
	c.w.BulkString("radix-tree-keys")
	c.int(int64(s.NodeCount()))
	c.w.BulkString("radix-tree-nodes")
	c.int(int64(s.RaxNodeCount()))
	c.w.BulkString("last-generated-id")
	replyStreamID(c, s.LastID)
	c.w.BulkString("max-deleted-entry-id")
	replyStreamID(c, s.MaxDeletedID)
	c.w.BulkString("entries-added")
	c.int(int64(s.EntriesAdded))
	c.w.BulkString("recorded-first-entry-id")
	replyStreamID(c, s.FirstID)
	if !full {
		c.w.BulkString("groups")
		c.int(int64(len(s.Groups())))
		c.w.BulkString("first-entry")
		if n.streamReplyWithRange(c, s, keyspace.StreamID{}, &keyspace.MaxStreamID, 1, false, nil, nil, rwrRawEntries, nil) == 0 {
			c.null()
		}
		c.w.BulkString("last-entry")
		if n.streamReplyWithRange(c, s, keyspace.StreamID{}, &keyspace.MaxStreamID, 1, true, nil, nil, rwrRawEntries, nil) == 0 {
			c.null()
		}
		return
	}
	c.w.BulkString("entries")
	n.streamReplyWithRange(c, s, keyspace.StreamID{}, nil, count, false, nil, nil, 0, nil)
	c.w.BulkString("groups")
	c.w.Array(len(s.Groups()))
	for _, g := range s.Groups() {
		c.w.Map(7)
		c.w.BulkString("name")
		c.w.BulkString(g.Name)
		c.w.BulkString("last-delivered-id")
		replyStreamID(c, g.LastID)
		c.w.BulkString("entries-read")
		replyEntriesRead(c, g)
		c.w.BulkString("lag")
		replyLag(c, s, g)
		c.w.BulkString("pel-count")
		c.int(int64(g.PEL.Len()))
		c.w.BulkString("pending")
		d := c.w.Defer()
		var np int64
		g.PEL.Ascend(keyspace.StreamID{}, func(id keyspace.StreamID, nack *keyspace.StreamNACK) bool {
			if count != 0 && np >= count {
				return false
			}
			c.w.Array(4)
			replyStreamID(c, id)
			c.w.BulkString(nack.Consumer.Name)
			c.int(nack.DeliveryTime)
			c.int(int64(nack.DeliveryCount))
			np++
			return true
		})
		c.w.FillArray(d, int(np))
		c.w.BulkString("consumers")
		c.w.Array(len(g.Consumers()))
		for _, cons := range g.Consumers() {
			c.w.Map(4)
			c.w.BulkString("name")
			c.w.BulkString(cons.Name)
			c.w.BulkString("seen-time")
			c.int(cons.SeenTime)
			c.w.BulkString("pel-count")
			c.int(int64(cons.PEL.Len()))
			c.w.BulkString("pending")
			d := c.w.Defer()
			var cp int64
			cons.PEL.Ascend(keyspace.StreamID{}, func(id keyspace.StreamID, nack *keyspace.StreamNACK) bool {
				if count != 0 && cp >= count {
					return false
				}
				c.w.Array(3)
				replyStreamID(c, id)
				c.int(nack.DeliveryTime)
				c.int(int64(nack.DeliveryCount))
				cp++
				return true
			})
			c.w.FillArray(d, int(cp))
		}
	}
}

// streamDigest folds a stream into a key digest as Redis's
// xorObjectDigest does: for each entry "<ms>.<seq>", then each field and
// value, in order.
func streamDigest(d *digest, v *keyspace.Value) {
	s := v.Stream()
	it := s.Iterator(keyspace.StreamID{}, keyspace.MaxStreamID, false)
	var buf []byte
	for {
		id, ok := it.Next()
		if !ok {
			return
		}
		buf = strconv.AppendUint(buf[:0], id.Ms, 10)
		buf = append(buf, '.')
		buf = strconv.AppendUint(buf, id.Seq, 10)
		d.mix(buf)
		it.Fields(func(f, val []byte) {
			d.mix(f)
			d.mix(val)
		})
	}
}

// signalDeletedStream tells clients blocked on key that the stream there is
// about to be deleted or replaced (blocked XREADGROUP clients then get an
// error), as Redis signals every deleted or overwritten stream key.
func (n *Node) signalDeletedStream(db *keyspace.DB, key string) {
	if len(n.blockingKeys) == 0 {
		return
	}
	if v := db.Find(key); v != nil && v.Kind() == keyspace.KindStream {
		n.signalKeyAsReady(db.ID, key)
	}
}

// signalDeletedStreamsInDB signals, in key order, the blocked-on keys of db
// that hold a stream and will not hold one once db is emptied or replaced
// by other (nil: emptied), as Redis's scanDatabaseForDeletedStreams does.
func (n *Node) signalDeletedStreamsInDB(db, other *keyspace.DB) {
	if len(n.blockingKeys) == 0 {
		return
	}
	var keys []string
	for wk := range n.blockingKeys {
		if wk.db != db.ID {
			continue
		}
		if v := db.Find(wk.key); v == nil || v.Kind() != keyspace.KindStream {
			continue
		}
		if other != nil {
			if v := other.Find(wk.key); v != nil && v.Kind() == keyspace.KindStream {
				continue
			}
		}
		keys = append(keys, wk.key)
	}
	sort.Strings(keys)
	for _, k := range keys {
		n.signalKeyAsReady(db.ID, k)
	}
}

func streamDocs(summary, since, complexity, syntax string) Docs {
	return Docs{Summary: summary, Since: since, Group: "stream", Complexity: complexity, Syntax: syntax}
}

func init() {
	digestFuncs[keyspace.KindStream] = streamDigest
	register(
		&Command{Name: "xadd", Arity: -5, Flags: CmdWrite | CmdDenyOOM | CmdFast, ACL: CatStream, Proc: cmdXAdd, Tips: []string{"nondeterministic_output"},
			FirstKey: 1, LastKey: 1, Step: 1,
			Keys: []KeySpec{{Notes: "UPDATE instead of INSERT because of the optional trimming feature", Flags: []string{"RW", "UPDATE"}, BeginIndex: 1, Step: 1}},
			Docs: streamDocs("Appends a new entry to a stream", "5.0.0", "O(1) when adding a new entry, O(N) when trimming where N being the number of entries evicted.",
				"key [NOMKSTREAM] [<MAXLEN | MINID> [= | ~] threshold [LIMIT count:integer]] <* | id> field value [field value ...]")},
		&Command{Name: "xtrim", Arity: -4, Flags: CmdWrite, ACL: CatStream, Proc: cmdXTrim, Tips: []string{"nondeterministic_output"},
			FirstKey: 1, LastKey: 1, Step: 1, Keys: keys1("RW", "DELETE"),
			Docs: streamDocs("Trims the stream to (approximately if '~' is passed) a certain size", "5.0.0", "O(N), with N being the number of evicted entries. Constant times are very small however, since entries are organized in macro nodes containing multiple entries that can be released with a single deallocation.",
				"key <MAXLEN | MINID> [= | ~] threshold [LIMIT count:integer]")},
		&Command{Name: "xdel", Arity: -3, Flags: CmdWrite | CmdFast, ACL: CatStream, Proc: cmdXDel,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: keys1("RW", "DELETE"),
			Docs: streamDocs("Removes the specified entries from the stream. Returns the number of items actually deleted, that may be different from the number of IDs passed in case certain IDs do not exist.", "5.0.0", "O(1) for each single item to delete in the stream, regardless of the stream size.", "key id [id ...]")},
		&Command{Name: "xlen", Arity: 2, Flags: CmdReadonly | CmdFast, ACL: CatStream, Proc: cmdXLen,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: keys1("RO"),
			Docs: streamDocs("Return the number of entries in a stream", "5.0.0", "O(1)", "key")},
		&Command{Name: "xrange", Arity: -4, Flags: CmdReadonly, ACL: CatStream, Proc: cmdXRange,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: keys1("RO", "ACCESS"),
			Docs: streamDocs("Return a range of elements in a stream, with IDs matching the specified IDs interval", "5.0.0", "O(N) with N being the number of elements being returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).", "key start end [COUNT count:integer]")},
		&Command{Name: "xrevrange", Arity: -4, Flags: CmdReadonly, ACL: CatStream, Proc: cmdXRevRange,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: keys1("RO", "ACCESS"),
			Docs: streamDocs("Return a range of elements in a stream, with IDs matching the specified IDs interval, in reverse order (from greater to smaller IDs) compared to XRANGE", "5.0.0", "O(N) with N being the number of elements returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).", "key end start [COUNT count:integer]")},
		&Command{Name: "xread", Arity: -4, Flags: CmdBlocking | CmdReadonly | CmdMovableKeys, ACL: CatStream, Proc: cmdXRead,
			FirstKey: 0, LastKey: 0, Step: 0,
			Keys: []KeySpec{{Flags: []string{"RO", "ACCESS"}, BeginKeyword: "STREAMS", KeywordFrom: 1, LastKey: -1, Step: 1, Limit: 2}},
			Docs: streamDocs("Return never seen elements in multiple streams, with IDs greater than the ones reported by the caller for each stream. Can block.", "5.0.0", "For each stream mentioned: O(N) with N being the number of elements being returned, it means that XREAD-ing with a fixed COUNT is O(1). Note that when the BLOCK option is used, XADD will pay O(M) time in order to serve the M clients blocked on the stream getting new data.",
				"[COUNT count:integer] [BLOCK milliseconds:integer] STREAMS key [key ...] id [id ...]")},
		&Command{Name: "xreadgroup", Arity: -7, Flags: CmdBlocking | CmdWrite | CmdMovableKeys, ACL: CatStream, Proc: cmdXRead,
			FirstKey: 0, LastKey: 0, Step: 0,
			Keys: []KeySpec{{Flags: []string{"RO", "ACCESS"}, BeginKeyword: "STREAMS", KeywordFrom: 4, LastKey: -1, Step: 1, Limit: 2}},
			Docs: streamDocs("Return new entries from a stream using a consumer group, or access the history of the pending entries for a given consumer. Can block.", "5.0.0", "For each stream mentioned: O(M) with M being the number of elements returned. If M is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1). On the other side when XREADGROUP blocks, XADD will pay the O(N) time in order to serve the N clients blocked on the stream getting new data.",
				"GROUP group consumer [COUNT count:integer] [BLOCK milliseconds:integer] [NOACK] STREAMS key [key ...] id [id ...]")},
		&Command{Name: "xsetid", Arity: -3, Flags: CmdWrite | CmdDenyOOM | CmdFast, ACL: CatStream, Proc: cmdXSetID,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: keys1("RW", "UPDATE"),
			Docs: streamDocs("An internal command for replicating stream values", "5.0.0", "O(1)", "key last-id [ENTRIESADDED entries-added:integer] [MAXDELETEDID max-deleted-id]")},
		&Command{Name: "xack", Arity: -4, Flags: CmdWrite | CmdFast, ACL: CatStream, Proc: cmdXAck,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: keys1("RW", "UPDATE"),
			Docs: streamDocs("Marks a pending message as correctly processed, effectively removing it from the pending entries list of the consumer group. Return value of the command is the number of messages successfully acknowledged, that is, the IDs we were actually able to resolve in the PEL.", "5.0.0", "O(1) for each message ID processed.", "key group id [id ...]")},
		&Command{Name: "xpending", Arity: -3, Flags: CmdReadonly, ACL: CatStream, Proc: cmdXPending, Tips: []string{"nondeterministic_output"},
			FirstKey: 1, LastKey: 1, Step: 1, Keys: keys1("RO", "ACCESS"),
			Docs: streamDocs("Return information and entries from a stream consumer group pending entries list, that are messages fetched but never acknowledged.", "5.0.0", "O(N) with N being the number of elements returned, so asking for a small fixed number of entries per call is O(1). O(M), where M is the total number of entries scanned when used with the IDLE filter. When the command returns just the summary and the list of consumers is small, it runs in O(1) time; otherwise, an additional O(N) time for iterating every consumer.",
				"key group [[IDLE min-idle-time:integer] start end count:integer [consumer]]")},
		&Command{Name: "xclaim", Arity: -6, Flags: CmdWrite | CmdFast, ACL: CatStream, Proc: cmdXClaim, Tips: []string{"nondeterministic_output"},
			FirstKey: 1, LastKey: 1, Step: 1, Keys: keys1("RW", "UPDATE"),
			Docs: streamDocs("Changes (or acquires) ownership of a message in a consumer group, as if the message was delivered to the specified consumer.", "5.0.0", "O(log N) with N being the number of messages in the PEL of the consumer group.",
				"key group consumer min-idle-time id [id ...] [IDLE ms:integer] [TIME unix-time-milliseconds:unix-time] [RETRYCOUNT count:integer] [FORCE] [JUSTID] [LASTID lastid]")},
		&Command{Name: "xautoclaim", Arity: -6, Flags: CmdWrite | CmdFast, ACL: CatStream, Proc: cmdXAutoClaim, Tips: []string{"nondeterministic_output"},
			FirstKey: 1, LastKey: 1, Step: 1, Keys: keys1("RW", "DELETE"),
			Docs: streamDocs("Changes (or acquires) ownership of messages in a consumer group, as if the messages were delivered to the specified consumer.", "6.2.0", "O(1) if COUNT is small.",
				"key group consumer min-idle-time start [COUNT count:integer] [JUSTID]")},
		&Command{Name: "xgroup", Arity: -2, Docs: streamDocs("A container for consumer groups commands", "5.0.0", "Depends on subcommand.", ""),
			Sub: map[string]*Command{
				"create": {Name: "create", Arity: -5, Flags: CmdWrite | CmdDenyOOM, ACL: CatStream, Proc: cmdXGroup,
					FirstKey: 2, LastKey: 2, Step: 1, Keys: []KeySpec{keysRange(2, 0, 1, "RW", "INSERT")},
					Docs: streamDocs("Create a consumer group.", "5.0.0", "O(1)", "key group <id | $> [MKSTREAM] [ENTRIESREAD entries-read:integer]")},
				"setid": {Name: "setid", Arity: -5, Flags: CmdWrite, ACL: CatStream, Proc: cmdXGroup,
					FirstKey: 2, LastKey: 2, Step: 1, Keys: []KeySpec{keysRange(2, 0, 1, "RW", "UPDATE")},
					Docs: streamDocs("Set a consumer group to an arbitrary last delivered ID value.", "5.0.0", "O(1)", "key group <id | $> [ENTRIESREAD entries-read:integer]")},
				"destroy": {Name: "destroy", Arity: 4, Flags: CmdWrite, ACL: CatStream, Proc: cmdXGroup,
					FirstKey: 2, LastKey: 2, Step: 1, Keys: []KeySpec{keysRange(2, 0, 1, "RW", "DELETE")},
					Docs: streamDocs("Destroy a consumer group.", "5.0.0", "O(N) where N is the number of entries in the group's pending entries list (PEL).", "key group")},
				"createconsumer": {Name: "createconsumer", Arity: 5, Flags: CmdWrite | CmdDenyOOM, ACL: CatStream, Proc: cmdXGroup,
					FirstKey: 2, LastKey: 2, Step: 1, Keys: []KeySpec{keysRange(2, 0, 1, "RW", "INSERT")},
					Docs: streamDocs("Create a consumer in a consumer group.", "6.2.0", "O(1)", "key group consumer")},
				"delconsumer": {Name: "delconsumer", Arity: 5, Flags: CmdWrite, ACL: CatStream, Proc: cmdXGroup,
					FirstKey: 2, LastKey: 2, Step: 1, Keys: []KeySpec{keysRange(2, 0, 1, "RW", "DELETE")},
					Docs: streamDocs("Delete a consumer from a consumer group.", "5.0.0", "O(1)", "key group consumer")},
				"help": {Name: "help", Arity: 2, Flags: CmdLoading | CmdStale, ACL: CatStream, Proc: cmdXGroup,
					Docs: streamDocs("Show helpful text about the different subcommands", "5.0.0", "O(1)", "")},
			}},
		&Command{Name: "xinfo", Arity: -2, Docs: streamDocs("A container for stream introspection commands", "5.0.0", "Depends on subcommand.", ""),
			Sub: map[string]*Command{
				"consumers": {Name: "consumers", Arity: 4, Flags: CmdReadonly, ACL: CatStream, Proc: cmdXInfo, Tips: []string{"nondeterministic_output"},
					FirstKey: 2, LastKey: 2, Step: 1, Keys: []KeySpec{keysRange(2, 0, 1, "RO", "ACCESS")},
					Docs: streamDocs("List the consumers in a consumer group", "5.0.0", "O(1)", "key group")},
				"groups": {Name: "groups", Arity: 3, Flags: CmdReadonly, ACL: CatStream, Proc: cmdXInfo,
					FirstKey: 2, LastKey: 2, Step: 1, Keys: []KeySpec{keysRange(2, 0, 1, "RO", "ACCESS")},
					Docs: streamDocs("List the consumer groups of a stream", "5.0.0", "O(1)", "key")},
				"stream": {Name: "stream", Arity: -3, Flags: CmdReadonly, ACL: CatStream, Proc: cmdXInfo,
					FirstKey: 2, LastKey: 2, Step: 1, Keys: []KeySpec{keysRange(2, 0, 1, "RO", "ACCESS")},
					Docs: streamDocs("Get information about a stream", "5.0.0", "O(1)", "key [FULL [COUNT count:integer]]")},
				"help": {Name: "help", Arity: 2, Flags: CmdLoading | CmdStale, ACL: CatStream, Proc: cmdXInfo,
					Docs: streamDocs("Returns helpful text about the different subcommands.", "5.0.0", "O(1)", "")},
			}},
	)
}

// signalStreamKeysInDB signals, in key order, the blocked-on keys of db
// that hold a stream (after SWAPDB brought new values in), as Redis's
// scanDatabaseForReadyKeys does for streams.
func (n *Node) signalStreamKeysInDB(db *keyspace.DB) {
	if len(n.blockingKeys) == 0 {
		return
	}
	var keys []string
	for wk := range n.blockingKeys {
		if wk.db != db.ID {
			continue
		}
		if v := db.Find(wk.key); v != nil && v.Kind() == keyspace.KindStream {
			keys = append(keys, wk.key)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		n.signalKeyAsReady(db.ID, k)
	}
}
