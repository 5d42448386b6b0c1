package node_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"replab/internal/redistest"
)

// replInfo returns one INFO field of the node at addr.
func replInfo(t *testing.T, c *redistest.Conn, field string) string {
	t.Helper()
	_, v := c.Do("INFO", "everything")
	for _, l := range strings.Split(v.Str, "\r\n") {
		if name, val, ok := strings.Cut(l, ":"); ok && name == field {
			return val
		}
	}
	return ""
}

// startReplPair starts a replab master and a replab replica of it over real
// sockets and waits for the replica's link to be up.
func startReplPair(t *testing.T) (master, replica *redistest.Replab, mc, rc *redistest.Conn) {
	master = redistest.StartReplab(t, "--repl-diskless-sync-delay", "0")
	replica = redistest.StartReplab(t, "--replicaof", "127.0.0.1", strconv.Itoa(master.Port), "--repl-diskless-sync-delay", "0")
	mc = redistest.Dial(t, master.Addr())
	rc = redistest.Dial(t, replica.Addr())
	redistest.WaitFor(t, 10*time.Second, "the replica's link", func() bool {
		return replInfo(t, rc, "master_link_status") == "up"
	})
	return
}

func TestReplTCPPartialResyncAfterClientKill(t *testing.T) {
	_, _, mc, rc := startReplPair(t)
	_, v := mc.Do("SET", "k", "v")
	require.Equal(t, "OK", v.Str)
	redistest.WaitFor(t, 10*time.Second, "k on the replica", func() bool {
		_, v := rc.Do("GET", "k")
		return v.Str == "v"
	})
	require.Equal(t, "0", replInfo(t, mc, "sync_partial_ok"))

	_, v = rc.Do("CLIENT", "KILL", "TYPE", "master")
	require.Equal(t, int64(1), v.Int)
	redistest.WaitFor(t, 10*time.Second, "a partial resync", func() bool {
		return replInfo(t, mc, "sync_partial_ok") == "1" && replInfo(t, rc, "master_link_status") == "up"
	})
	assert.Equal(t, "1", replInfo(t, mc, "sync_full"))

	mc.Do("SET", "k2", "v2")
	redistest.WaitFor(t, 10*time.Second, "k2 on the replica", func() bool {
		_, v := rc.Do("GET", "k2")
		return v.Str == "v2"
	})
	redistest.WaitFor(t, 10*time.Second, "equal offsets", func() bool {
		return replInfo(t, mc, "master_repl_offset") == replInfo(t, rc, "master_repl_offset")
	})
	assert.Equal(t, replInfo(t, mc, "master_replid"), replInfo(t, rc, "master_replid"))
}

func TestReplTCPWaitAnsweredByAcks(t *testing.T) {
	_, _, mc, _ := startReplPair(t)
	mc.Do("SET", "k", "v")
	start := time.Now()
	raw, v := mc.Do("WAIT", "1", "5000")
	assert.Equal(t, ":1\r\n", string(raw))
	assert.Equal(t, int64(1), v.Int)
	// Answered by the replica's ACK to GETACK, not by the timeout.
	assert.Less(t, time.Since(start), 4*time.Second)
	redistest.WaitFor(t, 10*time.Second, "the replica's ACK of the GETACK", func() bool {
		return strings.Contains(replInfo(t, mc, "slave0"), "offset="+replInfo(t, mc, "master_repl_offset")+",")
	})
	_, v = mc.Do("WAIT", "2", "100")
	assert.Equal(t, int64(1), v.Int)
}
