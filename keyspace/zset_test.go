package keyspace

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// zModel is the reference: a slice kept sorted by (score, member).
type zModel []zItem

func (m zModel) find(member string) int {
	for i, it := range m {
		if it.member == member {
			return i
		}
	}
	return -1
}

func (m *zModel) set(member string, score float64) {
	if i := m.find(member); i >= 0 {
		*m = append((*m)[:i], (*m)[i+1:]...)
	}
	*m = append(*m, zItem{member: member, score: score})
	sort.Slice(*m, func(i, j int) bool {
		a, b := (*m)[i], (*m)[j]
		return zLess(a.score, a.member, b.score, b.member)
	})
}

func checkZSet(t *testing.T, z *ZSet, m zModel) {
	t.Helper()
	if z.Len() != len(m) {
		t.Fatalf("len %d, model %d", z.Len(), len(m))
	}
	if z.dict != nil && !z.tree.check() {
		t.Fatal("tree invariants broken")
	}
	i := 0
	z.ForEach(func(mem []byte, s float64) bool {
		if string(mem) != m[i].member || s != m[i].score {
			t.Fatalf("rank %d: got %q %v, model %q %v", i, mem, s, m[i].member, m[i].score)
		}
		i++
		return true
	})
	if i != len(m) {
		t.Fatalf("walked %d of %d", i, len(m))
	}
	// A full scan returns every element with its score.
	seen := map[string]float64{}
	for cursor := z.Scan(0, func(mem []byte, s float64) { seen[string(mem)] = s }); cursor != 0; {
		cursor = z.Scan(cursor, func(mem []byte, s float64) { seen[string(mem)] = s })
	}
	if len(seen) != len(m) {
		t.Fatalf("scan saw %d of %d", len(seen), len(m))
	}
	for _, it := range m {
		if s, ok := seen[it.member]; !ok || s != it.score {
			t.Fatalf("scan: %q %v", it.member, s)
		}
	}
}

func TestZSetRandomOpsAgainstModel(t *testing.T) {
	for _, lim := range []ZSetLimits{
		{MaxEntries: 128, MaxValue: 64, Seed: 1},
		{MaxEntries: 0, MaxValue: 64, Seed: 2},
		{MaxEntries: 100000, MaxValue: 100000, Seed: 3},
	} {
		t.Run(fmt.Sprintf("entries=%d", lim.MaxEntries), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(lim.Seed, 7))
			z := NewZSet(0, 0, lim)
			var m zModel
			members := 600
			for step := 0; step < 6000; step++ {
				mem := fmt.Sprintf("m%03d", rng.IntN(members))
				switch op := rng.IntN(10); {
				case op < 5:
					score := float64(rng.IntN(50)) / 2
					added := z.Set([]byte(mem), score, lim)
					if added != (m.find(mem) < 0) {
						t.Fatalf("step %d: Set(%s) added=%v", step, mem, added)
					}
					m.set(mem, score)
				case op < 7:
					ok := z.Remove([]byte(mem))
					i := m.find(mem)
					if ok != (i >= 0) {
						t.Fatalf("step %d: Remove(%s)=%v", step, mem, ok)
					}
					if i >= 0 {
						m = append(m[:i], m[i+1:]...)
					}
				case op < 8 && len(m) > 0:
					a := rng.IntN(len(m))
					b := a + rng.IntN(min(5, len(m)-a))
					if n := z.DeleteRange(a, b); n != b-a+1 {
						t.Fatalf("DeleteRange(%d,%d)=%d", a, b, n)
					}
					m = append(m[:a], m[b+1:]...)
				default:
					i := m.find(mem)
					r, ok := z.Rank([]byte(mem))
					if ok != (i >= 0) || (ok && r != i) {
						t.Fatalf("Rank(%s)=%d,%v model %d", mem, r, ok, i)
					}
					s, ok := z.Score([]byte(mem))
					if ok != (i >= 0) || (ok && s != m[i].score) {
						t.Fatalf("Score(%s)=%v,%v", mem, s, ok)
					}
					if len(m) > 0 {
						k := rng.IntN(len(m))
						am, as := z.At(k)
						if string(am) != m[k].member || as != m[k].score {
							t.Fatalf("At(%d)", k)
						}
					}
					checkRanges(t, z, m, rng)
				}
				if step%500 == 0 {
					checkZSet(t, z, m)
				}
			}
			checkZSet(t, z, m)
			if lim.MaxEntries == 128 && z.Encoding() != "skiplist" && len(m) > 128 {
				t.Fatal("did not convert")
			}
		})
	}
}

func checkRanges(t *testing.T, z *ZSet, m zModel, rng *rand.Rand) {
	t.Helper()
	r := ScoreRange{Min: float64(rng.IntN(60)-5) / 2, Max: float64(rng.IntN(60)-5) / 2, MinEx: rng.IntN(2) == 0, MaxEx: rng.IntN(2) == 0}
	first, last := -1, -1
	for i, it := range m {
		if r.GteMin(it.score) && r.LteMax(it.score) {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if r.Empty() {
		first, last = -1, -1
	}
	if got := z.FirstInScoreRange(&r); got != first {
		t.Fatalf("FirstInScoreRange(%+v)=%d want %d", r, got, first)
	}
	if got := z.LastInScoreRange(&r); got != last {
		t.Fatalf("LastInScoreRange(%+v)=%d want %d", r, got, last)
	}
	// Lexicographic ranges over the members of one score.
	if len(m) == 0 {
		return
	}
	score := m[rng.IntN(len(m))].score
	same := NewZSet(0, 0, ZSetLimits{MaxEntries: z.Len() / 2, MaxValue: 64, Seed: 9})
	var sm zModel
	for _, it := range m {
		if it.score == score {
			same.Set([]byte(it.member), 0, ZSetLimits{MaxEntries: z.Len() / 2, MaxValue: 64, Seed: 9})
			sm.set(it.member, 0)
		}
	}
	bound := func() LexBound {
		switch rng.IntN(6) {
		case 0:
			return LexBound{Inf: -1, Ex: true}
		case 1:
			return LexBound{Inf: 1, Ex: true}
		}
		return LexBound{Value: []byte(fmt.Sprintf("m%03d", rng.IntN(620))), Ex: rng.IntN(2) == 0}
	}
	lr := LexRange{Min: bound(), Max: bound()}
	first, last = -1, -1
	for i, it := range sm {
		if lr.GteMin([]byte(it.member)) && lr.LteMax([]byte(it.member)) {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if got := same.FirstInLexRange(&lr); got != first {
		t.Fatalf("FirstInLexRange=%d want %d", got, first)
	}
	if got := same.LastInLexRange(&lr); got != last {
		t.Fatalf("LastInLexRange=%d want %d", got, last)
	}
}

func TestZTreeSequentialAndReverseLoads(t *testing.T) {
	for _, rev := range []bool{false, true} {
		var tr zTree
		n := 20000
		for i := 0; i < n; i++ {
			k := i
			if rev {
				k = n - 1 - i
			}
			tr.Insert(float64(k), fmt.Sprint(k))
		}
		if !tr.check() || tr.Len() != n {
			t.Fatal("bad tree")
		}
		// Appends at either end leave the leaves full.
		leaves, full := 0, 0
		var rec func(x *zNode)
		rec = func(x *zNode) {
			if x.leaf() {
				leaves++
				if len(x.items) == zLeafMax {
					full++
				}
				return
			}
			for _, k := range x.kids {
				rec(k)
			}
		}
		rec(tr.root)
		if full < leaves-2 {
			t.Fatalf("rev=%v: %d of %d leaves full", rev, full, leaves)
		}
		for i := 0; i < n; i += 997 {
			if r, ok := tr.Rank(float64(i), fmt.Sprint(i)); !ok || r != i {
				t.Fatalf("Rank(%d)=%d", i, r)
			}
			if it := tr.At(i); it.score != float64(i) {
				t.Fatalf("At(%d)=%v", i, it)
			}
		}
		// Reverse walk from the middle.
		want := n / 2
		tr.Walk(n/2, true, func(s float64, _ string) bool {
			if s != float64(want) {
				t.Fatalf("walkRev got %v want %d", s, want)
			}
			want--
			return true
		})
		if want != -1 {
			t.Fatal("walkRev stopped early")
		}
		// Delete everything in a scattered order.
		for i := 0; i < n; i++ {
			k := (i * 7919) % n
			if _, ok := tr.Delete(float64(k), fmt.Sprint(k)); !ok {
				t.Fatalf("Delete(%d)", k)
			}
			if i%1000 == 0 && !tr.check() {
				t.Fatal("bad tree during deletes")
			}
		}
		if tr.Len() != 0 || tr.root != nil {
			t.Fatal("not empty")
		}
	}
}

func TestZSetEncodingConversions(t *testing.T) {
	lim := ZSetLimits{MaxEntries: 3, MaxValue: 4, Seed: 1}
	cases := []struct {
		name    string
		hint    int
		maxLen  int
		members []string
		want    string
	}{
		{"small stays listpack", 0, 1, []string{"a", "b", "c"}, "listpack"},
		{"fourth member converts", 0, 1, []string{"a", "b", "c", "d"}, "skiplist"},
		{"long member converts", 0, 1, []string{"a", "toolong"}, "skiplist"},
		{"hint over entries", 4, 1, []string{"a"}, "skiplist"},
		{"long first member", 0, 5, []string{"a"}, "skiplist"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			z := NewZSet(tc.hint, tc.maxLen, lim)
			for i, m := range tc.members {
				z.Set([]byte(m), float64(i), lim)
			}
			if z.Encoding() != tc.want {
				t.Fatalf("encoding %s, want %s", z.Encoding(), tc.want)
			}
		})
	}
	z := NewZSet(10, 0, lim)
	z.Set([]byte("a"), 1, lim)
	z.Set([]byte("b"), 2, lim)
	z.ConvertToListpackIfNeeded(1, 2, lim)
	if z.Encoding() != "listpack" || z.Len() != 2 {
		t.Fatal("no conversion back")
	}
	if m, s := z.At(1); string(m) != "b" || s != 2 {
		t.Fatal("content lost")
	}
	d := z.Dup()
	d.Set([]byte("c"), 0, lim)
	if z.Len() != 2 || d.Len() != 3 {
		t.Fatal("Dup shares storage")
	}
}

func TestLexRangeEmpty(t *testing.T) {
	b := func(s string, ex bool) LexBound { return LexBound{Value: []byte(s), Ex: ex} }
	minus, plus := LexBound{Inf: -1, Ex: true}, LexBound{Inf: 1, Ex: true}
	cases := []struct {
		name  string
		r     LexRange
		empty bool
	}{
		{"- +", LexRange{minus, plus}, false},
		{"+ -", LexRange{plus, minus}, true},
		{"- -", LexRange{minus, minus}, true},
		{"[a [a", LexRange{b("a", false), b("a", false)}, false},
		{"(a [a", LexRange{b("a", true), b("a", false)}, true},
		{"[b [a", LexRange{b("b", false), b("a", false)}, true},
		{"[a +", LexRange{b("a", false), plus}, false},
	}
	for _, tc := range cases {
		if tc.r.Empty() != tc.empty {
			t.Errorf("%s: Empty()=%v", tc.name, !tc.empty)
		}
	}
}

func TestLexRangeOverMembersOutOfOrder(t *testing.T) {
	// Scores e=0, 2=1: by score the members are not in lexicographic order.
	// Redis answers "none" as soon as the last member is below the minimum
	// or the first above the maximum, in both encodings.
	b := func(s string) LexBound { return LexBound{Value: []byte(s)} }
	minus, plus := LexBound{Inf: -1, Ex: true}, LexBound{Inf: 1, Ex: true}
	for _, lim := range []ZSetLimits{{MaxEntries: 128, MaxValue: 64}, {MaxEntries: 0, MaxValue: 64}} {
		z := NewZSet(2, 1, lim)
		z.Set([]byte("e"), 0, lim)
		z.Set([]byte("2"), 1, lim)
		if z.IsListpack() != (lim.MaxEntries > 0) {
			t.Fatalf("MaxEntries %d gave listpack=%v", lim.MaxEntries, z.IsListpack())
		}
		cases := []struct {
			name        string
			r           LexRange
			first, last int
		}{
			{"[a + (last member below min)", LexRange{b("a"), plus}, -1, -1},
			{"- [d (first member above max)", LexRange{minus, b("d")}, -1, -1},
			{"- +", LexRange{minus, plus}, 0, 1},
			{"[0 [f", LexRange{b("0"), b("f")}, 0, 1},
		}
		for _, tc := range cases {
			if got := z.FirstInLexRange(&tc.r); got != tc.first {
				t.Errorf("listpack=%v %s: FirstInLexRange=%d, want %d", z.IsListpack(), tc.name, got, tc.first)
			}
			if got := z.LastInLexRange(&tc.r); got != tc.last {
				t.Errorf("listpack=%v %s: LastInLexRange=%d, want %d", z.IsListpack(), tc.name, got, tc.last)
			}
		}
	}
}

// SetOwned keeps the member's bytes in the hashtable and the tree; Set
// copies them.
func TestZSetSetOwned(t *testing.T) {
	lim := ZSetLimits{MaxEntries: 0, MaxValue: 64, Seed: 1}
	z := NewZSet(2, 10, lim)
	owned := []byte("owned")
	copied := []byte("copied")
	require.True(t, z.SetOwned(owned, 1, lim))
	require.True(t, z.Set(copied, 2, lim))
	copied[0] = 'X'
	s, ok := z.Score([]byte("copied"))
	assert.True(t, ok)
	assert.Equal(t, 2.0, s)
	var members []string
	z.tree.Walk(0, false, func(_ float64, m string) bool {
		if m == "owned" {
			assert.Same(t, &owned[0], unsafe.StringData(m))
		}
		members = append(members, m)
		return true
	})
	assert.Equal(t, []string{"owned", "copied"}, members)
}
