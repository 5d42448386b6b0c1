package num

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestParseInt(t *testing.T) {
	cases := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true},
		{"-0", 0, false},
		{"007", 0, false},
		{"12", 12, true},
		{"-12", -12, true},
		{"+12", 0, false},
		{" 12", 0, false},
		{"12 ", 0, false},
		{"", 0, false},
		{"-", 0, false},
		{"9223372036854775807", math.MaxInt64, true},
		{"9223372036854775808", 0, false},
		{"-9223372036854775808", math.MinInt64, true},
		{"-9223372036854775809", 0, false},
		{"18446744073709551616", 0, false},
		{"1e3", 0, false},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			got, ok := ParseInt([]byte(c.in))
			assert.Equal(t, c.ok, ok)
			if ok {
				assert.Equal(t, c.want, got)
			}
			got2, ok2 := ParseIntString(c.in)
			assert.Equal(t, ok, ok2)
			assert.Equal(t, got, got2)
		})
	}
}

func TestParseFloat(t *testing.T) {
	cases := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"1.5", 1.5, true},
		{"-1e3", -1000, true},
		{"inf", math.Inf(1), true},
		{"-Infinity", math.Inf(-1), true},
		{"+inf", math.Inf(1), true},
		{"nan", 0, false},
		{" 1", 0, false},
		{"1 ", 0, false},
		{"1_0", 0, false},
		{"0x10", 16, true},
		{"1e999", 0, false},
		{"", 0, false},
		{"abc", 0, false},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			got, ok := ParseFloat([]byte(c.in))
			assert.Equal(t, c.ok, ok)
			if ok {
				assert.Equal(t, c.want, got)
			}
		})
	}
}

func TestFormatDouble(t *testing.T) {
	assert.Equal(t, "1.1000000000000001", FormatDouble(1.1))
	assert.Equal(t, "3", FormatDouble(3))
	assert.Equal(t, "1e+20", FormatDouble(1e20))
	assert.Equal(t, "inf", FormatDouble(math.Inf(1)))
	assert.Equal(t, "-inf", FormatDouble(math.Inf(-1)))
}

func TestLongDouble(t *testing.T) {
	// The figures are what Redis 7.0 on x86-64 answers to INCRBYFLOAT.
	add := func(a, b string) string {
		x, ok := ParseLongDouble([]byte(a))
		assert.True(t, ok)
		y, ok := ParseLongDouble([]byte(b))
		assert.True(t, ok)
		r, ok := AddLongDouble(x, y)
		assert.True(t, ok)
		return FormatLongDoubleHuman(r)
	}
	assert.Equal(t, "10.6", add("10.5", "0.1"))
	assert.Equal(t, "0.3", add("0.1", "0.2"))
	assert.Equal(t, "5200", add("5.0e3", "200"))
	assert.Equal(t, "0", add("1", "-1"))
	assert.Equal(t, "-1.5", add("-1", "-0.5"))
	_, ok := ParseLongDouble([]byte("nan"))
	assert.False(t, ok)
	inf, ok := ParseLongDouble([]byte("inf"))
	assert.True(t, ok)
	one, _ := ParseLongDouble([]byte("1"))
	_, ok = AddLongDouble(inf, one)
	assert.False(t, ok)
}
