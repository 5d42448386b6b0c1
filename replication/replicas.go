package replication

import (
	"strconv"
	"strings"
)

// Capa is the set of capabilities a replica announced with REPLCONF capa.
type Capa uint8

// Capabilities Redis 7.0 knows; others are ignored.
const (
	CapaEOF    Capa = 1 << iota // "eof": can read a diskless "$EOF:" payload
	CapaPSYNC2                  // "psync2": understands "+CONTINUE <replid>"
)

// ParseCapa returns the capability named by a REPLCONF capa argument
// (case-insensitive), 0 for one Redis does not know.
func ParseCapa(name string) Capa {
	switch {
	case asciiEqualFold(name, "eof"):
		return CapaEOF
	case asciiEqualFold(name, "psync2"):
		return CapaPSYNC2
	}
	return 0
}

// ReplicaState is where a replica stands on its master (Redis's
// SLAVE_STATE_*).
type ReplicaState uint8

// Replica states, in the order a full resynchronisation goes through them.
const (
	// StateWaitBGSaveStart: a full resync is needed and no suitable RDB is
	// being produced yet; the replica is not fed.
	StateWaitBGSaveStart ReplicaState = iota + 1
	// StateWaitBGSaveEnd: "+FULLRESYNC" was sent; the RDB is being produced
	// and the stream accumulates in the replica's Reader.
	StateWaitBGSaveEnd
	// StateSendBulk: the RDB file is being sent.
	StateSendBulk
	// StateOnline: the replica receives the stream.
	StateOnline
	// StateRDBTransmitted: an rdb-only replica got its RDB and is about to
	// be disconnected.
	StateRDBTransmitted
)

// InfoName is the state as INFO replication prints it: wait_bgsave,
// send_bulk, online, or "" for a state INFO does not list.
func (s ReplicaState) InfoName() string {
	switch s {
	case StateWaitBGSaveStart, StateWaitBGSaveEnd:
		return "wait_bgsave"
	case StateSendBulk:
		return "send_bulk"
	case StateOnline:
		return "online"
	}
	return ""
}

// Replica is a master's record of one replica connection.
type Replica struct {
	// ID is the replica client's id.
	ID uint64
	// PeerIP is the connection's remote address without the port, "" when
	// unknown.
	PeerIP string
	// ListeningPort is what REPLCONF listening-port announced, 0 when unknown.
	ListeningPort int
	// AnnouncedIP is what REPLCONF ip-address announced, "" when none.
	AnnouncedIP string
	// Capa are the announced capabilities.
	Capa Capa
	// State is the replica's state.
	State ReplicaState
	// AckOffset is the greatest offset the replica acknowledged
	// (repl_ack_off); AckTime the unix ms of its last ACK, or of when it was
	// put online (repl_ack_time).
	AckOffset int64
	AckTime   int64
	// Reader is the replica's view of the replication buffer, nil while it
	// is not fed. The table closes it when the replica is removed.
	Reader *Reader
}

// IP is the address the replica is known by: the announced one, else the
// peer address.
func (r *Replica) IP() string {
	if r.AnnouncedIP != "" {
		return r.AnnouncedIP
	}
	return r.PeerIP
}

// Name is how Redis names the replica in its log lines
// (replicationGetSlaveName): "ip:port" ("[ip]:port" for IPv6),
// "ip:<unknown-replica-port>" before REPLCONF listening-port, or
// "client id #N" without an address.
func (r *Replica) Name() string {
	ip := r.IP()
	switch {
	case ip == "":
		return "client id #" + strconv.FormatUint(r.ID, 10)
	case r.ListeningPort == 0:
		return ip + ":<unknown-replica-port>"
	}
	return FormatAddr(ip, r.ListeningPort)
}

// FormatAddr joins an address and a port as Redis does: "[ip]:port" when the
// address contains ':', "ip:port" otherwise.
func FormatAddr(ip string, port int) string {
	if strings.IndexByte(ip, ':') >= 0 {
		return "[" + ip + "]:" + strconv.Itoa(port)
	}
	return ip + ":" + strconv.Itoa(port)
}

// LagSeconds is the lag INFO prints for the replica at unix ms now: whole
// seconds between its last ACK and now (both truncated to the second, as
// Redis keeps them), 0 unless online.
func (r *Replica) LagSeconds(now int64) int64 {
	if r.State != StateOnline {
		return 0
	}
	return now/1000 - r.AckTime/1000
}

// LagMillis is the time since the replica's last ACK in milliseconds (not a
// Redis figure).
func (r *Replica) LagMillis(now int64) int64 { return now - r.AckTime }

// LagBytes is how far the replica's acknowledged offset is behind
// masterOffset (not a Redis figure).
func (r *Replica) LagBytes(masterOffset int64) int64 { return masterOffset - r.AckOffset }

// Replicas is a master's table of replicas, in the order they were added
// (Redis's server.slaves list, which INFO follows), with the WAIT
// bookkeeping that depends on their acknowledgements.
//
// The table holds no clock: every time is an argument in unix ms.
type Replicas struct {
	list    []*Replica
	waiters []*waiter // newest first, as Redis's clients_waiting_acks
	getAck  bool
}

// Add appends r to the table. An ID already present is replaced in place.
func (t *Replicas) Add(r *Replica) {
	for i, x := range t.list {
		if x.ID == r.ID {
			if x.Reader != nil && x.Reader != r.Reader {
				x.Reader.Close()
			}
			t.list[i] = r
			return
		}
	}
	t.list = append(t.list, r)
}

// Remove takes the replica with the given id out of the table, closes its
// Reader and returns it (nil when absent).
func (t *Replicas) Remove(id uint64) *Replica {
	for i, r := range t.list {
		if r.ID == id {
			copy(t.list[i:], t.list[i+1:])
			t.list[len(t.list)-1] = nil
			t.list = t.list[:len(t.list)-1]
			if r.Reader != nil {
				r.Reader.Close()
			}
			return r
		}
	}
	return nil
}

// Get returns the replica with the given id, or nil.
func (t *Replicas) Get(id uint64) *Replica {
	for _, r := range t.list {
		if r.ID == id {
			return r
		}
	}
	return nil
}

// Len is the number of replicas (connected_slaves).
func (t *Replicas) Len() int { return len(t.list) }

// List returns the replicas in table order. The slice is the table's own:
// do not modify it, and do not keep it across Add or Remove.
func (t *Replicas) List() []*Replica { return t.list }

// Ack records REPLCONF ACK <offset> from replica id at unix ms now: the
// acknowledged offset only grows, the ACK time is always refreshed. It
// returns the replica, nil when the id is unknown (Redis ignores ACKs from
// clients that are not replicas).
func (t *Replicas) Ack(id uint64, offset, now int64) *Replica {
	r := t.Get(id)
	if r == nil {
		return nil
	}
	if offset > r.AckOffset {
		r.AckOffset = offset
	}
	r.AckTime = now
	return r
}

// CountAcks is the number of online replicas whose acknowledged offset is at
// least offset (replicationCountAcksByOffset).
func (t *Replicas) CountAcks(offset int64) int {
	n := 0
	for _, r := range t.list {
		if r.State == StateOnline && r.AckOffset >= offset {
			n++
		}
	}
	return n
}

// GoodCount is the number of good replicas for min-replicas-to-write at
// unix ms now: online ones whose lag in whole seconds is at most maxLag
// (min-replicas-max-lag). Redis keeps this count only when both
// min-replicas settings are non-zero (INFO min_slaves_good_slaves).
func (t *Replicas) GoodCount(now, maxLag int64) int {
	n := 0
	for _, r := range t.list {
		if r.State == StateOnline && now/1000-r.AckTime/1000 <= maxLag {
			n++
		}
	}
	return n
}

// WritesAllowed tells whether a master accepts writes under
// min-replicas-to-write / min-replicas-max-lag (checkGoodReplicasStatus):
// always when either setting is 0, otherwise when GoodCount reaches
// minReplicas. A refused write gets NoReplicasError.
func (t *Replicas) WritesAllowed(now int64, minReplicas, maxLag int64) bool {
	if minReplicas == 0 || maxLag == 0 {
		return true
	}
	return int64(t.GoodCount(now, maxLag)) >= minReplicas
}

// NoReplicasError is Redis's reply to a write refused for lack of good
// replicas.
const NoReplicasError = "-NOREPLICAS Not enough good replicas to write.\r\n"

// ReplicaInfo is one replica as INFO replication describes it, plus figures
// Redis does not print.
type ReplicaInfo struct {
	Index     int    // N in slaveN, counting only the listed replicas
	IP        string // the announced address, else the peer address
	Port      int    // the listening port (0 when unknown)
	State     string // ReplicaState.InfoName
	Offset    int64  // the acknowledged offset
	Lag       int64  // seconds, as INFO prints it
	LagMillis int64  // milliseconds since the last ACK
	LagBytes  int64  // master offset minus acknowledged offset
	Replica   *Replica
}

// Line renders the INFO line without its "\r\n":
// "slaveN:ip=...,port=...,state=...,offset=...,lag=...".
func (i ReplicaInfo) Line() string {
	return "slave" + strconv.Itoa(i.Index) + ":ip=" + i.IP + ",port=" + strconv.Itoa(i.Port) +
		",state=" + i.State + ",offset=" + strconv.FormatInt(i.Offset, 10) + ",lag=" + strconv.FormatInt(i.Lag, 10)
}

// Info lists the replicas as INFO replication does at unix ms now, given the
// master's offset: in table order, skipping replicas without an address and
// replicas whose state INFO does not name, numbered consecutively.
func (t *Replicas) Info(now, masterOffset int64) []ReplicaInfo {
	var out []ReplicaInfo
	for _, r := range t.list {
		ip := r.IP()
		state := r.State.InfoName()
		if ip == "" || state == "" {
			continue
		}
		out = append(out, ReplicaInfo{
			Index: len(out), IP: ip, Port: r.ListeningPort, State: state, Offset: r.AckOffset,
			Lag: r.LagSeconds(now), LagMillis: r.LagMillis(now), LagBytes: r.LagBytes(masterOffset), Replica: r,
		})
	}
	return out
}
