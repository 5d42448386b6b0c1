package node

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"replab/resp"
)

// rawReplies renders replies as the bytes RESP carries them, for exact checks.
func rawReplies(vs ...resp.Value) string {
	var b []byte
	for _, v := range vs {
		b = v.Encode(b)
	}
	return string(b)
}

func bulkPair(k, v string) string {
	return fmt.Sprintf("*2\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", len(k), k, len(v), v)
}

func TestListBlockedClientsServedFIFO(t *testing.T) {
	tn := newTestNode(t)
	a, b, c, pusher := tn.connect(), tn.connect(), tn.connect(), tn.connect()
	a.send("BLPOP", "k", "0")
	b.send("BRPOP", "other", "k", "0")
	c.send("BLPOP", "k", "0")
	assert.Empty(t, a.replies())
	assert.Empty(t, b.replies())
	assert.Equal(t, 3, tn.n.stats.BlockedClients)
	tn.propagated = nil

	// Two elements serve the first two clients in the order they blocked,
	// each from its own side of the list.
	assert.Equal(t, int64(3), pusher.do("RPUSH", "k", "x", "y", "z").Int)
	assert.Equal(t, bulkPair("k", "x"), rawReplies(a.replies()...))
	assert.Equal(t, bulkPair("k", "z"), rawReplies(b.replies()...))
	assert.Equal(t, bulkPair("k", "y"), rawReplies(c.replies()...))
	assert.Equal(t, int64(0), pusher.do("EXISTS", "k").Int)
	assert.Equal(t, [][]string{{"RPUSH", "k", "x", "y", "z"}, {"LPOP", "k"}, {"RPOP", "k"}, {"LPOP", "k"}}, tn.propagated)
	assert.Equal(t, 0, tn.n.stats.BlockedClients)

	// One element serves only the oldest waiter; the other stays blocked
	// in its place.
	a.send("BLPOP", "k", "0")
	b.send("BLPOP", "k", "0")
	pusher.do("LPUSH", "k", "1")
	assert.Equal(t, bulkPair("k", "1"), rawReplies(a.replies()...))
	assert.Empty(t, b.replies())
	a.send("BLPOP", "k", "0")
	pusher.do("LPUSH", "k", "2")
	assert.Equal(t, bulkPair("k", "2"), rawReplies(b.replies()...))
	assert.Empty(t, a.replies())
	pusher.do("LPUSH", "k", "3")
	assert.Equal(t, bulkPair("k", "3"), rawReplies(a.replies()...))
}

func TestListBlockedClientGoesOnWithItsInput(t *testing.T) {
	tn := newTestNode(t)
	a, pusher := tn.connect(), tn.connect()
	// Commands sent behind a blocking one wait for it.
	a.send("BLPOP", "k", "0")
	a.send("PING")
	assert.Empty(t, a.replies())
	pusher.do("RPUSH", "k", "v")
	assert.Equal(t, bulkPair("k", "v")+"+PONG\r\n", rawReplies(a.replies()...))
}

func TestListBlockingTimeouts(t *testing.T) {
	for _, proto := range []string{"2", "3"} {
		t.Run("resp"+proto, func(t *testing.T) {
			tn := newTestNode(t)
			cmds := [][]string{
				{"BLPOP", "k", "1.5"},
				{"BRPOP", "k", "1.5"},
				{"BLMPOP", "1.5", "1", "k", "LEFT", "COUNT", "2"},
				{"BLMOVE", "k", "d", "LEFT", "RIGHT", "1.5"},
				{"BRPOPLPUSH", "k", "d", "1.5"},
			}
			conns := make([]*testConn, len(cmds))
			for i, cmd := range cmds {
				conns[i] = tn.connect()
				if proto == "3" {
					conns[i].do("HELLO", "3")
				}
				conns[i].send(cmd...)
				conns[i].send("PING")
			}
			tn.rt.Advance(tn.n, time.Second)
			for _, c := range conns {
				assert.Empty(t, c.replies())
			}
			tn.rt.Advance(tn.n, 600*time.Millisecond)
			// Every list command times out with a null array (even BLMOVE,
			// whose non-blocking form replies a null bulk), then runs what
			// followed.
			want := "*-1\r\n+PONG\r\n"
			if proto == "3" {
				want = "_\r\n+PONG\r\n"
			}
			for i, c := range conns {
				assert.Equal(t, want, rawReplies(c.replies()...), cmds[i][0])
			}
			assert.Equal(t, 0, tn.n.stats.BlockedClients)
			assert.Empty(t, tn.propagated)
		})
	}
}

func TestListTimeoutRounding(t *testing.T) {
	// Seconds are rounded up to whole milliseconds: 0.0001 s waits 1 ms.
	tn := newTestNode(t)
	c := tn.connect()
	c.send("BLPOP", "k", "0.0001")
	assert.Empty(t, c.replies())
	tn.rt.Advance(tn.n, 2*time.Millisecond)
	assert.Equal(t, "*-1\r\n", rawReplies(c.replies()...))
	// A tiny negative timeout rounds up to 0: block forever.
	c.send("BLPOP", "k", "-0.0001")
	tn.rt.Advance(tn.n, time.Hour)
	assert.Empty(t, c.replies())
	tn.connect().do("RPUSH", "k", "v")
	assert.Equal(t, bulkPair("k", "v"), rawReplies(c.replies()...))
}

func TestListBLMoveChain(t *testing.T) {
	tn := newTestNode(t)
	a, b, c, pusher := tn.connect(), tn.connect(), tn.connect(), tn.connect()
	a.send("BLMOVE", "a", "b", "LEFT", "RIGHT", "0")
	b.send("BRPOPLPUSH", "b", "c", "0")
	c.send("BLPOP", "c", "0")
	tn.propagated = nil
	pusher.do("RPUSH", "a", "x")
	// The element travels a -> b -> c and ends with the last waiter.
	assert.Equal(t, "$1\r\nx\r\n", rawReplies(a.replies()...))
	assert.Equal(t, "$1\r\nx\r\n", rawReplies(b.replies()...))
	assert.Equal(t, bulkPair("c", "x"), rawReplies(c.replies()...))
	for _, k := range []string{"a", "b", "c"} {
		assert.Equal(t, int64(0), pusher.do("EXISTS", k).Int, k)
	}
	// Served after blocking, BLMOVE is replicated as Redis writes it
	// itself: LMOVE with lower-case sides.
	assert.Equal(t, [][]string{
		{"RPUSH", "a", "x"},
		{"LMOVE", "a", "b", "left", "right"},
		{"RPOPLPUSH", "b", "c"},
		{"LPOP", "c"},
	}, tn.propagated)
}

func TestListBLMoveRotationOnOneKey(t *testing.T) {
	tn := newTestNode(t)
	a, pusher := tn.connect(), tn.connect()
	a.send("BLMOVE", "k", "k", "RIGHT", "LEFT", "0")
	pusher.do("RPUSH", "k", "1", "2")
	assert.Equal(t, "$1\r\n2\r\n", rawReplies(a.replies()...))
	assert.Equal(t, "*2\r\n$1\r\n2\r\n$1\r\n1\r\n", rawReplies(pusher.do("LRANGE", "k", "0", "-1")))
}

func TestListBLMoveToWrongTypeUnblocksWithError(t *testing.T) {
	tn := newTestNode(t)
	a, b, pusher := tn.connect(), tn.connect(), tn.connect()
	pusher.do("SET", "s", "v")
	a.send("BLMOVE", "k", "s", "LEFT", "RIGHT", "0")
	b.send("BLPOP", "k", "0")
	tn.propagated = nil
	pusher.do("RPUSH", "k", "x")
	// The first waiter cannot push to a string: it gets WRONGTYPE and the
	// element goes to the next one.
	assert.Equal(t, "-"+ErrWrongType+"\r\n", rawReplies(a.replies()...))
	assert.Equal(t, bulkPair("k", "x"), rawReplies(b.replies()...))
	assert.Equal(t, [][]string{{"RPUSH", "k", "x"}, {"LPOP", "k"}}, tn.propagated)
	assert.Equal(t, 0, tn.n.stats.BlockedClients)
}

func TestListUnblockedByPushInsideMulti(t *testing.T) {
	tn := newTestNode(t)
	a, pusher := tn.connect(), tn.connect()
	a.send("BLPOP", "k", "0")
	tn.propagated = nil
	pusher.do("MULTI")
	pusher.do("RPUSH", "k", "1")
	pusher.do("LPUSH", "k", "0")
	assert.Empty(t, a.replies(), "nothing is served before EXEC")
	r := pusher.do("EXEC")
	assert.Equal(t, "*2\r\n:1\r\n:2\r\n", rawReplies(r))
	// The waiter sees the list as EXEC left it.
	assert.Equal(t, bulkPair("k", "0"), rawReplies(a.replies()...))
	// The transaction is replicated as one unit, the pop after it as its
	// own.
	assert.Equal(t, [][]string{{"MULTI"}, {"RPUSH", "k", "1"}, {"LPUSH", "k", "0"}, {"EXEC"}, {"LPOP", "k"}}, tn.propagated)
}

func TestListWokenFromTheKeyThatBecameReady(t *testing.T) {
	// Redis serves a client blocked on several keys from the first key
	// that became ready, not from the first key it named.
	tn := newTestNode(t)
	a, pusher := tn.connect(), tn.connect()
	a.send("BLPOP", "k1", "k2", "0")
	pusher.do("MULTI")
	pusher.do("RPUSH", "k2", "from-k2")
	pusher.do("RPUSH", "k1", "from-k1")
	pusher.do("EXEC")
	assert.Equal(t, bulkPair("k2", "from-k2"), rawReplies(a.replies()...))
	assert.Equal(t, int64(1), pusher.do("LLEN", "k1").Int)
}

func TestListBlockingInsideMultiDoesNotBlock(t *testing.T) {
	tn := newTestNode(t)
	c := tn.connect()
	c.do("MULTI")
	c.do("BLPOP", "k", "0")
	c.do("BLMPOP", "0", "1", "k", "RIGHT")
	c.do("BLMOVE", "k", "d", "LEFT", "LEFT", "0")
	c.do("BRPOPLPUSH", "k", "d", "0")
	assert.Equal(t, "*4\r\n*-1\r\n*-1\r\n$-1\r\n$-1\r\n", rawReplies(c.do("EXEC")))
	assert.Equal(t, 0, tn.n.stats.BlockedClients)
}

func TestListBlockedClientDisconnects(t *testing.T) {
	tn := newTestNode(t)
	a, b, pusher := tn.connect(), tn.connect(), tn.connect()
	a.send("BLPOP", "k", "0")
	b.send("BLPOP", "k", "0")
	tn.n.Closed(a.id)
	pusher.do("RPUSH", "k", "v")
	assert.Equal(t, bulkPair("k", "v"), rawReplies(b.replies()...))
	assert.Equal(t, 0, tn.n.stats.BlockedClients)
}

func TestListBlockedOnKeyThatTurnsIntoAString(t *testing.T) {
	tn := newTestNode(t)
	a, other := tn.connect(), tn.connect()
	a.send("BLPOP", "k", "0")
	other.do("SET", "k", "v")
	assert.Empty(t, a.replies())
	other.do("DEL", "k")
	other.do("RPUSH", "k", "x")
	assert.Equal(t, bulkPair("k", "x"), rawReplies(a.replies()...))
}

func TestListBlockedInOtherDB(t *testing.T) {
	tn := newTestNode(t)
	a, pusher := tn.connect(), tn.connect()
	a.do("SELECT", "3")
	a.send("BLPOP", "k", "0")
	pusher.do("RPUSH", "k", "db0")
	assert.Empty(t, a.replies())
	pusher.do("SELECT", "3")
	tn.propagated = nil
	pusher.do("RPUSH", "k", "db3")
	assert.Equal(t, bulkPair("k", "db3"), rawReplies(a.replies()...))
	assert.Equal(t, [][]string{{"RPUSH", "k", "db3"}, {"LPOP", "k"}}, tn.propagated)
	assert.Equal(t, int64(0), pusher.do("LLEN", "k").Int)
	pusher.do("SELECT", "0")
	assert.Equal(t, int64(1), pusher.do("LLEN", "k").Int)
}

func TestListPropagatedForms(t *testing.T) {
	cases := []struct {
		name string
		cmd  []string
		want [][]string
	}{
		{"lpush", []string{"LPUSH", "l", "x", "y"}, [][]string{{"LPUSH", "l", "x", "y"}}},
		{"rpushx", []string{"RPUSHX", "l", "x"}, [][]string{{"RPUSHX", "l", "x"}}},
		{"lpushx missing", []string{"LPUSHX", "missing", "x"}, nil},
		{"lpop", []string{"LPOP", "l"}, [][]string{{"LPOP", "l"}}},
		{"rpop count", []string{"RPOP", "l", "2"}, [][]string{{"RPOP", "l", "2"}}},
		{"lpop count 0", []string{"LPOP", "l", "0"}, nil},
		{"lpop missing", []string{"LPOP", "missing"}, nil},
		{"blpop", []string{"BLPOP", "missing", "l", "0"}, [][]string{{"LPOP", "l"}}},
		{"brpop", []string{"BRPOP", "l", "1"}, [][]string{{"RPOP", "l"}}},
		{"blmpop count", []string{"BLMPOP", "0", "2", "missing", "l", "LEFT", "COUNT", "10"}, [][]string{{"LPOP", "l", "3"}}},
		{"blmpop", []string{"BLMPOP", "0", "1", "l", "RIGHT"}, [][]string{{"RPOP", "l", "1"}}},
		{"lmpop", []string{"LMPOP", "1", "l", "right", "COUNT", "2"}, [][]string{{"RPOP", "l", "2"}}},
		{"lmpop missing", []string{"LMPOP", "1", "missing", "LEFT"}, nil},
		{"blmove", []string{"BLMOVE", "l", "d", "Left", "RIGHT", "0"}, [][]string{{"LMOVE", "l", "d", "Left", "RIGHT"}}},
		{"brpoplpush", []string{"BRPOPLPUSH", "l", "d", "0"}, [][]string{{"RPOPLPUSH", "l", "d"}}},
		{"lmove", []string{"LMOVE", "l", "d", "LEFT", "LEFT"}, [][]string{{"LMOVE", "l", "d", "LEFT", "LEFT"}}},
		{"rpoplpush", []string{"RPOPLPUSH", "l", "l"}, [][]string{{"RPOPLPUSH", "l", "l"}}},
		{"lmove missing", []string{"LMOVE", "missing", "d", "LEFT", "LEFT"}, nil},
		{"lset", []string{"LSET", "l", "0", "z"}, [][]string{{"LSET", "l", "0", "z"}}},
		{"linsert", []string{"LINSERT", "l", "BEFORE", "b", "z"}, [][]string{{"LINSERT", "l", "BEFORE", "b", "z"}}},
		{"linsert no pivot", []string{"LINSERT", "l", "BEFORE", "nosuch", "z"}, nil},
		{"lrem", []string{"LREM", "l", "0", "a"}, [][]string{{"LREM", "l", "0", "a"}}},
		{"lrem nothing", []string{"LREM", "l", "0", "nosuch"}, nil},
		{"ltrim", []string{"LTRIM", "l", "1", "1"}, [][]string{{"LTRIM", "l", "1", "1"}}},
		{"ltrim nothing", []string{"LTRIM", "l", "0", "-1"}, nil},
		{"reads", []string{"LRANGE", "l", "0", "-1"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tn := newTestNode(t)
			c := tn.connect()
			c.do("RPUSH", "l", "a", "b", "c")
			tn.propagated = nil
			r := c.do(tc.cmd...)
			require.False(t, r.IsError(), r.String())
			assert.Equal(t, tc.want, tn.propagated)
		})
	}
}

func TestListServedBLMPopPropagatesCount(t *testing.T) {
	tn := newTestNode(t)
	a, pusher := tn.connect(), tn.connect()
	a.send("BLMPOP", "0", "2", "x", "k", "RIGHT", "COUNT", "5")
	tn.propagated = nil
	pusher.do("RPUSH", "k", "1", "2", "3")
	assert.Equal(t, "*2\r\n$1\r\nk\r\n*3\r\n$1\r\n3\r\n$1\r\n2\r\n$1\r\n1\r\n", rawReplies(a.replies()...))
	assert.Equal(t, [][]string{{"RPUSH", "k", "1", "2", "3"}, {"RPOP", "k", "3"}}, tn.propagated)
}

func TestListEmptiedListIsDeleted(t *testing.T) {
	tn := newTestNode(t)
	c := tn.connect()
	for _, cmd := range [][]string{
		{"LPOP", "l"}, {"RPOP", "l", "5"}, {"LREM", "l", "0", "a"}, {"LTRIM", "l", "1", "0"},
		{"LMOVE", "l", "other", "LEFT", "LEFT"}, {"LMPOP", "1", "l", "LEFT"}, {"BLPOP", "l", "0"},
	} {
		c.do("DEL", "l", "other")
		c.do("RPUSH", "l", "a")
		c.do(cmd...)
		assert.Equal(t, int64(0), c.do("EXISTS", "l").Int, cmd[0])
	}
}

func TestListConfigFillAndDebugObject(t *testing.T) {
	tn := newTestNode(t, "--list-max-listpack-size", "3", "--list-compress-depth", "1")
	c := tn.connect()
	c.do("RPUSH", "l", "a", "b", "c", "d", "e", "f", "g")
	r := c.do("DEBUG", "OBJECT", "l")
	require.Equal(t, resp.KindSimple, r.Kind)
	assert.Contains(t, r.Str, " encoding:quicklist ")
	assert.True(t, strings.HasSuffix(r.Str, " ql_nodes:3 ql_avg_node:2.33 ql_listpack_max:3 ql_compressed:1 ql_uncompressed_size:42"), r.Str)
	// A copy keeps the layout of its source.
	c.do("COPY", "l", "l2")
	v := tn.n.ks.DB(0).Find("l2")
	require.NotNil(t, v)
	assert.Equal(t, 3, v.AsList().Nodes())
}

func TestListDigestMixesElementsInOrder(t *testing.T) {
	tn := newTestNode(t)
	c := tn.connect()
	c.do("RPUSH", "a", "x", "y")
	c.do("RPUSH", "b", "y", "x")
	c.do("RPUSH", "c", "x", "y")
	d := c.do("DEBUG", "DIGEST-VALUE", "a", "b", "c")
	require.Len(t, d.Elems, 3)
	assert.NotEqual(t, d.Elems[0].Str, d.Elems[1].Str)
	assert.Equal(t, d.Elems[0].Str, d.Elems[2].Str)
}

func TestListLargeListMemoryLayout(t *testing.T) {
	// A million elements cost their packed bytes plus about one node per
	// 8 KB, not one object per element.
	tn := newTestNode(t)
	c := tn.connect()
	args := []string{"RPUSH", "big"}
	for i := 0; i < 1000; i++ {
		args = append(args, "element:"+strconv.Itoa(i))
	}
	for j := 0; j < 1000; j++ {
		c.send(args...)
	}
	assert.Len(t, c.replies(), 1000)
	l := tn.n.ks.DB(0).Find("big").AsList()
	require.Equal(t, 1000000, l.Len())
	assert.Less(t, l.Nodes(), 2500)
	assert.Less(t, l.PackedSize(), 17*1000000)
}

func TestListBlockedServedByRenameMoveCopy(t *testing.T) {
	// RENAME, MOVE and COPY add the destination key as Redis's dbAdd does,
	// which wakes the clients blocked on it.
	for _, tc := range []struct {
		name string
		db   string
		cmd  []string
	}{
		{"rename", "0", []string{"RENAME", "src", "dst"}},
		{"move", "1", []string{"MOVE", "src", "1"}},
		{"copy", "0", []string{"COPY", "src", "dst"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tn := newTestNode(t)
			a, other := tn.connect(), tn.connect()
			a.do("SELECT", tc.db)
			key := "dst"
			if tc.name == "move" {
				key = "src"
			}
			a.send("BLPOP", key, "0")
			other.do("RPUSH", "src", "v")
			assert.Empty(t, a.replies())
			other.do(tc.cmd...)
			assert.Equal(t, bulkPair(key, "v"), rawReplies(a.replies()...))
		})
	}
}
