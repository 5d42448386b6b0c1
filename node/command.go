package node

import (
	"sort"
	"strings"
)

// CmdFlag is a command flag, as COMMAND INFO lists them.
type CmdFlag uint32

// Command flags with Redis's meaning.
const (
	CmdWrite           CmdFlag = 1 << iota // may modify the keyspace
	CmdReadonly                            // reads the keyspace
	CmdDenyOOM                             // refused when over maxmemory
	CmdAdmin                               // administrative (and @dangerous)
	CmdPubSub                              // pub/sub
	CmdNoScript                            // not allowed from scripts
	CmdBlocking                            // may block the client
	CmdLoading                             // allowed while loading the dataset
	CmdStale                               // allowed on a replica with a broken link
	CmdSkipMonitor                         // not shown by MONITOR
	CmdSkipSlowlog                         // not logged by SLOWLOG
	CmdFast                                // O(1) or O(log N)
	CmdNoAuth                              // allowed before AUTH
	CmdMayReplicate                        // may produce replication traffic
	CmdNoMandatoryKeys                     // may run with no key
	CmdProtected                           // protected (enable-debug-command)
	CmdNoAsyncLoading                      // refused during async loading
	CmdNoMulti                             // not allowed inside MULTI
	CmdMovableKeys                         // key positions depend on arguments
	CmdAllowBusy                           // allowed while a script is busy
)

var cmdFlagNames = []struct {
	f    CmdFlag
	name string
}{
	{CmdWrite, "write"}, {CmdReadonly, "readonly"}, {CmdDenyOOM, "denyoom"},
	{CmdAdmin, "admin"}, {CmdPubSub, "pubsub"}, {CmdNoScript, "noscript"},
	{CmdBlocking, "blocking"}, {CmdLoading, "loading"}, {CmdStale, "stale"},
	{CmdSkipMonitor, "skip_monitor"}, {CmdSkipSlowlog, "skip_slowlog"},
	{CmdFast, "fast"}, {CmdNoAuth, "no_auth"}, // may_replicate is hidden, as in Redis
	{CmdNoMandatoryKeys, "no_mandatory_keys"},
	{CmdNoAsyncLoading, "no_async_loading"}, {CmdNoMulti, "no_multi"},
	{CmdMovableKeys, "movablekeys"}, {CmdAllowBusy, "allow_busy"},
}

// ACLCat is a set of ACL categories.
type ACLCat uint32

// ACL categories, in Redis's order.
const (
	CatKeyspace ACLCat = 1 << iota
	CatRead
	CatWrite
	CatSet
	CatSortedSet
	CatList
	CatHash
	CatString
	CatBitmap
	CatHyperLogLog
	CatGeo
	CatStream
	CatPubSub
	CatAdmin
	CatFast
	CatSlow
	CatBlocking
	CatDangerous
	CatConnection
	CatTransaction
	CatScripting
)

// ACLCategoryNames lists the categories by bit, for ACL CAT.
var ACLCategoryNames = []string{
	"keyspace", "read", "write", "set", "sortedset", "list", "hash", "string",
	"bitmap", "hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow",
	"blocking", "dangerous", "connection", "transaction", "scripting",
}

// KeySpec locates the keys of a command in its arguments, in the simplified
// form of Redis 7's key specifications: a starting index, then either a
// range (the last key relative to the end when negative, and a step) or a
// count argument followed by the keys.
type KeySpec struct {
	Notes string   // shown by COMMAND INFO when set
	Flags []string // "RW", "RO", "OW", "RM", "ACCESS", "UPDATE", "INSERT", "DELETE", ...
	// BeginIndex is the index of the first key, or 0 when the keys start
	// after BeginKeyword.
	BeginIndex   int
	BeginKeyword string
	// KeywordFrom is where the keyword search starts (negative: from the
	// end, backwards).
	KeywordFrom int
	// Range: LastKey is the last key relative to the first one (-1: up to
	// the last argument), Step the distance between keys, Limit divides
	// the remaining arguments (0: none).
	LastKey, Step, Limit int
	// KeyNum, when set, means the argument at KeyNumIdx (relative to the
	// begin) holds the number of keys, which start at FirstKey (relative)
	// every KeyStep arguments.
	KeyNum                       bool
	KeyNumIdx, FirstKey, KeyStep int
}

// Docs are the COMMAND DOCS fields of a command.
type Docs struct {
	Summary    string
	Since      string
	Group      string
	Complexity string
	// Syntax is the argument syntax in the style of Redis's documentation,
	// for example "key value [NX | XX] [GET]". COMMAND DOCS derives the
	// argument tree from it.
	Syntax string
}

// Command is an entry of the command table.
type Command struct {
	Name     string // lower case
	FullName string // "config|get" for a subcommand
	Arity    int    // exact count if positive, minimum if negative; the name counts
	Flags    CmdFlag
	ACL      ACLCat // explicit categories; flags add the implicit ones
	// FirstKey, LastKey and Step are the legacy key positions of COMMAND
	// INFO.
	FirstKey, LastKey, Step int
	Keys                    []KeySpec
	Tips                    []string
	Docs                    Docs
	Proc                    func(n *Node, c *client)
	Sub                     map[string]*Command
	Parent                  *Command

	// statistics for INFO commandstats
	calls, usec, rejected, failed int64

	parsedArgs []Arg // Docs.Syntax parsed, on first use
}

// Categories returns the explicit and implicit ACL categories.
func (cmd *Command) Categories() ACLCat {
	cat := cmd.ACL
	if cmd.Flags&CmdWrite != 0 {
		cat |= CatWrite
	}
	if cmd.Flags&CmdReadonly != 0 && cat&CatScripting == 0 {
		cat |= CatRead
	}
	if cmd.Flags&CmdAdmin != 0 {
		cat |= CatAdmin | CatDangerous
	}
	if cmd.Flags&CmdPubSub != 0 {
		cat |= CatPubSub
	}
	if cmd.Flags&CmdFast != 0 {
		cat |= CatFast
	}
	if cmd.Flags&CmdBlocking != 0 {
		cat |= CatBlocking
	}
	if cat&CatFast == 0 {
		cat |= CatSlow
	}
	return cat
}

// commandDefs is the static definition of every command, filled by the
// register calls of the cmd_*.go files. Each node copies it, so that
// statistics and renames are per node.
var commandDefs []*Command

func register(cmds ...*Command) { commandDefs = append(commandDefs, cmds...) }

// commandTable is a node's command table.
type commandTable struct {
	byName map[string]*Command
}

func cloneCommand(def *Command, parent *Command) *Command {
	c := *def
	c.Parent = parent
	if parent != nil {
		c.FullName = parent.Name + "|" + c.Name
	} else {
		c.FullName = c.Name
	}
	if def.Sub != nil {
		c.Sub = map[string]*Command{}
		for name, s := range def.Sub {
			c.Sub[name] = cloneCommand(s, &c)
		}
	}
	return &c
}

func newCommandTable() *commandTable {
	t := &commandTable{byName: map[string]*Command{}}
	for _, def := range commandDefs {
		t.byName[def.Name] = cloneCommand(def, nil)
	}
	return t
}

func (t *commandTable) applyRenames(renames [][2]string) {
	for _, r := range renames {
		cmd := t.byName[r[0]]
		if cmd == nil {
			continue
		}
		delete(t.byName, r[0])
		if r[1] != "" {
			t.byName[r[1]] = cmd
		}
	}
}

// lookup finds the command (or subcommand) named by args, case-insensitively.
func (t *commandTable) lookup(args [][]byte) *Command {
	cmd := lookupFold(t.byName, args[0])
	if cmd == nil || cmd.Sub == nil || len(args) < 2 {
		return cmd
	}
	return lookupFold(cmd.Sub, args[1])
}

// lookupFold is m[lowercase name] without allocating for names of up to
// 32 bytes (the index expression converts the bytes without a copy).
func lookupFold(m map[string]*Command, name []byte) *Command {
	var buf [32]byte
	if len(name) > len(buf) {
		return m[strings.ToLower(string(name))]
	}
	for i, ch := range name {
		if ch >= 'A' && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		buf[i] = ch
	}
	return m[string(buf[:len(name)])]
}

// lookupName finds a command by a name such as "get" or "config|get".
func (t *commandTable) lookupName(name string) *Command {
	name = strings.ToLower(name)
	parent, sub, ok := strings.Cut(name, "|")
	cmd := t.byName[parent]
	if !ok || cmd == nil {
		return cmd
	}
	if cmd.Sub == nil {
		return nil
	}
	return cmd.Sub[sub]
}

// sorted returns the top-level commands sorted by name.
func (t *commandTable) sorted() []*Command {
	out := make([]*Command, 0, len(t.byName))
	for _, c := range t.byName {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// sortedSubs returns the subcommands of cmd sorted by name.
func sortedSubs(cmd *Command) []*Command {
	out := make([]*Command, 0, len(cmd.Sub))
	for _, c := range cmd.Sub {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// keyPositions returns the indexes of the key arguments of args for cmd.
func (cmd *Command) keyPositions(args [][]byte) []int {
	var out []int
	for _, ks := range cmd.Keys {
		begin := ks.BeginIndex
		if begin == 0 && ks.BeginKeyword != "" {
			begin = -1
			if ks.KeywordFrom >= 0 {
				for i := ks.KeywordFrom; i < len(args); i++ {
					if strings.EqualFold(string(args[i]), ks.BeginKeyword) {
						begin = i + 1
						break
					}
				}
			} else {
				for i := len(args) + ks.KeywordFrom; i > 0; i-- {
					if strings.EqualFold(string(args[i]), ks.BeginKeyword) {
						begin = i + 1
						break
					}
				}
			}
			if begin < 0 {
				continue
			}
		}
		if begin >= len(args) {
			continue
		}
		if ks.KeyNum {
			idx := begin + ks.KeyNumIdx
			if idx >= len(args) {
				continue
			}
			count, ok := parseCount(args[idx])
			if !ok {
				continue
			}
			first := begin + ks.FirstKey
			step := ks.KeyStep
			if step < 1 {
				step = 1
			}
			for i := 0; i < count && first+i*step < len(args); i++ {
				out = append(out, first+i*step)
			}
			continue
		}
		step := ks.Step
		if step < 1 {
			step = 1
		}
		last := begin + ks.LastKey
		if ks.LastKey < 0 {
			last = len(args) + ks.LastKey
			if ks.Limit > 1 {
				last = begin + (len(args)-begin)/ks.Limit - 1
			}
		}
		for i := begin; i <= last && i < len(args); i += step {
			out = append(out, i)
		}
	}
	return out
}

func parseCount(b []byte) (int, bool) {
	n := 0
	if len(b) == 0 || len(b) > 9 {
		return 0, false
	}
	for _, ch := range b {
		if ch < '0' || ch > '9' {
			return 0, false
		}
		n = n*10 + int(ch-'0')
	}
	return n, true
}

// Helpers that keep the command definitions short.

// keys1 is the key spec of a command whose only key is its first argument.
func keys1(flags ...string) []KeySpec {
	return []KeySpec{{Flags: flags, BeginIndex: 1, LastKey: 0, Step: 1}}
}

// keysRange is the key spec of keys from index begin to the last argument
// (last = -1) every step arguments.
func keysRange(begin, last, step int, flags ...string) KeySpec {
	return KeySpec{Flags: flags, BeginIndex: begin, LastKey: last, Step: step}
}

// CmdSentinelLike marks commands Redis also serves in sentinel mode. replab
// has no sentinel mode, so the mark carries no flag.
const CmdSentinelLike CmdFlag = 0
