package node

import (
	"testing"
	"time"

	"replab/resp"
)

// testNode is a node driven in memory for unit tests.
type testNode struct {
	t    testing.TB
	n    *Node
	rt   *MemRuntime
	next ConnID
	// propagated collects what the node propagates, one string per
	// command ("SET k v"), with "SELECT n" when the database changes.
	propagated [][]string
}

// newTestNode starts a node configured by redis-server style args.
func newTestNode(t testing.TB, args ...string) *testNode {
	t.Helper()
	cfg := DefaultConfig()
	if err := cfg.LoadString(ArgsToConfig(append([]string{"--enable-debug-command", "yes"}, args...)), nil); err != nil {
		t.Fatal(err)
	}
	rt := NewMemRuntime(1, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	tn := &testNode{t: t, rt: rt}
	tn.n = New(cfg, rt)
	tn.n.propagateHook = func(db int, args [][]byte) {
		s := make([]string, len(args))
		for i, a := range args {
			s[i] = string(a)
		}
		tn.propagated = append(tn.propagated, s)
	}
	tn.n.Start()
	return tn
}

// testConn is a client connection of a testNode.
type testConn struct {
	tn *testNode
	id ConnID
	r  resp.ReplyReader
}

func (tn *testNode) connect() *testConn {
	tn.next++
	tn.n.Accept(tn.next, ConnInfo{Remote: "127.0.0.1:5000", Local: "127.0.0.1:6379"})
	return &testConn{tn: tn, id: tn.next}
}

// send sends a command without reading its reply.
func (c *testConn) send(args ...string) {
	c.tn.n.Receive(c.id, resp.EncodeCommand(nil, args...))
}

// replies returns the replies received since the last call.
func (c *testConn) replies() []resp.Value {
	c.r.Feed(c.tn.rt.Take(c.id))
	var out []resp.Value
	for {
		v, ok, err := c.r.Next()
		if err != nil {
			c.tn.t.Fatal(err)
		}
		if !ok {
			return out
		}
		out = append(out, v)
	}
}

// do sends a command and returns its single reply.
func (c *testConn) do(args ...string) resp.Value {
	c.tn.t.Helper()
	c.send(args...)
	rs := c.replies()
	if len(rs) != 1 {
		c.tn.t.Fatalf("%v: got %d replies: %v", args, len(rs), rs)
	}
	return rs[0]
}
