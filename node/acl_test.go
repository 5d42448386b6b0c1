package node_test

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"replab/internal/redistest"
	"replab/node"
	"replab/resp"
)

// doAll runs the same commands on one connection to each server of the
// pair and compares every reply byte for byte.
func doAll(t *testing.T, conns [2]*redistest.Conn, cmds ...[]string) {
	t.Helper()
	for _, args := range cmds {
		want, _ := conns[0].Do(args...)
		got, _ := conns[1].Do(args...)
		if !bytes.Equal(want, got) {
			t.Errorf("%v\n  redis:  %q\n  replab: %q", args, want, got)
		}
	}
}

func dialPair(t *testing.T, pair compatPair) [2]*redistest.Conn {
	return [2]*redistest.Conn{redistest.Dial(t, pair.redis.Addr()), redistest.Dial(t, pair.replab.Addr())}
}

// closedByServer reports whether the server closed c: a PING gets no
// reply.
func closedByServer(c *redistest.Conn) (bool, []byte) {
	c.Write([]byte("*1\r\n$4\r\nPING\r\n"))
	raw, _, err := c.ReadReply(5 * time.Second)
	return err != nil, raw
}

func TestACLRestrictedUserCompat(t *testing.T) {
	pair := startPair(t)
	admin := dialPair(t, pair)
	user := dialPair(t, pair)
	doAll(t, admin,
		[]string{"ACL", "SETUSER", "ro", "on", ">pw", "+@read", "+@connection", "+multi", "+exec", "+set", "%R~r*", "~own:*", "%W~w*"},
	)
	doAll(t, user,
		[]string{"AUTH", "ro", "pw"},
		[]string{"GET", "r1"},
		[]string{"GET", "w1"},
		[]string{"SET", "w1", "v"},
		[]string{"SET", "w1", "v", "GET"},
		[]string{"SET", "r1", "v"},
		[]string{"SET", "own:1", "v"},
		[]string{"MGET", "r1", "own:1"},
		[]string{"MGET", "r1", "w1"},
		[]string{"EXISTS", "w1", "r1", "zz"},
		[]string{"DEL", "own:1"},
		[]string{"MULTI"},
		[]string{"GET", "own:1"},
		[]string{"SET", "own:2", "x"},
	)
	// The rules change between queueing and EXEC.
	doAll(t, admin, []string{"ACL", "SETUSER", "ro", "resetkeys", "%R~own:*"})
	doAll(t, user,
		[]string{"EXEC"},
		[]string{"GET", "own:1"},
		[]string{"SET", "own:3", "x"},
	)
	doAll(t, admin, []string{"ACL", "DELUSER", "ro"})
}

func TestACLSetUserKillsSubscribersCompat(t *testing.T) {
	pair := startPair(t)
	admin := dialPair(t, pair)
	doAll(t, admin, []string{"ACL", "SETUSER", "sub", "on", "nopass", "+@all", "~*", "&news.*", "&sport"})
	subs := [3][2]*redistest.Conn{dialPair(t, pair), dialPair(t, pair), dialPair(t, pair)}
	doAll(t, subs[0], []string{"AUTH", "sub", "x"}, []string{"SUBSCRIBE", "news.a"})
	doAll(t, subs[1], []string{"AUTH", "sub", "x"}, []string{"PSUBSCRIBE", "news.*"})
	doAll(t, subs[2], []string{"AUTH", "sub", "x"}, []string{"SUBSCRIBE", "sport"})
	// A superset of the channels: nobody is disconnected.
	doAll(t, admin, []string{"ACL", "SETUSER", "sub", "&other"})
	// sport is revoked; news.* still allows news.a and the pattern news.*.
	doAll(t, admin, []string{"ACL", "SETUSER", "sub", "resetchannels", "&news.*"})
	wantClosed := [3]bool{false, false, true}
	for i, pair := range subs {
		for j, c := range pair {
			closed, out := closedByServer(c)
			if closed != wantClosed[i] {
				t.Errorf("server %d, subscriber %d: closed=%v (got %q), want closed=%v", j, i, closed, out, wantClosed[i])
			}
		}
	}
	doAll(t, admin, []string{"ACL", "DELUSER", "sub"})
}

func TestACLDelUserClosesConnectionsCompat(t *testing.T) {
	pair := startPair(t)
	admin := dialPair(t, pair)
	doAll(t, admin, []string{"ACL", "SETUSER", "gone", "on", "nopass", "+@all", "~*"})
	victim := dialPair(t, pair)
	bystander := dialPair(t, pair)
	doAll(t, victim, []string{"AUTH", "gone", "x"})
	doAll(t, admin, []string{"ACL", "DELUSER", "gone"})
	for j := range victim {
		if closed, out := closedByServer(victim[j]); !closed {
			t.Errorf("server %d: the connection of the deleted user is open (%q)", j, out)
		}
		if closed, out := closedByServer(bystander[j]); closed {
			t.Errorf("server %d: a default-user connection was closed (%q)", j, out)
		}
	}
}

func TestACLUserDirectivesCompat(t *testing.T) {
	pair := startPair(t,
		"--user", "alice", "on", ">apw", "~a*", "+@string",
		"--user", "bob", ">bpw", "allkeys", "+@all", "(+get ~x*)",
		"--user", "default", "on", "nopass", "+@all", "~*", "&*")
	c := dialPair(t, pair)
	doAll(t, c,
		[]string{"ACL", "USERS"},
		[]string{"ACL", "GETUSER", "alice"},
		[]string{"ACL", "GETUSER", "bob"},
		[]string{"ACL", "GETUSER", "default"},
		[]string{"AUTH", "bob", "bpw"},
		[]string{"AUTH", "alice", "apw"},
		[]string{"SET", "a1", "v"},
		[]string{"GET", "b1"},
		[]string{"DEL", "a1"},
	)
	if !strings.Contains(pair.replab.Log(), "The user 'bob' is disabled (there is no 'on' modifier in the user description). Make sure this is not a configuration error.") {
		t.Errorf("no warning about the disabled user in the log:\n%s", pair.replab.Log())
	}
}

func TestACLRequirePassCompat(t *testing.T) {
	pair := startPair(t, "--requirepass", "s3cret")
	c := dialPair(t, pair)
	doAll(t, c,
		[]string{"GET", "k"},
		[]string{"ACL", "WHOAMI"},
		[]string{"AUTH", "wrong"},
		[]string{"AUTH", "default", "wrong"},
		[]string{"AUTH", "s3cret"},
		[]string{"ACL", "GETUSER", "default"},
		[]string{"ACL", "LIST"},
		// Dropping the password lets unauthenticated connections in.
		[]string{"ACL", "SETUSER", "default", "nopass"},
	)
	other := dialPair(t, pair)
	doAll(t, other, []string{"GET", "k"}, []string{"AUTH", "x"})
	doAll(t, c, []string{"ACL", "SETUSER", "default", "resetpass", ">s3cret"})
	// A connection authenticated earlier stays authenticated.
	doAll(t, other, []string{"GET", "k"})
	fresh := dialPair(t, pair)
	doAll(t, fresh, []string{"GET", "k"}, []string{"HELLO", "3", "AUTH", "default", "nope"})
}

func TestACLLogEntriesCompat(t *testing.T) {
	pair := startPair(t)
	c := dialPair(t, pair)
	doAll(t, c,
		[]string{"ACL", "SETUSER", "lg", "on", "nopass", "+get", "~a*"},
		[]string{"AUTH", "lg", "x"},
		[]string{"GET", "b"},
		[]string{"GET", "b"},
		[]string{"SET", "a", "1"},
		[]string{"AUTH", "nobody", "pw"},
		[]string{"AUTH", "default", "x"},
	)
	var logs [2]resp.Value
	for i, conn := range c {
		_, logs[i] = conn.Do("ACL", "LOG")
	}
	if len(logs[0].Elems) != len(logs[1].Elems) {
		t.Fatalf("redis has %d entries, replab %d:\n%v\n%v", len(logs[0].Elems), len(logs[1].Elems), logs[0], logs[1])
	}
	for i := range logs[0].Elems {
		want, got := logs[0].Elems[i], logs[1].Elems[i]
		for k := 0; k+1 < len(want.Elems); k += 2 {
			name := want.Elems[k].Str
			w, g := want.Elems[k+1], got.Elems[k+1]
			switch name {
			case "age-seconds":
			case "client-info":
				// Identity and buffers differ; the command and user must not.
				for _, field := range []string{"cmd=", "user=", "flags=", "db="} {
					if fieldOf(w.Str, field) != fieldOf(g.Str, field) {
						t.Errorf("entry %d client-info %s: redis %q, replab %q", i, field, w.Str, g.Str)
					}
				}
			default:
				if w.String() != g.String() {
					t.Errorf("entry %d %s: redis %v, replab %v", i, name, w, g)
				}
			}
		}
	}
}

func fieldOf(info, name string) string {
	for _, f := range strings.Fields(info) {
		if strings.HasPrefix(f, name) {
			return f
		}
	}
	return ""
}

func TestACLConfigErrors(t *testing.T) {
	cases := []struct{ line, want string }{
		{"user foo on badrule", "Error in user declaration 'foo': Syntax error"},
		{"user foo on\nuser foo off", "Error in user declaration 'foo': Duplicate user found. A user can only be defined once in config files"},
		{"user foo on (+get", "Error in user declaration 'foo': Unknown command or category name in ACL"},
		{"user foo on #abc", "Error in user declaration 'foo': The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters"},
	}
	for _, tc := range cases {
		redisOut := redisConfigError(t, tc.line)
		if !strings.Contains(redisOut, tc.want) {
			t.Errorf("%q: redis says %q, the test expects %q", tc.line, redisOut, tc.want)
		}
		cfg := node.DefaultConfig()
		err := cfg.LoadString(tc.line, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: replab says %v, want %q", tc.line, err, tc.want)
		}
	}
}

// redisConfigError starts redis-server with config text that it must
// refuse, and returns what it printed.
func redisConfigError(t *testing.T, config string) string {
	t.Helper()
	path := redistest.WriteFile(t, t.TempDir(), "bad.conf", config+"\n")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, redistest.RedisServerPath(t), path, "--port", "0").CombinedOutput()
	if err == nil {
		t.Fatalf("redis-server accepted %q", config)
	}
	return string(out)
}
