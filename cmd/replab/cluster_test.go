package main

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"replab/internal/redistest"
)

// lockedBuffer collects a child's output from several goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func infoField(c *redistest.Conn, field string) string {
	_, v := c.Do("INFO", "replication")
	for _, l := range strings.Split(v.Str, "\r\n") {
		if k, val, ok := strings.Cut(l, ":"); ok && k == field {
			return val
		}
	}
	return ""
}

// TestClusterCommand runs "replab cluster" (what make run does): three
// nodes come up, the replicas synchronise with the master, a write reaches
// both, and SIGINT stops all three.
func TestClusterCommand(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("SKIPPED: signals and process groups are tested on Linux")
	}
	bin := filepath.Join(t.TempDir(), "replab")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	ports := []int{redistest.FreePort(t), redistest.FreePort(t), redistest.FreePort(t)}
	var list []string
	for _, p := range ports {
		list = append(list, strconv.Itoa(p))
	}
	log := &lockedBuffer{}
	cmd := exec.Command(bin, "cluster", "--ports", strings.Join(list, " "), "--dir", t.TempDir())
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		if t.Failed() {
			t.Logf("cluster output:\n%s", log.String())
		}
	})

	addr := func(p int) string { return "127.0.0.1:" + strconv.Itoa(p) }
	redistest.WaitFor(t, 10*time.Second, "the nodes to listen", func() bool {
		return strings.Count(log.String(), "Ready to accept connections") == 3
	})
	master := redistest.Dial(t, addr(ports[0]))
	replicas := []*redistest.Conn{redistest.Dial(t, addr(ports[1])), redistest.Dial(t, addr(ports[2]))}
	// repl-diskless-sync-delay is Redis's default (5 s): the replicas
	// share one snapshot.
	for _, rc := range replicas {
		redistest.WaitFor(t, 30*time.Second, "master_link_status:up", func() bool {
			return infoField(rc, "master_link_status") == "up"
		})
	}
	if _, v := master.Do("SET", "cluster:key", "hello"); v.Str != "OK" {
		t.Fatalf("SET: %v", v)
	}
	for _, rc := range replicas {
		redistest.WaitFor(t, 10*time.Second, "the write on a replica", func() bool {
			_, v := rc.Do("GET", "cluster:key")
			return v.Str == "hello"
		})
	}

	pids := regexp.MustCompile(`pid (\d+)`).FindAllStringSubmatch(log.String(), -1)
	if len(pids) != 3 {
		t.Fatalf("want 3 node pids in the output, got %v", pids)
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("replab cluster exited with %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("replab cluster did not exit after SIGINT")
	}
	for _, p := range pids {
		pid, _ := strconv.Atoi(p[1])
		if err := syscall.Kill(pid, 0); err == nil {
			t.Errorf("node pid %d still running", pid)
		}
	}
	text := log.String()
	for _, name := range []string{"master  ", "replica1", "replica2"} {
		if !strings.Contains(text, name+" | ") {
			t.Errorf("no log line prefixed with %q", name)
		}
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + ` \| \d+:[MS] .* # Received SIGINT scheduling shutdown\.\.\.$`).MatchString(text) {
			t.Errorf("%s did not receive SIGINT", name)
		}
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + ` \| .*ready to exit, bye bye\.\.\.$`).MatchString(text) {
			t.Errorf("%s did not exit cleanly", name)
		}
	}
}
