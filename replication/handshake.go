package replication

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"replab/resp"
	"strconv"
	"strings"
)

// ErrHandshake matches (errors.Is) every *HandshakeError.
var ErrHandshake = errors.New("replication handshake failed")

// HandshakeError ends a handshake: the node closes the link and, as Redis,
// tries again later (unless Failover is set).
type HandshakeError struct {
	// Text is the line Redis logs at warning level, word for word, e.g.
	// "Error reply to PING from master: '-ERR x'" or
	// "Unable to AUTH to MASTER: -WRONGPASS ...".
	Text string
	// Failover is true when the handshake was the last step of a FAILOVER
	// and the target rejected it: Redis then aborts the failover
	// (abortFailover with Text as the reason) instead of retrying.
	Failover bool
}

func (e *HandshakeError) Error() string { return e.Text }

// Is makes errors.Is(err, ErrHandshake) true.
func (e *HandshakeError) Is(target error) bool { return target == ErrHandshake }

// HandshakeConfig is what the replica sends during the handshake.
type HandshakeConfig struct {
	// ListeningPort is sent with REPLCONF listening-port: replica-announce-port
	// when set, else the TLS port when replicating over TLS, else port.
	ListeningPort int
	// AnnounceIP is replica-announce-ip; REPLCONF ip-address is sent only when
	// it is not empty.
	AnnounceIP string
	// MasterAuth is masterauth; AUTH is sent only when it is not empty, as
	// "AUTH <MasterAuth>" or, with MasterUser, "AUTH <MasterUser> <MasterAuth>".
	MasterUser string
	MasterAuth string
	// CachedReplID and CachedOffset describe the cached master (the history
	// the replica has and the offset of its last byte). With CachedReplID
	// empty the replica asks "PSYNC ? -1", otherwise
	// "PSYNC <CachedReplID> <CachedOffset+1>".
	CachedReplID string
	CachedOffset int64
	// Failover adds the FAILOVER argument to PSYNC (a FAILOVER in progress
	// on this node, the old master, towards the target it connects to).
	Failover bool
}

// Outcome is how a successful handshake ended: FullResync, Continue or Retry.
type Outcome interface{ isOutcome() }

// FullResync: the master will send an RDB (read it with a Transfer), then the
// stream from Offset+1.
type FullResync struct {
	// ReplID and Offset come from "+FULLRESYNC <replid> <offset>": the new
	// master history and its offset at the RDB. ReplID is empty and Offset
	// -1 when the line was malformed or the master did not know PSYNC (then
	// SYNC was true and the replica cannot partially resync later).
	ReplID string
	Offset int64
	// SYNC is true when the master refused PSYNC with an error it does not
	// explain and the replica fell back to the old SYNC command.
	SYNC bool
}

// Continue: the master accepted the partial resynchronisation; the stream
// continues after the cached offset.
type Continue struct {
	// ReplID is the master's current replication ID: the one it announced in
	// "+CONTINUE <replid>", or the cached one when it announced none.
	ReplID string
	// Changed is true when the master announced an ID other than the cached
	// one: the replica must make the cached ID its ReplID2 valid up to its
	// offset+1 and adopt ReplID (IDs.FollowNewID), and disconnect its own
	// replicas.
	Changed bool
}

// Retry: the master is in a transient state (-NOMASTERLINK, -LOADING); the
// replica closes the link and tries again later, as Redis does.
type Retry struct {
	Reply string // the master's reply line
}

func (FullResync) isOutcome() {}
func (Continue) isOutcome()   {}
func (Retry) isOutcome()      {}

// HandshakeStep is what one call to Feed produced.
type HandshakeStep struct {
	// Send holds the bytes to write to the master now (nil when none). It is
	// owned by the caller.
	Send []byte
	// Log holds the lines Redis logs at this point, in order.
	Log []LogLine
	// Done is true when the handshake finished with Outcome; Rest then holds
	// the bytes that followed the PSYNC reply.
	Done    bool
	Outcome Outcome
}

type hsPhase uint8

const (
	hsNew hsPhase = iota
	hsPing
	hsAuth
	hsPort
	hsIP
	hsCapa
	hsPSYNC
	hsDone
	hsFailed
)

// maxHandshakeLine is how many bytes Redis reads at most for one handshake
// reply line (a 256-byte buffer with its terminating NUL); longer replies are
// cut there and the rest is read as the next reply.
const maxHandshakeLine = 255

// Handshake is the replica's side of the replication handshake of Redis 7.0
// (syncWithMaster): from the PING after the TCP connection is established to
// the reply to PSYNC.
//
// The sequence: PING, accepting "+..." or an authentication error (-NOAUTH,
// -NOPERM, "-ERR operation not permitted") because AUTH follows; then, pipelined,
// AUTH (when configured), REPLCONF listening-port, REPLCONF ip-address (when
// configured) and REPLCONF capa eof capa psync2; their replies one by one
// (an AUTH error fails, the others are logged as non critical); then PSYNC and
// its reply, skipping the empty lines a master sends as keepalives. Replies
// are read line by line as Redis does (at most 255 bytes per line, "\r\n" or
// "\n" terminated, cut at a NUL byte).
//
// Timeouts are the caller's: Redis gives up when nothing arrived for
// repl-timeout seconds during the handshake.
type Handshake struct {
	cfg   HandshakeConfig
	phase hsPhase
	buf   []byte // bytes received and not consumed
}

// NewHandshake returns a handshake for cfg; call Start once connected.
func NewHandshake(cfg HandshakeConfig) *Handshake {
	return &Handshake{cfg: cfg}
}

// Start returns the first bytes to send, the PING command in multibulk form.
// It panics if called twice.
func (h *Handshake) Start() []byte {
	if h.phase != hsNew {
		panic("replication: Handshake.Start called twice")
	}
	h.phase = hsPing
	return resp.EncodeCommand(nil, "PING")
}

// Done reports whether the handshake finished successfully.
func (h *Handshake) Done() bool { return h.phase == hsDone }

// Rest returns the bytes received after the PSYNC reply line (the start of
// the RDB transfer or of the stream) once Done; it aliases the handshake's
// buffer and is valid until the handshake is discarded.
func (h *Handshake) Rest() []byte {
	if h.phase != hsDone {
		return nil
	}
	return h.buf
}

// Feed consumes bytes from the master. It returns what to send and log, and
// the outcome once the PSYNC reply is complete. An error (a *HandshakeError)
// ends the handshake; so does an Outcome. Feed copies p. Calling Feed before
// Start, or after the handshake ended, returns an error.
func (h *Handshake) Feed(p []byte) (HandshakeStep, error) {
	var st HandshakeStep
	switch h.phase {
	case hsNew:
		return st, errors.New("replication: Handshake.Feed before Start")
	case hsDone, hsFailed:
		return st, errors.New("replication: Handshake.Feed after the handshake ended")
	}
	h.buf = append(h.buf, p...)
	for h.phase != hsDone {
		line, ok := h.line()
		if !ok {
			return st, nil
		}
		if err := h.reply(line, &st); err != nil {
			h.phase = hsFailed
			h.buf = nil
			return st, err
		}
	}
	return st, nil
}

// line takes the next reply line from buf as Redis's syncReadLine reads it.
func (h *Handshake) line() (string, bool) {
	n := min(len(h.buf), maxHandshakeLine)
	i := bytes.IndexByte(h.buf[:n], '\n')
	var raw []byte
	switch {
	case i >= 0:
		raw = h.buf[:i]
		if i > 0 && raw[i-1] == '\r' {
			raw = raw[:i-1]
		}
		h.buf = h.buf[i+1:]
	case n == maxHandshakeLine:
		raw = h.buf[:n]
		h.buf = h.buf[n:]
	default:
		return "", false
	}
	return cString(string(raw)), true
}

// reply handles one reply line in the current phase.
func (h *Handshake) reply(line string, st *HandshakeStep) error {
	switch h.phase {
	case hsPing:
		if !strings.HasPrefix(line, "+") && !strings.HasPrefix(line, "-NOAUTH") &&
			!strings.HasPrefix(line, "-NOPERM") && !strings.HasPrefix(line, "-ERR operation not permitted") {
			return &HandshakeError{Text: "Error reply to PING from master: '" + line + "'"}
		}
		st.Log = append(st.Log, notice("Master replied to PING, replication can continue..."))
		if h.cfg.MasterAuth != "" {
			if h.cfg.MasterUser != "" {
				st.Send = resp.EncodeCommand(st.Send, "AUTH", h.cfg.MasterUser, h.cfg.MasterAuth)
			} else {
				st.Send = resp.EncodeCommand(st.Send, "AUTH", h.cfg.MasterAuth)
			}
		}
		st.Send = resp.EncodeCommand(st.Send, "REPLCONF", "listening-port", strconv.Itoa(h.cfg.ListeningPort))
		if h.cfg.AnnounceIP != "" {
			st.Send = resp.EncodeCommand(st.Send, "REPLCONF", "ip-address", h.cfg.AnnounceIP)
		}
		st.Send = resp.EncodeCommand(st.Send, "REPLCONF", "capa", "eof", "capa", "psync2")
		if h.cfg.MasterAuth != "" {
			h.phase = hsAuth
		} else {
			h.phase = hsPort
		}
	case hsAuth:
		if strings.HasPrefix(line, "-") {
			return &HandshakeError{Text: "Unable to AUTH to MASTER: " + line}
		}
		h.phase = hsPort
	case hsPort:
		if strings.HasPrefix(line, "-") {
			st.Log = append(st.Log, notice("(Non critical) Master does not understand REPLCONF listening-port: "+line))
		}
		if h.cfg.AnnounceIP != "" {
			h.phase = hsIP
		} else {
			h.phase = hsCapa
		}
	case hsIP:
		if strings.HasPrefix(line, "-") {
			st.Log = append(st.Log, notice("(Non critical) Master does not understand REPLCONF ip-address: "+line))
		}
		h.phase = hsCapa
	case hsCapa:
		if strings.HasPrefix(line, "-") {
			st.Log = append(st.Log, notice("(Non critical) Master does not understand REPLCONF capa: "+line))
		}
		id, off := "?", "-1"
		if h.cfg.CachedReplID != "" {
			id, off = h.cfg.CachedReplID, strconv.FormatInt(h.cfg.CachedOffset+1, 10)
			st.Log = append(st.Log, notice("Trying a partial resynchronization (request "+id+":"+off+")."))
		} else {
			st.Log = append(st.Log, notice("Partial resynchronization not possible (no cached master)"))
		}
		if h.cfg.Failover {
			st.Send = resp.EncodeCommand(st.Send, "PSYNC", id, off, "FAILOVER")
		} else {
			st.Send = resp.EncodeCommand(st.Send, "PSYNC", id, off)
		}
		h.phase = hsPSYNC
	case hsPSYNC:
		if line == "" {
			return nil // a keepalive newline while the master prepares
		}
		return h.psyncReply(line, st)
	}
	return nil
}

// psyncReply interprets the reply to PSYNC (slaveTryPartialResynchronization's
// reading half and what syncWithMaster does with its result).
func (h *Handshake) psyncReply(line string, st *HandshakeStep) error {
	switch {
	case strings.HasPrefix(line, "+FULLRESYNC"):
		out := FullResync{Offset: -1}
		id, off, ok := parseFullResync(line)
		if ok {
			out.ReplID, out.Offset = id, off
			st.Log = append(st.Log, notice(fmt.Sprintf("Full resync from master: %s:%d", id, off)))
		} else {
			st.Log = append(st.Log, warning("Master replied with wrong +FULLRESYNC syntax."))
		}
		h.finish(st, out)
		return nil
	case strings.HasPrefix(line, "+CONTINUE"):
		if h.cfg.CachedReplID == "" {
			return &HandshakeError{Text: "Unexpected reply to PSYNC from master: " + line + " (no cached master to continue)"}
		}
		st.Log = append(st.Log, notice("Successful partial resynchronization with master."))
		out := Continue{ReplID: h.cfg.CachedReplID}
		end := 9
		for end < len(line) && line[end] != '\r' && line[end] != '\n' {
			end++
		}
		if end-10 == IDLen {
			if id := line[10:end]; id != h.cfg.CachedReplID {
				st.Log = append(st.Log, warning("Master replication ID changed to "+id))
				out = Continue{ReplID: id, Changed: true}
			}
		}
		st.Log = append(st.Log, notice("MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization."))
		h.finish(st, out)
		return nil
	case strings.HasPrefix(line, "-NOMASTERLINK"), strings.HasPrefix(line, "-LOADING"):
		st.Log = append(st.Log, notice("Master is currently unable to PSYNC but should be in the future: "+line))
		if h.cfg.Failover {
			return &HandshakeError{Text: "Failover target rejected psync request", Failover: true}
		}
		h.finish(st, Retry{Reply: line})
		return nil
	}
	if strings.HasPrefix(line, "-ERR") {
		st.Log = append(st.Log, notice("Master does not support PSYNC or is in error state (reply: "+line+")"))
	} else {
		st.Log = append(st.Log, warning("Unexpected reply to PSYNC from master: "+line))
	}
	if h.cfg.Failover {
		return &HandshakeError{Text: "Failover target rejected psync request", Failover: true}
	}
	st.Log = append(st.Log, notice("Retrying with SYNC..."))
	st.Send = append(st.Send, "SYNC\r\n"...)
	h.finish(st, FullResync{Offset: -1, SYNC: true})
	return nil
}

func (h *Handshake) finish(st *HandshakeStep, out Outcome) {
	h.phase = hsDone
	st.Done = true
	st.Outcome = out
}

// parseFullResync reads "+FULLRESYNC <replid> <offset>" as Redis does: the ID
// is what lies between the first and the second space and must be IDLen
// long; the offset is read like strtoll (leading spaces, a sign, digits, and
// whatever follows ignored).
func parseFullResync(line string) (string, int64, bool) {
	sp := strings.IndexByte(line, ' ')
	if sp < 0 {
		return "", 0, false
	}
	rest := line[sp+1:]
	sp2 := strings.IndexByte(rest, ' ')
	if sp2 != IDLen {
		return "", 0, false
	}
	return rest[:IDLen], strtoll(rest[IDLen+1:]), true
}

// strtoll parses like C's strtoll(s, NULL, 10): optional leading white space
// and sign, then as many digits as there are, clamped to the int64 range; 0
// when there are no digits.
func strtoll(s string) int64 {
	i := 0
	for i < len(s) && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r')) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	const limit = 1 << 63 // the magnitude of the smallest int64
	var v uint64
	over := false
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		d := uint64(s[i] - '0')
		if over || v > (limit-d)/10 {
			over = true
			continue
		}
		v = v*10 + d
	}
	switch {
	case neg && over:
		return math.MinInt64
	case neg:
		return int64(-v) // v == limit wraps to MinInt64, the right value
	case over || v > math.MaxInt64:
		return math.MaxInt64
	}
	return int64(v)
}

// AckCommand is what a replica sends to report its offset (every second,
// and when asked with REPLCONF GETACK): REPLCONF ACK <offset> as a multibulk.
func AckCommand(offset int64) []byte {
	return resp.EncodeCommand(nil, "REPLCONF", "ACK", strconv.FormatInt(offset, 10))
}

// GetAckCommand is the command a master feeds into the replication stream to
// ask every replica for an ACK ("REPLCONF GETACK *"); its bytes count in the
// stream offsets like any other command.
var GetAckCommand = string(resp.EncodeCommand(nil, "REPLCONF", "GETACK", "*"))
