package node

import (
	"bytes"
	"math"
	"math/bits"

	"replab/internal/num"
	"replab/keyspace"
)

// Bitmap commands: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD and
// BITFIELD_RO. They work on string values; bit 0 is the most significant
// bit of the first byte.

// Error replies of the bitmap commands.
const (
	errBitOffset    = "ERR bit offset is not an integer or out of range"
	errBitValue     = "ERR bit is not an integer or out of range"
	errBitArg       = "ERR The bit argument must be 1 or 0."
	errBitopNot     = "ERR BITOP NOT must be called with a single source key."
	errBitfieldType = "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is."
	errOverflowType = "ERR Invalid OVERFLOW type specified"
	errBitfieldRO   = "ERR BITFIELD_RO only supports the GET subcommand"
)

// maxMasterBitmapBytes bounds the strings our master may make us grow with
// bit offsets (1 TiB).
const maxMasterBitmapBytes = 1 << 40

// cstr cuts an argument at its first NUL byte, as C string functions
// (strcasecmp, strlen) see it.
func cstr(b []byte) []byte {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return b[:i]
	}
	return b
}

// eqC is eq for options Redis compares with strcasecmp.
func eqC(b []byte, opt string) bool { return eq(cstr(b), opt) }

// bitOffset parses a bit offset argument. With hash set and bits > 0 it
// also accepts "#<n>", meaning n*bits (BITFIELD). Offsets whose byte lies
// beyond proto-max-bulk-len are refused, except from our master (up to
// maxMasterBitmapBytes).
func (n *Node) bitOffset(c *client, arg []byte, hash bool, width int) (uint64, bool) {
	useHash := hash && width > 0 && len(arg) > 0 && arg[0] == '#'
	if useHash {
		arg = arg[1:]
	}
	off, ok := num.ParseInt(arg)
	if !ok {
		n.replyError(c, errBitOffset)
		return 0, false
	}
	if useHash {
		off *= int64(width) // wraps as Redis's multiplication does
	}
	limit := n.cfg.ProtoMaxBulkLen
	if c.flags&flagMaster != 0 {
		// Redis obeys its master whatever the offset; replab still refuses
		// offsets no machine could allocate, rather than crash.
		limit = max(limit, maxMasterBitmapBytes)
	}
	if off < 0 || off>>3 >= limit {
		n.replyError(c, errBitOffset)
		return 0, false
	}
	return uint64(off), true
}

// lookupStringForBit finds the string at c.args[1] for a bit write,
// creating it or padding it with zero bytes so that bit maxbit exists. It
// returns the value (converted to the raw encoding) and whether it was
// created or grown.
func (n *Node) lookupStringForBit(c *client, maxbit uint64) (*keyspace.Value, bool, bool) {
	size := int(maxbit>>3) + 1
	key := c.args[1]
	v := n.lookupWrite(c, key)
	if !n.checkType(c, v, keyspace.KindString) {
		return nil, false, false
	}
	if v == nil {
		n.dbAdd(c, c.db, key, keyspace.NewRawString(make([]byte, size), keyspace.EncRaw))
		return c.db.FindBytes(key), true, true
	}
	b := v.MutableBytes()
	if len(b) >= size {
		return v, false, true
	}
	if size <= cap(b) {
		b = b[:size]
		clear(b[v.Len():])
	} else {
		grown := make([]byte, size, size+size/4)
		copy(grown, b)
		b = grown
	}
	v.SetBytes(b)
	return v, true, true
}

func cmdSetBit(n *Node, c *client) {
	offset, ok := n.bitOffset(c, c.args[2], false, 0)
	if !ok {
		return
	}
	on, ok := num.ParseInt(c.args[3])
	if !ok || on&^1 != 0 {
		n.replyError(c, errBitValue)
		return
	}
	v, dirty, ok := n.lookupStringForBit(c, offset)
	if !ok {
		return
	}
	b := v.Bytes(nil)
	byt, shift := offset>>3, 7-offset&7
	old := b[byt] >> shift & 1
	if dirty || int64(old) != on {
		b[byt] = b[byt]&^(1<<shift) | byte(on)<<shift
		n.signalModifiedKey(c, c.db, c.args[1])
		n.notifyKeyspaceEvent(NotifyString, "setbit", string(c.args[1]), c.db.ID)
		n.dirty++
	}
	c.int(int64(old))
}

func cmdGetBit(n *Node, c *client) {
	offset, ok := n.bitOffset(c, c.args[2], false, 0)
	if !ok {
		return
	}
	v := n.lookupRead(c, c.args[1])
	if v == nil {
		c.int(0)
		return
	}
	if !n.checkType(c, v, keyspace.KindString) {
		return
	}
	var scratch [24]byte
	b := v.Bytes(scratch[:0])
	var bit byte
	if byt := offset >> 3; byt < uint64(len(b)) {
		bit = b[byt] >> (7 - offset&7) & 1
	}
	c.int(int64(bit))
}

// popcount counts the bits set in b.
func popcount(b []byte) int64 {
	var total int
	for len(b) >= 8 {
		total += bits.OnesCount64(uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
			uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56)
		b = b[8:]
	}
	for _, x := range b {
		total += bits.OnesCount8(x)
	}
	return int64(total)
}

// bitpos returns the position of the first bit equal to bit in b. Looking
// for 1 in a string without one gives -1; looking for 0 in a string of ones
// gives len(b)*8, as if the string went on with zeros.
func bitpos(b []byte, bit int) int64 {
	skip := byte(0)
	if bit == 0 {
		skip = 0xff
	}
	for i, x := range b {
		if x != skip {
			for j := 0; j < 8; j++ {
				if int(x>>(7-j)&1) == bit {
					return int64(i)*8 + int64(j)
				}
			}
		}
	}
	if bit == 1 {
		return -1
	}
	return int64(len(b)) * 8
}

// bitRange applies Redis's range rules to start and end over a string of
// strlen bytes (bits when isBit): negative indexes count from the end and
// the range is clamped. In bit units it returns the byte range and the masks
// of the bits of the first and last bytes that lie outside the range.
func bitRange(start, end, strlen int64, isBit bool) (int64, int64, byte, byte) {
	total := strlen
	if isBit {
		total <<= 3
	}
	if start < 0 {
		start += total
	}
	if end < 0 {
		end += total
	}
	start = max(start, 0)
	end = max(end, 0)
	if end >= total {
		end = total - 1
	}
	var firstMask, lastMask byte
	if isBit && start <= end {
		firstMask = ^byte(1<<(8-start&7) - 1)
		lastMask = byte(1<<(7-end&7) - 1)
		start >>= 3
		end >>= 3
	}
	return start, end, firstMask, lastMask
}

// parseBitUnit parses the BYTE|BIT option.
func (n *Node) parseBitUnit(c *client, arg []byte) (isBit, ok bool) {
	switch {
	case eqC(arg, "bit"):
		return true, true
	case eqC(arg, "byte"):
		return false, true
	}
	n.replyError(c, ErrSyntax)
	return false, false
}

func cmdBitCount(n *Node, c *client) {
	v := n.lookupRead(c, c.args[1])
	if v == nil {
		c.int(0)
		return
	}
	if !n.checkType(c, v, keyspace.KindString) {
		return
	}
	var scratch [24]byte
	p := v.Bytes(scratch[:0])
	var start, end int64
	var firstMask, lastMask byte
	switch len(c.args) {
	case 4, 5:
		var ok bool
		if start, ok = n.argInt(c, c.args[2]); !ok {
			return
		}
		if end, ok = n.argInt(c, c.args[3]); !ok {
			return
		}
		if start < 0 && end < 0 && start > end {
			c.int(0)
			return
		}
		isBit := false
		if len(c.args) == 5 {
			if isBit, ok = n.parseBitUnit(c, c.args[4]); !ok {
				return
			}
		}
		start, end, firstMask, lastMask = bitRange(start, end, int64(len(p)), isBit)
	case 2:
		start, end = 0, int64(len(p))-1
	default:
		n.replyError(c, ErrSyntax)
		return
	}
	if start > end {
		c.int(0)
		return
	}
	count := popcount(p[start : end+1])
	if firstMask != 0 {
		count -= int64(bits.OnesCount8(p[start] & firstMask))
	}
	if lastMask != 0 {
		count -= int64(bits.OnesCount8(p[end] & lastMask))
	}
	c.int(count)
}

func cmdBitPos(n *Node, c *client) {
	bitArg, ok := n.argInt(c, c.args[2])
	if !ok {
		return
	}
	if bitArg != 0 && bitArg != 1 {
		n.replyError(c, errBitArg)
		return
	}
	bit := int(bitArg)
	v := n.lookupRead(c, c.args[1])
	if v == nil {
		// A missing key is an infinite string of zeros.
		if bit == 1 {
			c.int(-1)
		} else {
			c.int(0)
		}
		return
	}
	if !n.checkType(c, v, keyspace.KindString) {
		return
	}
	var scratch [24]byte
	p := v.Bytes(scratch[:0])
	strlen := int64(len(p))
	var start, end int64
	var firstMask, lastMask byte
	endGiven := false
	switch len(c.args) {
	case 4, 5, 6:
		if start, ok = n.argInt(c, c.args[3]); !ok {
			return
		}
		isBit := false
		if len(c.args) == 6 {
			if isBit, ok = n.parseBitUnit(c, c.args[5]); !ok {
				return
			}
		}
		if len(c.args) >= 5 {
			if end, ok = n.argInt(c, c.args[4]); !ok {
				return
			}
			endGiven = true
		} else {
			end = strlen - 1
		}
		start, end, firstMask, lastMask = bitRange(start, end, strlen, isBit)
	case 3:
		start, end = 0, strlen-1
	default:
		n.replyError(c, ErrSyntax)
		return
	}
	if start > end {
		// An empty range holds neither a 0 nor a 1.
		c.int(-1)
		return
	}
	pos, start, nbytes := bitposRange(p, start, end, firstMask, lastMask, bit)
	// With an explicit end, the string is not padded with zeros: a 0 found
	// only past the range does not count.
	if endGiven && bit == 0 && pos == nbytes<<3 {
		c.int(-1)
		return
	}
	if pos != -1 {
		pos += start << 3
	}
	c.int(pos)
}

// bitposRange searches bit in p[start..end], ignoring the bits of the first
// and last bytes set in their masks. It follows Redis's steps (first byte,
// whole bytes, last byte) and returns the position found relative to the
// returned start, and the number of bytes of the last step, which the
// caller needs to tell a 0 found past the range.
func bitposRange(p []byte, start, end int64, firstMask, lastMask byte, bit int) (pos, from, nbytes int64) {
	nbytes = end - start + 1
	masked := func(x, mask byte) byte {
		if bit == 1 {
			return x &^ mask
		}
		return x | mask
	}
	if firstMask != 0 {
		tmp := masked(p[start], firstMask)
		if lastMask != 0 && nbytes == 1 {
			tmp = masked(tmp, lastMask)
		}
		pos = bitpos([]byte{tmp}, bit)
		if nbytes == 1 || (pos != -1 && pos != 8) {
			return pos, start, nbytes
		}
		start++
		nbytes--
	}
	cur := nbytes
	if lastMask != 0 {
		cur--
	}
	if cur > 0 {
		pos = bitpos(p[start:start+cur], bit)
		if nbytes == cur || (pos != -1 && pos != cur<<3) {
			return pos, start, nbytes
		}
		start += cur
		nbytes -= cur
	}
	pos = bitpos([]byte{masked(p[end], lastMask)}, bit)
	return pos, start, nbytes
}

// Operations of BITOP.
const (
	bitopAnd = iota
	bitopOr
	bitopXor
	bitopNot
)

func cmdBitOp(n *Node, c *client) {
	var op int
	name := cstr(c.args[1])
	switch {
	case eq(name, "and"):
		op = bitopAnd
	case eq(name, "or"):
		op = bitopOr
	case eq(name, "xor"):
		op = bitopXor
	case eq(name, "not"):
		op = bitopNot
	default:
		n.replyError(c, ErrSyntax)
		return
	}
	if op == bitopNot && len(c.args) != 4 {
		n.replyError(c, errBitopNot)
		return
	}
	dest := c.args[2]
	srcs := make([][]byte, 0, len(c.args)-3)
	maxLen := 0
	for _, k := range c.args[3:] {
		v := n.lookupRead(c, k)
		if v == nil {
			srcs = append(srcs, nil)
			continue
		}
		if !n.checkType(c, v, keyspace.KindString) {
			return
		}
		b := v.Bytes(nil)
		srcs = append(srcs, b)
		maxLen = max(maxLen, len(b))
	}
	if maxLen > 0 {
		res := make([]byte, maxLen)
		copy(res, srcs[0])
		switch op {
		case bitopNot:
			for i := range res {
				res[i] = ^res[i]
			}
		case bitopAnd:
			for _, s := range srcs[1:] {
				for i := range res {
					if i < len(s) {
						res[i] &= s[i]
					} else {
						res[i] = 0
					}
				}
			}
		case bitopOr:
			for _, s := range srcs[1:] {
				for i := range s {
					res[i] |= s[i]
				}
			}
		case bitopXor:
			for _, s := range srcs[1:] {
				for i := range s {
					res[i] ^= s[i]
				}
			}
		}
		n.lookupWrite(c, dest) // an expired destination is deleted first
		n.setKey(c, c.db, dest, keyspace.NewRawString(res, keyspace.EncRaw), false)
		n.notifyKeyspaceEvent(NotifyString, "set", string(dest), c.db.ID)
		n.dirty++
	} else if n.dbDelete(c, c.db, dest) {
		n.notifyKeyspaceEvent(NotifyGeneric, "del", string(dest), c.db.ID)
		n.dirty++
	}
	c.int(int64(maxLen))
}

// BITFIELD

// Overflow behaviours of BITFIELD.
const (
	overflowWrap = iota
	overflowSat
	overflowFail
)

// Operations of BITFIELD.
const (
	bitfieldGet = iota
	bitfieldSet
	bitfieldIncrBy
)

type bitfieldOp struct {
	offset   uint64
	value    int64 // SET value or INCRBY increment
	opcode   int
	overflow int
	width    int
	signed   bool
}

// parseBitfieldType parses "i<bits>" (1..64) or "u<bits>" (1..63).
func (n *Node) parseBitfieldType(c *client, arg []byte) (signed bool, width int, ok bool) {
	arg = cstr(arg)
	if len(arg) > 0 && (arg[0] == 'i' || arg[0] == 'u') {
		signed = arg[0] == 'i'
		w, ok := num.ParseInt(arg[1:])
		if ok && w >= 1 && ((signed && w <= 64) || (!signed && w <= 63)) {
			return signed, int(w), true
		}
	}
	n.replyError(c, errBitfieldType)
	return false, 0, false
}

// getUnsignedBits reads width bits at offset, bits past the end of p
// reading as zero.
func getUnsignedBits(p []byte, offset uint64, width int) uint64 {
	var v uint64
	for j := 0; j < width; j++ {
		var bit uint64
		if byt := offset >> 3; byt < uint64(len(p)) {
			bit = uint64(p[byt]>>(7-offset&7)) & 1
		}
		v = v<<1 | bit
		offset++
	}
	return v
}

// getSignedBits reads a two's complement integer of width bits.
func getSignedBits(p []byte, offset uint64, width int) int64 {
	v := getUnsignedBits(p, offset, width)
	if width < 64 && v&(1<<(width-1)) != 0 {
		v |= math.MaxUint64 << width
	}
	return int64(v)
}

// setBits writes the low width bits of v at offset; p must be long enough.
func setBits(p []byte, offset uint64, width int, v uint64) {
	for j := 0; j < width; j++ {
		bit := byte(v>>(width-1-j)) & 1
		byt, shift := offset>>3, 7-offset&7
		p[byt] = p[byt]&^(1<<shift) | bit<<shift
		offset++
	}
}

// unsignedOverflow reports whether value+incr overflows (1) or underflows
// (-1) an unsigned integer of width bits, and the value to store instead
// under the overflow behaviour (WRAP: modulo 2^width; SAT: the limit).
func unsignedOverflow(value uint64, incr int64, width int, overflow int) (int, uint64) {
	maxv := uint64(1)<<width - 1
	if width == 64 {
		maxv = math.MaxUint64
	}
	maxIncr := int64(maxv - value)
	minIncr := int64(-value)
	wrap := func() (int, uint64) {
		return 1, (value + uint64(incr)) &^ (math.MaxUint64 << width)
	}
	if value > maxv || (incr > 0 && incr > maxIncr) {
		switch overflow {
		case overflowWrap:
			return wrap()
		case overflowSat:
			return 1, maxv
		}
		return 1, 0
	}
	if incr < 0 && incr < minIncr {
		switch overflow {
		case overflowWrap:
			return wrap()
		case overflowSat:
			return -1, 0
		}
		return -1, 0
	}
	return 0, 0
}

// signedOverflow is unsignedOverflow for two's complement integers; WRAP
// wraps towards the most negative value.
func signedOverflow(value, incr int64, width int, overflow int) (int, int64) {
	maxv := int64(1)<<(width-1) - 1
	if width == 64 {
		maxv = math.MaxInt64
	}
	minv := -maxv - 1
	maxIncr := int64(uint64(maxv) - uint64(value))
	minIncr := minv - value
	wrap := func() (int, int64) {
		sum := uint64(value) + uint64(incr)
		if width < 64 {
			mask := uint64(math.MaxUint64) << width
			if sum&(1<<(width-1)) != 0 {
				sum |= mask
			} else {
				sum &^= mask
			}
		}
		return 1, int64(sum)
	}
	if value > maxv || (width != 64 && incr > maxIncr) || (value >= 0 && incr > 0 && incr > maxIncr) {
		switch overflow {
		case overflowWrap:
			return wrap()
		case overflowSat:
			return 1, maxv
		}
		return 1, 0
	}
	if value < minv || (width != 64 && incr < minIncr) || (value < 0 && incr < 0 && incr < minIncr) {
		switch overflow {
		case overflowWrap:
			return wrap()
		case overflowSat:
			return -1, minv
		}
		return -1, 0
	}
	return 0, 0
}

func cmdBitField(n *Node, c *client)   { n.bitfieldGeneric(c, false) }
func cmdBitFieldRO(n *Node, c *client) { n.bitfieldGeneric(c, true) }

// bitfieldGeneric implements BITFIELD and, with ro, BITFIELD_RO (which
// refuses SET and INCRBY after parsing them).
func (n *Node) bitfieldGeneric(c *client, ro bool) {
	var ops []bitfieldOp
	overflow := overflowWrap
	readonly := true
	var highest uint64
	for j := 2; j < len(c.args); j++ {
		remaining := len(c.args) - j - 1
		sub := cstr(c.args[j])
		var opcode int
		switch {
		case eq(sub, "get") && remaining >= 2:
			opcode = bitfieldGet
		case eq(sub, "set") && remaining >= 3:
			opcode = bitfieldSet
		case eq(sub, "incrby") && remaining >= 3:
			opcode = bitfieldIncrBy
		case eq(sub, "overflow") && remaining >= 1:
			j++
			switch t := cstr(c.args[j]); {
			case eq(t, "wrap"):
				overflow = overflowWrap
			case eq(t, "sat"):
				overflow = overflowSat
			case eq(t, "fail"):
				overflow = overflowFail
			default:
				n.replyError(c, errOverflowType)
				return
			}
			continue
		default:
			n.replyError(c, ErrSyntax)
			return
		}
		signed, width, ok := n.parseBitfieldType(c, c.args[j+1])
		if !ok {
			return
		}
		offset, ok := n.bitOffset(c, c.args[j+2], true, width)
		if !ok {
			return
		}
		var value int64
		if opcode != bitfieldGet {
			readonly = false
			highest = max(highest, offset+uint64(width)-1)
			if value, ok = n.argInt(c, c.args[j+3]); !ok {
				return
			}
			j += 3
		} else {
			j += 2
		}
		ops = append(ops, bitfieldOp{offset: offset, value: value, opcode: opcode,
			overflow: overflow, width: width, signed: signed})
	}

	var v *keyspace.Value
	dirty := false
	if readonly {
		v = n.lookupRead(c, c.args[1])
		if v != nil && !n.checkType(c, v, keyspace.KindString) {
			return
		}
	} else {
		if ro {
			n.replyError(c, errBitfieldRO)
			return
		}
		var ok bool
		if v, dirty, ok = n.lookupStringForBit(c, highest); !ok {
			return
		}
	}

	c.w.Array(len(ops))
	var p []byte
	var scratch [24]byte
	if v != nil {
		p = v.Bytes(scratch[:0])
	}
	changes := int64(0)
	for _, op := range ops {
		switch {
		case op.opcode == bitfieldGet && op.signed:
			c.int(getSignedBits(p, op.offset, op.width))
		case op.opcode == bitfieldGet:
			c.int(int64(getUnsignedBits(p, op.offset, op.width)))
		case op.signed:
			old := getSignedBits(p, op.offset, op.width)
			var newv, ret int64
			var of int
			var limit int64
			if op.opcode == bitfieldIncrBy {
				of, limit = signedOverflow(old, op.value, op.width, op.overflow)
				newv = old + op.value
				if of != 0 {
					newv = limit
				}
				ret = newv
			} else {
				newv = op.value
				if of, limit = signedOverflow(newv, 0, op.width, op.overflow); of != 0 {
					newv = limit
				}
				ret = old
			}
			if of != 0 && op.overflow == overflowFail {
				c.null()
				continue
			}
			c.int(ret)
			setBits(p, op.offset, op.width, uint64(newv))
			if dirty || old != newv {
				changes++
			}
		default:
			old := getUnsignedBits(p, op.offset, op.width)
			var newv, ret, limit uint64
			var of int
			if op.opcode == bitfieldIncrBy {
				newv = old + uint64(op.value)
				if of, limit = unsignedOverflow(old, op.value, op.width, op.overflow); of != 0 {
					newv = limit
				}
				ret = newv
			} else {
				newv = uint64(op.value)
				if of, limit = unsignedOverflow(newv, 0, op.width, op.overflow); of != 0 {
					newv = limit
				}
				ret = old
			}
			if of != 0 && op.overflow == overflowFail {
				c.null()
				continue
			}
			c.int(int64(ret))
			setBits(p, op.offset, op.width, newv)
			if dirty || old != newv {
				changes++
			}
		}
	}
	if changes > 0 {
		n.signalModifiedKey(c, c.db, c.args[1])
		n.notifyKeyspaceEvent(NotifyString, "setbit", string(c.args[1]), c.db.ID)
		n.dirty += changes
	}
}

func bitmapDocs(summary, since, complexity, syntax string) Docs {
	return Docs{Summary: summary, Since: since, Group: "bitmap", Complexity: complexity, Syntax: syntax}
}

func init() {
	ro := keys1("RO", "ACCESS")
	register(
		&Command{Name: "setbit", Arity: 4, Flags: CmdWrite | CmdDenyOOM, ACL: CatBitmap, Proc: cmdSetBit,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: keys1("RW", "ACCESS", "UPDATE"),
			Docs: bitmapDocs("Sets or clears the bit at offset in the string value stored at key", "2.2.0", "O(1)", "key offset:integer value:integer")},
		&Command{Name: "getbit", Arity: 3, Flags: CmdReadonly | CmdFast, ACL: CatBitmap, Proc: cmdGetBit,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: ro,
			Docs: bitmapDocs("Returns the bit value at offset in the string value stored at key", "2.2.0", "O(1)", "key offset:integer")},
		&Command{Name: "bitcount", Arity: -2, Flags: CmdReadonly, ACL: CatBitmap, Proc: cmdBitCount,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: ro,
			Docs: bitmapDocs("Count set bits in a string", "2.6.0", "O(N)", "key [start:integer end:integer [BYTE | BIT]]")},
		&Command{Name: "bitpos", Arity: -3, Flags: CmdReadonly, ACL: CatBitmap, Proc: cmdBitPos,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: ro,
			Docs: bitmapDocs("Find first bit set or clear in a string", "2.8.7", "O(N)", "key bit:integer [start:integer [end:integer [BYTE | BIT]]]")},
		&Command{Name: "bitop", Arity: -4, Flags: CmdWrite | CmdDenyOOM, ACL: CatBitmap, Proc: cmdBitOp,
			FirstKey: 2, LastKey: -1, Step: 1,
			Keys: []KeySpec{{Flags: []string{"OW", "UPDATE"}, BeginIndex: 2, LastKey: 0, Step: 1}, keysRange(3, -1, 1, "RO", "ACCESS")},
			Docs: bitmapDocs("Perform bitwise operations between strings", "2.6.0", "O(N)", "operation destkey:key key [key ...]")},
		&Command{Name: "bitfield", Arity: -2, Flags: CmdWrite | CmdDenyOOM, ACL: CatBitmap, Proc: cmdBitField,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: []KeySpec{{Notes: "This command allows both access and modification of the key", Flags: []string{"RW", "UPDATE", "ACCESS", "VARIABLE_FLAGS"}, BeginIndex: 1, Step: 1}},
			Docs: bitmapDocs("Perform arbitrary bitfield integer operations on strings", "3.2.0", "O(1) for each subcommand specified",
				"key [GET encoding offset:integer | [OVERFLOW <WRAP | SAT | FAIL>] <SET encoding offset:integer value:integer | INCRBY encoding offset:integer increment:integer> ...]")},
		&Command{Name: "bitfield_ro", Arity: -2, Flags: CmdReadonly | CmdFast, ACL: CatBitmap, Proc: cmdBitFieldRO,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: ro,
			Docs: bitmapDocs("Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD", "6.0.0", "O(1) for each subcommand specified",
				"key [GET encoding offset:integer [GET encoding offset:integer ...]]")},
	)
}
