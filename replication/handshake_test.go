package replication

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"replab/resp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// capturedScenario is one testdata/handshake file (see capture_test.go).
type capturedScenario struct {
	name     string
	source   string // "master" (real master's replies) or "replica" (real replica's sends)
	cfg      HandshakeConfig
	sends    [][]byte
	steps    []string // "send" / "recv" in file order
	recvs    [][]byte
	rest     []byte
	payload  []byte
	stream   []byte
	hasXfer  bool
	outcome  string
	redisLog []string // "notice <quoted>" lines the real replica logged
}

func unquote(t *testing.T, s string) []byte {
	t.Helper()
	u, err := strconv.Unquote(s)
	require.NoError(t, err, s)
	return []byte(u)
}

func loadScenarios(t *testing.T) []capturedScenario {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "handshake", "*.txt"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "testdata/handshake is empty: regenerate it (see capture_test.go)")
	var out []capturedScenario
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		sc := capturedScenario{name: strings.TrimSuffix(filepath.Base(f), ".txt")}
		for _, l := range strings.Split(strings.TrimRight(string(data), "\n"), "\n") {
			if l == "" || l[0] == '#' {
				continue
			}
			kind, arg, _ := strings.Cut(l, " ")
			switch kind {
			case "source":
				sc.source = arg
			case "config":
				k, v, _ := strings.Cut(arg, " ")
				switch k {
				case "listening-port":
					sc.cfg.ListeningPort, err = strconv.Atoi(v)
					require.NoError(t, err)
				case "announce-ip":
					sc.cfg.AnnounceIP = v
				case "masteruser":
					sc.cfg.MasterUser = v
				case "masterauth":
					sc.cfg.MasterAuth = v
				case "cached":
					id, off, _ := strings.Cut(v, " ")
					sc.cfg.CachedReplID = id
					sc.cfg.CachedOffset, err = strconv.ParseInt(off, 10, 64)
					require.NoError(t, err)
				default:
					t.Fatalf("%s: unknown config %q", f, k)
				}
			case "send":
				sc.sends = append(sc.sends, unquote(t, arg))
				sc.steps = append(sc.steps, kind)
			case "recv":
				sc.recvs = append(sc.recvs, unquote(t, arg))
				sc.steps = append(sc.steps, kind)
			case "rest":
				sc.rest = unquote(t, arg)
			case "payload":
				sc.payload = unquote(t, arg)
				sc.hasXfer = true
			case "stream":
				sc.stream = unquote(t, arg)
			case "outcome":
				sc.outcome = arg
			case "redislog":
				sc.redisLog = append(sc.redisLog, arg)
			default:
				t.Fatalf("%s: unknown line %q", f, l)
			}
		}
		out = append(out, sc)
	}
	return out
}

// describe renders an outcome or an error in the testdata's words.
func describe(out Outcome, err error) string {
	if err != nil {
		return "error " + strconv.Quote(err.Error())
	}
	switch o := out.(type) {
	case FullResync:
		if o.SYNC {
			return "fullresync-sync"
		}
		return fmt.Sprintf("fullresync %s %d", o.ReplID, o.Offset)
	case Continue:
		if o.Changed {
			return "continue " + o.ReplID + " changed"
		}
		return "continue " + o.ReplID
	case Retry:
		return "retry " + strconv.Quote(o.Reply)
	}
	return "none"
}

// handshakeRun is everything a handshake produced for some input.
type handshakeRun struct {
	sent    []byte
	logs    []LogLine
	outcome string
	rest    []byte
}

// runHandshake feeds the chunks in order and stops at the end of the
// handshake.
func runHandshake(cfg HandshakeConfig, chunks ...[]byte) handshakeRun {
	h := NewHandshake(cfg)
	var r handshakeRun
	r.sent = h.Start()
	r.outcome = "none"
	for i, c := range chunks {
		st, err := h.Feed(c)
		r.sent = append(r.sent, st.Send...)
		r.logs = append(r.logs, st.Log...)
		if err != nil || st.Done {
			r.outcome = describe(st.Outcome, err)
			if st.Done {
				r.rest = append([]byte(nil), h.Rest()...)
				// What later chunks hold belongs to the stream.
				for _, c := range chunks[i+1:] {
					r.rest = append(r.rest, c...)
				}
			}
			return r
		}
	}
	return r
}

// isSubsequence reports whether every line of mine appears in theirs, in
// order.
func isSubsequence(mine, theirs []string) (string, bool) {
	j := 0
	for _, m := range mine {
		for j < len(theirs) && theirs[j] != m {
			j++
		}
		if j == len(theirs) {
			return m, false
		}
		j++
	}
	return "", true
}

// TestHandshakeCaptured replays the bytes captured from a real Redis 7.0
// (testdata/handshake): the handshake must send exactly what a Redis replica
// sends, reach the same outcome, leave the same rest, log a subsequence of
// what the Redis replica logged, and behave the same under every split of
// the input.
func TestHandshakeCaptured(t *testing.T) {
	for _, sc := range loadScenarios(t) {
		t.Run(sc.name, func(t *testing.T) {
			require.NotEmpty(t, sc.outcome)
			// Step by step: each reply produces the next command.
			h := NewHandshake(sc.cfg)
			require.Equal(t, string(sc.sends[0]), string(h.Start()), "first send")
			si, ri := 1, 0
			var logs []LogLine
			var last HandshakeStep
			var lastErr error
			for k, kind := range sc.steps[1:] {
				if kind != "recv" {
					continue
				}
				recv := sc.recvs[ri]
				ri++
				if ri == len(sc.recvs) {
					recv = append(append([]byte(nil), recv...), sc.rest...)
				}
				st, err := h.Feed(recv)
				logs = append(logs, st.Log...)
				last, lastErr = st, err
				next := k + 2 // index in steps of what follows this recv
				if next < len(sc.steps) && sc.steps[next] == "send" {
					require.Equal(t, string(sc.sends[si]), string(st.Send), "send #%d", si)
					si++
				} else {
					require.Empty(t, st.Send, "nothing to send after recv #%d", ri)
				}
				if err != nil {
					break
				}
			}
			require.Equal(t, len(sc.sends), si, "every captured send was produced")
			require.Equal(t, sc.outcome, describe(last.Outcome, lastErr))
			if lastErr == nil {
				require.True(t, last.Done)
				require.Equal(t, string(sc.rest), string(h.Rest()))
			} else {
				require.True(t, errors.Is(lastErr, ErrHandshake))
			}

			// The payload that follows, if any, through a Transfer.
			if sc.hasXfer {
				tr := NewTransfer(false)
				st, err := tr.Feed(sc.rest)
				require.NoError(t, err)
				require.True(t, st.Done)
				logs = append(logs, st.Log...)
				assert.Equal(t, string(sc.payload), string(bytes.Join(st.Payload, nil)))
				assert.Equal(t, string(sc.stream), string(st.Rest))
				assert.True(t, bytes.HasPrefix(sc.payload, []byte("REDIS0010")), "an RDB version 10")
			}

			// Log lines: ours must be a subsequence of the real replica's.
			if sc.source == "replica" {
				var mine []string
				for _, l := range logs {
					mine = append(mine, l.Level.String()+" "+strconv.Quote(l.Text))
				}
				if lastErr != nil {
					mine = append(mine, "warning "+strconv.Quote(lastErr.Error()))
				}
				if miss, ok := isSubsequence(mine, sc.redisLog); !ok {
					t.Fatalf("log line %s is not in Redis's log, in order:\n%s", miss, strings.Join(sc.redisLog, "\n"))
				}
			}

			// Every split of the whole input gives the same result.
			var in []byte
			for _, r := range sc.recvs {
				in = append(in, r...)
			}
			in = append(in, sc.rest...)
			whole := runHandshake(sc.cfg, in)
			require.Equal(t, sc.outcome, whole.outcome)
			for i := 1; i < len(in); i++ {
				got := runHandshake(sc.cfg, in[:i], in[i:])
				if got.outcome != whole.outcome || !bytes.Equal(got.sent, whole.sent) || !bytes.Equal(got.rest, whole.rest) {
					t.Fatalf("split at %d: %s sent %q rest %q; whole: %s sent %q rest %q",
						i, got.outcome, got.sent, got.rest, whole.outcome, whole.sent, whole.rest)
				}
			}
			var bytewise [][]byte
			for i := range in {
				bytewise = append(bytewise, in[i:i+1])
			}
			got := runHandshake(sc.cfg, bytewise...)
			require.Equal(t, whole.outcome, got.outcome)
			require.Equal(t, string(whole.sent), string(got.sent))
			require.Equal(t, string(whole.rest), string(got.rest))
		})
	}
}

func TestHandshake(t *testing.T) {
	const id = "0123456789abcdef0123456789abcdef01234567"
	const other = "fedcba9876543210fedcba9876543210fedcba98"
	cmd := func(args ...string) string { return string(resp.EncodeCommand(nil, args...)) }
	base := cmd("REPLCONF", "listening-port", "6380") + cmd("REPLCONF", "capa", "eof", "capa", "psync2")
	psyncNew := cmd("PSYNC", "?", "-1")
	cached := HandshakeConfig{ListeningPort: 6380, CachedReplID: id, CachedOffset: 99}
	psyncCached := cmd("PSYNC", id, "100")
	cases := []struct {
		name    string
		cfg     HandshakeConfig
		in      string
		sent    string // after the PING
		outcome string
		rest    string
		logs    []string // a subsequence of the logged lines
	}{
		{name: "pong", in: "+PONG\r\n+OK\r\n+OK\r\n+FULLRESYNC " + id + " 7\r\n$0\r\n",
			sent: base + psyncNew, outcome: "fullresync " + id + " 7", rest: "$0\r\n",
			logs: []string{"Master replied to PING, replication can continue...", "Partial resynchronization not possible (no cached master)", "Full resync from master: " + id + ":7"}},
		{name: "any + reply to PING", in: "+whatever\n+OK\n+OK\n+FULLRESYNC " + id + " 0\n",
			sent: base + psyncNew, outcome: "fullresync " + id + " 0"},
		{name: "-NOPERM to PING", in: "-NOPERM no\r\n", sent: base, outcome: "none"},
		{name: "-ERR operation not permitted to PING", in: "-ERR operation not permitted\r\n", sent: base, outcome: "none"},
		{name: "-ERR to PING", in: "-ERR nope\r\n", outcome: `error "Error reply to PING from master: '-ERR nope'"`},
		{name: "empty line to PING", in: "\r\n", outcome: `error "Error reply to PING from master: ''"`},
		{name: "NUL cuts the line", in: "-ERR a\x00b\r\n", outcome: `error "Error reply to PING from master: '-ERR a'"`},
		{name: "NUL first makes +PONG look empty", in: "\x00+PONG\r\n", outcome: `error "Error reply to PING from master: ''"`},
		{name: "line cut at 255 bytes", in: "-ERR " + strings.Repeat("x", 300) + "\r\n",
			outcome: `error "Error reply to PING from master: '-ERR ` + strings.Repeat("x", 250) + `'"`},
		{name: "a long + reply is cut and its tail read as the next reply",
			in:   "+" + strings.Repeat("p", 254) + strings.Repeat("q", 10) + "\r\n+OK\r\n+FULLRESYNC " + id + " 1\r\n",
			sent: base + psyncNew, outcome: "fullresync " + id + " 1"},
		{name: "auth with password only", cfg: HandshakeConfig{ListeningPort: 6380, MasterAuth: "pw"},
			in:   "-NOAUTH x\r\n+OK\r\n+OK\r\n+OK\r\n+FULLRESYNC " + id + " 0\r\n",
			sent: cmd("AUTH", "pw") + base + psyncNew, outcome: "fullresync " + id + " 0"},
		{name: "masteruser without masterauth sends no AUTH", cfg: HandshakeConfig{ListeningPort: 6380, MasterUser: "u"},
			in: "+PONG\r\n+OK\r\n+OK\r\n+FULLRESYNC " + id + " 0\r\n", sent: base + psyncNew, outcome: "fullresync " + id + " 0"},
		{name: "binary password", cfg: HandshakeConfig{ListeningPort: 6380, MasterAuth: "a\r\nb"},
			in: "+PONG\r\n-ERR\r\n", sent: cmd("AUTH", "a\r\nb") + base, outcome: `error "Unable to AUTH to MASTER: -ERR"`},
		{name: "any non-error AUTH reply passes", cfg: HandshakeConfig{ListeningPort: 6380, MasterAuth: "pw"},
			in:   "+PONG\r\n\r\n+OK\r\n+OK\r\n+FULLRESYNC " + id + " 0\r\n",
			sent: cmd("AUTH", "pw") + base + psyncNew, outcome: "fullresync " + id + " 0"},
		{name: "non critical errors", cfg: HandshakeConfig{ListeningPort: 1, AnnounceIP: "::1"},
			in:      "+PONG\r\n-ERR a\r\n-ERR b\r\n-ERR c\r\n+FULLRESYNC " + id + " 0\r\n",
			sent:    cmd("REPLCONF", "listening-port", "1") + cmd("REPLCONF", "ip-address", "::1") + cmd("REPLCONF", "capa", "eof", "capa", "psync2") + psyncNew,
			outcome: "fullresync " + id + " 0",
			logs: []string{"(Non critical) Master does not understand REPLCONF listening-port: -ERR a",
				"(Non critical) Master does not understand REPLCONF ip-address: -ERR b",
				"(Non critical) Master does not understand REPLCONF capa: -ERR c"}},
		{name: "keepalives before the PSYNC reply", in: "+PONG\r\n+OK\r\n+OK\r\n\n\n\r\n+FULLRESYNC " + id + " 5\r\n\n$3\r\nabc",
			sent: base + psyncNew, outcome: "fullresync " + id + " 5", rest: "\n$3\r\nabc"},
		{name: "FULLRESYNC offset read like strtoll", in: "+PONG\r\n+OK\r\n+OK\r\n+FULLRESYNC " + id + " 12abc\r\n",
			sent: base + psyncNew, outcome: "fullresync " + id + " 12"},
		{name: "FULLRESYNC offset clamped", in: "+PONG\r\n+OK\r\n+OK\r\n+FULLRESYNC " + id + " 99999999999999999999\r\n",
			sent: base + psyncNew, outcome: "fullresync " + id + " 9223372036854775807"},
		{name: "FULLRESYNC without offset", in: "+PONG\r\n+OK\r\n+OK\r\n+FULLRESYNC " + id + "\r\n",
			sent: base + psyncNew, outcome: "fullresync  -1", logs: []string{"Master replied with wrong +FULLRESYNC syntax."}},
		{name: "FULLRESYNC with a short ID", in: "+PONG\r\n+OK\r\n+OK\r\n+FULLRESYNC abc 1\r\n",
			sent: base + psyncNew, outcome: "fullresync  -1"},
		{name: "bare FULLRESYNC", in: "+PONG\r\n+OK\r\n+OK\r\n+FULLRESYNC\r\n", sent: base + psyncNew, outcome: "fullresync  -1"},
		{name: "continue with the same ID", cfg: cached, in: "+PONG\r\n+OK\r\n+OK\r\n+CONTINUE " + id + "\r\n*1\r\n",
			sent: base + psyncCached, outcome: "continue " + id, rest: "*1\r\n",
			logs: []string{"Trying a partial resynchronization (request " + id + ":100).", "Successful partial resynchronization with master.", "MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization."}},
		{name: "continue without ID (old master)", cfg: cached, in: "+PONG\r\n+OK\r\n+OK\r\n+CONTINUE\r\n",
			sent: base + psyncCached, outcome: "continue " + id},
		{name: "continue with a new ID", cfg: cached, in: "+PONG\r\n+OK\r\n+OK\r\n+CONTINUE " + other + "\r\n",
			sent: base + psyncCached, outcome: "continue " + other + " changed", logs: []string{"Master replication ID changed to " + other}},
		{name: "continue with an ID of the wrong length is ignored", cfg: cached, in: "+PONG\r\n+OK\r\n+OK\r\n+CONTINUE " + other + "0\r\n",
			sent: base + psyncCached, outcome: "continue " + id},
		{name: "continue ID stops at a CR", cfg: cached, in: "+PONG\r\n+OK\r\n+OK\r\n+CONTINUE " + other + "\rjunk\r\n",
			sent: base + psyncCached, outcome: "continue " + other + " changed"},
		{name: "continue without a cached master", in: "+PONG\r\n+OK\r\n+OK\r\n+CONTINUE\r\n", sent: base + psyncNew,
			outcome: `error "Unexpected reply to PSYNC from master: +CONTINUE (no cached master to continue)"`},
		{name: "NOMASTERLINK", in: "+PONG\r\n+OK\r\n+OK\r\n-NOMASTERLINK Can't SYNC while not connected with my master\r\n",
			sent: base + psyncNew, outcome: `retry "-NOMASTERLINK Can't SYNC while not connected with my master"`},
		{name: "LOADING", in: "+PONG\r\n+OK\r\n+OK\r\n-LOADING x\r\n", sent: base + psyncNew, outcome: `retry "-LOADING x"`,
			logs: []string{"Master is currently unable to PSYNC but should be in the future: -LOADING x"}},
		{name: "ERR falls back to SYNC", in: "+PONG\r\n+OK\r\n+OK\r\n-ERR unknown command\r\n$1\r\n",
			sent: base + psyncNew + "SYNC\r\n", outcome: "fullresync-sync", rest: "$1\r\n",
			logs: []string{"Master does not support PSYNC or is in error state (reply: -ERR unknown command)", "Retrying with SYNC..."}},
		{name: "unexpected reply falls back to SYNC", in: "+PONG\r\n+OK\r\n+OK\r\n:1\r\n",
			sent: base + psyncNew + "SYNC\r\n", outcome: "fullresync-sync", logs: []string{"Unexpected reply to PSYNC from master: :1"}},
		{name: "failover PSYNC", cfg: HandshakeConfig{ListeningPort: 6380, CachedReplID: id, CachedOffset: 9, Failover: true},
			in:   "+PONG\r\n+OK\r\n+OK\r\n+CONTINUE\r\n",
			sent: base + cmd("PSYNC", id, "10", "FAILOVER"), outcome: "continue " + id},
		{name: "failover rejected by LOADING", cfg: HandshakeConfig{ListeningPort: 6380, Failover: true},
			in:   "+PONG\r\n+OK\r\n+OK\r\n-LOADING x\r\n",
			sent: base + cmd("PSYNC", "?", "-1", "FAILOVER"), outcome: `error "Failover target rejected psync request"`},
		{name: "failover rejected by an error", cfg: HandshakeConfig{ListeningPort: 6380, Failover: true},
			in:   "+PONG\r\n+OK\r\n+OK\r\n-ERR x\r\n",
			sent: base + cmd("PSYNC", "?", "-1", "FAILOVER"), outcome: `error "Failover target rejected psync request"`},
		{name: "incomplete", in: "+PONG\r\n+OK\r\n+O", sent: base, outcome: "none"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.cfg.ListeningPort == 0 {
				c.cfg.ListeningPort = 6380
			}
			r := runHandshake(c.cfg, []byte(c.in))
			assert.Equal(t, cmd("PING")+c.sent, string(r.sent))
			assert.Equal(t, c.outcome, r.outcome)
			assert.Equal(t, c.rest, string(r.rest))
			var texts []string
			for _, l := range r.logs {
				texts = append(texts, l.Text)
			}
			if miss, ok := isSubsequence(c.logs, texts); !ok {
				t.Errorf("missing log %q in %q", miss, texts)
			}
			for i := 1; i < len(c.in); i++ {
				s := runHandshake(c.cfg, []byte(c.in[:i]), []byte(c.in[i:]))
				require.Equal(t, r.outcome, s.outcome, "split at %d", i)
				require.Equal(t, string(r.sent), string(s.sent), "split at %d", i)
				require.Equal(t, string(r.rest), string(s.rest), "split at %d", i)
			}
		})
	}
}

func TestHandshakeErrors(t *testing.T) {
	h := NewHandshake(HandshakeConfig{})
	_, err := h.Feed([]byte("+PONG\r\n"))
	require.Error(t, err, "Feed before Start")
	h.Start()
	assert.Panics(t, func() { h.Start() })
	_, err = h.Feed([]byte("-ERR x\r\n"))
	var he *HandshakeError
	require.ErrorAs(t, err, &he)
	assert.False(t, he.Failover)
	assert.False(t, h.Done())
	assert.Nil(t, h.Rest())
	_, err = h.Feed([]byte("+PONG\r\n"))
	require.Error(t, err, "Feed after a failure")
	assert.False(t, errors.Is(err, ErrHandshake), "misuse is not a handshake failure")

	h = NewHandshake(HandshakeConfig{ListeningPort: 1})
	h.Start()
	st, err := h.Feed([]byte("+PONG\r\n+OK\r\n+OK\r\n+FULLRESYNC " + strings.Repeat("a", 40) + " 3\r\nxyz"))
	require.NoError(t, err)
	require.True(t, st.Done)
	assert.True(t, h.Done())
	assert.Equal(t, "xyz", string(h.Rest()))
	_, err = h.Feed([]byte("more"))
	require.Error(t, err, "Feed after the end")
}

func TestAckCommands(t *testing.T) {
	assert.Equal(t, "*3\r\n$8\r\nREPLCONF\r\n$3\r\nACK\r\n$5\r\n12345\r\n", string(AckCommand(12345)))
	assert.Equal(t, "*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n", GetAckCommand)
}

func TestStrtoll(t *testing.T) {
	cases := map[string]int64{
		"": 0, "12": 12, " \t+7x": 7, "-5": -5, "abc": 0, "9223372036854775807": 9223372036854775807,
		"9223372036854775808": 9223372036854775807, "-9223372036854775808": -9223372036854775808,
		"-9223372036854775809": -9223372036854775808, "-": 0, "00012": 12,
	}
	for in, want := range cases {
		assert.Equal(t, want, strtoll(in), "%q", in)
	}
}

// FuzzHandshake: any input, in one piece or split in two, gives the same
// result and never panics.
func FuzzHandshake(f *testing.F) {
	id := strings.Repeat("ab", 20)
	f.Add([]byte("+PONG\r\n+OK\r\n+OK\r\n+FULLRESYNC "+id+" 7\r\n$0\r\n"), uint16(9), true)
	f.Add([]byte("-NOAUTH x\r\n+OK\r\n+OK\r\n+OK\r\n\n\n+CONTINUE "+id+"\r\n*1\r\n"), uint16(3), false)
	f.Add([]byte("+PONG\r\n-ERR\r\n-ERR\r\n-LOADING\r\n"), uint16(30), true)
	f.Add([]byte("+PONG\r\n+OK\r\n+OK\r\n-ERR\r\nSYNC"), uint16(1), false)
	f.Fuzz(func(t *testing.T, in []byte, split uint16, cached bool) {
		cfg := HandshakeConfig{ListeningPort: 6379, MasterAuth: "pw", AnnounceIP: "10.0.0.1"}
		if cached {
			cfg.CachedReplID, cfg.CachedOffset = id, 41
		}
		whole := runHandshake(cfg, in)
		if len(in) == 0 {
			return
		}
		i := int(split) % len(in)
		if i == 0 {
			return
		}
		got := runHandshake(cfg, in[:i], in[i:])
		if got.outcome != whole.outcome || !bytes.Equal(got.sent, whole.sent) || !bytes.Equal(got.rest, whole.rest) {
			t.Fatalf("split at %d: %s %q %q; whole: %s %q %q", i, got.outcome, got.sent, got.rest, whole.outcome, whole.sent, whole.rest)
		}
	})
}
