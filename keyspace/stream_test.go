package keyspace

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"replab/internal/listpack"
)

func sfv(pairs ...string) [][]byte {
	out := make([][]byte, len(pairs))
	for i, p := range pairs {
		out[i] = []byte(p)
	}
	return out
}

func mustXAdd(t testing.TB, s *Stream, id StreamID, pairs ...string) {
	t.Helper()
	_, err := s.Append(sfv(pairs...), &id, true, 0, 4096, 100)
	require.NoError(t, err)
}

// TestStreamNodeBytesMatchRedis compares a node with the listpack Redis
// 7.0.15 wrote for the same commands (DUMP with rdbcompression no):
//
//	XADD s 1-1 a 1 b 2; XADD s 1-2 a 3 b 4; XADD s 2-0 c 5
//	XADD s 3-0 a -100 b 70000; XADD s 3-1 a "hello world" b 12345678901
//	XDEL s 1-2
func TestStreamNodeBytesMatchRedis(t *testing.T) {
	const want = "6d0000002500040101010201816102816202000102010001000101010201050103010001010103010401050100010101dfff0201018163020501060102010201dfff02df9c02f27011010405010201020100018b68656c6c6f20776f726c640cf4351cdcdf02000000090501ff"
	s := NewStream()
	mustXAdd(t, s, StreamID{1, 1}, "a", "1", "b", "2")
	mustXAdd(t, s, StreamID{1, 2}, "a", "3", "b", "4")
	mustXAdd(t, s, StreamID{2, 0}, "c", "5")
	mustXAdd(t, s, StreamID{3, 0}, "a", "-100", "b", "70000")
	mustXAdd(t, s, StreamID{3, 1}, "a", "hello world", "b", "12345678901")
	require.True(t, s.Delete(StreamID{1, 2}))
	var nodes []string
	s.ForEachNode(func(master StreamID, lp []byte) bool {
		assert.Equal(t, StreamID{1, 1}, master)
		assert.True(t, ValidateStreamNode(lp))
		nodes = append(nodes, hex.EncodeToString(lp))
		return true
	})
	assert.Equal(t, []string{want}, nodes)
	assert.Equal(t, uint64(4), s.Len())
}

func TestParseStreamID(t *testing.T) {
	max := uint64(math.MaxUint64)
	cases := []struct {
		in             string
		missing        uint64
		strict, star   bool
		want           StreamID
		seqGiven, okay bool
	}{
		{"1-2", 0, true, false, StreamID{1, 2}, true, true},
		{"5", 0, true, false, StreamID{5, 0}, true, true},
		{"5", max, false, false, StreamID{5, max}, true, true},
		{"-", 0, false, false, StreamID{}, true, true},
		{"+", 0, false, false, MaxStreamID, true, true},
		{"-", 0, true, false, StreamID{}, false, false},
		{"+", 0, true, false, StreamID{}, false, false},
		{"5-*", 0, true, true, StreamID{5, 0}, false, true},
		{"5-*", 0, true, false, StreamID{}, false, false},
		{"18446744073709551615-18446744073709551615", 0, true, false, MaxStreamID, true, true},
		{"18446744073709551616", 0, true, false, StreamID{}, false, false},
		{"007-01", 0, true, false, StreamID{7, 1}, true, true},
		{" 7", 0, true, false, StreamID{7, 0}, true, true},
		{"+7", 0, true, false, StreamID{7, 0}, true, true},
		{"7 ", 0, true, false, StreamID{}, false, false},
		{"1--1", 0, true, false, StreamID{}, false, false},
		{"1- -1", 0, true, false, StreamID{1, max}, true, true},
		{"-1", 0, true, false, StreamID{}, false, false},
		{"1-", 0, true, false, StreamID{}, false, false},
		{"", 0, true, false, StreamID{}, false, false},
		{"a", 0, true, false, StreamID{}, false, false},
		{"1-2\x00junk", 0, true, false, StreamID{1, 2}, true, true},
		{string(bytes.Repeat([]byte{'1'}, 128)), 0, true, false, StreamID{}, false, false},
	}
	for _, tc := range cases {
		id, seqGiven, ok := ParseStreamID([]byte(tc.in), tc.missing, tc.strict, tc.star)
		assert.Equal(t, tc.okay, ok, "%q", tc.in)
		if ok {
			assert.Equal(t, tc.want, id, "%q", tc.in)
			assert.Equal(t, tc.seqGiven, seqGiven, "%q", tc.in)
		}
	}
}

func TestStreamIDArithmetic(t *testing.T) {
	id, ok := StreamID{1, math.MaxUint64}.Incr()
	assert.True(t, ok)
	assert.Equal(t, StreamID{2, 0}, id)
	id, ok = MaxStreamID.Incr()
	assert.False(t, ok)
	assert.Equal(t, StreamID{}, id)
	id, ok = StreamID{2, 0}.Decr()
	assert.True(t, ok)
	assert.Equal(t, StreamID{1, math.MaxUint64}, id)
	_, ok = StreamID{}.Decr()
	assert.False(t, ok)
	assert.Equal(t, "18446744073709551615-18446744073709551615", MaxStreamID.String())
	assert.Equal(t, -1, StreamID{1, 9}.Compare(StreamID{2, 0}))
	assert.Equal(t, 1, StreamID{2, 1}.Compare(StreamID{2, 0}))
	assert.Equal(t, 0, StreamID{2, 1}.Compare(StreamID{2, 1}))
}

func TestStreamAppendIDs(t *testing.T) {
	s := NewStream()
	id, err := s.Append(sfv("f", "v"), nil, false, 1000, 4096, 100)
	require.NoError(t, err)
	assert.Equal(t, StreamID{1000, 0}, id)
	id, _ = s.Append(sfv("f", "v"), nil, false, 999, 4096, 100)
	assert.Equal(t, StreamID{1000, 1}, id)
	id, _ = s.Append(sfv("f", "v"), &StreamID{1000, 0}, false, 0, 4096, 100)
	assert.Equal(t, StreamID{1000, 2}, id)
	id, _ = s.Append(sfv("f", "v"), &StreamID{2000, 0}, false, 0, 4096, 100)
	assert.Equal(t, StreamID{2000, 0}, id)
	_, err = s.Append(sfv("f", "v"), &StreamID{2000, 0}, true, 0, 4096, 100)
	assert.Equal(t, ErrStreamIDTooSmall, err)
	_, err = s.Append(sfv("f", "v"), &StreamID{1999, 0}, false, 0, 4096, 100)
	assert.Equal(t, ErrStreamIDTooSmall, err)
	_, err = s.Append(sfv("f", "v"), &StreamID{2000, math.MaxUint64}, true, 0, 4096, 100)
	require.NoError(t, err)
	_, err = s.Append(sfv("f", "v"), &StreamID{2000, 0}, false, 0, 4096, 100)
	assert.Equal(t, ErrStreamSeqExhausted, err)
	assert.Equal(t, uint64(5), s.Len())
	assert.Equal(t, uint64(5), s.EntriesAdded)
	assert.Equal(t, StreamID{1000, 0}, s.FirstID)
	assert.Equal(t, StreamID{2000, math.MaxUint64}, s.LastID)
}

func TestRaxNodeCount(t *testing.T) {
	s := NewStream()
	assert.Equal(t, 1, s.RaxNodeCount())
	opts := func(id StreamID) {
		_, err := s.Append(sfv("f", "v"), &id, true, 0, 4096, 1)
		require.NoError(t, err)
	}
	opts(StreamID{1, 1})
	assert.Equal(t, 2, s.RaxNodeCount())
	// Figures from Redis 7.0.15's XINFO STREAM (one entry per node).
	opts(StreamID{1, 2})
	assert.Equal(t, 4, s.RaxNodeCount())
	for _, id := range []StreamID{{2, 1}, {256, 0}, {65536, 7}, {65536, 300}, {4294967296, 0}, {math.MaxUint64, 0}} {
		opts(id)
	}
	assert.Equal(t, 25, s.RaxNodeCount())
	s.Delete(StreamID{2, 1})
	assert.Equal(t, 22, s.RaxNodeCount())
}

// model is the reference a Stream is checked against: every entry ever
// added, with its deletion mark.
type streamModelEntry struct {
	id      StreamID
	fields  [][]byte
	deleted bool
}

func streamLiveIn(m []streamModelEntry, start, end StreamID) []streamModelEntry {
	var out []streamModelEntry
	for _, e := range m {
		if !e.deleted && e.id.Compare(start) >= 0 && e.id.Compare(end) <= 0 {
			out = append(out, e)
		}
	}
	return out
}

func streamCollect(t testing.TB, s *Stream, start, end StreamID, rev bool) []streamModelEntry {
	var out []streamModelEntry
	it := s.Iterator(start, end, rev)
	for {
		id, ok := it.Next()
		if !ok {
			return out
		}
		e := streamModelEntry{id: id}
		it.Fields(func(f, v []byte) {
			e.fields = append(e.fields, append([]byte{}, f...), append([]byte{}, v...))
		})
		require.Equal(t, 2*it.NumFields(), len(e.fields))
		out = append(out, e)
	}
}

// TestStreamAgainstModel applies random appends, deletions and trims to a
// stream and to a plain model and compares every range read.
func TestStreamAgainstModel(t *testing.T) {
	for seed := uint64(1); seed <= 40; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 7))
			s := NewStream()
			var m []streamModelEntry
			maxBytes := []int64{0, 60, 200, 4096}[r.IntN(4)]
			maxEntries := []int64{0, 1, 3, 100}[r.IntN(4)]
			now := uint64(1)
			fieldSets := [][]string{{"a"}, {"a", "b"}, {"b"}, {"x", "y", "z"}}
			live := func() int {
				n := 0
				for _, e := range m {
					if !e.deleted {
						n++
					}
				}
				return n
			}
			for op := 0; op < 400; op++ {
				switch k := r.IntN(10); {
				case k < 6:
					names := fieldSets[r.IntN(len(fieldSets))]
					var pairs []string
					for _, n := range names {
						vals := []string{"1", "-5", "hello", "", "99999999999", strconv.Itoa(r.IntN(5000))}
						pairs = append(pairs, n, vals[r.IntN(len(vals))])
					}
					now += uint64(r.IntN(3))
					id, err := s.Append(sfv(pairs...), nil, false, now, maxBytes, maxEntries)
					require.NoError(t, err)
					m = append(m, streamModelEntry{id: id, fields: sfv(pairs...)})
				case k < 8 && len(m) > 0:
					i := r.IntN(len(m))
					want := !m[i].deleted
					assert.Equal(t, want, s.Delete(m[i].id))
					m[i].deleted = true
				case k < 9:
					maxLen := int64(r.IntN(live() + 2))
					args := TrimArgs{Strategy: TrimMaxLen, MaxLen: maxLen, Approx: r.IntN(2) == 0}
					before := live()
					n := s.Trim(args)
					if !args.Approx {
						want := max(before-int(maxLen), 0)
						assert.Equal(t, int64(want), n)
					} else {
						assert.GreaterOrEqual(t, before-int(n), min(int(maxLen), before))
					}
					for i := range m {
						if n == 0 {
							break
						}
						if !m[i].deleted {
							m[i].deleted = true
							n--
						}
					}
				default:
					if len(m) == 0 {
						continue
					}
					minID := m[r.IntN(len(m))].id
					args := TrimArgs{Strategy: TrimMinID, MinID: minID, Approx: r.IntN(2) == 0}
					n := s.Trim(args)
					var removed int64
					for i := range m {
						if !m[i].deleted && m[i].id.Compare(minID) < 0 {
							if args.Approx && removed == n {
								break
							}
							m[i].deleted = true
							removed++
						}
					}
					assert.Equal(t, removed, n)
				}
				require.Equal(t, uint64(live()), s.Len())
				all := streamLiveIn(m, StreamID{}, MaxStreamID)
				if len(all) > 0 {
					require.Equal(t, all[0].id, s.FirstID, "op %d", op)
					require.Equal(t, all[len(all)-1].id, s.LastValidID())
				}
				if op%20 == 0 || op == 399 {
					require.Equal(t, all, streamCollect(t, s, StreamID{}, MaxStreamID, false))
					for q := 0; q < 5 && len(m) > 0; q++ {
						a, b := m[r.IntN(len(m))].id, m[r.IntN(len(m))].id
						if a.Compare(b) > 0 {
							a, b = b, a
						}
						want := streamLiveIn(m, a, b)
						assert.Equal(t, want, streamCollect(t, s, a, b, false))
						rev := streamCollect(t, s, a, b, true)
						for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
							rev[i], rev[j] = rev[j], rev[i]
						}
						assert.Equal(t, want, rev)
					}
					s.ForEachNode(func(_ StreamID, lp []byte) bool {
						require.True(t, ValidateStreamNode(lp))
						if maxEntries > 0 {
							c, d, _, _ := nodeHeader(lp)
							require.LessOrEqual(t, c+d, maxEntries)
						}
						return true
					})
				}
			}
			for _, e := range m {
				assert.Equal(t, !e.deleted, s.Exists(e.id))
			}
			d := s.Dup()
			assert.Equal(t, streamCollect(t, s, StreamID{}, MaxStreamID, false), streamCollect(t, d, StreamID{}, MaxStreamID, false))
		})
	}
}

func TestValidateStreamNodeRejectsGarbage(t *testing.T) {
	s := NewStream()
	mustXAdd(t, s, StreamID{1, 1}, "a", "1")
	mustXAdd(t, s, StreamID{1, 2}, "b", "2", "c", "3")
	var lp []byte
	s.ForEachNode(func(_ StreamID, n []byte) bool { lp = n; return true })
	require.True(t, ValidateStreamNode(lp))
	for i := range lp {
		for _, b := range []byte{0x00, 0x7f, 0x80, 0xc0, 0xe0, 0xf0, 0xf4, 0xff} {
			bad := append([]byte(nil), lp...)
			bad[i] = b
			ValidateStreamNode(bad) // must not panic
		}
	}
	for n := 0; n < len(lp); n++ {
		assert.False(t, ValidateStreamNode(lp[:n]), "truncated at %d", n)
	}
}

func TestPEL(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var p PEL
	ref := map[StreamID]*StreamNACK{}
	for op := 0; op < 20000; op++ {
		id := StreamID{uint64(r.IntN(3000)), uint64(r.IntN(3))}
		switch r.IntN(3) {
		case 0, 1:
			n := &StreamNACK{DeliveryCount: uint64(op)}
			_, had := ref[id]
			assert.Equal(t, !had, p.Insert(id, n))
			if !had {
				ref[id] = n
			}
		default:
			got := p.Delete(id)
			assert.Equal(t, ref[id], got)
			delete(ref, id)
		}
		require.Equal(t, len(ref), p.Len())
	}
	keys := make([]StreamID, 0, len(ref))
	for k := range ref {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].Compare(keys[j]) < 0 })
	var got []StreamID
	p.Ascend(StreamID{}, func(id StreamID, n *StreamNACK) bool {
		assert.Same(t, ref[id], n)
		got = append(got, id)
		return true
	})
	assert.Equal(t, keys, got)
	first, _, _ := p.First()
	last, _, _ := p.Last()
	assert.Equal(t, keys[0], first)
	assert.Equal(t, keys[len(keys)-1], last)
	for i := 0; i < 200; i++ {
		q := StreamID{uint64(r.IntN(3100)), uint64(r.IntN(4))}
		j := sort.Search(len(keys), func(j int) bool { return keys[j].Compare(q) >= 0 })
		id, n, ok := p.Seek(q)
		if j == len(keys) {
			assert.False(t, ok)
			continue
		}
		assert.True(t, ok)
		assert.Equal(t, keys[j], id)
		assert.Same(t, ref[id], n)
		assert.Equal(t, ref[q], p.Get(q))
	}
	for _, k := range keys {
		p.Delete(k)
	}
	assert.Equal(t, 0, p.Len())
	_, _, ok := p.First()
	assert.False(t, ok)
}

func TestStreamGroupsAndDup(t *testing.T) {
	s := NewStream()
	mustXAdd(t, s, StreamID{1, 0}, "f", "v")
	g := s.CreateGroup([]byte("g"), StreamID{}, 0)
	require.NotNil(t, g)
	assert.Nil(t, s.CreateGroup([]byte("g"), StreamID{}, 0))
	s.CreateGroup([]byte("a"), StreamID{}, EntriesReadInvalid)
	assert.Equal(t, "a", s.Groups()[0].Name)
	alice := g.CreateConsumer([]byte("alice"), 5)
	assert.Nil(t, g.CreateConsumer([]byte("alice"), 6))
	n := &StreamNACK{DeliveryTime: 7, DeliveryCount: 1, Consumer: alice}
	g.PEL.Insert(StreamID{1, 0}, n)
	alice.PEL.Insert(StreamID{1, 0}, n)

	d := s.Dup()
	dg := d.Group([]byte("g"))
	require.NotNil(t, dg)
	dn := dg.PEL.Get(StreamID{1, 0})
	require.NotNil(t, dn)
	assert.NotSame(t, n, dn)
	assert.Equal(t, "alice", dn.Consumer.Name)
	assert.Same(t, dn, dg.Consumer([]byte("alice")).PEL.Get(StreamID{1, 0}))
	assert.NotSame(t, alice, dn.Consumer)

	g.DeleteConsumer(alice)
	assert.Equal(t, 0, g.PEL.Len())
	assert.Nil(t, g.Consumer([]byte("alice")))
	assert.Equal(t, 1, dg.PEL.Len())
	assert.True(t, s.DestroyGroup([]byte("g")))
	assert.False(t, s.DestroyGroup([]byte("g")))
	assert.NotNil(t, d.Group([]byte("g")))

	v := NewStreamValue(s)
	assert.Equal(t, "stream", EncodingName(&v))
	assert.Equal(t, KindStream, v.Kind())
	dv := v.Dup()
	assert.NotSame(t, v.Stream(), dv.Stream())
}

func TestStreamLag(t *testing.T) {
	s := NewStream()
	g := &StreamGroup{EntriesRead: EntriesReadInvalid}
	lag, ok := s.Lag(g)
	assert.True(t, ok)
	assert.Equal(t, int64(0), lag)
	for i := uint64(1); i <= 4; i++ {
		mustXAdd(t, s, StreamID{i, 0}, "f", "v")
	}
	g.LastID = StreamID{}
	lag, ok = s.Lag(g)
	assert.True(t, ok)
	assert.Equal(t, int64(4), lag)
	g.LastID = StreamID{2, 0}
	_, ok = s.Lag(g)
	assert.False(t, ok)
	g.EntriesRead = 2
	lag, _ = s.Lag(g)
	assert.Equal(t, int64(2), lag)
	s.Delete(StreamID{3, 0})
	assert.Equal(t, StreamID{3, 0}, s.MaxDeletedID)
	_, ok = s.Lag(g)
	assert.False(t, ok, "a tombstone after the group's position")
	g.LastID = StreamID{4, 0}
	lag, ok = s.Lag(g)
	assert.True(t, ok)
	assert.Equal(t, int64(2), lag, "a valid counter is trusted")
	g.EntriesRead = EntriesReadInvalid
	lag, ok = s.Lag(g)
	assert.True(t, ok)
	assert.Equal(t, int64(0), lag)
	assert.Equal(t, int64(4), s.EstimateDistance(StreamID{4, 0}))
	assert.Equal(t, EntriesReadInvalid, s.EstimateDistance(StreamID{5, 0}))
}

func TestStreamNodesRoundTrip(t *testing.T) {
	// What an RDB writer emits (ForEachNode) and a loader rebuilds
	// (AppendNode) is the same stream.
	s := NewStream()
	for i := uint64(1); i <= 250; i++ {
		_, err := s.Append(sfv("f", strconv.FormatUint(i, 10)), &StreamID{i, 0}, true, 0, 4096, 100)
		require.NoError(t, err)
	}
	s.Delete(StreamID{7, 0})
	l := NewStream()
	s.ForEachNode(func(master StreamID, lp []byte) bool {
		require.True(t, ValidateStreamNode(lp))
		l.AppendNode(master, append([]byte(nil), lp...))
		return true
	})
	assert.Equal(t, 3, l.NodeCount())
	assert.Equal(t, s.Len(), l.Len())
	assert.Equal(t, streamCollect(t, s, StreamID{}, MaxStreamID, false), streamCollect(t, l, StreamID{}, MaxStreamID, false))
	l.AppendNode(StreamID{999, 0}, listpack.New(0)) // an empty listpack adds nothing
	assert.Equal(t, s.Len(), l.Len())
}
