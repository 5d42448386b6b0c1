package node

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestACLDescribeOrderIsDeterministic(t *testing.T) {
	tn := newTestNode(t)
	c := tn.connect()
	c.do("ACL", "SETUSER", "u", "+set", "+get", "+object|encoding", "+incr", "-@all", "+ttl", "+get", "+select|0", "+select|1")
	v := c.do("ACL", "LIST")
	want := "user u off resetchannels -@all +get +select|0 +select|1 +ttl"
	if got := v.Elems[1].Str; got != want {
		t.Errorf("ACL LIST: %q, want %q", got, want)
	}
	c.do("ACL", "SETUSER", "u", "+@all", "-set", "-get", "-object|freq", "-object|encoding")
	v = c.do("ACL", "GETUSER", "u")
	if got, want := v.Elems[5].Str, "+@all -get -object|encoding -object|freq -set"; got != want {
		t.Errorf("commands: %q, want %q", got, want)
	}
}

// TestACLDescribeRoundTrip applies random rules, describes the result and
// checks that the description rebuilds the same command bitmap, as Redis
// asserts after every description.
func TestACLDescribeRoundTrip(t *testing.T) {
	tn := newTestNode(t)
	a := tn.n.acl
	var ops []string
	for _, cat := range ACLCategoryNames {
		ops = append(ops, "+@"+cat, "-@"+cat)
	}
	for _, cmd := range a.cmds.list {
		ops = append(ops, "+"+cmd.FullName, "-"+cmd.FullName)
	}
	ops = append(ops, "allcommands", "nocommands", "+select|3", "+get|x")
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 300; i++ {
		u := a.newUser("p")
		var applied []string
		for j := 0; j < 1+rng.IntN(8); j++ {
			op := ops[rng.IntN(len(ops))]
			applied = append(applied, op)
			if err := a.setUser(u, op); err != "" {
				t.Fatalf("%q: %s", op, err)
			}
		}
		desc := a.describeCommandRules(u.root())
		v := a.newUser("q")
		for _, op := range strings.Fields(desc) {
			if err := a.setUser(v, op); err != "" {
				t.Fatalf("description %q of %q: %q: %s", desc, applied, op, err)
			}
		}
		if !reflect.DeepEqual(u.root().allowed, v.root().allowed) || !sameFirstArgs(u.root().firstArgs, v.root().firstArgs) {
			t.Fatalf("rules %q described as %q rebuild another bitmap", applied, desc)
		}
		if again := a.describeCommandRules(v.root()); again != desc {
			t.Fatalf("rules %q: description %q is not stable (%q)", applied, desc, again)
		}
	}
}

func sameFirstArgs(a, b map[int][]string) bool {
	return (len(a) == 0 && len(b) == 0) || reflect.DeepEqual(a, b)
}

func TestACLCat(t *testing.T) {
	tn := newTestNode(t)
	c := tn.connect()
	v := c.do("ACL", "CAT", "pubsub")
	var got []string
	for _, e := range v.Elems {
		got = append(got, e.Str)
	}
	want := []string{"psubscribe", "publish", "pubsub|channels", "pubsub|numpat", "pubsub|numsub", "pubsub|shardchannels", "pubsub|shardnumsub", "punsubscribe", "spublish", "ssubscribe", "subscribe", "sunsubscribe", "unsubscribe"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ACL CAT pubsub = %q, want %q", got, want)
	}
	// Containers are @slow, and so their subcommands follow them.
	v = c.do("ACL", "CAT", "SLOW")
	found := map[string]bool{}
	for _, e := range v.Elems {
		found[e.Str] = true
	}
	for _, name := range []string{"acl", "pubsub", "object", "acl|setuser"} {
		if !found[name] {
			t.Errorf("ACL CAT slow lacks %s", name)
		}
	}
	if found["get"] {
		t.Error("ACL CAT slow lists get")
	}
}

func TestACLGenPassUsesNodeRandomness(t *testing.T) {
	run := func() []string {
		tn := newTestNode(t)
		c := tn.connect()
		var out []string
		for _, bits := range []string{"", "1", "5", "4096"} {
			args := []string{"ACL", "GENPASS"}
			if bits != "" {
				args = append(args, bits)
			}
			out = append(out, c.do(args...).Str)
		}
		return out
	}
	a, b := run(), run()
	if !reflect.DeepEqual(a, b) {
		t.Errorf("two nodes with the same seed generated %q and %q", a, b)
	}
	for i, n := range []int{64, 1, 2, 1024} {
		if len(a[i]) != n || strings.Trim(a[i], "0123456789abcdef") != "" {
			t.Errorf("password %d = %q, want %d hex digits", i, a[i], n)
		}
	}
}

func TestACLPermissionsInMemory(t *testing.T) {
	tn := newTestNode(t)
	admin, u, sub := tn.connect(), tn.connect(), tn.connect()
	admin.do("ACL", "SETUSER", "lim", "on", "nopass", "+@all", "-flushall", "%R~r:*", "%W~w:*", "~rw:*", "&pub.*")
	u.do("AUTH", "lim", "x")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"GET", "r:1"}, ""},
		{[]string{"SET", "r:1", "v"}, ErrNoPermKey},
		{[]string{"SET", "w:1", "v"}, ""},
		{[]string{"GET", "w:1"}, ErrNoPermKey},
		{[]string{"SET", "w:1", "v", "GET"}, ErrNoPermKey},
		{[]string{"SET", "rw:1", "v", "GET"}, ""},
		{[]string{"COPY", "r:1", "w:2"}, ""},
		{[]string{"RENAME", "w:1", "w:3"}, ErrNoPermKey},
		{[]string{"FLUSHALL"}, "NOPERM this user has no permissions to run the 'flushall' command"},
		{[]string{"PUBLISH", "pub.x", "m"}, ""},
		{[]string{"PUBLISH", "priv", "m"}, ErrNoPermChannel},
		{[]string{"SPUBLISH", "priv", "m"}, ErrNoPermChannel},
		{[]string{"PSUBSCRIBE", "pub.x*"}, ErrNoPermChannel},
		{[]string{"SUBSCRIBE", "pub.a", "priv"}, ErrNoPermChannel},
	}
	for _, tc := range cases {
		v := u.do(tc.args...)
		got := ""
		if v.IsError() {
			got = v.Str
		}
		if got != tc.want {
			t.Errorf("%v: %q, want %q", tc.args, got, tc.want)
		}
	}
	// The log: newest first, the channel and key names as objects; the
	// three denials on "priv" are one entry.
	v := admin.do("ACL", "LOG", "3")
	var objects []string
	for _, e := range v.Elems {
		objects = append(objects, e.Elems[7].Str)
	}
	if want := []string{"priv", "pub.x*", "flushall"}; !reflect.DeepEqual(objects, want) {
		t.Errorf("ACL LOG objects %q, want %q", objects, want)
	}
	if n := v.Elems[0].Elems[1].Int; n != 3 {
		t.Errorf("count of the priv entry = %d, want 3", n)
	}
	// Subscriptions allowed by the rules survive a change that keeps
	// them; the others close the connection.
	sub.do("AUTH", "lim", "x")
	sub.send("SUBSCRIBE", "pub.a")
	sub.replies()
	admin.do("ACL", "SETUSER", "lim", "&pub.*", "&more")
	if tn.rt.IsClosed(sub.id) {
		t.Fatal("subscriber closed although its channels are still allowed")
	}
	admin.do("ACL", "SETUSER", "lim", "resetchannels", "&more")
	if !tn.rt.IsClosed(sub.id) {
		t.Fatal("subscriber not closed after its channel was revoked")
	}
}

func TestACLStartupUsers(t *testing.T) {
	tn := newTestNode(t, "--user", "u1", "on", ">p", "+get", "~k", "(+set", "~s)", "--requirepass", "rp")
	c := tn.connect()
	if v := c.do("GET", "k"); !v.IsError() || v.Str != ErrNoAuth {
		t.Fatalf("GET before AUTH: %v", v)
	}
	if v := c.do("AUTH", "u1", "p"); v.Str != "OK" {
		t.Fatalf("AUTH u1: %v", v)
	}
	if v := c.do("SET", "s", "v"); v.IsError() {
		t.Errorf("SET s through the selector: %v", v)
	}
	if v := c.do("AUTH", "rp"); v.Str != "OK" {
		t.Fatalf("AUTH with requirepass: %v", v)
	}
	// "user default" directives override requirepass.
	tn = newTestNode(t, "--requirepass", "rp", "--user", "default", "on", "nopass", "~*", "+@all")
	if v := tn.connect().do("GET", "k"); v.IsError() {
		t.Errorf("GET with a nopass default user: %v", v)
	}
}

func TestACLStartupFailsOnUnknownCommand(t *testing.T) {
	cfg := DefaultConfig()
	if err := cfg.LoadString(ArgsToConfig([]string{"--user", "foo", "on", "+nosuch"}), nil); err != nil {
		t.Fatalf("the configuration must load (unknown commands are found at start-up): %v", err)
	}
	rt := NewMemRuntime(1, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	n := New(cfg, rt)
	n.Start()
	if exited, code := rt.Exited(); !exited || code != 1 {
		t.Fatalf("exited=%v code=%d, want exit 1", exited, code)
	}
	want := []string{
		"# Error loading ACL rule '+nosuch' for the user named 'foo': Unknown command or category name in ACL",
		"# Critical error while loading ACLs. Exiting.",
	}
	logs := strings.Join(rt.Logs, "\n")
	for _, w := range want {
		if !strings.Contains(logs, w) {
			t.Errorf("logs lack %q:\n%s", w, logs)
		}
	}
}
