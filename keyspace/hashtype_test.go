package keyspace

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"sort"
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var smallHash = HashLimits{MaxListpackEntries: 4, MaxListpackValue: 8, Seed: 3}

func hashContents(h *HashMap) map[string]string {
	out := map[string]string{}
	h.ForEach(func(f, v []byte) bool {
		out[string(f)] = string(v)
		return true
	})
	return out
}

func TestHashEncodingConversions(t *testing.T) {
	cases := []struct {
		name string
		ops  func(h *HashMap)
		enc  string
	}{
		{"small stays listpack", func(h *HashMap) {
			h.Set([]byte("a"), []byte("1"), smallHash)
			h.Set([]byte("b"), []byte("12345678"), smallHash)
		}, "listpack"},
		{"entries at the limit", func(h *HashMap) {
			for i := 0; i < 4; i++ {
				h.Set([]byte(fmt.Sprint("f", i)), []byte("v"), smallHash)
			}
		}, "listpack"},
		{"one entry too many", func(h *HashMap) {
			for i := 0; i < 5; i++ {
				h.Set([]byte(fmt.Sprint("f", i)), []byte("v"), smallHash)
			}
		}, "hashtable"},
		{"long value", func(h *HashMap) { h.Set([]byte("a"), []byte("123456789"), smallHash) }, "hashtable"},
		{"long field", func(h *HashMap) { h.Set([]byte("123456789"), []byte("v"), smallHash) }, "hashtable"},
		{"try conversion on any argument", func(h *HashMap) {
			h.TryConversion(smallHash, []byte("a"), []byte("123456789"))
		}, "hashtable"},
		{"try conversion within limits", func(h *HashMap) {
			h.TryConversion(smallHash, []byte("a"), []byte("12345678"))
		}, "listpack"},
		{"never back", func(h *HashMap) {
			for i := 0; i < 5; i++ {
				h.Set([]byte(fmt.Sprint("f", i)), []byte("v"), smallHash)
			}
			for i := 0; i < 4; i++ {
				h.Delete([]byte(fmt.Sprint("f", i)))
			}
		}, "hashtable"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := NewHash()
			c.ops(h)
			assert.Equal(t, c.enc, h.Encoding())
		})
	}
}

// The conversion keeps every pair, including empty fields and values.
func TestHashConversionKeepsPairs(t *testing.T) {
	h := NewHash()
	want := map[string]string{"": "empty field", "empty value": "", "a": "1", "b": "2"}
	for f, v := range want {
		h.Set([]byte(f), []byte(v), HashLimits{MaxListpackEntries: 100, MaxListpackValue: 100})
	}
	assert.Equal(t, want, hashContents(h))
	h.Set([]byte("c"), []byte(strings.Repeat("x", 200)), HashLimits{MaxListpackEntries: 100, MaxListpackValue: 100})
	want["c"] = strings.Repeat("x", 200)
	assert.Equal(t, "hashtable", h.Encoding())
	runtime.GC()
	assert.Equal(t, want, hashContents(h))
	v, ok := h.Get([]byte(""))
	assert.True(t, ok)
	assert.Equal(t, "empty field", string(v))
	v, ok = h.Get([]byte("empty value"))
	assert.True(t, ok)
	assert.Equal(t, "", string(v))
}

// TestHashProperty drives both encodings with random operations and checks
// them against a Go map after every step.
func TestHashProperty(t *testing.T) {
	for seed := uint64(0); seed < 20; seed++ {
		rng := rand.New(rand.NewPCG(seed, 1))
		lim := HashLimits{MaxListpackEntries: 1 + rng.IntN(40), MaxListpackValue: 1 + rng.IntN(12), Seed: seed}
		h := NewHash()
		model := map[string]string{}
		for step := 0; step < 1500; step++ {
			f := fmt.Sprint(rng.IntN(60))
			switch rng.IntN(5) {
			case 0, 1, 2:
				v := strings.Repeat("v", rng.IntN(14))
				_, had := model[f]
				added := h.Set([]byte(f), []byte(v), lim)
				require.Equal(t, !had, added)
				model[f] = v
			case 3:
				_, had := model[f]
				require.Equal(t, had, h.Delete([]byte(f)))
				delete(model, f)
			case 4:
				v, ok := h.Get([]byte(f))
				mv, had := model[f]
				require.Equal(t, had, ok)
				require.Equal(t, mv, string(v))
			}
			require.Equal(t, len(model), h.Len())
		}
		assert.Equal(t, model, hashContents(h), "seed %d", seed)
		dup := h.Dup()
		assert.Equal(t, h.Encoding(), dup.Encoding())
		assert.Equal(t, model, hashContents(dup))
		// Scan returns everything.
		seen := map[string]string{}
		cursor := uint64(0)
		for {
			cursor = h.Scan(cursor, func(f, v []byte) { seen[string(f)] = string(v) })
			if cursor == 0 {
				break
			}
		}
		assert.Equal(t, model, seen)
	}
}

func TestHashListpackKeepsInsertionOrder(t *testing.T) {
	h := NewHash()
	lim := HashLimits{MaxListpackEntries: 10, MaxListpackValue: 64}
	for _, f := range []string{"z", "a", "m"} {
		h.Set([]byte(f), []byte("1"), lim)
	}
	h.Set([]byte("a"), []byte("a much longer value"), lim)
	h.Delete([]byte("z"))
	var order []string
	h.ForEach(func(f, v []byte) bool { order = append(order, string(f)+"="+string(v)); return true })
	assert.Equal(t, []string{"a=a much longer value", "m=1"}, order)
}

func TestHashRandomReachesEveryField(t *testing.T) {
	for _, n := range []int{5, 100} {
		h := NewHash()
		for i := 0; i < n; i++ {
			h.Set([]byte(fmt.Sprint(i)), []byte("v"), HashLimits{MaxListpackEntries: 10, MaxListpackValue: 64, Seed: 1})
		}
		rng := rand.New(rand.NewPCG(1, 2))
		seen := map[string]bool{}
		for i := 0; i < n*50; i++ {
			f, v := h.Random(rng.IntN)
			assert.Equal(t, "v", string(v))
			seen[string(f)] = true
		}
		assert.Len(t, seen, n)
	}
}

func setContents(s *Set) []string {
	var out []string
	s.ForEach(func(m []byte) bool { out = append(out, string(m)); return true })
	sort.Strings(out)
	return out
}

func TestSetEncodingConversions(t *testing.T) {
	lim := SetLimits{MaxIntsetEntries: 4, Seed: 1}
	cases := []struct {
		name    string
		members []string
		enc     string
	}{
		{"integers", []string{"1", "-5", "70000", "9223372036854775807"}, "intset"},
		{"too many integers", []string{"1", "2", "3", "4", "5"}, "hashtable"},
		{"not canonical", []string{"1", "01"}, "hashtable"},
		{"string", []string{"1", "a"}, "hashtable"},
		{"minus zero", []string{"-0"}, "hashtable"},
		{"out of range", []string{"9223372036854775808"}, "hashtable"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := NewSetFor([]byte(c.members[0]), lim)
			for _, m := range c.members {
				assert.True(t, s.Add([]byte(m), lim))
			}
			assert.Equal(t, c.enc, s.Encoding())
			want := append([]string(nil), c.members...)
			sort.Strings(want)
			assert.Equal(t, want, setContents(s))
		})
	}
}

func TestIntsetWidths(t *testing.T) {
	var is intset
	vals := []int64{5, -3, 40000, -40000, 1 << 40, -(1 << 40), 7}
	for _, v := range vals {
		assert.True(t, is.add(v))
		assert.False(t, is.add(v))
	}
	assert.Equal(t, uint8(8), is.width)
	sorted := append([]int64(nil), vals...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	for i, v := range sorted {
		assert.Equal(t, v, is.get(i))
	}
	assert.True(t, is.remove(40000))
	assert.False(t, is.remove(40000))
	assert.False(t, is.has(40000))
	assert.True(t, is.has(-(1 << 40)))
	var small intset
	small.add(1)
	assert.Equal(t, uint8(2), small.width)
	assert.False(t, small.has(1<<20))
	assert.False(t, small.remove(1<<20))
}

// TestSetProperty checks both encodings against a Go map.
func TestSetProperty(t *testing.T) {
	for seed := uint64(0); seed < 20; seed++ {
		rng := rand.New(rand.NewPCG(seed, 9))
		lim := SetLimits{MaxIntsetEntries: 1 + rng.IntN(50), Seed: seed}
		var s *Set
		model := map[string]bool{}
		member := func() string {
			if rng.IntN(20) == 0 {
				return fmt.Sprint("m", rng.IntN(10))
			}
			return fmt.Sprint(rng.IntN(100) - 50)
		}
		for step := 0; step < 1500; step++ {
			m := member()
			if s == nil || s.Len() == 0 {
				s = NewSetFor([]byte(m), lim)
			}
			switch rng.IntN(3) {
			case 0, 1:
				require.Equal(t, !model[m], s.Add([]byte(m), lim))
				model[m] = true
				if s.IsIntset() {
					require.LessOrEqual(t, s.Len(), lim.MaxIntsetEntries)
				}
			case 2:
				require.Equal(t, model[m], s.Remove([]byte(m)))
				delete(model, m)
			}
			require.Equal(t, model[m], s.Has([]byte(m)))
			require.Equal(t, len(model), s.Len())
		}
		var want []string
		for m := range model {
			want = append(want, m)
		}
		sort.Strings(want)
		if len(want) == 0 {
			want = nil
		}
		assert.Equal(t, want, setContents(s))
		dup := s.Dup()
		assert.Equal(t, s.Encoding(), dup.Encoding())
		assert.Equal(t, want, setContents(dup))
	}
}

func TestSetRandomAndScan(t *testing.T) {
	for _, n := range []int{10, 300} {
		lim := SetLimits{MaxIntsetEntries: 100, Seed: 4}
		s := NewSetFor([]byte("0"), lim)
		for i := 0; i < n; i++ {
			s.Add([]byte(fmt.Sprint(i)), lim)
		}
		rng := rand.New(rand.NewPCG(3, 3))
		seen := map[string]bool{}
		for i := 0; i < n*50; i++ {
			seen[string(s.Random(rng.IntN, nil))] = true
		}
		assert.Len(t, seen, n)
		scanned := map[string]bool{}
		cursor := uint64(0)
		for {
			cursor = s.Scan(cursor, func(m []byte) { scanned[string(m)] = true })
			if cursor == 0 {
				break
			}
		}
		assert.Equal(t, seen, scanned)
	}
}

func TestCollectionValues(t *testing.T) {
	h := NewHash()
	h.Set([]byte("f"), []byte("v"), HashLimits{MaxListpackEntries: 1, MaxListpackValue: 1})
	v := NewHashValue(h)
	assert.Equal(t, KindHash, v.Kind())
	assert.Equal(t, "listpack", EncodingName(&v))
	assert.Nil(t, v.AsSet())
	cp := v.Dup()
	cp.AsHash().Delete([]byte("f"))
	assert.Equal(t, 1, v.AsHash().Len())

	s := NewSetFor([]byte("x"), SetLimits{})
	s.Add([]byte("x"), SetLimits{})
	sv := NewSetValue(s)
	assert.Equal(t, "hashtable", EncodingName(&sv))
	assert.Nil(t, sv.AsHash())
	scp := sv.Dup()
	scp.AsSet().Remove([]byte("x"))
	assert.Equal(t, 1, sv.AsSet().Len())
}

// SetOwned keeps a field and its value as they are when the value follows
// the field within the field's capacity, and copies them otherwise.
func TestHashSetOwned(t *testing.T) {
	lim := HashLimits{MaxListpackEntries: 0, MaxListpackValue: 64, Seed: 1}
	h := NewHash()
	h.Set([]byte("first"), []byte("1"), lim) // converts to a hashtable
	require.False(t, h.IsListpack())
	pair := []byte("fieldvalue")
	require.True(t, h.SetOwned(pair[:5], pair[5:], lim))
	v, ok := h.Get([]byte("field"))
	require.True(t, ok)
	assert.Equal(t, "value", string(v))
	assert.Same(t, &pair[5], &v[0], "an adjacent pair is kept without a copy")

	// The value right after the field in memory but outside its capacity
	// (another allocation, as far as the hash can tell): copied.
	other := []byte("otherVAL")
	require.True(t, h.SetOwned(other[:5:5], other[5:], lim))
	v, _ = h.Get([]byte("other"))
	assert.NotSame(t, &other[5], &v[0])
	other[5] = 'x'
	assert.Equal(t, "VAL", string(v))

	// An empty field or value.
	empty := []byte("e")
	require.True(t, h.SetOwned(empty, empty[1:], lim))
	v, ok = h.Get([]byte("e"))
	assert.True(t, ok)
	assert.Empty(t, v)
	require.True(t, h.SetOwned([]byte{}, []byte("x"), lim))
	v, _ = h.Get([]byte{})
	assert.Equal(t, "x", string(v))
	assert.Equal(t, map[string]string{"first": "1", "field": "value", "other": "VAL", "e": "", "": "x"}, hashContents(h))
}

// AddOwned keeps a hashtable member's bytes; Add copies them.
func TestSetAddOwned(t *testing.T) {
	lim := SetLimits{MaxIntsetEntries: 4, Seed: 1}
	s := NewIntset()
	owned := []byte("owned")
	copied := []byte("copied")
	require.True(t, s.AddOwned(owned, lim)) // converts to a hashtable
	require.True(t, s.Add(copied, lim))
	require.False(t, s.AddOwned([]byte("owned"), lim))
	copied[0] = 'X'
	assert.True(t, s.Has([]byte("copied")))
	k, ok := s.dict.Key("owned")
	require.True(t, ok)
	assert.Same(t, &owned[0], unsafe.StringData(k))
}

// Reserve sizes the table of a hashtable-encoded set, hash or sorted set
// for the members to come, and leaves compact encodings alone.
func TestReserve(t *testing.T) {
	s := NewIntset()
	s.Add([]byte("1"), SetLimits{MaxIntsetEntries: 4})
	s.Reserve(1000)
	assert.True(t, s.IsIntset())
	s.Add([]byte("x"), SetLimits{MaxIntsetEntries: 4})
	s.Reserve(1000)
	assert.GreaterOrEqual(t, s.dict.Buckets(), 1000)

	h := NewHash()
	h.Reserve(1000)
	assert.True(t, h.IsListpack())
	h.Set([]byte("f"), []byte("v"), HashLimits{MaxListpackEntries: 0, MaxListpackValue: 64})
	h.Reserve(1000)
	assert.GreaterOrEqual(t, h.dict.Buckets(), 1000)

	lim := ZSetLimits{MaxEntries: 0, MaxValue: 64}
	z := NewZSet(1000, 1, lim)
	z.Reserve(1000)
	assert.GreaterOrEqual(t, z.dict.Buckets(), 1000)
	assert.Equal(t, 0, z.Len())
}
