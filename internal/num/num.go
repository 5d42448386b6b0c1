package num

import (
	"math"
	"math/big"
	"strconv"
	"strings"
)

// maxIntLen is Redis's LONG_STR_SIZE: a string this long or longer is never a
// valid 64-bit integer for string2ll.
const maxIntLen = 21

// ParseInt parses b as a signed 64-bit integer with Redis's string2ll rules.
func ParseInt(b []byte) (int64, bool) {
	n := len(b)
	if n == 0 || n >= maxIntLen {
		return 0, false
	}
	if n == 1 && b[0] == '0' {
		return 0, true
	}
	i := 0
	neg := false
	if b[0] == '-' {
		neg = true
		i++
		if i == n {
			return 0, false
		}
	}
	if b[i] < '1' || b[i] > '9' {
		return 0, false
	}
	var v uint64
	for ; i < n; i++ {
		c := b[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if v > (math.MaxUint64-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	if neg {
		if v > uint64(math.MaxInt64)+1 {
			return 0, false
		}
		return -int64(v), true
	}
	if v > math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}

// ParseIntString is ParseInt for a string.
func ParseIntString(s string) (int64, bool) {
	if len(s) >= maxIntLen {
		return 0, false
	}
	var buf [maxIntLen]byte
	return ParseInt(buf[:copy(buf[:], s)])
}

// AppendInt appends the decimal form of v.
func AppendInt(dst []byte, v int64) []byte { return strconv.AppendInt(dst, v, 10) }

// IsSpace reports whether c is a C isspace character.
func IsSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// cFloatSyntax reports whether s (already known not to start with a space)
// is something C's strtod would consume entirely; Go's parser accepts a few
// forms C does not (underscores) and the reverse (hex without an exponent).
func normalizeCFloat(s string) (string, bool) {
	if strings.IndexByte(s, '_') >= 0 {
		return "", false
	}
	body := s
	sign := ""
	if len(body) > 0 && (body[0] == '+' || body[0] == '-') {
		sign, body = body[:1], body[1:]
	}
	lower := strings.ToLower(body)
	switch lower {
	case "inf", "infinity":
		return sign + "Inf", true
	case "nan":
		return "", false // Redis refuses NaN everywhere.
	}
	if strings.HasPrefix(lower, "0x") {
		// strtod accepts hex floats with an optional binary exponent; Go
		// requires the exponent.
		if !strings.ContainsAny(lower, "p") {
			body += "p0"
		}
		return sign + body, true
	}
	if strings.HasPrefix(lower, "inf") || strings.HasPrefix(lower, "nan") {
		return "", false
	}
	return s, true
}

// ParseFloat parses b as Redis's string2d does (strtod over the whole string,
// no leading space, no NaN, no overflow to infinity or underflow to zero).
func ParseFloat(b []byte) (float64, bool) {
	if len(b) == 0 || IsSpace(b[0]) || len(b) > 5*1024 {
		return 0, false
	}
	s, ok := normalizeCFloat(string(b))
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		// ERANGE: overflow gives ±Inf, underflow gives 0; both are refused.
		return 0, false
	}
	if math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// FormatDouble formats f as C's "%.17g", the form of Redis's double replies.
// Infinities are "inf" and "-inf".
func FormatDouble(f float64) string {
	return string(AppendDouble(nil, f))
}

// AppendDouble appends FormatDouble(f).
func AppendDouble(dst []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	}
	return strconv.AppendFloat(dst, f, 'g', 17, 64)
}

// AppendShortDouble appends the shortest decimal form that reads back as f,
// in the style of C's "%.17g" (exponent notation for large and tiny numbers).
func AppendShortDouble(dst []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	}
	return strconv.AppendFloat(dst, f, 'g', -1, 64)
}

// LongDoublePrec is the mantissa width of the x87 long double Redis uses for
// INCRBYFLOAT and HINCRBYFLOAT.
const LongDoublePrec = 64

// maxLongDoubleExp bounds the binary exponent of a finite x87 long double.
const maxLongDoubleExp = 16384

// ParseLongDouble parses b as Redis's string2ld does (strtold), returning a
// value with a 64-bit mantissa.
func ParseLongDouble(b []byte) (*big.Float, bool) {
	if len(b) == 0 || IsSpace(b[0]) || len(b) >= 5*1024 {
		return nil, false
	}
	s, ok := normalizeCFloat(string(b))
	if !ok {
		return nil, false
	}
	if strings.HasSuffix(s, "Inf") {
		if s[0] == '-' {
			return new(big.Float).SetInf(true), true
		}
		return new(big.Float).SetInf(false), true
	}
	f, _, err := big.ParseFloat(s, 0, LongDoublePrec, big.ToNearestEven)
	if err != nil {
		return nil, false
	}
	if e := f.MantExp(nil); e > maxLongDoubleExp {
		return nil, false // overflow: strtold would return HUGE_VALL with ERANGE
	}
	if f.Sign() != 0 && f.MantExp(nil) < -16445 {
		return nil, false // underflow to zero
	}
	return f, true
}

// AddLongDouble returns a+b rounded to a 64-bit mantissa, and false when the
// result is not finite (Redis's "increment would produce NaN or Infinity").
func AddLongDouble(a, b *big.Float) (*big.Float, bool) {
	if a.IsInf() || b.IsInf() {
		return nil, false
	}
	r := new(big.Float).SetPrec(LongDoublePrec).SetMode(big.ToNearestEven)
	r.Add(a, b)
	if r.MantExp(nil) > maxLongDoubleExp {
		return nil, false
	}
	return r, true
}

// FormatLongDoubleHuman formats f as Redis's ld2string in LD_STR_HUMAN mode:
// "%.17Lf" with trailing zeros (and a trailing point) removed, "-0" as "0".
func FormatLongDoubleHuman(f *big.Float) string {
	if f.IsInf() {
		if f.Sign() < 0 {
			return "-inf"
		}
		return "inf"
	}
	s := f.Text('f', 17)
	if strings.IndexByte(s, '.') >= 0 {
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s
}
