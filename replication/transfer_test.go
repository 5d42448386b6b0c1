package replication

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// transferRun is everything a Transfer produced for some input.
type transferRun struct {
	payload   []byte
	rest      []byte
	done      bool
	err       string
	keepalive bool
	logs      []string
	total     int64
	read      int64
}

func runTransfer(toParser bool, chunks ...[]byte) transferRun {
	tr := NewTransfer(toParser)
	var r transferRun
	for i, c := range chunks {
		st, err := tr.Feed(c)
		for _, p := range st.Payload {
			r.payload = append(r.payload, p...)
		}
		r.keepalive = r.keepalive || st.Keepalive
		for _, l := range st.Log {
			r.logs = append(r.logs, l.Text)
		}
		if err != nil {
			r.err = err.Error()
			break
		}
		if st.Done {
			r.done = true
			r.rest = append(r.rest, st.Rest...)
			for _, c := range chunks[i+1:] {
				r.rest = append(r.rest, c...)
			}
			break
		}
	}
	r.total, r.read = tr.TotalBytes(), tr.ReadBytes()
	if r.done && int64(len(r.payload)) != tr.PayloadBytes() {
		r.err = "PayloadBytes disagrees with the payload"
	}
	return r
}

func (r transferRun) same(o transferRun) bool {
	return bytes.Equal(r.payload, o.payload) && bytes.Equal(r.rest, o.rest) && r.done == o.done && r.err == o.err &&
		r.total == o.total && r.read == o.read
}

func TestTransfer(t *testing.T) {
	mark := "0123456789abcdef0123456789abcdef01234567"
	big := strings.Repeat("x", 5000)
	cases := []struct {
		name      string
		in        string
		payload   string
		rest      string
		done      bool
		err       string
		keepalive bool
		log       string
		total     int64
		read      int64
	}{
		{name: "sized", in: "$5\r\nhello*1\r\n", payload: "hello", rest: "*1\r\n", done: true,
			log: "MASTER <-> REPLICA sync: receiving 5 bytes from master to disk", total: 5, read: 5},
		{name: "sized, LF only", in: "$5\nhello", payload: "hello", done: true, total: 5, read: 5},
		{name: "sized, incomplete", in: "$5\r\nhel", payload: "hel", total: 5, read: 3},
		{name: "header incomplete", in: "$12", total: -1},
		{name: "keepalives first", in: "\n\n\r\n$3\r\nabc", payload: "abc", done: true, keepalive: true, total: 3, read: 3},
		{name: "only keepalives", in: "\n\n", keepalive: true, total: -1},
		{name: "empty payload", in: "$0\r\n*1\r\n", rest: "*1\r\n", done: true, total: 0},
		{name: "length read like strtol", in: "$3abc\r\nxyz", payload: "xyz", done: true, total: 3, read: 3},
		{name: "a NUL ends the header", in: "$2\x00junk\r\nab", payload: "ab", done: true, total: 2, read: 2},
		{name: "negative length", in: "$-1\r\n", total: -1,
			err: "Bad protocol from MASTER, negative payload length (we received '$-1')"},
		{name: "master error", in: "-ERR something bad\r\n", total: -1, err: "MASTER aborted replication with an error: ERR something bad"},
		{name: "not a bulk", in: "+OK\r\n", total: -1,
			err: "Bad protocol from MASTER, the first byte is not '$' (we received '+OK'), are you sure the host and port are right?"},
		{name: "marked", in: "$EOF:" + mark + "\r\nRDB-DATA" + mark + "*1\r\n$4\r\nPING\r\n", payload: "RDB-DATA",
			rest: "*1\r\n$4\r\nPING\r\n", done: true, log: "MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to disk",
			total: 0, read: 48},
		{name: "marked, empty payload", in: "$EOF:" + mark + "\r\n" + mark, done: true, total: 0, read: 40},
		{name: "marked, big payload", in: "$EOF:" + mark + "\r\n" + big + mark + "z", payload: big, rest: "z", done: true, read: 5040},
		{name: "marked, a near miss in the payload", in: "$EOF:" + mark + "\r\n" + mark[:39] + "!" + mark[1:] + mark, payload: mark[:39] + "!" + mark[1:],
			done: true, read: 119},
		{name: "marked, the first occurrence ends it", in: "$EOF:" + mark + "\r\nab" + mark + "cd" + mark, payload: "ab", rest: "cd" + mark, done: true, read: 42},
		{name: "marked, no end yet", in: "$EOF:" + mark + "\r\n" + big, payload: big[:len(big)-39], read: 5000},
		{name: "mark longer than 40: the first 40 count", in: "$EOF:" + mark + "EXTRA\r\nxy" + mark, payload: "xy", done: true, read: 42},
		{name: "mark too short: a length of 0", in: "$EOF:abc\r\nxyz", rest: "xyz", done: true, total: 0},
		{name: "header cut at 1023 bytes", in: "$" + strings.Repeat("0", 1021) + "3" + "\r\nab", payload: "\r\na", rest: "b", done: true, total: 3, read: 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runTransfer(false, []byte(c.in))
			assert.Equal(t, c.payload, string(r.payload))
			assert.Equal(t, c.rest, string(r.rest))
			assert.Equal(t, c.done, r.done)
			assert.Equal(t, c.err, r.err)
			assert.Equal(t, c.keepalive, r.keepalive)
			if c.log != "" {
				assert.Equal(t, []string{c.log}, r.logs)
			}
			if c.total != 0 || c.done {
				assert.Equal(t, c.total, r.total, "total")
			}
			if c.read != 0 {
				assert.Equal(t, c.read, r.read, "read")
			}
			for i := 1; i < len(c.in); i++ {
				s := runTransfer(false, []byte(c.in[:i]), []byte(c.in[i:]))
				require.True(t, r.same(s), "split at %d: %+v vs %+v", i, s, r)
			}
			var bytewise [][]byte
			for i := range c.in {
				bytewise = append(bytewise, []byte(c.in[i:i+1]))
			}
			require.True(t, r.same(runTransfer(false, bytewise...)), "byte by byte")
		})
	}
}

func TestTransferLifecycle(t *testing.T) {
	mark := strings.Repeat("m", 40)
	tr := NewTransfer(true)
	assert.Equal(t, int64(-1), tr.TotalBytes())
	st, err := tr.Feed([]byte("$EOF:" + mark + "\r\nab"))
	require.NoError(t, err)
	assert.Equal(t, []LogLine{{LogNotice, "MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to parser"}}, st.Log)
	assert.True(t, tr.Marked())
	assert.Empty(t, bytes.Join(st.Payload, nil), "held back: it may be the start of the mark")
	st, err = tr.Feed([]byte(strings.Repeat("c", 50)))
	require.NoError(t, err)
	assert.Equal(t, "ab"+strings.Repeat("c", 11), string(bytes.Join(st.Payload, nil)))
	assert.Len(t, st.Payload, 2, "the held bytes and a view of the input")
	held := st.Payload[0]
	st, err = tr.Feed([]byte(mark + "rest"))
	require.NoError(t, err)
	assert.True(t, st.Done)
	assert.True(t, tr.Done())
	assert.Equal(t, strings.Repeat("c", 39), string(bytes.Join(st.Payload, nil)))
	assert.Equal(t, "rest", string(st.Rest))
	assert.Equal(t, int64(52), tr.PayloadBytes())
	assert.Equal(t, int64(2+50+40), tr.ReadBytes())
	_ = held
	_, err = tr.Feed([]byte("x"))
	require.Error(t, err, "Feed after the end")
	assert.False(t, errors.Is(err, ErrTransfer))

	tr = NewTransfer(false)
	_, err = tr.Feed([]byte("-ERR x\r\n"))
	var te *TransferError
	require.ErrorAs(t, err, &te)
	assert.True(t, errors.Is(err, ErrTransfer))
	_, err = tr.Feed([]byte("$1\r\n"))
	require.Error(t, err, "Feed after a failure")

	tr = NewTransfer(false)
	st, err = tr.Feed([]byte("$4\r\nab"))
	require.NoError(t, err)
	assert.False(t, tr.Marked())
	assert.Equal(t, "ab", string(bytes.Join(st.Payload, nil)))
	assert.Equal(t, cap(st.Payload[0]), len(st.Payload[0]), "views are clipped")
	st, err = tr.Feed(nil)
	require.NoError(t, err)
	assert.Empty(t, st.Payload)
	assert.False(t, st.Done)
}

// FuzzTransfer: any input, whole or split in two, gives the same result and
// never panics.
func FuzzTransfer(f *testing.F) {
	mark := strings.Repeat("q", 40)
	f.Add([]byte("\n$5\r\nhello*1\r\n"), uint16(3))
	f.Add([]byte("$EOF:"+mark+"\r\nabc"+mark[:20]+"x"+mark+"tail"), uint16(50))
	f.Add([]byte("-ERR x\r\n"), uint16(1))
	f.Add([]byte("$0\r\n"), uint16(2))
	f.Fuzz(func(t *testing.T, in []byte, split uint16) {
		whole := runTransfer(false, in)
		if whole.err == "PayloadBytes disagrees with the payload" {
			t.Fatal(whole.err)
		}
		if len(in) < 2 {
			return
		}
		i := 1 + int(split)%(len(in)-1)
		got := runTransfer(false, in[:i], in[i:])
		if !got.same(whole) {
			t.Fatalf("split at %d: %+v; whole: %+v", i, got, whole)
		}
	})
}

// FuzzTransferRoundTrip frames any payload both ways and checks it comes
// back intact with the following bytes, whatever the three-way split.
func FuzzTransferRoundTrip(f *testing.F) {
	f.Add([]byte("REDIS0010\xff"), []byte("*1\r\n"), byte(7), uint16(1), uint16(9))
	f.Add([]byte{}, []byte{}, byte(0), uint16(0), uint16(0))
	f.Add([]byte(strings.Repeat("a", 100)), []byte("x"), byte('a'), uint16(60), uint16(61))
	f.Fuzz(func(t *testing.T, payload, rest []byte, markByte byte, s1, s2 uint16) {
		if markByte == 0 || markByte == '\n' {
			markByte = 'x' // a header line cannot carry them
		}
		mark := bytes.Repeat([]byte{markByte}, 40)
		mark[17] = 'M' // a mark cannot be all one byte, so runs in the payload stay payload-like
		if bytes.Contains(payload, mark) {
			return
		}
		sized := append([]byte("\n$"+strconv.Itoa(len(payload))+"\r\n"), payload...)
		sized = append(sized, rest...)
		marked := append([]byte("$EOF:"+string(mark)+"\r\n"), payload...)
		marked = append(marked, mark...)
		marked = append(marked, rest...)
		if bytes.Contains(append(append([]byte(nil), payload...), mark[:39]...), mark) {
			return // the mark would end the payload early
		}
		for _, in := range [][]byte{sized, marked} {
			a, b := int(s1)%(len(in)+1), int(s2)%(len(in)+1)
			if a > b {
				a, b = b, a
			}
			r := runTransfer(false, in[:a], in[a:b], in[b:])
			if !r.done || r.err != "" {
				t.Fatalf("not done: %+v", r)
			}
			if !bytes.Equal(r.payload, payload) || !bytes.Equal(r.rest, rest) {
				t.Fatalf("payload %q rest %q, want %q %q (input %q)", r.payload, r.rest, payload, rest, in)
			}
		}
	})
}
