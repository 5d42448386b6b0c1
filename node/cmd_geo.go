package node

import (
	"math"
	"math/big"
	"slices"
	"strconv"

	"replab/internal/num"
	"replab/keyspace"
)

// Geo commands, following Redis 7.0's geo.c and geohash*.c: positions are
// stored as the scores of a sorted set, each a 52-bit geohash interleaving
// 26 bits of latitude and 26 bits of longitude. Searches visit the geohash
// box of the centre and its eight neighbours, filter by haversine distance
// (or by box), and reply in the same order and format as Redis.

const (
	geoLongMin = -180.0
	geoLongMax = 180.0
	geoLatMin  = -85.05112878
	geoLatMax  = 85.05112878
	geoStepMax = 26

	// earthRadius is Redis's EARTH_RADIUS_IN_METERS.
	earthRadius = 6372797.560856
	// mercatorMax is Redis's MERCATOR_MAX.
	mercatorMax = 20037726.37
)

// geoDR is Redis's D_R, M_PI/180.0 computed in double arithmetic (a Go
// constant expression would round differently).
var geoDR = func() float64 { p := math.Pi; return p / 180.0 }()

func degRad(a float64) float64 { return a * geoDR }
func radDeg(a float64) float64 { return a / geoDR }

type geoRange struct{ min, max float64 }

// geoHash is a geohash of step*2 bits.
type geoHash struct {
	bits uint64
	step uint8
}

func (h geoHash) zero() bool { return h.bits == 0 && h.step == 0 }

type geoArea struct {
	hash      geoHash
	lon, lat  geoRange
	decodedOK bool
}

var (
	geoLonRange = geoRange{geoLongMin, geoLongMax}
	geoLatRange = geoRange{geoLatMin, geoLatMax}
)

func interleave64(xlo, ylo uint32) uint64 {
	b := [...]uint64{0x5555555555555555, 0x3333333333333333, 0x0F0F0F0F0F0F0F0F, 0x00FF00FF00FF00FF, 0x0000FFFF0000FFFF}
	s := [...]uint{1, 2, 4, 8, 16}
	x, y := uint64(xlo), uint64(ylo)
	for i := 4; i >= 0; i-- {
		x = (x | x<<s[i]) & b[i]
		y = (y | y<<s[i]) & b[i]
	}
	return x | y<<1
}

func deinterleave64(v uint64) uint64 {
	b := [...]uint64{0x5555555555555555, 0x3333333333333333, 0x0F0F0F0F0F0F0F0F, 0x00FF00FF00FF00FF, 0x0000FFFF0000FFFF, 0x00000000FFFFFFFF}
	s := [...]uint{0, 1, 2, 4, 8, 16}
	x, y := v, v>>1
	for i := 0; i < 6; i++ {
		x = (x | x>>s[i]) & b[i]
		y = (y | y>>s[i]) & b[i]
	}
	return x | y<<32
}

// geoEncode is geohashEncode: lon and lat (within the global limits and
// the given ranges) to a geohash of step*2 bits.
func geoEncode(lonR, latR geoRange, lon, lat float64, step uint8) (geoHash, bool) {
	if step > 32 || step == 0 {
		return geoHash{}, false
	}
	if lon > geoLongMax || lon < geoLongMin || lat > geoLatMax || lat < geoLatMin {
		return geoHash{}, false
	}
	if lat < latR.min || lat > latR.max || lon < lonR.min || lon > lonR.max {
		return geoHash{step: step}, false
	}
	latOff := (lat - latR.min) / (latR.max - latR.min)
	lonOff := (lon - lonR.min) / (lonR.max - lonR.min)
	latOff *= float64(uint64(1) << step)
	lonOff *= float64(uint64(1) << step)
	return geoHash{bits: interleave64(uint32(latOff), uint32(lonOff)), step: step}, true
}

// geoDecode is geohashDecode: the area a geohash covers.
func geoDecode(lonR, latR geoRange, h geoHash) geoArea {
	if h.zero() {
		return geoArea{}
	}
	sep := deinterleave64(h.bits)
	latScale := latR.max - latR.min
	lonScale := lonR.max - lonR.min
	ilat := uint32(sep)
	ilon := uint32(sep >> 32)
	div := float64(uint64(1) << h.step)
	return geoArea{
		hash:      h,
		lat:       geoRange{latR.min + (float64(ilat)*1.0/div)*latScale, latR.min + (float64(uint64(ilat)+1)*1.0/div)*latScale},
		lon:       geoRange{lonR.min + (float64(ilon)*1.0/div)*lonScale, lonR.min + (float64(uint64(ilon)+1)*1.0/div)*lonScale},
		decodedOK: true,
	}
}

// center is geohashDecodeAreaToLongLat: the middle of an area, clamped.
func (a geoArea) center() [2]float64 {
	x := (a.lon.min + a.lon.max) / 2
	x = min(max(x, geoLongMin), geoLongMax)
	y := (a.lat.min + a.lat.max) / 2
	y = min(max(y, geoLatMin), geoLatMax)
	return [2]float64{x, y}
}

// geoScoreToHash converts a sorted set score to the 52-bit hash it holds,
// as C's (uint64_t) conversion of the double does for valid scores.
func geoScoreToHash(score float64) uint64 {
	if score < 0 || math.IsNaN(score) {
		return uint64(int64(score))
	}
	if score >= 1<<64 {
		return 0
	}
	return uint64(score)
}

// decodeGeoScore returns the longitude and latitude stored in a score.
func decodeGeoScore(score float64) [2]float64 {
	a := geoDecode(geoLonRange, geoLatRange, geoHash{bits: geoScoreToHash(score), step: geoStepMax})
	return a.center()
}

func geoAlign52(h geoHash) uint64 { return h.bits << (52 - uint(h.step)*2) }

func geoMoveX(h *geoHash, d int) {
	if d == 0 {
		return
	}
	x := h.bits & 0xaaaaaaaaaaaaaaaa
	y := h.bits & 0x5555555555555555
	zz := uint64(0x5555555555555555) >> (64 - uint(h.step)*2)
	if d > 0 {
		x += zz + 1
	} else {
		x |= zz
		x -= zz + 1
	}
	x &= 0xaaaaaaaaaaaaaaaa >> (64 - uint(h.step)*2)
	h.bits = x | y
}

func geoMoveY(h *geoHash, d int) {
	if d == 0 {
		return
	}
	x := h.bits & 0xaaaaaaaaaaaaaaaa
	y := h.bits & 0x5555555555555555
	zz := uint64(0xaaaaaaaaaaaaaaaa) >> (64 - uint(h.step)*2)
	if d > 0 {
		y += zz + 1
	} else {
		y |= zz
		y -= zz + 1
	}
	y &= 0x5555555555555555 >> (64 - uint(h.step)*2)
	h.bits = x | y
}

// geoNeighbors are the eight boxes around a geohash.
type geoNeighbors struct {
	north, south, east, west, northEast, northWest, southEast, southWest geoHash
}

func neighborsOf(h geoHash) geoNeighbors {
	move := func(dx, dy int) geoHash {
		n := h
		geoMoveX(&n, dx)
		geoMoveY(&n, dy)
		return n
	}
	return geoNeighbors{
		east: move(1, 0), west: move(-1, 0), south: move(0, -1), north: move(0, 1),
		northWest: move(-1, 1), northEast: move(1, 1), southEast: move(1, -1), southWest: move(-1, -1),
	}
}

// geoLatDistance is geohashGetLatDistance.
func geoLatDistance(lat1, lat2 float64) float64 {
	return earthRadius * math.Abs(degRad(lat2)-degRad(lat1))
}

// geoDistance is geohashGetDistance: the haversine distance in meters.
func geoDistance(lon1, lat1, lon2, lat2 float64) float64 {
	lon1r, lon2r := degRad(lon1), degRad(lon2)
	v := geoSin((lon2r - lon1r) / 2)
	if v == 0 {
		return geoLatDistance(lat1, lat2)
	}
	lat1r, lat2r := degRad(lat1), degRad(lat2)
	u := geoSin((lat2r - lat1r) / 2)
	// The explicit conversions forbid fused multiply-adds, which C does
	// not use either.
	a := float64(u*u) + float64(float64(float64(geoCos(lat1r)*geoCos(lat2r))*v)*v)
	return 2.0 * earthRadius * geoAsin(math.Sqrt(a))
}

// geoShape is the area of a search: a circle or a box around xy.
type geoShape struct {
	box        bool
	xy         [2]float64
	conversion float64 // meters per unit
	radius     float64 // in units
	width      float64 // in units
	height     float64
	bounds     [4]float64 // min lon, min lat, max lon, max lat
}

func geoEstimateSteps(rangeMeters, lat float64) uint8 {
	if rangeMeters == 0 {
		return 26
	}
	step := 1
	for rangeMeters < mercatorMax {
		rangeMeters *= 2
		step++
	}
	step -= 2
	if lat > 66 || lat < -66 {
		step--
		if lat > 80 || lat < -80 {
			step--
		}
	}
	step = min(max(step, 1), 26)
	return uint8(step)
}

func (s *geoShape) boundingBox() {
	lon, lat := s.xy[0], s.xy[1]
	var height, width float64
	if s.box {
		height = s.conversion * s.height / 2
		width = s.conversion * s.width / 2
	} else {
		height = s.conversion * s.radius
		width = s.conversion * s.radius
	}
	latDelta := radDeg(height / earthRadius)
	lonDeltaTop := radDeg(width / earthRadius / geoCos(degRad(lat+latDelta)))
	lonDeltaBottom := radDeg(width / earthRadius / geoCos(degRad(lat-latDelta)))
	if lat < 0 {
		s.bounds[0] = lon - lonDeltaBottom
		s.bounds[2] = lon + lonDeltaBottom
	} else {
		s.bounds[0] = lon - lonDeltaTop
		s.bounds[2] = lon + lonDeltaTop
	}
	s.bounds[1] = lat - latDelta
	s.bounds[3] = lat + latDelta
}

// geoSearchAreas is geohashCalculateAreasByShapeWGS84: the centre box and
// the neighbours worth visiting, in Redis's visiting order.
func geoSearchAreas(s *geoShape) [9]geoHash {
	s.boundingBox()
	minLon, minLat, maxLon, maxLat := s.bounds[0], s.bounds[1], s.bounds[2], s.bounds[3]
	lon, lat := s.xy[0], s.xy[1]
	radiusMeters := s.radius
	if s.box {
		radiusMeters = math.Sqrt((s.width/2)*(s.width/2) + (s.height/2)*(s.height/2))
	}
	radiusMeters *= s.conversion
	steps := geoEstimateSteps(radiusMeters, lat)
	hash, _ := geoEncode(geoLonRange, geoLatRange, lon, lat, steps)
	nb := neighborsOf(hash)
	area := geoDecode(geoLonRange, geoLatRange, hash)
	decrease := false
	{
		north := geoDecode(geoLonRange, geoLatRange, nb.north)
		south := geoDecode(geoLonRange, geoLatRange, nb.south)
		east := geoDecode(geoLonRange, geoLatRange, nb.east)
		west := geoDecode(geoLonRange, geoLatRange, nb.west)
		if north.lat.max < maxLat || south.lat.min > minLat || east.lon.max < maxLon || west.lon.min > minLon {
			decrease = true
		}
	}
	if steps > 1 && decrease {
		steps--
		hash, _ = geoEncode(geoLonRange, geoLatRange, lon, lat, steps)
		nb = neighborsOf(hash)
		area = geoDecode(geoLonRange, geoLatRange, hash)
	}
	if steps >= 2 {
		if area.lat.min < minLat {
			nb.south, nb.southWest, nb.southEast = geoHash{}, geoHash{}, geoHash{}
		}
		if area.lat.max > maxLat {
			nb.north, nb.northEast, nb.northWest = geoHash{}, geoHash{}, geoHash{}
		}
		if area.lon.min < minLon {
			nb.west, nb.southWest, nb.northWest = geoHash{}, geoHash{}, geoHash{}
		}
		if area.lon.max > maxLon {
			nb.east, nb.southEast, nb.northEast = geoHash{}, geoHash{}, geoHash{}
		}
	}
	return [9]geoHash{hash, nb.north, nb.south, nb.east, nb.west, nb.northEast, nb.northWest, nb.southEast, nb.southWest}
}

// within reports whether the point of a score lies in the shape, with its
// distance from the centre (geoWithinShape).
func (s *geoShape) within(score float64) (xy [2]float64, dist float64, ok bool) {
	xy = decodeGeoScore(score)
	if !s.box {
		dist = geoDistance(s.xy[0], s.xy[1], xy[0], xy[1])
		return xy, dist, dist <= s.radius*s.conversion
	}
	widthM, heightM := s.width*s.conversion, s.height*s.conversion
	if geoLatDistance(s.xy[1], xy[1]) > heightM/2 {
		return xy, 0, false
	}
	// The east-west extent is measured along the point's own parallel, as
	// Redis's geohashGetDistanceIfInRectangle does.
	if geoDistance(xy[0], xy[1], s.xy[0], xy[1]) > widthM/2 {
		return xy, 0, false
	}
	return xy, geoDistance(s.xy[0], s.xy[1], xy[0], xy[1]), true
}

type geoPoint struct {
	member []byte
	xy     [2]float64
	dist   float64
	score  float64
}

// geoMembersInShape collects the members of z inside the shape, box by box
// (stopping once limit, if not 0, are found).
func geoMembersInShape(z *keyspace.ZSet, s *geoShape, limit int) []geoPoint {
	var out []geoPoint
	boxes := geoSearchAreas(s)
	last := 0 // as in Redis, 0 also means "none yet": a repeat of box 0 is visited again
	for i, h := range boxes {
		if h.zero() {
			continue
		}
		if last != 0 && boxes[last] == h {
			continue
		}
		if len(out) > 0 && limit > 0 && len(out) >= limit {
			break
		}
		min := float64(geoAlign52(h))
		h.bits++
		max := float64(geoAlign52(h))
		r := keyspace.ScoreRange{Min: min, Max: max, MaxEx: true}
		first := z.FirstInScoreRange(&r)
		if first >= 0 {
			z.Walk(first, false, func(m []byte, score float64) bool {
				if !r.LteMax(score) {
					return false
				}
				if xy, dist, ok := s.within(score); ok {
					out = append(out, geoPoint{member: append([]byte(nil), m...), xy: xy, dist: dist, score: score})
				}
				return !(len(out) > 0 && limit > 0 && len(out) >= limit)
			})
		}
		last = i
	}
	return out
}

// formatGeoDistance is Redis's fixedpoint_d2string with four decimals.
func formatGeoDistance(d float64) []byte {
	if d == 0 {
		return []byte("0.0000")
	}
	v := int64(math.RoundToEven(d * 10000))
	var out []byte
	var u uint64
	if v < 0 {
		out = append(out, '-')
		u = uint64(-v)
	} else {
		u = uint64(v)
	}
	digits := strconv.FormatUint(u, 10)
	for len(digits) < 5 {
		digits = "0" + digits
	}
	out = append(out, digits[:len(digits)-4]...)
	out = append(out, '.')
	return append(out, digits[len(digits)-4:]...)
}

// replyGeoCoord replies a coordinate as Redis's addReplyHumanLongDouble.
func replyGeoCoord(c *client, v float64) {
	c.w.HumanDouble(num.FormatLongDoubleHuman(new(big.Float).SetFloat64(v)))
}

// cFloat6 formats f as C's "%f".
func cFloat6(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return strconv.FormatFloat(f, 'f', 6, 64)
}

// geoLonLat parses a longitude and a latitude argument pair.
func (n *Node) geoLonLat(c *client, args [][]byte) ([2]float64, bool) {
	var xy [2]float64
	for i := 0; i < 2; i++ {
		f, ok := n.argFloat(c, args[i])
		if !ok {
			return xy, false
		}
		xy[i] = f
	}
	if xy[0] < geoLongMin || xy[0] > geoLongMax || xy[1] < geoLatMin || xy[1] > geoLatMax {
		n.replyError(c, "ERR invalid longitude,latitude pair "+cFloat6(xy[0])+","+cFloat6(xy[1]))
		return xy, false
	}
	return xy, true
}

// geoUnit returns the meters per unit of a unit argument.
func (n *Node) geoUnit(c *client, u []byte) (float64, bool) {
	switch {
	case eq(u, "m"):
		return 1, true
	case eq(u, "km"):
		return 1000, true
	case eq(u, "ft"):
		return 0.3048, true
	case eq(u, "mi"):
		return 1609.34, true
	}
	n.replyError(c, "ERR unsupported unit provided. please use M, KM, FT, MI")
	return 0, false
}

func (n *Node) geoFloatMsg(c *client, b []byte, msg string) (float64, bool) {
	f, ok := num.ParseFloat(b)
	if !ok {
		n.replyError(c, "ERR "+msg)
	}
	return f, ok
}

// geoRadiusArg parses "radius unit".
func (n *Node) geoRadiusArg(c *client, args [][]byte, s *geoShape) bool {
	r, ok := n.geoFloatMsg(c, args[0], "need numeric radius")
	if !ok {
		return false
	}
	if r < 0 {
		n.replyError(c, "ERR radius cannot be negative")
		return false
	}
	s.radius = r
	conv, ok := n.geoUnit(c, args[1])
	s.conversion = conv
	return ok
}

// geoBoxArg parses "width height unit".
func (n *Node) geoBoxArg(c *client, args [][]byte, s *geoShape) bool {
	w, ok := n.geoFloatMsg(c, args[0], "need numeric width")
	if !ok {
		return false
	}
	h, ok := n.geoFloatMsg(c, args[1], "need numeric height")
	if !ok {
		return false
	}
	if h < 0 || w < 0 {
		n.replyError(c, "ERR height or width cannot be negative")
		return false
	}
	s.width, s.height = w, h
	conv, ok := n.geoUnit(c, args[2])
	s.conversion = conv
	return ok
}

func cmdGeoadd(n *Node, c *client) {
	xx, nx := false, false
	longIdx := 2
	for ; longIdx < len(c.args); longIdx++ {
		opt := c.args[longIdx]
		if eq(opt, "nx") {
			nx = true
		} else if eq(opt, "xx") {
			xx = true
		} else if !eq(opt, "ch") {
			break
		}
	}
	if (len(c.args)-longIdx)%3 != 0 || (xx && nx) {
		n.replyError(c, ErrSyntax)
		return
	}
	elements := (len(c.args) - longIdx) / 3
	args := make([][]byte, 0, longIdx+elements*2)
	args = append(args, []byte("zadd"))
	args = append(args, c.args[1:longIdx]...)
	for i := 0; i < elements; i++ {
		xy, ok := n.geoLonLat(c, c.args[longIdx+i*3:])
		if !ok {
			return
		}
		h, _ := geoEncode(geoLonRange, geoLatRange, xy[0], xy[1], geoStepMax)
		args = append(args, strconv.AppendUint(nil, geoAlign52(h), 10), c.args[longIdx+i*3+2])
	}
	orig := c.args
	c.args = args
	n.zaddGeneric(c, 0)
	c.args = orig
	c.rewrite(args...)
}

func cmdGeodist(n *Node, c *client) {
	toMeter := 1.0
	if len(c.args) == 5 {
		u, ok := n.geoUnit(c, c.args[4])
		if !ok {
			return
		}
		toMeter = u
	} else if len(c.args) > 5 {
		n.replyError(c, ErrSyntax)
		return
	}
	z, ok := n.zsetRead(c, c.args[1])
	if !ok {
		return
	}
	if z == nil {
		c.null()
		return
	}
	s1, ok1 := z.Score(c.args[2])
	s2, ok2 := z.Score(c.args[3])
	if !ok1 || !ok2 {
		c.null()
		return
	}
	a, b := decodeGeoScore(s1), decodeGeoScore(s2)
	c.bulk(formatGeoDistance(geoDistance(a[0], a[1], b[0], b[1]) / toMeter))
}

const geoAlphabet = "0123456789bcdefghjkmnpqrstuvwxyz"

func cmdGeohash(n *Node, c *client) {
	z, ok := n.zsetRead(c, c.args[1])
	if !ok {
		return
	}
	c.w.Array(len(c.args) - 2)
	for _, m := range c.args[2:] {
		var score float64
		found := false
		if z != nil {
			score, found = z.Score(m)
		}
		if !found {
			c.null()
			continue
		}
		xy := decodeGeoScore(score)
		h, _ := geoEncode(geoRange{-180, 180}, geoRange{-90, 90}, xy[0], xy[1], 26)
		var buf [11]byte
		for i := 0; i < 11; i++ {
			idx := 0
			if i < 10 {
				idx = int(h.bits>>(52-(uint(i)+1)*5)) & 0x1f
			}
			buf[i] = geoAlphabet[idx]
		}
		c.bulk(buf[:])
	}
}

func cmdGeopos(n *Node, c *client) {
	z, ok := n.zsetRead(c, c.args[1])
	if !ok {
		return
	}
	c.w.Array(len(c.args) - 2)
	for _, m := range c.args[2:] {
		var score float64
		found := false
		if z != nil {
			score, found = z.Score(m)
		}
		if !found {
			c.w.NullArray()
			continue
		}
		xy := decodeGeoScore(score)
		c.w.Array(2)
		replyGeoCoord(c, xy[0])
		replyGeoCoord(c, xy[1])
	}
}

// Variants of georadiusGeneric.
const (
	geoRadiusCoords = 1 << iota // GEORADIUS: around coordinates
	geoRadiusMember             // GEORADIUSBYMEMBER: around a member
	geoNoStore                  // the _RO variants
	geoSearch                   // GEOSEARCH syntax
	geoSearchStore              // GEOSEARCHSTORE
)

func cmdGeoradius(n *Node, c *client)   { n.georadiusGeneric(c, 1, geoRadiusCoords) }
func cmdGeoradiusRo(n *Node, c *client) { n.georadiusGeneric(c, 1, geoRadiusCoords|geoNoStore) }
func cmdGeoradiusbymember(n *Node, c *client) {
	n.georadiusGeneric(c, 1, geoRadiusMember)
}
func cmdGeoradiusbymemberRo(n *Node, c *client) {
	n.georadiusGeneric(c, 1, geoRadiusMember|geoNoStore)
}
func cmdGeosearch(n *Node, c *client) { n.georadiusGeneric(c, 1, geoSearch) }
func cmdGeosearchstore(n *Node, c *client) {
	n.georadiusGeneric(c, 2, geoSearch|geoSearchStore)
}

// memberPosition returns the position of a member of z.
func memberPosition(z *keyspace.ZSet, member []byte) ([2]float64, bool) {
	s, ok := z.Score(member)
	if !ok {
		return [2]float64{}, false
	}
	return decodeGeoScore(s), true
}

func (n *Node) georadiusGeneric(c *client, srcIdx int, flags int) {
	var storeKey []byte
	storeDist := false
	z, ok := n.zsetRead(c, c.args[srcIdx])
	if !ok {
		return
	}
	var shape geoShape
	var base int
	switch {
	case flags&geoRadiusCoords != 0:
		base = 6
		xy, ok := n.geoLonLat(c, c.args[2:])
		if !ok {
			return
		}
		shape.xy = xy
		if !n.geoRadiusArg(c, c.args[base-2:], &shape) {
			return
		}
	case flags&geoRadiusMember != 0 && z == nil:
		base = 5
	case flags&geoRadiusMember != 0:
		base = 5
		xy, ok := memberPosition(z, c.args[2])
		if !ok {
			n.replyError(c, "ERR could not decode requested zset member")
			return
		}
		shape.xy = xy
		if !n.geoRadiusArg(c, c.args[base-2:], &shape) {
			return
		}
	default: // GEOSEARCH, GEOSEARCHSTORE
		base = 2
		if flags&geoSearchStore != 0 {
			base = 3
			storeKey = c.args[1]
		}
	}
	withDist, withHash, withCoord := false, false, false
	fromMember, fromLoc, byRadius, byBox := false, false, false, false
	sort := 0 // 0 none, 1 asc, -1 desc
	any := false
	var count int64
	search := flags&geoSearch != 0
	noStore := flags&geoNoStore != 0 || search
	remaining := len(c.args) - base
	for i := 0; i < remaining; i++ {
		arg := c.args[base+i]
		switch {
		case eq(arg, "withdist"):
			withDist = true
		case eq(arg, "withhash"):
			withHash = true
		case eq(arg, "withcoord"):
			withCoord = true
		case eq(arg, "any"):
			any = true
		case eq(arg, "asc"):
			sort = 1
		case eq(arg, "desc"):
			sort = -1
		case eq(arg, "count") && i+1 < remaining:
			v, ok := n.argInt(c, c.args[base+i+1])
			if !ok {
				return
			}
			if v <= 0 {
				n.replyError(c, "ERR COUNT must be > 0")
				return
			}
			count = v
			i++
		case eq(arg, "store") && i+1 < remaining && !noStore:
			storeKey = c.args[base+i+1]
			storeDist = false
			i++
		case eq(arg, "storedist") && i+1 < remaining && !noStore:
			storeKey = c.args[base+i+1]
			storeDist = true
			i++
		case eq(arg, "storedist") && search && flags&geoSearchStore != 0:
			storeDist = true
		case eq(arg, "frommember") && i+1 < remaining && search && !fromLoc:
			if z != nil {
				xy, ok := memberPosition(z, c.args[base+i+1])
				if !ok {
					n.replyError(c, "ERR could not decode requested zset member")
					return
				}
				shape.xy = xy
			}
			fromMember = true
			i++
		case eq(arg, "fromlonlat") && i+2 < remaining && search && !fromMember:
			xy, ok := n.geoLonLat(c, c.args[base+i+1:])
			if !ok {
				return
			}
			shape.xy = xy
			fromLoc = true
			i += 2
		case eq(arg, "byradius") && i+2 < remaining && search && !byBox:
			if !n.geoRadiusArg(c, c.args[base+i+1:], &shape) {
				return
			}
			shape.box = false
			byRadius = true
			i += 2
		case eq(arg, "bybox") && i+3 < remaining && search && !byRadius:
			if !n.geoBoxArg(c, c.args[base+i+1:], &shape) {
				return
			}
			shape.box = true
			byBox = true
			i += 3
		default:
			n.replyError(c, ErrSyntax)
			return
		}
	}
	if storeKey != nil && (withDist || withHash || withCoord) {
		what := "STORE option in GEORADIUS"
		if flags&geoSearchStore != 0 {
			what = "GEOSEARCHSTORE"
		}
		n.replyError(c, "ERR "+what+" is not compatible with WITHDIST, WITHHASH and WITHCOORD options")
		return
	}
	if search && !(fromMember || fromLoc) {
		n.replyErrorf(c, "ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for %s", c.args[0])
		return
	}
	if search && !(byRadius || byBox) {
		n.replyErrorf(c, "ERR exactly one of BYRADIUS and BYBOX can be specified for %s", c.args[0])
		return
	}
	if any && count == 0 {
		n.replyError(c, "ERR the ANY argument requires COUNT argument")
		return
	}
	if z == nil {
		if storeKey != nil {
			if n.dbDelete(c, c.db, storeKey) {
				n.notifyKeyspaceEvent(NotifyGeneric, "del", string(storeKey), c.db.ID)
				n.dirty++
			}
			c.int(0)
		} else {
			c.w.Array(0)
		}
		return
	}
	if count != 0 && sort == 0 && !any {
		sort = 1
	}
	limit := 0
	if any {
		limit = int(min(count, math.MaxInt32))
	}
	points := geoMembersInShape(z, &shape, limit)
	if len(points) == 0 && storeKey == nil {
		c.w.Array(0)
		return
	}
	returned := len(points)
	if count != 0 && int64(returned) > count {
		returned = int(count)
	}
	if sort != 0 {
		slices.SortStableFunc(points, func(a, b geoPoint) int {
			switch {
			case a.dist > b.dist:
				return sort
			case a.dist < b.dist:
				return -sort
			}
			return 0
		})
	}
	points = points[:returned]
	if storeKey == nil {
		options := 0
		for _, f := range []bool{withDist, withCoord, withHash} {
			if f {
				options++
			}
		}
		c.w.Array(returned)
		for _, p := range points {
			p.dist /= shape.conversion
			if options > 0 {
				c.w.Array(options + 1)
			}
			c.bulk(p.member)
			if withDist {
				c.bulk(formatGeoDistance(p.dist))
			}
			if withHash {
				c.int(int64(p.score))
			}
			if withCoord {
				c.w.Array(2)
				replyGeoCoord(c, p.xy[0])
				replyGeoCoord(c, p.xy[1])
			}
		}
		return
	}
	if returned > 0 {
		lim := n.zsetLimits()
		res := keyspace.NewZSet(math.MaxInt, 0, lim)
		maxLen, totLen := 0, 0
		for _, p := range points {
			score := p.score
			if storeDist {
				score = p.dist / shape.conversion
			}
			res.Set(p.member, score, lim)
			maxLen = max(maxLen, len(p.member))
			totLen += len(p.member)
		}
		res.ConvertToListpackIfNeeded(maxLen, totLen, lim)
		n.zsetStore(c, storeKey, res)
		event := "georadiusstore"
		if search {
			event = "geosearchstore"
		}
		n.notifyKeyspaceEvent(NotifyZSet, event, string(storeKey), c.db.ID)
		n.dirty += int64(returned)
	} else if n.dbDelete(c, c.db, storeKey) {
		n.notifyKeyspaceEvent(NotifyGeneric, "del", string(storeKey), c.db.ID)
		n.dirty++
	}
	c.int(int64(returned))
}

func geoDocs(summary, since, complexity, syntax string) Docs {
	return Docs{Summary: summary, Since: since, Group: "geo", Complexity: complexity, Syntax: syntax}
}

func init() {
	register(
		&Command{Name: "geoadd", Arity: -5, Flags: CmdWrite | CmdDenyOOM, ACL: CatGeo, Proc: cmdGeoadd,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: []KeySpec{{Flags: []string{"RW", "UPDATE"}, BeginIndex: 1, LastKey: 0, Step: 1, Limit: 0}},
			Docs: geoDocs("Add one or more geospatial items in the geospatial index represented using a sorted set", "3.2.0", "O(log(N)) for each item added, where N is the number of elements in the sorted set.", "key [NX | XX] [CH] longitude:double latitude:double member [longitude:double latitude:double member ...]")},
		&Command{Name: "geodist", Arity: -4, Flags: CmdReadonly, ACL: CatGeo, Proc: cmdGeodist,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: []KeySpec{{Flags: []string{"RO", "ACCESS"}, BeginIndex: 1, LastKey: 0, Step: 1, Limit: 0}},
			Docs: geoDocs("Returns the distance between two members of a geospatial index", "3.2.0", "O(log(N))", "key member1 member2 [m | km | ft | mi]")},
		&Command{Name: "geohash", Arity: -2, Flags: CmdReadonly, ACL: CatGeo, Proc: cmdGeohash,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: []KeySpec{{Flags: []string{"RO", "ACCESS"}, BeginIndex: 1, LastKey: 0, Step: 1, Limit: 0}},
			Docs: geoDocs("Returns members of a geospatial index as standard geohash strings", "3.2.0", "O(log(N)) for each member requested, where N is the number of elements in the sorted set.", "key member [member ...]")},
		&Command{Name: "geopos", Arity: -2, Flags: CmdReadonly, ACL: CatGeo, Proc: cmdGeopos,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: []KeySpec{{Flags: []string{"RO", "ACCESS"}, BeginIndex: 1, LastKey: 0, Step: 1, Limit: 0}},
			Docs: geoDocs("Returns longitude and latitude of members of a geospatial index", "3.2.0", "O(N) where N is the number of members requested.", "key member [member ...]")},
		&Command{Name: "georadius", Arity: -6, Flags: CmdWrite | CmdDenyOOM | CmdMovableKeys, ACL: CatGeo, Proc: cmdGeoradius,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: []KeySpec{{Flags: []string{"RO", "ACCESS"}, BeginIndex: 1, LastKey: 0, Step: 1, Limit: 0}, {Flags: []string{"OW", "UPDATE"}, BeginKeyword: "STORE", KeywordFrom: 6, LastKey: 0, Step: 1, Limit: 0}, {Flags: []string{"OW", "UPDATE"}, BeginKeyword: "STOREDIST", KeywordFrom: 6, LastKey: 0, Step: 1, Limit: 0}},
			Docs: geoDocs("Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a point", "3.2.0", "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.", "key longitude:double latitude:double radius:double <m | km | ft | mi> [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count:integer [ANY]] [ASC | DESC] [STORE key] [STOREDIST key]")},
		&Command{Name: "georadius_ro", Arity: -6, Flags: CmdReadonly, ACL: CatGeo, Proc: cmdGeoradiusRo,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: []KeySpec{{Flags: []string{"RO", "ACCESS"}, BeginIndex: 1, LastKey: 0, Step: 1, Limit: 0}},
			Docs: geoDocs("A read-only variant for GEORADIUS", "3.2.10", "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.", "key longitude:double latitude:double radius:double <m | km | ft | mi> [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count:integer [ANY]] [ASC | DESC]")},
		&Command{Name: "georadiusbymember", Arity: -5, Flags: CmdWrite | CmdDenyOOM | CmdMovableKeys, ACL: CatGeo, Proc: cmdGeoradiusbymember,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: []KeySpec{{Flags: []string{"RO", "ACCESS"}, BeginIndex: 1, LastKey: 0, Step: 1, Limit: 0}, {Flags: []string{"OW", "UPDATE"}, BeginKeyword: "STORE", KeywordFrom: 5, LastKey: 0, Step: 1, Limit: 0}, {Flags: []string{"OW", "UPDATE"}, BeginKeyword: "STOREDIST", KeywordFrom: 5, LastKey: 0, Step: 1, Limit: 0}},
			Docs: geoDocs("Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a member", "3.2.0", "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.", "key member radius:double <m | km | ft | mi> [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count:integer [ANY]] [ASC | DESC] [STORE key] [STOREDIST key]")},
		&Command{Name: "georadiusbymember_ro", Arity: -5, Flags: CmdReadonly, ACL: CatGeo, Proc: cmdGeoradiusbymemberRo,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: []KeySpec{{Flags: []string{"RO", "ACCESS"}, BeginIndex: 1, LastKey: 0, Step: 1, Limit: 0}},
			Docs: geoDocs("A read-only variant for GEORADIUSBYMEMBER", "3.2.10", "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.", "key member radius:double <m | km | ft | mi> [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count:integer [ANY]] [ASC | DESC]")},
		&Command{Name: "geosearch", Arity: -7, Flags: CmdReadonly, ACL: CatGeo, Proc: cmdGeosearch,
			FirstKey: 1, LastKey: 1, Step: 1, Keys: []KeySpec{{Flags: []string{"RO", "ACCESS"}, BeginIndex: 1, LastKey: 0, Step: 1, Limit: 0}},
			Docs: geoDocs("Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle.", "6.2.0", "O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape", "key <FROMMEMBER member | FROMLONLAT longitude:double latitude:double> <BYRADIUS radius:double <m | km | ft | mi> | BYBOX width:double height:double <m | km | ft | mi>> [ASC | DESC] [COUNT count:integer [ANY]] [WITHCOORD] [WITHDIST] [WITHHASH]")},
		&Command{Name: "geosearchstore", Arity: -8, Flags: CmdWrite | CmdDenyOOM, ACL: CatGeo, Proc: cmdGeosearchstore,
			FirstKey: 1, LastKey: 2, Step: 1, Keys: []KeySpec{{Flags: []string{"OW", "UPDATE"}, BeginIndex: 1, LastKey: 0, Step: 1, Limit: 0}, {Flags: []string{"RO", "ACCESS"}, BeginIndex: 2, LastKey: 0, Step: 1, Limit: 0}},
			Docs: geoDocs("Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle, and store the result in another key.", "6.2.0", "O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape", "destination source <FROMMEMBER member | FROMLONLAT longitude:double latitude:double> <BYRADIUS radius:double <m | km | ft | mi> | BYBOX width:double height:double <m | km | ft | mi>> [ASC | DESC] [COUNT count:integer [ANY]] [STOREDIST]")},
	)
}
