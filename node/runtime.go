package node

import (
	"io"
	"math/rand/v2"
	"time"
)

// ConnID names one connection for the life of a node. The driver chooses
// IDs; the node never reuses knowledge of a closed one.
type ConnID uint64

// ConnInfo describes a connection the driver accepted.
type ConnInfo struct {
	// Remote and Local are "ip:port" for TCP, the socket path for Unix
	// sockets.
	Remote, Local string
	// Unix marks a Unix-domain socket connection.
	Unix bool
}

// LogLevel is the severity of a log line, with Redis's levels.
type LogLevel int

// Redis's log levels, in increasing severity.
const (
	LogDebug LogLevel = iota
	LogVerbose
	LogNotice
	LogWarning
)

// Mark returns the character Redis prints for the level in its log lines.
func (l LogLevel) Mark() byte { return ".-*#"[l] }

// ParseLogLevel parses a loglevel directive value.
func ParseLogLevel(s string) (LogLevel, bool) {
	switch s {
	case "debug":
		return LogDebug, true
	case "verbose":
		return LogVerbose, true
	case "notice":
		return LogNotice, true
	case "warning":
		return LogWarning, true
	}
	return 0, false
}

// Runtime is everything a node needs from the world around it. The node
// calls it only from inside its event methods, on the driver's goroutine,
// and never concurrently. Two implementations exist: the real driver (TCP,
// wall clock, files) and the in-memory one used by tests and the simulator.
type Runtime interface {
	// Now returns the current time: the wall clock in the real driver, the
	// virtual clock in the simulator. The node reads it once per event.
	Now() time.Time
	// Rand returns the node's source of randomness (run IDs, RANDOMKEY,
	// sampling). The node calls it once, when it is created.
	Rand() *rand.Rand
	// Send queues p to be written to connection c. p is only valid for the
	// duration of the call. It returns the number of bytes queued on c and
	// not yet written to the peer, for output-buffer limits.
	Send(c ConnID, p []byte) (pending int)
	// Close closes c once the output queued on it has been written. The
	// node forgets c before calling Close and expects no Closed event for
	// it afterwards (one that arrives anyway is ignored).
	Close(c ConnID)
	// Sleep blocks the node for d (DEBUG SLEEP): the real driver sleeps
	// holding the node, the simulator advances the clock.
	Sleep(d time.Duration)
	// Log writes one log line. The driver adds the PID, role and timestamp.
	Log(level LogLevel, msg string)
	// Exit tells the driver the node has shut down (SHUTDOWN, or a fatal
	// error) and the process should exit with code. The node accepts no
	// events after calling it.
	Exit(code int)
	// Dial starts connecting to addr ("host:port"). The outcome arrives
	// later as Node.Connected or Node.ConnectFailed for the returned ID;
	// bytes and closes then flow as for accepted connections.
	Dial(addr string) ConnID
	// FS is the node's file system, rooted at its working directory.
	FS() FileSystem
}

// FileSystem is what the node may do with files: names are relative to the
// node's directory (dir) unless absolute. The simulator implements it in
// memory and can lose or corrupt what was not synced.
type FileSystem interface {
	// Create creates or truncates a file for writing.
	Create(name string) (WriteFile, error)
	// Open opens a file for reading.
	Open(name string) (ReadFile, error)
	// Rename atomically replaces newname with oldname.
	Rename(oldname, newname string) error
	// Remove deletes a file.
	Remove(name string) error
	// SyncDir makes a rename in the directory of name durable.
	SyncDir(name string) error
	// Size returns a file's size.
	Size(name string) (int64, error)
}

// WriteFile is a file open for writing.
type WriteFile interface {
	io.Writer
	// Sync makes what was written durable.
	Sync() error
	Close() error
}

// BackgroundRunner is implemented by FileSystems that can run slow file
// work (an fsync of a big file) away from the node's event loop. RunBackground
// starts fn and returns poll, which reports whether fn has finished and
// its error (the node calls it from its events), and wait, which blocks
// until fn has finished. fn touches only files, never the node.
type BackgroundRunner interface {
	RunBackground(fn func() error) (poll func() (bool, error), wait func() error)
}

// WritebackStarter is implemented by WriteFiles that can start writing
// their data back to disk without waiting for it (Linux's
// sync_file_range): a long save asks for it as it goes so that its final
// Sync has little left to flush.
type WritebackStarter interface {
	StartWriteback() error
}

// ReadFile is a file open for reading.
type ReadFile interface {
	io.Reader
	Close() error
}

// ChunkSender is an optional Runtime extension for output shared by several
// connections (the replication stream). SendChunks queues chunks, in order,
// to be written to connection c after everything queued before. The chunks
// are not changed while the runtime may hold them: it keeps them without
// copying until they are written (the TCP driver writes them with writev),
// and no longer. It returns, as Send, the number of bytes queued on c and
// not yet written, so a caller may reuse a chunk's memory once a pending
// count no larger than the bytes it queued after that chunk says every byte
// up to the chunk's end has been written (see sendRing).
// A node whose runtime does not implement it calls Send for each chunk.
type ChunkSender interface {
	SendChunks(c ConnID, chunks [][]byte) (pending int)
}

// sendChunks sends chunks to c through the runtime's ChunkSender when it has
// one, else with one Send per chunk. It returns the runtime's pending count.
func (n *Node) sendChunks(c ConnID, chunks [][]byte) int {
	if cs, ok := n.rt.(ChunkSender); ok {
		return cs.SendChunks(c, chunks)
	}
	pending := 0
	for _, p := range chunks {
		pending = n.rt.Send(c, p)
	}
	if len(chunks) == 0 {
		pending = n.rt.Send(c, nil)
	}
	return pending
}

// LoadObserver is implemented by runtimes that want to know when the node
// loads a dataset in bulk (an RDB file at start, DEBUG RELOAD, a replica's
// payload from its master, once the node is loading it; a replica decoding
// a payload during the transfer while it still serves clients is not a
// bulk load): the TCP driver turns the garbage collector off meanwhile,
// since everything allocated is kept. BulkLoad(true) starts a
// load and BulkLoad(false) ends it, whether it completed, failed or was
// abandoned; loads do not overlap.
type LoadObserver interface {
	BulkLoad(active bool)
}
