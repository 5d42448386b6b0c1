package node_test

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"replab/internal/redistest"
)

// pubsubStep is one step of a multi-connection script: connection conn
// sends args (nothing when nil), then replies replies or pushes are read
// from connection readOn.
type pubsubStep struct {
	conn            int
	args            []string
	readOn, replies int
}

// runPubSubScript runs steps against the server at addr and returns, per
// connection, the raw bytes of everything it received.
func runPubSubScript(t *testing.T, addr string, proto, conns int, steps []pubsubStep) [][]byte {
	t.Helper()
	cs := make([]*redistest.Conn, conns)
	out := make([][]byte, conns)
	for i := range cs {
		cs[i] = redistest.Dial(t, addr)
		if proto == 3 {
			cs[i].Do("HELLO", "3")
		}
	}
	for _, s := range steps {
		if s.args != nil {
			cs[s.conn].Write(respCommand(s.args...))
		}
		for j := 0; j < s.replies; j++ {
			raw, _, err := cs[s.readOn].ReadReply(5 * time.Second)
			if err != nil {
				t.Fatalf("%v: reading reply %d on connection %d: %v (so far %q)", s.args, j+1, s.readOn, err, out[s.readOn])
			}
			out[s.readOn] = append(out[s.readOn], raw...)
		}
	}
	for i, c := range cs {
		// Nothing else may have arrived.
		c.Write(respCommand("PING", "end"))
		raw, _, err := c.ReadReply(5 * time.Second)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = append(out[i], raw...)
	}
	return out
}

func respCommand(args ...string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	return b.Bytes()
}

// comparePubSub runs steps on both servers in RESP2 and RESP3 and
// compares what every connection received, byte for byte.
func comparePubSub(t *testing.T, pair compatPair, conns int, steps []pubsubStep) {
	t.Helper()
	for _, proto := range []int{2, 3} {
		want := runPubSubScript(t, pair.redis.Addr(), proto, conns, steps)
		got := runPubSubScript(t, pair.replab.Addr(), proto, conns, steps)
		for i := range want {
			if !bytes.Equal(want[i], got[i]) {
				t.Errorf("RESP%d connection %d:\n  redis:  %q\n  replab: %q", proto, i, want[i], got[i])
			}
		}
	}
}

func TestPubSubDeliveryCompat(t *testing.T) {
	pair := startPair(t)
	const sub1, sub2, pub = 0, 1, 2
	steps := []pubsubStep{
		{conn: sub1, args: []string{"SUBSCRIBE", "news", "sport"}, readOn: sub1, replies: 2},
		{conn: sub1, args: []string{"PSUBSCRIBE", "n*"}, readOn: sub1, replies: 1},
		{conn: sub2, args: []string{"PSUBSCRIBE", "*s"}, readOn: sub2, replies: 1},
		{conn: sub2, args: []string{"SUBSCRIBE", "news"}, readOn: sub2, replies: 1},
		{conn: sub2, args: []string{"SSUBSCRIBE", "news"}, readOn: sub2, replies: 1},
		// news: sub1 (channel), sub2 (channel), sub1 (n*), sub2 (*s).
		{conn: pub, args: []string{"PUBLISH", "news", "hello world"}, readOn: pub, replies: 1},
		{conn: sub1, readOn: sub1, replies: 2},
		{conn: sub2, readOn: sub2, replies: 2},
		{conn: pub, args: []string{"PUBLISH", "sport", "goal"}, readOn: pub, replies: 1},
		{conn: sub1, readOn: sub1, replies: 1},
		{conn: pub, args: []string{"PUBLISH", "nothing", ""}, readOn: pub, replies: 1},
		{conn: sub1, readOn: sub1, replies: 1},
		{conn: pub, args: []string{"SPUBLISH", "news", "shard"}, readOn: pub, replies: 1},
		{conn: sub2, readOn: sub2, replies: 1},
		{conn: pub, args: []string{"PUBSUB", "NUMSUB", "news", "sport"}, readOn: pub, replies: 1},
		{conn: pub, args: []string{"PUBSUB", "SHARDNUMSUB", "news"}, readOn: pub, replies: 1},
		{conn: pub, args: []string{"PUBSUB", "NUMPAT"}, readOn: pub, replies: 1},
		{conn: sub1, args: []string{"UNSUBSCRIBE", "news"}, readOn: sub1, replies: 1},
		{conn: pub, args: []string{"PUBLISH", "news", "binary\x00\r\n"}, readOn: pub, replies: 1},
		{conn: sub1, readOn: sub1, replies: 1},
		{conn: sub2, readOn: sub2, replies: 2},
		{conn: pub, args: []string{"PUBSUB", "NUMSUB", "news", "sport"}, readOn: pub, replies: 1},
		{conn: pub, args: []string{"PUBSUB", "CHANNELS", "news"}, readOn: pub, replies: 1},
	}
	comparePubSub(t, pair, 3, steps)
}

func TestPubSubDisconnectCleanupCompat(t *testing.T) {
	pair := startPair(t)
	for _, addr := range []string{pair.redis.Addr(), pair.replab.Addr()} {
		sub := redistest.Dial(t, addr)
		sub.Do("SUBSCRIBE", "gone.a")
		sub.Do("PSUBSCRIBE", "gone.*")
		sub.Do("SSUBSCRIBE", "gone.s")
		pub := redistest.Dial(t, addr)
		_, v := pub.Do("PUBLISH", "gone.a", "x")
		if v.Int != 2 {
			t.Fatalf("%s: PUBLISH reached %d subscribers, want 2", addr, v.Int)
		}
		sub.Close()
		redistest.WaitFor(t, 5*time.Second, "the subscriber to be forgotten", func() bool {
			_, v := pub.Do("PUBLISH", "gone.a", "x")
			return v.Int == 0
		})
		for _, c := range [][]string{{"PUBSUB", "NUMSUB", "gone.a"}, {"PUBSUB", "SHARDNUMSUB", "gone.s"}, {"PUBSUB", "CHANNELS", "gone.*"}} {
			raw, _ := pub.Do(c...)
			want := map[string]string{"NUMSUB": "*2\r\n$6\r\ngone.a\r\n:0\r\n", "SHARDNUMSUB": "*2\r\n$6\r\ngone.s\r\n:0\r\n", "CHANNELS": "*0\r\n"}[c[1]]
			if string(raw) != want {
				t.Errorf("%s: %v = %q, want %q", addr, c, raw, want)
			}
		}
	}
}

func TestKeyspaceNotificationsCompat(t *testing.T) {
	pair := startPair(t, "--notify-keyspace-events", "KEA")
	const sub, w = 0, 1
	steps := []pubsubStep{
		{conn: sub, args: []string{"PSUBSCRIBE", "__key*__:*"}, readOn: sub, replies: 1},
		{conn: sub, args: []string{"SUBSCRIBE", "__keyevent@1__:set"}, readOn: sub, replies: 1},
		{conn: w, args: []string{"SET", "k", "v"}, readOn: w, replies: 1},
		{conn: sub, readOn: sub, replies: 2},
		{conn: w, args: []string{"APPEND", "k", "w"}, readOn: w, replies: 1},
		{conn: sub, readOn: sub, replies: 2},
		{conn: w, args: []string{"EXPIRE", "k", "100"}, readOn: w, replies: 1},
		{conn: sub, readOn: sub, replies: 2},
		{conn: w, args: []string{"RENAME", "k", "k2"}, readOn: w, replies: 1},
		{conn: sub, readOn: sub, replies: 4},
		{conn: w, args: []string{"DEL", "k2", "nosuch"}, readOn: w, replies: 1},
		{conn: sub, readOn: sub, replies: 2},
		{conn: w, args: []string{"SELECT", "1"}, readOn: w, replies: 1},
		{conn: w, args: []string{"SET", "weird key", "1"}, readOn: w, replies: 1},
		// The channel subscriber first, then the pattern (twice).
		{conn: sub, readOn: sub, replies: 3},
		{conn: w, args: []string{"INCR", "weird key"}, readOn: w, replies: 1},
		{conn: sub, readOn: sub, replies: 2},
		{conn: w, args: []string{"GET", "missing"}, readOn: w, replies: 1},
	}
	comparePubSub(t, pair, 2, steps)
}
