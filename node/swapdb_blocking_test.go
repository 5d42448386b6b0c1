package node

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// SWAPDB serves the clients blocked on keys that exist after the swap, as
// Redis 7.0's scanDatabaseForReadyKeys does: clients stay in their database
// and see its new contents. They are served in the order they blocked.
func TestSwapDBServesBlockedClients(t *testing.T) {
	tn := newTestNode(t)
	list0, zset1, wrongType, absent, writer := tn.connect(), tn.connect(), tn.connect(), tn.connect(), tn.connect()
	list0.send("BLPOP", "l", "0")
	zset1.do("SELECT", "1")
	zset1.send("BZPOPMIN", "z", "0")
	wrongType.send("BLPOP", "s", "0")
	absent.send("BLPOP", "nothing", "0")

	writer.do("SELECT", "1")
	writer.do("RPUSH", "l", "from-db1")
	writer.do("SET", "s", "a string")
	writer.do("SELECT", "0")
	writer.do("ZADD", "z", "1", "from-db0")
	assert.Empty(t, list0.replies())
	assert.Empty(t, zset1.replies())

	tn.propagated = nil
	assert.Equal(t, "OK", writer.do("SWAPDB", "0", "1").Str)
	assert.Equal(t, bulkPair("l", "from-db1"), rawReplies(list0.replies()...))
	assert.Equal(t, "*3\r\n$1\r\nz\r\n$8\r\nfrom-db0\r\n$1\r\n1\r\n", rawReplies(zset1.replies()...))
	assert.Empty(t, wrongType.replies(), "a key of another type does not serve the client")
	assert.Empty(t, absent.replies())
	assert.Equal(t, [][]string{{"SWAPDB", "0", "1"}, {"LPOP", "l"}, {"ZPOPMIN", "z"}}, tn.propagated)
	assert.Equal(t, 2, tn.n.stats.BlockedClients)

	// Swapping a database with itself changes nothing and serves no one.
	writer.do("SELECT", "0")
	writer.do("SET", "nothing", "x")
	writer.do("DEL", "nothing")
	writer.do("SWAPDB", "0", "0")
	assert.Empty(t, absent.replies())
}
