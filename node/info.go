package node

import (
	"fmt"
	"sort"
	"strings"
)

// ProcessInfo is what a runtime knows about the process a node runs in,
// for INFO. A runtime that implements Introspector provides it; the
// in-memory runtime reports estimates derived from the node alone, so that
// simulated runs stay reproducible.
type ProcessInfo struct {
	PID               int
	Executable        string
	UsedMemory        int64 // bytes the allocator holds for live data
	RSS               int64 // resident set size
	TotalSystemMemory int64
	CPUUser, CPUSys   float64 // seconds
	Allocator         string
}

// Introspector is implemented by runtimes that can describe the process.
type Introspector interface {
	ProcessInfo() ProcessInfo
}

func (n *Node) processInfo() ProcessInfo {
	if in, ok := n.rt.(Introspector); ok {
		return in.ProcessInfo()
	}
	return ProcessInfo{Allocator: "go"}
}

// bytesToHuman formats a byte count as Redis's INFO does.
func bytesToHuman(b int64) string {
	d := float64(b)
	switch {
	case b < 1024:
		return fmt.Sprintf("%dB", b)
	case b < 1<<20:
		return fmt.Sprintf("%.2fK", d/(1<<10))
	case b < 1<<30:
		return fmt.Sprintf("%.2fM", d/(1<<20))
	case b < 1<<40:
		return fmt.Sprintf("%.2fG", d/(1<<30))
	case b < 1<<50:
		return fmt.Sprintf("%.2fT", d/(1<<40))
	case b < 1<<60:
		return fmt.Sprintf("%.2fP", d/(1<<50))
	}
	return fmt.Sprintf("%dB", b)
}

var defaultInfoSections = []string{"server", "clients", "memory", "persistence", "stats", "replication", "cpu", "module_list", "errorstats", "cluster", "keyspace"}

// infoSections are the generators of the INFO sections, in Redis's order.
// Later layers (replication, persistence) replace theirs through
// infoOverrides.
var infoSectionOrder = []string{"server", "clients", "memory", "persistence", "stats", "replication", "cpu", "module_list", "commandstats", "errorstats", "latencystats", "cluster", "keyspace"}

// infoLine is one "field:value" line.
type infoWriter struct{ b strings.Builder }

func (w *infoWriter) f(name string, format string, args ...any) {
	w.b.WriteString(name)
	w.b.WriteByte(':')
	fmt.Fprintf(&w.b, format, args...)
	w.b.WriteString("\r\n")
}

// Info renders INFO for the given section arguments, as the INFO command
// does ("default", "all", "everything" or section names).
func (n *Node) Info(args ...string) string {
	want := map[string]bool{}
	all := false
	if len(args) == 0 {
		for _, s := range defaultInfoSections {
			want[s] = true
		}
	}
	for _, a := range args {
		switch strings.ToLower(a) {
		case "default":
			for _, s := range defaultInfoSections {
				want[s] = true
			}
		case "all", "everything":
			all = true
		default:
			want[strings.ToLower(a)] = true
		}
	}
	if want["modules"] {
		want["module_list"] = true
	}
	var out strings.Builder
	sections := 0
	for _, name := range infoSectionOrder {
		if !all && !want[name] {
			continue
		}
		var w infoWriter
		title := n.infoSection(name, &w)
		if title == "" {
			continue
		}
		if sections > 0 {
			out.WriteString("\r\n")
		}
		sections++
		out.WriteString("# " + title + "\r\n")
		out.WriteString(w.b.String())
	}
	return out.String()
}

// infoSection writes one section and returns its title ("" to omit it).
func (n *Node) infoSection(name string, w *infoWriter) string {
	if f := n.infoOverrides[name]; f != nil {
		return f(w)
	}
	switch name {
	case "server":
		n.infoServer(w)
		return "Server"
	case "clients":
		n.infoClients(w)
		return "Clients"
	case "memory":
		n.infoMemory(w)
		return "Memory"
	case "persistence":
		n.infoPersistence(w)
		return "Persistence"
	case "stats":
		n.infoStats(w)
		return "Stats"
	case "replication":
		n.infoReplication(w)
		return "Replication"
	case "cpu":
		pi := n.processInfo()
		w.f("used_cpu_sys", "%.6f", pi.CPUSys)
		w.f("used_cpu_user", "%.6f", pi.CPUUser)
		w.f("used_cpu_sys_children", "%.6f", 0.0)
		w.f("used_cpu_user_children", "%.6f", 0.0)
		w.f("used_cpu_sys_main_thread", "%.6f", pi.CPUSys)
		w.f("used_cpu_user_main_thread", "%.6f", pi.CPUUser)
		return "CPU"
	case "module_list":
		return "Modules"
	case "commandstats":
		for _, cmd := range n.commands.sorted() {
			writeCommandStats(w, cmd)
		}
		return "Commandstats"
	case "errorstats":
		codes := make([]string, 0, len(n.stats.ErrorCounts))
		for code := range n.stats.ErrorCounts {
			codes = append(codes, code)
		}
		sort.Strings(codes)
		for _, code := range codes {
			w.f("errorstat_"+code, "count=%d", n.stats.ErrorCounts[code])
		}
		return "Errorstats"
	case "latencystats":
		return ""
	case "cluster":
		w.f("cluster_enabled", "0")
		return "Cluster"
	case "keyspace":
		for i := 0; i < n.ks.Len(); i++ {
			db := n.ks.DB(i)
			if db.Len() == 0 {
				continue
			}
			w.f(fmt.Sprintf("db%d", i), "keys=%d,expires=%d,avg_ttl=%d", db.Len(), db.ExpiresLen(), db.AvgTTL)
		}
		return "Keyspace"
	}
	return ""
}

func writeCommandStats(w *infoWriter, cmd *Command) {
	if cmd.calls != 0 || cmd.failed != 0 || cmd.rejected != 0 {
		per := 0.0
		if cmd.calls != 0 {
			per = float64(cmd.usec) / float64(cmd.calls)
		}
		w.f("cmdstat_"+cmd.FullName, "calls=%d,usec=%d,usec_per_call=%.2f,rejected_calls=%d,failed_calls=%d",
			cmd.calls, cmd.usec, per, cmd.rejected, cmd.failed)
	}
	for _, s := range sortedSubs(cmd) {
		writeCommandStats(w, s)
	}
}

func (n *Node) infoServer(w *infoWriter) {
	pi := n.processInfo()
	uptime := (n.ms - n.startTime.UnixMilli()) / 1000
	w.f("redis_version", "%s", RedisVersion)
	w.f("replab_version", "%s", ReplabVersion)
	w.f("redis_git_sha1", "00000000")
	w.f("redis_git_dirty", "0")
	w.f("redis_build_id", "0")
	w.f("redis_mode", "standalone")
	w.f("os", "replab")
	w.f("arch_bits", "64")
	w.f("monotonic_clock", "runtime")
	w.f("multiplexing_api", "goroutines")
	w.f("atomicvar_api", "none")
	w.f("gcc_version", "0.0.0")
	w.f("process_id", "%d", pi.PID)
	w.f("process_supervised", "no")
	w.f("run_id", "%s", n.runID)
	w.f("tcp_port", "%d", n.cfg.Port)
	w.f("server_time_usec", "%d", n.now.UnixMicro())
	w.f("uptime_in_seconds", "%d", uptime)
	w.f("uptime_in_days", "%d", uptime/86400)
	w.f("hz", "%d", n.cfg.Hz)
	w.f("configured_hz", "%d", n.cfg.Hz)
	w.f("lru_clock", "%d", n.lruClock())
	w.f("executable", "%s", pi.Executable)
	w.f("config_file", "%s", n.cfg.File)
	w.f("io_threads_active", "0")
}

func (n *Node) infoClients(w *infoWriter) {
	maxIn, maxOut := 0, 0
	for _, c := range n.clientOrder {
		if b := c.reader.Cap(); b > maxIn {
			maxIn = b
		}
		if o := c.pendingOut; o > maxOut {
			maxOut = o
		}
	}
	w.f("connected_clients", "%d", len(n.clientOrder)-n.replicaClientCount())
	w.f("cluster_connections", "0")
	w.f("maxclients", "%d", n.cfg.MaxClients)
	w.f("client_recent_max_input_buffer", "%d", maxIn)
	w.f("client_recent_max_output_buffer", "%d", maxOut)
	w.f("blocked_clients", "%d", n.stats.BlockedClients)
	w.f("tracking_clients", "0")
	w.f("clients_in_timeout_table", "%d", n.clientsInTimeoutTable())
}

func (n *Node) replicaClientCount() int {
	count := 0
	for _, c := range n.clientOrder {
		if c.flags&flagReplica != 0 && c.flags&flagMonitor == 0 {
			count++
		}
	}
	return count
}

func (n *Node) clientsInTimeoutTable() int {
	count := 0
	for _, c := range n.blockedClients {
		if c.blocked != nil && c.blocked.deadline != 0 {
			count++
		}
	}
	return count
}

func (n *Node) infoMemory(w *infoWriter) {
	pi := n.processInfo()
	used := pi.UsedMemory
	if used > n.peakMemory {
		n.peakMemory = used
	}
	peakPerc, frag, rssRatio := 0.0, 0.0, 0.0
	if n.peakMemory > 0 {
		peakPerc = float64(used) * 100 / float64(n.peakMemory)
	}
	if used > 0 {
		frag = float64(pi.RSS) / float64(used)
		rssRatio = frag
	}
	dataset := max(used-n.startupMemory, 0)
	datasetPerc := 0.0
	if used > n.startupMemory {
		datasetPerc = float64(dataset) * 100 / float64(used-n.startupMemory)
	}
	backlog := int64(0)
	if n.replMemory != nil {
		backlog = n.replMemory()
	}
	w.f("used_memory", "%d", used)
	w.f("used_memory_human", "%s", bytesToHuman(used))
	w.f("used_memory_rss", "%d", pi.RSS)
	w.f("used_memory_rss_human", "%s", bytesToHuman(pi.RSS))
	w.f("used_memory_peak", "%d", n.peakMemory)
	w.f("used_memory_peak_human", "%s", bytesToHuman(n.peakMemory))
	w.f("used_memory_peak_perc", "%.2f%%", peakPerc)
	w.f("used_memory_overhead", "%d", n.startupMemory+backlog)
	w.f("used_memory_startup", "%d", n.startupMemory)
	w.f("used_memory_dataset", "%d", dataset)
	w.f("used_memory_dataset_perc", "%.2f%%", datasetPerc)
	// The Go allocator has no jemalloc arenas: allocated, active and
	// resident are the heap in use and the process's resident memory.
	w.f("allocator_allocated", "%d", used)
	w.f("allocator_active", "%d", used)
	w.f("allocator_resident", "%d", pi.RSS)
	w.f("total_system_memory", "%d", pi.TotalSystemMemory)
	w.f("total_system_memory_human", "%s", bytesToHuman(pi.TotalSystemMemory))
	// replab has no scripting engine: the Lua and function figures are 0.
	for _, f := range []string{"used_memory_lua", "used_memory_vm_eval"} {
		w.f(f, "0")
	}
	w.f("used_memory_lua_human", "0B")
	for _, f := range []string{"used_memory_scripts_eval", "number_of_cached_scripts", "number_of_functions", "number_of_libraries", "used_memory_vm_functions", "used_memory_vm_total"} {
		w.f(f, "0")
	}
	w.f("used_memory_vm_total_human", "0B")
	w.f("used_memory_functions", "0")
	w.f("used_memory_scripts", "0")
	w.f("used_memory_scripts_human", "0B")
	w.f("maxmemory", "%d", n.cfg.MaxMemory)
	w.f("maxmemory_human", "%s", bytesToHuman(n.cfg.MaxMemory))
	w.f("maxmemory_policy", "%s", n.cfg.MaxMemoryPolicy)
	w.f("allocator_frag_ratio", "1.00")
	w.f("allocator_frag_bytes", "0")
	w.f("allocator_rss_ratio", "%.2f", rssRatio)
	w.f("allocator_rss_bytes", "%d", pi.RSS-used)
	w.f("rss_overhead_ratio", "1.00")
	w.f("rss_overhead_bytes", "0")
	w.f("mem_fragmentation_ratio", "%.2f", frag)
	w.f("mem_fragmentation_bytes", "%d", pi.RSS-used)
	w.f("mem_not_counted_for_evict", "0")
	replBacklog, replReplicas := n.replMemorySplit()
	w.f("mem_replication_backlog", "%d", replBacklog)
	w.f("mem_total_replication_buffers", "%d", backlog)
	w.f("mem_clients_slaves", "%d", replReplicas)
	w.f("mem_clients_normal", "%d", n.clientsMemory())
	w.f("mem_cluster_links", "0")
	w.f("mem_aof_buffer", "0")
	w.f("mem_allocator", "%s", pi.Allocator)
	w.f("active_defrag_running", "0")
	w.f("lazyfree_pending_objects", "0")
	w.f("lazyfreed_objects", "0")
}

// clientsMemory estimates the memory held by client buffers.
func (n *Node) clientsMemory() int64 {
	var total int64
	for _, c := range n.clientOrder {
		total += int64(c.reader.Cap() + c.w.Len() + c.pendingOut)
	}
	return total
}

func (n *Node) infoPersistence(w *infoWriter) {
	w.f("loading", "%d", b2i(n.loading))
	w.f("async_loading", "0")
	for _, f := range []string{"current_cow_peak", "current_cow_size", "current_cow_size_age", "current_fork_perc"} {
		w.f(f, "0")
	}
	var processed, total int64
	current := int64(-1)
	if j := n.persist.bgsave; j != nil {
		processed = j.snap.Recorded
		for _, h := range j.hints {
			total += int64(h[0])
		}
		current = (n.ms - j.start) / 1000
	}
	w.f("current_save_keys_processed", "%d", processed)
	w.f("current_save_keys_total", "%d", total)
	w.f("rdb_changes_since_last_save", "%d", n.dirty)
	w.f("rdb_bgsave_in_progress", "%d", b2i(n.persist.bgsave != nil))
	w.f("rdb_last_save_time", "%d", n.lastSave/1000)
	status := "ok"
	if n.persist.lastBgsaveErr {
		status = "err"
	}
	w.f("rdb_last_bgsave_status", "%s", status)
	w.f("rdb_last_bgsave_time_sec", "%d", n.persist.lastBgsaveTimeSec)
	w.f("rdb_current_bgsave_time_sec", "%d", current)
	w.f("rdb_saves", "%d", n.persist.saves)
	w.f("rdb_last_cow_size", "0")
	w.f("rdb_last_load_keys_expired", "%d", n.persist.expiredKeys)
	w.f("rdb_last_load_keys_loaded", "%d", n.persist.loadedKeys)
	// replab has no AOF: appendonly is accepted and ignored.
	w.f("aof_enabled", "0")
	w.f("aof_rewrite_in_progress", "0")
	w.f("aof_rewrite_scheduled", "0")
	w.f("aof_last_rewrite_time_sec", "-1")
	w.f("aof_current_rewrite_time_sec", "-1")
	w.f("aof_last_bgrewrite_status", "ok")
	w.f("aof_rewrites", "0")
	w.f("aof_rewrites_consecutive_failures", "0")
	w.f("aof_last_write_status", "ok")
	w.f("aof_last_cow_size", "0")
	w.f("module_fork_in_progress", "0")
	w.f("module_fork_last_cow_size", "0")
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (n *Node) infoStats(w *infoWriter) {
	s := &n.stats
	w.f("total_connections_received", "%d", s.ConnectionsReceived)
	w.f("total_commands_processed", "%d", s.CommandsProcessed)
	w.f("instantaneous_ops_per_sec", "%d", average(s.opsSamples[:]))
	w.f("total_net_input_bytes", "%d", s.NetInputBytes)
	w.f("total_net_output_bytes", "%d", s.NetOutputBytes)
	w.f("total_net_repl_input_bytes", "%d", s.NetReplInputBytes)
	w.f("total_net_repl_output_bytes", "%d", s.NetReplOutputBytes)
	w.f("instantaneous_input_kbps", "%.2f", float64(average(s.netInSamples[:]))/1024)
	w.f("instantaneous_output_kbps", "%.2f", float64(average(s.netOutSamples[:]))/1024)
	w.f("instantaneous_input_repl_kbps", "%.2f", float64(average(s.replInSamples[:]))/1024)
	w.f("instantaneous_output_repl_kbps", "%.2f", float64(average(s.replOutSamples[:]))/1024)
	w.f("rejected_connections", "%d", s.RejectedConns)
	w.f("sync_full", "%d", s.SyncFull)
	w.f("sync_partial_ok", "%d", s.SyncPartialOK)
	w.f("sync_partial_err", "%d", s.SyncPartialErr)
	w.f("expired_keys", "%d", s.ExpiredKeys)
	w.f("expired_stale_perc", "%.2f", s.ExpiredStalePerc)
	w.f("expired_time_cap_reached_count", "%d", s.ExpiredTimeCapReach)
	w.f("expire_cycle_cpu_milliseconds", "0")
	w.f("evicted_keys", "%d", s.EvictedKeys)
	w.f("evicted_clients", "0")
	w.f("total_eviction_exceeded_time", "0")
	w.f("current_eviction_exceeded_time", "0")
	w.f("keyspace_hits", "%d", s.KeyspaceHits)
	w.f("keyspace_misses", "%d", s.KeyspaceMisses)
	w.f("pubsub_channels", "%d", n.pubsubChannelCount())
	w.f("pubsub_patterns", "%d", n.pubsubPatternCount())
	w.f("pubsubshard_channels", "%d", n.pubsubShardChannelCount())
	// Go cannot fork: snapshots are taken without a child process.
	w.f("latest_fork_usec", "0")
	w.f("total_forks", "0")
	w.f("migrate_cached_sockets", "0")
	w.f("slave_expires_tracked_keys", "0")
	for _, f := range []string{"active_defrag_hits", "active_defrag_misses", "active_defrag_key_hits", "active_defrag_key_misses", "total_active_defrag_time", "current_active_defrag_time", "tracking_total_keys", "tracking_total_items", "tracking_total_prefixes"} {
		w.f(f, "0")
	}
	w.f("unexpected_error_replies", "%d", s.UnexpectedErrors)
	w.f("total_error_replies", "%d", s.TotalErrorReplies)
	w.f("dump_payload_sanitizations", "0")
	w.f("total_reads_processed", "%d", s.TotalReads)
	w.f("total_writes_processed", "%d", s.TotalWrites)
	w.f("io_threaded_reads_processed", "0")
	w.f("io_threaded_writes_processed", "0")
	w.f("reply_buffer_shrinks", "0")
	w.f("reply_buffer_expands", "0")
	// Beyond Redis 7.0 (Redis 7.2's fields): clients closed for their
	// query or output buffer limits.
	w.f("client_query_buffer_limit_disconnections", "%d", s.ClientQbufLimitDisc)
	w.f("client_output_buffer_limit_disconnections", "%d", s.ClientObufLimitDisc)
}

func mustGet(c *Config, name string) string {
	v, _ := c.Get(name)
	return v
}

func cmdInfo(n *Node, c *client) {
	args := make([]string, 0, len(c.args)-1)
	for _, a := range c.args[1:] {
		args = append(args, string(a))
	}
	c.w.Verbatim("txt", n.Info(args...))
}

func init() {
	register(&Command{Name: "info", Arity: -1, Flags: CmdLoading | CmdStale | CmdSentinelLike, ACL: CatDangerous, Proc: cmdInfo,
		Tips: []string{"nondeterministic_output", "request_policy:all_shards", "response_policy:special"},
		Docs: serverDocs("Returns information and statistics about the server.", "1.0.0", "O(1)", "[section [section ...]]")})
}
