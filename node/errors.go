package node

// Error replies, word for word as Redis 7 sends them (without the leading
// '-' and the trailing CRLF, which resp.Writer adds).
const (
	ErrSyntax          = "ERR syntax error"
	ErrWrongType       = "WRONGTYPE Operation against a key holding the wrong kind of value"
	ErrNotInteger      = "ERR value is not an integer or out of range"
	ErrNotFloat        = "ERR value is not a valid float"
	ErrNoSuchKey       = "ERR no such key"
	ErrOverflow        = "ERR increment or decrement would overflow"
	ErrNaNOrInf        = "ERR increment would produce NaN or Infinity"
	ErrOutOfRange      = "ERR index out of range"
	ErrNoAuth          = "NOAUTH Authentication required."
	ErrWrongPass       = "WRONGPASS invalid username-password pair or user is disabled."
	ErrInvalidDB       = "ERR DB index is out of range"
	ErrSameObject      = "ERR source and destination objects are the same"
	ErrInvalidExpire   = "ERR invalid expire time in '%s' command"
	ErrStringTooLong   = "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
	ErrOffsetRange     = "ERR offset is out of range"
	ErrLoading         = "LOADING Redis is loading the dataset in memory"
	ErrReadOnly        = "READONLY You can't write against a read only replica."
	ErrMasterDown      = "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'."
	ErrNoReplicas      = "NOREPLICAS Not enough good replicas to write."
	ErrOOM             = "OOM command not allowed when used memory > 'maxmemory'."
	ErrExecAbort       = "EXECABORT Transaction discarded because of previous errors."
	ErrBusyKey         = "BUSYKEY Target key name already exists."
	ErrMaxClients      = "ERR max number of clients reached"
	ErrNotInMulti      = "ERR Command not allowed inside a transaction"
	ErrTimeoutNegative = "ERR timeout is negative"
	ErrTimeoutInvalid  = "ERR timeout is not a float or out of range"
	ErrBusyScript      = "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."
	ErrNoPermCommand   = "NOPERM this user has no permissions to run the '%s' command"
	ErrNoPermKey       = "NOPERM this user has no permissions to access one of the keys used as arguments"
	ErrNoPermChannel   = "NOPERM this user has no permissions to access one of the channels used as arguments"
	ErrMisconf         = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error."
	ErrReplicaKeyspace = "ERR Replica can't interact with the keyspace"
	ErrWrongArgsFmt    = "ERR wrong number of arguments for '%s' command"
	ErrUnknownCmdFmt   = "ERR unknown command '%s', with args beginning with: %s"
	ErrUnknownSubFmt   = "ERR unknown subcommand '%s'. Try %s HELP."
	ErrPubSubContext   = "ERR Can't execute '%s': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"
)

// protectedModeMsg is what a protected node says to a non-loopback client
// before closing the connection.
const protectedModeMsg = "-DENIED Redis is running in protected mode because protected " +
	"mode is enabled and no password is set for the default user. " +
	"In this mode connections are only accepted from the loopback interface. " +
	"If you want to connect from external computers to Redis you " +
	"may adopt one of the following solutions: " +
	"1) Just disable protected mode sending the command " +
	"'CONFIG SET protected-mode no' from the loopback interface " +
	"by connecting to Redis from the same host the server is " +
	"running, however MAKE SURE Redis is not publicly accessible " +
	"from internet if you do so. Use CONFIG REWRITE to make this " +
	"change permanent. " +
	"2) Alternatively you can just disable the protected mode by " +
	"editing the Redis configuration file, and setting the protected " +
	"mode option to 'no', and then restarting the server. " +
	"3) If you started the server manually just for testing, restart " +
	"it with the '--protected-mode no' option. " +
	"4) Setup a an authentication password for the default user. " +
	"NOTE: You only need to do one of the above things in order for " +
	"the server to start accepting connections from the outside.\r\n"
