package replication

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
)

// ErrTransfer matches (errors.Is) every *TransferError.
var ErrTransfer = errors.New("replication transfer failed")

// TransferError ends a transfer; the node closes the link and retries later.
type TransferError struct {
	// Text is the line Redis logs at warning level, e.g. "MASTER aborted
	// replication with an error: ERR ...".
	Text string
}

func (e *TransferError) Error() string { return e.Text }

// Is makes errors.Is(err, ErrTransfer) true.
func (e *TransferError) Is(target error) bool { return target == ErrTransfer }

// maxTransferLine is how many bytes Redis reads at most for the bulk header
// line (a 1024-byte buffer with its terminating NUL).
const maxTransferLine = 1023

// TransferStep is what one call to Transfer.Feed produced.
type TransferStep struct {
	// Payload holds the payload bytes released by this call, in order (at most
	// two slices). They alias the slice given to Feed or the Transfer's own
	// small buffer, and are valid only until the next call to Feed: write or
	// copy them before feeding more.
	Payload [][]byte
	// Keepalive is true when this call consumed at least one empty line
	// before the header (the master's "\n" pings while it prepares the RDB);
	// Redis refreshes the link's last-I/O time on them.
	Keepalive bool
	// Log holds the lines Redis logs at this point (the header notice).
	Log []LogLine
	// Done is true when the payload is complete; Rest is then the part of the
	// fed slice after the payload (and after the EOF mark): the beginning of
	// the command stream. It aliases the slice given to Feed.
	Done bool
	Rest []byte
}

type trPhase uint8

const (
	trHeader trPhase = iota
	trSized
	trMarked
	trDone
	trFailed
)

// Transfer reads the payload of a full resynchronisation, in either form a
// Redis master sends it:
//
//   - "$<len>\r\n" followed by len bytes (an RDB file saved on disk);
//   - "$EOF:<mark>\r\n" followed by the bytes and then the 40-byte mark
//     again (diskless replication, size unknown in advance); the mark is not
//     part of the payload. The first occurrence of the mark ends the payload.
//
// Empty lines before the header are keepalives and are skipped. The header
// is read as Redis reads it (at most 1023 bytes, cut at a NUL byte): a line
// starting with '-' is the master's error, any other line not starting with
// '$' is a protocol error. A length is read like strtol; a negative one is
// rejected and "$0" is an empty payload.
//
// Progress figures follow Redis's INFO master_sync_* fields.
type Transfer struct {
	phase    trPhase
	toParser bool
	isMarked bool
	line     []byte // header bytes received so far
	size     int64  // master_sync_total_bytes: -1 before the header, 0 with a mark
	read     int64  // master_sync_read_bytes: payload bytes (and mark bytes) consumed
	payload  int64  // payload bytes released
	mark     [IDLen]byte
	hold     []byte // last bytes of a marked payload that may be the start of the mark (< IDLen)
	emit     [IDLen]byte
	scratch  [2*IDLen - 2]byte
	out      [2][]byte
}

// NewTransfer returns a reader waiting for the header. toParser only changes
// the wording of the header notice: true when the replica loads the payload
// directly (repl-diskless-load), false when it writes it to a file first.
func NewTransfer(toParser bool) *Transfer {
	return &Transfer{size: -1, toParser: toParser}
}

// TotalBytes is master_sync_total_bytes: the announced length, -1 while the
// header is not read, 0 for a payload ended by a mark.
func (t *Transfer) TotalBytes() int64 { return t.size }

// ReadBytes is master_sync_read_bytes: the bytes consumed after the header,
// the mark included once seen.
func (t *Transfer) ReadBytes() int64 { return t.read }

// PayloadBytes is the number of payload bytes released so far.
func (t *Transfer) PayloadBytes() int64 { return t.payload }

// Marked reports whether the payload is ended by a mark (diskless).
func (t *Transfer) Marked() bool { return t.isMarked }

// Done reports whether the payload is complete.
func (t *Transfer) Done() bool { return t.phase == trDone }

// Feed consumes p. See TransferStep for what it returns and how long the
// returned slices live. After an error or completion, Feed returns an error.
func (t *Transfer) Feed(p []byte) (TransferStep, error) {
	var st TransferStep
	st.Payload = t.out[:0]
	for t.phase == trHeader {
		if len(p) == 0 {
			return st, nil
		}
		if err := t.header(&p, &st); err != nil {
			t.phase = trFailed
			return st, err
		}
	}
	switch t.phase {
	case trSized:
		need := t.size - t.read
		n := int64(len(p))
		if n > need {
			n = need
		}
		if n > 0 {
			st.Payload = append(st.Payload, p[:n:n])
			t.read += n
			t.payload += n
		}
		if t.read == t.size {
			t.phase = trDone
			st.Done = true
			st.Rest = p[n:]
		}
	case trMarked:
		t.marked(p, &st)
	default:
		return st, errors.New("replication: Transfer.Feed after the transfer ended")
	}
	return st, nil
}

// header consumes header bytes from *p: a keepalive line, the header line
// (the phase then says how the payload ends), or a part of a line.
func (t *Transfer) header(p *[]byte, st *TransferStep) error {
	room := maxTransferLine - len(t.line)
	chunk := (*p)[:min(len(*p), room)]
	i := bytes.IndexByte(chunk, '\n')
	var raw []byte
	switch {
	case i >= 0:
		t.line = append(t.line, chunk[:i]...)
		*p = (*p)[i+1:]
		raw = t.line
		if n := len(raw); n > 0 && raw[n-1] == '\r' {
			raw = raw[:n-1]
		}
	case len(chunk) == room:
		t.line = append(t.line, chunk...)
		*p = (*p)[len(chunk):]
		raw = t.line
	default:
		t.line = append(t.line, chunk...)
		*p = (*p)[len(chunk):]
		return nil
	}
	line := cString(string(raw))
	t.line = t.line[:0]
	switch {
	case line == "":
		st.Keepalive = true
		return nil
	case line[0] == '-':
		return &TransferError{Text: "MASTER aborted replication with an error: " + line[1:]}
	case line[0] != '$':
		return &TransferError{Text: "Bad protocol from MASTER, the first byte is not '$' (we received '" + line + "'), are you sure the host and port are right?"}
	}
	target := "to disk"
	if t.toParser {
		target = "to parser"
	}
	if strings.HasPrefix(line[1:], "EOF:") && len(line) >= 5+IDLen {
		copy(t.mark[:], line[5:5+IDLen])
		t.size = 0
		t.isMarked = true
		t.phase = trMarked
		st.Log = append(st.Log, notice("MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF "+target))
		return nil
	}
	size := strtoll(line[1:])
	if size < 0 {
		return &TransferError{Text: "Bad protocol from MASTER, negative payload length (we received '" + line + "')"}
	}
	t.size = size
	t.phase = trSized
	st.Log = append(st.Log, notice(fmt.Sprintf("MASTER <-> REPLICA sync: receiving %d bytes from master %s", size, target)))
	return nil
}

// marked consumes payload bytes ended by the mark. The logical input is
// hold+p; the last IDLen-1 bytes are held back while they could be the
// beginning of the mark.
func (t *Transfer) marked(p []byte, st *TransferStep) {
	h := len(t.hold)
	// A mark starting in hold: search hold + the first bytes of p.
	at := -1
	if h > 0 {
		s := append(t.scratch[:0], t.hold...)
		s = append(s, p[:min(len(p), IDLen-1)]...)
		if i := bytes.Index(s, t.mark[:]); i >= 0 {
			at = i
		}
	}
	if at < 0 {
		if i := bytes.Index(p, t.mark[:]); i >= 0 {
			at = h + i
		}
	}
	if at >= 0 {
		t.release(st, p, at)
		end := at + IDLen - h // index in p just past the mark
		t.read += int64(end)
		t.hold = t.hold[:0]
		t.phase = trDone
		st.Done = true
		st.Rest = p[end:]
		return
	}
	t.read += int64(len(p))
	total := h + len(p)
	keep := min(total, IDLen-1)
	t.release(st, p, total-keep)
	// New hold: the last keep bytes of hold+p.
	if keep <= len(p) {
		t.hold = append(t.hold[:0], p[len(p)-keep:]...)
	} else {
		from := h - (keep - len(p)) // keep the tail of hold, then all of p
		t.hold = append(t.hold[:0], t.hold[from:]...)
		t.hold = append(t.hold, p...)
	}
}

// release emits the first n bytes of hold+p as payload.
func (t *Transfer) release(st *TransferStep, p []byte, n int) {
	if n <= 0 {
		return
	}
	h := len(t.hold)
	if k := min(n, h); k > 0 {
		// hold is rewritten before Feed returns, so emit a copy.
		copy(t.emit[:], t.hold[:k])
		st.Payload = append(st.Payload, t.emit[:k:k])
	}
	if n > h {
		st.Payload = append(st.Payload, p[:n-h:n-h])
	}
	t.payload += int64(n)
}
