package node_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"replab/internal/redistest"
)

// goRedisClient connects the go-redis client library to a replab node, in
// the protocol version given (go-redis speaks RESP3 by default).
func goRedisClient(t *testing.T, proto int) (*redis.Client, context.Context) {
	t.Helper()
	r := redistest.StartReplab(t)
	c := redis.NewClient(&redis.Options{Addr: r.Addr(), Protocol: proto, DisableIdentity: true})
	t.Cleanup(func() { c.Close() })
	ctx := context.Background()
	require.NoError(t, c.Ping(ctx).Err())
	return c, ctx
}

func TestGoRedisStringsAndKeys(t *testing.T) {
	for _, proto := range []int{2, 3} {
		c, ctx := goRedisClient(t, proto)
		require.NoError(t, c.Set(ctx, "k", "v", 0).Err())
		assert.Equal(t, "v", c.Get(ctx, "k").Val())
		assert.ErrorIs(t, c.Get(ctx, "missing").Err(), redis.Nil)
		assert.True(t, c.SetNX(ctx, "nx", 1, 0).Val())
		assert.False(t, c.SetNX(ctx, "nx", 2, 0).Val())
		require.NoError(t, c.Set(ctx, "ttl", "v", time.Minute).Err())
		ttl := c.TTL(ctx, "ttl").Val()
		assert.True(t, ttl > 50*time.Second && ttl <= time.Minute, ttl)
		assert.Equal(t, int64(1), c.Incr(ctx, "n").Val())
		assert.Equal(t, int64(11), c.IncrBy(ctx, "n", 10).Val())
		assert.Equal(t, 12.5, c.IncrByFloat(ctx, "n", 1.5).Val())
		assert.Equal(t, []any{"v", nil}, c.MGet(ctx, "k", "missing").Val())
		require.NoError(t, c.MSet(ctx, "a", "1", "b", "2").Err())
		assert.Equal(t, int64(5), c.Append(ctx, "a", "2345").Val())
		assert.Equal(t, "23", c.GetRange(ctx, "a", 1, 2).Val())
		assert.Equal(t, "12345", c.GetDel(ctx, "a").Val())
		assert.Equal(t, int64(0), c.Exists(ctx, "a").Val())
		assert.Equal(t, "string", c.Type(ctx, "b").Val())
		require.NoError(t, c.Rename(ctx, "b", "c").Err())
		assert.True(t, c.Expire(ctx, "c", time.Hour).Val())
		assert.True(t, c.Persist(ctx, "c").Val())
		assert.Equal(t, time.Duration(-1), c.TTL(ctx, "c").Val())
		assert.True(t, c.Copy(ctx, "c", "d", 0, false).Val() == 1)
		keys, cursor, err := c.Scan(ctx, 0, "*", 100).Result()
		require.NoError(t, err)
		assert.Equal(t, uint64(0), cursor)
		assert.ElementsMatch(t, []string{"k", "nx", "ttl", "n", "c", "d"}, keys)
		assert.ElementsMatch(t, keys, c.Keys(ctx, "*").Val())
		assert.Equal(t, int64(6), c.DBSize(ctx).Val())
		lcs, err := c.LCS(ctx, &redis.LCSQuery{Key1: "k", Key2: "nx"}).Result()
		require.NoError(t, err)
		assert.Equal(t, "", lcs.MatchString)
		assert.Equal(t, int64(2), c.Del(ctx, "c", "d", "missing").Val())
		assert.Equal(t, "OK", c.FlushDB(ctx).Val())

	}
}

func TestGoRedisServerCommands(t *testing.T) {
	c, ctx := goRedisClient(t, 3)
	info, err := c.Info(ctx, "server").Result()
	require.NoError(t, err)
	assert.Contains(t, info, "redis_version:7.0.15")
	cfg, err := c.ConfigGet(ctx, "maxmemory*").Result()
	require.NoError(t, err)
	assert.Equal(t, "noeviction", cfg["maxmemory-policy"])
	require.NoError(t, c.ConfigSet(ctx, "maxmemory", "10mb").Err())
	assert.Equal(t, "10485760", c.ConfigGet(ctx, "maxmemory").Val()["maxmemory"])
	id, err := c.ClientID(ctx).Result()
	require.NoError(t, err)
	assert.Greater(t, id, int64(0))
	list, err := c.ClientList(ctx).Result()
	require.NoError(t, err)
	assert.Contains(t, list, "cmd=client|list")
	n, err := c.Do(ctx, "COMMAND", "COUNT").Int64()
	require.NoError(t, err)
	assert.Greater(t, n, int64(50))
	cmds, err := c.Command(ctx).Result()
	require.NoError(t, err)
	assert.Equal(t, int8(-3), cmds["set"].Arity)
	tm, err := c.Time(ctx).Result()
	require.NoError(t, err)
	assert.WithinDuration(t, time.Now(), tm, 5*time.Second)
	// Pipelining and transactions through the library.
	pipe := c.TxPipeline()
	pipe.Set(ctx, "x", "1", 0)
	pipe.Incr(ctx, "x")
	_, err = pipe.Exec(ctx)
	require.NoError(t, err)
	assert.Equal(t, "2", c.Get(ctx, "x").Val())
}
