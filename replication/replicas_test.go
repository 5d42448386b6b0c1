package replication

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReplicaNames(t *testing.T) {
	cases := []struct {
		name string
		r    Replica
		want string
		ip   string
	}{
		{name: "peer and port", r: Replica{ID: 7, PeerIP: "10.0.0.1", ListeningPort: 6380}, want: "10.0.0.1:6380", ip: "10.0.0.1"},
		{name: "announced wins", r: Replica{ID: 7, PeerIP: "10.0.0.1", AnnouncedIP: "1.2.3.4", ListeningPort: 6380}, want: "1.2.3.4:6380", ip: "1.2.3.4"},
		{name: "IPv6", r: Replica{ID: 7, PeerIP: "::1", ListeningPort: 6380}, want: "[::1]:6380", ip: "::1"},
		{name: "port unknown", r: Replica{ID: 7, PeerIP: "10.0.0.1"}, want: "10.0.0.1:<unknown-replica-port>", ip: "10.0.0.1"},
		{name: "no address", r: Replica{ID: 42, ListeningPort: 1}, want: "client id #42"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, c.r.Name())
			assert.Equal(t, c.ip, c.r.IP())
		})
	}
}

func TestReplicaStateAndCapa(t *testing.T) {
	names := map[ReplicaState]string{StateWaitBGSaveStart: "wait_bgsave", StateWaitBGSaveEnd: "wait_bgsave",
		StateSendBulk: "send_bulk", StateOnline: "online", StateRDBTransmitted: "", 0: ""}
	for s, want := range names {
		assert.Equal(t, want, s.InfoName(), "state %d", s)
	}
	assert.Equal(t, CapaEOF, ParseCapa("EOF"))
	assert.Equal(t, CapaPSYNC2, ParseCapa("psync2"))
	assert.Equal(t, Capa(0), ParseCapa("psync3"))
}

func TestReplicasInfoAndLag(t *testing.T) {
	var tab Replicas
	const now = 1_700_000_010_500 // .500 into a second
	tab.Add(&Replica{ID: 1, PeerIP: "10.0.0.1", ListeningPort: 6380, State: StateOnline, AckOffset: 900, AckTime: now - 2600})
	tab.Add(&Replica{ID: 2, PeerIP: "", ListeningPort: 6381, State: StateOnline})                 // no address: not listed
	tab.Add(&Replica{ID: 3, PeerIP: "10.0.0.3", ListeningPort: 6382, State: StateRDBTransmitted}) // unnamed state: not listed
	tab.Add(&Replica{ID: 4, PeerIP: "10.0.0.4", AnnouncedIP: "5.6.7.8", ListeningPort: 6383, State: StateWaitBGSaveEnd, AckTime: now - 60000})
	tab.Add(&Replica{ID: 5, PeerIP: "10.0.0.5", ListeningPort: 6384, State: StateOnline, AckOffset: 1000, AckTime: now - 400})
	assert.Equal(t, 5, tab.Len())

	info := tab.Info(now, 1000)
	var lines []string
	for _, i := range info {
		lines = append(lines, i.Line())
	}
	assert.Equal(t, []string{
		"slave0:ip=10.0.0.1,port=6380,state=online,offset=900,lag=3",
		"slave1:ip=5.6.7.8,port=6383,state=wait_bgsave,offset=0,lag=0",
		"slave2:ip=10.0.0.5,port=6384,state=online,offset=1000,lag=0",
	}, lines)
	assert.Equal(t, int64(2600), info[0].LagMillis)
	assert.Equal(t, int64(100), info[0].LagBytes)
	assert.Equal(t, int64(0), info[2].LagBytes)
	assert.Equal(t, int64(400), info[2].LagMillis)
	assert.Same(t, tab.Get(5), info[2].Replica)

	// Lag in whole seconds compares truncated times, as Redis's unixtime.
	r := &Replica{State: StateOnline, AckTime: 1999}
	assert.Equal(t, int64(1), r.LagSeconds(2000))
	assert.Equal(t, int64(0), r.LagSeconds(1999))
	assert.Equal(t, int64(1), r.LagMillis(2000))

	// Good replicas: online, lag <= max lag.
	assert.Equal(t, 2, tab.GoodCount(now, 3), "replica 2 acked at time 0: far behind")
	assert.Equal(t, 1, tab.GoodCount(now, 2))
	assert.True(t, tab.WritesAllowed(now, 0, 10), "min-replicas-to-write 0 disables the check")
	assert.True(t, tab.WritesAllowed(now, 5, 0), "min-replicas-max-lag 0 disables the check")
	assert.True(t, tab.WritesAllowed(now, 2, 3))
	assert.False(t, tab.WritesAllowed(now, 2, 2))
	assert.Equal(t, "-NOREPLICAS Not enough good replicas to write.\r\n", NoReplicasError)
}

func TestReplicasTable(t *testing.T) {
	var tab Replicas
	buf := NewBuffer(MinBacklogSize, 0)
	r1, err := buf.NewReader(1)
	require.NoError(t, err)
	tab.Add(&Replica{ID: 1, State: StateOnline, Reader: r1})
	tab.Add(&Replica{ID: 2, State: StateWaitBGSaveStart})
	assert.Equal(t, []uint64{1, 2}, ids(tab.List()))

	// ACKs only move forward; the time always refreshes.
	got := tab.Ack(1, 50, 1000)
	require.NotNil(t, got)
	assert.Equal(t, int64(50), got.AckOffset)
	tab.Ack(1, 40, 2000)
	assert.Equal(t, int64(50), tab.Get(1).AckOffset)
	assert.Equal(t, int64(2000), tab.Get(1).AckTime)
	assert.Nil(t, tab.Ack(99, 1, 1), "unknown replica")

	assert.Equal(t, 1, tab.CountAcks(50))
	assert.Equal(t, 0, tab.CountAcks(51))
	tab.Ack(2, 100, 1)
	assert.Equal(t, 1, tab.CountAcks(50), "only online replicas count")

	// Replacing closes the old reader.
	r1b, err := buf.NewReader(1)
	require.NoError(t, err)
	tab.Add(&Replica{ID: 1, State: StateOnline, Reader: r1b})
	assert.Equal(t, []uint64{1, 2}, ids(tab.List()))
	assert.Equal(t, 1, buf.Readers())

	removed := tab.Remove(1)
	require.NotNil(t, removed)
	assert.Equal(t, 0, buf.Readers(), "Remove closes the reader")
	assert.Nil(t, tab.Remove(1))
	assert.Nil(t, tab.Get(1))
	assert.Equal(t, []uint64{2}, ids(tab.List()))
}

func ids(rs []*Replica) []uint64 {
	var out []uint64
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

func TestWait(t *testing.T) {
	var tab Replicas
	tab.Add(&Replica{ID: 1, State: StateOnline, AckOffset: 100})
	tab.Add(&Replica{ID: 2, State: StateOnline, AckOffset: 50})
	tab.Add(&Replica{ID: 3, State: StateSendBulk, AckOffset: 500})

	n, blocked := tab.Wait(10, 60, 1, 0, false)
	assert.Equal(t, int64(1), n)
	assert.False(t, blocked, "already satisfied")
	assert.False(t, tab.TakeGetAck(), "no GETACK for an immediate reply")
	n, blocked = tab.Wait(10, 60, 0, 0, false)
	assert.False(t, blocked)
	assert.Equal(t, int64(1), n, "WAIT 0 replies with the count at once")
	n, blocked = tab.Wait(10, 200, 3, 0, true)
	assert.False(t, blocked, "inside MULTI WAIT never blocks")
	assert.Equal(t, int64(0), n)

	_, blocked = tab.Wait(11, 200, 1, 5000, false)
	assert.True(t, blocked)
	_, blocked = tab.Wait(12, 80, 2, 0, false)
	assert.True(t, blocked)
	_, blocked = tab.Wait(13, 90, 2, 4000, false)
	assert.True(t, blocked)
	assert.Equal(t, 3, tab.Waiting())
	assert.True(t, tab.TakeGetAck())
	assert.False(t, tab.TakeGetAck(), "once per turn")
	d, ok := tab.NextDeadline()
	assert.True(t, ok)
	assert.Equal(t, int64(4000), d)

	assert.Empty(t, tab.ProcessWaiters())
	assert.Empty(t, tab.ExpireWaiters(4000), "the deadline itself has not passed")
	tab.Ack(2, 95, 1)
	// Newest first: 13 (offset 90, 2 replicas) is satisfied with 2; then 12
	// (offset 80, 2 replicas) takes the shortcut and gets 2 as well.
	assert.Equal(t, []WaitReply{{13, 2}, {12, 2}}, tab.ProcessWaiters())
	assert.Equal(t, 1, tab.Waiting())

	assert.Equal(t, []WaitReply{{11, 0}}, tab.ExpireWaiters(5001))
	assert.Equal(t, 0, tab.Waiting())
	_, ok = tab.NextDeadline()
	assert.False(t, ok)

	// Unblock and cancel.
	tab.Wait(20, 1000, 1, 0, false)
	tab.Wait(21, 1000, 1, 0, false)
	tab.Wait(21, 99, 5, 0, false) // registering again replaces
	assert.Equal(t, 2, tab.Waiting())
	n, ok = tab.UnblockWait(21)
	assert.True(t, ok)
	assert.Equal(t, int64(1), n, "a forced unblock replies with the current count for its offset (99)")
	_, ok = tab.UnblockWait(21)
	assert.False(t, ok)
	assert.True(t, tab.CancelWait(20))
	assert.False(t, tab.CancelWait(20))
	assert.Equal(t, 0, tab.Waiting())
	tab.RequestAck()
	assert.True(t, tab.TakeGetAck())
}

func TestWaitShortcutQuirk(t *testing.T) {
	// Redis's shortcut replies with the count of the last satisfied waiter,
	// which may be less than a recount would give.
	var tab Replicas
	tab.Add(&Replica{ID: 1, State: StateOnline})
	tab.Add(&Replica{ID: 2, State: StateOnline})
	tab.Wait(30, 10, 1, 0, false) // older: offset 10, 1 replica
	tab.Wait(31, 20, 1, 0, false) // newer: offset 20, 1 replica
	tab.Ack(1, 20, 1)
	tab.Ack(2, 10, 1)
	// 31 first: one replica has 20. 30 takes the shortcut (20 >= 10, 1 >= 1)
	// and gets 1, though two replicas have 10.
	assert.Equal(t, []WaitReply{{31, 1}, {30, 1}}, tab.ProcessWaiters())
}

// TestWaitProperties drives WAIT accounting with random replicas, ACKs,
// state changes, waits, cancellations and time, checking Redis's contract
// after every step.
func TestWaitProperties(t *testing.T) {
	var blockedN, processedN, expiredN int
	defer func() {
		// The random walk must exercise every path, or it proves little.
		assert.Greater(t, blockedN, 1000)
		assert.Greater(t, processedN, 200)
		assert.Greater(t, expiredN, 200)
	}()
	for seed := uint64(1); seed <= 300; seed++ {
		rng := rand.New(rand.NewPCG(seed, 99))
		var tab Replicas
		type wt struct {
			offset, num, deadline int64
			seq                   int
		}
		model := map[uint64]wt{} // client -> registration
		seq := 0
		now := int64(1000)
		getAck := false
		count := func(off int64) int64 {
			n := int64(0)
			for _, r := range tab.List() {
				if r.State == StateOnline && r.AckOffset >= off {
					n++
				}
			}
			return n
		}
		for step := 0; step < 200; step++ {
			fail := func(format string, args ...any) {
				t.Helper()
				t.Fatalf("seed %d step %d: "+format, append([]any{seed, step}, args...)...)
			}
			switch x := rng.IntN(100); {
			case x < 10:
				id := uint64(rng.IntN(6))
				tab.Add(&Replica{ID: id, State: ReplicaState(1 + rng.IntN(5)), AckOffset: rng.Int64N(50)})
			case x < 14:
				tab.Remove(uint64(rng.IntN(6)))
			case x < 35:
				tab.Ack(uint64(rng.IntN(6)), rng.Int64N(120), now)
			case x < 40:
				if r := tab.Get(uint64(rng.IntN(6))); r != nil {
					r.State = ReplicaState(1 + rng.IntN(5))
				}
			case x < 60:
				client := uint64(100 + rng.IntN(8))
				off, num := rng.Int64N(120), rng.Int64N(5)-1
				deadline := int64(0)
				if rng.IntN(3) > 0 {
					deadline = now + rng.Int64N(300)
				}
				multi := rng.IntN(10) == 0
				want := count(off)
				n, blocked := tab.Wait(client, off, num, deadline, multi)
				if blocked {
					if want >= num || multi {
						fail("blocked though %d >= %d or multi %v", want, num, multi)
					}
					delete(model, client)
					seq++
					model[client] = wt{off, num, deadline, seq}
					getAck = true
					blockedN++
				} else if n != want || (want < num && !multi) {
					fail("immediate reply %d, want %d (num %d multi %v)", n, want, num, multi)
				}
			case x < 65:
				client := uint64(100 + rng.IntN(8))
				_, was := model[client]
				if tab.CancelWait(client) != was {
					fail("cancel %d", client)
				}
				delete(model, client)
			case x < 68:
				client := uint64(100 + rng.IntN(8))
				w, was := model[client]
				n, ok := tab.UnblockWait(client)
				if ok != was || (ok && n != count(w.offset)) {
					fail("unblock %d: %d %v", client, n, ok)
				}
				delete(model, client)
			case x < 84:
				now += rng.Int64N(150)
				var want []WaitReply
				var exp []uint64
				for c, w := range model {
					if w.deadline != 0 && w.deadline < now {
						exp = append(exp, c)
					}
				}
				slices.SortFunc(exp, func(a, b uint64) int {
					if model[a].deadline != model[b].deadline {
						return int(model[a].deadline - model[b].deadline)
					}
					return int(a) - int(b)
				})
				for _, c := range exp {
					want = append(want, WaitReply{c, count(model[c].offset)})
					delete(model, c)
				}
				got := tab.ExpireWaiters(now)
				expiredN += len(got)
				if len(want) == 0 {
					want = []WaitReply{}
				}
				if got == nil {
					got = []WaitReply{}
				}
				if !slices.Equal(got, want) {
					fail("expired %v, want %v", got, want)
				}
			default:
				got := tab.ProcessWaiters()
				processedN += len(got)
				seqs := -1
				for _, r := range got {
					w, ok := model[r.Client]
					if !ok {
						fail("unblocked %d which was not waiting", r.Client)
					}
					if r.Replicas < w.num || r.Replicas > count(w.offset) {
						fail("reply %d for num %d, count %d", r.Replicas, w.num, count(w.offset))
					}
					if seqs >= 0 && w.seq > seqs {
						fail("not newest first")
					}
					seqs = w.seq
					delete(model, r.Client)
				}
				for c, w := range model {
					if count(w.offset) >= w.num {
						fail("client %d left waiting though satisfied", c)
					}
				}
			}
			if tab.Waiting() != len(model) {
				fail("%d waiting, model %d", tab.Waiting(), len(model))
			}
			if rng.IntN(5) == 0 {
				if tab.TakeGetAck() != getAck {
					fail("GETACK flag")
				}
				getAck = false
			}
			var min int64
			has := false
			for _, w := range model {
				if w.deadline != 0 && (!has || w.deadline < min) {
					min, has = w.deadline, true
				}
			}
			if d, ok := tab.NextDeadline(); ok != has || d != min {
				fail("next deadline %d %v, want %d %v", d, ok, min, has)
			}
		}
	}
}
