package node

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"replab/internal/glob"
	"replab/internal/num"
	"replab/resp"
)

// Config is the configuration of one node. It knows every directive of
// Redis 7.0's redis.conf by its canonical name and alias, validates values as
// Redis does, and keeps each value in the normalised form CONFIG GET prints.
//
// The exported fields are typed views of the directives replab acts on. They
// are derived: change a directive with Set (or ParseConfig), never by
// assigning a field, or CONFIG GET and the node will disagree.
//
// Directives that replab accepts but does not act on keep their value for
// CONFIG GET; Ignored lists those set to a non-default value, so the driver
// can warn about them.
type Config struct {
	values map[string]string // canonical name -> normalised value
	// Ignored holds the directives set to a non-default value that replab
	// does not implement, in the order they were set.
	Ignored []string
	// Includes are the files named by include directives, already read.
	Includes []string
	// Renames are rename-command directives: old name -> new name ("" to
	// remove the command).
	Renames [][2]string
	// Users are the "user" directive lines (ACL rules), in order.
	Users [][]string
	// File is the configuration file the node was started with ("" for
	// none), for CONFIG REWRITE and INFO's config_file.
	File string

	Port                   int
	Bind                   []string
	ProtectedMode          bool
	RequirePass            string
	MaxClients             int
	Timeout                int // seconds of idle time before a client is closed; 0 = never
	TCPKeepalive           int
	Databases              int
	Hz                     int
	LogLevel               LogLevel
	LogFile                string
	Daemonize              bool
	PidFile                string
	Dir                    string
	DBFilename             string
	ProtoMaxBulkLen        int64
	ClientQueryBufferLimit int64
	LazyfreeLazyExpire     bool
	LazyfreeLazyUserDel    bool
	LazyfreeLazyUserFlush  bool
	LazyfreeLazyServerDel  bool
	ActiveExpireEffort     int
	EnableDebugCommand     string // "no", "yes" or "local"
	EnableProtectedConfigs string
	MaxMemory              int64
	MaxMemoryPolicy        string
	MaxMemorySamples       int
	LFULogFactor           int
	LFUDecayTime           int
	Save                   []SavePoint
	SlowlogLogSlowerThan   int64
	SlowlogMaxLen          int
	ClientOutputLimits     [3]OutputLimit // normal, replica, pubsub
	NotifyKeyspaceEvents   int
	ReplicaOf              string // "host port", or "" for none
	ShutdownOnSigint       string
	ShutdownOnSigterm      string
	AlwaysShowLogo         bool

	// Encoding thresholds of the value types (Redis's defaults).
	ListMaxListpackSize    int // list-max-listpack-size (alias list-max-ziplist-size)
	ListCompressDepth      int
	HashMaxListpackEntries int // hash-max-listpack-entries (alias ...-ziplist-...)
	HashMaxListpackValue   int
	SetMaxIntsetEntries    int
	ZSetMaxListpackEntries int
	ZSetMaxListpackValue   int
	StreamNodeMaxBytes     int
	StreamNodeMaxEntries   int
	HLLSparseMaxBytes      int
	AclPubsubDefault       string
	AclFile                string
	// IOThreads is io-threads: the number of threads the binary lets Go
	// run code on (GOMAXPROCS).
	IOThreads int
}

// SavePoint is one "save <seconds> <changes>" rule.
type SavePoint struct {
	Seconds int64
	Changes int64
}

// OutputLimit is one class of client-output-buffer-limit.
type OutputLimit struct {
	Hard, Soft  int64
	SoftSeconds int64
}

// Client classes of client-output-buffer-limit.
const (
	ClassNormal = iota
	ClassReplica
	ClassPubSub
)

type dirKind uint8

const (
	kindBool dirKind = iota
	kindNumeric
	kindEnum
	kindString
	kindSpecial
)

type dirFlag uint16

const (
	flagImmutable dirFlag = 1 << iota
	flagSensitive
	flagMultiArg
	flagDebug
	flagHidden
	flagProtected
	flagDenyLoading
	flagVolatile
)

type numFlag uint8

const (
	numMemory numFlag = 1 << iota
	numPercent
	numOctal
)

// directive describes one configuration directive.
type directive struct {
	name, alias string
	kind        dirKind
	flags       dirFlag
	def         string
	// numeric
	min, max int64
	num      numFlag
	unsigned bool
	// enum
	enum      []string
	multiEnum bool
	// apply copies the normalised value into the typed fields; nil for
	// directives replab does not act on.
	apply func(c *Config, v string)
}

func boolDirective(name, alias string, flags dirFlag, def string) *directive {
	return &directive{name: name, alias: alias, kind: kindBool, flags: flags, def: def}
}

func stringDirective(name, alias string, flags dirFlag, def string) *directive {
	return &directive{name: name, alias: alias, kind: kindString, flags: flags, def: def}
}

func enumDirective(name, alias string, flags dirFlag, def string, multi bool, values ...string) *directive {
	return &directive{name: name, alias: alias, kind: kindEnum, flags: flags, def: def, enum: values, multiEnum: multi}
}

func specialDirective(name, alias string, flags dirFlag, def string) *directive {
	return &directive{name: name, alias: alias, kind: kindSpecial, flags: flags, def: def}
}

func numericDirective(name, alias string, flags dirFlag, min, max int64, nf numFlag, unsigned bool, def string) *directive {
	return &directive{name: name, alias: alias, kind: kindNumeric, flags: flags, min: min, max: max, num: nf, unsigned: unsigned, def: def}
}

// directives indexes the table by canonical name and alias.
var directives = func() map[string]*directive {
	m := map[string]*directive{}
	for _, d := range directiveTable {
		if a, ok := appliers[d.name]; ok {
			d.apply = a
		}
		m[d.name] = d
		if d.alias != "" {
			m[d.alias] = d
		}
	}
	return m
}()

// lookupDirective finds a directive by name or alias, case-insensitively.
func lookupDirective(name string) *directive { return directives[strings.ToLower(name)] }

// Implemented reports whether replab acts on the directive name.
func Implemented(name string) bool {
	d := lookupDirective(name)
	return d != nil && d.apply != nil
}

func atoiOr(v string, def int) int {
	n, err := strconv.Atoi(v)
	if err != nil {
		return def
	}
	return n
}

func atoi64(v string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSuffix(v, "%"), 10, 64)
	return n
}

// appliers bind the directives replab acts on to the typed fields.
var appliers = map[string]func(c *Config, v string){
	"port":           func(c *Config, v string) { c.Port = atoiOr(v, 6379) },
	"bind":           func(c *Config, v string) { c.Bind = strings.Fields(v) },
	"protected-mode": func(c *Config, v string) { c.ProtectedMode = v == "yes" },
	"requirepass":    func(c *Config, v string) { c.RequirePass = v },
	"maxclients":     func(c *Config, v string) { c.MaxClients = atoiOr(v, 10000) },
	"timeout":        func(c *Config, v string) { c.Timeout = atoiOr(v, 0) },
	"tcp-keepalive":  func(c *Config, v string) { c.TCPKeepalive = atoiOr(v, 300) },
	"databases":      func(c *Config, v string) { c.Databases = atoiOr(v, 16) },
	"hz": func(c *Config, v string) {
		c.Hz = atoiOr(v, 10)
		// Out-of-range values are clamped, as Redis does.
		if c.Hz < 1 {
			c.Hz = 1
		}
		if c.Hz > 500 {
			c.Hz = 500
		}
	},
	"loglevel":                  func(c *Config, v string) { c.LogLevel, _ = ParseLogLevel(v) },
	"logfile":                   func(c *Config, v string) { c.LogFile = v },
	"daemonize":                 func(c *Config, v string) { c.Daemonize = v == "yes" },
	"pidfile":                   func(c *Config, v string) { c.PidFile = v },
	"dir":                       func(c *Config, v string) { c.Dir = v },
	"dbfilename":                func(c *Config, v string) { c.DBFilename = v },
	"proto-max-bulk-len":        func(c *Config, v string) { c.ProtoMaxBulkLen = atoi64(v) },
	"client-query-buffer-limit": func(c *Config, v string) { c.ClientQueryBufferLimit = atoi64(v) },
	"lazyfree-lazy-expire":      func(c *Config, v string) { c.LazyfreeLazyExpire = v == "yes" },
	"lazyfree-lazy-user-del":    func(c *Config, v string) { c.LazyfreeLazyUserDel = v == "yes" },
	"lazyfree-lazy-user-flush":  func(c *Config, v string) { c.LazyfreeLazyUserFlush = v == "yes" },
	"lazyfree-lazy-server-del":  func(c *Config, v string) { c.LazyfreeLazyServerDel = v == "yes" },
	"active-expire-effort":      func(c *Config, v string) { c.ActiveExpireEffort = atoiOr(v, 1) },
	"enable-debug-command":      func(c *Config, v string) { c.EnableDebugCommand = v },
	"enable-protected-configs":  func(c *Config, v string) { c.EnableProtectedConfigs = v },
	"maxmemory":                 func(c *Config, v string) { c.MaxMemory = atoi64(v) },
	"maxmemory-policy":          func(c *Config, v string) { c.MaxMemoryPolicy = v },
	"maxmemory-samples":         func(c *Config, v string) { c.MaxMemorySamples = atoiOr(v, 5) },
	"lfu-log-factor":            func(c *Config, v string) { c.LFULogFactor = atoiOr(v, 10) },
	"lfu-decay-time":            func(c *Config, v string) { c.LFUDecayTime = atoiOr(v, 1) },
	"save":                      func(c *Config, v string) { c.Save = parseSavePoints(v) },
	"slowlog-log-slower-than":   func(c *Config, v string) { c.SlowlogLogSlowerThan = atoi64(v) },
	"slowlog-max-len":           func(c *Config, v string) { c.SlowlogMaxLen = atoiOr(v, 128) },
	"client-output-buffer-limit": func(c *Config, v string) {
		f := strings.Fields(v)
		for i := 0; i+3 < len(f); i += 4 {
			class, _ := outputClass(f[i])
			c.ClientOutputLimits[class] = OutputLimit{atoi64(f[i+1]), atoi64(f[i+2]), atoi64(f[i+3])}
		}
	},
	"notify-keyspace-events":    func(c *Config, v string) { c.NotifyKeyspaceEvents, _ = parseKeyspaceEvents(v) },
	"replicaof":                 func(c *Config, v string) { c.ReplicaOf = v },
	"shutdown-on-sigint":        func(c *Config, v string) { c.ShutdownOnSigint = v },
	"shutdown-on-sigterm":       func(c *Config, v string) { c.ShutdownOnSigterm = v },
	"always-show-logo":          func(c *Config, v string) { c.AlwaysShowLogo = v == "yes" },
	"list-max-listpack-size":    func(c *Config, v string) { c.ListMaxListpackSize = atoiOr(v, -2) },
	"list-compress-depth":       func(c *Config, v string) { c.ListCompressDepth = atoiOr(v, 0) },
	"hash-max-listpack-entries": func(c *Config, v string) { c.HashMaxListpackEntries = atoiOr(v, 512) },
	"hash-max-listpack-value":   func(c *Config, v string) { c.HashMaxListpackValue = atoiOr(v, 64) },
	"set-max-intset-entries":    func(c *Config, v string) { c.SetMaxIntsetEntries = atoiOr(v, 512) },
	"zset-max-listpack-entries": func(c *Config, v string) { c.ZSetMaxListpackEntries = atoiOr(v, 128) },
	"zset-max-listpack-value":   func(c *Config, v string) { c.ZSetMaxListpackValue = atoiOr(v, 64) },
	"stream-node-max-bytes":     func(c *Config, v string) { c.StreamNodeMaxBytes = atoiOr(v, 4096) },
	"stream-node-max-entries":   func(c *Config, v string) { c.StreamNodeMaxEntries = atoiOr(v, 100) },
	"hll-sparse-max-bytes":      func(c *Config, v string) { c.HLLSparseMaxBytes = atoiOr(v, 3000) },
	"acl-pubsub-default":        func(c *Config, v string) { c.AclPubsubDefault = v },
	"aclfile":                   func(c *Config, v string) { c.AclFile = v },
	"io-threads":                func(c *Config, v string) { c.IOThreads = atoiOr(v, 1) },
}

// DefaultConfig returns the configuration of a node started without a
// configuration file, except that bind is 127.0.0.1 -::1 (as the redis.conf
// Redis ships sets it), so that a fresh node only listens on loopback.
func DefaultConfig() *Config {
	c := &Config{values: map[string]string{}}
	for _, d := range directiveTable {
		c.values[d.name] = d.def
		if d.apply != nil {
			d.apply(c, d.def)
		}
	}
	return c
}

// Clone returns an independent copy of c.
func (c *Config) Clone() *Config {
	n := *c
	n.values = make(map[string]string, len(c.values))
	for k, v := range c.values {
		n.values[k] = v
	}
	n.Ignored = append([]string(nil), c.Ignored...)
	n.Renames = append([][2]string(nil), c.Renames...)
	n.Users = append([][]string(nil), c.Users...)
	n.Bind = append([]string(nil), c.Bind...)
	n.Save = append([]SavePoint(nil), c.Save...)
	return &n
}

// Get returns the value of a directive as CONFIG GET prints it.
func (c *Config) Get(name string) (string, bool) {
	d := lookupDirective(name)
	if d == nil {
		return "", false
	}
	return c.values[d.name], true
}

// ErrUnknownDirective is returned by Set for a name Redis does not know.
var ErrUnknownDirective = errors.New("unknown directive")

// Set validates and sets a directive from its arguments, as a line of a
// configuration file would. It does not check mutability (CONFIG SET does).
func (c *Config) Set(name string, args ...string) error {
	d := lookupDirective(name)
	if d == nil {
		return ErrUnknownDirective
	}
	if d.flags&flagMultiArg == 0 && len(args) != 1 {
		return errors.New("wrong number of arguments")
	}
	if d.flags&flagMultiArg != 0 && len(args) == 1 && args[0] != "" {
		// A multi-argument directive given as one argument ("--save
		// '900 1'") is split like a configuration line.
		split, ok := resp.SplitArgs([]byte(args[0]))
		if !ok {
			return errors.New("Unbalanced quotes in configuration line")
		}
		args = args[:0:0]
		for _, a := range split {
			args = append(args, string(a))
		}
	}
	v, err := d.normalise(args)
	if err != nil {
		return err
	}
	if d.name == "client-output-buffer-limit" {
		// Setting some classes leaves the others as they were.
		v = mergeOutputLimits(c.values[d.name], v)
	}
	c.values[d.name] = v
	if d.name == "hz" {
		// Redis clamps hz to 1..500 and reports the clamped value.
		d.apply(c, v)
		c.values[d.name] = strconv.Itoa(c.Hz)
	} else if d.apply != nil {
		d.apply(c, v)
	} else if v != d.def {
		for _, n := range c.Ignored {
			if n == d.name {
				return nil
			}
		}
		c.Ignored = append(c.Ignored, d.name)
	}
	return nil
}

// normalise validates args and returns the value in CONFIG GET form.
func (d *directive) normalise(args []string) (string, error) {
	switch d.kind {
	case kindBool:
		switch strings.ToLower(args[0]) {
		case "yes":
			return "yes", nil
		case "no":
			return "no", nil
		}
		return "", errors.New("argument must be 'yes' or 'no'")
	case kindString:
		return args[0], nil
	case kindEnum:
		return d.normaliseEnum(args)
	case kindNumeric:
		return d.normaliseNumeric(args[0])
	default:
		return normaliseSpecial(d.name, args)
	}
}

func (d *directive) normaliseEnum(args []string) (string, error) {
	if !d.multiEnum && len(args) != 1 {
		return "", errors.New("wrong number of arguments")
	}
	var out []string
	for _, a := range args {
		found := ""
		for _, e := range d.enum {
			if strings.EqualFold(a, e) {
				found = e
			}
		}
		if found == "" {
			return "", fmt.Errorf("argument(s) must be one of the following: %s", strings.Join(d.enum, ", "))
		}
		if found == "default" && d.multiEnum {
			continue
		}
		out = append(out, found)
	}
	if d.multiEnum {
		if len(out) == 0 {
			return "default", nil
		}
		has := func(s string) bool {
			for _, o := range out {
				if o == s {
					return true
				}
			}
			return false
		}
		if has("save") && has("nosave") {
			return "", errors.New("shutdown options SAVE and NOSAVE can't be used simultaneously")
		}
		// Printed in the enum's order, as Redis does.
		var ordered []string
		for _, e := range d.enum {
			if has(e) {
				ordered = append(ordered, e)
			}
		}
		return strings.Join(ordered, " "), nil
	}
	return out[0], nil
}

// ParseMemory parses a size with Redis's units (b, k, kb, m, mb, g, gb,
// case-insensitive; k is 1000 and kb 1024).
func ParseMemory(s string) (int64, bool) {
	lower := strings.ToLower(s)
	mult := int64(1)
	digits := lower
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"gb", 1 << 30}, {"mb", 1 << 20}, {"kb", 1 << 10}, {"g", 1e9}, {"m", 1e6}, {"k", 1e3}, {"b", 1}} {
		if strings.HasSuffix(lower, u.suffix) {
			mult = u.mult
			digits = lower[:len(lower)-len(u.suffix)]
			break
		}
	}
	if digits == "" {
		return 0, false
	}
	for _, ch := range digits {
		if ch < '0' || ch > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(digits, 10, 64)
	if err != nil {
		return 0, false
	}
	if mult > 1 && n > math.MaxUint64/uint64(mult) {
		return 0, false
	}
	v := n * uint64(mult)
	return int64(v), true
}

func (d *directive) normaliseNumeric(s string) (string, error) {
	var v int64
	ok := false
	if d.num&numMemory != 0 {
		v, ok = ParseMemory(s)
	}
	if !ok && d.num&numPercent != 0 && len(s) > 1 && s[len(s)-1] == '%' {
		if p, pok := num.ParseIntString(s[:len(s)-1]); pok && p >= 0 {
			v, ok = -p, true
		}
	}
	if !ok && d.num&numOctal != 0 {
		if p, err := strconv.ParseInt(s, 8, 64); err == nil {
			v, ok = p, true
		}
	}
	if !ok && d.num == 0 {
		v, ok = num.ParseIntString(s)
	}
	if !ok {
		switch {
		case d.num&numMemory != 0 && d.num&numPercent != 0:
			return "", errors.New("argument must be a memory or percent value")
		case d.num&numMemory != 0:
			return "", errors.New("argument must be a memory value")
		case d.num&numOctal != 0:
			return "", errors.New("argument couldn't be parsed as an octal number")
		}
		return "", errors.New("argument couldn't be parsed into an integer")
	}
	if d.unsigned {
		if uint64(v) > uint64(d.max) || uint64(v) < uint64(d.min) {
			if d.num&numOctal != 0 {
				return "", fmt.Errorf("argument must be between %o and %o inclusive", d.min, d.max)
			}
			return "", fmt.Errorf("argument must be between %d and %d inclusive", uint64(d.min), uint64(d.max))
		}
	} else if d.num&numPercent != 0 && v < 0 {
		if v < d.min {
			return "", fmt.Errorf("percentage argument must be less or equal to %d", -d.min)
		}
	} else if v > d.max || v < d.min {
		return "", fmt.Errorf("argument must be between %d and %d inclusive", d.min, d.max)
	}
	switch {
	case d.num&numPercent != 0 && v < 0:
		return strconv.FormatInt(-v, 10) + "%", nil
	case d.num&numOctal != 0:
		return strconv.FormatInt(v, 8), nil
	case d.num&numMemory != 0:
		return strconv.FormatUint(uint64(v), 10), nil
	}
	return strconv.FormatInt(v, 10), nil
}

func parseSavePoints(v string) []SavePoint {
	f := strings.Fields(v)
	var out []SavePoint
	for i := 0; i+1 < len(f); i += 2 {
		out = append(out, SavePoint{atoi64(f[i]), atoi64(f[i+1])})
	}
	return out
}

func outputClass(name string) (int, bool) {
	switch strings.ToLower(name) {
	case "normal":
		return ClassNormal, true
	case "slave", "replica":
		return ClassReplica, true
	case "pubsub":
		return ClassPubSub, true
	}
	return 0, false
}

var outputClassNames = [3]string{"normal", "slave", "pubsub"}

func mergeOutputLimits(old, update string) string {
	var limits [3][3]string
	set := func(v string) {
		f := strings.Fields(v)
		for i := 0; i+3 < len(f); i += 4 {
			cl, _ := outputClass(f[i])
			limits[cl] = [3]string{f[i+1], f[i+2], f[i+3]}
		}
	}
	set(old)
	set(update)
	var parts []string
	for i, l := range limits {
		parts = append(parts, outputClassNames[i], l[0], l[1], l[2])
	}
	return strings.Join(parts, " ")
}

// Keyspace event classes of notify-keyspace-events.
const (
	NotifyKeyspace = 1 << iota // K
	NotifyKeyevent             // E
	NotifyGeneric              // g
	NotifyString               // $
	NotifyList                 // l
	NotifySet                  // s
	NotifyHash                 // h
	NotifyZSet                 // z
	NotifyExpired              // x
	NotifyEvicted              // e
	NotifyStream               // t
	NotifyKeyMiss              // m
	NotifyLoaded               // module only
	NotifyModule               // d
	NotifyNew                  // n
	NotifyAll      = NotifyGeneric | NotifyString | NotifyList | NotifySet | NotifyHash | NotifyZSet | NotifyExpired | NotifyEvicted | NotifyStream | NotifyModule
)

func parseKeyspaceEvents(s string) (int, bool) {
	flags := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case 'A':
			flags |= NotifyAll
		case 'g':
			flags |= NotifyGeneric
		case '$':
			flags |= NotifyString
		case 'l':
			flags |= NotifyList
		case 's':
			flags |= NotifySet
		case 'h':
			flags |= NotifyHash
		case 'z':
			flags |= NotifyZSet
		case 'x':
			flags |= NotifyExpired
		case 'e':
			flags |= NotifyEvicted
		case 'K':
			flags |= NotifyKeyspace
		case 'E':
			flags |= NotifyKeyevent
		case 't':
			flags |= NotifyStream
		case 'm':
			flags |= NotifyKeyMiss
		case 'd':
			flags |= NotifyModule
		case 'n':
			flags |= NotifyNew
		default:
			return 0, false
		}
	}
	return flags, true
}

func formatKeyspaceEvents(flags int) string {
	var b strings.Builder
	if flags&NotifyAll == NotifyAll {
		b.WriteByte('A')
	} else {
		for _, p := range []struct {
			f int
			c byte
		}{{NotifyGeneric, 'g'}, {NotifyString, '$'}, {NotifyList, 'l'}, {NotifySet, 's'}, {NotifyHash, 'h'}, {NotifyZSet, 'z'}, {NotifyExpired, 'x'}, {NotifyEvicted, 'e'}, {NotifyStream, 't'}, {NotifyModule, 'd'}} {
			if flags&p.f != 0 {
				b.WriteByte(p.c)
			}
		}
	}
	if flags&NotifyKeyspace != 0 {
		b.WriteByte('K')
	}
	if flags&NotifyKeyevent != 0 {
		b.WriteByte('E')
	}
	if flags&NotifyKeyMiss != 0 {
		b.WriteByte('m')
	}
	if flags&NotifyNew != 0 {
		b.WriteByte('n')
	}
	return b.String()
}

func normaliseSpecial(name string, args []string) (string, error) {
	switch name {
	case "save":
		if len(args) == 1 && args[0] == "" {
			return "", nil
		}
		if len(args)%2 != 0 {
			return "", errors.New("Invalid save parameters")
		}
		var parts []string
		for i := 0; i < len(args); i += 2 {
			s, ok1 := num.ParseIntString(args[i])
			ch, ok2 := num.ParseIntString(args[i+1])
			if !ok1 || !ok2 || s < 1 || ch < 0 {
				return "", errors.New("Invalid save parameters")
			}
			parts = append(parts, strconv.FormatInt(s, 10), strconv.FormatInt(ch, 10))
		}
		return strings.Join(parts, " "), nil
	case "client-output-buffer-limit":
		if len(args)%4 != 0 || len(args) == 0 {
			return "", errors.New("Wrong number of arguments in buffer limit configuration.")
		}
		var parts []string
		for i := 0; i < len(args); i += 4 {
			class, ok := outputClass(args[i])
			if !ok || class < 0 {
				return "", errors.New("Invalid client class specified in buffer limit configuration.")
			}
			hard, ok1 := ParseMemory(args[i+1])
			soft, ok2 := ParseMemory(args[i+2])
			secs, ok3 := num.ParseIntString(args[i+3])
			if !ok1 || !ok2 || !ok3 || secs < 0 {
				return "", errors.New("Error in hard, soft or soft_seconds setting in buffer limit configuration.")
			}
			parts = append(parts, outputClassNames[class], strconv.FormatInt(hard, 10), strconv.FormatInt(soft, 10), strconv.FormatInt(secs, 10))
		}
		return strings.Join(parts, " "), nil
	case "oom-score-adj-values":
		if len(args) != 3 {
			return "", errors.New("wrong number of arguments")
		}
		for _, a := range args {
			v, ok := num.ParseIntString(a)
			if !ok || v < -2000 || v > 2000 {
				return "", errors.New("Invalid oom-score-adj-values, elements must be between -2000 and 2000.")
			}
		}
		return strings.Join(args, " "), nil
	case "notify-keyspace-events":
		if len(args) != 1 {
			return "", errors.New("wrong number of arguments")
		}
		flags, ok := parseKeyspaceEvents(args[0])
		if !ok {
			return "", errors.New("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")
		}
		return formatKeyspaceEvents(flags), nil
	case "bind":
		if len(args) > 16 {
			return "", errors.New("Too many bind addresses specified.")
		}
		if len(args) == 1 && args[0] == "" {
			return "", nil
		}
		return strings.Join(args, " "), nil
	case "replicaof":
		if len(args) != 2 {
			return "", errors.New("wrong number of arguments")
		}
		if strings.EqualFold(args[0], "no") && strings.EqualFold(args[1], "one") {
			return "", nil
		}
		port, ok := num.ParseIntString(args[1])
		if !ok || port < 0 || port > 65535 {
			return "", errors.New("Invalid master port")
		}
		return args[0] + " " + strconv.FormatInt(port, 10), nil
	case "latency-tracking-info-percentiles":
		var parts []string
		for _, a := range args {
			if a == "" && len(args) == 1 {
				break
			}
			f, ok := num.ParseFloat([]byte(a))
			if !ok {
				return "", errors.New("Invalid latency-tracking-info-percentiles parameters")
			}
			if f < 0 || f > 100 {
				return "", errors.New("latency-tracking-info-percentiles parameters should sit between [0.0,100.0]")
			}
			parts = append(parts, strconv.FormatFloat(f, 'f', -1, 64))
		}
		return strings.Join(parts, " "), nil
	case "dir":
		if len(args) != 1 {
			return "", errors.New("wrong number of arguments")
		}
		return args[0], nil
	}
	return "", fmt.Errorf("no parser for %s", name)
}

// Match returns the canonical names and aliases that match a CONFIG GET
// pattern, sorted. A pattern without glob characters matches a name exactly
// (hidden directives too); a glob never matches hidden directives.
func (c *Config) Match(pattern string) []string {
	if !strings.ContainsAny(pattern, "[*?") {
		if d := lookupDirective(pattern); d != nil {
			return []string{pattern} // echoed as the client spelled it
		}
		return nil
	}
	var out []string
	for name, d := range directives {
		if d.flags&flagHidden != 0 {
			continue
		}
		if glob.MatchFold(pattern, name) {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// ConfigError is a configuration file error, reported as Redis reports it.
type ConfigError struct {
	Line    int    // 1-based line number, 0 when not from a line
	Text    string // the offending line
	Message string
}

func (e *ConfigError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n*** FATAL CONFIG FILE ERROR (replab, Redis %s) ***\n", RedisVersion)
	if e.Line > 0 {
		fmt.Fprintf(&b, "Reading the configuration file, at line %d\n", e.Line)
		fmt.Fprintf(&b, ">>> '%s'\n", e.Text)
	}
	b.WriteString(e.Message)
	return b.String()
}

// deprecatedDirectives are accepted and ignored, as Redis 7.0 does.
var deprecatedDirectives = map[string]bool{
	"list-max-ziplist-entries": true,
	"list-max-ziplist-value":   true,
	"lua-replicate-commands":   true,
}

// LoadString applies a configuration text (a redis.conf, or the options of a
// command line joined into lines). include directives call readFile.
func (c *Config) LoadString(text string, readFile func(path string) (string, error)) error {
	return c.loadString(text, readFile, 0)
}

// maxIncludeDepth bounds nested include directives, so that a file that
// includes itself is an error instead of an endless recursion.
const maxIncludeDepth = 32

func (c *Config) loadString(text string, readFile func(path string) (string, error), depth int) error {
	lines := strings.Split(text, "\n")
	for i, raw := range lines {
		line := strings.Trim(raw, " \t\r\n")
		if line == "" || line[0] == '#' {
			continue
		}
		fail := func(msg string) error { return &ConfigError{Line: i + 1, Text: line, Message: msg} }
		split, ok := resp.SplitArgs([]byte(line))
		if !ok {
			return fail("Unbalanced quotes in configuration line")
		}
		if len(split) == 0 {
			continue
		}
		argv := make([]string, len(split))
		for j, a := range split {
			argv[j] = string(a)
		}
		name := strings.ToLower(argv[0])
		if d := lookupDirective(name); d != nil {
			if err := c.Set(name, argv[1:]...); err != nil {
				return fail(err.Error())
			}
			continue
		}
		if deprecatedDirectives[name] && len(argv) == 2 {
			continue
		}
		switch {
		case name == "include" && len(argv) == 2:
			if readFile == nil {
				return fail("include is not supported here")
			}
			if depth >= maxIncludeDepth {
				return fail(fmt.Sprintf("Too many nested includes (more than %d)", maxIncludeDepth))
			}
			sub, err := readFile(argv[1])
			if err != nil {
				return fail(fmt.Sprintf("Fatal error, can't open config file '%s': %v", argv[1], err))
			}
			c.Includes = append(c.Includes, argv[1])
			if err := c.loadString(sub, readFile, depth+1); err != nil {
				return err
			}
		case name == "rename-command" && len(argv) == 3:
			c.Renames = append(c.Renames, [2]string{strings.ToLower(argv[1]), strings.ToLower(argv[2])})
		case name == "user" && len(argv) >= 2:
			if msg := validateUserDirective(argv[1:], c.Users); msg != "" {
				return fail(msg)
			}
			c.Users = append(c.Users, argv[1:])
		case name == "loadmodule" && len(argv) >= 2:
			return fail("Modules are not supported by replab")
		case strings.Contains(name, "."):
			if len(argv) < 2 {
				return fail("Module config specified without value")
			}
			return fail("Module configs are not supported by replab")
		case name == "sentinel":
			return fail("sentinel directive while not in sentinel mode")
		default:
			return fail("Bad directive or wrong number of arguments")
		}
	}
	return nil
}

// ArgsToConfig turns command-line options in redis-server's style into
// configuration text: "--port 7000 --replicaof 127.0.0.1 6379" becomes the
// lines "port 7000" and "replicaof 127.0.0.1 6379". Arguments are quoted
// so that spaces survive, as redis-server does.
func ArgsToConfig(args []string) string {
	var b strings.Builder
	for i, a := range args {
		if strings.HasPrefix(a, "--") && len(a) > 2 {
			if i > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(a[2:])
			b.WriteByte(' ')
			continue
		}
		b.WriteString(quoteArg(a))
		b.WriteByte(' ')
	}
	return b.String()
}

// quoteArg quotes s so that resp.SplitArgs reads it back unchanged (the
// escapes of Redis's sdscatrepr).
func quoteArg(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', '"':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\a':
			b.WriteString(`\a`)
		case '\b':
			b.WriteString(`\b`)
		default:
			if c < 0x20 || c == 0x7f {
				fmt.Fprintf(&b, `\x%02x`, c)
			} else {
				b.WriteByte(c)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}
