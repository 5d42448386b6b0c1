// Package replication holds the state machines of Redis 7.0 master–replica
// replication, sans I/O: no sockets, goroutines, clocks, global randomness or
// files. Bytes come in as arguments and go out as return values; time comes
// in as unix milliseconds; randomness from a RandSource the caller seeds.
// The node wires these pieces to connections, timers and files.
//
// # Offsets
//
// The replication stream is a sequence of bytes numbered from 1 by the
// master. An offset in this package is always one of two things, and each
// function says which:
//
//   - the offset of a byte (master_repl_offset is the offset of the last byte
//     produced; a replica's offset is the last byte it applied; an ACK
//     reports that; FirstByte is the first byte of the backlog);
//   - the first byte a replica lacks, i.e. its offset + 1 (the PSYNC
//     argument, Reader positions, second_repl_offset).
//
// Everything a master writes into the stream counts: the commands it
// propagates, the SELECTs it inserts, PINGs to replicas and REPLCONF GETACK
// (GetAckCommand). Nothing else counts: not the handshake, not the
// "+FULLRESYNC"/"+CONTINUE" lines, not the RDB payload, not the keepalive
// newlines a master sends while preparing an RDB, not REPLCONF ACK.
// "+FULLRESYNC <id> <off>" promises the stream from off+1 after the RDB.
//
// # The pieces
//
// Master side:
//
//   - Buffer: the replication buffer. Stream bytes are stored once, in
//     fixed-capacity blocks, and shared by the backlog (for PSYNC) and every
//     replica's Reader (their output). Buffer.Append copies the caller's
//     bytes; Reader.Next returns views into blocks that never change and
//     stay valid as long as anyone holds them (blocks are never reused), so
//     the runtime may keep them until the bytes are written.
//   - DecidePSYNC and FullResyncReply: the answer to PSYNC, with Redis's log
//     lines and counters (SyncStats).
//   - Replicas: the replica table (state, ACK offset and time, lag, the
//     INFO lines, good replicas for min-replicas-to-write) and WAIT
//     accounting (Wait, ExpireWaiters, ProcessWaiters, TakeGetAck).
//   - IDs: the replication IDs, their shift on promotion, and how a replica
//     follows its master's (FollowFullSync, FollowNewID).
//   - ChooseReplica: which replica Sentinel would promote.
//
// Replica side:
//
//   - Handshake: PING, AUTH, REPLCONF and PSYNC, up to the outcome
//     (FullResync, Continue, Retry) or a HandshakeError; Rest holds what
//     followed the PSYNC reply.
//   - Transfer: the "$<len>" or "$EOF:<mark>" payload of a full resync,
//     released incrementally; TransferStep.Rest starts the stream.
//   - AckCommand: REPLCONF ACK <offset>.
//
// # Buffers and ownership
//
// Functions that take a []byte copy what they keep (Buffer.Append,
// Handshake.Feed) or keep nothing (Transfer.Feed). Returned slices say how
// long they live: HandshakeStep.Send is the caller's; TransferStep.Payload
// and Rest are valid until the next Transfer.Feed; Handshake.Rest until the
// Handshake is dropped; Reader.Next's chunks forever (its outer slice until
// the next Next).
//
// # Logs and errors
//
// Where Redis logs, the functions return LogLine values with Redis's exact
// text and level, for the node to log. Failures are *HandshakeError and
// *TransferError (errors.Is ErrHandshake / ErrTransfer) whose text is the
// line Redis logs. Replies sent to peers are Redis's bytes.
//
// Nothing here is safe for concurrent use; a node drives it from its single
// event loop.
package replication
