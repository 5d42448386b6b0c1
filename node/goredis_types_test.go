package node_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"replab/internal/redistest"
)

// The tests in this file drive every data type through the go-redis client
// library, in RESP2 and RESP3, the way an application would. Each runs
// against a replab node and, when redis-server is installed, against a real
// Redis too: the expectations are checked against the reference, so a
// passing replab run means replab answers as Redis does, not as the test's
// author believed it would.

// typesEnv is one server under test seen through go-redis.
type typesEnv struct {
	c     *redis.Client
	ctx   context.Context
	addr  string
	proto int
	real  bool // the server is a real redis-server
}

// client opens another connection to the same server (for a second client
// of blocking commands and pub/sub, or another user).
func (e *typesEnv) client(t *testing.T, opt redis.Options) *redis.Client {
	t.Helper()
	opt.Addr, opt.Protocol, opt.DisableIdentity = e.addr, e.proto, true
	c := redis.NewClient(&opt)
	t.Cleanup(func() { c.Close() })
	return c
}

// blockedClients returns INFO's blocked_clients.
func (e *typesEnv) blockedClients(t *testing.T) int {
	t.Helper()
	info, err := e.c.Info(e.ctx, "clients").Result()
	require.NoError(t, err)
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, "blocked_clients:"); ok {
			n, err := strconv.Atoi(v)
			require.NoError(t, err)
			return n
		}
	}
	t.Fatalf("no blocked_clients in INFO: %q", info)
	return 0
}

// waitBlocked waits until n clients are blocked.
func (e *typesEnv) waitBlocked(t *testing.T, n int) {
	t.Helper()
	redistest.WaitFor(t, 5*time.Second, fmt.Sprintf("%d blocked clients", n), func() bool { return e.blockedClients(t) == n })
}

// onEachServer runs f against a replab node and a real Redis, each in RESP2
// and RESP3. Without redis-server the reference runs are skipped loudly (and
// fail under CI) by redistest.
func onEachServer(t *testing.T, f func(t *testing.T, e *typesEnv)) {
	for _, server := range []string{"replab", "redis"} {
		for _, proto := range []int{2, 3} {
			t.Run(fmt.Sprintf("%s/resp%d", server, proto), func(t *testing.T) {
				var addr string
				if server == "redis" {
					addr = redistest.StartRedis(t).Addr()
				} else {
					addr = redistest.StartReplab(t).Addr()
				}
				c := redis.NewClient(&redis.Options{Addr: addr, Protocol: proto, DisableIdentity: true})
				t.Cleanup(func() { c.Close() })
				ctx := context.Background()
				require.NoError(t, c.Ping(ctx).Err())
				f(t, &typesEnv{c: c, ctx: ctx, addr: addr, proto: proto, real: server == "redis"})
			})
		}
	}
}

// asyncResult runs a blocking call on its own goroutine.
func asyncResult[T any](f func() T) <-chan T {
	ch := make(chan T, 1)
	go func() { ch <- f() }()
	return ch
}

// await returns what an asyncResult produced, failing after a deadline.
func await[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatal("blocked command did not return")
		var zero T
		return zero
	}
}

func TestGoRedisLists(t *testing.T) {
	onEachServer(t, func(t *testing.T, e *typesEnv) {
		c, ctx := e.c, e.ctx
		assert.Equal(t, int64(3), c.RPush(ctx, "l", "a", "b", "c").Val())
		assert.Equal(t, int64(4), c.LPush(ctx, "l", "z").Val())
		assert.Equal(t, int64(0), c.LPushX(ctx, "missing", "x").Val())
		assert.Equal(t, int64(5), c.RPushX(ctx, "l", "d").Val())
		assert.Equal(t, []string{"z", "a", "b", "c", "d"}, c.LRange(ctx, "l", 0, -1).Val())
		assert.Equal(t, []string{"z", "a"}, c.LPopCount(ctx, "l", 2).Val())
		assert.Equal(t, []string{"d", "c"}, c.RPopCount(ctx, "l", 2).Val())
		assert.Equal(t, "b", c.LPop(ctx, "l").Val())
		assert.Equal(t, int64(0), c.Exists(ctx, "l").Val(), "popping the last element deletes the list")
		assert.ErrorIs(t, c.RPop(ctx, "l").Err(), redis.Nil)

		c.RPush(ctx, "l", "b", "x", "c", "b")
		assert.Equal(t, int64(4), c.LLen(ctx, "l").Val())
		assert.Equal(t, "b", c.LIndex(ctx, "l", -1).Val())
		assert.ErrorIs(t, c.LIndex(ctx, "l", 10).Err(), redis.Nil)
		require.NoError(t, c.LSet(ctx, "l", 1, "X").Err())
		assert.EqualError(t, c.LSet(ctx, "l", 9, "X").Err(), "ERR index out of range")
		assert.Equal(t, int64(5), c.LInsertBefore(ctx, "l", "c", "y").Val())
		assert.Equal(t, int64(6), c.LInsertAfter(ctx, "l", "c", "w").Val())
		assert.Equal(t, int64(-1), c.LInsertAfter(ctx, "l", "nope", "w").Val())
		assert.Equal(t, []string{"b", "X", "y", "c", "w", "b"}, c.LRange(ctx, "l", 0, -1).Val())
		assert.Equal(t, int64(5), c.LPos(ctx, "l", "b", redis.LPosArgs{Rank: 2}).Val())
		assert.Equal(t, []int64{5, 0}, c.LPosCount(ctx, "l", "b", 0, redis.LPosArgs{Rank: -1}).Val())
		assert.ErrorIs(t, c.LPos(ctx, "l", "c", redis.LPosArgs{MaxLen: 3}).Err(), redis.Nil, "MAXLEN stops the scan")
		assert.Equal(t, int64(2), c.LRem(ctx, "l", 0, "b").Val())
		require.NoError(t, c.LTrim(ctx, "l", 1, -1).Err())
		assert.Equal(t, []string{"y", "c", "w"}, c.LRange(ctx, "l", 0, -1).Val())
		assert.Equal(t, "w", c.LMove(ctx, "l", "dst", "RIGHT", "LEFT").Val())
		assert.Equal(t, "c", c.RPopLPush(ctx, "l", "dst").Val())
		assert.Equal(t, []string{"c", "w"}, c.LRange(ctx, "dst", 0, -1).Val())
		key, vals, err := c.LMPop(ctx, "right", 5, "missing", "dst", "l").Result()
		require.NoError(t, err)
		assert.Equal(t, "dst", key)
		assert.Equal(t, []string{"w", "c"}, vals)
		_, _, err = c.LMPop(ctx, "left", 1, "missing").Result()
		assert.ErrorIs(t, err, redis.Nil)
		require.NoError(t, c.Set(ctx, "str", "v", 0).Err())
		assert.EqualError(t, c.LPush(ctx, "str", "x").Err(), "WRONGTYPE Operation against a key holding the wrong kind of value")
		assert.Equal(t, "quicklist", c.ObjectEncoding(ctx, "l").Val())

		// Blocking pops, served by a push from another client.
		other := e.client(t, redis.Options{})
		got := asyncResult(func() *redis.StringSliceCmd { return other.BLPop(ctx, 5*time.Second, "q1", "q2") })
		e.waitBlocked(t, 1)
		assert.Equal(t, int64(2), c.RPush(ctx, "q2", "v1", "v2").Val())
		r := await(t, got)
		require.NoError(t, r.Err())
		assert.Equal(t, []string{"q2", "v1"}, r.Val())
		assert.Equal(t, []string{"v2"}, c.LRange(ctx, "q2", 0, -1).Val())

		assert.ErrorIs(t, c.Do(ctx, "BRPOP", "none", "0.05").Err(), redis.Nil, "timeout")

		moved := asyncResult(func() *redis.StringCmd { return other.BLMove(ctx, "src", "dst2", "LEFT", "RIGHT", 5*time.Second) })
		e.waitBlocked(t, 1)
		c.RPush(ctx, "src", "m")
		assert.Equal(t, "m", await(t, moved).Val())
		assert.Equal(t, []string{"m"}, c.LRange(ctx, "dst2", 0, -1).Val())

		popped := asyncResult(func() *redis.StringCmd { return other.BRPopLPush(ctx, "src", "dst2", 5*time.Second) })
		e.waitBlocked(t, 1)
		c.RPush(ctx, "src", "n")
		assert.Equal(t, "n", await(t, popped).Val())
		assert.Equal(t, []string{"n", "m"}, c.LRange(ctx, "dst2", 0, -1).Val())

		mpop := asyncResult(func() *redis.KeyValuesCmd { return other.BLMPop(ctx, 5*time.Second, "left", 2, "e1", "e2") })
		e.waitBlocked(t, 1)
		c.RPush(ctx, "e2", "1", "2", "3")
		key, vals, err = await(t, mpop).Result()
		require.NoError(t, err)
		assert.Equal(t, "e2", key)
		assert.Equal(t, []string{"1", "2"}, vals)

		// SWAPDB serves a client blocked on a key that exists after the
		// swap (the client stays in its database).
		db1 := e.client(t, redis.Options{DB: 1})
		swapped := asyncResult(func() *redis.StringSliceCmd { return other.BLPop(ctx, 5*time.Second, "sw") })
		e.waitBlocked(t, 1)
		db1.RPush(ctx, "sw", "from-db1")
		require.NoError(t, c.Do(ctx, "SWAPDB", 0, 1).Err())
		assert.Equal(t, []string{"sw", "from-db1"}, await(t, swapped).Val())
		assert.Equal(t, 0, e.blockedClients(t))
	})
}

func TestGoRedisHashes(t *testing.T) {
	onEachServer(t, func(t *testing.T, e *typesEnv) {
		c, ctx := e.c, e.ctx
		assert.Equal(t, int64(2), c.HSet(ctx, "h", "f1", "v1", "f2", "v2").Val())
		assert.Equal(t, int64(1), c.HSet(ctx, "h", map[string]any{"f2": "V2", "n": 10}).Val())
		assert.False(t, c.HSetNX(ctx, "h", "f1", "x").Val())
		assert.True(t, c.HSetNX(ctx, "h", "f3", "v3").Val())
		assert.True(t, c.HMSet(ctx, "h", "f4", "v4").Val())
		assert.Equal(t, "V2", c.HGet(ctx, "h", "f2").Val())
		assert.ErrorIs(t, c.HGet(ctx, "h", "nope").Err(), redis.Nil)
		assert.Equal(t, []any{"v1", nil, "v3"}, c.HMGet(ctx, "h", "f1", "nope", "f3").Val())
		assert.Equal(t, int64(15), c.HIncrBy(ctx, "h", "n", 5).Val())
		assert.Equal(t, 15.5, c.HIncrByFloat(ctx, "h", "n", 0.5).Val())
		assert.Equal(t, "15.5", c.HGet(ctx, "h", "n").Val())
		assert.EqualError(t, c.HIncrBy(ctx, "h", "f1", 1).Err(), "ERR hash value is not an integer")
		assert.Equal(t, int64(4), c.HStrLen(ctx, "h", "n").Val())
		assert.True(t, c.HExists(ctx, "h", "f4").Val())
		assert.False(t, c.HExists(ctx, "h", "nope").Val())
		want := map[string]string{"f1": "v1", "f2": "V2", "f3": "v3", "f4": "v4", "n": "15.5"}
		assert.Equal(t, want, c.HGetAll(ctx, "h").Val())
		assert.ElementsMatch(t, []string{"f1", "f2", "f3", "f4", "n"}, c.HKeys(ctx, "h").Val())
		assert.ElementsMatch(t, []string{"v1", "V2", "v3", "v4", "15.5"}, c.HVals(ctx, "h").Val())
		assert.Equal(t, int64(5), c.HLen(ctx, "h").Val())
		assert.Equal(t, "listpack", c.ObjectEncoding(ctx, "h").Val())

		fields := c.HRandField(ctx, "h", 3).Val()
		assert.Len(t, fields, 3)
		for _, f := range fields {
			assert.Contains(t, want, f)
		}
		assert.Len(t, uniq(fields), 3, "a positive count gives distinct fields")
		assert.Len(t, c.HRandField(ctx, "h", -8).Val(), 8, "a negative count may repeat fields")
		assert.Len(t, c.HRandField(ctx, "h", 50).Val(), 5)
		pairs := c.HRandFieldWithValues(ctx, "h", 2).Val()
		assert.Len(t, pairs, 2)
		for _, kv := range pairs {
			assert.Equal(t, want[kv.Key], kv.Value)
		}
		assert.Empty(t, c.HRandField(ctx, "missing", 3).Val())

		// A hash beyond hash-max-listpack-entries, scanned to the end.
		big := map[string]any{}
		for i := range 600 { // beyond the default hash-max-listpack-entries, 512
			big[fmt.Sprintf("field:%d", i)] = i
		}
		require.NoError(t, c.HSet(ctx, "big", big).Err())
		assert.Equal(t, "hashtable", c.ObjectEncoding(ctx, "big").Val())
		seen := map[string]string{}
		var cursor uint64
		for {
			kv, next, err := c.HScan(ctx, "big", cursor, "field:1*", 20).Result()
			require.NoError(t, err)
			require.Zero(t, len(kv)%2)
			for i := 0; i < len(kv); i += 2 {
				seen[kv[i]] = kv[i+1]
			}
			if cursor = next; cursor == 0 {
				break
			}
		}
		assert.Len(t, seen, 111) // field:1, field:10-19, field:100-199
		assert.Equal(t, "150", seen["field:150"])

		assert.Equal(t, int64(2), c.HDel(ctx, "h", "f1", "f2", "nope").Val())
		assert.Equal(t, int64(3), c.HLen(ctx, "h").Val())
		c.HDel(ctx, "h", "f3", "f4", "n")
		assert.Equal(t, int64(0), c.Exists(ctx, "h").Val(), "deleting the last field deletes the hash")
	})
}

func uniq(s []string) map[string]bool {
	m := map[string]bool{}
	for _, v := range s {
		m[v] = true
	}
	return m
}

func TestGoRedisSets(t *testing.T) {
	onEachServer(t, func(t *testing.T, e *typesEnv) {
		c, ctx := e.c, e.ctx
		assert.Equal(t, int64(4), c.SAdd(ctx, "s", 1, 2, 3, 4).Val())
		assert.Equal(t, int64(0), c.SAdd(ctx, "s", 1).Val())
		assert.Equal(t, "intset", c.ObjectEncoding(ctx, "s").Val())
		assert.Equal(t, int64(4), c.SAdd(ctx, "t", 3, 4, 5, "a").Val())
		assert.Equal(t, "hashtable", c.ObjectEncoding(ctx, "t").Val(), "Redis 7.0 has no listpack sets")
		assert.True(t, c.SIsMember(ctx, "s", 3).Val())
		assert.Equal(t, []bool{true, false}, c.SMIsMember(ctx, "s", 1, 9).Val())
		assert.Equal(t, int64(4), c.SCard(ctx, "s").Val())
		assert.ElementsMatch(t, []string{"1", "2", "3", "4"}, c.SMembers(ctx, "s").Val())
		assert.ElementsMatch(t, []string{"3", "4"}, c.SInter(ctx, "s", "t").Val())
		assert.Equal(t, int64(2), c.SInterCard(ctx, 0, "s", "t").Val())
		assert.Equal(t, int64(1), c.SInterCard(ctx, 1, "s", "t").Val())
		assert.Equal(t, int64(2), c.SInterStore(ctx, "i", "s", "t").Val())
		assert.ElementsMatch(t, []string{"1", "2", "3", "4", "5", "a"}, c.SUnion(ctx, "s", "t").Val())
		assert.Equal(t, int64(6), c.SUnionStore(ctx, "u", "s", "t").Val())
		assert.ElementsMatch(t, []string{"1", "2"}, c.SDiff(ctx, "s", "t").Val())
		assert.Equal(t, int64(2), c.SDiffStore(ctx, "d", "s", "t").Val())
		assert.ElementsMatch(t, []string{"1", "2"}, c.SMembers(ctx, "d").Val())
		assert.Equal(t, int64(0), c.SInterStore(ctx, "i", "s", "missing").Val())
		assert.Equal(t, int64(0), c.Exists(ctx, "i").Val())
		assert.True(t, c.SMove(ctx, "s", "t", 1).Val())
		assert.False(t, c.SMove(ctx, "s", "t", 1).Val())
		assert.True(t, c.SIsMember(ctx, "t", 1).Val())

		m := c.SRandMember(ctx, "t").Val()
		assert.True(t, c.SIsMember(ctx, "t", m).Val())
		assert.Len(t, uniq(c.SRandMemberN(ctx, "t", 3).Val()), 3)
		assert.Len(t, c.SRandMemberN(ctx, "t", -10).Val(), 10)
		p := c.SPop(ctx, "t").Val()
		assert.False(t, c.SIsMember(ctx, "t", p).Val(), "SPOP removes the member")
		ps := c.SPopN(ctx, "t", 2).Val()
		assert.Len(t, uniq(ps), 2)
		assert.Equal(t, int64(2), c.SCard(ctx, "t").Val())
		assert.Equal(t, []bool{false, false}, c.SMIsMember(ctx, "t", ps[0], ps[1]).Val())

		members := make([]any, 1000)
		for i := range members {
			members[i] = fmt.Sprintf("m%d", i)
		}
		require.NoError(t, c.SAdd(ctx, "big", members...).Err())
		assert.Equal(t, "hashtable", c.ObjectEncoding(ctx, "big").Val())
		seen := map[string]bool{}
		var cursor uint64
		for {
			keys, next, err := c.SScan(ctx, "big", cursor, "m99*", 50).Result()
			require.NoError(t, err)
			for _, k := range keys {
				seen[k] = true
			}
			if cursor = next; cursor == 0 {
				break
			}
		}
		assert.Len(t, seen, 11) // m99, m990-m999
		assert.Equal(t, int64(2), c.SRem(ctx, "big", "m1", "m2", "nope").Val())
		assert.Equal(t, int64(998), c.SCard(ctx, "big").Val())
	})
}

func TestGoRedisSortedSets(t *testing.T) {
	onEachServer(t, func(t *testing.T, e *typesEnv) {
		c, ctx := e.c, e.ctx
		zs := []redis.Z{{Score: 1, Member: "a"}, {Score: 2, Member: "b"}, {Score: 3, Member: "c"}, {Score: 4, Member: "d"}}
		assert.Equal(t, int64(4), c.ZAdd(ctx, "z", zs...).Val())
		assert.Equal(t, "listpack", c.ObjectEncoding(ctx, "z").Val())
		// ZADD's options.
		assert.Equal(t, int64(0), c.ZAddNX(ctx, "z", redis.Z{Score: 9, Member: "a"}).Val())
		assert.Equal(t, 1.0, c.ZScore(ctx, "z", "a").Val())
		assert.Equal(t, int64(0), c.ZAddXX(ctx, "z", redis.Z{Score: 9, Member: "new"}).Val())
		assert.ErrorIs(t, c.ZScore(ctx, "z", "new").Err(), redis.Nil)
		assert.Equal(t, int64(1), c.ZAddArgs(ctx, "z", redis.ZAddArgs{XX: true, Ch: true, Members: []redis.Z{{Score: 1.5, Member: "a"}, {Score: 7, Member: "x"}}}).Val())
		assert.Equal(t, int64(1), c.ZAddArgs(ctx, "z", redis.ZAddArgs{GT: true, Ch: true, Members: []redis.Z{{Score: 0, Member: "a"}, {Score: 5, Member: "b"}}}).Val())
		assert.Equal(t, 5.0, c.ZScore(ctx, "z", "b").Val())
		assert.Equal(t, int64(1), c.ZAddArgs(ctx, "z", redis.ZAddArgs{LT: true, Members: []redis.Z{{Score: 10, Member: "c"}, {Score: 0, Member: "e"}}}).Val())
		assert.Equal(t, 3.0, c.ZScore(ctx, "z", "c").Val(), "LT does not raise a score")
		assert.Equal(t, 13.0, c.ZAddArgsIncr(ctx, "z", redis.ZAddArgs{Members: []redis.Z{{Score: 10, Member: "c"}}}).Val())
		assert.ErrorIs(t, c.ZAddArgsIncr(ctx, "z", redis.ZAddArgs{NX: true, Members: []redis.Z{{Score: 1, Member: "c"}}}).Err(), redis.Nil)
		// go-redis never sends conflicting options; send them by hand.
		assert.EqualError(t, c.Do(ctx, "ZADD", "z", "NX", "XX", 1, "a").Err(), "ERR XX and NX options at the same time are not compatible")
		assert.EqualError(t, c.Do(ctx, "ZADD", "z", "GT", "LT", 1, "a").Err(), "ERR GT, LT, and/or NX options at the same time are not compatible")
		assert.Equal(t, 3.0, c.ZIncrBy(ctx, "z", -10, "c").Val())
		// z: e 0, a 1.5, c 3, d 4, b 5
		assert.Equal(t, int64(5), c.ZCard(ctx, "z").Val())
		assert.Equal(t, []float64{1.5, 0, 5}, c.ZMScore(ctx, "z", "a", "nope", "b").Val()) // go-redis reads nil as 0
		assert.Equal(t, int64(2), c.ZRank(ctx, "z", "c").Val())
		assert.Equal(t, int64(0), c.ZRevRank(ctx, "z", "b").Val())
		assert.ErrorIs(t, c.ZRank(ctx, "z", "nope").Err(), redis.Nil)
		if !e.real { // WITHSCORE is Redis 7.2's
			assert.Equal(t, redis.RankScore{Rank: 2, Score: 3}, c.ZRankWithScore(ctx, "z", "c").Val())
			assert.Equal(t, redis.RankScore{Rank: 0, Score: 5}, c.ZRevRankWithScore(ctx, "z", "b").Val())
		}

		// ZRANGE and its variants.
		assert.Equal(t, []string{"e", "a", "c", "d", "b"}, c.ZRange(ctx, "z", 0, -1).Val())
		assert.Equal(t, []redis.Z{{Score: 5, Member: "b"}, {Score: 4, Member: "d"}}, c.ZRevRangeWithScores(ctx, "z", 0, 1).Val())
		assert.Equal(t, []string{"c", "d"}, c.ZRangeArgs(ctx, redis.ZRangeArgs{Key: "z", Start: "(1.5", Stop: 4, ByScore: true}).Val())
		assert.Equal(t, []string{"d", "c"}, c.ZRangeArgs(ctx, redis.ZRangeArgs{Key: "z", Start: "+inf", Stop: "(1.5", ByScore: true, Rev: true, Offset: 1, Count: 2}).Val())
		assert.Equal(t, []redis.Z{{Score: 1.5, Member: "a"}, {Score: 3, Member: "c"}},
			c.ZRangeArgsWithScores(ctx, redis.ZRangeArgs{Key: "z", Start: "-inf", Stop: "+inf", ByScore: true, Offset: 1, Count: 2}).Val())
		assert.Equal(t, []string{"b", "d", "c", "a", "e"}, c.ZRangeArgs(ctx, redis.ZRangeArgs{Key: "z", Start: 0, Stop: -1, Rev: true}).Val())
		c.ZAdd(ctx, "lex", redis.Z{Member: "apple"}, redis.Z{Member: "banana"}, redis.Z{Member: "cherry"}, redis.Z{Member: "date"})
		assert.Equal(t, []string{"banana", "cherry"}, c.ZRangeArgs(ctx, redis.ZRangeArgs{Key: "lex", Start: "[b", Stop: "(d", ByLex: true}).Val())
		assert.Equal(t, []string{"cherry", "banana"}, c.ZRangeArgs(ctx, redis.ZRangeArgs{Key: "lex", Start: "+", Stop: "-", ByLex: true, Rev: true, Offset: 1, Count: 2}).Val())
		assert.Equal(t, []string{"apple", "banana"}, c.ZRangeByLex(ctx, "lex", &redis.ZRangeBy{Min: "-", Max: "+", Count: 2}).Val())
		assert.Equal(t, []string{"date", "cherry"}, c.ZRevRangeByLex(ctx, "lex", &redis.ZRangeBy{Min: "(c", Max: "+"}).Val())
		assert.Equal(t, []string{"c", "d"}, c.ZRangeByScore(ctx, "z", &redis.ZRangeBy{Min: "2", Max: "4.5"}).Val())
		assert.Equal(t, []redis.Z{{Score: 4, Member: "d"}}, c.ZRevRangeByScoreWithScores(ctx, "z", &redis.ZRangeBy{Min: "-inf", Max: "(5", Count: 1}).Val())
		assert.Equal(t, int64(2), c.ZRangeStore(ctx, "zs", redis.ZRangeArgs{Key: "z", Start: 3, Stop: 4, ByScore: true}).Val())
		assert.Equal(t, []redis.Z{{Score: 3, Member: "c"}, {Score: 4, Member: "d"}}, c.ZRangeWithScores(ctx, "zs", 0, -1).Val())
		assert.Equal(t, int64(3), c.ZCount(ctx, "z", "(1.5", "+inf").Val())
		assert.Equal(t, int64(2), c.ZLexCount(ctx, "lex", "[b", "(d").Val())

		// Pops, blocking pops and ZMPOP.
		assert.Equal(t, []redis.Z{{Score: 0, Member: "e"}}, c.ZPopMin(ctx, "z").Val())
		assert.Equal(t, []redis.Z{{Score: 5, Member: "b"}, {Score: 4, Member: "d"}}, c.ZPopMax(ctx, "z", 2).Val())
		key, popped, err := c.ZMPop(ctx, "min", 5, "missing", "z").Result()
		require.NoError(t, err)
		assert.Equal(t, "z", key)
		assert.Equal(t, []redis.Z{{Score: 1.5, Member: "a"}, {Score: 3, Member: "c"}}, popped)
		other := e.client(t, redis.Options{})
		bz := asyncResult(func() *redis.ZWithKeyCmd { return other.BZPopMax(ctx, 5*time.Second, "bz1", "bz2") })
		e.waitBlocked(t, 1)
		c.ZAdd(ctx, "bz2", redis.Z{Score: 1, Member: "p"}, redis.Z{Score: 2, Member: "q"})
		r := await(t, bz)
		require.NoError(t, r.Err())
		assert.Equal(t, redis.ZWithKey{Key: "bz2", Z: redis.Z{Score: 2, Member: "q"}}, *r.Val())
		assert.Equal(t, redis.ZWithKey{Key: "bz2", Z: redis.Z{Score: 1, Member: "p"}}, *c.BZPopMin(ctx, time.Second, "bz2").Val())
		assert.ErrorIs(t, c.Do(ctx, "BZPOPMIN", "bz2", "0.05").Err(), redis.Nil)
		bzm := asyncResult(func() *redis.ZSliceWithKeyCmd { return other.BZMPop(ctx, 5*time.Second, "max", 2, "bzm") })
		e.waitBlocked(t, 1)
		c.ZAdd(ctx, "bzm", redis.Z{Score: 1, Member: "u"}, redis.Z{Score: 2, Member: "v"}, redis.Z{Score: 3, Member: "w"})
		key, popped, err = await(t, bzm).Result()
		require.NoError(t, err)
		assert.Equal(t, "bzm", key)
		assert.Equal(t, []redis.Z{{Score: 3, Member: "w"}, {Score: 2, Member: "v"}}, popped)

		// Set algebra.
		c.ZAdd(ctx, "za", redis.Z{Score: 1, Member: "x"}, redis.Z{Score: 2, Member: "y"}, redis.Z{Score: 3, Member: "z"})
		c.ZAdd(ctx, "zb", redis.Z{Score: 10, Member: "y"}, redis.Z{Score: 20, Member: "z"}, redis.Z{Score: 30, Member: "w"})
		c.SAdd(ctx, "plain", "y", "w")
		assert.Equal(t, []redis.Z{{Score: 1, Member: "x"}, {Score: 12, Member: "y"}, {Score: 23, Member: "z"}, {Score: 30, Member: "w"}},
			c.ZUnionWithScores(ctx, redis.ZStore{Keys: []string{"za", "zb"}}).Val())
		assert.Equal(t, []redis.Z{{Score: 2, Member: "x"}, {Score: 30, Member: "y"}, {Score: 60, Member: "z"}, {Score: 90, Member: "w"}},
			c.ZUnionWithScores(ctx, redis.ZStore{Keys: []string{"za", "zb"}, Weights: []float64{2, 3}, Aggregate: "MAX"}).Val())
		assert.Equal(t, []string{"y", "z"}, c.ZInter(ctx, &redis.ZStore{Keys: []string{"za", "zb"}}).Val())
		assert.Equal(t, []redis.Z{{Score: 2, Member: "y"}, {Score: 3, Member: "z"}},
			c.ZInterWithScores(ctx, &redis.ZStore{Keys: []string{"za", "zb"}, Aggregate: "MIN"}).Val())
		assert.Equal(t, []redis.Z{{Score: 3, Member: "y"}}, c.ZInterWithScores(ctx, &redis.ZStore{Keys: []string{"za", "plain"}}).Val(), "a set counts as score 1")
		assert.Equal(t, []redis.Z{{Score: 1, Member: "x"}}, c.ZDiffWithScores(ctx, "za", "zb").Val())
		assert.Equal(t, int64(4), c.ZUnionStore(ctx, "u", &redis.ZStore{Keys: []string{"za", "zb"}}).Val())
		assert.Equal(t, int64(2), c.ZInterStore(ctx, "i", &redis.ZStore{Keys: []string{"za", "zb"}, Weights: []float64{1, 0}}).Val())
		assert.Equal(t, []redis.Z{{Score: 2, Member: "y"}, {Score: 3, Member: "z"}}, c.ZRangeWithScores(ctx, "i", 0, -1).Val())
		assert.Equal(t, int64(1), c.ZDiffStore(ctx, "d", "za", "zb").Val())
		assert.Equal(t, int64(2), c.ZInterCard(ctx, 0, "za", "zb").Val())
		assert.Equal(t, int64(1), c.ZInterCard(ctx, 1, "za", "zb").Val())

		// Removal by range, random members, scanning.
		assert.Equal(t, int64(1), c.ZRemRangeByRank(ctx, "u", 0, 0).Val())
		assert.Equal(t, int64(1), c.ZRemRangeByScore(ctx, "u", "(25", "+inf").Val())
		assert.Equal(t, int64(2), c.ZRemRangeByLex(ctx, "lex", "[a", "(c").Val())
		assert.Equal(t, []string{"cherry", "date"}, c.ZRange(ctx, "lex", 0, -1).Val())
		assert.Equal(t, int64(1), c.ZRem(ctx, "u", "y", "nope").Val())
		for _, m := range c.ZRandMember(ctx, "za", 5).Val() {
			assert.Contains(t, []string{"x", "y", "z"}, m)
		}
		assert.Len(t, c.ZRandMember(ctx, "za", -7).Val(), 7)
		for _, z := range c.ZRandMemberWithScores(ctx, "za", 2).Val() {
			assert.Equal(t, c.ZScore(ctx, "za", z.Member.(string)).Val(), z.Score)
		}
		big := make([]redis.Z, 500)
		for i := range big {
			big[i] = redis.Z{Score: float64(i), Member: fmt.Sprintf("m%03d", i)}
		}
		require.NoError(t, c.ZAdd(ctx, "big", big...).Err())
		assert.Equal(t, "skiplist", c.ObjectEncoding(ctx, "big").Val())
		assert.Equal(t, int64(250), c.ZRank(ctx, "big", "m250").Val())
		seen := map[string]string{}
		var cursor uint64
		for {
			kv, next, err := c.ZScan(ctx, "big", cursor, "m12*", 40).Result()
			require.NoError(t, err)
			for i := 0; i+1 < len(kv); i += 2 {
				seen[kv[i]] = kv[i+1]
			}
			if cursor = next; cursor == 0 {
				break
			}
		}
		assert.Len(t, seen, 10)
		assert.Equal(t, "125", seen["m125"])
	})
}

func TestGoRedisGeo(t *testing.T) {
	onEachServer(t, func(t *testing.T, e *typesEnv) {
		c, ctx := e.c, e.ctx
		assert.Equal(t, int64(2), c.GeoAdd(ctx, "Sicily",
			&redis.GeoLocation{Name: "Palermo", Longitude: 13.361389, Latitude: 38.115556},
			&redis.GeoLocation{Name: "Catania", Longitude: 15.087269, Latitude: 37.502669}).Val())
		assert.EqualError(t, c.GeoAdd(ctx, "Sicily", &redis.GeoLocation{Name: "x", Longitude: 200, Latitude: 1}).Err(),
			"ERR invalid longitude,latitude pair 200.000000,1.000000")
		assert.Equal(t, 166.2742, c.GeoDist(ctx, "Sicily", "Palermo", "Catania", "km").Val())
		assert.Equal(t, 166274.1516, c.GeoDist(ctx, "Sicily", "Palermo", "Catania", "m").Val())
		assert.ErrorIs(t, c.GeoDist(ctx, "Sicily", "Palermo", "nope", "km").Err(), redis.Nil)
		pos := c.GeoPos(ctx, "Sicily", "Palermo", "nope").Val()
		require.Len(t, pos, 2)
		assert.InDelta(t, 13.361389, pos[0].Longitude, 1e-5)
		assert.InDelta(t, 38.115556, pos[0].Latitude, 1e-5)
		assert.Nil(t, pos[1])
		assert.Equal(t, []string{"sqc8b49rny0", "sqdtr74hyu0"}, c.GeoHash(ctx, "Sicily", "Palermo", "Catania").Val())

		assert.Equal(t, []string{"Catania", "Palermo"}, c.GeoSearch(ctx, "Sicily", &redis.GeoSearchQuery{
			Longitude: 15, Latitude: 37, Radius: 200, RadiusUnit: "km", Sort: "ASC"}).Val())
		assert.Equal(t, []string{"Catania"}, c.GeoSearch(ctx, "Sicily", &redis.GeoSearchQuery{
			Longitude: 15, Latitude: 37, BoxWidth: 400, BoxHeight: 400, BoxUnit: "km", Sort: "ASC", Count: 1}).Val())
		assert.Equal(t, []string{"Palermo"}, c.GeoSearch(ctx, "Sicily", &redis.GeoSearchQuery{
			Member: "Palermo", Radius: 100, RadiusUnit: "km"}).Val())
		locs := c.GeoSearchLocation(ctx, "Sicily", &redis.GeoSearchLocationQuery{
			GeoSearchQuery: redis.GeoSearchQuery{Longitude: 15, Latitude: 37, Radius: 200, RadiusUnit: "km", Sort: "DESC"},
			WithCoord:      true, WithDist: true, WithHash: true}).Val()
		require.Len(t, locs, 2)
		assert.Equal(t, "Palermo", locs[0].Name)
		assert.Equal(t, 190.4424, locs[0].Dist)
		assert.Equal(t, int64(3479099956230698), locs[0].GeoHash)
		assert.InDelta(t, 13.361389, locs[0].Longitude, 1e-5)
		assert.Equal(t, "Catania", locs[1].Name)
		assert.Equal(t, 56.4413, locs[1].Dist)
		assert.Equal(t, int64(2), c.GeoSearchStore(ctx, "Sicily", "near", &redis.GeoSearchStoreQuery{
			GeoSearchQuery: redis.GeoSearchQuery{Longitude: 15, Latitude: 37, Radius: 200, RadiusUnit: "km"}, StoreDist: true}).Val())
		near := c.ZRangeWithScores(ctx, "near", 0, -1).Val()
		require.Len(t, near, 2)
		assert.Equal(t, "Catania", near[0].Member)
		assert.InDelta(t, 56.4413, near[0].Score, 1e-4)

		// GEORADIUS (go-redis sends GEORADIUS_RO when nothing is stored).
		res := c.GeoRadius(ctx, "Sicily", 15, 37, &redis.GeoRadiusQuery{Radius: 200, Unit: "km", WithDist: true, Sort: "ASC"}).Val()
		require.Len(t, res, 2)
		assert.Equal(t, redis.GeoLocation{Name: "Catania", Dist: 56.4413}, res[0])
		assert.Equal(t, redis.GeoLocation{Name: "Palermo", Dist: 190.4424}, res[1])
		assert.Equal(t, int64(2), c.GeoRadiusStore(ctx, "Sicily", 15, 37, &redis.GeoRadiusQuery{Radius: 200, Unit: "km", Store: "stored"}).Val())
		assert.Equal(t, int64(2), c.ZCard(ctx, "stored").Val())
		byMember := c.GeoRadiusByMember(ctx, "Sicily", "Palermo", &redis.GeoRadiusQuery{Radius: 200, Unit: "km", Sort: "ASC", WithDist: true}).Val()
		require.Len(t, byMember, 2)
		assert.Equal(t, redis.GeoLocation{Name: "Palermo", Dist: 0}, byMember[0])
		assert.Equal(t, redis.GeoLocation{Name: "Catania", Dist: 166.2742}, byMember[1])
		assert.Equal(t, "zset", c.Type(ctx, "Sicily").Val())
	})
}

func TestGoRedisBitmaps(t *testing.T) {
	onEachServer(t, func(t *testing.T, e *typesEnv) {
		c, ctx := e.c, e.ctx
		assert.Equal(t, int64(0), c.SetBit(ctx, "b", 7, 1).Val())
		assert.Equal(t, int64(1), c.SetBit(ctx, "b", 7, 0).Val())
		c.SetBit(ctx, "b", 100, 1)
		assert.Equal(t, int64(1), c.GetBit(ctx, "b", 100).Val())
		assert.Equal(t, int64(0), c.GetBit(ctx, "b", 1<<20).Val())
		assert.Equal(t, int64(13), c.StrLen(ctx, "b").Val())
		assert.EqualError(t, c.SetBit(ctx, "b", 1, 2).Err(), "ERR bit is not an integer or out of range")

		require.NoError(t, c.Set(ctx, "s", "foobar", 0).Err())
		assert.Equal(t, int64(26), c.BitCount(ctx, "s", nil).Val())
		assert.Equal(t, int64(6), c.BitCount(ctx, "s", &redis.BitCount{Start: 1, End: 1}).Val())
		assert.Equal(t, int64(17), c.BitCount(ctx, "s", &redis.BitCount{Start: 5, End: 30, Unit: redis.BitCountIndexBit}).Val())
		assert.Equal(t, int64(1), c.BitPos(ctx, "s", 1).Val())
		assert.Equal(t, int64(0), c.BitPos(ctx, "s", 0).Val())
		assert.Equal(t, int64(17), c.BitPos(ctx, "s", 1, 2).Val())
		assert.Equal(t, int64(9), c.BitPosSpan(ctx, "s", 1, 7, 15, "bit").Val())
		require.NoError(t, c.Set(ctx, "ff", "\xff\xff", 0).Err())
		assert.Equal(t, int64(16), c.BitPos(ctx, "ff", 0).Val(), "a clear bit past the end")
		assert.Equal(t, int64(-1), c.BitPos(ctx, "ff", 0, 0, -1).Val(), "not past an explicit end")

		assert.Equal(t, int64(6), c.BitOpAnd(ctx, "and", "s", "ff").Val())
		assert.Equal(t, "fo", c.Get(ctx, "and").Val()[:2])
		assert.Equal(t, "\x00\x00", c.Get(ctx, "and").Val()[4:])
		assert.Equal(t, int64(6), c.BitOpOr(ctx, "or", "s", "ff").Val())
		assert.Equal(t, "\xff\xffobar", c.Get(ctx, "or").Val())
		assert.Equal(t, int64(6), c.BitOpXor(ctx, "xor", "s", "s").Val())
		assert.Equal(t, strings.Repeat("\x00", 6), c.Get(ctx, "xor").Val())
		assert.Equal(t, int64(2), c.BitOpNot(ctx, "not", "ff").Val())
		assert.Equal(t, "\x00\x00", c.Get(ctx, "not").Val())

		assert.Equal(t, []int64{0, 255, 9}, c.BitField(ctx, "bf", "SET", "u8", 0, 255, "GET", "u8", 0, "INCRBY", "u8", 0, 10).Val())
		assert.Equal(t, []int64{255, 0, -56}, c.BitField(ctx, "bf", "OVERFLOW", "SAT", "INCRBY", "u8", 0, 250, "OVERFLOW", "FAIL", "INCRBY", "u8", 8, -1,
			"OVERFLOW", "WRAP", "INCRBY", "i8", 16, 200).Val(), "SAT saturates, FAIL gives nil (read as 0), WRAP wraps")
		r := c.BitField(ctx, "bf2", "OVERFLOW", "FAIL", "INCRBY", "u8", 0, -1, "SET", "i5", "#1", -3, "GET", "i5", "#1")
		require.NoError(t, r.Err())
		assert.Equal(t, []int64{0, 0, -3}, r.Val(), "a failed INCRBY reads as nil")
		assert.Equal(t, []int64{-3}, c.BitFieldRO(ctx, "bf2", "i5", "#1").Val())
		assert.Equal(t, []int64{255, -1}, c.BitFieldRO(ctx, "bf", "u8", 0, "i4", 4).Val())
		assert.EqualError(t, c.BitField(ctx, "bf", "GET", "u64", 0).Err(),
			"ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.")
		assert.EqualError(t, c.Do(ctx, "BITFIELD_RO", "bf", "SET", "u8", 0, 1).Err(), "ERR BITFIELD_RO only supports the GET subcommand")
	})
}

func TestGoRedisHyperLogLog(t *testing.T) {
	onEachServer(t, func(t *testing.T, e *typesEnv) {
		c, ctx := e.c, e.ctx
		assert.Equal(t, int64(1), c.PFAdd(ctx, "h1", "a", "b", "c").Val())
		assert.Equal(t, int64(0), c.PFAdd(ctx, "h1", "a").Val())
		assert.Equal(t, int64(3), c.PFCount(ctx, "h1").Val())
		assert.Equal(t, "HYLL", c.Get(ctx, "h1").Val()[:4])
		elems := make([]any, 5000)
		for i := range elems {
			elems[i] = fmt.Sprintf("e%d", i)
		}
		require.NoError(t, c.PFAdd(ctx, "h2", elems...).Err())
		n := c.PFCount(ctx, "h2").Val()
		assert.InDelta(t, 5000, n, 5000*0.02, "standard error is 0.81%%: %d", n)
		require.NoError(t, c.PFAdd(ctx, "h3", elems[2500:]...).Err())
		require.NoError(t, c.PFAdd(ctx, "h3", "x", "y").Err())
		union := c.PFCount(ctx, "h2", "h3").Val()
		assert.InDelta(t, 5002, union, 5002*0.02)
		require.NoError(t, c.PFMerge(ctx, "m", "h2", "h3", "missing").Err())
		assert.Equal(t, union, c.PFCount(ctx, "m").Val())
		assert.Equal(t, int64(0), c.PFCount(ctx, "missing").Val())
		c.Set(ctx, "str", "not an hll", 0)
		assert.EqualError(t, c.PFCount(ctx, "str").Err(), "WRONGTYPE Key is not a valid HyperLogLog string value.")
	})
}

func TestGoRedisPubSub(t *testing.T) {
	onEachServer(t, func(t *testing.T, e *typesEnv) {
		c, ctx := e.c, e.ctx
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		sub := c.Subscribe(ctx, "news", "sport")
		defer sub.Close()
		for _, ch := range []string{"news", "sport"} {
			m, err := sub.Receive(ctx)
			require.NoError(t, err)
			assert.Equal(t, &redis.Subscription{Kind: "subscribe", Channel: ch, Count: map[string]int{"news": 1, "sport": 2}[ch]}, m)
		}
		require.NoError(t, sub.PSubscribe(ctx, "n*"))
		m, err := sub.Receive(ctx)
		require.NoError(t, err)
		assert.Equal(t, &redis.Subscription{Kind: "psubscribe", Channel: "n*", Count: 3}, m)

		assert.Equal(t, []string{"news", "sport"}, sorted(c.PubSubChannels(ctx, "*").Val()))
		assert.Equal(t, []string{"news"}, c.PubSubChannels(ctx, "n*").Val())
		assert.Equal(t, map[string]int64{"news": 1, "nobody": 0}, c.PubSubNumSub(ctx, "news", "nobody").Val())
		assert.Equal(t, int64(1), c.PubSubNumPat(ctx).Val())

		assert.Equal(t, int64(2), c.Publish(ctx, "news", "hello").Val(), "one channel and one pattern subscription")
		assert.Equal(t, int64(0), c.Publish(ctx, "weather", "rain").Val())
		assert.Equal(t, int64(1), c.Publish(ctx, "sport", "goal").Val())
		msg, err := sub.ReceiveMessage(ctx)
		require.NoError(t, err)
		assert.Equal(t, redis.Message{Channel: "news", Payload: "hello"}, *msg)
		msg, err = sub.ReceiveMessage(ctx)
		require.NoError(t, err)
		assert.Equal(t, redis.Message{Channel: "news", Pattern: "n*", Payload: "hello"}, *msg)
		msg, err = sub.ReceiveMessage(ctx)
		require.NoError(t, err)
		assert.Equal(t, redis.Message{Channel: "sport", Payload: "goal"}, *msg)

		require.NoError(t, sub.Unsubscribe(ctx, "news"))
		m, err = sub.Receive(ctx)
		require.NoError(t, err)
		assert.Equal(t, &redis.Subscription{Kind: "unsubscribe", Channel: "news", Count: 2}, m)
		require.NoError(t, sub.PUnsubscribe(ctx))
		m, err = sub.Receive(ctx)
		require.NoError(t, err)
		assert.Equal(t, &redis.Subscription{Kind: "punsubscribe", Channel: "n*", Count: 1}, m)
		assert.Equal(t, int64(0), c.PubSubNumPat(ctx).Val())
		assert.Equal(t, int64(0), c.Publish(ctx, "news", "again").Val())

		// Shard channels.
		ssub := c.SSubscribe(ctx, "shard")
		defer ssub.Close()
		m, err = ssub.Receive(ctx)
		require.NoError(t, err)
		assert.Equal(t, &redis.Subscription{Kind: "ssubscribe", Channel: "shard", Count: 1}, m)
		assert.Equal(t, []string{"shard"}, c.PubSubShardChannels(ctx, "*").Val())
		assert.Equal(t, map[string]int64{"shard": 1}, c.PubSubShardNumSub(ctx, "shard").Val())
		assert.Equal(t, int64(1), c.SPublish(ctx, "shard", "s-msg").Val())
		assert.Equal(t, int64(0), c.Publish(ctx, "shard", "not for shard subscribers").Val())
		msg, err = ssub.ReceiveMessage(ctx)
		require.NoError(t, err)
		assert.Equal(t, redis.Message{Channel: "shard", Payload: "s-msg"}, *msg)
	})
}

func sorted(s []string) []string {
	s = append([]string(nil), s...)
	sort.Strings(s)
	return s
}

func TestGoRedisTransactions(t *testing.T) {
	onEachServer(t, func(t *testing.T, e *typesEnv) {
		c, ctx := e.c, e.ctx
		require.NoError(t, c.Set(ctx, "counter", "10", 0).Err())
		other := e.client(t, redis.Options{})
		increment := func(conflict bool) error {
			return c.Watch(ctx, func(tx *redis.Tx) error {
				n, err := tx.Get(ctx, "counter").Int()
				if err != nil {
					return err
				}
				if conflict {
					// Another client writes the watched key between WATCH and EXEC.
					if err := other.Set(ctx, "counter", "100", 0).Err(); err != nil {
						return err
					}
				}
				_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
					p.Set(ctx, "counter", n+1, 0)
					p.LPush(ctx, "log", n+1)
					return nil
				})
				return err
			}, "counter")
		}
		assert.ErrorIs(t, increment(true), redis.TxFailedErr)
		assert.Equal(t, "100", c.Get(ctx, "counter").Val(), "the aborted transaction changed nothing")
		assert.Equal(t, int64(0), c.Exists(ctx, "log").Val())
		require.NoError(t, increment(false))
		assert.Equal(t, "101", c.Get(ctx, "counter").Val())
		assert.Equal(t, []string{"101"}, c.LRange(ctx, "log", 0, -1).Val())

		// A command error inside EXEC does not stop the others.
		cmds, err := c.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Incr(ctx, "counter")
			p.HSet(ctx, "counter", "f", "v")
			p.Incr(ctx, "counter")
			return nil
		})
		require.Error(t, err)
		require.Len(t, cmds, 3)
		assert.Equal(t, int64(102), cmds[0].(*redis.IntCmd).Val())
		assert.EqualError(t, cmds[1].Err(), "WRONGTYPE Operation against a key holding the wrong kind of value")
		assert.Equal(t, int64(103), cmds[2].(*redis.IntCmd).Val())

		// A queueing error discards the transaction.
		_, err = c.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Incr(ctx, "counter")
			p.Do(ctx, "SET", "counter")
			return nil
		})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "EXECABORT Transaction discarded because of previous errors.")
		assert.Equal(t, "103", c.Get(ctx, "counter").Val())

		// UNWATCH forgets the watched keys; DISCARD drops the queue.
		require.NoError(t, c.Watch(ctx, func(tx *redis.Tx) error {
			other.Set(ctx, "counter", "0", 0)
			require.NoError(t, tx.Unwatch(ctx).Err())
			_, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.Set(ctx, "counter", "unwatched", 0)
				return nil
			})
			return err
		}, "counter"))
		assert.Equal(t, "unwatched", c.Get(ctx, "counter").Val())
		conn := c.Conn()
		defer conn.Close()
		require.NoError(t, conn.Do(ctx, "MULTI").Err())
		assert.Equal(t, "QUEUED", conn.Do(ctx, "SET", "counter", "discarded").Val())
		assert.Equal(t, "OK", conn.Do(ctx, "DISCARD").Val())
		assert.Equal(t, "unwatched", c.Get(ctx, "counter").Val())
		assert.EqualError(t, conn.Do(ctx, "EXEC").Err(), "ERR EXEC without MULTI")
	})
}

func TestGoRedisACL(t *testing.T) {
	onEachServer(t, func(t *testing.T, e *typesEnv) {
		c, ctx := e.c, e.ctx
		require.NoError(t, c.ACLSetUser(ctx, "alice", "reset", "on", ">s3cret", "~app:*", "&news", "+@string", "-append", "+ping", "+acl|whoami").Err())
		assert.Equal(t, []string{"alice", "default"}, c.ACLUsers(ctx).Val())
		list := c.ACLList(ctx).Val()
		require.Len(t, list, 2)
		assert.True(t, strings.HasPrefix(list[0], fmt.Sprintf("user alice on sanitize-payload #%x ~app:* resetchannels &news -@all +@string ", sha256.Sum256([]byte("s3cret")))), list[0])
		// Single-command rules come in the order of Redis's command table
		// (a hash table), so only their presence is checked.
		assert.Contains(t, list[0], " -append")
		assert.Contains(t, list[0], " +ping")
		assert.Contains(t, list[0], " +acl|whoami")
		assert.Equal(t, "user default on nopass ~* &* +@all", list[1])
		user, err := c.Do(ctx, "ACL", "GETUSER", "alice").Result()
		require.NoError(t, err)
		fields := map[string]any{}
		switch u := user.(type) {
		case map[any]any: // RESP3
			for k, v := range u {
				fields[k.(string)] = v
			}
		case []any: // RESP2
			for i := 0; i+1 < len(u); i += 2 {
				fields[u[i].(string)] = u[i+1]
			}
		}
		assert.Equal(t, "~app:*", fields["keys"])
		assert.Equal(t, "&news", fields["channels"])
		assert.Contains(t, c.ACLCat(ctx).Val(), "string")
		assert.Contains(t, c.ACLCatArgs(ctx, &redis.ACLCatArgs{Category: "hash"}).Val(), "hset")
		assert.Equal(t, "OK", c.ACLDryRun(ctx, "alice", "get", "app:1").Val())
		assert.Equal(t, "This user has no permissions to run the 'lpush' command", c.ACLDryRun(ctx, "alice", "lpush", "app:1", "x").Val())

		wrong := e.client(t, redis.Options{Username: "alice", Password: "nope"})
		assert.EqualError(t, wrong.Ping(ctx).Err(), "WRONGPASS invalid username-password pair or user is disabled.")
		alice := e.client(t, redis.Options{Username: "alice", Password: "s3cret"})
		require.NoError(t, alice.Ping(ctx).Err())
		assert.Equal(t, "alice", alice.Do(ctx, "ACL", "WHOAMI").Val())
		require.NoError(t, alice.Set(ctx, "app:1", "v", 0).Err())
		assert.Equal(t, "v", alice.Get(ctx, "app:1").Val())
		assert.EqualError(t, alice.Set(ctx, "other", "v", 0).Err(), "NOPERM this user has no permissions to access one of the keys used as arguments")
		assert.EqualError(t, alice.Append(ctx, "app:1", "x").Err(), "NOPERM this user has no permissions to run the 'append' command")
		assert.EqualError(t, alice.LPush(ctx, "app:l", "x").Err(), "NOPERM this user has no permissions to run the 'lpush' command")
		assert.EqualError(t, alice.Publish(ctx, "news", "x").Err(), "NOPERM this user has no permissions to run the 'publish' command")
		assert.Equal(t, int64(0), c.Exists(ctx, "other").Val())

		entries, err := c.ACLLog(ctx, 10).Result()
		require.NoError(t, err)
		require.NotEmpty(t, entries)
		assert.Equal(t, "command", entries[0].Reason)
		assert.Equal(t, "publish", entries[0].Object)
		assert.Equal(t, "alice", entries[0].Username)
		var reasons []string
		for _, en := range entries {
			reasons = append(reasons, en.Reason+":"+en.Object)
		}
		assert.Contains(t, reasons, "key:other")
		assert.Contains(t, strings.Join(reasons, " "), "auth:", "the failed authentication is logged")
		require.NoError(t, c.ACLLogReset(ctx).Err())
		assert.Empty(t, c.ACLLog(ctx, 10).Val())

		// The default user can be restricted too, and AUTH switches users.
		require.NoError(t, c.ACLSetUser(ctx, "bob", "on", "nopass", "allkeys", "+@read", "+acl|whoami").Err())
		conn := c.Conn()
		defer conn.Close()
		require.NoError(t, conn.Do(ctx, "AUTH", "bob", "anything").Err())
		assert.Equal(t, "bob", conn.Do(ctx, "ACL", "WHOAMI").Val())
		assert.Equal(t, "v", conn.Get(ctx, "app:1").Val())
		assert.Error(t, conn.Set(ctx, "app:1", "w", 0).Err())

		assert.Equal(t, int64(2), c.ACLDelUser(ctx, "alice").Val()+c.ACLDelUser(ctx, "bob").Val())
		assert.Equal(t, []string{"default"}, c.ACLUsers(ctx).Val())
		assert.Error(t, alice.Ping(ctx).Err(), "a deleted user's connections are closed")
	})
}
