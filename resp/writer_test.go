package resp

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestWriter(t *testing.T) {
	cases := []struct {
		name  string
		write func(w *Writer)
		resp2 string
		resp3 string
	}{
		{"ok", func(w *Writer) { w.OK() }, "+OK\r\n", "+OK\r\n"},
		{"error newline", func(w *Writer) { w.Error("ERR a\r\nb") }, "-ERR a  b\r\n", "-ERR a  b\r\n"},
		{"int", func(w *Writer) { w.Int(-42) }, ":-42\r\n", ":-42\r\n"},
		{"bulk", func(w *Writer) { w.BulkString("hi") }, "$2\r\nhi\r\n", "$2\r\nhi\r\n"},
		{"null", func(w *Writer) { w.Null() }, "$-1\r\n", "_\r\n"},
		{"null array", func(w *Writer) { w.NullArray() }, "*-1\r\n", "_\r\n"},
		{"map", func(w *Writer) { w.Map(1); w.BulkString("a"); w.Int(1) }, "*2\r\n$1\r\na\r\n:1\r\n", "%1\r\n$1\r\na\r\n:1\r\n"},
		{"set", func(w *Writer) { w.Set(0) }, "*0\r\n", "~0\r\n"},
		{"push", func(w *Writer) { w.Push(0) }, "*0\r\n", ">0\r\n"},
		{"double", func(w *Writer) { w.Double(1.1) }, "$18\r\n1.1000000000000001\r\n", ",1.1000000000000001\r\n"},
		{"inf", func(w *Writer) { w.Double(math.Inf(-1)) }, "$4\r\n-inf\r\n", ",-inf\r\n"},
		{"bool", func(w *Writer) { w.Bool(true) }, ":1\r\n", "#t\r\n"},
		{"verbatim", func(w *Writer) { w.Verbatim("txt", "x") }, "$1\r\nx\r\n", "=5\r\ntxt:x\r\n"},
		{"big number", func(w *Writer) { w.BigNumber("123") }, "$3\r\n123\r\n", "(123\r\n"},
		{"deferred", func(w *Writer) {
			d := w.Defer()
			w.Int(1)
			w.Int(2)
			w.FillArray(d, 2)
		}, "*2\r\n:1\r\n:2\r\n", "*2\r\n:1\r\n:2\r\n"},
		{"deferred map", func(w *Writer) {
			w.Int(0)
			d := w.Defer()
			w.BulkString("k")
			w.BulkString("v")
			w.FillMap(d, 1)
		}, ":0\r\n*2\r\n$1\r\nk\r\n$1\r\nv\r\n", ":0\r\n%1\r\n$1\r\nk\r\n$1\r\nv\r\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w2, w3 := NewWriter(2), NewWriter(3)
			c.write(w2)
			c.write(w3)
			assert.Equal(t, c.resp2, string(w2.Bytes()))
			assert.Equal(t, c.resp3, string(w3.Bytes()))
		})
	}
}

func TestReplyReaderRoundTrip(t *testing.T) {
	w := NewWriter(3)
	w.Map(2)
	w.BulkString("k")
	w.Array(3)
	w.Int(1)
	w.Null()
	w.Double(2.5)
	w.SimpleString("s")
	w.Set(1)
	w.Bool(false)
	w.Verbatim("txt", "hello")
	w.Error("ERR x")
	w.BigNumber("99")
	in := w.Bytes()
	for at := 0; at <= len(in); at++ {
		var r ReplyReader
		r.Feed(in[:at])
		var got []byte
		for {
			v, ok, err := r.Next()
			assert.NoError(t, err)
			if !ok {
				break
			}
			got = v.Encode(got)
		}
		r.Feed(in[at:])
		for {
			v, ok, err := r.Next()
			assert.NoError(t, err)
			if !ok {
				break
			}
			got = v.Encode(got)
		}
		assert.Equal(t, string(in), string(got), "split at %d", at)
	}
}

func TestReplyReaderResp2Nulls(t *testing.T) {
	var r ReplyReader
	r.Feed([]byte("$-1\r\n*-1\r\n|1\r\n+a\r\n+b\r\n:5\r\n"))
	v, ok, err := r.Next()
	assert.True(t, ok)
	assert.NoError(t, err)
	assert.True(t, v.Null)
	assert.Equal(t, KindBulk, v.Kind)
	v, _, _ = r.Next()
	assert.True(t, v.Null)
	assert.Equal(t, KindArray, v.Kind)
	v, _, _ = r.Next() // the attribute is skipped
	assert.Equal(t, int64(5), v.Int)
}

func FuzzReplyReader(f *testing.F) {
	f.Add([]byte("*2\r\n$1\r\na\r\n%1\r\n+k\r\n,1.5\r\n"))
	f.Add([]byte("=5\r\ntxt:x\r\n"))
	f.Add([]byte("*99999999\r\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		var r ReplyReader
		r.Feed(in)
		for i := 0; i <= len(in); i++ {
			v, ok, err := r.Next()
			if err != nil || !ok {
				return
			}
			// What was parsed must encode and parse back to itself.
			enc := v.Encode(nil)
			var r2 ReplyReader
			r2.Feed(enc)
			v2, ok2, err2 := r2.Next()
			if err2 != nil || !ok2 || string(v2.Encode(nil)) != string(enc) {
				t.Fatalf("round trip of %q failed: %v", enc, err2)
			}
		}
	})
}
