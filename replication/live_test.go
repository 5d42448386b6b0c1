package replication_test

// Live tests against Debian's redis-server 7.0: the replica-side machines
// drive a real TCP connection to a real master, and the master-side PSYNC
// decision is compared with what a real master replies, logs and counts.
// Skipped (loudly) without redis-server, failed under CI=true.

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"

	"replab/internal/redistest"
	"replab/replication"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// infoMap returns INFO all as a map, authenticating with auth when given.
func infoMap(t *testing.T, addr string, auth ...string) map[string]string {
	t.Helper()
	c := redistest.Dial(t, addr)
	defer c.Close()
	if len(auth) > 0 {
		c.Do(append([]string{"AUTH"}, auth...)...)
	}
	_, v := c.Do("INFO", "all")
	m := map[string]string{}
	for _, l := range strings.Split(v.Str, "\r\n") {
		if k, val, ok := strings.Cut(l, ":"); ok {
			m[k] = val
		}
	}
	return m
}

func atoi64(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	require.NoError(t, err, s)
	return n
}

// replicate runs a Handshake and, after a full resync, a Transfer over a
// real connection, until stop(stream) is true for the stream bytes that
// follow. It returns the outcome, the payload and the stream.
func replicate(t *testing.T, addr string, cfg replication.HandshakeConfig, afterSync func(*rawConn, replication.Outcome), stop func([]byte) bool) (replication.Outcome, []byte, []byte) {
	t.Helper()
	c := dialRaw(t, addr)
	h := replication.NewHandshake(cfg)
	c.write(h.Start())
	buf := make([]byte, 4096)
	read := func() []byte {
		c.nc.SetReadDeadline(time.Now().Add(15 * time.Second))
		n, err := c.nc.Read(buf)
		if n == 0 {
			t.Fatalf("read: %v", err)
		}
		return buf[:n]
	}
	var out replication.Outcome
	for out == nil {
		st, err := h.Feed(read())
		require.NoError(t, err)
		if len(st.Send) > 0 {
			c.write(st.Send)
		}
		out = st.Outcome
	}
	in := append([]byte(nil), h.Rest()...)
	var payload, stream []byte
	if _, full := out.(replication.FullResync); full {
		tr := replication.NewTransfer(false)
		for {
			if len(in) == 0 {
				in = append(in, read()...)
			}
			st, err := tr.Feed(in)
			require.NoError(t, err)
			in = nil
			for _, p := range st.Payload {
				payload = append(payload, p...)
			}
			if st.Done {
				stream = append(stream, st.Rest...)
				require.Equal(t, int64(len(payload)), tr.PayloadBytes())
				break
			}
		}
	} else {
		stream = in
	}
	if afterSync != nil {
		afterSync(c, out)
	}
	for !stop(stream) {
		stream = append(stream, read()...)
	}
	return out, payload, stream
}

func TestReplicaMachinesAgainstRedis(t *testing.T) {
	for _, diskless := range []string{"no", "yes"} {
		t.Run("diskless-"+diskless, func(t *testing.T) {
			m := redistest.StartRedis(t, "--repl-diskless-sync", diskless, "--repl-diskless-sync-delay", "0", "--requirepass", "pw")
			cli := redistest.Dial(t, m.Addr())
			cli.Do("AUTH", "pw")
			cli.Do("SET", "before", "1")
			cfg := replication.HandshakeConfig{ListeningPort: 7777, MasterAuth: "pw"}
			afterSync := func(c *rawConn, out replication.Outcome) {
				// A replica ACKs once loaded; a diskless master starts the
				// stream on the first ACK after it saw the RDB child end.
				if diskless == "yes" {
					redistest.WaitFor(t, 10*time.Second, "RDB child done", func() bool {
						return strings.Contains(m.Log(), "Waiting for REPLCONF ACK")
					})
				}
				c.write(replication.AckCommand(out.(replication.FullResync).Offset))
				cli.Do("SET", "after", "2")
			}
			marker := []byte("$5\r\nafter\r\n$1\r\n2\r\n")
			out, payload, stream := replicate(t, m.Addr(), cfg, afterSync, func(s []byte) bool { return bytes.Contains(s, marker) })
			fr, ok := out.(replication.FullResync)
			require.True(t, ok, "%#v", out)
			info := infoMap(t, m.Addr(), "pw")
			assert.Equal(t, info["master_replid"], fr.ReplID)
			assert.True(t, bytes.HasPrefix(payload, []byte("REDIS0010")), "an RDB: %q", payload[:min(20, len(payload))])
			assert.True(t, bytes.Contains(payload, []byte("before")), "the RDB holds the key written before")
			assert.True(t, bytes.HasPrefix(stream, []byte("*2\r\n$6\r\nSELECT\r\n")), "the stream starts with SELECT: %q", stream)
			offset := fr.Offset + int64(len(stream))
			assert.Equal(t, atoi64(t, info["master_repl_offset"]), offset, "offsets count exactly the stream bytes")

			// The replica shows up in INFO as the table would print it.
			var tab replication.Replicas
			tab.Add(&replication.Replica{ID: 1, PeerIP: "127.0.0.1", ListeningPort: 7777, State: replication.StateOnline, AckOffset: fr.Offset, AckTime: time.Now().UnixMilli()})
			want := tab.Info(time.Now().UnixMilli(), offset)[0].Line()
			redistest.WaitFor(t, 5*time.Second, "INFO slave0 "+want, func() bool {
				return infoMap(t, m.Addr(), "pw")["slave0"] == strings.TrimPrefix(want, "slave0:")
			})

			// Reconnect with the cached master: a continuation, with the
			// next write in the stream.
			cfg.CachedReplID, cfg.CachedOffset = fr.ReplID, offset
			marker = cmd("SET", "third", "3")
			out, _, stream = replicate(t, m.Addr(), cfg, func(*rawConn, replication.Outcome) { cli.Do("SET", "third", "3") },
				func(s []byte) bool { return bytes.Contains(s, marker) })
			assert.Equal(t, replication.Continue{ReplID: fr.ReplID}, out)
			assert.Equal(t, string(marker), string(stream), "the continuation holds exactly the new write")
		})
	}
}

// TestDecidePSYNCAgainstRedis asks a real master for PSYNC with many
// requests and checks that DecidePSYNC, given the master's state from INFO,
// makes the same decision, writes the same reply line, logs the same lines
// and counts the same stats.
func TestDecidePSYNCAgainstRedis(t *testing.T) {
	// A promoted replica has both IDs: start a master, replicate from it,
	// write, then promote the replica.
	old := redistest.StartRedis(t, "--repl-diskless-sync", "no")
	m := redistest.StartRedis(t, "--repl-diskless-sync", "no", "--replicaof", "127.0.0.1", strconv.Itoa(old.Port))
	cli := redistest.Dial(t, old.Addr())
	for i := 0; i < 20; i++ {
		cli.Do("SET", "k"+strconv.Itoa(i), strings.Repeat("v", 50))
	}
	redistest.WaitFor(t, 10*time.Second, "replica in sync", func() bool {
		a, b := infoMap(t, old.Addr()), infoMap(t, m.Addr())
		return b["master_link_status"] == "up" && a["master_repl_offset"] == b["master_repl_offset"]
	})
	mc := redistest.Dial(t, m.Addr())
	mc.Do("REPLICAOF", "NO", "ONE")
	mc.Do("SET", "promoted", "yes")

	info := infoMap(t, m.Addr())
	ids := replication.IDs{ReplID: info["master_replid"], ReplID2: info["master_replid2"], SecondOffset: atoi64(t, info["second_repl_offset"])}
	require.NotEqual(t, replication.NoReplID, ids.ReplID2, "the promoted replica keeps its old ID")
	offset := atoi64(t, info["master_repl_offset"])
	first := atoi64(t, info["repl_backlog_first_byte_offset"])
	histlen := atoi64(t, info["repl_backlog_histlen"])
	require.Equal(t, offset, first+histlen-1)
	// A Buffer with exactly the master's window.
	buf := replication.NewBuffer(1<<20, first-1)
	buf.Append(make([]byte, histlen))
	require.Equal(t, first, buf.FirstByte())

	const name = "127.0.0.1:7777"
	unknown := strings.Repeat("e", 40)
	cases := []struct {
		name   string
		req    replication.PSYNCRequest
		psync2 bool
	}{
		{name: "forced", req: replication.PSYNCRequest{ReplID: "?", Offset: -1}},
		{name: "unknown ID", req: replication.PSYNCRequest{ReplID: unknown, Offset: first}},
		{name: "ID1 at the first byte", req: replication.PSYNCRequest{ReplID: ids.ReplID, Offset: first, PSYNC2: true}},
		{name: "ID1 with everything", req: replication.PSYNCRequest{ReplID: ids.ReplID, Offset: offset + 1, PSYNC2: true}},
		{name: "ID1 without psync2", req: replication.PSYNCRequest{ReplID: ids.ReplID, Offset: offset}},
		{name: "ID1 upper case", req: replication.PSYNCRequest{ReplID: strings.ToUpper(ids.ReplID), Offset: offset, PSYNC2: true}},
		{name: "ID1 beyond", req: replication.PSYNCRequest{ReplID: ids.ReplID, Offset: offset + 2, PSYNC2: true}},
		{name: "ID1 before the backlog", req: replication.PSYNCRequest{ReplID: ids.ReplID, Offset: first - 1, PSYNC2: true}},
		{name: "ID2 at the second offset", req: replication.PSYNCRequest{ReplID: ids.ReplID2, Offset: ids.SecondOffset, PSYNC2: true}},
		{name: "ID2 past the second offset", req: replication.PSYNCRequest{ReplID: ids.ReplID2, Offset: ids.SecondOffset + 1, PSYNC2: true}},
	}
	var mine replication.SyncStats
	base := infoMap(t, m.Addr())
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.req.Replica = name
			d := replication.DecidePSYNC(ids, offset, buf, c.req)
			mine.RecordPSYNC(d)

			conn := dialRaw(t, m.Addr())
			hs := cmd("REPLCONF", "listening-port", "7777")
			if c.req.PSYNC2 {
				hs = append(hs, cmd("REPLCONF", "capa", "eof", "capa", "psync2")...)
				conn.write(hs)
				conn.until("REPLCONF replies", lines(2))
			} else {
				hs = append(hs, cmd("REPLCONF", "capa", "eof")...)
				conn.write(hs)
				conn.until("REPLCONF replies", lines(2))
			}
			before := len(m.Log())
			conn.write(cmd("PSYNC", c.req.ReplID, strconv.FormatInt(c.req.Offset, 10)))
			reply := string(conn.until("PSYNC reply", firstNonEmptyLine))
			if d.Partial {
				assert.Equal(t, d.Reply, reply)
			} else {
				assert.True(t, strings.HasPrefix(reply, "+FULLRESYNC "+ids.ReplID+" "), "%q", reply)
				assert.Equal(t, replication.FullResyncReply(ids.ReplID, offset), reply)
			}
			for _, l := range d.Log {
				redistest.WaitFor(t, 5*time.Second, "Redis logs "+strconv.Quote(l.Text), func() bool {
					return strings.Contains(m.Log()[before:], l.Text)
				})
			}
			conn.nc.Close()
		})
	}
	after := infoMap(t, m.Addr())
	delta := func(k string) int64 { return atoi64(t, after[k]) - atoi64(t, base[k]) }
	assert.Equal(t, replication.SyncStats{Full: delta("sync_full"), PartialOK: delta("sync_partial_ok"), PartialErr: delta("sync_partial_err")}, mine)
	assert.Equal(t, int64(len(cases)), mine.Full+mine.PartialOK, "every request counted once")
	assert.Positive(t, mine.PartialOK)
	assert.Positive(t, mine.PartialErr)
}
