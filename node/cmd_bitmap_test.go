package node

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestUnsignedBitfieldOverflow(t *testing.T) {
	cases := []struct {
		name      string
		value     uint64
		incr      int64
		width     int
		overflow  int
		wantOF    int
		wantLimit uint64
	}{
		{"fits", 200, 55, 8, overflowWrap, 0, 0},
		{"wrap up", 200, 56, 8, overflowWrap, 1, 0},
		{"wrap up far", 255, 300, 8, overflowWrap, 1, (255 + 300) % 256},
		{"wrap down", 3, -4, 8, overflowWrap, 1, 255},
		{"sat up", 200, 100, 8, overflowSat, 1, 255},
		{"sat down", 3, -4, 8, overflowSat, -1, 0},
		{"fail up", 200, 100, 8, overflowFail, 1, 0},
		{"fail down", 3, -4, 8, overflowFail, -1, 0},
		{"set too big wraps", 256, 0, 8, overflowWrap, 1, 0},
		{"set negative wraps", uint64(math.MaxUint64), 0, 8, overflowWrap, 1, 255},
		{"set negative saturates high", uint64(math.MaxUint64), 0, 8, overflowSat, 1, 255},
		{"u1", 1, 1, 1, overflowWrap, 1, 0},
		{"u63 max", 1<<63 - 1, 1, 63, overflowSat, 1, 1<<63 - 1},
		{"u63 wrap", 1<<63 - 1, 1, 63, overflowWrap, 1, 0},
		{"u63 big decrement", 5, math.MinInt64, 63, overflowSat, -1, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			of, limit := unsignedOverflow(tc.value, tc.incr, tc.width, tc.overflow)
			assert.Equal(t, tc.wantOF, of)
			assert.Equal(t, tc.wantLimit, limit)
		})
	}
}

func TestSignedBitfieldOverflow(t *testing.T) {
	cases := []struct {
		name      string
		value     int64
		incr      int64
		width     int
		overflow  int
		wantOF    int
		wantLimit int64
	}{
		{"fits", 100, 27, 8, overflowWrap, 0, 0},
		{"fits negative", -100, -28, 8, overflowWrap, 0, 0},
		{"wrap up", 127, 1, 8, overflowWrap, 1, -128},
		{"wrap down", -128, -1, 8, overflowWrap, 1, 127},
		{"sat up", 120, 10, 8, overflowSat, 1, 127},
		{"sat down", -120, -10, 8, overflowSat, -1, -128},
		{"fail up", 120, 10, 8, overflowFail, 1, 0},
		{"fail down", -120, -10, 8, overflowFail, -1, 0},
		{"set too big wraps", 200, 0, 8, overflowWrap, 1, -56},
		{"set too small saturates", -200, 0, 8, overflowSat, -1, -128},
		{"i1 holds 0 and -1", 0, -1, 1, overflowFail, 0, 0},
		{"i1 overflow", 0, 1, 1, overflowWrap, 1, -1},
		{"i64 max", math.MaxInt64, 1, 64, overflowWrap, 1, math.MinInt64},
		{"i64 sat", math.MaxInt64, 1, 64, overflowSat, 1, math.MaxInt64},
		{"i64 min", math.MinInt64, -1, 64, overflowSat, -1, math.MinInt64},
		{"i64 across zero", -5, math.MaxInt64, 64, overflowFail, 0, 0},
		{"i63 huge increment", 0, math.MaxInt64, 63, overflowSat, 1, 1<<62 - 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			of, limit := signedOverflow(tc.value, tc.incr, tc.width, tc.overflow)
			assert.Equal(t, tc.wantOF, of)
			assert.Equal(t, tc.wantLimit, limit)
		})
	}
}

func TestBitfieldBits(t *testing.T) {
	p := make([]byte, 3)
	setBits(p, 7, 5, 23)
	assert.Equal(t, []byte{0x01, 0x70, 0x00}, p, "Redis's example: u5 23 at offset 7")
	assert.Equal(t, uint64(23), getUnsignedBits(p, 7, 5))
	assert.Equal(t, int64(-9), getSignedBits(p, 7, 5))
	assert.Equal(t, uint64(0x017000), getUnsignedBits(p, 0, 24))
	// Bits past the end read as zero.
	assert.Equal(t, uint64(0x70)<<8, getUnsignedBits(p[:2], 8, 16))
}

func TestBitposAndPopcount(t *testing.T) {
	assert.Equal(t, int64(-1), bitpos(nil, 1))
	assert.Equal(t, int64(0), bitpos(nil, 0))
	assert.Equal(t, int64(24), bitpos([]byte{0xff, 0xff, 0xff}, 0))
	assert.Equal(t, int64(-1), bitpos([]byte{0, 0, 0}, 1))
	assert.Equal(t, int64(17), bitpos([]byte{0, 0, 0x40}, 1))
	assert.Equal(t, int64(9), bitpos([]byte{0xff, 0xbf}, 0))
	assert.Equal(t, int64(0), popcount(nil))
	assert.Equal(t, int64(8*11+1), popcount([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x10}))
}

// TestBitmapPropagation checks what Redis 7.0 replicates for the bitmap
// commands: the command as received, and only when it changed something.
func TestBitmapPropagation(t *testing.T) {
	cases := []struct {
		name string
		cmd  []string
		want [][]string
	}{
		{"setbit change", []string{"SETBIT", "b", "3", "1"}, [][]string{{"SETBIT", "b", "3", "1"}}},
		{"setbit same value", []string{"SETBIT", "b", "1", "1"}, nil},
		{"setbit grows", []string{"SETBIT", "b", "100", "0"}, [][]string{{"SETBIT", "b", "100", "0"}}},
		{"setbit error", []string{"SETBIT", "b", "1", "2"}, nil},
		{"bitop", []string{"BITOP", "NOT", "d", "b"}, [][]string{{"BITOP", "NOT", "d", "b"}}},
		{"bitop deletes", []string{"BITOP", "AND", "b", "missing"}, [][]string{{"BITOP", "AND", "b", "missing"}}},
		{"bitop of nothing on nothing", []string{"BITOP", "OR", "d", "missing"}, nil},
		{"bitfield get only", []string{"BITFIELD", "b", "GET", "u8", "0"}, nil},
		{"bitfield set", []string{"BITFIELD", "b", "SET", "u8", "0", "7", "GET", "u4", "0"},
			[][]string{{"BITFIELD", "b", "SET", "u8", "0", "7", "GET", "u4", "0"}}},
		{"bitfield same value", []string{"BITFIELD", "b", "SET", "u8", "0", "64"}, nil},
		{"bitfield fail", []string{"BITFIELD", "b", "OVERFLOW", "FAIL", "INCRBY", "u2", "0", "9"}, nil},
		{"bitfield fail on a new key", []string{"BITFIELD", "n", "OVERFLOW", "FAIL", "INCRBY", "u2", "0", "9"}, nil},
		{"bitfield_ro", []string{"BITFIELD_RO", "b", "GET", "i8", "0"}, nil},
		{"getbit bitcount bitpos", []string{"BITCOUNT", "b"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tn := newTestNode(t)
			c := tn.connect()
			c.do("SETBIT", "b", "1", "1")
			tn.propagated = nil
			c.do(tc.cmd...)
			assert.Equal(t, tc.want, tn.propagated)
		})
	}
}

func TestBitfieldFailCreatesKey(t *testing.T) {
	// Redis creates the key even when every write fails (and does not
	// replicate the command): replab does the same.
	tn := newTestNode(t)
	c := tn.connect()
	r := c.do("BITFIELD", "n", "OVERFLOW", "FAIL", "INCRBY", "u2", "0", "9")
	require.Len(t, r.Elems, 1)
	assert.True(t, r.Elems[0].Null)
	assert.Equal(t, "\x00", c.do("GET", "n").Str)
}

func TestBitOffsetFromMaster(t *testing.T) {
	// Our master may use offsets past our proto-max-bulk-len.
	tn := newTestNode(t, "--proto-max-bulk-len", "1mb")
	c := tn.connect()
	assert.Equal(t, errBitOffset, c.do("SETBIT", "b", "8388608", "1").Str)
	c.do("SETBIT", "b", "8388607", "1")
	tn.n.clients[c.id].flags |= flagMaster
	c.do("SETBIT", "b", "8388608", "1")
	tn.n.clients[c.id].flags &^= flagMaster
	assert.Equal(t, int64(1048577), c.do("STRLEN", "b").Int)
}
