package replication

import (
	"fmt"
	"strconv"
)

// PSYNCRequest is what a replica asked with PSYNC <replid> <offset>.
type PSYNCRequest struct {
	ReplID  string // the first argument: the history the replica has, or "?" for a forced full resync
	Offset  int64  // the second argument: the first byte the replica lacks (its offset + 1)
	PSYNC2  bool   // the replica announced REPLCONF capa psync2
	Replica string // the replica's name for the log lines (Replica.Name)
}

// PSYNCDecision is a master's answer to a PSYNCRequest (Redis's
// masterTryPartialResynchronization and the counters syncCommand keeps).
type PSYNCDecision struct {
	// Partial is true when the replica can continue from the backlog.
	Partial bool
	// Reply is the line to write at once when Partial: "+CONTINUE <replid>\r\n"
	// for a psync2 replica, "+CONTINUE\r\n" otherwise. Empty for a full
	// resync, whose "+FULLRESYNC" line (FullResyncReply) is written when the
	// RDB for it starts, with the offset of that moment.
	Reply string
	// From is, when Partial, the offset at which to open the replica's Reader
	// (the request's offset); BacklogBytes are the bytes it sends at once
	// (Buffer.Offset()+1-From).
	From         int64
	BacklogBytes int64
	// Reason is the main log line, in Redis's words: why the resync is full,
	// or the acceptance line.
	Reason string
	// Log holds every line Redis logs in this decision, Reason included, in
	// order.
	Log []LogLine
	// PartialErr tells whether the request counts in sync_partial_err: a full
	// resync for a request whose replid does not start with '?'.
	PartialErr bool
}

// DecidePSYNC decides between a partial and a full resynchronisation as Redis
// 7.0's master does. ids is the master's identity, masterOffset its
// master_repl_offset (buf.Offset() when it has a backlog), buf its replication
// buffer, nil when it has no backlog (a full resync is then the only option).
//
// The request's ReplID is accepted when it equals ids.ReplID, or ids.ReplID2
// with Offset <= ids.SecondOffset (IDs compare case-insensitively, as Redis's
// strcasecmp); the offset must then be covered by the backlog (Buffer.Covers).
func DecidePSYNC(ids IDs, masterOffset int64, buf *Buffer, req PSYNCRequest) PSYNCDecision {
	var d PSYNCDecision
	req.ReplID = cString(req.ReplID) // Redis sees the argument as a C string
	full := func(lines ...LogLine) PSYNCDecision {
		d.Reason = lines[0].Text
		d.Log = lines
		d.PartialErr = req.ReplID == "" || req.ReplID[0] != '?'
		return d
	}
	isID1 := asciiEqualFold(req.ReplID, ids.ReplID)
	isID2 := asciiEqualFold(req.ReplID, ids.ReplID2)
	if !isID1 && (!isID2 || req.Offset > ids.SecondOffset) {
		switch {
		case req.ReplID != "" && req.ReplID[0] == '?':
			return full(notice("Full resync requested by replica " + req.Replica))
		case !isID2:
			return full(notice(fmt.Sprintf("Partial resynchronization not accepted: Replication ID mismatch (Replica asked for '%s', my replication IDs are '%s' and '%s')",
				req.ReplID, ids.ReplID, ids.ReplID2)))
		default:
			return full(notice(fmt.Sprintf("Partial resynchronization not accepted: Requested offset for second ID was %d, but I can reply up to %d",
				req.Offset, ids.SecondOffset)))
		}
	}
	if buf == nil || !buf.Covers(req.Offset) {
		lines := []LogLine{notice(fmt.Sprintf("Unable to partial resync with replica %s for lack of backlog (Replica request was: %d).",
			req.Replica, req.Offset))}
		if req.Offset > masterOffset {
			lines = append(lines, warning(fmt.Sprintf("Warning: replica %s tried to PSYNC with an offset that is greater than the master replication offset.", req.Replica)))
		}
		return full(lines...)
	}
	d.Partial = true
	if req.PSYNC2 {
		d.Reply = "+CONTINUE " + ids.ReplID + "\r\n"
	} else {
		d.Reply = "+CONTINUE\r\n"
	}
	d.From = req.Offset
	d.BacklogBytes = buf.Offset() + 1 - req.Offset
	d.Reason = fmt.Sprintf("Partial resynchronization request from %s accepted. Sending %d bytes of backlog starting from offset %d.",
		req.Replica, d.BacklogBytes, req.Offset)
	d.Log = []LogLine{notice(d.Reason)}
	return d
}

// FullResyncReply is the line a master writes when the RDB for a full
// resynchronisation starts: "+FULLRESYNC <replid> <offset>\r\n", offset being
// master_repl_offset at that moment (the replica's stream starts at
// offset+1).
func FullResyncReply(replID string, offset int64) string {
	return "+FULLRESYNC " + replID + " " + strconv.FormatInt(offset, 10) + "\r\n"
}

// SyncStats are the master's sync counters of INFO stats.
type SyncStats struct {
	Full       int64 // sync_full
	PartialOK  int64 // sync_partial_ok
	PartialErr int64 // sync_partial_err
}

// RecordPSYNC counts a decision as syncCommand does: a partial resync in
// PartialOK; a full one in Full and, when d.PartialErr, in PartialErr.
func (s *SyncStats) RecordPSYNC(d PSYNCDecision) {
	if d.Partial {
		s.PartialOK++
		return
	}
	s.Full++
	if d.PartialErr {
		s.PartialErr++
	}
}

// RecordSYNC counts an old-style SYNC request (always a full resync).
func (s *SyncStats) RecordSYNC() { s.Full++ }

// cString returns s up to its first NUL byte, the string C code would see.
func cString(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return s[:i]
		}
	}
	return s
}

// asciiEqualFold compares like C's strcasecmp in the C locale: ASCII letters
// fold, every other byte must be equal.
func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
