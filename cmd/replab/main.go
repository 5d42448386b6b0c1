// Command replab runs replab nodes and tools.
//
//	replab server [/path/to/redis.conf] [--directive value ...]
//	replab cluster [--ports "7000 7001 7002"] [--dir DIR] [-- --directive value ...]
//	replab rdb check FILE
//	replab rdb dump FILE
//	replab version
//
// The server command takes its options exactly as redis-server does: a
// configuration file as the first argument and/or any redis.conf directive
// as --name value (a value may be given as one argument or several).
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"replab/node"
	"replab/rdb"
)

func usage(w io.Writer) {
	fmt.Fprintf(w, `Usage: replab <command> [arguments]

Commands:
  server [/path/to/redis.conf] [--directive value ...]
        run a node; options as redis-server takes them
  cluster [--ports "7000 7001 7002"] [--dir DIR] [-- --directive value ...]
        run a local cluster on 127.0.0.1: a master on the first port and a
        replica of it on each other port, every node a child process whose
        log lines start with its name; Ctrl-C stops them all
  rdb check FILE
        check an RDB file like redis-check-rdb: verdict, AUX fields,
        counts per type, the first error with its offset (exit 1 if damaged)
  rdb dump FILE
        print the keys of an RDB file as JSON lines
  version
        print the version

Examples:
  replab server --port 7000
  replab server /etc/redis/redis.conf --loglevel verbose
  replab server --port 7001 --replicaof 127.0.0.1 7000
  replab cluster --ports "8000 8001 8002"
`)
}

func main() {
	if len(os.Args) < 2 {
		usage(os.Stderr)
		os.Exit(2)
	}
	switch os.Args[1] {
	case "server":
		os.Exit(runServer(os.Args[2:]))
	case "cluster":
		os.Exit(runCluster(os.Args[2:], os.Stdout, os.Stderr))
	case "rdb":
		os.Exit(runRDB(os.Args[2:], os.Stdout, os.Stderr))
	case "version", "--version", "-v":
		fmt.Printf("replab v=%s (Redis %s compatible)\n", node.ReplabVersion, node.RedisVersion)
	case "help", "-h", "--help":
		usage(os.Stdout)
	default:
		fmt.Fprintf(os.Stderr, "replab: unknown command %q\n\n", os.Args[1])
		usage(os.Stderr)
		os.Exit(2)
	}
}

// runRDB runs "replab rdb check|dump FILE" and returns the exit code.
func runRDB(args []string, stdout, stderr io.Writer) int {
	if len(args) != 2 || (args[0] != "check" && args[0] != "dump") {
		fmt.Fprintln(stderr, "Usage: replab rdb check FILE | replab rdb dump FILE")
		return 2
	}
	f, err := os.Open(args[1])
	if err != nil {
		fmt.Fprintf(stderr, "replab rdb: %v\n", err)
		return 1
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	if args[0] == "dump" {
		w := bufio.NewWriterSize(stdout, 1<<16)
		err := rdb.Dump(r, w)
		w.Flush()
		if err != nil {
			fmt.Fprintf(stderr, "replab rdb dump: %s: %v\n", args[1], err)
			return 1
		}
		return 0
	}
	fmt.Fprintf(stdout, "[offset 0] Checking RDB file %s\n", args[1])
	rep := rdb.Check(r, time.Now().UnixMilli())
	rep.WriteText(stdout)
	if !rep.OK {
		return 1
	}
	return 0
}

// loadConfig builds the configuration from redis-server style arguments.
func loadConfig(args []string) (*node.Config, error) {
	argsIn := args
	cfg := node.DefaultConfig()
	var text strings.Builder
	if len(args) > 0 && !strings.HasPrefix(args[0], "--") {
		path := args[0]
		args = args[1:]
		var data []byte
		var err error
		if path == "-" {
			data, err = io.ReadAll(os.Stdin)
		} else {
			data, err = os.ReadFile(path)
		}
		if err != nil {
			return nil, fmt.Errorf("Fatal error, can't open config file '%s': %v", path, err)
		}
		text.Write(data)
		text.WriteString("\n")
	}
	if len(args) > 0 && !strings.HasPrefix(args[0], "--") {
		return nil, fmt.Errorf("Invalid argument %q: options are --name value", args[0])
	}
	text.WriteString(node.ArgsToConfig(args))
	readFile := func(p string) (string, error) {
		b, err := os.ReadFile(p)
		return string(b), err
	}
	if err := cfg.LoadString(text.String(), readFile); err != nil {
		return nil, err
	}
	if len(argsIn) > 0 && !strings.HasPrefix(argsIn[0], "--") && argsIn[0] != "-" {
		if abs, err := filepath.Abs(argsIn[0]); err == nil {
			cfg.File = abs
		}
	}
	return cfg, nil
}

func runServer(args []string) int {
	cfg, err := loadConfig(args)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	// io-threads (default 1, as in Redis) is the number of threads that run
	// Go code: the node itself is single-threaded behind its lock, and one
	// thread avoids handing it between cores on every request. The
	// GOMAXPROCS environment variable still wins when set.
	if os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(cfg.IOThreads)
	}
	srv, err := node.NewServer(cfg, node.ServerOptions{LogPrefix: os.Getenv("REPLAB_LOG_PREFIX")})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	srv.Logf(node.LogWarning, "oO0OoO0OoO0Oo replab is starting oO0OoO0OoO0Oo")
	srv.Logf(node.LogWarning, "replab version=%s, redis_version=%s, bits=64, pid=%d, just started", node.ReplabVersion, node.RedisVersion, os.Getpid())
	if len(args) == 0 {
		srv.Logf(node.LogWarning, "Warning: no config file specified, using the default config. In order to specify a config file use replab server /path/to/redis.conf")
	} else {
		srv.Logf(node.LogWarning, "Configuration loaded")
	}
	for _, name := range cfg.Ignored {
		v, _ := cfg.Get(name)
		srv.Logf(node.LogWarning, "Warning: directive '%s %s' is accepted but not implemented by replab; it has no effect", name, v)
	}
	if cfg.Daemonize {
		srv.Logf(node.LogWarning, "Warning: daemonize is not supported by replab; running in the foreground")
	}
	if path := os.Getenv("REPLAB_CPUPROFILE"); path != "" {
		// A CPU profile of the whole run, for performance work.
		if f, err := os.Create(path); err == nil {
			pprof.StartCPUProfile(f)
			defer func() { pprof.StopCPUProfile(); f.Close() }()
		}
	}
	if path := os.Getenv("REPLAB_MEMPROFILE"); path != "" {
		// The allocations of the whole run (pprof's allocs profile),
		// written at exit.
		defer func() {
			if f, err := os.Create(path); err == nil {
				pprof.Lookup("allocs").WriteTo(f, 0)
				f.Close()
			}
		}()
	}
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		for sig := range sigs {
			if sig == syscall.SIGINT {
				srv.Signal("SIGINT")
			} else {
				srv.Signal("SIGTERM")
			}
		}
	}()
	code := srv.Run()
	return code
}
