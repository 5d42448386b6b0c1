package node

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"replab/resp"
)

// World runs several nodes in memory, in one goroutine, with one manual
// clock: the in-memory twin of a network of TCP drivers, and the seed of
// the simulator. Connections are pairs of byte pipes whose delivery the
// caller controls: everything at once, in chunks of a given size, or held
// back; links can be cut. Nothing happens unless the caller steps the
// world, so a scenario replays byte for byte.
type World struct {
	now   time.Time
	nodes []*WorldNode // in creation order
	pipes map[pipeKey]*pipe
	order []pipeKey // pipes in creation order, for deterministic delivery
	// Chunk, when > 0, delivers at most Chunk bytes per pipe per step
	// (split reads); 0 delivers everything pending.
	Chunk int
	// Log collects every node's log lines, prefixed with the node name.
	Log []string
}

// WorldNode is one node of a World.
type WorldNode struct {
	Name string
	Addr string // "host:port" other nodes dial
	Node *Node
	rt   *worldRuntime
	w    *World
	// Files is the node's disk; it survives Restart, minus what was not
	// synced if the restart is a crash.
	Files *MemFS
	// BulkLoads records the node's LoadObserver calls in order: true when
	// a bulk load starts, false when it ends.
	BulkLoads []bool
	cfg       *Config
	seed      uint64
}

type pipeKey struct {
	node *WorldNode
	conn ConnID
}

// pipe carries bytes written on one end (node, conn) to the other end.
type pipe struct {
	from, to    pipeKey
	buf         []byte // written by from, not yet delivered to to
	closing     bool   // from closed: deliver buf, then a Closed event
	held        bool   // delivery suspended (partition)
	established bool   // the peer knows the connection (Accept/Connected done)
	dialer      bool   // from is the dialing side
}

// NewWorld returns an empty world whose clock starts at start.
func NewWorld(start time.Time) *World {
	return &World{now: start, pipes: map[pipeKey]*pipe{}}
}

// Now returns the world's clock.
func (w *World) Now() time.Time { return w.now }

// AddNode creates and starts a node reachable at addr, configured by
// redis-server style args, whose randomness derives from seed.
func (w *World) AddNode(name, addr string, seed uint64, args ...string) (*WorldNode, error) {
	cfg := DefaultConfig()
	if err := cfg.LoadString(ArgsToConfig(args), nil); err != nil {
		return nil, err
	}
	wn := &WorldNode{Name: name, Addr: addr, w: w, Files: NewMemFS(), cfg: cfg, seed: seed}
	wn.boot()
	w.nodes = append(w.nodes, wn)
	return wn, nil
}

func (wn *WorldNode) boot() {
	wn.rt = &worldRuntime{wn: wn, rng: rand.New(rand.NewPCG(wn.seed, wn.seed^0x5851f42d4c957f2d)), nextConn: 1}
	wn.Node = New(wn.cfg.Clone(), wn.rt)
	wn.Node.Start()
}

// Restart stops the node (crash: unsynced file data is lost) and starts a
// new one from the same configuration and disk. Its connections are cut.
func (wn *WorldNode) Restart(crash bool) {
	w := wn.w
	// The old process is gone: whatever it does while its connections are
	// cut has no effect (no log, no dial, no output).
	wn.rt.exited = true
	for _, k := range w.order {
		p := w.pipes[k]
		if p != nil && (k.node == wn || p.to.node == wn) {
			w.cut(p)
		}
	}
	if crash {
		wn.Files.Crash()
	}
	wn.seed++
	wn.boot()
}

// Node returns the node named name.
func (w *World) Node(name string) *WorldNode {
	for _, n := range w.nodes {
		if n.Name == name {
			return n
		}
	}
	return nil
}

func (w *World) nodeAt(addr string) *WorldNode {
	for _, n := range w.nodes {
		if n.Addr == addr {
			return n
		}
	}
	return nil
}

// worldRuntime is one node's Runtime inside a World.
type worldRuntime struct {
	wn       *WorldNode
	rng      *rand.Rand
	nextConn ConnID
	exited   bool
}

// BulkLoad implements LoadObserver: the calls are recorded.
func (r *worldRuntime) BulkLoad(active bool) {
	if !r.exited {
		r.wn.BulkLoads = append(r.wn.BulkLoads, active)
	}
}

func (r *worldRuntime) Now() time.Time   { return r.wn.w.now }
func (r *worldRuntime) Rand() *rand.Rand { return r.rng }
func (r *worldRuntime) FS() FileSystem   { return r.wn.Files }

func (r *worldRuntime) Send(c ConnID, p []byte) int {
	if r.exited {
		return 0
	}
	pp := r.wn.w.pipes[pipeKey{r.wn, c}]
	if pp == nil || pp.closing {
		return 0
	}
	pp.buf = append(pp.buf, p...)
	return len(pp.buf)
}

// SendChunks implements ChunkSender by copying the chunks into the pipe.
func (r *worldRuntime) SendChunks(c ConnID, chunks [][]byte) int {
	if r.exited {
		return 0
	}
	pp := r.wn.w.pipes[pipeKey{r.wn, c}]
	if pp == nil || pp.closing {
		return 0
	}
	for _, p := range chunks {
		pp.buf = append(pp.buf, p...)
	}
	return len(pp.buf)
}

func (r *worldRuntime) Close(c ConnID) {
	if pp := r.wn.w.pipes[pipeKey{r.wn, c}]; pp != nil {
		pp.closing = true
	}
}

// Sleep advances the world's clock: a node that sleeps holds up the
// world, as a busy process holds up its peers' view of time.
func (r *worldRuntime) Sleep(d time.Duration) { r.wn.w.now = r.wn.w.now.Add(d) }

func (r *worldRuntime) Log(level LogLevel, msg string) {
	if r.exited {
		return // a process that exited, or was replaced by Restart
	}
	r.wn.w.Log = append(r.wn.w.Log, fmt.Sprintf("%s %c %s", r.wn.Name, level.Mark(), msg))
}

func (r *worldRuntime) Exit(code int) { r.exited = true }

// Dial connects to the node listening at addr. The connection is
// established on the next Step: the target accepts it, the dialer gets
// Connected (or ConnectFailed when no node listens there).
func (r *worldRuntime) Dial(addr string) ConnID {
	w := r.wn.w
	id := r.newConn()
	if r.exited {
		return id // a process replaced by Restart: nothing happens
	}
	from := pipeKey{r.wn, id}
	target := w.nodeAt(addr)
	if target == nil || target.rt.exited {
		w.addPipe(&pipe{from: from, to: pipeKey{}, dialer: true})
		return id
	}
	tid := target.rt.newConn()
	to := pipeKey{target, tid}
	w.addPipe(&pipe{from: from, to: to, dialer: true})
	w.addPipe(&pipe{from: to, to: from})
	return id
}

func (r *worldRuntime) newConn() ConnID {
	r.nextConn++
	return r.nextConn
}

func (w *World) addPipe(p *pipe) {
	w.pipes[p.from] = p
	w.order = append(w.order, p.from)
}

// Connect opens a client connection from outside the world (a test client)
// to a node, and returns the client end.
func (w *World) Connect(name string) *WorldClient {
	target := w.Node(name)
	tid := target.rt.newConn()
	c := &WorldClient{w: w, node: target, id: tid}
	target.Node.Accept(tid, ConnInfo{Remote: "127.0.0.1:40000", Local: target.Addr})
	w.addPipe(&pipe{from: pipeKey{target, tid}, to: pipeKey{}, established: true})
	return c
}

// Step delivers pending bytes and connection events once, in a fixed
// order, and runs timers that are due. It reports whether anything
// happened.
func (w *World) Step() bool {
	progress := false
	for _, wn := range w.nodes {
		if !wn.rt.exited && !wn.Node.NextWake().After(w.now) {
			before := wn.Node.NextWake()
			wn.Node.Tick()
			if wn.Node.NextWake() != before {
				progress = true
			}
		}
	}
	for _, k := range append([]pipeKey(nil), w.order...) {
		p := w.pipes[k]
		if p == nil || p.to.node == nil || p.held {
			continue
		}
		if !p.established {
			w.establish(p)
			progress = true
			continue
		}
		if len(p.buf) > 0 {
			n := len(p.buf)
			if w.Chunk > 0 && n > w.Chunk {
				n = w.Chunk
			}
			data := append([]byte(nil), p.buf[:n]...)
			p.buf = p.buf[n:]
			p.to.node.Node.Receive(p.to.conn, data)
			progress = true
			continue
		}
		if p.closing {
			w.cut(p)
			progress = true
		}
	}
	// Dials to nowhere fail.
	for _, k := range append([]pipeKey(nil), w.order...) {
		p := w.pipes[k]
		if p != nil && p.dialer && p.to.node == nil {
			delete(w.pipes, k)
			k.node.Node.ConnectFailed(k.conn, fmt.Errorf("connection refused"))
			progress = true
		}
	}
	w.compact()
	return progress
}

// establish completes a dial: the target accepts the connection and the
// dialer learns it is connected.
func (w *World) establish(p *pipe) {
	p.established = true
	if p.dialer {
		local := "127.0.0.1:" + fmt.Sprint(30000+int(p.from.conn))
		p.to.node.Node.Accept(p.to.conn, ConnInfo{Remote: local, Local: p.to.node.Addr})
		p.from.node.Node.Connected(p.from.conn, ConnInfo{Remote: p.to.node.Addr, Local: local})
	}
}

// cut closes both directions of a connection at once (a cut link): each
// end that still exists gets a Closed event; bytes in flight are lost.
func (w *World) cut(p *pipe) {
	delete(w.pipes, p.from)
	if p.to.node != nil {
		if back := w.pipes[p.to]; back != nil {
			delete(w.pipes, p.to)
		}
		p.to.node.Node.Closed(p.to.conn)
	}
	p.from.node.Node.Closed(p.from.conn)
}

func (w *World) compact() {
	kept := w.order[:0]
	for _, k := range w.order {
		if w.pipes[k] != nil {
			kept = append(kept, k)
		}
	}
	w.order = kept
}

// Run steps the world until nothing is left to deliver and no timer is
// due, or limit steps have run.
func (w *World) Run(limit int) {
	for i := 0; i < limit && w.Step(); i++ {
	}
}

// Advance moves the clock forward by d, waking every node at each of its
// deadlines in order and delivering what they produce.
func (w *World) Advance(d time.Duration) {
	end := w.now.Add(d)
	for {
		w.Run(100000)
		next := end
		for _, wn := range w.nodes {
			if nw := wn.Node.NextWake(); !wn.rt.exited && nw.Before(next) {
				next = nw
			}
		}
		if !next.After(w.now) {
			next = w.now.Add(time.Millisecond)
		}
		if next.After(end) {
			break
		}
		w.now = next
	}
	w.now = end
	w.Run(100000)
}

// Tick runs the timers of every node that is due, without delivering
// anything.
func (w *World) Tick() {
	for _, wn := range w.nodes {
		if !wn.rt.exited && !wn.Node.NextWake().After(w.now) {
			wn.Node.Tick()
		}
	}
}

// Hold suspends delivery from node a to node b (one direction of a
// partition); Release resumes it.
func (w *World) Hold(a, b string, held bool) {
	for _, k := range w.order {
		p := w.pipes[k]
		if p != nil && k.node.Name == a && p.to.node != nil && p.to.node.Name == b {
			p.held = held
		}
	}
}

// CutLinks cuts every connection between nodes a and b.
func (w *World) CutLinks(a, b string) {
	for _, k := range append([]pipeKey(nil), w.order...) {
		p := w.pipes[k]
		if p != nil && p.to.node != nil && ((k.node.Name == a && p.to.node.Name == b) || (k.node.Name == b && p.to.node.Name == a)) {
			w.cut(p)
		}
	}
}

// Pending describes the bytes in flight, for traces ("a->b: 12 bytes").
func (w *World) Pending() string {
	var parts []string
	for _, k := range w.order {
		p := w.pipes[k]
		if p != nil && p.to.node != nil && len(p.buf) > 0 {
			parts = append(parts, fmt.Sprintf("%s->%s:%d", k.node.Name, p.to.node.Name, len(p.buf)))
		}
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

// WorldClient is a test client connected to a node of a World.
type WorldClient struct {
	w    *World
	node *WorldNode
	id   ConnID
	r    resp.ReplyReader
}

// Send sends a command without waiting for its reply.
func (c *WorldClient) Send(args ...string) {
	c.node.Node.Receive(c.id, resp.EncodeCommand(nil, args...))
}

// Replies returns the replies received so far.
func (c *WorldClient) Replies() []resp.Value {
	if p := c.w.pipes[pipeKey{c.node, c.id}]; p != nil {
		c.r.Feed(p.buf)
		p.buf = nil
	}
	var out []resp.Value
	for {
		v, ok, err := c.r.Next()
		if err != nil || !ok {
			return out
		}
		out = append(out, v)
	}
}

// Do sends a command, runs the world until its reply arrives (or the world
// is quiet), and returns the reply.
func (c *WorldClient) Do(args ...string) (resp.Value, bool) {
	c.Send(args...)
	for i := 0; i < 100000; i++ {
		if rs := c.Replies(); len(rs) > 0 {
			return rs[0], true
		}
		if !c.w.Step() {
			if rs := c.Replies(); len(rs) > 0 {
				return rs[0], true
			}
			return resp.Value{}, false
		}
	}
	return resp.Value{}, false
}

// pipesBetween returns the pipes carrying bytes from node a to node b, in
// creation order.
func (w *World) pipesBetween(a, b string) []*pipe {
	var out []*pipe
	for _, k := range w.order {
		p := w.pipes[k]
		if p != nil && k.node.Name == a && p.to.node != nil && p.to.node.Name == b {
			out = append(out, p)
		}
	}
	return out
}

// InFlight returns a copy of the bytes written by node a to node b and not
// delivered yet (every connection from a to b, oldest first).
func (w *World) InFlight(a, b string) []byte {
	var out []byte
	for _, p := range w.pipesBetween(a, b) {
		out = append(out, p.buf...)
	}
	return out
}

// Deliver hands b up to n of the bytes node a wrote to it (all of them when
// n < 0), held or not, oldest connection first, in pieces of at most Chunk
// bytes when Chunk > 0. When a connection from a to b is still being
// established, Deliver only establishes it (the target accepts, the dialer
// is told) and returns 0. It returns the number of bytes delivered; nothing
// else moves.
func (w *World) Deliver(a, b string, n int) int {
	for _, p := range w.pipesBetween(a, b) {
		if !p.established {
			w.establish(p)
			if back := w.pipes[p.to]; back != nil {
				back.established = true
			}
			return 0
		}
	}
	done := 0
	for _, p := range w.pipesBetween(a, b) {
		for len(p.buf) > 0 && (n < 0 || done < n) {
			k := len(p.buf)
			if n >= 0 && k > n-done {
				k = n - done
			}
			if w.Chunk > 0 && k > w.Chunk {
				k = w.Chunk
			}
			data := append([]byte(nil), p.buf[:k]...)
			p.buf = p.buf[k:]
			done += k
			p.to.node.Node.Receive(p.to.conn, data)
			if w.pipes[p.from] != p {
				break // the connection was closed meanwhile
			}
		}
	}
	w.compact()
	return done
}
