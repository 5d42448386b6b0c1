// Package node is one replab server: sessions, the command table and its
// dispatch, the propagation of writes, configuration, INFO, and the real
// driver that runs it over TCP.
//
// # The sans-IO rule
//
// Node is a state machine. Its event methods (Accept, Receive, Closed,
// Tick, Signal) are called by a driver, never concurrently; everything the
// node does to the world goes through its Runtime (send bytes, close a
// connection, log, read the clock, take randomness). The node never starts a
// goroutine, sleeps, reads time.Now or opens a socket or a file. Server (in
// driver.go) is the real driver; the simulator drives the same Node with
// virtual time and simulated links. Inside the node, time is n.ms (Unix
// milliseconds, read once per event) and randomness is n.rng.
//
// # Adding a command
//
// A command is a *Command registered from an init function of the file that
// implements it (see cmd_string.go):
//
//	register(&Command{Name: "strlen", Arity: 2, Flags: CmdReadonly | CmdFast,
//		ACL: CatString, Proc: cmdStrlen, FirstKey: 1, LastKey: 1, Step: 1,
//		Keys: keys1("RO"), Docs: stringDocs(summary, since, complexity, syntax)})
//
// Arity, flags, ACL category and key positions are Redis's (COMMAND INFO is
// compared with a real Redis). Docs.Syntax uses Redis's documentation
// syntax with ":type" hints for non-string arguments; COMMAND DOCS derives
// the argument tree from it. Container commands (CONFIG, CLIENT, OBJECT)
// put their subcommands in Sub.
//
// A Proc runs with c.args (the arguments, aliasing the read buffer: copy
// what you keep) and replies through c.w, a resp.Writer that knows the
// client's protocol (Map, Set, Double and Null adapt to RESP2 or RESP3).
// Errors go through n.replyError with the exact Redis text (errors.go holds
// the shared ones). Argument helpers: n.argInt, n.argFloat, n.argIntRange,
// eq (case-insensitive option match).
//
// Keys: n.lookupRead (counts hits and misses, updates the access time),
// n.lookupWrite (before any change, including in-place changes of a value
// found this way: it lets a snapshot in progress record the old value
// first), n.lookupNoTouch; all apply expiry
// (a master deletes an expired key and propagates DEL; a replica reports
// it missing). Changes: n.dbAdd for a new key, n.setKey to replace one,
// n.dbDelete; after changing a value in place call n.signalModifiedKey
// (WATCH) and, for pushes and adds that could serve a blocked client,
// n.signalKeyAsReady. Then n.notifyKeyspaceEvent(class, event, key, db)
// as Redis does, and n.dirty++ once per change.
//
// Propagation: a write command whose run increased n.dirty is propagated
// to replicas as it was received, unless it set another form with
// c.rewrite (SET EX becomes SET PXAT, SPOP becomes SREM, INCRBYFLOAT
// becomes SET KEEPTTL, blocking pops their non-blocking form). Extra
// writes go through n.alsoPropagate; c.noPropagate suppresses the
// command's own; c.forceRepl propagates a command that changed no data
// (PUBLISH, as Redis's forceCommandPropagation). Several writes of one command or one EXEC are wrapped in
// MULTI/EXEC.
//
// Blocking commands use n.blockForKeys and n.canBlock (blocking.go).
//
// # Adding a value type
//
// Types live in package keyspace (one file per type): a structure, a
// Value constructor and accessor, and registrations in dupFuncs (COPY) and
// encodingNames (OBJECT ENCODING) from an init function. Encoding limits
// come from the configuration, which keyspace does not know: the node
// passes them in. DEBUG DIGEST support is registered in node's
// digestFuncs, with the same algorithm as Redis's xorObjectDigest.
//
// # Persistence
//
// persist.go saves and loads RDB files through the runtime's FileSystem
// (SAVE, BGSAVE, save points, SHUTDOWN, loading dir/dbfilename in Start);
// rdbconv.go converts values to and from the rdb package's, one pair of
// functions per type (rdbSourceFuncs, rdbLoadFuncs). A background save
// cannot fork: it takes a keyspace snapshot and writes it in slices from
// Tick (NextWake asks for an immediate Tick meanwhile), so every write path
// must go through n.lookupWrite or the DB methods that guard the snapshot.
// The replication layer writes a full sync payload the same way with
// n.startSnapshot (one snapshot at a time) and fills the repl-* AUX fields
// through SetReplSaveInfo; SetLoadAuxHook hands it the AUX fields of a file
// being loaded.
//
// # Replication
//
// repl.go wires the state machines of package replication into the node
// (its comment maps the files). Writes reach the stream from
// propagatePending; a replica relays the bytes its master client applied
// instead. Replicas are fed from the shared replication buffer at the end
// of every event, through the runtime's ChunkSender when it has one. Full
// synchronisation goes through two seams, SnapshotTransfer (master) and
// SnapshotLoader (replica), described in repl_snapshot.go, implemented on
// the persistence layer's snapshot jobs and loader (disk and diskless on
// both sides, as Redis 7.0). pause.go holds client pauses (CLIENT PAUSE, a
// SHUTDOWN waiting for its replicas, FAILOVER), repl_failover.go FAILOVER;
// repl_interop_test.go replicates with a real Redis both ways.
// testdata/repl/*.txt are scenarios that drive nodes of a World step by
// step (see repl_scenario_test.go for the format).
//
// # Tests
//
// testdata/compat/*.txt are scenarios run against a real redis-server and
// against replab, reply bytes compared, in RESP2 and RESP3 (see
// compat_test.go for the format). Every command and error path belongs
// there.
package node
