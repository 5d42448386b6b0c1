package node

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"replab/keyspace"
	"replab/resp"
)

func raw(v resp.Value) string { return string(v.Encode(nil)) }

func TestZsetPropagatedForms(t *testing.T) {
	cases := []struct {
		name string
		cmd  []string
		want [][]string
	}{
		{"zadd as received", []string{"ZADD", "z", "CH", "5", "a"}, [][]string{{"ZADD", "z", "CH", "5", "a"}}},
		{"zadd without change", []string{"ZADD", "z", "1", "a"}, nil},
		{"zincrby as received", []string{"ZINCRBY", "z", "2", "a"}, [][]string{{"ZINCRBY", "z", "2", "a"}}},
		{"zpopmin as received", []string{"ZPOPMIN", "z", "10"}, [][]string{{"ZPOPMIN", "z", "10"}}},
		{"zmpop becomes zpopmax with the popped count", []string{"ZMPOP", "2", "nokey", "z", "MAX", "COUNT", "10"}, [][]string{{"ZPOPMAX", "z", "3"}}},
		{"zmpop count 1", []string{"ZMPOP", "1", "z", "MIN"}, [][]string{{"ZPOPMIN", "z", "1"}}},
		{"bzpopmin served at once", []string{"BZPOPMIN", "nokey", "z", "0"}, [][]string{{"ZPOPMIN", "z"}}},
		{"bzpopmax served at once", []string{"BZPOPMAX", "z", "5"}, [][]string{{"ZPOPMAX", "z"}}},
		{"bzmpop served at once", []string{"BZMPOP", "0", "1", "z", "MIN", "COUNT", "2"}, [][]string{{"ZPOPMIN", "z", "2"}}},
		{"zrem", []string{"ZREM", "z", "a", "x"}, [][]string{{"ZREM", "z", "a", "x"}}},
		{"zrem nothing", []string{"ZREM", "z", "x"}, nil},
		{"zremrangebyscore", []string{"ZREMRANGEBYSCORE", "z", "2", "3"}, [][]string{{"ZREMRANGEBYSCORE", "z", "2", "3"}}},
		{"zrangestore", []string{"ZRANGESTORE", "d", "z", "0", "0"}, [][]string{{"ZRANGESTORE", "d", "z", "0", "0"}}},
		{"zunionstore", []string{"ZUNIONSTORE", "d", "1", "z"}, [][]string{{"ZUNIONSTORE", "d", "1", "z"}}},
		{"zinterstore empty on missing dst", []string{"ZINTERSTORE", "d", "2", "z", "nokey"}, nil},
		{"zinterstore empty deleting dst", []string{"ZINTERSTORE", "other", "2", "z", "nokey"}, [][]string{{"ZINTERSTORE", "other", "2", "z", "nokey"}}},
		{"reads are not propagated", []string{"ZRANGE", "z", "0", "-1"}, nil},
		{"zrandmember is a read", []string{"ZRANDMEMBER", "z", "-5"}, nil},
		{"geoadd becomes zadd", []string{"GEOADD", "g", "CH", "13.361389", "38.115556", "Palermo"},
			[][]string{{"zadd", "g", "CH", "3479099956230698", "Palermo"}}},
		{"georadius store", []string{"GEORADIUS", "g", "15", "37", "200", "km", "STORE", "d"},
			[][]string{{"GEORADIUS", "g", "15", "37", "200", "km", "STORE", "d"}}},
		{"georadius without store", []string{"GEORADIUS", "g", "15", "37", "200", "km"}, nil},
		{"geosearchstore", []string{"GEOSEARCHSTORE", "d", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "STOREDIST"},
			[][]string{{"GEOSEARCHSTORE", "d", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "STOREDIST"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tn := newTestNode(t)
			c := tn.connect()
			c.do("ZADD", "z", "1", "a", "2", "b", "3", "c")
			c.do("ZADD", "other", "1", "x")
			c.do("GEOADD", "g", "15.087269", "37.502669", "Catania")
			tn.propagated = nil
			r := c.do(tc.cmd...)
			require.False(t, r.IsError(), "%v: %v", tc.cmd, r)
			assert.Equal(t, tc.want, tn.propagated)
		})
	}
}

func TestBlockingZpopServesClientsInOrder(t *testing.T) {
	tn := newTestNode(t)
	c1, c2, c3, w := tn.connect(), tn.connect(), tn.connect(), tn.connect()
	c1.send("BZPOPMIN", "z", "0")
	c2.send("BZPOPMAX", "other", "z", "0")
	c3.send("BZMPOP", "0", "1", "z", "MIN", "COUNT", "5")
	for _, c := range []*testConn{c1, c2, c3} {
		assert.Empty(t, c.replies(), "blocked client replied")
	}
	assert.Equal(t, int64(3), w.do("ZADD", "z", "1", "a", "2", "b", "3", "c").Int)
	// First blocked, first served: c1 takes the minimum, c2 the maximum,
	// c3 what is left.
	assert.Equal(t, []string{"z", "a", "1"}, strs(c1.replies()))
	assert.Equal(t, []string{"z", "c", "3"}, strs(c2.replies()))
	r := c3.replies()
	require.Len(t, r, 1)
	assert.Equal(t, "*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n", raw(r[0]))
	assert.Equal(t, int64(0), w.do("EXISTS", "z").Int)
	// As in Redis 7.0, each pop served to a blocked client is its own
	// execution unit, propagated after the write that woke it.
	assert.Equal(t, [][]string{
		{"ZADD", "z", "1", "a", "2", "b", "3", "c"},
		{"ZPOPMIN", "z"}, {"ZPOPMAX", "z"}, {"ZPOPMIN", "z", "1"},
	}, tn.propagated)
}

func TestBlockingZpopStaysBlockedWhenOthersTookEverything(t *testing.T) {
	tn := newTestNode(t)
	c1, c2, w := tn.connect(), tn.connect(), tn.connect()
	c1.send("BZPOPMIN", "z", "0")
	c2.send("BZPOPMIN", "z", "0")
	w.do("ZADD", "z", "1", "a")
	assert.Equal(t, []string{"z", "a", "1"}, strs(c1.replies()))
	assert.Empty(t, c2.replies())
	// c2 is still blocked and processes nothing until served.
	c2.send("PING")
	assert.Empty(t, c2.replies())
	w.do("ZADD", "z", "5", "e")
	r := c2.replies()
	require.Len(t, r, 2)
	assert.Equal(t, []string{"z", "e", "5"}, strs(r[:1]))
	assert.Equal(t, "PONG", r[1].Str)
}

func TestBlockingZpopTimeouts(t *testing.T) {
	tn := newTestNode(t)
	c1, c2, c3 := tn.connect(), tn.connect(), tn.connect()
	c3.send("HELLO", "3")
	c3.replies()
	c1.send("BZPOPMIN", "z", "0.5")
	c2.send("BZMPOP", "1.5", "1", "z", "MAX")
	c3.send("BZPOPMAX", "z", "1")
	tn.rt.Advance(tn.n, 600*time.Millisecond)
	r := c1.replies()
	require.Len(t, r, 1)
	assert.Equal(t, "*-1\r\n", raw(r[0]))
	assert.Empty(t, c2.replies())
	tn.rt.Advance(tn.n, 500*time.Millisecond)
	r = c3.replies()
	require.Len(t, r, 1)
	assert.Equal(t, "_\r\n", raw(r[0]))
	tn.rt.Advance(tn.n, time.Second)
	r = c2.replies()
	require.Len(t, r, 1)
	assert.Equal(t, "*-1\r\n", raw(r[0]))
	assert.Empty(t, tn.propagated)
}

func TestBlockingZpopWrongTypeAndMulti(t *testing.T) {
	tn := newTestNode(t)
	c, w := tn.connect(), tn.connect()
	c.send("BZPOPMIN", "z", "0")
	// A value of another kind does not serve (nor wake) the client.
	w.do("SET", "z", "x")
	assert.Empty(t, c.replies())
	w.do("DEL", "z")
	w.do("ZADD", "z", "1", "a")
	assert.Equal(t, []string{"z", "a", "1"}, strs(c.replies()))
	// Inside MULTI a blocking pop never blocks.
	c.do("MULTI")
	c.do("BZPOPMIN", "nokey", "0")
	c.do("BZMPOP", "0", "1", "nokey", "MIN")
	r := c.do("EXEC")
	assert.Equal(t, "*2\r\n*-1\r\n*-1\r\n", raw(r))
}

func TestBlockingZpopOnRenamedKey(t *testing.T) {
	tn := newTestNode(t)
	c, w := tn.connect(), tn.connect()
	c.send("BZPOPMAX", "z", "0")
	w.do("ZADD", "tmp", "1", "a", "2", "b")
	w.do("RENAME", "tmp", "z")
	assert.Equal(t, []string{"z", "b", "2"}, strs(c.replies()))
	c.send("BZPOPMIN", "moved", "0")
	w.do("SELECT", "1")
	w.do("ZADD", "moved", "1", "m")
	w.do("MOVE", "moved", "0")
	assert.Equal(t, []string{"moved", "m", "1"}, strs(c.replies()))
	c.send("BZPOPMIN", "copied", "0")
	w.do("SELECT", "0")
	w.do("COPY", "z", "copied")
	assert.Equal(t, []string{"copied", "a", "1"}, strs(c.replies()))
}

// strs flattens an array reply (or the first reply of several) to strings.
func strs(rs []resp.Value) []string {
	if len(rs) == 0 {
		return nil
	}
	var out []string
	for _, e := range rs[0].Elems {
		out = append(out, e.Str)
	}
	return out
}

func TestZrankWithScore(t *testing.T) {
	tn := newTestNode(t)
	c := tn.connect()
	c.do("ZADD", "z", "1.5", "a", "2", "b", "3", "c")
	assert.Equal(t, "*2\r\n:0\r\n$3\r\n1.5\r\n", raw(c.do("ZRANK", "z", "a", "WITHSCORE")))
	assert.Equal(t, "*2\r\n:2\r\n$3\r\n1.5\r\n", raw(c.do("ZREVRANK", "z", "a", "withscore")))
	assert.Equal(t, "*-1\r\n", raw(c.do("ZRANK", "z", "x", "WITHSCORE")))
	assert.Equal(t, "*-1\r\n", raw(c.do("ZRANK", "nokey", "x", "WITHSCORE")))
	assert.Equal(t, "-ERR syntax error\r\n", raw(c.do("ZRANK", "z", "a", "WITHSCORES")))
	assert.Equal(t, "-ERR wrong number of arguments for 'zrank' command\r\n", raw(c.do("ZRANK", "z", "a", "WITHSCORE", "x")))
	c.do("HELLO", "3")
	assert.Equal(t, "*2\r\n:1\r\n,2\r\n", raw(c.do("ZRANK", "z", "b", "WITHSCORE")))
	assert.Equal(t, "_\r\n", raw(c.do("ZREVRANK", "z", "x", "WITHSCORE")))
	assert.Equal(t, ":0\r\n", raw(c.do("ZREVRANK", "z", "c")))
}

func TestZsetEncodingThresholdsFromConfig(t *testing.T) {
	tn := newTestNode(t, "--zset-max-listpack-entries", "4", "--zset-max-listpack-value", "3")
	c := tn.connect()
	enc := func(k string) string { return c.do("OBJECT", "ENCODING", k).Str }
	c.do("ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d")
	assert.Equal(t, "listpack", enc("z"))
	c.do("ZADD", "z", "5", "e")
	assert.Equal(t, "skiplist", enc("z"))
	c.do("ZREM", "z", "a", "b", "c")
	assert.Equal(t, "skiplist", enc("z"), "never converts back by itself")
	c.do("ZUNIONSTORE", "u", "1", "z")
	assert.Equal(t, "listpack", enc("u"))
	c.do("ZADD", "long", "1", "abcd")
	assert.Equal(t, "skiplist", enc("long"))
	c.do("ZADD", "short", "1", "abc")
	c.do("ZADD", "short", "1", "abcd")
	assert.Equal(t, "skiplist", enc("short"))
	c.do("ZRANGESTORE", "r", "short", "0", "0")
	assert.Equal(t, "listpack", enc("r"))
	c.do("ZRANGESTORE", "r", "short", "0", "-1")
	assert.Equal(t, "skiplist", enc("r"))
	c.do("ZADD", "big", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e")
	c.do("ZRANGESTORE", "r", "big", "-inf", "+inf", "BYSCORE", "LIMIT", "0", "4")
	assert.Equal(t, "listpack", enc("r"))
	c.do("GEOADD", "g", "1", "1", "a", "2", "2", "b")
	c.do("GEORADIUS", "g", "1", "1", "500", "km", "STORE", "gs")
	assert.Equal(t, "listpack", enc("gs"))
	assert.Equal(t, int64(2), c.do("ZCARD", "gs").Int)

	tn = newTestNode(t, "--zset-max-listpack-entries", "0")
	c = tn.connect()
	c.do("ZADD", "z", "1", "a")
	assert.Equal(t, "skiplist", c.do("OBJECT", "ENCODING", "z").Str)
}

func TestZsetSkiplistEncodingMatchesListpackReplies(t *testing.T) {
	// The same commands on the two encodings give the same replies.
	small := newTestNode(t).connect()
	big := newTestNode(t, "--zset-max-listpack-entries", "0").connect()
	cmds := [][]string{
		{"ZADD", "z", "1", "a", "2", "b", "2", "bb", "3", "c", "-1", "neg", "inf", "top"},
		{"ZRANGE", "z", "0", "-1", "WITHSCORES"},
		{"ZRANGE", "z", "(1", "+inf", "BYSCORE", "REV", "LIMIT", "1", "2"},
		{"ZRANGEBYLEX", "z", "-", "+"},
		{"ZRANK", "z", "bb"},
		{"ZREVRANK", "z", "bb"},
		{"ZCOUNT", "z", "2", "3"},
		{"ZLEXCOUNT", "z", "-", "+"},
		{"ZPOPMAX", "z"},
		{"ZREMRANGEBYRANK", "z", "0", "0"},
		{"ZMSCORE", "z", "a", "b", "neg"},
		{"ZRANDMEMBER", "z", "100", "WITHSCORES"},
		{"ZUNION", "2", "z", "z", "WITHSCORES"},
		{"ZINTERCARD", "1", "z"},
		{"ZDIFF", "2", "z", "nokey"},
		{"DEBUG", "DIGEST-VALUE", "z"},
	}
	for _, cmd := range cmds {
		assert.Equal(t, raw(small.do(cmd...)), raw(big.do(cmd...)), "%v", cmd)
	}
	assert.Equal(t, "skiplist", big.do("OBJECT", "ENCODING", "z").Str)
}

func TestZsetOpsAcceptOtherKindsThroughSources(t *testing.T) {
	// A kind registered in zsetSourceFuncs is read as a sorted set; here a
	// string stands in for a set, each of its bytes a member of score 1.
	zsetSourceFuncs[testSourceKind] = func(v *keyspaceValue) zsetSource { return byteSource(v.Bytes(nil)) }
	defer delete(zsetSourceFuncs, testSourceKind)
	tn := newTestNode(t)
	c := tn.connect()
	c.do("SET", "s", "ab")
	c.do("ZADD", "z", "5", "a", "7", "c")
	assert.Equal(t, []string{"a", "6"}, strs([]resp.Value{c.do("ZINTER", "2", "s", "z", "WITHSCORES")}))
	assert.Equal(t, []string{"b", "1", "a", "6", "c", "7"}, strs([]resp.Value{c.do("ZUNION", "2", "s", "z", "WITHSCORES")}))
	assert.Equal(t, []string{"b"}, strs([]resp.Value{c.do("ZDIFF", "2", "s", "z")}))
	assert.Equal(t, int64(1), c.do("ZINTERCARD", "2", "z", "s").Int)
}

type keyspaceValue = keyspace.Value

const testSourceKind = keyspace.KindString

// byteSource is a zsetSource whose members are single bytes, all of score 1.
type byteSource []byte

func (b byteSource) Len() int { return len(b) }

func (b byteSource) ForEach(fn func([]byte, float64) bool) {
	for i := range b {
		if !fn(b[i:i+1], 1) {
			return
		}
	}
}

func (b byteSource) Score(m []byte) (float64, bool) {
	for i := range b {
		if len(m) == 1 && m[0] == b[i] {
			return 1, true
		}
	}
	return 0, false
}
