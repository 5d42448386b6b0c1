package replication

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecidePSYNC(t *testing.T) {
	id1 := strings.Repeat("a", 40)
	id2 := strings.Repeat("b", 40)
	unknown := strings.Repeat("c", 40)
	// A backlog covering [1001, 1000+3*BlockSize] after a promotion at 500.
	buf := NewBuffer(4*BlockSize, 1000)
	buf.Append(make([]byte, 3*BlockSize))
	end := buf.Offset()
	ids := IDs{ReplID: id1, ReplID2: id2, SecondOffset: 1500}
	cleared := IDs{ReplID: id1, ReplID2: NoReplID, SecondOffset: -1}
	const name = "10.0.0.1:6380"
	cases := []struct {
		name       string
		ids        IDs
		buf        *Buffer
		req        PSYNCRequest
		partial    bool
		reply      string
		backlog    int64
		reason     string
		warning    string
		partialErr bool
	}{
		{name: "forced full resync", ids: ids, buf: buf, req: PSYNCRequest{ReplID: "?", Offset: -1, PSYNC2: true},
			reason: "Full resync requested by replica " + name},
		{name: "any ID starting with ? forces it", ids: ids, buf: buf, req: PSYNCRequest{ReplID: "?x", Offset: 1001},
			reason: "Full resync requested by replica " + name},
		{name: "unknown ID", ids: ids, buf: buf, req: PSYNCRequest{ReplID: unknown, Offset: 1001},
			reason:     "Partial resynchronization not accepted: Replication ID mismatch (Replica asked for '" + unknown + "', my replication IDs are '" + id1 + "' and '" + id2 + "')",
			partialErr: true},
		{name: "unknown ID with a cleared ID2", ids: cleared, buf: buf, req: PSYNCRequest{ReplID: unknown, Offset: 1001},
			reason:     "Partial resynchronization not accepted: Replication ID mismatch (Replica asked for '" + unknown + "', my replication IDs are '" + id1 + "' and '" + NoReplID + "')",
			partialErr: true},
		{name: "empty ID", ids: ids, buf: buf, req: PSYNCRequest{ReplID: "", Offset: 1001},
			reason:     "Partial resynchronization not accepted: Replication ID mismatch (Replica asked for '', my replication IDs are '" + id1 + "' and '" + id2 + "')",
			partialErr: true},
		{name: "ID2 beyond the second offset", ids: ids, buf: buf, req: PSYNCRequest{ReplID: id2, Offset: 1501},
			reason:     "Partial resynchronization not accepted: Requested offset for second ID was 1501, but I can reply up to 1500",
			partialErr: true},
		{name: "ID2 up to the second offset", ids: ids, buf: buf, req: PSYNCRequest{ReplID: id2, Offset: 1500, PSYNC2: true},
			partial: true, reply: "+CONTINUE " + id1 + "\r\n", backlog: end + 1 - 1500},
		{name: "ID1 at the first byte", ids: ids, buf: buf, req: PSYNCRequest{ReplID: id1, Offset: 1001, PSYNC2: true},
			partial: true, reply: "+CONTINUE " + id1 + "\r\n", backlog: end - 1000,
			reason: "Partial resynchronization request from " + name + " accepted. Sending 49152 bytes of backlog starting from offset 1001."},
		{name: "ID1 with everything", ids: ids, buf: buf, req: PSYNCRequest{ReplID: id1, Offset: end + 1, PSYNC2: true},
			partial: true, reply: "+CONTINUE " + id1 + "\r\n", backlog: 0},
		{name: "IDs compare case-insensitively", ids: ids, buf: buf, req: PSYNCRequest{ReplID: strings.ToUpper(id1), Offset: 2000, PSYNC2: true},
			partial: true, reply: "+CONTINUE " + id1 + "\r\n", backlog: end + 1 - 2000},
		{name: "a NUL ends the ID as in C", ids: ids, buf: buf, req: PSYNCRequest{ReplID: id1 + "\x00junk", Offset: 2000, PSYNC2: true},
			partial: true, reply: "+CONTINUE " + id1 + "\r\n", backlog: end + 1 - 2000},
		{name: "old replica without psync2", ids: ids, buf: buf, req: PSYNCRequest{ReplID: id1, Offset: 2000},
			partial: true, reply: "+CONTINUE\r\n", backlog: end + 1 - 2000},
		{name: "before the backlog", ids: ids, buf: buf, req: PSYNCRequest{ReplID: id1, Offset: 1000},
			reason: "Unable to partial resync with replica " + name + " for lack of backlog (Replica request was: 1000).", partialErr: true},
		{name: "beyond the master's offset", ids: ids, buf: buf, req: PSYNCRequest{ReplID: id1, Offset: end + 2},
			reason:     "Unable to partial resync with replica " + name + " for lack of backlog (Replica request was: 50154).",
			warning:    "Warning: replica " + name + " tried to PSYNC with an offset that is greater than the master replication offset.",
			partialErr: true},
		{name: "no backlog", ids: ids, buf: nil, req: PSYNCRequest{ReplID: id1, Offset: 5},
			reason: "Unable to partial resync with replica " + name + " for lack of backlog (Replica request was: 5).", partialErr: true},
		{name: "no backlog, beyond the offset", ids: ids, buf: nil, req: PSYNCRequest{ReplID: id1, Offset: 60000},
			reason:     "Unable to partial resync with replica " + name + " for lack of backlog (Replica request was: 60000).",
			warning:    "Warning: replica " + name + " tried to PSYNC with an offset that is greater than the master replication offset.",
			partialErr: true},
		{name: "the cleared ID2 matches nothing useful", ids: cleared, buf: buf, req: PSYNCRequest{ReplID: NoReplID, Offset: -1},
			reason: "Unable to partial resync with replica " + name + " for lack of backlog (Replica request was: -1).", partialErr: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.req.Replica = name
			d := DecidePSYNC(c.ids, end, c.buf, c.req)
			assert.Equal(t, c.partial, d.Partial)
			assert.Equal(t, c.reply, d.Reply)
			assert.Equal(t, c.partialErr, d.PartialErr)
			if c.reason != "" {
				assert.Equal(t, c.reason, d.Reason)
			}
			require.NotEmpty(t, d.Log)
			assert.Equal(t, d.Reason, d.Log[0].Text)
			assert.Equal(t, LogNotice, d.Log[0].Level)
			if c.warning != "" {
				require.Len(t, d.Log, 2)
				assert.Equal(t, LogLine{LogWarning, c.warning}, d.Log[1])
			} else {
				assert.Len(t, d.Log, 1)
			}
			if c.partial {
				assert.Equal(t, c.req.Offset, d.From)
				assert.Equal(t, c.backlog, d.BacklogBytes)
				r, err := c.buf.NewReader(d.From)
				require.NoError(t, err, "a partial decision can always open its reader")
				assert.Equal(t, d.BacklogBytes, r.Pending())
				r.Close()
			}
		})
	}
}

func TestSyncStats(t *testing.T) {
	var s SyncStats
	s.RecordPSYNC(PSYNCDecision{Partial: true})
	s.RecordPSYNC(PSYNCDecision{PartialErr: true})
	s.RecordPSYNC(PSYNCDecision{})
	s.RecordSYNC()
	assert.Equal(t, SyncStats{Full: 3, PartialOK: 1, PartialErr: 1}, s)
}

func TestFullResyncReply(t *testing.T) {
	assert.Equal(t, "+FULLRESYNC "+strings.Repeat("f", 40)+" 0\r\n", FullResyncReply(strings.Repeat("f", 40), 0))
	assert.Equal(t, "+FULLRESYNC x 123456789012\r\n", FullResyncReply("x", 123456789012))
}

func TestIDs(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	id := NewID(rng)
	assert.Len(t, id, IDLen)
	assert.Regexp(t, "^[0-9a-f]{40}$", id)
	assert.Equal(t, id, NewID(rand.New(rand.NewPCG(1, 2))), "deterministic for a seed")
	assert.NotEqual(t, id, NewID(rng))

	// Every hex digit appears, at every position, over many IDs.
	seen := make([]map[byte]bool, IDLen)
	for i := range seen {
		seen[i] = map[byte]bool{}
	}
	for range 2000 {
		s := NewID(rng)
		for i := 0; i < IDLen; i++ {
			seen[i][s[i]] = true
		}
	}
	for i := range seen {
		assert.Len(t, seen[i], 16, "position %d", i)
	}

	ids := NewIDs(rng)
	assert.Equal(t, NoReplID, ids.ReplID2)
	assert.Equal(t, int64(-1), ids.SecondOffset)
	old := ids.ReplID
	line := ids.Shift(1234, rng)
	assert.Equal(t, old, ids.ReplID2)
	assert.Equal(t, int64(1235), ids.SecondOffset)
	assert.NotEqual(t, old, ids.ReplID)
	assert.Equal(t, "Setting secondary replication ID to "+old+", valid up to offset: 1235. New replication ID is "+ids.ReplID, line)

	// After a shift, a replica of the old history continues from the
	// promoted replica's backlog up to the shift point.
	buf := NewBuffer(1<<20, 1000)
	buf.Append(make([]byte, 234))
	ids2 := IDs{ReplID: old, ReplID2: NoReplID, SecondOffset: -1}
	ids2.Shift(buf.Offset(), rng)
	d := DecidePSYNC(ids2, buf.Offset(), buf, PSYNCRequest{ReplID: old, Offset: 1235, PSYNC2: true})
	assert.True(t, d.Partial)
	assert.Equal(t, "+CONTINUE "+ids2.ReplID+"\r\n", d.Reply)

	ids.ClearID2()
	assert.Equal(t, NoReplID, ids.ReplID2)
	assert.Equal(t, int64(-1), ids.SecondOffset)
	cur := ids.ReplID
	ids.Change(rng)
	assert.NotEqual(t, cur, ids.ReplID)

	// A replica follows its master's history.
	master := strings.Repeat("9", 40)
	ids.FollowNewID(master, 700)
	assert.Equal(t, IDs{ReplID: master, ReplID2: ids.ReplID2, SecondOffset: 701}, ids)
	assert.NotEqual(t, NoReplID, ids.ReplID2)
	ids.FollowFullSync(strings.Repeat("8", 40))
	assert.Equal(t, IDs{ReplID: strings.Repeat("8", 40), ReplID2: NoReplID, SecondOffset: -1}, ids)
}
