package node

func replDocs(summary, since, complexity, syntax string) Docs {
	return Docs{Summary: summary, Since: since, Group: "server", Complexity: complexity, Syntax: syntax}
}

func init() {
	register(
		&Command{Name: "replconf", Arity: -1, Flags: CmdAdmin | CmdNoScript | CmdLoading | CmdStale | CmdAllowBusy, Proc: cmdReplconf,
			Docs: replDocs("An internal command for configuring the replication stream", "3.0.0", "O(1)", "")},
		&Command{Name: "psync", Arity: -3, Flags: CmdNoAsyncLoading | CmdAdmin | CmdNoMulti | CmdNoScript, Proc: cmdSync,
			Docs: replDocs("Internal command used for replication", "2.8.0", "", "replicationid offset:integer")},
		&Command{Name: "sync", Arity: 1, Flags: CmdNoAsyncLoading | CmdAdmin | CmdNoMulti | CmdNoScript, Proc: cmdSync,
			Docs: replDocs("Internal command used for replication", "1.0.0", "", "")},
		&Command{Name: "replicaof", Arity: 3, Flags: CmdNoAsyncLoading | CmdAdmin | CmdNoScript | CmdStale, Proc: cmdReplicaof,
			Docs: replDocs("Make the server a replica of another instance, or promote it as master.", "5.0.0", "O(1)", "host port:integer | NO ONE")},
		&Command{Name: "slaveof", Arity: 3, Flags: CmdNoAsyncLoading | CmdAdmin | CmdNoScript | CmdStale, Proc: cmdReplicaof,
			Docs: replDocs("Make the server a replica of another instance, or promote it as master.", "1.0.0", "O(1)", "host port:integer | NO ONE")},
		&Command{Name: "role", Arity: 1, Flags: CmdNoScript | CmdLoading | CmdStale | CmdFast | CmdSentinelLike, ACL: CatAdmin | CatDangerous, Proc: cmdRole,
			Docs: replDocs("Return the role of the instance in the context of replication", "2.8.12", "O(1)", "")},
		&Command{Name: "failover", Arity: -1, Flags: CmdAdmin | CmdNoScript | CmdStale, Proc: cmdFailover,
			Docs: replDocs("Start a coordinated failover between this server and one of its replicas.", "6.2.0", "O(1)", "[TO host port:integer [FORCE]] [ABORT] [TIMEOUT milliseconds:integer]")},
		&Command{Name: "wait", Arity: 3, Flags: CmdNoScript, ACL: CatConnection, Proc: cmdWait,
			Tips: []string{"request_policy:all_shards", "response_policy:agg_min"},
			Docs: Docs{Summary: "Wait for the synchronous replication of all the write commands sent in the context of the current connection", Since: "3.0.0", Group: "generic", Complexity: "O(1)", Syntax: "numreplicas:integer timeout:integer"}},
	)
}
