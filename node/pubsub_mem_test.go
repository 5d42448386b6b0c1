package node

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"replab/resp"
)

// pushStrings renders a message or confirmation push as its strings
// ("message ch payload"), integers in decimal.
func pushStrings(v resp.Value) string {
	var parts []string
	for _, e := range v.Elems {
		switch e.Kind {
		case resp.KindInt:
			parts = append(parts, itoa(e.Int))
		case resp.KindNull, resp.KindBulk:
			if e.Kind == resp.KindBulk && !e.Null {
				parts = append(parts, e.Str)
				continue
			}
			parts = append(parts, "(nil)")
		default:
			parts = append(parts, e.Str)
		}
	}
	return strings.Join(parts, " ")
}

func allPushes(c *testConn) []string {
	var out []string
	for _, v := range c.replies() {
		out = append(out, pushStrings(v))
	}
	return out
}

func TestPublishPropagation(t *testing.T) {
	tn := newTestNode(t)
	c := tn.connect()
	if v := c.do("PUBLISH", "ch", "hello"); v.Int != 0 {
		t.Fatalf("PUBLISH = %v", v)
	}
	want := [][]string{{"PUBLISH", "ch", "hello"}}
	if !reflect.DeepEqual(tn.propagated, want) {
		t.Fatalf("propagated %v, want %v", tn.propagated, want)
	}
	if tn.n.dirty != 0 {
		t.Errorf("PUBLISH changed dirty to %d", tn.n.dirty)
	}
	tn.propagated = nil
	c.do("SPUBLISH", "sh", "x")
	if want := [][]string{{"SPUBLISH", "sh", "x"}}; !reflect.DeepEqual(tn.propagated, want) {
		t.Fatalf("propagated %v, want %v", tn.propagated, want)
	}
	// Inside a transaction, with a write: one MULTI/EXEC block.
	tn.propagated = nil
	c.do("MULTI")
	c.do("SET", "k", "v")
	c.do("PUBLISH", "ch", "m")
	c.do("EXEC")
	want = [][]string{{"MULTI"}, {"SET", "k", "v"}, {"PUBLISH", "ch", "m"}, {"EXEC"}}
	if !reflect.DeepEqual(tn.propagated, want) {
		t.Fatalf("propagated %v, want %v", tn.propagated, want)
	}
	// Other non-writes still do not propagate.
	tn.propagated = nil
	c.do("GET", "k")
	c.do("PUBSUB", "NUMPAT")
	if len(tn.propagated) != 0 {
		t.Fatalf("propagated %v", tn.propagated)
	}
}

func TestPubSubDeliveryOrderInMemory(t *testing.T) {
	tn := newTestNode(t)
	a, b, p := tn.connect(), tn.connect(), tn.connect()
	a.send("SUBSCRIBE", "x", "y", "z")
	b.send("PSUBSCRIBE", "*", "x*", "[xy]")
	a.send("PSUBSCRIBE", "?")
	a.replies()
	b.replies()
	if v := p.do("PUBLISH", "x", "1"); v.Int != 5 {
		t.Fatalf("PUBLISH x reached %d", v.Int)
	}
	if got, want := allPushes(a), []string{"message x 1", "pmessage ? x 1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("a got %q, want %q", got, want)
	}
	if got, want := allPushes(b), []string{"pmessage * x 1", "pmessage x* x 1", "pmessage [xy] x 1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("b got %q, want %q", got, want)
	}
	// Unsubscribing from everything lists channels in subscription order.
	a.send("UNSUBSCRIBE")
	if got, want := allPushes(a), []string{"unsubscribe x 3", "unsubscribe y 2", "unsubscribe z 1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("UNSUBSCRIBE: %q, want %q", got, want)
	}
	b.send("PUNSUBSCRIBE", "x*")
	b.send("PSUBSCRIBE", "x*")
	b.replies()
	// x* is now the last pattern in delivery order.
	p.do("PUBLISH", "x", "2")
	if got, want := allPushes(b), []string{"pmessage * x 2", "pmessage [xy] x 2", "pmessage x* x 2"}; !reflect.DeepEqual(got, want) {
		t.Errorf("b got %q, want %q", got, want)
	}
	b.send("PUNSUBSCRIBE")
	if got, want := allPushes(b), []string{"punsubscribe * 2", "punsubscribe [xy] 1", "punsubscribe x* 0"}; !reflect.DeepEqual(got, want) {
		t.Errorf("PUNSUBSCRIBE: %q, want %q", got, want)
	}
	if v := p.do("PUBSUB", "NUMPAT"); v.Int != 1 {
		t.Errorf("NUMPAT = %d, want 1 (a's ?)", v.Int)
	}
	// A closed connection leaves everything.
	tn.n.Closed(a.id)
	if v := p.do("PUBSUB", "NUMPAT"); v.Int != 0 {
		t.Errorf("NUMPAT after close = %d", v.Int)
	}
	if v := p.do("PUBLISH", "y", "3"); v.Int != 0 {
		t.Errorf("PUBLISH after close reached %d", v.Int)
	}
}

func TestPubSubClientList(t *testing.T) {
	tn := newTestNode(t)
	a := tn.connect()
	a.send("SUBSCRIBE", "x", "y")
	a.send("PSUBSCRIBE", "p")
	a.send("SSUBSCRIBE", "s")
	a.replies()
	c := tn.n.clients[a.id]
	info := tn.n.clientInfoString(c)
	for _, want := range []string{" flags=P ", " sub=2 psub=1 ssub=1 "} {
		if !strings.Contains(info, want) {
			t.Errorf("client info %q lacks %q", info, want)
		}
	}
}

func TestPubSubHardOutputLimit(t *testing.T) {
	tn := newTestNode(t, "--client-output-buffer-limit", "pubsub 1000 0 0")
	sub, pub := tn.connect(), tn.connect()
	sub.do("SUBSCRIBE", "flood")
	msg := strings.Repeat("x", 100)
	// The subscriber never reads: its output stays with the runtime.
	for i := 0; i < 20 && !tn.rt.IsClosed(sub.id); i++ {
		if v := pub.do("PUBLISH", "flood", msg); v.Int != 1 && !tn.rt.IsClosed(sub.id) {
			t.Fatalf("PUBLISH reached %d", v.Int)
		}
	}
	if !tn.rt.IsClosed(sub.id) {
		t.Fatal("the subscriber over the hard limit was not closed")
	}
	out := tn.rt.Take(sub.id)
	if len(out) >= 1000+200 {
		t.Errorf("%d bytes were sent to the subscriber: the output over the limit must be dropped", len(out))
	}
	if !hasLog(tn, "scheduled to be closed ASAP for overcoming of output buffer limits.") {
		t.Errorf("no log line; logs: %q", tn.rt.Logs)
	}
	if v := pub.do("PUBSUB", "NUMSUB", "flood"); v.Elems[1].Int != 0 {
		t.Errorf("NUMSUB after disconnection = %d", v.Elems[1].Int)
	}
	if tn.n.stats.ClientObufLimitDisc != 1 {
		t.Errorf("ClientObufLimitDisc = %d", tn.n.stats.ClientObufLimitDisc)
	}
}

func TestPubSubSoftOutputLimit(t *testing.T) {
	tn := newTestNode(t, "--client-output-buffer-limit", "pubsub 0 500 2")
	sub, pub := tn.connect(), tn.connect()
	sub.do("SUBSCRIBE", "flood")
	msg := strings.Repeat("x", 600)
	pub.do("PUBLISH", "flood", msg) // over the soft limit: the clock starts
	tn.rt.Advance(tn.n, 1500*time.Millisecond)
	pub.do("PUBLISH", "flood", msg)
	if tn.rt.IsClosed(sub.id) {
		t.Fatal("closed before soft-seconds passed")
	}
	// Draining the output resets the soft-limit clock.
	tn.rt.Take(sub.id)
	tn.rt.Advance(tn.n, 200*time.Millisecond) // the cron sees 0 bytes pending
	pub.do("PUBLISH", "flood", msg)
	// Redis counts whole seconds: closed once more than 2 seconds (of the
	// clock in seconds) passed since the limit was first seen exceeded.
	tn.rt.Advance(tn.n, 1500*time.Millisecond)
	if tn.rt.IsClosed(sub.id) {
		t.Fatal("closed although the soft limit was not exceeded for soft-seconds without a break")
	}
	tn.rt.Advance(tn.n, 2000*time.Millisecond)
	if !tn.rt.IsClosed(sub.id) {
		t.Fatal("the subscriber over the soft limit for more than 2 seconds was not closed by the cron")
	}
	if !hasLog(tn, "closed for overcoming of output buffer limits.") {
		t.Errorf("no log line; logs: %q", tn.rt.Logs)
	}
}

func hasLog(tn *testNode, s string) bool {
	for _, l := range tn.rt.Logs {
		if strings.Contains(l, s) {
			return true
		}
	}
	return false
}

func TestKeyspaceNotificationClasses(t *testing.T) {
	cases := []struct {
		name, flags string
		want        []string
	}{
		{"keyspace and keyevent", "KEA", []string{"message __keyspace@0__:k set", "message __keyevent@0__:set k", "message __keyspace@0__:k expire", "message __keyspace@0__:k expired", "message __keyevent@0__:expired k"}},
		{"keyevent only", "E$x", []string{"message __keyevent@0__:set k", "message __keyevent@0__:expired k"}},
		{"expired only", "Kx", []string{"message __keyspace@0__:k expired"}},
		{"no K or E", "A", nil},
		{"disabled", "", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tn := newTestNode(t, "--notify-keyspace-events", tc.flags)
			sub, w := tn.connect(), tn.connect()
			sub.send("SUBSCRIBE", "__keyspace@0__:k", "__keyevent@0__:set", "__keyevent@0__:expired")
			sub.replies()
			w.do("SET", "k", "v", "PX", "100")
			tn.rt.Advance(tn.n, time.Second) // active expiry
			if got := allPushes(sub); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
