package node

import (
	"fmt"
	"strconv"
	"strings"

	"replab/keyspace"
	"replab/resp"
)

type clientFlag uint32

const (
	flagCloseAfterReply clientFlag = 1 << iota
	flagMulti
	flagDirtyCAS  // a watched key changed: EXEC will abort
	flagDirtyExec // a queued command was rejected: EXEC will abort
	flagBlocked
	flagPubSub
	flagMaster  // the link to our master
	flagReplica // a replica of ours
	flagMonitor
	flagNoEvict
	flagNoTouch
	flagUnixSocket
	flagReadonly
	flagInExec    // running the commands of EXEC
	flagCloseASAP // to be closed at the end of the event, output dropped
	// CLIENT REPLY: drop replies (OFF), drop the next command's reply
	// (SKIP, armed by SkipNext on the command after CLIENT REPLY SKIP).
	flagReplyOff
	flagReplySkip
	flagReplySkipNext
)

// client is the session of one connection.
type client struct {
	id     int64
	conn   ConnID
	info   ConnInfo
	name   string
	db     *keyspace.DB
	reader resp.CommandReader
	w      resp.Writer
	args   [][]byte
	cmd    *Command
	last   *Command
	flags  clientFlag
	user   string
	authed bool

	created         int64 // ms
	lastInteraction int64 // ms
	netIn, netOut   int64
	pendingOut      int // bytes the runtime holds unsent

	queued bool // in Node.pending
	freed  bool

	// MULTI state
	multi      []queuedCommand
	multiFlags CmdFlag
	// postponed is a command postponed by a client pause (pause.go), run
	// before the rest of the input; postponedLen its size in the input.
	postponed    [][]byte
	postponedLen int
	lastCmdLen   int // size in the input of the command being processed
	multiBytes   int
	watching     []watchKey
	watchExpired map[watchKey]bool

	// Blocking state (blocking.go).
	blocked      *blockState
	reprocessing bool // re-run because a key it waits on became ready
	stillBlocked bool // set by a re-run that could not be served

	// Pub/Sub state (pubsub.go), nil unless subscribed.
	ps *clientPubSub

	// Replication state of a replica or master client (repl.go), nil for
	// others; woff is master_repl_offset after the client's last command
	// (WAIT waits for it).
	repl *replClient
	woff int64

	// Set by a command to change what call propagates.
	rewritten   [][]byte
	noPropagate bool
	forceRepl   bool // propagate even without a data change (PUBLISH)
}

type queuedCommand struct {
	cmd  *Command
	args [][]byte
}

func newWriterFor(proto int) *resp.Writer { return resp.NewWriter(proto) }

func (n *Node) newClient(id ConnID, info ConnInfo) *client {
	n.nextID++
	c := &client{
		id:              n.nextID,
		conn:            id,
		info:            info,
		db:              n.ks.DB(0),
		user:            "default",
		created:         n.ms,
		lastInteraction: n.ms,
	}
	c.w.Proto = 2
	c.authed = !n.authRequired()
	if info.Unix {
		c.flags |= flagUnixSocket
	}
	n.configureReader(c)
	return c
}

// configureReader applies the limits of the configuration and of the
// client's authentication state to its request reader.
func (n *Node) configureReader(c *client) {
	c.reader.Limits = resp.Limits{MaxBulkLen: n.cfg.ProtoMaxBulkLen, MaxQueryBuffer: n.cfg.ClientQueryBufferLimit}
	c.reader.AuthRequired = !c.authed
	c.reader.FromMaster = c.flags&flagMaster != 0
}

// authRequired reports whether clients that did not authenticate must do
// so (the default user has a password or is disabled).
func (n *Node) authRequired() bool { return n.aclAuthRequired() }

// freeClient closes a client's connection and forgets it. Output already
// produced for it is sent first.
func (n *Node) freeClient(c *client) {
	if c.freed {
		return
	}
	if out := c.w.Bytes(); len(out) > 0 {
		n.stats.NetOutputBytes += int64(len(out))
		n.rt.Send(c.conn, out)
		c.w.Reset()
	}
	n.unlinkClient(c)
	n.rt.Close(c.conn)
}

// unlinkClient forgets a client whose connection is gone.
func (n *Node) unlinkClient(c *client) {
	if c.freed {
		return
	}
	c.freed = true
	n.replClientGone(c)
	n.unwatchAll(c)
	n.resetPubSub(c)
	if c.blocked != nil {
		n.unblock(c)
	}
	delete(n.clients, c.conn)
	for i, o := range n.clientOrder {
		if o == c {
			n.clientOrder = append(n.clientOrder[:i], n.clientOrder[i+1:]...)
			break
		}
	}
}

// markPending makes sure c's output is sent at the end of the event.
func (n *Node) markPending(c *client) {
	if !c.queued {
		c.queued = true
		n.pending = append(n.pending, c)
	}
}

// processInput runs every complete command in c's input.
func (n *Node) processInput(c *client) {
	n.markPending(c)
	for !c.freed && c.flags&(flagCloseAfterReply|flagCloseASAP|flagBlocked) == 0 {
		var args [][]byte
		var err error
		if c.postponed != nil {
			args, c.postponed = c.postponed, nil
			c.lastCmdLen, c.postponedLen = c.postponedLen, 0
		} else {
			buffered := c.reader.Buffered()
			args, err = c.reader.Next()
			c.lastCmdLen = buffered - c.reader.Buffered()
		}
		if err != nil {
			if pe, ok := err.(*resp.ProtocolError); ok {
				if n.cfg.LogLevel <= LogVerbose || c.flags&flagMaster != 0 {
					n.logf(LogVerbose, "Protocol error (%s) from client: %s", pe.Reason, n.clientInfoString(c))
				}
				n.countError(pe.Reply)
				if c.flags&flagMaster != 0 {
					// Nothing is ever sent to the master: Redis logs it.
					n.logf(LogWarning, "== CRITICAL == This replica is sending an error to its master: '%s' after processing the command '<unknown>'", strings.TrimPrefix(pe.Reply, "ERR "))
					n.stats.UnexpectedErrors++
				} else {
					c.w.Error(pe.Reply)
				}
			}
			c.flags |= flagCloseAfterReply
			break
		}
		if args == nil {
			break
		}
		if len(args) == 0 {
			if c.flags&flagReplica != 0 && c.repl != nil && c.repl.rep != nil {
				// A replica's keepalive newline while it loads.
				c.repl.rep.AckTime = n.ms
			}
			continue
		}
		c.args = args
		before := c.w.Len()
		n.processCommand(c)
		if c.flags&(flagMaster|flagReplica) != 0 {
			n.replCommandDone(c, before)
		}
		n.applyReplyMode(c, before)
		c.args = nil
	}
}

// Reply helpers. Errors are counted for INFO errorstats.

func (c *client) ok()                 { c.w.OK() }
func (c *client) int(v int64)         { c.w.Int(v) }
func (c *client) bulk(b []byte)       { c.w.Bulk(b) }
func (c *client) bulkString(s string) { c.w.BulkString(s) }
func (c *client) null()               { c.w.Null() }

// countError records an error reply in the error statistics.
func (n *Node) countError(msg string) {
	n.stats.TotalErrorReplies++
	code := msg
	if i := strings.IndexByte(msg, ' '); i >= 0 {
		code = msg[:i]
	}
	if len(n.stats.ErrorCounts) < 128 || n.stats.ErrorCounts[code] > 0 {
		n.stats.ErrorCounts[code]++
	}
}

// reply an error: msg is the full text ("ERR ...", "WRONGTYPE ...").
func (n *Node) replyError(c *client, msg string) {
	n.countError(msg)
	if c.cmd != nil {
		c.cmd.failed++
	}
	c.w.Error(msg)
}

func (n *Node) replyErrorf(c *client, format string, args ...any) {
	n.replyError(c, fmt.Sprintf(format, args...))
}

// clientFlagsString renders the flags field of CLIENT LIST.
func clientFlagsString(c *client) string {
	var b []byte
	if c.flags&flagReplica != 0 {
		if c.flags&flagMonitor != 0 {
			b = append(b, 'O')
		} else {
			b = append(b, 'S')
		}
	}
	if c.flags&flagMaster != 0 {
		b = append(b, 'M')
	}
	if c.flags&flagPubSub != 0 {
		b = append(b, 'P')
	}
	if c.flags&flagMulti != 0 {
		b = append(b, 'x')
	}
	if c.flags&flagBlocked != 0 {
		b = append(b, 'b')
	}
	if c.flags&flagDirtyCAS != 0 {
		b = append(b, 'd')
	}
	if c.flags&flagCloseAfterReply != 0 {
		b = append(b, 'c')
	}
	if c.flags&flagCloseASAP != 0 {
		b = append(b, 'A')
	}
	if c.flags&flagUnixSocket != 0 {
		b = append(b, 'U')
	}
	if c.flags&flagReadonly != 0 {
		b = append(b, 'r')
	}
	if c.flags&flagNoEvict != 0 {
		b = append(b, 'e')
	}
	if len(b) == 0 {
		b = append(b, 'N')
	}
	return string(b)
}

// clientInfoString renders one line of CLIENT LIST / CLIENT INFO with the
// fields of Redis 7.0, in its order.
func (n *Node) clientInfoString(c *client) string {
	multi := -1
	if c.flags&flagMulti != 0 {
		multi = len(c.multi)
	}
	last := "NULL"
	if c.last != nil {
		last = c.last.FullName
	}
	qbuf := c.reader.Buffered()
	qfree := c.reader.Cap() - qbuf
	if qfree < 0 {
		qfree = 0
	}
	argvMem := 0
	for _, a := range c.args {
		argvMem += len(a)
	}
	obl := c.w.Len()
	omem := c.pendingOut
	totMem := c.reader.Cap() + c.w.Len() + omem + 1024
	sub, psub, ssub := pubsubCounts(c)
	var b strings.Builder
	fmt.Fprintf(&b, "id=%d addr=%s laddr=%s fd=%d name=%s age=%d idle=%d flags=%s db=%d sub=%d psub=%d ssub=%d multi=%d qbuf=%d qbuf-free=%d argv-mem=%d multi-mem=%d rbs=%d rbp=%d obl=%d oll=%d omem=%d tot-mem=%d events=r cmd=%s user=%s redir=-1 resp=%d",
		c.id, c.info.Remote, c.info.Local, c.conn, c.name,
		(n.ms-c.created)/1000, (n.ms-c.lastInteraction)/1000,
		clientFlagsString(c), c.db.ID, sub, psub, ssub, multi,
		qbuf, qfree, argvMem, c.multiBytes, 1024, 0, obl, 0, omem, totMem,
		last, c.user, c.w.Proto)
	return b.String()
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }
