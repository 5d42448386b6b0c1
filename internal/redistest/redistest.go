// Package redistest starts servers for tests: Debian's redis-server (the
// reference every compatibility test compares against) and in-process
// replab nodes on free loopback ports, and offers a raw client that returns
// the exact bytes of each reply.
//
// A test that needs a real Redis calls RedisServerPath: under CI (CI=true) a
// missing redis-server fails the test; elsewhere the test is skipped with a
// loud message, so a developer without Redis still runs the rest.
package redistest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"replab/node"
	"replab/resp"
)

// RedisServerPath returns the path of redis-server, or fails (CI) or skips
// the test when there is none.
func RedisServerPath(t testing.TB) string {
	t.Helper()
	return toolPath(t, "redis-server")
}

// ToolPath finds a Redis tool (redis-cli, redis-benchmark, redis-check-rdb)
// with the same rules as RedisServerPath.
func ToolPath(t testing.TB, name string) string {
	t.Helper()
	return toolPath(t, name)
}

func toolPath(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not on PATH: CI must install Debian's redis-server and redis-tools", name)
	}
	t.Skipf("SKIPPED: %s is not on PATH; install Debian's redis-server and redis-tools to run the compatibility tests", name)
	return ""
}

// FreePort returns a loopback TCP port that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Redis is a running redis-server process.
type Redis struct {
	Port int
	Dir  string
	cmd  *exec.Cmd
	log  *bytes.Buffer
	mu   *sync.Mutex
	done chan struct{}
}

// Addr returns "127.0.0.1:port".
func (r *Redis) Addr() string { return "127.0.0.1:" + strconv.Itoa(r.Port) }

// Log returns what the server has logged so far.
func (r *Redis) Log() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.log.String()
}

// Stop stops the server (SIGTERM) and waits for it.
func (r *Redis) Stop() {
	if r.cmd.Process == nil {
		return
	}
	r.cmd.Process.Signal(os.Interrupt)
	select {
	case <-r.done:
	case <-time.After(10 * time.Second):
		r.cmd.Process.Kill()
		<-r.done
	}
}

// StartRedis starts redis-server on a free port with persistence off
// (--save "" --appendonly no) and the DEBUG command enabled, plus args. It
// is stopped when the test ends.
func StartRedis(t testing.TB, args ...string) *Redis {
	t.Helper()
	path := RedisServerPath(t)
	dir := t.TempDir()
	var last error
	for attempt := 0; attempt < 5; attempt++ {
		port := FreePort(t)
		full := append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1",
			"--save", "", "--appendonly", "no", "--enable-debug-command", "yes",
			"--dir", dir, "--logfile", ""}, args...)
		r := &Redis{Port: port, Dir: dir, log: &bytes.Buffer{}, mu: &sync.Mutex{}, done: make(chan struct{})}
		r.cmd = exec.Command(path, full...)
		out, err := r.cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		r.cmd.Stderr = r.cmd.Stdout
		if err := r.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		ready := make(chan bool, 1)
		go func() {
			sc := bufio.NewScanner(out)
			signalled := false
			for sc.Scan() {
				r.mu.Lock()
				r.log.WriteString(sc.Text() + "\n")
				r.mu.Unlock()
				if !signalled && strings.Contains(sc.Text(), "Ready to accept connections") {
					signalled = true
					ready <- true
				}
			}
			if !signalled {
				ready <- false
			}
		}()
		go func() { r.cmd.Wait(); close(r.done) }()
		select {
		case ok := <-ready:
			if ok {
				t.Cleanup(r.Stop)
				return r
			}
			last = fmt.Errorf("redis-server exited: %s", r.Log())
		case <-time.After(10 * time.Second):
			r.cmd.Process.Kill()
			last = fmt.Errorf("redis-server did not start: %s", r.Log())
		}
		<-r.done
	}
	t.Fatal(last)
	return nil
}

// Replab is an in-process replab node served by the real driver.
type Replab struct {
	Server *node.Server
	Port   int
	Dir    string
	log    *syncBuffer
	done   chan int
}

// Addr returns "127.0.0.1:port".
func (r *Replab) Addr() string { return "127.0.0.1:" + strconv.Itoa(r.Port) }

// Log returns what the node has logged so far.
func (r *Replab) Log() string { return r.log.String() }

// Stop shuts the node down (as SIGTERM) and waits for it.
func (r *Replab) Stop() {
	r.Server.Shutdown()
	select {
	case <-r.done:
	case <-time.After(10 * time.Second):
	}
}

// Wait waits for the node to exit on its own (SHUTDOWN) and returns its
// exit code.
func (r *Replab) Wait(timeout time.Duration) (int, error) {
	select {
	case code := <-r.done:
		r.done <- code
		return code, nil
	case <-time.After(timeout):
		return 0, errors.New("node did not exit")
	}
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// StartReplab starts a replab node on a free loopback port, configured by
// redis-server style args on top of the same defaults as StartRedis. It is
// stopped when the test ends.
func StartReplab(t testing.TB, args ...string) *Replab {
	t.Helper()
	dir := t.TempDir()
	cfg := node.DefaultConfig()
	full := append([]string{"--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--enable-debug-command", "yes", "--dir", dir}, args...)
	if err := cfg.LoadString(node.ArgsToConfig(full), nil); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	if err := cfg.Set("port", strconv.Itoa(port)); err != nil {
		t.Fatal(err)
	}
	r := &Replab{Port: port, Dir: dir, log: &syncBuffer{}, done: make(chan int, 1)}
	srv, err := node.NewServer(cfg, node.ServerOptions{Listeners: []net.Listener{l}, Log: r.log})
	if err != nil {
		t.Fatal(err)
	}
	r.Server = srv
	go func() { r.done <- srv.Run() }()
	t.Cleanup(r.Stop)
	// The listener is already open: the node is reachable at once.
	return r
}

// Conn is a raw client: it sends commands and returns the exact bytes of
// each reply.
type Conn struct {
	nc  net.Conn
	r   resp.ReplyReader
	buf []byte
	t   testing.TB
}

// Dial connects to addr.
func Dial(t testing.TB, addr string) *Conn {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c := &Conn{nc: nc, buf: make([]byte, 64<<10), t: t}
	t.Cleanup(func() { nc.Close() })
	return c
}

// Close closes the connection.
func (c *Conn) Close() { c.nc.Close() }

// Write sends raw bytes.
func (c *Conn) Write(p []byte) {
	c.t.Helper()
	if _, err := c.nc.Write(p); err != nil {
		c.t.Fatal(err)
	}
}

// Do sends one command and returns its reply, raw and parsed.
func (c *Conn) Do(args ...string) ([]byte, resp.Value) {
	c.t.Helper()
	c.Write(resp.EncodeCommand(nil, args...))
	raw, v, err := c.ReadReply(10 * time.Second)
	if err != nil {
		c.t.Fatalf("%v: %v", args, err)
	}
	return raw, v
}

// ReadReply reads one reply.
func (c *Conn) ReadReply(timeout time.Duration) ([]byte, resp.Value, error) {
	deadline := time.Now().Add(timeout)
	for {
		v, raw, ok, err := c.r.NextRaw()
		if err != nil {
			return nil, resp.Value{}, err
		}
		if ok {
			return append([]byte(nil), raw...), v, nil
		}
		c.nc.SetReadDeadline(deadline)
		n, err := c.nc.Read(c.buf)
		if n > 0 {
			c.r.Feed(c.buf[:n])
			continue
		}
		if err != nil {
			return nil, resp.Value{}, err
		}
	}
}

// ReadAll reads until the peer closes the connection or timeout passes.
func (c *Conn) ReadAll(timeout time.Duration) []byte {
	out := append([]byte(nil), c.r.Buffered()...)
	c.r.Discard(len(c.r.Buffered()))
	c.nc.SetReadDeadline(time.Now().Add(timeout))
	for {
		n, err := c.nc.Read(c.buf)
		out = append(out, c.buf[:n]...)
		if err != nil {
			return out
		}
	}
}

// WaitFor polls cond every few milliseconds until it holds or the deadline
// passes.
func WaitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// WriteFile writes a file into dir and returns its path.
func WriteFile(t testing.TB, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
