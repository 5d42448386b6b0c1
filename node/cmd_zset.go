package node

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"replab/internal/glob"
	"replab/internal/num"
	"replab/keyspace"
	"replab/resp"
)

// Sorted set commands, following Redis 7.0's t_zset.c: replies, errors,
// encodings and the canonical replicated forms of the pops.

// Error replies of the sorted set commands.
const (
	errZMinMaxFloat = "ERR min or max is not a float"
	errZMinMaxLex   = "ERR min or max not valid string range item"
	errZNaN         = "ERR resulting score is not a number (NaN)"
	errZWeight      = "ERR weight value is not a float"
	errZNXXX        = "ERR XX and NX options at the same time are not compatible"
	errZGTLTNX      = "ERR GT, LT, and/or NX options at the same time are not compatible"
	errZIncrPair    = "ERR INCR option supports a single increment-element pair"
	errZLimitRank   = "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"
	errZLexScores   = "ERR syntax error, WITHSCORES not supported in combination with BYLEX"
)

// zsetSeed seeds the member tables of skiplist-encoded sets. Their order is
// visible only through ZSCAN; a fixed seed keeps it reproducible.
const zsetSeed = 0x7a5e7c0ffee

// zsetLimits returns the encoding thresholds of the configuration.
func (n *Node) zsetLimits() keyspace.ZSetLimits {
	return keyspace.ZSetLimits{MaxEntries: n.cfg.ZSetMaxListpackEntries, MaxValue: n.cfg.ZSetMaxListpackValue, Seed: zsetSeed}
}

// zsetSource is an input of ZUNION, ZINTER, ZDIFF and their STORE forms,
// as Redis's zsetopsrc: a sorted set, or a set whose members all score 1.
type zsetSource interface {
	Len() int
	ForEach(fn func(member []byte, score float64) bool)
	Score(member []byte) (float64, bool)
}

// zsetSourceFuncs adapts values of kinds other than sorted sets to
// zsetSource; the set type registers KindSet (members with score 1).
var zsetSourceFuncs = map[keyspace.Kind]func(v *keyspace.Value) zsetSource{}

// strtod parses b as Redis's range parsing does with strtod: leading white
// space is skipped, the whole (C) string must be consumed, an empty string
// is 0, overflow gives an infinity. NaN is refused.
func strtod(b []byte) (float64, bool) {
	if i := strings.IndexByte(bs(b), 0); i >= 0 {
		b = b[:i] // a C string ends at its first NUL
	}
	if len(b) == 0 {
		return 0, true
	}
	s := strings.TrimLeft(string(b), " \t\n\v\f\r")
	if s == "" || strings.IndexByte(s, '_') >= 0 {
		return 0, false
	}
	body := s
	if body[0] == '+' || body[0] == '-' {
		body = body[1:]
	}
	lower := strings.ToLower(body)
	switch {
	case lower == "inf" || lower == "infinity":
		if s[0] == '-' {
			return math.Inf(-1), true
		}
		return math.Inf(1), true
	case strings.HasPrefix(lower, "nan") || strings.HasPrefix(lower, "inf"):
		return 0, false
	case strings.HasPrefix(lower, "0x") && !strings.ContainsAny(lower, "p"):
		s += "p0"
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); !ok || ne.Err != strconv.ErrRange {
			return 0, false
		}
	}
	if math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// parseScoreRange parses the min and max of ZRANGEBYSCORE and relatives:
// floats, "-inf" and "+inf", "(" for an exclusive end.
func parseScoreRange(min, max []byte) (keyspace.ScoreRange, bool) {
	var r keyspace.ScoreRange
	var ok bool
	if len(min) > 0 && min[0] == '(' {
		r.MinEx = true
		min = min[1:]
	}
	if r.Min, ok = strtod(min); !ok {
		return r, false
	}
	if len(max) > 0 && max[0] == '(' {
		r.MaxEx = true
		max = max[1:]
	}
	if r.Max, ok = strtod(max); !ok {
		return r, false
	}
	return r, true
}

func parseLexBound(b []byte) (keyspace.LexBound, bool) {
	if len(b) == 0 {
		return keyspace.LexBound{}, false
	}
	switch b[0] {
	case '+', '-':
		// C compares the second byte with NUL: "+\x00..." still means +.
		if len(b) > 1 && b[1] != 0 {
			return keyspace.LexBound{}, false
		}
		if b[0] == '+' {
			return keyspace.LexBound{Inf: 1, Ex: true}, true
		}
		return keyspace.LexBound{Inf: -1, Ex: true}, true
	case '(':
		return keyspace.LexBound{Value: b[1:], Ex: true}, true
	case '[':
		return keyspace.LexBound{Value: b[1:]}, true
	}
	return keyspace.LexBound{}, false
}

// parseLexRange parses the min and max of ZRANGEBYLEX and relatives.
func parseLexRange(min, max []byte) (keyspace.LexRange, bool) {
	lo, ok1 := parseLexBound(min)
	hi, ok2 := parseLexBound(max)
	return keyspace.LexRange{Min: lo, Max: hi}, ok1 && ok2
}

// zsetRead looks key up for reading. It returns nil when the key is
// missing, and ok=false after replying WRONGTYPE.
func (n *Node) zsetRead(c *client, key []byte) (*keyspace.ZSet, bool) {
	v := n.lookupRead(c, key)
	if v == nil {
		return nil, true
	}
	if v.Kind() != keyspace.KindZSet {
		n.replyError(c, ErrWrongType)
		return nil, false
	}
	return v.ZSet(), true
}

// zsetWrite is zsetRead for a key about to change.
func (n *Node) zsetWrite(c *client, key []byte) (*keyspace.ZSet, bool) {
	v := n.lookupWrite(c, key)
	if v == nil {
		return nil, true
	}
	if v.Kind() != keyspace.KindZSet {
		n.replyError(c, ErrWrongType)
		return nil, false
	}
	return v.ZSet(), true
}

// zsetStore stores z under key (replacing any value and its expire time),
// as Redis's setKey: a new key wakes clients blocked on it.
func (n *Node) zsetStore(c *client, key []byte, z *keyspace.ZSet) {
	v := keyspace.NewZSetValue(z)
	if n.lookupWrite(c, key) != nil {
		n.setKey(c, c.db, key, v, false)
	} else {
		n.dbAdd(c, c.db, key, v)
	}
}

// zsetDeleteIfEmpty deletes key when z has no element left and reports
// whether it did.
func (n *Node) zsetDeleteIfEmpty(c *client, key []byte, z *keyspace.ZSet) bool {
	if z.Len() > 0 {
		return false
	}
	n.dbDelete(c, c.db, key)
	return true
}

// replyScored writes one element of a WITHSCORES reply: a [member, score]
// pair in RESP3, two flat items in RESP2.
func replyScored(c *client, member []byte, score float64, withscores bool) {
	if withscores && c.w.Resp3() {
		c.w.Array(2)
	}
	c.w.Bulk(member)
	if withscores {
		c.w.Double(score)
	}
}

// scoredArrayLen is the array length of count elements with or without
// scores.
func scoredArrayLen(c *client, count int, withscores bool) int {
	if withscores && !c.w.Resp3() {
		return count * 2
	}
	return count
}

// ZADD and ZINCRBY.

const (
	zaddNX = 1 << iota
	zaddXX
	zaddGT
	zaddLT
	zaddIncr
)

func cmdZadd(n *Node, c *client)    { n.zaddGeneric(c, 0) }
func cmdZincrby(n *Node, c *client) { n.zaddGeneric(c, zaddIncr) }

func (n *Node) zaddGeneric(c *client, flags int) {
	key := c.args[1]
	ch := false
	idx := 2
	for ; idx < len(c.args); idx++ {
		opt := c.args[idx]
		switch {
		case eq(opt, "nx"):
			flags |= zaddNX
		case eq(opt, "xx"):
			flags |= zaddXX
		case eq(opt, "ch"):
			ch = true
		case eq(opt, "incr"):
			flags |= zaddIncr
		case eq(opt, "gt"):
			flags |= zaddGT
		case eq(opt, "lt"):
			flags |= zaddLT
		default:
			goto parsed
		}
	}
parsed:
	incr, nx, xx := flags&zaddIncr != 0, flags&zaddNX != 0, flags&zaddXX != 0
	gt, lt := flags&zaddGT != 0, flags&zaddLT != 0
	elements := len(c.args) - idx
	if elements%2 != 0 || elements == 0 {
		n.replyError(c, ErrSyntax)
		return
	}
	elements /= 2
	if nx && xx {
		n.replyError(c, errZNXXX)
		return
	}
	if (gt && nx) || (lt && nx) || (gt && lt) {
		n.replyError(c, errZGTLTNX)
		return
	}
	if incr && elements > 1 {
		n.replyError(c, errZIncrPair)
		return
	}
	scores := make([]float64, elements)
	for j := range scores {
		f, ok := n.argFloat(c, c.args[idx+2*j])
		if !ok {
			return
		}
		scores[j] = f
	}
	z, ok := n.zsetWrite(c, key)
	if !ok {
		return
	}
	lim := n.zsetLimits()
	added, updated, processed := 0, 0, 0
	var score float64
	if z == nil {
		if xx {
			goto reply
		}
		z = keyspace.NewZSet(0, len(c.args[idx+1]), lim)
		n.dbAdd(c, c.db, key, keyspace.NewZSetValue(z))
	}
	for j := 0; j < elements; j++ {
		member := c.args[idx+2*j+1]
		score = scores[j]
		cur, exists := z.Score(member)
		if exists {
			if nx {
				continue
			}
			if incr {
				score += cur
				if math.IsNaN(score) {
					n.replyError(c, errZNaN)
					goto signal
				}
			}
			if (lt && score >= cur) || (gt && score <= cur) {
				continue
			}
			processed++
			if score != cur {
				z.Set(member, score, lim)
				updated++
			}
		} else if !xx {
			z.Set(member, score, lim)
			added++
			processed++
		}
	}
	n.dirty += int64(added + updated)
reply:
	if incr {
		if processed > 0 {
			c.w.Double(score)
		} else {
			c.w.Null()
		}
	} else if ch {
		c.int(int64(added + updated))
	} else {
		c.int(int64(added))
	}
signal:
	if added > 0 || updated > 0 {
		n.signalModifiedKey(c, c.db, key)
		event := "zadd"
		if incr {
			event = "zincr"
		}
		n.notifyKeyspaceEvent(NotifyZSet, event, string(key), c.db.ID)
	}
}

func cmdZrem(n *Node, c *client) {
	key := c.args[1]
	z, ok := n.zsetWrite(c, key)
	if !ok {
		return
	}
	if z == nil {
		c.int(0)
		return
	}
	deleted, removed := 0, false
	for _, m := range c.args[2:] {
		if z.Remove(m) {
			deleted++
		}
		if z.Len() == 0 {
			n.dbDelete(c, c.db, key)
			removed = true
			break
		}
	}
	if deleted > 0 {
		n.notifyKeyspaceEvent(NotifyZSet, "zrem", string(key), c.db.ID)
		if removed {
			n.notifyKeyspaceEvent(NotifyGeneric, "del", string(key), c.db.ID)
		}
		n.signalModifiedKey(c, c.db, key)
		n.dirty += int64(deleted)
	}
	c.int(int64(deleted))
}

func cmdZcard(n *Node, c *client) {
	z, ok := n.zsetRead(c, c.args[1])
	if !ok {
		return
	}
	if z == nil {
		c.int(0)
		return
	}
	c.int(int64(z.Len()))
}

func cmdZscore(n *Node, c *client) {
	z, ok := n.zsetRead(c, c.args[1])
	if !ok {
		return
	}
	if z == nil {
		c.null()
		return
	}
	if s, found := z.Score(c.args[2]); found {
		c.w.Double(s)
	} else {
		c.null()
	}
}

func cmdZmscore(n *Node, c *client) {
	z, ok := n.zsetRead(c, c.args[1])
	if !ok {
		return
	}
	c.w.Array(len(c.args) - 2)
	for _, m := range c.args[2:] {
		if z == nil {
			c.null()
			continue
		}
		if s, found := z.Score(m); found {
			c.w.Double(s)
		} else {
			c.null()
		}
	}
}

// zrankGeneric implements ZRANK and ZREVRANK, with WITHSCORE as Redis 7.2
// defines it (a [rank, score] pair, or a null array for a missing member).
func (n *Node) zrankGeneric(c *client, rev bool) {
	withscore := false
	if len(c.args) > 4 {
		n.replyErrorf(c, ErrWrongArgsFmt, c.cmd.FullName)
		return
	}
	if len(c.args) == 4 {
		if !eq(c.args[3], "withscore") {
			n.replyError(c, ErrSyntax)
			return
		}
		withscore = true
	}
	z, ok := n.zsetRead(c, c.args[1])
	if !ok {
		return
	}
	nullReply := func() {
		if withscore {
			c.w.NullArray()
		} else {
			c.null()
		}
	}
	if z == nil {
		nullReply()
		return
	}
	r, found := z.Rank(c.args[2])
	if !found {
		nullReply()
		return
	}
	if rev {
		r = z.Len() - 1 - r
	}
	if withscore {
		s, _ := z.Score(c.args[2])
		c.w.Array(2)
		c.int(int64(r))
		c.w.Double(s)
		return
	}
	c.int(int64(r))
}

func cmdZrank(n *Node, c *client)    { n.zrankGeneric(c, false) }
func cmdZrevrank(n *Node, c *client) { n.zrankGeneric(c, true) }

func cmdZcount(n *Node, c *client) {
	r, ok := parseScoreRange(c.args[2], c.args[3])
	if !ok {
		n.replyError(c, errZMinMaxFloat)
		return
	}
	z, ok := n.zsetRead(c, c.args[1])
	if !ok {
		return
	}
	if z == nil {
		c.int(0)
		return
	}
	first := z.FirstInScoreRange(&r)
	c.int(int64(zcountFrom(z, first, func() int { return z.LastInScoreRange(&r) },
		func(_ []byte, s float64) bool { return r.LteMax(s) })))
}

func cmdZlexcount(n *Node, c *client) {
	r, ok := parseLexRange(c.args[2], c.args[3])
	if !ok {
		n.replyError(c, errZMinMaxLex)
		return
	}
	z, ok := n.zsetRead(c, c.args[1])
	if !ok {
		return
	}
	if z == nil {
		c.int(0)
		return
	}
	first := z.FirstInLexRange(&r)
	c.int(int64(zcountFrom(z, first, func() int { return z.LastInLexRange(&r) },
		func(m []byte, _ float64) bool { return r.LteMax(m) })))
}

// zcountFrom counts the elements of a range that starts at rank first, as
// Redis does: a listpack is walked while inRange holds, a skiplist uses the
// ranks of the first and last elements in the range.
func zcountFrom(z *keyspace.ZSet, first int, last func() int, inRange func([]byte, float64) bool) int {
	if first < 0 {
		return 0
	}
	if z.IsListpack() {
		count := 0
		z.Walk(first, false, func(m []byte, s float64) bool {
			if !inRange(m, s) {
				return false
			}
			count++
			return true
		})
		return count
	}
	count := z.Len() - first
	if l := last(); l >= 0 {
		count -= z.Len() - 1 - l
	}
	return count
}

// ZRANGE and relatives.

const (
	zrangeAuto = iota
	zrangeRank
	zrangeScore
	zrangeLex
)

// zrangeSink receives the result of a range: the client's reply or, for
// ZRANGESTORE, a new sorted set (Redis's zrange_result_handler).
type zrangeSink struct {
	n          *Node
	c          *client
	withscores bool
	store      bool
	dst        []byte
	deferred   resp.Deferred
	isDeferred bool
	z          *keyspace.ZSet
	lim        keyspace.ZSetLimits
}

func (s *zrangeSink) begin(length int) {
	if s.store {
		s.lim = s.n.zsetLimits()
		s.z = keyspace.NewZSet(max(length, 0), 0, s.lim)
		return
	}
	if length > 0 {
		s.c.w.Array(scoredArrayLen(s.c, length, s.withscores))
		return
	}
	s.deferred = s.c.w.Defer()
	s.isDeferred = true
}

func (s *zrangeSink) emit(member []byte, score float64) {
	if s.store {
		s.z.Set(member, score, s.lim)
		return
	}
	replyScored(s.c, member, score, s.withscores)
}

func (s *zrangeSink) finalize(count int) {
	n, c := s.n, s.c
	if !s.store {
		if s.isDeferred {
			c.w.FillArray(s.deferred, scoredArrayLen(c, count, s.withscores))
		}
		return
	}
	if count > 0 {
		n.zsetStore(c, s.dst, s.z)
		c.int(int64(count))
		n.notifyKeyspaceEvent(NotifyZSet, "zrangestore", string(s.dst), c.db.ID)
		n.dirty++
		return
	}
	c.int(0)
	if n.dbDelete(c, c.db, s.dst) {
		n.notifyKeyspaceEvent(NotifyGeneric, "del", string(s.dst), c.db.ID)
		n.dirty++
	}
}

func cmdZrange(n *Node, c *client) { n.zrangeGeneric(c, 1, false, zrangeAuto, 0) }
func cmdZrangestore(n *Node, c *client) {
	n.zrangeGeneric(c, 2, true, zrangeAuto, 0)
}
func cmdZrevrange(n *Node, c *client)        { n.zrangeGeneric(c, 1, false, zrangeRank, -1) }
func cmdZrangebyscore(n *Node, c *client)    { n.zrangeGeneric(c, 1, false, zrangeScore, 1) }
func cmdZrevrangebyscore(n *Node, c *client) { n.zrangeGeneric(c, 1, false, zrangeScore, -1) }
func cmdZrangebylex(n *Node, c *client)      { n.zrangeGeneric(c, 1, false, zrangeLex, 1) }
func cmdZrevrangebylex(n *Node, c *client)   { n.zrangeGeneric(c, 1, false, zrangeLex, -1) }

// zrangeGeneric implements every range query: keyIdx is the index of the
// source key, store tells ZRANGESTORE, kind and dir (1 forward, -1
// reverse, 0 auto) are fixed by the command or left to the options.
func (n *Node) zrangeGeneric(c *client, keyIdx int, store bool, kind, dir int) {
	key := c.args[keyIdx]
	minIdx, maxIdx := keyIdx+1, keyIdx+2
	withscores := false
	var offset, limit int64 = 0, -1
	for j := keyIdx + 3; j < len(c.args); j++ {
		left := len(c.args) - j - 1
		arg := c.args[j]
		switch {
		case !store && eq(arg, "withscores"):
			withscores = true
		case eq(arg, "limit") && left >= 2:
			var ok bool
			if offset, ok = n.argInt(c, c.args[j+1]); !ok {
				return
			}
			if limit, ok = n.argInt(c, c.args[j+2]); !ok {
				return
			}
			j += 2
		case dir == 0 && eq(arg, "rev"):
			dir = -1
		case kind == zrangeAuto && eq(arg, "bylex"):
			kind = zrangeLex
		case kind == zrangeAuto && eq(arg, "byscore"):
			kind = zrangeScore
		default:
			n.replyError(c, ErrSyntax)
			return
		}
	}
	if dir == 0 {
		dir = 1
	}
	if kind == zrangeAuto {
		kind = zrangeRank
	}
	if limit != -1 && kind == zrangeRank {
		n.replyError(c, errZLimitRank)
		return
	}
	if withscores && kind == zrangeLex {
		n.replyError(c, errZLexScores)
		return
	}
	rev := dir < 0
	if rev && kind != zrangeRank {
		minIdx, maxIdx = maxIdx, minIdx
	}
	var start, end int64
	var sr keyspace.ScoreRange
	var lr keyspace.LexRange
	switch kind {
	case zrangeRank:
		var ok bool
		if start, ok = n.argInt(c, c.args[minIdx]); !ok {
			return
		}
		if end, ok = n.argInt(c, c.args[maxIdx]); !ok {
			return
		}
	case zrangeScore:
		var ok bool
		if sr, ok = parseScoreRange(c.args[minIdx], c.args[maxIdx]); !ok {
			n.replyError(c, errZMinMaxFloat)
			return
		}
	case zrangeLex:
		var ok bool
		if lr, ok = parseLexRange(c.args[minIdx], c.args[maxIdx]); !ok {
			n.replyError(c, errZMinMaxLex)
			return
		}
	}
	sink := &zrangeSink{n: n, c: c, withscores: withscores || store, store: store}
	if store {
		sink.dst = c.args[1]
	}
	v := n.lookupRead(c, key)
	if v == nil {
		if store {
			sink.begin(-1)
			sink.finalize(0)
		} else {
			c.w.Array(0)
		}
		return
	}
	if v.Kind() != keyspace.KindZSet {
		n.replyError(c, ErrWrongType)
		return
	}
	z := v.ZSet()
	switch kind {
	case zrangeRank:
		zrangeByRank(sink, z, start, end, rev)
	case zrangeScore:
		first := z.FirstInScoreRange(&sr)
		if rev {
			first = z.LastInScoreRange(&sr)
		}
		zrangeFrom(sink, z, first, rev, offset, limit, func(_ []byte, s float64) bool {
			if rev {
				return sr.GteMin(s)
			}
			return sr.LteMax(s)
		})
	case zrangeLex:
		first := z.FirstInLexRange(&lr)
		if rev {
			first = z.LastInLexRange(&lr)
		}
		zrangeFrom(sink, z, first, rev, offset, limit, func(m []byte, _ float64) bool {
			if rev {
				return lr.GteMin(m)
			}
			return lr.LteMax(m)
		})
	}
}

func zrangeByRank(sink *zrangeSink, z *keyspace.ZSet, start, end int64, rev bool) {
	llen := int64(z.Len())
	if start < 0 {
		start += llen
	}
	if end < 0 {
		end += llen
	}
	if start < 0 {
		start = 0
	}
	if start > end || start >= llen {
		sink.begin(0)
		sink.finalize(0)
		return
	}
	if end >= llen {
		end = llen - 1
	}
	count := int(end - start + 1)
	sink.begin(count)
	from := int(start)
	if rev {
		from = int(llen - 1 - start)
	}
	left := count
	z.Walk(from, rev, func(m []byte, s float64) bool {
		sink.emit(m, s)
		left--
		return left > 0
	})
	sink.finalize(count)
}

// zrangeFrom emits the elements from rank first onward (backwards when
// rev) while inRange holds, after skipping offset of them and up to limit
// (negative: no limit). A negative offset yields nothing, as in Redis.
func zrangeFrom(sink *zrangeSink, z *keyspace.ZSet, first int, rev bool, offset, limit int64, inRange func([]byte, float64) bool) {
	sink.begin(-1)
	count := 0
	if first < 0 || offset < 0 || (offset > 0 && offset >= int64(z.Len())) || limit == 0 {
		sink.finalize(0)
		return
	}
	if rev {
		first -= int(offset)
	} else {
		first += int(offset)
	}
	z.Walk(first, rev, func(m []byte, s float64) bool {
		if !inRange(m, s) {
			return false
		}
		sink.emit(m, s)
		count++
		limit--
		return limit != 0
	})
	sink.finalize(count)
}

// ZREMRANGEBYRANK, ZREMRANGEBYSCORE, ZREMRANGEBYLEX.

func cmdZremrangebyrank(n *Node, c *client)  { n.zremrangeGeneric(c, zrangeRank) }
func cmdZremrangebyscore(n *Node, c *client) { n.zremrangeGeneric(c, zrangeScore) }
func cmdZremrangebylex(n *Node, c *client)   { n.zremrangeGeneric(c, zrangeLex) }

func (n *Node) zremrangeGeneric(c *client, kind int) {
	key := c.args[1]
	var start, end int64
	var sr keyspace.ScoreRange
	var lr keyspace.LexRange
	var event string
	var ok bool
	switch kind {
	case zrangeRank:
		event = "zremrangebyrank"
		if start, ok = n.argInt(c, c.args[2]); !ok {
			return
		}
		if end, ok = n.argInt(c, c.args[3]); !ok {
			return
		}
	case zrangeScore:
		event = "zremrangebyscore"
		if sr, ok = parseScoreRange(c.args[2], c.args[3]); !ok {
			n.replyError(c, errZMinMaxFloat)
			return
		}
	case zrangeLex:
		event = "zremrangebylex"
		if lr, ok = parseLexRange(c.args[2], c.args[3]); !ok {
			n.replyError(c, errZMinMaxLex)
			return
		}
	}
	z, ok := n.zsetWrite(c, key)
	if !ok {
		return
	}
	if z == nil {
		c.int(0)
		return
	}
	first, last := -1, -1
	switch kind {
	case zrangeRank:
		llen := int64(z.Len())
		if start < 0 {
			start += llen
		}
		if end < 0 {
			end += llen
		}
		if start < 0 {
			start = 0
		}
		if start > end || start >= llen {
			c.int(0)
			return
		}
		if end >= llen {
			end = llen - 1
		}
		first, last = int(start), int(end)
	case zrangeScore:
		first = z.FirstInScoreRange(&sr)
		last = zrangeEnd(z, first, func(_ []byte, s float64) bool { return sr.LteMax(s) })
	case zrangeLex:
		if z.IsListpack() {
			first = z.FirstInLexRange(&lr)
		} else {
			// Redis's zslDeleteRangeByLex skips zslIsInLexRange.
			first = z.FirstGteLexMin(&lr)
		}
		last = zrangeEnd(z, first, func(m []byte, _ float64) bool { return lr.LteMax(m) })
	}
	deleted := 0
	if first >= 0 && last >= first {
		deleted = z.DeleteRange(first, last)
	}
	removed := n.zsetDeleteIfEmpty(c, key, z)
	if deleted > 0 {
		n.signalModifiedKey(c, c.db, key)
		n.notifyKeyspaceEvent(NotifyZSet, event, string(key), c.db.ID)
		if removed {
			n.notifyKeyspaceEvent(NotifyGeneric, "del", string(key), c.db.ID)
		}
	}
	n.dirty += int64(deleted)
	c.int(int64(deleted))
}

// zrangeEnd returns the last rank of the run that starts at first and
// continues while inRange holds (-1 when first is -1).
func zrangeEnd(z *keyspace.ZSet, first int, inRange func([]byte, float64) bool) int {
	if first < 0 {
		return -1
	}
	last := first - 1
	z.Walk(first, false, func(m []byte, s float64) bool {
		if !inRange(m, s) {
			return false
		}
		last++
		return true
	})
	return last
}

// ZUNION, ZINTER, ZDIFF, their STORE forms and ZINTERCARD.

const (
	zopUnion = iota
	zopInter
	zopDiff
)

const (
	aggrSum = iota
	aggrMin
	aggrMax
)

type zopInput struct {
	src    zsetSource // nil for a missing key
	key    string
	weight float64
}

func (in *zopInput) length() int {
	if in.src == nil {
		return 0
	}
	return in.src.Len()
}

func zaggregate(target *float64, val float64, aggr int) {
	switch aggr {
	case aggrSum:
		*target += val
		if math.IsNaN(*target) {
			*target = 0
		}
	case aggrMin:
		if val < *target {
			*target = val
		}
	case aggrMax:
		if val > *target {
			*target = val
		}
	}
}

func cmdZunionstore(n *Node, c *client) { n.zsetOpGeneric(c, c.args[1], 2, zopUnion, false) }
func cmdZinterstore(n *Node, c *client) { n.zsetOpGeneric(c, c.args[1], 2, zopInter, false) }
func cmdZdiffstore(n *Node, c *client)  { n.zsetOpGeneric(c, c.args[1], 2, zopDiff, false) }
func cmdZunion(n *Node, c *client)      { n.zsetOpGeneric(c, nil, 1, zopUnion, false) }
func cmdZinter(n *Node, c *client)      { n.zsetOpGeneric(c, nil, 1, zopInter, false) }
func cmdZintercard(n *Node, c *client)  { n.zsetOpGeneric(c, nil, 1, zopInter, true) }
func cmdZdiff(n *Node, c *client)       { n.zsetOpGeneric(c, nil, 1, zopDiff, false) }

func (n *Node) zsetOpGeneric(c *client, dst []byte, numkeysIdx int, op int, cardOnly bool) {
	setnum, ok := n.argInt(c, c.args[numkeysIdx])
	if !ok {
		return
	}
	if setnum < 1 {
		n.replyErrorf(c, "ERR at least 1 input key is needed for '%s' command", c.cmd.FullName)
		return
	}
	if setnum > int64(len(c.args)-(numkeysIdx+1)) {
		n.replyError(c, ErrSyntax)
		return
	}
	inputs := make([]zopInput, setnum)
	j := numkeysIdx + 1
	for i := range inputs {
		key := c.args[j]
		j++
		inputs[i].weight = 1
		inputs[i].key = string(key)
		v := n.lookupRead(c, key)
		if v == nil {
			continue
		}
		if v.Kind() == keyspace.KindZSet {
			inputs[i].src = v.ZSet()
		} else if f := zsetSourceFuncs[v.Kind()]; f != nil {
			inputs[i].src = f(v)
		} else {
			n.replyError(c, ErrWrongType)
			return
		}
	}
	aggr := aggrSum
	withscores := false
	var limit int64
	for j < len(c.args) {
		remaining := len(c.args) - j
		arg := c.args[j]
		switch {
		case op != zopDiff && !cardOnly && remaining >= int(setnum)+1 && eq(arg, "weights"):
			j++
			for i := range inputs {
				w, ok := num.ParseFloat(c.args[j])
				if !ok {
					n.replyError(c, errZWeight)
					return
				}
				inputs[i].weight = w
				j++
			}
		case op != zopDiff && !cardOnly && remaining >= 2 && eq(arg, "aggregate"):
			switch a := c.args[j+1]; {
			case eq(a, "sum"):
				aggr = aggrSum
			case eq(a, "min"):
				aggr = aggrMin
			case eq(a, "max"):
				aggr = aggrMax
			default:
				n.replyError(c, ErrSyntax)
				return
			}
			j += 2
		case dst == nil && !cardOnly && eq(arg, "withscores"):
			withscores = true
			j++
		case cardOnly && remaining >= 2 && eq(arg, "limit"):
			l, ok := n.argIntRange(c, c.args[j+1], 0, math.MaxInt64, "LIMIT can't be negative")
			if !ok {
				return
			}
			limit = l
			j += 2
		default:
			n.replyError(c, ErrSyntax)
			return
		}
	}
	if op != zopDiff {
		slices.SortStableFunc(inputs, func(a, b zopInput) int { return a.length() - b.length() })
	}
	lim := n.zsetLimits()
	// The result is built as Redis builds it, in the skiplist encoding; a
	// stored result is converted back below when small enough.
	res := keyspace.NewZSet(math.MaxInt, 0, lim)
	maxLen, totLen := 0, 0
	track := func(m []byte) {
		maxLen = max(maxLen, len(m))
		totLen += len(m)
	}
	cardinality := int64(0)
	switch op {
	case zopInter:
		if inputs[0].length() == 0 {
			break
		}
		inputs[0].src.ForEach(func(m []byte, s float64) bool {
			score := inputs[0].weight * s
			if math.IsNaN(score) {
				score = 0
			}
			k := 1
			for ; k < len(inputs); k++ {
				var v float64
				if inputs[k].key == inputs[0].key {
					v = s * inputs[k].weight
				} else if other, found := inputs[k].src.Score(m); found {
					v = other * inputs[k].weight
				} else {
					break
				}
				zaggregate(&score, v, aggr)
			}
			if k < len(inputs) {
				return true
			}
			if cardOnly {
				cardinality++
				return limit == 0 || cardinality < limit
			}
			res.Set(m, score, lim)
			track(m)
			return true
		})
	case zopUnion:
		for i := range inputs {
			if inputs[i].length() == 0 {
				continue
			}
			w := inputs[i].weight
			inputs[i].src.ForEach(func(m []byte, s float64) bool {
				score := w * s
				if math.IsNaN(score) {
					score = 0
				}
				if cur, found := res.Score(m); found {
					zaggregate(&cur, score, aggr)
					res.Set(m, cur, lim)
				} else {
					res.Set(m, score, lim)
					track(m)
				}
				return true
			})
		}
	case zopDiff:
		maxLen, totLen = n.zdiff(inputs, res, lim)
	}
	switch {
	case dst != nil:
		if res.Len() > 0 {
			res.ConvertToListpackIfNeeded(maxLen, totLen, lim)
			n.zsetStore(c, dst, res)
			c.int(int64(res.Len()))
			event := [...]string{"zunionstore", "zinterstore", "zdiffstore"}[op]
			n.notifyKeyspaceEvent(NotifyZSet, event, string(dst), c.db.ID)
			n.dirty++
		} else {
			c.int(0)
			if n.dbDelete(c, c.db, dst) {
				n.notifyKeyspaceEvent(NotifyGeneric, "del", string(dst), c.db.ID)
				n.dirty++
			}
		}
	case cardOnly:
		c.int(cardinality)
	default:
		c.w.Array(scoredArrayLen(c, res.Len(), withscores))
		res.ForEach(func(m []byte, s float64) bool {
			replyScored(c, m, s, withscores)
			return true
		})
	}
}

// zdiff fills res with the members of the first input found in no other,
// with their scores there, and returns the longest member and the total
// member length of the result. As in Redis, a first input that appears
// again among the others gives an empty result.
func (n *Node) zdiff(inputs []zopInput, res *keyspace.ZSet, lim keyspace.ZSetLimits) (int, int) {
	if inputs[0].length() == 0 {
		return 0, 0
	}
	for _, in := range inputs[1:] {
		if in.key == inputs[0].key {
			return 0, 0
		}
	}
	inOthers := func(m []byte) bool {
		for _, in := range inputs[1:] {
			if in.src == nil {
				continue
			}
			if _, found := in.src.Score(m); found {
				return true
			}
		}
		return false
	}
	maxLen, totLen := 0, 0
	inputs[0].src.ForEach(func(m []byte, s float64) bool {
		if !inOthers(m) {
			res.Set(m, s, lim)
			maxLen = max(maxLen, len(m))
			totLen += len(m)
		}
		return true
	})
	return maxLen, totLen
}

// ZPOPMIN, ZPOPMAX, BZPOPMIN, BZPOPMAX, ZMPOP, BZMPOP.

// zpopGeneric pops up to count elements (-1: a plain single pop) from the
// first existing key of keys, at the low end or the high end (max). emitKey
// adds the key to the reply, nested uses [member, score] pairs, nilEmpty
// replies a null array (not an empty one) when no key exists. It reports
// the key it popped from and how many elements it held, or ok=false when it
// replied without popping.
func (n *Node) zpopGeneric(c *client, keys [][]byte, max bool, emitKey bool, count int64, nested, nilEmpty bool) (key []byte, llen int, ok bool) {
	var z *keyspace.ZSet
	for _, k := range keys {
		v := n.lookupWrite(c, k)
		if v == nil {
			continue
		}
		if v.Kind() != keyspace.KindZSet {
			n.replyError(c, ErrWrongType)
			return nil, 0, false
		}
		z, key = v.ZSet(), k
		break
	}
	if z == nil {
		if nilEmpty {
			c.w.NullArray()
		} else {
			c.w.Array(0)
		}
		return nil, 0, false
	}
	if count == 0 {
		c.w.Array(0)
		return nil, 0, false
	}
	if count == -1 {
		count = 1
	}
	llen = z.Len()
	rangelen := int(min(count, int64(llen)))
	switch {
	case !nested && !emitKey:
		c.w.Array(rangelen * 2)
	case nested && !emitKey:
		c.w.Array(rangelen)
	case !nested && emitKey:
		c.w.Array(rangelen*2 + 1)
		c.bulk(key)
	default:
		c.w.Array(2)
		c.bulk(key)
		c.w.Array(rangelen)
	}
	for i := 0; i < rangelen; i++ {
		r := 0
		if max {
			r = z.Len() - 1
		}
		mv, s := z.At(r)
		m := append([]byte(nil), mv...)
		z.DeleteRange(r, r)
		n.dirty++
		if i == 0 {
			event := "zpopmin"
			if max {
				event = "zpopmax"
			}
			n.notifyKeyspaceEvent(NotifyZSet, event, string(key), c.db.ID)
			n.signalModifiedKey(c, c.db, key)
		}
		if nested {
			c.w.Array(2)
		}
		c.bulk(m)
		c.w.Double(s)
	}
	if z.Len() == 0 {
		n.dbDelete(c, c.db, key)
		n.notifyKeyspaceEvent(NotifyGeneric, "del", string(key), c.db.ID)
	}
	return key, llen, true
}

func (n *Node) zpopMinMax(c *client, max bool) {
	if len(c.args) > 3 {
		n.replyError(c, ErrSyntax)
		return
	}
	count := int64(-1)
	if len(c.args) == 3 {
		v, ok := n.argIntRange(c, c.args[2], 0, math.MaxInt64, "value is out of range, must be positive")
		if !ok {
			return
		}
		count = v
	}
	nested := c.w.Resp3() && count != -1
	n.zpopGeneric(c, c.args[1:2], max, false, count, nested, false)
}

func cmdZpopmin(n *Node, c *client) { n.zpopMinMax(c, false) }
func cmdZpopmax(n *Node, c *client) { n.zpopMinMax(c, true) }

// zpopRewrite sets the replicated form of a pop from key: ZPOPMIN or
// ZPOPMAX, with the count actually popped when the command had one.
func zpopRewrite(c *client, key []byte, max bool, count int64, llen int) {
	name := []byte("ZPOPMIN")
	if max {
		name = []byte("ZPOPMAX")
	}
	if count == -1 {
		c.rewrite(name, key)
		return
	}
	c.rewrite(name, key, []byte(strconv.FormatInt(min(count, int64(llen)), 10)))
}

// bzpopGeneric is the blocking pop: it serves the first non-empty key at
// once, or blocks (or, when it may not block, replies a null array).
func (n *Node) bzpopGeneric(c *client, keys [][]byte, max bool, timeoutArg []byte, count int64, nested bool) {
	deadline, ok := n.parseTimeout(c, timeoutArg, true)
	if !ok {
		return
	}
	for _, k := range keys {
		v := n.lookupWrite(c, k)
		if v == nil {
			continue
		}
		if v.Kind() != keyspace.KindZSet {
			n.replyError(c, ErrWrongType)
			return
		}
		if v.ZSet().Len() == 0 {
			continue
		}
		key, llen, popped := n.zpopGeneric(c, [][]byte{k}, max, true, count, nested, nested)
		if popped {
			zpopRewrite(c, key, max, count, llen)
		}
		return
	}
	if !n.canBlock(c) {
		c.w.NullArray()
		return
	}
	n.blockForKeys(c, keys, keyspace.KindZSet, deadline, nil, nil)
}

func cmdBzpopmin(n *Node, c *client) {
	n.bzpopGeneric(c, c.args[1:len(c.args)-1], false, c.args[len(c.args)-1], -1, false)
}

func cmdBzpopmax(n *Node, c *client) {
	n.bzpopGeneric(c, c.args[1:len(c.args)-1], true, c.args[len(c.args)-1], -1, false)
}

// zmpopGeneric implements ZMPOP and BZMPOP; numkeysIdx is the index of
// numkeys.
func (n *Node) zmpopGeneric(c *client, numkeysIdx int, block bool) {
	numkeys, ok := n.argIntRange(c, c.args[numkeysIdx], 1, math.MaxInt64, "numkeys should be greater than 0")
	if !ok {
		return
	}
	if numkeys >= int64(len(c.args)) {
		n.replyError(c, ErrSyntax)
		return
	}
	whereIdx := int64(numkeysIdx) + numkeys + 1
	if whereIdx >= int64(len(c.args)) {
		n.replyError(c, ErrSyntax)
		return
	}
	var max bool
	switch w := c.args[whereIdx]; {
	case eq(w, "min"):
	case eq(w, "max"):
		max = true
	default:
		n.replyError(c, ErrSyntax)
		return
	}
	count := int64(-1)
	for j := int(whereIdx) + 1; j < len(c.args); j++ {
		more := len(c.args) - 1 - j
		if count == -1 && eq(c.args[j], "count") && more > 0 {
			j++
			if count, ok = n.argIntRange(c, c.args[j], 1, math.MaxInt64, "count should be greater than 0"); !ok {
				return
			}
			continue
		}
		n.replyError(c, ErrSyntax)
		return
	}
	if count == -1 {
		count = 1
	}
	keys := c.args[numkeysIdx+1 : whereIdx]
	if block {
		n.bzpopGeneric(c, keys, max, c.args[1], count, true)
		return
	}
	if key, llen, popped := n.zpopGeneric(c, keys, max, true, count, true, true); popped {
		zpopRewrite(c, key, max, count, llen)
	}
}

func cmdZmpop(n *Node, c *client)  { n.zmpopGeneric(c, 1, false) }
func cmdBzmpop(n *Node, c *client) { n.zmpopGeneric(c, 2, true) }

// ZRANDMEMBER.

func cmdZrandmember(n *Node, c *client) {
	if len(c.args) >= 3 {
		l, ok := n.argIntRange(c, c.args[2], -math.MaxInt64, math.MaxInt64, "")
		if !ok {
			return
		}
		withscores := false
		if len(c.args) > 4 || (len(c.args) == 4 && !eq(c.args[3], "withscores")) {
			n.replyError(c, ErrSyntax)
			return
		} else if len(c.args) == 4 {
			withscores = true
			if l < -math.MaxInt64/2 || l > math.MaxInt64/2 {
				n.replyError(c, "ERR value is out of range")
				return
			}
		}
		n.zrandmemberWithCount(c, l, withscores)
		return
	}
	z, ok := n.zsetRead(c, c.args[1])
	if !ok {
		return
	}
	if z == nil {
		c.null()
		return
	}
	m, _ := z.Random(n.rng.IntN)
	c.bulk(m)
}

func (n *Node) zrandmemberWithCount(c *client, l int64, withscores bool) {
	v := n.lookupRead(c, c.args[1])
	if v == nil {
		c.w.Array(0)
		return
	}
	if v.Kind() != keyspace.KindZSet {
		n.replyError(c, ErrWrongType)
		return
	}
	z := v.ZSet()
	size := int64(z.Len())
	count, uniq := l, true
	if l < 0 {
		count, uniq = -l, false
	}
	if count == 0 {
		c.w.Array(0)
		return
	}
	// Repetitions allowed (or a single element): independent draws.
	if !uniq || count == 1 {
		c.w.Array(scoredArrayLen(c, int(count), withscores))
		for ; count > 0; count-- {
			m, s := z.Random(n.rng.IntN)
			replyScored(c, m, s, withscores)
			if c.flags&flagCloseAfterReply != 0 {
				break
			}
		}
		return
	}
	c.w.Array(scoredArrayLen(c, int(min(count, size)), withscores))
	if count >= size {
		// Redis's set-operation iterator walks a sorted set from its end.
		z.Walk(z.Len()-1, true, func(m []byte, s float64) bool {
			replyScored(c, m, s, withscores)
			return true
		})
		return
	}
	// Distinct elements: choose count ranks without repetition (Floyd's
	// algorithm), reply in rank order.
	chosen := make(map[int]struct{}, count)
	ranks := make([]int, 0, count)
	for j := size - count; j < size; j++ {
		t := n.rng.IntN(int(j) + 1)
		if _, dup := chosen[t]; dup {
			t = int(j)
		}
		chosen[t] = struct{}{}
		ranks = append(ranks, t)
	}
	slices.Sort(ranks)
	for _, r := range ranks {
		m, s := z.At(r)
		replyScored(c, m, s, withscores)
	}
}

// ZSCAN.

// zscanScore formats a score as ZSCAN shows it: a listpack holds scores as
// Redis's d2string wrote them (integers without exponent), a skiplist
// formats them with "%.17g".
func zscanScore(dst []byte, s float64, listpack bool) []byte {
	if listpack && !math.IsInf(s, 0) {
		const lim = float64(math.MaxInt64 / 2)
		if s == 0 {
			if math.Signbit(s) {
				return append(dst, "-0"...)
			}
			return append(dst, '0')
		}
		if s >= -lim && s <= lim && s == math.Trunc(s) {
			return strconv.AppendInt(dst, int64(s), 10)
		}
	}
	return num.AppendDouble(dst, s)
}

func cmdZscan(n *Node, c *client) {
	cursor, ok := n.parseScanCursor(c, c.args[2])
	if !ok {
		return
	}
	z, ok := n.zsetRead(c, c.args[1])
	if !ok {
		return
	}
	if z == nil {
		c.w.Array(2)
		c.w.BulkString("0")
		c.w.Array(0)
		return
	}
	count := int64(10)
	pattern, usePattern := "", false
	for i := 3; i < len(c.args); {
		more := len(c.args) - i - 1
		switch {
		case eq(c.args[i], "count") && more >= 1:
			v, ok := n.argInt(c, c.args[i+1])
			if !ok {
				return
			}
			if v < 1 {
				n.replyError(c, ErrSyntax)
				return
			}
			count = v
			i += 2
		case eq(c.args[i], "match") && more >= 1:
			pattern = string(c.args[i+1])
			usePattern = pattern != "*"
			i += 2
		default:
			n.replyError(c, ErrSyntax)
			return
		}
	}
	type elem struct {
		m []byte
		s float64
	}
	var out []elem
	collect := func(m []byte, s float64) {
		if usePattern && !glob.Match(pattern, bs(m)) {
			return
		}
		out = append(out, elem{append([]byte(nil), m...), s})
	}
	if z.IsListpack() {
		cursor = z.Scan(0, collect)
	} else {
		// Redis counts the member and the score of each element against
		// COUNT, before filtering.
		maxIter := count * 10
		items := int64(0)
		for {
			cursor = z.Scan(cursor, func(m []byte, s float64) { items += 2; collect(m, s) })
			if cursor == 0 || maxIter == 0 {
				break
			}
			maxIter--
			if items >= count {
				break
			}
		}
	}
	c.w.Array(2)
	c.w.BulkString(strconv.FormatUint(cursor, 10))
	c.w.Array(len(out) * 2)
	var buf []byte
	for _, e := range out {
		c.bulk(e.m)
		buf = zscanScore(buf[:0], e.s, z.IsListpack())
		c.bulk(buf)
	}
}

// DEBUG DIGEST of a sorted set: Redis's xorObjectDigest mixes, for each
// element, the member and then its "%.17g" score into a zeroed digest and
// xors that into the key's digest.
func zsetDigest(d *digest, v *keyspace.Value) {
	var buf []byte
	v.ZSet().ForEach(func(m []byte, s float64) bool {
		var e digest
		e.mix(m)
		buf = num.AppendDouble(buf[:0], s)
		e.mix(buf)
		d.xor(e[:])
		return true
	})
}

func zsetDocs(summary, since, complexity, syntax string) Docs {
	return Docs{Summary: summary, Since: since, Group: "sorted_set", Complexity: complexity, Syntax: syntax}
}

func init() {
	digestFuncs[keyspace.KindZSet] = zsetDigest
	register(
		&Command{Name: "zadd", Arity: -4, Flags: CmdWrite | CmdDenyOOM | CmdFast, ACL: CatSortedSet, Proc: cmdZadd,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: []KeySpec{{Flags: []string{"RW", "UPDATE"}, BeginIndex: 1, LastKey: 0, Step: 1, Limit: 0}},
			Docs: zsetDocs("Add one or more members to a sorted set, or update its score if it already exists", "1.2.0", "O(log(N)) for each item added, where N is the number of elements in the sorted set.", "key [NX | XX] [GT | LT] [CH] [INCR] score:double member [score:double member ...]")},
		&Command{Name: "zcard", Arity: 2, Flags: CmdReadonly | CmdFast, ACL: CatSortedSet, Proc: cmdZcard,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: []KeySpec{{Flags: []string{"RO"}, BeginIndex: 1, LastKey: 0, Step: 1, Limit: 0}},
			Docs: zsetDocs("Get the number of members in a sorted set", "1.2.0", "O(1)", "key")},
		&Command{Name: "zcount", Arity: 4, Flags: CmdReadonly | CmdFast, ACL: CatSortedSet, Proc: cmdZcount,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: []KeySpec{{Flags: []string{"RO", "ACCESS"}, BeginIndex: 1, LastKey: 0, Step: 1, Limit: 0}},
			Docs: zsetDocs("Count the members in a sorted set with scores within the given values", "2.0.0", "O(log(N)) with N being the number of elements in the sorted set.", "key min:double max:double")},
		&Command{Name: "zdiff", Arity: -3, Flags: CmdReadonly | CmdMovableKeys, ACL: CatSortedSet, Proc: cmdZdiff,
			FirstKey: 0, LastKey: 0, Step: 0, Keys: []KeySpec{{Flags: []string{"RO", "ACCESS"}, BeginIndex: 1, KeyNum: true, KeyNumIdx: 0, FirstKey: 1, KeyStep: 1}},
			Docs: zsetDocs("Subtract multiple sorted sets", "6.2.0", "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.", "numkeys:integer key [key ...] [WITHSCORES]")},
		&Command{Name: "zdiffstore", Arity: -4, Flags: CmdWrite | CmdDenyOOM | CmdMovableKeys, ACL: CatSortedSet, Proc: cmdZdiffstore,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: []KeySpec{{Flags: []string{"OW", "UPDATE"}, BeginIndex: 1, LastKey: 0, Step: 1, Limit: 0}, {Flags: []string{"RO", "ACCESS"}, BeginIndex: 2, KeyNum: true, KeyNumIdx: 0, FirstKey: 1, KeyStep: 1}},
			Docs: zsetDocs("Subtract multiple sorted sets and store the resulting sorted set in a new key", "6.2.0", "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.", "destination numkeys:integer key [key ...]")},
		&Command{Name: "zincrby", Arity: 4, Flags: CmdWrite | CmdDenyOOM | CmdFast, ACL: CatSortedSet, Proc: cmdZincrby,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: []KeySpec{{Flags: []string{"RW", "ACCESS", "UPDATE"}, BeginIndex: 1, LastKey: 0, Step: 1, Limit: 0}},
			Docs: zsetDocs("Increment the score of a member in a sorted set", "1.2.0", "O(log(N)) where N is the number of elements in the sorted set.", "key increment:integer member")},
		&Command{Name: "zinter", Arity: -3, Flags: CmdReadonly | CmdMovableKeys, ACL: CatSortedSet, Proc: cmdZinter,
			FirstKey: 0, LastKey: 0, Step: 0, Keys: []KeySpec{{Flags: []string{"RO", "ACCESS"}, BeginIndex: 1, KeyNum: true, KeyNumIdx: 0, FirstKey: 1, KeyStep: 1}},
			Docs: zsetDocs("Intersect multiple sorted sets", "6.2.0", "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.", "numkeys:integer key [key ...] [WEIGHTS weight:integer [WEIGHTS weight:integer ...]] [SUM | MIN | MAX] [WITHSCORES]")},
		&Command{Name: "zintercard", Arity: -3, Flags: CmdReadonly | CmdMovableKeys, ACL: CatSortedSet, Proc: cmdZintercard,
			FirstKey: 0, LastKey: 0, Step: 0, Keys: []KeySpec{{Flags: []string{"RO", "ACCESS"}, BeginIndex: 1, KeyNum: true, KeyNumIdx: 0, FirstKey: 1, KeyStep: 1}},
			Docs: zsetDocs("Intersect multiple sorted sets and return the cardinality of the result", "7.0.0", "O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.", "numkeys:integer key [key ...] [LIMIT limit:integer]")},
		&Command{Name: "zinterstore", Arity: -4, Flags: CmdWrite | CmdDenyOOM | CmdMovableKeys, ACL: CatSortedSet, Proc: cmdZinterstore,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: []KeySpec{{Flags: []string{"OW", "UPDATE"}, BeginIndex: 1, LastKey: 0, Step: 1, Limit: 0}, {Flags: []string{"RO", "ACCESS"}, BeginIndex: 2, KeyNum: true, KeyNumIdx: 0, FirstKey: 1, KeyStep: 1}},
			Docs: zsetDocs("Intersect multiple sorted sets and store the resulting sorted set in a new key", "2.0.0", "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.", "destination numkeys:integer key [key ...] [WEIGHTS weight:integer [WEIGHTS weight:integer ...]] [SUM | MIN | MAX]")},
		&Command{Name: "zlexcount", Arity: 4, Flags: CmdReadonly | CmdFast, ACL: CatSortedSet, Proc: cmdZlexcount,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: []KeySpec{{Flags: []string{"RO", "ACCESS"}, BeginIndex: 1, LastKey: 0, Step: 1, Limit: 0}},
			Docs: zsetDocs("Count the number of members in a sorted set between a given lexicographical range", "2.8.9", "O(log(N)) with N being the number of elements in the sorted set.", "key min max")},
		&Command{Name: "zmpop", Arity: -4, Flags: CmdWrite | CmdMovableKeys, ACL: CatSortedSet, Proc: cmdZmpop,
			FirstKey: 0, LastKey: 0, Step: 0, Keys: []KeySpec{{Flags: []string{"RW", "ACCESS", "DELETE"}, BeginIndex: 1, KeyNum: true, KeyNumIdx: 0, FirstKey: 1, KeyStep: 1}},
			Docs: zsetDocs("Remove and return members with scores in a sorted set", "7.0.0", "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.", "numkeys:integer key [key ...] <MIN | MAX> [COUNT count:integer]")},
		&Command{Name: "zmscore", Arity: -3, Flags: CmdReadonly | CmdFast, ACL: CatSortedSet, Proc: cmdZmscore,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: []KeySpec{{Flags: []string{"RO", "ACCESS"}, BeginIndex: 1, LastKey: 0, Step: 1, Limit: 0}},
			Docs: zsetDocs("Get the score associated with the given members in a sorted set", "6.2.0", "O(N) where N is the number of members being requested.", "key member [member ...]")},
		&Command{Name: "zpopmax", Arity: -2, Flags: CmdWrite | CmdFast, ACL: CatSortedSet, Proc: cmdZpopmax,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: []KeySpec{{Flags: []string{"RW", "ACCESS", "DELETE"}, BeginIndex: 1, LastKey: 0, Step: 1, Limit: 0}},
			Docs: zsetDocs("Remove and return members with the highest scores in a sorted set", "5.0.0", "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.", "key [count:integer]")},
		&Command{Name: "zpopmin", Arity: -2, Flags: CmdWrite | CmdFast, ACL: CatSortedSet, Proc: cmdZpopmin,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: []KeySpec{{Flags: []string{"RW", "ACCESS", "DELETE"}, BeginIndex: 1, LastKey: 0, Step: 1, Limit: 0}},
			Docs: zsetDocs("Remove and return members with the lowest scores in a sorted set", "5.0.0", "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.", "key [count:integer]")},
		&Command{Name: "zrandmember", Arity: -2, Flags: CmdReadonly, ACL: CatSortedSet, Proc: cmdZrandmember,
			FirstKey: 1, LastKey: 1, Step: 1, Tips: []string{"nondeterministic_output"},
			Keys: []KeySpec{{Flags: []string{"RO", "ACCESS"}, BeginIndex: 1, LastKey: 0, Step: 1, Limit: 0}},
			Docs: zsetDocs("Get one or multiple random elements from a sorted set", "6.2.0", "O(N) where N is the number of elements returned", "key [count:integer [WITHSCORES]]")},
		&Command{Name: "zrange", Arity: -4, Flags: CmdReadonly, ACL: CatSortedSet, Proc: cmdZrange,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: []KeySpec{{Flags: []string{"RO", "ACCESS"}, BeginIndex: 1, LastKey: 0, Step: 1, Limit: 0}},
			Docs: zsetDocs("Return a range of members in a sorted set", "1.2.0", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.", "key start stop [BYSCORE | BYLEX] [REV] [LIMIT offset:integer count:integer] [WITHSCORES]")},
		&Command{Name: "zrangebylex", Arity: -4, Flags: CmdReadonly, ACL: CatSortedSet, Proc: cmdZrangebylex,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: []KeySpec{{Flags: []string{"RO", "ACCESS"}, BeginIndex: 1, LastKey: 0, Step: 1, Limit: 0}},
			Docs: zsetDocs("Return a range of members in a sorted set, by lexicographical range", "2.8.9", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).", "key min max [LIMIT offset:integer count:integer]")},
		&Command{Name: "zrangebyscore", Arity: -4, Flags: CmdReadonly, ACL: CatSortedSet, Proc: cmdZrangebyscore,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: []KeySpec{{Flags: []string{"RO", "ACCESS"}, BeginIndex: 1, LastKey: 0, Step: 1, Limit: 0}},
			Docs: zsetDocs("Return a range of members in a sorted set, by score", "1.0.5", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).", "key min:double max:double [WITHSCORES] [LIMIT offset:integer count:integer]")},
		&Command{Name: "zrangestore", Arity: -5, Flags: CmdWrite | CmdDenyOOM, ACL: CatSortedSet, Proc: cmdZrangestore,
			FirstKey: 1, LastKey: 2, Step: 1, Keys: []KeySpec{{Flags: []string{"OW", "UPDATE"}, BeginIndex: 1, LastKey: 0, Step: 1, Limit: 0}, {Flags: []string{"RO", "ACCESS"}, BeginIndex: 2, LastKey: 0, Step: 1, Limit: 0}},
			Docs: zsetDocs("Store a range of members from sorted set into another key", "6.2.0", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key.", "dst src min max [BYSCORE | BYLEX] [REV] [LIMIT offset:integer count:integer]")},
		&Command{Name: "zrank", Arity: -3, Flags: CmdReadonly | CmdFast, ACL: CatSortedSet, Proc: cmdZrank,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: []KeySpec{{Flags: []string{"RO", "ACCESS"}, BeginIndex: 1, LastKey: 0, Step: 1, Limit: 0}},
			Docs: zsetDocs("Determine the index of a member in a sorted set", "2.0.0", "O(log(N))", "key member [WITHSCORE]")},
		&Command{Name: "zrem", Arity: -3, Flags: CmdWrite | CmdFast, ACL: CatSortedSet, Proc: cmdZrem,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: []KeySpec{{Flags: []string{"RW", "DELETE"}, BeginIndex: 1, LastKey: 0, Step: 1, Limit: 0}},
			Docs: zsetDocs("Remove one or more members from a sorted set", "1.2.0", "O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.", "key member [member ...]")},
		&Command{Name: "zremrangebylex", Arity: 4, Flags: CmdWrite, ACL: CatSortedSet, Proc: cmdZremrangebylex,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: []KeySpec{{Flags: []string{"RW", "DELETE"}, BeginIndex: 1, LastKey: 0, Step: 1, Limit: 0}},
			Docs: zsetDocs("Remove all members in a sorted set between the given lexicographical range", "2.8.9", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.", "key min max")},
		&Command{Name: "zremrangebyrank", Arity: 4, Flags: CmdWrite, ACL: CatSortedSet, Proc: cmdZremrangebyrank,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: []KeySpec{{Flags: []string{"RW", "DELETE"}, BeginIndex: 1, LastKey: 0, Step: 1, Limit: 0}},
			Docs: zsetDocs("Remove all members in a sorted set within the given indexes", "2.0.0", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.", "key start:integer stop:integer")},
		&Command{Name: "zremrangebyscore", Arity: 4, Flags: CmdWrite, ACL: CatSortedSet, Proc: cmdZremrangebyscore,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: []KeySpec{{Flags: []string{"RW", "DELETE"}, BeginIndex: 1, LastKey: 0, Step: 1, Limit: 0}},
			Docs: zsetDocs("Remove all members in a sorted set within the given scores", "1.2.0", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.", "key min:double max:double")},
		&Command{Name: "zrevrange", Arity: -4, Flags: CmdReadonly, ACL: CatSortedSet, Proc: cmdZrevrange,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: []KeySpec{{Flags: []string{"RO", "ACCESS"}, BeginIndex: 1, LastKey: 0, Step: 1, Limit: 0}},
			Docs: zsetDocs("Return a range of members in a sorted set, by index, with scores ordered from high to low", "1.2.0", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.", "key start:integer stop:integer [WITHSCORES]")},
		&Command{Name: "zrevrangebylex", Arity: -4, Flags: CmdReadonly, ACL: CatSortedSet, Proc: cmdZrevrangebylex,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: []KeySpec{{Flags: []string{"RO", "ACCESS"}, BeginIndex: 1, LastKey: 0, Step: 1, Limit: 0}},
			Docs: zsetDocs("Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.", "2.8.9", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).", "key max min [LIMIT offset:integer count:integer]")},
		&Command{Name: "zrevrangebyscore", Arity: -4, Flags: CmdReadonly, ACL: CatSortedSet, Proc: cmdZrevrangebyscore,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: []KeySpec{{Flags: []string{"RO", "ACCESS"}, BeginIndex: 1, LastKey: 0, Step: 1, Limit: 0}},
			Docs: zsetDocs("Return a range of members in a sorted set, by score, with scores ordered from high to low", "2.2.0", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).", "key max:double min:double [WITHSCORES] [LIMIT offset:integer count:integer]")},
		&Command{Name: "zrevrank", Arity: -3, Flags: CmdReadonly | CmdFast, ACL: CatSortedSet, Proc: cmdZrevrank,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: []KeySpec{{Flags: []string{"RO", "ACCESS"}, BeginIndex: 1, LastKey: 0, Step: 1, Limit: 0}},
			Docs: zsetDocs("Determine the index of a member in a sorted set, with scores ordered from high to low", "2.0.0", "O(log(N))", "key member [WITHSCORE]")},
		&Command{Name: "zscan", Arity: -3, Flags: CmdReadonly, ACL: CatSortedSet, Proc: cmdZscan,
			FirstKey: 1, LastKey: 1, Step: 1, Tips: []string{"nondeterministic_output"},
			Keys: []KeySpec{{Flags: []string{"RO", "ACCESS"}, BeginIndex: 1, LastKey: 0, Step: 1, Limit: 0}},
			Docs: zsetDocs("Incrementally iterate sorted sets elements and associated scores", "2.8.0", "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..", "key cursor:integer [MATCH pattern] [COUNT count:integer]")},
		&Command{Name: "zscore", Arity: 3, Flags: CmdReadonly | CmdFast, ACL: CatSortedSet, Proc: cmdZscore,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: []KeySpec{{Flags: []string{"RO", "ACCESS"}, BeginIndex: 1, LastKey: 0, Step: 1, Limit: 0}},
			Docs: zsetDocs("Get the score associated with the given member in a sorted set", "1.2.0", "O(1)", "key member")},
		&Command{Name: "zunion", Arity: -3, Flags: CmdReadonly | CmdMovableKeys, ACL: CatSortedSet, Proc: cmdZunion,
			FirstKey: 0, LastKey: 0, Step: 0, Keys: []KeySpec{{Flags: []string{"RO", "ACCESS"}, BeginIndex: 1, KeyNum: true, KeyNumIdx: 0, FirstKey: 1, KeyStep: 1}},
			Docs: zsetDocs("Add multiple sorted sets", "6.2.0", "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.", "numkeys:integer key [key ...] [WEIGHTS weight:integer [WEIGHTS weight:integer ...]] [SUM | MIN | MAX] [WITHSCORES]")},
		&Command{Name: "zunionstore", Arity: -4, Flags: CmdWrite | CmdDenyOOM | CmdMovableKeys, ACL: CatSortedSet, Proc: cmdZunionstore,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: []KeySpec{{Flags: []string{"OW", "UPDATE"}, BeginIndex: 1, LastKey: 0, Step: 1, Limit: 0}, {Flags: []string{"RO", "ACCESS"}, BeginIndex: 2, KeyNum: true, KeyNumIdx: 0, FirstKey: 1, KeyStep: 1}},
			Docs: zsetDocs("Add multiple sorted sets and store the resulting sorted set in a new key", "2.0.0", "O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.", "destination numkeys:integer key [key ...] [WEIGHTS weight:integer [WEIGHTS weight:integer ...]] [SUM | MIN | MAX]")},
		&Command{Name: "bzmpop", Arity: -5, Flags: CmdWrite | CmdBlocking | CmdMovableKeys, ACL: CatSortedSet, Proc: cmdBzmpop,
			FirstKey: 0, LastKey: 0, Step: 0, Keys: []KeySpec{{Flags: []string{"RW", "ACCESS", "DELETE"}, BeginIndex: 2, KeyNum: true, KeyNumIdx: 0, FirstKey: 1, KeyStep: 1}},
			Docs: zsetDocs("Remove and return members with scores in a sorted set or block until one is available", "7.0.0", "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.", "timeout:double numkeys:integer key [key ...] <MIN | MAX> [COUNT count:integer]")},
		&Command{Name: "bzpopmax", Arity: -3, Flags: CmdWrite | CmdNoScript | CmdBlocking | CmdFast, ACL: CatSortedSet, Proc: cmdBzpopmax,
			FirstKey: 1, LastKey: -2, Step: 1, Keys: []KeySpec{{Flags: []string{"RW", "ACCESS", "DELETE"}, BeginIndex: 1, LastKey: -2, Step: 1, Limit: 0}},
			Docs: zsetDocs("Remove and return the member with the highest score from one or more sorted sets, or block until one is available", "5.0.0", "O(log(N)) with N being the number of elements in the sorted set.", "key [key ...] timeout:double")},
		&Command{Name: "bzpopmin", Arity: -3, Flags: CmdWrite | CmdNoScript | CmdBlocking | CmdFast, ACL: CatSortedSet, Proc: cmdBzpopmin,
			FirstKey: 1, LastKey: -2, Step: 1, Keys: []KeySpec{{Flags: []string{"RW", "ACCESS", "DELETE"}, BeginIndex: 1, LastKey: -2, Step: 1, Limit: 0}},
			Docs: zsetDocs("Remove and return the member with the lowest score from one or more sorted sets, or block until one is available", "5.0.0", "O(log(N)) with N being the number of elements in the sorted set.", "key [key ...] timeout:double")},
	)
}
