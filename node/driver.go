package node

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Server is the real driver: it runs one Node on TCP (and optionally Unix)
// listeners with the wall clock, a goroutine per connection and a mutex
// that serialises the node's events.
//
// Each connection's goroutine reads what is available, hands the whole
// batch to the node under the lock, and after releasing it yields to the
// other ready goroutines and writes the replies, in one write (see
// flushDirty). Output for other connections (produced by the same event)
// is written by their own writer goroutines, so a slow client never stalls
// another; a writer first lets the ready connections run, so that the
// output of many events (a replica's stream under many clients) leaves in
// one write.
type Server struct {
	cfg  *Config
	node *Node

	mu           sync.Mutex // serialises the node's events
	conns        map[ConnID]*conn
	nextConn     ConnID
	dirty        []*conn // connections with new output since the last event
	listeners    []net.Listener
	unixListener net.Listener
	exitCode     chan int
	exited       bool
	armed        time.Time
	rearm        chan struct{}
	rng          *rand.Rand

	logMu  sync.Mutex
	logOut io.Writer
	pid    int
	// LogPrefix is written before every log line (make run's node names).
	LogPrefix string

	wg sync.WaitGroup

	loadRestore func() // restores the collector's settings after a bulk load

	// reads counts the read system calls on client and replication
	// connections, emptyReads those that found nothing to read.
	reads, emptyReads atomic.Int64
	// writes counts the write and writev system calls that wrote bytes.
	writes atomic.Int64
	// onWrite, when set (by tests, see ObserveWrites), sees every write
	// before it is made, with the connection it goes to.
	onWrite atomic.Pointer[func(id ConnID, bufs [][]byte)]
}

// ReadCounts returns how many reads the driver made on its connections and
// how many of them found nothing (a measure of wasted system calls).
func (s *Server) ReadCounts() (reads, empty int64) {
	return s.reads.Load(), s.emptyReads.Load()
}

// WriteCount returns how many writes (write or writev calls that wrote
// something) the driver made on its connections; on the portable path (no
// raw descriptor) it counts one per flush.
func (s *Server) WriteCount() int64 { return s.writes.Load() }

// ServerOptions are settings of the driver that are not Redis directives.
type ServerOptions struct {
	// Listeners, when set, are used instead of opening the bind addresses
	// (tests pass a listener on a free port).
	Listeners []net.Listener
	// Log receives the log when the configuration has no logfile
	// (default os.Stdout).
	Log io.Writer
	// Seed seeds the node's randomness; 0 picks one from the OS.
	Seed uint64
	// LogPrefix is put before each log line.
	LogPrefix string
}

type conn struct {
	id ConnID
	nc net.Conn
	rc syscall.RawConn // nc's descriptor, nil when it has none
	s  *Server

	mu         sync.Mutex // guards the fields below
	out        []byte
	spare      []byte
	chunks     [][]byte // queued after out (SendChunks, and Sends that follow them)
	chunkBytes int      // bytes in chunks
	inflight   int
	flushing   bool
	closeAfter bool
	closed     bool
	queued     bool // in Server.dirty
	wake       chan struct{}

	spareChunks [][]byte // a chunks slice to reuse once written

	// Scratch of the goroutine that is flushing (flushing set).
	bufs    [][]byte
	iov     []syscall.Iovec
	pending [][]byte // what write is writing (see writeReady)
	werr    error
	writeFn func(fd uintptr) bool // writeReady, bound once

	// dirty is the scratch of the reading goroutine's events (see event).
	dirty []*conn
}

// NewServer creates the driver and its node. Listeners are opened by Run.
func NewServer(cfg *Config, opts ServerOptions) (*Server, error) {
	s := &Server{
		cfg:       cfg,
		conns:     map[ConnID]*conn{},
		exitCode:  make(chan int, 1),
		rearm:     make(chan struct{}, 1),
		pid:       os.Getpid(),
		LogPrefix: opts.LogPrefix,
		listeners: opts.Listeners,
	}
	seed := opts.Seed
	if seed == 0 {
		seed = rand.Uint64()
	}
	s.rng = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	s.logOut = opts.Log
	if s.logOut == nil {
		s.logOut = os.Stdout
	}
	if cfg.LogFile != "" {
		f, err := os.OpenFile(cfg.LogFile, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return nil, fmt.Errorf("Can't open the log file: %v", err)
		}
		s.logOut = f
	}
	s.node = New(cfg, s)
	return s, nil
}

// Node returns the driven node. Callers must not use it concurrently with
// the driver.
func (s *Server) Node() *Node { return s.node }

// Addrs returns the addresses the server listens on.
func (s *Server) Addrs() []net.Addr {
	var out []net.Addr
	for _, l := range s.listeners {
		out = append(out, l.Addr())
	}
	return out
}

// Runtime implementation. These methods run with s.mu held, called by the
// node.

// FS implements Runtime: files relative to the configured dir.
func (s *Server) FS() FileSystem { return osFS{dir: func() string { return s.cfg.Dir }} }

// Dial implements Runtime: it connects in the background and reports the
// outcome to the node as an event.
func (s *Server) Dial(addr string) ConnID {
	s.nextConn++
	id := s.nextConn
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		nc, err := net.DialTimeout("tcp", addr, 10*time.Second)
		s.mu.Lock()
		if s.exited {
			s.mu.Unlock()
			if nc != nil {
				nc.Close()
			}
			return
		}
		if err != nil {
			s.node.ConnectFailed(id, err)
			dirty := s.endEventLocked(nil)
			s.mu.Unlock()
			s.flushDirty(dirty, nil)
			return
		}
		c := &conn{id: id, nc: nc, rc: rawConn(nc), s: s, wake: make(chan struct{}, 1)}
		s.conns[id] = c
		s.node.Connected(id, ConnInfo{Remote: nc.RemoteAddr().String(), Local: nc.LocalAddr().String()})
		dirty := s.endEventLocked(nil)
		s.mu.Unlock()
		s.flushDirty(dirty, nil)
		s.wg.Add(2)
		go s.readLoop(c)
		go s.writeLoop(c)
	}()
	return id
}

// Now implements Runtime.
func (s *Server) Now() time.Time { return time.Now() }

// Rand implements Runtime.
func (s *Server) Rand() *rand.Rand { return s.rng }

// Send implements Runtime.
func (s *Server) Send(id ConnID, p []byte) int {
	c := s.conns[id]
	if c == nil {
		return 0
	}
	c.mu.Lock()
	if len(c.chunks) == 0 {
		c.out = append(c.out, p...)
	} else if len(p) > 0 {
		// Keep the order: after the chunks queued before.
		c.chunks = append(c.chunks, append([]byte(nil), p...))
		c.chunkBytes += len(p)
	}
	pending := len(c.out) + c.chunkBytes + c.inflight
	queued := c.queued
	c.queued = true
	c.mu.Unlock()
	if !queued {
		s.dirty = append(s.dirty, c)
	}
	return pending
}

// SendChunks implements ChunkSender: the chunks are queued without a copy
// and written with writev (net.Buffers) after the output queued before.
func (s *Server) SendChunks(id ConnID, chunks [][]byte) int {
	c := s.conns[id]
	if c == nil {
		return 0
	}
	c.mu.Lock()
	for _, p := range chunks {
		if len(p) > 0 {
			c.chunks = append(c.chunks, p)
			c.chunkBytes += len(p)
		}
	}
	pending := len(c.out) + c.chunkBytes + c.inflight
	queued := c.queued
	c.queued = true
	c.mu.Unlock()
	if !queued {
		s.dirty = append(s.dirty, c)
	}
	return pending
}

// Close implements Runtime.
func (s *Server) Close(id ConnID) {
	c := s.conns[id]
	if c == nil {
		return
	}
	delete(s.conns, id)
	c.mu.Lock()
	c.closeAfter = true
	queued := c.queued
	c.queued = true
	c.mu.Unlock()
	if !queued {
		s.dirty = append(s.dirty, c)
	}
}

// Sleep implements Runtime: the node is blocked, as Redis is.
func (s *Server) Sleep(d time.Duration) { time.Sleep(d) }

// Log implements Runtime.
func (s *Server) Log(level LogLevel, msg string) { s.logLine(s.node.RoleChar(), level, msg) }

// Exit implements Runtime.
func (s *Server) Exit(code int) {
	if s.exited {
		return
	}
	s.exited = true
	for _, l := range s.listeners {
		l.Close()
	}
	s.exitCode <- code
}

func (s *Server) logLine(role byte, level LogLevel, msg string) {
	now := time.Now()
	line := fmt.Sprintf("%s%d:%c %s.%03d %c %s\n", s.LogPrefix, s.pid, role,
		now.Format("02 Jan 2006 15:04:05"), now.Nanosecond()/1e6, level.Mark(), msg)
	s.logMu.Lock()
	io.WriteString(s.logOut, line)
	s.logMu.Unlock()
}

// Logf writes a log line on behalf of the process (before the node runs,
// role 'C' as Redis does while it reads its configuration).
func (s *Server) Logf(level LogLevel, format string, args ...any) {
	s.logLine('C', level, fmt.Sprintf(format, args...))
}

// listen opens the configured listeners. It logs and returns an error as
// Redis does when a required address cannot be bound.
func (s *Server) listen() error {
	if len(s.listeners) > 0 {
		return nil
	}
	ls, err := s.openListeners(s.cfg.Bind, s.cfg.Port)
	if err != nil {
		return err
	}
	s.listeners = ls
	if len(s.listeners) == 0 {
		s.logLine('M', LogWarning, "Configured to not listen anywhere, exiting.")
		return errors.New("no listeners")
	}
	return nil
}

// openListeners opens TCP listeners for bind addresses on port (none when
// port is 0) and the Unix socket if configured. Addresses prefixed with
// "-" are skipped when unavailable, as in Redis.
func (s *Server) openListeners(binds []string, port int) ([]net.Listener, error) {
	var out []net.Listener
	fail := func(err error) ([]net.Listener, error) {
		for _, l := range out {
			l.Close()
		}
		return nil, err
	}
	if port != 0 {
		if len(binds) == 0 {
			binds = []string{"*", "-::*"}
		}
		for _, b := range binds {
			optional := strings.HasPrefix(b, "-")
			host := strings.TrimPrefix(b, "-")
			network := "tcp"
			switch host {
			case "*":
				host, network = "0.0.0.0", "tcp4"
			case "::*":
				host, network = "::", "tcp6"
			}
			addr := net.JoinHostPort(host, strconv.Itoa(port))
			l, err := net.Listen(network, addr)
			if err != nil {
				if optional && isUnavailable(err) {
					continue
				}
				s.logLine('M', LogWarning, fmt.Sprintf("Warning: Could not create server TCP listening socket %s: %s", addr, listenErrText(err)))
				s.logLine('M', LogWarning, fmt.Sprintf("Failed listening on port %d (tcp), aborting.", port))
				return fail(err)
			}
			out = append(out, l)
		}
	}
	if path, _ := s.cfg.Get("unixsocket"); path != "" && s.unixListener == nil {
		os.Remove(path)
		l, err := net.Listen("unix", path)
		if err != nil {
			s.logLine('M', LogWarning, fmt.Sprintf("Failed opening Unix socket: %v", err))
			return fail(err)
		}
		if perm, _ := s.cfg.Get("unixsocketperm"); perm != "" && perm != "0" {
			if m, err := strconv.ParseUint(perm, 8, 32); err == nil {
				os.Chmod(path, os.FileMode(m))
			}
		}
		s.unixListener = l
		out = append(out, l)
	}
	return out, nil
}

// Rebind implements Rebinder: CONFIG SET port and bind. It runs under the
// node's lock.
func (s *Server) Rebind(bind []string, port int) error {
	var keep []net.Listener
	var tcp []net.Listener
	for _, l := range s.listeners {
		if l == s.unixListener {
			keep = append(keep, l)
		} else {
			tcp = append(tcp, l)
		}
	}
	fresh, err := s.openListeners(bind, port)
	if err != nil {
		return err
	}
	for _, l := range tcp {
		l.Close()
	}
	s.listeners = append(keep, fresh...)
	for _, l := range fresh {
		if l == s.unixListener {
			continue
		}
		s.wg.Add(1)
		go s.acceptLoop(l)
	}
	return nil
}

func (s *Server) closeListeners() {
	for _, l := range s.listeners {
		l.Close()
	}
	s.listeners = nil
}

func isUnavailable(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "cannot assign requested address") ||
		strings.Contains(msg, "address family not supported") ||
		strings.Contains(msg, "protocol not supported")
}

func listenErrText(err error) string {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		text := op.Err.Error()
		if se, ok := op.Err.(*os.SyscallError); ok {
			text = se.Syscall + ": " + strings.ToUpper(se.Err.Error()[:1]) + se.Err.Error()[1:]
		}
		return text
	}
	return err.Error()
}

// Run opens the listeners, starts the node and serves until the node shuts
// down. It returns the exit code (1 when the listeners cannot be opened).
func (s *Server) Run() int {
	if err := s.listen(); err != nil {
		return 1
	}
	if s.cfg.PidFile != "" {
		os.WriteFile(s.cfg.PidFile, []byte(strconv.Itoa(s.pid)+"\n"), 0o644)
		defer os.Remove(s.cfg.PidFile)
	}
	s.mu.Lock()
	s.node.Start()
	s.armed = s.node.NextWake()
	s.mu.Unlock()
	for _, l := range s.listeners {
		s.wg.Add(1)
		go s.acceptLoop(l)
	}
	stopTimer := make(chan struct{})
	go s.timerLoop(stopTimer)
	code := <-s.exitCode
	close(stopTimer)
	s.closeListeners()
	// Wait for the output of the last event (the replies before SHUTDOWN)
	// to be written, briefly.
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
	}
	if path, _ := s.cfg.Get("unixsocket"); path != "" {
		os.Remove(path)
	}
	return code
}

// Signal delivers SIGTERM or SIGINT to the node.
func (s *Server) Signal(name string) {
	s.event(nil, func() { s.node.Signal(name) })
}

// Shutdown stops the server as SIGTERM would, and waits for Run to return.
func (s *Server) Shutdown() { s.Signal("SIGTERM") }

func (s *Server) acceptLoop(l net.Listener) {
	defer s.wg.Done()
	for {
		nc, err := l.Accept()
		if err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				continue
			}
			return
		}
		s.mu.Lock()
		if s.exited {
			s.mu.Unlock()
			nc.Close()
			return
		}
		s.nextConn++
		c := &conn{id: s.nextConn, nc: nc, rc: rawConn(nc), s: s, wake: make(chan struct{}, 1)}
		s.conns[c.id] = c
		if tc, ok := nc.(*net.TCPConn); ok && s.cfg.TCPKeepalive > 0 {
			tc.SetKeepAlive(true)
			tc.SetKeepAlivePeriod(time.Duration(s.cfg.TCPKeepalive) * time.Second)
		}
		info := ConnInfo{Remote: nc.RemoteAddr().String(), Local: nc.LocalAddr().String()}
		if _, ok := nc.(*net.UnixConn); ok {
			info = ConnInfo{Remote: "/unixsocket", Local: nc.LocalAddr().String(), Unix: true}
			if p, _ := s.cfg.Get("unixsocket"); p != "" {
				info.Local = p
			}
		}
		s.node.Accept(c.id, info)
		dirty := s.endEventLocked(nil)
		s.mu.Unlock()
		s.flushDirty(dirty, nil)
		s.wg.Add(2)
		go s.readLoop(c)
		go s.writeLoop(c)
	}
}

// event runs fn (a call into the node) under the lock and flushes the
// output it produced; self is the connection whose goroutine is calling,
// flushed inline.
func (s *Server) event(self *conn, fn func()) {
	s.mu.Lock()
	if s.exited && self == nil {
		s.mu.Unlock()
		return
	}
	fn()
	var into []*conn
	if self != nil {
		into = self.dirty[:0]
	}
	dirty := s.endEventLocked(into)
	s.mu.Unlock()
	s.flushDirty(dirty, self)
	if self != nil {
		clear(dirty)
		self.dirty = dirty[:0]
	}
}

// endEventLocked ends an event: the timer is rearmed if the node wants to
// wake sooner, and the connections with new output are appended to into (a
// scratch slice of the calling goroutine, or nil) for flushDirty after the
// lock is released.
func (s *Server) endEventLocked(into []*conn) []*conn {
	if w := s.node.NextWake(); w.Before(s.armed) {
		s.armed = w
		select {
		case s.rearm <- struct{}{}:
		default:
		}
	}
	d := append(into, s.dirty...)
	clear(s.dirty)
	s.dirty = s.dirty[:0]
	for _, c := range d {
		c.mu.Lock()
		c.queued = false
		c.mu.Unlock()
	}
	return d
}

// flushDirty wakes the writers of the connections with new output and,
// when the calling goroutine's own connection (self) is among them, yields
// and then flushes it. (Its own writer goroutine, woken by another event,
// may have written it meanwhile, or be writing it: flush then leaves it to
// that one.)
//
// With one P (io-threads 1, the default) the yield puts the reply at the
// end of the scheduler's round, as Redis writes its replies after a turn
// of its event loop: the goroutines that are ready run their events
// first. A writer woken by an event takes the scheduler's run-next slot
// and yields in turn (writeLoop), so it is queued behind the reply of the
// event that woke it but ahead of the replies of the events that follow.
// (When one event wakes several writers, only the last keeps the slot; the
// others queue behind the readers already ready.) Under many clients the
// replication stream of most writes therefore leaves before their reply;
// a lone client's reply still leaves first. With nothing else ready the
// yield returns at once; with several Ps it orders nothing, the writers
// simply run in parallel.
//
// The reading goroutine yields inside RawConn.Read's callback, so it holds
// the descriptor's read reference meanwhile: a writer that closes the
// connection during the yield (QUIT, CLIENT KILL, a write error) waits in
// Close until the reader resumes, finds c.closed and stops reading.
func (s *Server) flushDirty(dirty []*conn, self *conn) {
	own := false
	for _, c := range dirty {
		if c == self {
			own = true
			continue
		}
		select {
		case c.wake <- struct{}{}:
		default:
		}
	}
	if own {
		runtime.Gosched()
		self.flush(true)
	}
}

func (s *Server) readLoop(c *conn) {
	defer s.wg.Done()
	buf := make([]byte, 16<<10)
	var err error
	if c.rc != nil {
		err = s.readRaw(c, c.rc, buf)
	} else {
		err = s.readPlain(c, buf)
	}
	_ = err // any end of reading ends the connection, as in Redis
	s.mu.Lock()
	if s.conns[c.id] != nil {
		delete(s.conns, c.id)
		s.node.Closed(c.id)
	}
	dirty := s.endEventLocked(nil)
	s.mu.Unlock()
	s.flushDirty(dirty, nil)
	c.mu.Lock()
	c.closeAfter = true
	c.mu.Unlock()
	c.flush(false)
	c.nc.Close()
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// received hands one read's bytes to the node and, for a connection the
// node has closed, writes what is left of its output. It reports whether
// the reading must stop: the connection is closed, and the reading
// goroutine closes the socket once it has let go of the descriptor.
func (s *Server) received(c *conn, p []byte) (stop bool) {
	s.event(c, func() { s.node.Receive(c.id, p) })
	c.mu.Lock()
	done := c.closeAfter
	c.mu.Unlock()
	if done {
		c.flush(true)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

// readPlain reads with net.Conn.Read, for connections without a raw
// descriptor. It returns the error that ended the reading.
func (s *Server) readPlain(c *conn, buf []byte) error {
	for {
		n, err := c.nc.Read(buf)
		s.reads.Add(1)
		if n > 0 && s.received(c, buf[:n]) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// rawConn returns nc's raw descriptor access, or nil when it has none.
func rawConn(nc net.Conn) syscall.RawConn {
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return rc
}

// readRaw reads c through its descriptor, all inside one RawConn.Read, and
// returns the error that ended the reading (io.EOF for a hang-up).
//
// net.Conn.Read always tries a read before it waits for readiness, and
// under a request-reply load that read finds nothing: one system call per
// request for no bytes. Staying inside one RawConn.Read keeps the
// runtime's readiness state between reads, so after a read that returned
// less than the buffer (the socket was drained at that moment; bytes that
// arrive later raise a new readiness event) the loop waits for readiness
// instead of trying a read first.
func (s *Server) readRaw(c *conn, rc syscall.RawConn, buf []byte) error {
	var end error
	err := rc.Read(func(fd uintptr) bool {
		for {
			n, err := sysRead(int(fd), buf)
			s.reads.Add(1)
			switch {
			case n > 0:
				if s.received(c, buf[:n]) {
					return true
				}
				if n < len(buf) {
					return false
				}
				continue
			case err == syscall.EINTR:
				continue
			case err == syscall.EAGAIN:
				s.emptyReads.Add(1)
				return false
			case err == nil:
				end = io.EOF
			default:
				end = err
			}
			return true
		}
	})
	if err != nil {
		return err
	}
	return end
}

// write writes all of bufs, in order, to the connection: through its
// descriptor with write(2) or writev(2) when it has one (see sysWrite),
// else with net.Buffers. Only the goroutine that is flushing c calls it.
func (c *conn) write(bufs [][]byte) error {
	if f := c.s.onWrite.Load(); f != nil {
		(*f)(c.id, bufs)
	}
	if c.rc == nil {
		nb := net.Buffers(bufs)
		_, err := nb.WriteTo(c.nc)
		c.s.writes.Add(1)
		return err
	}
	if c.writeFn == nil {
		c.writeFn = c.writeReady
	}
	c.pending, c.werr = bufs, nil
	err := c.rc.Write(c.writeFn)
	werr := c.werr
	c.pending, c.werr = nil, nil
	if err != nil {
		return err
	}
	return werr
}

// writeReady is write's RawConn.Write callback: it writes c.pending until
// all is written (true), the socket is full (false: wait for it to drain),
// or an error, left in c.werr (true). It is a method bound once per
// connection, so a write allocates no closure.
func (c *conn) writeReady(fd uintptr) bool {
	for {
		for len(c.pending) > 0 && len(c.pending[0]) == 0 {
			c.pending = c.pending[1:]
		}
		bufs := c.pending
		if len(bufs) == 0 {
			return true
		}
		var n int
		var err error
		if len(bufs) == 1 {
			n, err = sysWrite(int(fd), bufs[0])
		} else {
			n, c.iov, err = sysWritev(int(fd), bufs, c.iov)
		}
		switch {
		case n > 0:
			c.s.writes.Add(1)
			for n > 0 {
				k := min(n, len(c.pending[0]))
				c.pending[0] = c.pending[0][k:]
				n -= k
				if len(c.pending[0]) == 0 {
					c.pending = c.pending[1:]
				}
			}
		case err == syscall.EINTR:
		case err == syscall.EAGAIN:
			return false
		default:
			c.werr = err
			return true
		}
	}
}

// writeLoop writes output produced for c by events of other goroutines
// (the replication stream, unblocked and pub/sub clients, the timer's
// work). Woken, it first lets the goroutines that are ready to run go
// (runtime.Gosched queues it behind them), so that the output of all the
// events they run leaves in one write: a replica's link under a load of
// many clients gets one write per round of the clients, as Redis writes
// once per turn of its event loop, instead of one per command.
func (s *Server) writeLoop(c *conn) {
	defer s.wg.Done()
	for range c.wake {
		runtime.Gosched()
		c.flush(false)
		c.mu.Lock()
		closed := c.closed
		c.mu.Unlock()
		if closed {
			return
		}
	}
}

// flush writes c's pending output. Only one goroutine writes at a time;
// output appended while it writes is picked up by the same loop, so the
// order of replies is kept. When the output ends with a close, flush closes
// the socket, except from the reading goroutine (inReader): that one holds
// the descriptor while it reads, and closing it there would wait for
// itself, so it only marks c closed and closes the socket when it stops
// reading.
func (c *conn) flush(inReader bool) {
	c.mu.Lock()
	if c.flushing || c.closed {
		c.mu.Unlock()
		return
	}
	c.flushing = true
	for len(c.out) > 0 || len(c.chunks) > 0 {
		buf := c.out
		c.out = c.spare[:0]
		c.spare = nil
		chunks := c.chunks
		c.chunks = c.spareChunks
		c.spareChunks = nil
		c.inflight = len(buf) + c.chunkBytes
		c.chunkBytes = 0
		c.mu.Unlock()
		// One write, or one writev for the owned bytes and the shared
		// chunks.
		bufs := append(c.bufs[:0], buf)
		bufs = append(bufs, chunks...)
		err := c.write(bufs)
		clear(bufs)
		c.bufs = bufs[:0]
		clear(chunks)
		c.mu.Lock()
		c.inflight = 0
		if cap(buf) <= 64<<10 {
			c.spare = buf[:0]
		}
		if cap(chunks) <= 1024 && c.spareChunks == nil {
			c.spareChunks = chunks[:0]
		}
		if err != nil {
			c.out = nil
			c.chunks, c.chunkBytes = nil, 0
			c.closeAfter = true
			break
		}
	}
	c.flushing = false
	if c.closeAfter && !c.closed {
		c.closed = true
		c.mu.Unlock()
		if !inReader {
			c.nc.Close()
		}
		select {
		case c.wake <- struct{}{}:
		default:
		}
		return
	}
	c.mu.Unlock()
}

func (s *Server) timerLoop(stop chan struct{}) {
	s.mu.Lock()
	wait := time.Until(s.armed)
	s.mu.Unlock()
	t := time.NewTimer(wait)
	defer t.Stop()
	yield := newNetYield()
	if yield != nil {
		defer yield.close()
	}
	for {
		select {
		case <-stop:
			return
		case <-s.rearm:
		case <-t.C:
			s.event(nil, func() { s.node.Tick() })
		}
		s.mu.Lock()
		s.armed = s.node.NextWake()
		wait := time.Until(s.armed)
		s.mu.Unlock()
		if !t.Stop() {
			select {
			case <-t.C:
			default:
			}
		}
		if wait <= 0 {
			// The node wants to run again at once (a background save or a
			// full sync in slices): let the clients whose bytes have
			// arrived go first (see netYield).
			wait = 0
			if yield != nil {
				yield.yield()
			} else {
				runtime.Gosched()
			}
		}
		t.Reset(wait)
	}
}

// loadGCPercent is the garbage collector's target while a dataset loads
// on a machine whose memory is unknown (see BulkLoad).
const loadGCPercent = 400

// BulkLoad implements LoadObserver with bulkLoadGC.
func (s *Server) BulkLoad(active bool) {
	switch {
	case active && s.loadRestore == nil:
		s.loadRestore = bulkLoadGC()
	case !active && s.loadRestore != nil:
		s.loadRestore()
		s.loadRestore = nil
	}
}

// bulkLoadGC sets the garbage collector up for a bulk load and returns the
// function that restores the settings in force before.
//
// A load keeps almost everything it allocates, so collecting while it runs
// is wasted work (and, in a fresh process, frees nothing that would spare
// a page): the collector is off, with a memory limit of half the machine's
// memory as a safety net (a load that does make garbage, such as a file of
// expired keys, is collected when the heap reaches it). A lower limit set
// by GOMEMLIMIT is kept. Where the machine's memory is unknown, the
// collector only runs less often (loadGCPercent).
func bulkLoadGC() (restore func()) {
	percent, limit := loadGCPercent, debug.SetMemoryLimit(-1)
	if mem := totalSystemMemory(); mem > 0 {
		percent, limit = -1, min(limit, mem/2)
	}
	oldPercent := debug.SetGCPercent(percent)
	oldLimit := debug.SetMemoryLimit(limit)
	return func() {
		debug.SetGCPercent(oldPercent)
		debug.SetMemoryLimit(oldLimit)
	}
}

// ProcessInfo implements Introspector with the Go runtime's and the
// kernel's figures for this process.
func (s *Server) ProcessInfo() ProcessInfo {
	return processInfo()
}
