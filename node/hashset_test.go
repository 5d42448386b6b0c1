package node

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"replab/resp"
)

// elemStrs returns the string elements of an aggregate reply.
func elemStrs(v resp.Value) []string {
	out := make([]string, len(v.Elems))
	for i, e := range v.Elems {
		out[i] = e.Str
	}
	return out
}

func sorted(s []string) []string {
	s = append([]string(nil), s...)
	sort.Strings(s)
	return s
}

func members(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprint(prefix, i)
	}
	return out
}

func TestSPopPropagation(t *testing.T) {
	cases := []struct {
		name  string
		size  int
		count string // "" for SPOP without a count
		srems int    // SREM commands expected; -1 for a DEL
	}{
		{"single", 10, "", 1},
		{"count one", 10, "1", 1},
		{"few of many (draw and remove)", 10, "3", 3},
		{"most of the set (rebuild)", 10, "9", 9},
		{"exactly the size", 10, "10", -1},
		{"more than the size", 3, "100", -1},
	}
	for _, enc := range []string{"", "m"} {
		for _, tc := range cases {
			t.Run(fmt.Sprintf("%s/%q", tc.name, enc), func(t *testing.T) {
				tn := newTestNode(t)
				c := tn.connect()
				all := members(enc, tc.size)
				c.do(append([]string{"SADD", "s"}, all...)...)
				tn.propagated = nil
				args := []string{"SPOP", "s"}
				if tc.count != "" {
					args = append(args, tc.count)
				}
				r := c.do(args...)
				var popped []string
				if tc.count == "" {
					popped = []string{r.Str}
				} else {
					popped = elemStrs(r)
				}
				if tc.srems < 0 {
					assert.Equal(t, [][]string{{"DEL", "s"}}, tn.propagated)
					assert.Equal(t, sorted(all), sorted(popped))
					assert.Equal(t, int64(0), c.do("EXISTS", "s").Int)
					return
				}
				require.Len(t, popped, tc.srems)
				var want [][]string
				if tc.srems > 1 {
					want = append(want, []string{"MULTI"})
				}
				for _, m := range popped {
					want = append(want, []string{"SREM", "s", m})
				}
				if tc.srems > 1 {
					want = append(want, []string{"EXEC"})
				}
				assert.Equal(t, want, tn.propagated)
				assert.Equal(t, int64(tc.size-tc.srems), c.do("SCARD", "s").Int)
				for _, m := range popped {
					assert.Equal(t, int64(0), c.do("SISMEMBER", "s", m).Int)
				}
			})
		}
	}
}

func TestHashSetCanonicalForms(t *testing.T) {
	cases := []struct {
		name string
		cmd  []string
		want [][]string
	}{
		{"hincrbyfloat becomes hset", []string{"HINCRBYFLOAT", "h", "n", "1.5"}, [][]string{{"HSET", "h", "n", "11.5"}}},
		{"hincrbyfloat new field", []string{"HINCRBYFLOAT", "h", "new", "2.0e1"}, [][]string{{"HSET", "h", "new", "20"}}},
		{"hincrby as sent", []string{"HINCRBY", "h", "n", "2"}, [][]string{{"HINCRBY", "h", "n", "2"}}},
		{"hset as sent", []string{"HSET", "h", "a", "1"}, [][]string{{"HSET", "h", "a", "1"}}},
		{"hset of the same value still propagates", []string{"HSET", "h", "n", "10"}, [][]string{{"HSET", "h", "n", "10"}}},
		{"hsetnx existing field", []string{"HSETNX", "h", "n", "1"}, nil},
		{"hdel nothing", []string{"HDEL", "h", "missing"}, nil},
		{"hdel last field", []string{"HDEL", "h", "n"}, [][]string{{"HDEL", "h", "n"}}},
		{"sadd existing member", []string{"SADD", "s", "1"}, nil},
		{"srem missing member", []string{"SREM", "s", "9"}, nil},
		{"smove as sent", []string{"SMOVE", "s", "t", "1"}, [][]string{{"SMOVE", "s", "t", "1"}}},
		{"smove missing member", []string{"SMOVE", "s", "t", "9"}, nil},
		{"spop missing key", []string{"SPOP", "nokey", "3"}, nil},
		{"spop zero", []string{"SPOP", "s", "0"}, nil},
		{"sinterstore as sent", []string{"SINTERSTORE", "d", "s", "s"}, [][]string{{"SINTERSTORE", "d", "s", "s"}}},
		{"sinterstore of nothing into nothing", []string{"SINTERSTORE", "d", "nokey"}, nil},
		{"sdiffstore deleting its destination", []string{"SDIFFSTORE", "s", "s", "s"}, [][]string{{"SDIFFSTORE", "s", "s", "s"}}},
		{"reads are not propagated", []string{"SRANDMEMBER", "s", "2"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tn := newTestNode(t)
			c := tn.connect()
			c.do("HSET", "h", "n", "10")
			c.do("SADD", "s", "1", "2")
			tn.propagated = nil
			c.do(tc.cmd...)
			assert.Equal(t, tc.want, tn.propagated)
		})
	}
}

// TestHashSetReplicaConverges runs random writes on a node with small
// encoding thresholds, replays what it propagated on a second node, and
// checks that both hold the same data (DEBUG DIGEST) and encodings.
func TestHashSetReplicaConverges(t *testing.T) {
	args := []string{"--set-max-intset-entries", "8", "--hash-max-listpack-entries", "4", "--hash-max-listpack-value", "6"}
	for seed := uint64(1); seed <= 5; seed++ {
		master := newTestNode(t, args...)
		replica := newTestNode(t, args...)
		mc, rc := master.connect(), replica.connect()
		rng := rand.New(rand.NewPCG(seed, 77))
		key := func(prefix string) string { return fmt.Sprint(prefix, rng.IntN(3)) }
		member := func() string {
			if rng.IntN(4) == 0 {
				return fmt.Sprint("m", rng.IntN(20))
			}
			return fmt.Sprint(rng.IntN(20))
		}
		for step := 0; step < 400; step++ {
			var cmd []string
			switch rng.IntN(12) {
			case 0, 1:
				cmd = []string{"SADD", key("s"), member(), member(), member()}
			case 2:
				cmd = []string{"SREM", key("s"), member(), member()}
			case 3:
				cmd = []string{"SPOP", key("s"), fmt.Sprint(rng.IntN(12))}
			case 4:
				cmd = []string{"SPOP", key("s")}
			case 5:
				cmd = []string{"SMOVE", key("s"), key("s"), member()}
			case 6:
				op := []string{"SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"}[rng.IntN(3)]
				cmd = []string{op, key("s"), key("s"), key("s"), key("s")}
			case 7, 8:
				cmd = []string{"HSET", key("h"), member(), fmt.Sprint(rng.IntN(1000000))}
			case 9:
				cmd = []string{"HDEL", key("h"), member(), member()}
			case 10:
				cmd = []string{"HINCRBY", key("h"), member(), fmt.Sprint(rng.IntN(100))}
			case 11:
				cmd = []string{"HINCRBYFLOAT", key("h"), member(), "0.1"}
			}
			mc.do(cmd...)
		}
		for _, p := range master.propagated {
			rc.do(p...)
		}
		assert.Equal(t, mc.do("DEBUG", "DIGEST").Str, rc.do("DEBUG", "DIGEST").Str, "seed %d", seed)
		for _, k := range []string{"s0", "s1", "s2", "h0", "h1", "h2"} {
			assert.Equal(t, mc.do("OBJECT", "ENCODING", k), rc.do("OBJECT", "ENCODING", k), "seed %d key %s", seed, k)
		}
	}
}

func TestEncodingThresholdsFromConfig(t *testing.T) {
	tn := newTestNode(t, "--set-max-intset-entries", "0", "--hash-max-listpack-entries", "0", "--hash-max-listpack-value", "0")
	c := tn.connect()
	c.do("SADD", "s", "1")
	assert.Equal(t, "hashtable", c.do("OBJECT", "ENCODING", "s").Str)
	c.do("HSET", "h", "", "")
	assert.Equal(t, "hashtable", c.do("OBJECT", "ENCODING", "h").Str)
	assert.Equal(t, []string{"", ""}, elemStrs(c.do("HGETALL", "h")))

	tn = newTestNode(t, "--set-max-intset-entries", "3", "--hash-max-listpack-entries", "3", "--hash-max-listpack-value", "2")
	c = tn.connect()
	c.do("SADD", "s", "1", "2", "3")
	assert.Equal(t, "intset", c.do("OBJECT", "ENCODING", "s").Str)
	c.do("SADD", "s", "4")
	assert.Equal(t, "hashtable", c.do("OBJECT", "ENCODING", "s").Str)
	c.do("HSET", "h", "a", "12", "b", "12", "c", "12")
	assert.Equal(t, "listpack", c.do("OBJECT", "ENCODING", "h").Str)
	c.do("HINCRBY", "h", "a", "100")
	assert.Equal(t, "hashtable", c.do("OBJECT", "ENCODING", "h").Str)
	assert.Equal(t, "112", c.do("HGET", "h", "a").Str)
}

// checkRandom runs a random-selection command until every element of all
// came up (at most enough times to expect each one dozens of times),
// checking every reply with check, which returns the elements it holds.
func checkRandom(t *testing.T, c *testConn, all []string, cmd []string, perReply int, check func(r resp.Value) []string) {
	t.Helper()
	seen := map[string]int{}
	calls := 50 + 30*len(all)/perReply
	for i := 0; i < calls && len(seen) < len(all); i++ {
		for _, e := range check(c.do(cmd...)) {
			seen[e]++
		}
	}
	for _, e := range all {
		assert.NotZero(t, seen[e], "%v never returned %q", cmd, e)
	}
	assert.Len(t, seen, len(all), "%v returned elements that are not members", cmd)
}

func distinct(t *testing.T, elems []string) {
	t.Helper()
	set := map[string]bool{}
	for _, e := range elems {
		assert.False(t, set[e], "duplicate %q", e)
		set[e] = true
	}
}

func TestSRandMemberDistribution(t *testing.T) {
	for _, tc := range []struct {
		name string
		all  []string
	}{{"intset", members("", 20)}, {"hashtable", members("m", 20)}, {"big hashtable", members("m", 200)}} {
		t.Run(tc.name, func(t *testing.T) {
			tn := newTestNode(t)
			c := tn.connect()
			c.do(append([]string{"SADD", "s"}, tc.all...)...)
			size := len(tc.all)
			checkRandom(t, c, tc.all, []string{"SRANDMEMBER", "s"}, 1, func(r resp.Value) []string { return []string{r.Str} })
			for _, count := range []int{1, 2, size / 3, size/3 + 1, size - 1} {
				checkRandom(t, c, tc.all, []string{"SRANDMEMBER", "s", fmt.Sprint(count)}, count, func(r resp.Value) []string {
					assert.Len(t, r.Elems, count)
					distinct(t, elemStrs(r))
					return elemStrs(r)
				})
			}
			checkRandom(t, c, tc.all, []string{"SRANDMEMBER", "s", "-7"}, 7, func(r resp.Value) []string {
				assert.Len(t, r.Elems, 7)
				return elemStrs(r)
			})
			assert.Equal(t, sorted(tc.all), sorted(elemStrs(c.do("SRANDMEMBER", "s", fmt.Sprint(size+5)))))
		})
	}
}

func TestHRandFieldDistribution(t *testing.T) {
	for _, tc := range []struct {
		name string
		n    int
	}{{"listpack", 20}, {"hashtable", 600}} {
		for _, proto := range []string{"2", "3"} {
			t.Run(tc.name+"/resp"+proto, func(t *testing.T) {
				tn := newTestNode(t)
				c := tn.connect()
				c.do("HELLO", proto)
				all := members("f", tc.n)
				args := []string{"HSET", "h"}
				for _, f := range all {
					args = append(args, f, "v"+f)
				}
				c.do(args...)
				// pairs checks a WITHVALUES reply and returns its fields.
				pairs := func(r resp.Value, n int) []string {
					var fields []string
					if proto == "3" {
						require.Len(t, r.Elems, n)
						for _, p := range r.Elems {
							require.Len(t, p.Elems, 2)
							assert.Equal(t, "v"+p.Elems[0].Str, p.Elems[1].Str)
							fields = append(fields, p.Elems[0].Str)
						}
						return fields
					}
					require.Len(t, r.Elems, 2*n)
					for i := 0; i < len(r.Elems); i += 2 {
						assert.Equal(t, "v"+r.Elems[i].Str, r.Elems[i+1].Str)
						fields = append(fields, r.Elems[i].Str)
					}
					return fields
				}
				checkRandom(t, c, all, []string{"HRANDFIELD", "h"}, 1, func(r resp.Value) []string { return []string{r.Str} })
				for _, count := range []int{1, 2, tc.n / 3, tc.n/3 + 1, tc.n - 1} {
					checkRandom(t, c, all, []string{"HRANDFIELD", "h", fmt.Sprint(count)}, count, func(r resp.Value) []string {
						assert.Len(t, r.Elems, count)
						distinct(t, elemStrs(r))
						return elemStrs(r)
					})
					checkRandom(t, c, all, []string{"HRANDFIELD", "h", fmt.Sprint(count), "WITHVALUES"}, count, func(r resp.Value) []string {
						f := pairs(r, count)
						distinct(t, f)
						return f
					})
				}
				checkRandom(t, c, all, []string{"HRANDFIELD", "h", "-1500", "WITHVALUES"}, 1500, func(r resp.Value) []string {
					return pairs(r, 1500)
				})
				checkRandom(t, c, all, []string{"HRANDFIELD", "h", "-1500"}, 1500, func(r resp.Value) []string {
					assert.Len(t, r.Elems, 1500)
					return elemStrs(r)
				})
				assert.Equal(t, sorted(all), sorted(pairs(c.do("HRANDFIELD", "h", fmt.Sprint(tc.n+1), "WITHVALUES"), tc.n)))
			})
		}
	}
}

func TestSPopDistribution(t *testing.T) {
	for _, tc := range []struct {
		name   string
		all    []string
		counts []int
	}{
		{"intset", members("", 30), []int{1, 3, 15, 28}},
		{"hashtable", members("m", 30), []int{1, 3, 15, 28}},
		{"big", members("", 600), []int{300, 598}},
	} {
		size := len(tc.all)
		for _, count := range tc.counts {
			t.Run(fmt.Sprintf("%s/%d", tc.name, count), func(t *testing.T) {
				tn := newTestNode(t)
				c := tn.connect()
				seen := map[string]bool{}
				for i := 0; i < 50+30*size/count && len(seen) < size; i++ {
					c.do("DEL", "s")
					c.do(append([]string{"SADD", "s"}, tc.all...)...)
					popped := elemStrs(c.do("SPOP", "s", fmt.Sprint(count)))
					require.Len(t, popped, count)
					distinct(t, popped)
					rest := elemStrs(c.do("SMEMBERS", "s"))
					assert.Equal(t, sorted(tc.all), sorted(append(rest, popped...)))
					for _, p := range popped {
						seen[p] = true
					}
				}
				assert.Len(t, seen, size)
			})
		}
	}
}

// TestHashSetNotificationsAndWatch checks the keyspace events of the hash
// and set writes (names and order as Redis's) and that they invalidate
// WATCH.
func TestHashSetNotificationsAndWatch(t *testing.T) {
	cases := []struct {
		setup  [][]string
		cmd    []string
		events []string // "event key"
	}{
		{nil, []string{"HSET", "h", "a", "1"}, []string{"hset h"}},
		{[][]string{{"HSET", "h", "a", "1"}}, []string{"HDEL", "h", "a", "b"}, []string{"hdel h", "del h"}},
		{nil, []string{"HINCRBY", "h", "a", "1"}, []string{"hincrby h"}},
		{nil, []string{"HINCRBYFLOAT", "h", "a", "1"}, []string{"hincrbyfloat h"}},
		{nil, []string{"HSETNX", "h", "a", "1"}, []string{"hset h"}},
		{nil, []string{"SADD", "s", "a"}, []string{"sadd s"}},
		{[][]string{{"SADD", "s", "a"}}, []string{"SREM", "s", "a"}, []string{"srem s", "del s"}},
		{[][]string{{"SADD", "s", "a"}}, []string{"SPOP", "s"}, []string{"spop s", "del s"}},
		{[][]string{{"SADD", "s", "a", "b"}}, []string{"SPOP", "s", "5"}, []string{"spop s", "del s"}},
		{[][]string{{"SADD", "s", "a"}}, []string{"SMOVE", "s", "t", "a"}, []string{"srem s", "del s", "sadd t"}},
		{[][]string{{"SADD", "s", "a"}}, []string{"SINTERSTORE", "s", "s"}, []string{"sinterstore s"}},
		{[][]string{{"SADD", "s", "a"}}, []string{"SDIFFSTORE", "s", "s", "s"}, []string{"del s"}},
		{[][]string{{"SADD", "s", "a"}}, []string{"SUNIONSTORE", "s", "s", "nokey"}, []string{"sunionstore s"}},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprint(tc.cmd), func(t *testing.T) {
			tn := newTestNode(t, "--notify-keyspace-events", "KEA")
			var events []string
			tn.n.publishHook = func(class int, event, key string, db int) { events = append(events, event+" "+key) }
			c, other := tn.connect(), tn.connect()
			for _, s := range tc.setup {
				c.do(s...)
			}
			events = nil
			key := tc.cmd[1]
			c.do("WATCH", key)
			c.do("MULTI")
			c.do("PING")
			other.do(tc.cmd...)
			assert.Equal(t, tc.events, events)
			assert.True(t, c.do("EXEC").Null, "EXEC after %v on a watched key", tc.cmd)
		})
	}
}
