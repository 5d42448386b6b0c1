package node_test

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"replab/internal/redistest"
	"replab/resp"
)

// Interoperability with a real Redis 7.0 (Debian's redis-server): a Redis
// replicates from replab and replab from a Redis, with every data type,
// a write load running during the full sync, a link cut followed by a
// partial resynchronisation, WAIT answered by the real peer's ACKs, and a
// chain Redis -> replab -> Redis. After each step the datasets are compared
// key by key (DEBUG DIGEST-VALUE over SCAN, in every database) and whole
// (DEBUG DIGEST).

// peer is a server of either kind.
type peer struct {
	kind string // "redis" or "replab"
	port int
	log  func() string
}

func (p peer) addr() string { return "127.0.0.1:" + strconv.Itoa(p.port) }

func startPeer(t *testing.T, kind string, args ...string) peer {
	t.Helper()
	if kind == "redis" {
		r := redistest.StartRedis(t, args...)
		return peer{kind: kind, port: r.Port, log: r.Log}
	}
	r := redistest.StartReplab(t, args...)
	return peer{kind: kind, port: r.Port, log: r.Log}
}

// fillAllTypes writes every type in every encoding Redis 7.0 has, with
// expiries, in databases 0, 3 and 9, plus DEBUG POPULATE's volume.
func fillAllTypes(t *testing.T, c *redistest.Conn) {
	t.Helper()
	do := func(args ...string) {
		t.Helper()
		raw, _ := c.Do(args...)
		require.NotEqual(t, byte('-'), raw[0], "%v: %s", args, raw)
	}
	for _, db := range []string{"0", "3", "9"} {
		do("SELECT", db)
		do("SET", "s:int", "123456789")
		do("SET", "s:embstr", "short string")
		do("SET", "s:raw", strings.Repeat("raw-", 40))
		do("SET", "s:ttl", "v", "PX", "3600000")
		do("RPUSH", "l:small", "a", "b", "1", "2")
		big := []string{"RPUSH", "l:big"}
		for i := 0; i < 300; i++ {
			big = append(big, "element-"+strconv.Itoa(i)+strings.Repeat("x", i%70))
		}
		do(big...)
		do("HSET", "h:small", "f1", "v1", "f2", "2")
		hbig := []string{"HSET", "h:big"}
		for i := 0; i < 600; i++ {
			hbig = append(hbig, "field"+strconv.Itoa(i), "value"+strconv.Itoa(i))
		}
		do(hbig...)
		do("PEXPIRE", "h:big", "7200000")
		do("SADD", "set:int", "1", "2", "3", "100000")
		sbig := []string{"SADD", "set:big"}
		for i := 0; i < 300; i++ {
			sbig = append(sbig, "member"+strconv.Itoa(i))
		}
		do(sbig...)
		do("ZADD", "z:small", "1", "a", "2.5", "b", "-3", "c")
		zbig := []string{"ZADD", "z:big"}
		for i := 0; i < 300; i++ {
			zbig = append(zbig, strconv.FormatFloat(float64(i)*1.25, 'f', -1, 64), "m"+strconv.Itoa(i))
		}
		do(zbig...)
		for i := 1; i <= 120; i++ {
			do("XADD", "st", strconv.Itoa(i)+"-1", "field", "value"+strconv.Itoa(i), "n", strconv.Itoa(i))
		}
		do("XDEL", "st", "5-1")
		do("XGROUP", "CREATE", "st", "g1", "0")
		do("XGROUP", "CREATE", "st", "g2", "50-1")
		do("XREADGROUP", "GROUP", "g1", "alice", "COUNT", "10", "STREAMS", "st", ">")
		do("XREADGROUP", "GROUP", "g1", "bob", "COUNT", "5", "STREAMS", "st", ">")
		do("XACK", "st", "g1", "2-1")
		do("XREADGROUP", "GROUP", "g2", "carol", "COUNT", "3", "STREAMS", "st", ">")
	}
	do("SELECT", "0")
	do("DEBUG", "POPULATE", "3000", "pop", "16")
}

// writeLoad writes to addr until stop is closed, in several databases and
// types, and returns the number of writes through done.
func writeLoad(t *testing.T, addr string, stop <-chan struct{}) (wait func() int) {
	nc, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	var wg sync.WaitGroup
	var count int
	var failure error
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer nc.Close()
		var r resp.ReplyReader
		buf := make([]byte, 4096)
		do := func(args ...string) error {
			if _, err := nc.Write(resp.EncodeCommand(nil, args...)); err != nil {
				return err
			}
			nc.SetReadDeadline(time.Now().Add(10 * time.Second))
			for {
				v, _, ok, err := r.NextRaw()
				if err != nil {
					return err
				}
				if ok {
					if v.Kind == resp.KindError {
						return fmt.Errorf("%v: %s", args, v.Str)
					}
					return nil
				}
				n, err := nc.Read(buf)
				if err != nil {
					return err
				}
				r.Feed(buf[:n])
			}
		}
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			s := strconv.Itoa(i)
			var err error
			switch i % 8 {
			case 0:
				err = do("SELECT", strconv.Itoa(i/8%3*3))
			case 1:
				err = do("SET", "load:"+s, s)
			case 2:
				err = do("INCR", "load:counter")
			case 3:
				err = do("RPUSH", "load:list", s)
			case 4:
				err = do("HSET", "load:hash", "f"+strconv.Itoa(i%500), s)
			case 5:
				err = do("ZADD", "load:zset", s, "m"+strconv.Itoa(i%300))
			case 6:
				err = do("XADD", "load:stream", "*", "i", s)
			case 7:
				err = do("SET", "load:ttl:"+s, s, "PX", "600000")
			}
			if err != nil {
				failure = err
				return
			}
			count++
		}
	}()
	return func() int {
		wg.Wait()
		require.NoError(t, failure)
		return count
	}
}

func infoField(t *testing.T, c *redistest.Conn, field string) string {
	t.Helper()
	return replInfo(t, c, field)
}

// waitCaughtUp waits until the replica applied everything the master
// produced (equal replication offsets).
func waitCaughtUp(t *testing.T, master, replica *redistest.Conn) {
	t.Helper()
	redistest.WaitFor(t, 30*time.Second, "the replica to catch up", func() bool {
		return infoField(t, replica, "master_link_status") == "up" &&
			infoField(t, master, "master_repl_offset") == infoField(t, replica, "slave_repl_offset")
	})
}

// compareDatasets compares two servers key by key in every database, then
// with DEBUG DIGEST.
func compareDatasets(t *testing.T, a, b *redistest.Conn) {
	t.Helper()
	keys := 0
	for db := 0; db < 16; db++ {
		sdb := strconv.Itoa(db)
		a.Do("SELECT", sdb)
		b.Do("SELECT", sdb)
		_, na := a.Do("DBSIZE")
		_, nb := b.Do("DBSIZE")
		if na.Int != nb.Int {
			_, ka := a.Do("KEYS", "*")
			_, kb := b.Do("KEYS", "*")
			seen := map[string]bool{}
			for _, k := range ka.Elems {
				seen[k.Str] = true
			}
			for _, k := range kb.Elems {
				if !seen[k.Str] {
					t.Logf("only on the second: %q", k.Str)
					for d := 0; d < 16; d++ {
						a.Do("SELECT", strconv.Itoa(d))
						b.Do("SELECT", strconv.Itoa(d))
						_, ea := a.Do("PTTL", k.Str)
						_, eb := b.Do("PTTL", k.Str)
						if ea.Int != -2 || eb.Int != -2 {
							t.Logf("db %d: %d %d", d, ea.Int, eb.Int)
						}
					}
					a.Do("SELECT", sdb)
					b.Do("SELECT", sdb)
				}
				delete(seen, k.Str)
			}
			for k := range seen {
				t.Logf("only on the first: %q", k)
			}
		}
		require.Equal(t, na.Int, nb.Int, "DBSIZE of db %d", db)
		cursor := "0"
		for {
			_, v := a.Do("SCAN", cursor, "COUNT", "500")
			require.Len(t, v.Elems, 2)
			cursor = v.Elems[0].Str
			if len(v.Elems[1].Elems) > 0 {
				args := []string{"DEBUG", "DIGEST-VALUE"}
				for _, k := range v.Elems[1].Elems {
					args = append(args, k.Str)
				}
				_, da := a.Do(args...)
				_, db := b.Do(args...)
				require.Equal(t, len(da.Elems), len(db.Elems))
				for i := range da.Elems {
					require.Equal(t, da.Elems[i].Str, db.Elems[i].Str, "DEBUG DIGEST-VALUE %q in db %d", args[i+2], db)
				}
				keys += len(da.Elems)
			}
			if cursor == "0" {
				break
			}
		}
	}
	a.Do("SELECT", "0")
	b.Do("SELECT", "0")
	_, da := a.Do("DEBUG", "DIGEST")
	_, db := b.Do("DEBUG", "DIGEST")
	require.Equal(t, da.Str, db.Str, "DEBUG DIGEST")
	require.Greater(t, keys, 3000)
}

// interopCase runs the whole story between a master and a replica.
type interopCase struct {
	master, replica         string // "redis" or "replab"
	masterArgs, replicaArgs []string
}

func runInterop(t *testing.T, ic interopCase) {
	m := startPeer(t, ic.master, ic.masterArgs...)
	mc := redistest.Dial(t, m.addr())
	fillAllTypes(t, mc)

	// The replica starts while a client writes to the master; the load
	// goes on for the whole full sync and a little after.
	stop := make(chan struct{})
	wait := writeLoad(t, m.addr(), stop)
	time.Sleep(20 * time.Millisecond)
	r := startPeer(t, ic.replica, append([]string{"--replicaof", "127.0.0.1", strconv.Itoa(m.port)}, ic.replicaArgs...)...)
	rc := redistest.Dial(t, r.addr())
	redistest.WaitFor(t, 60*time.Second, "the replica's link", func() bool {
		return infoField(t, rc, "master_link_status") == "up"
	})
	time.Sleep(50 * time.Millisecond)
	close(stop)
	writes := wait()
	t.Logf("%d writes during the full sync", writes)
	waitCaughtUp(t, mc, rc)
	compareDatasets(t, mc, rc)
	assert.Contains(t, r.log(), "MASTER <-> REPLICA sync: Finished with success")

	// WAIT is answered by the peer's ACKs.
	mc.Do("SET", "wait:key", "1")
	start := time.Now()
	_, v := mc.Do("WAIT", "1", "5000")
	assert.Equal(t, int64(1), v.Int)
	assert.Less(t, time.Since(start), 3*time.Second)

	// A link cut (from either side), writes meanwhile, and a partial
	// resynchronisation.
	partialBefore := infoField(t, mc, "sync_partial_ok")
	if ic.master == "redis" {
		_, v = rc.Do("CLIENT", "KILL", "TYPE", "master")
	} else {
		_, v = mc.Do("CLIENT", "KILL", "TYPE", "replica")
	}
	require.Equal(t, int64(1), v.Int)
	for i := 0; i < 50; i++ {
		mc.Do("SET", "after:cut:"+strconv.Itoa(i), strconv.Itoa(i))
	}
	redistest.WaitFor(t, 30*time.Second, "a partial resync", func() bool {
		return infoField(t, mc, "sync_partial_ok") != partialBefore
	})
	p, _ := strconv.Atoi(partialBefore)
	assert.Equal(t, strconv.Itoa(p+1), infoField(t, mc, "sync_partial_ok"))
	waitCaughtUp(t, mc, rc)
	assert.Contains(t, r.log(), "Successful partial resynchronization with master.")
	assert.Contains(t, r.log(), "MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.")
	compareDatasets(t, mc, rc)
}

func TestInteropRedisReplicatesFromReplab(t *testing.T) {
	for _, diskless := range []string{"yes", "no"} {
		t.Run("diskless-sync="+diskless, func(t *testing.T) {
			runInterop(t, interopCase{master: "replab", replica: "redis",
				masterArgs: []string{"--repl-diskless-sync", diskless, "--repl-diskless-sync-delay", "0"}})
		})
	}
}

func TestInteropReplabReplicatesFromRedis(t *testing.T) {
	for _, diskless := range []string{"yes", "no"} {
		for _, load := range []string{"disabled", "swapdb"} {
			t.Run("diskless-sync="+diskless+"/diskless-load="+load, func(t *testing.T) {
				runInterop(t, interopCase{master: "redis", replica: "replab",
					masterArgs:  []string{"--repl-diskless-sync", diskless, "--repl-diskless-sync-delay", "0"},
					replicaArgs: []string{"--repl-diskless-load", load}})
			})
		}
	}
}

// TestInteropDefaultDisklessDelay runs one full sync with Redis 7.0's
// defaults (diskless, repl-diskless-sync-delay 5): replab as the master
// waits 5 seconds for more replicas before streaming to a Redis replica.
func TestInteropDefaultDisklessDelay(t *testing.T) {
	m := startPeer(t, "replab")
	mc := redistest.Dial(t, m.addr())
	fillAllTypes(t, mc)
	start := time.Now()
	r := startPeer(t, "redis", "--replicaof", "127.0.0.1", strconv.Itoa(m.port))
	rc := redistest.Dial(t, r.addr())
	redistest.WaitFor(t, 30*time.Second, "the replica's link", func() bool {
		return infoField(t, rc, "master_link_status") == "up"
	})
	elapsed := time.Since(start)
	assert.GreaterOrEqual(t, elapsed, 4*time.Second, "the sync started before the delay")
	assert.Contains(t, m.log(), "Delay next BGSAVE for diskless SYNC")
	waitCaughtUp(t, mc, rc)
	compareDatasets(t, mc, rc)
}

// TestInteropChain runs Redis -> replab -> Redis: the replab in the middle
// relays its master's stream to its own Redis replica, byte for byte.
func TestInteropChain(t *testing.T) {
	for _, diskless := range []string{"yes", "no"} {
		t.Run("diskless-sync="+diskless, func(t *testing.T) {
			top := startPeer(t, "redis", "--repl-diskless-sync", diskless, "--repl-diskless-sync-delay", "0")
			tc := redistest.Dial(t, top.addr())
			fillAllTypes(t, tc)
			mid := startPeer(t, "replab", "--replicaof", "127.0.0.1", strconv.Itoa(top.port),
				"--repl-diskless-sync", diskless, "--repl-diskless-sync-delay", "0")
			mcc := redistest.Dial(t, mid.addr())
			redistest.WaitFor(t, 30*time.Second, "the middle's link", func() bool {
				return infoField(t, mcc, "master_link_status") == "up"
			})
			stop := make(chan struct{})
			wait := writeLoad(t, top.addr(), stop)
			bottom := startPeer(t, "redis", "--replicaof", "127.0.0.1", strconv.Itoa(mid.port))
			bc := redistest.Dial(t, bottom.addr())
			redistest.WaitFor(t, 30*time.Second, "the bottom's link", func() bool {
				return infoField(t, bc, "master_link_status") == "up"
			})
			time.Sleep(50 * time.Millisecond)
			close(stop)
			wait()
			waitCaughtUp(t, tc, mcc)
			redistest.WaitFor(t, 30*time.Second, "the bottom to catch up", func() bool {
				return infoField(t, bc, "slave_repl_offset") == infoField(t, tc, "master_repl_offset")
			})
			compareDatasets(t, tc, mcc)
			compareDatasets(t, tc, bc)
			// The same history everywhere: one replication ID and offset.
			assert.Equal(t, infoField(t, tc, "master_replid"), infoField(t, mcc, "master_replid"))
			assert.Equal(t, infoField(t, tc, "master_replid"), infoField(t, bc, "master_replid"))
		})
	}
}
