package node

import (
	"strconv"

	"replab/internal/glob"
)

// The shared parts of SCAN, HSCAN, SSCAN and ZSCAN, as Redis's
// scanGenericCommand.

// scanOptions are the COUNT, MATCH and TYPE options of a scan command.
type scanOptions struct {
	count      int64
	pattern    string
	usePattern bool // false when there is no pattern or it is "*"
	typeName   string
	hasType    bool
}

// parseScanOptions parses the options from c.args[from:]; TYPE is only
// accepted by SCAN (allowType). It replies the error and returns false on
// bad input.
func (n *Node) parseScanOptions(c *client, from int, allowType bool) (scanOptions, bool) {
	o := scanOptions{count: 10}
	for i := from; i < len(c.args); {
		more := len(c.args) - i
		switch {
		case eq(c.args[i], "COUNT") && more >= 2:
			v, ok := n.argInt(c, c.args[i+1])
			if !ok {
				return o, false
			}
			if v < 1 {
				n.replyError(c, ErrSyntax)
				return o, false
			}
			o.count = v
			i += 2
		case eq(c.args[i], "MATCH") && more >= 2:
			o.pattern = string(c.args[i+1])
			o.usePattern = o.pattern != "*"
			i += 2
		case eq(c.args[i], "TYPE") && allowType && more >= 2:
			o.typeName = string(c.args[i+1])
			o.hasType = true
			i += 2
		default:
			n.replyError(c, ErrSyntax)
			return o, false
		}
	}
	return o, true
}

// scanSteps runs a hash table scan from cursor as Redis does: step visits
// the buckets at a cursor and returns the next one; the scan stops when the
// cursor wraps to 0, when collected() reaches count, or after count*10
// steps, whichever comes first. It returns the cursor to reply.
func scanSteps(cursor uint64, count int64, collected func() int64, step func(uint64) uint64) uint64 {
	maxIterations := count * 10
	for {
		cursor = step(cursor)
		if cursor == 0 || maxIterations <= 0 || collected() >= count {
			return cursor
		}
		maxIterations--
	}
}

// scanCollection replies to HSCAN, SSCAN or ZSCAN. scan is the collection's
// Scan method (one bucket step for a hash table, everything and cursor 0 for
// a compact encoding); it reports one element (member, or field and value,
// or member and score: pairs) per call. MATCH filters on the first string
// of each element.
func (n *Node) scanCollection(c *client, cursor uint64, pairs bool, scan func(cursor uint64, emit func(a, b []byte)) uint64) {
	o, ok := n.parseScanOptions(c, 3, false)
	if !ok {
		return
	}
	per := int64(1)
	if pairs {
		per = 2
	}
	// Redis counts the strings it collected, two per element of a pair
	// type, against a COUNT doubled for those types.
	count := o.count * per
	var elems [][]byte
	emit := func(a, b []byte) {
		elems = append(elems, append([]byte(nil), a...))
		if pairs {
			elems = append(elems, append([]byte(nil), b...))
		}
	}
	cursor = scanSteps(cursor, count, func() int64 { return int64(len(elems)) }, func(cur uint64) uint64 {
		return scan(cur, emit)
	})
	out := elems[:0]
	for i := 0; i < len(elems); i += int(per) {
		if o.usePattern && !glob.Match(o.pattern, bs(elems[i])) {
			continue
		}
		out = append(out, elems[i:i+int(per)]...)
	}
	c.w.Array(2)
	c.w.BulkString(strconv.FormatUint(cursor, 10))
	c.w.Array(len(out))
	for _, e := range out {
		c.bulk(e)
	}
}

// replyEmptyScan replies to a scan of a missing key.
func replyEmptyScan(c *client) {
	c.w.Array(2)
	c.w.BulkString("0")
	c.w.Array(0)
}
