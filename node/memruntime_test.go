package node

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMemRuntimeDrivesANode(t *testing.T) {
	tn := newTestNode(t)
	c := tn.connect()
	assert.Equal(t, "PONG", c.do("PING").Str)
	assert.Equal(t, "OK", c.do("SET", "k", "v", "PX", "1500").Str)
	assert.Equal(t, "v", c.do("GET", "k").Str)
	tn.rt.Advance(tn.n, 2*time.Second)
	assert.True(t, c.do("GET", "k").Null)
	// The lazy expiry propagated a DEL after the SET's absolute form.
	require.Len(t, tn.propagated, 2)
	assert.Equal(t, []string{"SET", "k", "v", "PXAT", "1767225601500"}, tn.propagated[0])
	assert.Equal(t, []string{"DEL", "k"}, tn.propagated[1])
}

func TestActiveExpiryDeletesWithoutAccess(t *testing.T) {
	tn := newTestNode(t)
	c := tn.connect()
	for i := 0; i < 100; i++ {
		c.do("SET", "k"+itoa(int64(i)), "v", "PX", "100")
	}
	c.do("SET", "keep", "v")
	tn.rt.Advance(tn.n, time.Second)
	assert.Equal(t, int64(1), c.do("DBSIZE").Int)
	assert.Equal(t, int64(100), tn.n.stats.ExpiredKeys)
}

func TestCanonicalForms(t *testing.T) {
	cases := []struct {
		name string
		cmd  []string
		want [][]string
	}{
		{"set ex", []string{"SET", "k", "v", "EX", "10"}, [][]string{{"SET", "k", "v", "PXAT", "1767225610000"}}},
		{"set get drops GET", []string{"SET", "k", "v", "GET", "NX"}, [][]string{{"SET", "k", "v", "NX"}}},
		{"setex", []string{"SETEX", "k", "10", "v"}, [][]string{{"SET", "k", "v", "PXAT", "1767225610000"}}},
		{"expire", []string{"EXPIRE", "x", "10", "NX"}, [][]string{{"PEXPIREAT", "x", "1767225610000", "NX"}}},
		{"expire in the past", []string{"EXPIRE", "x", "-1"}, [][]string{{"DEL", "x"}}},
		{"getex", []string{"GETEX", "x", "EX", "5"}, [][]string{{"PEXPIREAT", "x", "1767225605000"}}},
		{"getdel", []string{"GETDEL", "x"}, [][]string{{"DEL", "x"}}},
		{"getset", []string{"GETSET", "x", "2"}, [][]string{{"SET", "x", "2"}}},
		{"incrbyfloat", []string{"INCRBYFLOAT", "n", "1.5"}, [][]string{{"SET", "n", "11.5", "KEEPTTL"}}},
		{"flushdb on empty db", []string{"FLUSHDB"}, [][]string{{"FLUSHDB"}}},
		{"read is not propagated", []string{"GET", "x"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tn := newTestNode(t)
			c := tn.connect()
			if tc.name != "flushdb on empty db" {
				c.do("SET", "x", "1")
				c.do("SET", "n", "10")
			}
			tn.propagated = nil
			c.do(tc.cmd...)
			assert.Equal(t, tc.want, tn.propagated)
		})
	}
}

func TestMultiExecPropagation(t *testing.T) {
	tn := newTestNode(t)
	c := tn.connect()
	c.do("MULTI")
	c.do("SET", "a", "1")
	c.do("INCR", "a")
	c.do("GET", "a")
	r := c.do("EXEC")
	require.Len(t, r.Elems, 3)
	assert.Equal(t, [][]string{{"MULTI"}, {"SET", "a", "1"}, {"INCR", "a"}, {"EXEC"}}, tn.propagated)
}
