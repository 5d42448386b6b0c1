package node

import (
	"strings"

	"replab/internal/glob"
)

func (n *Node) replyCommandInfo(c *client, cmd *Command) {
	c.w.Array(10)
	c.bulkString(cmd.FullName)
	c.int(int64(cmd.Arity))
	var flags []string
	for _, f := range cmdFlagNames {
		if cmd.Flags&f.f != 0 {
			flags = append(flags, f.name)
		}
	}
	c.w.Set(len(flags))
	for _, f := range flags {
		c.w.SimpleString(f)
	}
	c.int(int64(cmd.FirstKey))
	c.int(int64(cmd.LastKey))
	c.int(int64(cmd.Step))
	cats := cmd.Categories()
	if cmd.Sub != nil && cmd.Proc == nil {
		cats = CatSlow // a container has no category of its own
	}
	var names []string
	for i, name := range ACLCategoryNames {
		if cats&(1<<i) != 0 {
			names = append(names, "@"+name)
		}
	}
	c.w.Set(len(names))
	for _, name := range names {
		c.w.SimpleString(name)
	}
	c.w.Set(len(cmd.Tips))
	for _, t := range cmd.Tips {
		c.bulkString(t)
	}
	c.w.Set(len(cmd.Keys))
	for _, ks := range cmd.Keys {
		replyKeySpec(c, ks)
	}
	if cmd.Sub == nil {
		c.w.Set(0)
		return
	}
	subs := sortedSubs(cmd)
	c.w.Array(len(subs))
	for _, s := range subs {
		n.replyCommandInfo(c, s)
	}
}

// keySpecOrder is the order and spelling in which Redis prints key-spec
// flags.
var keySpecOrder = []string{"RO", "RW", "OW", "RM", "access", "update", "insert", "delete", "not_key", "incomplete", "variable_flags"}

// keySpecFlags normalises key-spec flags to Redis's order and spelling.
func keySpecFlags(flags []string) []string {
	var out []string
	for _, name := range keySpecOrder {
		for _, f := range flags {
			if strings.EqualFold(f, name) {
				out = append(out, name)
				break
			}
		}
	}
	return out
}

func replyKeySpec(c *client, ks KeySpec) {
	if ks.Notes != "" {
		c.w.Map(4)
		c.bulkString("notes")
		c.bulkString(ks.Notes)
	} else {
		c.w.Map(3)
	}
	c.bulkString("flags")
	flags := keySpecFlags(ks.Flags)
	c.w.Set(len(flags))
	for _, f := range flags {
		c.w.SimpleString(f)
	}
	c.bulkString("begin_search")
	c.w.Map(2)
	c.bulkString("type")
	if ks.BeginKeyword != "" && ks.BeginIndex == 0 {
		c.bulkString("keyword")
		c.bulkString("spec")
		c.w.Map(2)
		c.bulkString("keyword")
		c.bulkString(ks.BeginKeyword)
		c.bulkString("startfrom")
		c.int(int64(ks.KeywordFrom))
	} else {
		c.bulkString("index")
		c.bulkString("spec")
		c.w.Map(1)
		c.bulkString("index")
		c.int(int64(ks.BeginIndex))
	}
	c.bulkString("find_keys")
	c.w.Map(2)
	c.bulkString("type")
	if ks.KeyNum {
		c.bulkString("keynum")
		c.bulkString("spec")
		c.w.Map(3)
		c.bulkString("keynumidx")
		c.int(int64(ks.KeyNumIdx))
		c.bulkString("firstkey")
		c.int(int64(ks.FirstKey))
		c.bulkString("keystep")
		c.int(int64(ks.KeyStep))
		return
	}
	c.bulkString("range")
	c.bulkString("spec")
	c.w.Map(3)
	c.bulkString("lastkey")
	c.int(int64(ks.LastKey))
	c.bulkString("keystep")
	c.int(int64(ks.Step))
	c.bulkString("limit")
	c.int(int64(ks.Limit))
}

func (n *Node) replyCommandDocs(c *client, cmd *Command) {
	d := cmd.Docs
	args := cmd.docArgs()
	fields := 1
	for _, s := range []string{d.Summary, d.Since, d.Complexity} {
		if s != "" {
			fields++
		}
	}
	if len(args) > 0 {
		fields++
	}
	if cmd.Sub != nil {
		fields++
	}
	c.w.Map(fields)
	if d.Summary != "" {
		c.bulkString("summary")
		c.bulkString(d.Summary)
	}
	if d.Since != "" {
		c.bulkString("since")
		c.bulkString(d.Since)
	}
	c.bulkString("group")
	c.bulkString(d.Group)
	if d.Complexity != "" {
		c.bulkString("complexity")
		c.bulkString(d.Complexity)
	}
	if len(args) > 0 {
		c.bulkString("arguments")
		n.replyArgs(c, args)
	}
	if cmd.Sub != nil {
		c.bulkString("subcommands")
		subs := sortedSubs(cmd)
		c.w.Map(len(subs))
		for _, s := range subs {
			c.bulkString(s.FullName)
			n.replyCommandDocs(c, s)
		}
	}
}

func cmdCommand(n *Node, c *client) {
	all := n.commands.sorted()
	c.w.Array(len(all))
	for _, cmd := range all {
		n.replyCommandInfo(c, cmd)
	}
}

func cmdCommandCount(n *Node, c *client) { c.int(int64(len(n.commands.byName))) }

func cmdCommandInfo(n *Node, c *client) {
	if len(c.args) == 2 {
		cmdCommand(n, c)
		return
	}
	c.w.Array(len(c.args) - 2)
	for _, name := range c.args[2:] {
		if cmd := n.commands.lookupName(string(name)); cmd != nil {
			n.replyCommandInfo(c, cmd)
		} else {
			c.w.NullArray()
		}
	}
}

func cmdCommandDocs(n *Node, c *client) {
	var cmds []*Command
	if len(c.args) == 2 {
		cmds = n.commands.sorted()
	} else {
		for _, name := range c.args[2:] {
			if cmd := n.commands.lookupName(string(name)); cmd != nil {
				cmds = append(cmds, cmd)
			}
		}
	}
	c.w.Map(len(cmds))
	for _, cmd := range cmds {
		c.bulkString(cmd.FullName)
		n.replyCommandDocs(c, cmd)
	}
}

func cmdCommandList(n *Node, c *client) {
	var match func(cmd *Command) bool
	switch {
	case len(c.args) == 2:
		match = func(*Command) bool { return true }
	case len(c.args) == 5 && eq(c.args[2], "FILTERBY"):
		val := string(c.args[4])
		switch {
		case eq(c.args[3], "MODULE"):
			match = func(*Command) bool { return false }
		case eq(c.args[3], "ACLCAT"):
			bit := ACLCat(0)
			for i, name := range ACLCategoryNames {
				if strings.EqualFold(name, val) {
					bit = 1 << i
				}
			}
			match = func(cmd *Command) bool { return bit != 0 && cmd.Categories()&bit != 0 && cmd.Proc != nil }
		case eq(c.args[3], "PATTERN"):
			match = func(cmd *Command) bool { return glob.MatchFold(val, cmd.FullName) }
		default:
			n.replyError(c, ErrSyntax)
			return
		}
	default:
		n.replyError(c, ErrSyntax)
		return
	}
	var names []string
	for _, cmd := range n.commands.sorted() {
		if match(cmd) {
			names = append(names, cmd.FullName)
		}
		for _, s := range sortedSubs(cmd) {
			if match(s) {
				names = append(names, s.FullName)
			}
		}
	}
	c.w.Array(len(names))
	for _, name := range names {
		c.bulkString(name)
	}
}

func (n *Node) commandGetKeys(c *client, withFlags bool) {
	args := c.args[2:]
	cmd := n.commands.lookup(args)
	if cmd == nil {
		n.replyError(c, "ERR Invalid command specified")
		return
	}
	if (cmd.Arity > 0 && cmd.Arity != len(args)) || len(args) < -cmd.Arity {
		n.replyError(c, "ERR Invalid number of arguments specified for command")
		return
	}
	pos := cmd.keyPositions(args)
	if len(pos) == 0 {
		if len(cmd.Keys) == 0 {
			n.replyError(c, "ERR The command has no key arguments")
		} else {
			c.w.Array(0)
		}
		return
	}
	c.w.Array(len(pos))
	for _, p := range pos {
		if !withFlags {
			c.bulk(args[p])
			continue
		}
		c.w.Array(2)
		c.bulk(args[p])
		var flags []string
		for _, ks := range cmd.Keys {
			flags = keySpecFlags(ks.Flags)
			break
		}
		c.w.Set(len(flags))
		for _, f := range flags {
			c.w.SimpleString(f)
		}
	}
}

func cmdCommandGetKeys(n *Node, c *client)         { n.commandGetKeys(c, false) }
func cmdCommandGetKeysAndFlags(n *Node, c *client) { n.commandGetKeys(c, true) }

func cmdCommandHelp(n *Node, c *client) {
	n.replyHelp(c, "COMMAND", []string{
		"(no subcommand)",
		"    Return details about all Redis commands.",
		"COUNT",
		"    Return the total number of commands in this Redis server.",
		"LIST",
		"    Return a list of all commands in this Redis server.",
		"INFO [<command-name> ...]",
		"    Return details about multiple Redis commands.",
		"    If no command names are given, documentation details for all",
		"    commands are returned.",
		"DOCS [<command-name> ...]",
		"    Return documentation details about multiple Redis commands.",
		"    If no command names are given, documentation details for all",
		"    commands are returned.",
		"GETKEYS <full-command>",
		"    Return the keys from a full Redis command.",
		"GETKEYSANDFLAGS <full-command>",
		"    Return the keys and the access flags from a full Redis command.",
	})
}

func init() {
	flags := CmdLoading | CmdStale
	d := func(summary, since, complexity, syntax string) Docs {
		return serverDocs(summary, since, complexity, syntax)
	}
	register(&Command{Name: "command", Arity: -1, Flags: flags, ACL: CatConnection, Proc: cmdCommand, Tips: []string{"nondeterministic_output_order"},
		Docs: d("Returns detailed information about all commands.", "2.8.13", "O(N) where N is the total number of Redis commands", ""),
		Sub: map[string]*Command{
			"count": {Name: "count", Arity: 2, Flags: flags, ACL: CatConnection, Proc: cmdCommandCount,
				Docs: d("Returns a count of commands.", "2.8.13", "O(1)", "")},
			"info": {Name: "info", Arity: -2, Flags: flags, ACL: CatConnection, Proc: cmdCommandInfo, Tips: []string{"nondeterministic_output_order"},
				Docs: d("Returns information about one, multiple or all commands.", "2.8.13", "O(N) where N is the number of commands to look up", "[command-name [command-name ...]]")},
			"docs": {Name: "docs", Arity: -2, Flags: flags, ACL: CatConnection, Proc: cmdCommandDocs, Tips: []string{"nondeterministic_output_order"},
				Docs: d("Returns documentary information about one, multiple or all commands.", "7.0.0", "O(N) where N is the number of commands to look up", "[command-name [command-name ...]]")},
			"list": {Name: "list", Arity: -2, Flags: flags, ACL: CatConnection, Proc: cmdCommandList, Tips: []string{"nondeterministic_output_order"},
				Docs: d("Returns a list of command names.", "7.0.0", "O(N) where N is the total number of Redis commands", "[FILTERBY MODULE module-name | ACLCAT category | PATTERN pattern:pattern]")},
			"getkeys": {Name: "getkeys", Arity: -4, Flags: flags, ACL: CatConnection, Proc: cmdCommandGetKeys,
				Docs: d("Extracts the key names from an arbitrary command.", "2.8.13", "O(N) where N is the number of arguments to the command", "command arg [arg ...]")},
			"getkeysandflags": {Name: "getkeysandflags", Arity: -4, Flags: flags, ACL: CatConnection, Proc: cmdCommandGetKeysAndFlags,
				Docs: d("Extracts the key names and access flags for an arbitrary command.", "7.0.0", "O(N) where N is the number of arguments to the command", "command arg [arg ...]")},
			"help": {Name: "help", Arity: 2, Flags: flags, ACL: CatConnection, Proc: cmdCommandHelp,
				Docs: d("Returns helpful text about the different subcommands.", "5.0.0", "O(1)", "")},
		}})
}
