package node

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"replab/keyspace"
	"replab/resp"
)

// xt0 is the MemRuntime clock of newTestNode, in ms.
const xt0 = int64(1767225600000)

var xt0s = strconv.FormatInt(xt0, 10)

// flat renders a reply compactly: strings as they are, integers with ':',
// nulls as "nil", errors with '!', aggregates in brackets.
func xflat(v resp.Value) string {
	switch {
	case v.Null:
		return "nil"
	case v.IsError():
		return "!" + v.Str
	case v.Kind == resp.KindInt:
		return ":" + strconv.FormatInt(v.Int, 10)
	case v.Elems != nil || v.Kind == resp.KindArray || v.Kind == resp.KindMap:
		parts := make([]string, len(v.Elems))
		for i, e := range v.Elems {
			parts[i] = xflat(e)
		}
		return "[" + strings.Join(parts, " ") + "]"
	}
	return v.Str
}

// xdo runs a command and returns its flattened reply.
func (c *testConn) xdo(args ...string) string {
	c.tn.t.Helper()
	return xflat(c.do(args...))
}

// xreply returns the one reply received since the last read, flattened,
// or "" when there is none.
func (c *testConn) xreply() string {
	c.tn.t.Helper()
	rs := c.replies()
	switch len(rs) {
	case 0:
		return ""
	case 1:
		return xflat(rs[0])
	}
	c.tn.t.Fatalf("got %d replies: %v", len(rs), rs)
	return ""
}

func xsplit(s string) []string { return strings.Fields(s) }

func TestStreamPropagatedForms(t *testing.T) {
	cases := []struct {
		name  string
		setup []string // commands run before, one per string
		cmd   string
		want  []string // propagated commands, one per string
	}{
		{"xadd auto id", nil, "XADD s * a 1", []string{"XADD s " + xt0s + "-0 a 1"}},
		{"xadd auto id after a future id", []string{"XADD s 9999999999999-5 a 1"}, "XADD s * a 1",
			[]string{"XADD s 9999999999999-6 a 1"}},
		{"xadd ms-star", []string{"XADD s 5-3 a 1"}, "XADD s 5-* a 1", []string{"XADD s 5-4 a 1"}},
		{"xadd explicit id kept", nil, "XADD s 7 a 1", []string{"XADD s 7 a 1"}},
		{"xadd nomkstream missing", nil, "XADD s NOMKSTREAM * a 1", nil},
		{"xadd error", []string{"XADD s 5-0 a 1"}, "XADD s 4-0 a 1", nil},
		{"xadd exact maxlen kept", []string{"XADD s 1 a 1", "XADD s 2 a 1"}, "XADD s MAXLEN 1 * a 1",
			[]string{"XADD s MAXLEN 1 " + xt0s + "-0 a 1"}},
		{"xadd approx maxlen made exact", []string{"XADD s 1 a 1", "XADD s 2 a 1"}, "XADD s MAXLEN ~ 1 3 a 1",
			[]string{"XADD s MAXLEN = 3 3 a 1"}},
		{"xadd approx minid made exact", []string{"XADD s 1 a 1"}, "XADD s MINID ~ 2 LIMIT 10 * a 1",
			[]string{"XADD s MINID = 1-0 LIMIT 10 " + xt0s + "-0 a 1"}},
		{"xtrim approx made exact", []string{"XADD s 1 a 1", "XADD s 2 a 1"}, "XTRIM s MINID ~ 2",
			nil}, // nothing trimmed (one node): not propagated
		{"xtrim exact", []string{"XADD s 1 a 1", "XADD s 2 a 1"}, "XTRIM s MAXLEN 1", []string{"XTRIM s MAXLEN 1"}},
		{"xdel nothing", []string{"XADD s 1 a 1"}, "XDEL s 5", nil},
		{"xdel", []string{"XADD s 1 a 1"}, "XDEL s 1", []string{"XDEL s 1"}},
		{"xread never", []string{"XADD s 1 a 1"}, "XREAD STREAMS s 0", nil},
		{"xgroup create", []string{"XADD s 1 a 1"}, "XGROUP CREATE s g $", []string{"XGROUP CREATE s g $"}},
		{"xreadgroup one entry", []string{"XADD s 1 a 1", "XGROUP CREATE s g 0"}, "XREADGROUP GROUP g alice STREAMS s >",
			[]string{"XCLAIM s g alice 0 1-0 TIME " + xt0s + " RETRYCOUNT 1 FORCE JUSTID LASTID 1-0"}},
		{"xreadgroup two entries", []string{"XADD s 1 a 1", "XADD s 2 b 2", "XGROUP CREATE s g 0"}, "XREADGROUP GROUP g alice STREAMS s >",
			[]string{"MULTI",
				"XCLAIM s g alice 0 1-0 TIME " + xt0s + " RETRYCOUNT 1 FORCE JUSTID LASTID 1-0",
				"XCLAIM s g alice 0 2-0 TIME " + xt0s + " RETRYCOUNT 1 FORCE JUSTID LASTID 2-0",
				"EXEC"}},
		{"xreadgroup nothing new", []string{"XADD s 1 a 1", "XGROUP CREATE s g $"}, "XREADGROUP GROUP g alice STREAMS s >", nil},
		{"xreadgroup history", []string{"XADD s 1 a 1", "XGROUP CREATE s g 0", "XREADGROUP GROUP g alice STREAMS s >"},
			"XREADGROUP GROUP g alice STREAMS s 0", nil},
		{"xreadgroup noack", []string{"XADD s 1 a 1", "XADD s 2 b 2", "XGROUP CREATE s g 0"}, "XREADGROUP GROUP g alice NOACK STREAMS s >",
			[]string{"MULTI", "XGROUP CREATECONSUMER s g alice", "XGROUP SETID s g 2-0 ENTRIESREAD 2", "EXEC"}},
		{"xreadgroup noack known consumer", []string{"XADD s 1 a 1", "XGROUP CREATE s g 0", "XGROUP CREATECONSUMER s g alice"},
			"XREADGROUP GROUP g alice NOACK STREAMS s >", []string{"XGROUP SETID s g 1-0 ENTRIESREAD 1"}},
		{"xreadgroup redelivery to another consumer", []string{"XADD s 1 a 1", "XGROUP CREATE s g 0",
			"XREADGROUP GROUP g alice STREAMS s >", "XGROUP SETID s g 0"},
			"XREADGROUP GROUP g bob STREAMS s >",
			[]string{"XCLAIM s g bob 0 1-0 TIME " + xt0s + " RETRYCOUNT 1 FORCE JUSTID LASTID 1-0"}},
		{"xclaim keeps the id text", []string{"XADD s 1 a 1", "XGROUP CREATE s g 0", "XREADGROUP GROUP g alice STREAMS s >"},
			"XCLAIM s g bob 0 1 TIME 1000 RETRYCOUNT 5",
			[]string{"XCLAIM s g bob 0 1 TIME 1000 RETRYCOUNT 5 FORCE JUSTID LASTID 1-0"}},
		{"xclaim justid keeps the count", []string{"XADD s 1 a 1", "XGROUP CREATE s g 0", "XREADGROUP GROUP g alice STREAMS s >"},
			"XCLAIM s g bob 0 1-0 JUSTID IDLE 500",
			[]string{"XCLAIM s g bob 0 1-0 TIME " + strconv.FormatInt(xt0-500, 10) + " RETRYCOUNT 1 FORCE JUSTID LASTID 1-0"}},
		{"xclaim lastid only", []string{"XADD s 1 a 1", "XGROUP CREATE s g 0"}, "XCLAIM s g bob 0 9-9 LASTID 7-0",
			[]string{"XGROUP SETID s g 7-0 ENTRIESREAD -1"}},
		{"xclaim lastid lower", []string{"XADD s 1 a 1", "XGROUP CREATE s g $"}, "XCLAIM s g bob 0 9-9 LASTID 0-5", nil},
		{"xclaim deleted entry", []string{"XADD s 1 a 1", "XADD s 2 a 1", "XGROUP CREATE s g 0", "XREADGROUP GROUP g alice STREAMS s >", "XDEL s 1"},
			"XCLAIM s g bob 0 1-0",
			[]string{"XCLAIM s g alice 0 1-0 TIME " + xt0s + " RETRYCOUNT 1 FORCE JUSTID LASTID 2-0"}},
		{"xautoclaim", []string{"XADD s 1 a 1", "XADD s 2 a 1", "XGROUP CREATE s g 0", "XREADGROUP GROUP g alice STREAMS s >", "XDEL s 1"},
			"XAUTOCLAIM s g bob 0 0",
			[]string{"MULTI",
				"XCLAIM s g alice 0 1-0 TIME " + xt0s + " RETRYCOUNT 1 FORCE JUSTID LASTID 2-0",
				"XCLAIM s g bob 0 2-0 TIME " + xt0s + " RETRYCOUNT 2 FORCE JUSTID LASTID 2-0",
				"EXEC"}},
		{"xack", []string{"XADD s 1 a 1", "XGROUP CREATE s g 0", "XREADGROUP GROUP g alice STREAMS s >"},
			"XACK s g 1", []string{"XACK s g 1"}},
		{"xack nothing", []string{"XADD s 1 a 1", "XGROUP CREATE s g 0"}, "XACK s g 1", nil},
		{"xsetid", []string{"XADD s 1 a 1"}, "XSETID s 5 ENTRIESADDED 9", []string{"XSETID s 5 ENTRIESADDED 9"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tn := newTestNode(t)
			c := tn.connect()
			for _, s := range tc.setup {
				r := c.do(xsplit(s)...)
				require.False(t, r.IsError(), "%s: %v", s, r)
			}
			tn.propagated = nil
			c.do(xsplit(tc.cmd)...)
			var got []string
			for _, p := range tn.propagated {
				got = append(got, strings.Join(p, " "))
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

// TestStreamPropagationReplays applies the propagated commands of a
// session to a second node and checks that both hold the same streams and
// groups (XINFO STREAM FULL, which shows delivery times and counts).
func TestStreamPropagationReplays(t *testing.T) {
	master := newTestNode(t)
	replica := newTestNode(t)
	mc, rc := master.connect(), replica.connect()
	script := []string{
		"XADD s * a 1", "XADD s * b 2", "XADD s * c 3", "XADD s MAXLEN ~ 100 * d 4",
		"XGROUP CREATE s g 0", "XGROUP CREATE s h $",
		"XREADGROUP GROUP g alice COUNT 2 STREAMS s >",
		"XREADGROUP GROUP g bob NOACK STREAMS s >",
		"XADD s * e 5",
		"XREADGROUP GROUP h carol NOACK STREAMS s >",
		"XCLAIM s g bob 0 0-1 " + xt0s + "-1 IDLE 10",
		"XDEL s " + xt0s + "-0",
		"XAUTOCLAIM s g dave 0 0 COUNT 5",
		"XACK s g " + xt0s + "-1",
		"XTRIM s MINID ~ 0",
		"XSETID s 99999999999999-0",
	}
	for i, cmd := range script {
		master.rt.Advance(master.n, time.Duration(i)*time.Millisecond)
		r := mc.do(xsplit(cmd)...)
		require.False(t, r.IsError(), "%s: %v", cmd, r)
	}
	// The replica's clock must not lag: Redis (and replab) take a delivery
	// time in the future as "now".
	replica.rt.Clock = master.rt.Clock
	for _, p := range master.propagated {
		if p[0] == "MULTI" || p[0] == "EXEC" {
			continue
		}
		r := rc.do(p...)
		require.False(t, r.IsError(), "%v: %v", p, r)
	}
	// Consumers' seen times differ (the replica creates them when it
	// applies the XCLAIMs), so compare the rest.
	want := mc.xdo("XINFO", "STREAM", "s", "FULL")
	got := rc.xdo("XINFO", "STREAM", "s", "FULL")
	seen := func(s string) string {
		f := strings.Fields(s)
		for i := range f {
			if i > 0 && f[i-1] == "seen-time" {
				f[i] = "_"
			}
		}
		return strings.Join(f, " ")
	}
	assert.Equal(t, seen(want), seen(got))
	assert.Equal(t, mc.xdo("DEBUG", "DIGEST"), rc.xdo("DEBUG", "DIGEST"))
	assert.Equal(t, mc.xdo("XINFO", "GROUPS", "s"), rc.xdo("XINFO", "GROUPS", "s"))
}

func TestStreamXReadBlocking(t *testing.T) {
	tn := newTestNode(t)
	a, b := tn.connect(), tn.connect()
	a.send("XREAD", "BLOCK", "0", "STREAMS", "s", "$")
	assert.Equal(t, "", a.xreply())
	// A write to another key does not serve it.
	b.do("XADD", "other", "1", "f", "v")
	assert.Equal(t, "", a.xreply())
	b.do("XADD", "s", "5", "f", "v")
	assert.Equal(t, "[[s [[5-0 [f v]]]]]", a.xreply())
	// It goes on with what it sent while blocked.
	a.send("XREAD", "BLOCK", "0", "STREAMS", "s", "$")
	a.send("PING")
	assert.Equal(t, "", a.xreply())
	b.do("XADD", "s", "6", "f", "v")
	rs := a.replies()
	require.Len(t, rs, 2)
	assert.Equal(t, "[[s [[6-0 [f v]]]]]", xflat(rs[0]))
	assert.Equal(t, "PONG", xflat(rs[1]))
	assert.Empty(t, tn.n.blockedClients)
}

func TestStreamXReadBlockingServesTheReadyKeyOnly(t *testing.T) {
	tn := newTestNode(t)
	a, b := tn.connect(), tn.connect()
	a.send("XREAD", "BLOCK", "0", "STREAMS", "s1", "s2", "$", "$")
	b.do("MULTI")
	b.do("XADD", "s2", "1", "f", "v")
	b.do("XADD", "s1", "2", "f", "v")
	b.do("EXEC")
	assert.Equal(t, "[[s2 [[1-0 [f v]]]]]", a.xreply())
}

func TestStreamXReadBlockingFIFOAndCount(t *testing.T) {
	tn := newTestNode(t)
	a, b, w := tn.connect(), tn.connect(), tn.connect()
	a.send("XREAD", "BLOCK", "0", "COUNT", "2", "STREAMS", "s", "0")
	b.send("XREAD", "BLOCK", "0", "STREAMS", "s", "0")
	w.do("MULTI")
	w.do("XADD", "s", "1", "f", "v")
	w.do("XADD", "s", "2", "f", "v")
	w.do("XADD", "s", "3", "f", "v")
	w.do("EXEC")
	assert.Equal(t, "[[s [[1-0 [f v]] [2-0 [f v]]]]]", a.xreply())
	assert.Equal(t, "[[s [[1-0 [f v]] [2-0 [f v]] [3-0 [f v]]]]]", b.xreply())
}

func TestStreamXReadBlockingResp3(t *testing.T) {
	tn := newTestNode(t)
	a, w := tn.connect(), tn.connect()
	a.do("HELLO", "3")
	a.send("XREAD", "BLOCK", "0", "STREAMS", "s", "$")
	w.do("XADD", "s", "1", "f", "v")
	r := a.replies()
	require.Len(t, r, 1)
	assert.Equal(t, resp.KindMap, r[0].Kind)
	assert.Equal(t, "[s [[1-0 [f v]]]]", xflat(r[0]))
}

func TestStreamXReadBlockingTimeout(t *testing.T) {
	tn := newTestNode(t)
	a := tn.connect()
	a.send("XREAD", "BLOCK", "100", "STREAMS", "s", "$")
	tn.rt.Advance(tn.n, 99*time.Millisecond)
	assert.Equal(t, "", a.xreply())
	tn.rt.Advance(tn.n, 2*time.Millisecond)
	assert.Equal(t, "nil", a.xreply())
	assert.Empty(t, tn.n.blockedClients)
}

func TestStreamXReadBlockingSurvivesDeletion(t *testing.T) {
	tn := newTestNode(t)
	a, w := tn.connect(), tn.connect()
	w.do("XADD", "s", "5", "f", "v")
	a.send("XREAD", "BLOCK", "0", "STREAMS", "s", "$")
	w.do("DEL", "s")
	assert.Equal(t, "", a.xreply())
	// A new stream with an entry below the ID waited for does not serve it.
	w.do("XADD", "s", "3", "f", "v")
	assert.Equal(t, "", a.xreply())
	w.do("XADD", "s", "6", "f", "v")
	assert.Equal(t, "[[s [[6-0 [f v]]]]]", a.xreply())
}

func TestStreamXReadNotBlockingInMulti(t *testing.T) {
	tn := newTestNode(t)
	a := tn.connect()
	a.do("MULTI")
	a.do("XREAD", "BLOCK", "0", "STREAMS", "s", "$")
	a.do("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">")
	assert.Equal(t, "[nil !NOGROUP No such key 's' or consumer group 'g' in XREADGROUP with GROUP option]", a.xdo("EXEC"))
	a.do("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
	a.do("MULTI")
	a.do("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">")
	assert.Equal(t, "[nil]", a.xdo("EXEC"))
}

func TestStreamXReadPlusIsTheLastEntry(t *testing.T) {
	// "+" as XREAD's ID came with Redis 7.4 (7.0 rejects it).
	tn := newTestNode(t)
	a := tn.connect()
	assert.Equal(t, "nil", a.xdo("XREAD", "STREAMS", "s", "+"))
	a.do("XADD", "s", "1", "f", "v")
	a.do("XADD", "s", "2", "f", "w")
	assert.Equal(t, "[[s [[2-0 [f w]]]]]", a.xdo("XREAD", "STREAMS", "s", "+"))
	a.do("XDEL", "s", "2")
	assert.Equal(t, "nil", a.xdo("XREAD", "STREAMS", "s", "+"))
	// XREADGROUP keeps 7.0's answer.
	a.do("XGROUP", "CREATE", "s", "g", "0")
	assert.Equal(t, "!"+ErrStreamInvalidID, a.xdo("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "+"))
}

func TestStreamXReadGroupBlocking(t *testing.T) {
	tn := newTestNode(t)
	a, b, w := tn.connect(), tn.connect(), tn.connect()
	w.do("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
	a.send("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">")
	b.send("XREADGROUP", "GROUP", "g", "bob", "BLOCK", "0", "STREAMS", "s", ">")
	tn.propagated = nil
	w.do("XADD", "s", "1", "f", "v")
	// The first blocked consumer gets the entry; the second has nothing
	// new left and stays blocked.
	assert.Equal(t, "[[s [[1-0 [f v]]]]]", a.xreply())
	assert.Equal(t, "", b.xreply())
	assert.Equal(t, [][]string{
		xsplit("XADD s 1 f v"),
		xsplit("XCLAIM s g alice 0 1-0 TIME " + xt0s + " RETRYCOUNT 1 FORCE JUSTID LASTID 1-0"),
	}, tn.propagated)
	tn.propagated = nil
	w.do("XADD", "s", "2", "f", "v")
	assert.Equal(t, "[[s [[2-0 [f v]]]]]", b.xreply())
	assert.Equal(t, "[:2 1-0 2-0 [[alice 1] [bob 1]]]", w.xdo("XPENDING", "s", "g"))
	assert.Len(t, tn.propagated, 2)
}

func TestStreamXReadGroupBlockingNoAck(t *testing.T) {
	tn := newTestNode(t)
	a, w := tn.connect(), tn.connect()
	w.do("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
	a.send("XREADGROUP", "GROUP", "g", "alice", "NOACK", "BLOCK", "0", "STREAMS", "s", ">")
	tn.propagated = nil
	w.do("XADD", "s", "1", "f", "v")
	assert.Equal(t, "[[s [[1-0 [f v]]]]]", a.xreply())
	assert.Equal(t, [][]string{
		xsplit("XADD s 1 f v"),
		xsplit("MULTI"),
		xsplit("XGROUP CREATECONSUMER s g alice"),
		xsplit("XGROUP SETID s g 1-0 ENTRIESREAD 1"),
		xsplit("EXEC"),
	}, tn.propagated)
}

func TestStreamXReadGroupBlockedErrors(t *testing.T) {
	setup := func(t *testing.T) (*testNode, *testConn, *testConn) {
		tn := newTestNode(t)
		a, w := tn.connect(), tn.connect()
		w.do("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
		a.send("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">")
		require.Equal(t, "", a.xreply())
		return tn, a, w
	}
	const gone = "!UNBLOCKED the stream key no longer exists"
	cases := []struct {
		name string
		cmds [][]string
		want string
	}{
		{"group destroyed", [][]string{{"XGROUP", "DESTROY", "s", "g"}}, "!NOGROUP the consumer group this client was blocked on no longer exists"},
		{"key deleted", [][]string{{"DEL", "s"}}, gone},
		{"key overwritten", [][]string{{"SET", "s", "x"}}, gone},
		{"key renamed away", [][]string{{"RENAME", "s", "t"}}, gone},
		{"key moved", [][]string{{"MOVE", "s", "1"}}, gone},
		{"flushdb", [][]string{{"FLUSHDB"}}, gone},
		{"flushall", [][]string{{"FLUSHALL"}}, gone},
		{"swapdb", [][]string{{"SWAPDB", "0", "1"}}, gone},
		{"recreated without the group", [][]string{{"MULTI"}, {"DEL", "s"}, {"XADD", "s", "1", "f", "v"}, {"EXEC"}},
			"!NOGROUP the consumer group this client was blocked on no longer exists"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, a, w := setup(t)
			for _, cmd := range tc.cmds {
				w.do(cmd...)
			}
			assert.Equal(t, tc.want, a.xreply())
		})
	}
	t.Run("expired", func(t *testing.T) {
		tn, a, w := setup(t)
		w.do("PEXPIRE", "s", "50")
		tn.rt.Advance(tn.n, time.Second)
		assert.Equal(t, gone, a.xreply())
	})
	t.Run("timeout", func(t *testing.T) {
		tn := newTestNode(t)
		a, w := tn.connect(), tn.connect()
		w.do("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
		a.send("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "30", "STREAMS", "s", ">")
		tn.rt.Advance(tn.n, 40*time.Millisecond)
		assert.Equal(t, "nil", a.xreply())
		// The consumer was not created by blocking.
		assert.Equal(t, "[]", w.xdo("XINFO", "CONSUMERS", "s", "g"))
	})
}

func TestStreamIdleTimes(t *testing.T) {
	tn := newTestNode(t)
	c := tn.connect()
	c.do("XADD", "s", "1", "f", "v")
	c.do("XADD", "s", "2", "f", "v")
	c.do("XGROUP", "CREATE", "s", "g", "0")
	c.do("XREADGROUP", "GROUP", "g", "alice", "COUNT", "1", "STREAMS", "s", ">")
	tn.rt.Advance(tn.n, 1500*time.Millisecond)
	c.do("XREADGROUP", "GROUP", "g", "bob", "COUNT", "1", "STREAMS", "s", ">")
	tn.rt.Advance(tn.n, 500*time.Millisecond)
	assert.Equal(t, "[[1-0 alice :2000 :1] [2-0 bob :500 :1]]", c.xdo("XPENDING", "s", "g", "-", "+", "10"))
	assert.Equal(t, "[[1-0 alice :2000 :1]]", c.xdo("XPENDING", "s", "g", "IDLE", "1000", "-", "+", "10"))
	assert.Equal(t, "[[name alice pending :1 idle :2000] [name bob pending :1 idle :500]]", c.xdo("XINFO", "CONSUMERS", "s", "g"))
	// Only entries idle long enough are claimed.
	assert.Equal(t, "[1-0]", c.xdo("XCLAIM", "s", "g", "carol", "1000", "1-0", "2-0", "JUSTID"))
	assert.Equal(t, "[0-0 [[2-0 [f v]]] []]", c.xdo("XAUTOCLAIM", "s", "g", "dave", "400", "0"))
	assert.Equal(t, "[[1-0 carol :0 :1] [2-0 dave :0 :2]]", c.xdo("XPENDING", "s", "g", "-", "+", "10"))
	// IDLE and TIME set the delivery time; a time in the future means now.
	c.do("XCLAIM", "s", "g", "carol", "0", "1-0", "IDLE", "700", "JUSTID")
	c.do("XCLAIM", "s", "g", "carol", "0", "2-0", "TIME", strconv.FormatInt(xt0+10_000_000, 10), "JUSTID")
	assert.Equal(t, "[[1-0 carol :700 :1] [2-0 carol :0 :2]]", c.xdo("XPENDING", "s", "g", "-", "+", "10"))
	tn.rt.Advance(tn.n, 100*time.Millisecond)
	full := c.xdo("XINFO", "STREAM", "s", "FULL")
	now := xt0 + 2100
	assert.Contains(t, full, "pending [[1-0 carol :"+strconv.FormatInt(now-800, 10)+" :1] [2-0 carol :"+strconv.FormatInt(now-100, 10)+" :2]]")
	assert.Contains(t, full, "[name dave seen-time :"+strconv.FormatInt(now-100, 10)+" pel-count :0 pending []]")
}

func TestStreamXAddAutoIDFollowsTheClock(t *testing.T) {
	tn := newTestNode(t)
	c := tn.connect()
	assert.Equal(t, xt0s+"-0", c.xdo("XADD", "s", "*", "f", "v"))
	assert.Equal(t, xt0s+"-1", c.xdo("XADD", "s", "*", "f", "v"))
	tn.rt.Advance(tn.n, 5*time.Millisecond)
	assert.Equal(t, strconv.FormatInt(xt0+5, 10)+"-0", c.xdo("XADD", "s", "*", "f", "v"))
	// A clock going backwards never makes IDs go backwards.
	tn.rt.Clock = tn.rt.Clock.Add(-time.Second)
	assert.Equal(t, strconv.FormatInt(xt0+5, 10)+"-1", c.xdo("XADD", "s", "*", "f", "v"))
}

func TestStreamXAddSeqExhaustedErrno(t *testing.T) {
	// Redis reports this failure through a stale errno: "too large" on a
	// fresh connection, "equal or smaller" after an earlier EDOM failure.
	tn := newTestNode(t)
	c := tn.connect()
	c.do("XADD", "s", "5-18446744073709551615", "f", "v")
	assert.Equal(t, "!"+ErrStreamTooLarge, c.xdo("XADD", "s", "5-*", "f", "v"))
	assert.Equal(t, "!"+ErrStreamIDTooSmall, c.xdo("XADD", "s", "1", "f", "v"))
	assert.Equal(t, "!"+ErrStreamIDTooSmall, c.xdo("XADD", "s", "5-*", "f", "v"))
	tn.connect()
	assert.Equal(t, "!"+ErrStreamTooLarge, c.xdo("XADD", "s", "5-*", "f", "v"))
}

func TestStreamCopyIsDeep(t *testing.T) {
	tn := newTestNode(t)
	c := tn.connect()
	c.do("XADD", "s", "1", "f", "v")
	c.do("XGROUP", "CREATE", "s", "g", "0")
	c.do("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">")
	c.do("COPY", "s", "d")
	c.do("XADD", "d", "2", "f", "v")
	c.do("XACK", "d", "g", "1")
	c.do("XGROUP", "CREATECONSUMER", "d", "g", "bob")
	assert.Equal(t, ":1", c.xdo("XLEN", "s"))
	assert.Equal(t, "[:1 1-0 1-0 [[alice 1]]]", c.xdo("XPENDING", "s", "g"))
	assert.Equal(t, "[:0 nil nil nil]", c.xdo("XPENDING", "d", "g"))
	assert.Equal(t, 1, strings.Count(c.xdo("XINFO", "CONSUMERS", "s", "g"), "name"))
	assert.Equal(t, 2, strings.Count(c.xdo("XINFO", "CONSUMERS", "d", "g"), "name"))
}

func TestStreamKeyspaceEvents(t *testing.T) {
	tn := newTestNode(t, "--notify-keyspace-events", "Et")
	var events []string
	tn.n.publishHook = func(class int, event, key string, db int) {
		events = append(events, event+":"+key)
	}
	c := tn.connect()
	for _, cmd := range []string{
		"XADD s 1 f v", "XADD s 2 f v", "XADD s MAXLEN 1 3 f v", "XADD s MAXLEN 5 4 f v",
		"XTRIM s MAXLEN 1", "XTRIM s MAXLEN 1", "XDEL s 4", "XDEL s 4",
		"XGROUP CREATE s g 0", "XGROUP CREATECONSUMER s g alice", "XGROUP CREATECONSUMER s g alice",
		"XGROUP SETID s g 0", "XREADGROUP GROUP g bob STREAMS s >", "XADD s 5 f v", "XREADGROUP GROUP g bob STREAMS s >",
		"XGROUP DELCONSUMER s g bob", "XGROUP DELCONSUMER s g nobody", "XGROUP DESTROY s g",
		"XSETID s 9", "XGROUP CREATE m g $ MKSTREAM",
	} {
		c.do(xsplit(cmd)...)
	}
	assert.Equal(t, []string{
		"xadd:s", "xadd:s", "xadd:s", "xtrim:s", "xadd:s", "xtrim:s", "xdel:s",
		"xgroup-create:s", "xgroup-createconsumer:s", "xgroup-setid:s", "xadd:s", "xgroup-createconsumer:s",
		"xgroup-delconsumer:s", "xgroup-destroy:s", "xsetid:s", "xgroup-create:m",
	}, events)
}

func TestStreamBlockedServedAfterTransaction(t *testing.T) {
	// The transaction that makes the key ready propagates first, then what
	// serving the blocked client propagates, as its own unit.
	tn := newTestNode(t)
	a, w := tn.connect(), tn.connect()
	w.do("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
	a.send("XREADGROUP", "GROUP", "g", "bob", "NOACK", "BLOCK", "0", "STREAMS", "s", ">")
	tn.propagated = nil
	w.do("MULTI")
	w.do("XADD", "s", "2", "f", "v")
	w.do("XADD", "s", "3", "f", "v")
	w.do("EXEC")
	assert.Equal(t, "[[s [[2-0 [f v]] [3-0 [f v]]]]]", a.xreply())
	var got []string
	for _, p := range tn.propagated {
		got = append(got, strings.Join(p, " "))
	}
	assert.Equal(t, []string{
		"MULTI", "XADD s 2 f v", "XADD s 3 f v", "EXEC",
		"MULTI", "XGROUP CREATECONSUMER s g bob", "XGROUP SETID s g 3-0 ENTRIESREAD 2", "EXEC",
	}, got)
}

func TestStreamClientUnblock(t *testing.T) {
	tn := newTestNode(t)
	a, w := tn.connect(), tn.connect()
	id := strconv.FormatInt(a.do("CLIENT", "ID").Int, 10)
	a.send("XREAD", "BLOCK", "0", "STREAMS", "s", "$")
	assert.Equal(t, ":1", w.xdo("CLIENT", "UNBLOCK", id))
	assert.Equal(t, "nil", a.xreply())
	w.do("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
	a.send("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">")
	assert.Equal(t, ":1", w.xdo("CLIENT", "UNBLOCK", id, "ERROR"))
	assert.Equal(t, "!UNBLOCKED client unblocked via CLIENT UNBLOCK", a.xreply())
	// Nothing of it is left behind: a later XADD serves nobody.
	w.do("XADD", "s", "1", "f", "v")
	assert.Equal(t, "", a.xreply())
	assert.Equal(t, "[]", w.xdo("XINFO", "CONSUMERS", "s", "g"))
}

// streamState describes a stream's entries and groups, for comparisons.
func streamState(s *keyspace.Stream) string {
	var b strings.Builder
	fmt.Fprintf(&b, "len=%d last=%s;", s.Len(), s.LastID)
	it := s.Iterator(keyspace.StreamID{}, keyspace.MaxStreamID, false)
	for id, ok := it.Next(); ok; id, ok = it.Next() {
		fmt.Fprintf(&b, " %s", id)
	}
	for _, g := range s.Groups() {
		fmt.Fprintf(&b, "; group %s last=%s read=%d pel:", g.Name, g.LastID, g.EntriesRead)
		g.PEL.Ascend(keyspace.StreamID{}, func(id keyspace.StreamID, n *keyspace.StreamNACK) bool {
			fmt.Fprintf(&b, " %s/%s/%d/%d", id, n.Consumer.Name, n.DeliveryTime, n.DeliveryCount)
			return true
		})
		for _, c := range g.Consumers() {
			fmt.Fprintf(&b, " consumer %s seen=%d pending=%d", c.Name, c.SeenTime, c.PEL.Len())
		}
	}
	return b.String()
}

func TestStreamGroupChangesAreSnapshotted(t *testing.T) {
	// Commands that look the key up for reading (as Redis does) but change
	// its groups must let a snapshot in progress record the value first.
	for _, cmd := range []string{
		"XREADGROUP GROUP g bob STREAMS s >",
		"XREADGROUP GROUP g alice STREAMS s 0",
		"XACK s g 1",
		"XCLAIM s g bob 0 1",
		"XAUTOCLAIM s g bob 0 0",
		"XGROUP SETID s g 0",
		"XADD s 3 f v",
	} {
		t.Run(cmd, func(t *testing.T) {
			tn := newTestNode(t)
			c := tn.connect()
			c.do("XADD", "s", "1", "f", "v")
			c.do("XADD", "s", "2", "f", "v")
			c.do("XGROUP", "CREATE", "s", "g", "0")
			c.do("XREADGROUP", "GROUP", "g", "alice", "COUNT", "1", "STREAMS", "s", ">")
			s := tn.n.ks.DB(0).Find("s").Stream()
			before := streamState(s)
			var recorded string
			snap := tn.n.ks.BeginSnapshot(func(db int, key string, v *keyspace.Value, expire int64) {
				recorded = streamState(v.Stream())
			})
			tn.rt.Advance(tn.n, 5*time.Millisecond)
			r := c.do(xsplit(cmd)...)
			require.False(t, r.IsError(), "%v", r)
			assert.Equal(t, before, recorded)
			assert.NotEqual(t, before, streamState(s))
			for !snap.Next(100) {
			}
		})
	}
}
