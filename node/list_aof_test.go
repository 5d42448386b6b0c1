package node

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"replab/resp"
)

// This file checks replab's propagated forms of list commands against what
// a real Redis 7.0 writes to its append-only file, which receives the same
// propagated commands as its replicas. redistest cannot be used from
// package node (it imports node), so a bare redis-server is started here.

// aofRedis is a redis-server with appendonly on, and a connection to it.
type aofRedis struct {
	dir   string
	addr  string
	conns []*aofConn
}

type aofConn struct {
	t  *testing.T
	nc net.Conn
	r  resp.ReplyReader
}

func startAOFRedis(t *testing.T) *aofRedis {
	t.Helper()
	path, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("redis-server is not on PATH")
		}
		t.Skip("SKIPPED: redis-server is not on PATH; install Debian's redis-server to compare propagated forms")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	dir := t.TempDir()
	cmd := exec.Command(path, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "",
		"--appendonly", "yes", "--appendfsync", "always", "--dir", dir, "--logfile", "")
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	r := &aofRedis{dir: dir, addr: "127.0.0.1:" + strconv.Itoa(port)}
	deadline := time.Now().Add(10 * time.Second)
	for {
		nc, err := net.Dial("tcp", r.addr)
		if err == nil {
			nc.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server did not start: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return r
}

func (r *aofRedis) connect(t *testing.T) *aofConn {
	nc, err := net.Dial("tcp", r.addr)
	require.NoError(t, err)
	t.Cleanup(func() { nc.Close() })
	return &aofConn{t: t, nc: nc}
}

func (c *aofConn) send(args ...string) {
	_, err := c.nc.Write(resp.EncodeCommand(nil, args...))
	require.NoError(c.t, err)
}

func (c *aofConn) read() resp.Value {
	buf := make([]byte, 4096)
	c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		v, ok, err := c.r.Next()
		require.NoError(c.t, err)
		if ok {
			return v
		}
		n, err := c.nc.Read(buf)
		require.NoError(c.t, err)
		c.r.Feed(buf[:n])
	}
}

func (c *aofConn) do(args ...string) resp.Value {
	c.send(args...)
	return c.read()
}

// waitBlocked waits until Redis reports n blocked clients.
func (c *aofConn) waitBlocked(n int) {
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(c.do("INFO", "clients").Str, "blocked_clients:"+strconv.Itoa(n)+"\r\n") {
		if time.Now().After(deadline) {
			c.t.Fatalf("Redis never had %d blocked clients", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// commands returns the commands of the AOF, SELECT excepted.
func (r *aofRedis) commands(t *testing.T) [][]string {
	files, err := filepath.Glob(filepath.Join(r.dir, "appendonlydir", "*.incr.aof"))
	require.NoError(t, err)
	require.Len(t, files, 1)
	data, err := os.ReadFile(files[0])
	require.NoError(t, err)
	var rd resp.ReplyReader
	rd.Feed(data)
	var out [][]string
	for {
		v, ok, err := rd.Next()
		require.NoError(t, err)
		if !ok {
			return out
		}
		var cmd []string
		for _, e := range v.Elems {
			cmd = append(cmd, e.Str)
		}
		if len(cmd) > 0 && strings.EqualFold(cmd[0], "SELECT") {
			continue
		}
		out = append(out, cmd)
	}
}

func TestListPropagationMatchesRedisAOF(t *testing.T) {
	type step struct {
		client  int      // 0 or 1
		cmd     []string // sent without waiting when block is set
		block   bool     // the command blocks: wait until it does
		collect bool     // read a reply a blocked client got
	}
	steps := []step{
		{cmd: []string{"RPUSH", "l", "a", "b", "c", "d", "e"}},
		{cmd: []string{"BLPOP", "l", "0"}},
		{cmd: []string{"BRPOP", "missing", "l", "0"}},
		{cmd: []string{"BLMPOP", "0", "1", "l", "LEFT", "COUNT", "10"}},
		{cmd: []string{"RPUSH", "s", "1", "2", "3", "4"}},
		{cmd: []string{"LMPOP", "2", "missing", "s", "RIGHT", "COUNT", "2"}},
		{cmd: []string{"BLMOVE", "s", "d", "Left", "right", "0"}},
		{cmd: []string{"BRPOPLPUSH", "s", "d", "0"}},
		{cmd: []string{"LPOP", "missing"}},
		// Served after blocking.
		{client: 1, cmd: []string{"BLMOVE", "q", "d", "LEFT", "RIGHT", "0"}, block: true},
		{cmd: []string{"RPUSH", "q", "v"}},
		{client: 1, collect: true},
		{client: 1, cmd: []string{"BLMPOP", "0", "2", "x", "q", "RIGHT", "COUNT", "3"}, block: true},
		{cmd: []string{"RPUSH", "q", "1", "2"}},
		{client: 1, collect: true},
		{client: 1, cmd: []string{"BRPOPLPUSH", "q", "d", "0"}, block: true},
		{cmd: []string{"MULTI"}},
		{cmd: []string{"RPUSH", "q", "z"}},
		{cmd: []string{"LPUSH", "q", "y"}},
		{cmd: []string{"EXEC"}},
		{client: 1, collect: true},
		{client: 1, cmd: []string{"BRPOP", "q3", "0"}, block: true},
		{cmd: []string{"LMOVE", "q", "q3", "LEFT", "LEFT"}},
		{client: 1, collect: true},
		{cmd: []string{"LTRIM", "d", "0", "2"}},
		{cmd: []string{"LTRIM", "d", "0", "-1"}},
		{cmd: []string{"LREM", "d", "0", "1"}},
		{cmd: []string{"LSET", "d", "0", "new"}},
		{cmd: []string{"LINSERT", "d", "BEFORE", "new", "w"}},
		{cmd: []string{"LPUSHX", "nope", "x"}},
		{cmd: []string{"RPOPLPUSH", "d", "d"}},
	}

	redis := startAOFRedis(t)
	rc := []*aofConn{redis.connect(t), redis.connect(t)}
	tn := newTestNode(t)
	tc := []*testConn{tn.connect(), tn.connect()}
	blocked := 0
	for i, s := range steps {
		switch {
		case s.collect:
			want := rc[s.client].read()
			got := tc[s.client].replies()
			require.Len(t, got, 1, "step %d", i)
			assert.Equal(t, rawReplies(want), rawReplies(got[0]), "step %d: served reply", i)
			blocked--
		case s.block:
			rc[s.client].send(s.cmd...)
			blocked++
			rc[0].waitBlocked(blocked)
			tc[s.client].send(s.cmd...)
			assert.Empty(t, tc[s.client].replies(), "step %d: %v should block", i, s.cmd)
		default:
			want := rc[s.client].do(s.cmd...)
			got := tc[s.client].do(s.cmd...)
			assert.Equal(t, rawReplies(want), rawReplies(got), "step %d: %v", i, s.cmd)
		}
	}
	want := redis.commands(t)
	require.Len(t, want, 24, "%q", want)
	assert.Equal(t, want, tn.propagated)
	t.Logf("propagated: %q", tn.propagated)
}
