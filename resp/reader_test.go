package resp

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readAll feeds in whole and collects the requests and the first error.
func readAll(t *testing.T, r *CommandReader, chunks ...string) ([][]string, error) {
	t.Helper()
	var out [][]string
	for _, c := range chunks {
		if err := r.Feed([]byte(c)); err != nil {
			return out, err
		}
		for {
			args, err := r.Next()
			if err != nil {
				return out, err
			}
			if args == nil {
				break
			}
			if len(args) == 0 {
				continue
			}
			var s []string
			for _, a := range args {
				s = append(s, string(a))
			}
			out = append(out, s)
		}
	}
	return out, nil
}

func TestCommandReader(t *testing.T) {
	cases := []struct {
		name  string
		in    string
		want  [][]string
		err   string
		setup func(*CommandReader)
	}{
		{name: "multibulk", in: "*2\r\n$3\r\nGET\r\n$1\r\na\r\n", want: [][]string{{"GET", "a"}}},
		{name: "pipeline", in: "*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n", want: [][]string{{"PING"}, {"ECHO", "hi"}}},
		{name: "binary", in: "*1\r\n$3\r\na\r\n\r\n", want: [][]string{{"a\r\n"}}},
		{name: "empty bulk", in: "*2\r\n$4\r\nECHO\r\n$0\r\n\r\n", want: [][]string{{"ECHO", ""}}},
		{name: "zero multibulk", in: "*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n", want: [][]string{{"PING"}}},
		{name: "inline", in: "SET a b\r\nGET a\n", want: [][]string{{"SET", "a", "b"}, {"GET", "a"}}},
		{name: "inline quotes", in: "SET \"a b\" 'c d'\r\n", want: [][]string{{"SET", "a b", "c d"}}},
		{name: "inline escapes", in: "ECHO \"\\x41\\n\\\"\"\r\n", want: [][]string{{"ECHO", "A\n\""}}},
		{name: "inline blank", in: "\r\n\n  \r\nPING\r\n", want: [][]string{{"PING"}}},
		{name: "unbalanced quotes", in: "ECHO \"abc\r\n", err: ErrUnbalancedQuotes},
		{name: "quote then text", in: "ECHO \"a\"b\r\n", err: ErrUnbalancedQuotes},
		{name: "bad multibulk", in: "*x\r\n", err: ErrInvalidMultibulk},
		{name: "huge multibulk", in: "*2147483648\r\n", err: ErrInvalidMultibulk},
		{name: "bad bulk length", in: "*1\r\n$-1\r\n", err: ErrInvalidBulkLength},
		{name: "2GB bulk", in: "*1\r\n$2147483648\r\n", err: ErrInvalidBulkLength},
		{name: "expected dollar", in: "*1\r\n:1\r\n", err: "ERR Protocol error: expected '$', got ':'"},
		{name: "commands before the error run", in: "*1\r\n$4\r\nPING\r\n*1\r\n+x\r\n", want: [][]string{{"PING"}}, err: "ERR Protocol error: expected '$', got '+'"},
		{name: "leading zero length", in: "*01\r\n", err: ErrInvalidMultibulk},
		{name: "unauthenticated multibulk", in: "*11\r\n", err: ErrUnauthMultibulk,
			setup: func(r *CommandReader) { r.AuthRequired = true }},
		{name: "unauthenticated bulk", in: "*1\r\n$16385\r\n", err: ErrUnauthBulkLength,
			setup: func(r *CommandReader) { r.AuthRequired = true }},
		{name: "bulk over the configured limit", in: "*1\r\n$11\r\n", err: ErrInvalidBulkLength,
			setup: func(r *CommandReader) { r.Limits.MaxBulkLen = 10 }},
		{name: "too big inline", in: strings.Repeat("a", MaxInline+1), err: ErrTooBigInline},
		{name: "too big mbulk count", in: "*" + strings.Repeat("1", MaxInline+1), err: ErrTooBigMbulkCount},
		{name: "too big bulk count", in: "*1\r\n$" + strings.Repeat("1", MaxInline+1), err: ErrTooBigBulkCount},
		{name: "incomplete", in: "*2\r\n$3\r\nGET\r\n$1\r\n", want: nil},
		{name: "nul ends inline", in: "ECHO a\x00b\r\n", want: [][]string{{"ECHO", "a"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// Whole, then split at every offset: the result must not depend
			// on how the bytes arrive.
			splits := []int{-1}
			if len(c.in) < 400 {
				for i := 1; i < len(c.in); i++ {
					splits = append(splits, i)
				}
			}
			for _, at := range splits {
				r := &CommandReader{}
				if c.setup != nil {
					c.setup(r)
				}
				chunks := []string{c.in}
				if at > 0 {
					chunks = []string{c.in[:at], c.in[at:]}
				}
				got, err := readAll(t, r, chunks...)
				assert.Equal(t, c.want, got, "split at %d", at)
				if c.err == "" {
					assert.NoError(t, err, "split at %d", at)
				} else {
					var pe *ProtocolError
					require.True(t, errors.As(err, &pe), "split at %d: %v", at, err)
					assert.Equal(t, c.err, pe.Reply, "split at %d", at)
				}
			}
		})
	}
}

func TestCommandReaderByteByByte(t *testing.T) {
	in := "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\nPING\r\n*1\r\n$4\r\nQUIT\r\n"
	r := &CommandReader{}
	var got [][]string
	var sizes []int
	for i := 0; i < len(in); i++ {
		require.NoError(t, r.Feed([]byte{in[i]}))
		for {
			args, err := r.Next()
			require.NoError(t, err)
			if args == nil {
				break
			}
			var s []string
			for _, a := range args {
				s = append(s, string(a))
			}
			got = append(got, s)
			sizes = append(sizes, r.LastSize())
		}
	}
	assert.Equal(t, [][]string{{"SET", "key", "value"}, {"PING"}, {"QUIT"}}, got)
	assert.Equal(t, []int{33, 6, 14}, sizes)
	assert.Equal(t, 0, r.Buffered())
}

func TestQueryBufferLimit(t *testing.T) {
	r := &CommandReader{Limits: Limits{MaxQueryBuffer: 100}}
	require.NoError(t, r.Feed([]byte("*1\r\n$200\r\n")))
	_, err := r.Next()
	require.NoError(t, err)
	err = r.Feed(make([]byte, 100))
	assert.ErrorIs(t, err, ErrQueryBufferLimit)
}

func TestFromMaster(t *testing.T) {
	r := &CommandReader{FromMaster: true, Limits: Limits{MaxBulkLen: 4}}
	got, err := readAll(t, r, "\n*1\r\n$10\r\n0123456789\r\n")
	require.NoError(t, err)
	assert.Equal(t, [][]string{{"0123456789"}}, got)
	_, err = readAll(t, r, "SET a b\r\n")
	var pe *ProtocolError
	require.True(t, errors.As(err, &pe))
}

func TestSplitArgs(t *testing.T) {
	cases := []struct {
		in   string
		want []string
		ok   bool
	}{
		{"", nil, true},
		{"  a  b ", []string{"a", "b"}, true},
		{`"a\tb" 'it\'s'`, []string{"a\tb", "it's"}, true},
		{`""`, []string{""}, true},
		{`"\x4g"`, []string{"x4g"}, true},
		{`'abc`, nil, false},
		{`"abc"x`, nil, false},
		{`a"b c"`, []string{"ab c"}, true},
	}
	for _, c := range cases {
		args, ok := SplitArgs([]byte(c.in))
		assert.Equal(t, c.ok, ok, c.in)
		var got []string
		for _, a := range args {
			got = append(got, string(a))
		}
		assert.Equal(t, c.want, got, c.in)
	}
}

// FuzzCommandReader checks that no input makes the reader panic, loop or
// return arguments outside the input, and that splitting the input in two
// never changes what is parsed.
func FuzzCommandReader(f *testing.F) {
	for _, s := range []string{
		"*2\r\n$3\r\nGET\r\n$1\r\na\r\n",
		"PING\r\n",
		"SET \"a\\x00\" 'b'\r\n",
		"*1\r\n$2147483648\r\n",
		"*-1\r\n*0\r\n",
		"*3\r\n$1\r\n",
		"$\r\n",
	} {
		f.Add([]byte(s), uint16(3), false)
	}
	f.Fuzz(func(t *testing.T, in []byte, split uint16, auth bool) {
		parse := func(chunks ...[]byte) ([]string, string) {
			r := &CommandReader{AuthRequired: auth, Limits: Limits{MaxBulkLen: 1 << 20, MaxQueryBuffer: 1 << 22}}
			var out []string
			for _, c := range chunks {
				if err := r.Feed(c); err != nil {
					return out, err.Error()
				}
				for i := 0; ; i++ {
					if i > len(in)+2 {
						t.Fatalf("reader does not make progress")
					}
					args, err := r.Next()
					if err != nil {
						return out, err.Error()
					}
					if args == nil {
						break
					}
					out = append(out, strings.Join(toStrings(args), "\x00")+"|")
				}
			}
			return out, ""
		}
		whole, werr := parse(in)
		at := int(split) % (len(in) + 1)
		parts, perr := parse(in[:at], in[at:])
		if werr != perr || strings.Join(whole, "") != strings.Join(parts, "") {
			// Errors that depend on how much is buffered (the 64k line
			// limits) cannot differ for inputs this small.
			t.Fatalf("split at %d changed the result: %q %q vs %q %q", at, whole, werr, parts, perr)
		}
	})
}

func toStrings(args [][]byte) []string {
	s := make([]string, len(args))
	for i, a := range args {
		s[i] = string(a)
	}
	return s
}
