package node_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"replab/internal/redistest"
	"replab/resp"
)

// A burst of pipelined writes streams to a replica and a sub-replica over
// real sockets (writev of shared buffer blocks while the node appends to
// them); every node ends with the same offset and data.
func TestReplTCPChainedBurst(t *testing.T) {
	master, replica, mc, rc := startReplPair(t)
	_ = master
	sub := redistest.StartReplab(t, "--replicaof", "127.0.0.1", strconv.Itoa(replica.Port))
	sc := redistest.Dial(t, sub.Addr())
	redistest.WaitFor(t, 10*time.Second, "the sub-replica's link", func() bool {
		return replInfo(t, sc, "master_link_status") == "up"
	})
	var batch []byte
	for i := 0; i < 20000; i++ {
		batch = resp.EncodeCommand(batch, "SET", "k"+strconv.Itoa(i%500), strings.Repeat("v", i%300))
	}
	mc.Write(batch)
	for i := 0; i < 20000; i++ {
		if _, _, err := mc.ReadReply(10 * time.Second); err != nil {
			t.Fatal(err)
		}
	}
	want := replInfo(t, mc, "master_repl_offset")
	redistest.WaitFor(t, 10*time.Second, "the offsets", func() bool {
		return replInfo(t, rc, "master_repl_offset") == want && replInfo(t, sc, "master_repl_offset") == want
	})
	_, d1 := mc.Do("DEBUG", "DIGEST")
	_, d2 := rc.Do("DEBUG", "DIGEST")
	_, d3 := sc.Do("DEBUG", "DIGEST")
	assert.Equal(t, d1.Str, d2.Str)
	assert.Equal(t, d1.Str, d3.Str)
}
