package node

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseSyntax(t *testing.T) {
	args := simplify(ParseSyntax("key value [NX | XX] [GET] [EX seconds:integer | KEEPTTL]"))
	require.Len(t, args, 5)
	assert.Equal(t, Arg{Name: "key", Type: "key", KeySpecIndex: 0}, args[0])
	assert.Equal(t, "string", args[1].Type)
	assert.Equal(t, "oneof", args[2].Type)
	assert.True(t, args[2].Optional)
	assert.Equal(t, "NX", args[2].Args[0].Token)
	assert.Equal(t, "pure-token", args[2].Args[0].Type)
	assert.Equal(t, Arg{Name: "get", Type: "pure-token", Token: "GET", Optional: true, KeySpecIndex: -1}, args[3])
	assert.Equal(t, Arg{Name: "seconds", Type: "integer", Token: "EX", KeySpecIndex: -1}, args[4].Args[0])

	multi := simplify(ParseSyntax("key [key ...]"))
	require.Len(t, multi, 1)
	assert.True(t, multi[0].Multiple)

	pairs := simplify(ParseSyntax("key value [key value ...]"))
	require.Len(t, pairs, 1)
	assert.Equal(t, "block", pairs[0].Type)
	assert.True(t, pairs[0].Multiple)
	assert.Len(t, pairs[0].Args, 2)

	nested := simplify(ParseSyntax("[protover:integer [AUTH username password] [SETNAME clientname]]"))
	require.Len(t, nested, 1)
	assert.True(t, nested[0].Optional)

	// Every registered command's syntax parses without losing words.
	for _, def := range commandDefs {
		for _, cmd := range append([]*Command{def}, subsOf(def)...) {
			if cmd.Docs.Syntax == "" {
				continue
			}
			args := cmd.docArgs()
			assert.NotEmpty(t, args, cmd.Name)
		}
	}
}

func subsOf(c *Command) []*Command {
	var out []*Command
	for _, s := range c.Sub {
		out = append(out, s)
	}
	return out
}
