package replication

import "slices"

// waiter is a client blocked in WAIT.
type waiter struct {
	client      uint64
	offset      int64 // the client's offset after its last write (c->woff)
	numReplicas int64
	deadline    int64 // unix ms; 0 = none
}

// WaitReply is the answer owed to a client blocked in WAIT: reply with the
// integer Replicas.
type WaitReply struct {
	Client   uint64
	Replicas int64
}

// Wait handles WAIT <numreplicas> <timeout> for client, whose last write
// ended at stream offset offset. deadline is the absolute unix ms at which
// the wait times out (now + timeout), 0 for no timeout; inMulti is true when
// WAIT runs inside MULTI/EXEC.
//
// As Redis's waitCommand: if enough online replicas already acknowledged
// offset, or inside MULTI, the reply is immediate (blocked false, reply the
// count). Otherwise the client is registered (blocked true) and an ACK
// request is flagged (TakeGetAck). A client registered again replaces its
// previous registration.
func (t *Replicas) Wait(client uint64, offset, numReplicas, deadline int64, inMulti bool) (count int64, blocked bool) {
	n := int64(t.CountAcks(offset))
	if n >= numReplicas || inMulti {
		return n, false
	}
	t.CancelWait(client)
	w := &waiter{client: client, offset: offset, numReplicas: numReplicas, deadline: deadline}
	t.waiters = append(t.waiters, nil)
	copy(t.waiters[1:], t.waiters)
	t.waiters[0] = w
	t.getAck = true
	return 0, true
}

// Waiting is the number of clients blocked in WAIT.
func (t *Replicas) Waiting() int { return len(t.waiters) }

// ProcessWaiters unblocks the clients whose WAIT is satisfied by the
// acknowledgements received so far (processClientsWaitingReplicas). Call it
// once per event-loop turn, before going to sleep, after ExpireWaiters.
//
// Order and counts follow Redis, quirk included: waiters are visited newest
// first, and a waiter asking for no more than the last satisfied one (offset
// and number of replicas) gets that waiter's count without a recount.
func (t *Replicas) ProcessWaiters() []WaitReply {
	var out []WaitReply
	var lastOffset, lastNum int64
	kept := t.waiters[:0]
	for _, w := range t.waiters {
		if lastOffset != 0 && lastOffset >= w.offset && lastNum >= w.numReplicas {
			out = append(out, WaitReply{w.client, lastNum})
			continue
		}
		if n := int64(t.CountAcks(w.offset)); n >= w.numReplicas {
			lastOffset, lastNum = w.offset, n
			out = append(out, WaitReply{w.client, n})
			continue
		}
		kept = append(kept, w)
	}
	clear(t.waiters[len(kept):])
	t.waiters = kept
	return out
}

// ExpireWaiters unblocks the clients whose deadline passed at unix ms now
// (deadline < now, as Redis's timeout check) and returns them in deadline
// order (ties by client id), each with the number of online replicas that
// acknowledged its offset.
func (t *Replicas) ExpireWaiters(now int64) []WaitReply {
	var expired []*waiter
	kept := t.waiters[:0]
	for _, w := range t.waiters {
		if w.deadline != 0 && w.deadline < now {
			expired = append(expired, w)
		} else {
			kept = append(kept, w)
		}
	}
	clear(t.waiters[len(kept):])
	t.waiters = kept
	slices.SortFunc(expired, func(a, b *waiter) int {
		if a.deadline != b.deadline {
			if a.deadline < b.deadline {
				return -1
			}
			return 1
		}
		switch {
		case a.client < b.client:
			return -1
		case a.client > b.client:
			return 1
		}
		return 0
	})
	out := make([]WaitReply, len(expired))
	for i, w := range expired {
		out[i] = WaitReply{w.client, int64(t.CountAcks(w.offset))}
	}
	return out
}

// NextDeadline is the earliest deadline among the waiters (for arming a
// timer); ok is false when no waiter has one.
func (t *Replicas) NextDeadline() (deadline int64, ok bool) {
	for _, w := range t.waiters {
		if w.deadline != 0 && (!ok || w.deadline < deadline) {
			deadline, ok = w.deadline, true
		}
	}
	return deadline, ok
}

// UnblockWait ends client's WAIT early as a timeout would (CLIENT UNBLOCK):
// it returns the count to reply with; ok is false when the client was not
// waiting.
func (t *Replicas) UnblockWait(client uint64) (count int64, ok bool) {
	for _, w := range t.waiters {
		if w.client == client {
			t.CancelWait(client)
			return int64(t.CountAcks(w.offset)), true
		}
	}
	return 0, false
}

// CancelWait forgets client's WAIT without a reply (the client is gone). It
// reports whether the client was waiting.
func (t *Replicas) CancelWait(client uint64) bool {
	for i, w := range t.waiters {
		if w.client == client {
			t.waiters = slices.Delete(t.waiters, i, i+1)
			return true
		}
	}
	return false
}

// RequestAck flags that the replicas must be asked for an ACK
// (replicationRequestAckFromSlaves); Wait does it when it blocks.
func (t *Replicas) RequestAck() { t.getAck = true }

// TakeGetAck reports whether an ACK request is flagged and clears the flag.
// The node calls it once per event-loop turn, before sleeping, and when true
// feeds GetAckCommand into the replication stream, so several WAITs of one
// turn share one REPLCONF GETACK. (Redis holds the request while clients are
// paused; the caller skips the call then, and the flag waits.)
func (t *Replicas) TakeGetAck() bool {
	f := t.getAck
	t.getAck = false
	return f
}
