package node

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"replab/resp"
)

// Replication scenarios: testdata/repl/*.txt drive nodes of a World (no
// sockets, no sleeps, one manual clock) in the spirit of etcd-io/raft's
// interaction tests. A file is a sequence of steps, each a command line,
// a "----" line and the expected output (up to a blank line):
//
//	client a SET k v
//	----
//	+OK\r\n
//
// Lines starting with '#' between steps are comments. Steps:
//
//	node <name> [replicaof <master>] [--directive value ...]
//	    Starts a node reachable at "<name>:<port>", port 7001 for the first
//	    node, 7002 for the second...; its seed is its rank. Nodes start with
//	    --repl-diskless-sync-delay 0 unless the step sets it.
//	client <node>[/<n>] <command args...>
//	    Sends a command from client n (default 1) of the node and prints the
//	    replies already received, one per line, byte for byte with \r and \n
//	    escaped ("(no reply)" when none, e.g. a blocked WAIT). The world does
//	    not move: replication traffic stays in flight until delivered.
//	replies <node>[/<n>]
//	    Prints the replies the client received since.
//	deliver
//	    Delivers everything in flight (except held directions) and runs the
//	    timers due, until nothing moves.
//	deliver <a>-><b> [bytes]
//	    Delivers the bytes a wrote to b (held or not), or only the first ones;
//	    when a's connection to b is being established, only establishes it.
//	repeat <n> <step>
//	    Runs a step n times and prints the output of the last time.
//	tick
//	    Runs the timers that are due (the cron) without delivering anything.
//	restart <node>
//	    Restarts the node (a clean restart: its files stay); its connections
//	    are cut.
//	hold <a>-><b>, release <a>-><b>
//	    Suspends / resumes delivery from a to b on the existing connections.
//	cut <a> <b>
//	    Cuts every connection between a and b (both ends see it closed).
//	advance <duration>
//	    Moves the clock, waking the nodes at each of their deadlines and
//	    delivering what they send.
//	wire <a>-><b>
//	    Prints the bytes in flight from a to b without delivering them, one
//	    line per "\n"-terminated piece.
//	info <node> <field> [field ...]
//	    Prints INFO fields of the node ("field:value").
//	files <node>
//	    Lists the node's files with their sizes ("name size").
//	slices <keys>
//	    Loads full sync payloads <keys> keys per slice (default 4096), so
//	    that a load spans several events.
//	log [node ...] [/regexp/]
//	    Prints the log lines written since the last "log", grouped by node
//	    (qbuf-free, tot-mem and omem of client descriptions masked: they
//	    depend on how reads were split); only the nodes named, and the
//	    lines matching regexp, when given (for steps whose interleaving
//	    depends on how reads were split). The lines of the nodes
//	    considered that do not match are consumed.
//
// Every scenario runs three times: twice whole and once with World.Chunk = 1
// (every read split into single bytes); the outputs must be identical.
// Run with -rewrite to regenerate the expectations (then review the diff).

var rewrite = flag.Bool("rewrite", false, "rewrite the expected outputs of testdata/repl scenarios")

type scenarioStep struct {
	cmd    string
	want   []string
	line   int
	before []string // comment and blank lines before the step
}

func parseScenario(t *testing.T, path string) (steps []scenarioStep, trailer []string) {
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	require.NoError(t, sc.Err())
	var pending []string
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if strings.TrimSpace(l) == "" || strings.HasPrefix(l, "#") {
			pending = append(pending, l)
			continue
		}
		st := scenarioStep{cmd: l, line: i + 1, before: pending}
		pending = nil
		if i+1 >= len(lines) || lines[i+1] != "----" {
			t.Fatalf("%s:%d: step without ----", path, i+1)
		}
		i += 2
		for ; i < len(lines) && lines[i] != ""; i++ {
			st.want = append(st.want, lines[i])
		}
		steps = append(steps, st)
	}
	return steps, pending
}

func writeScenario(path string, steps []scenarioStep, outs [][]string, trailer []string) error {
	var b strings.Builder
	for i, st := range steps {
		for _, l := range st.before {
			b.WriteString(l + "\n")
		}
		b.WriteString(st.cmd + "\n----\n")
		for _, l := range outs[i] {
			b.WriteString(l + "\n")
		}
		if i < len(steps)-1 || len(trailer) > 0 {
			b.WriteString("\n")
		}
	}
	for _, l := range trailer {
		if strings.TrimSpace(l) != "" {
			b.WriteString(l + "\n")
		}
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// scenario is one run of a scenario file.
type scenario struct {
	t       *testing.T
	w       *World
	clients map[string]*WorldClient
	readers map[string]*resp.ReplyReader
	logSeen map[string]int
}

func (s *scenario) node(name string) *WorldNode {
	wn := s.w.Node(name)
	if wn == nil {
		s.t.Fatalf("no node %q", name)
	}
	return wn
}

func (s *scenario) client(ref string) (*WorldClient, *resp.ReplyReader) {
	name, num, _ := strings.Cut(ref, "/")
	if num == "" {
		ref = name + "/1"
	}
	c := s.clients[ref]
	if c == nil {
		s.node(name)
		c = s.w.Connect(name)
		s.clients[ref] = c
		s.readers[ref] = &resp.ReplyReader{}
	}
	return c, s.readers[ref]
}

// replies returns the replies c received since the last call, one escaped
// line each.
func (s *scenario) replies(c *WorldClient, r *resp.ReplyReader) []string {
	if p := s.w.pipes[pipeKey{c.node, c.id}]; p != nil {
		r.Feed(p.buf)
		p.buf = nil
	}
	var out []string
	for {
		_, raw, ok, err := r.NextRaw()
		if err != nil {
			return append(out, "protocol error: "+err.Error())
		}
		if !ok {
			return out
		}
		out = append(out, escapeWire(raw))
	}
}

func escapeWire(p []byte) string {
	var b strings.Builder
	for _, ch := range p {
		switch {
		case ch == '\r':
			b.WriteString(`\r`)
		case ch == '\n':
			b.WriteString(`\n`)
		case ch == '\\':
			b.WriteString(`\\`)
		case ch < 0x20 || ch >= 0x7f:
			fmt.Fprintf(&b, `\x%02x`, ch)
		default:
			b.WriteByte(ch)
		}
	}
	return b.String()
}

// wireLines renders bytes in flight, one line per "\n"-terminated piece.
func wireLines(p []byte) []string {
	if len(p) == 0 {
		return []string{"(empty)"}
	}
	var out []string
	for len(p) > 0 {
		i := 0
		for i < len(p) && p[i] != '\n' {
			i++
		}
		if i < len(p) {
			i++
		}
		out = append(out, escapeWire(p[:i]))
		p = p[i:]
	}
	return out
}

func direction(t *testing.T, arg string) (string, string) {
	a, b, ok := strings.Cut(arg, "->")
	if !ok {
		t.Fatalf("want <a>-><b>, got %q", arg)
	}
	return a, b
}

func (s *scenario) run(cmd string) []string {
	t := s.t
	f := strings.Fields(cmd)
	switch f[0] {
	case "node":
		name := f[1]
		port := 7001 + len(s.w.nodes)
		args := []string{"--port", strconv.Itoa(port)}
		split, ok := resp.SplitArgs([]byte(cmd))
		require.True(t, ok, cmd)
		var rest []string
		for _, a := range split[2:] {
			rest = append(rest, string(a))
		}
		if len(rest) >= 2 && rest[0] == "replicaof" {
			m := s.node(rest[1])
			_, mport, _ := strings.Cut(m.Addr, ":")
			args = append(args, "--replicaof", rest[1], mport)
			rest = rest[2:]
		}
		if !strings.Contains(strings.Join(rest, " "), "--repl-diskless-sync-delay") {
			args = append(args, "--repl-diskless-sync-delay", "0")
		}
		args = append(args, rest...)
		_, err := s.w.AddNode(name, fmt.Sprintf("%s:%d", name, port), uint64(len(s.w.nodes)+1), args...)
		require.NoError(t, err)
		return nil
	case "client":
		c, r := s.client(f[1])
		args, ok := resp.SplitArgs([]byte(strings.Join(f[2:], " ")))
		require.True(t, ok, cmd)
		strs := make([]string, len(args))
		for i, a := range args {
			strs[i] = string(a)
		}
		c.Send(strs...)
		out := s.replies(c, r)
		if len(out) == 0 {
			return []string{"(no reply)"}
		}
		return out
	case "replies":
		c, r := s.client(f[1])
		out := s.replies(c, r)
		if len(out) == 0 {
			return []string{"(no reply)"}
		}
		return out
	case "deliver":
		if len(f) == 1 {
			s.w.Run(1 << 20)
			return nil
		}
		a, b := direction(t, f[1])
		n := -1
		if len(f) > 2 {
			v, err := strconv.Atoi(f[2])
			require.NoError(t, err)
			n = v
		}
		s.w.Deliver(a, b, n)
		return nil
	case "repeat":
		n, err := strconv.Atoi(f[1])
		require.NoError(t, err)
		var out []string
		for i := 0; i < n; i++ {
			out = s.run(strings.Join(f[2:], " "))
		}
		return out
	case "tick":
		s.w.Tick()
		return nil
	case "restart":
		s.node(f[1]).Restart(false)
		// Clients of the old process are gone.
		for ref := range s.clients {
			if name, _, _ := strings.Cut(ref, "/"); name == f[1] {
				delete(s.clients, ref)
				delete(s.readers, ref)
			}
		}
		return nil
	case "hold", "release":
		a, b := direction(t, f[1])
		s.w.Hold(a, b, f[0] == "hold")
		return nil
	case "cut":
		s.w.CutLinks(f[1], f[2])
		return nil
	case "advance":
		d, err := time.ParseDuration(f[1])
		require.NoError(t, err)
		s.w.Advance(d)
		return nil
	case "wire":
		a, b := direction(t, f[1])
		return wireLines(s.w.InFlight(a, b))
	case "info":
		wn := s.node(f[1])
		info := wn.Node.Info("everything")
		var out []string
		for _, field := range f[2:] {
			v := "<absent>"
			for _, l := range strings.Split(info, "\r\n") {
				if name, val, ok := strings.Cut(l, ":"); ok && name == field {
					v = val
				}
			}
			out = append(out, field+":"+v)
		}
		return out
	case "files":
		fsys := s.node(f[1]).Files
		var out []string
		for _, name := range fsys.Names() {
			size, _ := fsys.Size(name)
			out = append(out, fmt.Sprintf("%s %d", name, size))
		}
		return out
	case "slices":
		v, err := strconv.ParseInt(f[1], 10, 64)
		require.NoError(t, err)
		loadSliceKeys = v
		return nil
	case "log":
		var out []string
		var only map[string]bool
		var match *regexp.Regexp
		for _, a := range f[1:] {
			if len(a) > 1 && a[0] == '/' && a[len(a)-1] == '/' {
				match = regexp.MustCompile(a[1 : len(a)-1])
				continue
			}
			if only == nil {
				only = map[string]bool{}
			}
			only[a] = true
		}
		for _, wn := range s.w.nodes {
			if only != nil && !only[wn.Name] {
				continue
			}
			prefix := wn.Name + " "
			seen := 0
			for _, l := range s.w.Log {
				if !strings.HasPrefix(l, prefix) {
					continue
				}
				seen++
				if seen > s.logSeen[wn.Name] && (only == nil || only[wn.Name]) && (match == nil || match.MatchString(l)) {
					out = append(out, maskAllocation.ReplaceAllString(l, "$1=*"))
				}
			}
			s.logSeen[wn.Name] = seen
		}
		return out
	}
	t.Fatalf("unknown step %q", cmd)
	return nil
}

// maskAllocation hides the figures of client info strings that depend on
// how reads were split (buffer capacities), not on behaviour.
var maskAllocation = regexp.MustCompile(`\b(qbuf-free|tot-mem|omem)=\d+`)

func runScenario(t *testing.T, steps []scenarioStep, chunk int) [][]string {
	s := &scenario{t: t, w: NewWorld(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)),
		clients: map[string]*WorldClient{}, readers: map[string]*resp.ReplyReader{}, logSeen: map[string]int{}}
	s.w.Chunk = chunk
	defer func(keys int64) { loadSliceKeys = keys }(loadSliceKeys)
	outs := make([][]string, len(steps))
	for i, st := range steps {
		outs[i] = s.run(st.cmd)
	}
	return outs
}

func TestReplScenarios(t *testing.T) {
	files, err := filepath.Glob("testdata/repl/*.txt")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txt"), func(t *testing.T) {
			steps, trailer := parseScenario(t, path)
			got := runScenario(t, steps, 0)
			again := runScenario(t, steps, 0)
			split := runScenario(t, steps, 1)
			for i, st := range steps {
				require.Equal(t, got[i], again[i], "%s:%d %s: a second run differs", path, st.line, st.cmd)
				require.Equal(t, got[i], split[i], "%s:%d %s: a run with single-byte reads differs", path, st.line, st.cmd)
			}
			if *rewrite {
				require.NoError(t, writeScenario(path, steps, got, trailer))
				return
			}
			for i, st := range steps {
				want := st.want
				if want == nil {
					want = []string{}
				}
				have := got[i]
				if have == nil {
					have = []string{}
				}
				if !equalLines(want, have) {
					t.Errorf("%s:%d: %s\nwant:\n%s\ngot:\n%s", path, st.line, st.cmd, strings.Join(want, "\n"), strings.Join(have, "\n"))
				}
			}
		})
	}
}

func equalLines(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
