package node

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"replab/internal/glob"
	"replab/resp"
)

// ACLs as Redis 7.0 implements them: users with flags, SHA-256 password
// hashes and selectors. A selector (the root one, and any added with
// "(...)") holds a command bitmap, allowed first arguments, key patterns
// with read/write permissions and channel patterns. A command runs when
// one selector of the user allows the command, all its keys and all its
// channels.
//
// Determinism: Redis walks its command dict (hash order) when it
// describes rules and lists categories; replab walks commands sorted by
// name, each container followed by its subcommands sorted by name.

// User flags, in the order ACL LIST and ACL GETUSER print them.
const (
	userOn uint8 = 1 << iota
	userOff
	userNoPass
	userSkipSanitize
	userSanitize
)

var userFlagNames = []struct {
	f    uint8
	name string
}{{userOn, "on"}, {userOff, "off"}, {userNoPass, "nopass"}, {userSkipSanitize, "skip-sanitize-payload"}, {userSanitize, "sanitize-payload"}}

// Selector flags.
const (
	selRoot uint8 = 1 << iota
	selAllKeys
	selAllChannels
	selAllCommands
)

// Key pattern permissions (%R~, %W~, ~).
const (
	keyRead  uint8 = 1
	keyWrite uint8 = 2
	keyAll         = keyRead | keyWrite
)

// Results of a permission check, ordered as Redis orders them when it
// picks the error to report among several selectors.
const (
	aclOK = iota
	aclDeniedCmd
	aclDeniedKey
	aclDeniedAuth
	aclDeniedChannel
)

// aclError is an error of an ACL rule, with Redis's text (the errno
// messages of ACLSetUserStringError).
type aclError string

const (
	aclErrSyntax      aclError = "Syntax error"
	aclErrUnknown     aclError = "Unknown command or category name in ACL"
	aclErrKeyAfterAll aclError = "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns"
	aclErrChAfterAll  aclError = "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels"
	aclErrNoPass      aclError = "The password you are trying to remove from the user does not exist"
	aclErrBadHash     aclError = "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters"
	aclErrDuplicate   aclError = "Duplicate user found. A user can only be defined once in config files"
	aclErrSubFirstArg aclError = "Allowing first-arg of a subcommand is not supported"
)

type keyPattern struct {
	perm    uint8
	pattern string
}

func (p keyPattern) String() string {
	switch p.perm {
	case keyRead:
		return "%R~" + p.pattern
	case keyWrite:
		return "%W~" + p.pattern
	}
	return "~" + p.pattern
}

// aclSelector is a set of permissions. allowed has one bit per command of
// the ACL command index, plus a last bit that only +@all sets: it means
// "future commands" and makes rules print as +@all minus exceptions.
type aclSelector struct {
	flags     uint8
	allowed   []uint64
	firstArgs map[int][]string // command id -> allowed first arguments
	keys      []keyPattern
	channels  []string
}

func (s *aclSelector) bit(id int) bool { return s.allowed[id/64]&(1<<(id%64)) != 0 }

func (s *aclSelector) setBit(id int, v bool) {
	if v {
		s.allowed[id/64] |= 1 << (id % 64)
	} else {
		s.allowed[id/64] &^= 1 << (id % 64)
		s.flags &^= selAllCommands
	}
}

func (s *aclSelector) clone() *aclSelector {
	c := &aclSelector{flags: s.flags, allowed: append([]uint64(nil), s.allowed...),
		keys: append([]keyPattern(nil), s.keys...), channels: append([]string(nil), s.channels...)}
	if len(s.firstArgs) > 0 {
		c.firstArgs = make(map[int][]string, len(s.firstArgs))
		for id, args := range s.firstArgs {
			c.firstArgs[id] = append([]string(nil), args...)
		}
	}
	return c
}

type aclUser struct {
	name      string
	flags     uint8
	passwords []string       // SHA-256 hex digests, in insertion order
	selectors []*aclSelector // [0] is the root selector
}

func (u *aclUser) root() *aclSelector { return u.selectors[0] }

// unrestricted reports whether u may run anything (the default user's
// usual state): the checks can be skipped.
func (u *aclUser) unrestricted() bool {
	f := u.root().flags
	return f&(selAllCommands|selAllKeys|selAllChannels) == selAllCommands|selAllKeys|selAllChannels
}

// copyFrom makes u's rules equal to src's (not its name).
func (u *aclUser) copyFrom(src *aclUser) {
	u.flags = src.flags
	u.passwords = append([]string(nil), src.passwords...)
	u.selectors = make([]*aclSelector, len(src.selectors))
	for i, s := range src.selectors {
		u.selectors[i] = s.clone()
	}
}

// aclCommands indexes the commands for ACL bitmaps: every command and
// subcommand of the original table (before rename-command) has an id.
type aclCommands struct {
	list   []*Command // by id: top-level commands sorted by name, each followed by its subcommands
	cats   []ACLCat   // by id: the command's categories
	ids    map[*Command]int
	byName map[string]*Command
}

func newACLCommands(t *commandTable) *aclCommands {
	a := &aclCommands{ids: map[*Command]int{}, byName: map[string]*Command{}}
	for _, cmd := range t.sorted() {
		a.byName[cmd.Name] = cmd
		a.ids[cmd] = len(a.list)
		a.list = append(a.list, cmd)
		a.cats = append(a.cats, cmd.Categories())
		for _, sub := range sortedSubs(cmd) {
			a.ids[sub] = len(a.list)
			a.list = append(a.list, sub)
			a.cats = append(a.cats, sub.Categories())
		}
	}
	return a
}

// reserved is the "future commands" bit.
func (a *aclCommands) reserved() int { return len(a.list) }

func (a *aclCommands) words() int { return (len(a.list) + 1 + 63) / 64 }

// lookup finds "name" or "container|sub", case-insensitively, as Redis's
// ACLLookupCommand (more than one '|' finds nothing).
func (a *aclCommands) lookup(name string) *Command {
	name = strings.ToLower(name)
	parts := strings.Split(name, "|")
	if len(parts) > 2 {
		return nil
	}
	cmd := a.byName[parts[0]]
	if len(parts) == 1 || cmd == nil {
		return cmd
	}
	if cmd.Sub == nil {
		return nil
	}
	return cmd.Sub[parts[1]]
}

type aclLogEntry struct {
	count    int64
	reason   int
	context  string // "toplevel", "multi"
	object   string
	username string
	ctime    int64 // ms
	cinfo    string
}

// aclState is the node's ACL: its users, command index and security log.
type aclState struct {
	users   map[string]*aclUser
	def     *aclUser // the "default" user, always present
	cmds    *aclCommands
	log     []*aclLogEntry // newest first
	pending []aclPendingLog
	fatal   bool // the users of the configuration could not be loaded
	// pubsubDefault returns the channel flags of a new selector
	// (acl-pubsub-default).
	pubsubDefault func() uint8
}

// aclPendingLog is a log line produced before the node could log.
type aclPendingLog struct {
	level LogLevel
	msg   string
}

func newACLState(t *commandTable, pubsubDefault func() uint8) *aclState {
	a := &aclState{users: map[string]*aclUser{}, cmds: newACLCommands(t), pubsubDefault: pubsubDefault}
	d := a.createUser("default")
	for _, op := range []string{"+@all", "~*", "&*", "on", "nopass"} {
		a.setUser(d, op)
	}
	a.def = d
	return a
}

func (a *aclState) newSelector(flags uint8) *aclSelector {
	return &aclSelector{flags: flags | a.pubsubDefault(), allowed: make([]uint64, a.cmds.words())}
}

// newUser returns a user as ACLCreateUser makes it (off, no permissions),
// not registered.
func (a *aclState) newUser(name string) *aclUser {
	return &aclUser{name: name, flags: userOff, selectors: []*aclSelector{a.newSelector(selRoot)}}
}

func (a *aclState) createUser(name string) *aclUser {
	u := a.newUser(name)
	a.users[name] = u
	return u
}

func (n *Node) initACL() {
	n.acl = newACLState(n.commands, func() uint8 {
		if n.cfg.AclPubsubDefault == "allchannels" {
			return selAllChannels
		}
		return 0
	})
	n.aclSetRequirePass(n.cfg.RequirePass)
}

// aclSetRequirePass maps requirepass onto the default user, as Redis does
// at start-up and on CONFIG SET requirepass: the user's passwords are
// replaced by this one, or it becomes nopass when pass is empty.
func (n *Node) aclSetRequirePass(pass string) {
	n.acl.setUser(n.acl.def, "resetpass")
	if pass != "" {
		n.acl.setUser(n.acl.def, ">"+pass)
	} else {
		n.acl.setUser(n.acl.def, "nopass")
	}
}

// aclStartup loads the "user" directives of the configuration, as Redis's
// ACLLoadConfiguredUsers, and logs what happened. It reports false when
// the node must not start.
func (n *Node) aclStartup() bool {
	a := n.acl
	if n.cfg.AclFile != "" {
		if len(n.cfg.Users) > 0 {
			n.logf(LogWarning, "Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid. This setup is very likely to lead to configuration errors and security holes, please define either an ACL file or declare users directly in your redis.conf, but not both.")
			return false
		}
		n.logf(LogWarning, "aclfile is not supported by replab: '%s' is not loaded", n.cfg.AclFile)
	}
	for _, line := range n.cfg.Users {
		name := line[0]
		if hasSpaces(name) {
			n.logf(LogWarning, "Spaces not allowed in ACL usernames")
			return n.aclCritical()
		}
		rules, _ := mergeSelectorArgs(line[1:])
		u := a.users[name]
		if u == nil {
			u = a.createUser(name)
		} else {
			a.setUser(u, "reset")
		}
		for _, r := range rules {
			if err := a.setUser(u, r); err != "" {
				n.logf(LogWarning, "Error loading ACL rule '%s' for the user named '%s': %s", r, name, err)
				return n.aclCritical()
			}
		}
		if u.flags&userOff != 0 {
			n.logf(LogNotice, "The user '%s' is disabled (there is no 'on' modifier in the user description). Make sure this is not a configuration error.", name)
		}
	}
	return true
}

func (n *Node) aclCritical() bool {
	n.logf(LogWarning, "Critical error while loading ACLs. Exiting.")
	return false
}

// validateUserDirective checks a "user" line of a configuration file
// (argv without the "user" word) as Redis's ACLAppendUserForLoading:
// syntax only, unknown commands are reported when the users are loaded.
// It returns the error message of the FATAL CONFIG FILE ERROR, or "".
// defined lists the users already declared.
func validateUserDirective(argv []string, defined [][]string) string {
	full := append([]string{"user"}, argv...)
	fail := func(idx int, err aclError) string {
		// Redis reports argv[idx] where idx is an index among the rules:
		// it names the wrong argument, and replab names the same one.
		return fmt.Sprintf("Error in user declaration '%s': %s", full[idx], err)
	}
	for _, d := range defined {
		if d[0] == argv[0] {
			return fail(1, aclErrDuplicate)
		}
	}
	rules, bad := mergeSelectorArgs(argv[1:])
	if rules == nil && bad >= 0 {
		// Redis reports whatever errno held: with 7.0.15 it is this one.
		return fail(bad, aclErrUnknown)
	}
	a := newACLState(newCommandTable(), func() uint8 { return 0 })
	u := a.newUser("__fakeuser:0__")
	for j, r := range rules {
		if err := a.setUser(u, r); err != "" && err != aclErrUnknown {
			return fail(j, err)
		}
	}
	return ""
}

// hasSpaces is ACLStringHasSpaces: C isspace or NUL.
func hasSpaces(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\n', '\v', '\f', '\r', 0:
			return true
		}
	}
	return false
}

func hashPassword(p string) string {
	sum := sha256.Sum256([]byte(p))
	return hex.EncodeToString(sum[:])
}

func validHash(h string) bool {
	if len(h) != 64 {
		return false
	}
	for i := 0; i < len(h); i++ {
		if c := h[i]; (c < 'a' || c > 'f') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

func categoryByName(name string) (ACLCat, bool) {
	for i, c := range ACLCategoryNames {
		if strings.EqualFold(c, name) {
			return ACLCat(1) << i, true
		}
	}
	return 0, false
}

// changePerm allows or denies cmd and, for a container, its subcommands.
func (a *aclState) changePerm(s *aclSelector, cmd *Command, allow bool) {
	id := a.cmds.ids[cmd]
	s.setBit(id, allow)
	delete(s.firstArgs, id)
	for _, sub := range cmd.Sub {
		s.setBit(a.cmds.ids[sub], allow)
	}
}

func (a *aclState) setCategory(s *aclSelector, cat ACLCat, allow bool) {
	for id, cmd := range a.cmds.list {
		if a.cmds.cats[id]&cat != 0 {
			a.changePerm(s, cmd, allow)
		}
	}
}

func (a *aclState) countCategory(s *aclSelector, cat ACLCat) (on, off int) {
	for id := range a.cmds.list {
		if a.cmds.cats[id]&cat != 0 {
			if s.bit(id) {
				on++
			} else {
				off++
			}
		}
	}
	return
}

// setSelector applies one selector rule (Redis's ACLSetSelector).
func (a *aclState) setSelector(s *aclSelector, op string) aclError {
	at := func(i int) byte {
		if i < len(op) {
			return op[i]
		}
		return 0
	}
	switch {
	case strings.EqualFold(op, "allkeys") || op == "~*":
		s.flags |= selAllKeys
		s.keys = nil
	case strings.EqualFold(op, "resetkeys"):
		s.flags &^= selAllKeys
		s.keys = nil
	case strings.EqualFold(op, "allchannels") || op == "&*":
		s.flags |= selAllChannels
		s.channels = nil
	case strings.EqualFold(op, "resetchannels"):
		s.flags &^= selAllChannels
		s.channels = nil
	case strings.EqualFold(op, "allcommands") || strings.EqualFold(op, "+@all"):
		for i := range s.allowed {
			s.allowed[i] = math.MaxUint64
		}
		s.flags |= selAllCommands
		s.firstArgs = nil
	case strings.EqualFold(op, "nocommands") || strings.EqualFold(op, "-@all"):
		clear(s.allowed)
		s.flags &^= selAllCommands
		s.firstArgs = nil
	case op[0] == '~' || op[0] == '%':
		if s.flags&selAllKeys != 0 {
			return aclErrKeyAfterAll
		}
		perm, off := keyAll, 1
		if op[0] == '%' {
			perm = 0
			for ; off < len(op); off++ {
				ch := op[off]
				if (ch == 'R' || ch == 'r') && perm&keyRead == 0 {
					perm |= keyRead
				} else if (ch == 'W' || ch == 'w') && perm&keyWrite == 0 {
					perm |= keyWrite
				} else if ch == '~' {
					off++
					break
				} else {
					return aclErrSyntax
				}
			}
			if perm == 0 {
				// Redis accepts "%" and "%~x" and then crashes printing
				// the pattern: refuse them.
				return aclErrSyntax
			}
		}
		pat := op[off:]
		if hasSpaces(pat) {
			return aclErrSyntax
		}
		found := false
		for i := range s.keys {
			if s.keys[i].pattern == pat {
				s.keys[i].perm |= perm
				found = true
				break
			}
		}
		if !found {
			s.keys = append(s.keys, keyPattern{perm: perm, pattern: pat})
		}
		s.flags &^= selAllKeys
	case op[0] == '&':
		if s.flags&selAllChannels != 0 {
			return aclErrChAfterAll
		}
		pat := op[1:]
		if hasSpaces(pat) {
			return aclErrSyntax
		}
		found := false
		for _, c := range s.channels {
			if c == pat {
				found = true
				break
			}
		}
		if !found {
			s.channels = append(s.channels, pat)
		}
		s.flags &^= selAllChannels
	case op[0] == '+' && at(1) != '@':
		i := strings.LastIndexByte(op, '|')
		if i < 0 {
			cmd := a.cmds.lookup(op[1:])
			if cmd == nil {
				return aclErrUnknown
			}
			a.changePerm(s, cmd, true)
			return ""
		}
		cmd := a.cmds.lookup(op[1:i])
		sub := op[i+1:]
		switch {
		case cmd == nil:
			return aclErrUnknown
		case cmd.Parent != nil:
			return aclErrSubFirstArg
		case sub == "":
			return aclErrSyntax
		case cmd.Sub != nil:
			subcmd := a.cmds.lookup(op[1:])
			if subcmd == nil {
				return aclErrUnknown
			}
			a.changePerm(s, subcmd, true)
		default:
			id := a.cmds.ids[cmd]
			for _, fa := range s.firstArgs[id] {
				if strings.EqualFold(fa, sub) {
					return ""
				}
			}
			if s.firstArgs == nil {
				s.firstArgs = map[int][]string{}
			}
			s.firstArgs[id] = append(s.firstArgs[id], sub)
		}
	case op[0] == '-' && at(1) != '@':
		cmd := a.cmds.lookup(op[1:])
		if cmd == nil {
			return aclErrUnknown
		}
		a.changePerm(s, cmd, false)
	case (op[0] == '+' || op[0] == '-') && at(1) == '@':
		cat, ok := categoryByName(op[2:])
		if !ok {
			return aclErrUnknown
		}
		a.setCategory(s, cat, op[0] == '+')
	default:
		return aclErrSyntax
	}
	return ""
}

// setUser applies one user rule (Redis's ACLSetUser) and returns "" or
// the error.
func (a *aclState) setUser(u *aclUser, op string) aclError {
	if op == "" {
		return ""
	}
	switch {
	case strings.EqualFold(op, "on"):
		u.flags = u.flags&^userOff | userOn
	case strings.EqualFold(op, "off"):
		u.flags = u.flags&^userOn | userOff
	case strings.EqualFold(op, "skip-sanitize-payload"):
		u.flags = u.flags&^userSanitize | userSkipSanitize
	case strings.EqualFold(op, "sanitize-payload"):
		u.flags = u.flags&^userSkipSanitize | userSanitize
	case strings.EqualFold(op, "nopass"):
		u.flags |= userNoPass
		u.passwords = nil
	case strings.EqualFold(op, "resetpass"):
		u.flags &^= userNoPass
		u.passwords = nil
	case op[0] == '>' || op[0] == '#':
		var h string
		if op[0] == '>' {
			h = hashPassword(op[1:])
		} else {
			if !validHash(op[1:]) {
				return aclErrBadHash
			}
			h = op[1:]
		}
		found := false
		for _, p := range u.passwords {
			if p == h {
				found = true
				break
			}
		}
		if !found {
			u.passwords = append(u.passwords, h)
		}
		u.flags &^= userNoPass
	case op[0] == '<' || op[0] == '!':
		var h string
		if op[0] == '<' {
			h = hashPassword(op[1:])
		} else {
			if !validHash(op[1:]) {
				return aclErrBadHash
			}
			h = op[1:]
		}
		for i, p := range u.passwords {
			if p == h {
				u.passwords = append(u.passwords[:i:i], u.passwords[i+1:]...)
				return ""
			}
		}
		return aclErrNoPass
	case op[0] == '(' && op[len(op)-1] == ')':
		s := a.newSelector(0)
		inner, ok := resp.SplitArgs([]byte(op[1 : len(op)-1]))
		if !ok {
			// Redis's sdssplitargs fails and no rule is applied: the
			// selector is added empty.
			inner = nil
		}
		for _, r := range inner {
			if err := a.setSelector(s, string(r)); err != "" {
				return err
			}
		}
		u.selectors = append(u.selectors, s)
	case strings.EqualFold(op, "clearselectors"):
		u.selectors = u.selectors[:1]
	case strings.EqualFold(op, "reset"):
		a.setUser(u, "resetpass")
		a.setUser(u, "resetkeys")
		a.setUser(u, "resetchannels")
		if a.pubsubDefault()&selAllChannels != 0 {
			a.setUser(u, "allchannels")
		}
		a.setUser(u, "off")
		a.setUser(u, "sanitize-payload")
		a.setUser(u, "clearselectors")
		a.setUser(u, "-@all")
	default:
		return a.setSelector(u.root(), op)
	}
	return ""
}

// mergeSelectorArgs joins selector rules spread over several arguments
// ("(+get" "~key)" becomes "(+get ~key)"). On an unmatched parenthesis it
// returns nil and the index of the argument that opened it.
func mergeSelectorArgs(args []string) ([]string, int) {
	out := make([]string, 0, len(args))
	open := -1
	var sel string
	for j, op := range args {
		if open < 0 && len(op) > 0 && op[0] == '(' && op[len(op)-1] != ')' {
			sel, open = op, j
			continue
		}
		if open >= 0 {
			sel += " " + op
			if len(op) > 0 && op[len(op)-1] == ')' {
				open = -1
				out = append(out, sel)
			}
			continue
		}
		out = append(out, op)
	}
	if open >= 0 {
		return nil, open
	}
	return out, -1
}

// setUserRules is ACLStringSetUser: it applies rules to a copy of u (a new
// user when u is nil) and commits only if all are valid. It returns the
// error reply text without the "ERR " prefix, or "".
func (n *Node) setUserRules(u *aclUser, name string, rules []string) string {
	a := n.acl
	merged, bad := mergeSelectorArgs(rules)
	if merged == nil && bad >= 0 {
		return fmt.Sprintf("Unmatched parenthesis in acl selector starting at '%s'.", rules[bad])
	}
	tmp := a.newUser(name)
	if u != nil {
		tmp.copyFrom(u)
	}
	for _, r := range merged {
		if err := a.setUser(tmp, r); err != "" {
			return fmt.Sprintf("Error in ACL SETUSER modifier '%s': %s", r, err)
		}
	}
	if u != nil {
		n.killPubSubClientsIfNeeded(tmp, u)
	} else {
		u = a.createUser(name)
	}
	u.copyFrom(tmp)
	return ""
}

// killPubSubClientsIfNeeded closes the subscribed clients of original
// whose channels or patterns the new rules no longer allow.
func (n *Node) killPubSubClientsIfNeeded(upd, original *aclUser) {
	for _, s := range upd.selectors {
		if s.flags&selAllChannels != 0 {
			return
		}
	}
	var upcoming []string
	for _, s := range upd.selectors {
		upcoming = append(upcoming, s.channels...)
	}
	superset := true
	for _, s := range original.selectors {
		if s.flags&selAllChannels != 0 {
			superset = false
			break
		}
		for _, ch := range s.channels {
			if !containsString(upcoming, ch) {
				superset = false
			}
		}
	}
	if superset {
		return
	}
	for _, c := range append([]*client(nil), n.clientOrder...) {
		if c.user != original.name || n.obufClass(c) != ClassPubSub || c.ps == nil {
			continue
		}
		kill := false
		c.ps.patterns.each(func(p string) {
			if !kill && !channelAllowed(upcoming, p, true) {
				kill = true
			}
		})
		for _, set := range []*ordered[string]{c.ps.channels, c.ps.shardChannels} {
			set.each(func(ch string) {
				if !kill && !channelAllowed(upcoming, ch, false) {
					kill = true
				}
			})
		}
		if kill {
			n.closeASAP(c)
		}
	}
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// channelAllowed checks a channel against channel patterns; a pattern
// subscription (isPattern) must equal one of them literally.
func channelAllowed(patterns []string, ch string, isPattern bool) bool {
	for _, p := range patterns {
		if (isPattern && p == ch) || (!isPattern && glob.Match(p, ch)) {
			return true
		}
	}
	return false
}

// Permission checks.

// channelArgs returns where the channels of a Pub/Sub command are, and
// whether they are patterns; first < 0 for a command whose channels are
// not checked (UNSUBSCRIBE and friends, and everything else).
func channelArgs(cmd *Command, argc int) (first, last int, pattern bool) {
	if cmd.Parent != nil {
		return -1, -1, false
	}
	switch cmd.Name {
	case "subscribe", "ssubscribe":
		return 1, argc - 1, false
	case "psubscribe":
		return 1, argc - 1, true
	case "publish", "spublish":
		return 1, 1, false
	}
	return -1, -1, false
}

func specPerm(ks KeySpec) (perm uint8, notKey bool) {
	for _, f := range ks.Flags {
		switch f {
		case "ACCESS":
			perm |= keyRead
		case "INSERT", "DELETE", "UPDATE":
			perm |= keyWrite
		case "NOT_KEY":
			notKey = true
		}
	}
	return
}

func variableKeyFlags(ks KeySpec) bool {
	for _, f := range ks.Flags {
		if f == "VARIABLE_FLAGS" {
			return true
		}
	}
	return false
}

// variableKeyPerm is the access of the key of a command whose key spec
// has VARIABLE_FLAGS, from its arguments (Redis's setGetKeys and
// bitfieldGetKeys).
func variableKeyPerm(cmd *Command, args [][]byte) uint8 {
	switch cmd.Name {
	case "set":
		for _, a := range args[min(3, len(args)):] {
			if eq(a, "GET") {
				return keyRead | keyWrite
			}
		}
		return keyWrite
	case "bitfield":
		for i := 2; i < len(args); i++ {
			rem := len(args) - i - 1
			switch {
			case eq(args[i], "GET") && rem >= 2:
				i += 2
			case eq(args[i], "OVERFLOW") && rem >= 1:
				i++
			default:
				return keyRead | keyWrite
			}
		}
		return keyRead
	}
	return keyRead | keyWrite
}

func keyAllowed(s *aclSelector, key string, perm uint8) bool {
	if s.flags&selAllKeys != 0 {
		return true
	}
	for _, p := range s.keys {
		if p.perm&perm != perm {
			continue
		}
		if glob.Match(p.pattern, key) {
			return true
		}
	}
	return false
}

// checkSelector is ACLSelectorCheckCmd: it returns the result and, for a
// denied key or channel, the index of the argument.
func (a *aclState) checkSelector(s *aclSelector, cmd *Command, args [][]byte) (int, int) {
	if s.flags&selAllCommands == 0 && cmd.Flags&CmdNoAuth == 0 {
		id, ok := a.cmds.ids[cmd]
		if !ok || !s.bit(id) {
			idx := 1
			if cmd.Parent != nil {
				idx = 2
			}
			allowed := false
			if ok && len(args) > idx {
				for _, fa := range s.firstArgs[id] {
					if strings.EqualFold(fa, bs(args[idx])) {
						allowed = true
						break
					}
				}
			}
			if !allowed {
				return aclDeniedCmd, 0
			}
		}
	}
	if s.flags&selAllKeys == 0 && len(cmd.Keys) > 0 {
		for i := range cmd.Keys {
			perm, notKey := specPerm(cmd.Keys[i])
			if notKey {
				continue
			}
			if variableKeyFlags(cmd.Keys[i]) {
				perm = variableKeyPerm(cmd, args)
			}
			one := Command{Keys: cmd.Keys[i : i+1]}
			for _, pos := range one.keyPositions(args) {
				if !keyAllowed(s, bs(args[pos]), perm) {
					return aclDeniedKey, pos
				}
			}
		}
	}
	if s.flags&selAllChannels == 0 {
		first, last, pattern := channelArgs(cmd, len(args))
		for pos := first; first > 0 && pos <= last && pos < len(args); pos++ {
			if !channelAllowed(s.channels, bs(args[pos]), pattern) {
				return aclDeniedChannel, pos
			}
		}
	}
	return aclOK, 0
}

// check is ACLCheckAllUserCommandPerm: allowed when one selector allows;
// otherwise the most relevant error and its argument index.
func (a *aclState) check(u *aclUser, cmd *Command, args [][]byte) (int, int) {
	if u.unrestricted() {
		return aclOK, 0
	}
	relevant, lastIdx := aclDeniedCmd, 0
	for _, s := range u.selectors {
		r, idx := a.checkSelector(s, cmd, args)
		if r == aclOK {
			return aclOK, 0
		}
		if r > relevant || (r == relevant && idx > lastIdx) {
			relevant, lastIdx = r, idx
		}
	}
	return relevant, lastIdx
}

// userOf returns the user c is authenticated as (the default user if it
// was deleted under it).
func (n *Node) userOf(c *client) *aclUser {
	if u := n.acl.users[c.user]; u != nil {
		return u
	}
	return n.acl.def
}

// aclCheckCommand returns the NOPERM error for a command c's user may not
// run (on these keys and channels), or "" when it is allowed. A denial is
// recorded in the ACL log.
func (n *Node) aclCheckCommand(c *client, cmd *Command) string {
	if c.flags&flagMaster != 0 {
		return ""
	}
	u := n.userOf(c)
	if u.unrestricted() {
		return ""
	}
	r, idx := n.acl.check(u, cmd, c.args)
	if r == aclOK {
		return ""
	}
	ctx := "toplevel"
	if c.flags&flagMulti != 0 {
		ctx = "multi"
	}
	n.aclLog(c, r, ctx, idx, "")
	switch r {
	case aclDeniedCmd:
		return fmt.Sprintf(ErrNoPermCommand, cmd.FullName)
	case aclDeniedKey:
		return ErrNoPermKey
	default:
		return ErrNoPermChannel
	}
}

// aclCheckExec re-checks a queued command when EXEC runs it: the rules
// may have changed since it was queued. It returns the error to reply in
// place of the command, or "".
func (n *Node) aclCheckExec(c *client, cmd *Command) string {
	if c.flags&flagMaster != 0 {
		return ""
	}
	u := n.userOf(c)
	r, idx := n.acl.check(u, cmd, c.args)
	if r == aclOK {
		return ""
	}
	n.aclLog(c, r, "multi", idx, "")
	reason := "no permission to access one of the channels used as arguments"
	switch r {
	case aclDeniedCmd:
		reason = "no permission to execute the command or subcommand"
	case aclDeniedKey:
		reason = "no permission to touch the specified keys"
	}
	return "NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: " + reason
}

// aclAuthRequired reports whether a client that did not authenticate must
// do so: the default user has a password or is disabled.
func (n *Node) aclAuthRequired() bool {
	f := n.acl.def.flags
	return f&userNoPass == 0 || f&userOff != 0
}

// aclDefaultNoPass reports whether the default user is nopass (AUTH with
// one argument is then an error, and protected mode applies).
func (n *Node) aclDefaultNoPass() bool { return n.acl.def.flags&userNoPass != 0 }

// aclAuthenticate checks a user name and password (ACLCheckUserCredentials)
// and logs a failure in the ACL log.
func (n *Node) aclAuthenticate(c *client, user, pass string) bool {
	u := n.acl.users[user]
	ok := false
	if u != nil && u.flags&userOff == 0 {
		if u.flags&userNoPass != 0 {
			ok = true
		} else {
			h := hashPassword(pass)
			for _, p := range u.passwords {
				if constantTimeEqual(h, p) {
					ok = true
				}
			}
		}
	}
	if !ok {
		ctx := "toplevel"
		if c.flags&flagMulti != 0 {
			ctx = "multi"
		}
		n.aclLog(c, aclDeniedAuth, ctx, 0, user)
	}
	return ok
}

// aclLog adds an entry to the ACL log (addACLLogEntry): similar recent
// entries are merged. username overrides the client's user.
func (n *Node) aclLog(c *client, reason int, ctx string, argpos int, username string) {
	if username == "" {
		username = c.user
	}
	e := &aclLogEntry{count: 1, reason: reason, context: ctx, username: username, ctime: n.ms, cinfo: n.clientInfoString(c)}
	switch reason {
	case aclDeniedCmd:
		e.object = c.cmd.FullName
	case aclDeniedKey, aclDeniedChannel:
		e.object = string(c.args[argpos])
	case aclDeniedAuth:
		e.object = string(c.args[0])
	}
	a := n.acl
	for i, cur := range a.log {
		if i == 10 {
			break
		}
		d := cur.ctime - e.ctime
		if d < 0 {
			d = -d
		}
		if cur.reason == e.reason && cur.context == e.context && d <= 60000 && cur.object == e.object && cur.username == e.username {
			copy(a.log[1:i+1], a.log[:i])
			a.log[0] = cur
			cur.cinfo, cur.ctime = e.cinfo, e.ctime
			cur.count++
			return
		}
	}
	a.log = append(a.log, nil)
	copy(a.log[1:], a.log)
	a.log[0] = e
	max := int64(128)
	if v, ok := n.cfg.Get("acllog-max-len"); ok {
		if m, err := strconv.ParseInt(v, 10, 64); err == nil {
			max = m
		}
	}
	if int64(len(a.log)) > max {
		clear(a.log[max:])
		a.log = a.log[:max]
	}
}

// killUserClients handles the clients of a deleted user: they fall back
// to the unauthenticated default user and are closed (the current one
// after its reply).
func (n *Node) killUserClients(name string) {
	for _, c := range append([]*client(nil), n.clientOrder...) {
		if c.user != name {
			continue
		}
		c.user = "default"
		c.authed = false
		if c == n.current {
			c.flags |= flagCloseAfterReply
		} else {
			n.closeASAP(c)
		}
	}
}

// Describing users.

// describeCommandRules is ACLDescribeSelectorCommandRules: the shortest
// rules, categories first, that rebuild the selector's command bitmap.
func (a *aclState) describeCommandRules(s *aclSelector) string {
	var rules []string
	fake := &aclSelector{allowed: make([]uint64, a.cmds.words())}
	additive := !s.bit(a.cmds.reserved())
	if additive {
		rules = append(rules, "-@all")
		a.setSelector(fake, "-@all")
	} else {
		rules = append(rules, "+@all")
		a.setSelector(fake, "+@all")
	}
	temp := &aclSelector{allowed: append([]uint64(nil), s.allowed...)}
	applied := make([]bool, len(ACLCategoryNames))
	for {
		best, mindiff, maxsame := -1, math.MaxInt, 0
		for j := range ACLCategoryNames {
			if applied[j] {
				continue
			}
			on, off := a.countCategory(temp, ACLCat(1)<<j)
			diff, same := off, on
			if !additive {
				diff, same = on, off
			}
			if same > diff && (diff < mindiff || (diff == mindiff && same > maxsame)) {
				best, mindiff, maxsame = j, diff, same
			}
		}
		if best < 0 {
			break
		}
		op, inv := "+@", "-@"
		if !additive {
			op, inv = "-@", "+@"
		}
		a.setSelector(fake, op+ACLCategoryNames[best])
		a.setSelector(temp, inv+ACLCategoryNames[best])
		rules = append(rules, op+ACLCategoryNames[best])
		applied[best] = true
	}
	for id, cmd := range a.cmds.list {
		user, f := s.bit(id), fake.bit(id)
		if user != f {
			if user {
				rules = append(rules, "+"+cmd.FullName)
			} else {
				rules = append(rules, "-"+cmd.FullName)
			}
			a.changePerm(fake, cmd, user)
		}
		if !user {
			for _, fa := range s.firstArgs[id] {
				rules = append(rules, "+"+cmd.FullName+"|"+fa)
			}
		}
	}
	return strings.Join(rules, " ")
}

// describeSelector is ACLDescribeSelector: keys, channels, commands.
func (a *aclState) describeSelector(s *aclSelector) string {
	var b strings.Builder
	if s.flags&selAllKeys != 0 {
		b.WriteString("~* ")
	} else {
		for _, p := range s.keys {
			b.WriteString(p.String())
			b.WriteByte(' ')
		}
	}
	if s.flags&selAllChannels != 0 {
		b.WriteString("&* ")
	} else {
		b.WriteString("resetchannels ")
		for _, ch := range s.channels {
			b.WriteString("&" + ch + " ")
		}
	}
	b.WriteString(a.describeCommandRules(s))
	return b.String()
}

// describeUser is ACLDescribeUser, the rules of ACL LIST.
func (a *aclState) describeUser(u *aclUser) string {
	var b strings.Builder
	for _, f := range userFlagNames {
		if u.flags&f.f != 0 {
			b.WriteString(f.name + " ")
		}
	}
	for _, p := range u.passwords {
		b.WriteString("#" + p + " ")
	}
	for i, s := range u.selectors {
		if i == 0 {
			b.WriteString(a.describeSelector(s))
		} else {
			b.WriteString(" (" + a.describeSelector(s) + ")")
		}
	}
	return b.String()
}

func (a *aclState) sortedUsers() []*aclUser {
	out := make([]*aclUser, 0, len(a.users))
	for _, u := range a.users {
		out = append(out, u)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// replySelector writes the commands, keys and channels fields of ACL
// GETUSER.
func (n *Node) replySelector(c *client, s *aclSelector) {
	c.bulkString("commands")
	c.bulkString(n.acl.describeCommandRules(s))
	c.bulkString("keys")
	if s.flags&selAllKeys != 0 {
		c.bulkString("~*")
	} else {
		parts := make([]string, len(s.keys))
		for i, p := range s.keys {
			parts[i] = p.String()
		}
		c.bulkString(strings.Join(parts, " "))
	}
	c.bulkString("channels")
	if s.flags&selAllChannels != 0 {
		c.bulkString("&*")
	} else {
		parts := make([]string, len(s.channels))
		for i, ch := range s.channels {
			parts[i] = "&" + ch
		}
		c.bulkString(strings.Join(parts, " "))
	}
}

// Commands.

func cmdACLSetUser(n *Node, c *client) {
	name := string(c.args[2])
	if hasSpaces(name) {
		n.replyError(c, "ERR Usernames can't contain spaces or null characters")
		return
	}
	rules := make([]string, len(c.args)-3)
	for i, a := range c.args[3:] {
		rules[i] = string(a)
	}
	if err := n.setUserRules(n.acl.users[name], name, rules); err != "" {
		n.replyError(c, "ERR "+err)
		return
	}
	c.ok()
}

func cmdACLDelUser(n *Node, c *client) {
	for _, a := range c.args[2:] {
		if string(a) == "default" {
			n.replyError(c, "ERR The 'default' user cannot be removed")
			return
		}
	}
	deleted := int64(0)
	for _, a := range c.args[2:] {
		name := string(a)
		if n.acl.users[name] == nil {
			continue
		}
		delete(n.acl.users, name)
		n.killUserClients(name)
		deleted++
	}
	c.int(deleted)
}

func cmdACLGetUser(n *Node, c *client) {
	u := n.acl.users[string(c.args[2])]
	if u == nil {
		c.null()
		return
	}
	c.w.Map(6)
	c.bulkString("flags")
	var flags []string
	for _, f := range userFlagNames {
		if u.flags&f.f != 0 {
			flags = append(flags, f.name)
		}
	}
	c.w.Set(len(flags))
	for _, f := range flags {
		c.bulkString(f)
	}
	c.bulkString("passwords")
	c.w.BulkStrings(u.passwords)
	n.replySelector(c, u.root())
	c.bulkString("selectors")
	c.w.Array(len(u.selectors) - 1)
	for _, s := range u.selectors[1:] {
		c.w.Map(3)
		n.replySelector(c, s)
	}
}

func cmdACLList(n *Node, c *client) {
	users := n.acl.sortedUsers()
	c.w.Array(len(users))
	for _, u := range users {
		c.bulkString("user " + u.name + " " + n.acl.describeUser(u))
	}
}

func cmdACLUsers(n *Node, c *client) {
	users := n.acl.sortedUsers()
	c.w.Array(len(users))
	for _, u := range users {
		c.bulkString(u.name)
	}
}

func cmdACLWhoami(n *Node, c *client) { c.bulkString(c.user) }

func cmdACLLoadSave(n *Node, c *client) {
	if n.cfg.AclFile == "" {
		n.replyError(c, "ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.")
		return
	}
	n.replyErrorf(c, "ERR ACL %s is not supported by replab (aclfile '%s')", upper(c.cmd.Name), n.cfg.AclFile)
}

func cmdACLCat(n *Node, c *client) {
	if len(c.args) == 2 {
		c.w.BulkStrings(ACLCategoryNames)
		return
	}
	if len(c.args) > 3 {
		n.subcommandSyntaxError(c)
		return
	}
	cat, ok := categoryByName(string(c.args[2]))
	if !ok {
		n.replyErrorf(c, "ERR Unknown category '%s'", truncate(string(c.args[2]), 128))
		return
	}
	var names []string
	for id, cmd := range n.acl.cmds.list {
		if n.acl.cmds.cats[id]&cat != 0 {
			names = append(names, cmd.FullName)
		}
	}
	c.w.BulkStrings(names)
}

func cmdACLGenPass(n *Node, c *client) {
	if len(c.args) > 3 {
		n.subcommandSyntaxError(c)
		return
	}
	bits := int64(256)
	if len(c.args) == 3 {
		v, ok := n.argInt(c, c.args[2])
		if !ok {
			return
		}
		bits = v
	}
	if bits <= 0 || bits > 4096 {
		n.replyError(c, "ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096")
		return
	}
	const hexChars = "0123456789abcdef"
	out := make([]byte, (bits+3)/4)
	for i := range out {
		out[i] = hexChars[n.rng.IntN(16)]
	}
	c.bulk(out)
}

func cmdACLLog(n *Node, c *client) {
	if len(c.args) > 3 {
		n.subcommandSyntaxError(c)
		return
	}
	count := int64(10)
	if len(c.args) == 3 {
		if eq(c.args[2], "RESET") {
			n.acl.log = nil
			c.ok()
			return
		}
		v, ok := n.argInt(c, c.args[2])
		if !ok {
			return
		}
		count = max(v, 0)
	}
	count = min(count, int64(len(n.acl.log)))
	c.w.Array(int(count))
	for _, e := range n.acl.log[:count] {
		c.w.Map(7)
		c.bulkString("count")
		c.int(e.count)
		c.bulkString("reason")
		c.bulkString([...]string{aclDeniedCmd: "command", aclDeniedKey: "key", aclDeniedChannel: "channel", aclDeniedAuth: "auth"}[e.reason])
		c.bulkString("context")
		c.bulkString(e.context)
		c.bulkString("object")
		c.bulkString(e.object)
		c.bulkString("username")
		c.bulkString(e.username)
		c.bulkString("age-seconds")
		c.w.Double(float64(n.ms-e.ctime) / 1000)
		c.bulkString("client-info")
		c.bulkString(e.cinfo)
	}
}

func cmdACLDryRun(n *Node, c *client) {
	u := n.acl.users[string(c.args[2])]
	if u == nil {
		n.replyErrorf(c, "ERR User '%s' not found", c.args[2])
		return
	}
	args := c.args[3:]
	cmd := n.commands.lookup(args)
	if cmd == nil {
		n.replyErrorf(c, "ERR Command '%s' not found", c.args[3])
		return
	}
	if (cmd.Arity > 0 && cmd.Arity != len(args)) || len(args) < -cmd.Arity {
		n.replyErrorf(c, ErrWrongArgsFmt, cmd.FullName)
		return
	}
	r, idx := n.acl.check(u, cmd, args)
	switch r {
	case aclOK:
		c.ok()
	case aclDeniedCmd:
		c.bulkString(fmt.Sprintf("This user has no permissions to run the '%s' command", cmd.FullName))
	case aclDeniedKey:
		c.bulkString(fmt.Sprintf("This user has no permissions to access the '%s' key", args[idx]))
	default:
		c.bulkString(fmt.Sprintf("This user has no permissions to access the '%s' channel", args[idx]))
	}
}

func cmdACLHelp(n *Node, c *client) {
	n.replyHelp(c, "ACL", []string{
		"CAT [<category>]",
		"    List all commands that belong to <category>, or all command categories",
		"    when no category is specified.",
		"DELUSER <username> [<username> ...]",
		"    Delete a list of users.",
		"DRYRUN <username> <command> [<arg> ...]",
		"    Returns whether the user can execute the given command without executing the command.",
		"GETUSER <username>",
		"    Get the user's details.",
		"GENPASS [<bits>]",
		"    Generate a secure 256-bit user password. The optional `bits` argument can",
		"    be used to specify a different size.",
		"LIST",
		"    Show users details in config file format.",
		"LOAD",
		"    Reload users from the ACL file.",
		"LOG [<count> | RESET]",
		"    Show the ACL log entries.",
		"SAVE",
		"    Save the current config to the ACL file.",
		"SETUSER <username> <attribute> [<attribute> ...]",
		"    Create or modify a user with the specified attributes.",
		"USERS",
		"    List all the registered usernames.",
		"WHOAMI",
		"    Return the current connection username.",
	})
}

func init() {
	const admin = CmdAdmin | CmdNoScript | CmdLoading | CmdStale | CmdSentinelLike
	const plain = CmdNoScript | CmdLoading | CmdStale | CmdSentinelLike
	docs := func(summary, since, complexity, syntax string) Docs {
		return Docs{Summary: summary, Since: since, Group: "server", Complexity: complexity, Syntax: syntax}
	}
	register(&Command{Name: "acl", Arity: -2, Flags: CmdSentinelLike, Docs: docs("A container for Access List Control commands ", "6.0.0", "Depends on subcommand.", ""),
		Sub: map[string]*Command{
			"cat": {Name: "cat", Arity: -2, Flags: plain, Proc: cmdACLCat,
				Docs: docs("List the ACL categories or the commands inside a category", "6.0.0", "O(1) since the categories and commands are a fixed set.", "[categoryname]")},
			"deluser": {Name: "deluser", Arity: -3, Flags: admin, Proc: cmdACLDelUser,
				Docs: docs("Remove the specified ACL users and the associated rules", "6.0.0", "O(1) amortized time considering the typical user.", "username [username ...]")},
			"dryrun": {Name: "dryrun", Arity: -4, Flags: admin, Proc: cmdACLDryRun,
				Docs: docs("Returns whether the user can execute the given command without executing the command.", "7.0.0", "O(1).", "username command [arg [arg ...]]")},
			"genpass": {Name: "genpass", Arity: -2, Flags: plain, Proc: cmdACLGenPass,
				Docs: docs("Generate a pseudorandom secure password to use for ACL users", "6.0.0", "O(1)", "[bits:integer]")},
			"getuser": {Name: "getuser", Arity: 3, Flags: admin, Proc: cmdACLGetUser,
				Docs: docs("Get the rules for a specific ACL user", "6.0.0", "O(N). Where N is the number of password, command and pattern rules that the user has.", "username")},
			"help": {Name: "help", Arity: 2, Flags: CmdLoading | CmdStale | CmdSentinelLike, Proc: cmdACLHelp,
				Docs: docs("Show helpful text about the different subcommands", "6.0.0", "O(1)", "")},
			"list": {Name: "list", Arity: 2, Flags: admin, Proc: cmdACLList,
				Docs: docs("List the current ACL rules in ACL config file format", "6.0.0", "O(N). Where N is the number of configured users.", "")},
			"load": {Name: "load", Arity: 2, Flags: admin, Proc: cmdACLLoadSave,
				Docs: docs("Reload the ACLs from the configured ACL file", "6.0.0", "O(N). Where N is the number of configured users.", "")},
			"log": {Name: "log", Arity: -2, Flags: admin, Proc: cmdACLLog,
				Docs: docs("List latest events denied because of ACLs in place", "6.0.0", "O(N) with N being the number of entries shown.", "[count:integer | RESET]")},
			"save": {Name: "save", Arity: 2, Flags: admin, Proc: cmdACLLoadSave,
				Docs: docs("Save the current ACL rules in the configured ACL file", "6.0.0", "O(N). Where N is the number of configured users.", "")},
			"setuser": {Name: "setuser", Arity: -3, Flags: admin, Proc: cmdACLSetUser,
				Docs: docs("Modify or create the rules for a specific ACL user", "6.0.0", "O(N). Where N is the number of rules provided.", "username [rule [rule ...]]")},
			"users": {Name: "users", Arity: 2, Flags: admin, Proc: cmdACLUsers,
				Docs: docs("List the username of all the configured ACL rules", "6.0.0", "O(N). Where N is the number of configured users.", "")},
			"whoami": {Name: "whoami", Arity: 2, Flags: plain, Proc: cmdACLWhoami,
				Docs: docs("Return the name of the user associated to the current connection", "6.0.0", "O(1)", "")},
		}})
}
