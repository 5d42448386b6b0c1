package replication

import (
	"fmt"
	"strings"
)

// IDLen is the length of a replication ID (and of a run ID), Redis's
// CONFIG_RUN_ID_SIZE.
const IDLen = 40

// NoReplID is the cleared secondary replication ID: forty '0' characters.
var NoReplID = strings.Repeat("0", IDLen)

// RandSource is the randomness this package needs. *math/rand/v2.Rand and
// math/rand/v2.Source implementations satisfy it; callers pass their own
// seeded source, this package never uses global randomness.
type RandSource interface {
	Uint64() uint64
}

// NewID returns IDLen lowercase hexadecimal characters drawn from rng, the
// shape of Redis's replication and run IDs (getRandomHexChars).
func NewID(rng RandSource) string {
	const hex = "0123456789abcdef"
	var b [IDLen]byte
	var v uint64
	for i := range b {
		if i%16 == 0 {
			v = rng.Uint64()
		}
		b[i] = hex[v&0xf]
		v >>= 4
	}
	return string(b[:])
}

// IDs is a node's replication identity: the ID of its current history
// (master_replid), and the ID of the history it continued from
// (master_replid2) together with the first offset that is NOT shared with
// that history (second_repl_offset): a replica of the old history may
// continue at any offset <= SecondOffset.
type IDs struct {
	ReplID       string // master_replid
	ReplID2      string // master_replid2; NoReplID when cleared
	SecondOffset int64  // second_repl_offset; -1 when cleared
}

// NewIDs returns a fresh identity: a random ReplID and a cleared ReplID2, as
// a Redis server starts.
func NewIDs(rng RandSource) IDs {
	return IDs{ReplID: NewID(rng), ReplID2: NoReplID, SecondOffset: -1}
}

// Change replaces ReplID with a new random ID (changeReplicationId).
func (ids *IDs) Change(rng RandSource) {
	ids.ReplID = NewID(rng)
}

// ClearID2 forgets the secondary ID (clearReplicationId2): ReplID2 becomes
// NoReplID and SecondOffset -1.
func (ids *IDs) ClearID2() {
	ids.ReplID2 = NoReplID
	ids.SecondOffset = -1
}

// Shift starts a new history on promotion (shiftReplicationId): the current
// ID becomes ReplID2, valid up to masterOffset+1 (the first byte a replica
// that has everything up to masterOffset asks for), and ReplID becomes a new
// random ID. It returns the line Redis logs (at warning level).
func (ids *IDs) Shift(masterOffset int64, rng RandSource) string {
	ids.ReplID2 = ids.ReplID
	ids.SecondOffset = masterOffset + 1
	ids.Change(rng)
	return fmt.Sprintf("Setting secondary replication ID to %s, valid up to offset: %d. New replication ID is %s",
		ids.ReplID2, ids.SecondOffset, ids.ReplID)
}

// FollowFullSync sets the identity of a replica that finished loading a
// full resync from a master with ID replID: the master's ID becomes its
// own and ReplID2 is cleared (there is no valid past history).
func (ids *IDs) FollowFullSync(replID string) {
	ids.ReplID = replID
	ids.ClearID2()
}

// FollowNewID records that the master announced a new ID with
// "+CONTINUE <replID>" (Continue.Changed) while the replica's stream was at
// masterOffset: the old ID becomes ReplID2, valid up to masterOffset+1, so
// the replica's own replicas can still continue with it.
func (ids *IDs) FollowNewID(replID string, masterOffset int64) {
	ids.ReplID2 = ids.ReplID
	ids.SecondOffset = masterOffset + 1
	ids.ReplID = replID
}
