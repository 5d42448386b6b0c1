package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// runCluster runs "replab cluster": a local cluster of one master and its
// replicas on 127.0.0.1, each node a child process of this binary
// ("replab server") whose log lines carry the node's name
// (REPLAB_LOG_PREFIX). SIGINT and SIGTERM are forwarded to every node; the
// command returns when all have exited (if one exits on its own, the
// others are stopped).
func runCluster(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("cluster", flag.ContinueOnError)
	fs.SetOutput(stderr)
	ports := fs.String("ports", "7000 7001 7002", "ports of the nodes, the master's first (space or comma separated)")
	dir := fs.String("dir", "", "directory for the nodes' files (one subdirectory per node); default: a temporary directory removed at exit")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: replab cluster [--ports \"7000 7001 7002\"] [--dir DIR] [-- --directive value ...]\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	extra := fs.Args()
	var list []int
	for _, p := range strings.FieldsFunc(*ports, func(r rune) bool { return r == ' ' || r == ',' }) {
		n, err := strconv.Atoi(p)
		if err != nil || n <= 0 || n > 65535 {
			fmt.Fprintf(stderr, "replab cluster: invalid port %q\n", p)
			return 2
		}
		list = append(list, n)
	}
	if len(list) == 0 {
		fmt.Fprintln(stderr, "replab cluster: no ports")
		return 2
	}
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintf(stderr, "replab cluster: %v\n", err)
		return 1
	}
	base := *dir
	if base == "" {
		if base, err = os.MkdirTemp("", "replab-cluster-"); err != nil {
			fmt.Fprintf(stderr, "replab cluster: %v\n", err)
			return 1
		}
		defer os.RemoveAll(base)
	}

	// Signals are caught before the nodes start so that none is lost.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)

	type child struct {
		name string
		cmd  *exec.Cmd
	}
	var children []*child
	exited := make(chan *child, len(list))
	var wg sync.WaitGroup
	stopAll := func(sig os.Signal) {
		for _, c := range children {
			c.cmd.Process.Signal(sig)
		}
	}
	width := len("replica") + len(strconv.Itoa(len(list)))
	for i, port := range list {
		name := "master"
		args := []string{"server", "--port", strconv.Itoa(port), "--bind", "127.0.0.1"}
		if i > 0 {
			name = "replica" + strconv.Itoa(i)
			args = append(args, "--replicaof", "127.0.0.1", strconv.Itoa(list[0]))
		}
		nodeDir := filepath.Join(base, name)
		if err := os.MkdirAll(nodeDir, 0o755); err != nil {
			fmt.Fprintf(stderr, "replab cluster: %v\n", err)
			stopAll(syscall.SIGTERM)
			return 1
		}
		args = append(args, "--dir", nodeDir)
		args = append(args, extra...)
		cmd := exec.Command(self, args...)
		cmd.Stdout, cmd.Stderr = stdout, stderr
		cmd.Env = append(os.Environ(), fmt.Sprintf("REPLAB_LOG_PREFIX=%-*s | ", width, name))
		// Their own process group: a terminal's Ctrl-C reaches this
		// process only, which forwards it once.
		cmd.SysProcAttr = childAttr()
		if err := cmd.Start(); err != nil {
			fmt.Fprintf(stderr, "replab cluster: starting %s: %v\n", name, err)
			stopAll(syscall.SIGTERM)
			wg.Wait()
			return 1
		}
		c := &child{name: name, cmd: cmd}
		children = append(children, c)
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.cmd.Wait()
			exited <- c
		}()
		fmt.Fprintf(stderr, "replab cluster: %s on 127.0.0.1:%d (pid %d, dir %s)\n", name, port, cmd.Process.Pid, nodeDir)
	}
	fmt.Fprintf(stderr, "replab cluster: connect with redis-cli -p %d (master) or -p <replica port>; Ctrl-C stops all\n", list[0])

	code := 0
	remaining := len(children)
	stopping := false
	var deadline <-chan time.Time
	for remaining > 0 {
		select {
		case sig := <-sigs:
			fmt.Fprintf(stderr, "replab cluster: %v, stopping the nodes\n", sig)
			stopAll(sig)
			if !stopping {
				stopping = true
				deadline = time.After(30 * time.Second)
			}
		case c := <-exited:
			remaining--
			if !stopping {
				fmt.Fprintf(stderr, "replab cluster: %s exited (%v), stopping the others\n", c.name, c.cmd.ProcessState)
				code = 1
				stopping = true
				stopAll(syscall.SIGTERM)
				deadline = time.After(30 * time.Second)
			}
		case <-deadline:
			fmt.Fprintln(stderr, "replab cluster: nodes still running after 30 s, killing them")
			stopAll(syscall.SIGKILL)
			deadline = nil
		}
	}
	wg.Wait()
	return code
}
