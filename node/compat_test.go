package node_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"replab/internal/redistest"
	"replab/resp"
)

// The compatibility scenarios in testdata/compat are run against a real
// redis-server and against replab, and every reply must be the same to the
// byte, in RESP2 and again in RESP3.
//
// File format: "## name" starts a scenario (both servers are flushed and
// each gets a new connection); other lines are commands, split like
// redis-cli splits them ("double" and 'single' quotes, \x escapes). A line
// may start with a modifier:
//
//	~kind    the replies must be of the same RESP kind (and length, for
//	         aggregates): for outputs that depend on time or identity
//	~sorted  the elements of the two array replies, sorted, must be equal
//	~scan    a SCAN-style reply: the cursors are ignored, the elements
//	         compared sorted
//	~skip    the command runs on both servers, the replies are not compared
//	~resp2   the line only runs in the RESP2 pass (~resp3 likewise)
//	~noreply the command is sent to both servers and no reply is read
type compatStep struct {
	line   int
	mods   []string
	args   []string
	source string
}

type compatScenario struct {
	file, name string
	steps      []compatStep
}

func loadScenarios(t *testing.T, pattern string) []compatScenario {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "compat", pattern))
	if err != nil {
		t.Fatal(err)
	}
	var out []compatScenario
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var cur *compatScenario
		for i, line := range strings.Split(string(data), "\n") {
			line = strings.TrimSpace(line)
			if line == "" || (strings.HasPrefix(line, "#") && !strings.HasPrefix(line, "##")) {
				continue
			}
			if strings.HasPrefix(line, "##") {
				out = append(out, compatScenario{file: filepath.Base(f), name: strings.TrimSpace(line[2:])})
				cur = &out[len(out)-1]
				continue
			}
			if cur == nil {
				t.Fatalf("%s:%d: command before the first ## scenario", f, i+1)
			}
			step := compatStep{line: i + 1, source: line}
			for strings.HasPrefix(line, "~") {
				mod, rest, _ := strings.Cut(line, " ")
				step.mods = append(step.mods, mod[1:])
				line = strings.TrimSpace(rest)
			}
			args, ok := resp.SplitArgs([]byte(line))
			if !ok || len(args) == 0 {
				t.Fatalf("%s:%d: cannot parse %q", f, i+1, line)
			}
			for _, a := range args {
				step.args = append(step.args, string(a))
			}
			cur.steps = append(cur.steps, step)
		}
	}
	return out
}

func hasMod(s compatStep, m string) bool {
	for _, x := range s.mods {
		if x == m {
			return true
		}
	}
	return false
}

// compatPair is a real Redis and a replab node configured alike.
type compatPair struct {
	redis  *redistest.Redis
	replab *redistest.Replab
}

func startPair(t *testing.T, args ...string) compatPair {
	return compatPair{redis: redistest.StartRedis(t, args...), replab: redistest.StartReplab(t, args...)}
}

func TestCompatScenarios(t *testing.T) {
	redistest.RedisServerPath(t)
	scenarios := loadScenarios(t, "*.txt")
	if len(scenarios) == 0 {
		t.Fatal("no scenarios")
	}
	pair := startPair(t)
	for _, proto := range []int{2, 3} {
		for _, sc := range scenarios {
			sc := sc
			t.Run(fmt.Sprintf("resp%d/%s/%s", proto, strings.TrimSuffix(sc.file, ".txt"), sc.name), func(t *testing.T) {
				runScenario(t, pair, sc, proto)
			})
		}
	}
}

func runScenario(t *testing.T, pair compatPair, sc compatScenario, proto int) {
	ref := redistest.Dial(t, pair.redis.Addr())
	got := redistest.Dial(t, pair.replab.Addr())
	defer ref.Close()
	defer got.Close()
	for _, c := range []*redistest.Conn{ref, got} {
		c.Do("FLUSHALL")
		c.Do("CONFIG", "RESETSTAT")
		if proto == 3 {
			c.Do("HELLO", "3")
		}
	}
	for _, step := range sc.steps {
		if (hasMod(step, "resp2") && proto != 2) || (hasMod(step, "resp3") && proto != 3) {
			continue
		}
		if hasMod(step, "noreply") {
			// A command that gets no reply (CLIENT REPLY OFF/SKIP).
			ref.Write(resp.EncodeCommand(nil, step.args...))
			got.Write(resp.EncodeCommand(nil, step.args...))
			continue
		}
		wantRaw, want := ref.Do(step.args...)
		gotRaw, gotV := got.Do(step.args...)
		where := fmt.Sprintf("%s:%d: %s", sc.file, step.line, step.source)
		switch {
		case hasMod(step, "skip"):
		case hasMod(step, "kind"):
			if want.Kind != gotV.Kind || len(want.Elems) != len(gotV.Elems) || want.Null != gotV.Null {
				t.Errorf("%s\n  redis:  %q\n  replab: %q", where, wantRaw, gotRaw)
			}
		case hasMod(step, "sorted"), hasMod(step, "scan"):
			w, g := want, gotV
			if hasMod(step, "scan") && len(w.Elems) == 2 && len(g.Elems) == 2 {
				w, g = w.Elems[1], g.Elems[1]
			}
			if w.Kind != g.Kind || !equalSorted(w, g) {
				t.Errorf("%s\n  redis:  %q\n  replab: %q", where, wantRaw, gotRaw)
			}
		default:
			if !bytes.Equal(wantRaw, gotRaw) {
				t.Errorf("%s\n  redis:  %q\n  replab: %q", where, wantRaw, gotRaw)
			}
		}
	}
}

func equalSorted(a, b resp.Value) bool {
	enc := func(v resp.Value) []string {
		var out []string
		for _, e := range v.Elems {
			out = append(out, string(e.Encode(nil)))
		}
		sort.Strings(out)
		return out
	}
	x, y := enc(a), enc(b)
	if len(x) != len(y) {
		return false
	}
	for i := range x {
		if x[i] != y[i] {
			return false
		}
	}
	return true
}

// TestCompatProtocolErrors sends malformed requests to both servers and
// compares everything each sends back before closing the connection.
func TestCompatProtocolErrors(t *testing.T) {
	pair := startPair(t)
	cases := []struct{ name, in string }{
		{"invalid multibulk length", "*x\r\n"},
		{"invalid bulk length", "*1\r\n$-5\r\n"},
		{"2GB bulk", "*1\r\n$2147483648\r\n"},
		{"expected dollar", "*2\r\n$3\r\nGET\r\n:1\r\n"},
		{"unbalanced quotes", "SET \"a b\r\n"},
		{"commands before the error run", "*1\r\n$4\r\nPING\r\nECHO 'x'y\r\n"},
		{"inline", "PING\r\nECHO \"a\\x41\"\r\nQUIT\r\n"},
		{"empty lines", "\r\n\r\nPING\r\nQUIT\r\n"},
		{"quit", "QUIT\r\nPING\r\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var outs [2][]byte
			for i, addr := range []string{pair.redis.Addr(), pair.replab.Addr()} {
				conn := redistest.Dial(t, addr)
				conn.Write([]byte(c.in))
				outs[i] = conn.ReadAll(2 * time.Second)
			}
			if !bytes.Equal(outs[0], outs[1]) {
				t.Errorf("redis:  %q\nreplab: %q", outs[0], outs[1])
			}
		})
	}
}

// widenedArity lists the commands whose arity replab makes variable on
// purpose, to accept the optional arguments Redis 7.2 added (ZRANK and
// ZREVRANK WITHSCORE): their arity must be the negative of Redis 7.0's.
var widenedArity = map[string]bool{"zrank": true, "zrevrank": true}

// TestCompatCommandInfo compares COMMAND INFO (arity, flags, key
// positions, ACL categories, tips, key specs) of every command replab
// implements with real Redis's. Subcommands are compared in name order.
func TestCompatCommandInfo(t *testing.T) {
	pair := startPair(t)
	ref := redistest.Dial(t, pair.redis.Addr())
	got := redistest.Dial(t, pair.replab.Addr())
	ref.Do("HELLO", "3")
	got.Do("HELLO", "3")
	_, list := got.Do("COMMAND", "LIST")
	compared := 0
	for _, name := range list.Elems {
		if strings.Contains(name.Str, "|") {
			continue // compared within their container
		}
		_, want := ref.Do("COMMAND", "INFO", name.Str)
		_, have := got.Do("COMMAND", "INFO", name.Str)
		if len(want.Elems) != 1 || want.Elems[0].Kind == resp.KindNull {
			continue // a command real Redis 7.0 does not have
		}
		w, h := normalizeInfo(want.Elems[0]), normalizeInfo(have.Elems[0])
		w, missing := commonSubcommands(w, h)
		if len(missing) > 0 {
			t.Logf("%s: subcommands replab does not implement: %v", name.Str, missing)
		}
		h, _ = commonSubcommands(h, w)
		if widenedArity[name.Str] && len(w.Elems) > 1 && len(h.Elems) > 1 && h.Elems[1].Int == -w.Elems[1].Int {
			h.Elems[1] = w.Elems[1]
		}
		if string(w.Encode(nil)) != string(h.Encode(nil)) {
			t.Errorf("COMMAND INFO %s\n  redis:  %q\n  replab: %q", name.Str, w.Encode(nil), h.Encode(nil))
		}
		compared++
	}
	t.Logf("compared COMMAND INFO of %d commands", compared)
}

// normalizeInfo sorts the subcommands of a COMMAND INFO entry by name and
// drops subcommands Redis 7.0 does not have.
func normalizeInfo(v resp.Value) resp.Value {
	if len(v.Elems) != 10 || v.Elems[9].Kind != resp.KindArray {
		return v
	}
	subs := append([]resp.Value(nil), v.Elems[9].Elems...)
	sort.Slice(subs, func(i, j int) bool { return subs[i].Elems[0].Str < subs[j].Elems[0].Str })
	out := v
	out.Elems = append([]resp.Value(nil), v.Elems...)
	out.Elems[9] = resp.Value{Kind: resp.KindArray, Elems: subs}
	return out
}

// commonSubcommands keeps the subcommands of a that b also has, and lists
// the others.
func commonSubcommands(a, b resp.Value) (resp.Value, []string) {
	if len(a.Elems) != 10 || a.Elems[9].Kind != resp.KindArray {
		return a, nil
	}
	has := map[string]bool{}
	if len(b.Elems) == 10 {
		for _, s := range b.Elems[9].Elems {
			has[s.Elems[0].Str] = true
		}
	}
	var keep []resp.Value
	var missing []string
	for _, s := range a.Elems[9].Elems {
		if has[s.Elems[0].Str] {
			keep = append(keep, s)
		} else {
			missing = append(missing, s.Elems[0].Str)
		}
	}
	out := a
	out.Elems = append([]resp.Value(nil), a.Elems...)
	out.Elems[9] = resp.Value{Kind: resp.KindArray, Elems: keep}
	return out, missing
}

// TestCompatInfoFields checks that every field real Redis's INFO reports in
// the sections replab implements is there in replab's INFO, under the same
// section.
func TestCompatInfoFields(t *testing.T) {
	pair := startPair(t)
	fields := func(addr string) map[string]map[string]bool {
		c := redistest.Dial(t, addr)
		c.Do("SET", "k", "v")
		_, v := c.Do("INFO", "everything")
		out := map[string]map[string]bool{}
		section := ""
		for _, line := range strings.Split(v.Str, "\r\n") {
			if strings.HasPrefix(line, "# ") {
				section = line[2:]
				out[section] = map[string]bool{}
				continue
			}
			if name, _, ok := strings.Cut(line, ":"); ok && section != "" {
				out[section][name] = true
			}
		}
		return out
	}
	want, got := fields(pair.redis.Addr()), fields(pair.replab.Addr())
	for section, names := range want {
		if infoSectionsNotImplemented[section] {
			continue
		}
		if got[section] == nil {
			t.Errorf("INFO section %q is missing", section)
			continue
		}
		for name := range names {
			if !got[section][name] && !infoFieldsNotImplemented[name] && !strings.HasPrefix(name, "cmdstat_") && !strings.HasPrefix(name, "errorstat_") {
				t.Errorf("INFO %s: field %q is missing", section, name)
			}
		}
	}
}

// Sections and fields of INFO that replab does not report, because the
// feature does not exist in replab (the same omissions are listed in the
// README).
var infoSectionsNotImplemented = map[string]bool{"Latencystats": true}

var infoFieldsNotImplemented = map[string]bool{}
