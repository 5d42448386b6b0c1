package node

import (
	"strings"
)

// clientType names a client as CLIENT LIST TYPE and CLIENT KILL TYPE do.
func clientType(c *client) string {
	switch {
	case c.flags&flagMaster != 0:
		return "master"
	case c.flags&flagReplica != 0 && c.flags&flagMonitor == 0:
		return "replica"
	case c.flags&flagPubSub != 0:
		return "pubsub"
	}
	return "normal"
}

// parseClientType accepts the names Redis accepts for client types.
func parseClientType(s string) (string, bool) {
	switch strings.ToLower(s) {
	case "normal":
		return "normal", true
	case "slave", "replica":
		return "replica", true
	case "pubsub":
		return "pubsub", true
	case "master":
		return "master", true
	}
	return "", false
}

func (n *Node) clientByID(id int64) *client {
	for _, o := range n.clientOrder {
		if o.id == id {
			return o
		}
	}
	return nil
}

func cmdClientID(n *Node, c *client) { c.int(c.id) }

func cmdClientInfo(n *Node, c *client) {
	c.w.Verbatim("txt", n.clientInfoString(c)+"\n")
}

func cmdClientList(n *Node, c *client) {
	var b strings.Builder
	switch {
	case len(c.args) == 4 && eq(c.args[2], "TYPE"):
		typ, ok := parseClientType(string(c.args[3]))
		if !ok {
			n.replyErrorf(c, "ERR Unknown client type '%s'", c.args[3])
			return
		}
		for _, o := range n.clientOrder {
			if clientType(o) == typ {
				b.WriteString(n.clientInfoString(o))
				b.WriteByte('\n')
			}
		}
	case len(c.args) > 3 && eq(c.args[2], "ID"):
		for _, a := range c.args[3:] {
			id, ok := parseIntStrict(a)
			if !ok {
				n.replyError(c, "ERR Invalid client ID")
				return
			}
			if o := n.clientByID(id); o != nil {
				b.WriteString(n.clientInfoString(o))
				b.WriteByte('\n')
			}
		}
	case len(c.args) != 2:
		n.replyError(c, ErrSyntax)
		return
	default:
		for _, o := range n.clientOrder {
			b.WriteString(n.clientInfoString(o))
			b.WriteByte('\n')
		}
	}
	c.w.Verbatim("txt", b.String())
}

func cmdClientKill(n *Node, c *client) {
	var addr, laddr, user, typ string
	var hasAddr, hasLaddr, hasUser, hasType bool
	var id int64
	skipme := true
	if len(c.args) == 3 {
		addr, hasAddr = string(c.args[2]), true
		skipme = false
	} else {
		for i := 2; i < len(c.args); i += 2 {
			if i+1 >= len(c.args) {
				n.replyError(c, ErrSyntax)
				return
			}
			val := c.args[i+1]
			switch {
			case eq(c.args[i], "ID"):
				v, ok := n.argIntRange(c, val, 1, 1<<63-1, "client-id should be greater than 0")
				if !ok {
					return
				}
				id = v
			case eq(c.args[i], "TYPE"):
				t, ok := parseClientType(string(val))
				if !ok {
					n.replyErrorf(c, "ERR Unknown client type '%s'", val)
					return
				}
				typ, hasType = t, true
			case eq(c.args[i], "ADDR"):
				addr, hasAddr = string(val), true
			case eq(c.args[i], "LADDR"):
				laddr, hasLaddr = string(val), true
			case eq(c.args[i], "USER"):
				user, hasUser = string(val), true
				if !n.userExists(user) {
					n.replyErrorf(c, "ERR No such user '%s'", val)
					return
				}
			case eq(c.args[i], "SKIPME"):
				switch {
				case eq(val, "YES"):
					skipme = true
				case eq(val, "NO"):
					skipme = false
				default:
					n.replyError(c, ErrSyntax)
					return
				}
			default:
				n.replyError(c, ErrSyntax)
				return
			}
		}
	}
	killed := 0
	closeSelf := false
	for _, o := range append([]*client(nil), n.clientOrder...) {
		if (hasAddr && o.info.Remote != addr) || (hasLaddr && o.info.Local != laddr) ||
			(hasType && clientType(o) != typ) || (id != 0 && o.id != id) ||
			(hasUser && o.user != user) || (o == c && skipme) {
			continue
		}
		if o == c {
			closeSelf = true
		} else {
			n.killClient(o)
		}
		killed++
	}
	if len(c.args) == 3 {
		if killed == 0 {
			n.replyError(c, "ERR No such client")
		} else {
			c.ok()
		}
	} else {
		c.int(int64(killed))
	}
	if closeSelf {
		c.flags |= flagCloseAfterReply
	}
}

// killClient closes another client (CLIENT KILL); layers that own special
// clients (the master link) are told through onClientKilled.
func (n *Node) killClient(o *client) {
	if n.onClientKilled != nil {
		n.onClientKilled(o)
	}
	n.freeClient(o)
}

// userExists reports whether an ACL user exists.
func (n *Node) userExists(name string) bool {
	if name == "default" {
		return true
	}
	_, ok := n.acl.users[name]
	return ok
}

func cmdClientSetName(n *Node, c *client) {
	if n.setClientName(c, c.args[2]) {
		c.ok()
	}
}

func cmdClientGetName(n *Node, c *client) {
	if c.name == "" {
		c.null()
		return
	}
	c.bulkString(c.name)
}

func cmdClientReply(n *Node, c *client) {
	switch {
	case eq(c.args[2], "ON"):
		c.flags &^= flagReplySkip | flagReplyOff | flagReplySkipNext
		c.ok()
	case eq(c.args[2], "OFF"):
		c.flags |= flagReplyOff
	case eq(c.args[2], "SKIP"):
		if c.flags&flagReplyOff == 0 {
			c.flags |= flagReplySkipNext
		}
	default:
		n.replyError(c, ErrSyntax)
	}
}

func onOff(n *Node, c *client, set func(on bool)) {
	switch {
	case eq(c.args[2], "ON"):
		set(true)
		c.ok()
	case eq(c.args[2], "OFF"):
		set(false)
		c.ok()
	default:
		n.replyError(c, ErrSyntax)
	}
}

func cmdClientNoEvict(n *Node, c *client) {
	onOff(n, c, func(on bool) {
		if on {
			c.flags |= flagNoEvict
		} else {
			c.flags &^= flagNoEvict
		}
	})
}

func cmdClientNoTouch(n *Node, c *client) {
	onOff(n, c, func(on bool) {
		if on {
			c.flags |= flagNoTouch
		} else {
			c.flags &^= flagNoTouch
		}
	})
}

func cmdClientUnblock(n *Node, c *client) {
	asError := false
	if len(c.args) == 4 {
		switch {
		case eq(c.args[3], "TIMEOUT"):
		case eq(c.args[3], "ERROR"):
			asError = true
		default:
			n.replyError(c, "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR")
			return
		}
	}
	id, ok := n.argInt(c, c.args[2])
	if !ok {
		return
	}
	target := n.clientByID(id)
	if target == nil || target.blocked == nil || target.blocked.unkillable {
		c.int(0)
		return
	}
	n.markPending(target)
	if asError {
		n.countError("UNBLOCKED")
		target.w.Error("UNBLOCKED client unblocked via CLIENT UNBLOCK")
	} else if target.blocked.onTimeout != nil {
		target.blocked.onTimeout(n, target)
	} else {
		target.w.NullArray()
	}
	n.unblock(target)
	c.int(1)
}

func cmdClientGetRedir(n *Node, c *client) { c.int(-1) } // tracking is never on

func cmdClientTrackingInfo(n *Node, c *client) {
	c.w.Map(3)
	c.bulkString("flags")
	c.w.Set(1)
	c.bulkString("off")
	c.bulkString("redirect")
	c.int(-1)
	c.bulkString("prefixes")
	c.w.Array(0)
}

func cmdClientTracking(n *Node, c *client) {
	if eq(c.args[2], "OFF") {
		c.ok()
		return
	}
	n.replyError(c, "ERR client-side caching (CLIENT TRACKING) is not supported by replab")
}

func cmdClientCaching(n *Node, c *client) {
	n.replyError(c, "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled")
}

func cmdClientHelp(n *Node, c *client) {
	n.replyHelp(c, "CLIENT", []string{
		"CACHING (YES|NO)",
		"    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
		"GETREDIR",
		"    Return the client ID we are redirecting to when tracking is enabled.",
		"GETNAME",
		"    Return the name of the current connection.",
		"ID",
		"    Return the ID of the current connection.",
		"INFO",
		"    Return information about the current client connection.",
		"KILL <ip:port>",
		"    Kill connection made from <ip:port>.",
		"KILL <option> <value> [<option> <value> [...]]",
		"    Kill connections. Options are:",
		"    * ADDR (<ip:port>|<unixsocket>:0)",
		"      Kill connections made from the specified address",
		"    * LADDR (<ip:port>|<unixsocket>:0)",
		"      Kill connections made to specified local address",
		"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
		"      Kill connections by type.",
		"    * USER <username>",
		"      Kill connections authenticated by <username>.",
		"    * SKIPME (YES|NO)",
		"      Skip killing current connection (default: yes).",
		"LIST [options ...]",
		"    Return information about client connections. Options:",
		"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
		"      Return clients of specified type.",
		"UNPAUSE",
		"    Stop the current client pause, resuming traffic.",
		"PAUSE <timeout> [WRITE|ALL]",
		"    Suspend all, or just write, clients for <timeout> milliseconds.",
		"REPLY (ON|OFF|SKIP)",
		"    Control the replies sent to the current connection.",
		"SETNAME <name>",
		"    Assign the name <name> to the current connection.",
		"UNBLOCK <clientid> [TIMEOUT|ERROR]",
		"    Unblock the specified blocked client.",
		"TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
		"         [OPTIN] [OPTOUT] [NOLOOP]",
		"    Control server assisted client side caching.",
		"TRACKINGINFO",
		"    Report tracking status for the current connection.",
		"NO-EVICT (ON|OFF)",
		"    Protect current client connection from eviction.",
	})
}

func init() {
	conn := func(summary, since, syntax string) Docs {
		return connDocs(summary, since, "O(1)", syntax)
	}
	sub := func(name string, arity int, flags CmdFlag, proc func(*Node, *client), d Docs, tips ...string) *Command {
		return &Command{Name: name, Arity: arity, Flags: flags | CmdNoScript | CmdLoading | CmdStale, ACL: CatConnection, Proc: proc, Docs: d, Tips: tips}
	}
	register(&Command{Name: "client", Arity: -2, Docs: connDocs("A container for client connection commands.", "2.4.0", "Depends on subcommand.", ""),
		Sub: map[string]*Command{
			"id":      sub("id", 2, 0, cmdClientID, conn("Returns the unique client ID of the connection.", "5.0.0", "")),
			"info":    sub("info", 2, 0, cmdClientInfo, conn("Returns information about the connection.", "6.2.0", ""), "nondeterministic_output"),
			"list":    sub("list", -2, CmdAdmin, cmdClientList, connDocs("Lists open connections.", "2.4.0", "O(N) where N is the number of client connections", "[TYPE NORMAL | MASTER | REPLICA | PUBSUB] [ID client-id:integer [client-id:integer ...]]"), "nondeterministic_output"),
			"kill":    sub("kill", -3, CmdAdmin, cmdClientKill, connDocs("Terminates open connections.", "2.4.0", "O(N) where N is the number of client connections", "ip:port | [ID client-id:integer] [TYPE NORMAL | MASTER | SLAVE | REPLICA | PUBSUB] [USER username] [ADDR ip:port] [LADDR ip:port] [SKIPME YES | NO]")),
			"setname": sub("setname", 3, 0, cmdClientSetName, conn("Sets the connection name.", "2.6.9", "connection-name")),
			"getname": sub("getname", 2, 0, cmdClientGetName, conn("Returns the name of the connection.", "2.6.9", "")),
			"reply":   sub("reply", 3, 0, cmdClientReply, conn("Instructs the server whether to reply to commands.", "3.2.0", "ON | OFF | SKIP")),
			"no-evict": sub("no-evict", 3, CmdAdmin, cmdClientNoEvict,
				conn("Sets the client eviction mode of the connection.", "7.0.0", "ON | OFF")),
			"no-touch": sub("no-touch", 3, 0, cmdClientNoTouch,
				conn("Controls whether commands sent by the client affect the LRU/LFU of accessed keys.", "7.2.0", "ON | OFF")),
			"unblock":      sub("unblock", -3, CmdAdmin, cmdClientUnblock, connDocs("Unblocks a client blocked by a blocking command from a different connection.", "5.0.0", "O(log N) where N is the number of client connections", "client-id:integer [TIMEOUT | ERROR]")),
			"getredir":     sub("getredir", 2, 0, cmdClientGetRedir, conn("Returns the client ID to which the connection's tracking notifications are redirected.", "6.0.0", "")),
			"trackinginfo": sub("trackinginfo", 2, 0, cmdClientTrackingInfo, conn("Returns information about server-assisted client-side caching for the connection.", "6.2.0", "")),
			"tracking":     sub("tracking", -3, 0, cmdClientTracking, conn("Controls server-assisted client-side caching for the connection.", "6.0.0", "ON | OFF [REDIRECT client-id:integer] [PREFIX prefix [PREFIX prefix ...]] [BCAST] [OPTIN] [OPTOUT] [NOLOOP]")),
			"caching":      sub("caching", 3, 0, cmdClientCaching, conn("Instructs the server whether to track the keys in the next request.", "6.0.0", "YES | NO")),
			"pause":        sub("pause", -3, CmdAdmin, cmdClientPause, conn("Stop processing commands from clients for some time", "2.9.50", "timeout:integer [WRITE | ALL]")),
			"unpause":      sub("unpause", 2, CmdAdmin, cmdClientUnpause, connDocs("Resume processing of clients that were paused", "6.2.0", "O(N) Where N is the number of paused clients", "")),
			"help":         {Name: "help", Arity: 2, Flags: CmdLoading | CmdStale, ACL: CatConnection, Proc: cmdClientHelp, Docs: conn("Returns helpful text about the different subcommands.", "5.0.0", "")},
		}})
}
