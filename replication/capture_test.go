package replication_test

// Capture of the handshake bytes of a real redis-server 7.0, both ways:
//
//   - master-*: a real Redis master answers the bytes a Redis replica sends
//     (written here by hand in Redis's format, and checked against the
//     replica-* captures);
//   - replica-*: a real Redis replica talks to a scripted master in this
//     test; what it sends and what it logs are recorded.
//
// The result is testdata/handshake/*.txt, replayed by TestHandshakeCaptured
// without Redis. Regenerate with:
//
//	REPLAB_CAPTURE=1 go test ./replication -run TestCaptureRedisHandshakes -count=1 -v

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"replab/internal/redistest"
	"replab/resp"
)

// scenario accumulates one testdata file.
type scenario struct {
	lines []string
}

func (s *scenario) comment(format string, args ...any) {
	s.lines = append(s.lines, "# "+fmt.Sprintf(format, args...))
}
func (s *scenario) config(key string, vals ...string) {
	s.lines = append(s.lines, "config "+key+" "+strings.Join(vals, " "))
}
func (s *scenario) bytes(kind string, b []byte) {
	s.lines = append(s.lines, kind+" "+strconv.Quote(string(b)))
}
func (s *scenario) line(l string) { s.lines = append(s.lines, l) }

func (s *scenario) write(t *testing.T, name string) {
	t.Helper()
	dir := filepath.Join("testdata", "handshake")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".txt"), []byte(strings.Join(s.lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// rawConn reads a TCP stream with exact cut points.
type rawConn struct {
	t   *testing.T
	nc  net.Conn
	acc []byte
}

func dialRaw(t *testing.T, addr string) *rawConn {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return &rawConn{t: t, nc: nc}
}

func (c *rawConn) write(p []byte) {
	c.t.Helper()
	if _, err := c.nc.Write(p); err != nil {
		c.t.Fatal(err)
	}
}

// until reads until cut(acc) returns n >= 0 and returns the first n bytes.
func (c *rawConn) until(what string, cut func([]byte) int) []byte {
	c.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	buf := make([]byte, 64<<10)
	for {
		if n := cut(c.acc); n >= 0 {
			out := append([]byte(nil), c.acc[:n]...)
			c.acc = c.acc[n:]
			return out
		}
		c.nc.SetReadDeadline(deadline)
		n, err := c.nc.Read(buf)
		c.acc = append(c.acc, buf[:n]...)
		if err != nil && n == 0 {
			c.t.Fatalf("reading %s: %v (have %q)", what, err, c.acc)
		}
	}
}

// lines cuts after n "\n"-terminated lines.
func lines(n int) func([]byte) int {
	return func(b []byte) int {
		pos := 0
		for i := 0; i < n; i++ {
			j := bytes.IndexByte(b[pos:], '\n')
			if j < 0 {
				return -1
			}
			pos += j + 1
		}
		return pos
	}
}

// firstNonEmptyLine cuts after the first line that is not a bare keepalive.
func firstNonEmptyLine(b []byte) int {
	pos := 0
	for {
		j := bytes.IndexByte(b[pos:], '\n')
		if j < 0 {
			return -1
		}
		l := strings.TrimRight(string(b[pos:pos+j]), "\r")
		pos += j + 1
		if l != "" {
			return pos
		}
	}
}

// commands cuts after n complete multibulk commands (or inline lines).
func commands(n int) func([]byte) int {
	return func(b []byte) int {
		var r resp.CommandReader
		if err := r.Feed(b); err != nil {
			return -1
		}
		for i := 0; i < n; i++ {
			args, err := r.Next()
			if err != nil || args == nil {
				return -1
			}
		}
		return len(b) - r.Buffered()
	}
}

func cmd(args ...string) []byte { return resp.EncodeCommand(nil, args...) }

// transferCut splits "<keepalives>$<len>\r\n<payload>" or
// "$EOF:<mark>\r\n<payload><mark>" with simple independent code, returning
// the payload and the length of the whole transfer, or -1 when incomplete.
func transferCut(b []byte) (payload []byte, n int) {
	i := 0
	for i < len(b) && b[i] == '\n' {
		i++
	}
	j := bytes.Index(b[i:], []byte("\r\n"))
	if j < 0 {
		return nil, -1
	}
	head := string(b[i : i+j])
	body := i + j + 2
	if strings.HasPrefix(head, "$EOF:") {
		mark := []byte(head[5:])
		k := bytes.Index(b[body:], mark)
		if k < 0 {
			return nil, -1
		}
		return b[body : body+k], body + k + len(mark)
	}
	size, err := strconv.Atoi(head[1:])
	if err != nil {
		panic(head)
	}
	if len(b) < body+size {
		return nil, -1
	}
	return b[body : body+size], body + size
}

var fullresyncRE = regexp.MustCompile(`^\+FULLRESYNC ([0-9a-f]{40}) ([0-9]+)\r\n`)

func info(t *testing.T, addr, field string) string {
	t.Helper()
	c := redistest.Dial(t, addr)
	defer c.Close()
	_, v := c.Do("INFO", "all")
	for _, l := range strings.Split(v.Str, "\r\n") {
		if k, val, ok := strings.Cut(l, ":"); ok && k == field {
			return val
		}
	}
	t.Fatalf("INFO has no %s", field)
	return ""
}

func TestCaptureRedisHandshakes(t *testing.T) {
	if os.Getenv("REPLAB_CAPTURE") != "1" {
		t.Skip("SKIPPED: set REPLAB_CAPTURE=1 to regenerate testdata/handshake from a real redis-server (TestHandshakeCaptured replays the committed files)")
	}
	rdb := captureMasters(t)
	captureReplicas(t, rdb)
}

const port6380 = "6380"

func psyncCmd(id, off string) []byte { return cmd("PSYNC", id, off) }

func handshakeCmds(auth []string, port, ip string) []byte {
	var b []byte
	if len(auth) > 0 {
		b = append(b, cmd(append([]string{"AUTH"}, auth...)...)...)
	}
	b = append(b, cmd("REPLCONF", "listening-port", port)...)
	if ip != "" {
		b = append(b, cmd("REPLCONF", "ip-address", ip)...)
	}
	return append(b, cmd("REPLCONF", "capa", "eof", "capa", "psync2")...)
}

// captureMasters records real masters' replies and returns an RDB payload
// for the scripted master of captureReplicas.
func captureMasters(t *testing.T) []byte {
	version := func(addr string) string { return "redis-server " + info(t, addr, "redis_version") }

	// A disk-based full resync, then a continuation, then an ID mismatch.
	m := redistest.StartRedis(t, "--repl-diskless-sync", "no")
	setter := redistest.Dial(t, m.Addr())
	var rdb []byte
	var replid string
	var offset int64
	{
		s := &scenario{}
		s.comment("A replica without a cached master asks a disk-based master for a full resync.")
		s.comment("Replies captured from %s (repl-diskless-sync no); the stream after the RDB starts with a SET.", version(m.Addr()))
		s.line("source master")
		s.config("listening-port", port6380)
		c := dialRaw(t, m.Addr())
		c.write(cmd("PING"))
		s.bytes("send", cmd("PING"))
		s.bytes("recv", c.until("PING reply", lines(1)))
		hs := handshakeCmds(nil, port6380, "")
		c.write(hs)
		s.bytes("send", hs)
		s.bytes("recv", c.until("REPLCONF replies", lines(2)))
		c.write(psyncCmd("?", "-1"))
		s.bytes("send", psyncCmd("?", "-1"))
		reply := c.until("PSYNC reply", firstNonEmptyLine)
		s.bytes("recv", reply)
		mm := fullresyncRE.FindSubmatch(bytes.TrimLeft(reply, "\n"))
		if mm == nil {
			t.Fatalf("PSYNC reply %q", reply)
		}
		replid = string(mm[1])
		offset, _ = strconv.ParseInt(string(mm[2]), 10, 64)
		var payload []byte
		tr := c.until("RDB", func(b []byte) int { p, n := transferCut(b); payload = p; return n })
		rdb = payload
		setter.Do("SET", "key", "value")
		stream := c.until("stream", func(b []byte) int {
			if i := bytes.Index(b, []byte("$5\r\nvalue\r\n")); i >= 0 {
				return i + len("$5\r\nvalue\r\n")
			}
			return -1
		})
		offset += int64(len(stream))
		s.bytes("rest", append(tr, stream...))
		s.bytes("payload", payload)
		s.bytes("stream", stream)
		s.line("outcome fullresync " + string(mm[1]) + " " + string(mm[2]))
		s.write(t, "master-fullresync-disk")
	}
	{
		s := &scenario{}
		s.comment("The replica of master-fullresync-disk reconnects with its cached master and continues.")
		s.comment("Replies captured from %s; a SET after +CONTINUE follows in the stream.", version(m.Addr()))
		s.line("source master")
		s.config("listening-port", port6380)
		s.config("cached", replid, strconv.FormatInt(offset, 10))
		c := dialRaw(t, m.Addr())
		c.write(cmd("PING"))
		s.bytes("send", cmd("PING"))
		s.bytes("recv", c.until("PING reply", lines(1)))
		hs := handshakeCmds(nil, port6380, "")
		c.write(hs)
		s.bytes("send", hs)
		s.bytes("recv", c.until("REPLCONF replies", lines(2)))
		ps := psyncCmd(replid, strconv.FormatInt(offset+1, 10))
		c.write(ps)
		s.bytes("send", ps)
		s.bytes("recv", c.until("PSYNC reply", firstNonEmptyLine))
		setter.Do("SET", "key", "again")
		s.bytes("rest", c.until("stream", func(b []byte) int {
			if i := bytes.Index(b, []byte("$5\r\nagain\r\n")); i >= 0 {
				return i + len("$5\r\nagain\r\n")
			}
			return -1
		}))
		s.line("outcome continue " + replid)
		s.write(t, "master-continue")
	}
	{
		s := &scenario{}
		s.comment("A replica with a cached master of another history asks to continue; the master answers with a full resync.")
		s.comment("Replies captured from %s; the RDB follows.", version(m.Addr()))
		s.line("source master")
		s.config("listening-port", port6380)
		other := strings.Repeat("ab", 20)
		s.config("cached", other, "41")
		c := dialRaw(t, m.Addr())
		c.write(cmd("PING"))
		s.bytes("send", cmd("PING"))
		s.bytes("recv", c.until("PING reply", lines(1)))
		hs := handshakeCmds(nil, port6380, "")
		c.write(hs)
		s.bytes("send", hs)
		s.bytes("recv", c.until("REPLCONF replies", lines(2)))
		c.write(psyncCmd(other, "42"))
		s.bytes("send", psyncCmd(other, "42"))
		reply := c.until("PSYNC reply", firstNonEmptyLine)
		s.bytes("recv", reply)
		mm := fullresyncRE.FindSubmatch(bytes.TrimLeft(reply, "\n"))
		if mm == nil {
			t.Fatalf("PSYNC reply %q", reply)
		}
		var payload []byte
		tr := c.until("RDB", func(b []byte) int { p, n := transferCut(b); payload = p; return n })
		s.bytes("rest", tr)
		s.bytes("payload", payload)
		s.bytes("stream", nil)
		s.line("outcome fullresync " + string(mm[1]) + " " + string(mm[2]))
		s.write(t, "master-id-mismatch")
	}

	// requirepass, diskless: -NOAUTH to PING, AUTH <pass>, "$EOF:" payload.
	{
		m := redistest.StartRedis(t, "--requirepass", "s3cret", "--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0")
		s := &scenario{}
		s.comment("A master with requirepass and diskless sync: PING gets -NOAUTH, AUTH <pass> follows, the RDB comes with an EOF mark.")
		s.comment("Replies captured from %s (repl-diskless-sync yes, delay 0). After the mark the replica sent REPLCONF ACK 0 and a SET followed.", "redis-server 7.0")
		s.line("source master")
		s.config("listening-port", port6380)
		s.config("masterauth", "s3cret")
		c := dialRaw(t, m.Addr())
		c.write(cmd("PING"))
		s.bytes("send", cmd("PING"))
		s.bytes("recv", c.until("PING reply", lines(1)))
		hs := handshakeCmds([]string{"s3cret"}, port6380, "")
		c.write(hs)
		s.bytes("send", hs)
		s.bytes("recv", c.until("replies", lines(3)))
		c.write(psyncCmd("?", "-1"))
		s.bytes("send", psyncCmd("?", "-1"))
		reply := c.until("PSYNC reply", firstNonEmptyLine)
		s.bytes("recv", reply)
		mm := fullresyncRE.FindSubmatch(bytes.TrimLeft(reply, "\n"))
		if mm == nil {
			t.Fatalf("PSYNC reply %q", reply)
		}
		var payload []byte
		tr := c.until("RDB", func(b []byte) int { p, n := transferCut(b); payload = p; return n })
		// A real replica ACKs every second; the master starts the stream on
		// the first ACK after it saw the RDB child finish.
		redistest.WaitFor(t, 10*time.Second, "RDB child done", func() bool {
			return strings.Contains(m.Log(), "Waiting for REPLCONF ACK")
		})
		c.write(cmd("REPLCONF", "ACK", string(mm[2])))
		setter := redistest.Dial(t, m.Addr())
		setter.Do("AUTH", "s3cret")
		setter.Do("SET", "key", "value")
		stream := c.until("stream", func(b []byte) int {
			if i := bytes.Index(b, []byte("$5\r\nvalue\r\n")); i >= 0 {
				return i + len("$5\r\nvalue\r\n")
			}
			return -1
		})
		s.bytes("rest", append(tr, stream...))
		s.bytes("payload", payload)
		s.bytes("stream", stream)
		s.line("outcome fullresync " + string(mm[1]) + " " + string(mm[2]))
		s.write(t, "master-auth-diskless")

		s = &scenario{}
		s.comment("A wrong masterauth: the master answers AUTH with -WRONGPASS, and the unauthenticated REPLCONFs with -NOAUTH.")
		s.comment("Replies captured from redis-server 7.0 with requirepass.")
		s.line("source master")
		s.config("listening-port", port6380)
		s.config("masterauth", "wrong")
		c = dialRaw(t, m.Addr())
		c.write(cmd("PING"))
		s.bytes("send", cmd("PING"))
		s.bytes("recv", c.until("PING reply", lines(1)))
		hs = handshakeCmds([]string{"wrong"}, port6380, "")
		c.write(hs)
		s.bytes("send", hs)
		s.bytes("recv", c.until("replies", lines(3)))
		s.line(`outcome error "Unable to AUTH to MASTER: -WRONGPASS invalid username-password pair or user is disabled."`)
		s.write(t, "master-wrongpass")
	}

	// ACL: the default user may run nothing (PING gets -NOPERM), the
	// replication user authenticates with AUTH <user> <pass>; announced IP.
	{
		m := redistest.StartRedis(t, "--user", "default", "on", "nopass", "-@all", "--user", "repl", "on", ">pw", "~*", "+@all")
		s := &scenario{}
		s.comment("ACL master: the default user may not PING (-NOPERM, accepted), AUTH <user> <pass>, REPLCONF ip-address.")
		s.comment("Replies captured from redis-server 7.0 (user default on nopass -@all; user repl on >pw ~* +@all).")
		s.line("source master")
		s.config("listening-port", "7001")
		s.config("announce-ip", "10.1.2.3")
		s.config("masteruser", "repl")
		s.config("masterauth", "pw")
		c := dialRaw(t, m.Addr())
		c.write(cmd("PING"))
		s.bytes("send", cmd("PING"))
		s.bytes("recv", c.until("PING reply", lines(1)))
		hs := handshakeCmds([]string{"repl", "pw"}, "7001", "10.1.2.3")
		c.write(hs)
		s.bytes("send", hs)
		s.bytes("recv", c.until("replies", lines(4)))
		c.write(psyncCmd("?", "-1"))
		s.bytes("send", psyncCmd("?", "-1"))
		reply := c.until("PSYNC reply", firstNonEmptyLine)
		s.bytes("recv", reply)
		mm := fullresyncRE.FindSubmatch(bytes.TrimLeft(reply, "\n"))
		if mm == nil {
			t.Fatalf("PSYNC reply %q", reply)
		}
		s.line("outcome fullresync " + string(mm[1]) + " " + string(mm[2]))
		s.write(t, "master-acl-noperm")

		s = &scenario{}
		long := strings.Repeat("h", 300)
		s.comment("An announced IP longer than Redis accepts: the error is logged as non critical and the handshake goes on.")
		s.comment("Replies captured from redis-server 7.0.")
		s.line("source master")
		s.config("listening-port", port6380)
		s.config("announce-ip", long)
		s.config("masteruser", "repl")
		s.config("masterauth", "pw")
		c = dialRaw(t, m.Addr())
		c.write(cmd("PING"))
		s.bytes("send", cmd("PING"))
		s.bytes("recv", c.until("PING reply", lines(1)))
		hs = handshakeCmds([]string{"repl", "pw"}, port6380, long)
		c.write(hs)
		s.bytes("send", hs)
		s.bytes("recv", c.until("replies", lines(4)))
		c.write(psyncCmd("?", "-1"))
		s.bytes("send", psyncCmd("?", "-1"))
		reply = c.until("PSYNC reply", firstNonEmptyLine)
		s.bytes("recv", reply)
		mm = fullresyncRE.FindSubmatch(bytes.TrimLeft(reply, "\n"))
		if mm == nil {
			t.Fatalf("PSYNC reply %q", reply)
		}
		s.line("outcome fullresync " + string(mm[1]) + " " + string(mm[2]))
		s.write(t, "master-long-ip")
	}

	// A replica whose own master is down refuses to be synced from.
	{
		dead := redistest.FreePort(t)
		m := redistest.StartRedis(t, "--replicaof", "127.0.0.1", strconv.Itoa(dead))
		s := &scenario{}
		s.comment("The master is itself a replica not connected to its master: PSYNC gets -NOMASTERLINK, the replica retries later.")
		s.comment("Replies captured from redis-server 7.0 (replicaof a closed port).")
		s.line("source master")
		s.config("listening-port", port6380)
		c := dialRaw(t, m.Addr())
		c.write(cmd("PING"))
		s.bytes("send", cmd("PING"))
		s.bytes("recv", c.until("PING reply", lines(1)))
		hs := handshakeCmds(nil, port6380, "")
		c.write(hs)
		s.bytes("send", hs)
		s.bytes("recv", c.until("replies", lines(2)))
		c.write(psyncCmd("?", "-1"))
		s.bytes("send", psyncCmd("?", "-1"))
		reply := c.until("PSYNC reply", firstNonEmptyLine)
		s.bytes("recv", reply)
		s.line("outcome retry " + strconv.Quote(strings.TrimRight(string(reply), "\r\n")))
		s.write(t, "master-nomasterlink")
	}
	return rdb
}

// scriptedMaster accepts connections from a real Redis replica.
type scriptedMaster struct {
	t *testing.T
	l net.Listener
}

func newScriptedMaster(t *testing.T) *scriptedMaster {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return &scriptedMaster{t: t, l: l}
}

func (m *scriptedMaster) port() string { return strconv.Itoa(m.l.Addr().(*net.TCPAddr).Port) }

func (m *scriptedMaster) accept() *rawConn {
	m.t.Helper()
	m.l.(*net.TCPListener).SetDeadline(time.Now().Add(15 * time.Second))
	nc, err := m.l.Accept()
	if err != nil {
		m.t.Fatal(err)
	}
	m.t.Cleanup(func() { nc.Close() })
	return &rawConn{t: m.t, nc: nc}
}

// redisLogLines returns the replica's log lines from the first line
// containing from, as "notice <text>" / "warning <text>" entries.
func redisLogLines(log, from string) []string {
	var out []string
	started := false
	for _, l := range strings.Split(log, "\n") {
		// "pid:S 01 Jan 2024 00:00:00.000 * text"
		i := strings.Index(l, ".")
		if i < 0 || len(l) < i+7 {
			continue
		}
		rest := l[i+5:]
		if len(rest) < 2 {
			continue
		}
		level := map[byte]string{'*': "notice", '#': "warning", '-': "verbose", '.': "debug"}[rest[0]]
		text := rest[2:]
		if !started && strings.Contains(text, from) {
			started = true
		}
		if started && level != "" {
			out = append(out, level+" "+strconv.Quote(text))
		}
	}
	return out
}

func captureReplicas(t *testing.T, rdb []byte) {
	id1 := strings.Repeat("1a", 20)
	id2 := strings.Repeat("2b", 20)

	type exchange struct {
		reply    []byte // what the scripted master answers
		rest     []byte // a transfer payload (bulk) it sends right after reply
		commands int    // commands to read before answering (0: only answer)
	}
	run := func(name string, comments []string, args []string, cfg [][]string, conns [][]exchange, outcomes, marks []string) {
		t.Helper()
		m := newScriptedMaster(t)
		r := redistest.StartRedis(t, append([]string{"--replicaof", "127.0.0.1", m.port()}, args...)...)
		next := 0
		for k, ex := range conns {
			s := &scenario{}
			for _, c := range comments {
				s.comment("%s", c)
			}
			s.comment("Sends captured from redis-server 7.0 as a replica of a scripted master; log lines are the replica's own.")
			s.line("source replica")
			s.config("listening-port", strconv.Itoa(r.Port))
			for _, kv := range cfg {
				s.config(kv[0], kv[1:]...)
			}
			if k > 0 {
				s.config("cached", id1, "0")
			}
			before := next
			c := m.accept()
			for _, e := range ex {
				if e.commands > 0 {
					s.bytes("send", c.until("replica commands", commands(e.commands)))
				}
				if e.reply != nil {
					c.write(append(append([]byte(nil), e.reply...), e.rest...))
					s.bytes("recv", e.reply)
				}
				if e.rest != nil {
					s.bytes("rest", e.rest)
					s.bytes("payload", rdb)
					s.bytes("stream", nil)
				}
			}
			// Let the replica act on the last reply and log it.
			redistest.WaitFor(t, 10*time.Second, "replica log: "+marks[k], func() bool {
				return strings.Contains(r.Log()[before:], marks[k])
			})
			s.line("outcome " + outcomes[k])
			for _, l := range redisLogLines(r.Log()[before:], "Non blocking connect for SYNC fired the event.") {
				s.line("redislog " + l)
			}
			next = len(r.Log()) // before the replica sees the link drop and reconnects
			c.nc.Close()
			suffix := ""
			if len(conns) > 1 {
				suffix = "-" + strconv.Itoa(k+1)
			}
			s.write(t, name+suffix)
		}
	}
	bulk := append([]byte("$"+strconv.Itoa(len(rdb))+"\r\n"), rdb...)

	run("replica-plain",
		[]string{"A plain replica: full resync first; after the link drops it continues with its cached master, which announces a new ID."},
		nil, nil,
		[][]exchange{
			{{commands: 1, reply: []byte("+PONG\r\n")}, {commands: 2, reply: []byte("+OK\r\n+OK\r\n")},
				{commands: 1, reply: []byte("+FULLRESYNC " + id1 + " 0\r\n"), rest: bulk}},
			{{commands: 1, reply: []byte("+PONG\r\n")}, {commands: 2, reply: []byte("+OK\r\n+OK\r\n")},
				{commands: 1, reply: []byte("\n\n+CONTINUE " + id2 + "\r\n")}},
		},
		[]string{"fullresync " + id1 + " 0", "continue " + id2 + " changed"},
		[]string{"MASTER <-> REPLICA sync: Finished with success", "MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization."})

	run("replica-auth-loading",
		[]string{"masteruser, masterauth and replica-announce-ip: PING gets -NOAUTH, AUTH <user> <pass>; PSYNC gets -LOADING and the replica retries."},
		[]string{"--masteruser", "repl", "--masterauth", "pw", "--replica-announce-ip", "10.0.0.9"},
		[][]string{{"announce-ip", "10.0.0.9"}, {"masteruser", "repl"}, {"masterauth", "pw"}},
		[][]exchange{{{commands: 1, reply: []byte("-NOAUTH Authentication required.\r\n")},
			{commands: 4, reply: []byte("+OK\r\n+OK\r\n+OK\r\n+OK\r\n")},
			{commands: 1, reply: []byte("-LOADING Redis is loading the dataset in memory\r\n")}}},
		[]string{`retry "-LOADING Redis is loading the dataset in memory"`},
		[]string{"Master is currently unable to PSYNC"})

	run("replica-wrongpass",
		[]string{"masterauth refused: AUTH gets -WRONGPASS and the handshake fails."},
		[]string{"--masterauth", "nope"},
		[][]string{{"masterauth", "nope"}},
		[][]exchange{{{commands: 1, reply: []byte("+PONG\r\n")},
			{commands: 3, reply: []byte("-WRONGPASS invalid username-password pair or user is disabled.\r\n")}}},
		[]string{`error "Unable to AUTH to MASTER: -WRONGPASS invalid username-password pair or user is disabled."`},
		[]string{"Unable to AUTH to MASTER"})

	run("replica-ping-error",
		[]string{"An error reply to PING other than an authentication error fails the handshake."},
		nil, nil,
		[][]exchange{{{commands: 1, reply: []byte("-ERR unknown command 'PING'\r\n")}}},
		[]string{`error "Error reply to PING from master: '-ERR unknown command 'PING''"`},
		[]string{"Error reply to PING from master"})

	run("replica-noncritical-sync",
		[]string{"Errors to REPLCONF are non critical; an -ERR to PSYNC makes the replica fall back to SYNC."},
		nil, nil,
		[][]exchange{{{commands: 1, reply: []byte("+PONG\r\n")},
			{commands: 2, reply: []byte("-ERR unknown option\r\n-ERR no capa\r\n")},
			{commands: 1, reply: []byte("-ERR unknown command 'PSYNC'\r\n")}, {commands: 1}}},
		[]string{"fullresync-sync"},
		[]string{"Retrying with SYNC..."})
}
