package keyspace

import (
	"math"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
)

func TestValueSize(t *testing.T) {
	// The layout is the point of Value: keep it at 24 bytes.
	assert.Equal(t, uintptr(24), unsafe.Sizeof(Value{}))
	assert.Equal(t, uintptr(48), unsafe.Sizeof(entry[Value]{}))
}

func TestStringEncodings(t *testing.T) {
	cases := []struct {
		in  string
		enc Encoding
	}{
		{"123", EncInt},
		{"-9223372036854775808", EncInt},
		{"9223372036854775808", EncEmbstr},
		{"0123", EncEmbstr},
		{"hello", EncEmbstr},
		{string(make([]byte, 44)), EncEmbstr},
		{string(make([]byte, 45)), EncRaw},
	}
	for _, c := range cases {
		v := NewString([]byte(c.in))
		assert.Equal(t, KindString, v.Kind())
		assert.Equal(t, c.enc, v.StringEncoding(), c.in)
		assert.Equal(t, c.in, string(v.Bytes(nil)))
		assert.Equal(t, len(c.in), v.Len())
	}
	v := NewInt(math.MinInt64)
	n, ok := v.Int()
	assert.True(t, ok)
	assert.Equal(t, int64(math.MinInt64), n)
}

func TestMutableBytes(t *testing.T) {
	v := NewString([]byte("12"))
	b := v.MutableBytes()
	assert.Equal(t, "12", string(b))
	assert.Equal(t, EncRaw, v.StringEncoding())
	v.SetBytes(append(b, "34"...))
	assert.Equal(t, "1234", string(v.Bytes(nil)))
	_, ok := v.Int()
	assert.False(t, ok)
}

func TestDBExpires(t *testing.T) {
	ks := New(16, 1)
	db := ks.DB(0)
	db.Put("a", NewString([]byte("1")))
	assert.False(t, db.SetExpireAt("missing", 5))
	assert.True(t, db.SetExpireAt("a", 100))
	when, ok := db.ExpireAt("a")
	assert.True(t, ok)
	assert.Equal(t, int64(100), when)
	assert.False(t, db.Expired("a", 100))
	assert.True(t, db.Expired("a", 101))
	var got []string
	sampled, expired := db.SampleExpired(200, 20, func(k string) { got = append(got, k) })
	assert.Equal(t, 1, sampled)
	assert.Equal(t, 1, expired)
	assert.Equal(t, []string{"a"}, got)
	assert.True(t, db.Delete("a"))
	assert.Equal(t, 0, db.ExpiresLen())
	// SWAPDB moves contents, not identities.
	ks.DB(1).Put("b", NewInt(1))
	ks.Swap(0, 1)
	assert.True(t, ks.DB(0).Exists("b"))
	assert.Equal(t, 0, ks.DB(0).ID)
}
