package node

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"replab/internal/hll"
)

// TestHLLPropagation checks what Redis 7.0 replicates for the HyperLogLog
// commands. PFCOUNT is read-only but refreshing the cached cardinality
// changes the string, so Redis replicates the PFCOUNT itself, once.
func TestHLLPropagation(t *testing.T) {
	cases := []struct {
		name string
		cmds [][]string
		want [][]string
	}{
		{"pfadd new element", [][]string{{"PFADD", "h", "z"}}, [][]string{{"PFADD", "h", "z"}}},
		{"pfadd known element", [][]string{{"PFADD", "h", "a"}}, nil},
		{"pfadd creates", [][]string{{"PFADD", "new"}}, [][]string{{"PFADD", "new"}}},
		{"pfcount refreshes the cache once", [][]string{{"PFCOUNT", "h"}, {"PFCOUNT", "h"}}, [][]string{{"PFCOUNT", "h"}}},
		{"pfcount of several keys", [][]string{{"PFCOUNT", "h", "missing"}}, nil},
		{"pfcount of a missing key", [][]string{{"PFCOUNT", "missing"}}, nil},
		{"pfmerge", [][]string{{"PFMERGE", "d", "h"}}, [][]string{{"PFMERGE", "d", "h"}}},
		{"pfdebug getreg converts", [][]string{{"PFDEBUG", "GETREG", "h"}, {"PFDEBUG", "GETREG", "h"}}, [][]string{{"PFDEBUG", "GETREG", "h"}}},
		{"pfdebug todense", [][]string{{"PFDEBUG", "TODENSE", "h"}}, [][]string{{"PFDEBUG", "TODENSE", "h"}}},
		{"pfdebug decode", [][]string{{"PFDEBUG", "DECODE", "h"}}, nil},
		{"pfcount in multi", [][]string{{"MULTI"}, {"PFCOUNT", "h"}, {"PFADD", "h", "q"}, {"EXEC"}},
			[][]string{{"MULTI"}, {"PFCOUNT", "h"}, {"PFADD", "h", "q"}, {"EXEC"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tn := newTestNode(t)
			c := tn.connect()
			c.do("PFADD", "h", "a", "b", "c")
			tn.propagated = nil
			for _, cmd := range tc.cmds {
				c.do(cmd...)
			}
			assert.Equal(t, tc.want, tn.propagated)
		})
	}
}

func TestHLLCachedCardinality(t *testing.T) {
	tn := newTestNode(t)
	c := tn.connect()
	c.do("PFADD", "h", "a", "b", "c")
	b := []byte(c.do("GET", "h").Str)
	_, ok := hll.CachedCard(b)
	assert.False(t, ok, "PFADD invalidates the cache")
	assert.Equal(t, int64(3), c.do("PFCOUNT", "h").Int)
	card, ok := hll.CachedCard([]byte(c.do("GET", "h").Str))
	assert.True(t, ok)
	assert.Equal(t, uint64(3), card)
	// A forged cache is believed, as by Redis.
	forged := []byte(c.do("GET", "h").Str)
	hll.SetCachedCard(forged, 42)
	c.do("SET", "h", string(forged))
	assert.Equal(t, int64(42), c.do("PFCOUNT", "h").Int)
	assert.Equal(t, "raw", c.do("OBJECT", "ENCODING", "h").Str)
}

func TestHLLPromotionThreshold(t *testing.T) {
	tn := newTestNode(t, "--hll-sparse-max-bytes", "100")
	c := tn.connect()
	for i := 0; ; i++ {
		c.do("PFADD", "h", itoa(int64(i)))
		if c.do("PFDEBUG", "ENCODING", "h").Str == "dense" {
			require.Greater(t, i, 5)
			break
		}
		require.LessOrEqual(t, len(c.do("GET", "h").Str), 100, "sparse beyond hll-sparse-max-bytes")
	}
	assert.Len(t, c.do("GET", "h").Str, hll.DenseSize)
}

func TestHLLSelfTest(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	assert.Equal(t, "", hllSelfTest(rng.Uint64, 3000, 100000))
}
