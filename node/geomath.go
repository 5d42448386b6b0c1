package node

import (
	"math"
	"math/big"
)

// Correctly rounded sine, cosine and arcsine for the geo distance.
//
// Redis computes distances with the C library's sin, cos and asin, whose
// results (glibc's) are the correctly rounded values in all but rare cases;
// Go's math package is accurate to about one ulp but rounds differently
// often enough that a stored distance (GEOSEARCHSTORE ... STOREDIST) would
// differ in its last digits. These functions evaluate in 128-bit binary
// floating point and round once.

const geoPrec = 128

// geoPi is π to 60 decimal digits.
var geoPi, _, _ = big.ParseFloat("3.14159265358979323846264338327950288419716939937510582097494", 10, geoPrec, big.ToNearestEven)

// invFact[k] is 1/k! at geoPrec bits.
var invFact = func() []*big.Float {
	out := make([]*big.Float, 64)
	f := new(big.Float).SetPrec(geoPrec).SetInt64(1)
	for k := range out {
		if k > 0 {
			f.Mul(f, new(big.Float).SetPrec(geoPrec).SetInt64(int64(k)))
		}
		out[k] = new(big.Float).SetPrec(geoPrec).Quo(big.NewFloat(1).SetPrec(geoPrec), f)
	}
	return out
}()

func newGeoFloat(x float64) *big.Float { return new(big.Float).SetPrec(geoPrec).SetFloat64(x) }

// bigSinCos returns sin(x) or, with cos, cos(x), for an x of any size
// (reduced to [-π, π] first).
func bigSinCos(x *big.Float, cos bool) *big.Float {
	x = new(big.Float).SetPrec(geoPrec).Set(x)
	twoPi := new(big.Float).SetPrec(geoPrec).Mul(geoPi, big.NewFloat(2))
	if new(big.Float).Abs(x).Cmp(geoPi) > 0 {
		q := new(big.Float).SetPrec(geoPrec).Quo(x, twoPi)
		if q.Sign() >= 0 {
			q.Add(q, big.NewFloat(0.5))
		} else {
			q.Sub(q, big.NewFloat(0.5))
		}
		qi, _ := q.Int(nil)
		x.Sub(x, new(big.Float).SetPrec(geoPrec).Mul(twoPi, new(big.Float).SetPrec(geoPrec).SetInt(qi)))
	}
	x2 := new(big.Float).SetPrec(geoPrec).Mul(x, x)
	sum := new(big.Float).SetPrec(geoPrec)
	pow := new(big.Float).SetPrec(geoPrec).SetInt64(1) // x^k
	k := 0
	if !cos {
		pow.Set(x)
		k = 1
	}
	term := new(big.Float).SetPrec(geoPrec)
	for sign := 1; k < len(invFact); k += 2 {
		term.Mul(pow, invFact[k])
		if term.Sign() == 0 || (sum.Sign() != 0 && term.MantExp(nil) < sum.MantExp(nil)-geoPrec-4) {
			break
		}
		if sign > 0 {
			sum.Add(sum, term)
		} else {
			sum.Sub(sum, term)
		}
		sign = -sign
		pow.Mul(pow, x2)
	}
	return sum
}

func roundGeo(f *big.Float) float64 {
	v, _ := f.Float64()
	return v
}

// Double-double arithmetic: an unevaluated sum hi+lo with |lo| <= ulp(hi)/2,
// about 104 bits of precision. It evaluates the Taylor series of sin and
// cos for the arguments the geo code uses (|x| <= 2); larger ones take the
// big.Float path.
type dd struct{ hi, lo float64 }

func twoSum(a, b float64) dd {
	s := a + b
	bb := s - a
	return dd{s, (a - (s - bb)) + (b - bb)}
}

func quickTwoSum(a, b float64) dd {
	s := a + b
	return dd{s, b - (s - a)}
}

func ddAdd(a, b dd) dd {
	s := twoSum(a.hi, b.hi)
	t := twoSum(a.lo, b.lo)
	s.lo += t.hi
	s = quickTwoSum(s.hi, s.lo)
	s.lo += t.lo
	return quickTwoSum(s.hi, s.lo)
}

func ddMul(a, b dd) dd {
	p := a.hi * b.hi
	e := math.FMA(a.hi, b.hi, -p)
	e += a.hi*b.lo + a.lo*b.hi
	return quickTwoSum(p, e)
}

// ddDivSmall divides by a small exact integer d.
func ddDivSmall(a dd, d float64) dd {
	q1 := a.hi / d
	// r = a - q1*d, exactly enough
	p := q1 * d
	e := math.FMA(q1, d, -p)
	r := ddAdd(a, dd{-p, -e})
	q2 := r.hi / d
	return quickTwoSum(q1, q2)
}

// ddSinCos evaluates the Taylor series of sin(x) (or cos(x)) for |x| <= 2.
func ddSinCos(x float64, cos bool) dd {
	xd := dd{x, 0}
	x2 := ddMul(xd, xd)
	term := dd{1, 0}
	k := 0.0
	if !cos {
		term = xd
		k = 1
	}
	sum := term
	for i := 0; i < 40; i++ {
		term = ddMul(term, x2)
		term = ddDivSmall(term, (k+1)*(k+2))
		term = dd{-term.hi, -term.lo}
		k += 2
		sum = ddAdd(sum, term)
		if math.Abs(term.hi) < math.Abs(sum.hi)*0x1p-110 {
			break
		}
	}
	return sum
}

// geoSin is sin(x) correctly rounded.
func geoSin(x float64) float64 {
	if x == 0 || math.IsInf(x, 0) || math.IsNaN(x) {
		return math.Sin(x)
	}
	if math.Abs(x) <= 2 {
		return ddSinCos(x, false).hi
	}
	return roundGeo(bigSinCos(newGeoFloat(x), false))
}

// geoCos is cos(x) correctly rounded.
func geoCos(x float64) float64 {
	if math.IsInf(x, 0) || math.IsNaN(x) {
		return math.Cos(x)
	}
	if math.Abs(x) <= 2 {
		return ddSinCos(x, true).hi
	}
	return roundGeo(bigSinCos(newGeoFloat(x), true))
}

// geoAsin is asin(x) correctly rounded: one Newton step on sin, in
// double-double, from Go's estimate (two near |x| = 1, where the step
// converges slowly).
func geoAsin(x float64) float64 {
	if x == 0 || math.IsNaN(x) || x > 1 || x < -1 {
		return math.Asin(x)
	}
	y := math.Asin(x)
	if math.Abs(x) > 0.99 {
		return geoAsinBig(x, y)
	}
	s := ddAdd(ddSinCos(y, false), dd{-x, 0})
	c := math.Cos(y)
	return y - s.hi/c
}

func geoAsinBig(x, y0 float64) float64 {
	y := newGeoFloat(y0)
	bx := newGeoFloat(x)
	for i := 0; i < 4; i++ {
		c := bigSinCos(y, true)
		if c.Sign() == 0 {
			break
		}
		d := bigSinCos(y, false)
		d.Sub(d, bx)
		d.Quo(d, c)
		y.Sub(y, d)
	}
	return roundGeo(y)
}
