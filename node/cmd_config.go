package node

import (
	"fmt"
	"strings"
)

// Rebinder is implemented by runtimes that can change their listening
// addresses at run time (CONFIG SET port / bind).
type Rebinder interface {
	Rebind(bind []string, port int) error
}

func cmdConfigGet(n *Node, c *client) {
	seen := map[string]bool{}
	var names []string
	for _, p := range c.args[2:] {
		for _, name := range n.cfg.Match(string(p)) {
			d := lookupDirective(name)
			// An alias and its directive both matched by one glob are
			// both listed, as Redis does; the same name twice is not.
			if seen[name] {
				continue
			}
			if !strings.ContainsAny(string(p), "[*?") && seen[d.name] {
				continue
			}
			seen[name] = true
			names = append(names, name)
		}
	}
	c.w.Map(len(names))
	for _, name := range names {
		v, _ := n.cfg.Get(name)
		c.bulkString(name)
		c.bulkString(v)
	}
}

func cmdConfigSet(n *Node, c *client) {
	if len(c.args)%2 != 0 {
		n.replyError(c, ErrSyntax)
		return
	}
	type change struct {
		d   *directive
		arg string
	}
	var changes []change
	for i := 2; i < len(c.args); i += 2 {
		name := string(c.args[i])
		d := lookupDirective(name)
		if d == nil {
			n.replyErrorf(c, "ERR Unknown option or number of arguments for CONFIG SET - '%s'", name)
			return
		}
		if d.flags&flagImmutable != 0 {
			n.replyErrorf(c, "ERR CONFIG SET failed (possibly related to argument '%s') - can't set immutable config", name)
			return
		}
		if d.flags&flagProtected != 0 && !n.allowProtected(n.cfg.EnableProtectedConfigs, c) {
			n.replyErrorf(c, "ERR CONFIG SET failed (possibly related to argument '%s') - can't set protected config", name)
			return
		}
		if n.loading && d.flags&flagDenyLoading != 0 {
			n.replyError(c, ErrLoading)
			return
		}
		for _, ch := range changes {
			if ch.d == d {
				n.replyErrorf(c, "ERR CONFIG SET failed (possibly related to argument '%s') - duplicate parameter", name)
				return
			}
		}
		changes = append(changes, change{d, string(c.args[i+1])})
	}
	// Validate and apply on a copy: either every change applies or none.
	next := n.cfg.Clone()
	for _, ch := range changes {
		if err := next.Set(ch.d.name, ch.arg); err != nil {
			n.replyErrorf(c, "ERR CONFIG SET failed (possibly related to argument '%s') - %s", ch.d.name, err)
			return
		}
	}
	if next.Port != n.cfg.Port || strings.Join(next.Bind, " ") != strings.Join(n.cfg.Bind, " ") {
		rb, ok := n.rt.(Rebinder)
		var err error
		if !ok {
			err = fmt.Errorf("the runtime cannot change its listeners")
		} else {
			err = rb.Rebind(next.Bind, next.Port)
		}
		if err != nil {
			name := "bind"
			if next.Port != n.cfg.Port {
				name = "port"
			}
			n.logf(LogWarning, "Failed applying new configuration (%s): %v. Restoring previous settings.", name, err)
			if name == "port" {
				n.replyErrorf(c, "ERR CONFIG SET failed (possibly related to argument '%s') - Unable to listen on this port. Check server logs.", name)
			} else {
				n.replyErrorf(c, "ERR CONFIG SET failed (possibly related to argument '%s') - Failed to bind to specified addresses.", name)
			}
			return
		}
	}
	passChanged := next.RequirePass != n.cfg.RequirePass
	*n.cfg = *next
	if passChanged {
		n.aclSetRequirePass(n.cfg.RequirePass)
	}
	n.applyConfig()
	c.ok()
}

// applyConfig propagates configuration changes to the node's state.
func (n *Node) applyConfig() {
	for _, c := range n.clientOrder {
		n.configureReader(c)
	}
	if n.onConfigChange != nil {
		n.onConfigChange()
	}
}

func cmdConfigResetStat(n *Node, c *client) {
	n.resetStats()
	c.ok()
}

// resetStats implements CONFIG RESETSTAT.
func (n *Node) resetStats() {
	n.stats = Stats{ErrorCounts: map[string]int64{}, BlockedClients: len(n.blockedClients)}
	for _, cmd := range n.commands.byName {
		resetCommandStats(cmd)
	}
	if n.onResetStats != nil {
		n.onResetStats()
	}
}

func resetCommandStats(cmd *Command) {
	cmd.calls, cmd.usec, cmd.rejected, cmd.failed = 0, 0, 0, 0
	for _, s := range cmd.Sub {
		resetCommandStats(s)
	}
}

func cmdConfigRewrite(n *Node, c *client) {
	if n.cfg.File == "" {
		n.replyError(c, "ERR The server is running without a config file")
		return
	}
	if n.rewriteConfig == nil {
		n.replyError(c, "ERR Rewriting config file: the runtime has no file system")
		return
	}
	if err := n.rewriteConfig(); err != nil {
		n.logf(LogWarning, "CONFIG REWRITE failed: %v", err)
		n.replyErrorf(c, "ERR Rewriting config file: %v", err)
		return
	}
	n.logf(LogNotice, "CONFIG REWRITE executed with success.")
	c.ok()
}

func cmdConfigHelp(n *Node, c *client) {
	n.replyHelp(c, "CONFIG", []string{
		"GET <pattern>",
		"    Return parameters matching the glob-like <pattern> and their values.",
		"SET <directive> <value>",
		"    Set the configuration <directive> to <value>.",
		"RESETSTAT",
		"    Reset statistics reported by the INFO command.",
		"REWRITE",
		"    Rewrite the configuration file.",
	})
}

func init() {
	flags := CmdAdmin | CmdNoScript | CmdLoading | CmdStale
	d := func(summary, since, complexity, syntax string) Docs {
		return serverDocs(summary, since, complexity, syntax)
	}
	register(&Command{Name: "config", Arity: -2, Docs: d("A container for server configuration commands.", "2.0.0", "Depends on subcommand.", ""),
		Sub: map[string]*Command{
			"get": {Name: "get", Arity: -3, Flags: flags, Proc: cmdConfigGet,
				Docs: d("Returns the effective values of configuration parameters.", "2.0.0", "O(N) when N is the number of configuration parameters provided", "parameter [parameter ...]")},
			"set": {Name: "set", Arity: -4, Flags: flags, Proc: cmdConfigSet, Tips: []string{"request_policy:all_nodes", "response_policy:all_succeeded"},
				Docs: d("Sets configuration parameters in-flight.", "2.0.0", "O(N) when N is the number of configuration parameters provided", "parameter value [parameter value ...]")},
			"resetstat": {Name: "resetstat", Arity: 2, Flags: flags, Proc: cmdConfigResetStat,
				Docs: d("Resets the server's statistics.", "2.0.0", "O(1)", "")},
			"rewrite": {Name: "rewrite", Arity: 2, Flags: flags, Proc: cmdConfigRewrite,
				Docs: d("Persists the effective configuration to file.", "2.8.0", "O(1)", "")},
			"help": {Name: "help", Arity: 2, Flags: CmdLoading | CmdStale, Proc: cmdConfigHelp,
				Docs: d("Returns helpful text about the different subcommands.", "5.0.0", "O(1)", "")},
		}})
}
