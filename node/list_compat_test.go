package node_test

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"replab/internal/redistest"
	"replab/resp"
)

// qlFields returns the quicklist part of a DEBUG OBJECT reply (ql_nodes,
// ql_avg_node, ql_listpack_max, ql_compressed, ql_uncompressed_size).
func qlFields(s string) string {
	if i := strings.Index(s, " ql_nodes:"); i >= 0 {
		return s[i+1:]
	}
	return s
}

// TestListLayoutMatchesRedis drives a real Redis and replab with the same
// random list commands and compares, after every step, the replies and
// the node layout DEBUG OBJECT reports: the node count and packed size
// only agree if nodes are filled, split and merged exactly as Redis does.
func TestListLayoutMatchesRedis(t *testing.T) {
	redistest.RedisServerPath(t)
	for _, fill := range []string{"-2", "-1", "4", "1"} {
		t.Run("fill"+fill, func(t *testing.T) {
			pair := startPair(t, "--list-max-listpack-size", fill)
			ref := redistest.Dial(t, pair.redis.Addr())
			got := redistest.Dial(t, pair.replab.Addr())
			r := rand.New(rand.NewPCG(7, uint64(len(fill))))
			var elems []string
			elem := func() string {
				switch r.IntN(8) {
				case 0:
					return strconv.Itoa(r.IntN(100000) - 50000)
				case 1:
					return strings.Repeat("m", 50+r.IntN(300))
				case 2:
					if r.IntN(8) == 0 {
						return strings.Repeat("L", 3000+r.IntN(6000))
					}
				case 3, 4:
					if len(elems) > 0 {
						return elems[r.IntN(len(elems))]
					}
				}
				return "e" + strconv.Itoa(r.IntN(50))
			}
			for step := 0; step < 1000; step++ {
				var cmd []string
				switch op := r.IntN(12); op {
				case 0, 1, 2, 3:
					cmd = []string{"RPUSH", "l"}
					if op%2 == 0 {
						cmd[0] = "LPUSH"
					}
					for i := r.IntN(5); i >= 0; i-- {
						e := elem()
						elems = append(elems, e)
						cmd = append(cmd, e)
					}
				case 4:
					cmd = []string{"LINSERT", "l", "BEFORE", elem(), elem()}
				case 5:
					cmd = []string{"LINSERT", "l", "AFTER", elem(), elem()}
				case 6:
					cmd = []string{"LSET", "l", strconv.Itoa(r.IntN(60) - 30), elem()}
				case 7:
					cmd = []string{"LREM", "l", strconv.Itoa(r.IntN(5) - 2), elem()}
				case 8:
					cmd = []string{"LTRIM", "l", strconv.Itoa(r.IntN(3)), strconv.Itoa(-1 - r.IntN(3))}
				case 9:
					cmd = []string{"LPOP", "l", strconv.Itoa(r.IntN(4))}
				case 10:
					cmd = []string{"RPOP", "l"}
				case 11:
					cmd = []string{"LMOVE", "l", "l", "LEFT", "RIGHT"}
				}
				wantRaw, _ := ref.Do(cmd...)
				gotRaw, _ := got.Do(cmd...)
				where := fmt.Sprintf("step %d: %.80q", step, cmd)
				if string(wantRaw) != string(gotRaw) {
					t.Fatalf("%s\n  redis:  %.200q\n  replab: %.200q", where, wantRaw, gotRaw)
				}
				_, wantObj := ref.Do("DEBUG", "OBJECT", "l")
				_, gotObj := got.Do("DEBUG", "OBJECT", "l")
				if w, g := qlFields(wantObj.Str), qlFields(gotObj.Str); w != g {
					t.Fatalf("%s: layout differs\n  redis:  %s\n  replab: %s", where, w, g)
				}
				if step%50 == 0 {
					w, _ := ref.Do("LRANGE", "l", "0", "-1")
					g, _ := got.Do("LRANGE", "l", "0", "-1")
					if string(w) != string(g) {
						t.Fatalf("%s: contents differ", where)
					}
				}
			}
			_, last := got.Do("DEBUG", "OBJECT", "l")
			t.Logf("final layout: %s", qlFields(last.Str))
		})
	}
}

// waitGone polls until DEBUG OBJECT (which does not expire keys) says key
// is gone.
func waitGone(t *testing.T, c *redistest.Conn, key string) {
	t.Helper()
	redistest.WaitFor(t, 5*time.Second, key+" deleted", func() bool {
		_, v := c.Do("DEBUG", "OBJECT", key)
		return v.IsError()
	})
}

// TestListBlockedClientsOverSockets blocks two clients on one key of a real
// Redis and of replab and compares what each receives when elements
// arrive, when a transaction pushes to several keys, and on timeout.
//
// To know a client is blocked before the next one blocks, each blocking
// command also names a probe key holding a logically expired list (active
// expiry off): the command deletes it while looking it up, in the same
// step as it blocks, and DEBUG OBJECT, which does not expire keys, sees
// it gone.
func TestListBlockedClientsOverSockets(t *testing.T) {
	pair := startPair(t)
	for _, proto := range []string{"2", "3"} {
		t.Run("resp"+proto, func(t *testing.T) {
			var replies [2][]string
			for i, addr := range []string{pair.redis.Addr(), pair.replab.Addr()} {
				ctl := redistest.Dial(t, addr)
				a := redistest.Dial(t, addr)
				b := redistest.Dial(t, addr)
				for _, c := range []*redistest.Conn{a, b} {
					if proto == "3" {
						c.Do("HELLO", "3")
					}
				}
				ctl.Do("FLUSHALL")
				ctl.Do("DEBUG", "SET-ACTIVE-EXPIRE", "0")
				probes := func(keys ...string) {
					for _, k := range keys {
						ctl.Do("RPUSH", k, "x")
						ctl.Do("PEXPIRE", k, "1")
					}
					ctl.Do("DEBUG", "SLEEP", "0.01")
				}
				block := func(c *redistest.Conn, probe string, cmd ...string) {
					c.Write(resp.EncodeCommand(nil, cmd...))
					waitGone(t, ctl, probe)
				}
				read := func(c *redistest.Conn) {
					raw, _, err := c.ReadReply(5 * time.Second)
					if err != nil {
						t.Fatal(err)
					}
					replies[i] = append(replies[i], string(raw))
				}

				// Two clients on one key: first blocked, first served.
				probes("p1", "p2")
				block(a, "p1", "BLPOP", "p1", "k", "0")
				block(b, "p2", "BRPOP", "p2", "k", "0")
				ctl.Do("RPUSH", "k", "x", "y", "z")
				read(a)
				read(b)
				_, v := ctl.Do("LRANGE", "k", "0", "-1")
				replies[i] = append(replies[i], v.String())

				// A transaction pushing to several keys wakes each client
				// from the key that became ready first.
				ctl.Do("DEL", "k")
				probes("p3", "p4")
				block(a, "p3", "BLPOP", "p3", "k1", "k2", "0")
				block(b, "p4", "BLMPOP", "0", "3", "p4", "k2", "k1", "LEFT", "COUNT", "5")
				ctl.Do("MULTI")
				ctl.Do("RPUSH", "k2", "a", "b")
				ctl.Do("RPUSH", "k1", "c")
				ctl.Do("EXEC")
				read(a)
				read(b)

				// A BLMOVE chain ends with the last waiter.
				probes("p5", "p6")
				block(a, "p5", "BLMPOP", "0", "2", "p5", "dst", "RIGHT")
				block(b, "p6", "BLMOVE", "p6", "dst", "LEFT", "RIGHT", "0")
				ctl.Do("DEL", "k1", "k2")
				ctl.Do("RPUSH", "p6", "moved")
				read(b)
				read(a)

				// Timeouts.
				a.Write(resp.EncodeCommand(nil, "BLPOP", "none", "0.05"))
				b.Write(resp.EncodeCommand(nil, "BLMOVE", "none", "dst", "LEFT", "LEFT", "0.05"))
				read(a)
				read(b)
				ctl.Do("DEBUG", "SET-ACTIVE-EXPIRE", "1")
			}
			if strings.Join(replies[0], "") != strings.Join(replies[1], "") {
				t.Errorf("redis:  %q\nreplab: %q", replies[0], replies[1])
			}
			if len(replies[0]) != 9 {
				t.Errorf("expected 9 replies, got %q", replies[0])
			}
		})
	}
}
