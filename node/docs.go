package node

import (
	"strings"
)

// Arg is one node of a command's argument tree, as COMMAND DOCS reports
// it: a plain argument (key, string, integer, double, pattern, unix-time),
// a token ("pure-token", or a token followed by its value), or a group of
// arguments ("oneof", "block").
type Arg struct {
	Name          string
	Type          string
	Token         string
	Optional      bool
	Multiple      bool
	MultipleToken bool
	KeySpecIndex  int // -1 when not a key
	Args          []Arg
}

var argTypes = map[string]bool{"integer": true, "double": true, "key": true, "string": true, "pattern": true, "unix-time": true}

// ParseSyntax parses a command's documentation syntax, for example
// "key value [NX | XX] [GET] [EX seconds:integer | KEEPTTL]", into its
// argument tree. "x [x ...]" marks x multiple; "a | b" is a oneof; an
// UPPERCASE word is a token, with the value that follows it if any; a
// ":type" suffix gives a plain argument's type (string by default, key for
// names ending in "key").
func ParseSyntax(syntax string) []Arg {
	p := &syntaxParser{toks: tokenizeSyntax(syntax)}
	args := p.seq()
	keyIdx := 0
	assignKeySpecs(args, &keyIdx, map[string]int{})
	return args
}

func tokenizeSyntax(s string) []string {
	var out []string
	cur := ""
	flush := func() {
		if cur != "" {
			out = append(out, cur)
			cur = ""
		}
	}
	for i := 0; i < len(s); i++ {
		switch ch := s[i]; ch {
		case ' ':
			flush()
		case '[', ']', '(', ')', '|':
			flush()
			out = append(out, string(ch))
		default:
			cur += string(ch)
		}
	}
	flush()
	return out
}

type syntaxParser struct {
	toks []string
	pos  int
}

func (p *syntaxParser) peek() string {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return ""
}

func isSyntaxToken(w string) bool {
	if w == "" || w == "..." || strings.ContainsAny(w, "[]()|:") {
		return false
	}
	letter := false
	for _, r := range w {
		switch {
		case r >= 'A' && r <= 'Z':
			letter = true
		case r >= '0' && r <= '9', r == '-', r == '_', r == '.':
		default:
			return false
		}
	}
	return letter
}

func plainArg(w string) Arg {
	name, typ := w, ""
	if i := strings.LastIndexByte(w, ':'); i > 0 && argTypes[w[i+1:]] {
		name, typ = w[:i], w[i+1:]
	}
	if typ == "" {
		typ = "string"
		if strings.HasSuffix(name, "key") {
			typ = "key"
		}
	}
	return Arg{Name: name, Type: typ, KeySpecIndex: -1}
}

// seq parses elements until a closing bracket, a '|' or the end.
func (p *syntaxParser) seq() []Arg {
	var out []Arg
	for {
		t := p.peek()
		switch t {
		case "", "]", ")", "|":
			return out
		case "[":
			p.pos++
			inner := p.alternatives()
			if p.peek() == "]" {
				p.pos++
			}
			// "x [x ...]": the group repeats what precedes it.
			if n := len(inner.Args); inner.Type == "block" && n > 0 && inner.Args[n-1].Name == "..." {
				body := inner.Args[:n-1]
				if k := len(body); k > 0 && k <= len(out) && sameArgs(out[len(out)-k:], body) {
					if k == 1 {
						out[len(out)-1].Multiple = true
					} else {
						blk := Arg{Name: body[0].Name, Type: "block", KeySpecIndex: -1, Multiple: true, Args: append([]Arg(nil), out[len(out)-k:]...)}
						out = append(out[:len(out)-k], blk)
					}
					continue
				}
				if len(body) == 1 {
					a := body[0]
					a.Optional, a.Multiple = true, true
					out = append(out, a)
				} else {
					out = append(out, Arg{Name: body[0].Name, Type: "block", KeySpecIndex: -1, Optional: true, Multiple: true, Args: body})
				}
				continue
			}
			inner.Optional = true
			out = append(out, inner)
		case "(":
			p.pos++
			inner := p.alternatives()
			if p.peek() == ")" {
				p.pos++
			}
			out = append(out, inner)
		case "...":
			p.pos++
			out = append(out, Arg{Name: "...", Type: "string", KeySpecIndex: -1})
		default:
			p.pos++
			if isSyntaxToken(t) {
				next := p.peek()
				if next != "" && next != "..." && !isSyntaxToken(next) && !strings.ContainsAny(next, "[]()|") {
					p.pos++
					a := plainArg(next)
					a.Token = t
					out = append(out, a)
				} else {
					out = append(out, Arg{Name: strings.ToLower(t), Type: "pure-token", Token: t, KeySpecIndex: -1})
				}
				continue
			}
			out = append(out, plainArg(t))
		}
	}
}

// alternatives parses "seq | seq | ..." and returns one argument: the item
// itself, a block of several items, or a oneof.
func (p *syntaxParser) alternatives() Arg {
	var alts []Arg
	for {
		s := p.seq()
		alts = append(alts, group(s))
		if p.peek() != "|" {
			break
		}
		p.pos++
	}
	if len(alts) == 1 {
		a := alts[0]
		if a.Type != "block" {
			// Keep single items as a block of one so that callers can
			// see "..." at its end.
			return Arg{Name: a.Name, Type: "block", KeySpecIndex: -1, Args: []Arg{a}}
		}
		return a
	}
	name := alts[0].Name
	return Arg{Name: name, Type: "oneof", KeySpecIndex: -1, Args: alts}
}

func group(s []Arg) Arg {
	if len(s) == 1 {
		return s[0]
	}
	name := ""
	if len(s) > 0 {
		name = s[0].Name
	}
	return Arg{Name: name, Type: "block", KeySpecIndex: -1, Args: s}
}

func sameArgs(a, b []Arg) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Name != b[i].Name || a[i].Token != b[i].Token || a[i].Type != b[i].Type {
			return false
		}
	}
	return true
}

// Optional single-item blocks produced by alternatives are unwrapped so
// that "[GET]" is an optional pure token, as Redis describes it.
func simplify(args []Arg) []Arg {
	for i := range args {
		a := &args[i]
		if a.Type == "block" && len(a.Args) == 1 && !a.Multiple {
			inner := a.Args[0]
			inner.Optional = inner.Optional || a.Optional
			*a = inner
		}
		if len(a.Args) > 0 {
			a.Args = simplify(a.Args)
		}
	}
	return args
}

func assignKeySpecs(args []Arg, next *int, seen map[string]int) {
	for i := range args {
		a := &args[i]
		if a.Type == "key" {
			if idx, ok := seen[a.Name]; ok {
				a.KeySpecIndex = idx
			} else {
				a.KeySpecIndex = *next
				seen[a.Name] = *next
				*next++
			}
		}
		assignKeySpecs(a.Args, next, seen)
	}
}

// docArgs returns the argument tree of a command, parsed once.
func (cmd *Command) docArgs() []Arg {
	if cmd.parsedArgs == nil && cmd.Docs.Syntax != "" {
		args := simplify(ParseSyntax(cmd.Docs.Syntax))
		maxKey := len(cmd.Keys) - 1
		clampKeySpecs(args, maxKey)
		cmd.parsedArgs = args
	}
	return cmd.parsedArgs
}

func clampKeySpecs(args []Arg, max int) {
	for i := range args {
		if args[i].KeySpecIndex > max {
			args[i].KeySpecIndex = max
		}
		clampKeySpecs(args[i].Args, max)
	}
}

func (n *Node) replyArgs(c *client, args []Arg) {
	c.w.Array(len(args))
	for _, a := range args {
		fields := 2
		if a.KeySpecIndex >= 0 {
			fields++
		}
		if a.Token != "" {
			fields++
		}
		flags := []string{}
		if a.Optional {
			flags = append(flags, "optional")
		}
		if a.Multiple {
			flags = append(flags, "multiple")
		}
		if a.MultipleToken {
			flags = append(flags, "multiple_token")
		}
		if len(flags) > 0 {
			fields++
		}
		if a.Type == "oneof" || a.Type == "block" {
			fields++
		}
		c.w.Map(fields)
		c.bulkString("name")
		c.bulkString(a.Name)
		c.bulkString("type")
		c.bulkString(a.Type)
		if a.KeySpecIndex >= 0 {
			c.bulkString("key_spec_index")
			c.int(int64(a.KeySpecIndex))
		}
		if a.Token != "" {
			c.bulkString("token")
			c.bulkString(a.Token)
		}
		if len(flags) > 0 {
			c.bulkString("flags")
			c.w.Set(len(flags))
			for _, f := range flags {
				c.w.SimpleString(f)
			}
		}
		if a.Type == "oneof" || a.Type == "block" {
			c.bulkString("arguments")
			n.replyArgs(c, a.Args)
		}
	}
}
