package node

import (
	"testing"
	"time"

	"replab/resp"
)

// execAborted runs MULTI/PING/EXEC on c and reports whether EXEC aborted
// (null reply) because a watched key changed.
func execAborted(t *testing.T, c *testConn) bool {
	t.Helper()
	c.do("MULTI")
	c.do("PING")
	v := c.do("EXEC")
	if v.IsError() {
		t.Fatalf("EXEC: %v", v)
	}
	return v.Null || v.Kind == resp.KindNull
}

func TestWatchExpiryInMemory(t *testing.T) {
	cases := []struct {
		name    string
		ttl     string        // PX of the watched key; "" for none
		advance time.Duration // clock advance between WATCH and EXEC
		tick    bool          // let the cron run (active expiry)
		aborted bool
	}{
		{"expires lazily before exec", "100", 200 * time.Millisecond, false, true},
		{"expired by active expiry", "100", 2 * time.Second, true, true},
		{"still alive", "1000", 200 * time.Millisecond, true, false},
		{"no ttl", "", time.Hour, true, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tn := newTestNode(t)
			c := tn.connect()
			if tc.ttl != "" {
				c.do("SET", "k", "v", "PX", tc.ttl)
			} else {
				c.do("SET", "k", "v")
			}
			c.do("WATCH", "k")
			if tc.tick {
				tn.rt.Advance(tn.n, tc.advance)
			} else {
				tn.rt.Clock = tn.rt.Clock.Add(tc.advance)
			}
			if got := execAborted(t, c); got != tc.aborted {
				t.Errorf("EXEC aborted=%v, want %v", got, tc.aborted)
			}
		})
	}
}

func TestWatchAlreadyExpiredKeyInMemory(t *testing.T) {
	tn := newTestNode(t)
	c, other := tn.connect(), tn.connect()
	c.do("SET", "k", "v", "PX", "10")
	tn.rt.Clock = tn.rt.Clock.Add(50 * time.Millisecond) // expired, not yet deleted
	c.do("WATCH", "k")
	// The expired key is deleted (by a read of another client): no change.
	other.do("GET", "k")
	if execAborted(t, c) {
		t.Fatal("deleting a key that was already expired when watched aborted EXEC")
	}
	// Watched while expired, then written: a change.
	c.do("SET", "k", "v", "PX", "10")
	tn.rt.Clock = tn.rt.Clock.Add(50 * time.Millisecond)
	c.do("WATCH", "k")
	other.do("SET", "k", "new")
	if !execAborted(t, c) {
		t.Fatal("writing a key watched while expired did not abort EXEC")
	}
	// Watched while expired, then flushed: no change.
	c.do("SET", "k", "v", "PX", "10")
	tn.rt.Clock = tn.rt.Clock.Add(50 * time.Millisecond)
	c.do("WATCH", "k")
	other.do("FLUSHDB")
	if execAborted(t, c) {
		t.Fatal("FLUSHDB of a key already expired when watched aborted EXEC")
	}
	// Missing when watched, replaced by SWAPDB with an expired key: no
	// change; then that key being deleted is no change either.
	other.do("SELECT", "1")
	other.do("SET", "k", "v", "PX", "10")
	tn.rt.Clock = tn.rt.Clock.Add(50 * time.Millisecond)
	c.do("WATCH", "k")
	other.do("SWAPDB", "0", "1")
	if execAborted(t, c) {
		t.Fatal("SWAPDB bringing an expired key aborted EXEC")
	}
}
